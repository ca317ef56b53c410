package console_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
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
	queryapi "panther/query/api"
)

// The browser tests drive Debian's Chromium (package chromium) through
// the DevTools protocol with chromedp: one browser for the package, a
// fresh browser context (cookies, storage) per test. Without a Chromium
// they skip, saying so — except where PANTHER_BROWSER_TESTS=required
// (.ci/run sets it after installing chromium), where they fail.

const (
	writeToken = "write-token-0123456789abcdef"
	readToken  = "read-token-0123456789abcdef0"
	xss        = `<img src=x onerror="window.__xss=1">`
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
	ctx, cancelT := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(func() { cancelT(); cancel() })
	return ctx
}

// env is a console over a real alert store on 127.0.0.1.
type env struct {
	url   string
	store *alerts.Store
	ids   map[string]int64 // by title
}

var t0 = time.Date(2026, 11, 10, 9, 0, 0, 0, time.UTC)

func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	st, err := alerts.Open(ctx, alerts.Options{Path: filepath.Join(dir, "alerts.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	tokens, err := auth.ParseTokens([]string{"write/alice:" + writeToken, "read/rita:" + readToken})
	if err != nil {
		t.Fatal(err)
	}
	sessions := auth.NewSessions(tokens, auth.SessionOptions{})
	con, err := console.New()
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	mux := http.NewServeMux()
	alertsapi.New(alertsapi.Options{Store: st, Tokens: tokens, Lake: filepath.Join(dir, "lake"), Done: done}).Mount(mux)
	sessions.Mount(mux)
	queryapi.New(queryapi.Options{Lake: filepath.Join(dir, "lake"), Tokens: tokens}).Mount(mux)
	con.Mount(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(func() { close(done); srv.Close() })
	e := &env{url: srv.URL, store: st, ids: map[string]int64{}}
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
	// Everything from a log is a payload here: title, dedup, context keys
	// and values, sample fields, description, runbook, reference.
	raise(alerts.DetectionAlert{RuleID: "Evil." + xss, Title: xss, Dedup: xss, Severity: alerts.SevCritical,
		AlertContext: json.RawMessage(fmt.Sprintf(`{%q: %q}`, xss, xss)),
		Samples:      []json.RawMessage{json.RawMessage(fmt.Sprintf(`{%q: %q, "p_any_ip_addresses": [%q]}`, xss, xss, xss))},
		Description:  xss, Runbook: xss, Reference: "javascript:window.__xss=1"})
	if _, err := st.RaiseEvent(ctx, alerts.ConsoleEvent{Node: xss, Summary: "disk " + xss, Severity: alerts.SevMedium, Tag: xss,
		Fields: map[string]string{xss: xss}}); err != nil {
		t.Fatal(err)
	}
	return e
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

// do runs steps; a failure names the page it happened on.
func do(t *testing.T, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		loc, _ := chromedp.Run(ctx, chromedp.Location())
		t.Fatalf("%v (at %s)", err, loc)
	}
}

// value runs an action that returns a value.
func value[T any](t *testing.T, ctx context.Context, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		loc, _ := chromedp.Run(ctx, chromedp.Location())
		t.Fatalf("%v (at %s)", err, loc)
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
			chromedp.WaitVisible("#events table, #events p"))
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
}
