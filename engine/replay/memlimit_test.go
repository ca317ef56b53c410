package replay

import (
	"runtime/debug"
	"testing"
)

// TestMemLimitFollowsState: the limit grows with stateFactor times the state, in
// steps of at least limitStep, never by more than maxGrowth, and is put
// back by restore; with no base it is never touched.
func TestMemLimitFollowsState(t *testing.T) {
	orig := debug.SetMemoryLimit(-1)
	defer debug.SetMemoryLimit(orig)
	const base = 300 << 20
	debug.SetMemoryLimit(base)
	current := func() int64 { return debug.SetMemoryLimit(-1) }

	l := memLimit{base: base, set: base}
	l.follow(10 << 20)
	if got, want := current(), int64(base+stateFactor*10<<20); got != want {
		t.Fatalf("limit with 10 MiB of state = %d, want %d", got, want)
	}
	l.follow(10<<20 + 100<<10) // 200 KiB more room: not worth a call
	if got, want := current(), int64(base+stateFactor*10<<20); got != want {
		t.Fatalf("limit after a small change = %d, want %d (unchanged)", got, want)
	}
	l.follow(1 << 30)
	if got, want := current(), int64(base+maxGrowth); got != want {
		t.Fatalf("limit with 1 GiB of state = %d, want %d (capped)", got, want)
	}
	l.follow(0)
	if got := current(); got != base {
		t.Fatalf("limit with no state = %d, want the base %d", got, base)
	}
	l.follow(5 << 20)
	l.restore()
	if got := current(); got != base {
		t.Fatalf("limit after restore = %d, want %d", got, base)
	}

	// No base (GOMEMLIMIT set by the user): left alone.
	debug.SetMemoryLimit(base + 1)
	none := memLimit{}
	none.follow(50 << 20)
	none.restore()
	if got := current(); got != base+1 {
		t.Fatalf("limit with no base = %d, want %d (untouched)", got, base+1)
	}
}
