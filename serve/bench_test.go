package serve_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/valyala/fastjson"

	"panther/auth"
	"panther/detections"
	"panther/engine"
	"panther/engine/enginetest"
	"panther/engine/live"
	"panther/engine/live/livetest"
	"panther/ingest/ingesttest"
	"panther/packs"
	"panther/packs/packstest"
	"panther/packs/server"
	"panther/parsers/logtypes"
	"panther/serve"
)

// The live benchmarks start the whole service in this process on
// loopback (lake on, every shipped pack uploaded and active) and drive it
// with a load generator in the same process, so the generator's CPU is
// counted on the same cores. Each reports events/s: events sent divided
// by the time until the pipeline has processed (parsed, evaluated,
// written to the lake) the last of them.

// benchService starts a service with the shipped packs active.
func benchService(b *testing.B, mod func(*serve.Options)) *svc {
	b.Helper()
	tokens, _ := auth.ParseTokens([]string{writeToken, "read:" + readToken})
	reg := logtypes.Default()
	v := &svc{t: b, alerts: &sink{}, done: make(chan error, 1)}
	ready := make(chan struct{})
	data := b.TempDir()
	opts := serve.Options{
		Packs:          server.Options{DataDir: data, Tokens: tokens, Load: engine.LoadOptions{Registry: reg}},
		Listen:         "127.0.0.1:0",
		Registry:       reg,
		CommitInterval: 10 * time.Second,
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
	<-ready
	b.Cleanup(func() { cancel(); <-v.done })
	// Every shipped pack.
	set := engine.Load([]engine.Source{{FS: detections.FS, Root: ".", Display: "detections"}, {FS: packs.FS, Root: ".", Display: "packs"}},
		engine.LoadOptions{Registry: reg})
	for _, p := range set.Packs {
		built, err := packs.Build(set, p.ID, packs.BuildOptions{})
		if err != nil {
			b.Fatal(err)
		}
		req, _ := http.NewRequest("POST", v.url+"/api/v1/packs", bytes.NewReader(built.Zip))
		req.Header.Set("Authorization", "Bearer "+writeToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode/100 != 2 {
			b.Fatalf("upload %s: %d %s", p.ID, resp.StatusCode, body)
		}
	}
	deadline := time.Now().Add(30 * time.Second)
	for v.s.Pipeline().Status().Rules < 100 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	b.Logf("%d rules running; peak RSS of the set-up (packs built, uploaded and tested) %s", v.s.Pipeline().Status().Rules, maxRSS())
	resetPeakRSS()
	debug.SetMemoryLimit(400 << 20) // as panther serve runs (cmd.ServeMemoryLimit)
	return v
}

// waitEvents waits until the pipeline has processed n events in all.
func waitEvents(b *testing.B, v *svc, n int64) {
	for v.s.Pipeline().Status().Events < n {
		time.Sleep(2 * time.Millisecond)
	}
}

// cloudTrailBatches generates n CloudTrail events as NDJSON batches of
// per events (cached in $TMPDIR).
func cloudTrailBatches(b *testing.B, n, per int) [][]byte {
	dir := filepath.Join(os.TempDir(), fmt.Sprintf("panther-bench-live-ct-%d", n))
	if _, err := os.Stat(filepath.Join(dir, "done")); err != nil {
		os.RemoveAll(dir)
		if _, err := enginetest.CloudTrail(enginetest.CloudTrailOptions{Dir: dir, Events: int64(n), Days: 1, Seed: 7}); err != nil {
			b.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, "done"), nil, 0o644)
	}
	var lines [][]byte
	var p fastjson.Parser
	filepath.Walk(dir, func(path string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() || filepath.Ext(path) != ".gz" {
			return err
		}
		f, _ := os.Open(path)
		defer f.Close()
		zr, err := gzip.NewReader(f)
		if err != nil {
			return err
		}
		raw, _ := io.ReadAll(zr)
		v, err := p.ParseBytes(raw)
		if err != nil {
			return err
		}
		for _, r := range v.GetArray("Records") {
			lines = append(lines, r.MarshalTo(nil))
		}
		return nil
	})
	var out [][]byte
	for i := 0; i < len(lines); i += per {
		var buf bytes.Buffer
		for _, l := range lines[i:min(i+per, len(lines))] {
			buf.Write(l)
			buf.WriteByte('\n')
		}
		out = append(out, buf.Bytes())
	}
	return out
}

// resetPeakRSS starts the peak RSS (VmHWM) afresh (Linux: clear_refs 5).
func resetPeakRSS() { _ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0o644) }

func maxRSS() string {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "?"
	}
	for _, l := range bytes.Split(b, []byte("\n")) {
		if bytes.HasPrefix(l, []byte("VmHWM:")) {
			return string(bytes.TrimSpace(l[6:]))
		}
	}
	return "?"
}

// BenchmarkLiveHTTPCloudTrail: CloudTrail over HTTP, NDJSON batches of
// 1,000 events, 8 clients, every shipped detection, lake on.
func BenchmarkLiveHTTPCloudTrail(b *testing.B) {
	// 20,000 distinct events sent 10 times (each send is new events to
	// the service: new sequence numbers, new row ids), so the generator
	// holds little memory.
	batches := cloudTrailBatches(b, 20_000, 1000)
	const rounds = 10
	v := benchService(b, nil)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
	var sent atomic.Int64
	b.ResetTimer()
	start, cpu0 := time.Now(), packstest.CPUTime()
	var total int64
	for i := 0; i < b.N; i++ {
		var wg sync.WaitGroup
		var next atomic.Int64
		for c := 0; c < 8; c++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					k := int(next.Add(1) - 1)
					if k >= rounds*len(batches) {
						return
					}
					k %= len(batches)
					for {
						req, _ := http.NewRequest("POST", v.url+"/api/v1/ingest?log_type=AWS.CloudTrail", bytes.NewReader(batches[k]))
						req.Header.Set("Authorization", "Bearer "+writeToken)
						resp, err := client.Do(req)
						if err != nil {
							b.Error(err)
							return
						}
						io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
						if resp.StatusCode == http.StatusAccepted {
							sent.Add(int64(bytes.Count(batches[k], []byte("\n"))))
							break
						}
						if resp.StatusCode != http.StatusTooManyRequests {
							b.Errorf("ingest: %d", resp.StatusCode)
							return
						}
						time.Sleep(50 * time.Millisecond)
					}
				}
			}()
		}
		wg.Wait()
		total = sent.Load()
		waitEvents(b, v, total)
	}
	el, cpu := time.Since(start), packstest.CPUTime()-cpu0
	b.StopTimer()
	b.ReportMetric(float64(total)/el.Seconds(), "events/s")
	b.ReportMetric(float64(total)/cpu.Seconds(), "events/cpu-s")
	b.Logf("CPU %v: %.0f events per CPU second, %.1f µs an event (service and load generator)", cpu.Round(time.Millisecond),
		float64(total)/cpu.Seconds(), cpu.Seconds()/float64(total)*1e6)
	b.Logf("%d events in %v (%.0f events/s), GOMAXPROCS %d, peak RSS %s, alerts %d", total, el.Round(time.Millisecond),
		float64(total)/el.Seconds(), runtime.GOMAXPROCS(0), maxRSS(), v.s.Pipeline().Status().Alerts)
}

// BenchmarkLiveSyslogTLS: RFC 5424 sshd/sudo/cron lines over TLS with
// octet counting, 100 connections, every shipped detection, lake on.
func BenchmarkLiveSyslogTLS(b *testing.B) {
	pki := ingesttest.NewPKI(b)
	v := benchService(b, func(o *serve.Options) {
		cfg, err := serve.ParseSyslog("bench=tls://127.0.0.1:0?max_connections=2000&tls_cert=" + pki.ServerCert + "&tls_key=" + pki.ServerKey)
		if err != nil {
			b.Fatal(err)
		}
		o.Syslog = append(o.Syslog, cfg)
	})
	addr := v.s.Listeners()[0].Addr().String()
	const conns, perConn = 100, 5000
	apps := []string{"sshd", "sudo", "cron", "systemd", "kernel"}
	msgs := []string{"Failed password for invalid user admin from 203.0.113.9 port 52113 ssh2",
		"Accepted publickey for deploy from 198.51.100.7 port 40022 ssh2: ED25519 SHA256:abc",
		"deploy : TTY=pts/0 ; PWD=/home/deploy ; USER=root ; COMMAND=/usr/bin/systemctl restart nginx",
		"(root) CMD (run-parts /etc/cron.hourly)", "Started Session 42 of user deploy."}
	payload := make([][]byte, conns)
	for c := range payload {
		var buf bytes.Buffer
		for i := 0; i < perConn; i++ {
			k := (c + i) % len(apps)
			line := fmt.Sprintf("<38>1 2026-11-10T10:%02d:%02d.%03dZ host%d %s %d - - %s", i/60%60, i%60, i%1000, c, apps[k], 1000+c, msgs[k])
			buf.WriteString(strconv.Itoa(len(line)))
			buf.WriteByte(' ')
			buf.WriteString(line)
		}
		payload[c] = buf.Bytes()
	}
	// 1,000 idle TLS connections held open during the load.
	var idle []net.Conn
	for k := 0; k < 1000; k++ {
		c, err := tls.Dial("tcp", addr, pki.ClientTLS(nil))
		if err != nil {
			b.Fatal(err)
		}
		idle = append(idle, c)
	}
	defer func() {
		for _, c := range idle {
			c.Close()
		}
	}()
	b.ResetTimer()
	start, cpu0 := time.Now(), packstest.CPUTime()
	var total int64
	for i := 0; i < b.N; i++ {
		var wg sync.WaitGroup
		for c := 0; c < conns; c++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				conn, err := tls.Dial("tcp", addr, pki.ClientTLS(nil))
				if err != nil {
					b.Error(err)
					return
				}
				defer conn.Close()
				if _, err := conn.Write(payload[c]); err != nil {
					b.Error(err)
				}
			}()
		}
		wg.Wait()
		total += conns * perConn
		waitEvents(b, v, total)
	}
	el, cpu := time.Since(start), packstest.CPUTime()-cpu0
	b.StopTimer()
	b.ReportMetric(float64(total)/el.Seconds(), "events/s")
	b.ReportMetric(float64(total)/cpu.Seconds(), "events/cpu-s")
	b.Logf("CPU %v: %.0f events per CPU second, %.1f µs an event (service and load generator)", cpu.Round(time.Millisecond),
		float64(total)/cpu.Seconds(), cpu.Seconds()/float64(total)*1e6)
	b.Logf("%d lines in %v (%.0f lines/s) with %d idle TLS connections open, peak RSS %s, alerts %d", total, el.Round(time.Millisecond), float64(total)/el.Seconds(), len(idle), maxRSS(), v.s.Pipeline().Status().Alerts)
}

// BenchmarkLiveAlertLatency: 10,000 events/s over HTTP (batches of 100
// every 10 ms) for 10 s, of which one in 100 matches a rule with
// threshold 1 and a dedup of its own; the latency is from the request's
// send to the alert sink's receipt (the sink the alert store plugs into).
func BenchmarkLiveAlertLatency(b *testing.B) {
	v := benchService(b, nil)
	v.upload(livetest.Rule("Latency", "Latency.Rule", "probe", 1))
	for v.s.Pipeline().Generation().VersionOf("Latency.Rule") == "" {
		time.Sleep(10 * time.Millisecond)
	}
	var mu sync.Mutex
	sentAt := map[string]time.Time{}
	var lat []time.Duration
	v.alerts.onRaise = func(a live.DetectionAlert) {
		if a.RuleID != "Latency.Rule" || !a.First {
			return
		}
		mu.Lock()
		if t0, ok := sentAt[a.Dedup]; ok {
			lat = append(lat, time.Since(t0))
		}
		mu.Unlock()
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		tick := time.NewTicker(10 * time.Millisecond)
		end := time.Now().Add(10 * time.Second)
		k := 0
		var wg sync.WaitGroup
		for now := range tick.C {
			if now.After(end) {
				break
			}
			var buf bytes.Buffer
			var probe string
			for j := 0; j < 100; j++ {
				app := "cron"
				host := "h"
				if j == 50 {
					app, host = "probe", fmt.Sprintf("p%d-%d", i, k)
					probe = host
				}
				fmt.Fprintf(&buf, "<38>1 2026-11-10T10:00:00.000Z %s %s - - - event %d\n", host, app, k)
			}
			k++
			mu.Lock()
			sentAt[probe] = time.Now()
			mu.Unlock()
			wg.Add(1)
			go func(body []byte) {
				defer wg.Done()
				req, _ := http.NewRequest("POST", v.url+"/api/v1/ingest?log_type=Syslog.RFC5424", bytes.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+writeToken)
				resp, err := http.DefaultClient.Do(req)
				if err == nil {
					resp.Body.Close()
				}
			}(buf.Bytes())
		}
		tick.Stop()
		wg.Wait()
		time.Sleep(time.Second)
	}
	b.StopTimer()
	mu.Lock()
	defer mu.Unlock()
	slices.Sort(lat)
	if len(lat) == 0 {
		b.Fatal("no alert")
	}
	p := func(q float64) time.Duration { return lat[int(q*float64(len(lat)-1))] }
	b.ReportMetric(float64(p(0.5).Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(p(0.99).Microseconds())/1000, "p99-ms")
	b.Logf("%d alerts: p50 %v, p99 %v, max %v", len(lat), p(0.5), p(0.99), lat[len(lat)-1])
}

// benchSeconds is how long the long runs last: 60 s by default
// (PANTHER_BENCH_SECONDS to change).
func benchSeconds() time.Duration {
	if s, err := strconv.Atoi(os.Getenv("PANTHER_BENCH_SECONDS")); err == nil && s > 0 {
		return time.Duration(s) * time.Second
	}
	return 60 * time.Second
}

// BenchmarkLiveHotSwap: numbered syslog events over HTTP for 60 s while a
// pack is activated 20 times, alternating two versions; afterwards every
// acknowledged event is in the lake once, and every event was evaluated
// once (rule_matches: each version's rule matches every event).
func BenchmarkLiveHotSwap(b *testing.B) {
	for i := 0; i < b.N; i++ {
		data := b.TempDir()
		v := startBench(b, data)
		v.upload(livetest.Rule("Swap", "Swap.Rule", "app", 1000000))
		v.upload(livetest.Rule("Swap", "Swap.Rule", "app", 999999))
		for v.s.Pipeline().Generation().VersionOf("Swap.Rule") != "Swap@2" {
			time.Sleep(10 * time.Millisecond)
		}
		dur := benchSeconds()
		end := time.Now().Add(dur)
		var acked atomic.Int64
		var wg sync.WaitGroup
		for c := 0; c < 4; c++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for k := 0; time.Now().Before(end); k++ {
					var buf bytes.Buffer
					for j := 0; j < 200; j++ {
						fmt.Fprintf(&buf, "<13>1 2026-11-10T10:00:00Z h app - - - c%d-%d-%d\n", c, k, j)
					}
					if code, _ := v.do("POST", "/api/v1/ingest?log_type=Syslog.RFC5424", writeToken, &buf); code == http.StatusAccepted {
						acked.Add(200)
					}
				}
			}()
		}
		swaps := 0
		for k := 0; k < 20; k++ {
			time.Sleep(dur / 21)
			code, body := v.do("POST", fmt.Sprintf("/api/v1/packs/Swap/versions/%d/activate", 1+k%2), writeToken, nil)
			if code != 200 {
				b.Fatalf("activate: %d %s", code, body)
			}
			swaps++
		}
		wg.Wait()
		n := acked.Load()
		waitEvents(b, v, n)
		gen := v.s.Pipeline().Status().Generation
		v.shutdown()
		lake := filepath.Join(data, "lake")
		total := livetest.Count(b, lake, "syslog_rfc5424", "")
		distinct := livetest.Count(b, lake, "syslog_rfc5424", "count(DISTINCT message)")
		matches := livetest.Count(b, lake, "rule_matches", "")
		b.Logf("%d swaps (%d generations), %d events acknowledged; lake: %d events, %d distinct, %d rule matches",
			swaps, gen, n, total, distinct, matches)
		if total != n || distinct != n || matches != n {
			b.Fatalf("lost or doubled: acknowledged %d, lake %d (%d distinct), matches %d", n, total, distinct, matches)
		}
	}
}

// startBench starts a service without packs.
func startBench(b *testing.B, data string) *svc {
	tokens, _ := auth.ParseTokens([]string{writeToken, "read:" + readToken})
	reg := logtypes.Default()
	v := &svc{t: b, alerts: &sink{}, done: make(chan error, 1), data: data}
	ready := make(chan struct{})
	stop, cancel := context.WithCancel(context.Background())
	v.stop = cancel
	go func() {
		v.done <- serve.Run(stop, context.Background(), serve.Options{
			Packs:  server.Options{DataDir: data, Tokens: tokens, Load: engine.LoadOptions{Registry: reg}},
			Listen: "127.0.0.1:0", Registry: reg, CommitInterval: 10 * time.Second, Alerts: v.alerts,
			Logger: slog.New(slog.DiscardHandler),
			Ready: func(a net.Addr, s *serve.Service) {
				v.url, v.s = "http://"+a.String(), s
				close(ready)
			},
		})
	}()
	<-ready
	return v
}

// BenchmarkLiveKill9: kill -9 every 10 s during a 60 s HTTP load (the
// child server of TestKill9Durability); every acknowledged event is in
// the lake exactly once at the end.
func BenchmarkLiveKill9(b *testing.B) {
	for i := 0; i < b.N; i++ {
		n, sent, total := killRun(b, b.TempDir(), benchSeconds(), 10*time.Second)
		b.Logf("%d kills; %d events sent, %d acknowledged; the lake holds %d, each once", int(benchSeconds()/(10*time.Second)), sent, n, total)
	}
}
