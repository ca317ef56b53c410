package rules

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Test is one test of an alert rule: an input alert or event, and what
// the rule must make of it.
type Test struct {
	Name string
	Line int
	// Input holds the fields (nested mappings are flattened with dots:
	// alert_context.user).
	Input map[string]string
	Time  time.Time
	// Expect holds fields the rule must leave with these values.
	Expect map[string]string
	// Destinations, when set, is the routing the rule must choose.
	Destinations *[]string
	// Discarded: the rule must discard the input.
	Discarded bool
	// Matches false: the rule must not apply.
	Matches bool
}

func (d *decoder) tests(n *yaml.Node) []Test {
	if n.Kind != yaml.SequenceNode {
		d.errorf(n, "", "Tests: expected a list, found %s", kindName(n))
		return nil
	}
	var out []Test
	names := map[string]int{}
	for _, item := range n.Content {
		if !d.checkKeys(item, testKeys, "Tests.") {
			continue
		}
		t := Test{Line: item.Line, Matches: true, Time: DefaultTestTime, Input: map[string]string{}}
		nn := get(item, "Name")
		if nn == nil || strings.TrimSpace(nn.Value) == "" {
			d.errorf(item, "", "test without a Name")
			continue
		}
		t.Name = nn.Value
		if first, dup := names[t.Name]; dup {
			d.errorf(nn, fmt.Sprintf("first at line %d", first), "duplicate test name %q", t.Name)
		}
		names[t.Name] = nn.Line
		in := get(item, "Input")
		if in == nil || in.Kind != yaml.MappingNode {
			d.errorf(item, "Input: {node: db1, summary: disk full, severity: 4}", "test %q: needs an Input mapping of fields", t.Name)
			continue
		}
		d.flatten(in, "", t.Input, t.Name)
		if sev, ok := t.Input["severity"]; ok {
			name, _, valid := ParseSeverity(sev)
			if !valid {
				d.errorf(in, "Info, Low, Medium, High, Critical or 0-5", "test %q: severity %q is not a severity", t.Name, sev)
			}
			t.Input["severity"] = name
		}
		if tn := get(item, "Time"); tn != nil {
			tm, err := time.Parse(time.RFC3339, tn.Value)
			if err != nil {
				d.errorf(tn, "RFC 3339, like 2026-11-10T23:00:00Z", "test %q: Time: %v", t.Name, err)
			}
			t.Time = tm
		}
		checks := 0
		if dn := get(item, "Discarded"); dn != nil {
			if err := dn.Decode(&t.Discarded); err != nil || dn.Tag != "!!bool" {
				d.errorf(dn, "", "test %q: Discarded must be true or false", t.Name)
			}
			checks++
		}
		if mn := get(item, "Matches"); mn != nil {
			if err := mn.Decode(&t.Matches); err != nil || mn.Tag != "!!bool" {
				d.errorf(mn, "", "test %q: Matches must be true or false", t.Name)
			}
			checks++
		}
		if ex := get(item, "Expect"); ex != nil {
			checks++
			if ex.Kind != yaml.MappingNode {
				d.errorf(ex, "", "test %q: Expect must be a mapping of field to value", t.Name)
			} else {
				t.Expect = map[string]string{}
				for i := 0; i+1 < len(ex.Content); i += 2 {
					k, v := ex.Content[i].Value, ex.Content[i+1]
					if k == "destinations" {
						ds := d.strs(v, "Expect.destinations")
						t.Destinations = &ds
						continue
					}
					if v.Kind != yaml.ScalarNode {
						d.errorf(v, "", "test %q: Expect.%s must be a value", t.Name, k)
						continue
					}
					val := v.Value
					if k == "severity" {
						name, _, ok := ParseSeverity(val)
						if !ok {
							d.errorf(v, "", "test %q: Expect.severity %q is not a severity", t.Name, val)
						}
						val = name
					}
					t.Expect[k] = val
				}
			}
		}
		if checks == 0 {
			d.errorf(item, "add Expect: {field: value}, Discarded: true or Matches: false", "test %q checks nothing", t.Name)
		}
		if !t.Matches && (t.Discarded || t.Expect != nil) {
			d.errorf(item, "", "test %q: Matches: false with Expect or Discarded", t.Name)
		}
		out = append(out, t)
	}
	return out
}

func (d *decoder) flatten(n *yaml.Node, prefix string, dst map[string]string, test string) {
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := prefix+n.Content[i].Value, n.Content[i+1]
		switch v.Kind {
		case yaml.ScalarNode:
			if v.Tag == "!!null" {
				continue
			}
			dst[k] = v.Value
		case yaml.MappingNode:
			d.flatten(v, k+".", dst, test)
		case yaml.SequenceNode:
			var parts []string
			for _, c := range v.Content {
				parts = append(parts, c.Value)
			}
			dst[k] = strings.Join(parts, ",")
		default:
			d.errorf(v, "", "test %q: Input.%s: unsupported value", test, k)
		}
	}
}

// TestResult is the outcome of one test of a rule.
type TestResult struct {
	Rule     *Rule
	Test     *Test
	Failures []string
}

// Passed says whether the test passed.
func (r TestResult) Passed() bool { return len(r.Failures) == 0 }

// RunTests runs the tests of a rule of the set: each applies that rule
// alone (with the set's schedules) to its input at its time. Hit counts
// are not changed.
func (s *Set) RunTests(r *Rule) []TestResult {
	out := make([]TestResult, 0, len(r.Tests))
	for i := range r.Tests {
		t := &r.Tests[i]
		res := TestResult{Rule: r, Test: t}
		fail := func(format string, args ...any) { res.Failures = append(res.Failures, fmt.Sprintf(format, args...)) }
		in := &Input{Fields: maps(t.Input)}
		var o Outcome
		c := evalCtx{in: in, now: t.Time}
		r.apply(&c, &o, false)
		matched := len(o.Matched) > 0
		switch {
		case !t.Matches:
			if matched {
				fail("the rule applied; the test says it must not")
			}
		case !matched:
			fail("the rule did not apply to the input")
		default:
			if t.Discarded != o.Discarded {
				fail("discarded: got %v, want %v", o.Discarded, t.Discarded)
			}
			for _, k := range sortedKeys(t.Expect) {
				want := t.Expect[k]
				got, ok := in.Fields[k]
				if !ok {
					fail("%s: missing, want %q", k, want)
				} else if got != want {
					fail("%s: got %q, want %q", k, got, want)
				}
			}
			if t.Destinations != nil && (!o.DestinationsSet || !slices.Equal(o.Destinations, *t.Destinations)) {
				fail("destinations: got %s, want %s", showList(o.Destinations, o.DestinationsSet), showList(*t.Destinations, true))
			}
		}
		out = append(out, res)
	}
	return out
}

// Unmatched reports a rule none of whose tests it applies to (an error:
// a rule that matches nothing it was tested with is a rule that does not
// do what its author thinks).
func (s *Set) Unmatched(r *Rule) bool {
	for i := range r.Tests {
		t := &r.Tests[i]
		in := &Input{Fields: maps(t.Input)}
		var o Outcome
		c := evalCtx{in: in, now: t.Time}
		r.apply(&c, &o, false)
		if len(o.Matched) > 0 {
			return false
		}
	}
	return true
}

func maps(m map[string]string) map[string]string {
	out := make(map[string]string, len(m)+4)
	for k, v := range m {
		out[k] = v
	}
	return out
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func showList(l []string, set bool) string {
	if !set {
		return "(unset)"
	}
	q := make([]string, len(l))
	for i, s := range l {
		q[i] = strconv.Quote(s)
	}
	return "[" + strings.Join(q, ", ") + "]"
}
