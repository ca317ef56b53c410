package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	lua "github.com/yuin/gopher-lua"

	"panther/parsers"
	"panther/parsers/event"
)

// Filter selects detections by a spec key, as panther_analysis_tool's
// --filter does: Key=V1,V2 keeps detections whose Key is one of the values
// (for lists such as LogTypes or Tags: holds one of them); Key!=V drops
// them. Values compare without case.
type Filter struct {
	Key    string
	Values []string
	Negate bool
}

// filterKeys are the keys a filter may name.
var filterKeys = []string{"AnalysisType", "RuleID", "PolicyID", "ID", "DisplayName", "Enabled", "LogTypes",
	"ResourceTypes", "Severity", "Tags", "Reports", "Filename", "DedupPeriodMinutes", "Threshold"}

// ParseFilter parses "Key=V1,V2" or "Key!=V".
func ParseFilter(s string) (Filter, error) {
	neg := false
	k, v, ok := strings.Cut(s, "!=")
	if ok {
		neg = true
	} else if k, v, ok = strings.Cut(s, "="); !ok {
		return Filter{}, fmt.Errorf("filter %q: write Key=Value (for example LogTypes=AWS.CloudTrail)", s)
	}
	k = strings.TrimSpace(k)
	if !slices.Contains(filterKeys, k) {
		hint := "keys: " + strings.Join(filterKeys, ", ")
		if n := parsers.Nearest(k, filterKeys); n != "" {
			hint = "did you mean " + n + "?"
		}
		return Filter{}, fmt.Errorf("filter %q: unknown key %s (%s)", s, k, hint)
	}
	var vals []string
	for _, x := range strings.Split(v, ",") {
		if x = strings.TrimSpace(x); x != "" {
			vals = append(vals, x)
		}
	}
	if len(vals) == 0 {
		return Filter{}, fmt.Errorf("filter %q: no value", s)
	}
	return Filter{Key: k, Values: vals, Negate: neg}, nil
}

func (f Filter) values(d *Detection) []string {
	s := d.Spec
	switch f.Key {
	case "AnalysisType":
		return []string{d.Kind}
	case "RuleID", "PolicyID", "ID":
		return []string{d.ID}
	case "DisplayName":
		return []string{s.DisplayName}
	case "Enabled":
		return []string{fmt.Sprint(d.Enabled)}
	case "LogTypes", "ResourceTypes":
		return d.LogTypes
	case "Severity":
		return []string{d.Severity}
	case "Tags":
		return s.Tags
	case "Reports":
		var out []string
		for k, ids := range s.Reports {
			out = append(out, k)
			out = append(out, ids...)
		}
		return out
	case "Filename":
		return []string{s.Filename}
	case "DedupPeriodMinutes":
		return []string{fmt.Sprint(int(d.DedupPeriod.Minutes()))}
	case "Threshold":
		return []string{fmt.Sprint(d.Threshold)}
	}
	return nil
}

// Match reports whether d passes the filter.
func (f Filter) Match(d *Detection) bool {
	hit := false
	for _, have := range f.values(d) {
		for _, want := range f.Values {
			if strings.EqualFold(have, want) {
				hit = true
			}
		}
	}
	return hit != f.Negate
}

// Select returns the detections passing every filter, sorted by ID.
func (s *Set) Select(filters []Filter) []*Detection {
	var out []*Detection
	for _, d := range s.Detections {
		ok := true
		for _, f := range filters {
			if !f.Match(d) {
				ok = false
				break
			}
		}
		if ok {
			out = append(out, d)
		}
	}
	return out
}

// TestOptions configure RunTests.
type TestOptions struct {
	Filters []Filter
	// Run, when set, keeps detections whose ID matches it, and otherwise
	// the tests whose name matches it.
	Run *regexp.Regexp
	// MinimumTests fails detections with fewer tests (and, from 2, without
	// both a true and a false test).
	MinimumTests int
	Parallel     int           // 0 = GOMAXPROCS
	Budget       time.Duration // per Lua call
	Now          func() time.Time
	// KeepOutputs records every function's output (debug).
	KeepOutputs bool
	// Fixtures runs the fixture tests of detections; nil skips them. The
	// replay package provides it (engine cannot import replay).
	Fixtures FixtureRunner
}

// FixtureRunner runs the fixture tests of one detection.
type FixtureRunner interface {
	RunFixtures(ctx context.Context, set *Set, d *Detection) []TestResult
}

// CorrelationTester runs a unit test of a correlation rule (its
// RuleOutputs through package correlate, which engine cannot import). The
// FixtureRunner of TestOptions provides it when it implements it.
type CorrelationTester interface {
	RunCorrelationTest(set *Set, d *Detection, t *TestSpec, budget time.Duration) TestResult
}

// TestResult is the outcome of one test.
type TestResult struct {
	Detection *Detection
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
	Match    *Match // unit tests: what the detection produced
	Event    []byte // unit tests: the event as the detection saw it (debug)
}

// TestReport is the outcome of a run.
type TestReport struct {
	Results []TestResult
	// Detections are the detections selected.
	Detections []*Detection
	// BelowMinimum lists detections that fail --minimum-tests, with why.
	BelowMinimum []string
	Passed       int
	Failed       int
	Elapsed      time.Duration
}

// TestsByLogType counts the tests of the report per log type (a rule with
// several log types counts for each).
func (r *TestReport) TestsByLogType() map[string]int {
	out := map[string]int{}
	for _, res := range r.Results {
		for _, lt := range res.Detection.LogTypes {
			out[lt]++
		}
		if len(res.Detection.LogTypes) == 0 {
			out["("+res.Detection.Kind+")"]++
		}
	}
	return out
}

type testJob struct {
	det   *Detection
	index int // into det.Tests; -1 for the fixtures of det
	slot  int
}

// RunTests runs the selected tests, each in a fresh Lua environment, in
// parallel, and returns results in a stable order (by detection ID, then
// as declared).
func RunTests(ctx context.Context, set *Set, opts TestOptions) *TestReport {
	start := time.Now()
	rep := &TestReport{}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	var jobs []testJob
	for _, d := range set.Select(opts.Filters) {
		idMatch := opts.Run == nil || opts.Run.MatchString(d.ID)
		var picked []int
		for i, t := range d.Tests {
			if idMatch || opts.Run.MatchString(t.Name) {
				picked = append(picked, i)
			}
		}
		hasFixtures := opts.Fixtures != nil && len(d.Spec.Fixtures) > 0
		if !idMatch && len(picked) == 0 && !(hasFixtures && fixtureNameMatch(d, opts.Run)) {
			continue
		}
		rep.Detections = append(rep.Detections, d)
		if opts.MinimumTests > 0 {
			if why := belowMinimum(d, opts.MinimumTests); why != "" {
				rep.BelowMinimum = append(rep.BelowMinimum, fmt.Sprintf("%s (%s): %s", d.ID, d.File, why))
			}
		}
		for _, i := range picked {
			jobs = append(jobs, testJob{det: d, index: i, slot: len(jobs)})
		}
		if hasFixtures {
			jobs = append(jobs, testJob{det: d, index: -1, slot: len(jobs)})
		}
	}
	results := make([][]TestResult, len(jobs))
	workers := opts.Parallel
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, max(len(jobs), 1))
	next := make(chan testJob)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var prints bytes.Buffer
			ev := NewEvaluator(set, EvalOptions{Budget: opts.Budget, Print: &prints, KeepOutputs: opts.KeepOutputs})
			defer ev.Close()
			for j := range next {
				if ctx.Err() != nil {
					continue
				}
				if j.index < 0 {
					results[j.slot] = opts.Fixtures.RunFixtures(ctx, set, j.det)
					continue
				}
				if j.det.Kind == TypeCorrelationRule {
					results[j.slot] = []TestResult{runCorrelationTest(opts, set, j.det, &j.det.Tests[j.index])}
					continue
				}
				prints.Reset()
				res := runUnitTest(ev, set, j.det, &j.det.Tests[j.index], now())
				res.Prints = prints.String()
				results[j.slot] = []TestResult{res}
			}
		}()
	}
	for _, j := range jobs {
		next <- j
	}
	close(next)
	wg.Wait()
	for _, rs := range results {
		for _, r := range rs {
			if opts.Run != nil && r.Fixture && !opts.Run.MatchString(r.Detection.ID) && !opts.Run.MatchString(r.Test) {
				continue
			}
			rep.Results = append(rep.Results, r)
			if r.Passed {
				rep.Passed++
			} else {
				rep.Failed++
			}
		}
	}
	runAlertRuleTests(set, opts, rep)
	rep.Elapsed = time.Since(start)
	return rep
}

// runAlertRuleTests runs the tests of the alert rules (Go, no Lua), each
// reported under a Detection of Kind TypeAlertRule.
func runAlertRuleTests(set *Set, opts TestOptions, rep *TestReport) {
	if set.AlertRuleSet == nil {
		return
	}
	for _, ar := range set.AlertRules {
		d := &Detection{Kind: TypeAlertRule, ID: ar.ID, File: ar.File, Line: ar.Line, Enabled: ar.Rule.Enabled,
			Spec: &Spec{AnalysisType: TypeAlertRule, RuleID: ar.ID, Description: ar.Rule.Description}}
		keep := true
		for _, f := range opts.Filters {
			keep = keep && f.Match(d)
		}
		if !keep {
			continue
		}
		idMatch := opts.Run == nil || opts.Run.MatchString(ar.ID)
		var results []TestResult
		for _, res := range set.AlertRuleSet.RunTests(ar.Rule) {
			if !idMatch && !opts.Run.MatchString(res.Test.Name) {
				continue
			}
			results = append(results, TestResult{Detection: d, Test: res.Test.Name, File: ar.File, Line: res.Test.Line,
				Passed: res.Passed(), Failures: res.Failures})
		}
		if !idMatch && len(results) == 0 {
			continue
		}
		rep.Detections = append(rep.Detections, d)
		if opts.MinimumTests > 0 && len(ar.Rule.Tests) < opts.MinimumTests {
			rep.BelowMinimum = append(rep.BelowMinimum, fmt.Sprintf("%s (%s): %d tests, fewer than %d", ar.ID, ar.File, len(ar.Rule.Tests), opts.MinimumTests))
		}
		for _, r := range results {
			rep.Results = append(rep.Results, r)
			if r.Passed {
				rep.Passed++
			} else {
				rep.Failed++
			}
		}
	}
}

func fixtureNameMatch(d *Detection, re *regexp.Regexp) bool {
	for _, f := range d.Spec.Fixtures {
		if re.MatchString(f.Name) {
			return true
		}
	}
	return false
}

func belowMinimum(d *Detection, n int) string {
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

// TestEvent builds the event of a unit test: the Log parsed, then the
// standard fields of its log type filled in (p_ fields written in the Log
// win, so tests written for Panther keep working).
func TestEvent(set *Set, d *Detection, t *TestSpec, now time.Time) (*event.Event, error) {
	e := event.New()
	if err := e.ParseJSON(t.Log); err != nil {
		e.Release()
		return nil, err
	}
	logType := ""
	if v := e.Fields.GetStringBytes(event.FieldLogType); v != nil {
		logType = string(v)
	} else if len(d.LogTypes) > 0 {
		logType = d.LogTypes[0]
	}
	if d.Kind == TypeRule && logType != "" && set.Registry != nil {
		if lt, ok := set.Registry.Lookup(logType); ok {
			e.LogType = lt.Name
			if err := set.Registry.Normalise(lt, e, parsers.Source{File: d.File}, int64(t.Line), now); err != nil {
				e.Release()
				return nil, err
			}
			return e, nil
		}
	}
	e.LogType = logType
	return e, nil
}

func runUnitTest(ev *Evaluator, set *Set, d *Detection, t *TestSpec, now time.Time) TestResult {
	start := time.Now()
	res := TestResult{Detection: d, Test: t.Name, File: d.File, Line: t.Line}
	defer func() { res.Duration = time.Since(start) }()
	fail := func(format string, args ...any) { res.Failures = append(res.Failures, fmt.Sprintf(format, args...)) }

	ev.Reset()
	e, err := TestEvent(set, d, t, now)
	if err != nil {
		fail("the test's event: %v", err)
		return res
	}
	defer e.Release()
	res.Event = e.AppendJSON(nil)
	if err := ev.applyMocks(d, t.Mocks); err != nil {
		fail("%v", err)
		return res
	}
	m := ev.Evaluate(d, e)
	res.Match = &m
	if m.Err != nil {
		fail("%s: %v", mainFunc(d), m.Err)
		return res
	}
	got := m.Matched
	if d.Kind == TypePolicy {
		got = !m.Matched // ExpectedResult of a policy test is "compliant"
	}
	if got != t.ExpectedResult {
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
	return res
}

func runCorrelationTest(opts TestOptions, set *Set, d *Detection, t *TestSpec) TestResult {
	if ct, ok := opts.Fixtures.(CorrelationTester); ok {
		return ct.RunCorrelationTest(set, d, t, opts.Budget)
	}
	return TestResult{Detection: d, Test: t.Name, File: d.File, Line: t.Line,
		Failures: []string{"correlation tests need the correlation engine (package correlate): run them with panther test"}}
}

// CheckExpect checks a test's Expect against a match and returns what did
// not hold (correlation tests use it on their alert).
func CheckExpect(ex *ExpectSpec, m *Match) []string {
	var out []string
	checkExpect(ex, m, func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) })
	return out
}

func mainFunc(d *Detection) string {
	if d.Kind == TypePolicy {
		return "policy()"
	}
	return "rule()"
}

func checkExpect(ex *ExpectSpec, m *Match, fail func(string, ...any)) {
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

// applyMocks replaces globals for one test (the evaluator was just Reset).
// A plain name replaces a global of the detection, or of a helper it
// requires; "helper.name" replaces a field of that helper. A mocked
// function returns returnValue; a mocked value becomes returnValue.
func (ev *Evaluator) applyMocks(d *Detection, mocks []MockSpec) error {
	if len(mocks) == 0 {
		return nil
	}
	in, err := ev.instance(d)
	if err != nil {
		return nil // reported by the evaluation itself
	}
	vm := ev.vm
	for _, mk := range mocks {
		val := vm.FromGo(mk.ReturnValue)
		replace := func(old lua.LValue) lua.LValue {
			if _, isFn := old.(*lua.LFunction); isFn {
				v := val
				return vm.L.NewFunction(func(L *lua.LState) int { L.Push(v); return 1 })
			}
			return val
		}
		name := mk.ObjectName
		if mod, field, dotted := strings.Cut(name, "."); dotted {
			if _, ok := ev.req.Module(mod); !ok {
				return fmt.Errorf("mock %s (line %d): the detection does not require(%q)", name, mk.Line, mod)
			}
			if err := ev.patchModule(mod, field, replace); err != nil {
				return fmt.Errorf("mock %s (line %d): %v", name, mk.Line, err)
			}
			continue
		}
		if old := in.env.Get(name); old != lua.LNil {
			in.env.Set(name, replace(old))
			// Keep the evaluator's function table in step (a mocked title).
			if f, ok := in.env.Get(name).(*lua.LFunction); ok {
				if _, aux := in.funcs[name]; aux {
					in.funcs[name] = f
				}
			}
			continue
		}
		patched := false
		for _, g := range ev.set.Globals {
			if _, ok := ev.req.Module(g.ID); ok && ev.patchModule(g.ID, name, replace) == nil {
				patched = true
			}
		}
		if !patched {
			return fmt.Errorf("mock %s (line %d): no global named %s in %s or the helpers it requires", name, mk.Line, name, d.LuaFile)
		}
	}
	return nil
}

// patchModule replaces field of a required helper: a global of the helper
// (seen through its functions too) or a field of the table it returned.
// Helpers are loaded afresh for each test, so the patch dies with it.
func (ev *Evaluator) patchModule(mod, field string, replace func(lua.LValue) lua.LValue) error {
	menv, _ := ev.req.Module(mod)
	if old := menv.Get(field); old != lua.LNil {
		menv.Set(field, replace(old))
		return nil
	}
	if v, ok := ev.req.Value(mod); ok {
		if t, isTable := v.(*lua.LTable); isTable {
			if old := t.RawGetString(field); old != lua.LNil {
				t.RawSetString(field, replace(old))
				return nil
			}
		}
	}
	return fmt.Errorf("helper %s has no %s", mod, field)
}
