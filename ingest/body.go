package ingest

import (
	"io"
	"math/bits"
	"sync"
)

// Request bodies are read into buffers of a pool and given back when the
// pipeline is done with their entry (Journal.Done): a fresh 1 MB buffer a
// request was, in profiles of CloudTrail batches over HTTP, a large
// allocation the runtime zeroes, and most of the garbage that made the
// collector run (BenchmarkLiveHTTPCloudTrail in serve).
//
// Buffers come in powers of two from 64 KiB to 64 MiB; a smaller body is
// an ordinary allocation, a larger one (a MaxBody raised past 64 MiB) too.
const (
	minPooledShift = 16
	maxPooledShift = 26
)

var bodyPools [maxPooledShift - minPooledShift + 1]sync.Pool

// bodyClass is the pool of buffers that hold n bytes, or -1.
func bodyClass(n int) int {
	if n <= 1<<(minPooledShift-1) || n > 1<<maxPooledShift {
		return -1
	}
	shift := bits.Len(uint(n - 1)) // the smallest 2^shift >= n
	return max(shift, minPooledShift) - minPooledShift
}

// getBody returns a buffer of length n, pooled when n is in the pool's
// sizes.
func getBody(n int) (buf []byte, pooled bool) {
	c := bodyClass(n)
	if c < 0 {
		return make([]byte, n), false
	}
	if p, ok := bodyPools[c].Get().(*[]byte); ok {
		return (*p)[:n], true
	}
	return make([]byte, n, 1<<(c+minPooledShift)), true
}

// putBody gives a buffer of getBody back (one whose capacity is not a
// pool's size, grown since, is left to the collector).
func putBody(b []byte) {
	c := bodyClass(cap(b))
	if c < 0 || cap(b) != 1<<(c+minPooledShift) {
		return
	}
	b = b[:0]
	bodyPools[c].Put(&b)
}

// readBody reads a body whose length is known into a buffer of the pool
// (io.ReadAll grows its buffer by copies, which showed in profiles of 1 MB
// bodies); pooled says whether it is one (give it back with putBody).
func readBody(r io.Reader, n int64) (buf []byte, pooled bool, err error) {
	if n <= 0 {
		buf, err = io.ReadAll(r)
		return buf, false, err
	}
	buf, pooled = getBody(int(n))
	if _, err := io.ReadFull(r, buf); err != nil {
		if pooled {
			putBody(buf)
		}
		return nil, false, err
	}
	// A body longer than it said: read on, so that the limit applies.
	var one [1]byte
	if k, _ := r.Read(one[:]); k > 0 {
		rest, err := io.ReadAll(r)
		if err != nil {
			if pooled {
				putBody(buf)
			}
			return nil, false, err
		}
		longer := make([]byte, 0, len(buf)+1+len(rest))
		longer = append(append(append(longer, buf...), one[0]), rest...)
		if pooled {
			putBody(buf)
		}
		return longer, false, nil
	}
	return buf, pooled, nil
}
