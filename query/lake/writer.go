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
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/valyala/fastjson"

	"panther/parsers"
	"panther/parsers/event"
)

// Options tune a Writer; the zero value is the default.
type Options struct {
	// FileBytes is how many bytes of staged rows make one Parquet file
	// (before compression; the file is about a tenth of it). Default 256 MiB.
	FileBytes int64
	// CommitBytes: at a source boundary (SourceDone with no other source
	// half written), once this many bytes were staged since the last
	// commit, what is written so far is converted and committed. Default
	// 256 MiB (about 125,000 CloudTrail events): conversions then overlap
	// the replay instead of all waiting for Close, an interruption loses
	// little, and an hour of a busy log still makes only tens of files.
	// Negative: commit only at Close.
	CommitBytes int64
	// Workers is how many conversions run at once (default 1), each with
	// Threads DuckDB threads (default 1): the replay pipeline needs the
	// other cores.
	Workers int
	Threads int
	// CompressionLevel is the ZSTD level of the Parquet files (default 1;
	// 3 is DuckDB's default: 5% smaller files for 20-30% more CPU).
	CompressionLevel int
	// MaxOpenFiles bounds the staging files open at once, each with a
	// buffer of 256 KiB (default 64). More partitions than that are
	// written in turns.
	MaxOpenFiles int
	// DB converts with this DuckDB database instead of a private in-memory
	// one; its settings (threads, memory) are then the caller's.
	DB *sql.DB
	// Now is the clock (run ids, ledger times); default time.Now.
	Now func() time.Time

	// fault, when set, is called before each filesystem step (op is
	// "write", "convert", "sync", "manifest", "rename", "ledger", "done",
	// "cleanup") and its error is used as that step's error: tests
	// inject disk-full and crash points with it.
	fault func(op, path string) error
}

func (o *Options) defaults() {
	if o.FileBytes <= 0 {
		o.FileBytes = 256 << 20
	}
	if o.CommitBytes == 0 {
		o.CommitBytes = 256 << 20
	}
	if o.Workers <= 0 {
		o.Workers = 1
	}
	if o.Threads <= 0 {
		o.Threads = 1
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
}

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
	DroppedRows   int64 // rows of dropped sources, taken out at conversion or commit
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

	db    *sql.DB
	ownDB bool
	ctx   context.Context
	stop  context.CancelFunc

	logTables map[string]*table // by log type name
	rowTables map[string]*table // WriteRow tables by name
	lastType  string
	lastTable *table

	enc      encoder
	rowp     fastjson.Parser
	streams  map[streamKey]*stream
	last     *stream
	active   []*stream    // streams holding a buffer or an open file
	clock    uint64       // counts rows: when each stream was last used
	prevDone uint64       // clock at the previous SourceDone
	seq      int          // staged file sequence
	files    atomic.Int64 // Parquet file sequence (final names)

	cur         *epoch
	epochs      int
	openSources map[string]int64 // p_source_file -> rows this epoch, source not done
	lastSource  string
	lastRows    int64

	srcMu   sync.Mutex
	ledger  map[string]bool // digests in the lake's ledger
	pending map[string]bool // digests done in this run

	conv      *converter
	commitQ   chan *epoch
	committed sync.WaitGroup

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

// stream stages the rows of one partition of the current epoch.
type stream struct {
	key     streamKey
	path    string
	f       *os.File
	buf     []byte
	size    int64 // bytes written to the file
	rows    int64
	maxRow  int
	lastUse uint64
	// sources are the p_source_file values of the rows, so that the rows
	// of a source that fails can be taken out of the file.
	sources map[string]bool
	lastSrc string
}

const streamBuf = 256 << 10

// Open opens (creating it if needed) the lake at dir for writing. It takes
// the lake's lock (one writer at a time), completes a commit that an
// interrupted run left half done, deletes the staging files of interrupted
// runs, and reads the ledger of committed sources. Every log type of reg
// gets a table; a declaration the lake cannot store is an error here.
func Open(ctx context.Context, dir string, reg *parsers.Registry, opts Options) (*Writer, error) {
	opts.defaults()
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
		logTables:   map[string]*table{},
		rowTables:   map[string]*table{},
		streams:     map[streamKey]*stream{},
		openSources: map[string]int64{},
		ledger:      map[string]bool{},
		pending:     map[string]bool{},
		stats:       map[string]*TableStats{},
	}
	for _, lt := range reg.All() {
		t, err := logTable(lt)
		if err != nil {
			return nil, fmt.Errorf("lake %s: %w", dir, err)
		}
		w.logTables[lt.Name] = t
	}
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
	if w.ledger, err = readLedger(abs); err != nil {
		return fail(err)
	}
	var rnd [4]byte
	_, _ = rand.Read(rnd[:])
	w.run = opts.Now().UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(rnd[:])
	w.stage = filepath.Join(abs, stagingDir, w.run)
	if err := os.MkdirAll(w.stage, 0o755); err != nil {
		return fail(fmt.Errorf("lake %s: cannot create the staging directory: %w", dir, err))
	}
	w.db = opts.DB
	if w.db == nil {
		if w.db, err = openDuckDB(w.stage, opts.Threads); err != nil {
			os.RemoveAll(w.stage)
			return fail(fmt.Errorf("lake %s: %w", dir, err))
		}
		w.ownDB = true
	}
	w.ctx, w.stop = context.WithCancel(ctx)
	w.conv = newConverter(w.ctx, w.db, opts)
	w.commitQ = make(chan *epoch, 1024)
	w.committed.Add(1)
	go w.committer()
	w.cur = w.newEpoch()
	return w, nil
}

// WriteEvent stages e in the table of its log type and the hour partition
// of its p_event_time. It keeps nothing of e: the row is encoded into the
// writer's own buffers before it returns.
func (w *Writer) WriteEvent(e *event.Event) error {
	if err := w.usable(); err != nil {
		return err
	}
	t := w.lastTable
	if e.LogType != w.lastType || t == nil {
		var ok bool
		if t, ok = w.logTables[e.LogType]; !ok {
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
	if e.SourceFile != s.lastSrc && e.SourceFile != "" {
		if s.sources == nil {
			s.sources = map[string]bool{}
		}
		s.sources[e.SourceFile] = true
		s.lastSrc = e.SourceFile
	}
	n := len(s.buf)
	s.buf = w.enc.encodeEvent(s.buf, t, e)
	if err := w.wrote(s, n); err != nil {
		return err
	}
	if e.SourceFile != w.lastSource {
		w.flushSourceRows()
		w.lastSource = e.SourceFile
	}
	w.lastRows++
	return nil
}

// WriteRow stages a row of a table that is not a log type's (alerts,
// rule_matches): row is a JSON object whose members are the schema's
// columns (others go into p_extra), t its partition time. A table keeps the
// schema of its first row for the whole run.
func (w *Writer) WriteRow(tableName string, schema []parsers.Column, t time.Time, row []byte) error {
	if err := w.usable(); err != nil {
		return err
	}
	tb, ok := w.rowTables[tableName]
	if !ok {
		if tableName == "logs" {
			return fmt.Errorf("lake: table name %q is reserved for the log tables' folder", tableName)
		}
		var err error
		if tb, err = compileTable(tableName, tableName, schema, false, nil); err != nil {
			return fmt.Errorf("lake: %w", err)
		}
		w.mu.Lock() // Stats reads rowTables from any goroutine
		w.rowTables[tableName] = tb
		w.mu.Unlock()
	} else if !sameSchema(tb, schema) {
		return fmt.Errorf("lake: table %s: WriteRow with another schema than earlier in this run", tableName)
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
	// belongs to it like an event: a source that fails takes its rows along.
	if v := o.Get("p_source_file"); v != nil {
		if b, err := v.StringBytes(); err == nil && len(b) > 0 && string(b) != s.lastSrc {
			if s.sources == nil {
				s.sources = map[string]bool{}
			}
			s.lastSrc = string(b)
			s.sources[s.lastSrc] = true
		}
	}
	n := len(s.buf)
	s.buf = w.enc.encodeRow(s.buf, tb, o, t)
	return w.wrote(s, n)
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

// stream returns the staging stream of t's partition holding ts.
func (w *Writer) stream(t *table, ts time.Time) (*stream, error) {
	hour := ts.Unix()
	if hour < 0 {
		hour -= 3599
	}
	hour /= 3600
	key := streamKey{t: t, hour: hour}
	w.clock++
	if s := w.last; s != nil && s.key == key {
		s.lastUse = w.clock
		return s, nil
	}
	s := w.streams[key]
	if s == nil {
		w.seq++
		s = &stream{key: key, path: filepath.Join(w.stage, fmt.Sprintf("%06d.ndjson", w.seq))}
		w.streams[key] = s
	}
	if s.buf == nil {
		if len(w.active) >= w.opts.MaxOpenFiles {
			if err := w.evict(); err != nil {
				return nil, err
			}
		}
		s.buf = getBuf()
		w.active = append(w.active, s)
	}
	s.lastUse = w.clock
	w.last = s
	return s, nil
}

// wrote accounts for a row just encoded at s.buf[n:], writing the buffer
// out when full and cutting the file when it reached FileBytes.
func (w *Writer) wrote(s *stream, n int) error {
	rowLen := len(s.buf) - n
	s.rows++
	s.maxRow = max(s.maxRow, rowLen)
	s.key.t.rows.Add(1)
	w.cur.bytes += int64(rowLen)
	if len(s.buf) < streamBuf {
		return nil
	}
	if err := w.flush(s); err != nil {
		return w.fail(err)
	}
	if s.size >= w.opts.FileBytes {
		if err := w.cut(s); err != nil {
			return w.fail(err)
		}
	}
	return nil
}

// flush writes s's buffer to its staging file.
func (w *Writer) flush(s *stream) error {
	if len(s.buf) == 0 {
		return nil
	}
	if err := w.faultAt("write", s.path); err != nil {
		return fmt.Errorf("lake: writing %s: %w", s.path, err)
	}
	if s.f == nil {
		f, err := os.OpenFile(s.path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
		if err != nil {
			return fmt.Errorf("lake: staging: %w", err)
		}
		s.f = f
	}
	if _, err := s.f.Write(s.buf); err != nil {
		return fmt.Errorf("lake: writing %s: %w", s.path, err)
	}
	s.size += int64(len(s.buf))
	s.buf = s.buf[:0]
	return nil
}

// release flushes s and gives back its buffer and file.
func (w *Writer) release(s *stream) error {
	err := w.flush(s)
	if s.f != nil {
		if cerr := s.f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("lake: writing %s: %w", s.path, cerr)
		}
		s.f = nil
	}
	putBuf(s.buf)
	s.buf = nil
	for i, a := range w.active {
		if a == s {
			w.active = append(w.active[:i], w.active[i+1:]...)
			break
		}
	}
	if w.last == s {
		w.last = nil
	}
	return err
}

// evict releases the least recently used active stream.
func (w *Writer) evict() error {
	var lru *stream
	for _, s := range w.active {
		if lru == nil || s.lastUse < lru.lastUse {
			lru = s
		}
	}
	return w.release(lru)
}

// cut ends s's file and hands it to the converter.
func (w *Writer) cut(s *stream) error {
	if err := w.release(s); err != nil {
		return err
	}
	delete(w.streams, s.key)
	w.cur.convert(w, s)
	return nil
}

func (w *Writer) flushSourceRows() {
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
		if rows > 0 {
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
	// is one log type): convert it now, while the pipeline reads on,
	// rather than at the commit. Small ones wait, to be converted together.
	for _, st := range w.streams {
		if st.lastUse < w.prevDone && st.size+int64(len(st.buf)) >= smallStream {
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
	return w.ledger[digest] || w.pending[digest]
}

// seal ends the current epoch: every staged file goes to the converter,
// and the committer commits the epoch once they are all converted. The
// small files of a log table are converted together (see smallStream).
func (w *Writer) seal() error {
	e := w.cur
	var first error
	small := map[*table][]*stream{}
	var keys []streamKey
	for k := range w.streams {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b streamKey) int { // deterministic file names
		if c := strings.Compare(a.t.name, b.t.name); c != 0 {
			return c
		}
		return cmp.Compare(a.hour, b.hour)
	})
	for _, k := range keys {
		s := w.streams[k]
		if err := w.release(s); err != nil && first == nil {
			first = err
		}
		if first != nil {
			continue
		}
		if s.size < smallStream {
			small[s.key.t] = append(small[s.key.t], s)
			continue
		}
		e.convert(w, s)
	}
	for _, ss := range small {
		for len(ss) > 0 {
			n := 0
			for size := int64(0); n < len(ss) && size < smallGroup && n < maxGroupFiles; n++ {
				size += ss[n].size
			}
			e.convert(w, ss[:n]...)
			ss = ss[n:]
		}
	}
	clear(w.streams)
	w.active = w.active[:0]
	w.last = nil
	if first != nil {
		return w.fail(first)
	}
	w.cur = w.newEpoch()
	w.commitQ <- e
	return nil
}

// Each Parquet file costs DuckDB about 5 ms of CPU whatever its size (a
// CloudTrail file has 58 column chunks), so at a commit the staged files
// of a table smaller than smallStream are converted together, up to
// smallGroup bytes a conversion, and DuckDB partitions their rows itself
// (PARTITION_BY): sparse logs, a few rows an hour over months, make one
// conversion a table instead of one an hour. (Partitioning costs about 40%
// more per row, which is why large files are converted one by one.)
// maxGroupFiles bounds the files of one grouped conversion: DuckDB holds
// a reader buffer for each, and hundreds of them (alerts of a long replay,
// one file an hour) overran its memory limit.
const (
	smallStream   = 4 << 20
	smallGroup    = 64 << 20
	maxGroupFiles = 12
)

// Close converts and commits everything written, waits for it, and
// releases the lake. After an error it drops what was not committed, as
// Abort does, and returns that error.
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

// finish waits for the committer and the converter, closes what is open
// and removes the run's staging directory (unless a commit that failed
// half way needs its files: the next Open completes it).
func (w *Writer) finish() error {
	if w.failure() != nil {
		w.stop() // conversions of epochs that will not commit
	}
	close(w.commitQ)
	w.committed.Wait()
	w.stop()
	w.conv.close()
	for _, s := range w.streams {
		if s.f != nil {
			s.f.Close()
			s.f = nil
		}
	}
	var err error
	if w.ownDB {
		if cerr := w.db.Close(); cerr != nil {
			err = fmt.Errorf("lake: closing DuckDB: %w", cerr)
		}
	}
	w.mu.Lock()
	keep := len(w.outcome) > 0
	w.mu.Unlock()
	if !keep {
		rerr := w.faultAt("cleanup", w.stage)
		if rerr == nil {
			rerr = os.RemoveAll(w.stage)
		}
		if rerr != nil && err == nil {
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
	for _, t := range w.logTables {
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

var bufPool = sync.Pool{New: func() any { return make([]byte, 0, streamBuf+64<<10) }}

func getBuf() []byte { return bufPool.Get().([]byte)[:0] }

func putBuf(b []byte) {
	if b != nil && cap(b) <= 4*streamBuf {
		bufPool.Put(b[:0]) //nolint:staticcheck // a slice header is small
	}
}
