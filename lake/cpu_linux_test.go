//go:build linux

package lake

import (
	"syscall"
	"time"
)

// threadCPU is the CPU time of the calling OS thread (lock it first): on a
// busy machine it still measures the work, not the waiting.
func threadCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_THREAD, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
