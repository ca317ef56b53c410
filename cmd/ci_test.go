package cmd

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
)

// The CI gate cannot be silently green (issue 12, section 4).

const stopLine = `{"eventVersion":"1.08","eventTime":"2024-01-01T00:00:00Z","eventSource":"cloudtrail.amazonaws.com","eventName":"StopLogging","sourceIPAddress":"203.0.113.9","userIdentity":{"userName":"bob"}}`

// ciRepo is a detections repository: a rule with a unit test (a mock), a
// fixture test, a pack and a saved query, and a .panther.yml naming rules/.
func ciRepo(t *testing.T) string {
	return writeTree(t, map[string]string{
		".panther.yml": "detections: [rules]\n",
		"rules/r.yml": `AnalysisType: rule
RuleID: CI.Stop
Filename: r.lua
LogTypes: [AWS.CloudTrail]
Severity: High
Tests:
  - Name: stopped
    ExpectedResult: true
    Log: {eventName: StopLogging, userIdentity: {userName: alice}}
    Mocks: [{objectName: allowed, returnValue: false}]
  - Name: other
    ExpectedResult: false
    Log: {eventName: Other}
Fixtures:
  - Name: two stops
    Input: fixtures/stops.jsonl
    LogType: AWS.CloudTrail
`,
		"rules/r.lua": `function allowed(e) return e:get("userIdentity", "userName") == "carol" end
function rule(e) return e.eventName == "StopLogging" and not allowed(e) end
function title(e) return "stopped by " .. (e:get("userIdentity", "userName") or "?") end`,
		"rules/fixtures/stops.jsonl": strings.Repeat(stopLine+"\n", 2),
		"rules/fixtures/stops.jsonl.expected.yml": "Alerts:\n  - {RuleID: CI.Stop, Title: stopped by bob, Dedup: stopped by bob, Severity: HIGH, EventCount: 2, " +
			"FirstEventTime: \"2024-01-01T00:00:00Z\", LastEventTime: \"2024-01-01T00:00:00Z\"}\n",
		"rules/p.yml":            "AnalysisType: pack\nPackID: CI.Pack\nPackDefinition:\n  IDs: [CI.Stop]\n",
		"rules/q.yml":            "AnalysisType: saved_query\nQueryName: Stops By User\nQuery: SELECT 1\n",
		"rules/sub/deeper/.keep": "",
	})
}

// panther test in a subfolder finds .panther.yml upward, as git finds
// .git, and the summary names what ran; outside any repository it runs the
// shipped library and says so.
func TestConfigFoundUpwardAndNamed(t *testing.T) {
	t.Parallel()
	repo := ciRepo(t)
	out, _, _ := run(t, filepath.Join(repo, "rules", "sub", "deeper"), "test", "--run", "^other$")
	if !strings.Contains(out, "detections: "+filepath.Join(repo, "rules")+" (1 detection)\n1 passed, 0 failed\n") {
		t.Errorf("in a subfolder of the repository:\n%s", out)
	}
	out, _, _ = run(t, t.TempDir(), "test", "--run", "^AWS.CloudTrail.Stopped$")
	if !strings.Contains(out, "detections: shipped library (") {
		t.Errorf("outside any repository:\n%s", out)
	}
}

// An unknown key in .panther.yml is an error with its line and the nearest
// key, not a silently ignored setting.
func TestUnknownConfigKey(t *testing.T) {
	t.Parallel()
	dir := writeTree(t, map[string]string{".panther.yml": "lake: x\ndetection: [rules]\n"})
	_, errOut, code := run(t, dir, "test")
	want := "panther: config file " + filepath.Join(dir, ".panther.yml") + ":2: unknown key detection (did you mean detections?)\n"
	if code != ExitUsage || errOut != want {
		t.Errorf("exit %d, stderr %q, want %q", code, errOut, want)
	}
}

// panther config prints the settings in effect and where each comes from.
func TestConfigCommand(t *testing.T) {
	dir := writeTree(t, map[string]string{".panther.yml": "# repo settings\nlake: ./lake\nworkers: 2\n"})
	t.Setenv("PANTHER_WORKERS", "6")
	t.Setenv("PANTHER_API_TOKEN", "secret-token-value")
	out, _, code := run(t, dir, "config")
	lines := map[string]string{}
	for _, l := range strings.Split(out, "\n") {
		if f := strings.Fields(l); len(f) > 0 {
			lines[f[0]] = strings.Join(f[1:], " ")
		}
	}
	if code != 0 || lines["lake"] != filepath.Join(dir, "lake")+" file "+filepath.Join(dir, ".panther.yml")+":2" ||
		lines["workers"] != "6 env PANTHER_WORKERS" || lines["api_retries"] != "4 default" ||
		lines["api_token"] != "(set, not shown) env PANTHER_API_TOKEN" || strings.Contains(out, "secret-token-value") {
		t.Errorf("exit %d:\n%s", code, out)
	}
	out, _, _ = run(t, dir, "config", "--format", "json")
	var doc struct {
		Files    []string
		Settings []struct{ Key, Source string }
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil || len(doc.Files) != 1 || len(doc.Settings) != len(SettingKeys()) {
		t.Errorf("json: %v %+v", err, doc)
	}
}

// Every output file checks its write, flush and close: a full disk is exit
// 3 naming the file, never a truncated file and exit 0.
func TestFullDiskIsOperational(t *testing.T) {
	t.Parallel()
	if _, err := os.Stat("/dev/full"); err != nil {
		t.Skip("no /dev/full")
	}
	repo := ciRepo(t)
	in := filepath.Join(repo, "rules", "fixtures", "stops.jsonl")
	os.WriteFile(in, []byte(strings.Repeat(stopLine+"\n", 50)+"not json\n"), 0o644)
	for _, args := range [][]string{
		{"replay", in, "--detections", filepath.Join(repo, "rules"), "--alerts", "/dev/full"},
		{"replay", in, "--dead-letter", "/dev/full", "-q"},
		{"parse", in, "--dead-letter", "/dev/full", "-q"},
	} {
		_, errOut, code := run(t, t.TempDir(), args...)
		flag := ""
		for i, a := range args {
			if a == "/dev/full" {
				flag = args[i-1]
			}
		}
		if code != ExitOperational || !strings.Contains(errOut, "writing "+flag+" /dev/full: write /dev/full: no space left on device") {
			t.Errorf("%v: exit %d, stderr %q", args, code, errOut)
		}
	}
	// stdout itself: a report that cannot be written whole fails.
	var errOut bytes.Buffer
	app := &App{IO: TestIO(strings.NewReader(""), fullWriter{}, &errOut), Now: time.Now, WorkDir: t.TempDir(), ConfigDir: t.TempDir()}
	for _, args := range [][]string{{"test", "--run", "^AWS.CloudTrail.Stopped$", "--format", "json"}, {"parse", in, "-q"}, {"logtypes"}} {
		errOut.Reset()
		if code := Execute(context.Background(), app, args); code != ExitOperational || !strings.Contains(errOut.String(), "no space left") {
			t.Errorf("%v to a full stdout: exit %d, %q", args, code, errOut.String())
		}
	}
}

type fullWriter struct{}

func (fullWriter) Write([]byte) (int, error) { return 0, errors.New("no space left on device") }

// panther version, for people and machines.
func TestVersion(t *testing.T) {
	t.Parallel()
	out, _, code := run(t, t.TempDir(), "version", "--format", "json")
	var v map[string]string
	if err := json.Unmarshal([]byte(out), &v); err != nil || code != 0 {
		t.Fatalf("exit %d %v: %s", code, err, out)
	}
	for _, k := range []string{"version", "commit", "go", "duckdb", "gopher_lua"} {
		// A test binary carries no module versions: gopher-lua's and the
		// commit show as "unknown" here, and in a built binary (make build).
		if v[k] == "" || v[k] == "unknown" && k != "commit" && k != "gopher_lua" {
			t.Errorf("%s: %q", k, v[k])
		}
	}
	if out, _, _ := run(t, t.TempDir(), "--version"); !strings.HasPrefix(out, "panther version ") {
		t.Errorf("--version: %q", out)
	}
}

// -v is --verbose where a command has it, and never --version.
func TestVerboseIsNotVersion(t *testing.T) {
	t.Parallel()
	if out, errOut, code := run(t, t.TempDir(), "-v"); code != ExitUsage || strings.Contains(out, "version") {
		t.Errorf("panther -v: exit %d %q %q", code, out, errOut)
	}
	out, _, code := run(t, ciRepo(t), "test", "-v")
	if code != 0 || !strings.Contains(out, "    [PASS] stopped\n") {
		t.Errorf("test -v: exit %d\n%s", code, out)
	}
}

// A test Log with a key its log type does not have: a warning naming the
// nearest field; an error with --strict; a test key under Log an error.
func TestTestLogSchema(t *testing.T) {
	t.Parallel()
	dir := writeTree(t, map[string]string{
		"r.yml": "AnalysisType: rule\nRuleID: R\nFilename: r.lua\nLogTypes: [AWS.CloudTrail]\nSeverity: Low\nTests:\n" +
			"  - Name: t\n    ExpectedResult: false\n    Log: {eventname: StopLogging, eventSource: cloudtrail.amazonaws.com}\n",
		"r.lua": "function rule(e) return e.eventName == 'StopLogging' end",
	})
	out, _, code := run(t, dir, "test", dir)
	want := filepath.Join(dir, "r.yml") + `:7: warning: test "t": Log key eventname is not a field of AWS.CloudTrail (did you mean eventName?)`
	if code != 0 || !strings.Contains(out, want) {
		t.Errorf("exit %d\n%s", code, out)
	}
	if out, _, code := run(t, dir, "test", dir, "--strict"); code != ExitFindings || !strings.Contains(out, ": error: test \"t\"") {
		t.Errorf("--strict: exit %d\n%s", code, out)
	}
	if _, _, code := run(t, dir, "validate", dir, "--strict"); code != ExitFindings {
		t.Errorf("validate --strict: exit %d", code)
	}
}

// Shell completion: rule IDs, test names, log types, pack IDs, saved query
// names.
func TestCompletion(t *testing.T) {
	t.Parallel()
	repo := ciRepo(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"__complete", "debug", "CI."}, "CI.Stop\n"},
		{[]string{"__complete", "debug", "CI.Stop", ""}, "stopped\nother\nfixture: two stops\n"},
		{[]string{"__complete", "replay", "x", "--rule", "CI"}, "CI.Stop\n"},
		{[]string{"__complete", "parse", "--log-type", "AWS.Cloud"}, "AWS.CloudTrail\n"},
		{[]string{"__complete", "logtypes", "Zeek.DNS"}, "Zeek.DNS\n"},
		{[]string{"__complete", "pack", "build", "--pack", ""}, "CI.Pack\n"},
		{[]string{"__complete", "search", "--query", "Stops"}, "Stops By User\n"},
	} {
		out, _, _ := run(t, repo, tc.args...)
		if !strings.HasPrefix(out, tc.want) {
			t.Errorf("%v: %q, want %q first", tc.args, out, tc.want)
		}
	}
}

// panther debug says which mocks applied, and runs a fixture test by name
// with the fields that differ named.
func TestDebugMocksAndFixtures(t *testing.T) {
	t.Parallel()
	repo := ciRepo(t)
	out, _, code := run(t, repo, "debug", "CI.Stop", "stopped")
	if code != 0 || !strings.Contains(out, "mocks:\n  allowed                  global of the detection (function, now returning false; line 10)\n") {
		t.Errorf("mocks: exit %d\n%s", code, out)
	}
	exp := filepath.Join(repo, "rules", "fixtures", "stops.jsonl.expected.yml")
	data, _ := os.ReadFile(exp)
	os.WriteFile(exp, bytes.Replace(data, []byte("EventCount: 2"), []byte("EventCount: 3"), 1), 0o644)
	out, _, code = run(t, repo, "debug", "CI.Stop", "two stops")
	if code != ExitFindings || !strings.Contains(out, "== CI.Stop / fixture: two stops") ||
		!strings.Contains(out, `CI.Stop dedup="stopped by bob" first=2024-01-01T00:00:00Z: EventCount expected 3, got 2`) {
		t.Errorf("fixture: exit %d\n%s", code, out)
	}
	if _, errOut, code := run(t, repo, "debug", "CI.Stop", "two"); code != ExitUsage || !strings.Contains(errOut, `"fixture: two stops"`) {
		t.Errorf("unknown test: exit %d %s", code, errOut)
	}
}

// An error that reaches Execute without an exit code is operational (3),
// not a usage error.
func TestUntypedErrorIsOperational(t *testing.T) {
	saved := commands
	t.Cleanup(func() { commands = saved })
	commands = append(commands[:len(commands):len(commands)], func(*App) *cobra.Command {
		return &cobra.Command{Use: "fails", RunE: func(*cobra.Command, []string) error { return errors.New("disk on fire") }}
	})
	if _, errOut, code := run(t, t.TempDir(), "fails"); code != ExitOperational || errOut != "panther: disk on fire\n" {
		t.Errorf("exit %d, %q", code, errOut)
	}
}

// Paths from a .panther.yml found upward are printed relative to the
// working directory when that is shorter, as a path given on the command
// line would be.
func TestConfigPathsShortened(t *testing.T) {
	repo := ciRepo(t)
	t.Chdir(filepath.Join(repo, "rules", "sub"))
	if got, want := shortPath(filepath.Join(repo, "rules")), ".."; got != want {
		t.Errorf("shortPath(repo/rules) = %q, want %q", got, want)
	}
	if got := shortPath("/"); got != "/" {
		t.Errorf("shortPath(/) = %q, want / (shorter than any relative form)", got)
	}
	out, _, _ := run(t, filepath.Join(repo, "rules", "sub"), "test", "--run", "^other$")
	if !strings.Contains(out, "detections: .. (1 detection)\n") {
		t.Errorf("summary does not name ../ relative to the working directory:\n%s", out)
	}
}
