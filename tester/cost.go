package tester

import (
	"time"

	"panther/engine"
)

// The cost of a detection on its test events, for `panther test`'s warning
// about slow detections (Options.SlowRule): a detection that needs hundreds
// of microseconds an event holds a replay to a few thousand events a
// second, and its author should hear it before a replay does.

// SlowDetection is a detection whose test events cost more than
// Options.SlowRule.
type SlowDetection struct {
	Detection *engine.Detection
	Test      string        // the costliest test
	Cost      time.Duration // per evaluation of that test's event
}

// noteCost keeps res's detection in the slow list when its cost is over
// the limit.
func (r *Results) noteCost(res *Result) {
	if r.slowLimit <= 0 || res.Cost <= r.slowLimit {
		return
	}
	if r.slow == nil {
		r.slow = map[*engine.Detection]int{}
	}
	i, ok := r.slow[res.Detection]
	if !ok {
		i = len(r.slowList)
		r.slow[res.Detection] = i
		r.slowList = append(r.slowList, SlowDetection{Detection: res.Detection})
	}
	if s := &r.slowList[i]; res.Cost > s.Cost {
		s.Cost, s.Test = res.Cost, res.Test
	}
}

// Slow lists the detections whose costliest test event (among the results
// read so far) is over Options.SlowRule, in the order results came.
func (r *Results) Slow() []SlowDetection { return r.slowList }
