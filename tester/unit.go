package tester

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"panther/engine"
)

// runUnitTest runs one unit test on a fresh environment of ev.
func runUnitTest(ev *engine.Evaluator, set *engine.Set, d *engine.Detection, t *engine.TestSpec, now time.Time, keep, measure bool) Result {
	start := time.Now()
	res := Result{Detection: d, Test: t.Name, File: d.File, Line: t.Line}
	defer func() { res.Duration = time.Since(start) }()
	fail := func(format string, args ...any) { res.Failures = append(res.Failures, fmt.Sprintf(format, args...)) }

	ev.Reset()
	e, err := engine.TestEvent(set, d, t, now)
	if err != nil {
		fail("the test's event: %v", err)
		return res
	}
	defer e.Release()
	res.Event = e.AppendJSON(nil)
	applied, err := ev.ApplyMocks(d, t.Mocks)
	if keep {
		res.Mocks = applied
	}
	if err != nil {
		fail("%v", err)
		return res
	}
	// A rule with FirstSeen sees the test's History first: the values of
	// the events that pass rule() are seen, then the Log is checked.
	var fs *engine.FirstSeenState
	if d.HasFirstSeen() {
		fs = engine.NewFirstSeenState(engine.FirstSeenOptions{NoLearning: true})
		hist, err := engine.TestHistory(set, d, t, now)
		if err != nil {
			fail("the test's %v", err)
			return res
		}
		for i, h := range hist {
			hm := ev.Evaluate(d, h)
			if hm.Err != nil {
				fail("History event %d: %s: %v", i+1, mainFunc(d), hm.Err)
			}
			fs.Filter(&hm, h)
			h.Release()
		}
		if len(res.Failures) > 0 {
			return res
		}
	}
	m := ev.Evaluate(d, e)
	res.Match = &m
	if m.Err != nil {
		fail("%s: %v", mainFunc(d), m.Err)
		return res
	}
	seen := false
	if fs != nil && m.Matched {
		seen = !fs.Filter(&m, e)
	}
	got := m.Matched
	if d.Kind == engine.TypePolicy {
		got = !m.Matched // ExpectedResult of a policy test is "compliant"
	}
	switch {
	case got != t.ExpectedResult && seen:
		fail("%s returned true, but FirstSeen: the value was seen in the test's History (or the event has none); expected %v", mainFunc(d), t.ExpectedResult)
	case got != t.ExpectedResult:
		fail("%s returned %v, expected %v", mainFunc(d), got, t.ExpectedResult)
	}
	for _, ae := range m.AuxErrors {
		fail("%v", ae)
	}
	if t.Expect != nil {
		if !m.Matched {
			fail("Expect is checked on alerts, but this test raised none")
		} else {
			checkExpect(t.Expect, &m, fail)
		}
	}
	res.Passed = len(res.Failures) == 0
	if res.Passed && measure {
		res.Cost = ev.EvalCost(d, e)
	}
	return res
}

func mainFunc(d *engine.Detection) string {
	if d.Kind == engine.TypePolicy {
		return "policy()"
	}
	return "rule()"
}

func checkExpect(ex *engine.ExpectSpec, m *engine.Match, fail func(string, ...any)) {
	eq := func(name string, want *string, got string, fold bool) {
		if want == nil {
			return
		}
		if got == *want || fold && strings.EqualFold(got, *want) {
			return
		}
		fail("%s: expected %q, got %q", name, *want, got)
	}
	eq("title", ex.Title, m.Title, false)
	eq("dedup", ex.Dedup, m.Dedup, false)
	eq("severity", ex.Severity, m.Severity, true)
	eq("description", ex.Description, m.Description, false)
	eq("reference", ex.Reference, m.Reference, false)
	eq("runbook", ex.Runbook, m.Runbook, false)
	if ex.Destinations != nil && !slices.Equal(*ex.Destinations, m.Destinations) {
		fail("destinations: expected %q, got %q", *ex.Destinations, m.Destinations)
	}
	if ex.AlertContext != nil {
		var got any
		if m.AlertContext != nil {
			if err := json.Unmarshal(m.AlertContext, &got); err != nil {
				fail("alert_context: %v", err)
				return
			}
		}
		if path, ok := subset(ex.AlertContext, got, "alert_context"); !ok {
			fail("%s", path)
		}
	}
}

// subset reports whether want is contained in got: maps by key (got may
// have more), lists element by element, scalars equal (numbers by value).
func subset(want, got any, where string) (string, bool) {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return fmt.Sprintf("%s: expected a table, got %s", where, show(got)), false
		}
		keys := make([]string, 0, len(w))
		for k := range w {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			gv, has := g[k]
			if !has {
				return fmt.Sprintf("%s.%s: expected %s, missing", where, k, show(w[k])), false
			}
			if p, ok := subset(w[k], gv, where+"."+k); !ok {
				return p, false
			}
		}
		return "", true
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return fmt.Sprintf("%s: expected %s, got %s", where, show(want), show(got)), false
		}
		for i := range w {
			if p, ok := subset(w[i], g[i], fmt.Sprintf("%s[%d]", where, i+1)); !ok {
				return p, false
			}
		}
		return "", true
	}
	if wf, ok := number(want); ok {
		if gf, ok := number(got); ok && (wf == gf || math.Abs(wf-gf) < 1e-9) {
			return "", true
		}
	} else if want == got {
		return "", true
	}
	return fmt.Sprintf("%s: expected %s, got %s", where, show(want), show(got)), false
}

func number(v any) (float64, bool) {
	switch x := v.(type) {
	case int64:
		return float64(x), true
	case int:
		return float64(x), true
	case float64:
		return x, true
	}
	return 0, false
}

func show(v any) string {
	if v == nil {
		return "nothing"
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
