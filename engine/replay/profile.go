package replay

import (
	"cmp"
	"runtime"
	"slices"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"panther/engine"
)

// Per-detection cost (Options.ProfileRules): what `panther replay
// --profile-rules` prints, so that an author sees which detection is the
// slow one on their own logs.
//
// Each evaluation (guard, rule(), and the alert functions of a match) is
// timed with the monotonic clock, two reads of a vDSO clock, about 40 ns.
// That is wall time on the evaluating goroutine: on a machine busy with
// other work it includes time the kernel gave to others. So each evaluator
// also reads its thread's CPU clock once per batch (the goroutine is
// locked to its thread while profiling) and scales the batch's wall times
// by CPU/wall: the detections' CPU times add up to the CPU the evaluators
// used, shared in proportion to their wall times.

// RuleProfile is what one detection cost over a replay.
type RuleProfile struct {
	ID       string
	LogTypes []string
	Events   int64         // events of its log types it was run on
	Skipped  int64         // of those, rejected by its guard without calling Lua
	Matches  int64         // events it matched
	Errors   int64         // rule errors (rule() or an alert function)
	CPU      time.Duration // estimated CPU time of its evaluations
}

// Calls is the number of rule() calls.
func (p *RuleProfile) Calls() int64 { return p.Events - p.Skipped }

// PerEvent is the mean CPU time per event of its log types.
func (p *RuleProfile) PerEvent() time.Duration {
	if p.Events == 0 {
		return 0
	}
	return p.CPU / time.Duration(p.Events)
}

// profiler gathers the profiles of every evaluator.
type profiler struct {
	mu    sync.Mutex
	rules map[*engine.Detection]*RuleProfile
}

// evalProfile is one evaluator's share, merged when it stops.
type evalProfile struct {
	rules map[*engine.Detection]*ruleCounter
	batch []batchTime // this batch's wall times, to scale
	cpu0  time.Duration
}

type ruleCounter struct {
	events, skipped, matches, errors int64
	cpu                              float64 // ns
}

type batchTime struct {
	c    *ruleCounter
	wall time.Duration
}

func threadCPU() time.Duration {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts); err != nil {
		return 0
	}
	return time.Duration(ts.Nano())
}

func newEvalProfile() *evalProfile {
	runtime.LockOSThread()
	return &evalProfile{rules: map[*engine.Detection]*ruleCounter{}}
}

func (p *evalProfile) startBatch() {
	p.batch = p.batch[:0]
	p.cpu0 = threadCPU()
}

func (p *evalProfile) add(d *engine.Detection, m *engine.Match, wall time.Duration) {
	c := p.rules[d]
	if c == nil {
		c = &ruleCounter{}
		p.rules[d] = c
	}
	c.events++
	if m.Skipped {
		c.skipped++
	}
	if m.Matched {
		c.matches++
	}
	if m.Err != nil || len(m.AuxErrors) > 0 {
		c.errors++
	}
	p.batch = append(p.batch, batchTime{c, wall})
}

// endBatch shares the batch's thread CPU time among its evaluations.
func (p *evalProfile) endBatch() {
	cpu := threadCPU() - p.cpu0
	var wall time.Duration
	for _, b := range p.batch {
		wall += b.wall
	}
	scale := 1.0
	if wall > 0 && cpu > 0 && cpu < wall {
		scale = float64(cpu) / float64(wall)
	}
	for _, b := range p.batch {
		b.c.cpu += float64(b.wall) * scale
	}
}

func (pr *profiler) merge(p *evalProfile) {
	runtime.UnlockOSThread()
	pr.mu.Lock()
	defer pr.mu.Unlock()
	for d, c := range p.rules {
		rp := pr.rules[d]
		if rp == nil {
			rp = &RuleProfile{ID: d.ID, LogTypes: d.LogTypes}
			pr.rules[d] = rp
		}
		rp.Events += c.events
		rp.Skipped += c.skipped
		rp.Matches += c.matches
		rp.Errors += c.errors
		rp.CPU += time.Duration(c.cpu)
	}
}

// list returns the profiles, the costliest first.
func (pr *profiler) list() []RuleProfile {
	out := make([]RuleProfile, 0, len(pr.rules))
	for _, p := range pr.rules {
		out = append(out, *p)
	}
	slices.SortFunc(out, func(a, b RuleProfile) int {
		if c := cmp.Compare(b.CPU, a.CPU); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return out
}
