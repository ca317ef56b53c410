//go:build !unix

package lake

// Without mmap, chunks are Go slices (still reused through the pool).
func mapChunk(size int) []byte { return make([]byte, size) }

func unmapChunk([]byte) {}
