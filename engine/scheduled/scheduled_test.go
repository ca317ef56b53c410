package scheduled

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"panther/engine"
	"panther/parsers/logtypes"
	"panther/query"
	"panther/query/querytest"
)

var start = time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)

// Detections is a detections tree with two scheduled rules over the test
// lake (480 CloudTrail events, one every 6 minutes; every 50th, from i = 0,
// is AccessDenied, each by another user, from s3, iam, kms, s3, iam, ...):
//   - Denied.Users: one alert per user with denials, from a scheduled
//     query with a one-day lookback;
//   - Denied.Services: the denied events themselves (a saved query), one
//     alert per service and day with at least two denials.
var detections = map[string]string{
	"queries/denied_per_user.yml": `AnalysisType: scheduled_query
QueryName: denied_per_user
Query: |
  SELECT userIdentity.userName AS user, count(*) AS n, max(p_event_time) AS p_event_time
  FROM aws_cloudtrail WHERE errorCode = 'AccessDenied' GROUP BY 1 ORDER BY 1
Schedule: {RateMinutes: 60, TimeoutMinutes: 5}
Lookback: true
LookbackWindowSeconds: 86400
`,
	"queries/denied_events.yml": `AnalysisType: saved_query
QueryName: Denied events
Query: SELECT * FROM aws_cloudtrail WHERE errorCode = 'AccessDenied'
`,
	"rules/denied_users.yml": `AnalysisType: scheduled_rule
RuleID: Denied.Users
Filename: denied_users.lua
ScheduledQueries: [denied_per_user]
Severity: Medium
Enabled: true
`,
	"rules/denied_users.lua": `function rule(event) return event.n >= 1 end
function title(event) return "access denied to " .. event.user end
function dedup(event) return event.user end
`,
	"rules/denied_services.yml": `AnalysisType: scheduled_rule
RuleID: Denied.Services
Filename: denied_services.lua
ScheduledQueries: [Denied events]
Severity: High
Enabled: true
DedupPeriodMinutes: 1440
Threshold: 2
`,
	"rules/denied_services.lua": `function rule(event) return event.errorCode == "AccessDenied" end
function title(event) return "denials on " .. event.eventSource end
function dedup(event) return event.eventSource end
`,
	"rules/broken.yml": `AnalysisType: scheduled_rule
RuleID: Broken
Filename: broken.lua
ScheduledQueries: [denied_per_user]
Severity: Low
Enabled: false
`,
	"rules/broken.lua": `function rule(event) return event.n.x.y end
`,
}

// WriteDetections writes the tree under dir and returns it.
func WriteDetections(t testing.TB, dir string) string {
	t.Helper()
	for name, body := range detections {
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

func setup(t *testing.T) (*query.Engine, *engine.Set) {
	t.Helper()
	lake := t.TempDir()
	querytest.WriteT(t, lake, "logs/aws_cloudtrail", querytest.CloudTrailSQL(480, start, 48*time.Hour))
	set := engine.Load([]engine.Source{engine.DirSource(WriteDetections(t, t.TempDir()))}, engine.LoadOptions{Registry: logtypes.Default()})
	if n := set.Diagnostics.Errors(); n > 0 {
		t.Fatalf("detections: %v", set.Diagnostics)
	}
	e, err := query.Open(context.Background(), query.Options{Lake: lake, Registry: logtypes.Default()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e, set
}

type alertLine struct {
	rule, title, dedup string
	events             int
	first              string
}

func lines(as []*engine.Alert) []alertLine {
	var out []alertLine
	for _, a := range as {
		out = append(out, alertLine{a.RuleID, a.Title, a.Dedup, a.EventCount, a.FirstEvent.Format("01-02T15:04")})
	}
	return out
}

func TestRun(t *testing.T) {
	t.Parallel()
	e, set := setup(t)
	now := start.Add(48 * time.Hour)
	res, err := Run(context.Background(), e, set, Options{Lookback: true, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	// Denied.Users looks back one day: the denials of i = 250..450 (at
	// 25h, 30h, ... 45h), users 250, 100, 450, 300, 150.
	// Denied.Services: s3 at 0h, 15h | 30h, 45h; iam 5h, 20h | 35h (one:
	// under the threshold); kms 10h, 25h | 40h (one).
	want := []alertLine{
		{"Denied.Services", "denials on s3.amazonaws.com", "s3.amazonaws.com", 2, "03-01T00:00"},
		{"Denied.Services", "denials on iam.amazonaws.com", "iam.amazonaws.com", 2, "03-01T05:00"},
		{"Denied.Services", "denials on kms.amazonaws.com", "kms.amazonaws.com", 2, "03-01T10:00"},
		{"Denied.Users", "access denied to user250", "user250", 1, "03-02T01:00"},
		{"Denied.Services", "denials on s3.amazonaws.com", "s3.amazonaws.com", 2, "03-02T06:00"},
		{"Denied.Users", "access denied to user100", "user100", 1, "03-02T06:00"},
		{"Denied.Users", "access denied to user450", "user450", 1, "03-02T11:00"},
		{"Denied.Users", "access denied to user300", "user300", 1, "03-02T16:00"},
		{"Denied.Users", "access denied to user150", "user150", 1, "03-02T21:00"},
	}
	if got := lines(res.Alerts); !slices.Equal(got, want) {
		t.Errorf("alerts:\n got %v\nwant %v", got, want)
	}
	wantStats := []RuleStats{
		{RuleID: "Denied.Services", Queries: []string{"Denied events"}, Rows: 10, Matches: 10, Alerts: 4},
		{RuleID: "Denied.Users", Queries: []string{"denied_per_user"}, Rows: 5, Matches: 5, Alerts: 5},
	}
	if len(res.Rules) != 2 {
		t.Fatalf("stats %+v", res.Rules)
	}
	for i, st := range res.Rules {
		w := wantStats[i]
		if st.RuleID != w.RuleID || !slices.Equal(st.Queries, w.Queries) || st.Rows != w.Rows || st.Matches != w.Matches || st.Alerts != w.Alerts || st.Errors != 0 {
			t.Errorf("stats %+v, want %+v", st, w)
		}
	}
	// Each alert keeps its events as samples, with the row's columns.
	if s := string(res.Alerts[3].Samples[0]); !strings.Contains(s, `"user":"user250"`) || !strings.Contains(s, `"p_log_type":"ScheduledQuery.denied_per_user"`) {
		t.Errorf("sample: %s", s)
	}
	if s := string(res.Alerts[0].Samples[0]); !strings.Contains(s, `"p_log_type":"AWS.CloudTrail"`) || !strings.Contains(s, `"eventName":"GetObject"`) {
		t.Errorf("sample of a raw event: %s", s)
	}
}

func TestRunRange(t *testing.T) {
	t.Parallel()
	e, set := setup(t)
	users, _ := set.Detection("Denied.Users")
	// Without lookback the query sees the whole lake: 10 users.
	res, err := Run(context.Background(), e, set, Options{Rules: []*engine.Detection{users}, Now: start.Add(48 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Alerts) != 10 {
		t.Errorf("%d alerts, want 10", len(res.Alerts))
	}
	// A range given instead: the first day, 5 users.
	res, err = Run(context.Background(), e, set, Options{Rules: []*engine.Detection{users}, Range: query.TimeRange{From: start, To: start.Add(24 * time.Hour)}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Alerts) != 5 {
		t.Errorf("%d alerts, want 5", len(res.Alerts))
	}
}

func TestRuleErrorsAndBadQueries(t *testing.T) {
	t.Parallel()
	e, set := setup(t)
	broken, _ := set.Detection("Broken")
	res, err := Run(context.Background(), e, set, Options{Rules: []*engine.Detection{broken}, Lookback: true, Now: start.Add(48 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	// Five errors, five hours apart: five groups in the default 60-minute
	// dedup period.
	if len(res.Alerts) != 0 || len(res.RuleErrors) != 5 || res.Rules[0].Errors != 5 {
		t.Fatalf("rule errors: %d groups, %+v", len(res.RuleErrors), res.Rules)
	}
	if msg := res.RuleErrors[0].Error; !strings.Contains(msg, "broken.lua:1: attempt to index") {
		t.Errorf("rule error message: %q", msg)
	}
	// A scheduled query that writes is refused like any search.
	q, _ := set.Query("denied_per_user")
	saved := q.SQL
	q.SQL = "COPY aws_cloudtrail TO 'x.csv'"
	defer func() { q.SQL = saved }()
	_, err = Run(context.Background(), e, set, Options{Rules: []*engine.Detection{broken}})
	var re *query.RefusedError
	if !errors.As(err, &re) || !strings.Contains(err.Error(), "query denied_per_user") {
		t.Errorf("a writing query: %v", err)
	}
}
