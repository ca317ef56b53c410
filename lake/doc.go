// Package lake is the Parquet lake that `panther replay --lake` and
// `panther serve` fill, `panther search` reads and `panther lake`
// maintains: its layout and the one lister of it (list.go), what a reader
// may see while it changes (snapshot.go), the writer (a Writer for
// replays, a Live for serve), the two-phase commit and the ledger that
// make every row appear once, all at once or not at all, and compaction
// and retention. The Parquet encoder is fenced off in internal/parquet.
// docs/lake.md is the tour; this doc holds the rules.
//
// # Layout
//
//	<lake>/logs/<table>/year=YYYY/month=MM/day=DD/hour=HH/<run>-<seq>-<schema>.parquet
//	<lake>/alerts/year=YYYY/month=MM/day=DD/hour=HH/<run>-<seq>-<schema>.parquet
//	<lake>/rule_matches/year=.../<run>-<seq>-<schema>.parquet
//	<lake>/_sources/<run>-<epoch>.jsonl      the ledger (ledger.go)
//	<lake>/.staging/<run>/                   rows and files not committed yet
//	<lake>/.staging/<run>-<epoch>.commit.json a change under way (commit, compaction, retention)
//	<lake>/.generation                       the last change completed (snapshot.go)
//	<lake>/.lock                             held by the one writer (flock)
//
// <table> is parsers.TableName of the log type; WriteRow tables (alerts,
// rule_matches) are top-level folders. Hours are UTC. <run> is the writer's
// run id (start time and 8 random hex digits, so names sort by run), <seq>
// the staged file's number in the run, <schema> the table's
// SchemaFingerprint (files that end with the same one have the same
// columns and types). Names starting with '.' or '_' are
// hidden from Hive-style readers (Athena, Spark, Trino, DuckDB's globs over
// year=*/...), so the lake's own files never show up as data.
//
// Readers with hive_partitioning take year, month, day and hour from the
// path. Two consequences: a schema column with one of those names (in any
// case) would read back as the partition value, so the writer stores it in
// p_extra instead; and DuckDB's type guessing reads "03" as VARCHAR and
// "2024" as BIGINT, so readers should cast them (or pass hive_types).
//
// # Columns
//
// A log table has the log type's Schema columns, in declared order, then
// parsers.StandardColumns (p_log_type, p_event_time, p_parse_time, p_row_id,
// p_source_file, p_source_label, the eleven p_any_* string lists, p_extra),
// with the DuckDB types of parsers.Type.DuckDB. A WriteRow table has its
// schema's columns and p_extra. The rules for values:
//
//   - A value goes into its column only when it fits the declared type
//     exactly: a JSON string for string; an integer (or a whole number such
//     as 5.0) within int64 for bigint; a finite number for double; true or
//     false for boolean; every element for array<T>; JSON null is NULL.
//   - Anything else (a string where a bigint is declared, an undeclared
//     field) goes into p_extra, a JSON object with the shape of the event:
//     a struct column keeps the members that fit, and the others are in
//     p_extra under the same path ({"userIdentity":{"newField":...}}). An
//     array with one misfit element goes to p_extra whole. So a column and
//     p_extra together always hold the whole event, and no row is ever
//     refused for its values.
//   - json columns hold any value as JSON text. Numbers that fastjson reads
//     but JSON forbids (nan, inf, 01) are kept as strings of their text, and
//     invalid UTF-8 becomes U+FFFD, so every JSON value in the lake is valid.
//   - timestamp columns take RFC 3339 text as parsers.ParseRFC3339ish reads
//     it, or a number of seconds, milliseconds, microseconds or nanoseconds
//     since the epoch, told apart by size (parsers' "auto" format). A
//     top-level column that is also one of the log type's TimeFields is read
//     with that field's declared format instead (unix_ms, a strftime
//     layout...). Timestamps are stored in UTC with microseconds, between
//     years 1 and 9999.
//   - p_event_time is the event's own time (event.Event.Time), the
//     canonical time that partitions the row; when it is outside years
//     1-9999 the parse time is used.
//
// # How rows become Parquet
//
// The package writes Parquet with its own encoder (internal/parquet): the
// subset the lake needs, every column optional, PLAIN values or
// dictionary pages for string columns whose values repeat, RLE/bit-packed
// levels, ZSTD pages (github.com/klauspost/compress, level 1 by default),
// min/max and null-count statistics in the footer, the LIST and JSON
// logical types, and a created_by parquet-java parses ("panther version
// <Options.Version> (build <vcs revision>)"). WriteEvent encodes an event at once into the column buffers of
// its partition (table and hour): record shredding as in the Dremel paper,
// definition and repetition levels per leaf column, with the value rules
// above (rows.go). A Batch does the same on another goroutine, for
// WriteBatch to append in order: the replay encodes each event on the
// reader that has just parsed it, in the CPU's cache (see batch.go).
//
// A partition's rows become a row group of its staging file when they
// reach 16 MiB or 128Ki rows. Rows waiting in memory, over every
// partition, are bounded by Options.MemoryBytes (64 MiB): beyond, the
// partition holding most writes a row group, or when every partition
// holds little, the least recently used one finishes its file. Row groups
// are written by a background goroutine, the file writer (filewriter.go),
// which splits columns into pages, compresses and writes them while the
// pipeline goes on; at most 32 MiB of rows wait for it. At most
// Options.MaxOpenFiles staging files have a descriptor open; the least
// recently used is closed and reopened to append later. A file is
// finished (footer written) when it reaches Options.FileBytes (256 MiB of
// row values), when its partition got nothing while a whole source was
// read and holds 4 MiB or more (logs come roughly in time order, and the
// replay reads dated files in time order), or at the commit. Column
// buffers come from a pool of chunks mapped outside Go's heap
// (chunks.go), which the collector neither counts nor scans: their
// reallocation was most of the garbage, and with the replay's soft memory
// limit the collector then cost as much CPU as the encoding.
//
// The result is about one file per hour and table when the input comes in
// time order, more when it goes back in time (a commit finishes every open
// file; an hour revisited after it starts a new one), and one per commit
// for a Live (every ten seconds): Compact merges a partition's files
// (compact.go).
//
// Why not a library. Issue 13 asked for the choice to be made again on
// numbers that can be re-run: arrow-go's pqarrow (already in the module
// graph through duckdb-go) with dictionary encoding on, through this very
// writer (candidate_pqarrow.go, built with the lake_pqarrow tag), against
// ours, on the same events and end to end; pqarrow would have been taken
// within 15%. It was not: it took 25-60% more CPU an event to encode,
// and 2-5 times our CPU end to end (docs/lake.md has the runs). Earlier candidates, measured
// in a scratch module: staging NDJSON for DuckDB to convert (this
// package's first version) 13-20 µs of CPU per CloudTrail event and
// 430-690 MB of peak memory; github.com/parquet-go/parquet-go v0.32.0
// 22-24 µs; DuckDB's Appender 30-36 µs (BenchmarkCandidateAppender). The
// files are checked by two readers that are not ours: arrow-go's in the
// tests of encode_test.go (type by type, value by value) and of
// internal/parquet (the footer statistics against the values), and
// DuckDB's, which search uses, in writer_test.go. DuckDB still serves two
// rare paths: when a source fails after some of its rows were written
// into files shared with other sources, those files are copied without
// its rows at the commit (filter.go); and compaction (compact.go).
//
// # Atomic visibility and idempotency
//
// Nothing is ever written below logs/, alerts/ or rule_matches/ but by a
// rename of a complete, synced file from .staging. Rows are committed in
// epochs: at a source boundary (SourceDone while no other source is half
// written) once Options.CommitBytes (256 MiB of rows) were written since
// the last commit, and at Close. A commit, run in the background in epoch
// order once the file writer has finished the epoch's files, is two-phase:
//
//  1. sync every Parquet file of the epoch;
//  2. write and sync the manifest .staging/<run>-<epoch>.commit.json (the
//     files with their destinations, and the sources the epoch completes):
//     from this point the commit will happen;
//  3. rename each file into place, sync the directories;
//  4. write the ledger _sources/<run>-<epoch>.jsonl (one JSON object a line:
//     a source's digest, a keyed row, or a stream's offset range; see
//     ledger.go), atomically;
//  5. write the generation (.generation), then remove the manifest.
//
// Compactions and retention runs are changes of the same kind, whose
// manifests also name the files they remove (after the renames). Open
// takes the lake's lock, rolls every manifest it finds forward (steps
// 3-5 are idempotent: a file already renamed is skipped), then deletes
// everything else under .staging: the rows and files of epochs that never
// reached step 2. So whatever moment a run is killed at, the lake holds
// either all of an epoch's rows and its ledger entries, or none of them.
//
// The pipeline calls HasSource(digest) before reading a source (digest:
// the hex SHA-256 of its raw bytes) and skips it when it is in the ledger,
// and SourceDone after writing its last event. Since a source's rows and
// its ledger entry are committed together, replaying the same input into
// the same lake again adds no row, and a replay that was interrupted
// writes exactly the sources that were not committed.
//
// The rows of a source (the events whose p_source_file is its File) are
// committed only after its SourceDone. A source reported Failed (it could
// not be read to the end), or never reported by Close, has its rows
// dropped, also from files written before it failed (those are copied
// without them at the commit), so that a later replay writes it whole instead of
// adding to a part (Stats lists the dropped sources and counts their rows:
// the events' p_source_file must be the File given to SourceDone). A
// source reported done without a digest (nothing to
// recognise it by) is committed but not recorded. Events without a
// p_source_file are always committed, and rows of WriteRow tables with the
// epoch they are written in. WriteRowOnce writes a row of a key (an
// alert by its id) once per lake: the key goes into the ledger with the
// row, so two incremental replays that both raise an alert store it once.
//
// Renames are atomic one by one, not as a whole: a plain listing of the
// folders in the middle of a commit shows part of its epoch, and after a
// crash there, until the next writer. Snapshot, the listing search uses,
// never does: with the manifests and the generation it takes each change
// under way as done or as not begun (see snapshot.go). It never shows part
// of a file either.
//
// Abort (for Ctrl-C) drops the epoch in progress; the committed ones stay,
// and the next replay completes the rest. Any error (a full disk, a file
// that cannot be written) stops the writer: it is returned with the path
// and the cause by the call that meets it and by Close, nothing partial becomes visible,
// and Close or Abort remove the staging files.
//
// # Live: serve's writer
//
// A Live (live.go) is a long-lived Writer for unbounded sources: its
// rows are committed every CommitInterval (10 s), so that search sees an
// event about that long after it was written, and its idempotency is by
// offsets: Write(stream, to, events...) says that the stream (a
// write-ahead log, a Kafka partition) reached offset to, each commit
// records the ranges with the rows, and Position(stream) is where to read
// the stream again after a crash. Its methods may be called from any
// goroutine. Compact and Prune run beside its commits (serve's background
// compaction of hours that stopped receiving, and its retention).
//
// # Measurements
//
// 40,000 distinct synthetic CloudTrail records (1.55 KB on average, the
// mix of a busy account, in sources of 1,000) parsed and normalised with
// AWS.CloudTrail's parser as the pipeline does, then written; one op is
// one record:
//
//	go test -run '^$' -bench 'WriteCloudTrail|EncodeCloudTrail|WriteCache' \
//	    -benchtime 40000x ./lake/
//
// On the development machine (2 cores, AMD EPYC, otherwise idle),
// November 2026:
//
//	                                     CPU µs/event       note
//	parse + normalise only (baseline)    3.8
//	+ WriteEvent + Close, this package   18.1 (+14.3)       Open, 40 commits and Close
//	                                                        included; 255 bytes of
//	                                                        Parquet an event
//	  the row encoder alone              6.0                 EncodeCloudTrail
//	  WriteEvent, a source after parse   8.8 wall           BenchmarkWriteCache
//	  WriteEvent right after parse       4.4 wall
//	  Batch.Add + WriteBatch             4.4 wall
//	the first version: NDJSON staged,    17-23 (+13-20)     228 bytes an event;
//	  DuckDB read_json -> COPY Parquet                      430-690 MB peak RSS
//	candidate: Appender + COPY           30-36              no parsing, no p_extra
//	candidate: parquet-go v0.32.0        22-24              no parsing; scratch module
//	candidate: arrow-go pqarrow          about 10 + 9 KB    scratch module
//	                                     of garbage
//
// End to end, `panther replay --workers 2` of the 1 GB benchmark archive
// (7.1 M events, README), November 2026: 128 s of CPU without the lake,
// 194 s with it (9.2 µs an event, about a third of it compressing), 1.42x
// to 1.46x the wall time over two pairs of runs, 366 MB peak RSS against
// 270 MB.
package lake
