package lake

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"panther/parsers"
	"panther/parsers/event"
)

// Live writes the lake from unbounded sources (panther serve): a
// long-lived Writer whose rows are committed every CommitInterval with
// the two-phase commit, so that `panther search` sees an event about that
// long after it was written, and whose idempotency is by offsets instead
// of whole files.
//
// A stream is one unbounded, ordered source with offsets: a write-ahead
// log, a Kafka topic partition ("kafka/<topic>/<partition>"). Write hands
// the writer events of a stream with the offset the stream has reached
// (to: every event before it was given). A commit records, in the ledger
// with the rows, each stream's range [from, to); Position returns the
// committed end. After a crash, reading the stream again from Position
// writes nothing twice and loses nothing: the rows of offsets before it
// are in the lake, those after it are not (a commit is all or nothing,
// and lake.Open completes one that was interrupted after its manifest).
// Events must have deterministic p_row_ids (the decode step makes them
// from source and offset), so that a row written again by a reader that
// ignores Position is at least recognisable.
//
// Rows of WriteRow tables are committed with the epoch they are written
// in; WriteRowOnce keeps a keyed row (an alert by id) to one per lake
// across restarts. Compact and Prune run under the same lock, beside the
// commits (serve runs them in the background for hours that stopped
// receiving, and for retention).
//
// Every method may be called from any goroutine; they serialise on a
// mutex (a Write holds it while it encodes: hand it batches).
type Live struct {
	mu       sync.Mutex
	w        *Writer
	opts     LiveOptions
	stop     chan struct{}
	ticker   sync.WaitGroup
	maint    sync.Mutex // one Compact or Prune at a time
	maintSeq int
	closed   bool
}

// LiveOptions tune a Live; the zero value is the default.
type LiveOptions struct {
	Options
	// CommitInterval is how often written rows are committed (default 10
	// s): the delay before search sees them, and the number of files an
	// hour gets before compaction (one a table a commit). A negative one
	// turns the timer off: only Commit and Sync commit, for a caller that
	// commits at boundaries of its own (serve's pipeline, at the end of a
	// write-ahead log entry).
	CommitInterval time.Duration
	// OnCommit, when set, is called after each commit, on the
	// committer's goroutine (do little): metrics, truncating a
	// write-ahead log up to the positions.
	OnCommit func(CommitInfo)
}

// CommitInfo describes a commit of a Live.
type CommitInfo struct {
	Epoch int
	Rows  int64 // rows made visible
	Files int
	// Positions are the committed ends of the streams the commit moved.
	Positions map[string]int64
	Duration  time.Duration // from the epoch's seal to its visibility
	Err       error         // the commit failed: the writer is stopped
}

// OpenLive opens the lake at dir for a long-lived writer (see Live).
func OpenLive(ctx context.Context, dir string, reg *parsers.Registry, opts LiveOptions) (*Live, error) {
	if opts.CommitInterval == 0 {
		opts.CommitInterval = 10 * time.Second
	}
	// Commits happen by time, not by size; files are cut at each.
	opts.CommitBytes = -1
	w, err := Open(ctx, dir, reg, opts.Options)
	if err != nil {
		return nil, err
	}
	w.live = true
	w.streamPos = map[string]int64{}
	w.onCommit = opts.OnCommit
	l := &Live{w: w, opts: opts, stop: make(chan struct{})}
	if opts.CommitInterval > 0 {
		l.ticker.Add(1)
		go l.tick()
	}
	return l, nil
}

func (l *Live) tick() {
	defer l.ticker.Done()
	t := time.NewTicker(l.opts.CommitInterval)
	defer t.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-t.C:
			_ = l.Commit() // its error is the writer's: the next call returns it
		}
	}
}

// Write writes events of stream, whose offsets have reached to: every
// event of an offset before to has been given, in this call or earlier
// (to never goes back). Events are copied: the caller may release them.
// An empty stream name writes the events without recording offsets.
func (l *Live) Write(stream string, to int64, events ...*event.Event) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return errors.New("lake: live writer is closed")
	}
	for _, e := range events {
		if err := l.w.WriteEvent(e); err != nil {
			return err
		}
	}
	return l.w.advance(stream, to, int64(len(events)))
}

// NewBatch returns a batch to encode events on another goroutine (see
// Batch), for WriteBatch.
func (l *Live) NewBatch() *Batch { return l.w.NewBatch() }

// WriteBatch is Write for the events of b (which it empties).
func (l *Live) WriteBatch(stream string, to int64, b *Batch) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return errors.New("lake: live writer is closed")
	}
	n := int64(b.Rows())
	if err := l.w.WriteBatch(b); err != nil {
		return err
	}
	return l.w.advance(stream, to, n)
}

// WriteRow writes a row of a table that is not a log type's (see
// Writer.WriteRow), committed with the next commit.
func (l *Live) WriteRow(table string, schema []parsers.Column, t time.Time, row []byte) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.WriteRow(table, schema, t, row)
}

// WriteRowOnce writes a row unless the lake holds one of that table and
// key (see Writer.WriteRowOnce): an alert by its id, once across
// restarts.
func (l *Live) WriteRowOnce(table, key string, schema []parsers.Column, t time.Time, row []byte) (bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.WriteRowOnce(table, key, schema, t, row)
}

// WriteValues writes a typed row of a table that is not a log type's
// (see Writer.WriteValues), committed with the next commit.
func (l *Live) WriteValues(table string, schema []parsers.Column, t time.Time, row []Value) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.WriteValues(table, schema, t, row)
}

// WriteValuesOnce is WriteValues for a keyed row (see
// Writer.WriteValuesOnce): an alert by its id, once across restarts.
func (l *Live) WriteValuesOnce(table, key string, schema []parsers.Column, t time.Time, row []Value) (bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.WriteValuesOnce(table, key, schema, t, row)
}

// SetRegistry makes the log types of reg writable from now on (serve
// loads custom log types with packs): new ones get their tables, and one
// whose schema changed gets a new table (its open files are finished
// first; its new files carry the new schema's fingerprint).
func (l *Live) SetRegistry(reg *parsers.Registry) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.setRegistry(reg)
}

// Position is the committed end of stream's offsets: the lake holds the
// rows of every offset before it and none after. Read the stream from
// there after a restart. It moves after each commit (see OnCommit).
func (l *Live) Position(stream string) int64 {
	l.w.srcMu.Lock()
	defer l.w.srcMu.Unlock()
	return l.w.ledger.streams[stream]
}

// Commit seals what was written since the last commit; the committer
// makes it visible shortly after (OnCommit says when). The ticker calls it
// every CommitInterval; call it to commit at once. It returns the error
// that stopped the writer, if any.
func (l *Live) Commit() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return nil
	}
	if err := l.w.usable(); err != nil {
		return err
	}
	if !l.w.cur.dirty() {
		return nil
	}
	return l.w.seal()
}

// Sync commits what was written and waits until it is visible.
func (l *Live) Sync() error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return errors.New("lake: live writer is closed")
	}
	done := make(chan struct{})
	l.w.cur.waiters = append(l.w.cur.waiters, done)
	err := l.w.seal()
	l.mu.Unlock()
	if err != nil {
		return err
	}
	<-done
	return l.w.failure()
}

// Err is the error that stopped the writer (a full disk...), or nil.
func (l *Live) Err() error { return l.w.failure() }

// Stats returns the counts per table so far.
func (l *Live) Stats() Stats { return l.w.Stats() }

// Close commits what was written, waits for it and releases the lake.
func (l *Live) Close() error {
	l.shutdown()
	l.maint.Lock() // no Compact or Prune under way
	defer l.maint.Unlock()
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Close()
}

// Abort drops what was not committed and releases the lake (see
// Writer.Abort): a second signal during shutdown.
func (l *Live) Abort() error {
	l.shutdown()
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Abort()
}

func (l *Live) shutdown() {
	l.mu.Lock()
	if !l.closed {
		l.closed = true
		close(l.stop)
	}
	l.mu.Unlock()
	l.ticker.Wait()
}

// advance records that stream's offsets reached to, with n events written
// since the last call (Live.Write).
func (w *Writer) advance(stream string, to, n int64) error {
	if stream == "" {
		return nil
	}
	pos, ok := w.streamPos[stream]
	if !ok {
		w.srcMu.Lock()
		pos = w.ledger.streams[stream]
		w.srcMu.Unlock()
	}
	if to < pos {
		return fmt.Errorf("lake: stream %s: offset %d is before %d, which was written already", stream, to, pos)
	}
	w.streamPos[stream] = to
	e := w.cur
	if e.streams == nil {
		e.streams = map[string]*ledgerEntry{}
	}
	r := e.streams[stream]
	if r == nil {
		r = &ledgerEntry{Stream: stream, From: pos}
		e.streams[stream] = r
	}
	r.To = to
	r.Rows += n
	return nil
}

// dirty reports whether the epoch holds anything to commit.
func (e *epoch) dirty() bool {
	return e.bytes > 0 || len(e.streams) > 0 || len(e.keys) > 0 || len(e.sources) > 0
}
