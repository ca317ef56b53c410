package tester

import (
	"bytes"
	"context"
	"fmt"
	"regexp"
	"runtime"
	"sync"
	"time"

	"panther/engine"
)

// Options configure a run.
type Options struct {
	// Filters keep detections whose keys match (every kind, disabled ones
	// too: a disabled detection's tests still run).
	Filters []Filter
	// Run, when set, keeps detections whose ID matches it, and otherwise
	// the tests (unit or fixture) whose name matches it.
	Run *regexp.Regexp
	// MinimumTests fails detections with fewer tests (and, from 2, without
	// both a true and a false test).
	MinimumTests int
	Parallel     int           // tests at once; 0 = GOMAXPROCS
	Budget       time.Duration // per Lua call
	Now          func() time.Time
	// KeepOutputs records every function's output and the mocks applied
	// (panther debug).
	KeepOutputs bool
	// Update writes the alerts fixture tests raise into their expected
	// files; Updated hears of each file written, with what changed.
	Update  bool
	Updated func(file, change string)
	// SlowRule, when positive, times each passing unit test's event
	// (Result.Cost) and lists the detections over it (Results.Slow).
	SlowRule time.Duration
}

type job struct {
	det   *engine.Detection
	index int // into det.Tests; -1 for the fixtures of det
	out   []Result
	done  chan struct{}
	ran   bool // out is known before the workers start (alert rules)
}

// Run starts the selected tests — unit tests each in a fresh Lua
// environment, fixture tests through the replay pipeline — in parallel,
// and returns their results as they come, in a stable order. Reading them
// to the end (Results.Next, All, Collect or a Reporter) ends the run;
// cancelling ctx ends it early, without the remaining results.
func Run(ctx context.Context, set *engine.Set, opts Options) *Results {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	dets, _ := Select(set, Selection{Filters: opts.Filters, Disabled: true})
	var jobs []*job
	var picked []*engine.Detection
	var below []string
	for _, d := range dets {
		idMatch := opts.Run == nil || opts.Run.MatchString(d.ID)
		var tests []int
		for i, t := range d.Tests {
			if idMatch || opts.Run.MatchString(t.Name) {
				tests = append(tests, i)
			}
		}
		fixtures := len(d.Spec.Fixtures) > 0 && (idMatch || fixtureNameMatch(d, opts.Run))
		if !idMatch && len(tests) == 0 && !fixtures {
			continue
		}
		picked = append(picked, d)
		if opts.MinimumTests > 0 {
			if why := belowMinimum(d, opts.MinimumTests); why != "" {
				below = append(below, fmt.Sprintf("%s (%s): %s", d.ID, d.File, why))
			}
		}
		for _, i := range tests {
			jobs = append(jobs, &job{det: d, index: i, done: make(chan struct{})})
		}
		if fixtures {
			jobs = append(jobs, &job{det: d, index: -1, done: make(chan struct{})})
		}
	}
	arDets, arResults, arBelow := alertRuleResults(set, opts)
	for i, d := range arDets {
		picked = append(picked, d)
		j := &job{det: d, out: arResults[i], done: make(chan struct{}), ran: true}
		close(j.done)
		jobs = append(jobs, j)
	}
	below = append(below, arBelow...)
	out := make(chan Result, 64)
	res := newResults(out)
	res.Diagnostics, res.Detections, res.BelowMinimum = set.Diagnostics, picked, below
	res.slowLimit = opts.SlowRule

	workers := opts.Parallel
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, max(len(jobs), 1))
	fx := &fixtures{update: opts.Update, updated: opts.Updated, budget: opts.Budget}
	next := make(chan *job)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var prints bytes.Buffer
			ev := engine.NewEvaluator(set, engine.EvalOptions{Budget: opts.Budget, Print: &prints, KeepOutputs: opts.KeepOutputs})
			defer ev.Close()
			for j := range next {
				if ctx.Err() == nil {
					switch {
					case j.index < 0:
						j.out = fx.run(ctx, set, j.det, opts.Run)
					case j.det.Kind == engine.TypeCorrelationRule:
						j.out = []Result{runCorrelationTest(set, j.det, &j.det.Tests[j.index], opts.Budget)}
					default:
						prints.Reset()
						r := runUnitTest(ev, set, j.det, &j.det.Tests[j.index], opts.Now(), opts.KeepOutputs, opts.SlowRule > 0 && !opts.KeepOutputs)
						r.Prints = prints.String()
						j.out = []Result{r}
					}
				}
				close(j.done)
			}
		}()
	}
	go func() {
		defer close(next)
		for _, j := range jobs {
			if j.ran {
				continue
			}
			select {
			case next <- j:
			case <-ctx.Done():
				return
			}
		}
	}()
	// Results leave in job order, whatever order the workers finish in.
	go func() {
		defer close(out)
		defer wg.Wait()
		for _, j := range jobs {
			select {
			case <-j.done:
			case <-ctx.Done():
				return
			}
			for _, r := range j.out {
				select {
				case out <- r:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	return res
}

func fixtureNameMatch(d *engine.Detection, re *regexp.Regexp) bool {
	for _, f := range d.Spec.Fixtures {
		if re.MatchString(fixtureName(f)) || re.MatchString(f.Name) {
			return true
		}
	}
	return false
}

func belowMinimum(d *engine.Detection, n int) string {
	total := len(d.Tests) + len(d.Spec.Fixtures)
	if total < n {
		return fmt.Sprintf("%d test(s), at least %d required", total, n)
	}
	if n >= 2 {
		var pos, neg bool
		for _, t := range d.Tests {
			pos = pos || t.ExpectedResult
			neg = neg || !t.ExpectedResult
		}
		if len(d.Spec.Fixtures) > 0 {
			pos = true
		}
		if !pos || !neg {
			return "needs at least one test expecting true and one expecting false"
		}
	}
	return ""
}
