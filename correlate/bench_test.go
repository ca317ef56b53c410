package correlate

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"panther/engine"
	"panther/parsers/event"
)

// The benchmarks feed one correlation rule a stream of matches of its
// rules, one a second of event time: 500 users, each seen every 500 s, by
// the rules in turn (A, then B 500 s later, then C), and 50 addresses
// each seen every 50 s with a new event name. They report the cost of a
// match (Observe + Add; a firing runs the correlation's alert logic),
// allocations, the chains completed, and what the rule holds at the end:
// the state stays bounded however long the stream.

// benchStream builds n inputs.
func benchStream(n int, rules ...string) []*Input {
	out := make([]*Input, n)
	for i := range out {
		user := fmt.Sprintf("user%04d", i%500)
		e := event.New()
		if err := e.ParseJSON([]byte(fmt.Sprintf(`{"user":%q,"eventName":"Call%d","ip":"198.51.100.%d"}`, user, (i/50)%40, i%50))); err != nil {
			panic(err)
		}
		e.LogType = "AWS.CloudTrail"
		e.RowID = fmt.Sprintf("row-%d", i)
		id := rules[(i/500)%len(rules)]
		out[i] = &Input{RuleID: id, RowID: e.RowID, LogType: e.LogType, Title: id, Dedup: user,
			AlertContext: []byte(`{"who":"` + user + `"}`), Event: e}
	}
	return out
}

func benchCorrelation(b *testing.B, doc string, rules ...string) {
	set := tree(b, with(benchRules(rules), map[string]string{"corr/bench.yml": doc}))
	runBench(b, set, benchStream(6000, rules...))
}

// runBench feeds the correlation rules of set the inputs in turn, one a
// second of event time, b.N of them, and reports what they fired and
// hold at the end.
func runBench(b *testing.B, set *engine.Set, ins []*Input) {
	fired := 0
	eng, err := New(Options{Set: set, Rules: correlationRules(set), Emit: func(*engine.Alert) { fired++ }})
	if err != nil {
		b.Fatal(err)
	}
	defer eng.Close()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		in := ins[i%len(ins)]
		in.Time = t0.Add(time.Duration(i) * time.Second)
		in.Event.Time = in.Time
		eng.Observe(in.Time)
		eng.Add(in)
	}
	eng.Flush()
	b.StopTimer()
	st := eng.Totals()
	b.ReportMetric(float64(st.Firings), "firings")
	b.ReportMetric(float64(st.PeakKeys), "peak_keys")
	b.ReportMetric(float64(st.Held), "held_at_end")
	b.ReportMetric(float64(st.StateBytes), "state_bytes_at_end")
}

func benchRules(ids []string) map[string]string {
	files := map[string]string{}
	for _, id := range ids {
		files["rules/"+id+".yml"] = fmt.Sprintf("AnalysisType: rule\nRuleID: %s\nFilename: %s.lua\nLogTypes: [AWS.CloudTrail]\nSeverity: Low\n", id, id)
		files["rules/"+id+".lua"] = "function rule(event) return true end\n"
	}
	return files
}

func correlationRules(set *engine.Set) []*engine.Detection {
	var out []*engine.Detection
	for _, d := range set.Detections {
		if d.Kind == engine.TypeCorrelationRule {
			out = append(out, d)
		}
	}
	return out
}

// benchSeqABC is a sequence of A, B and C on the user, each step within
// within minutes of the one before, the last matched by lastMatch.
func benchSeqABC(id string, within, lookback int, lastMatch string) string {
	return fmt.Sprintf(`AnalysisType: correlation_rule
RuleID: %s
Severity: High
Detection:
  - Sequence:
      - {ID: a, RuleID: A}
      - {ID: b, RuleID: B}
      - {ID: c, RuleID: C}
    Transitions:
      - {ID: a to b, From: a, To: b, WithinTimeFrameMinutes: %d, Match: [{On: user}]}
      - {ID: b to c, From: b, To: c, WithinTimeFrameMinutes: %[2]d, Match: [%s]}
    LookbackWindowMinutes: %d
`, id, within, lastMatch, lookback)
}

func BenchmarkSequence(b *testing.B) {
	benchCorrelation(b, benchSeqABC("Bench.Sequence", 10, 30, "{From: user, To: p_alert_context.who}"), "A", "B", "C")
}

func BenchmarkGroup(b *testing.B) {
	benchCorrelation(b, `AnalysisType: correlation_rule
RuleID: Bench.Group
Severity: High
Detection:
  - Group:
      - {ID: a, RuleID: A}
      - {ID: b, RuleID: B, MinMatchCount: 2}
    MatchCriteria:
      user: [{GroupID: a, Match: user}, {GroupID: b, Match: p_alert_context.who}]
    LookbackWindowMinutes: 30
`, "A", "B")
}

func BenchmarkAbsence(b *testing.B) {
	benchCorrelation(b, `AnalysisType: correlation_rule
RuleID: Bench.Absence
Severity: High
Detection:
  - Sequence:
      - {ID: a, RuleID: A}
      - {ID: none, RuleID: B, Absence: true}
    Transitions:
      - {ID: a then no b, From: a, To: none, WithinTimeFrameMinutes: 15, Match: [{On: user}]}
    LookbackWindowMinutes: 30
`, "A", "B")
}

// BenchmarkDistinct is a Sigma value_count: distinct event names per
// address (the correlation form of ThresholdDistinct).
func BenchmarkDistinct(b *testing.B) {
	benchCorrelation(b, "title: Bench distinct\nname: Bench.Distinct\nlevel: high\ncorrelation:\n  type: value_count\n  rules: [A, B]\n  group-by: [ip]\n  timespan: 30m\n  condition: {gte: 30, field: eventName}\n", "A", "B")
}

// heldStream is the arrivals of one busy rule as a replay of an archive
// read source by source hands them over: 15 sources (account and region)
// in turn, source s over days s to s+5 of event time, so the watermark
// creeps forward while most matches arrive days late; half of them under
// 450 busy keys (the per-key cap bites), half under 99,700 (the cap on
// keys bites).
func heldStream(n int) []*rec {
	out := make([]*rec, n)
	per := n / 15
	step := 5 * 24 * time.Hour / time.Duration(per)
	m := &matchData{}
	m.fill(&Input{RuleID: "AWS.IAM.UserActivity", RowID: "row", Title: "t", Dedup: "d"}, "t")
	for i := range out {
		src, j := i/per, i%per
		t := t0.Add(time.Duration(src)*24*time.Hour + time.Duration(j)*step)
		k := fmt.Sprintf("arn:aws:iam::%012d:user/u%d", src%3, (i*7919)%150) // a busy user
		if i%2 == 1 {
			k = fmt.Sprintf("198.51.%d.%d", (i*7919)%100, i%997) // an address seen now and then
		}
		out[i] = &rec{t: t, seq: uint64(i), matchData: m, in: []string{k}}
	}
	return out
}

// heldOps runs a stream through a state the way Engine does: touch and
// insert each match under its key; every 7.5 minutes of watermark, expire
// what the watermark passed by the lateness (24 h) and the lookback (1 h).
func heldOps(stream []*rec, insert func(*rec), expire func(time.Time)) {
	var wm, last time.Time
	for _, r := range stream {
		if r.t.After(wm) {
			wm = r.t
		}
		insert(r)
		if h := wm.Add(-25 * time.Hour); h.Sub(last) >= 7*time.Minute+30*time.Second {
			expire(h)
			last = h
		}
	}
}

func newHeldPool() *pool {
	return &pool{lookback: time.Hour, lru: newLRU(), perKey: DefaultMaxPerKey, maxHeld: DefaultMaxHeld, maxKeys: DefaultMaxKeys}
}

// BenchmarkHeld compares, paired, how a rule holds a busy rule's matches:
// "sorted" is the sorted slice a key with expiry walking every key (the
// structure before), "deque" the deque a key with expiry by the ages heap
// (state.go). One op is one match held, expiry included.
func BenchmarkHeld(b *testing.B) {
	stream := heldStream(300000)
	b.Run("sorted", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i += len(stream) {
			s := newSortedState(DefaultMaxKeys, DefaultMaxPerKey, DefaultMaxHeld)
			n := min(len(stream), b.N-i)
			heldOps(stream[:n], func(r *rec) { s.insert(s.touch(entryKey{0, false, r.in[0]}), r) }, s.expire)
		}
	})
	b.Run("deque", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i += len(stream) {
			p := newHeldPool()
			n := min(len(stream), b.N-i)
			heldOps(stream[:n], func(r *rec) { p.insert(p.touch(entryKey{0, false, r.in[0]}), r, p.perKey) }, p.expire)
		}
	})
}

// BenchmarkSharedSignal is n correlation rules that each take a rare
// rule's matches and then a busy one's, the same busy rule on the same
// key for all (six matches in seven are the busy rule's): the steps share
// one pool (pool.go), so a busy match is held once whatever n. One op is
// one match added; compare n=1 and n=10.
func BenchmarkSharedSignal(b *testing.B) {
	for _, n := range []int{1, 10} {
		b.Run(fmt.Sprintf("rules=%d", n), func(b *testing.B) {
			ids := []string{"Busy"}
			files := map[string]string{}
			for i := 0; i < n; i++ {
				ids = append(ids, fmt.Sprintf("Rare%d", i))
				files[fmt.Sprintf("corr/c%d.yml", i)] = fmt.Sprintf(`AnalysisType: correlation_rule
RuleID: Bench.Shared.%d
Severity: High
Detection:
  - Sequence:
      - {ID: rare, RuleID: Rare%d}
      - {ID: busy, RuleID: Busy}
    Transitions:
      - {ID: rare then busy, From: rare, To: busy, WithinTimeFrameMinutes: 10, Match: [{On: user}]}
    LookbackWindowMinutes: 30
`, i, i)
			}
			ins := benchStream(6000, "Busy")
			for i, in := range ins {
				if i%7 == 0 {
					in.RuleID = fmt.Sprintf("Rare%d", (i/7)%n)
				}
			}
			runBench(b, tree(b, with(benchRules(ids), files)), ins)
		})
	}
}

// BenchmarkHeldHeap measures what a held match costs the collector: a
// busy last step (a signal every event may raise, like
// AWS.CloudTrail.NewSourceIP in AWS.IAM.BackdoorAdminUser.Used) fills its
// pool to the cap, and the live heap and its objects are read after a
// collection, per match held. Each input is built fresh, as replay's
// are (its row ID, dedup and alert context are new strings), and then
// dropped, so what stays live is what the engine keeps.
func BenchmarkHeldHeap(b *testing.B) {
	// gc_ns/held is what a full collection takes more a held match: what
	// every collection of a replay pays for the state.
	set := tree(b, with(benchRules([]string{"A", "B", "C"}), map[string]string{"corr/bench.yml": benchSeqABC("Bench.Held", 60, 120, "{On: user}")}))
	const n = 60000 // past the pool's cap (DefaultMaxHeld)
	ev := event.New()
	for i := 0; i < b.N; i++ {
		// Held a day past their window, as replay's lateness holds them.
		eng, err := New(Options{Set: set, Rules: correlationRules(set), Lateness: 24 * time.Hour})
		if err != nil {
			b.Fatal(err)
		}
		var before, after runtime.MemStats
		gcBefore := gcTime()
		runtime.ReadMemStats(&before)
		for j := 0; j < n; j++ {
			user := fmt.Sprintf("user%04d", j%500)
			if err := ev.ParseJSON([]byte(`{"user":"` + user + `"}`)); err != nil {
				b.Fatal(err)
			}
			t := t0.Add(time.Duration(j) * time.Second)
			ev.Time = t
			in := &Input{RuleID: "C", Time: t, RowID: fmt.Sprintf("%020d-%08d", j, j), LogType: "AWS.CloudTrail",
				Title: "Call from an address never seen for the account (signal)", Dedup: fmt.Sprintf("123456789012:203.0.%d.%d", j/250%250, j%250),
				AlertContext: []byte(fmt.Sprintf(`{"ip":"203.0.%d.%d","user":%q}`, j/250%250, j%250, user)), Event: ev}
			eng.Observe(t)
			eng.Add(in)
		}
		gcAfter := gcTime()
		runtime.ReadMemStats(&after)
		st := eng.Totals()
		b.ReportMetric(float64(gcAfter-gcBefore)/float64(st.Held), "gc_ns/held")
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/float64(st.Held), "heap_B/held")
		b.ReportMetric(float64(after.HeapObjects-before.HeapObjects)/float64(st.Held), "objects/held")
		b.ReportMetric(float64(st.StateBytes)/float64(st.Held), "estimate_B/held")
		b.ReportMetric(float64(st.Held), "held")
		runtime.KeepAlive(eng)
		eng.Close()
	}
}

// gcTime runs the collector and returns the least time of three runs:
// the marking of what is live.
func gcTime() time.Duration {
	best := time.Duration(1 << 62)
	for range 3 {
		t := time.Now()
		runtime.GC()
		best = min(best, time.Since(t))
	}
	return best
}
