package engine

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
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
	return Load([]Source{DirSource(dir)}, LoadOptions{Budget: 200 * time.Millisecond})
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
			rep := RunTests(context.Background(), set, TestOptions{Filters: []Filter{{Key: "RuleID", Values: []string{"Good.Rule"}}}})
			if rep.Passed != 2 || rep.Failed != 0 {
				t.Errorf("good rule: %d passed, %d failed", rep.Passed, rep.Failed)
			}
		})
	}
}

// Runtime problems during a test fail that test with the reason, and the
// other tests still run.
func TestRuntimeErrorsFailTests(t *testing.T) {
	set := load(t, tree(t, with(map[string]string{
		"r/x.yml": `AnalysisType: rule
RuleID: Runtime
Filename: x.lua
LogTypes: [AWS.CloudTrail]
Severity: Low
Tests:
  - Name: title fails
    ExpectedResult: true
    Log: {eventName: A}
  - Name: loops
    ExpectedResult: true
    Log: {eventName: B}
  - Name: prints then fails
    ExpectedResult: false
    Log: {eventName: C}
`,
		"r/x.lua": `function rule(e)
  if e.eventName == "B" then while true do end end
  if e.eventName == "C" then print("looking at", e.eventName) return true end
  return true
end
function title(e)
  local t = nil
  return t.x
end
`,
	})))
	if n := set.Diagnostics.Errors(); n != 0 {
		t.Fatalf("unexpected load errors: %v", diagStrings(set))
	}
	rep := RunTests(context.Background(), set, TestOptions{Budget: 100 * time.Millisecond})
	res := map[string]TestResult{}
	for _, r := range rep.Results {
		res[r.Test] = r
	}
	if r := res["title fails"]; r.Passed || !strings.Contains(strings.Join(r.Failures, ";"), "title(): ") || !strings.Contains(strings.Join(r.Failures, ";"), "x.lua:8:") {
		t.Errorf("title error not reported with its line: %+v", r.Failures)
	}
	if r := res["loops"]; r.Passed || !strings.Contains(strings.Join(r.Failures, ";"), "time budget exceeded") {
		t.Errorf("infinite loop: %+v", r.Failures)
	}
	if r := res["prints then fails"]; r.Passed || r.Prints != "looking at\tC\n" {
		t.Errorf("prints: %q %+v", r.Prints, r.Failures)
	}
	if rep.Passed != 2 || rep.Failed != 3 {
		t.Errorf("want 2 passed (the good rule), 3 failed; got %d, %d", rep.Passed, rep.Failed)
	}
}

func TestMocksExpectAndHelpers(t *testing.T) {
	set := load(t, tree(t, map[string]string{
		"helpers/h.yml": "AnalysisType: global\nGlobalID: helpers\nFilename: h.lua\n",
		"helpers/h.lua": `local M = {}
function M.is_admin(name) return name == "root" end
M.ALLOWED = {"a", "b"}
return M`,
		"helpers/g.yml": "AnalysisType: global\nGlobalID: globals_style\nFilename: g.lua\n",
		"helpers/g.lua": "function known_ip(ip) return ip == '10.0.0.1' end\nfunction check(ip) return known_ip(ip) end\n",
		"r/x.yml": `AnalysisType: rule
RuleID: Mocked
Filename: x.lua
LogTypes: [AWS.CloudTrail]
Severity: Medium
Tests:
  - Name: mock a global of the rule
    ExpectedResult: true
    Log: {user: alice, ip: 1.2.3.4}
    Mocks: [{objectName: is_vip, returnValue: true}]
    Expect:
      Title: "VIP alice from 1.2.3.4"
      Dedup: alice
      Severity: critical
      AlertContext: {user: alice, tags: [x, y], nested: {n: 3}}
      Destinations: [slack-sec]
  - Name: without the mock the real function runs
    ExpectedResult: false
    Log: {user: alice, ip: 1.2.3.4}
  - Name: mock a helper field
    ExpectedResult: true
    Log: {user: bob, ip: 1.2.3.4}
    Mocks: [{objectName: helpers.is_admin, returnValue: true}]
  - Name: mock a global of a helper, seen by its own functions
    ExpectedResult: true
    Log: {user: carol, ip: 1.2.3.4}
    Mocks: [{objectName: known_ip, returnValue: true}]
  - Name: mock a table value
    ExpectedResult: true
    Log: {user: dave, ip: 9.9.9.9}
    Mocks: [{objectName: VIPS, returnValue: [dave]}]
  - Name: a wrong expectation fails with both values
    ExpectedResult: true
    Log: {user: root, ip: 1.2.3.4}
    Expect: {Title: "nope", AlertContext: {user: someone}}
`,
		"r/x.lua": `local h = require("helpers")
local g = require("globals_style")
VIPS = {}
function is_vip(user)
  for _, v in ipairs(VIPS) do if v == user then return true end end
  return false
end
function rule(e)
  return is_vip(e.user) or h.is_admin(e.user) or g.check(e.ip)
end
function title(e) return "VIP " .. e.user .. " from " .. e.ip end
function dedup(e) return e.user end
function severity(e) return "CRITICAL" end
function alert_context(e) return {user = e.user, tags = {"x", "y"}, nested = {n = 3, m = 4}} end
function destinations(e) return {"slack-sec"} end
`,
	}))
	if n := set.Diagnostics.Errors(); n != 0 {
		t.Fatalf("load errors: %v", diagStrings(set))
	}
	rep := RunTests(context.Background(), set, TestOptions{})
	for _, r := range rep.Results {
		wantPass := r.Test != "a wrong expectation fails with both values"
		if r.Passed != wantPass {
			t.Errorf("%s: passed=%v failures=%v", r.Test, r.Passed, r.Failures)
		}
		if !wantPass {
			joined := strings.Join(r.Failures, "\n")
			for _, w := range []string{`title: expected "nope", got "VIP root from 1.2.3.4"`, `alert_context.user: expected "someone", got "root"`} {
				if !strings.Contains(joined, w) {
					t.Errorf("failure output lacks %q:\n%s", w, joined)
				}
			}
		}
	}
	// Mocks do not leak: run the unmocked test after the mocked ones on a
	// single worker.
	rep = RunTests(context.Background(), set, TestOptions{Parallel: 1})
	if rep.Failed != 1 {
		t.Errorf("serial run: %d failed, want 1", rep.Failed)
	}
}

func TestFiltersAndRun(t *testing.T) {
	set := load(t, tree(t, with(map[string]string{
		"o/o.yml": "AnalysisType: rule\nRuleID: Other.High\nFilename: o.lua\nLogTypes: [AWS.CloudTrail]\nSeverity: High\nTags: [Extra]\nTests:\n  - Name: special one\n    ExpectedResult: false\n    Log: {a: 1}\n",
		"o/o.lua": "function rule(e) return false end",
	})))
	count := func(opts TestOptions) int { return len(RunTests(context.Background(), set, opts).Results) }
	f := func(s string) Filter {
		flt, err := ParseFilter(s)
		if err != nil {
			t.Fatal(err)
		}
		return flt
	}
	if n := count(TestOptions{Filters: []Filter{f("Severity=high,critical")}}); n != 1 {
		t.Errorf("severity filter: %d", n)
	}
	if n := count(TestOptions{Filters: []Filter{f("Tags!=Extra")}}); n != 2 {
		t.Errorf("negated filter: %d", n)
	}
	if n := count(TestOptions{Filters: []Filter{f("LogTypes=AWS.CloudTrail"), f("RuleID=Good.Rule")}}); n != 2 {
		t.Errorf("two filters: %d", n)
	}
	if n := count(TestOptions{Run: regexp.MustCompile("special")}); n != 1 {
		t.Errorf("--run on a test name: %d", n)
	}
	if n := count(TestOptions{Run: regexp.MustCompile(`^Good\.`)}); n != 2 {
		t.Errorf("--run on an ID: %d", n)
	}
	if _, err := ParseFilter("Severty=High"); err == nil || !strings.Contains(err.Error(), "did you mean Severity?") {
		t.Errorf("bad filter key: %v", err)
	}
	rep := RunTests(context.Background(), set, TestOptions{MinimumTests: 2})
	if len(rep.BelowMinimum) != 1 || !strings.Contains(rep.BelowMinimum[0], "Other.High") {
		t.Errorf("minimum tests: %v", rep.BelowMinimum)
	}
}

func TestDataModelUDM(t *testing.T) {
	set := load(t, tree(t, map[string]string{
		"m/m.yml": "AnalysisType: datamodel\nDataModelID: M\nLogTypes: [AWS.CloudTrail]\nFilename: m.lua\nMappings:\n  - {Name: source_ip, Path: sourceIPAddress}\n  - {Name: actor_user, Method: actor}\n  - {Name: first_arn, Path: '$.resources[0].ARN'}\n",
		"m/m.lua": "function actor(e) return string.upper(e:get('userIdentity', 'userName') or '?') end",
		"r/x.yml": "AnalysisType: rule\nRuleID: UDM\nFilename: x.lua\nLogTypes: [AWS.CloudTrail]\nSeverity: Low\nTests:\n  - Name: udm\n    ExpectedResult: true\n    Log: {sourceIPAddress: 1.2.3.4, userIdentity: {userName: eve}, resources: [{ARN: 'arn:x'}]}\n    Expect: {Title: '1.2.3.4 EVE arn:x nil'}\n",
		"r/x.lua": "function rule(e) return e:udm('source_ip') ~= nil end\nfunction title(e) return e:udm('source_ip') .. ' ' .. e:udm('actor_user') .. ' ' .. e:udm('first_arn') .. ' ' .. tostring(e:udm('nope')) end",
	}))
	if set.Diagnostics.Errors() != 0 {
		t.Fatal(diagStrings(set))
	}
	rep := RunTests(context.Background(), set, TestOptions{})
	if rep.Failed != 0 || rep.Passed != 1 {
		t.Errorf("%+v", rep.Results[0].Failures)
	}
}

// Tests run in fresh environments: a rule keeping state in an upvalue
// table cannot see what an earlier test put there.
func TestFreshEnvironmentPerTest(t *testing.T) {
	set := load(t, tree(t, map[string]string{
		"r/x.yml": "AnalysisType: rule\nRuleID: State\nFilename: x.lua\nLogTypes: [AWS.CloudTrail]\nSeverity: Low\nTests:\n" +
			strings.Repeat("  - Name: t{N}\n    ExpectedResult: false\n    Log: {a: 1}\n", 1),
		"r/x.lua": "local seen = {}\nfunction rule(e) local was = seen.x seen.x = true return was == true end",
	}))
	d, _ := set.Detection("State")
	d.Tests = append(d.Tests, d.Tests[0], d.Tests[0], d.Tests[0])
	for i := range d.Tests {
		d.Tests[i].Name = strings.Repeat("x", i+1)
	}
	rep := RunTests(context.Background(), set, TestOptions{Parallel: 1})
	if rep.Failed != 0 {
		t.Errorf("state leaked between tests: %+v", rep.Results)
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

// A policy returns true when the resource complies; ExpectedResult is that
// verdict, and a non-compliant resource is what raises an alert.
func TestPolicies(t *testing.T) {
	set := load(t, tree(t, map[string]string{
		"p/p.yml": `AnalysisType: policy
PolicyID: AWS.S3.Versioning
Filename: p.lua
ResourceTypes: [AWS.S3.Bucket]
Severity: Low
Tests:
  - Name: versioned
    ExpectedResult: true
    Resource: {Name: a, Versioning: Enabled}
  - Name: not versioned
    ExpectedResult: false
    Resource: {Name: b, Versioning: Suspended}
    Expect: {Title: "bucket b is not versioned"}
`,
		"p/p.lua": `function policy(r) return r.Versioning == "Enabled" end
function title(r) return "bucket " .. r.Name .. " is not versioned" end`,
		"q/q.yml": "AnalysisType: policy\nPolicyID: Wrong\nFilename: q.lua\nResourceTypes: [X]\nSeverity: Low\n",
		"q/q.lua": "function rule(r) return true end",
	}))
	found := false
	for _, d := range set.Diagnostics {
		found = found || strings.Contains(d.String(), "policy Wrong defines rule() instead of policy()") || strings.Contains(d.String(), "defines no policy(event) function")
	}
	if !found {
		t.Errorf("a policy without policy(): %v", diagStrings(set))
	}
	rep := RunTests(context.Background(), set, TestOptions{Filters: []Filter{{Key: "ID", Values: []string{"AWS.S3.Versioning"}}}})
	if rep.Passed != 2 || rep.Failed != 0 {
		for _, r := range rep.Results {
			t.Errorf("%s: %v", r.Test, r.Failures)
		}
	}
}
