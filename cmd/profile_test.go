package cmd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// `panther test` warns about a detection whose test events cost over
// --slow-rule, and says nothing of the fast one; the warning changes no
// verdict and no exit code.
func TestTestWarnsAboutSlowDetections(t *testing.T) {
	spec := func(id, file string) string {
		return "AnalysisType: rule\nRuleID: " + id + "\nFilename: " + file + "\nLogTypes: [AWS.CloudTrail]\nSeverity: Low\n" +
			"Tests:\n  - Name: quiet\n    ExpectedResult: false\n    Log: {eventName: X}\n"
	}
	dir := writeTree(t, map[string]string{
		"r/slow.yml": spec("Slow", "slow.lua"),
		// About 100,000 Lua steps an event: milliseconds, far from the 1s budget
		// even on a loaded machine.
		"r/slow.lua": "function rule(e) local n = 0 for i = 1, 100000 do n = n + i end return n < 0 end",
		"r/fast.yml": spec("Fast", "fast.lua"),
		"r/fast.lua": "function rule(e) return e.eventName == 'Y' end",
	})
	out, errOut, code := run(t, dir, "test", dir, "--slow-rule", "500us")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	if !strings.Contains(errOut, "warning: Slow (") || !strings.Contains(errOut, `on test "quiet", over --slow-rule 500µs`) {
		t.Errorf("no warning about the slow detection:\n%s", errOut)
	}
	if strings.Contains(errOut, "Fast") {
		t.Errorf("a warning about the fast detection:\n%s", errOut)
	}
	if _, errOut, _ := run(t, dir, "test", dir, "--slow-rule", "0"); strings.Contains(errOut, "warning") {
		t.Errorf("--slow-rule 0 still warns:\n%s", errOut)
	}
}

// `panther replay --profile-rules` prints every detection that ran with its
// events, guard rejections, calls, matches and errors, the costliest first.
func TestReplayProfileRules(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"r/slow.yml":    "AnalysisType: rule\nRuleID: Slow\nFilename: slow.lua\nLogTypes: [AWS.CloudTrail]\nSeverity: Low\n",
		"r/slow.lua":    "function rule(e) local n = 0 for i = 1, 20000 do n = n + i end return e.eventName == 'B' end",
		"r/guarded.yml": "AnalysisType: rule\nRuleID: Guarded\nFilename: guarded.lua\nLogTypes: [AWS.CloudTrail]\nSeverity: Low\n",
		"r/guarded.lua": "function rule(e) return e.eventName == 'A' end",
		"r/broken.yml":  "AnalysisType: rule\nRuleID: Broken\nFilename: broken.lua\nLogTypes: [AWS.CloudTrail]\nSeverity: Low\n",
		"r/broken.lua":  "function rule(e) if e.eventName == 'C' then error('boom') end return false end",
	})
	var logs strings.Builder
	for _, name := range []string{"A", "B", "C", "D"} {
		logs.WriteString(`{"eventVersion":"1.08","eventTime":"2024-03-01T00:00:00Z","eventSource":"s3.amazonaws.com","eventName":"` + name + `","awsRegion":"us-east-1","eventID":"` + name + `"}` + "\n")
	}
	in := filepath.Join(dir, "ct.jsonl")
	if err := os.WriteFile(in, []byte(logs.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	_, errOut, code := run(t, dir, "replay", in, "--detections", filepath.Join(dir, "r"), "--log-type", "AWS.CloudTrail", "--profile-rules", "-q")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	i := strings.Index(errOut, "detections: ")
	if i < 0 {
		t.Fatalf("no profile:\n%s", errOut)
	}
	rows := map[string][]string{}
	var order []string
	for _, line := range strings.Split(errOut[i:], "\n")[2:] {
		f := strings.Fields(line)
		if len(f) == 8 {
			rows[f[0]] = f[1:]
			order = append(order, f[0])
		}
	}
	// events guard calls matches errors
	want := map[string][]string{
		"Slow":    {"4", "-", "4", "1", "0"},
		"Guarded": {"4", "75%", "1", "1", "0"},
		"Broken":  {"4", "-", "4", "0", "1"},
	}
	for id, w := range want {
		if got := rows[id]; len(got) < 5 || strings.Join(got[:5], " ") != strings.Join(w, " ") {
			t.Errorf("%s: %v, want %v\n%s", id, got, w, errOut[i:])
		}
	}
	if len(order) == 0 || order[0] != "Slow" {
		t.Errorf("the costliest is not first: %v", order)
	}
}
