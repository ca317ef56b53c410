package serve_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"panther/auth"
	"panther/engine"
	"panther/engine/live"
	"panther/engine/live/livetest"
	"panther/ingest"
	"panther/packs"
	"panther/packs/server"
	"panther/parsers/logtypes"
	"panther/serve"
)

const (
	writeToken  = "write-token-0123456789abcdef"
	readToken   = "read-token-0123456789abcdef"
	ingestToken = "ingest-token-0123456789abcdef"
	pinnedToken = "pinned-token-0123456789abcdef"
)

type sink struct {
	mu      sync.Mutex
	list    []live.DetectionAlert
	onRaise func(live.DetectionAlert)
}

func (s *sink) RaiseDetection(_ context.Context, a live.DetectionAlert) error {
	if s.onRaise != nil {
		s.onRaise(a)
		return nil
	}
	s.mu.Lock()
	s.list = append(s.list, a)
	s.mu.Unlock()
	return nil
}

func (s *sink) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, a := range s.list {
		if a.First {
			n++
		}
	}
	return n
}

type svc struct {
	t      testing.TB
	url    string
	s      *serve.Service
	data   string
	alerts *sink
	stop   context.CancelFunc
	done   chan error
}

func start(t *testing.T, data string, mod func(*serve.Options)) *svc {
	t.Helper()
	tokens, err := auth.ParseTokens([]string{writeToken, "read:" + readToken, "ingest/fw:" + ingestToken,
		"ingest/pinned:" + pinnedToken + "?log_type=Syslog.RFC3164&label=dmz"})
	if err != nil {
		t.Fatal(err)
	}
	reg := logtypes.Default()
	v := &svc{t: t, data: data, alerts: &sink{}, done: make(chan error, 1)}
	ready := make(chan struct{})
	opts := serve.Options{
		Packs:          server.Options{DataDir: data, Tokens: tokens, Load: engine.LoadOptions{Registry: reg}},
		Listen:         "127.0.0.1:0",
		Registry:       reg,
		CommitInterval: time.Hour,
		Alerts:         v.alerts,
		Logger:         slog.New(slog.DiscardHandler),
		Ready: func(a net.Addr, s *serve.Service) {
			v.url = "http://" + a.String()
			v.s = s
			close(ready)
		},
	}
	if mod != nil {
		mod(&opts)
	}
	stop, cancel := context.WithCancel(context.Background())
	v.stop = cancel
	go func() { v.done <- serve.Run(stop, context.Background(), opts) }()
	select {
	case <-ready:
	case err := <-v.done:
		t.Fatalf("serve: %v", err)
	}
	t.Cleanup(func() {
		cancel()
		select {
		case <-v.done:
		case <-time.After(10 * time.Second):
		}
	})
	return v
}

func (v *svc) shutdown() {
	v.t.Helper()
	v.stop()
	if err := <-v.done; err != nil {
		v.t.Fatal(err)
	}
	v.done <- nil
}

func (v *svc) do(method, path, token string, body io.Reader, hdr ...string) (int, string) {
	v.t.Helper()
	req, _ := http.NewRequest(method, v.url+path, body)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		v.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// upload builds pack fsys and uploads it (activating it).
func (v *svc) upload(fsys fs.FS) {
	v.t.Helper()
	dir := v.t.TempDir()
	if err := os.CopyFS(dir, fsys); err != nil {
		v.t.Fatal(err)
	}
	set := engine.Load([]engine.Source{engine.DirSource(dir)}, engine.LoadOptions{Registry: logtypes.Default()})
	if set.Diagnostics.Errors() > 0 {
		v.t.Fatalf("%v", set.Diagnostics)
	}
	b, err := packs.Build(set, set.Packs[0].ID, packs.BuildOptions{})
	if err != nil {
		v.t.Fatal(err)
	}
	code, body := v.do("POST", "/api/v1/packs", writeToken, bytes.NewReader(b.Zip), "Content-Type", "application/zip")
	if code/100 != 2 {
		v.t.Fatalf("upload: %d %s", code, body)
	}
}

func (v *svc) status() serve.StatusBody {
	v.t.Helper()
	code, body := v.do("GET", "/api/v1/status", readToken, nil)
	if code != 200 {
		v.t.Fatalf("status: %d %s", code, body)
	}
	var st serve.StatusBody
	if err := json.Unmarshal([]byte(body), &st); err != nil {
		v.t.Fatal(err)
	}
	return st
}

func (v *svc) waitFor(what string, ok func(serve.StatusBody) bool) serve.StatusBody {
	v.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		st := v.status()
		if ok(st) {
			return st
		}
		if time.Now().After(deadline) {
			v.t.Fatalf("%s: %+v", what, st)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func syslogLines(app string, from, n int) string {
	var b strings.Builder
	for i := from; i < from+n; i++ {
		fmt.Fprintf(&b, "<34>1 2026-11-10T10:00:00.000Z bastion %s - - - seq=%d\n", app, i)
	}
	return b.String()
}

// TestServeEndToEnd: a pack uploaded to the store runs on events sent
// over HTTP and syslog; the lake holds them after a graceful stop.
func TestServeEndToEnd(t *testing.T) {
	data := t.TempDir()
	v := start(t, data, func(o *serve.Options) {
		cfg, err := serve.ParseSyslog("lab=tcp://127.0.0.1:0?plaintext=true&label=lab")
		if err != nil {
			t.Fatal(err)
		}
		o.Syslog = append(o.Syslog, cfg)
	})
	v.upload(livetest.Rule("P", "SSH.Rule", "sshd", 2))
	v.waitFor("pack running", func(st serve.StatusBody) bool { return st.Detections.Rules == 1 })

	code, body := v.do("POST", "/api/v1/ingest?log_type=Syslog.RFC5424&label=web", ingestToken, strings.NewReader(syslogLines("sshd", 0, 3)))
	if code != http.StatusAccepted {
		t.Fatalf("ingest: %d %s", code, body)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	io.WriteString(zw, syslogLines("cron", 3, 4))
	zw.Close()
	if code, body := v.do("POST", "/api/v1/ingest?log_type=Syslog.RFC5424", writeToken, &gz); code != http.StatusAccepted {
		t.Fatalf("gzip ingest: %d %s", code, body)
	}
	c, err := net.Dial("tcp", v.s.Listeners()[0].Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(c, syslogLines("sshd", 7, 2))
	c.Close()
	v.waitFor("events processed", func(st serve.StatusBody) bool { return st.Detections.Events == 9 })
	// 3 sshd events over HTTP and 2 over syslog, one host: one alert,
	// raised at the second event, counting 5 by the end.
	if n := v.alerts.count(); n != 1 {
		t.Fatalf("%d alerts, want 1", n)
	}
	code, body = v.do("GET", "/metrics", readToken, nil)
	if code != 200 || !strings.Contains(body, `panther_events_parsed_total{input="http",log_type="Syslog.RFC5424"} 7`) ||
		!strings.Contains(body, `panther_events_parsed_total{input="syslog/lab",log_type="Syslog.RFC5424"} 2`) {
		t.Fatalf("metrics: %d\n%s", code, grep(body, "panther_events"))
	}
	v.shutdown()
	// Its later matches reach the sink once a tick, and at the end.
	if last := v.alerts.list[len(v.alerts.list)-1]; last.EventCount != 5 || last.PackVersion != "P@1" || last.Dedup != "bastion" {
		t.Fatalf("last raise: count %d, pack %s, dedup %s", last.EventCount, last.PackVersion, last.Dedup)
	}
	lake := filepath.Join(data, "lake")
	if n := livetest.Count(t, lake, "syslog_rfc5424", ""); n != 9 {
		t.Fatalf("lake: %d events, want 9", n)
	}
	if n := livetest.Count(t, lake, "syslog_rfc5424", "count(*) FILTER (WHERE p_source_label = 'lab')"); n != 2 {
		t.Fatalf("lake: %d events labelled lab, want 2", n)
	}
}

func grep(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// TestServeTokens: every live endpoint refuses a missing or wrong token,
// and each role gets exactly what it may do.
func TestServeTokens(t *testing.T) {
	v := start(t, t.TempDir(), nil)
	line := func() io.Reader { return strings.NewReader("<13>Nov 10 10:00:00 host app: hi\n") }
	for _, tc := range []struct {
		method, path string
		body         func() io.Reader
		want         map[string]int // token -> status
	}{
		{"POST", "/api/v1/ingest?log_type=Syslog.RFC3164", line, map[string]int{"": 401, "wrong-token-0123456789": 401, readToken: 403, ingestToken: 202, writeToken: 202}},
		{"GET", "/api/v1/status", nil, map[string]int{"": 401, "wrong-token-0123456789": 401, readToken: 200, ingestToken: 403, writeToken: 200}},
		{"GET", "/api/v1/deadletters", nil, map[string]int{"": 401, "wrong-token-0123456789": 401, readToken: 200, ingestToken: 403, writeToken: 200}},
		{"GET", "/metrics", nil, map[string]int{"": 401, "wrong-token-0123456789": 401, readToken: 200, ingestToken: 403, writeToken: 200}},
		{"GET", "/api/v1/packs", nil, map[string]int{"": 401, readToken: 200, ingestToken: 403, writeToken: 200}},
		{"POST", "/api/v1/packs/X/rollback", nil, map[string]int{"": 401, readToken: 403, ingestToken: 403}},
	} {
		for tok, want := range tc.want {
			var body io.Reader
			if tc.body != nil {
				body = tc.body()
			}
			if code, resp := v.do(tc.method, tc.path, tok, body); code != want {
				t.Errorf("%s %s with %.6q: %d, want %d (%s)", tc.method, tc.path, tok, code, want, resp)
			}
		}
	}
	// A pinned token: its log type and label, and no other.
	if code, body := v.do("POST", "/api/v1/ingest", pinnedToken, line()); code != 202 || !strings.Contains(body, `"log_type":"Syslog.RFC3164"`) || !strings.Contains(body, `"label":"dmz"`) {
		t.Errorf("pinned: %d %s", code, body)
	}
	if code, _ := v.do("POST", "/api/v1/ingest?log_type=AWS.CloudTrail", pinnedToken, line()); code != 403 {
		t.Errorf("pinned token sending another log type: %d, want 403", code)
	}
	if code, _ := v.do("POST", "/api/v1/ingest?label=other", pinnedToken, line()); code != 403 {
		t.Errorf("pinned token sending another label: %d, want 403", code)
	}
}

// TestServeIngestLimits: a gzip bomb, a body over the limit, an unknown
// log type, the per-token rate.
func TestServeIngestLimits(t *testing.T) {
	v := start(t, t.TempDir(), func(o *serve.Options) {
		o.HTTPIngest = ingest.HTTPOptions{MaxBody: 1 << 20, MaxDecompressed: 4 << 20, RatePerToken: 0.1}
	})
	var bomb bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&bomb, gzip.BestCompression)
	zero := make([]byte, 1<<20)
	for i := 0; i < 64; i++ { // 64 MiB of zeros, 64 KiB compressed
		zw.Write(zero)
	}
	zw.Close()
	code, body := v.do("POST", "/api/v1/ingest", writeToken, bytes.NewReader(bomb.Bytes()))
	if code != 413 || !strings.Contains(body, "decompresses to more than 4 MiB") {
		t.Fatalf("gzip bomb: %d %s", code, body)
	}
	code, body = v.do("POST", "/api/v1/ingest", ingestToken, bytes.NewReader(make([]byte, 2<<20)))
	if code != 413 {
		t.Fatalf("2 MiB body: %d %s", code, body)
	}
	code, body = v.do("POST", "/api/v1/ingest?log_type=AWS.CloudTrial", readToken, strings.NewReader("x"))
	if code != 403 {
		t.Fatalf("read token: %d %s", code, body)
	}
	code, body = v.do("POST", "/api/v1/ingest?log_type=AWS.CloudTrial", ingestToken, strings.NewReader("x"))
	if code != 400 || !strings.Contains(body, "did you mean AWS.CloudTrail?") {
		t.Fatalf("unknown log type: %d %s", code, body)
	}
	// A rate of 0.1 a second: one request, then 429.
	if code, body := v.do("POST", "/api/v1/ingest", pinnedToken, strings.NewReader("x")); code != 202 {
		t.Fatalf("first request: %d %s", code, body)
	}
	req, _ := http.NewRequest("POST", v.url+"/api/v1/ingest", strings.NewReader("x"))
	req.Header.Set("Authorization", "Bearer "+pinnedToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("over the rate: %d, Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
}
