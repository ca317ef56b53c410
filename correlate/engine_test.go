package correlate

import (
	"fmt"
	"runtime"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"
	"unsafe"

	"panther/engine"
	"panther/parsers/event"
	"panther/parsers/logtypes"
)

func mapFS(files map[string]string) fstest.MapFS {
	fs := fstest.MapFS{}
	for name, body := range files {
		fs[name] = &fstest.MapFile{Data: []byte(body)}
	}
	return fs
}

// tree loads a detections tree from files, failing on any error.
func tree(t testing.TB, files map[string]string) *engine.Set {
	t.Helper()
	set := engine.Load([]engine.Source{{FS: mapFS(files), Root: "."}}, engine.LoadOptions{Registry: logtypes.Default()})
	if n := set.Diagnostics.Errors(); n > 0 {
		t.Fatalf("%d errors:\n%s", n, set.Diagnostics)
	}
	return set
}

// rules are three plain rules over CloudTrail-shaped events.
func rules() map[string]string {
	files := map[string]string{}
	for _, id := range []string{"A", "B", "C"} {
		files["rules/"+id+".yml"] = fmt.Sprintf("AnalysisType: rule\nRuleID: %s\nFilename: %s.lua\nLogTypes: [AWS.CloudTrail]\nSeverity: Low\n", id, id)
		files["rules/"+id+".lua"] = fmt.Sprintf("function rule(event) return event.eventName == %q end\n", id)
	}
	return files
}

func with(files map[string]string, more map[string]string) map[string]string {
	for k, v := range more {
		files[k] = v
	}
	return files
}

const seqABC = `AnalysisType: correlation_rule
RuleID: Seq.ABC
DisplayName: A then B then C
Severity: High
Detection:
  - Sequence:
      - ID: first
        RuleID: A
      - ID: second
        RuleID: B
      - ID: third
        RuleID: C
    Transitions:
      - ID: first to second
        From: first
        To: second
        WithinTimeFrameMinutes: 10
        Match:
          - On: user
      - ID: second to third
        From: second
        To: third
        WithinTimeFrameMinutes: 10
        Match:
          - From: user
            To: p_alert_context.who
    LookbackWindowMinutes: 30
`

var t0 = time.Date(2026, 11, 10, 9, 0, 0, 0, time.UTC)

// match builds an Input of rule id at t0+min minutes, the event holding
// user, the alert context who.
func match(id string, min float64, user string) *Input {
	e := event.New()
	if err := e.ParseJSON([]byte(`{"user":"` + user + `","eventName":"` + id + `"}`)); err != nil {
		panic(err)
	}
	tm := t0.Add(time.Duration(min * float64(time.Minute)))
	e.Time = tm
	e.RowID = fmt.Sprintf("%s-%v-%s", id, min, user)
	e.LogType = "AWS.CloudTrail"
	return &Input{RuleID: id, Time: tm, RowID: e.RowID, LogType: e.LogType, Title: id + " by " + user, Dedup: user,
		AlertContext: []byte(`{"who":"` + user + `"}`), Event: e}
}

type run struct {
	eng    *Engine
	alerts []*engine.Alert
	errs   []string
}

func newRun(t testing.TB, set *engine.Set, opts Options) *run {
	t.Helper()
	r := &run{}
	opts.Set = set
	if opts.Rules == nil {
		for _, d := range set.Detections {
			if d.Kind == engine.TypeCorrelationRule {
				opts.Rules = append(opts.Rules, d)
			}
		}
	}
	opts.Emit = func(a *engine.Alert) { r.alerts = append(r.alerts, a) }
	opts.EmitError = func(a *engine.Alert) { r.errs = append(r.errs, a.Error) }
	eng, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(eng.Close)
	r.eng = eng
	return r
}

func (r *run) feed(ins ...*Input) *run {
	for _, in := range ins {
		r.eng.Observe(in.Time)
		r.eng.Add(in)
		in.Event.Release()
	}
	return r
}

func (r *run) flush() *run { r.eng.Flush(); return r }

func TestSequenceFiresInAnyArrivalOrder(t *testing.T) {
	set := tree(t, with(rules(), map[string]string{"corr/seq.yml": seqABC}))
	inputs := func() []*Input {
		return []*Input{match("A", 0, "bob"), match("B", 5, "bob"), match("C", 12, "bob")}
	}
	for name, order := range map[string][]int{"in order": {0, 1, 2}, "reversed": {2, 1, 0}, "middle first": {1, 2, 0}} {
		t.Run(name, func(t *testing.T) {
			ins := inputs()
			r := newRun(t, set, Options{})
			for _, i := range order {
				r.feed(ins[i])
			}
			r.flush()
			if len(r.alerts) != 1 {
				t.Fatalf("got %d alerts, want 1", len(r.alerts))
			}
			a := r.alerts[0]
			if a.RuleID != "Seq.ABC" || a.Dedup != "bob" || a.Title != "A then B then C" || a.Severity != "HIGH" {
				t.Errorf("alert %+v", a)
			}
			var steps []string
			for _, l := range a.Chain {
				steps = append(steps, l.Step+"/"+l.RuleID+"/"+l.RowID)
			}
			if got := strings.Join(steps, " "); got != "first/A/A-0-bob second/B/B-5-bob third/C/C-12-bob" {
				t.Errorf("chain %s", got)
			}
			if !a.FirstEvent.Equal(t0.Add(12*time.Minute)) || len(a.LogTypes) != 1 || a.LogTypes[0] != "AWS.CloudTrail" {
				t.Errorf("first event %s, log types %v", a.FirstEvent, a.LogTypes)
			}
		})
	}
}

func TestSequenceRefusesWhatDoesNotChain(t *testing.T) {
	set := tree(t, with(rules(), map[string]string{"corr/seq.yml": seqABC}))
	cases := map[string][]*Input{
		"other user at the end":   {match("A", 0, "bob"), match("B", 5, "bob"), match("C", 12, "eve")},
		"other user in between":   {match("A", 0, "bob"), match("B", 5, "eve"), match("C", 12, "bob")},
		"too late for the frame":  {match("A", 0, "bob"), match("B", 11, "bob"), match("C", 12, "bob")},
		"steps out of time order": {match("B", 0, "bob"), match("A", 5, "bob"), match("C", 12, "bob")},
		"a step missing":          {match("A", 0, "bob"), match("C", 5, "bob")},
	}
	for name, ins := range cases {
		t.Run(name, func(t *testing.T) {
			r := newRun(t, set, Options{}).feed(ins...).flush()
			if len(r.alerts) != 0 {
				t.Fatalf("got %d alerts, want none: %+v", len(r.alerts), r.alerts[0].Chain)
			}
		})
	}
	// At the edges of both frames (inclusive, as Panther's tests are).
	r := newRun(t, set, Options{}).feed(match("A", 0, "bob"), match("B", 10, "bob"), match("C", 20, "bob")).flush()
	if len(r.alerts) != 1 {
		t.Fatalf("got %d alerts, want 1", len(r.alerts))
	}
}

const bruteForce = `AnalysisType: correlation_rule
RuleID: Seq.Brute
Severity: High
Detection:
  - Sequence:
      - ID: failures
        RuleID: A
        MinMatchCount: 3
      - ID: success
        RuleID: B
    Transitions:
      - ID: failures then success
        From: failures
        To: success
        WithinTimeFrameMinutes: 5
        Match:
          - On: user
    LookbackWindowMinutes: 15
`

func TestMinMatchCount(t *testing.T) {
	set := tree(t, with(rules(), map[string]string{"corr/brute.yml": bruteForce}))
	two := newRun(t, set, Options{}).feed(match("A", 0, "bob"), match("A", 1, "bob"), match("B", 2, "bob")).flush()
	if len(two.alerts) != 0 {
		t.Fatalf("two failures raised %d alerts", len(two.alerts))
	}
	three := newRun(t, set, Options{}).feed(match("A", 0, "bob"), match("A", 1, "bob"), match("A", 1.5, "eve"),
		match("A", 2, "bob"), match("B", 6, "bob")).flush()
	if len(three.alerts) != 1 || len(three.alerts[0].Chain) != 4 {
		t.Fatalf("three failures: %d alerts", len(three.alerts))
	}
	// Success first in arrival order (another source), failures after.
	late := newRun(t, set, Options{}).feed(match("B", 6, "bob"), match("A", 0, "bob"), match("A", 1, "bob"), match("A", 2, "bob")).flush()
	if len(late.alerts) != 1 {
		t.Fatalf("success read first: %d alerts", len(late.alerts))
	}
	// The success is timed from the last failure: 2 + 5 = 7 is the limit.
	far := newRun(t, set, Options{}).feed(match("A", 0, "bob"), match("A", 1, "bob"), match("A", 2, "bob"), match("B", 7.5, "bob")).flush()
	if len(far.alerts) != 0 {
		t.Fatalf("success after the frame: %d alerts", len(far.alerts))
	}
}

const absence = `AnalysisType: correlation_rule
RuleID: Seq.NoB
Severity: Medium
Detection:
  - Sequence:
      - ID: started
        RuleID: A
      - ID: finished
        RuleID: B
        Absence: true
    Transitions:
      - ID: started NOT FOLLOWED BY finished
        From: started
        To: finished
        WithinTimeFrameMinutes: 10
        Match:
          - On: user
`

func TestAbsenceByWatermark(t *testing.T) {
	set := tree(t, with(rules(), map[string]string{"corr/absence.yml": absence}))
	// B for the same user within the window: nothing.
	r := newRun(t, set, Options{}).feed(match("A", 0, "bob"), match("B", 9, "bob")).flush()
	if len(r.alerts) != 0 {
		t.Fatalf("B followed: %d alerts", len(r.alerts))
	}
	// B read before A (another source) still counts.
	r = newRun(t, set, Options{}).feed(match("B", 9, "bob"), match("A", 0, "bob")).flush()
	if len(r.alerts) != 0 {
		t.Fatalf("B read first: %d alerts", len(r.alerts))
	}
	// B for someone else, or too late: the absence fires.
	for _, late := range []*Input{match("B", 9, "eve"), match("B", 11, "bob")} {
		r = newRun(t, set, Options{}).feed(match("A", 0, "bob"), late).flush()
		if len(r.alerts) != 1 || r.alerts[0].Dedup != "bob" {
			t.Fatalf("absence not raised (%s)", late.RowID)
		}
	}
	// Decided by the watermark, before the end of the input, once time
	// has passed the window plus the lateness.
	r = newRun(t, set, Options{Lateness: 5 * time.Minute}).feed(match("A", 0, "bob"), match("C", 14, "x"))
	if f := r.eng.Stats()["Seq.NoB"].Firings; f != 0 {
		t.Fatalf("decided at 14 minutes (window 10 + lateness 5): %d", f)
	}
	r.feed(match("C", 16, "x"))
	if s := r.eng.Stats()["Seq.NoB"]; s.Firings != 1 || s.Pending != 0 {
		t.Fatalf("not decided at 16 minutes: %+v", s)
	}
	// Wall-clock advance (serve) decides it too.
	r = newRun(t, set, Options{}).feed(match("A", 0, "bob"))
	r.eng.AdvanceTo(t0.Add(2 * time.Hour))
	if f := r.eng.Stats()["Seq.NoB"].Firings; f != 1 {
		t.Fatalf("AdvanceTo did not decide: %d", f)
	}
}

const group = `AnalysisType: correlation_rule
RuleID: Group.AB
Severity: High
Filename: group.lua
Detection:
  - Group:
      - ID: a
        RuleID: A
      - ID: b
        RuleID: B
        MinMatchCount: 2
    MatchCriteria:
      user:
        - GroupID: a
          Match: user
        - GroupID: b
          Match: p_alert_context.who
    LookbackWindowMinutes: 20
`

const groupLua = `
function title(c)
  return "A and B for " .. c.key .. " (" .. #c.matches .. " matches, first " .. c.matches[1].rule_id .. ")"
end
function alert_context(c)
  return {steps = #c.steps.b, first = c:get("matches", 1, "p_row_id")}
end
`

func TestGroupAnyOrderAndLua(t *testing.T) {
	set := tree(t, with(rules(), map[string]string{"corr/group.yml": group, "corr/group.lua": groupLua}))
	r := newRun(t, set, Options{}).feed(match("B", 0, "bob"), match("B", 10, "eve"), match("A", 12, "bob"), match("B", 19, "bob")).flush()
	if len(r.alerts) != 1 {
		t.Fatalf("got %d alerts", len(r.alerts))
	}
	a := r.alerts[0]
	if a.Title != "A and B for bob (3 matches, first B)" || a.Dedup != "bob" {
		t.Errorf("title %q dedup %q", a.Title, a.Dedup)
	}
	if string(a.AlertContext) != `{"first":"B-0-bob","steps":2}` {
		t.Errorf("alert context %s", a.AlertContext)
	}
	// Spread over more than the lookback: nothing.
	r = newRun(t, set, Options{}).feed(match("B", 0, "bob"), match("A", 12, "bob"), match("B", 21, "bob")).flush()
	if len(r.alerts) != 0 {
		t.Fatalf("spread over 21 minutes: %d alerts", len(r.alerts))
	}
}

const groupAbsent = `AnalysisType: correlation_rule
RuleID: Group.NoB
Severity: High
Detection:
  - Group:
      - ID: a
        RuleID: A
      - ID: b
        RuleID: B
        Absence: true
    MatchCriteria:
      user:
        - GroupID: a
          Match: user
        - GroupID: b
          Match: user
    LookbackWindowMinutes: 20
`

func TestGroupAbsence(t *testing.T) {
	set := tree(t, with(rules(), map[string]string{"corr/g.yml": groupAbsent}))
	for name, c := range map[string]struct {
		ins  []*Input
		want int
	}{
		"alone":        {[]*Input{match("A", 0, "bob")}, 1},
		"B after":      {[]*Input{match("A", 0, "bob"), match("B", 5, "bob")}, 0},
		"B before":     {[]*Input{match("B", 0, "bob"), match("A", 5, "bob")}, 0},
		"B other user": {[]*Input{match("A", 0, "bob"), match("B", 5, "eve")}, 1},
		"B long after": {[]*Input{match("A", 0, "bob"), match("B", 25, "bob")}, 1},
	} {
		t.Run(name, func(t *testing.T) {
			r := newRun(t, set, Options{}).feed(c.ins...).flush()
			if len(r.alerts) != c.want {
				t.Fatalf("got %d alerts, want %d", len(r.alerts), c.want)
			}
		})
	}
}

func TestKeysAreBounded(t *testing.T) {
	set := tree(t, with(rules(), map[string]string{"corr/seq.yml": seqABC}))
	r := newRun(t, set, Options{MaxKeys: 50})
	for i := range 1000 {
		r.feed(match("A", float64(i)/100, fmt.Sprint("user", i)))
	}
	s := r.eng.Stats()["Seq.ABC"]
	if s.OpenKeys != 50 || s.DroppedKeys != 950 || s.PeakKeys != 50 || s.Held != 50 {
		t.Fatalf("stats %+v", s)
	}
	// The newest keys are kept: a chain on the last user still fires.
	r.feed(match("B", 10, "user999"), match("C", 11, "bob"))
	r.feed(match("C", 12, "user999")).flush()
	if len(r.alerts) != 1 || r.alerts[0].Dedup != "user999" {
		t.Fatalf("the newest key was not kept: %d alerts", len(r.alerts))
	}
	// Time expires what the lookback has passed.
	r = newRun(t, set, Options{Lateness: -1})
	for i := range 100 {
		r.feed(match("A", float64(i), fmt.Sprint("user", i)))
	}
	if s := r.eng.Stats()["Seq.ABC"]; s.OpenKeys > 40 {
		t.Fatalf("expiry kept %d keys over 100 minutes of a 30 minute lookback", s.OpenKeys)
	}
	// The matches held in all are capped too: the least recently touched
	// keys go. A's of 10 users, 30 each, under a cap of 100 matches.
	r = newRun(t, set, Options{MaxHeld: 100})
	for i := range 300 {
		r.feed(match("A", float64(i)/100, fmt.Sprint("user", i/30)))
	}
	s = r.eng.Stats()["Seq.ABC"]
	if s.Held > 100 || s.Held < 70 || s.DroppedKeys != 7 || s.OpenKeys != 3 {
		t.Fatalf("MaxHeld 100: stats %+v", s)
	}
	// StateBytes follows what is held, and returns to zero with it.
	if s.StateBytes < int64(s.Held)*recOverhead || s.StateBytes > int64(s.Held)*1024 {
		t.Errorf("state bytes %d for %d matches", s.StateBytes, s.Held)
	}
	r.eng.AdvanceTo(t0.Add(48 * time.Hour))
	if s := r.eng.Stats()["Seq.ABC"]; s.Held != 0 || s.OpenKeys != 0 || s.StateBytes != 0 {
		t.Errorf("after expiry: %+v", s)
	}
}

func TestSameOutputForAnyArrivalOfSources(t *testing.T) {
	// Two "sources" (A's and B's), read one after the other either way:
	// the alerts are the same.
	set := tree(t, with(rules(), map[string]string{"corr/brute.yml": bruteForce, "corr/seq.yml": seqABC}))
	mk := func() (as, bs []*Input) {
		for i := range 30 {
			u := fmt.Sprint("u", i%4)
			as = append(as, match("A", float64(i), u))
			if i%3 == 0 {
				bs = append(bs, match("B", float64(i)+0.5, u), match("C", float64(i)+1, u))
			}
		}
		return
	}
	key := func(r *run) string {
		var out []string
		for _, a := range r.alerts {
			// How many firings an alert holds depends on the arrival order
			// (each arrival that completes a chain fires); which chains
			// fire, and the first of each, does not.
			out = append(out, fmt.Sprintf("%s %s %s", a.RuleID, a.Dedup, a.FirstEvent.Format(time.TimeOnly)))
		}
		return strings.Join(out, "\n")
	}
	as, bs := mk()
	one := newRun(t, set, Options{}).feed(as...).feed(bs...).flush()
	as, bs = mk()
	two := newRun(t, set, Options{}).feed(bs...).feed(as...).flush()
	engine.SortAlerts(one.alerts)
	engine.SortAlerts(two.alerts)
	if key(one) != key(two) || len(one.alerts) == 0 {
		t.Fatalf("A first:\n%s\nB first:\n%s", key(one), key(two))
	}
}

// An alert lists the sources of the matches of every firing that joined
// it, so replay can drop it with a source that broke off.
func TestAlertSourcesAreThoseOfItsMatches(t *testing.T) {
	set := tree(t, with(rules(), map[string]string{"corr/seq.yml": seqABC}))
	r := newRun(t, set, Options{})
	a, b, c := match("A", 0, "bob"), match("B", 5, "bob"), match("C", 12, "bob")
	c1 := match("C", 13, "bob") // completes the chain again within the lookback: not a firing
	// A second firing, a lookback later, within the alert's dedup period.
	a2, b2, c2 := match("A", 40, "bob"), match("B", 45, "bob"), match("C", 52, "bob")
	a.Event.SourceFile = "okta.json"
	b.Source = "cloudtrail-1.json" // Source wins over the event's
	b.Event.SourceFile = "ignored.json"
	c.Event.SourceFile = "cloudtrail-1.json"
	c1.Event.SourceFile = "not-a-firing.json"
	for _, in := range []*Input{a2, b2, c2} {
		in.Event.SourceFile = "cloudtrail-2.json"
	}
	r.feed(a, b, c, c1, a2, b2, c2).flush()
	if len(r.alerts) != 1 {
		t.Fatalf("got %d alerts, want 1", len(r.alerts))
	}
	if got := strings.Join(r.alerts[0].Sources, " "); got != "cloudtrail-1.json cloudtrail-2.json okta.json" || r.alerts[0].EventCount != 2 {
		t.Errorf("sources %q, %d firings", got, r.alerts[0].EventCount)
	}
	if st := r.eng.Stats()["Seq.ABC"]; st.Firings != 2 || st.Refires != 1 {
		t.Errorf("stats %+v", st)
	}
	if len(r.eng.sources) != 0 || len(r.eng.chains) != 0 {
		t.Errorf("held after emit: %d sources, %d chains", len(r.eng.sources), len(r.eng.chains))
	}
}

// serve's hot swap: a new engine adopts the matches held by the pools
// that hold the same matches (the same rules, the same key fields) and
// the state of the rules that keep their definition, so a chain in
// progress completes across the swap, also when only the rule's windows
// changed; a rule whose keys changed starts afresh.
func TestAdoptKeepsChainsAcrossASwap(t *testing.T) {
	set := tree(t, with(rules(), map[string]string{"corr/seq.yml": seqABC}))
	window := tree(t, with(rules(), map[string]string{"corr/seq.yml": strings.Replace(seqABC, "LookbackWindowMinutes: 30", "LookbackWindowMinutes: 40", 1)}))
	keys := tree(t, with(rules(), map[string]string{"corr/seq.yml": strings.Replace(seqABC, "- On: user", "- On: p_alert_context.who", 1)}))
	for _, c := range []struct {
		name  string
		next  *engine.Set
		fires bool
	}{{"same rule", set, true}, {"window changed", window, true}, {"keys changed", keys, false}} {
		t.Run(c.name, func(t *testing.T) {
			old := newRun(t, set, Options{})
			old.feed(match("A", 0, "bob"), match("B", 5, "bob"))
			r := newRun(t, c.next, Options{})
			r.eng.Adopt(old.eng)
			old.flush() // the old engine's close: nothing of the chain is left there
			r.feed(match("C", 12, "bob")).flush()
			if len(old.alerts) != 0 {
				t.Errorf("the old engine fired %d alerts", len(old.alerts))
			}
			if fired := len(r.alerts) == 1 && r.alerts[0].Dedup == "bob"; fired != c.fires {
				t.Errorf("fired %v (%d alerts), want %v", fired, len(r.alerts), c.fires)
			}
			if st := r.eng.Stats()["Seq.ABC"]; c.next == set && st.Matches != 3 {
				t.Errorf("counters not carried over: %+v", st)
			}
		})
	}
}

// TestHeldSameAsSorted holds the same late, capped stream in the deque
// and ages heap and in the sorted slices they replaced: after every step
// both hold the same matches under the same keys.
func TestHeldSameAsSorted(t *testing.T) {
	stream := heldStream(30000)
	rs := newHeldPool()
	rs.perKey, rs.maxHeld, rs.maxKeys = 8, 3000, 600 // the caps bite
	s := newSortedState(600, 8, 3000)
	check := func(when string) {
		t.Helper()
		if rs.entries.len() != len(s.entries) || rs.stats.Held != s.held {
			t.Fatalf("%s: %d keys, %d held; sorted: %d keys, %d held", when, rs.entries.len(), rs.stats.Held, len(s.entries), s.held)
		}
		for k, en := range s.entries {
			if got := rs.list(k.out, k.key); !slices.Equal(got, en.recs) {
				t.Fatalf("%s: key %q holds %d matches, sorted %d", when, k.key, len(got), len(en.recs))
			}
		}
	}
	expiries := 0
	heldOps(stream, func(r *rec) {
		rs.insert(rs.touch(entryKey{0, false, r.in[0]}), r, rs.perKey)
		s.insert(s.touch(entryKey{0, false, r.in[0]}), r)
		if r.seq%997 == 0 {
			check(fmt.Sprintf("after match %d", r.seq))
		}
	}, func(h time.Time) {
		rs.expire(h)
		s.expire(h)
		expiries++
		check("after expiry at " + h.String())
	})
	if expiries < 10 || rs.stats.DroppedKeys == 0 || rs.stats.DroppedMatch == 0 {
		t.Fatalf("the stream should expire and hit the caps: %d expiries, %+v", expiries, rs.stats)
	}
	if len(rs.ages.items) > 2*rs.entries.len()+1024 {
		t.Fatalf("ages holds %d items for %d keys", len(rs.ages.items), rs.entries.len())
	}
}

const countGroup = `AnalysisType: correlation_rule
RuleID: Group.Many
Severity: Medium
Detection:
  - Group:
      - ID: many
        RuleID: A
        MinMatchCount: 30
      - ID: then
        RuleID: B
    MatchCriteria:
      user:
        - GroupID: many
          Match: user
        - GroupID: then
          Match: user
    LookbackWindowMinutes: 60
`

// A count of 30 fires with a chain and an object that list the first and
// last ten of its matches, the tenth saying how many were left out, and
// the counts of every step.
func TestLongChainShowsItsEnds(t *testing.T) {
	set := tree(t, with(rules(), map[string]string{"corr/many.yml": countGroup}))
	var ins []*Input
	for i := 0; i < 30; i++ {
		ins = append(ins, match("A", float64(i), "bob"))
	}
	ins = append(ins, match("B", 31, "bob"))
	r := newRun(t, set, Options{}).feed(ins...).flush()
	if len(r.alerts) != 1 {
		t.Fatalf("got %d alerts, want 1", len(r.alerts))
	}
	a := r.alerts[0]
	if len(a.Chain) != 21 {
		t.Fatalf("chain of %d links, want 20 of many and the one of then", len(a.Chain))
	}
	for i, l := range a.Chain {
		want := 0
		if i == 9 {
			want = 10
		}
		if l.Omitted != want {
			t.Errorf("link %d (%s) omits %d after it, want %d", i, l.RowID, l.Omitted, want)
		}
	}
	if a.Chain[9].RowID != "A-9-bob" || a.Chain[10].RowID != "A-20-bob" || a.Chain[20].RowID != "B-31-bob" {
		t.Errorf("chain ends %s %s %s", a.Chain[9].RowID, a.Chain[10].RowID, a.Chain[20].RowID)
	}
	if len(a.Samples) == 0 {
		t.Fatal("no sample")
	}
	s := string(a.Samples[0])
	if !strings.Contains(s, `"counts":{"many":30,"then":1}`) || strings.Count(s, `"omitted_after":10`) != 2 || strings.Contains(s, "A-15-bob") {
		t.Errorf("correlation object %s", s)
	}
	// Twenty matches are listed whole.
	ins = ins[:0]
	for i := 0; i < 20; i++ {
		ins = append(ins, match("A", float64(i), "eve"))
	}
	set = tree(t, with(rules(), map[string]string{"corr/many.yml": strings.Replace(countGroup, "30", "20", 1)}))
	r = newRun(t, set, Options{}).feed(append(ins, match("B", 21, "eve"))...).flush()
	if len(r.alerts) != 1 || len(r.alerts[0].Chain) != 21 || strings.Contains(string(r.alerts[0].Samples[0]), "counts") {
		t.Fatalf("twenty matches: %d alerts", len(r.alerts))
	}
}

const rareThenBusy = `AnalysisType: correlation_rule
RuleID: Seq.RareBusy%d
Severity: High
Detection:
  - Sequence:
      - {ID: rare, RuleID: A}
      - {ID: busy, RuleID: B}
    Transitions:
      - {ID: rare then busy, From: rare, To: busy, WithinTimeFrameMinutes: 30, Match: [{On: user}]}
    LookbackWindowMinutes: 60
`

// Steps that take the same rule's matches on the same fields share a
// pool: a match is held once however many rules read it, and a busy
// step's keys, capped in their own pool, do not push a rare step's match
// out (with one cap per rule, the 20 busy keys below evicted bob's A).
func TestPoolsShareAndSeparate(t *testing.T) {
	files := rules()
	for i := 0; i < 3; i++ {
		files[fmt.Sprintf("corr/rb%d.yml", i)] = fmt.Sprintf(rareThenBusy, i)
	}
	set := tree(t, files)
	r := newRun(t, set, Options{MaxHeld: 10})
	if len(r.eng.pools) != 2 {
		t.Fatalf("%d pools for 3 rules of the same 2 steps, want 2", len(r.eng.pools))
	}
	r.feed(match("A", 0, "bob"))
	for i := 0; i < 20; i++ {
		r.feed(match("B", 1+float64(i)/10, fmt.Sprintf("user%d", i)))
	}
	if st := r.eng.Totals(); st.Held != 1+10 || st.DroppedKeys != 10 {
		t.Errorf("held %d matches, dropped %d keys; want bob's A and the last 10 B's once, 10 dropped", st.Held, st.DroppedKeys)
	}
	r.feed(match("B", 5, "bob")).flush()
	if len(r.alerts) != 3 {
		t.Fatalf("got %d alerts, want one a rule", len(r.alerts))
	}
	// Counted once, under the first rule that uses the pools.
	st := r.eng.Stats()
	if st["Seq.RareBusy0"].Held != 11 || st["Seq.RareBusy1"].Held != 0 || st["Seq.RareBusy2"].Matches != 22 {
		t.Errorf("stats %+v", st)
	}
}

// serve's alert store gets a correlation alert when it fires (SetRaise),
// with its chain.
func TestRaisedAlertCarriesItsChain(t *testing.T) {
	set := tree(t, with(rules(), map[string]string{"corr/seq.yml": seqABC}))
	r := newRun(t, set, Options{})
	var raised []*engine.Alert
	r.eng.SetRaise(func(a *engine.Alert) { raised = append(raised, a) })
	r.feed(match("A", 0, "bob"), match("B", 5, "bob"), match("C", 12, "bob"))
	if len(raised) != 1 || len(raised[0].Chain) != 3 || raised[0].Chain[0].RowID != "A-0-bob" {
		t.Fatalf("raised %d alerts: %+v", len(raised), raised)
	}
}

// TestHeldMatchKeepsItsTexts: a held match keeps its row ID, title,
// dedup and alert context in one string (matchData.data); the chain
// shows each exactly as it came, an empty dedup or context included, and
// two matches of one rule with one title share it.
func TestHeldMatchKeepsItsTexts(t *testing.T) {
	set := tree(t, with(rules(), map[string]string{"corr/seq.yml": strings.Replace(seqABC, "Severity: High", "Severity: High\nFilename: seq.lua", 1), "corr/seq.lua": `
function alert_context(c)
  local out = {}
  for i = 1, #c.matches do
    local m = c.matches[i]
    out[i] = {row = m.p_row_id, title = m.title, dedup = m.dedup, ctx = m.alert_context}
  end
  return {matches = out}
end
`}))
	a := match("A", 0, "bob")
	a.Dedup, a.Title = "", "ünïcode title \x1f"
	b := match("B", 5, "bob")
	b.AlertContext = []byte(`{"who":"bob","n":[1,2,{"deep":"x"}]}`)
	c := match("C", 12, "bob")
	c.RowID, c.Dedup = "row-c-ü", "dedup-c"
	r := newRun(t, set, Options{}).feed(a, b, c).flush()
	if len(r.alerts) != 1 || len(r.errs) > 0 {
		t.Fatalf("got %d alerts, errors %v", len(r.alerts), r.errs)
	}
	want := `{"matches":[{"ctx":{"who":"bob"},"dedup":"","row":"A-0-bob","title":"ünïcode title \u001f"},` +
		`{"ctx":{"who":"bob","n":[1,2,{"deep":"x"}]},"dedup":"bob","row":"B-5-bob","title":"B by bob"},` +
		`{"ctx":{"who":"bob"},"dedup":"dedup-c","row":"row-c-ü","title":"C by bob"}]}`
	if got := string(r.alerts[0].AlertContext); got != want {
		t.Errorf("alert context\n got %s\nwant %s", got, want)
	}

	// An empty context: the match shows none.
	set = tree(t, with(rules(), map[string]string{"corr/seq.yml": strings.Replace(seqABC, "To: p_alert_context.who", "To: user", 1)}))
	eng := newRun(t, set, Options{}).eng
	in := match("C", 0, "eve")
	in.AlertContext = nil
	eng.Observe(in.Time)
	eng.Add(in)
	var held *rec
	for _, p := range eng.pools {
		if l := p.list(false, "eve"); len(l) > 0 {
			held = l[0]
		}
	}
	if held == nil {
		t.Fatal("C's match is not held under eve")
	}
	if held.rowID() != "C-0-eve" || held.dedup() != "eve" || held.ctx() != "" || held.title != "C by eve" {
		t.Errorf("held row %q dedup %q ctx %q title %q", held.rowID(), held.dedup(), held.ctx(), held.title)
	}
	again := match("C", 1, "eve")
	eng.Observe(again.Time)
	eng.Add(again)
	l := eng.pools[len(eng.pools)-1].list(false, "eve")
	if len(l) != 2 || unsafe.StringData(l[0].title) != unsafe.StringData(l[1].title) {
		t.Errorf("two matches of C with one title: %d held, titles shared: %v", len(l), len(l) == 2 && unsafe.StringData(l[0].title) == unsafe.StringData(l[1].title))
	}
}

// A match held by two pools (two rules keying it on different fields) is
// one matchData, allocated with the first pool's rec (firstRec); when
// either pool drops its rec, the other's still reads the match's texts.
func TestSharedMatchOutlivesItsFirstRec(t *testing.T) {
	onWho := strings.NewReplacer("RuleID: Seq.ABC", "RuleID: Seq.ABC.Who", "- On: user", "- On: p_alert_context.who").Replace(seqABC)
	set := tree(t, with(rules(), map[string]string{"corr/seq.yml": seqABC, "corr/who.yml": onWho}))
	droppedFirst := false
	for drop := range 2 {
		r := newRun(t, set, Options{})
		a := match("A", 0, "bob")
		a.AlertContext = []byte(`{"who":"bob-ctx"}`)
		r.feed(a)
		var pools []*pool
		var keys []string
		var recs []*rec
		for _, p := range r.eng.pools {
			for _, k := range []string{"bob", "bob-ctx"} {
				if l := p.list(true, k); len(l) == 1 {
					pools, keys, recs = append(pools, p), append(keys, k), append(recs, l[0])
				}
			}
		}
		if len(recs) != 2 || keys[0] == keys[1] || recs[0].matchData != recs[1].matchData {
			t.Fatalf("A's match should be two recs sharing one matchData: %d recs under %v", len(recs), keys)
		}
		// Is the rec dropped the one allocated with the match's data?
		droppedFirst = droppedFirst || recs[drop].matchData == &(*firstRec)(unsafe.Pointer(recs[drop])).md
		en, _ := pools[drop].entries.get(entryKey{0, true, keys[drop]})
		pools[drop].drop(en)
		recs = nil
		runtime.GC()
		if l := pools[drop].list(true, keys[drop]); len(l) != 0 {
			t.Fatalf("drop %d: the pool still holds bob's A", drop)
		}
		other := pools[1-drop].list(true, keys[1-drop])
		if len(other) != 1 || other[0].rowID() != "A-0-bob" || other[0].dedup() != "bob" || other[0].ctx() != `{"who":"bob-ctx"}` || other[0].title != "A by bob" {
			t.Fatalf("drop %d: the other pool's rec of bob's A: %d held", drop, len(other))
		}
	}
	if !droppedFirst {
		t.Error("neither pool's rec was the match's firstRec")
	}
}
