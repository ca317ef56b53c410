package alerts

import (
	"fmt"
	"testing"
	"time"
)

func TestStats(t *testing.T) {
	s, clk := openTest(t, Options{})
	// 12 alerts over 3 hours: rules R0 (6), R1 (4), R2 (2); severity i%5.
	for i := range 12 {
		rule := []string{"R0", "R0", "R0", "R1", "R1", "R2"}[i%6]
		d := DetectionAlert{GroupID: fmt.Sprint(i), RuleID: rule, Dedup: fmt.Sprintf("host-%02d", i), Title: "t",
			Severity: Severity(i % 5), EventCount: 2, DedupPeriod: time.Minute, FirstEvent: t0.Add(time.Duration(i) * 15 * time.Minute),
			LastEvent: t0.Add(time.Duration(i)*15*time.Minute + time.Minute)}
		mustRaise(t, s, d)
	}
	// Ack alert 1 after 10 minutes, resolve alert 2 after 30 minutes.
	clk.Add(10 * time.Minute)
	yes := true
	if _, err := s.Update(ctx, 1, Patch{Ack: &yes}, person); err != nil {
		t.Fatal(err)
	}
	clk.Add(20 * time.Minute)
	setStatus(t, s, 2, StatusResolved)
	st, err := s.Stats(ctx, StatsOptions{From: t0, To: t0.Add(4 * time.Hour), Bucket: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if st.Total != 12 || len(st.Series) != 4 || st.ByStatus[StatusOpen] != 11 || st.ByStatus[StatusResolved] != 1 {
		t.Fatalf("%+v", st)
	}
	var perHour []int64
	for _, b := range st.Series {
		n := int64(0)
		for _, c := range b.Counts {
			n += c
		}
		perHour = append(perHour, n)
	}
	if fmt.Sprint(perHour) != "[4 4 4 0]" {
		t.Errorf("series %v", perHour)
	}
	if st.Series[0].Counts[SevInfo] != 1 || st.Series[0].Counts[SevCritical] != 0 || st.Series[1].Counts[SevCritical] != 1 {
		t.Errorf("first hours %+v %+v", st.Series[0], st.Series[1])
	}
	if st.Acked != 1 || st.MTTASeconds != 600 || st.Resolved != 1 || st.MTTRSeconds != 1800 {
		t.Errorf("mtta %v (%d) mttr %v (%d)", st.MTTASeconds, st.Acked, st.MTTRSeconds, st.Resolved)
	}
	if len(st.Rules) != 3 || st.Rules[0].RuleID != "R0" || st.Rules[0].Alerts != 6 || st.Rules[0].Tally != 12 || st.Rules[2].RuleID != "R2" {
		t.Errorf("rules %+v", st.Rules)
	}
	if len(st.Entities) != 10 || st.Entities[0] != (EntityStat{"host-00", 1}) {
		t.Errorf("entities %+v", st.Entities)
	}
	// A range before everything counts nothing; a year-long range is cut
	// into at most MaxBuckets buckets.
	st, err = s.Stats(ctx, StatsOptions{From: t0.Add(-365 * 24 * time.Hour), To: t0.Add(-time.Hour), Bucket: time.Minute})
	if err != nil || st.Total != 0 || len(st.Series) > MaxBuckets {
		t.Errorf("empty: %v %d buckets %d", err, st.Total, len(st.Series))
	}
}
