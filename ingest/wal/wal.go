// Package wal is the write-ahead log of `panther serve`: what an input
// acknowledges is first appended here and synced, so that a crash (even
// kill -9, or the machine losing power once the sync returned) loses
// nothing acknowledged; on restart the records that did not reach the lake
// are read back and processed again.
//
// The model is Prometheus' tsdb/wlog: the log is a folder of numbered
// segment files (00000001, 00000002, ...), each at most SegmentBytes long;
// records are appended to the last one. A record is
//
//	length  uint32, little endian: of the payload
//	crc     uint32: CRC-32C (Castagnoli) of seq and payload
//	seq     uint64: the record's sequence number, 1, 2, 3 ... without gaps
//	payload
//
// Why our own and not a library: the candidates served here are
// Prometheus' wlog (it comes with the whole Prometheus module and its
// dependencies, pages records into 32 KiB fragments we do not need, and
// has no sequence numbers to truncate by) and general key-value stores
// (badger, bbolt) that fsync per transaction, not a group of appends. What
// this needs is small: append, sync a group of appends at once, read
// back from a sequence number, drop old segments, repair a torn tail.
//
// Group commit: Append writes the record to the segment (the page cache)
// under a lock and returns its sequence number at once; Sync(seq) waits
// until a sync covers it. One goroutine does the syncing: it takes
// whatever was appended since the last sync (one record or a thousand)
// and calls fsync once for all of them, then wakes every waiter it covered. While one fsync
// runs, the next group gathers, so throughput grows with concurrency
// instead of being one fsync a request. A full segment is synced by the
// syncer too, with the group that follows it (and the folder, for the new
// segment's name), never by the appender that filled it: an fsync of 64
// MiB under the lock held every input up.
//
// Torn tail: a crash may leave the last segment ending in part of a record
// (its length says more than the file holds, or its checksum fails). Open
// cuts the last segment at the end of its last whole record; the records
// after the cut were never acknowledged (a sync had not returned). A bad
// record anywhere else is corruption and Open refuses the log, naming the
// file and offset, rather than silently skipping acknowledged data.
package wal

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"time"
)

// DefaultSegmentBytes is the default segment size.
const DefaultSegmentBytes = 64 << 20

// MaxRecordBytes bounds one record's payload.
const MaxRecordBytes = 1 << 30

const headerSize = 16

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Options tune a WAL.
type Options struct {
	// SegmentBytes: a new segment starts once the current one holds this
	// many bytes (default 64 MiB).
	SegmentBytes int64
	// NoSync skips fsync (tests and benchmarks that measure without the
	// disk); Sync still orders and waits.
	NoSync bool
}

// WAL is an open write-ahead log. Append, Sync, Synced and Truncate are
// safe for concurrent use.
type WAL struct {
	dir  string
	opts Options

	mu      sync.Mutex
	cond    *sync.Cond // signals the syncer and the waiters
	buf     []byte     // scratch: one record
	next    uint64     // seq of the next record
	seg     *os.File
	segIdx  int
	segSize int64
	segs    []segment // every segment, the current one last
	written uint64    // last seq written to the file
	// unsynced are full segments, closed for appends, whose last records
	// the syncer has not synced yet; dirDirty: the folder got a segment
	// since its last sync.
	unsynced []*os.File
	dirDirty bool
	synced   uint64 // last seq synced
	err      error  // a write or sync failed: the log takes no more
	closed   bool
	done     chan struct{}

	// stats
	syncs     int64
	syncTime  time.Duration
	bytesOnFS int64
}

type segment struct {
	idx      int
	first    uint64 // first seq in it (0: empty)
	last     uint64 // last seq in it
	size     int64
	fileName string
}

// Record is one record read back.
type Record struct {
	Seq     uint64
	Payload []byte
}

// CorruptError is a bad record before the last segment's tail.
type CorruptError struct {
	File   string
	Offset int64
	Reason string
}

func (e *CorruptError) Error() string {
	return fmt.Sprintf("write-ahead log %s at byte %d: %s; move the folder aside to start afresh (its records were acknowledged: keep it for inspection)", e.File, e.Offset, e.Reason)
}

// Open opens (creating it) the log in dir, repairs a torn tail of its last
// segment and returns it ready to append after its last record. The
// records stay readable with Replay until Truncate drops them.
func Open(dir string, opts Options) (*WAL, error) {
	if opts.SegmentBytes <= 0 {
		opts.SegmentBytes = DefaultSegmentBytes
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("write-ahead log %s: %w", dir, err)
	}
	w := &WAL{dir: dir, opts: opts, next: 1, done: make(chan struct{})}
	w.cond = sync.NewCond(&w.mu)
	segs, err := listSegments(dir)
	if err != nil {
		return nil, err
	}
	for i := range segs {
		last := i == len(segs)-1
		if err := scanSegment(&segs[i], last, nil); err != nil {
			return nil, err
		}
		if segs[i].last > 0 {
			w.next = segs[i].last + 1
		}
		w.bytesOnFS += segs[i].size
	}
	w.segs = segs
	// Always start a fresh segment: the tail of the previous one may have
	// been cut, and appending to a new file keeps recovery simple.
	if err := w.newSegment(); err != nil {
		return nil, err
	}
	w.written, w.synced = w.next-1, w.next-1
	go w.syncer()
	return w, nil
}

func segName(idx int) string { return fmt.Sprintf("%08d", idx) }

func listSegments(dir string) ([]segment, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("write-ahead log %s: %w", dir, err)
	}
	var segs []segment
	for _, e := range ents {
		if e.IsDir() || len(e.Name()) != 8 {
			continue
		}
		idx, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		segs = append(segs, segment{idx: idx, fileName: filepath.Join(dir, e.Name())})
	}
	slices.SortFunc(segs, func(a, b segment) int { return a.idx - b.idx })
	return segs, nil
}

// scanSegment reads a segment's records, checking each; visit (if not nil)
// gets each one. In the last segment a bad record ends the segment, which
// is cut there (a torn tail); elsewhere it is a CorruptError.
func scanSegment(s *segment, last bool, visit func(Record) error) error {
	f, err := os.OpenFile(s.fileName, os.O_RDWR, 0)
	if err != nil {
		return fmt.Errorf("write-ahead log: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	size := st.Size()
	br := newBufReader(f)
	var off int64
	var hdr [headerSize]byte
	var payload []byte
	bad := func(reason string) error {
		if !last {
			return &CorruptError{File: s.fileName, Offset: off, Reason: reason}
		}
		if visit == nil { // Open: repair
			if err := f.Truncate(off); err != nil {
				return fmt.Errorf("write-ahead log %s: cutting a torn tail at byte %d: %w", s.fileName, off, err)
			}
			if err := f.Sync(); err != nil {
				return err
			}
		}
		size = off
		return nil
	}
	for off < size {
		if size-off < headerSize {
			if err := bad("a record header cut short"); err != nil {
				return err
			}
			break
		}
		if _, err := io.ReadFull(br, hdr[:]); err != nil {
			return fmt.Errorf("write-ahead log %s: %w", s.fileName, err)
		}
		n := int64(binary.LittleEndian.Uint32(hdr[0:4]))
		sum := binary.LittleEndian.Uint32(hdr[4:8])
		seq := binary.LittleEndian.Uint64(hdr[8:16])
		if n > MaxRecordBytes || off+headerSize+n > size {
			if err := bad(fmt.Sprintf("a record of %d bytes where the file holds %d more", n, size-off-headerSize)); err != nil {
				return err
			}
			break
		}
		payload = slices.Grow(payload[:0], int(n))[:n]
		if _, err := io.ReadFull(br, payload); err != nil {
			return fmt.Errorf("write-ahead log %s: %w", s.fileName, err)
		}
		c := crc32.Update(0, castagnoli, hdr[8:16])
		c = crc32.Update(c, castagnoli, payload)
		if c != sum {
			if err := bad("checksum mismatch"); err != nil {
				return err
			}
			break
		}
		if s.last > 0 && seq != s.last+1 {
			if err := bad(fmt.Sprintf("sequence %d after %d", seq, s.last)); err != nil {
				return err
			}
			break
		}
		if s.first == 0 {
			s.first = seq
		}
		s.last = seq
		if visit != nil {
			if err := visit(Record{Seq: seq, Payload: payload}); err != nil {
				return err
			}
		}
		off += headerSize + n
	}
	s.size = size
	return nil
}

func (w *WAL) newSegment() error {
	idx := 1
	if n := len(w.segs); n > 0 {
		idx = w.segs[n-1].idx + 1
	}
	name := filepath.Join(w.dir, segName(idx))
	f, err := os.OpenFile(name, os.O_CREATE|os.O_EXCL|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("write-ahead log: %w", err)
	}
	if w.seg != nil {
		// Its last records may not be synced yet: the syncer syncs and
		// closes it, and the folder (the new file's entry), before it
		// says that anything after it is durable.
		w.unsynced = append(w.unsynced, w.seg)
		w.dirDirty = true
	} else if !w.opts.NoSync {
		if err := syncDir(w.dir); err != nil {
			f.Close()
			return fmt.Errorf("write-ahead log %s: %w", w.dir, err)
		}
	}
	w.seg, w.segIdx, w.segSize = f, idx, 0
	w.segs = append(w.segs, segment{idx: idx, fileName: name})
	return nil
}

func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// ErrClosed is returned by Append and Sync after Close.
var ErrClosed = errors.New("write-ahead log closed")

// Append adds a record and returns its sequence number. The record is
// durable only once Sync(seq) returns nil.
func (w *WAL) Append(payload []byte) (uint64, error) { return w.AppendParts(payload) }

// AppendParts adds a record made of the parts joined, without joining
// them first.
func (w *WAL) AppendParts(parts ...[]byte) (uint64, error) {
	size := 0
	for _, p := range parts {
		size += len(p)
	}
	if size > MaxRecordBytes {
		return 0, fmt.Errorf("write-ahead log: a record of %d bytes is over the %d limit", size, MaxRecordBytes)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return 0, ErrClosed
	}
	if w.err != nil {
		return 0, w.err
	}
	seq := w.next
	var hdr [headerSize]byte
	binary.LittleEndian.PutUint32(hdr[0:4], uint32(size))
	binary.LittleEndian.PutUint64(hdr[8:16], seq)
	c := crc32.Update(0, castagnoli, hdr[8:16])
	for _, p := range parts {
		c = crc32.Update(c, castagnoli, p)
	}
	binary.LittleEndian.PutUint32(hdr[4:8], c)
	// Written at once (a write to the page cache): a killed process loses
	// nothing appended; the syncer makes it survive a power cut too. A
	// small record is joined into one write; a large one (an HTTP body)
	// is written part by part rather than copied first.
	if err := w.write(hdr[:], parts, size); err != nil {
		w.err = fmt.Errorf("write-ahead log %s: %w", w.seg.Name(), err)
		w.cond.Broadcast()
		return 0, w.err
	}
	w.next++
	n := int64(headerSize + size)
	cur := &w.segs[len(w.segs)-1]
	if cur.first == 0 {
		cur.first = seq
	}
	cur.last = seq
	cur.size += n
	w.segSize += n
	w.bytesOnFS += n
	w.written = seq
	w.cond.Broadcast()
	if w.segSize >= w.opts.SegmentBytes {
		// The full segment is synced by the syncer with the next group
		// (an fsync of 64 MiB here would hold every input up).
		if err := w.newSegment(); err != nil {
			w.err = err
			w.cond.Broadcast()
			return 0, err
		}
	}
	return seq, nil
}

// joinBelow: records up to this size are copied into one buffer and
// written with one call; larger ones are written part by part.
const joinBelow = 64 << 10

// write writes a record's header and parts to the current segment.
func (w *WAL) write(hdr []byte, parts [][]byte, size int) error {
	if size < joinBelow {
		w.buf = append(w.buf[:0], hdr...)
		for _, p := range parts {
			w.buf = append(w.buf, p...)
		}
		_, err := w.seg.Write(w.buf)
		return err
	}
	if _, err := w.seg.Write(hdr); err != nil {
		return err
	}
	for _, p := range parts {
		if len(p) == 0 {
			continue
		}
		if _, err := w.seg.Write(p); err != nil {
			return err
		}
	}
	return nil
}

// Sync waits until record seq (and every record before it) is durable.
func (w *WAL) Sync(seq uint64) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	for w.synced < seq && w.err == nil && !w.closed {
		w.cond.Wait()
	}
	if w.synced >= seq {
		return nil
	}
	if w.err != nil {
		return w.err
	}
	return ErrClosed
}

// Synced is the last durable sequence number.
func (w *WAL) Synced() uint64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.synced
}

// Last is the sequence number of the last record appended (0: none ever).
func (w *WAL) Last() uint64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.next - 1
}

// SetNext makes the next record's sequence number at least seq: after a
// restart whose log was truncated past what the lake holds, new records
// must not reuse numbers the lake already knows.
func (w *WAL) SetNext(seq uint64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if seq > w.next && w.written == w.next-1 {
		w.next = seq
		w.written, w.synced = seq-1, seq-1
	}
}

// syncer syncs what was written, a group at a time: one fsync covers
// every record written while the previous one ran.
func (w *WAL) syncer() {
	defer close(w.done)
	w.mu.Lock()
	defer w.mu.Unlock()
	for {
		for w.written <= w.synced && !w.closed && w.err == nil {
			w.cond.Wait()
		}
		if w.written <= w.synced || w.err != nil {
			return
		}
		upTo := w.written
		f := w.seg
		old, dir := w.unsynced, w.dirDirty
		w.unsynced, w.dirDirty = nil, false
		w.mu.Unlock()
		start := time.Now()
		err := w.syncFiles(old, dir, f)
		took := time.Since(start)
		w.mu.Lock()
		w.syncs++
		w.syncTime += took
		if err != nil {
			w.err = err
			w.cond.Broadcast()
			return
		}
		if upTo > w.synced {
			w.synced = upTo
		}
		w.cond.Broadcast()
	}
}

// syncFiles syncs (and closes) the full segments old, then the folder if
// dir, then the current segment f: after it, every record written before
// it started is durable. (f may have become full meanwhile: it is then in
// the next round's old too, and is synced again.)
func (w *WAL) syncFiles(old []*os.File, dir bool, f *os.File) error {
	var err error
	for _, o := range old {
		if err == nil && !w.opts.NoSync {
			if e := o.Sync(); e != nil {
				err = fmt.Errorf("write-ahead log %s: %w", o.Name(), e)
			}
		}
		o.Close()
	}
	if err == nil && dir && !w.opts.NoSync {
		if e := syncDir(w.dir); e != nil {
			err = fmt.Errorf("write-ahead log %s: %w", w.dir, e)
		}
	}
	if err == nil && !w.opts.NoSync {
		if e := f.Sync(); e != nil {
			err = fmt.Errorf("write-ahead log %s: %w", f.Name(), e)
		}
	}
	return err
}

// closeUnsynced closes the full segments the syncer did not get to (w.mu
// held; after the syncer ended).
func (w *WAL) closeUnsynced() {
	for _, o := range w.unsynced {
		o.Close()
	}
	w.unsynced = nil
}

// Replay calls visit with every record after seq, in order, from the
// segments on disk (call it before appending: records appended meanwhile
// may or may not be seen). The payload is only valid during the call.
func (w *WAL) Replay(after uint64, visit func(Record) error) error {
	w.mu.Lock()
	segs := slices.Clone(w.segs)
	w.mu.Unlock()
	for i := range segs {
		s := segs[i]
		s.first, s.last = 0, 0
		if segs[i].last != 0 && segs[i].last <= after {
			continue
		}
		err := scanSegment(&s, true, func(r Record) error {
			if r.Seq <= after {
				return nil
			}
			return visit(r)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// Truncate removes the segments whose records all have sequence numbers
// up to seq (the lake holds them). The current segment stays.
func (w *WAL) Truncate(seq uint64) error {
	w.mu.Lock()
	var drop []segment
	keep := w.segs[:0:0]
	for i, s := range w.segs {
		if i < len(w.segs)-1 && (s.last == 0 || s.last <= seq) {
			drop = append(drop, s)
			w.bytesOnFS -= s.size
			continue
		}
		keep = append(keep, s)
	}
	w.segs = keep
	w.mu.Unlock()
	for _, s := range drop {
		if err := os.Remove(s.fileName); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("write-ahead log: %w", err)
		}
	}
	return nil
}

// Stats are the log's counters.
type Stats struct {
	Segments int
	Bytes    int64 // on disk
	Syncs    int64
	SyncTime time.Duration
	Last     uint64
	Synced   uint64
}

// Stats returns the counters.
func (w *WAL) Stats() Stats {
	w.mu.Lock()
	defer w.mu.Unlock()
	return Stats{Segments: len(w.segs), Bytes: w.bytesOnFS, Syncs: w.syncs, SyncTime: w.syncTime, Last: w.next - 1, Synced: w.synced}
}

// Close writes and syncs what was appended, then closes the log.
func (w *WAL) Close() error {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return nil
	}
	w.closed = true
	w.cond.Broadcast()
	w.mu.Unlock()
	<-w.done
	w.mu.Lock()
	defer w.mu.Unlock()
	w.cond.Broadcast()
	w.closeUnsynced()
	var err error
	if w.seg != nil {
		err = w.seg.Close()
		w.seg = nil
	}
	if w.err != nil {
		return w.err
	}
	return err
}

// Abandon closes the log's file without writing what was not written yet:
// what a crash leaves (tests).
func (w *WAL) Abandon() {
	w.mu.Lock()
	w.err = errors.New("abandoned")
	w.buf = nil
	w.cond.Broadcast()
	w.mu.Unlock()
	<-w.done
	w.mu.Lock()
	w.closeUnsynced()
	if w.seg != nil {
		w.seg.Close()
		w.seg = nil
	}
	w.mu.Unlock()
}
