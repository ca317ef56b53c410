package cmd

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func ctEvent(min int, name, user string) string {
	return `{"eventVersion":"1.08","eventTime":"2024-01-01T00:` + twoDigits(min) + `:00Z","eventSource":"cloudtrail.amazonaws.com","eventName":"` + name +
		`","awsRegion":"us-east-1","sourceIPAddress":"198.51.100.7","recipientAccountId":"123456789012","userIdentity":{"type":"IAMUser","userName":"` + user +
		`","arn":"arn:aws:iam::123456789012:user/` + user + `","accountId":"123456789012"},"requestParameters":{"name":"trail-` + user + `"}}`
}

func twoDigits(n int) string { return string([]byte{byte('0' + n/10), byte('0' + n%10)}) }

func TestReplayCommand(t *testing.T) {
	dir := t.TempDir()
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(ctEvent(1, "StopLogging", "alice") + "\n" + ctEvent(2, "DescribeTrails", "bob") + "\n"))
	zw.Close()
	huge := strings.Repeat("x", 100<<20)
	writeFiles := map[string][]byte{
		"logs/a.json.gz": gz.Bytes(),
		"logs/b.json":    []byte(ctEvent(0, "DescribeTrails", "dave") + "\n{\"truncated\": \n" + huge + "\n" + ctEvent(3, "StopLogging", "carol") + "\n"),
	}
	for name, data := range writeFiles {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	logs := filepath.Join(dir, "logs")
	alerts := filepath.Join(dir, "alerts.jsonl")
	dead := filepath.Join(dir, "dead.jsonl")
	out, errOut, code := run(t, dir, "replay", logs, "--format", "jsonl", "--alerts", alerts, "--dead-letter", dead, "--rule", "AWS.CloudTrail.Stopped")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 {
		t.Fatalf("want 2 alerts (alice's and carol's trails), got:\n%s", out)
	}
	for _, l := range lines {
		var a map[string]any
		if err := json.Unmarshal([]byte(l), &a); err != nil || a["rule_id"] != "AWS.CloudTrail.Stopped" {
			t.Errorf("alert line %s: %v", l, err)
		}
	}
	if data, _ := os.ReadFile(alerts); string(data) != out {
		t.Errorf("--alerts file differs from stdout:\n%s", data)
	}
	// The truncated line and the 100 MiB line are reported with their
	// lines, kept in the dead-letter file, and the next line still parses.
	for _, w := range []string{"b.json:2: ", "b.json:3: record of 104857600 bytes exceeds the 16 MiB limit", "unparsed records: 2", "AWS.CloudTrail               4 events"} {
		if !strings.Contains(errOut, w) {
			t.Errorf("stderr lacks %q:\n%s", w, errOut)
		}
	}
	deadData, _ := os.ReadFile(dead)
	if n := strings.Count(string(deadData), "\n"); n != 2 || !strings.Contains(string(deadData), `"line":2`) {
		t.Errorf("dead letters:\n%s", deadData)
	}

	if _, _, code := run(t, dir, "replay", logs, "--quiet", "--fail-on-alert"); code != ExitFindings {
		t.Errorf("--fail-on-alert: exit %d", code)
	}
	if _, _, code := run(t, dir, "replay", logs, "--quiet", "--fail-on-error", "--rule", "AWS.CloudTrail.Stopped"); code != ExitFindings {
		t.Errorf("--fail-on-error with unparsed records: exit %d", code)
	}
	_, errOut, code = run(t, dir, "replay", logs, filepath.Join(dir, "missing.log"), "--quiet")
	if code != ExitOperational || !strings.Contains(errOut, "missing.log") {
		t.Errorf("missing source: exit %d\n%s", code, errOut)
	}
	for _, bad := range [][]string{
		{"replay"},
		{"replay", logs, "--log-type", "AWS.CloudTrial"},
		{"replay", logs, "--rule", "Nope"},
		{"replay", logs, "--since", "yesterday-ish"},
		{"replay", logs, "--format", "xml"},
	} {
		if _, errOut, code := run(t, dir, bad...); code != ExitUsage {
			t.Errorf("%v: exit %d\n%s", bad, code, errOut)
		}
	}
}

// Replaying the same input into the same lake twice stores every row once:
// events, rule matches and alerts; a source that broke off stores nothing.
func TestReplayLakeIdempotent(t *testing.T) {
	dir := t.TempDir()
	logs := filepath.Join(dir, "logs")
	os.MkdirAll(logs, 0o755)
	var b strings.Builder
	for i := 0; i < 20; i++ {
		b.WriteString(ctEvent(i, "StopLogging", "alice") + "\n")
	}
	os.WriteFile(filepath.Join(logs, "a.json"), []byte(b.String()), 0o644)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(strings.Repeat(ctEvent(30, "StopLogging", "bob")+"\n", 3000)))
	zw.Close()
	os.WriteFile(filepath.Join(logs, "broken.json.gz"), gz.Bytes()[:gz.Len()/2], 0o644)
	lake := filepath.Join(dir, "lake")
	query := func(q string) string {
		out, errOut, code := run(t, dir, "search", "--lake", lake, "--format", "csv", q)
		if code != 0 {
			t.Fatalf("search %s: %d %s", q, code, errOut)
		}
		return strings.TrimSpace(out)
	}
	count := func(table string) string { return query("SELECT count(*) AS n FROM " + table) }
	for round := 1; round <= 2; round++ {
		_, errOut, code := run(t, dir, "replay", logs, "--lake", lake, "--quiet")
		if code != ExitOperational || !strings.Contains(errOut, "broken.json.gz") {
			t.Fatalf("round %d: exit %d\n%s", round, code, errOut)
		}
		if got := count("aws_cloudtrail"); got != "n\n20" {
			t.Errorf("round %d: events %q", round, got)
		}
		// alice's trail: the rule's alert and the correlation's (stopped,
		// not restarted); bob's broken source feeds both too, and takes
		// them along, the correlation alert included.
		if got := query("SELECT rule_id, dedup FROM alerts ORDER BY ALL"); got != "rule_id,dedup\n"+
			"AWS.CloudTrail.Stopped,123456789012:trail-alice\nAWS.CloudTrail.Stopped.NotRestarted,\"123456789012, trail-alice\"" {
			t.Errorf("round %d: alerts %q", round, got)
		}
		if got := count("rule_matches"); got != "n\n40" { // AWS.CloudTrail.Stopped and AWS.IAM.UserActivity
			t.Errorf("round %d: rule matches %q", round, got)
		}
	}
	// The source repaired: its rows and the alerts it feeds are stored,
	// once, however often it is replayed.
	os.WriteFile(filepath.Join(logs, "broken.json.gz"), gz.Bytes(), 0o644)
	for round := 3; round <= 4; round++ {
		if _, errOut, code := run(t, dir, "replay", logs, "--lake", lake, "--quiet"); code != 0 {
			t.Fatalf("round %d: exit %d\n%s", round, code, errOut)
		}
		if got := count("aws_cloudtrail"); got != "n\n3020" {
			t.Errorf("round %d: events %q", round, got)
		}
		if got := query("SELECT rule_id, dedup FROM alerts ORDER BY ALL"); got != "rule_id,dedup\n"+
			"AWS.CloudTrail.Stopped,123456789012:trail-alice\nAWS.CloudTrail.Stopped,123456789012:trail-bob\n"+
			"AWS.CloudTrail.Stopped.NotRestarted,\"123456789012, trail-alice\"\nAWS.CloudTrail.Stopped.NotRestarted,\"123456789012, trail-bob\"" {
			t.Errorf("round %d: alerts %q", round, got)
		}
		if got := count("rule_matches"); got != "n\n6040" {
			t.Errorf("round %d: rule matches %q", round, got)
		}
	}
}

// Two incremental replays (every other sample file, then all of them)
// store each alert once: an alert that the second run extends with events
// of new files was stored by the first (the same id), and is not stored
// again (774 rows for 763 alerts before the lake's keyed rows).
func TestReplayLakeIncremental(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	samples := filepath.Join("..", "testdata", "samples")
	var files []string
	filepath.WalkDir(samples, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files = append(files, p)
		}
		return nil
	})
	slices.Sort(files)
	var half []string
	for i, f := range files {
		if i%2 == 1 {
			half = append(half, f)
		}
	}
	lake := filepath.Join(dir, "lake")
	for _, args := range [][]string{half, {samples}} {
		if _, errOut, code := run(t, dir, append(append([]string{"replay"}, args...), "--lake", lake, "--quiet", "--format", "jsonl")...); code != 0 {
			t.Fatalf("replay: exit %d\n%s", code, errOut)
		}
	}
	out, errOut, code := run(t, dir, "search", "--lake", lake, "--format", "csv",
		"SELECT count(*) AS n, count(DISTINCT alert_id) AS ids FROM alerts")
	if code != 0 {
		t.Fatalf("search: %d %s", code, errOut)
	}
	var n, ids int
	if _, err := fmt.Sscanf(strings.TrimSpace(out), "n,ids\n%d,%d", &n, &ids); err != nil || n != ids || n < 72 {
		t.Errorf("alerts: %q (%v), want each id once and at least the 72 alerts of one replay", out, err)
	}
	out, _, _ = run(t, dir, "search", "--lake", lake, "--format", "csv",
		"SELECT count(*) - count(DISTINCT (p_rule_id, p_row_id)) AS twice FROM rule_matches")
	if strings.TrimSpace(out) != "twice\n0" {
		t.Errorf("rule matches stored twice: %q", out)
	}
}

// A replay of your own detections reports a Lua file that does not
// compile before it starts, with file:line, even when no event of its log
// types comes, and runs the others (only the shipped library compiles
// lazily).
func TestReplayReportsBrokenLuaUpFront(t *testing.T) {
	t.Parallel()
	dir := writeTree(t, map[string]string{
		"rules/good.yml": "AnalysisType: rule\nRuleID: T.Good\nFilename: good.lua\nLogTypes: [AWS.CloudTrail]\nSeverity: High\n",
		"rules/good.lua": `function rule(e) return e.eventName == "StopLogging" end`,
		"rules/bad.yml":  "AnalysisType: rule\nRuleID: T.Bad\nFilename: bad.lua\nLogTypes: [Okta.SystemLog]\nSeverity: High\n",
		"rules/bad.lua":  "function rule(e)\n  return e.x ==\nend\n",
		"ct.json":        ctEvent(1, "StopLogging", "alice") + "\n",
	})
	out, errOut, code := run(t, dir, "replay", filepath.Join(dir, "ct.json"), "--detections", filepath.Join(dir, "rules"), "-q")
	if code != 0 || !strings.Contains(out, "T.Good") {
		t.Errorf("exit %d, the good rule's alert missing:\n%s\n%s", code, out, errOut)
	}
	if !strings.Contains(errOut, "bad.lua:3:3: error: Lua syntax error") {
		t.Errorf("the broken file is not reported with its line:\n%s", errOut)
	}
}
