package tester

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"gopkg.in/yaml.v3"

	"panther/engine"
	"panther/engine/replay"
	"panther/parsers"
	"panther/parsers/decode"
	"panther/parsers/input"
)

// Fixture tests run a detection over raw log files through exactly the
// replay pipeline — classify (or the given log type), parse, normalise,
// evaluate, dedup and threshold — and compare the alerts with an expected
// file. They catch what unit tests with a hand-written event cannot: a
// field name the real format does not have, and counting that never fires.
//
// A spec declares them:
//
//	Fixtures:
//	  - Name: five failures in two minutes   # default: the input's name
//	    Input: fixtures/brute_force.jsonl     # relative to the spec; may be compressed;
//	                                          # a folder: each of its files (a chain across log types)
//	    LogType: AWS.CloudTrail               # optional: default is to classify
//	    Expected: fixtures/brute_force.expected.yml  # default: Input + ".expected.yml"
//
// Folders named fixtures are not searched for specs. The expected file:
//
//	Alerts:                 # every alert of the detections named, in order
//	  - RuleID: AWS.Console.BruteForce
//	    Title: "..."
//	    Dedup: alice
//	    Severity: HIGH
//	    EventCount: 5
//	    FirstEventTime: "2024-01-01T00:00:00Z"
//	    LastEventTime: "2024-01-01T00:02:00Z"
//
// The detection that declares the fixture always runs; an expected alert
// may name another detection, which then runs too. `panther test --update`
// writes the observed alerts into the expected files; nothing else ever
// rewrites them.

// FixtureClock is the parse time of fixture tests.
var FixtureClock = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)

// ExpectedAlert is one alert of an expected file.
type ExpectedAlert struct {
	RuleID         string `yaml:"RuleID"`
	Title          string `yaml:"Title"`
	Dedup          string `yaml:"Dedup"`
	Severity       string `yaml:"Severity"`
	EventCount     int    `yaml:"EventCount"`
	FirstEventTime string `yaml:"FirstEventTime"`
	LastEventTime  string `yaml:"LastEventTime"`
}

// Expected is an expected file.
type Expected struct {
	Alerts []ExpectedAlert `yaml:"Alerts"`
}

var (
	expectedKeys = []string{"Alerts"}
	alertKeys    = []string{"RuleID", "Title", "Dedup", "Severity", "EventCount", "FirstEventTime", "LastEventTime"}
)

// fixtures runs the fixture tests of a run.
type fixtures struct {
	update  bool
	updated func(file, change string)
	budget  time.Duration
	mu      sync.Mutex // around updated
}

// fixtureName is a fixture test's name in results.
func fixtureName(f engine.FixtureSpec) string { return "fixture: " + f.Name }

// run runs d's fixture tests: all of them when d's ID matches the --run
// expression (or there is none), else those whose name matches.
func (fr *fixtures) run(ctx context.Context, set *engine.Set, d *engine.Detection, only *regexp.Regexp) []Result {
	var out []Result
	for _, f := range d.Spec.Fixtures {
		if only != nil && !only.MatchString(d.ID) && !only.MatchString(fixtureName(f)) && !only.MatchString(f.Name) {
			continue
		}
		out = append(out, fr.runOne(ctx, set, d, f))
	}
	return out
}

func (fr *fixtures) runOne(ctx context.Context, set *engine.Set, d *engine.Detection, f engine.FixtureSpec) (res Result) {
	start := time.Now()
	res = Result{Detection: d, Test: fixtureName(f), Fixture: true, File: d.File, Line: f.Line}
	defer func() {
		res.Duration = time.Since(start)
		res.Passed = len(res.Failures) == 0
	}()
	fail := func(format string, args ...any) { res.Failures = append(res.Failures, fmt.Sprintf(format, args...)) }
	dir := path.Dir(d.File)
	inputPath := path.Join(dir, f.Input)
	expPath := inputPath + ".expected.yml"
	if f.Expected != "" {
		expPath = path.Join(dir, f.Expected)
	}

	// The expected file, unless we are about to write it.
	var exp *Expected
	expData, err := set.ReadFile(expPath)
	switch {
	case err == nil:
		exp, err = decodeExpected(expPath, expData)
		if err != nil && !fr.update {
			fail("%v", err)
			return res
		}
	case errors.Is(err, fs.ErrNotExist) || strings.Contains(err.Error(), "not a file of the loaded detections"):
		if !fr.update {
			fail("%s does not exist: run `panther test --update` to write the alerts this fixture raises into it, then read it before committing", expPath)
			return res
		}
	default:
		fail("%s: %v", expPath, err)
		return res
	}

	rules := []*engine.Detection{d}
	if exp != nil {
		for _, a := range exp.Alerts {
			other, ok := set.Detection(a.RuleID)
			if !ok {
				hint := ""
				var ids []string
				for _, x := range set.Detections {
					ids = append(ids, x.ID)
				}
				if n := parsers.Nearest(a.RuleID, ids); n != "" {
					hint = " (did you mean " + n + "?)"
				}
				fail("%s: an expected alert names detection %q, which does not exist%s", expPath, a.RuleID, hint)
				return res
			}
			if !slices.Contains(rules, other) {
				rules = append(rules, other)
			}
		}
	}
	files, err := set.FixtureInputs(inputPath)
	if err != nil {
		fail("fixture %s: %v", f.Name, err)
		return res
	}
	var sources []input.Source
	for _, f := range files {
		sources = append(sources, input.Source{Path: f, Size: -1})
	}
	opts := replay.Options{Set: set, Registry: set.Registry, Rules: rules, Workers: 1, Budget: fr.budget,
		Sources: sources, Open: set.Open,
		// A fixed clock: formats without a year (RFC 3164 syslog) then land
		// in the same year whenever the test runs (2029, or 2030 for
		// early January), and expected files stay valid.
		Now: func() time.Time { return FixtureClock }}
	if f.LogType != "" {
		lt, ok := set.Registry.Lookup(f.LogType)
		if !ok {
			hint := ""
			if n := set.Registry.Nearest(f.LogType); n != "" {
				hint = " (did you mean " + n + "?)"
			}
			fail("fixture %s: unknown log type %q%s", f.Name, f.LogType, hint)
			return res
		}
		opts.LogType = lt
	}
	var got []*engine.Alert
	var bad []string
	var srcErr error
	opts.OnAlert = func(a *engine.Alert) { got = append(got, a) }
	opts.OnBadRecord = func(b *decode.BadRecord) { bad = append(bad, b.String()) }
	opts.OnSourceError = func(err error) { srcErr = err }
	st, err := replay.Run(ctx, opts)
	if err != nil {
		fail("%v", err)
		return res
	}
	if srcErr != nil {
		fail("%v", srcErr)
		return res
	}
	if len(bad) > 0 {
		what := "as any log type"
		if f.LogType != "" {
			what = "as " + f.LogType
		}
		fail("%d record(s) of %s do not parse %s:\n%s", len(bad), inputPath, what, strings.Join(firstN(bad, 5), "\n"))
	}
	if st.TotalEvents() == 0 {
		fail("%s holds no event", inputPath)
	}
	for id, n := range st.ErrorsPerRule {
		fail("%s: %d rule error(s) on the fixture's events", id, n)
	}
	engine.SortAlerts(got)
	observed := Expected{Alerts: []ExpectedAlert{}}
	for _, a := range got {
		observed.Alerts = append(observed.Alerts, ExpectedAlert{RuleID: a.RuleID, Title: a.Title, Dedup: a.Dedup,
			Severity: a.Severity, EventCount: a.EventCount,
			FirstEventTime: a.FirstEvent.UTC().Format(time.RFC3339Nano), LastEventTime: a.LastEvent.UTC().Format(time.RFC3339Nano)})
	}
	if fr.update {
		fr.write(set, d, f, expPath, inputPath, exp, &observed, fail)
		return res
	}
	if diff := diffAlerts(exp.Alerts, observed.Alerts); diff != "" {
		fail("the alerts differ from %s:", expPath)
		res.Diff = diff
	}
	return res
}

func firstN(l []string, n int) []string {
	if len(l) > n {
		return append(l[:n:n], fmt.Sprintf("... and %d more", len(l)-n))
	}
	return l
}

func (fr *fixtures) write(set *engine.Set, d *engine.Detection, f engine.FixtureSpec, expPath, inputPath string, old *Expected, observed *Expected, fail func(string, ...any)) {
	osPath, ok := set.OSPath(expPath)
	if !ok {
		fail("cannot update %s: it is in the detections embedded in the binary; run panther test --update on a checkout (panther test detections packs --update)", expPath)
		return
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "# Alerts that %s raises on %s.\n# Written by `panther test --update`: read it before committing.\n", d.ID, path.Base(inputPath))
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(observed); err != nil {
		fail("%v", err)
		return
	}
	var prev []ExpectedAlert
	if old != nil {
		prev = old.Alerts
	}
	change := diffAlerts(prev, observed.Alerts)
	if old != nil && change == "" {
		return
	}
	if err := os.WriteFile(osPath, b.Bytes(), 0o644); err != nil {
		fail("writing %s: %v", osPath, err)
		return
	}
	if fr.updated != nil {
		fr.mu.Lock()
		defer fr.mu.Unlock()
		if old == nil {
			change = fmt.Sprintf("created with %d alert(s)", len(observed.Alerts))
		}
		fr.updated(osPath, change)
	}
}

// decodeExpected reads an expected file strictly.
func decodeExpected(file string, data []byte) (*Expected, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("%s: %v", file, err)
	}
	if len(root.Content) == 0 {
		return nil, fmt.Errorf("%s: empty; write `Alerts: []` for a fixture that raises nothing", file)
	}
	if err := engine.CheckYAMLSize(file, &root, engine.MaxSpecExpanded); err != nil {
		return nil, err
	}
	doc := root.Content[0]
	if err := strictKeys(file, doc, expectedKeys); err != nil {
		return nil, err
	}
	for i := 0; i+1 < len(doc.Content); i += 2 {
		if doc.Content[i].Value != "Alerts" {
			continue
		}
		list := doc.Content[i+1]
		if list.Kind != yaml.SequenceNode {
			return nil, fmt.Errorf("%s:%d: Alerts must be a list", file, list.Line)
		}
		for _, item := range list.Content {
			if err := strictKeys(file, item, alertKeys); err != nil {
				return nil, err
			}
		}
	}
	var exp Expected
	if err := doc.Decode(&exp); err != nil {
		return nil, fmt.Errorf("%s: %v", file, err)
	}
	for i, a := range exp.Alerts {
		if a.RuleID == "" {
			return nil, fmt.Errorf("%s: alert %d has no RuleID", file, i+1)
		}
	}
	return &exp, nil
}

func strictKeys(file string, n *yaml.Node, known []string) error {
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("%s:%d: expected a mapping", file, n.Line)
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if slices.Contains(known, k.Value) {
			continue
		}
		hint := "keys: " + strings.Join(known, ", ")
		if near := parsers.Nearest(k.Value, known); near != "" {
			hint = "did you mean " + near + "?"
		}
		return fmt.Errorf("%s:%d: unknown key %s (%s)", file, k.Line, k.Value, hint)
	}
	return nil
}

// diffAlerts compares two alert lists and says what differs, field by
// field: alerts of one detection and dedup string are paired in order;
// for each pair the fields that differ are named with both values, and an
// alert without a pair is missing (expected, not raised) or unexpected
// (raised, not expected). "" when the lists are the same.
func diffAlerts(want, got []ExpectedAlert) string {
	type key struct{ rule, dedup string }
	byKey := map[key][]int{} // got alerts by key, in order
	for i, a := range got {
		k := key{a.RuleID, a.Dedup}
		byKey[k] = append(byKey[k], i)
	}
	paired := make([]bool, len(got))
	var out strings.Builder
	for _, w := range want {
		k := key{w.RuleID, w.Dedup}
		if len(byKey[k]) == 0 {
			fmt.Fprintf(&out, "missing: %s (expected, not raised)\n", alertLine(w))
			continue
		}
		gi := byKey[k][0]
		byKey[k] = byKey[k][1:]
		paired[gi] = true
		if fields := alertFieldDiff(w, got[gi]); fields != "" {
			fmt.Fprintf(&out, "%s dedup=%q first=%s: %s\n", w.RuleID, w.Dedup, w.FirstEventTime, fields)
		}
	}
	for i, g := range got {
		if !paired[i] {
			fmt.Fprintf(&out, "unexpected: %s (raised, not expected)\n", alertLine(g))
		}
	}
	return out.String()
}

// alertFieldDiff names the fields of two alerts that differ, with both
// values: "EventCount expected 4, got 3; LastEventTime expected ..., got ...".
func alertFieldDiff(w, g ExpectedAlert) string {
	var parts []string
	field := func(name, want, got string) {
		if want != got {
			parts = append(parts, fmt.Sprintf("%s expected %s, got %s", name, want, got))
		}
	}
	field("Title", strconv.Quote(w.Title), strconv.Quote(g.Title))
	field("Severity", w.Severity, g.Severity)
	field("EventCount", strconv.Itoa(w.EventCount), strconv.Itoa(g.EventCount))
	field("FirstEventTime", w.FirstEventTime, g.FirstEventTime)
	field("LastEventTime", w.LastEventTime, g.LastEventTime)
	return strings.Join(parts, "; ")
}

func alertLine(a ExpectedAlert) string {
	return fmt.Sprintf("%s dedup=%q title=%q severity=%s events=%d first=%s last=%s",
		a.RuleID, a.Dedup, a.Title, a.Severity, a.EventCount, a.FirstEventTime, a.LastEventTime)
}
