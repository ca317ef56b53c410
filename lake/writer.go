package lake

import (
	"cmp"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/valyala/fastjson"

	"panther/lake/internal/parquet"
	"panther/parsers"
	"panther/parsers/event"
)

// Options tune a Writer; the zero value is the default.
type Options struct {
	// FileBytes is how many bytes of row values (in memory, before
	// encoding and compression) make one Parquet file; the file is about
	// a fifth of it for CloudTrail. Default 256 MiB.
	FileBytes int64
	// CommitBytes: at a source boundary (SourceDone with no other source
	// half written), once this many bytes of rows were written since the
	// last commit, they are committed. Default 256 MiB (about 200,000
	// CloudTrail events): an interruption loses little, and an hour of a
	// busy log still makes only a few files. Negative: commit only at Close.
	CommitBytes int64
	// MemoryBytes bounds the rows held in memory, over every open
	// partition, before they are written as Parquet row groups (default
	// 64 MiB; a partition's row group is at most 16 MiB and 128Ki rows).
	// Past it, the partition holding most is written out.
	MemoryBytes int64
	// CompressionLevel is the ZSTD level of the Parquet files (default 1).
	CompressionLevel int
	// PlainStrings turns off the dictionary encoding of string columns
	// (benchmarks compare both).
	PlainStrings bool
	// Version is the writer's version in the files' created_by
	// ("panther version <Version> (build <vcs revision>)"); default: the
	// main module's version from the build information.
	Version string
	// MaxOpenFiles bounds the Parquet files open at once, one a partition
	// (table and hour) that wrote a row group (default 64). When one more
	// is needed, the least recently used file is finished and that
	// partition's next rows start a new one; the commit merges a
	// partition's small files.
	MaxOpenFiles int
	// Now is the clock (run ids, ledger times); default time.Now.
	Now func() time.Time

	// format is the Parquet writer: ours, or the arrow-go pqarrow
	// candidate that the benchmarks compare it with (built with the
	// lake_pqarrow tag only: candidate_pqarrow.go).
	format format

	// fault, when set, is called before each filesystem step (op is
	// "write", "close", "rewrite", "sync", "manifest", "rename",
	// "ledger", "done", "cleanup") and its error is used as that step's
	// error: tests inject disk-full and crash points with it.
	fault func(op, path string) error
	// rowGroupBytes and rowGroupRows bound a row group (tests make them
	// small); zero is the default.
	rowGroupBytes int64
	rowGroupRows  int
}

// The default row group: at most 16 MiB of row values (about 14,000
// CloudTrail events) or 128Ki rows, whichever comes first.
const (
	defaultRowGroupBytes = 16 << 20
	defaultRowGroupRows  = 128 << 10
)

func (o *Options) defaults() {
	if o.FileBytes <= 0 {
		o.FileBytes = 256 << 20
	}
	if o.CommitBytes == 0 {
		o.CommitBytes = 256 << 20
	}
	if o.MemoryBytes <= 0 {
		o.MemoryBytes = 64 << 20
	}
	if o.CompressionLevel <= 0 {
		o.CompressionLevel = 1
	}
	if o.MaxOpenFiles <= 0 {
		o.MaxOpenFiles = 64
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.rowGroupBytes <= 0 {
		o.rowGroupBytes = defaultRowGroupBytes
	}
	if o.rowGroupRows <= 0 {
		o.rowGroupRows = defaultRowGroupRows
	}
	if o.format == formatDefault {
		o.format = defaultFormat
	}
}

// format is a Parquet writer.
type format uint8

const (
	formatDefault format = iota
	formatOurs           // lake/internal/parquet
	formatArrow          // arrow-go's pqarrow (candidate_pqarrow.go)
)

// defaultFormat is ours; a build with the lake_pqarrow tag makes it the
// candidate, so that the replay benchmark can run both binaries.
var defaultFormat = formatOurs

// SourceInfo describes one input source that the pipeline has fully
// written (SourceDone).
type SourceInfo struct {
	// Digest identifies the source's content: the hex SHA-256 of its raw
	// bytes. Empty means the source is not recorded (stdin).
	Digest string
	// File is the source as the events' p_source_file has it.
	File  string
	Label string
	// Bytes is the raw size, recorded in the ledger for people.
	Bytes int64
	// Failed says the source could not be read to the end: its rows are
	// dropped and it is not recorded, so that a later replay writes it
	// whole. (A source never reported by Close is treated the same way.)
	Failed bool
}

// Stats are a writer's counts per table, by table name.
type Stats struct {
	Tables map[string]TableStats
	// DroppedSources are the sources (p_source_file) whose rows were
	// dropped: reported Failed, or never reported done by Close (then
	// check that SourceInfo.File is the events' p_source_file).
	DroppedSources []string
}

// TableStats counts one table's rows and files.
type TableStats struct {
	Rows          int64 // rows written (accepted by WriteEvent or WriteRow)
	CommittedRows int64 // rows in committed, visible files
	DroppedRows   int64 // rows of dropped sources, taken out at the commit
	Files         int64 // committed Parquet files
	Bytes         int64 // their size
}

// Writer writes events and rows into a lake. WriteEvent, WriteRow and
// SourceDone are called from one goroutine; HasSource and Stats may be
// called from any.
type Writer struct {
	dir   string
	run   string // run id: names the staging dir, files and commits
	stage string // <dir>/.staging/<run>
	opts  Options
	reg   *parsers.Registry
	lock  *lockFile
	ctx   context.Context

	// logTables are the log tables by log type name: replaced whole
	// (Live.SetRegistry), read by Batch.Add on other goroutines.
	logTables atomic.Pointer[map[string]*table]
	rowTables map[string]*table // WriteRow tables by name
	lastType  string
	lastTable *table

	enc       encoder
	rowp      fastjson.Parser
	streams   map[streamKey]*stream
	last      *stream
	active    []*stream // the streams, for finding the least recently used
	openFiles int       // streams with a Parquet file open
	parks     int       // files parked to open others
	clock     uint64    // counts rows: when each stream was last used
	prevDone  uint64    // clock at the previous SourceDone
	inMemory  int64     // bytes of rows in memory, over every stream
	seq       int       // staged file sequence
	files     int64     // Parquet file sequence (final names; committer)

	spareMu sync.Mutex
	spare   map[*table][]*rowBuf // row buffers for reuse
	chunks  *chunkPool           // their big buffers

	cur         *epoch
	epochs      int
	live        bool             // used by a Live: no source accounting
	onCommit    func(CommitInfo) // Live: told after each commit
	streamPos   map[string]int64 // Live: each stream's last offset written
	openSources map[string]int64 // p_source_file -> rows this epoch, source not done
	lastSource  string
	lastRows    int64

	srcMu       sync.Mutex
	ledger      *ledger         // what the lake's ledger holds
	ledgerFiles int             // how many files it is in
	pending     map[string]bool // digests done in this run
	pendingKeys map[string]bool // keyed rows written in this run

	fileQ     chan fileJob // to the file writer
	flightMu  sync.Mutex
	flightC   *sync.Cond
	inFlight  int64       // bytes of rows sent to the file writer, not written yet
	commitQ   chan *epoch // from the file writer to the committer
	committed sync.WaitGroup
	duck      *sql.DB // the committer's, to filter files (filter.go)

	mu      sync.Mutex
	failed  error    // first error: the writer takes no more rows
	outcome []string // manifests left to roll forward by the next Open
	stats   map[string]*TableStats
	// droppedSources are the sources whose rows were dropped.
	droppedSources []string
	bad            atomic.Bool // failed is set
	closed         atomic.Bool
}

// streamKey is one (table, hour) partition.
type streamKey struct {
	t    *table
	hour int64 // hours since the epoch
}

// stream is the Parquet file of one partition in the making: its rows not
// written yet (a row group in the making) and the file the row groups go
// to.
type stream struct {
	key     streamKey
	path    string
	rows    *rowBuf       // rows not written yet; nil when there are none
	out     *parquet.File // nil until the first row group is sent
	open    bool          // out has a descriptor open (see MaxOpenFiles)
	nrows   int64         // rows of this file, written or not
	bytes   int64         // bytes of those rows
	lastUse uint64
	// sources counts the rows of each source (p_source_file) in the file,
	// so that the rows of a source that fails can be taken out; the rows
	// of lastSrc since it was last counted are in lastN.
	sources map[string]int64
	lastSrc string
	lastN   int64
}

// countSource counts a row of source src.
func (s *stream) countSource(src string) { s.countSources(src, 1) }

// countSources counts n rows of source src.
func (s *stream) countSources(src string, n int64) {
	if src == s.lastSrc {
		s.lastN += n
		return
	}
	s.flushSources()
	s.lastSrc, s.lastN = src, n
}

func (s *stream) flushSources() {
	if s.lastN > 0 {
		if s.sources == nil {
			s.sources = map[string]int64{}
		}
		s.sources[s.lastSrc] += s.lastN
	}
	s.lastN = 0
}

// Open opens (creating it if needed) the lake at dir for writing. It takes
// the lake's lock (one writer at a time), completes a commit that an
// interrupted run left half done, deletes the staging files of interrupted
// runs, and reads the ledger of committed sources. Every log type of reg
// gets a table; a declaration the lake cannot store is an error here.
// Cancelling ctx stops a commit's rewrite of files (see Writer.Close).
func Open(ctx context.Context, dir string, reg *parsers.Registry, opts Options) (*Writer, error) {
	opts.defaults()
	if _, _, _, ok := parquet.ParseCreatedBy(createdBy(opts.Version)); !ok {
		return nil, fmt.Errorf("lake %s: version %q does not make a valid created_by", dir, opts.Version)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("lake %s: %w", dir, err)
	}
	if err := os.MkdirAll(abs, 0o755); err != nil {
		return nil, fmt.Errorf("lake %s: cannot create it: %w", dir, err)
	}
	w := &Writer{
		dir:         abs,
		opts:        opts,
		reg:         reg,
		ctx:         ctx,
		rowTables:   map[string]*table{},
		streams:     map[streamKey]*stream{},
		spare:       map[*table][]*rowBuf{},
		chunks:      newChunkPool(),
		openSources: map[string]int64{},
		pending:     map[string]bool{},
		pendingKeys: map[string]bool{},
		stats:       map[string]*TableStats{},
	}
	logTables := map[string]*table{}
	for _, lt := range reg.All() {
		t, err := logTable(lt)
		if err != nil {
			return nil, fmt.Errorf("lake %s: %w", dir, err)
		}
		logTables[lt.Name] = t
	}
	w.logTables.Store(&logTables)
	if w.lock, err = lockLake(abs); err != nil {
		return nil, err
	}
	fail := func(err error) (*Writer, error) {
		w.lock.release()
		return nil, err
	}
	if err := recoverLake(abs, opts.fault); err != nil {
		return fail(err)
	}
	var rnd [4]byte
	_, _ = rand.Read(rnd[:])
	w.run = opts.Now().UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(rnd[:])
	if w.ledger, w.ledgerFiles, err = readLedger(abs); err != nil {
		return fail(err)
	}
	if w.ledgerFiles > mergeLedgerFiles {
		if err := mergeLedger(abs, w.run); err != nil {
			return fail(err)
		}
		w.ledgerFiles = 1
	}
	w.stage = filepath.Join(abs, stagingDir, w.run)
	if err := os.MkdirAll(w.stage, 0o755); err != nil {
		return fail(fmt.Errorf("lake %s: cannot create the staging directory: %w", dir, err))
	}
	w.fileQ = make(chan fileJob, fileQueue)
	w.flightC = sync.NewCond(&w.flightMu)
	w.commitQ = make(chan *epoch, 1024)
	w.committed.Add(2)
	go w.fileWriter()
	go w.committer()
	w.cur = w.newEpoch()
	return w, nil
}

// WriteEvent writes e in the table of its log type and the hour partition
// of its p_event_time. It keeps nothing of e: the row's values are copied
// into the writer's own buffers before it returns.
func (w *Writer) WriteEvent(e *event.Event) error {
	if err := w.usable(); err != nil {
		return err
	}
	t := w.lastTable
	if e.LogType != w.lastType || t == nil {
		var ok bool
		if t, ok = (*w.logTables.Load())[e.LogType]; !ok {
			return fmt.Errorf("lake: event of log type %q, which the registry given to lake.Open does not hold", e.LogType)
		}
		w.lastType, w.lastTable = e.LogType, t
	}
	ts, ok := eventTime(e)
	if !ok {
		return fmt.Errorf("lake: event %s line %d has neither an event time nor a parse time within years 1-9999 (was it normalised?)", e.SourceFile, e.Line)
	}
	s, err := w.stream(t, ts)
	if err != nil {
		return w.fail(err)
	}
	if e.SourceFile != "" {
		s.countSource(e.SourceFile)
	}
	if s.rows == nil {
		s.rows = w.rowBuf(t)
	}
	before := s.rows.bytes
	w.enc.appendEvent(s.rows, t, e)
	if err := w.wrote(s, s.rows.bytes-before); err != nil {
		return err
	}
	if e.SourceFile != w.lastSource {
		w.flushSourceRows()
		w.lastSource = e.SourceFile
	}
	w.lastRows++
	return nil
}

// WriteRow writes a row of a table that is not a log type's (alerts,
// rule_matches): row is a JSON object whose members are the schema's
// columns (others go into p_extra), t its partition time. A table keeps the
// schema of its first row for the whole run.
func (w *Writer) WriteRow(tableName string, schema []parsers.Column, t time.Time, row []byte) error {
	if err := w.usable(); err != nil {
		return err
	}
	tb, err := w.rowTable(tableName, schema)
	if err != nil {
		return err
	}
	if t.IsZero() || !validTime(t) {
		return fmt.Errorf("lake: table %s: row time %v is outside years 1-9999", tableName, t)
	}
	v, err := w.rowp.ParseBytes(row)
	if err != nil {
		return fmt.Errorf("lake: table %s: row is not JSON: %w", tableName, err)
	}
	o, err := v.Object()
	if err != nil {
		return fmt.Errorf("lake: table %s: row is not a JSON object", tableName)
	}
	s, err := w.stream(tb, t)
	if err != nil {
		return w.fail(err)
	}
	// A row that names its source (rule_matches, alerts: p_source_file)
	// belongs to it like an event: a source that fails takes its rows
	// along. The name must be in its column for the commit to find it.
	if tb.srcCol >= 0 {
		if v := o.Get(event.FieldSourceFile); v != nil {
			if b, err := v.StringBytes(); err == nil && len(b) > 0 {
				if b2s(b) == s.lastSrc {
					s.lastN++
				} else {
					s.countSource(string(b))
				}
			}
		}
	}
	if s.rows == nil {
		s.rows = w.rowBuf(tb)
	}
	before := s.rows.bytes
	w.enc.appendRow(s.rows, tb, o)
	return w.wrote(s, s.rows.bytes-before)
}

func sameSchema(t *table, schema []parsers.Column) bool {
	i := 0
	for _, c := range schema {
		if c.Name == "" || hiveKeys[strings.ToLower(c.Name)] {
			continue
		}
		if i >= len(t.root.fields) || t.columns[i].Name != c.Name || t.columns[i].Type != c.Type {
			return false
		}
		i++
	}
	return i == len(t.root.fields)
}

// stream returns the stream of t's partition holding ts, starting one.
func (w *Writer) stream(t *table, ts time.Time) (*stream, error) {
	key := streamKey{t: t, hour: hourOf(ts)}
	w.clock++
	if s := w.last; s != nil && s.key == key {
		s.lastUse = w.clock
		return s, nil
	}
	s := w.streams[key]
	if s == nil {
		w.seq++
		s = &stream{key: key, path: filepath.Join(w.stage, fmt.Sprintf("%06d.parquet", w.seq))}
		w.streams[key] = s
		w.active = append(w.active, s)
		w.inMemory += streamOverhead
	}
	s.lastUse = w.clock
	w.last = s
	return s, nil
}

// hourOf is the hour of ts, in hours since the epoch.
func hourOf(ts time.Time) int64 {
	hour := ts.Unix()
	if hour < 0 {
		hour -= 3599
	}
	return hour / 3600
}

// streamOverhead is what a stream costs in memory besides its rows (the
// footer's record of its row groups), counted against MemoryBytes so that
// partitions by the thousand stay bounded too.
const streamOverhead = 8 << 10

// wrote accounts for a row of n bytes just added to s, writing a row group
// when s holds enough, making room when the rows in memory reach
// MemoryBytes, and finishing the file when it reached FileBytes.
func (w *Writer) wrote(s *stream, n int64) error { return w.wroteRows(s, 1, n) }

// wroteRows accounts for rows of n bytes in all just added to s, as wrote.
func (w *Writer) wroteRows(s *stream, rows, n int64) error {
	s.nrows += rows
	s.bytes += n
	w.inMemory += n
	s.key.t.rows.Add(rows)
	w.cur.bytes += n
	if s.rows != nil && (s.rows.bytes >= w.opts.rowGroupBytes || s.rows.rows >= w.opts.rowGroupRows) {
		if err := w.flush(s); err != nil {
			return w.fail(err)
		}
	}
	for w.inMemory > w.opts.MemoryBytes && len(w.active) > 0 {
		if err := w.relieve(); err != nil {
			return w.fail(err)
		}
	}
	if s.bytes >= w.opts.FileBytes && w.streams[s.key] == s {
		if err := w.cut(s); err != nil {
			return w.fail(err)
		}
	}
	return nil
}

// relieve lowers the memory the rows take: the partition holding most
// writes them as a row group, or when every partition holds little (rows
// spread over many), the least recently used one is finished.
func (w *Writer) relieve() error {
	var big *stream
	for _, a := range w.active {
		if a.rows != nil && (big == nil || a.rows.bytes > big.rows.bytes) {
			big = a
		}
	}
	if big != nil && big.rows.bytes >= min(w.opts.rowGroupBytes, w.opts.MemoryBytes)/16 {
		return w.flush(big)
	}
	return w.cut(w.lru(false))
}

// flush hands the rows s holds to the file writer as a row group of its
// file, starting the file first; when MaxOpenFiles files are open, the
// least recently used one is parked (its descriptor closed) first.
func (w *Writer) flush(s *stream) error {
	r := s.rows
	if r == nil || r.rows == 0 {
		return nil
	}
	if err := w.faultAt("write", s.path); err != nil {
		return fmt.Errorf("lake: writing %s: %w", s.path, err)
	}
	if s.out == nil {
		s.out = parquet.NewFile(s.path, s.key.t.schema)
	}
	if !s.open {
		if w.openFiles >= w.opts.MaxOpenFiles {
			p := w.lru(true)
			w.send(fileJob{out: p.out, t: p.key.t, park: true})
			p.open = false
			w.openFiles--
			w.parks++
		}
		s.open = true
		w.openFiles++
	}
	w.inMemory -= r.bytes
	s.rows = nil
	w.toFlight(r.bytes)
	w.send(fileJob{out: s.out, t: s.key.t, rows: r})
	return nil
}

// lru returns the least recently used stream (with a descriptor open,
// when withFile).
func (w *Writer) lru(withFile bool) *stream {
	var lru *stream
	for _, s := range w.active {
		if (!withFile || s.open) && (lru == nil || s.lastUse < lru.lastUse) {
			lru = s
		}
	}
	return lru
}

// cut finishes s's file (the file writer adds it to the epoch); the
// partition's next rows start a new stream.
func (w *Writer) cut(s *stream) error {
	if w.streams[s.key] != s {
		return nil // finished already
	}
	if err := w.flush(s); err != nil {
		return err
	}
	w.drop(s)
	if s.out == nil { // no row: nothing to keep
		return nil
	}
	if err := w.faultAt("close", s.path); err != nil {
		return fmt.Errorf("lake: writing %s: %w", s.path, err)
	}
	if s.open {
		s.open = false
		w.openFiles--
	}
	s.flushSources()
	from, _ := filepath.Rel(w.dir, s.path)
	w.send(fileJob{out: s.out, t: s.key.t, close: true, into: w.cur, file: stagedFile{From: filepath.ToSlash(from), Table: s.key.t.name,
		Rows: s.nrows, table: s.key.t, hour: s.key.hour, sources: s.sources}})
	s.out = nil
	return nil
}

// drop forgets s, whose file is finished.
func (w *Writer) drop(s *stream) {
	delete(w.streams, s.key)
	if i := slices.Index(w.active, s); i >= 0 {
		w.active = slices.Delete(w.active, i, i+1)
	}
	if w.last == s {
		w.last = nil
	}
	w.inMemory -= streamOverhead
}

func (w *Writer) flushSourceRows() {
	if w.live {
		w.lastRows = 0 // Live: rows belong to offset ranges, not to sources
		return
	}
	if w.lastSource != "" && w.lastRows > 0 {
		w.openSources[w.lastSource] += w.lastRows
	}
	w.lastRows = 0
}

// SourceDone records that every event of src was written: the rows of a
// source (events whose p_source_file is src.File) are committed only after
// it. Its digest goes into the ledger with the commit that makes its rows
// visible, and HasSource reports it from now on. A source that Failed has
// its rows dropped instead. At a moment when no other source is half
// written, SourceDone may start a commit (see Options.CommitBytes).
func (w *Writer) SourceDone(src SourceInfo) error {
	if err := w.usable(); err != nil {
		return err
	}
	w.flushSourceRows()
	w.lastSource = ""
	rows := w.openSources[src.File]
	delete(w.openSources, src.File)
	if src.Failed {
		if rows > 0 || slices.ContainsFunc(w.cur.keys, func(k keyedRow) bool { return k.source == src.File }) {
			w.cur.drop(w, src.File)
		}
	} else if src.Digest != "" {
		w.cur.sources = append(w.cur.sources, ledgerEntry{Digest: src.Digest, File: src.File, Label: src.Label, Bytes: src.Bytes, Rows: rows})
		w.srcMu.Lock()
		w.pending[src.Digest] = true
		w.srcMu.Unlock()
	}
	if len(w.openSources) == 0 && w.opts.CommitBytes > 0 && w.cur.bytes >= w.opts.CommitBytes {
		return w.seal()
	}
	// A partition that got no row while the previous source was read is
	// probably done with (logs come roughly in time order, a source often
	// is one log type): finish its file now rather than at the commit,
	// which frees its memory. Small ones wait, to make fewer files.
	for _, st := range slices.Clone(w.active) {
		if st.lastUse < w.prevDone && st.bytes >= smallStream {
			if err := w.cut(st); err != nil {
				return w.fail(err)
			}
		}
	}
	w.prevDone = w.clock
	return nil
}

// HasSource reports whether a source with this digest is in the lake (or
// was written earlier in this run).
func (w *Writer) HasSource(digest string) bool {
	if digest == "" {
		return false
	}
	w.srcMu.Lock()
	defer w.srcMu.Unlock()
	return w.ledger.digests[digest] || w.pending[digest]
}

// WriteRowOnce is WriteRow for a row that must be in the lake once, such
// as an alert by its id: it writes the row unless a row of that table and
// key was written before, in this run or committed by an earlier one
// (written reports which). The key goes into the ledger with the commit
// that makes the row visible; when the row is dropped with its source
// (see SourceInfo.Failed), so is its key.
func (w *Writer) WriteRowOnce(tableName, key string, schema []parsers.Column, t time.Time, row []byte) (written bool, err error) {
	k, seen, err := w.keyed(tableName, key)
	if err != nil || seen {
		return false, err
	}
	if err := w.WriteRow(tableName, schema, t, row); err != nil {
		return false, err
	}
	src := ""
	if v, err := w.rowp.ParseBytes(row); err == nil {
		src = string(v.GetStringBytes(event.FieldSourceFile))
	}
	w.wroteKey(k, src)
	return true, nil
}

// WriteValuesOnce is WriteValues for a row that must be in the lake once
// (see WriteRowOnce): replay writes its alerts so.
func (w *Writer) WriteValuesOnce(tableName, key string, schema []parsers.Column, t time.Time, row []Value) (written bool, err error) {
	k, seen, err := w.keyed(tableName, key)
	if err != nil || seen {
		return false, err
	}
	if err := w.WriteValues(tableName, schema, t, row); err != nil {
		return false, err
	}
	src := ""
	if tb := w.rowTables[tableName]; tb != nil && tb.srcCol >= 0 && tb.srcCol < len(row) && row[tb.srcCol].kind == vString {
		src = row[tb.srcCol].s
	}
	w.wroteKey(k, src)
	return true, nil
}

// keyed returns the ledger key of a keyed row, and whether the lake
// holds it or this run wrote it.
func (w *Writer) keyed(tableName, key string) (k string, seen bool, err error) {
	if key == "" {
		return "", false, fmt.Errorf("lake: table %s: a keyed row without a key", tableName)
	}
	k = tableName + "/" + key
	w.srcMu.Lock()
	defer w.srcMu.Unlock()
	return k, w.ledger.keys[k] || w.pendingKeys[k], nil
}

// wroteKey records a keyed row written in this epoch (of source src).
func (w *Writer) wroteKey(k, src string) {
	w.cur.keys = append(w.cur.keys, keyedRow{key: k, source: src})
	w.srcMu.Lock()
	w.pendingKeys[k] = true
	w.srcMu.Unlock()
}

// seal ends the current epoch: every open file is finished, and the
// committer commits the epoch once the file writer has written them.
func (w *Writer) seal() error {
	e := w.cur
	ss := slices.Clone(w.active)
	slices.SortFunc(ss, func(a, b *stream) int { // deterministic file order
		if c := strings.Compare(a.key.t.name, b.key.t.name); c != 0 {
			return c
		}
		return cmp.Compare(a.key.hour, b.key.hour)
	})
	for _, s := range ss {
		if err := w.cut(s); err != nil {
			return w.fail(err)
		}
	}
	w.cur = w.newEpoch()
	e.sealed = time.Now()
	w.send(fileJob{seal: e}) // after its files: the file writer forwards it
	return nil
}

// smallStream: a partition idle for a whole source has its file finished
// at once when it holds this many bytes of rows; smaller ones wait for the
// commit, which merges the small files of a partition (see compact).
const smallStream = 4 << 20

// Close commits everything written, waits for it, and releases the lake.
// After an error it drops what was not committed, as Abort does, and
// returns that error.
func (w *Writer) Close() error {
	if w.closed.Swap(true) {
		return nil
	}
	if w.failure() == nil {
		w.flushSourceRows()
		for file := range w.openSources {
			w.cur.drop(w, file) // never reported done: as if it failed
		}
		clear(w.openSources)
		if err := w.seal(); err != nil {
			w.setFailed(err)
		}
	}
	cleanup := w.finish()
	if f := w.failure(); f != nil {
		return f
	}
	return cleanup
}

// Abort drops everything not committed yet and releases the lake. A
// commit already under way is completed (it is a few renames), so the
// lake is as after the last commit. It returns only errors of its own
// clean-up; the error that made the caller abort was returned already.
func (w *Writer) Abort() error {
	if w.closed.Swap(true) {
		return nil
	}
	w.setFailed(errAborted)
	return w.finish()
}

var errAborted = errors.New("lake: writer aborted")

// finish drops what is still open, waits for the file writer and the
// committer, and removes the run's staging directory (unless a commit that failed half way needs
// its files: the next Open completes it).
func (w *Writer) finish() error {
	for _, s := range w.active {
		if s.out != nil { // after a failure: the file writer discards it
			w.send(fileJob{out: s.out, t: s.key.t, close: true})
			s.out = nil
		}
		s.rows = nil
	}
	w.active, w.last, w.openFiles = nil, nil, 0
	clear(w.streams)
	close(w.fileQ)
	w.committed.Wait() // the file writer, then the committer
	clear(w.spare)
	w.chunks.release() // no row buffer is in use any more
	if w.duck != nil {
		w.duck.Close()
		w.duck = nil
	}
	var err error
	w.mu.Lock()
	keep := len(w.outcome) > 0
	w.mu.Unlock()
	if !keep {
		rerr := w.faultAt("cleanup", w.stage)
		if rerr == nil {
			rerr = os.RemoveAll(w.stage)
		}
		if rerr != nil {
			err = fmt.Errorf("lake: removing the staging directory %s: %w (the next lake.Open removes it)", w.stage, rerr)
		}
	}
	w.lock.release()
	return err
}

// Stats returns the counts per table so far.
func (w *Writer) Stats() Stats {
	st := Stats{Tables: map[string]TableStats{}}
	add := func(t *table) {
		if n := t.rows.Load(); n > 0 {
			ts := st.Tables[t.name]
			ts.Rows += n
			st.Tables[t.name] = ts
		}
	}
	for _, t := range *w.logTables.Load() {
		add(t)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, t := range w.rowTables {
		add(t)
	}
	for name, c := range w.stats {
		ts := st.Tables[name]
		ts.CommittedRows, ts.DroppedRows, ts.Files, ts.Bytes = c.CommittedRows, c.DroppedRows, c.Files, c.Bytes
		st.Tables[name] = ts
	}
	st.DroppedSources = slices.Clone(w.droppedSources)
	slices.Sort(st.DroppedSources)
	return st
}

// tableStats returns the committed counts of a table; w.mu is held.
func (w *Writer) tableStats(name string) *TableStats {
	st := w.stats[name]
	if st == nil {
		st = &TableStats{}
		w.stats[name] = st
	}
	return st
}

// usable returns the error that stopped the writer, if any.
func (w *Writer) usable() error {
	if w.closed.Load() {
		return errors.New("lake: writer is closed")
	}
	if !w.bad.Load() {
		return nil
	}
	return w.failure()
}

func (w *Writer) failure() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.failed
}

func (w *Writer) setFailed(err error) {
	w.mu.Lock()
	if w.failed == nil {
		w.failed = err
		w.bad.Store(true)
	}
	w.mu.Unlock()
}

// fail records err as the writer's failure and returns it.
func (w *Writer) fail(err error) error {
	w.setFailed(err)
	return w.failure()
}

func (w *Writer) faultAt(op, path string) error {
	if w.opts.fault != nil {
		return w.opts.fault(op, path)
	}
	return nil
}

// encoderOptions are the Parquet encoder's options of w.
func (w *Writer) encoderOptions() parquet.Options {
	return parquet.Options{CompressionLevel: w.opts.CompressionLevel, PlainStrings: w.opts.PlainStrings,
		CreatedBy: createdBy(w.opts.Version)}
}

// createdBy is the created_by of the lake's files, in the form parquet-java
// parses ("<application> version <version> (build <hash>)"; Spark and Hive
// ignore the string statistics of files whose created_by it cannot
// parse): the version given, else the main module's, and the VCS revision
// of the build.
func createdBy(version string) string {
	build := "unknown"
	if bi, ok := debug.ReadBuildInfo(); ok {
		if version == "" {
			version = bi.Main.Version
		}
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && s.Value != "" {
				build = s.Value[:min(12, len(s.Value))]
			}
		}
	}
	clean := func(s, def string) string {
		s = strings.Map(func(r rune) rune {
			if r == '(' || r == ')' || r < ' ' || r == 0x7f {
				return -1
			}
			return r
		}, s)
		if s = strings.TrimSpace(s); s == "" {
			return def
		}
		return s
	}
	return "panther version " + clean(version, "devel") + " (build " + clean(build, "unknown") + ")"
}

// setRegistry makes the log types of reg writable: a new log type gets a
// table; one whose table changed (another schema) gets the new one, after
// the open files of the old one are finished. Log types reg no longer
// holds keep their tables.
func (w *Writer) setRegistry(reg *parsers.Registry) error {
	if err := w.usable(); err != nil {
		return err
	}
	old := *w.logTables.Load()
	next := make(map[string]*table, len(old))
	for n, t := range old {
		next[n] = t
	}
	for _, lt := range reg.All() {
		nt, err := logTable(lt)
		if err != nil {
			return fmt.Errorf("lake %s: %w", w.dir, err)
		}
		t := old[lt.Name]
		if t != nil && t.fingerprint == nt.fingerprint && t.name == nt.name {
			continue
		}
		if t != nil {
			for _, s := range slices.Clone(w.active) {
				if s.key.t == t {
					if err := w.cut(s); err != nil {
						return w.fail(err)
					}
				}
			}
		}
		next[lt.Name] = nt
	}
	w.logTables.Store(&next)
	w.lastType, w.lastTable = "", nil
	w.reg = reg
	return nil
}
