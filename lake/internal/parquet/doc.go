// Package parquet writes Parquet files (https://parquet.apache.org/docs/file-format/):
// the subset the lake needs, and nothing else. It is the lake's encoder,
// fenced here so that the rest of the lake only hands it shredded columns.
//
// What it writes: every column optional; strings (UTF8), JSON, INT64,
// TIMESTAMP(MICROS), DOUBLE and BOOLEAN leaves, structs and three-level
// LISTs; data pages of version 1 with RLE / bit-packed levels; values
// PLAIN, or dictionary-encoded for string columns whose values repeat
// (dict.go); ZSTD pages (github.com/klauspost/compress); min, max and
// null count of every column chunk in the footer (stats.go), with the
// column orders that say how they compare, and a created_by that
// parquet-java parses (createdby.go). The footer and page headers are
// Thrift's compact protocol, written by hand (thrift.go): a few kinds of
// fields.
//
// What it does not: reading (the tests read with arrow-go and DuckDB),
// required or repeated leaves outside lists, other encodings or codecs,
// page indexes, bloom filters.
//
// The caller (package lake) turns rows into ColumnData (the Dremel
// paper's record shredding: levels and PLAIN values per leaf), and calls
// WriteRowGroup for each row group and Finish for the footer. One Encoder
// serves one goroutine; a File may be parked (its descriptor closed)
// between row groups.
//
// Why our own encoder and not arrow-go's pqarrow (already a dependency)
// is in the lake's package doc, with the benchmarks that decide it
// (BenchmarkParquetWriters in package lake, and the replay with --lake
// built both ways: see docs/design.md and docs/lake.md).
package parquet
