package engine

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"panther/parsers/event"
)

// newIPRule is a rule with FirstSeen: an address never seen for the
// account, among the calls rule() passes (not the denied ones).
const newIPRule = `AnalysisType: rule
RuleID: New.IP
Filename: r.lua
LogTypes: [AWS.CloudTrail]
Severity: Low
FirstSeen:
  Fields: [sourceIPAddress]
  By: [recipientAccountId]
  HistoryMinutes: %d
  LearnMinutes: %d
`

type fsRun struct {
	t  *testing.T
	d  *Detection
	ev *Evaluator
	fs *FirstSeenState
	n  int
}

func newFSRun(t *testing.T, spec string, o FirstSeenOptions) *fsRun {
	t.Helper()
	set := load(t, tree(t, map[string]string{
		"r/r.yml": spec,
		"r/r.lua": `function rule(e) return e.errorCode == nil end`,
	}))
	if n := set.Diagnostics.Errors(); n > 0 {
		t.Fatalf("%d errors:\n%s", n, set.Diagnostics)
	}
	r := &fsRun{t: t, ev: NewEvaluator(set, EvalOptions{Budget: time.Second}), fs: NewFirstSeenState(o)}
	t.Cleanup(r.ev.Close)
	r.d, _ = set.Detection("New.IP")
	if !r.d.HasFirstSeen() {
		t.Fatal("FirstSeen not compiled")
	}
	return r
}

// call feeds one call at minute min of the day; it reports whether the
// rule matched after FirstSeen.
func (r *fsRun) call(min int, account, ip string, denied bool) bool {
	r.t.Helper()
	e := event.New()
	defer e.Release()
	errCode := ""
	if denied {
		errCode = `,"errorCode":"AccessDenied"`
	}
	if err := e.ParseJSON([]byte(fmt.Sprintf(`{"recipientAccountId":%q,"sourceIPAddress":%q%s}`, account, ip, errCode))); err != nil {
		r.t.Fatal(err)
	}
	e.Time = countT0.Add(time.Duration(min) * time.Minute)
	e.LogType = "AWS.CloudTrail"
	r.n++
	e.RowID = fmt.Sprintf("row-%d", r.n)
	m := r.ev.Evaluate(r.d, e)
	if m.Err != nil {
		r.t.Fatal(m.Err)
	}
	r.fs.Observe(e.Time)
	r.fs.Filter(&m, e)
	return m.Matched
}

func TestFirstSeenSemantics(t *testing.T) {
	r := newFSRun(t, fmt.Sprintf(newIPRule, 60, 10), FirstSeenOptions{})
	steps := []struct {
		min     int
		account string
		ip      string
		denied  bool
		want    bool
		why     string
	}{
		{0, "A", "192.0.2.1", false, false, "learning: recorded, not matched"},
		{9, "A", "192.0.2.2", false, false, "still learning"},
		{10, "A", "192.0.2.1", false, false, "seen while learning"},
		{11, "A", "192.0.2.3", false, true, "new after learning: the event itself does not count as seen"},
		{12, "A", "192.0.2.3", false, false, "seen a minute ago"},
		{13, "B", "192.0.2.3", false, true, "new for another account"},
		{14, "A", "192.0.2.4", true, false, "rule() fails: not recorded"},
		{15, "A", "192.0.2.4", false, true, "so still new"},
		{72, "A", "192.0.2.3", false, false, "60 minutes after its last sighting: still seen (ends included)"},
		{200, "A", "192.0.2.3", false, true, "more than HistoryMinutes later: new again"},
		{201, "A", "192.0.2.3", false, false, "and recorded again"},
	}
	for _, s := range steps {
		if got := r.call(s.min, s.account, s.ip, s.denied); got != s.want {
			t.Errorf("minute %d %s %s: matched %v, want %v (%s)", s.min, s.account, s.ip, got, s.want, s.why)
		}
	}
	st := r.fs.Stats()["New.IP"]
	if st.New != 4 || st.Learning != 2 || st.Seen != 4 || st.Keys != 2 || st.Values != 5 {
		t.Errorf("stats %+v", st)
	}
}

// The history is bounded: keys by an LRU, values per key by age, values
// per rule; what is dropped is counted, and a dropped value is new again.
func TestFirstSeenBounds(t *testing.T) {
	r := newFSRun(t, fmt.Sprintf(newIPRule, 1000, 0), FirstSeenOptions{MaxKeys: 2, MaxValuesPerKey: 3, MaxValues: 100})
	r.call(0, "A", "192.0.2.1", false)
	r.call(1, "B", "192.0.2.1", false)
	r.call(2, "A", "192.0.2.2", false) // A is the most recently touched
	r.call(3, "C", "192.0.2.1", false) // drops B
	st := r.fs.Stats()["New.IP"]
	if st.Keys != 2 || st.DroppedKeys != 1 || st.DroppedValues != 1 {
		t.Errorf("after the key cap: %+v", st)
	}
	if r.call(4, "A", "192.0.2.1", false) {
		t.Error("A kept its history")
	}
	if !r.call(5, "B", "192.0.2.1", false) { // drops C, now the least recently touched
		t.Error("B's history was dropped: its address must be new again")
	}
	if r.call(6, "A", "192.0.2.1", false) {
		t.Error("A kept its history")
	}
	// A holds .1 (min 6) and .2 (min 2); two more values drop the oldest.
	r.call(7, "A", "192.0.2.3", false)
	r.call(8, "A", "192.0.2.4", false)
	st = r.fs.Stats()["New.IP"]
	if st.DroppedKeys != 2 || st.DroppedValues != 3 { // B's value, C's value, A's .2
		t.Errorf("after the value cap: %+v", st)
	}
	if !r.call(9, "A", "192.0.2.2", false) {
		t.Error("a value dropped by the cap must be new again")
	}
	if r.call(10, "A", "192.0.2.4", false) {
		t.Error("a value kept by the cap must stay seen")
	}
	// The cap of values in all drops whole keys, the least recently touched.
	r2 := newFSRun(t, fmt.Sprintf(newIPRule, 1000, 0), FirstSeenOptions{MaxValues: 3})
	for i, acct := range []string{"A", "A", "B", "B"} {
		r2.call(i, acct, fmt.Sprintf("192.0.2.%d", i), false)
	}
	if st := r2.fs.Stats()["New.IP"]; st.Keys != 1 || st.Values != 2 || st.DroppedKeys != 1 || st.StateBytes <= 0 {
		t.Errorf("after the rule's cap: %+v", st)
	}
}

// Fields with lists give each value; several fields each combination.
func TestFirstSeenLists(t *testing.T) {
	set := load(t, tree(t, map[string]string{
		"r/r.yml": "AnalysisType: rule\nRuleID: New.Pair\nFilename: r.lua\nLogTypes: [AWS.CloudTrail]\nSeverity: Low\n" +
			"FirstSeen: {Fields: [p_any_ip_addresses, eventName], LearnMinutes: 0}\n",
		"r/r.lua": `function rule(e) return true end`,
	}))
	if set.Diagnostics.Errors() > 0 {
		t.Fatal(set.Diagnostics)
	}
	d, _ := set.Detection("New.Pair")
	ev := NewEvaluator(set, EvalOptions{Budget: time.Second})
	defer ev.Close()
	fs := NewFirstSeenState(FirstSeenOptions{})
	feed := func(js string) bool {
		e := event.New()
		defer e.Release()
		if err := e.ParseJSON([]byte(js)); err != nil {
			t.Fatal(err)
		}
		e.Time, e.LogType = countT0, "AWS.CloudTrail"
		m := ev.Evaluate(d, e)
		fs.Filter(&m, e)
		return m.Matched
	}
	for _, c := range []struct {
		js   string
		want bool
	}{
		{`{"p_any_ip_addresses":["192.0.2.1","192.0.2.2"],"eventName":"A"}`, true},
		{`{"p_any_ip_addresses":["192.0.2.2"],"eventName":"A"}`, false},
		{`{"p_any_ip_addresses":["192.0.2.2","192.0.2.3"],"eventName":"A"}`, true}, // one of them is new
		{`{"p_any_ip_addresses":["192.0.2.2"],"eventName":"B"}`, true},             // a new pair
		{`{"eventName":"B"}`, false},                                               // no value: nothing new
	} {
		if got := feed(c.js); got != c.want {
			t.Errorf("%s: matched %v, want %v", c.js, got, c.want)
		}
	}
	if st := fs.Stats()["New.Pair"]; st.Missing != 1 || st.Values != 4 {
		t.Errorf("stats %+v", st)
	}
}

// A rule whose FirstSeen changes starts a new history (serve keeps the
// state across activations by rule ID and definition).
func TestFirstSeenNewDefinition(t *testing.T) {
	r := newFSRun(t, fmt.Sprintf(newIPRule, 60, 0), FirstSeenOptions{})
	if !r.call(0, "A", "192.0.2.1", false) || r.call(1, "A", "192.0.2.1", false) {
		t.Fatal("first run")
	}
	r2 := newFSRun(t, fmt.Sprintf(newIPRule, 60, 0), FirstSeenOptions{})
	r2.fs = r.fs
	if r2.call(2, "A", "192.0.2.1", false) {
		t.Error("same definition, reloaded: the history is kept")
	}
	r3 := newFSRun(t, fmt.Sprintf(newIPRule, 90, 0), FirstSeenOptions{})
	r3.fs = r.fs
	if !r3.call(3, "A", "192.0.2.1", false) {
		t.Error("changed definition: a new history")
	}
}

// Bad options are refused at load with file and line.
func TestFirstSeenRefused(t *testing.T) {
	for _, c := range []struct{ yaml, want string }{
		{"FirstSeen: {Fields: [sourceIPAddress], Bye: [x]}", `r.yml:6:\d+: error: unknown key FirstSeen.Bye \(did you mean FirstSeen.By\?\)`},
		{"FirstSeen: {By: [x]}", `r.yml:6:\d+: error: FirstSeen without Fields`},
		{"FirstSeen: {Fields: []}", `r.yml:6:\d+: error: FirstSeen.Fields is empty`},
		{"FirstSeen: {Fields: ['a..b']}", `r.yml:6:\d+: error: FirstSeen.Fields: `},
		{"FirstSeen: {Fields: [x], By: ['y[']}", `r.yml:6:\d+: error: FirstSeen.By: `},
		{"FirstSeen: {Fields: [x], HistoryMinutes: -5}", `r.yml:6:\d+: error: FirstSeen.HistoryMinutes -5 is out of range`},
		{"FirstSeen: {Fields: [x], LearnMinutes: -1}", `r.yml:6:\d+: error: FirstSeen.LearnMinutes -1 is out of range`},
		{"FirstSeen: {Fields: [x], HistoryMinutes: 600000}", `FirstSeen.HistoryMinutes 600000 is out of range`},
		{"FirstSeen: {Fields: [x], LearnMinutes: soon}", `r.yml:6:\d+: error: FirstSeen.LearnMinutes: expected a number`},
		{"FirstSeen: {Fields: x}", `r.yml:6:\d+: error: FirstSeen.Fields: expected a list`},
		{"FirstSeen: [x]", `r.yml:6:\d+: error: FirstSeen: expected a mapping`},
	} {
		set := load(t, tree(t, map[string]string{
			"r/r.yml": "AnalysisType: rule\nRuleID: Bad\nFilename: r.lua\nLogTypes: [AWS.CloudTrail]\nSeverity: Low\n" + c.yaml + "\n",
			"r/r.lua": "function rule(e) return true end",
		}))
		msg := fmt.Sprint(set.Diagnostics)
		if set.Diagnostics.Errors() == 0 || !matches(c.want, msg) {
			t.Errorf("%s:\n%s\nwant %s", c.yaml, msg, c.want)
		}
	}
	// A unit test's History: only for rules with FirstSeen, a list of events.
	test := "Tests:\n  - Name: t\n    ExpectedResult: true\n    Log: {sourceIPAddress: 192.0.2.1}\n    History: %s\n"
	for _, c := range []struct{ spec, want string }{
		{fmt.Sprintf(test, "[{sourceIPAddress: 192.0.2.1}]"), `r.yml:10:\d+: error: test "t": History in a rule without FirstSeen`},
		{"FirstSeen: {Fields: [x]}\n" + fmt.Sprintf(test, "{sourceIPAddress: 192.0.2.1}"), `r.yml:11:\d+: error: test "t": History: expected a list`},
		{"FirstSeen: {Fields: [x]}\n" + fmt.Sprintf(test, "[x]"), `r.yml:11:\d+: error: test "t": a History event must be a mapping`},
	} {
		set := load(t, tree(t, map[string]string{
			"r/r.yml": "AnalysisType: rule\nRuleID: Bad\nFilename: r.lua\nLogTypes: [AWS.CloudTrail]\nSeverity: Low\n" + c.spec,
			"r/r.lua": "function rule(e) return true end",
		}))
		if msg := fmt.Sprint(set.Diagnostics); set.Diagnostics.Errors() == 0 || !matches(c.want, msg) {
			t.Errorf("%s:\n%s\nwant %s", c.spec, msg, c.want)
		}
	}
	// Scheduled rules have no stream: the key is refused there.
	set := load(t, tree(t, map[string]string{
		"r/r.yml": "AnalysisType: scheduled_rule\nRuleID: Bad\nFilename: r.lua\nScheduledQueries: [Q]\nSeverity: Low\nFirstSeen: {Fields: [x]}\n",
		"r/r.lua": "function rule(e) return true end",
	}))
	if msg := fmt.Sprint(set.Diagnostics); !strings.Contains(msg, "unknown key FirstSeen") {
		t.Errorf("scheduled rule: %s", msg)
	}
}

func matches(re, s string) bool { return regexp.MustCompile(re).MatchString(s) }

// BenchmarkFirstSeenFilter is the sink's cost a match: the history of
// 1,000 keys of 100 addresses each, half the matches new.
func BenchmarkFirstSeenFilter(b *testing.B) {
	set := load(b, tree(b, map[string]string{
		"r/r.yml": fmt.Sprintf(newIPRule, 60, 0),
		"r/r.lua": `function rule(e) return true end`,
	}))
	d, _ := set.Detection("New.IP")
	events := make([]*event.Event, 4096)
	for i := range events {
		e := event.New()
		js := fmt.Sprintf(`{"recipientAccountId":"%012d","sourceIPAddress":"192.0.%d.%d"}`, i%1000, (i/1000)%4, i%200)
		if err := e.ParseJSON([]byte(js)); err != nil {
			b.Fatal(err)
		}
		e.Time = countT0.Add(time.Duration(i) * time.Second)
		events[i] = e
	}
	fs := NewFirstSeenState(FirstSeenOptions{})
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m := Match{Detection: d, Matched: true}
		fs.Filter(&m, events[i%len(events)])
	}
}
