//go:build unix

package lake

import (
	"fmt"
	"syscall"
)

// mapChunk maps size bytes of anonymous memory, outside Go's heap.
func mapChunk(size int) []byte {
	b, err := syscall.Mmap(-1, 0, size, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		// Out of address space or memory: as for a failed Go allocation.
		panic(fmt.Sprintf("lake: cannot map %d bytes: %v", size, err))
	}
	return b
}

func unmapChunk(b []byte) { _ = syscall.Munmap(b) }
