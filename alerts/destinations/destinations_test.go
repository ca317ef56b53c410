package destinations

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"panther/alerts"
)

var bg = context.Background()

func openStore(t testing.TB, routing alerts.Routing) *alerts.Store {
	t.Helper()
	s, err := alerts.Open(bg, alerts.Options{Path: filepath.Join(t.TempDir(), "a.db"), Routing: routing})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// run starts a dispatcher and stops it when the test ends.
func run(t testing.TB, d *Dispatcher) {
	ctx, cancel := context.WithCancel(bg)
	done := make(chan struct{})
	go func() { d.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
}

// waitDeliveries waits until every delivery of the alerts is sent or dead.
func waitDeliveries(t testing.TB, s *alerts.Store, ids ...int64) []alerts.Delivery {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		var all []alerts.Delivery
		pending := 0
		for _, id := range ids {
			ds, err := s.Deliveries(bg, id)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range ds {
				if d.Status == alerts.DeliveryPending {
					pending++
				}
			}
			all = append(all, ds...)
		}
		if pending == 0 && len(all) > 0 {
			return all
		}
		if time.Now().After(deadline) {
			t.Fatalf("deliveries still pending: %+v", all)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

type captured struct {
	mu   sync.Mutex
	reqs []*http.Request
	body [][]byte
}

func (c *captured) handler(status func(n int) int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		c.mu.Lock()
		c.reqs = append(c.reqs, r)
		c.body = append(c.body, b)
		n := len(c.reqs)
		c.mu.Unlock()
		w.WriteHeader(status(n))
	}
}

func ok(int) int { return http.StatusOK }

const hostile = `<img src=x onerror=alert(1)> & <!channel>`

func TestEveryKindOnLoopback(t *testing.T) {
	var hook, slack, teams, pd captured
	servers := map[string]*httptest.Server{}
	for name, c := range map[string]*captured{"hook": &hook, "slack": &slack, "teams": &teams, "pd": &pd} {
		status := ok
		if name == "pd" {
			status = func(int) int { return http.StatusAccepted }
		}
		servers[name] = httptest.NewServer(c.handler(status))
		t.Cleanup(servers[name].Close)
	}
	cfgText := fmt.Sprintf(`
console_url: https://panther.example.com/
destinations:
  - {name: hook, kind: webhook, url: %s, secret_env: HOOK_SECRET}
  - {name: slack, kind: slack, url: %s}
  - {name: teams, kind: teams, url: %s}
  - {name: pd, kind: pagerduty, url: %s, routing_key_env: PD_KEY}
defaults:
  Critical: [hook, slack, teams, pd]
`, servers["hook"].URL, servers["slack"].URL, servers["teams"].URL, servers["pd"].URL)
	env := map[string]string{"HOOK_SECRET": "s3cret-s3cret", "PD_KEY": "R0UT1NG"}
	cfg, err := Load("destinations.yml", []byte(cfgText), func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	s := openStore(t, cfg.Routing())
	d, err := New(s, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	run(t, d)
	r, err := s.RaiseEvent(bg, alerts.ConsoleEvent{Node: "db1", Summary: hostile, Severity: alerts.SevCritical})
	if err != nil {
		t.Fatal(err)
	}
	for _, dl := range waitDeliveries(t, s, r.AlertID) {
		if dl.Status != alerts.DeliverySent || dl.Attempts != 1 || dl.Reason != "created" {
			t.Errorf("%+v", dl)
		}
	}
	// Webhook: signed, verifiable, a replayed old request refused.
	if len(hook.reqs) != 1 {
		t.Fatalf("webhook requests %d", len(hook.reqs))
	}
	if err := VerifyWebhook("s3cret-s3cret", hook.reqs[0].Header, hook.body[0], time.Now(), 5*time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := VerifyWebhook("s3cret-s3cret", hook.reqs[0].Header, hook.body[0], time.Now().Add(10*time.Minute), 5*time.Minute); err == nil {
		t.Fatal("an old request verified")
	}
	if err := VerifyWebhook("s3cret-s3cret", hook.reqs[0].Header, append(hook.body[0], ' '), time.Now(), 5*time.Minute); err == nil {
		t.Fatal("a changed body verified")
	}
	var p Payload
	if err := json.Unmarshal(hook.body[0], &p); err != nil || p.Title != hostile || p.ID != r.AlertID || p.URL != fmt.Sprintf("https://panther.example.com/alerts/%d", r.AlertID) {
		t.Fatalf("%+v %v", p, err)
	}
	// Slack: the title's markup is escaped.
	var sl struct{ Text string }
	json.Unmarshal(slack.body[0], &sl)
	if strings.Contains(sl.Text, "<img") || strings.Contains(sl.Text, "<!channel>") || !strings.Contains(sl.Text, "&lt;img src=x") {
		t.Fatalf("slack text %q", sl.Text)
	}
	// Teams: an adaptive card.
	if !strings.Contains(string(teams.body[0]), `"contentType":"application/vnd.microsoft.card.adaptive"`) {
		t.Fatalf("teams %s", teams.body[0])
	}
	// PagerDuty: routing key, dedup key, severity.
	var ev struct {
		RoutingKey  string `json:"routing_key"`
		EventAction string `json:"event_action"`
		DedupKey    string `json:"dedup_key"`
		Payload     struct{ Severity, Summary string }
	}
	json.Unmarshal(pd.body[0], &ev)
	if ev.RoutingKey != "R0UT1NG" || ev.EventAction != "trigger" || ev.DedupKey != fmt.Sprintf("panther-alert-%d", r.AlertID) || ev.Payload.Severity != "critical" {
		t.Fatalf("%+v", ev)
	}
}

func TestRetryDeadLetterResend(t *testing.T) {
	var flaky, bad captured
	fl := httptest.NewServer(flaky.handler(func(n int) int {
		if n <= 2 {
			return http.StatusServiceUnavailable
		}
		return http.StatusOK
	}))
	defer fl.Close()
	var badStatus atomic.Int32
	badStatus.Store(http.StatusBadRequest)
	bd := httptest.NewServer(bad.handler(func(int) int { return int(badStatus.Load()) }))
	defer bd.Close()
	s := openStore(t, alerts.Routing{BySeverity: map[alerts.Severity][]string{alerts.SevHigh: {"flaky", "bad"}}})
	d := &Dispatcher{Store: s, Senders: map[string]Sender{
		"flaky": &Slack{URL: fl.URL, HTTP: fl.Client()},
		"bad":   &Slack{URL: bd.URL, HTTP: bd.Client()},
	}, Retry: Retry{Attempts: 5, Base: 5 * time.Millisecond, Max: 20 * time.Millisecond}}
	run(t, d)
	r, _ := s.RaiseEvent(bg, alerts.ConsoleEvent{Node: "n", Summary: "s", Severity: alerts.SevHigh})
	byDest := map[string]alerts.Delivery{}
	for _, dl := range waitDeliveries(t, s, r.AlertID) {
		byDest[dl.Destination] = dl
	}
	if f := byDest["flaky"]; f.Status != alerts.DeliverySent || f.Attempts != 3 || len(flaky.reqs) != 3 {
		t.Fatalf("flaky %+v, %d requests", f, len(flaky.reqs))
	}
	// A 400 is not retried: dead at once.
	b := byDest["bad"]
	if b.Status != alerts.DeliveryDead || b.Attempts != 1 || b.LastStatus != 400 {
		t.Fatalf("bad %+v", b)
	}
	dead, _ := s.DeadLetters(bg, 10)
	if len(dead) != 1 || dead[0].ID != b.ID {
		t.Fatalf("dead letters %+v", dead)
	}
	badStatus.Store(http.StatusOK)
	if _, err := s.Resend(bg, b.ID, alerts.Actor{Name: "alice"}); err != nil {
		t.Fatal(err)
	}
	sent := 0
	for _, dl := range waitDeliveries(t, s, r.AlertID) {
		if dl.Destination == "bad" && dl.Status == alerts.DeliverySent && dl.Reason == "resend" {
			sent++
		}
	}
	if sent != 1 || len(bad.reqs) != 2 {
		t.Fatalf("resend: %d sent, %d requests", sent, len(bad.reqs))
	}
}

// TestSlowDestinationDoesNotSlowIngest: while one destination hangs, alerts
// are still raised and the other destination still receives them.
func TestSlowDestinationDoesNotSlowIngest(t *testing.T) {
	release := make(chan struct{})
	var slowHits atomic.Int32
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		slowHits.Add(1)
		<-release
	}))
	defer slow.Close()
	defer close(release)
	var fast captured
	fs := httptest.NewServer(fast.handler(ok))
	defer fs.Close()
	s := openStore(t, alerts.Routing{BySeverity: map[alerts.Severity][]string{alerts.SevHigh: {"slow", "fast"}}})
	d := &Dispatcher{Store: s, Senders: map[string]Sender{
		"slow": &Slack{URL: slow.URL, HTTP: slow.Client()},
		"fast": &Slack{URL: fs.URL, HTTP: fs.Client()},
	}, Workers: map[string]int{"slow": 2, "fast": 2}}
	run(t, d)
	const n = 50
	for i := range n {
		if _, err := s.RaiseEvent(bg, alerts.ConsoleEvent{Node: fmt.Sprint("n", i), Summary: "s", Severity: alerts.SevHigh}); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		fast.mu.Lock()
		got := len(fast.reqs)
		fast.mu.Unlock()
		if got == n {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("fast destination got %d of %d", got, n)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if h := slowHits.Load(); h != 2 {
		t.Fatalf("the slow destination holds %d requests, want its 2 workers' worth", h)
	}
}

func TestLoadErrors(t *testing.T) {
	cases := []struct{ src, want string }{
		{"destinatons: []\n", "d.yml:1: unknown key destinatons (did you mean destinations?)"},
		{"destinations:\n  - {name: a, kind: webhok, url: http://x}\n", "d.yml:2: destination a: kind \"webhok\" (did you mean webhook?)"},
		{"destinations:\n  - {name: a, kind: webhook, url: http://x}\n", "needs a secret"},
		{"destinations:\n  - {name: a, kind: slack, url: ftp://x}\n", "not an http(s) URL"},
		{"destinations:\n  - {name: a, kind: email, smtp: x:25}\n", "email needs smtp (host:port), from and to"},
		{"destinations:\n  - {name: a, kind: slack, url: http://x}\ndefaults:\n  Urgent: [a]\n  High: [b]\n", "d.yml:4: defaults: \"Urgent\" is not a severity"},
		{"destinations:\n  - {name: a, kind: slack, url: http://x}\ndefaults:\n  High: [b]\n", "d.yml:4: defaults.High: no destination named \"b\""},
		{"destinations:\n  - {name: a, kind: slack, url: http://x, colour: red}\n", "unknown key colour"},
		{"retry: {attempts: 0, base: 1s, max: 2s}\n", "retry: attempts ≥ 1"},
	}
	for _, c := range cases {
		_, err := Load("d.yml", []byte(c.src), func(string) string { return "" })
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: %v, want %q", c.src, err, c.want)
		}
	}
}

func TestBackoff(t *testing.T) {
	d := &Dispatcher{Retry: Retry{Attempts: 10, Base: time.Second, Max: 8 * time.Second}}
	for n, want := range map[int]time.Duration{1: time.Second, 2: 2 * time.Second, 3: 4 * time.Second, 4: 8 * time.Second, 9: 8 * time.Second} {
		for range 20 {
			if w := d.backoff(n); w < want/2 || w > want {
				t.Fatalf("attempt %d: %v not in [%v, %v]", n, w, want/2, want)
			}
		}
	}
}

func FuzzLoad(f *testing.F) {
	f.Add([]byte("destinations:\n  - {name: a, kind: slack, url: http://x}\ndefaults:\n  High: [a]\nretry: {attempts: 3, base: 1s, max: 2s}\n"))
	f.Add([]byte("destinations:\n  - {name: m, kind: email, smtp: 'x:25', from: a@b, to: [c@d]}\n"))
	f.Add([]byte("destinatons: []\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Load("f.yml", data, func(string) string { return "secret-secret" })
		if err == nil && c == nil {
			t.Fatal("no config and no error")
		}
	})
}
