package replay

import "runtime/debug"

// memLimit raises the process's soft memory limit with the correlation
// state, so that holding it does not make garbage collection cost more.
//
// A replay runs under a soft memory limit (the command sets 256 MB, which
// keeps its peak under the 500 MB the replay issue allows) with GOGC 400,
// so it is the limit, not GOGC, that says when the collector runs: when
// the heap reaches the limit, and each run marks what is live. The
// collector's cost is then about the live heap over the room left to
// allocate in. Correlation state is live heap the limit did not plan for
// (on the 1 GB CloudTrail archive with the shipped rules: 20 MB estimated,
// 27 MB more live after a collection, 115 MB against 88): under the
// fixed limit the collector ran 250 times against 191 and marked for 16
// CPU-s against 7.5. Raising the limit by twice the state gave the room
// back (as many runs as without: 192) but each run still marks the state
// (9.9 CPU-s against 7.5). Raising it by three times the state lets it
// run less often (168 to 171 runs), but the held matches are denser in
// pointers than the rest of the heap, so each run still marks more: 9.4
// CPU-s against 7.4 (gctrace, with a held match made 2.4 objects);
// four times gave 157 runs and 9.1 CPU-s, within the noise, for 16 MB
// more, so three it is. The peak grows by about the same (314 MB to
// 336 MB there), bounded with the state by the
// correlation caps and here by maxGrowth. docs/correlation.md "Cost" has
// the paired measurements.
type memLimit struct {
	base, set int64 // the caller's limit (0: none), the one set now
}

const (
	// stateFactor is how much the limit grows by a byte of state (above:
	// twice gave the room back; three times runs the collector less often).
	stateFactor = 3
	// maxGrowth bounds the growth: a limit of 256 + 128 MB keeps the
	// peak under the 500 MB the replay issue allows (the peak passes the
	// limit by what is not heap: with 192 MB more, 20 busy correlation
	// rules over the 1 GB archive peaked at 470 MB).
	maxGrowth = 128 << 20
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
