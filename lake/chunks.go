package lake

import (
	"math/bits"
	"sync"
	"unsafe"
)

// The column buffers of the rows waiting to be written hold most of the
// lake's memory, and reallocating them as they grow made most of its
// garbage: the Go collector then ran several times as often (the replay
// keeps Go's heap under a soft limit) and took as much CPU as the Parquet
// encoding. So the buffers come from a chunkPool, in power-of-two sizes,
// and go back to it when their row group is written, for the next: from
// minChunk on, they are mapped outside Go's heap (mmap where the system has
// it), which Go's collector neither counts nor scans; the writer bounds
// them (Options.MemoryBytes, the file writer's queue) and unmaps them at
// Close. Smaller ones are Go slices (a table spread over many partitions
// has many small columns, and a page of 4 KiB for each would waste
// memory), pooled too, up to maxSmall bytes.

// minChunk is the smallest mapped buffer, minBuf the smallest buffer.
const (
	minChunk = 64 << 10
	minBuf   = 1 << 10
)

// chunkPool hands out and takes back buffers; both of the writer's
// goroutines use it.
type chunkPool struct {
	mu     sync.Mutex
	free   [48][][]byte // by log2 of the size
	pooled int64        // bytes of mapped chunks in free
	small  int64        // bytes of Go slices in free
	mapped int64        // bytes mapped, in use or free
	// ours tells the chunks of the pool (by address) from Go slices.
	ours map[unsafe.Pointer]int
}

// maxPooled bounds the bytes of mapped chunks kept free for reuse (beyond,
// chunks given back are unmapped), maxSmall those of Go slices.
const (
	maxPooled = 32 << 20
	maxSmall  = 16 << 20
)

func newChunkPool() *chunkPool { return &chunkPool{ours: map[unsafe.Pointer]int{}} }

// get returns an empty buffer of at least n bytes.
func (p *chunkPool) get(n int) []byte {
	class := bits.Len(uint(max(n, minBuf) - 1))
	size := 1 << class
	p.mu.Lock()
	if l := p.free[class]; len(l) > 0 {
		b := l[len(l)-1]
		p.free[class] = l[:len(l)-1]
		if size < minChunk {
			p.small -= int64(size)
		} else {
			p.pooled -= int64(size)
		}
		p.mu.Unlock()
		return b[:0]
	}
	p.mu.Unlock()
	if size < minChunk {
		return make([]byte, 0, size)
	}
	b := mapChunk(size)
	p.mu.Lock()
	p.ours[unsafe.Pointer(unsafe.SliceData(b))] = size
	p.mapped += int64(size)
	p.mu.Unlock()
	return b[:0]
}

// put takes back b, a buffer that get returned (anything else is left to
// Go's collector).
func (p *chunkPool) put(b []byte) {
	size := cap(b)
	if size < minBuf || size&(size-1) != 0 {
		return
	}
	class := bits.Len(uint(size - 1))
	b = b[:size]
	if size < minChunk {
		p.mu.Lock()
		if p.small+int64(size) <= maxSmall {
			p.free[class] = append(p.free[class], b)
			p.small += int64(size)
		}
		p.mu.Unlock()
		return
	}
	ptr := unsafe.Pointer(unsafe.SliceData(b))
	p.mu.Lock()
	if mapped, ok := p.ours[ptr]; !ok || mapped != size {
		p.mu.Unlock()
		return
	}
	if p.pooled+int64(size) <= maxPooled {
		p.free[class] = append(p.free[class], b)
		p.pooled += int64(size)
		p.mu.Unlock()
		return
	}
	delete(p.ours, ptr)
	p.mapped -= int64(size)
	p.mu.Unlock()
	unmapChunk(b)
}

// grow returns b with room for n more bytes (b goes back to the pool).
func (p *chunkPool) grow(b []byte, n int) []byte {
	need := len(b) + n
	if need <= cap(b) {
		return b
	}
	nb := p.get(max(2*cap(b), need))[:len(b)]
	copy(nb, b)
	p.put(b)
	return nb
}

// release unmaps every chunk; none may be in use.
func (p *chunkPool) release() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for ptr, size := range p.ours {
		unmapChunk(unsafe.Slice((*byte)(ptr), size))
	}
	clear(p.ours)
	clear(p.free[:])
	p.pooled, p.small, p.mapped = 0, 0, 0
}
