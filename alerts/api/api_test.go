package api

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"panther/alerts"
	"panther/auth"
	"panther/packs"
	"panther/packs/server"
)

const (
	writeToken  = "write-token-0123456789abcdef"
	readToken   = "read-token-0123456789abcdef"
	ingestToken = "ingest-token-0123456789abcdef"
)

type env struct {
	URL   string
	Store *alerts.Store
}

// start runs the real backend (packs/server) on a loopback listener with
// the alert API mounted, as `panther serve` does.
func start(t testing.TB) *env {
	t.Helper()
	tokens, err := auth.ParseTokens([]string{"write/alice:" + writeToken, "read/reader:" + readToken, "ingest/agent:" + ingestToken})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	st, err := alerts.Open(context.Background(), alerts.Options{Path: filepath.Join(dir, "alerts.db")})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	a := New(Options{Store: st, Tokens: tokens, MaxBody: 64 << 10, Done: ctx.Done()})
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
	t.Cleanup(func() {
		cancel()
		<-done
		st.Close()
	})
	return &env{URL: "http://" + ln.Addr().String(), Store: st}
}

func (e *env) do(t testing.TB, method, path, token, body string, hdr ...string) (int, []byte, http.Header) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, _ := http.NewRequest(method, e.URL+path, rd)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b, resp.Header
}

func errCode(b []byte) string {
	var eb packs.ErrorBody
	json.Unmarshal(b, &eb)
	return eb.Error.Code + ": " + eb.Error.Message
}

// TestRefusals: one request per refusal — no token, a wrong token, a read
// token changing anything, an ingest token reading or changing.
func TestRefusals(t *testing.T) {
	e := start(t)
	if _, err := e.Store.RaiseEvent(context.Background(), alerts.ConsoleEvent{Node: "n", Summary: "s", Severity: alerts.SevHigh}); err != nil {
		t.Fatal(err)
	}
	dead := e.Store // a delivery to resend: none needed for the refusals
	_ = dead
	ev := `{"node":"db1","summary":"disk full","severity":4}`
	raise := `{"alerts":[{"group_id":"g","rule_id":"R","severity":"High","first_event":"2026-11-10T09:00:00Z","last_event":"2026-11-10T09:00:00Z"}]}`
	reqs := []struct{ method, path, body string }{
		{"GET", "/api/v1/alerts", ""},
		{"GET", "/api/v1/alerts/1", ""},
		{"GET", "/api/v1/alerts/stream", ""},
		{"GET", "/api/v1/alerts/1/history", ""},
		{"GET", "/api/v1/alerts/1/notes", ""},
		{"GET", "/api/v1/alerts/1/deliveries", ""},
		{"GET", "/api/v1/alerts/1/events", ""},
		{"GET", "/api/v1/deliveries/dead", ""},
		{"GET", "/api/v1/alert-rules", ""},
		{"PATCH", "/api/v1/alerts/1", `{"ack":true}`},
		{"POST", "/api/v1/alerts/1/notes", `{"text":"x"}`},
		{"POST", "/api/v1/alerts/bulk", `{"ids":[1],"ack":true}`},
		{"POST", "/api/v1/deliveries/1/resend", ""},
		{"POST", "/api/v1/events", ev},
		{"POST", "/api/event/create", `{"event":` + ev + `}`},
		{"POST", "/api/v1/alerts/raise", raise},
	}
	changes := func(m, p string) bool { return m != "GET" }
	ingest := func(p string) bool {
		return p == "/api/v1/events" || p == "/api/event/create" || p == "/api/v1/alerts/raise"
	}
	for _, r := range reqs {
		for _, tok := range []struct{ name, secret string }{{"none", ""}, {"wrong", "not-a-token-0123456789"}, {"read", readToken}, {"ingest", ingestToken}} {
			var want int
			switch {
			case tok.name == "none" || tok.name == "wrong":
				want = http.StatusUnauthorized
			case tok.name == "read" && changes(r.method, r.path):
				want = http.StatusForbidden
			case tok.name == "ingest" && !ingest(r.path):
				want = http.StatusForbidden
			default:
				continue // allowed: not a refusal
			}
			status, body, h := e.do(t, r.method, r.path, tok.secret, r.body)
			if status != want {
				t.Errorf("%s %s with %s token: %d %s, want %d", r.method, r.path, tok.name, status, body, want)
			}
			if want == http.StatusUnauthorized && h.Get("WWW-Authenticate") == "" {
				t.Errorf("%s %s: 401 without WWW-Authenticate", r.method, r.path)
			}
		}
	}
	// Nothing changed: the alert is as raised, and no event was added.
	a, _ := e.Store.Get(context.Background(), 1, alerts.GetAll)
	if a.Acknowledged || len(a.Notes) != 0 || a.Tally != 1 {
		t.Fatalf("a refused request changed the alert: %+v", a)
	}
	if n, _ := e.Store.Count(context.Background(), alerts.Filter{}); n != 1 {
		t.Fatalf("%d alerts", n)
	}
}

func TestEventsEndpointsAndFieldRules(t *testing.T) {
	e := start(t)
	status, body, _ := e.do(t, "POST", "/api/v1/events", ingestToken, `{"node":"db1","summary":"disk full","severity":4,"tag":"disk","mount":"/var"}`)
	if status != http.StatusCreated {
		t.Fatalf("%d %s", status, body)
	}
	// The ITSM agents' endpoint: X-Api-Token, {"event": {...}}, severity as a name.
	status, body, _ = e.do(t, "POST", "/api/event/create", "", `{"event":{"node":"db1","summary":"disk full","severity":"major","mount":"/var"}}`, "X-Api-Token", ingestToken)
	if status != http.StatusOK {
		t.Fatalf("%d %s", status, body)
	}
	var res alerts.Result
	json.Unmarshal(body, &res)
	if res.Action != "tallied" || res.Tally != 2 {
		t.Fatalf("%+v", res)
	}
	// Clear (0) and indeterminate (1): both INFO, two alerts.
	var clearRes, indetRes alerts.Result
	_, body, _ = e.do(t, "POST", "/api/v1/events", ingestToken, `{"node":"db1","summary":"link","severity":0}`)
	json.Unmarshal(body, &clearRes)
	_, body, _ = e.do(t, "POST", "/api/v1/events", ingestToken, `{"node":"db1","summary":"link","severity":1}`)
	json.Unmarshal(body, &indetRes)
	if clearRes.Action != "created" || indetRes.Action != "created" || clearRes.AlertID == indetRes.AlertID {
		t.Fatalf("severity 0 %+v, severity 1 %+v", clearRes, indetRes)
	}
	bad := []struct{ path, body, want string }{
		{"/api/v1/events", `{"summary":"x"}`, "node and summary are required"},
		{"/api/v1/events", `{"node":"n","summary":"x","severity":9}`, `is not a severity`},
		{"/api/v1/events", `{"node":"n","summary":"x","count":3}`, "count: expected a string, found a number"},
		{"/api/v1/events", `{"node":"n","summary":["x"]}`, "summary: expected a string, found a list"},
		{"/api/v1/events", `{"node":"n"`, "not valid JSON"},
		{"/api/v1/events", `{"node":"n","summary":"x"} {}`, "more than one JSON value"},
		{"/api/event/create", `{"node":"n","summary":"x"}`, "unknown field"},
		{"/api/event/create", `{"event":{"node":"n","summary":"x","severity":true}}`, "event.severity: expected a number or a name"},
	}
	for _, b := range bad {
		status, body, _ := e.do(t, "POST", b.path, writeToken, b.body)
		if status != http.StatusBadRequest || !strings.Contains(string(body), b.want) {
			t.Errorf("%s %s: %d %s, want 400 %q", b.path, b.body, status, body, b.want)
		}
	}
	// Limits: a body over MaxBody is 413; a value over the field limit is 400.
	big := `{"node":"n","summary":"` + strings.Repeat("x", 70<<10) + `"}`
	if status, body, _ := e.do(t, "POST", "/api/v1/events", writeToken, big); status != http.StatusRequestEntityTooLarge {
		t.Fatalf("%d %s", status, body)
	}
	long := `{"node":"n","summary":"` + strings.Repeat("x", alerts.MaxFieldLen+1) + `"}`
	if status, body, _ := e.do(t, "POST", "/api/v1/events", writeToken, long); status != http.StatusBadRequest {
		t.Fatalf("%d %s", status, body)
	}
	if status, body, _ := e.do(t, "POST", "/api/v1/events", writeToken, `{"node":"n","summary":"x"}`, "Content-Type", "application/x-www-form-urlencoded"); status != http.StatusCreated {
		t.Fatalf("%d %s", status, body)
	}
}

func TestTriageFlow(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	for i := range 5 {
		e.Store.RaiseEvent(ctx, alerts.ConsoleEvent{Node: fmt.Sprint("web", i), Summary: "5xx burst", Severity: alerts.Severity(i)})
	}
	// SSE from the start: every change arrives, in order.
	req, _ := http.NewRequest("GET", e.URL+"/api/v1/alerts/stream?after=5", nil)
	req.Header.Set("Authorization", "Bearer "+readToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.Header.Get("Content-Type") != "text/event-stream" {
		b, _ := io.ReadAll(resp.Body)
		t.Fatal(resp.StatusCode, string(b))
	}
	events := make(chan string, 100)
	go func() {
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			if d, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
				events <- d
			}
		}
		close(events)
	}()

	status, body, _ := e.do(t, "GET", "/api/v1/alerts?severity=Medium&sort=-severity&limit=2", readToken, "")
	var page alerts.ListResult
	json.Unmarshal(body, &page)
	if status != 200 || len(page.Alerts) != 2 || page.Alerts[0].Node != "web4" || page.Next == "" {
		t.Fatalf("%d %s", status, body)
	}
	status, body, _ = e.do(t, "GET", "/api/v1/alerts?severity=Medium&sort=-severity&limit=2&cursor="+page.Next, readToken, "")
	page = alerts.ListResult{}
	json.Unmarshal(body, &page)
	if len(page.Alerts) != 1 || page.Alerts[0].Node != "web2" || page.Next != "" {
		t.Fatalf("page 2: %s", body)
	}
	for _, q := range []string{"colour=red", "severity=urgent", "status=DONE", "from=yesterday", "limit=0", "sort=x", "mine=maybe"} {
		if status, body, _ := e.do(t, "GET", "/api/v1/alerts?"+q, readToken, ""); status != 400 {
			t.Errorf("%s: %d %s", q, status, body)
		}
	}
	// Ack and assign: the token's name is who.
	status, body, h := e.do(t, "PATCH", "/api/v1/alerts/5", writeToken, `{"ack":true,"assignee":"alice","status":"triaged"}`)
	if status != 200 || h.Get("ETag") != `"2"` {
		t.Fatalf("%d %s %v", status, body, h)
	}
	status, body, _ = e.do(t, "PATCH", "/api/v1/alerts/5", writeToken, `{"severity":"low"}`, "If-Match", `"1"`)
	if status != http.StatusPreconditionFailed {
		t.Fatalf("stale If-Match: %d %s", status, body)
	}
	e.do(t, "PATCH", "/api/v1/alerts/4", writeToken, `{"status":"closed"}`)
	if status, body, _ := e.do(t, "PATCH", "/api/v1/alerts/4", writeToken, `{"status":"open"}`); status != http.StatusConflict || !strings.Contains(string(body), "final") {
		t.Fatalf("reopen closed: %d %s", status, body)
	}
	if status, body, _ := e.do(t, "PATCH", "/api/v1/alerts/99", writeToken, `{"ack":true}`); status != 404 {
		t.Fatalf("%d %s", status, body)
	}
	if status, body, _ := e.do(t, "PATCH", "/api/v1/alerts/5", writeToken, `{"colour":"red"}`); status != 400 || !strings.Contains(string(body), "unknown field") {
		t.Fatalf("%d %s", status, body)
	}
	status, body, _ = e.do(t, "POST", "/api/v1/alerts/5/notes", writeToken, `{"text":"<script>alert(1)</script> checked"}`)
	if status != http.StatusCreated || strings.Contains(string(body), "<script>") {
		t.Fatalf("note: %d %s (HTML must be escaped in JSON)", status, body)
	}
	status, body, _ = e.do(t, "GET", "/api/v1/alerts?mine=true", writeToken, "")
	page = alerts.ListResult{}
	json.Unmarshal(body, &page)
	if len(page.Alerts) != 1 || page.Alerts[0].ID != 5 {
		t.Fatalf("mine: %s", body)
	}
	status, body, _ = e.do(t, "GET", "/api/v1/alerts/5/history", readToken, "")
	var hist []alerts.Change
	json.Unmarshal(body, &hist)
	var who []string
	for _, c := range hist {
		who = append(who, c.What+"/"+c.Who+"/"+string(c.By))
	}
	if strings.Join(who, ",") != "created/web4/system,status/alice/person,ack/alice/person,assignee/alice/person,note/alice/person" {
		t.Fatalf("history: %v", who)
	}
	// Bulk by filter: resolve every OPEN alert at least Low.
	status, body, _ = e.do(t, "POST", "/api/v1/alerts/bulk", writeToken, `{"filter":{"status":["OPEN"],"severity":"low"},"status":"resolved"}`)
	var br alerts.BulkResult
	json.Unmarshal(body, &br)
	if status != 200 || br.Changed != 2 {
		t.Fatalf("bulk: %d %s", status, body)
	}
	if status, _, _ := e.do(t, "POST", "/api/v1/alerts/bulk", writeToken, `{"status":"resolved"}`); status != 400 {
		t.Fatalf("bulk without ids or filter: %d", status)
	}
	// The stream saw: 5 updated (patch), 4 updated (closed), 5 note, two resolved.
	var got []string
	timeout := time.After(10 * time.Second)
	for len(got) < 5 {
		select {
		case d, ok := <-events:
			if !ok {
				t.Fatalf("stream ended after %v", got)
			}
			var ev alerts.Event
			json.Unmarshal([]byte(d), &ev)
			got = append(got, fmt.Sprintf("%d:%s", ev.AlertID, ev.Action))
		case <-timeout:
			t.Fatalf("stream: got %v", got)
		}
	}
	if strings.Join(got[:3], ",") != "5:updated,4:updated,5:note" {
		t.Fatalf("stream: %v", got)
	}
	// A client that reconnects after event 7 gets the rest again.
	req, _ = http.NewRequest("GET", e.URL+"/api/v1/alerts/stream", nil)
	req.Header.Set("Authorization", "Bearer "+readToken)
	req.Header.Set("Last-Event-ID", "7")
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	resp2, err := http.DefaultClient.Do(req.WithContext(rctx))
	if err != nil {
		t.Fatal(err)
	}
	defer resp2.Body.Close()
	sc := bufio.NewScanner(resp2.Body)
	var ids []string
	for sc.Scan() && len(ids) < 3 {
		if id, ok := strings.CutPrefix(sc.Text(), "id: "); ok {
			ids = append(ids, id)
		}
	}
	if strings.Join(ids, ",") != "8,9,10" {
		t.Fatalf("resume: %v", ids)
	}
}

func TestClientAndRaise(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	c := &Client{packs.Client{BaseURL: e.URL, Token: ingestToken, MaxAttempts: 1}}
	da := DetectionAlert{GroupID: "g1", RuleID: "AWS.Root", Title: "root", Dedup: "acct", Severity: "High", EventCount: 3,
		FirstEvent: time.Date(2026, 11, 10, 9, 0, 0, 0, time.UTC), LastEvent: time.Date(2026, 11, 10, 9, 5, 0, 0, time.UTC),
		LogTypes: []string{"AWS.CloudTrail"}, Samples: []json.RawMessage{json.RawMessage(`{"p_row_id":"abc"}`)}}
	res, err := c.Raise(ctx, []DetectionAlert{da, da})
	if err != nil {
		t.Fatal(err)
	}
	if res.Results[0].Action != "created" || res.Results[1].Action != "unchanged" {
		t.Fatalf("%+v", res)
	}
	// The ingest token may not read.
	if _, err := c.Get(ctx, 1); err == nil {
		t.Fatal("ingest token read an alert")
	} else {
		var ae *packs.APIError
		if !errors.As(err, &ae) || ae.Status != 403 {
			t.Fatal(err)
		}
	}
	c.Token = writeToken
	a, err := c.Get(ctx, 1)
	if err != nil || a.RuleID != "AWS.Root" || a.Tally != 3 || len(a.RowIDs) != 1 || a.RowIDs[0] != "abc" {
		t.Fatalf("%+v %v", a, err)
	}
	st := "RESOLVED"
	if _, err := c.Patch(ctx, 1, PatchRequest{Status: &st}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AddNote(ctx, 1, "done"); err != nil {
		t.Fatal(err)
	}
	page, err := c.List(ctx, FilterSpec{Status: []string{"resolved"}, Rule: []string{"AWS.Root"}}, "", 10, "")
	if err != nil || len(page.Alerts) != 1 {
		t.Fatalf("%+v %v", page, err)
	}
	if _, err := c.Raise(ctx, []DetectionAlert{{GroupID: "x", RuleID: "R", Severity: "Urgent"}}); err == nil || !strings.Contains(err.Error(), "alerts[0].severity") {
		t.Fatal(err)
	}
	_ = bytes.MinRead
}
