package alerts

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkTallyIncrements: console events from 8 senders at once, each a
// repeat of one of 1,000 open alerts (the ≥ 20,000/s target).
func BenchmarkTallyIncrements(b *testing.B) {
	s, _ := openTest(b, Options{})
	ev := func(i int64) ConsoleEvent {
		return ConsoleEvent{Node: fmt.Sprintf("host%d", i%1000), Summary: "disk full", Severity: SevHigh}
	}
	for i := range int64(1000) {
		if _, err := s.RaiseEvent(ctx, ev(i)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	raiseConcurrently(b, s, 8, ev)
}

// raiseConcurrently raises ev(1)..ev(b.N) from senders goroutines at once
// (the timed part of a benchmark) and reports increments a second.
func raiseConcurrently(b *testing.B, s *Store, senders int64, ev func(int64) ConsoleEvent) {
	var next atomic.Int64
	b.ResetTimer()
	var wg sync.WaitGroup
	for range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1)
				if i > int64(b.N) {
					return
				}
				if _, err := s.RaiseEvent(ctx, ev(i)); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "increments/s")
}

// BenchmarkRaiseBatch: detection alerts raised 500 at a time by one
// caller (the pipeline's and `replay --push`'s way): one transaction per
// batch; half are repeats of open alerts.
func BenchmarkRaiseBatch(b *testing.B) {
	s, _ := openTest(b, Options{})
	const batch = 500
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		list := make([]DetectionAlert, batch)
		for i := range list {
			n++
			list[i] = DetectionAlert{GroupID: fmt.Sprint("g", n), RuleID: fmt.Sprint("Rule.", n%200), Dedup: fmt.Sprint(n % 2000),
				Severity: SevMedium, EventCount: 1, FirstEvent: t0.Add(time.Duration(n) * time.Millisecond)}
		}
		if _, err := s.RaiseDetections(ctx, list); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "raises/s")
}
