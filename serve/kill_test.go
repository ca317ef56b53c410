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
	"syscall"
	"testing"
	"time"

	"panther/auth"
	"panther/engine"
	"panther/engine/live/livetest"
	"panther/packs/server"
	"panther/parsers/logtypes"
	"panther/serve"
)

// The kill test runs this package's test binary again as a child that
// serves, and kills it with SIGKILL while a client sends numbered events.
const childEnv = "PANTHER_SERVE_TEST_CHILD"

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
	err := serve.Run(stop, context.Background(), serve.Options{
		Packs:          server.Options{DataDir: dir, Tokens: tokens, Load: engine.LoadOptions{Registry: reg}},
		Listen:         "127.0.0.1:0",
		Registry:       reg,
		CommitInterval: 300 * time.Millisecond,
		Logger:         slog.New(slog.NewTextHandler(os.Stderr, nil)),
		Ready: func(a net.Addr, _ *serve.Service) {
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

func startChild(t *testing.T, dir string) *child {
	t.Helper()
	os.Remove(filepath.Join(dir, "addr"))
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+dir)
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
	dir := t.TempDir()
	var mu sync.Mutex
	acked := map[int]bool{} // batch number -> answered 202
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
			if err != nil {
				return // killed
			}
			resp.Body.Close()
			if resp.StatusCode == http.StatusAccepted {
				mu.Lock()
				acked[batch] = true
				mu.Unlock()
			}
			batch++
		}
	}
	for round := 0; round < 2; round++ {
		c := startChild(t, dir)
		done := make(chan struct{})
		go func() {
			send(c, time.Now().Add(3*time.Second))
			close(done)
		}()
		time.Sleep(time.Duration(200+rand.IntN(600)) * time.Millisecond)
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
	n := 0
	for b := range acked {
		n++
		for i := 0; i < per; i++ {
			if seen[fmt.Sprintf("seq=%d", b*per+i)] != 1 {
				t.Fatalf("acknowledged event seq=%d is not in the lake", b*per+i)
			}
		}
	}
	t.Logf("%d batches sent, %d acknowledged; the lake holds %d events, each once", batch, n, len(seen))
}
