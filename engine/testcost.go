package engine

import (
	"time"

	"panther/parsers/event"
)

// The cost of a detection on its test events, for `panther test`'s warning
// about slow detections (TestOptions.SlowRule): a detection that needs
// hundreds of microseconds an event holds a replay to a few thousand
// events a second, and its author should hear it before a replay does.

// costRuns is how many times a test event is evaluated to measure its
// cost; the fastest run counts (the others paid for what else the machine
// was doing).
const costRuns = 5

// SlowDetection is a detection whose test events cost more than
// TestOptions.SlowRule.
type SlowDetection struct {
	Detection *Detection
	Test      string        // the costliest test
	Cost      time.Duration // per evaluation of that test's event
}

// evalCost is the fastest of costRuns evaluations of d on e (guard, rule()
// and, when it matches, the alert functions): what a replay pays for e.
func (ev *Evaluator) evalCost(d *Detection, e *event.Event) time.Duration {
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

// slowDetections lists the detections whose costliest test is over limit.
func slowDetections(results []TestResult, limit time.Duration) []SlowDetection {
	worst := map[*Detection]*SlowDetection{}
	var order []*Detection
	for _, r := range results {
		if r.Cost <= limit {
			continue
		}
		s := worst[r.Detection]
		if s == nil {
			s = &SlowDetection{Detection: r.Detection}
			worst[r.Detection] = s
			order = append(order, r.Detection)
		}
		if r.Cost > s.Cost {
			s.Cost, s.Test = r.Cost, r.Test
		}
	}
	out := make([]SlowDetection, 0, len(order))
	for _, d := range order {
		out = append(out, *worst[d])
	}
	return out
}
