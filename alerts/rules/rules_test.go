package rules

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func mustRule(t testing.TB, src string) *Rule {
	t.Helper()
	r, probs := Decode("r.yml", []byte(src))
	if len(probs) > 0 {
		t.Fatalf("decode: %v", probs)
	}
	return r
}

func mustSet(t testing.TB, srcs ...string) *Set {
	t.Helper()
	var rs []*Rule
	for _, s := range srcs {
		rs = append(rs, mustRule(t, s))
	}
	set, probs := NewSet(rs)
	if len(probs) > 0 {
		t.Fatalf("set: %v", probs)
	}
	return set
}

const maintenance = `
AnalysisType: alert_rule
AlertRuleID: Maintenance.DB
Priority: 10
Schedules:
  - Name: nightly
    TimeZone: Europe/London
    Windows:
      - {Days: [Mon-Fri], From: "22:00", To: "02:00"}
When:
  all:
    - starts_with: {node: db}
    - schedule: nightly
Then:
  - severity: Info
  - set: {maintenance: "yes"}
Tests:
  - Name: in the window
    Input: {node: db1, severity: 5}
    Time: 2026-01-05T23:30:00Z
    Expect: {severity: Info, maintenance: "yes"}
  - Name: after the window
    Input: {node: db1, severity: 5}
    Time: 2026-01-06T02:00:00Z
    Matches: false
`

const disk = `
AnalysisType: alert_rule
AlertRuleID: Disk.Full
When:
  match: {summary: 'disk (?P<dev>\w+) full'}
Unless:
  field_exists: ticket
Then:
  - set: {summary: "Disk {match.dev} full on {node} ({match.1})"}
  - group: storage
  - destinations: [slack-storage]
  - stop: true
Tests:
  - Name: disk full
    Input: {node: db1, summary: disk sda full}
    Expect: {summary: "Disk sda full on db1 (sda)", group: storage, destinations: [slack-storage]}
  - Name: with a ticket
    Input: {node: db1, summary: disk sda full, ticket: T-1}
    Matches: false
`

func TestApplyInOrderAndStop(t *testing.T) {
	set := mustSet(t, maintenance, disk, `
AnalysisType: alert_rule
AlertRuleID: Zz.Never
Then: [{group: never}]
`)
	in := &Input{Fields: map[string]string{"node": "db1", "summary": "disk sda full", "severity": "CRITICAL"}}
	// Monday 23:30 London (UTC in January): inside the window.
	now := time.Date(2026, 1, 5, 23, 30, 0, 0, time.UTC)
	o := set.Apply(in, now)
	if got := strings.Join(o.Matched, ","); got != "Maintenance.DB,Disk.Full" {
		t.Fatalf("matched %q", got)
	}
	if in.Fields["severity"] != "INFO" || in.Fields["group"] != "storage" || in.Fields["summary"] != "Disk sda full on db1 (sda)" {
		t.Fatalf("fields %v", in.Fields)
	}
	if !o.DestinationsSet || o.Destinations[0] != "slack-storage" {
		t.Fatalf("destinations %v", o.Destinations)
	}
	if want := time.Date(2026, 1, 6, 2, 0, 0, 0, time.UTC); !o.Expires.Equal(want) {
		t.Fatalf("expires %v, want %v", o.Expires, want)
	}
	hits := set.Hits()
	if hits[0].RuleID != "Maintenance.DB" || hits[0].Hits != 1 || hits[2].Hits != 0 {
		t.Fatalf("hits %+v", hits)
	}
}

func TestDiscard(t *testing.T) {
	set := mustSet(t, `
AnalysisType: alert_rule
AlertRuleID: Drop.Heartbeat
When: {equals: {tag: [heartbeat, ping]}}
Then: [{discard: true}, {group: never}]
`)
	in := &Input{Fields: map[string]string{"tag": "ping"}}
	o := set.Apply(in, time.Now())
	if !o.Discarded || o.DiscardedBy != "Drop.Heartbeat" || in.Fields["group"] != "" {
		t.Fatalf("%+v %v", o, in.Fields)
	}
}

func TestSelectors(t *testing.T) {
	in := func() *Input {
		return &Input{Fields: map[string]string{"node": "web-01", "severity": "HIGH", "tally": "12", "summary": "x"},
			Lookup: func(n string) (string, bool) {
				if n == "alert_context.user" {
					return "bob", true
				}
				return "", false
			}}
	}
	cases := []struct {
		when string
		want bool
	}{
		{`{equals: {node: web-01}}`, true},
		{`{equals: {node: [a, b]}}`, false},
		{`{starts_with: {node: web}}`, true},
		{`{ends_with: {node: "-01"}}`, true},
		{`{field_exists: node}`, true},
		{`{field_exists: [node, owner]}`, false},
		{`{field_missing: owner}`, true},
		{`{greater_than: {tally: 10}}`, true},
		{`{less_than: {tally: 10}}`, false},
		{`{greater_than: {severity: Medium}}`, true},
		{`{less_than: {severity: Critical}}`, true},
		{`{greater_than: {severity: 4}}`, false},
		{`{greater_than: {severity: 3}}`, true},
		{`{equals: {alert_context.user: bob}}`, true},
		{`{any: [{equals: {node: x}}, {equals: {node: web-01}}]}`, true},
		{`{none: [{equals: {node: x}}, {equals: {node: web-01}}]}`, false},
		{`{all: [{equals: {node: web-01}}, {match: {summary: '^x$'}}]}`, true},
		{`{equals: {node: web-01}, match: {summary: y}}`, false},
		{`{match: {missing: .}}`, false},
	}
	for _, c := range cases {
		set := mustSet(t, "AnalysisType: alert_rule\nAlertRuleID: R\nWhen: "+c.when+"\nThen: [{group: g}]\n")
		o := set.Apply(in(), time.Now())
		if got := len(o.Matched) == 1; got != c.want {
			t.Errorf("%s: got %v, want %v", c.when, got, c.want)
		}
	}
}

func TestReplaceAndTemplates(t *testing.T) {
	set := mustSet(t, `
AnalysisType: alert_rule
AlertRuleID: R
When: {match: {node: '^(\w+)\.example\.com$'}}
Then:
  - replace: {field: summary, pattern: 'host-(\d+)', with: 'h$1@{match.1}'}
  - set: {note: "{{literal}} {missing}|{match.9}|"}
`)
	in := &Input{Fields: map[string]string{"node": "web.example.com", "summary": "host-7 down, host-9 up"}}
	set.Apply(in, time.Now())
	if got := in.Fields["summary"]; got != "h7@web down, h9@web up" {
		t.Fatalf("replace: %q", got)
	}
	if got := in.Fields["note"]; got != "{literal} ||" {
		t.Fatalf("set: %q", got)
	}
}

func TestScheduleWindows(t *testing.T) {
	lon, _ := time.LoadLocation("Europe/London")
	s := &Schedule{Name: "s", Loc: lon, Windows: []Window{{Days: []time.Weekday{time.Friday}, From: 22 * 60, To: 2 * 60}}}
	at := func(y int, m time.Month, d, hh, mm int) time.Time { return time.Date(y, m, d, hh, mm, 0, 0, lon) }
	cases := []struct {
		t      time.Time
		active bool
		end    time.Time
	}{
		{at(2026, 7, 3, 21, 59), false, time.Time{}},            // Friday before
		{at(2026, 7, 3, 22, 0), true, at(2026, 7, 4, 2, 0)},     // Friday start
		{at(2026, 7, 4, 1, 59), true, at(2026, 7, 4, 2, 0)},     // Saturday, wrapped
		{at(2026, 7, 4, 2, 0), false, time.Time{}},              // end is exclusive
		{at(2026, 7, 4, 23, 0), false, time.Time{}},             // Saturday night: not a start day
		{at(2026, 10, 23, 23, 0), true, at(2026, 10, 24, 2, 0)}, // another Friday
		{at(2026, 10, 24, 1, 0).Add(-time.Hour), true, at(2026, 10, 24, 2, 0)},
	}
	for _, c := range cases {
		active, end := s.Active(c.t)
		if active != c.active || !end.Equal(c.end) {
			t.Errorf("%v: got %v %v, want %v %v", c.t, active, end, c.active, c.end)
		}
	}
	// Whole days, adjacent: Sat and Sun 00:00-00:00 run as one window.
	w := &Schedule{Name: "w", Loc: time.UTC, Windows: []Window{{Days: []time.Weekday{time.Saturday, time.Sunday}}}}
	active, end := w.Active(time.Date(2026, 1, 10, 9, 0, 0, 0, time.UTC))
	if !active || !end.Equal(time.Date(2026, 1, 12, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("weekend: %v %v", active, end)
	}
	// DST: the night the clocks go back (25 October 2026 in London).
	n := &Schedule{Name: "n", Loc: lon, Windows: []Window{{From: 1 * 60, To: 3 * 60}}}
	active, end = n.Active(time.Date(2026, 10, 25, 1, 30, 0, 0, time.UTC)) // 01:30 GMT, the second 01:30
	if !active || !end.Equal(at(2026, 10, 25, 3, 0)) {
		t.Fatalf("dst: %v %v", active, end)
	}
}

func TestParseDays(t *testing.T) {
	got, err := parseDays([]string{"Fri-Mon", "wednesday"})
	if err != nil || fmt.Sprint(got) != "[Sunday Monday Wednesday Friday Saturday]" {
		t.Fatalf("%v %v", got, err)
	}
	if _, err := parseDays([]string{"Mun"}); err == nil {
		t.Fatal("Mun accepted")
	}
}

func TestRuleTests(t *testing.T) {
	set := mustSet(t, maintenance, disk)
	for _, r := range set.Rules {
		for _, res := range set.RunTests(r) {
			if !res.Passed() {
				t.Errorf("%s / %s: %v", r.ID, res.Test.Name, res.Failures)
			}
		}
		if set.Unmatched(r) {
			t.Errorf("%s: unmatched", r.ID)
		}
	}
	// A failing expectation fails, and a rule its tests never match is found.
	bad := mustSet(t, `
AnalysisType: alert_rule
AlertRuleID: Bad
When: {equals: {node: db1}}
Then: [{group: dba}]
Tests:
  - Name: wrong group
    Input: {node: db2}
    Expect: {group: dba}
`)
	res := bad.RunTests(bad.Rules[0])
	if res[0].Passed() || !strings.Contains(res[0].Failures[0], "did not apply") {
		t.Fatalf("%+v", res)
	}
	if !bad.Unmatched(bad.Rules[0]) {
		t.Fatal("Unmatched false")
	}
}

func TestDecodeErrorsNameTheLine(t *testing.T) {
	cases := []struct{ src, want string }{
		{"AnalysisType: alert_rule\nAlertRuleID: R\nThen: [{group: g}]\nWehn: {}\n", "r.yml:4: unknown key Wehn (did you mean When?)"},
		{"AnalysisType: alert_rule\nAlertRuleID: R\nWhen: {match: {a: '('}}\nThen: [{group: g}]\n", "r.yml:3: When.match: error parsing regexp"},
		{"AnalysisType: alert_rule\nAlertRuleID: R\nWhen: {equal: {a: b}}\nThen: [{group: g}]\n", "did you mean equals?"},
		{"AnalysisType: alert_rule\nAlertRuleID: R\nThen: [{severity: Urgent}]\n", "r.yml:3: severity \"Urgent\" is not a severity"},
		{"AnalysisType: alert_rule\nAlertRuleID: R\nThen: [{set: {a: '{x'}}]\n", "r.yml:3: set.a: template"},
		{"AnalysisType: alert_rule\nAlertRuleID: R\n", "missing required key Then"},
		{"AnalysisType: alert_rule\nAlertRuleID: R\nThen: [{group: g}]\nSchedules:\n  - Name: s\n    TimeZone: Mars/Base\n    Windows: [{From: \"22:00\", To: \"25:00\"}]\n", "unknown time zone"},
		{"AnalysisType: alert_rule\nAlertRuleID: R\nThen: [{group: g}]\nTests:\n  - Name: t\n    Input: {a: b}\n", "r.yml:5: test \"t\" checks nothing"},
		{"AnalysisType: alert_rule\nAlertRuleID: R\nWhen: {greater_than: {tally: lots}}\nThen: [{group: g}]\n", "is not a number"},
	}
	for _, c := range cases {
		_, probs := Decode("r.yml", []byte(c.src))
		if !strings.Contains(probs.Error(), c.want) {
			t.Errorf("%q:\n got %v\nwant %q", c.src, probs, c.want)
		}
	}
	// Unknown schedules are found when the set links.
	r := mustRule(t, "AnalysisType: alert_rule\nAlertRuleID: R\nWhen: {schedule: nightly}\nThen: [{group: g}]\n")
	if _, probs := NewSet([]*Rule{r}); !strings.Contains(probs.Error(), `r.yml:3: alert rule R: unknown schedule "nightly"`) {
		t.Fatalf("%v", probs)
	}
}

func TestParseSeverity(t *testing.T) {
	for in, want := range map[string]string{"0": "INFO", "1": "INFO", "2": "LOW", "3": "MEDIUM", "4": "HIGH", "5": "CRITICAL",
		"major": "HIGH", "Minor": "MEDIUM", "warning": "LOW", "critical": "CRITICAL", "High": "HIGH"} {
		if got, _, ok := ParseSeverity(in); !ok || got != want {
			t.Errorf("%s: %s %v", in, got, ok)
		}
	}
	for _, bad := range []string{"6", "-1", "urgent", ""} {
		if _, _, ok := ParseSeverity(bad); ok {
			t.Errorf("%q accepted", bad)
		}
	}
}

func FuzzDecode(f *testing.F) {
	f.Add([]byte(maintenance))
	f.Add([]byte(disk))
	f.Add([]byte("AnalysisType: alert_rule\nAlertRuleID: R\nThen: [{set: {a: '{{b}} {c} {match.1}'}}]\n"))
	f.Add([]byte("AnalysisType: alert_rule\nAlertRuleID: R\nWhen: {all: [{none: [{schedule: s}]}]}\nThen: [{stop: true}]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, probs := Decode("f.yml", data)
		if r == nil && len(probs) == 0 {
			t.Fatal("no rule and no problem")
		}
		if r != nil {
			set, _ := NewSet([]*Rule{r})
			set.Apply(&Input{Fields: map[string]string{"a": "b", "node": "n"}}, DefaultTestTime)
			set.RunTests(r)
		}
	})
}

// BenchmarkApply200 runs 200 rules over one alert: a realistic mix where
// most rules test a field the alert does not have the value of, some
// match a pattern, a few apply.
func BenchmarkApply200(b *testing.B) {
	var rs []*Rule
	for i := range 200 {
		var when string
		switch i % 4 {
		case 0:
			when = fmt.Sprintf("{equals: {node: [db%d, web%d]}}", i, i)
		case 1:
			when = fmt.Sprintf("{all: [{starts_with: {rule_id: AWS.%d}}, {greater_than: {severity: Low}}]}", i)
		case 2:
			when = fmt.Sprintf("{match: {summary: 'disk (\\w+) full on host%d'}}", i)
		case 3:
			when = fmt.Sprintf("{all: [{equals: {tag: app%d}}, {field_missing: ticket}]}", i)
		}
		then := "[{group: g}]"
		if i == 150 {
			when = "{match: {summary: 'disk (\\w+) full'}}"
			then = `[{set: {summary: "Disk {match.1} on {node}"}}, {severity: Low}]`
		}
		rs = append(rs, mustRule(b, fmt.Sprintf("AnalysisType: alert_rule\nAlertRuleID: R%03d\nWhen: %s\nThen: %s\n", i, when, then)))
	}
	set, probs := NewSet(rs)
	if len(probs) > 0 {
		b.Fatal(probs)
	}
	fields := map[string]string{"node": "db-prod-7", "summary": "disk sda full on db-prod-7", "severity": "HIGH",
		"tag": "storage", "rule_id": "", "kind": "event"}
	in := &Input{Fields: make(map[string]string, 8)}
	now := time.Now()
	b.ReportAllocs()
	for b.Loop() {
		clear(in.Fields)
		for k, v := range fields {
			in.Fields[k] = v
		}
		o := set.Apply(in, now)
		if len(o.Matched) != 1 {
			b.Fatal(o.Matched)
		}
	}
}
