// Package input reads log sources: it finds them (Expand: files,
// directories, globs, "-"), opens them with transparent decompression
// (Open), and splits them into records with their line numbers (Reader).
// It is the front of `panther parse` and of the replay pipeline, so it
// streams: its memory is bounded by the largest record it keeps
// (Options.MaxRecordBytes), whatever the size of the source.
//
// # Decompression
//
// gzip (multi-member too), zstd and bzip2 are recognised by their first
// bytes, never by the file name: archives are often misnamed (.log files
// that are gzip, .gz files that are not). A damaged stream is a
// *SourceError that says "truncated gzip stream" or "corrupt zstd stream",
// after every record before the damage was delivered.
//
// gzip and zstd come from github.com/klauspost/compress. Its gzip
// decompresses about twice as fast as compress/gzip (BenchmarkDecompress,
// ~10 MB of CloudTrail-shaped NDJSON, best of 3 on a shared, loaded 2-core
// machine: 1585 MB/s against 952 MB/s, with 27 allocations against 403), and
// the standard library has no zstd. bzip2 is rarer and slow anyway:
// compress/bzip2 serves. The zstd decoder runs with concurrency 1 (no
// decoding goroutines): its asynchronous mode was faster on one stream
// (2679 against 2090 MB/s) only by taking a second core, which the replay
// pipeline already gives to parsing, and parsing, not decompression at
// over 1 GB/s, is the bottleneck. Its window is capped at 128 MiB, so an
// odd or hostile file cannot claim the machine's memory.
//
// # Records
//
// The Reader sniffs the start of the decompressed data (rules on sniff, in
// reader.go)
// and either splits lines (text logs, NDJSON; \r\n handled, blank lines
// skipped) or splits JSON (a whole-file array, CloudTrail's
// {"Records":[...]}, pretty-printed or concatenated documents). A line or
// element over the limit is a *RecordError and is streamed past without
// being held in memory; the next record reads normally. Records carry the
// line where they start and an ordinal that, with the file name, makes
// p_row_id.
//
// A malformed JSON file ends at the error (a *SourceError wrapping
// ErrMalformedJSON, with the line): inside a JSON document there is no
// reliable place to start again, unlike in NDJSON, where the Reader stays
// in lines mode precisely so that a broken line costs one record.
//
// The JSON splitter does not parse: it tracks strings, escapes and bracket
// depth, 8 bytes at a time inside strings, and hands each element's bytes
// to the parsers, which parse them anyway. On a CloudTrail-style file it
// splits at 1.7 GB/s (BenchmarkReaderArray, best of 8 runs while the
// machine was loaded; other runs 0.7–1.5 GB/s), where encoding/json's
// Decoder (Token, then Decode into json.RawMessage) manages 140 MB/s
// (BenchmarkReaderArrayEncodingJSON, same data). Line splitting runs at
// memory speed (BenchmarkReaderLines, 5–16 GB/s, as fast as bufio.Scanner
// with none of its "token too long" end of the file).
//
//	go test -run '^$' -bench . -benchmem -count 3 ./parsers/input/
package input
