//go:build !unix

package packstest

import "time"

// CPUTime is not measured on this system.
func CPUTime() time.Duration { return 0 }
