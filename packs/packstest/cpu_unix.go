//go:build unix

package packstest

import (
	"syscall"
	"time"
)

// CPUTime is the user plus system CPU time of the process so far: on a
// shared, busy machine, CPU time per operation says more than wall time.
func CPUTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
