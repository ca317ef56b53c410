package cmd

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"panther/alerts"
	"panther/alerts/api"
	"panther/auth"
	"panther/packs/server"
)

const (
	alertsWrite  = "write-token-0123456789abcdef"
	alertsRead   = "read-token-0123456789abcdef"
	alertsIngest = "ingest-token-0123456789abcdef"
)

// startAlertsServer runs the backend with the alert API on loopback.
func startAlertsServer(t *testing.T) (string, *alerts.Store) {
	return startAlertsServerLake(t, "")
}

func startAlertsServerLake(t *testing.T, lake string) (string, *alerts.Store) {
	t.Helper()
	tokens, err := auth.ParseTokens([]string{"write/alice:" + alertsWrite, "read/rita:" + alertsRead, "ingest/replay:" + alertsIngest})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	st, err := alerts.Open(context.Background(), alerts.Options{Path: filepath.Join(dir, "alerts.db")})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	a := api.New(api.Options{Store: st, Tokens: tokens, Done: ctx.Done(), Lake: lake})
	srv, err := server.New(server.Options{DataDir: dir, Tokens: tokens, Mount: a.Mount})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln, "", "") }()
	t.Cleanup(func() { cancel(); <-done; st.Close() })
	return "http://" + ln.Addr().String(), st
}

// runAlertsCLI runs the CLI in-process with an environment.
func runAlertsCLI(t *testing.T, env map[string]string, stdin string, args ...string) (string, string, int) {
	t.Helper()
	var out, errOut bytes.Buffer
	dir := t.TempDir()
	// Settings (PANTHER_API_TOKEN, ...) come from the process environment
	// through viper; the others through Getenv.
	for _, k := range []string{"PANTHER_API_TOKEN", "PANTHER_API_URL"} {
		t.Setenv(k, env[k])
	}
	app := &App{IO: TestIO(strings.NewReader(stdin), &out, &errOut), Now: time.Now,
		Getenv: func(k string) string { return env[k] }, WorkDir: dir, ConfigDir: filepath.Join(dir, "none")}
	code := Execute(context.Background(), app, args)
	return out.String(), errOut.String(), code
}

func TestAlertsFlagParsing(t *testing.T) {
	opts := func(*cobra.Command) *AlertsOptions { return &AlertsOptions{} }
	var got *AlertsListOptions
	c := NewCmdAlertsList(opts, func(o *AlertsListOptions) error { got = o; return nil })
	c.SetArgs([]string{"--status", "open,triaged", "--severity", "high", "--mine", "--unacked", "-q", "disk", "--since", "24h", "--sort", "severity", "--limit", "10", "--format", "json"})
	if err := c.Execute(); err != nil {
		t.Fatal(err)
	}
	f := got.Filter
	if strings.Join(f.Status, ",") != "open,triaged" || f.Severity != "high" || !f.Mine || !f.Unacknowledged || f.Q != "disk" ||
		f.From != "24h" || got.Sort != "severity" || got.Limit != 10 || got.Format != "json" {
		t.Fatalf("%+v %+v", got, f)
	}
	var ch *AlertsChangeOptions
	assign := alertChanges[1]
	c = NewCmdAlertsChange(opts, assign, func(o *AlertsChangeOptions) error { ch = o; return nil })
	c.SetArgs([]string{"3", "#4", "--to", "bob"})
	if err := c.Execute(); err != nil || *ch.Patch.Assignee != "bob" || len(ch.IDs) != 2 || ch.IDs[1] != 4 {
		t.Fatalf("%v %+v", err, ch)
	}
	for _, args := range [][]string{{"3"}, {"x", "--to", "bob"}} {
		c = NewCmdAlertsChange(opts, assign, func(*AlertsChangeOptions) error { return nil })
		c.SetArgs(args)
		c.SilenceErrors, c.SilenceUsage = true, true
		if err := c.Execute(); err == nil {
			t.Errorf("%v accepted", args)
		}
	}
	var note *AlertsNoteOptions
	c = NewCmdAlertsNote(func(*cobra.Command) *AlertsOptions {
		return &AlertsOptions{IO: TestIO(strings.NewReader("from stdin\n"), nil, nil)}
	}, func(o *AlertsNoteOptions) error { note = o; return nil })
	c.SetArgs([]string{"7", "-"})
	if err := c.Execute(); err != nil || note.Text != "from stdin\n" || note.ID != 7 {
		t.Fatalf("%v %+v", err, note)
	}
	c = NewCmdAlertsResend(opts, func(*AlertsResendOptions) error { return nil })
	c.SetArgs([]string{})
	c.SilenceErrors, c.SilenceUsage = true, true
	if err := c.Execute(); err == nil {
		t.Fatal("resend without ids or --dead accepted")
	}
}

func TestAlertsCommands(t *testing.T) {
	url, st := startAlertsServer(t)
	ctx := context.Background()
	for _, n := range []string{"db1", "db2"} {
		st.RaiseEvent(ctx, alerts.ConsoleEvent{Node: n, Summary: "disk full \x1b[31mred", Severity: alerts.SevHigh})
	}
	env := map[string]string{"PANTHER_API_URL": url, "PANTHER_API_TOKEN": alertsWrite}
	out, errOut, code := runAlertsCLI(t, env, "", "alerts", "list")
	if code != 0 || !strings.Contains(out, "db1") || strings.Contains(out, "\x1b") || !strings.Contains(out, `\x1b[31mred`) {
		t.Fatalf("list: %d %q %s", code, out, errOut)
	}
	for _, args := range [][]string{{"ack", "1"}, {"assign", "1", "--to", "bob"}, {"resolve", "1", "2"}, {"close", "1"}, {"note", "1", "false", "positive"}} {
		if out, errOut, code := runAlertsCLI(t, env, "", append([]string{"alerts"}, args...)...); code != 0 {
			t.Fatalf("%v: %d %s %s", args, code, out, errOut)
		}
	}
	// CLOSED is final: reopen is refused, exit 1, with the reason.
	if _, errOut, code := runAlertsCLI(t, env, "", "alerts", "reopen", "1", "2"); code != ExitFindings || !strings.Contains(errOut, "alert 1: the alert is CLOSED") {
		t.Fatalf("reopen: %d %s", code, errOut)
	}
	out, _, code = runAlertsCLI(t, env, "", "alerts", "show", "1")
	for _, want := range []string{"#1 [HIGH] disk full", "status:       CLOSED", "assignee:     bob", "person/alice: ack → alice", "person/alice: status RESOLVED → CLOSED", "false positive"} {
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("show lacks %q:\n%s", want, out)
		}
	}
	out, _, _ = runAlertsCLI(t, env, "", "alerts", "list", "--status", "open", "--format", "json")
	var page alerts.ListResult
	if err := json.Unmarshal([]byte(out), &page); err != nil || len(page.Alerts) != 1 || page.Alerts[0].ID != 2 {
		t.Fatalf("%v %s", err, out)
	}
	// A read token may not change: exit 3 and what to do.
	env["PANTHER_API_TOKEN"] = alertsRead
	if _, errOut, code := runAlertsCLI(t, env, "", "alerts", "ack", "2"); code != ExitOperational || !strings.Contains(errOut, "changes need a write token") {
		t.Fatalf("read token: %d %s", code, errOut)
	}
	if _, errOut, code := runAlertsCLI(t, env, "", "alerts", "show", "99"); code != ExitUsage || !strings.Contains(errOut, "404") {
		t.Fatalf("unknown alert: %d %s", code, errOut)
	}
}

// TestReplayPushTwice: the samples' alerts pushed twice are stored once.
func TestReplayPushTwice(t *testing.T) {
	url, st := startAlertsServer(t)
	env := map[string]string{"PANTHER_API_TOKEN": alertsIngest}
	dir := filepath.Join("..", "testdata", "samples")
	_, errOut, code := runAlertsCLI(t, env, "", "replay", dir, "--push", url, "--quiet", "--format", "jsonl")
	m := regexp.MustCompile(`pushed (\d+) alerts`).FindStringSubmatch(errOut)
	if code != 0 || m == nil || m[1] == "0" || !strings.Contains(errOut, " 0 unchanged") {
		t.Fatalf("first push: %d %s", code, errOut)
	}
	n1, _ := st.Count(context.Background(), alerts.Filter{})
	_, errOut, code = runAlertsCLI(t, env, "", "replay", dir, "--push", url, "--quiet", "--format", "jsonl")
	if code != 0 || !strings.Contains(errOut, "0 created, 0 tallied, 0 reopened, "+m[1]+" unchanged") {
		t.Fatalf("second push: %d %s", code, errOut)
	}
	n2, _ := st.Count(context.Background(), alerts.Filter{})
	if n1 == 0 || n1 != n2 {
		t.Fatalf("alerts: %d then %d", n1, n2)
	}
	if _, errOut, code := runAlertsCLI(t, map[string]string{}, "", "replay", dir, "--push", url, "--quiet"); code != ExitUsage || !strings.Contains(errOut, "PANTHER_API_TOKEN") {
		t.Fatalf("no token: %d %s", code, errOut)
	}
}

// TestAlertLakeRows: the rows of a pushed alert are read back from the
// lake the replay wrote, by their p_row_ids.
func TestAlertLakeRows(t *testing.T) {
	lake := filepath.Join(t.TempDir(), "lake")
	url, st := startAlertsServerLake(t, lake)
	env := map[string]string{"PANTHER_API_TOKEN": alertsIngest}
	dir := filepath.Join("..", "testdata", "samples")
	if _, errOut, code := runAlertsCLI(t, env, "", "replay", dir, "--lake", lake, "--push", url, "--quiet", "--format", "jsonl"); code != 0 {
		t.Fatalf("replay: %d %s", code, errOut)
	}
	res, err := st.List(context.Background(), alerts.Filter{RuleID: []string{"AWS.CloudTrail.Stopped"}}, alerts.Page{})
	if err != nil || len(res.Alerts) != 1 {
		t.Fatalf("%v %d", err, len(res.Alerts))
	}
	a, _ := st.Get(context.Background(), res.Alerts[0].ID, alerts.GetOptions{})
	cl := &api.Client{}
	cl.BaseURL, cl.Token = url, alertsRead
	var rows api.LakeRows
	if err := cl.JSON(context.Background(), "GET", fmt.Sprintf("/api/v1/alerts/%d/events", a.ID), nil, &rows); err != nil {
		t.Fatal(err)
	}
	if len(rows.Tables) != 1 || rows.Tables[0].Table != "aws_cloudtrail" || len(rows.Tables[0].Rows) != len(a.RowIDs) || len(a.RowIDs) == 0 {
		t.Fatalf("%+v (row ids %v)", rows, a.RowIDs)
	}
	want := map[string]bool{}
	for _, id := range a.RowIDs {
		want[id] = true
	}
	for i, r := range rows.Tables[0].Rows {
		id, _ := r["p_row_id"].(string)
		if !want[id] || r["eventName"] != "StopLogging" {
			t.Fatalf("row %d: %v", i, r)
		}
		delete(want, id)
	}
}
