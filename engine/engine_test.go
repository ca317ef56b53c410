package engine

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"panther/parsers/event"
	"panther/parsers/logtypes"
)

// tree writes files under a temp dir and returns it.
func tree(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func load(t testing.TB, dir string) *Set {
	t.Helper()
	return Load([]Source{DirSource(dir)}, LoadOptions{Budget: 200 * time.Millisecond, Registry: logtypes.Default()})
}

// A healthy rule that must keep loading and passing whatever breaks around it.
var goodRule = map[string]string{
	"good/good.yml": `AnalysisType: rule
RuleID: Good.Rule
Filename: good.lua
LogTypes: [AWS.CloudTrail]
Severity: Low
Tests:
  - Name: matches
    ExpectedResult: true
    Log: {eventName: ConsoleLogin}
  - Name: does not match
    ExpectedResult: false
    Log: {eventName: Other}
`,
	"good/good.lua": `function rule(e) return e.eventName == "ConsoleLogin" end`,
}

func with(extra map[string]string) map[string]string {
	m := map[string]string{}
	for k, v := range goodRule {
		m[k] = v
	}
	for k, v := range extra {
		m[k] = v
	}
	return m
}

func diagStrings(s *Set) []string {
	var out []string
	for _, d := range s.Diagnostics {
		out = append(out, d.String())
	}
	return out
}

// runTestsOf evaluates the unit tests of one detection on the test events
// (the tester package runs them for real; this checks the engine's part)
// and returns the names of those whose verdict is not the expected one.
func runTestsOf(t *testing.T, set *Set, id string) []string {
	t.Helper()
	d, ok := set.Detection(id)
	if !ok {
		t.Fatalf("no detection %s", id)
	}
	ev := NewEvaluator(set, EvalOptions{})
	defer ev.Close()
	var failed []string
	for i := range d.Tests {
		ev.Reset()
		e, err := TestEvent(set, d, &d.Tests[i], time.Now())
		if err != nil {
			t.Fatal(err)
		}
		m := ev.Evaluate(d, e)
		e.Release()
		if m.Err != nil || m.Matched != d.Tests[i].ExpectedResult {
			failed = append(failed, d.Tests[i].Name)
		}
	}
	return failed
}

// Each bad input of the issue gives a clear error naming file and line,
// and the good rule beside it still loads and passes its tests.
func TestBadInputLosesNothing(t *testing.T) {
	cases := []struct {
		name  string
		files map[string]string
		want  []string // regexps every one of which must match a diagnostic
	}{
		{"malformed YAML", map[string]string{"bad/x.yml": "AnalysisType: rule\nRuleID: [unclosed\nSeverity: Low\n"},
			[]string{`^\S+bad/x\.yml:\d+: error: .*(did not find|flow)`}},
		{"key typo", map[string]string{
			"bad/x.yml": "AnalysisType: rule\nRuleID: Bad.Typo\nFilename: x.lua\nLogTypes: [AWS.CloudTrail]\nSeverity: Low\nDedupPeriodMinute: 30\n",
			"bad/x.lua": "function rule(e) return true end"},
			[]string{`bad/x\.yml:6:1: error: unknown key DedupPeriodMinute \(did you mean DedupPeriodMinutes\?\)`}},
		{"Lua syntax error", map[string]string{
			"bad/x.yml": "AnalysisType: rule\nRuleID: Bad.Syntax\nFilename: x.lua\nLogTypes: [AWS.CloudTrail]\nSeverity: Low\n",
			"bad/x.lua": "function rule(e)\n  return e.x ==\nend\n"},
			[]string{`bad/x\.lua:3:\d+: error: Lua syntax error`}},
		{"missing Filename", map[string]string{
			"bad/x.yml": "AnalysisType: rule\nRuleID: Bad.NoFile\nLogTypes: [AWS.CloudTrail]\nSeverity: Low\n"},
			[]string{`bad/x\.yml:1:1: error: missing required key Filename`}},
		{"Filename that does not exist", map[string]string{
			"bad/x.yml":     "AnalysisType: rule\nRuleID: Bad.Missing\nFilename: rulez.lua\nLogTypes: [AWS.CloudTrail]\nSeverity: Low\n",
			"bad/rules.lua": "function rule(e) return true end"},
			[]string{`bad/x\.yml:3: error: Filename rulez\.lua: .*no such file.*did you mean rules\.lua\?`}},
		{"duplicate RuleID across two files", map[string]string{
			"bad/a.yml": "AnalysisType: rule\nRuleID: Good.Rule\nFilename: a.lua\nLogTypes: [AWS.CloudTrail]\nSeverity: Low\n",
			"bad/a.lua": "function rule(e) return true end"},
			[]string{`/(bad/a|good/good)\.yml:2: error: duplicate detection ID Good\.Rule \(.*first defined in .*/(good/good|bad/a)\.yml\)`}},
		{"test with no Log", map[string]string{
			"bad/x.yml": "AnalysisType: rule\nRuleID: Bad.NoLog\nFilename: x.lua\nLogTypes: [AWS.CloudTrail]\nSeverity: Low\nTests:\n  - Name: t\n    ExpectedResult: true\n",
			"bad/x.lua": "function rule(e) return true end"},
			[]string{`bad/x\.yml:7:5: error: test "t": missing Log`}},
		{"non-UTF-8 file", map[string]string{"bad/x.yml": "AnalysisType: rule\nDescription: caf\xe9\n"},
			[]string{`bad/x\.yml:2: error: the file is not valid UTF-8`}},
		{"unknown log type", map[string]string{
			"bad/x.yml": "AnalysisType: rule\nRuleID: Bad.LT\nFilename: x.lua\nLogTypes: [AWS.CloudTrial]\nSeverity: Low\n",
			"bad/x.lua": "function rule(e) return true end"},
			[]string{`unknown log type "AWS\.CloudTrial" \(did you mean AWS\.CloudTrail\?\)`}},
		{"bad severity and threshold", map[string]string{
			"bad/x.yml": "AnalysisType: rule\nRuleID: Bad.Sev\nFilename: x.lua\nLogTypes: [AWS.CloudTrail]\nSeverity: Severe\nThreshold: 0\n",
			"bad/x.lua": "function rule(e) return true end"},
			[]string{`bad/x\.yml:5:11: error: Severity "Severe" is not a severity`, `bad/x\.yml:6:12: error: Threshold 0 is out of range`}},
		{"no rule function", map[string]string{
			"bad/x.yml": "AnalysisType: rule\nRuleID: Bad.NoFunc\nFilename: x.lua\nLogTypes: [AWS.CloudTrail]\nSeverity: Low\n",
			"bad/x.lua": "function rules(e) return true end"},
			[]string{`bad/x\.lua: error: .*defines no rule\(event\) function`}},
		{"runtime error at load", map[string]string{
			"bad/x.yml": "AnalysisType: rule\nRuleID: Bad.Load\nFilename: x.lua\nLogTypes: [AWS.CloudTrail]\nSeverity: Low\n",
			"bad/x.lua": "local x = nil\nlocal y = x.field\nfunction rule(e) return true end"},
			[]string{`bad/x\.lua:2: error: .*attempt to index`}},
		{"infinite loop at load", map[string]string{
			"bad/x.yml": "AnalysisType: rule\nRuleID: Bad.Loop\nFilename: x.lua\nLogTypes: [AWS.CloudTrail]\nSeverity: Low\n",
			"bad/x.lua": "while true do end\nfunction rule(e) return true end"},
			[]string{`bad/x\.lua:1: error: .*time budget exceeded`}},
		{"pack naming a missing ID", map[string]string{
			"bad/p.yml": "AnalysisType: pack\nPackID: P\nPackDefinition:\n  IDs: [Good.Rule, Good.Rul3]\n"},
			[]string{`bad/p\.yml: error: pack P names "Good\.Rul3", which does not exist \(did you mean Good\.Rule\?\)`}},
		{"data models clashing", map[string]string{
			"bad/m1.yml": "AnalysisType: datamodel\nDataModelID: M1\nLogTypes: [AWS.CloudTrail]\nMappings:\n  - {Name: source_ip, Path: sourceIPAddress}\n",
			"bad/m2.yml": "AnalysisType: datamodel\nDataModelID: M2\nLogTypes: [AWS.CloudTrail]\nMappings:\n  - {Name: source_ip, Path: sourceIPAddress}\n"},
			[]string{`data models M1 and M2 both map log type AWS\.CloudTrail`}},
		{"misspelled aux function", map[string]string{
			"bad/x.yml": "AnalysisType: rule\nRuleID: Bad.Aux\nFilename: x.lua\nLogTypes: [AWS.CloudTrail]\nSeverity: Low\n",
			"bad/x.lua": "function rule(e) return true end\nfunction titel(e) return 'x' end"},
			[]string{`bad/x\.lua: warning: function titel looks like a misspelled title`}},
		{"Python file", map[string]string{
			"bad/x.yml": "AnalysisType: rule\nRuleID: Bad.Py\nFilename: x.py\nLogTypes: [AWS.CloudTrail]\nSeverity: Low\n"},
			[]string{`Filename x\.py is a Python file \(panther detections are Lua`}},
		{"unsupported Panther key", map[string]string{
			"bad/x.yml": "AnalysisType: rule\nRuleID: Bad.Simple\nFilename: x.lua\nLogTypes: [AWS.CloudTrail]\nSeverity: Low\nDetection:\n  - Key: a\n",
			"bad/x.lua": "function rule(e) return true end"},
			[]string{`bad/x\.yml:6:1: error: unsupported key Detection \(YAML-only`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			set := load(t, tree(t, with(c.files)))
			got := diagStrings(set)
			for _, w := range c.want {
				re := regexp.MustCompile(w)
				found := false
				for _, g := range got {
					found = found || re.MatchString(g)
				}
				if !found {
					t.Errorf("no diagnostic matches %s; got:\n  %s", w, strings.Join(got, "\n  "))
				}
			}
			// Nothing lost: the good rule loads and passes.
			if _, ok := set.Detection("Good.Rule"); !ok {
				t.Fatal("the good rule did not load")
			}
			if failed := runTestsOf(t, set, "Good.Rule"); len(failed) > 0 {
				t.Errorf("good rule: tests failed: %v", failed)
			}
		})
	}
}

func TestSetReadFile(t *testing.T) {
	dir := tree(t, goodRule)
	set := load(t, dir)
	d, _ := set.Detection("Good.Rule")
	for _, f := range []string{d.File, d.LuaFile} {
		data, err := set.ReadFile(f)
		if err != nil || len(data) == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
	if _, err := set.ReadFile(filepath.Join(dir, "nope.yml")); err == nil {
		t.Error("a missing file reads")
	}
}

// Panther's spelling of a log type (any case) names ours.
func TestLogTypeSpelling(t *testing.T) {
	set := load(t, tree(t, map[string]string{
		"r/x.yml": "AnalysisType: rule\nRuleID: Case\nFilename: x.lua\nLogTypes: [aws.cloudtrail]\nSeverity: Low\n",
		"r/x.lua": "function rule(e) return true end",
	}))
	if set.Diagnostics.Errors() != 0 {
		t.Fatal(diagStrings(set))
	}
	if len(set.RulesFor("AWS.CloudTrail")) != 1 {
		t.Error("the rule is not indexed under the canonical name")
	}
}

// The evaluator's guard (per-event field cache) lets rule() run where
// reading a field raises in Lua, so the rule error is reported; it still
// skips the events it can decide.
func TestGuardReportsLuaErrors(t *testing.T) {
	set := load(t, tree(t, map[string]string{
		"r.yml": "AnalysisType: rule\nRuleID: Strict\nFilename: r.lua\nLogTypes: [AWS.CloudTrail]\nSeverity: Low\n",
		"r.lua": `function rule(e) return e.eventName == "X" and e.requestParameters.name == "y" end`,
	}))
	d, ok := set.Detection("Strict")
	if !ok || d.ChunkGuard() == nil {
		t.Fatalf("no guard: %v", set.Diagnostics)
	}
	ev := NewEvaluator(set, EvalOptions{})
	defer ev.Close()
	for _, c := range []struct {
		js   string
		want string // skipped, error, false, true
	}{
		{`{"eventName":"Other"}`, "skipped"},
		{`{"eventName":"X"}`, "error"},
		{`{"eventName":"X","requestParameters":null}`, "error"},
		{`{"eventName":"X","requestParameters":{"name":"z"}}`, "skipped"},
		{`{"eventName":"X","requestParameters":{"name":"y"}}`, "true"},
	} {
		e := event.New()
		if err := e.ParseJSON([]byte(c.js)); err != nil {
			t.Fatal(err)
		}
		m := ev.Evaluate(d, e)
		got := fmt.Sprint(m.Matched)
		switch {
		case m.Skipped:
			got = "skipped"
		case m.Err != nil:
			got = "error"
		}
		if got != c.want {
			t.Errorf("%s: %s (%v), want %s", c.js, got, m.Err, c.want)
		}
		e.Release()
	}
}
