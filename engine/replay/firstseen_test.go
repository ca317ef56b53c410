package replay

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"panther/engine"
	"panther/lake"
	"panther/parsers"
	"panther/parsers/event"
	"panther/parsers/logtypes"
)

// matchLake keeps the rule_matches rows' rule ids (a Lake for tests).
type matchLake struct {
	mu      sync.Mutex
	matches []string
}

func (l *matchLake) HasSource(string) bool                        { return false }
func (l *matchLake) WriteEvent(*event.Event) error                { return nil }
func (l *matchLake) SourceDone(string, string, int64, bool) error { return nil }
func (l *matchLake) WriteValuesOnce(string, string, []parsers.Column, time.Time, []lake.Value) error {
	return nil
}
func (l *matchLake) WriteValues(table string, _ []parsers.Column, t time.Time, row []lake.Value) error {
	if table == "rule_matches" {
		l.mu.Lock()
		l.matches = append(l.matches, fmt.Sprintf("%v@%s", row[1].Any(), t.Format("15:04")))
		l.mu.Unlock()
	}
	return nil
}

// A rule with FirstSeen over a replay: only new values match — in
// alerts, in rule_matches and in the correlation that takes its matches —
// the same for any number of workers.
func TestReplayFirstSeen(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"new.yml": `AnalysisType: rule
RuleID: NewIP
Filename: new.lua
LogTypes: [AWS.CloudTrail]
Severity: Medium
GroupBy: [userIdentity.userName, sourceIPAddress]
FirstSeen: {Fields: [sourceIPAddress], By: [userIdentity.userName], HistoryMinutes: 60, LearnMinutes: 10}
`,
		"new.lua": `function rule(e) return e.eventName == "ConsoleLogin" and e:get("responseElements", "ConsoleLogin") == "Success" end`,
		"two.yml": `AnalysisType: correlation_rule
RuleID: TwoNew
Severity: High
Detection:
  - Group:
      - ID: New
        RuleID: NewIP
        MinMatchCount: 2
    MatchCriteria:
      user:
        - GroupID: New
          Match: userIdentity.userName
    LookbackWindowMinutes: 60
`,
	})
	set := engine.Load([]engine.Source{engine.DirSource(dir)}, engine.LoadOptions{Registry: logtypes.Default()})
	if set.Diagnostics.Errors() > 0 {
		t.Fatal(set.Diagnostics)
	}
	login := func(min int, user, ip string) string {
		ts := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(min) * time.Minute)
		return fmt.Sprintf(`{"eventVersion":"1.08","eventTime":%q,"eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","sourceIPAddress":%q,"userIdentity":{"type":"IAMUser","userName":%q},"responseElements":{"ConsoleLogin":"Success"}}`+"\n",
			ts.Format(time.RFC3339), ip, user)
	}
	noise := strings.Repeat(`{"eventVersion":"1.08","eventTime":"2024-01-01T00:30:00Z","eventSource":"ec2.amazonaws.com","eventName":"DescribeInstances","sourceIPAddress":"192.0.2.99","userIdentity":{"type":"IAMUser","userName":"carol"}}`+"\n", 700)
	logs := t.TempDir()
	writeFiles(t, logs, map[string]string{
		// The first 10 minutes learn: alice's A and B, bob's X.
		"1.json": login(0, "alice", "192.0.2.1") + login(0, "bob", "192.0.2.9") + login(5, "alice", "192.0.2.2"),
		"2.json": noise + login(20, "alice", "192.0.2.1") + login(21, "alice", "192.0.2.3") + noise + login(22, "alice", "192.0.2.3"),
		"3.json": login(25, "alice", "192.0.2.4") + noise + login(30, "bob", "192.0.2.9") + login(31, "bob", "192.0.2.8"),
		// More than HistoryMinutes after its last sighting: new again.
		"4.json": noise + login(200, "bob", "192.0.2.9"),
	})
	var first []string
	for _, workers := range []int{1, 4} {
		l := &matchLake{}
		st, c := runReplay(t, set, []string{logs}, workers, func(o *Options) { o.Lake = l })
		got := append(append([]string{}, c.alerts...), l.matches...)
		for i, a := range got {
			got[i] = strings.SplitN(a, "|", 4)[0] + "|" + strings.SplitN(a+"||", "|", 3)[1]
		}
		if first == nil {
			first = got
			want := "NewIP|alice:192.0.2.3 NewIP|alice:192.0.2.4 NewIP|bob:192.0.2.8 NewIP|bob:192.0.2.9 TwoNew|alice " +
				"NewIP@00:21| NewIP@00:25| NewIP@00:31| NewIP@03:20|"
			if g := strings.Join(got, " "); g != want {
				t.Errorf("alerts and matches:\n%s\nwant\n%s", g, want)
			}
			fs := st.FirstSeen["NewIP"]
			if fs.New != 4 || fs.Learning != 3 || fs.Seen != 3 || fs.Keys != 2 {
				t.Errorf("stats %+v", fs)
			}
			continue
		}
		if strings.Join(got, "\n") != strings.Join(first, "\n") {
			t.Errorf("workers=%d:\n%s\nvs\n%s", workers, strings.Join(got, "\n"), strings.Join(first, "\n"))
		}
	}
}
