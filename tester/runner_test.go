package tester

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"panther/engine"
	"panther/parsers/logtypes"
)

func writeFiles(t testing.TB, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// tree writes files under a temp dir and returns it.
func tree(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	writeFiles(t, dir, files)
	return dir
}

func loadDir(t testing.TB, dir string) *engine.Set {
	t.Helper()
	return engine.Load([]engine.Source{engine.DirSource(dir)}, engine.LoadOptions{Budget: 200 * time.Millisecond, Registry: logtypes.Default()})
}

func load(t testing.TB, dir string) *engine.Set { return loadDir(t, dir) }

// run runs the tests and reads every result.
func run(set *engine.Set, opts Options) *Report {
	return Run(context.Background(), set, opts).Collect()
}

func diagStrings(s *engine.Set) []string {
	var out []string
	for _, d := range s.Diagnostics {
		out = append(out, d.String())
	}
	return out
}

// A healthy rule.
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
	rep := run(set, Options{Budget: 100 * time.Millisecond})
	res := map[string]Result{}
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
	rep := run(set, Options{})
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
	rep = run(set, Options{Parallel: 1})
	if rep.Failed != 1 {
		t.Errorf("serial run: %d failed, want 1", rep.Failed)
	}
}

func TestFiltersAndRun(t *testing.T) {
	set := load(t, tree(t, with(map[string]string{
		"o/o.yml": "AnalysisType: rule\nRuleID: Other.High\nFilename: o.lua\nLogTypes: [AWS.CloudTrail]\nSeverity: High\nTags: [Extra]\nTests:\n  - Name: special one\n    ExpectedResult: false\n    Log: {a: 1}\n",
		"o/o.lua": "function rule(e) return false end",
	})))
	count := func(opts Options) int { return len(run(set, opts).Results) }
	f := func(s string) Filter {
		flt, err := ParseFilter(s)
		if err != nil {
			t.Fatal(err)
		}
		return flt
	}
	if n := count(Options{Filters: []Filter{f("Severity=high,critical")}}); n != 1 {
		t.Errorf("severity filter: %d", n)
	}
	if n := count(Options{Filters: []Filter{f("Tags!=Extra")}}); n != 2 {
		t.Errorf("negated filter: %d", n)
	}
	if n := count(Options{Filters: []Filter{f("LogTypes=AWS.CloudTrail"), f("RuleID=Good.Rule")}}); n != 2 {
		t.Errorf("two filters: %d", n)
	}
	if n := count(Options{Run: regexp.MustCompile("special")}); n != 1 {
		t.Errorf("--run on a test name: %d", n)
	}
	if n := count(Options{Run: regexp.MustCompile(`^Good\.`)}); n != 2 {
		t.Errorf("--run on an ID: %d", n)
	}
	if _, err := ParseFilter("Severty=High"); err == nil || !strings.Contains(err.Error(), "did you mean Severity?") {
		t.Errorf("bad filter key: %v", err)
	}
	rep := run(set, Options{MinimumTests: 2})
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
	rep := run(set, Options{})
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
	rep := run(set, Options{Parallel: 1})
	if rep.Failed != 0 {
		t.Errorf("state leaked between tests: %+v", rep.Results)
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
	rep := run(set, Options{Filters: []Filter{{Key: "ID", Values: []string{"AWS.S3.Versioning"}}}})
	if rep.Passed != 2 || rep.Failed != 0 {
		for _, r := range rep.Results {
			t.Errorf("%s: %v", r.Test, r.Failures)
		}
	}
}
