// Package query searches the Parquet lake with DuckDB, in-process and
// read-only: `panther search`.
//
// # Tables
//
// Every table of the lake (logs/<table>/, alerts/, rule_matches/; see
// DiscoverTables) is queried by its name. The name reaches DuckDB as a
// replacement scan: when a statement names a table DuckDB does not know,
// the engine answers with a table macro over read_parquet of that table's
// files, with hive_partitioning (year, month, day and hour become INTEGER
// columns) and union_by_name (log types grow columns; older files read
// them as NULL, and a column whose type changed reads as the common
// supertype). union_by_name costs a read of every footer when the scan is
// bound, so a table whose file names all end with the same schema
// fingerprint (the lake writer's, lake.FileFingerprint) is read without it.
// Views would do the same but DuckDB binds a view when it is
// created, reading every footer, and binds it again in each query: on the
// benchmark lake that doubled the time of a 30-day aggregation. With the
// replacement scan a table costs nothing until a statement uses it, and is
// bound once. Statements that list the catalog (SHOW TABLES,
// information_schema) turn every table into a view first.
//
// # Time ranges: explicit file lists, not hive filter pushdown
//
// A time range is applied twice: the Go code lists only the hour
// partitions that overlap it (by directory name, opening no file) and the
// scan reads exactly those files; a p_event_time predicate then trims the
// hours at both ends. DuckDB's own hive filter pushdown cannot do the
// first part here: with union_by_name, DuckDB reads the footer of every
// file matched by the glob when it binds the scan, before any filter is
// pushed down, so a corrupt file outside the range fails the query and a
// lake of months pays for every footer. With explicit lists, files outside
// the range are never opened (TestFilesOutsideTheRangeAreNeverOpened puts
// a corrupt file there and checks EXPLAIN ANALYZE's "Total Files Read").
// BenchmarkViewStyles measures both styles.
//
// # Bad files
//
// A Parquet file in range that DuckDB cannot read fails the query with a
// *FileError naming it and saying what to do: an investigation must not
// look complete when it is not. DuckDB names the file when its footer is
// bad; when a data page is ("TProtocolException: Invalid data"), it does
// not, and the engine reads the files of the tables the statement used,
// one by one, until one fails (only after such a failure). With Options.SkipBadFiles the file is left
// out of its table, a warning goes to Options.Warn, and the statement runs
// again (DuckDB materialises a result before the first row is returned, so
// no row is written twice).
//
// # Read-only
//
// Search never writes. The read-only guard (guard.go) refuses, before
// anything runs, every statement but one SELECT-like statement, using
// DuckDB's own parser, and refuses the table functions that change state.
// Behind it DuckDB is locked down when the engine opens: extensions are
// neither installed nor auto-loaded, file access is limited to the lake
// (and a private spill directory) with enable_external_access=false and
// allowed_directories, and lock_configuration stops any SET from undoing
// it.
//
// # Errors
//
// Errors are typed so that the command can pick exit codes: *SQLError
// (DuckDB rejected the statement; its message shows the position),
// *RefusedError, *TableError, *LakeError, *FileError, and the context's
// error when --timeout or Ctrl-C cancelled the query (DuckDB is
// interrupted, not waited for).
//
// DuckDB comes from github.com/duckdb/duckdb-go/v2 (cgo, prebuilt static
// libraries, DuckDB 1.5.5 with the parquet, json and icu extensions built
// in). The process opens one *sql.DB, with one connection: the interrupt
// of a cancelled query belongs to it, and DuckDB parallelises each query
// itself.
package query
