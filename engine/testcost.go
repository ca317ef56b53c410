package engine

import (
	"time"

	"panther/parsers/event"
)

// costRuns is how many times EvalCost evaluates an event; the fastest run
// counts (the others paid for what else the machine was doing).
const costRuns = 5

// EvalCost is the fastest of a few evaluations of d on e (guard, rule()
// and, when it matches, the alert functions): what a replay pays for e.
// `panther test` uses it to warn about slow detections (package tester).
func (ev *Evaluator) EvalCost(d *Detection, e *event.Event) time.Duration {
	var m Match
	ev.vm.SetPrint(nil) // the test's own run showed its prints
	defer ev.vm.SetPrint(ev.opts.Print)
	best := time.Duration(-1)
	for range costRuns {
		start := time.Now()
		ev.EvaluateInto(d, ev.NewEvent(e), &m)
		if took := time.Since(start); best < 0 || took < best {
			best = took
		}
	}
	return best
}
