//go:build unix && !linux

package lake

import "time"

// threadCPU falls back to the process's CPU time where there is no
// RUSAGE_THREAD.
func threadCPU() time.Duration { return processCPU() }
