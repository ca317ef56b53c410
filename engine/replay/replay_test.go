package replay

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"panther/engine"
	"panther/lake"
	"panther/parsers"
	"panther/parsers/decode"
	"panther/parsers/event"
	"panther/parsers/input"
	"panther/parsers/logtypes"
)

func writeFiles(t testing.TB, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// rulesDir holds: a rule with a threshold (3 failed logins per user in 10
// minutes), a plain rule, a rule that errors on every event.
func rulesDir(t testing.TB) string {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"brute.yml": "AnalysisType: rule\nRuleID: Brute\nFilename: brute.lua\nLogTypes: [AWS.CloudTrail]\nSeverity: High\nThreshold: 3\nDedupPeriodMinutes: 10\n",
		"brute.lua": `function rule(e) return e.eventName == "ConsoleLogin" and e:get("responseElements", "ConsoleLogin") == "Failure" end
function dedup(e) return e:get("userIdentity", "userName") or "?" end
function title(e) return "failed logins for " .. dedup(e) end
function alert_context(e) return {ip = e.sourceIPAddress} end`,
		"stop.yml": "AnalysisType: rule\nRuleID: Stop\nFilename: stop.lua\nLogTypes: [AWS.CloudTrail]\nSeverity: Medium\n",
		"stop.lua": `function rule(e) return e.eventName == "StopLogging" end`,
		"err.yml":  "AnalysisType: rule\nRuleID: Broken\nFilename: err.lua\nLogTypes: [AWS.CloudTrail]\nSeverity: Low\n",
		"err.lua":  `function rule(e) return e.userIdentity.nothing.here end`,
	})
	return dir
}

func ctLine(min int, name, user, result string) string {
	t := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(min) * time.Minute)
	return fmt.Sprintf(`{"eventVersion":"1.08","eventTime":%q,"eventSource":"signin.amazonaws.com","eventName":%q,"sourceIPAddress":"198.51.100.%d","userIdentity":{"type":"IAMUser","userName":%q},"responseElements":{"ConsoleLogin":%q}}`,
		t.Format(time.RFC3339), name, min%200, user, result)
}

func gz(t testing.TB, s string) string {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write([]byte(s))
	w.Close()
	return b.String()
}

type collected struct {
	mu     sync.Mutex
	alerts []string
	errs   []string
	bad    []string
	srcErr []string
}

func runReplay(t testing.TB, set *engine.Set, sources []string, workers int, tweak func(*Options)) (*Stats, *collected) {
	t.Helper()
	srcs, errs := input.Expand(sources)
	c := &collected{}
	for _, e := range errs {
		c.srcErr = append(c.srcErr, e.Error())
	}
	opts := Options{Sources: srcs, Set: set, Workers: workers,
		OnAlert: func(a *engine.Alert) {
			c.alerts = append(c.alerts, fmt.Sprintf("%s|%s|%s|%d|%s|%s|%s", a.RuleID, a.Dedup, a.Title, a.EventCount,
				a.FirstEvent.Format("15:04"), a.LastEvent.Format("15:04"), a.AlertContext))
		},
		OnRuleError: func(a *engine.Alert) {
			c.errs = append(c.errs, fmt.Sprintf("%s|%d|%s", a.RuleID, a.EventCount, a.Error))
		},
		OnBadRecord: func(b *decode.BadRecord) {
			c.bad = append(c.bad, fmt.Sprintf("%s:%d: %s", filepath.Base(b.Source), b.Line, b.Reason))
		},
		OnSourceError: func(err error) { c.srcErr = append(c.srcErr, err.Error()) },
	}
	if tweak != nil {
		tweak(&opts)
	}
	st, err := Run(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	return st, c
}

func TestReplayAlertsDeterministic(t *testing.T) {
	set := engine.Load([]engine.Source{engine.DirSource(rulesDir(t))}, engine.LoadOptions{Registry: logtypes.Default()})
	if set.Diagnostics.Errors() > 0 {
		t.Fatal(set.Diagnostics)
	}
	logs := t.TempDir()
	var a, b strings.Builder
	// alice: 2 failures (under the threshold), then much later 3 (one alert).
	for _, m := range []int{0, 1, 60, 61, 62} {
		a.WriteString(ctLine(m, "ConsoleLogin", "alice", "Failure") + "\n")
	}
	// bob: two bursts of 3, 30 minutes apart: two alerts; and noise.
	for i := 0; i < 600; i++ {
		b.WriteString(ctLine(i%5, "DescribeInstances", "carol", "Success") + "\n")
	}
	for _, m := range []int{10, 11, 12, 40, 41, 42} {
		b.WriteString(ctLine(m, "ConsoleLogin", "bob", "Failure") + "\n")
	}
	b.WriteString(ctLine(50, "StopLogging", "mallory", "Success") + "\n")
	b.WriteString("{\"truncated\": \n")
	b.WriteString("not json at all\n")
	writeFiles(t, logs, map[string]string{
		"a/alice.json":   a.String(),
		"b/bob.json.gz":  gz(t, b.String()),
		"c/records.json": `{"Records":[` + ctLine(5, "StopLogging", "eve", "Success") + `,` + ctLine(6, "ConsoleLogin", "eve", "Success") + `]}`,
	})
	var first *collected
	for _, workers := range []int{1, 2, 4} {
		st, c := runReplay(t, set, []string{logs}, workers, nil)
		if st.TotalEvents() != 5+606+1+2 {
			t.Errorf("workers=%d: %d events", workers, st.TotalEvents())
		}
		if st.Unparsed != 2 || len(c.bad) != 2 || !strings.HasPrefix(c.bad[0], "bob.json.gz:608: ") || !strings.HasPrefix(c.bad[1], "bob.json.gz:609: ") {
			t.Errorf("workers=%d: bad records %v", workers, c.bad)
		}
		if first == nil {
			first = c
			continue
		}
		if strings.Join(c.alerts, "\n") != strings.Join(first.alerts, "\n") {
			t.Errorf("workers=%d gives other alerts:\n%s\nvs\n%s", workers, strings.Join(c.alerts, "\n"), strings.Join(first.alerts, "\n"))
		}
	}
	want := []string{
		`Brute|alice|failed logins for alice|3|01:00|01:02|{"ip":"198.51.100.60"}`,
		`Brute|bob|failed logins for bob|3|00:10|00:12|{"ip":"198.51.100.10"}`,
		`Brute|bob|failed logins for bob|3|00:40|00:42|{"ip":"198.51.100.40"}`,
		// No dedup function: the dedup is the title, so both StopLogging
		// events (45 minutes apart, within the 60 minute default) are one alert.
		`Stop|Stop|Stop|2|00:05|00:50|`,
	}
	got := first.alerts
	if len(got) != len(want) {
		t.Fatalf("alerts:\n%s", strings.Join(got, "\n"))
	}
	for _, w := range want {
		found := false
		for _, g := range got {
			found = found || g == w
		}
		if !found {
			t.Errorf("missing alert %s; got:\n%s", w, strings.Join(got, "\n"))
		}
	}
	// The broken rule errored on every CloudTrail event, aggregated.
	if len(first.errs) == 0 || !strings.HasPrefix(first.errs[0], "Broken|") || !strings.Contains(first.errs[0], "err.lua:1:") {
		t.Errorf("rule errors: %v", first.errs)
	}
}

func TestReplayBadSources(t *testing.T) {
	set := engine.Load([]engine.Source{engine.DirSource(rulesDir(t))}, engine.LoadOptions{Registry: logtypes.Default()})
	logs := t.TempDir()
	full := gz(t, strings.Repeat(ctLine(1, "StopLogging", "x", "Success")+"\n", 2000))
	writeFiles(t, logs, map[string]string{
		"1-truncated.gz": full[:len(full)/2],
		"2-good.json":    ctLine(3, "StopLogging", "y", "Success") + "\n",
		"3-binary.bin":   "\x00\x01\x02\xff\xfe garbage \x00\n\x89PNG\r\n",
	})
	st, c := runReplay(t, set, []string{logs, filepath.Join(logs, "missing.json")}, 2, func(o *Options) {
		o.LogType, _ = set.Registry.Lookup("AWS.CloudTrail")
	})
	if len(c.srcErr) != 2 {
		t.Fatalf("source errors: %v", c.srcErr)
	}
	joined := strings.Join(c.srcErr, "\n")
	for _, w := range []string{"missing.json", "1-truncated.gz"} {
		if !strings.Contains(joined, w) {
			t.Errorf("no error for %s: %s", w, joined)
		}
	}
	if st.Events["AWS.CloudTrail"] < 2 || st.Unparsed == 0 {
		t.Errorf("events %v, unparsed %d", st.Events, st.Unparsed)
	}
}

func TestReplaySinceUntilAndTimeoutBreaker(t *testing.T) {
	dir := rulesDir(t)
	writeFiles(t, dir, map[string]string{
		"loop.yml": "AnalysisType: rule\nRuleID: Loop\nFilename: loop.lua\nLogTypes: [AWS.CloudTrail]\nSeverity: Low\n",
		"loop.lua": "function rule(e) while true do end end",
	})
	set := engine.Load([]engine.Source{engine.DirSource(dir)}, engine.LoadOptions{Registry: logtypes.Default()})
	logs := t.TempDir()
	var b strings.Builder
	for m := 0; m < 100; m++ {
		b.WriteString(ctLine(m, "StopLogging", "z", "Success") + "\n")
	}
	writeFiles(t, logs, map[string]string{"x.json": b.String()})
	st, c := runReplay(t, set, []string{logs}, 2, func(o *Options) {
		o.Since = time.Date(2024, 1, 1, 0, 10, 0, 0, time.UTC)
		o.Until = time.Date(2024, 1, 1, 0, 20, 0, 0, time.UTC)
		o.Budget = 20 * time.Millisecond
		o.DisableAfterTimeouts = 3
	})
	if st.TotalEvents() != 10 || st.Filtered != 90 {
		t.Errorf("events %d filtered %d", st.TotalEvents(), st.Filtered)
	}
	if len(st.Disabled) != 1 || st.Disabled[0] != "Loop" {
		t.Errorf("disabled: %v", st.Disabled)
	}
	if st.AlertsPerRule["Stop"] != 1 || len(c.alerts) != 1 || !strings.HasPrefix(c.alerts[0], "Stop|Stop|Stop|10|00:10|00:19|") {
		t.Errorf("alerts: %v", c.alerts)
	}
}

// Errors and timeouts of title, dedup, alert_context... are rule errors:
// counted and reported per detection, and their timeouts turn the
// detection off. Before, they vanished and the alert took the default.
func TestReplayOptionalFunctionErrors(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"title.yml": "AnalysisType: rule\nRuleID: BadTitle\nFilename: title.lua\nLogTypes: [AWS.CloudTrail]\nSeverity: Low\n",
		"title.lua": `function rule(e) return true end
function title(e) return e.userIdentity.nothing.here end`,
		"dedup.yml": "AnalysisType: rule\nRuleID: LoopDedup\nFilename: dedup.lua\nLogTypes: [AWS.CloudTrail]\nSeverity: Low\n",
		"dedup.lua": `function rule(e) return true end
function dedup(e) while true do end end`,
		"ctx.yml": "AnalysisType: rule\nRuleID: BigContext\nFilename: ctx.lua\nLogTypes: [AWS.CloudTrail]\nSeverity: Low\n",
		"ctx.lua": `function rule(e) return true end
function alert_context(e) return {blob = string.rep("x", 300 * 1024)} end`,
	})
	set := engine.Load([]engine.Source{engine.DirSource(dir)}, engine.LoadOptions{Registry: logtypes.Default()})
	logs := t.TempDir()
	var b strings.Builder
	for m := 0; m < 20; m++ {
		b.WriteString(ctLine(m, "StopLogging", "z", "Success") + "\n")
	}
	writeFiles(t, logs, map[string]string{"x.json": b.String()})
	st, c := runReplay(t, set, []string{logs}, 2, func(o *Options) {
		o.Budget = 250 * time.Millisecond
		o.DisableAfterTimeouts = 3
	})
	for id, want := range map[string]int{"BadTitle": 20, "BigContext": 20} {
		if st.ErrorsPerRule[id] != want {
			t.Errorf("%s: %d rule errors, want %d", id, st.ErrorsPerRule[id], want)
		}
	}
	if n := st.ErrorsPerRule["LoopDedup"]; n < 3 || n > 4 {
		t.Errorf("LoopDedup: %d rule errors, want the 3 timeouts that turn it off (one more in flight)", n)
	}
	if len(st.Disabled) != 1 || st.Disabled[0] != "LoopDedup" {
		t.Errorf("disabled: %v", st.Disabled)
	}
	joined := strings.Join(c.errs, "\n")
	for _, want := range []string{"BadTitle|20|title(): ", "LoopDedup|", "dedup(): ", "time budget exceeded",
		"BigContext|20|alert_context(): result over the 204800 byte limit"} {
		if !strings.Contains(joined, want) {
			t.Errorf("rule errors lack %q:\n%s", want, joined)
		}
	}
	// The alerts still go out, with the defaults.
	if st.AlertsPerRule["BadTitle"] != 1 || st.AlertsPerRule["BigContext"] != 1 {
		t.Errorf("alerts: %v", st.AlertsPerRule)
	}
}

// nullLake takes every row and keeps nothing.
type nullLake struct{ matches int }

func (*nullLake) HasSource(string) bool                        { return false }
func (*nullLake) WriteEvent(*event.Event) error                { return nil }
func (*nullLake) SourceDone(string, string, int64, bool) error { return nil }
func (l *nullLake) WriteValues(table string, _ []parsers.Column, _ time.Time, _ []lake.Value) error {
	if table == "rule_matches" {
		l.matches++
	}
	return nil
}
func (*nullLake) WriteValuesOnce(string, string, []parsers.Column, time.Time, []lake.Value) error {
	return nil
}

// A signal (CreateAlert: false) runs only the alert functions whose
// results something reads: none without a lake or a correlation; title,
// dedup and severity for the lake's rule_matches rows. A rule that raises
// alerts runs them all. The functions here fail, so their errors show
// which ran.
func TestReplaySignalRunsOnlyReadFunctions(t *testing.T) {
	dir := t.TempDir()
	failing := `function rule(e) return true end
function title(e) return e.userIdentity.nothing.here end
function severity(e) return "Loud" end
function alert_context(e) return e.no.context end
function description(e) return e.no.description end
`
	writeFiles(t, dir, map[string]string{
		"signal.yml": "AnalysisType: rule\nRuleID: Signal\nCreateAlert: false\nFilename: signal.lua\nLogTypes: [AWS.CloudTrail]\nSeverity: Low\n",
		"signal.lua": failing,
		"alert.yml":  "AnalysisType: rule\nRuleID: Alerting\nFilename: alert.lua\nLogTypes: [AWS.CloudTrail]\nSeverity: Low\n",
		"alert.lua":  failing,
	})
	set := engine.Load([]engine.Source{engine.DirSource(dir)}, engine.LoadOptions{Registry: logtypes.Default()})
	if set.Diagnostics.Errors() > 0 {
		t.Fatal(set.Diagnostics)
	}
	logs := t.TempDir()
	writeFiles(t, logs, map[string]string{"x.json": ctLine(1, "StopLogging", "z", "Success") + "\n" + ctLine(2, "StopLogging", "z", "Success") + "\n"})
	errsOf := func(c *collected, id string) string {
		var out []string
		for _, e := range c.errs {
			if strings.HasPrefix(e, id+"|") {
				out = append(out, e[strings.LastIndex(e, "|")+1:])
			}
		}
		sort.Strings(out)
		return strings.Join(out, "; ")
	}
	funcs := func(s string) string {
		var out []string
		for _, f := range []string{"title()", "severity()", "alert_context()", "description()"} {
			if strings.Contains(s, f) {
				out = append(out, f)
			}
		}
		return strings.Join(out, " ")
	}
	all := "title() severity() alert_context() description()"

	_, c := runReplay(t, set, []string{logs}, 1, nil)
	if got := funcs(errsOf(c, "Signal")); got != "" {
		t.Errorf("signal without consumers ran %q", got)
	}
	if got := funcs(errsOf(c, "Alerting")); got != all {
		t.Errorf("alerting rule ran %q, want %q", got, all)
	}
	lk := &nullLake{}
	_, c = runReplay(t, set, []string{logs}, 1, func(o *Options) { o.Lake = lk })
	if got := funcs(errsOf(c, "Signal")); got != "title() severity()" {
		t.Errorf("signal with a lake ran %q, want title() severity()", got)
	}
	if lk.matches != 4 {
		t.Errorf("%d rule_matches rows, want 4", lk.matches)
	}
}

// A signal with FirstSeen over its alert context runs alert_context even
// when nothing else reads its matches: FirstSeen's values come from it.
func TestReplaySignalFirstSeenReadsContext(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"sig.yml": "AnalysisType: rule\nRuleID: NewAddress\nCreateAlert: false\nFilename: sig.lua\nLogTypes: [AWS.CloudTrail]\nSeverity: Low\n" +
			"FirstSeen: {Fields: [p_alert_context.ip], HistoryMinutes: 60}\n",
		"sig.lua": `function rule(e) return true end
function alert_context(e) return {ip = e.sourceIPAddress} end`,
	})
	set := engine.Load([]engine.Source{engine.DirSource(dir)}, engine.LoadOptions{Registry: logtypes.Default()})
	if set.Diagnostics.Errors() > 0 {
		t.Fatal(set.Diagnostics)
	}
	logs := t.TempDir()
	// ctLine's address is 198.51.100.<minute>: three events, two addresses.
	writeFiles(t, logs, map[string]string{"x.json": ctLine(1, "StopLogging", "z", "Success") + "\n" +
		ctLine(2, "StopLogging", "z", "Success") + "\n" + ctLine(1, "StopLogging", "z", "Success") + "\n"})
	st, _ := runReplay(t, set, []string{logs}, 1, nil)
	fs := st.FirstSeen["NewAddress"]
	if fs.Missing != 0 || fs.Values != 2 || fs.Seen != 1 {
		t.Errorf("FirstSeen: %+v, want 2 values, 1 seen again, none missing", fs)
	}
}
