package engine

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"panther/parsers/event"
)

func TestAggregatorWindowsAndThreshold(t *testing.T) {
	d := &Detection{ID: "R", Threshold: 3, DedupPeriod: 10 * time.Minute, Severity: "HIGH", Spec: &Spec{}}
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	var got []*Alert
	agg := NewAggregator(func(a *Alert) { got = append(got, a) }, nil)
	add := func(min int, dedup string) {
		e := event.New()
		defer e.Release()
		if err := e.ParseJSON([]byte(`{"x":1}`)); err != nil {
			t.Fatal(err)
		}
		e.Time = t0.Add(time.Duration(min) * time.Minute)
		e.LogType = "T"
		e.RowID = fmt.Sprintf("row-%d-%s", min, dedup)
		m := Match{Detection: d, Matched: true, Title: "t " + dedup, Dedup: dedup, Severity: "HIGH"}
		agg.Add(&m, e)
	}
	// a: 2 matches in the window (under the threshold): no alert.
	add(0, "a")
	add(5, "a")
	// b: 3 matches within 10 minutes of the first: one alert of 3.
	add(0, "b")
	add(4, "b")
	add(9, "b")
	// c: two bursts of 3, 30 minutes apart: two alerts.
	for _, m := range []int{20, 21, 22, 60, 61, 62} {
		add(m, "c")
	}
	// a again, far later: a new window, still 1 event.
	add(100, "a")
	agg.Flush()
	if len(got) != 3 {
		t.Fatalf("want 3 alerts, got %d: %+v", len(got), got)
	}
	SortAlerts(got)
	want := []struct {
		dedup       string
		count       int
		first, last int
	}{{"b", 3, 0, 9}, {"c", 3, 20, 22}, {"c", 3, 60, 62}}
	for i, w := range want {
		a := got[i]
		if a.Dedup != w.dedup || a.EventCount != w.count || !a.FirstEvent.Equal(t0.Add(time.Duration(w.first)*time.Minute)) || !a.LastEvent.Equal(t0.Add(time.Duration(w.last)*time.Minute)) {
			t.Errorf("alert %d: %s count=%d %v..%v, want %+v", i, a.Dedup, a.EventCount, a.FirstEvent, a.LastEvent, w)
		}
		if len(a.Samples) != 3 || a.ID == "" || a.Severity != "HIGH" {
			t.Errorf("alert %d: samples=%d id=%q sev=%q", i, len(a.Samples), a.ID, a.Severity)
		}
	}
	if got[1].ID == got[2].ID {
		t.Error("two windows share an id")
	}
	if agg.PerRule["R"] != 3 || agg.OpenGroups() != 0 {
		t.Errorf("per rule %v, open %d", agg.PerRule, agg.OpenGroups())
	}
}

func TestAggregatorErrorsAndSuppression(t *testing.T) {
	d := &Detection{ID: "R", Threshold: 1, DedupPeriod: time.Hour, Spec: &Spec{}}
	var alerts, errs []*Alert
	agg := NewAggregator(func(a *Alert) { alerts = append(alerts, a) }, func(a *Alert) { errs = append(errs, a) })
	e := event.New()
	defer e.Release()
	_ = e.ParseJSON([]byte(`{}`))
	for i := 0; i < 5; i++ {
		agg.Add(&Match{Detection: d, Err: errors.New("x.lua:3: boom")}, e)
	}
	agg.Add(&Match{Detection: d, Matched: true, Suppressed: true, Dedup: "s"}, e)
	agg.Flush()
	if len(alerts) != 0 || len(errs) != 1 || errs[0].EventCount != 5 || agg.ErrorsPerRule["R"] != 5 {
		t.Errorf("alerts=%d errs=%+v", len(alerts), errs)
	}
}

// TestAggregatorRaiseAndAdvance: Raise fires at the match that reaches the
// threshold and at each later one of the window; Advance closes windows by
// a clock without any event, and the same alerts come out as with Flush.
func TestAggregatorRaiseAndAdvance(t *testing.T) {
	d := &Detection{ID: "R", Threshold: 3, DedupPeriod: 10 * time.Minute, Severity: "HIGH", Spec: &Spec{}}
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	var emitted []*Alert
	var raised []int
	agg := NewAggregator(func(a *Alert) { emitted = append(emitted, a) }, nil)
	agg.Raise = func(a *Alert) { raised = append(raised, a.EventCount) }
	add := func(min int, dedup string) {
		e := event.New()
		defer e.Release()
		if err := e.ParseJSON([]byte(`{"x":1}`)); err != nil {
			t.Fatal(err)
		}
		e.Time = t0.Add(time.Duration(min) * time.Minute)
		e.LogType = "T"
		e.RowID = fmt.Sprintf("row-%d-%s", min, dedup)
		m := Match{Detection: d, Matched: true, Dedup: dedup}
		agg.Add(&m, e)
	}
	add(0, "a")
	add(1, "a")
	if len(raised) != 0 {
		t.Fatalf("raised under the threshold: %v", raised)
	}
	add(2, "a")
	add(3, "a")
	if fmt.Sprint(raised) != "[3 4]" {
		t.Fatalf("raised %v, want [3 4]", raised)
	}
	add(1, "b")
	agg.Advance(t0.Add(20 * time.Minute))
	if len(emitted) != 0 || agg.OpenGroups() != 2 {
		t.Fatalf("closed while a late event could still join: %d emitted, %d open", len(emitted), agg.OpenGroups())
	}
	agg.Advance(t0.Add(20*time.Minute + time.Second))
	if len(emitted) != 1 || emitted[0].EventCount != 4 || agg.OpenGroups() != 1 {
		t.Fatalf("two periods after its first event: %d emitted, %d open", len(emitted), agg.OpenGroups())
	}
	agg.Advance(t0.Add(22 * time.Minute))
	if len(emitted) != 1 || agg.OpenGroups() != 0 {
		t.Fatalf("b (under its threshold) closes without an alert: %d emitted, %d open", len(emitted), agg.OpenGroups())
	}
	// A match after the close opens a new window.
	add(12, "a")
	if agg.OpenGroups() != 1 {
		t.Fatal("no new window")
	}
}
