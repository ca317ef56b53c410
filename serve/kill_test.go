package serve_test

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"panther/auth"
	"panther/engine"
	"panther/engine/live/livetest"
	"panther/ingest/syslog"
	"panther/packs/server"
	"panther/parsers/logtypes"
	"panther/serve"
)

// The kill test runs this package's test binary again as a child that
// serves, and kills it with SIGKILL while a client sends numbered events.
const (
	childEnv       = "PANTHER_SERVE_TEST_CHILD"
	childSyslogEnv = "PANTHER_SERVE_TEST_SYSLOG"
)

func TestMain(m *testing.M) {
	if dir := os.Getenv(childEnv); dir != "" {
		os.Exit(childMain(dir))
	}
	os.Exit(m.Run())
}

// childMain serves with data in dir, writes its address to dir/addr, and
// stops gracefully on SIGTERM.
func childMain(dir string) int {
	tokens, _ := auth.ParseTokens([]string{writeToken})
	reg := logtypes.Default()
	stop, cancel := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer cancel()
	var listeners []syslog.Config
	if os.Getenv(childSyslogEnv) != "" {
		c, _ := serve.ParseSyslog("kill=tcp://127.0.0.1:0?plaintext=true")
		listeners = append(listeners, c)
	}
	err := serve.Run(stop, context.Background(), serve.Options{
		Syslog:         listeners,
		Packs:          server.Options{DataDir: dir, Tokens: tokens, Load: engine.LoadOptions{Registry: reg}},
		Listen:         "127.0.0.1:0",
		Registry:       reg,
		CommitInterval: 300 * time.Millisecond,
		Logger:         slog.New(slog.NewTextHandler(os.Stderr, nil)),
		Ready: func(a net.Addr, s *serve.Service) {
			if ls := s.Listeners(); len(ls) > 0 {
				os.WriteFile(filepath.Join(dir, "syslog-addr"), []byte(ls[0].Addr().String()), 0o644)
			}
			os.WriteFile(filepath.Join(dir, "addr.tmp"), []byte(a.String()), 0o644)
			os.Rename(filepath.Join(dir, "addr.tmp"), filepath.Join(dir, "addr"))
		},
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 3
	}
	return 0
}

type child struct {
	cmd *exec.Cmd
	url string
}

func startChild(t testing.TB, dir string, env ...string) *child {
	t.Helper()
	os.Remove(filepath.Join(dir, "addr"))
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(append(os.Environ(), childEnv+"="+dir), env...)
	cmd.Stderr = os.Stderr
	if testing.Verbose() == false {
		cmd.Stderr = nil
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		b, err := os.ReadFile(filepath.Join(dir, "addr"))
		if err == nil {
			return &child{cmd: cmd, url: "http://" + string(b)}
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatal("the child did not start")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestKill9Durability: numbered events are sent in batches while the
// server is killed with SIGKILL at random moments and restarted; at the
// end every batch that was answered 202 is in the lake exactly once.
func TestKill9Durability(t *testing.T) {
	if testing.Short() {
		t.Skip("kills child processes")
	}
	acked, sent, total := killRun(t, t.TempDir(), 2*time.Second, 0)
	if acked == 0 {
		t.Fatal("nothing was acknowledged")
	}
	t.Logf("%d events sent, %d acknowledged; the lake holds %d, each once", sent, acked, total)
}

// killRun sends numbered events to a child server for dur, killing it
// with SIGKILL every `every` (0: once, at a random moment of each of two
// rounds) and restarting it, then stops it gracefully and checks the lake:
// every acknowledged event once, no event twice.
func killRun(t testing.TB, dir string, dur, every time.Duration) (acked, sent, total int64) {
	var mu sync.Mutex
	ok := map[int]bool{} // batch number -> answered 202
	const per = 50
	batch := 0
	send := func(c *child, until time.Time) {
		for time.Now().Before(until) {
			var b strings.Builder
			for i := 0; i < per; i++ {
				fmt.Fprintf(&b, "<13>1 2026-11-10T10:00:00Z host app - - - seq=%d\n", batch*per+i)
			}
			req, _ := http.NewRequest("POST", c.url+"/api/v1/ingest?log_type=Syslog.RFC5424", strings.NewReader(b.String()))
			req.Header.Set("Authorization", "Bearer "+writeToken)
			resp, err := http.DefaultClient.Do(req)
			batch++
			if err != nil {
				return // killed
			}
			resp.Body.Close()
			if resp.StatusCode == http.StatusAccepted {
				mu.Lock()
				ok[batch-1] = true
				mu.Unlock()
			}
		}
	}
	rounds := 2
	if every > 0 {
		rounds = int(dur / every)
	}
	for round := 0; round < rounds; round++ {
		c := startChild(t, dir)
		done := make(chan struct{})
		wait := time.Duration(200+rand.IntN(600)) * time.Millisecond
		if every > 0 {
			wait = every
		}
		go func() {
			send(c, time.Now().Add(wait+time.Minute))
			close(done)
		}()
		time.Sleep(wait)
		c.cmd.Process.Kill() // SIGKILL
		c.cmd.Wait()
		<-done
	}
	// A last run that is stopped gracefully: it processes what the
	// journal holds and commits.
	c := startChild(t, dir)
	send(c, time.Now().Add(300*time.Millisecond))
	c.cmd.Process.Signal(syscall.SIGTERM)
	if err := c.cmd.Wait(); err != nil {
		t.Fatalf("graceful stop: %v", err)
	}
	lake := filepath.Join(dir, "lake")
	seen := map[string]int{}
	for _, m := range livetest.Strings(t, lake, "syslog_rfc5424", "message") {
		seen[m]++
	}
	for m, k := range seen {
		if k != 1 {
			t.Fatalf("%s is in the lake %d times", m, k)
		}
	}
	for b := range ok {
		acked += per
		for i := 0; i < per; i++ {
			if seen[fmt.Sprintf("seq=%d", b*per+i)] != 1 {
				t.Fatalf("acknowledged event seq=%d is not in the lake", b*per+i)
			}
		}
	}
	return acked, int64(batch * per), int64(len(seen))
}

// BenchmarkLiveSyslogKill9 measures what a kill -9 loses of syslog over
// TCP, which has no acknowledgement: 20 connections send numbered lines as
// fast as the server reads them; the server is killed after 2 s and
// restarted; the lines the senders' writes had returned for, minus those
// in the lake, were lost (socket buffers on both sides, and the batches
// the server had read and not yet appended).
func BenchmarkLiveSyslogKill9(b *testing.B) {
	for i := 0; i < b.N; i++ {
		dir := b.TempDir()
		c := startChild(b, dir, childSyslogEnv+"=1")
		addrB, _ := os.ReadFile(filepath.Join(dir, "syslog-addr"))
		var written atomic.Int64
		var wg sync.WaitGroup
		for k := 0; k < 20; k++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				conn, err := net.Dial("tcp", string(addrB))
				if err != nil {
					return
				}
				defer conn.Close()
				for n := 0; ; n++ {
					line := fmt.Sprintf("<13>1 2026-11-10T10:00:00Z h app - - - c%d-%d\n", k, n)
					if _, err := conn.Write([]byte(line)); err != nil {
						return
					}
					written.Add(1)
				}
			}()
		}
		time.Sleep(2 * time.Second)
		c.cmd.Process.Kill()
		c.cmd.Wait()
		wg.Wait()
		c = startChild(b, dir)
		c.cmd.Process.Signal(syscall.SIGTERM)
		c.cmd.Wait()
		in := int64(len(livetest.Strings(b, filepath.Join(dir, "lake"), "syslog_rfc5424", "message")))
		lost := written.Load() - in
		b.ReportMetric(float64(lost), "lines-lost")
		b.Logf("written (send returned) %d lines, in the lake %d: %d lost (%.2f%%)", written.Load(), in, lost, 100*float64(lost)/float64(written.Load()))
	}
}
