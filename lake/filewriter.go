package lake

import "panther/lake/internal/parquet"

// The file writer is a goroutine that turns the rows WriteEvent gathered
// into Parquet row groups: splitting them into pages, compressing and
// writing take about as much CPU as gathering them, and run beside the
// pipeline instead of in its way. It takes its jobs in order, so a file's
// row groups, its footer and the epoch that commits it follow one another.
// The rows sent and not written yet are at most flightBytes (or one row
// group): WriteEvent waits when the writer is that far behind.

// fileQueue is how many jobs may wait for the file writer (rows are
// bounded by flightBytes; the other jobs are small).
const fileQueue = 256

// flightBytes bounds the rows sent to the file writer and not written.
const flightBytes = 32 << 20

// toFlight accounts for n bytes of rows about to be sent, waiting while
// the file writer holds too many.
func (w *Writer) toFlight(n int64) {
	w.flightMu.Lock()
	for w.inFlight > 0 && w.inFlight+n > flightBytes {
		w.flightC.Wait()
	}
	w.inFlight += n
	w.flightMu.Unlock()
}

// landed accounts for n bytes of rows written (or dropped).
func (w *Writer) landed(n int64) {
	w.flightMu.Lock()
	w.inFlight -= n
	w.flightC.Broadcast()
	w.flightMu.Unlock()
}

// fileJob is one job of the file writer: write rows as a row group of out;
// park out (close its descriptor); finish out (close) and add it to the
// epoch into; or pass the epoch seal on to the committer, its files being
// all written.
type fileJob struct {
	out   *parquet.File
	t     *table // of out
	rows  *rowBuf
	park  bool
	close bool
	into  *epoch
	file  stagedFile
	seal  *epoch
}

func (w *Writer) send(j fileJob) { w.fileQ <- j }

// fileWriter runs the jobs until fileQ is closed, then closes commitQ.
// After a failure it writes nothing more: it discards files and rows.
func (w *Writer) fileWriter() {
	defer w.committed.Done()
	defer close(w.commitQ)
	pw, err := parquet.NewEncoder(w.encoderOptions())
	if err != nil {
		w.setFailed(err) // Open checked the options
	} else {
		defer pw.Close()
	}
	for j := range w.fileQ {
		switch {
		case j.seal != nil:
			w.commitQ <- j.seal
		case j.rows != nil:
			if w.failure() == nil {
				var err error
				if j.rows.arrow != nil {
					err = w.arrowWriteGroup(j.out, j.t, j.rows)
				} else {
					err = pw.WriteRowGroup(j.out, j.rows.rows, j.rows.columns())
				}
				if err != nil {
					w.setFailed(err)
				}
			}
			n := j.rows.bytes
			w.recycle(j.t, j.rows)
			w.landed(n)
		case j.park:
			if w.failure() == nil && w.opts.format != formatArrow {
				if err := j.out.Park(); err != nil {
					w.setFailed(err)
				}
			}
		case j.close:
			if w.failure() != nil || j.into == nil {
				j.out.Discard()
				w.arrowDiscard(j.out)
				continue
			}
			var size int64
			var err error
			if w.opts.format == formatArrow {
				size, err = w.arrowFinish(j.out)
			} else {
				size, err = pw.Finish(j.out)
			}
			if err != nil {
				w.setFailed(err)
				continue
			}
			j.file.Bytes = size
			j.into.files = append(j.into.files, j.file)
		}
	}
}

// maxSpare bounds the row buffers a table keeps for reuse (with their
// buffers: a table's next partition often needs about as much).
const maxSpare = 1

// recycle keeps r for another row group of t, or gives its chunks back.
func (w *Writer) recycle(t *table, r *rowBuf) {
	r.reset()
	w.spareMu.Lock()
	if len(w.spare[t]) < maxSpare {
		w.spare[t] = append(w.spare[t], r)
		r = nil
	}
	w.spareMu.Unlock()
	if r != nil {
		r.free()
	}
}

// rowBuf returns an empty row buffer for t.
func (w *Writer) rowBuf(t *table) *rowBuf {
	w.spareMu.Lock()
	defer w.spareMu.Unlock()
	if l := w.spare[t]; len(l) > 0 {
		r := l[len(l)-1]
		w.spare[t] = l[:len(l)-1]
		return r
	}
	return w.newRowBuf(t)
}

// newRowBuf returns a new row buffer for t.
func (w *Writer) newRowBuf(t *table) *rowBuf {
	r := newRowBuf(t, w.chunks)
	if w.opts.format == formatArrow {
		r.arrow = w.newArrowRows(t)
	}
	return r
}
