package cmd

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// run executes the CLI in-process with buffers and a config dir of its own.
func run(t *testing.T, dir string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	return runB(t, dir, args...)
}

func runB(t testing.TB, dir string, args ...string) (stdout, stderr string, code int) {
	var out, errOut bytes.Buffer
	app := &App{
		IO:        TestIO(strings.NewReader(""), &out, &errOut),
		Now:       func() time.Time { return time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC) },
		Getenv:    func(string) string { return "" },
		WorkDir:   dir,
		ConfigDir: filepath.Join(dir, ".no-user-config"),
	}
	code = Execute(context.Background(), app, args)
	return out.String(), errOut.String(), code
}

func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestShippedSetPasses(t *testing.T) {
	out, errOut, code := run(t, t.TempDir(), "test")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	last := strings.Split(strings.TrimSpace(out), "\n")
	if !strings.HasSuffix(last[len(last)-1], " passed, 0 failed") {
		t.Errorf("summary line: %q", last[len(last)-1])
	}
	if !strings.Contains(out, "Tests per log type: ") || !strings.Contains(out, "AWS.CloudTrail ") {
		t.Errorf("no per-log-type counts:\n%s", out)
	}
	if _, _, code := run(t, t.TempDir(), "validate"); code != 0 {
		t.Errorf("validate of the shipped set: exit %d", code)
	}
}

func TestValidateReportsAndExitCodes(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"r/x.yml": "AnalysisType: rule\nRuleID: X\nFilename: x.lua\nLogTypes: [AWS.CloudTrail]\nSeverity: Low\nThreshhold: 3\n",
		"r/x.lua": "function rule(e) return true end",
	})
	out, _, code := run(t, dir, "validate", dir)
	if code != ExitFindings {
		t.Errorf("exit %d, want %d", code, ExitFindings)
	}
	want := filepath.Join(dir, "r/x.yml") + ":6:1: error: unknown key Threshhold (did you mean Threshold?)\n"
	if !strings.HasPrefix(out, want) {
		t.Errorf("got:\n%s\nwant first line:\n%s", out, want)
	}
	out, _, _ = run(t, dir, "validate", dir, "--format", "github")
	if !strings.HasPrefix(out, "::error file="+strings.ReplaceAll(filepath.Join(dir, "r/x.yml"), ":", "%3A")+",line=6::unknown key Threshhold") {
		t.Errorf("github format: %s", out)
	}
	if _, errOut, code := run(t, dir, "validate", "/does/not/exist"); code != ExitUsage || !strings.Contains(errOut, "/does/not/exist") {
		t.Errorf("missing path: exit %d %s", code, errOut)
	}
	if _, _, code := run(t, dir, "validate", "--format", "yaml"); code != ExitUsage {
		t.Errorf("bad format: exit %d", code)
	}
}

func TestTestFormatsAndFailures(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"r/x.yml": `AnalysisType: rule
RuleID: X
Filename: x.lua
LogTypes: [AWS.CloudTrail]
Severity: Low
Tests:
  - Name: good
    ExpectedResult: true
    Log: {a: 1}
  - Name: bad
    ExpectedResult: false
    Log: {a: 2}
`,
		"r/x.lua": "function rule(e) print('a is', e.a) return true end",
	})
	out, _, code := run(t, dir, "test", dir)
	if code != ExitFindings {
		t.Errorf("exit %d", code)
	}
	for _, w := range []string{"[FAIL] bad", "rule() returned true, expected false", "| a is\t2", "1 passed, 1 failed"} {
		if !strings.Contains(out, w) {
			t.Errorf("pretty output lacks %q:\n%s", w, out)
		}
	}
	if strings.Contains(out, "a is\t1") {
		t.Errorf("prints of passing tests must not show:\n%s", out)
	}
	out, _, _ = run(t, dir, "test", dir, "--show-failures-only")
	if strings.Contains(out, "[PASS]") {
		t.Errorf("--show-failures-only shows passes:\n%s", out)
	}
	out, _, _ = run(t, dir, "test", dir, "--format", "junit")
	if !strings.Contains(out, `<testsuite name="X" tests="2" failures="1">`) || !strings.Contains(out, `<failure message="rule() returned true, expected false">`) {
		t.Errorf("junit:\n%s", out)
	}
	out, _, _ = run(t, dir, "test", dir, "--format", "json")
	if !strings.Contains(out, `"passed": 1,`) || !strings.Contains(out, `"failed": 1,`) {
		t.Errorf("json:\n%s", out)
	}
	out, _, code = run(t, dir, "test", dir, "--run", "^good$")
	if code != 0 || !strings.Contains(out, "1 passed, 0 failed") {
		t.Errorf("--run: exit %d\n%s", code, out)
	}
	_, _, code = run(t, dir, "test", dir, "--run", "^good$", "--minimum-tests", "3")
	if code != ExitFindings {
		t.Errorf("--minimum-tests: exit %d", code)
	}
	if _, errOut, code := run(t, dir, "test", dir, "--filter", "Severity"); code != ExitUsage || !strings.Contains(errOut, "Key=Value") {
		t.Errorf("bad filter: %d %s", code, errOut)
	}
}

func TestDebugAndInit(t *testing.T) {
	out, _, code := run(t, t.TempDir(), "debug", "AWS.CloudTrail.Stopped", "trail stopped")
	if code != 0 {
		t.Fatalf("debug exit %d: %s", code, out)
	}
	for _, w := range []string{`"eventName": "StopLogging"`, "title()", "result: PASS", `"p_log_type": "AWS.CloudTrail"`} {
		if !strings.Contains(out, w) {
			t.Errorf("debug output lacks %q", w)
		}
	}
	if _, errOut, code := run(t, t.TempDir(), "debug", "AWS.CloudTrail.Stoped"); code != ExitUsage || !strings.Contains(errOut, "did you mean AWS.CloudTrail.Stopped?") {
		t.Errorf("unknown id: %d %s", code, errOut)
	}
	dir := filepath.Join(t.TempDir(), "repo")
	if _, _, code := run(t, t.TempDir(), "init", dir); code != 0 {
		t.Fatalf("init exit %d", code)
	}
	for _, f := range []string{".panther.yml", ".github/workflows/panther.yml", "rules/console_login_no_mfa.yml"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
	// The new repository's own config points panther at it, and it passes.
	out, _, code = run(t, dir, "test")
	if code != 0 || !strings.Contains(out, "Example.AWS.ConsoleLoginWithoutMFA") {
		t.Errorf("test in the new repo: exit %d\n%s", code, out)
	}
	if _, _, code := run(t, t.TempDir(), "init", dir); code != ExitUsage {
		t.Errorf("init into a non-empty dir: exit %d", code)
	}
}

// A custom log type declared in the detections tree: validated with the
// rest, usable in LogTypes, parsed by replay and fixture tests.
func TestCustomLogTypeInTree(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"types/myapp.yml": `AnalysisType: log_type
LogType: Custom.MyApp
Format: regex
Regex: '^(?P<time>\S+) (?P<user>\S+) (?P<ip>\S+) (?P<action>\S+)$'
TimeField: time
TimeFormat: rfc3339
Indicators: {ip: [ip], username: [user]}
Fields:
  - {Name: time, Type: timestamp}
  - {Name: user}
  - {Name: ip}
  - {Name: action}
Required: [time, user, action]
Sample: '2024-03-01T12:00:00Z alice 198.51.100.7 login'
`,
		"rules/r.yml": `AnalysisType: rule
RuleID: MyApp.Delete
Filename: r.lua
LogTypes: [Custom.MyApp]
Severity: Low
Tests:
  - {Name: delete, ExpectedResult: true, Log: {user: bob, action: delete}}
  - {Name: login, ExpectedResult: false, Log: {user: bob, action: login}}
Fixtures:
  - {Name: day, Input: fixtures/day.log}
`,
		"rules/r.lua":                         `function rule(e) return e.action == "delete" end function dedup(e) return e.user end`,
		"rules/fixtures/day.log":              "2024-03-01T12:00:00Z alice 198.51.100.7 login\n2024-03-01T12:01:00Z alice 198.51.100.7 delete\n",
		"rules/fixtures/day.log.expected.yml": "Alerts:\n  - {RuleID: MyApp.Delete, Title: MyApp.Delete, Dedup: alice, Severity: LOW, EventCount: 1, FirstEventTime: \"2024-03-01T12:01:00Z\", LastEventTime: \"2024-03-01T12:01:00Z\"}\n",
	})
	if out, _, code := run(t, dir, "validate", dir); code != 0 {
		t.Fatalf("validate: %d\n%s", code, out)
	}
	out, _, code := run(t, dir, "test", dir)
	if code != 0 || !strings.Contains(out, "3 passed, 0 failed") {
		t.Errorf("test: %d\n%s", code, out)
	}
	logs := filepath.Join(dir, "rules/fixtures/day.log")
	out, errOut, code := run(t, dir, "replay", logs, "--detections", dir, "--format", "jsonl", "--quiet")
	if code != 0 || !strings.Contains(out, `"rule_id":"MyApp.Delete"`) {
		t.Errorf("replay: %d\n%s\n%s", code, out, errOut)
	}
}
