package live_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"testing/fstest"
	"time"

	"panther/engine/live"
	"panther/engine/live/livetest"
	"panther/ingest"
	"panther/lake"
	"panther/parsers/logtypes"
)

// signalPack is pack S: a signal Sig (CreateAlert: false, sshd lines)
// whose title and alert_context count their calls in a helper module, and
// an alerting rule Probe (probe lines, one alert each) whose context
// reports the counts. Both run in one VM per worker, which shares the
// module, so with one worker Probe sees every call Sig made before it.
func signalPack() fstest.MapFS {
	return fstest.MapFS{
		"pack.yml":  {Data: []byte("AnalysisType: pack\nPackID: S\nPackDefinition:\n  IDs: [Sig, Probe]\n")},
		"calls.yml": {Data: []byte("AnalysisType: global\nGlobalID: calls\nFilename: calls.lua\n")},
		"calls.lua": {Data: []byte("local M = {title = 0, ctx = 0}\nreturn M\n")},
		"sig.yml": {Data: []byte("AnalysisType: rule\nRuleID: Sig\nEnabled: true\nCreateAlert: false\nFilename: sig.lua\n" +
			"LogTypes: [Syslog.RFC5424]\nSeverity: Low\n")},
		"sig.lua": {Data: []byte(`local calls = require("calls")
function rule(e) return e.appname == "sshd" end
function title(e) calls.title = calls.title + 1; return "login on " .. e.hostname end
function alert_context(e) calls.ctx = calls.ctx + 1; return {host = e.hostname} end
`)},
		"probe.yml": {Data: []byte("AnalysisType: rule\nRuleID: Probe\nEnabled: true\nFilename: probe.lua\n" +
			"LogTypes: [Syslog.RFC5424]\nSeverity: Info\n")},
		"probe.lua": {Data: []byte(`local calls = require("calls")
function rule(e) return e.appname == "probe" end
function dedup(e) return e.message end
function alert_context(e) return {title = calls.title, ctx = calls.ctx} end
`)},
	}
}

// chainOnSig is pack Z: a correlation Sig then Sudo on one host, whose
// context is the signal's context (enabled or not), and the rules it
// names. Its copy of Sig is shadowed by pack S's (the first pack by ID
// runs a detection both hold), so the correlation reads the matches of
// S's Sig, whose VMs survive Z's activation.
func chainOnSig(enabled bool) fstest.MapFS {
	rule := func(id, app string) string {
		return fmt.Sprintf("AnalysisType: rule\nRuleID: %s\nEnabled: true\nCreateAlert: false\nFilename: %s.lua\n"+
			"LogTypes: [Syslog.RFC5424]\nSeverity: Low\n", id, id)
	}
	return fstest.MapFS{
		"pack.yml": {Data: []byte("AnalysisType: pack\nPackID: Z\nPackDefinition:\n  IDs: [Sig, Sudo, Sig.Then.Sudo]\n")},
		"sig.yml":  {Data: []byte(rule("Sig", "sshd"))},
		"Sig.lua":  {Data: []byte(`function rule(e) return e.appname == "sshd" end`)},
		"sudo.yml": {Data: []byte(rule("Sudo", "sudo"))},
		"Sudo.lua": {Data: []byte(`function rule(e) return e.appname == "sudo" end`)},
		"chain.yml": {Data: []byte(fmt.Sprintf(`AnalysisType: correlation_rule
RuleID: Sig.Then.Sudo
Enabled: %t
Severity: High
Filename: chain.lua
Detection:
  - Sequence:
      - {ID: login, RuleID: Sig}
      - {ID: sudo, RuleID: Sudo}
    Transitions:
      - {ID: login then sudo, From: login, To: sudo, WithinTimeFrameMinutes: 10, Match: [{On: hostname}]}
    LookbackWindowMinutes: 15
`, enabled))},
		"chain.lua": {Data: []byte(`function alert_context(c) return {signal_host = c:get("steps", "login", 1, "alert_context", "host")} end`)},
	}
}

// TestSignalRunsOnlyWhatIsRead: live runs a signal's title and
// alert_context only while something reads them — the lake's rule_matches
// (title), a correlation of the running generation that names it (title
// and alert_context) — following hot swaps both ways; the correlation fed
// by the signal fires with the signal's title in its chain and its
// context in the correlation's.
func TestSignalRunsOnlyWhatIsRead(t *testing.T) {
	for _, withLake := range []bool{false, true} {
		t.Run(fmt.Sprintf("lake=%t", withLake), func(t *testing.T) {
			testSignalRunsOnlyWhatIsRead(t, withLake)
		})
	}
}

func testSignalRunsOnlyWhatIsRead(t *testing.T, withLake bool) {
	dir := t.TempDir()
	packs := livetest.NewPacks()
	packs.Activate("S", 1, signalPack())
	j, err := ingest.OpenJournal(dir+"/wal", ingest.JournalOptions{})
	if err != nil {
		t.Fatal(err)
	}
	reg := logtypes.Default()
	r := &rig{t: t, dir: dir, journal: j, packs: packs, alerts: &alertLog{}, done: make(chan error, 1)}
	opts := live.Options{Journal: j, Registry: reg, Packs: packs, Alerts: r.alerts, Workers: 1,
		CommitInterval: time.Hour, PollPacks: 20 * time.Millisecond, Tick: 20 * time.Millisecond}
	if withLake {
		if r.lk, err = live.OpenLake(context.Background(), dir+"/lake", reg, lake.Options{}); err != nil {
			t.Fatal(err)
		}
		opts.Lake = r.lk
	}
	if r.p, err = live.New(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel = cancel
	go func() { r.done <- r.p.Run(ctx) }()

	var seq uint64
	send := func(app, host string, n int) {
		r.send(app, host, int(seq), n)
		seq++
	}
	probes := 0
	// calls sends a probe line and returns the counts Probe saw.
	calls := func() (title, ctx int) {
		t.Helper()
		send("probe", "p", 1)
		r.waitProcessed(seq)
		probes++
		var got []live.DetectionAlert
		for _, a := range r.alerts.firsts() {
			if a.RuleID == "Probe" {
				got = append(got, a)
			}
		}
		if len(got) != probes {
			t.Fatalf("%d probe alerts, want %d", len(got), probes)
		}
		var c struct{ Title, Ctx int }
		if err := json.Unmarshal(got[probes-1].AlertContext, &c); err != nil {
			t.Fatalf("probe context %s: %v", got[probes-1].AlertContext, err)
		}
		return c.Title, c.Ctx
	}
	waitGen := func(n int) {
		t.Helper()
		for deadline := time.Now().Add(2 * time.Second); r.p.Status().Generation < n; time.Sleep(5 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("generation %d not running within 2 s", n)
			}
		}
	}
	// titles is what a run of title() per match gives when the lake
	// reads the title, else nothing.
	titles := func(n int) int {
		if withLake {
			return n
		}
		return 0
	}

	// Generation 1: nothing names Sig.
	send("sshd", "h1", 3)
	if ti, cx := calls(); ti != titles(3) || cx != 0 {
		t.Fatalf("no correlation: title() ran %d times, alert_context() %d; want %d and 0", ti, cx, titles(3))
	}

	// Generation 2: a correlation names Sig; its VM stays, its answer changes.
	packs.Activate("Z", 1, chainOnSig(true))
	waitGen(2)
	send("sshd", "h2", 2)
	send("sudo", "h2", 1)
	if ti, cx := calls(); ti != titles(3)+2 || cx != 2 {
		t.Fatalf("with the correlation: title() ran %d times, alert_context() %d; want %d and 2", ti, cx, titles(3)+2)
	}
	var chain *live.DetectionAlert
	for deadline := time.Now().Add(5 * time.Second); chain == nil; time.Sleep(5 * time.Millisecond) {
		for _, a := range r.alerts.firsts() {
			if a.RuleID == "Sig.Then.Sudo" {
				chain = &a
			}
		}
		if chain == nil && time.Now().After(deadline) {
			t.Fatalf("no correlation alert: %+v", r.alerts.firsts())
		}
	}
	// The chain, as the alert store gets it: the correlation's sample.
	var sample struct {
		Matches []struct {
			RuleID       string          `json:"rule_id"`
			Title        string          `json:"title"`
			AlertContext json.RawMessage `json:"alert_context"`
		}
	}
	if chain.Dedup != "h2" || len(chain.Samples) != 1 {
		t.Fatalf("correlation alert %+v", chain)
	}
	if err := json.Unmarshal(chain.Samples[0], &sample); err != nil {
		t.Fatal(err)
	}
	if m := sample.Matches; len(m) != 2 || m[0].RuleID != "Sig" || m[0].Title != "login on h2" ||
		string(m[0].AlertContext) != `{"host":"h2"}` || m[1].RuleID != "Sudo" {
		t.Fatalf("correlation chain %s", chain.Samples[0])
	}
	if string(chain.AlertContext) != `{"signal_host":"h2"}` {
		t.Fatalf("correlation context %s, want the signal's host", chain.AlertContext)
	}

	// Generation 3: the correlation is turned off; Sig's context is unread again.
	packs.Activate("Z", 2, chainOnSig(false))
	waitGen(3)
	send("sshd", "h3", 1)
	if ti, cx := calls(); ti != titles(3)+2+titles(1) || cx != 2 {
		t.Fatalf("correlation off: title() ran %d times, alert_context() %d; want %d and 2", ti, cx, titles(3)+2+titles(1))
	}
	r.stop()
	if !withLake {
		return
	}
	// Every match of Sig is in rule_matches with the title its function gave.
	if n := livetest.Count(t, dir+"/lake", "rule_matches", "count(*) FILTER (WHERE p_rule_id = 'Sig')"); n != 6 {
		t.Errorf("%d rule_matches rows of Sig, want 6", n)
	}
	if n := livetest.Count(t, dir+"/lake", "rule_matches",
		"count(*) FILTER (WHERE p_rule_id = 'Sig' AND p_title = 'login on ' || (event->>'hostname'))"); n != 6 {
		t.Errorf("%d rule_matches rows of Sig carry title()'s result, want 6", n)
	}
}
