package engine

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"panther/parsers/event"
)

// sprayRule counts distinct users (ThresholdDistinct) per source address
// (GroupBy): Sigma's value_count on an ordinary rule.
const sprayRule = `AnalysisType: rule
RuleID: Login.Spray
DisplayName: Password spray
Filename: spray.lua
LogTypes: [Okta.SystemLog]
Severity: High
Threshold: 20
ThresholdDistinct: %s
GroupBy: [client.ipAddress]
DedupPeriodMinutes: 60
`

// countingRun loads one rule, evaluates each event and aggregates the
// matches as replay does, returning the alerts.
type countingRun struct {
	t   *testing.T
	d   *Detection
	ev  *Evaluator
	agg *Aggregator
	out []*Alert
	n   int
}

func newCountingRun(t *testing.T, files map[string]string, id string) *countingRun {
	t.Helper()
	set := load(t, tree(t, files))
	if n := set.Diagnostics.Errors(); n > 0 {
		t.Fatalf("%d errors:\n%s", n, set.Diagnostics)
	}
	r := &countingRun{t: t, ev: NewEvaluator(set, EvalOptions{Budget: time.Second})}
	t.Cleanup(r.ev.Close)
	var ok bool
	if r.d, ok = set.Detection(id); !ok {
		t.Fatalf("no rule %s", id)
	}
	r.agg = NewAggregator(func(a *Alert) { r.out = append(r.out, a) }, func(a *Alert) { t.Errorf("rule error: %s", a.Error) })
	return r
}

var countT0 = time.Date(2026, 11, 10, 9, 0, 0, 0, time.UTC)

// login feeds one failed login of user from ip, sec seconds after countT0.
func (r *countingRun) login(sec int, ip, user string) {
	r.t.Helper()
	e := event.New()
	defer e.Release()
	js := fmt.Sprintf(`{"eventType":"user.session.start","outcome":{"result":"FAILURE"},"client":{"ipAddress":%q},"actor":{"alternateId":%q},"p_any_usernames":[%q]}`, ip, user, user)
	if err := e.ParseJSON([]byte(js)); err != nil {
		r.t.Fatal(err)
	}
	e.Time = countT0.Add(time.Duration(sec) * time.Second)
	e.LogType = "Okta.SystemLog"
	r.n++
	e.RowID = fmt.Sprintf("row-%d", r.n)
	m := r.ev.Evaluate(r.d, e)
	if m.Err != nil || !m.Matched {
		r.t.Fatalf("login %s/%s: matched=%v err=%v", ip, user, m.Matched, m.Err)
	}
	r.agg.Add(&m, e)
}

func (r *countingRun) flush() []*Alert {
	r.agg.Flush()
	SortAlerts(r.out)
	return r.out
}

func TestThresholdDistinctAndGroupBy(t *testing.T) {
	lua := `function rule(e) return e:get("outcome", "result") == "FAILURE" end`
	for _, field := range []string{"actor.alternateId", "p_any_usernames"} {
		files := map[string]string{"r/spray.yml": fmt.Sprintf(sprayRule, field), "r/spray.lua": lua}
		t.Run(field, func(t *testing.T) {
			t.Run("one address against 20 users fires", func(t *testing.T) {
				r := newCountingRun(t, files, "Login.Spray")
				for i := 0; i < 20; i++ {
					r.login(i*30, "203.0.113.9", fmt.Sprintf("user%02d@example.com", i))
					r.login(i*30+1, "203.0.113.9", "user00@example.com") // repeats count once
				}
				got := r.flush()
				if len(got) != 1 {
					t.Fatalf("got %d alerts, want 1", len(got))
				}
				a := got[0]
				if a.Dedup != "203.0.113.9" || a.Title != "Password spray" || a.EventCount != 40 || a.Severity != "HIGH" {
					t.Errorf("alert: dedup %q title %q count %d severity %s", a.Dedup, a.Title, a.EventCount, a.Severity)
				}
			})
			t.Run("20 failures of one user does not", func(t *testing.T) {
				r := newCountingRun(t, files, "Login.Spray")
				for i := 0; i < 20; i++ {
					r.login(i*30, "203.0.113.9", "alice@example.com")
				}
				if got := r.flush(); len(got) != 0 {
					t.Fatalf("got %d alerts, want none: %+v", len(got), got[0])
				}
			})
			t.Run("19 users does not", func(t *testing.T) {
				r := newCountingRun(t, files, "Login.Spray")
				for i := 0; i < 40; i++ {
					r.login(i*30, "203.0.113.9", fmt.Sprintf("user%02d@example.com", i%19))
				}
				if got := r.flush(); len(got) != 0 {
					t.Fatalf("got %d alerts, want none", len(got))
				}
			})
			t.Run("20 users over two addresses does not; each address is its own alert", func(t *testing.T) {
				r := newCountingRun(t, files, "Login.Spray")
				for i := 0; i < 20; i++ {
					r.login(i*30, []string{"203.0.113.9", "198.51.100.4"}[i%2], fmt.Sprintf("user%02d@example.com", i))
				}
				if got := r.flush(); len(got) != 0 {
					t.Fatalf("got %d alerts, want none", len(got))
				}
				for i := 0; i < 40; i++ {
					r.login(600+i*30, []string{"203.0.113.9", "198.51.100.4"}[i%2], fmt.Sprintf("user%02d@example.com", i/2))
				}
				var dedups []string
				for _, a := range r.flush() {
					dedups = append(dedups, a.Dedup)
				}
				slices.Sort(dedups)
				if !slices.Equal(dedups, []string{"198.51.100.4", "203.0.113.9"}) {
					t.Errorf("alerts %v, want one per address", dedups)
				}
			})
			t.Run("20 users outside one dedup period does not", func(t *testing.T) {
				r := newCountingRun(t, files, "Login.Spray")
				for i := 0; i < 20; i++ {
					r.login(i*10*60, "203.0.113.9", fmt.Sprintf("user%02d@example.com", i)) // 10 minutes apart: 190 minutes
				}
				if got := r.flush(); len(got) != 0 {
					t.Fatalf("got %d alerts, want none", len(got))
				}
			})
		})
	}
}

// GroupBy makes the default dedup string the fields' values joined with
// ":" (a list's values with ","); a dedup() function still wins.
func TestGroupByDedup(t *testing.T) {
	files := map[string]string{
		"r/by.yml": `AnalysisType: rule
RuleID: By.Fields
Filename: by.lua
LogTypes: [Okta.SystemLog]
Severity: Low
GroupBy: [client.ipAddress, actor.alternateId, p_any_usernames]
`,
		"r/by.lua": `function rule(e) return true end`,
		"r/own.yml": `AnalysisType: rule
RuleID: Own.Dedup
Filename: own.lua
LogTypes: [Okta.SystemLog]
Severity: Low
GroupBy: [client.ipAddress]
`,
		"r/own.lua": "function rule(e) return true end\nfunction dedup(e) return 'mine' end",
		"r/plain.yml": `AnalysisType: rule
RuleID: Plain
DisplayName: Plain title
Filename: plain.lua
LogTypes: [Okta.SystemLog]
Severity: Low
`,
		"r/plain.lua": `function rule(e) return true end`,
	}
	e := event.New()
	defer e.Release()
	if err := e.ParseJSON([]byte(`{"client":{"ipAddress":"203.0.113.9"},"actor":{"alternateId":"bob"},"p_any_usernames":["bob","root"]}`)); err != nil {
		t.Fatal(err)
	}
	e.LogType = "Okta.SystemLog"
	e.Time = countT0
	for id, want := range map[string]string{"By.Fields": "203.0.113.9:bob:bob,root", "Own.Dedup": "mine", "Plain": "Plain title"} {
		r := newCountingRun(t, files, id)
		m := r.ev.Evaluate(r.d, e)
		if !m.Matched || m.Err != nil || m.Dedup != want {
			t.Errorf("%s: dedup %q (matched %v, err %v), want %q", id, m.Dedup, m.Matched, m.Err, want)
		}
	}
	// A missing field is empty, not an error: the alert still groups.
	r := newCountingRun(t, files, "By.Fields")
	e2 := event.New()
	defer e2.Release()
	if err := e2.ParseJSON([]byte(`{"actor":{"alternateId":"bob"}}`)); err != nil {
		t.Fatal(err)
	}
	e2.LogType = "Okta.SystemLog"
	if m := r.ev.Evaluate(r.d, e2); !m.Matched || m.Dedup != ":bob:" {
		t.Errorf("missing fields: dedup %q matched %v", m.Dedup, m.Matched)
	}
}

// A field that does not parse is refused at load, with file and line.
func TestCountingFieldsRefused(t *testing.T) {
	for _, c := range []struct{ key, line string }{
		{"ThresholdDistinct", "ThresholdDistinct: 'a..b'"},
		{"GroupBy", "GroupBy: [client.ipAddress, 'x[']"},
	} {
		set := load(t, tree(t, map[string]string{
			"r/bad.yml": "AnalysisType: rule\nRuleID: Bad\nFilename: bad.lua\nLogTypes: [Okta.SystemLog]\nSeverity: Low\nThreshold: 5\n" + c.line + "\n",
			"r/bad.lua": "function rule(e) return true end",
		}))
		msg := fmt.Sprint(set.Diagnostics)
		if set.Diagnostics.Errors() != 1 || !strings.Contains(msg, "bad.yml:7") || !strings.Contains(msg, c.key+":") {
			t.Errorf("%s: %d errors:\n%s", c.key, set.Diagnostics.Errors(), msg)
		}
	}
}
