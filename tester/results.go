package tester

import (
	"iter"
	"time"

	"panther/engine"
)

// Result is the outcome of one test.
type Result struct {
	Detection *engine.Detection
	Test      string
	Fixture   bool   // a fixture test (raw logs through the replay path)
	File      string // where the test is declared
	Line      int
	Passed    bool
	// Failures say what did not hold, one reason each.
	Failures []string
	// Diff is an expected-vs-got diff for fixture tests.
	Diff     string
	Prints   string
	Duration time.Duration
	// Cost is what evaluating the test's event costs the detection (the
	// fastest of a few runs), with Options.SlowRule.
	Cost  time.Duration
	Match *engine.Match // unit tests: what the detection produced
	Event []byte        // unit tests: the event as the detection saw it (debug)
	// Mocks are the mocks of a unit test and what each replaced (debug).
	Mocks []engine.MockApplied
}

// Results are the results of a run as they come, in a stable order (by
// detection ID, then as declared, fixtures after unit tests), with what is
// known before the first test ends. A reporter reads them once, with Next
// or All; the counts are final once every result was read.
type Results struct {
	// Diagnostics are the load problems of the detections.
	Diagnostics engine.Diagnostics
	// Detections are the detections selected, by ID.
	Detections []*engine.Detection
	// BelowMinimum lists the detections that fail MinimumTests, with why.
	BelowMinimum []string

	c         <-chan Result
	start     time.Time
	elapsed   time.Duration
	passed    int
	failed    int
	byLogType map[string]int
	slowLimit time.Duration
	slow      map[*engine.Detection]int // into slowList
	slowList  []SlowDetection
}

func newResults(c <-chan Result) *Results {
	return &Results{c: c, start: time.Now(), byLogType: map[string]int{}}
}

// Next returns the next result; false once every result was read.
func (r *Results) Next() (Result, bool) {
	res, ok := <-r.c
	if !ok {
		if r.elapsed == 0 {
			r.elapsed = time.Since(r.start)
		}
		return Result{}, false
	}
	r.noteCost(&res)
	if res.Passed {
		r.passed++
	} else {
		r.failed++
	}
	for _, lt := range res.Detection.LogTypes {
		r.byLogType[lt]++
	}
	if len(res.Detection.LogTypes) == 0 {
		r.byLogType["("+string(res.Detection.Kind)+")"]++
	}
	return res, true
}

// All iterates over the results not read yet.
func (r *Results) All() iter.Seq[Result] {
	return func(yield func(Result) bool) {
		for {
			res, ok := r.Next()
			if !ok || !yield(res) {
				return
			}
		}
	}
}

// Passed and Failed count the results read so far.
func (r *Results) Passed() int { return r.passed }

// Failed counts the failed results read so far.
func (r *Results) Failed() int { return r.failed }

// TestsByLogType counts the results read so far per log type (a rule with
// several log types counts for each; a detection without any under
// "(kind)").
func (r *Results) TestsByLogType() map[string]int { return r.byLogType }

// Elapsed is the run's duration, once every result was read.
func (r *Results) Elapsed() time.Duration { return r.elapsed }

// OK reports whether the run passes the gate, once every result was read:
// no failed test, no load error, no detection below the minimum.
func (r *Results) OK() bool {
	return r.failed == 0 && r.Diagnostics.Errors() == 0 && len(r.BelowMinimum) == 0
}

// Collect reads the remaining results into a Report.
func (r *Results) Collect() *Report {
	rep := &Report{Diagnostics: r.Diagnostics, Detections: r.Detections, BelowMinimum: r.BelowMinimum}
	for res := range r.All() {
		rep.Results = append(rep.Results, res)
	}
	rep.Passed, rep.Failed, rep.Elapsed = r.passed, r.failed, r.elapsed
	return rep
}

// Report is a run read whole, for callers that keep it (pack checks).
type Report struct {
	Results      []Result
	Diagnostics  engine.Diagnostics
	Detections   []*engine.Detection
	BelowMinimum []string
	Passed       int
	Failed       int
	Elapsed      time.Duration
}

// Stream gives the report to a reporter.
func (rep *Report) Stream() *Results {
	c := make(chan Result, len(rep.Results))
	for _, res := range rep.Results {
		c <- res
	}
	close(c)
	r := newResults(c)
	r.Diagnostics, r.Detections, r.BelowMinimum = rep.Diagnostics, rep.Detections, rep.BelowMinimum
	r.elapsed = rep.Elapsed
	return r
}
