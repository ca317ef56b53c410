package live

import (
	"context"
	"strconv"
	"sync"
	"time"

	"panther/lake"
	"panther/parsers"
	"panther/parsers/event"
)

// Lake is the lake as the live pipeline writes it: events and rows go in
// as they come, and Commit makes everything written so far visible at
// once, together with a mark (the last write-ahead log entry it holds)
// that the next start reads back to know where to resume.
//
// It is built on lake.Writer's two-phase commit and source ledger: the
// mark is a ledger entry (digest "panther-serve-wal:<seq>") committed in
// the same epoch as the rows, so the rows and the mark appear together or
// not at all, and replaying the log after the mark writes nothing twice.
// Today's writer commits only when it closes, so Commit closes it and
// opens the next one (the lake's long-lived writer with periodic commits
// replaces this when it lands).
type Lake struct {
	ctx  context.Context
	dir  string
	opts lake.Options
	mu   sync.Mutex
	w    *lake.Writer
	reg  *parsers.Registry
	// counters
	commits    int64
	commitTime time.Duration
	lastCommit time.Duration
	rows       int64
}

const markFile = "panther-serve-wal"

func markDigest(seq uint64) string { return markFile + ":" + strconv.FormatUint(seq, 10) }

// OpenLake opens the lake in dir for the pipeline.
func OpenLake(ctx context.Context, dir string, reg *parsers.Registry, opts lake.Options) (*Lake, error) {
	opts.CommitBytes = -1 // only Commit commits: rows and mark together
	l := &Lake{ctx: ctx, dir: dir, opts: opts, reg: reg}
	w, err := lake.Open(ctx, dir, reg, opts)
	if err != nil {
		return nil, err
	}
	l.w = w
	return l, nil
}

// Dir is the lake's folder.
func (l *Lake) Dir() string { return l.dir }

// HasMark reports whether the lake holds everything up to entry seq.
func (l *Lake) HasMark(seq uint64) bool { return l.w.HasSource(markDigest(seq)) }

// Mark finds the last committed mark among the candidates from hi down to
// lo (the entries the log still holds, and the checkpoint it recorded).
func (l *Lake) Mark(lo, hi uint64) uint64 {
	for s := hi; s > lo; s-- {
		if l.HasMark(s) {
			return s
		}
	}
	return lo
}

// WriteEvent writes one event.
func (l *Lake) WriteEvent(e *event.Event) error {
	l.rows++
	return l.w.WriteEvent(e)
}

// WriteRow writes a row of the alerts or rule_matches table.
func (l *Lake) WriteRow(table string, schema []parsers.Column, t time.Time, row []byte) error {
	return l.w.WriteRow(table, schema, t, row)
}

// WriteValues writes a typed row of the rule_matches (or alerts) table.
func (l *Lake) WriteValues(table string, schema []parsers.Column, t time.Time, row []lake.Value) error {
	return l.w.WriteValues(table, schema, t, row)
}

// EntryDone says that every event of an entry was written.
func (l *Lake) EntryDone(source string) error {
	return l.w.SourceDone(lake.SourceInfo{File: source})
}

// Commit makes everything written visible with the mark seq, and takes
// reg's log types from now on.
func (l *Lake) Commit(seq uint64, reg *parsers.Registry) error {
	start := time.Now()
	if seq > 0 {
		if err := l.w.SourceDone(lake.SourceInfo{Digest: markDigest(seq), File: markFile}); err != nil {
			return err
		}
	}
	if err := l.w.Close(); err != nil {
		return err
	}
	if reg != nil {
		l.reg = reg
	}
	w, err := lake.Open(l.ctx, l.dir, l.reg, l.opts)
	if err != nil {
		return err
	}
	l.w = w
	took := time.Since(start)
	l.mu.Lock()
	l.commits++
	l.commitTime += took
	l.lastCommit = took
	l.mu.Unlock()
	return nil
}

// Close commits with the mark seq and releases the lake.
func (l *Lake) Close(seq uint64) error {
	if seq > 0 {
		if err := l.w.SourceDone(lake.SourceInfo{Digest: markDigest(seq), File: markFile}); err != nil {
			l.w.Abort()
			return err
		}
	}
	return l.w.Close()
}

// Abort drops what was not committed (a second signal).
func (l *Lake) Abort() error { return l.w.Abort() }
