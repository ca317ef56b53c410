package live

import "panther/lake"

// The workers encode each entry's events for the lake into a lake.Batch
// as they are decoded (in the core's cache), and the sink, which keeps
// journal order, only appends the batch (Lake.writeBatch): encoding was
// most of the sink's work, on one goroutine, on events that had left the
// cache (docs/serve-perf.md has the profiles and the paired numbers). The
// rows and files are the same as with one WriteEvent an event in the
// sink's order.
//
// A batch's buffers belong to the lake's writer, which lives as long as
// the pipeline: batches are kept on a free list (not a sync.Pool, which
// would drop them with their mapped buffers) sized past the jobs that can
// be in flight.

// getBatch returns an empty batch for an entry's events.
func (p *Pipeline) getBatch() *lake.Batch {
	select {
	case b := <-p.batches:
		return b
	default:
		return p.opts.Lake.lv.NewBatch()
	}
}

// putBatch gives back a batch the sink wrote (WriteBatch empties it).
func (p *Pipeline) putBatch(b *lake.Batch) {
	select {
	case p.batches <- b:
	default:
	}
}

// writeBatch writes the rows of a batch, in the order the sink calls it.
func (l *Lake) writeBatch(b *lake.Batch) error { return l.lv.WriteBatch("", 0, b) }
