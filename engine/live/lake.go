package live

import (
	"context"
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
// It is a lake.Live, the lake's long-lived writer, open for as long as
// the pipeline runs: a commit is an epoch of its two-phase commit, not a
// close and reopen. The mark is the position of the stream "wal" (entry
// seq committed: position seq+1), recorded in the ledger in the same
// epoch as the rows, so the rows and the mark appear together or not at
// all, and replaying the log after the mark writes nothing twice. The
// pipeline commits at the end of an entry only (the Live's own timer is
// off), so a commit never holds part of an entry.
type Lake struct {
	dir string
	lv  *lake.Live
	reg *parsers.Registry
	// Maintain's goroutine
	stopMaint context.CancelFunc
	maint     sync.WaitGroup
}

// walStream is the stream of the write-ahead log in the lake's ledger.
const walStream = "wal"

// OpenLake opens the lake in dir for the pipeline.
func OpenLake(ctx context.Context, dir string, reg *parsers.Registry, opts lake.Options) (*Lake, error) {
	lv, err := lake.OpenLive(ctx, dir, reg, lake.LiveOptions{Options: opts, CommitInterval: -1})
	if err != nil {
		return nil, err
	}
	return &Lake{dir: dir, lv: lv, reg: reg}, nil
}

// Dir is the lake's folder.
func (l *Lake) Dir() string { return l.dir }

// Live is the lake's writer, for its maintenance (Compact, Prune), which
// runs beside the commits.
func (l *Lake) Live() *lake.Live { return l.lv }

// Mark is the last entry the lake holds, within [lo, hi]: the entries the
// journal still holds (after its checkpoint lo, up to its last hi). A
// lake that holds entries past hi (the journal lost its tail) gives hi;
// one that holds none after lo gives lo.
func (l *Lake) Mark(lo, hi uint64) uint64 {
	pos := l.lv.Position(walStream)
	if pos <= 0 {
		return lo
	}
	return min(max(uint64(pos-1), lo), hi)
}

// WriteEvent writes one event.
func (l *Lake) WriteEvent(e *event.Event) error { return l.lv.Write("", 0, e) }

// WriteRow writes a row of the alerts or rule_matches table.
func (l *Lake) WriteRow(table string, schema []parsers.Column, t time.Time, row []byte) error {
	return l.lv.WriteRow(table, schema, t, row)
}

// WriteValues writes a typed row of the rule_matches (or alerts) table.
func (l *Lake) WriteValues(table string, schema []parsers.Column, t time.Time, row []lake.Value) error {
	return l.lv.WriteValues(table, schema, t, row)
}

// mark records that entry seq is written (to be committed with the rows).
func (l *Lake) mark(seq uint64) error {
	if seq == 0 || int64(seq+1) <= l.lv.Position(walStream) {
		return nil
	}
	return l.lv.Write(walStream, int64(seq+1))
}

// Commit makes everything written visible with the mark seq (every event
// of the entries up to seq has been written), waits for it, and takes
// reg's log types from then on.
func (l *Lake) Commit(seq uint64, reg *parsers.Registry) error {
	if err := l.mark(seq); err != nil {
		return err
	}
	if err := l.lv.Sync(); err != nil {
		return err
	}
	if reg != nil && reg != l.reg {
		if err := l.lv.SetRegistry(reg); err != nil {
			return err
		}
		l.reg = reg
	}
	return nil
}

// Maintain compacts, every interval, the hour partitions of the lake
// that ended more than olderThan ago (hours that stopped receiving: a
// commit every CommitInterval gives an hour hundreds of files), and with
// a retention, removes those that ended more than retention ago; in the
// background, beside the commits, until Close or Abort. onErr, when set,
// gets the errors of a round (the next round tries again). Searches see
// each change whole (lake.Snapshot).
func (l *Lake) Maintain(every, olderThan, retention time.Duration, onErr func(error)) {
	ctx, cancel := context.WithCancel(context.Background())
	l.stopMaint = cancel
	l.maint.Add(1)
	go func() {
		defer l.maint.Done()
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			_, err := l.lv.Compact(ctx, lake.CompactOptions{OlderThan: olderThan})
			if err == nil && retention > 0 {
				_, err = l.lv.Prune(ctx, lake.PruneOptions{OlderThan: retention})
			}
			if err != nil && ctx.Err() == nil && onErr != nil {
				onErr(err)
			}
		}
	}()
}

// stopMaintenance stops Maintain's goroutine and waits for it.
func (l *Lake) stopMaintenance() {
	if l.stopMaint != nil {
		l.stopMaint()
		l.maint.Wait()
	}
}

// Close commits with the mark seq and releases the lake.
func (l *Lake) Close(seq uint64) error {
	l.stopMaintenance()
	if err := l.mark(seq); err != nil {
		l.lv.Abort()
		return err
	}
	return l.lv.Close()
}

// Abort drops what was not committed (a second signal).
func (l *Lake) Abort() error {
	l.stopMaintenance()
	return l.lv.Abort()
}
