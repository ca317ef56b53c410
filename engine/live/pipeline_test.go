package live_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"panther/engine/live"
	"panther/engine/live/livetest"
	"panther/ingest"
	"panther/lake"
	"panther/parsers/logtypes"
)

type alertLog struct {
	mu   sync.Mutex
	list []live.DetectionAlert
}

func (a *alertLog) RaiseDetection(_ context.Context, d live.DetectionAlert) error {
	a.mu.Lock()
	a.list = append(a.list, d)
	a.mu.Unlock()
	return nil
}

func (a *alertLog) firsts() []live.DetectionAlert {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []live.DetectionAlert
	for _, d := range a.list {
		if d.First {
			out = append(out, d)
		}
	}
	return out
}

type rig struct {
	t       *testing.T
	dir     string
	journal *ingest.Journal
	lk      *live.Lake
	packs   *livetest.Packs
	alerts  *alertLog
	p       *live.Pipeline
	done    chan error
	cancel  context.CancelFunc
}

func start(t *testing.T, dir string, packs *livetest.Packs, commit time.Duration) *rig {
	t.Helper()
	j, err := ingest.OpenJournal(dir+"/wal", ingest.JournalOptions{})
	if err != nil {
		t.Fatal(err)
	}
	reg := logtypes.Default()
	lk, err := live.OpenLake(context.Background(), dir+"/lake", reg, lake.Options{})
	if err != nil {
		t.Fatal(err)
	}
	r := &rig{t: t, dir: dir, journal: j, lk: lk, packs: packs, alerts: &alertLog{}, done: make(chan error, 1)}
	r.p, err = live.New(context.Background(), live.Options{Journal: j, Registry: reg, Packs: packs, Lake: lk,
		CommitInterval: commit, Alerts: r.alerts, PollPacks: 20 * time.Millisecond, Tick: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel = cancel
	go func() { r.done <- r.p.Run(ctx) }()
	return r
}

// send appends n syslog lines of app on host, numbered from seq.
func (r *rig) send(app, host string, from, n int) {
	r.t.Helper()
	var b strings.Builder
	for i := from; i < from+n; i++ {
		fmt.Fprintf(&b, "<34>1 2026-11-10T10:00:%02d.000Z %s %s - - - event seq=%d\n", i%60, host, app, i)
	}
	e := &ingest.Entry{Input: "http", Source: "http/test", LogType: "Syslog.RFC5424", Received: time.Now(), Kind: ingest.Stream, Data: []byte(b.String())}
	seq, err := r.journal.Append(context.Background(), e, true)
	if err != nil {
		r.t.Fatal(err)
	}
	if err := r.journal.Wait(seq); err != nil {
		r.t.Fatal(err)
	}
}

func (r *rig) waitProcessed(seq uint64) {
	r.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for r.p.Status().Processed < seq {
		if time.Now().After(deadline) {
			r.t.Fatalf("entry %d not processed: %+v", seq, r.p.Status())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// stop drains and commits.
func (r *rig) stop() {
	r.t.Helper()
	r.journal.Stop()
	if err := <-r.done; err != nil {
		r.t.Fatal(err)
	}
	r.cancel()
	r.journal.Close()
}

// abort stops as a crash would: nothing committed after the last commit.
func (r *rig) abort() {
	r.cancel()
	<-r.done
	r.journal.WAL().Abandon()
}

func TestPipelineAlertsAtThresholdAndLake(t *testing.T) {
	packs := livetest.NewPacks()
	packs.Activate("P", 1, livetest.Rule("P", "SSH.Rule", "sshd", 3))
	r := start(t, t.TempDir(), packs, time.Hour)
	r.send("sshd", "bastion", 0, 2)
	r.waitProcessed(1)
	if n := len(r.alerts.firsts()); n != 0 {
		t.Fatalf("%d alerts under the threshold", n)
	}
	r.send("sshd", "bastion", 2, 1)
	r.send("cron", "bastion", 3, 5)
	r.waitProcessed(3)
	got := r.alerts.firsts()
	if len(got) != 1 || got[0].RuleID != "SSH.Rule" || got[0].EventCount != 3 || got[0].PackVersion != "P@1" || got[0].Dedup != "bastion" {
		t.Fatalf("alerts at the threshold: %+v", got)
	}
	r.stop()
	lakeDir := r.dir + "/lake"
	if n := livetest.Count(t, lakeDir, "syslog_rfc5424", ""); n != 8 {
		t.Errorf("lake holds %d events, want 8", n)
	}
	if n := livetest.Count(t, lakeDir, "rule_matches", ""); n != 3 {
		t.Errorf("lake holds %d rule matches, want 3", n)
	}
}

// TestHotSwap: a new active version changes the detections for the next
// entry, within a poll; a surviving rule keeps its open alert.
func TestHotSwap(t *testing.T) {
	packs := livetest.NewPacks()
	packs.Activate("P", 1, livetest.Rule("P", "R", "sshd", 4))
	r := start(t, t.TempDir(), packs, time.Hour)
	r.send("sshd", "h1", 0, 2) // 2 of 4 under v1
	r.waitProcessed(1)
	packs.Activate("P", 2, livetest.Rule("P", "R", "sshd", 4)) // same rule, new version
	deadline := time.Now().Add(time.Second)
	for r.p.Status().Generation < 2 {
		if time.Now().After(deadline) {
			t.Fatal("the new version is not running within 1 s")
		}
		time.Sleep(5 * time.Millisecond)
	}
	r.send("sshd", "h1", 2, 2) // 4 of 4: the window opened under v1 goes on
	r.waitProcessed(2)
	got := r.alerts.firsts()
	if len(got) != 1 || got[0].EventCount != 4 || got[0].PackVersion != "P@2" {
		t.Fatalf("want one alert of 4 raised by P@2, got %+v", got)
	}
	// v3 matches another app: the old rule's events no longer match.
	packs.Activate("P", 3, livetest.Rule("P", "R", "sudo", 1))
	for r.p.Status().Generation < 3 {
		time.Sleep(5 * time.Millisecond)
	}
	r.send("sshd", "h2", 10, 3)
	r.send("sudo", "h2", 20, 1)
	r.waitProcessed(4)
	got = r.alerts.firsts()
	if len(got) != 2 || got[1].Dedup != "h2" || got[1].PackVersion != "P@3" {
		t.Fatalf("after v3: %+v", got)
	}
	st := r.p.Status()
	if len(st.Packs) != 1 || st.Packs[0].Version != 3 || st.Rules != 1 {
		t.Fatalf("status %+v", st)
	}
	r.stop()
	if n := livetest.Count(t, r.dir+"/lake", "rule_matches", ""); n != 5 {
		t.Errorf("rule matches %d, want 5 (4 sshd, 1 sudo): none dropped or doubled", n)
	}
}

// TestRecovery: entries processed but not committed when the process
// dies are read back at the next start, and the lake gets each event once.
func TestRecovery(t *testing.T) {
	dir := t.TempDir()
	packs := livetest.NewPacks()
	packs.Activate("P", 1, livetest.Rule("P", "R", "sshd", 1))
	r := start(t, dir, packs, time.Hour)
	r.send("sshd", "a", 0, 10)
	r.stop() // committed
	r = start(t, dir, packs, time.Hour)
	r.send("sshd", "a", 10, 10)
	r.send("cron", "a", 20, 10)
	r.waitProcessed(3)
	r.abort() // as if killed: the lake never committed entries 2 and 3

	r2 := start(t, dir, packs, time.Hour)
	if n := r2.p.Recovered(); n != 2 {
		t.Fatalf("%d entries recovered, want 2", n)
	}
	r2.send("cron", "a", 30, 5)
	r2.stop()
	if n := livetest.Count(t, dir+"/lake", "syslog_rfc5424", ""); n != 35 {
		t.Errorf("lake holds %d events, want 35", n)
	}
	if n := livetest.Count(t, dir+"/lake", "syslog_rfc5424", "count(DISTINCT p_row_id)"); n != 35 {
		t.Errorf("lake holds %d distinct row ids, want 35", n)
	}
	if n := livetest.Count(t, dir+"/lake", "rule_matches", ""); n != 20 {
		t.Errorf("rule matches %d, want 20", n)
	}
}

// TestPeriodicCommits: while the pipeline runs, what it wrote becomes
// visible to search within about CommitInterval, commit after commit, by
// the epochs of one long-lived lake writer (every ledger file of one run:
// a writer closed and opened again at each commit starts a new run).
func TestPeriodicCommits(t *testing.T) {
	dir := t.TempDir()
	packs := livetest.NewPacks()
	packs.Activate("P", 1, livetest.Rule("P", "R", "sshd", 1))
	r := start(t, dir, packs, 50*time.Millisecond)
	for round := 1; round <= 3; round++ {
		r.send("sshd", "a", (round-1)*10, 10)
		deadline := time.Now().Add(10 * time.Second)
		for livetest.Count(t, dir+"/lake", "syslog_rfc5424", "") != int64(10*round) {
			if time.Now().After(deadline) {
				t.Fatalf("round %d: the lake shows %d events while running, want %d", round,
					livetest.Count(t, dir+"/lake", "syslog_rfc5424", ""), 10*round)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	ledger, err := filepath.Glob(filepath.Join(dir, "lake", "_sources", "*.jsonl"))
	if err != nil || len(ledger) < 3 {
		t.Fatalf("%d ledger files after 3 commits (%v)", len(ledger), err)
	}
	run := func(p string) string { // <run>-<epoch>.jsonl
		b := filepath.Base(p)
		return b[:strings.LastIndexByte(b, '-')]
	}
	for _, p := range ledger[1:] {
		if run(p) != run(ledger[0]) {
			t.Errorf("ledger files of two runs, %s and %s: the writer was closed and opened again", filepath.Base(ledger[0]), filepath.Base(p))
		}
	}
	r.stop()
	if n := livetest.Count(t, dir+"/lake", "syslog_rfc5424", "count(DISTINCT p_row_id)"); n != 30 {
		t.Errorf("lake holds %d distinct row ids, want 30", n)
	}
}

// TestBackgroundCompaction: Maintain merges the files that the commits
// gave an hour that stopped receiving into one, while the pipeline runs;
// and with a retention, removes what is older than it.
func TestBackgroundCompaction(t *testing.T) {
	dir := t.TempDir()
	packs := livetest.NewPacks()
	r := start(t, dir, packs, 20*time.Millisecond)
	files := func() []string { // the events' hour: 2026-11-10T10
		m, _ := filepath.Glob(filepath.Join(dir, "lake", "logs", "syslog_rfc5424", "*", "*", "*", "*", "*.parquet"))
		return m
	}
	for round := 1; round <= 3; round++ {
		r.send("sshd", "a", (round-1)*10, 10)
		for deadline := time.Now().Add(10 * time.Second); len(files()) < round; time.Sleep(10 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("round %d: %d files", round, len(files()))
			}
		}
	}
	var mu sync.Mutex
	var errs []error
	r.lk.Maintain(50*time.Millisecond, time.Hour, 0, func(err error) { mu.Lock(); errs = append(errs, err); mu.Unlock() })
	for deadline := time.Now().Add(20 * time.Second); len(files()) != 1; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d files after 20 s of background compaction", len(files()))
		}
	}
	if n := livetest.Count(t, dir+"/lake", "syslog_rfc5424", "count(DISTINCT p_row_id)"); n != 30 {
		t.Errorf("%d distinct events after compaction, want 30", n)
	}
	r.send("sshd", "a", 30, 10) // commits go on beside it
	r.waitProcessed(4)
	r.stop()
	if n := livetest.Count(t, dir+"/lake", "syslog_rfc5424", ""); n != 40 {
		t.Errorf("%d events, want 40", n)
	}
	mu.Lock()
	if len(errs) > 0 {
		t.Errorf("maintenance errors: %v", errs)
	}
	mu.Unlock()
	// Retention: the events are of 2026-11-10, older than a day.
	lk, err := live.OpenLake(context.Background(), dir+"/lake", logtypes.Default(), lake.Options{})
	if err != nil {
		t.Fatal(err)
	}
	lk.Maintain(10*time.Millisecond, time.Hour, 24*time.Hour, nil)
	for deadline := time.Now().Add(20 * time.Second); len(files()) != 0; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d files left after the retention", len(files()))
		}
	}
	if err := lk.Close(0); err != nil {
		t.Fatal(err)
	}
}

// TestRunawayRuleTurnedOff: a rule that times out 10 times is turned off
// (status says so), the other rules go on.
func TestRunawayRuleTurnedOff(t *testing.T) {
	packs := livetest.NewPacks()
	loop := fstest.MapFS{
		"rule.yml": {Data: []byte("AnalysisType: rule\nRuleID: Loop\nEnabled: true\nFilename: rule.lua\nLogTypes: [Syslog.RFC5424]\nSeverity: Low\n")},
		"rule.lua": {Data: []byte("function rule(e)\n  local n = 0\n  while true do n = n + 1 end\nend\n")},
	}
	packs.Activate("Loop", 1, loop)
	packs.Activate("P", 1, livetest.Rule("P", "R", "sshd", 1))
	dir := t.TempDir()
	j, err := ingest.OpenJournal(dir+"/wal", ingest.JournalOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	alerts := &alertLog{}
	p, err := live.New(context.Background(), live.Options{Journal: j, Registry: logtypes.Default(), Packs: packs,
		Alerts: alerts, Budget: 5 * time.Millisecond, Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- p.Run(context.Background()) }()
	r := &rig{t: t, journal: j, p: p}
	r.send("sshd", "h", 0, 15)
	j.Stop()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if d := p.Status().Disabled; len(d) != 1 || d[0] != "Loop" {
		t.Fatalf("disabled %v", d)
	}
	if n := len(alerts.firsts()); n != 1 {
		t.Fatalf("the other rule raised %d alerts, want 1", n)
	}
}

// chainPack is a pack of two rules (sshd, sudo lines) and a correlation
// rule: sshd then sudo on one host within 10 minutes.
func chainPack(lookback int) fstest.MapFS {
	rule := func(id, app string) string {
		return fmt.Sprintf("AnalysisType: rule\nRuleID: %s\nEnabled: true\nFilename: %s.lua\nLogTypes: [Syslog.RFC5424]\nSeverity: Low\nCreateAlert: false\n", id, id)
	}
	return fstest.MapFS{
		"pack.yml": {Data: []byte("AnalysisType: pack\nPackID: C\nPackDefinition:\n  IDs: [SSH, Sudo, SSH.Then.Sudo]\n")},
		"ssh.yml":  {Data: []byte(rule("SSH", "sshd"))},
		"SSH.lua":  {Data: []byte(`function rule(e) return e.appname == "sshd" end`)},
		"sudo.yml": {Data: []byte(rule("Sudo", "sudo"))},
		"Sudo.lua": {Data: []byte(`function rule(e) return e.appname == "sudo" end`)},
		"chain.yml": {Data: []byte(fmt.Sprintf(`AnalysisType: correlation_rule
RuleID: SSH.Then.Sudo
Severity: High
Detection:
  - Sequence:
      - {ID: login, RuleID: SSH}
      - {ID: sudo, RuleID: Sudo}
    Transitions:
      - {ID: login then sudo, From: login, To: sudo, WithinTimeFrameMinutes: 10, Match: [{On: hostname}]}
    LookbackWindowMinutes: %d
`, lookback))},
	}
}

// A hot swap keeps the chains in progress of the correlation rules that
// survive it, and the matches held for a rule whose windows changed (its
// pools hold the same matches: correlate.Engine.Adopt; a rule whose keys
// changed starts afresh, TestAdoptKeepsChainsAcrossASwap).
func TestHotSwapKeepsCorrelationChains(t *testing.T) {
	packs := livetest.NewPacks()
	packs.Activate("C", 1, chainPack(15))
	r := start(t, t.TempDir(), packs, time.Hour)
	waitGen := func(n int) {
		deadline := time.Now().Add(2 * time.Second)
		for r.p.Status().Generation < n {
			if time.Now().After(deadline) {
				t.Fatalf("generation %d not running within 2 s", n)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	r.send("sshd", "h1", 0, 1) // the chain begins under v1
	r.waitProcessed(1)
	packs.Activate("C", 2, chainPack(15)) // same rules, new version
	waitGen(2)
	r.send("sudo", "h1", 5, 1) // and completes under v2
	r.waitProcessed(2)
	deadline := time.Now().Add(2 * time.Second)
	for len(r.alerts.firsts()) == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	got := r.alerts.firsts()
	if len(got) != 1 || got[0].RuleID != "SSH.Then.Sudo" || got[0].Dedup != "h1" {
		t.Fatalf("want the chain's alert across the swap, got %+v", got)
	}
	// v3 changes the correlation's lookback: the sshd line held for it
	// still joins the sudo line.
	r.send("sshd", "h2", 10, 1)
	r.waitProcessed(3)
	packs.Activate("C", 3, chainPack(20))
	waitGen(3)
	r.send("sudo", "h2", 12, 1)
	r.waitProcessed(4)
	deadline = time.Now().Add(2 * time.Second)
	for len(r.alerts.firsts()) < 2 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if got := r.alerts.firsts(); len(got) != 2 || got[1].Dedup != "h2" {
		t.Fatalf("a rule whose lookback changed lost its held matches: %+v", got)
	}
	r.stop()
}

// firstSeenPack: a rule that matches an sshd line from a host never seen
// (FirstSeen, no learning), its alerts grouped by host.
func firstSeenPack() fstest.MapFS {
	return fstest.MapFS{
		"pack.yml": {Data: []byte("AnalysisType: pack\nPackID: F\nPackDefinition:\n  IDs: [New.Host]\n")},
		"new.yml": {Data: []byte("AnalysisType: rule\nRuleID: New.Host\nEnabled: true\nFilename: new.lua\nLogTypes: [Syslog.RFC5424]\nSeverity: Low\n" +
			"GroupBy: [hostname]\nFirstSeen: {Fields: [hostname], By: [appname], LearnMinutes: 0}\n")},
		"new.lua": {Data: []byte(`function rule(e) return e.appname == "sshd" end`)},
	}
}

// The live pipeline applies FirstSeen as replay does: only a new value
// matches (alerts and rule_matches), and the history survives a hot swap
// that keeps the rule.
func TestPipelineFirstSeen(t *testing.T) {
	packs := livetest.NewPacks()
	packs.Activate("F", 1, firstSeenPack())
	r := start(t, t.TempDir(), packs, time.Hour)
	r.send("sshd", "h1", 0, 3) // h1 is new once
	r.send("sshd", "h2", 3, 2) // h2 too
	r.send("cron", "h3", 5, 2) // rule() fails: not recorded
	r.waitProcessed(3)
	hosts := func() string {
		var out []string
		for _, a := range r.alerts.firsts() {
			out = append(out, a.Dedup)
		}
		return strings.Join(out, ",")
	}
	if got := hosts(); got != "h1,h2" {
		t.Fatalf("alerts for %q, want h1,h2", got)
	}
	packs.Activate("F", 2, firstSeenPack()) // same rule, new version
	deadline := time.Now().Add(2 * time.Second)
	for r.p.Status().Generation < 2 {
		if time.Now().After(deadline) {
			t.Fatal("generation 2 not running within 2 s")
		}
		time.Sleep(5 * time.Millisecond)
	}
	r.send("sshd", "h1", 10, 1) // seen before the swap
	r.send("sshd", "h3", 11, 1) // new
	r.waitProcessed(5)
	r.stop()
	if got := hosts(); got != "h1,h2,h3" {
		t.Errorf("after the swap: alerts for %q, want h1,h2,h3", got)
	}
	if n := livetest.Count(t, r.dir+"/lake", "rule_matches", ""); n != 3 {
		t.Errorf("lake holds %d rule matches, want 3 (the new values only)", n)
	}
}
