package replay

import "runtime/debug"

// memLimit raises the process's soft memory limit with the correlation
// state, so that holding it does not make the collector run more often.
//
// A replay runs under a soft memory limit (the command sets 256 MB, which
// keeps its peak under the 500 MB the replay issue allows) with GOGC 400,
// so it is the limit, not GOGC, that says when the collector runs: when
// the heap reaches the limit, and each run marks what is live. The
// correlation state is live heap the limit did not plan for (on the 1 GB
// CloudTrail archive with the shipped rules: about 23 MB estimated, 30 MB
// more live heap after a collection), and it took the collector's room:
// 250 collections against 191 without correlations, each marking more,
// 16 CPU-s of marking against 7.5. Raising the limit by twice the state
// gives the room back (the state, and as much again for what its
// matches leave behind as they are replaced); the peak grows by about
// the same, bounded with the state by its caps and here by maxGrowth.
// docs/correlation.md "Cost" has the paired measurements.
type memLimit struct {
	base, set int64 // the caller's limit (0: none), the one set now
}

const (
	// stateFactor is how much room the limit grows by a byte of state.
	stateFactor = 2
	// maxGrowth bounds the growth: 256 MB + 192 MB stays under 500 MB.
	maxGrowth = 192 << 20
	// limitStep is the least change worth a call to SetMemoryLimit.
	limitStep = 1 << 20
)

// follow sets the limit for a state of state bytes.
func (l *memLimit) follow(state int64) {
	if l.base <= 0 {
		return
	}
	want := l.base + min(stateFactor*max(state, 0), maxGrowth)
	if d := want - l.set; d > -limitStep && d < limitStep {
		return
	}
	debug.SetMemoryLimit(want)
	l.set = want
}

// restore puts the caller's limit back.
func (l *memLimit) restore() {
	if l.base > 0 && l.set != l.base {
		debug.SetMemoryLimit(l.base)
		l.set = l.base
	}
}
