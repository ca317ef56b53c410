package console_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"panther/alerts"
	alertsapi "panther/alerts/api"
	"panther/auth"
	"panther/console"
	"panther/engine"
	"panther/engine/live"
	"panther/packs"
	"panther/packs/server"
	"panther/parsers/logtypes"
	queryapi "panther/query/api"
	"panther/serve"
)

// The browser tests drive Debian's Chromium (package chromium) through
// the DevTools protocol with chromedp: one browser for the package, a
// fresh browser context (cookies, storage) per test. Without a Chromium
// they skip, saying so — except where PANTHER_BROWSER_TESTS=required
// (.ci/run sets it after installing chromium), where they fail.

const (
	writeToken  = "write-token-0123456789abcdef"
	readToken   = "read-token-0123456789abcdef0"
	ingestToken = "ingest-token-0123456789abcdef"
	xss         = `<img src=x onerror="window.__xss=1">`
)

var browser struct {
	once   sync.Once
	ctx    context.Context
	cancel func()
	err    error
	dir    string
}

func TestMain(m *testing.M) {
	code := m.Run()
	if browser.cancel != nil {
		browser.cancel()
	}
	if browser.dir != "" {
		os.RemoveAll(browser.dir)
	}
	os.Exit(code)
}

func chromiumPath() string {
	if p := os.Getenv("PANTHER_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome-stable", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// tab returns a new tab in a fresh browser context of the package's
// browser, started on first use.
func tab(t *testing.T) context.Context {
	t.Helper()
	path := chromiumPath()
	if path == "" {
		msg := "no Chromium found (looked for chromium, chromium-browser, google-chrome; or set PANTHER_CHROMIUM): the browser tests of the console did not run; install it with `apt-get install -y chromium`"
		if os.Getenv("PANTHER_BROWSER_TESTS") == "required" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	browser.once.Do(func() {
		browser.dir, browser.err = os.MkdirTemp("", "panther-chromium-")
		if browser.err != nil {
			return
		}
		opts := []chromedp.ExecAllocatorOption{chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
			chromedp.UserDataDir(browser.dir), chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
			chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
			chromedp.Flag("disable-sync", true), chromedp.Flag("disable-dev-shm-usage", true),
			chromedp.WindowSize(1366, 768)}
		alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
		ctx, cancelCtx := chromedp.NewContext(alloc)
		if browser.err = chromedp.Do(ctx); browser.err != nil {
			cancelCtx()
			cancelAlloc()
			return
		}
		browser.ctx, browser.cancel = ctx, func() { cancelCtx(); cancelAlloc() }
	})
	if browser.err != nil {
		t.Fatalf("starting Chromium %s: %v", path, browser.err)
	}
	ctx, cancel := chromedp.NewContext(browser.ctx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	// The first run opens the tab, which lives as long as the context of
	// that run: it gets no timeout (each later step has its own).
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("opening a tab: %v", err)
	}
	return ctx
}

// env is `panther serve` on 127.0.0.1 as the serve command composes it
// (pack store, live ingest into a lake, the alert store's API, sessions,
// search, the console), with alerts in the store, events in the lake, a
// pack with two versions and a dead letter — payloads in all of them.
type env struct {
	url   string
	store *alerts.Store
	ids   map[string]int64 // by title
}

// liveSink hands the pipeline's alerts to the store (as cmd does).
type liveSink struct{ st *alerts.Store }

func (s liveSink) RaiseDetection(ctx context.Context, a live.DetectionAlert) error {
	d := alerts.FromEngine(&a.Alert, nil, a.PackVersion)
	d.DedupPeriod = a.DedupPeriod
	_, err := s.st.RaiseDetection(ctx, d)
	return err
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	st, err := alerts.Open(ctx, alerts.Options{Path: filepath.Join(dir, "alerts.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	tokens, err := auth.ParseTokens([]string{"write/alice:" + writeToken, "read/rita:" + readToken, "ingest/fw:" + ingestToken})
	if err != nil {
		t.Fatal(err)
	}
	sessions := auth.NewSessions(tokens, auth.SessionOptions{})
	con, err := console.New()
	if err != nil {
		t.Fatal(err)
	}
	reg := logtypes.Default()
	lake := filepath.Join(dir, "lake")
	stop, cancel := context.WithCancel(ctx)
	ready := make(chan string, 1)
	opts := serve.Options{
		Packs:    server.Options{DataDir: dir, Tokens: tokens, Load: engine.LoadOptions{Registry: reg}},
		Listen:   "127.0.0.1:0",
		Registry: reg, Lake: lake, CommitInterval: 100 * time.Millisecond,
		Alerts: liveSink{st},
		Mount: func(mux *http.ServeMux) {
			alertsapi.New(alertsapi.Options{Store: st, Tokens: tokens, Lake: lake, Registry: reg, Done: stop.Done()}).Mount(mux)
			sessions.Mount(mux)
			queryapi.New(queryapi.Options{Lake: lake, Registry: reg, Tokens: tokens, Queries: func() []queryapi.SavedQuery {
				return []queryapi.SavedQuery{{Name: "Console logins", SQL: "SELECT p_event_time, sourceIPAddress FROM aws_cloudtrail WHERE eventName = 'ConsoleLogin'", Lookback: "7d"}}
			}}).Mount(mux)
			con.Mount(mux)
		},
		Ready: func(a net.Addr, _ *serve.Service) { ready <- "http://" + a.String() },
	}
	done := make(chan error, 1)
	go func() { done <- serve.Run(stop, ctx, opts) }()
	e := &env{store: st, ids: map[string]int64{}}
	select {
	case e.url = <-ready:
	case err := <-done:
		t.Fatalf("serve: %v", err)
	}
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
		}
	})

	now := time.Now().UTC()
	raise := func(d alerts.DetectionAlert) {
		d.GroupID = d.Title
		d.EventCount, d.DedupPeriod = 2, time.Hour
		if d.FirstEvent.IsZero() {
			d.FirstEvent = now.Add(-2 * time.Hour)
		}
		d.LastEvent = d.FirstEvent.Add(time.Minute)
		r, err := st.RaiseDetection(ctx, d)
		if err != nil {
			t.Fatal(err)
		}
		e.ids[d.Title] = r.AlertID
	}
	sample := json.RawMessage(`{"eventName":"ConsoleLogin","sourceIPAddress":"203.0.113.7","p_any_ip_addresses":["203.0.113.7"],"p_any_usernames":["mallory"]}`)
	raise(alerts.DetectionAlert{RuleID: "AWS.Console.RootLogin", Title: "Root login from 203.0.113.7", Dedup: "203.0.113.7", Severity: alerts.SevHigh,
		LogTypes: []string{"AWS.CloudTrail"}, Samples: []json.RawMessage{sample}, AlertContext: json.RawMessage(`{"ip":"203.0.113.7","account":{"id":"123456789012"}}`),
		Description: "The root user signed in.", Runbook: "Call the account owner.", Reference: "https://docs.example.com/root"})
	raise(alerts.DetectionAlert{RuleID: "SSH.BruteForce", Title: "SSH brute force on bastion-1", Dedup: "bastion-1", Severity: alerts.SevMedium})
	raise(alerts.DetectionAlert{RuleID: "SSH.BruteForce", Title: "SSH brute force on web-2", Dedup: "web-2", Severity: alerts.SevLow})
	// Everything from a log is a payload here: title, rule, dedup,
	// context keys and values, sample fields, description, runbook,
	// reference.
	raise(alerts.DetectionAlert{RuleID: "Evil." + xss, Title: xss, Dedup: xss, Severity: alerts.SevCritical,
		AlertContext: json.RawMessage(fmt.Sprintf(`{%q: %q}`, xss, xss)),
		Samples:      []json.RawMessage{json.RawMessage(fmt.Sprintf(`{%q: %q, "p_any_ip_addresses": [%q]}`, xss, xss, xss))},
		Description:  xss, Runbook: xss, Reference: "javascript:window.__xss=1"})
	if _, err := st.RaiseEvent(ctx, alerts.ConsoleEvent{Node: xss, Summary: "disk " + xss, Severity: alerts.SevMedium, Tag: xss,
		Fields: map[string]string{xss: xss}}); err != nil {
		t.Fatal(err)
	}
	e.ingest(t)
	return e
}

// ingest sends CloudTrail events (one of them with payloads) and a broken
// record through the live pipeline, and waits until the lake holds them.
func (e *env) ingest(t *testing.T) {
	t.Helper()
	at := time.Now().UTC().Add(-30 * time.Minute).Format(time.RFC3339)
	rec := func(name, ip, user string) string {
		b, _ := json.Marshal(map[string]any{"eventVersion": "1.08", "eventTime": at, "eventSource": "signin.amazonaws.com", "eventName": name,
			"awsRegion": "us-east-1", "sourceIPAddress": ip, "userAgent": xss, "eventID": name + ip, "eventType": "AwsConsoleSignIn",
			"recipientAccountId": "123456789012", "userIdentity": map[string]any{"type": "IAMUser", "userName": user,
				"arn": "arn:aws:iam::123456789012:user/" + user, "accountId": "123456789012"}})
		return string(b)
	}
	body := strings.Join([]string{rec("ConsoleLogin", "203.0.113.7", "mallory"), rec("ConsoleLogin", "198.51.100.4", "alice"),
		rec("GetCallerIdentity", "203.0.113.7", "mallory"), `{"eventName": ` + xss}, "\n")
	req, _ := http.NewRequest("POST", e.url+"/api/v1/ingest?log_type=AWS.CloudTrail", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+ingestToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var acc struct{ Seq uint64 }
	json.NewDecoder(resp.Body).Decode(&acc)
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("ingest: %d", resp.StatusCode)
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		var st serve.StatusBody
		if err := getJSON(e.url+"/api/v1/status", &st); err != nil {
			t.Fatal(err)
		}
		if st.Detections.Committed >= acc.Seq {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the lake did not commit entry %d: %+v", acc.Seq, st.Detections)
		}
	}
}

func getJSON(url string, v any) error {
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Authorization", "Bearer "+readToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(v)
}

func (e *env) get(t *testing.T, title string) *alerts.Alert {
	t.Helper()
	a, err := e.store.Get(context.Background(), e.ids[title], alerts.GetAll)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// signIn opens the console, is sent to the sign-in page, and signs in.
func (e *env) signIn(token string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.Navigate(e.url+"/alerts"),
		chromedp.WaitVisible("#token"),
		chromedp.SendKeys("#token", token),
		chromedp.Click("#signin"),
		chromedp.WaitVisible("#alerts"),
	)
}

// do runs steps; a failure names the page it happened on and its text.
func do(t *testing.T, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	value(t, ctx, chromedp.Steps(steps...))
}

// value runs an action that returns a value, for at most 20 seconds.
func value[T any](t *testing.T, ctx context.Context, a chromedp.Action[T]) T {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	v, err := chromedp.Run(sctx, a)
	if err != nil {
		loc, _ := chromedp.Run(ctx, chromedp.Location())
		text, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('main') ? document.querySelector('main').innerText : ''`))
		t.Fatalf("%v\nat %s:\n%s", err, loc, text)
	}
	return v
}

func js[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	return value(t, ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
}

func count(t *testing.T, ctx context.Context, sel string) int {
	t.Helper()
	return js[int](t, ctx, fmt.Sprintf("document.querySelectorAll(%q).length", sel))
}

// noXSS checks that no payload ran and no image was made of one.
func noXSS(t *testing.T, ctx context.Context, where string) {
	t.Helper()
	ran, imgs := js[bool](t, ctx, `window.__xss === 1`), count(t, ctx, "img")
	if ran || imgs != 0 {
		t.Errorf("%s: a payload ran (%v) or made an image (%d)", where, ran, imgs)
	}
}

func TestConsoleTriage(t *testing.T) {
	e := newEnv(t)
	ctx := tab(t)

	do(t, ctx, e.signIn(writeToken))
	if loc, rows := value(t, ctx, chromedp.Location()), count(t, ctx, "#alerts tbody tr"); !strings.HasSuffix(loc, "/alerts") || rows != 5 {
		t.Fatalf("after sign-in: %s with %d rows", loc, rows)
	}
	noXSS(t, ctx, "alerts")
	if me := value(t, ctx, chromedp.Text("#me")); me != "alice" {
		t.Errorf("signed in as %q", me)
	}

	// Filter: the text goes to the URL, and the list follows.
	do(t, ctx, chromedp.SendKeys("#f-q", "bastion"), chromedp.Click("#apply"), chromedp.WaitVisible("#alerts"))
	if loc, rows := value(t, ctx, chromedp.Location()), count(t, ctx, "#alerts tbody tr"); !strings.Contains(loc, "q=bastion") || rows != 1 {
		t.Fatalf("filter: %s with %d rows", loc, rows)
	}

	// Open it, acknowledge, add a note, resolve.
	brute := "SSH brute force on bastion-1"
	do(t, ctx, chromedp.Click(`#alerts a.title`), chromedp.WaitVisible("#ack"), chromedp.Click("#ack"), chromedp.WaitVisible("#acked"))
	if a := e.get(t, brute); !a.Acknowledged || a.AckBy != "alice" {
		t.Fatalf("ack: %+v", a)
	}
	do(t, ctx, chromedp.SendKeys("#note-text", "blocked at the firewall <b>now</b>"), chromedp.Click("#add-note"), chromedp.WaitVisible(`#notes li`))
	note := value(t, ctx, chromedp.Text(`#notes li .text`))
	if a := e.get(t, brute); len(a.Notes) != 1 || a.Notes[0].Author != "alice" || note != "blocked at the firewall <b>now</b>" {
		t.Fatalf("note: %q %+v", note, a.Notes)
	}
	do(t, ctx, chromedp.Click("#resolve"), chromedp.WaitVisible("#reopen"))
	if a := e.get(t, brute); a.Status != alerts.StatusResolved {
		t.Fatalf("resolve: %s", a.Status)
	}

	// Bulk: select every open SSH alert of at least LOW; resolve them.
	do(t, ctx, chromedp.Navigate(e.url+"/alerts?status=OPEN&severity=LOW&q=SSH"), chromedp.WaitVisible("#alerts"),
		chromedp.Click("#pick-all"), chromedp.WaitVisible("#bulk-resolve"), chromedp.Click("#bulk-resolve"), chromedp.WaitVisible("#empty"))
	if a := e.get(t, "SSH brute force on web-2"); a.Status != alerts.StatusResolved {
		t.Fatalf("bulk resolve: %s", a.Status)
	}

	// Live: a new alert raises the "1 new" marker; the rows stay put.
	do(t, ctx, chromedp.Navigate(e.url+"/alerts"), chromedp.WaitVisible("#alerts"))
	rows := count(t, ctx, "#alerts tbody tr")
	if _, err := e.store.RaiseEvent(context.Background(), alerts.ConsoleEvent{Node: "db-1", Summary: "disk full", Severity: alerts.SevHigh}); err != nil {
		t.Fatal(err)
	}
	do(t, ctx, chromedp.WaitVisible("#new-marker"))
	if marker, after := value(t, ctx, chromedp.Text("#new-marker")), count(t, ctx, "#alerts tbody tr"); marker != "1 new — show" || after != rows {
		t.Errorf("live: marker %q, rows %d then %d", marker, rows, after)
	}

	// The alert screens with the payloads: nothing runs, titles are text.
	for _, title := range []string{xss, "Root login from 203.0.113.7"} {
		do(t, ctx, chromedp.Navigate(fmt.Sprintf("%s/alerts/%d", e.url, e.ids[title])), chromedp.WaitVisible("#summary"),
			chromedp.WaitVisible("#events table, #events p:not(.loading)"))
		if shown := value(t, ctx, chromedp.Text("#alert-title")); shown != title {
			t.Errorf("title shown %q, want %q", shown, title)
		}
		noXSS(t, ctx, "alert "+title)
	}
	do(t, ctx, chromedp.Navigate(fmt.Sprintf("%s/alerts/%d", e.url, e.ids[xss])), chromedp.WaitVisible("#summary"))
	if n := js[int](t, ctx, `Array.from(document.querySelectorAll('a')).filter(a => /^\s*javascript:/i.test(a.getAttribute('href'))).length`); n != 0 {
		t.Errorf("%d javascript: links", n)
	}

	// CSRF: a change from the page without the session's token is refused.
	status := js[int](t, ctx, fmt.Sprintf(`fetch('/api/v1/alerts/%d', {method: 'PATCH', body: '{"ack": true}'}).then(r => r.status)`, e.ids["SSH brute force on web-2"]))
	if status != http.StatusForbidden {
		t.Errorf("PATCH without the CSRF token: %v", status)
	}

	// Sign out: the session ends and the console asks to sign in again.
	do(t, ctx, chromedp.Click("#signout"), chromedp.WaitVisible("#token"), chromedp.Navigate(e.url+"/alerts"), chromedp.WaitVisible("#token"))
	if loc := value(t, ctx, chromedp.Location()); !strings.Contains(loc, "/login?next=") {
		t.Errorf("after sign-out: %s", loc)
	}
}

func TestConsoleReadRole(t *testing.T) {
	e := newEnv(t)
	ctx := tab(t)
	root := e.ids["Root login from 203.0.113.7"]
	do(t, ctx, e.signIn(readToken), chromedp.Click("#pick-all"))
	if n := count(t, ctx, "#bulk button"); n != 0 {
		t.Errorf("read role: %d bulk buttons", n)
	}
	do(t, ctx, chromedp.Navigate(fmt.Sprintf("%s/alerts/%d", e.url, root)), chromedp.WaitVisible("#summary"))
	if n := count(t, ctx, "#actions button, #note-form, button.resend"); n != 0 {
		t.Errorf("read role: %d change controls on the alert", n)
	}
	// The API refuses it anyway, CSRF token or not.
	status := js[int](t, ctx, fmt.Sprintf(`fetch('/api/v1/session').then(r => r.json()).then(s => fetch('/api/v1/alerts/%d',
		{method: 'PATCH', body: '{"ack": true}', headers: {'X-CSRF-Token': s.csrf_token}})).then(r => r.status)`, root))
	if status != http.StatusForbidden {
		t.Errorf("read role PATCH: %v", status)
	}
	if a := e.get(t, "Root login from 203.0.113.7"); a.Acknowledged {
		t.Error("the read role changed an alert")
	}
	// Packs: history and diff, but no activation or rollback.
	e.uploadPack(t)
	do(t, ctx, chromedp.Navigate(e.url+"/packs/P"), chromedp.WaitVisible("table.versions"))
	if n := count(t, ctx, "#rollback, button.activate"); n != 0 || count(t, ctx, "button.diff") != 1 {
		t.Errorf("read role: %d pack change buttons", n)
	}
	status = js[int](t, ctx, `fetch('/api/v1/session').then(r => r.json()).then(s => fetch('/api/v1/packs/P/rollback',
		{method: 'POST', body: '{}', headers: {'X-CSRF-Token': s.csrf_token}})).then(r => r.status)`)
	if status != http.StatusForbidden {
		t.Errorf("read role rollback: %v", status)
	}
}

// uploadPack stores two versions of pack P (rule B added in the second),
// the second active.
func (e *env) uploadPack(t *testing.T) {
	t.Helper()
	c := &packs.Client{BaseURL: e.url, Token: writeToken}
	for v, ids := range []string{"[A]", "[A, B]"} {
		dir := t.TempDir()
		files := map[string]string{
			"rules/a.yml": "AnalysisType: rule\nRuleID: A\nFilename: a.lua\nLogTypes: [AWS.CloudTrail]\nSeverity: Low\nDescription: " + fmt.Sprintf("%q", xss) + "\n",
			"rules/a.lua": fmt.Sprintf("-- version %d\nfunction rule(e) return e.eventName == 'StopLogging' end\n", v+1),
			"rules/b.yml": "AnalysisType: rule\nRuleID: B\nFilename: b.lua\nLogTypes: [AWS.CloudTrail]\nSeverity: Low\n",
			"rules/b.lua": "function rule(e) return false end\n",
			"packs/p.yml": "AnalysisType: pack\nPackID: P\nDisplayName: " + fmt.Sprintf("%q", "Pack "+xss) + "\nPackDefinition:\n  IDs: " + ids + "\n",
		}
		for name, body := range files {
			p := filepath.Join(dir, name)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		set := engine.Load([]engine.Source{engine.DirSource(dir)}, engine.LoadOptions{})
		b, err := packs.Build(set, "P", packs.BuildOptions{ToolVersion: "test"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Upload(context.Background(), bytes.NewReader(b.Zip), int64(len(b.Zip)), packs.UploadOptions{}); err != nil {
			t.Fatalf("upload version %d: %v", v+1, err)
		}
	}
}

func TestConsoleSearchDashboardPacksIngest(t *testing.T) {
	e := newEnv(t)
	e.uploadPack(t)
	ctx := tab(t)
	do(t, ctx, e.signIn(writeToken))

	// Indicator search across every table.
	do(t, ctx, chromedp.Navigate(e.url+"/search?kind=ip&value=203.0.113.7&since=24h"), chromedp.WaitVisible(".ind-table"))
	if got := value(t, ctx, chromedp.Text(".ind-table h2")); got != "aws_cloudtrail (2 rows)" {
		t.Errorf("indicator search: %q", got)
	}
	noXSS(t, ctx, "indicator search")

	// SQL, with the table's name offered as it is typed.
	do(t, ctx, chromedp.Navigate(e.url+"/search"), chromedp.WaitVisible("#sql"), chromedp.Clear("#sql"),
		chromedp.SendKeys("#sql", "SELECT eventName, count(*) AS n, max(userAgent) AS ua FROM aws_cl"), chromedp.WaitVisible("#suggest button"))
	if got := value(t, ctx, chromedp.Text("#suggest button")); got != "aws_cloudtrail" {
		t.Errorf("completion: %q", got)
	}
	do(t, ctx, chromedp.Click("#suggest button"), chromedp.SendKeys("#sql", " GROUP BY 1 ORDER BY 1"), chromedp.Click("#run-sql"), chromedp.WaitVisible("#row-count"))
	if got, cell := value(t, ctx, chromedp.Text("#row-count")), value(t, ctx, chromedp.Text("table.grid tbody tr td")); got != "2 rows" || cell != "ConsoleLogin" {
		t.Errorf("SQL search: %q, first cell %q", got, cell)
	}
	if loc := value(t, ctx, chromedp.Location()); !strings.Contains(loc, "sql=SELECT") {
		t.Errorf("the search is not in the URL: %s", loc)
	}
	noXSS(t, ctx, "SQL search")

	// The CSV download is the same search from the API, with the session.
	csv := js[string](t, ctx, `fetch(document.querySelector('#dl-csv').href).then(r => r.text())`)
	if !strings.HasPrefix(csv, "eventName,n,ua\n") || !strings.Contains(csv, "ConsoleLogin,2,") {
		t.Errorf("CSV download:\n%s", csv)
	}

	// An error is shown at its position.
	do(t, ctx, chromedp.Navigate(e.url+"/search?since=24h&sql="+url.QueryEscape("SELECT 1\nFROM aws_cloudtrail WHERE nope = 1")), chromedp.WaitVisible("#search-error"))
	if got := value(t, ctx, chromedp.Text("#search-error")); !strings.Contains(got, "(line 2, column") {
		t.Errorf("SQL error: %q", got)
	}

	// A saved query runs by name; a long search is cancelled.
	do(t, ctx, chromedp.Navigate(e.url+"/search?query="+url.QueryEscape("Console logins")), chromedp.WaitVisible("#row-count"))
	if got := value(t, ctx, chromedp.Text("#row-count")); got != "2 rows" {
		t.Errorf("saved query: %q", got)
	}
	do(t, ctx, chromedp.Navigate(e.url+"/search?since=1h&sql="+url.QueryEscape("SELECT sum(hash(i)) FROM range(100000000000) t(i)")),
		chromedp.WaitVisible("#cancel"), chromedp.Click("#cancel"), chromedp.WaitVisible("#cancelled"))

	// Dashboard.
	do(t, ctx, chromedp.Navigate(e.url+"/dashboard"), chromedp.WaitVisible("#chart-series"), chromedp.WaitVisible("#stat-events"))
	if total, events := value(t, ctx, chromedp.Text("#stat-total .big")), value(t, ctx, chromedp.Text("#stat-events .big")); total != "5" || events != "3" {
		t.Errorf("dashboard: %s alerts, %s events", total, events)
	}
	if n := count(t, ctx, "#top-rules tr"); n != 3 {
		t.Errorf("dashboard: %d noisy rules", n)
	}
	noXSS(t, ctx, "dashboard")

	// Packs: history, diff, roll back.
	do(t, ctx, chromedp.Navigate(e.url+"/packs"), chromedp.WaitVisible("table.packs"), chromedp.WaitVisible("#detections table"))
	noXSS(t, ctx, "packs")
	do(t, ctx, chromedp.Click("table.packs a"), chromedp.WaitVisible("table.versions"), chromedp.Click("button.diff"), chromedp.WaitVisible("#diff table"))
	if got := value(t, ctx, chromedp.Text("#diff tbody")); !strings.Contains(got, "added\tB") {
		t.Errorf("diff: %q", got)
	}
	do(t, ctx, chromedp.Click("#rollback"))
	var p struct{ Active int }
	for deadline := time.Now().Add(10 * time.Second); p.Active != 1 && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if err := getJSON(e.url+"/api/v1/packs/P", &p); err != nil {
			t.Fatal(err)
		}
	}
	if p.Active != 1 {
		t.Errorf("after the rollback: %+v", p)
	}
	do(t, ctx, chromedp.Navigate(e.url+"/packs/P"), chromedp.WaitVisible("#active"))
	if got := value(t, ctx, chromedp.Text("#active")); got != "version 1" {
		t.Errorf("after the rollback the page says %q", got)
	}
	noXSS(t, ctx, "pack")

	// Ingest: inputs, the pipeline, the dead letter shown as text.
	do(t, ctx, chromedp.Navigate(e.url+"/ingest"), chromedp.WaitVisible("#pipeline"), chromedp.WaitVisible("table.dead"))
	if got := value(t, ctx, chromedp.Text("table.dead tbody")); !strings.Contains(got, xss) {
		t.Errorf("dead letters: %q", got)
	}
	noXSS(t, ctx, "ingest")
}
