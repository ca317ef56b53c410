package tester

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"panther/engine"
)

// rulesDir holds a rule with a threshold (3 failed logins per user in 10
// minutes).
func rulesDir(t testing.TB) string {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"brute.yml": "AnalysisType: rule\nRuleID: Brute\nFilename: brute.lua\nLogTypes: [AWS.CloudTrail]\nSeverity: High\nThreshold: 3\nDedupPeriodMinutes: 10\n",
		"brute.lua": `function rule(e) return e.eventName == "ConsoleLogin" and e:get("responseElements", "ConsoleLogin") == "Failure" end
function dedup(e) return e:get("userIdentity", "userName") or "?" end
function title(e) return "failed logins for " .. dedup(e) end`,
	})
	return dir
}

func ctLine(min int, name, user, result string) string {
	t := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(min) * time.Minute)
	return fmt.Sprintf(`{"eventVersion":"1.08","eventTime":%q,"eventSource":"signin.amazonaws.com","eventName":%q,"sourceIPAddress":"198.51.100.%d","userIdentity":{"type":"IAMUser","userName":%q},"responseElements":{"ConsoleLogin":%q}}`,
		t.Format(time.RFC3339), name, min%200, user, result)
}

func fixtureTree(t *testing.T, expected string) (string, *engine.Set) {
	t.Helper()
	dir := rulesDir(t)
	var logs strings.Builder
	// alice: 2 failures (no alert), 3 failures (an alert), 30 min later 3 more (another).
	for _, m := range []int{0, 1, 30, 31, 32, 70, 71, 72} {
		logs.WriteString(ctLine(m, "ConsoleLogin", "alice", "Failure") + "\n")
	}
	spec, _ := os.ReadFile(filepath.Join(dir, "brute.yml"))
	files := map[string]string{
		"brute.yml":             string(spec) + "Fixtures:\n  - Name: bursts\n    Input: fixtures/bursts.jsonl\n    LogType: AWS.CloudTrail\n",
		"fixtures/bursts.jsonl": logs.String(),
		"fixtures/not-ct.log":   "<34>Oct 11 22:14:15 host su: 'su root' failed\n",
		"fixtures/README.yml":   "not: a spec\n", // never read as a spec
	}
	if expected != "" {
		files["fixtures/bursts.jsonl.expected.yml"] = expected
	}
	writeFiles(t, dir, files)
	set := loadDir(t, dir)
	if set.Diagnostics.Errors() > 0 {
		t.Fatal(set.Diagnostics)
	}
	return dir, set
}

func runFixtures(t *testing.T, set *engine.Set, fr *fixtures) Result {
	d, _ := set.Detection("Brute")
	res := fr.run(context.Background(), set, d, nil)
	if len(res) != 1 {
		t.Fatalf("%d results", len(res))
	}
	return res[0]
}

const goodExpected = `Alerts:
  - RuleID: Brute
    Title: failed logins for alice
    Dedup: alice
    Severity: HIGH
    EventCount: 3
    FirstEventTime: "2024-01-01T00:30:00Z"
    LastEventTime: "2024-01-01T00:32:00Z"
  - RuleID: Brute
    Title: failed logins for alice
    Dedup: alice
    Severity: HIGH
    EventCount: 3
    FirstEventTime: "2024-01-01T01:10:00Z"
    LastEventTime: "2024-01-01T01:12:00Z"
`

func TestFixturePasses(t *testing.T) {
	_, set := fixtureTree(t, goodExpected)
	if r := runFixtures(t, set, &fixtures{}); !r.Passed || !r.Fixture {
		t.Errorf("%+v %s", r.Failures, r.Diff)
	}
}

// A fixture diff names the fields that differ, with both values, and the
// alerts missing or unexpected.
func TestFixtureDiff(t *testing.T) {
	_, set := fixtureTree(t, strings.Replace(goodExpected, "EventCount: 3\n    FirstEventTime: \"2024-01-01T01:10", "EventCount: 4\n    FirstEventTime: \"2024-01-01T01:10", 1))
	r := runFixtures(t, set, &fixtures{})
	want := "Brute dedup=\"alice\" first=2024-01-01T01:10:00Z: EventCount expected 4, got 3\n"
	if r.Passed || r.Diff != want {
		t.Errorf("diff:\n%s\nwant:\n%s\n%v", r.Diff, want, r.Failures)
	}
	_, set = fixtureTree(t, strings.Replace(goodExpected, "Dedup: alice\n    Severity: HIGH\n    EventCount: 3\n    FirstEventTime: \"2024-01-01T01:10",
		"Dedup: bob\n    Severity: HIGH\n    EventCount: 3\n    FirstEventTime: \"2024-01-01T01:10", 1))
	r = runFixtures(t, set, &fixtures{})
	for _, w := range []string{`missing: Brute dedup="bob"`, `unexpected: Brute dedup="alice" title="failed logins for alice" severity=HIGH events=3 first=2024-01-01T01:10:00Z`} {
		if !strings.Contains(r.Diff, w) {
			t.Errorf("diff lacks %q:\n%s", w, r.Diff)
		}
	}
}

func TestFixtureMissingExpectedAndUpdate(t *testing.T) {
	dir, set := fixtureTree(t, "")
	r := runFixtures(t, set, &fixtures{})
	if r.Passed || !strings.Contains(r.Failures[0], "does not exist: run `panther test --update`") {
		t.Fatalf("%v", r.Failures)
	}
	var updated []string
	r = runFixtures(t, set, &fixtures{update: true, updated: func(f, c string) { updated = append(updated, f+": "+c) }})
	if !r.Passed || len(updated) != 1 || !strings.Contains(updated[0], "created with 2 alert(s)") {
		t.Fatalf("update: %v %v", r.Failures, updated)
	}
	data, err := os.ReadFile(filepath.Join(dir, "fixtures/bursts.jsonl.expected.yml"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), "Written by `panther test --update`") || !strings.Contains(string(data), "EventCount: 3") {
		t.Errorf("written:\n%s", data)
	}
	// The written file now passes, and a second update changes nothing.
	set = loadDir(t, dir)
	if r := runFixtures(t, set, &fixtures{}); !r.Passed {
		t.Errorf("after update: %v %s", r.Failures, r.Diff)
	}
	updated = nil
	runFixtures(t, set, &fixtures{update: true, updated: func(f, c string) { updated = append(updated, f) }})
	if len(updated) != 0 {
		t.Errorf("an unchanged fixture was rewritten: %v", updated)
	}
}

func TestFixtureBadInput(t *testing.T) {
	cases := []struct{ name, expected, spec, want string }{
		{"typo'd key", "Alerts:\n  - RuleID: Brute\n    EventCnt: 3\n", "", "bursts.jsonl.expected.yml:3: unknown key EventCnt (did you mean EventCount?)"},
		{"unknown detection", "Alerts:\n  - RuleID: Brutal\n", "", `an expected alert names detection "Brutal", which does not exist (did you mean Brute?)`},
		{"does not parse as the log type", "Alerts: []\n", "fixtures/not-ct.log", "do not parse as AWS.CloudTrail"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir, set := fixtureTree(t, c.expected)
			if c.spec != "" {
				spec, _ := os.ReadFile(filepath.Join(dir, "brute.yml"))
				os.WriteFile(filepath.Join(dir, "brute.yml"), []byte(strings.Replace(string(spec), "fixtures/bursts.jsonl", c.spec, 1)), 0o644)
				os.WriteFile(filepath.Join(dir, c.spec+".expected.yml"), []byte(c.expected), 0o644)
				set = loadDir(t, dir)
			}
			r := runFixtures(t, set, &fixtures{})
			if r.Passed || !strings.Contains(strings.Join(r.Failures, "\n"), c.want) {
				t.Errorf("want %q in %v", c.want, r.Failures)
			}
		})
	}
}

// Year-less syslog timestamps in a fixture land in the year before the
// fixture clock, whatever day the test runs.
func TestFixtureYearlessTimesAreStable(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"r.yml":                          "AnalysisType: rule\nRuleID: Sshd\nFilename: r.lua\nLogTypes: [Syslog.RFC3164]\nSeverity: Low\nFixtures:\n  - {Input: fixtures/auth.log, LogType: Syslog.RFC3164}\n",
		"r.lua":                          `function rule(e) return e.appname == "sshd" end`,
		"fixtures/auth.log":              "Mar  5 14:02:01 web1 sshd[812]: Accepted publickey for deploy from 10.0.0.5 port 51234 ssh2: ED25519 SHA256:abc\n",
		"fixtures/auth.log.expected.yml": "Alerts:\n  - {RuleID: Sshd, Title: Sshd, Dedup: Sshd, Severity: LOW, EventCount: 1, FirstEventTime: \"2029-03-05T14:02:01Z\", LastEventTime: \"2029-03-05T14:02:01Z\"}\n",
	})
	set := loadDir(t, dir)
	d, _ := set.Detection("Sshd")
	res := (&fixtures{}).run(context.Background(), set, d, nil)
	if len(res) != 1 || !res[0].Passed {
		t.Errorf("%+v %s", res[0].Failures, res[0].Diff)
	}
}

// A fixture's Input may be a folder: every file in it is a source (a
// chain across log types needs one file per source), and a window spans
// them.
func TestFixtureFolder(t *testing.T) {
	dir := rulesDir(t)
	var a, b strings.Builder
	for _, m := range []int{0, 1, 30, 31} {
		a.WriteString(ctLine(m, "ConsoleLogin", "alice", "Failure") + "\n")
	}
	for _, m := range []int{32, 70, 71, 72} { // 32 completes the burst begun in a.jsonl
		b.WriteString(ctLine(m, "ConsoleLogin", "alice", "Failure") + "\n")
	}
	spec, _ := os.ReadFile(filepath.Join(dir, "brute.yml"))
	writeFiles(t, dir, map[string]string{
		"brute.yml":                   string(spec) + "Fixtures:\n  - Name: split\n    Input: fixtures/split\n  - Name: empty\n    Input: fixtures/empty\n",
		"fixtures/split/a.jsonl":      a.String(),
		"fixtures/split/b.jsonl.gz":   gzipText(t, b.String()),
		"fixtures/split.expected.yml": goodExpected,
		"fixtures/empty.expected.yml": "Alerts: []\n",
	})
	if err := os.MkdirAll(filepath.Join(dir, "fixtures", "empty"), 0o755); err != nil {
		t.Fatal(err)
	}
	set := loadDir(t, dir)
	if set.Diagnostics.Errors() > 0 {
		t.Fatal(set.Diagnostics)
	}
	d, _ := set.Detection("Brute")
	res := (&fixtures{}).run(context.Background(), set, d, nil)
	if len(res) != 2 {
		t.Fatalf("%d results", len(res))
	}
	if r := res[0]; !r.Passed {
		t.Errorf("split: %v %s", r.Failures, r.Diff)
	}
	if r := res[1]; r.Passed || !strings.Contains(strings.Join(r.Failures, " "), "fixtures/empty: a folder without files") {
		t.Errorf("empty folder: %v", r.Failures)
	}
}

func gzipText(t *testing.T, s string) string {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	if _, err := zw.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}
