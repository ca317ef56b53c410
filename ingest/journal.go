package ingest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"panther/ingest/wal"
)

// ErrBusy is returned by Append when the queue is full and the caller
// asked not to wait: the pipeline is behind.
var ErrBusy = errors.New("ingest: the pipeline is behind; retry later")

// ErrClosed is returned once the journal is closed (shutdown).
var ErrClosed = errors.New("ingest: shutting down")

// JournalOptions configure a Journal.
type JournalOptions struct {
	// MaxQueueBytes bounds the bytes of entries appended and not yet
	// processed by the pipeline (default 64 MiB).
	MaxQueueBytes int64
	// WAL options.
	WAL wal.Options
}

// Journal is the write-ahead log plus the queue of the pipeline.
type Journal struct {
	dir  string
	wal  *wal.WAL
	opts JournalOptions

	// appendMu orders the writes to the log and the queue (held by
	// Append around both; taken before mu).
	appendMu sync.Mutex
	scratch  []byte // under appendMu

	mu        sync.Mutex
	cond      *sync.Cond
	queue     []*Entry // appended, not taken by the pipeline
	queued    int64    // bytes of entries appended (or being appended) and not Done
	appending int      // Appends past their reservation, not queued yet
	closed    bool
	// kafka: the last offset per topic and partition among the entries
	// read back by Recover.
	kafka map[string]map[int32]int64
	// Entries to read back from the log (Recover): recNext..recLast, read
	// a chunk at a time into recovered.
	recNext, recLast uint64
	recovered        []*Entry
	recErr           error
}

// OpenJournal opens the write-ahead log in dir.
func OpenJournal(dir string, opts JournalOptions) (*Journal, error) {
	if opts.MaxQueueBytes <= 0 {
		opts.MaxQueueBytes = 64 << 20
	}
	w, err := wal.Open(dir, opts.WAL)
	if err != nil {
		return nil, err
	}
	j := &Journal{dir: dir, wal: w, opts: opts}
	j.cond = sync.NewCond(&j.mu)
	return j, nil
}

// WAL is the journal's log.
func (j *Journal) WAL() *wal.WAL { return j.wal }

// Recover arranges for every entry after seq (what the lake does not
// hold) to be given to the pipeline again, ahead of anything new. Call it
// before the inputs start. It makes sure that new entries get numbers
// after seq. The entries are read back from the log a chunk at a time as
// the pipeline takes them (at most recoverChunk bytes in memory), so a
// long backlog does not have to fit in memory.
func (j *Journal) Recover(after uint64) (int, error) {
	j.wal.SetNext(after + 1)
	n := 0
	// One pass to count the entries and learn the Kafka offsets they hold.
	err := j.wal.Replay(after, func(r wal.Record) error {
		e, err := Unmarshal(r.Payload, r.Seq)
		if err != nil {
			return err
		}
		if k := e.Kafka; k != nil {
			if j.kafka == nil {
				j.kafka = map[string]map[int32]int64{}
			}
			if j.kafka[k.Topic] == nil {
				j.kafka[k.Topic] = map[int32]int64{}
			}
			j.kafka[k.Topic][k.Partition] = max(j.kafka[k.Topic][k.Partition], k.Last)
		}
		n++
		return nil
	})
	if err != nil {
		return 0, err
	}
	j.mu.Lock()
	j.recNext, j.recLast = after+1, j.wal.Last()
	j.mu.Unlock()
	j.cond.Broadcast()
	return n, nil
}

// recoverChunk bounds the bytes of entries read back at once.
var recoverChunk int64 = 32 << 20

var errChunk = errors.New("chunk full")

// loadRecovered reads the next chunk of entries to recover (j.mu held;
// it is released while reading).
func (j *Journal) loadRecovered() error {
	from := j.recNext
	j.mu.Unlock()
	var got []*Entry
	var size int64
	err := j.wal.Replay(from-1, func(r wal.Record) error {
		if r.Seq > j.recLast || size >= recoverChunk {
			return errChunk
		}
		e, err := Unmarshal(append([]byte(nil), r.Payload...), r.Seq)
		if err != nil {
			return err
		}
		got = append(got, e)
		size += e.Size()
		return nil
	})
	j.mu.Lock()
	if err != nil && err != errChunk {
		return err
	}
	if len(got) == 0 {
		j.recNext = j.recLast + 1 // nothing more on disk
		return nil
	}
	j.recovered = append(j.recovered, got...)
	j.queued += size
	j.recNext = got[len(got)-1].Seq + 1
	return nil
}

// nextLocked takes the next entry: a recovered one first (j.mu held).
func (j *Journal) nextLocked() *Entry {
	if len(j.recovered) == 0 && j.recNext != 0 && j.recNext <= j.recLast {
		if err := j.loadRecovered(); err != nil {
			j.recErr = err
			j.recNext = j.recLast + 1
		}
	}
	if len(j.recovered) > 0 {
		e := j.recovered[0]
		j.recovered[0] = nil
		j.recovered = j.recovered[1:]
		return e
	}
	if len(j.queue) == 0 {
		return nil
	}
	e := j.queue[0]
	j.queue[0] = nil
	j.queue = j.queue[1:]
	return e
}

// RecoverError is an error met reading back entries (the rest of the
// backlog was skipped; the server's log says so).
func (j *Journal) RecoverError() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.recErr
}

// KafkaRecovered gives the last Kafka offset of each topic and partition
// among the entries Recover read back (their records are in the journal:
// a consumer skips them if Kafka delivers them again).
func (j *Journal) KafkaRecovered() map[string]map[int32]int64 {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.kafka
}

// Append writes e to the log and queues it, returning its sequence
// number. Past the queue's budget it returns ErrBusy at once when wait is
// false, else it waits for room (or ctx). The entry is durable only after
// Wait(seq).
//
// The budget is reserved under j.mu, and the write to the log happens
// under appendMu only, so that the pipeline (Next, Done) never waits for
// an input's write to the log (a 1 MB body is a 1 MB write); appendMu
// keeps the queue in the log's order.
func (j *Journal) Append(ctx context.Context, e *Entry, wait bool) (uint64, error) {
	size := e.Size()
	if err := j.reserve(ctx, size, wait); err != nil {
		return 0, err
	}
	j.appendMu.Lock()
	j.scratch = e.MarshalHeader(j.scratch[:0])
	seq, err := j.wal.AppendParts(j.scratch, e.Data)
	j.mu.Lock()
	j.appending--
	if err != nil {
		j.queued -= size
	} else {
		e.Seq = seq
		j.queue = append(j.queue, e)
	}
	j.cond.Broadcast()
	j.mu.Unlock()
	j.appendMu.Unlock()
	if err != nil {
		return 0, err
	}
	return seq, nil
}

// reserve takes size bytes of the queue's budget for an entry about to be
// appended (see Append).
func (j *Journal) reserve(ctx context.Context, size int64, wait bool) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if wait && ctx.Done() != nil {
		stop := context.AfterFunc(ctx, func() {
			j.mu.Lock()
			j.cond.Broadcast()
			j.mu.Unlock()
		})
		defer stop()
	}
	// An entry larger than the whole budget goes through when the queue is
	// empty, so that it cannot wait forever.
	for !j.closed && j.queued > 0 && j.queued+size > j.opts.MaxQueueBytes {
		if !wait {
			return ErrBusy
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		j.cond.Wait()
	}
	if j.closed {
		return ErrClosed
	}
	j.queued += size
	j.appending++ // Next does not report the end while it is under way
	return nil
}

// Wait waits until entry seq is durable.
func (j *Journal) Wait(seq uint64) error { return j.wal.Sync(seq) }

// Next returns the next entry for the pipeline, in sequence order,
// waiting for one until ctx is done or the journal is closed and empty
// (then nil).
func (j *Journal) Next(ctx context.Context) *Entry {
	j.mu.Lock()
	defer j.mu.Unlock()
	if ctx.Done() != nil {
		stop := context.AfterFunc(ctx, func() {
			j.mu.Lock()
			j.cond.Broadcast()
			j.mu.Unlock()
		})
		defer stop()
	}
	for {
		if e := j.nextLocked(); e != nil {
			return e
		}
		if (j.closed && j.appending == 0) || ctx.Err() != nil {
			return nil
		}
		j.cond.Wait()
	}
}

// TryNext returns the next entry if one is queued.
func (j *Journal) TryNext() *Entry {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.nextLocked()
}

// Done gives back the budget of an entry the pipeline has processed.
func (j *Journal) Done(e *Entry) {
	j.mu.Lock()
	j.queued -= e.Size()
	j.cond.Broadcast()
	j.mu.Unlock()
	if e.pooled {
		putBody(e.Data)
		e.Data, e.pooled = nil, false
	}
}

// Depth is the number of entries and bytes queued and not processed
// (entries still to read back from the log count as entries).
func (j *Journal) Depth() (entries int, bytes int64) {
	j.mu.Lock()
	defer j.mu.Unlock()
	n := len(j.queue) + len(j.recovered)
	if j.recNext != 0 && j.recNext <= j.recLast {
		n += int(j.recLast - j.recNext + 1)
	}
	return n, j.queued
}

// Stop refuses new entries from now on; the pipeline still gets what is
// queued.
func (j *Journal) Stop() {
	j.mu.Lock()
	j.closed = true
	j.cond.Broadcast()
	j.mu.Unlock()
}

// SaveCheckpoint records that everything up to seq went downstream (the
// lake committed it): the next start resumes after it at the earliest.
func (j *Journal) SaveCheckpoint(seq uint64) error {
	tmp := filepath.Join(j.dir, "checkpoint.tmp")
	if err := os.WriteFile(tmp, []byte(strconv.FormatUint(seq, 10)+"\n"), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(j.dir, "checkpoint"))
}

// Checkpoint is the last seq SaveCheckpoint recorded (0: none).
func (j *Journal) Checkpoint() uint64 {
	b, err := os.ReadFile(filepath.Join(j.dir, "checkpoint"))
	if err != nil {
		return 0
	}
	n, _ := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64)
	return n
}

// Truncate drops the log's segments that hold only entries up to seq.
func (j *Journal) Truncate(seq uint64) error { return j.wal.Truncate(seq) }

// Close stops the journal and closes the log (what was appended is
// synced).
func (j *Journal) Close() error {
	j.Stop()
	j.mu.Lock()
	for j.appending > 0 { // let the Appends under way finish
		j.cond.Wait()
	}
	j.mu.Unlock()
	if err := j.wal.Close(); err != nil {
		return fmt.Errorf("ingest: %w", err)
	}
	return nil
}

// RetryAfter is what an input tells a sender refused with ErrBusy.
const RetryAfter = time.Second
