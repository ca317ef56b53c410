package alerts

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"panther/alerts/rules"
)

// clock is a settable time for tests.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

var t0 = time.Date(2026, 11, 10, 9, 0, 0, 0, time.UTC)

func openTest(t testing.TB, o Options) (*Store, *clock) {
	t.Helper()
	clk := &clock{t: t0}
	if o.Path == "" {
		o.Path = filepath.Join(t.TempDir(), "alerts.db")
	}
	if o.Now == nil {
		o.Now = clk.Now
	}
	s, err := Open(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, clk
}

func det(group string, n int64, at time.Time) DetectionAlert {
	return DetectionAlert{GroupID: group, RuleID: "AWS.Root", Title: "root used", Dedup: "acct-1", Severity: SevHigh,
		DedupPeriod: time.Hour, EventCount: n, FirstEvent: at, LastEvent: at,
		LogTypes: []string{"AWS.CloudTrail"}, Samples: []json.RawMessage{json.RawMessage(`{"p_row_id":"r-` + group + `","eventName":"x"}`)}}
}

var ctx = context.Background()

func mustRaise(t *testing.T, s *Store, d DetectionAlert) Result {
	t.Helper()
	r, err := s.RaiseDetection(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func get(t *testing.T, s *Store, id int64) *Alert {
	t.Helper()
	a, err := s.Get(ctx, id, GetAll)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

var person = Actor{Name: "alice"}

func setStatus(t *testing.T, s *Store, id int64, st Status) {
	t.Helper()
	if _, err := s.Update(ctx, id, Patch{Status: &st}, person); err != nil {
		t.Fatal(err)
	}
}

func TestDedupTallyReopenClosed(t *testing.T) {
	s, _ := openTest(t, Options{})
	r1 := mustRaise(t, s, det("g1", 3, t0))
	if r1.Action != "created" || r1.Tally != 3 {
		t.Fatalf("%+v", r1)
	}
	// The same group again, with 5 events: 2 more. Again with 5: nothing.
	if r := mustRaise(t, s, det("g1", 5, t0.Add(time.Minute))); r.Action != "tallied" || r.Tally != 5 || r.AlertID != r1.AlertID {
		t.Fatalf("%+v", r)
	}
	if r := mustRaise(t, s, det("g1", 5, t0.Add(time.Minute))); r.Action != "unchanged" {
		t.Fatalf("%+v", r)
	}
	// Another group of the same rule and dedup while OPEN, then TRIAGED: tallied.
	mustRaise(t, s, det("g2", 1, t0.Add(2*time.Hour)))
	setStatus(t, s, r1.AlertID, StatusTriaged)
	if r := mustRaise(t, s, det("g3", 1, t0.Add(3*time.Hour))); r.Action != "tallied" || r.Tally != 7 {
		t.Fatalf("%+v", r)
	}
	a := get(t, s, r1.AlertID)
	if !a.LastSeen.Equal(t0.Add(3*time.Hour)) || !a.FirstSeen.Equal(t0) || len(a.Samples) != 3 || len(a.RowIDs) != 3 {
		t.Fatalf("seen %v..%v samples %d rows %v", a.FirstSeen, a.LastSeen, len(a.Samples), a.RowIDs)
	}
	// RESOLVED: a repeat within the window (from first_seen) reopens; the
	// window is not reset by the status change.
	s2, _ := openTest(t, Options{})
	b := mustRaise(t, s2, det("h1", 1, t0))
	ack := true
	if _, err := s2.Update(ctx, b.AlertID, Patch{Ack: &ack}, person); err != nil {
		t.Fatal(err)
	}
	setStatus(t, s2, b.AlertID, StatusResolved)
	if r := mustRaise(t, s2, det("h2", 1, t0.Add(59*time.Minute))); r.Action != "reopened" || r.AlertID != b.AlertID {
		t.Fatalf("%+v", r)
	}
	a = get(t, s2, b.AlertID)
	if a.Status != StatusOpen || a.Acknowledged {
		t.Fatalf("status %s acked %v", a.Status, a.Acknowledged)
	}
	last := a.History[len(a.History)-1]
	if last.What != "status" || last.From != "RESOLVED" || last.To != "OPEN" || last.By != BySystem || !strings.Contains(last.Text, "reopened") {
		t.Fatalf("history %+v", a.History)
	}
	// Past the window, a RESOLVED alert is not reopened: a new one starts.
	setStatus(t, s2, b.AlertID, StatusResolved)
	if r := mustRaise(t, s2, det("h3", 1, t0.Add(61*time.Minute))); r.Action != "created" || r.AlertID == b.AlertID {
		t.Fatalf("%+v", r)
	}
	// CLOSED is never reopened, even within the window.
	s3, _ := openTest(t, Options{})
	c := mustRaise(t, s3, det("k1", 1, t0))
	setStatus(t, s3, c.AlertID, StatusClosed)
	if r := mustRaise(t, s3, det("k2", 1, t0.Add(time.Minute))); r.Action != "created" || r.AlertID == c.AlertID {
		t.Fatalf("%+v", r)
	}
	if a := get(t, s3, c.AlertID); a.Status != StatusClosed || a.Tally != 1 {
		t.Fatalf("closed alert changed: %+v", a)
	}
}

func TestSeverityOnlyRises(t *testing.T) {
	s, _ := openTest(t, Options{})
	d := det("g1", 1, t0)
	d.Severity = SevMedium
	r := mustRaise(t, s, d)
	d = det("g2", 1, t0.Add(time.Minute))
	d.Severity = SevCritical
	mustRaise(t, s, d)
	d = det("g3", 1, t0.Add(2*time.Minute))
	d.Severity = SevLow
	mustRaise(t, s, d)
	a := get(t, s, r.AlertID)
	if a.Severity != SevCritical {
		t.Fatalf("severity %s", a.Severity)
	}
	var sev []Change
	for _, c := range a.History {
		if c.What == "severity" {
			sev = append(sev, c)
		}
	}
	if len(sev) != 1 || sev[0].From != "MEDIUM" || sev[0].To != "CRITICAL" {
		t.Fatalf("history %+v", a.History)
	}
}

// TestTransitions checks every edge of the lifecycle table, for a person
// and for the system, against the table written out here again.
func TestTransitions(t *testing.T) {
	person := map[[2]Status]bool{
		{StatusOpen, StatusTriaged}: true, {StatusOpen, StatusResolved}: true, {StatusOpen, StatusClosed}: true,
		{StatusTriaged, StatusOpen}: true, {StatusTriaged, StatusResolved}: true, {StatusTriaged, StatusClosed}: true,
		{StatusResolved, StatusOpen}: true, {StatusResolved, StatusClosed}: true,
	}
	system := map[[2]Status]bool{{StatusResolved, StatusOpen}: true, {StatusOpen, StatusResolved}: true, {StatusTriaged, StatusResolved}: true}
	s, _ := openTest(t, Options{})
	for _, from := range Statuses {
		for _, to := range Statuses {
			for _, by := range []By{ByPerson, BySystem} {
				want := from == to || (by == ByPerson && person[[2]Status{from, to}]) || (by != ByPerson && system[[2]Status{from, to}])
				err := CanTransition(from, to, by)
				if (err == nil) != want {
					t.Errorf("%s → %s by %s: err %v, want allowed=%v", from, to, by, err, want)
				}
				if err != nil && !errors.Is(err, ErrTransition) {
					t.Errorf("%s → %s: %v is not ErrTransition", from, to, err)
				}
			}
			// Through the store, by a person.
			if from == to || from == StatusClosed && to != StatusClosed {
				continue
			}
			r := mustRaise(t, s, DetectionAlert{RuleID: "R." + string(from) + string(to), Dedup: "d", FirstEvent: t0, Severity: SevLow})
			// Walk to `from` along allowed edges.
			path := map[Status][]Status{StatusOpen: nil, StatusTriaged: {StatusTriaged}, StatusResolved: {StatusResolved}, StatusClosed: {StatusClosed}}
			for _, st := range path[from] {
				setStatus(t, s, r.AlertID, st)
			}
			st := to
			_, err := s.Update(ctx, r.AlertID, Patch{Status: &st}, Actor{Name: "bob"})
			if (err == nil) != person[[2]Status{from, to}] {
				t.Errorf("store %s → %s: %v", from, to, err)
			}
			a := get(t, s, r.AlertID)
			if err == nil {
				h := a.History[len(a.History)-1]
				if a.Status != to || h.Who != "bob" || h.By != ByPerson || h.From != string(from) || h.To != string(to) {
					t.Errorf("store %s → %s: status %s, history %+v", from, to, a.Status, h)
				}
			} else if a.Status != from {
				t.Errorf("refused %s → %s changed the status to %s", from, to, a.Status)
			}
		}
	}
	if err := CanTransition(StatusOpen, "DONE", ByPerson); err == nil || !strings.Contains(err.Error(), "not a status") {
		t.Fatal(err)
	}
}

func TestPatchHistoryNotesAndConflict(t *testing.T) {
	s, clk := openTest(t, Options{})
	r := mustRaise(t, s, det("g", 1, t0))
	ack, who, grp, sev := true, "carol", "soc", SevCritical
	clk.Add(time.Minute)
	a, err := s.Update(ctx, r.AlertID, Patch{Ack: &ack, Assignee: &who, Group: &grp, Severity: &sev}, person)
	if err != nil {
		t.Fatal(err)
	}
	if !a.Acknowledged || a.AckBy != "alice" || !a.AckAt.Equal(t0.Add(time.Minute)) || a.Assignee != "carol" || a.Group != "soc" || a.Severity != SevCritical {
		t.Fatalf("%+v", a)
	}
	// The same patch again changes nothing and adds no history.
	before := len(get(t, s, r.AlertID).History)
	if _, err := s.Update(ctx, r.AlertID, Patch{Ack: &ack, Assignee: &who}, person); err != nil {
		t.Fatal(err)
	}
	if n := len(get(t, s, r.AlertID).History); n != before {
		t.Fatalf("no-op patch added history: %d → %d", before, n)
	}
	if _, err := s.Update(ctx, r.AlertID, Patch{Assignee: &who, IfVersion: 1}, person); !errors.As(err, new(*ConflictError)) {
		t.Fatalf("stale version: %v", err)
	}
	n, err := s.AddNote(ctx, r.AlertID, "looked at it\nfalse positive", Actor{Name: "dave"})
	if err != nil {
		t.Fatal(err)
	}
	a = get(t, s, r.AlertID)
	if len(a.Notes) != 1 || a.Notes[0].Author != "dave" || a.Notes[0].ID != n.ID {
		t.Fatalf("notes %+v", a.Notes)
	}
	var whats []string
	for _, h := range a.History {
		whats = append(whats, h.What+":"+h.Who)
	}
	if got := strings.Join(whats, ","); got != "created:AWS.Root,ack:alice,assignee:alice,group:alice,severity:alice,note:dave" {
		t.Fatalf("history %s", got)
	}
	if _, err := s.AddNote(ctx, 999, "x", person); !errors.Is(err, ErrNotFound) {
		t.Fatal(err)
	}
	if _, err := s.AddNote(ctx, r.AlertID, "  ", person); err == nil {
		t.Fatal("empty note accepted")
	}
}

func TestEventsTallyByNodeSeveritySummary(t *testing.T) {
	s, _ := openTest(t, Options{})
	ev := ConsoleEvent{Node: "db1", Summary: "disk full", Severity: SevHigh, Tag: "disk", Fields: map[string]string{"mount": "/var"}}
	r1, err := s.RaiseEvent(ctx, ev)
	if err != nil {
		t.Fatal(err)
	}
	r2, _ := s.RaiseEvent(ctx, ev)
	ev.Severity = SevCritical // another severity: another alert
	r3, _ := s.RaiseEvent(ctx, ev)
	ev.Identifier = "db1-disk"
	r4, _ := s.RaiseEvent(ctx, ev)
	ev.Severity, ev.Summary = SevLow, "disk fine"
	r5, _ := s.RaiseEvent(ctx, ev)
	if r2.AlertID != r1.AlertID || r2.Tally != 2 || r3.AlertID == r1.AlertID || r4.AlertID == r3.AlertID || r5.AlertID != r4.AlertID {
		t.Fatalf("%+v %+v %+v %+v %+v", r1, r2, r3, r4, r5)
	}
	a := get(t, s, r1.AlertID)
	if a.Kind != KindEvent || a.Node != "db1" || a.Tag != "disk" || a.Fields["mount"] != "/var" || a.Key != "db1:4:disk full" {
		t.Fatalf("%+v", a)
	}
	// Clear (0) and indeterminate (1) are both INFO, and two alerts; a
	// name is keyed by its console number.
	var ids []int64
	for _, sev := range []string{"0", "1", "clear", "indeterminate", "info", "warning"} {
		rank, cs, ok := ParseConsoleSeverity(sev)
		if !ok {
			t.Fatal(sev)
		}
		r, err := s.RaiseEvent(ctx, ConsoleEvent{Node: "db2", Summary: "replication", Severity: rank, ConsoleSeverity: &cs})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, r.AlertID)
	}
	if ids[0] == ids[1] || ids[2] != ids[0] || ids[3] != ids[1] || ids[4] != ids[1] || ids[5] == ids[1] || ids[5] == ids[0] {
		t.Fatalf("alerts of 0, 1, clear, indeterminate, info, warning: %v", ids)
	}
	if a := get(t, s, ids[0]); a.Key != "db2:0:replication" || a.Severity != SevInfo {
		t.Fatalf("%+v", a)
	}
	for _, bad := range []ConsoleEvent{{Summary: "x"}, {Node: "x"}, {Node: "n", Summary: strings.Repeat("x", MaxFieldLen+1)}} {
		var fe *FieldError
		if _, err := s.RaiseEvent(ctx, bad); !errors.As(err, &fe) {
			t.Errorf("%+v: %v", bad, err)
		}
	}
}

func TestListFiltersSortsAndCursor(t *testing.T) {
	s, _ := openTest(t, Options{})
	for i := range 30 {
		d := DetectionAlert{RuleID: fmt.Sprintf("R%d", i%3), Dedup: fmt.Sprint(i), Title: fmt.Sprintf("alert %d", i),
			Severity: Severity(i % 5), FirstEvent: t0.Add(time.Duration(i) * time.Minute)}
		mustRaise(t, s, d)
	}
	bob := "bob"
	for id := int64(1); id <= 5; id++ {
		s.Update(ctx, id, Patch{Assignee: &bob}, person)
	}
	high := SevHigh
	cases := []struct {
		f    Filter
		want int
	}{
		{Filter{}, 30},
		{Filter{MinSeverity: &high}, 12},
		{Filter{RuleID: []string{"R1"}}, 10},
		{Filter{Assignee: "bob"}, 5},
		{Filter{Assignee: "-"}, 25},
		{Filter{Text: "alert 1"}, 11}, // 1, 10-19
		{Filter{Text: "ALERT 2"}, 11}, // 2, 20-29
		{Filter{Text: "ALERT 2_"}, 0}, // _ is a letter of words
		{Filter{Text: "lert"}, 0},     // words, not substrings
		{Filter{Text: "r1:1"}, 5},     // a phrase: the keys R1:1, R1:10, R1:13, R1:16, R1:19
		{Filter{Text: "%"}, 0},        // no word
		{Filter{From: t0.Add(10 * time.Minute), To: t0.Add(20 * time.Minute)}, 10},
		{Filter{Status: []Status{StatusOpen}, Unacknowledged: true, RuleID: []string{"R0"}}, 10},
	}
	for _, c := range cases {
		n, err := s.Count(ctx, c.f)
		if err != nil || int(n) != c.want {
			t.Errorf("%+v: %d %v, want %d", c.f, n, err, c.want)
		}
	}
	// Pages of 7 by severity, then last_seen, descending: every alert once, in order.
	var seen []*Alert
	cursor := ""
	for pages := 0; ; pages++ {
		res, err := s.List(ctx, Filter{}, Page{Sort: "-severity", Limit: 7, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		seen = append(seen, res.Alerts...)
		if res.Next == "" {
			break
		}
		cursor = res.Next
		if pages > 10 {
			t.Fatal("no end")
		}
	}
	if len(seen) != 30 {
		t.Fatalf("%d alerts", len(seen))
	}
	for i := 1; i < len(seen); i++ {
		a, b := seen[i-1], seen[i]
		if a.Severity < b.Severity || a.Severity == b.Severity && a.LastSeen.Before(b.LastSeen) {
			t.Fatalf("out of order at %d", i)
		}
	}
	if _, err := s.List(ctx, Filter{}, Page{Sort: "colour"}); err == nil {
		t.Fatal("bad sort accepted")
	}
	if _, err := s.List(ctx, Filter{}, Page{Cursor: "!!"}); err == nil {
		t.Fatal("bad cursor accepted")
	}
}

func TestBulk(t *testing.T) {
	s, _ := openTest(t, Options{})
	for i := range 6 {
		mustRaise(t, s, DetectionAlert{RuleID: "R", Dedup: fmt.Sprint(i), FirstEvent: t0})
	}
	setStatus(t, s, 6, StatusClosed)
	st := StatusResolved
	res, err := s.Bulk(ctx, []int64{1, 2, 6, 99}, nil, Patch{Status: &st}, person)
	if err != nil {
		t.Fatal(err)
	}
	if res.Changed != 2 || len(res.Failed) != 2 || !strings.Contains(res.Failed["6"], "CLOSED") || res.Failed["99"] != "no such alert" {
		t.Fatalf("%+v", res)
	}
	grp := "night"
	res, err = s.Bulk(ctx, nil, &Filter{Status: []Status{StatusOpen}}, Patch{Group: &grp}, person)
	if err != nil || res.Changed != 3 {
		t.Fatalf("%+v %v", res, err)
	}
	if n, _ := s.Count(ctx, Filter{Group: "night"}); n != 3 {
		t.Fatalf("%d", n)
	}
}

func TestRulesApplyDiscardAndWindowEnd(t *testing.T) {
	rs := []string{`
AnalysisType: alert_rule
AlertRuleID: Drop.Test
When: {equals: {node: test-box}}
Then: [{discard: true}]
`, `
AnalysisType: alert_rule
AlertRuleID: Maintenance
Schedules:
  - Name: nightly
    Windows: [{From: "22:00", To: "02:00"}]
When: {all: [{starts_with: {node: db}}, {schedule: nightly}]}
Then: [{severity: Info}, {group: dba}]
`}
	var list []*rules.Rule
	for _, src := range rs {
		r, probs := rules.Decode("r.yml", []byte(src))
		if probs != nil {
			t.Fatal(probs)
		}
		list = append(list, r)
	}
	set, probs := rules.NewSet(list)
	if probs != nil {
		t.Fatal(probs)
	}
	s, clk := openTest(t, Options{Rules: set, Routing: Routing{BySeverity: map[Severity][]string{SevCritical: {"pager"}}}})
	if r, err := s.RaiseEvent(ctx, ConsoleEvent{Node: "test-box", Summary: "x", Severity: SevCritical}); err != nil || r.Action != "discarded" || r.Discarded != "Drop.Test" {
		t.Fatalf("%+v %v", r, err)
	}
	clk.t = time.Date(2026, 11, 10, 23, 0, 0, 0, time.UTC)
	r, err := s.RaiseEvent(ctx, ConsoleEvent{Node: "db1", Summary: "disk full", Severity: SevCritical})
	if err != nil {
		t.Fatal(err)
	}
	a := get(t, s, r.AlertID)
	if a.Severity != SevInfo || a.Group != "dba" || a.RulesExpire == nil || !a.RulesExpire.Equal(time.Date(2026, 11, 11, 2, 0, 0, 0, time.UTC)) || len(a.Deliveries) != 0 {
		t.Fatalf("in the window: %+v", a)
	}
	// Nothing is due before the end; at the end, with no event, the
	// alert gets its own severity back and is routed as CRITICAL.
	if n, err := s.ReapplyExpired(ctx, time.Date(2026, 11, 11, 1, 59, 0, 0, time.UTC)); n != 0 || err != nil {
		t.Fatal(n, err)
	}
	clk.t = time.Date(2026, 11, 11, 2, 0, 1, 0, time.UTC)
	if n, err := s.ReapplyExpired(ctx, clk.t); n != 1 || err != nil {
		t.Fatal(n, err)
	}
	a = get(t, s, r.AlertID)
	if a.Severity != SevCritical || a.Group != "" || a.RulesExpire != nil {
		t.Fatalf("after the window: %+v", a)
	}
	if len(a.Deliveries) != 1 || a.Deliveries[0].Destination != "pager" || a.Deliveries[0].Reason != "escalated" {
		t.Fatalf("deliveries %+v", a.Deliveries)
	}
	h := a.History[len(a.History)-1]
	if h.By != ByRule || !strings.Contains(h.Text, "window") {
		t.Fatalf("history %+v", a.History)
	}
	// Hit counts survive a restart.
	path := s.opts.Path
	s.Close()
	var fresh []*rules.Rule // new counters, as a restarted server has
	for _, src := range rs {
		r, _ := rules.Decode("r.yml", []byte(src))
		fresh = append(fresh, r)
	}
	set2, _ := rules.NewSet(fresh)
	s2, err := Open(ctx, Options{Path: path, Rules: set2})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	hits, _ := s2.RuleHits(ctx)
	got := map[string]int64{}
	for _, h := range hits {
		got[h.RuleID] = h.Hits
	}
	if got["Drop.Test"] != 1 || got["Maintenance"] != 1 {
		t.Fatalf("hits %+v", hits)
	}
}

func TestDeliveriesQueue(t *testing.T) {
	s, clk := openTest(t, Options{Routing: Routing{BySeverity: map[Severity][]string{SevHigh: {"hook", "ghost"}}}})
	r := mustRaise(t, s, det("g", 1, t0))
	if n, err := s.AbandonUnknown(ctx, []string{"hook"}); n != 1 || err != nil {
		t.Fatal(n, err)
	}
	jobs, err := s.Claim(ctx, "hook", 10, time.Minute)
	if err != nil || len(jobs) != 1 || jobs[0].Alert.ID != r.AlertID {
		t.Fatalf("%+v %v", jobs, err)
	}
	// Leased: not claimed again until the lease ends.
	if again, _ := s.Claim(ctx, "hook", 10, time.Minute); len(again) != 0 {
		t.Fatal("claimed twice")
	}
	d := jobs[0].Delivery
	if err := s.RecordAttempt(ctx, d.ID, Attempt{Status: 500, Err: "boom", Retry: clk.Now().Add(time.Second)}); err != nil {
		t.Fatal(err)
	}
	clk.Add(2 * time.Second)
	jobs, _ = s.Claim(ctx, "hook", 10, time.Minute)
	if len(jobs) != 1 || jobs[0].Delivery.Attempts != 1 || jobs[0].Delivery.LastError != "boom" {
		t.Fatalf("%+v", jobs)
	}
	s.RecordAttempt(ctx, d.ID, Attempt{Status: 500, Err: "boom again"})
	dead, _ := s.DeadLetters(ctx, 10)
	if len(dead) != 2 {
		t.Fatalf("dead %+v", dead)
	}
	nd, err := s.Resend(ctx, d.ID, person)
	if err != nil || nd.Status != DeliveryPending || nd.Reason != "resend" {
		t.Fatalf("%+v %v", nd, err)
	}
	if _, err := s.Resend(ctx, nd.ID, person); err == nil {
		t.Fatal("resend of a pending delivery accepted")
	}
	jobs, _ = s.Claim(ctx, "hook", 10, time.Minute)
	s.RecordAttempt(ctx, jobs[0].Delivery.ID, Attempt{OK: true, Status: 200})
	a := get(t, s, r.AlertID)
	var st []string
	for _, d := range a.Deliveries {
		st = append(st, d.Destination+":"+d.Status)
	}
	if strings.Join(st, ",") != "hook:dead,ghost:dead,hook:sent" {
		t.Fatalf("%v", st)
	}
}

func TestFeed(t *testing.T) {
	s, _ := openTest(t, Options{})
	sub, _, _ := s.Subscribe(0, 16)
	defer sub.Cancel()
	r := mustRaise(t, s, det("g", 1, t0))
	mustRaise(t, s, det("g", 2, t0))
	st := StatusTriaged
	s.Update(ctx, r.AlertID, Patch{Status: &st}, person)
	var got []string
	for range 3 {
		select {
		case e := <-sub.C:
			got = append(got, fmt.Sprintf("%d:%s:%d", e.Seq, e.Action, e.AlertID))
		case <-time.After(5 * time.Second):
			t.Fatal("no event")
		}
	}
	if strings.Join(got, ",") != "1:created:1,2:tallied:1,3:updated:1" {
		t.Fatalf("%v", got)
	}
	_, backlog, complete := s.Subscribe(1, 4)
	if !complete || len(backlog) != 2 || backlog[0].Seq != 2 {
		t.Fatalf("%v %+v", complete, backlog)
	}
}

// fixtures writes rows valid at schema version v, as the code of that
// version would have.
var fixtures = []func(db *sql.DB) error{
	1: func(db *sql.DB) error {
		_, err := db.Exec(`INSERT INTO alerts (kind, dedup_key, status, severity, title, rule_id, tally, first_seen, last_seen, created_at, updated_at, dedup_ms, detail)
			VALUES ('detection', 'R'||char(31)||'d', 'OPEN', 3, 'old alert', 'R', 4, 1000, 2000, 1000, 2000, 3600000, '{"dedup":"d"}');
			INSERT INTO history (alert_id, at, who, by_kind, what, to_v) VALUES (1, 1000, 'R', 'system', 'created', 'OPEN');
			INSERT INTO notes (alert_id, at, author, text) VALUES (1, 1500, 'alice', 'an old note');`)
		if err != nil {
			return err
		}
		// Console events keyed by rank (before migration 6): major (4)
		// was HIGH, rank 3; clear and indeterminate were rank 0; one
		// with an identifier.
		for _, e := range []struct{ key, node, sev, detail string }{
			{"web1:3:disk full", "web1", "3", `{}`},
			{"web1:0:heartbeat", "web1", "0", `{}`},
			{"ident-1", "web1", "3", `{"fields":{"identifier":"ident-1"}}`},
		} {
			if _, err := db.Exec(`INSERT INTO alerts (kind, dedup_key, status, severity, title, node, tally, first_seen, last_seen, created_at, updated_at, dedup_ms, detail)
				VALUES ('event', 'event'||char(31)||?, 'OPEN', ?, 'x', ?, 1, 1000, 2000, 1000, 2000, 3600000, ?)`, e.key, e.sev, e.node, e.detail); err != nil {
				return err
			}
		}
		return nil
	},
	2: func(db *sql.DB) error {
		_, err := db.Exec(`INSERT INTO sources (group_id, alert_id, events) VALUES ('g-old', 1, 4);
			INSERT INTO rule_hits (rule_id, hits, last_hit) VALUES ('Old.Rule', 7, 1000)`)
		return err
	},
	3: func(db *sql.DB) error {
		_, err := db.Exec(`INSERT INTO deliveries (alert_id, destination, reason, status, created_at, updated_at) VALUES (1, 'hook', 'created', 'dead', 1000, 1000)`)
		return err
	},
	4: func(db *sql.DB) error { return nil }, // indexes only
	// A crash left increments staged: Open folds them into the alert.
	5: func(db *sql.DB) error {
		_, err := db.Exec(`INSERT INTO tallies (alert_id, delta, n_raises, min_seen, max_seen, at_ms) VALUES (1, 3, 3, 500, 9000, 9000)`)
		return err
	},
	6: func(db *sql.DB) error { return nil }, // keys rewritten (fixture 1's events)
	7: func(db *sql.DB) error { return nil }, // indexes and the text index of fixture 1's rows
}

// TestMigrationsFromEveryVersion builds a database at each earlier
// version, with data, and opens it: the data is there and the store works.
func TestMigrationsFromEveryVersion(t *testing.T) {
	if len(fixtures) != len(migrations)+1 {
		t.Fatalf("add a fixture for each migration (%d fixtures, %d migrations)", len(fixtures)-1, len(migrations))
	}
	for v := 0; v <= len(migrations); v++ {
		t.Run(fmt.Sprint("from", v), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "a.db")
			db, err := sql.Open(DefaultDriver.Name, DefaultDriver.DSN(path))
			if err != nil {
				t.Fatal(err)
			}
			for i := 0; i < v; i++ {
				if _, err := db.Exec(migrations[i]); err != nil {
					t.Fatal(err)
				}
				if err := fixtures[i+1](db); err != nil {
					t.Fatalf("fixture %d: %v", i+1, err)
				}
			}
			db.Exec(fmt.Sprintf("PRAGMA user_version = %d", v))
			db.Close()
			s, _ := openTest(t, Options{Path: path})
			if v >= 1 {
				a := get(t, s, 1)
				tally := int64(4)
				if v >= 5 {
					tally = 7
					var n int
					s.rdb.QueryRow("SELECT count(*) FROM tallies").Scan(&n)
					if n != 0 || ms(a.FirstSeen) != 500 || ms(a.LastSeen) != 9000 {
						t.Fatalf("not folded at open: %d staged rows, %+v", n, a)
					}
				}
				if a.Title != "old alert" || a.Tally != tally || len(a.Notes) != 1 || len(a.History) != 1 || a.Dedup != "d" {
					t.Fatalf("%+v", a)
				}
			}
			if v >= 2 {
				if r := mustRaise(t, s, DetectionAlert{GroupID: "g-old", RuleID: "R", Dedup: "d", EventCount: 4, FirstEvent: t0}); r.Action != "unchanged" {
					t.Fatalf("%+v", r)
				}
			}
			if v >= 3 {
				if dead, _ := s.DeadLetters(ctx, 10); len(dead) != 1 {
					t.Fatalf("dead %v", dead)
				}
			}
			if v >= 1 {
				// The old alerts are in the text index.
				if n, err := s.Count(ctx, Filter{Text: "OLD"}); err != nil || n != 1 {
					t.Fatalf("text search of an old alert: %d %v", n, err)
				}
				// The old events' repeats find them by the console's severity.
				four, one, zero := 4, 1, 0
				for _, c := range []struct {
					ev   ConsoleEvent
					want string
					id   int64
				}{
					{ConsoleEvent{Node: "web1", Summary: "disk full", Severity: SevHigh, ConsoleSeverity: &four}, "tallied", 2},
					{ConsoleEvent{Node: "web1", Summary: "heartbeat", Severity: SevInfo, ConsoleSeverity: &one}, "tallied", 3},
					{ConsoleEvent{Node: "web1", Summary: "heartbeat", Severity: SevInfo}, "tallied", 3},
					{ConsoleEvent{Node: "web1", Summary: "heartbeat", Severity: SevInfo, ConsoleSeverity: &zero}, "created", 5},
					{ConsoleEvent{Node: "web1", Summary: "other", Identifier: "ident-1", Severity: SevHigh}, "tallied", 4},
				} {
					r, err := s.RaiseEvent(ctx, c.ev)
					if err != nil || r.Action != c.want || r.AlertID != c.id {
						t.Fatalf("%+v: %+v %v, want %s %d", c.ev, r, err, c.want, c.id)
					}
				}
			}
			r := mustRaise(t, s, DetectionAlert{RuleID: "R", Dedup: "d", FirstEvent: t0, Severity: SevCritical})
			if v >= 1 && (r.Action != "tallied" || r.AlertID != 1) || v == 0 && r.Action != "created" {
				t.Fatalf("%+v", r)
			}
		})
	}
	// A database from a newer panther is refused.
	path := filepath.Join(t.TempDir(), "new.db")
	db, _ := sql.Open(DefaultDriver.Name, DefaultDriver.DSN(path))
	db.Exec(fmt.Sprintf("PRAGMA user_version = %d", len(migrations)+1))
	db.Close()
	if _, err := Open(ctx, Options{Path: path}); err == nil || !strings.Contains(err.Error(), "newer") {
		t.Fatal(err)
	}
}

// TestConcurrentTallyIsExact: repeats from many senders, counted in
// batches, add up exactly; a status change between them in the same
// batch is seen by the repeats after it.
func TestConcurrentTallyIsExact(t *testing.T) {
	s, _ := openTest(t, Options{})
	ev := ConsoleEvent{Node: "n", Summary: "flapping", Severity: SevHigh}
	first, err := s.RaiseEvent(ctx, ev)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 250 {
				if _, err := s.RaiseEvent(ctx, ev); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if a := get(t, s, first.AlertID); a.Tally != 2001 || a.Status != StatusOpen {
		t.Fatalf("tally %d status %s", a.Tally, a.Status)
	}
	// Resolve and repeat, concurrently with other senders: every repeat
	// after a resolve reopens the same alert (within the window).
	for round := range 20 {
		done := make(chan struct{})
		go func() {
			defer close(done)
			for range 20 {
				s.RaiseEvent(ctx, ConsoleEvent{Node: "other", Summary: "noise", Severity: SevLow})
			}
		}()
		setStatus(t, s, first.AlertID, StatusResolved)
		r, err := s.RaiseEvent(ctx, ev)
		<-done
		if err != nil || r.Action != "reopened" || r.AlertID != first.AlertID {
			t.Fatalf("round %d: %+v %v", round, r, err)
		}
	}
	if a := get(t, s, first.AlertID); a.Tally != 2021 || a.Status != StatusOpen {
		t.Fatalf("tally %d status %s", a.Tally, a.Status)
	}
}

func TestRaiseDetectionsBatch(t *testing.T) {
	s, _ := openTest(t, Options{})
	res, err := s.RaiseDetections(ctx, []DetectionAlert{det("g1", 3, t0), det("g1", 3, t0), det("g2", 2, t0.Add(time.Minute))})
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Action != "created" || res[1].Action != "unchanged" || res[2].Action != "tallied" || res[2].Tally != 5 || res[2].AlertID != res[0].AlertID {
		t.Fatalf("%+v", res)
	}
	// A bad alert fails the whole call, before anything is stored.
	bad := det("g3", 1, t0)
	bad.RuleID = ""
	if _, err := s.RaiseDetections(ctx, []DetectionAlert{det("g4", 1, t0), bad}); err == nil || !strings.Contains(err.Error(), "alerts[1].rule_id") {
		t.Fatal(err)
	}
	if a := get(t, s, res[0].AlertID); a.Tally != 5 {
		t.Fatalf("tally %d", a.Tally)
	}
}
