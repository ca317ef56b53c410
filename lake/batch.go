package lake

import (
	"fmt"
	"time"

	"panther/parsers/event"
)

// A Batch encodes events ahead of Writer.WriteBatch, on the goroutine that
// has just parsed and evaluated them. Encoding is most of WriteEvent's
// work, and it costs twice as much on events that left the CPU's cache
// (7.9-8.8 µs a CloudTrail event written a source after it was parsed,
// 3.8-4.4 µs right after, the same through a Batch: BenchmarkWriteCache),
// which is what happens to every event when one goroutine writes
// the rows that the pipeline's workers parsed. WriteBatch then only
// appends the encoded rows to their partitions, in the order batches are
// written, so the files are the same as with WriteEvent.
//
// A Batch is used by one goroutine at a time: Add on a worker, then
// WriteBatch on the writer's goroutine, then Add again (WriteBatch empties
// it and keeps its buffers). Its buffers come from the writer's: a batch
// must not be used after Close or Abort.
type Batch struct {
	w     *Writer
	enc   encoder
	parts []batchPart
	err   error // the first event that could not be encoded
}

// batchPart holds the rows of a batch for one partition.
type batchPart struct {
	t    *table
	hour int64
	ts   time.Time // a time within the hour (for Writer.stream)
	rows *rowBuf
	srcs []srcRun
}

// srcRun counts consecutive rows of one source (p_source_file).
type srcRun struct {
	file string
	rows int64
}

// NewBatch returns an empty batch for w.
func (w *Writer) NewBatch() *Batch { return &Batch{w: w} }

// Add encodes e as a row of its log type's table. An event WriteEvent
// would refuse (unknown log type, no time) makes WriteBatch return the
// error; the events after it are still encoded.
func (b *Batch) Add(e *event.Event) {
	t, ok := (*b.w.logTables.Load())[e.LogType]
	if !ok {
		b.fail(fmt.Errorf("lake: event of log type %q, which the registry given to lake.Open does not hold", e.LogType))
		return
	}
	ts, ok := eventTime(e)
	if !ok {
		b.fail(fmt.Errorf("lake: event %s line %d has neither an event time nor a parse time within years 1-9999 (was it normalised?)", e.SourceFile, e.Line))
		return
	}
	hour := hourOf(ts)
	var p *batchPart
	for i := range b.parts {
		if b.parts[i].rows.rows > 0 && b.parts[i].t == t && b.parts[i].hour == hour {
			p = &b.parts[i]
			break
		}
	}
	if p == nil {
		// Reuse a part emptied by WriteBatch, of the same table if any.
		for i := range b.parts {
			if b.parts[i].rows.rows == 0 && b.parts[i].t == t {
				p = &b.parts[i]
				break
			}
		}
		if p == nil {
			b.parts = append(b.parts, batchPart{t: t, rows: b.w.newRowBuf(t)})
			p = &b.parts[len(b.parts)-1]
		}
		p.hour, p.ts, p.srcs = hour, ts, p.srcs[:0]
	}
	b.enc.appendEvent(p.rows, t, e)
	if n := len(p.srcs); n > 0 && p.srcs[n-1].file == e.SourceFile {
		p.srcs[n-1].rows++
	} else {
		p.srcs = append(p.srcs, srcRun{file: e.SourceFile, rows: 1})
	}
}

func (b *Batch) fail(err error) {
	if b.err == nil {
		b.err = err
	}
}

// Rows is the number of rows the batch holds.
func (b *Batch) Rows() int {
	n := 0
	for i := range b.parts {
		n += b.parts[i].rows.rows
	}
	return n
}

// WriteBatch writes the rows of b, as WriteEvent would have written its
// events one by one, and empties b. It returns the first error of Add, or
// of writing.
func (w *Writer) WriteBatch(b *Batch) error {
	err := b.err
	b.err = nil
	if err == nil {
		err = w.usable()
	}
	for i := range b.parts {
		p := &b.parts[i]
		if err == nil && p.rows.rows > 0 {
			err = w.writePart(p)
		}
		p.rows.reset()
		p.srcs = p.srcs[:0]
	}
	return err
}

// writePart appends the rows of p to the partition's stream.
func (w *Writer) writePart(p *batchPart) error {
	s, err := w.stream(p.t, p.ts)
	if err != nil {
		return w.fail(err)
	}
	for _, r := range p.srcs {
		if r.file != "" {
			s.countSources(r.file, r.rows)
		}
		if r.file != w.lastSource {
			w.flushSourceRows()
			w.lastSource = r.file
		}
		w.lastRows += r.rows
	}
	if s.rows == nil {
		s.rows = w.rowBuf(p.t)
	}
	s.rows.appendRows(p.rows)
	return w.wroteRows(s, int64(p.rows.rows), p.rows.bytes)
}

// appendRows appends the rows of src (a row buffer of the same table).
func (r *rowBuf) appendRows(src *rowBuf) {
	if src.arrow != nil {
		r.arrow.take(src.arrow)
		r.rows += src.rows
		r.bytes += src.bytes
		return
	}
	for i := range r.cols {
		c, sc := &r.cols[i], &src.cols[i]
		c.vals = appendPooled(r.pool, c.vals, sc.vals)
		c.defs = appendPooled(r.pool, c.defs, sc.defs)
		if c.repeated {
			c.reps = appendPooled(r.pool, c.reps, sc.reps)
		}
	}
	r.rows += src.rows
	r.bytes += src.bytes
}

// appendPooled appends b to dst, growing dst through the pool.
func appendPooled(p *chunkPool, dst, b []byte) []byte {
	if len(b) == 0 {
		return dst
	}
	if cap(dst)-len(dst) < len(b) {
		dst = p.grow(dst, len(b))
	}
	return append(dst, b...)
}
