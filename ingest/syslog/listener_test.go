package syslog_test

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"panther/ingest"
	"panther/ingest/ingesttest"
	"panther/ingest/syslog"
)

type rig struct {
	t   *testing.T
	j   *ingest.Journal
	met *ingest.Metrics
	l   *syslog.Listener
	got []string
}

func listen(t *testing.T, cfg syslog.Config) *rig {
	t.Helper()
	j, err := ingest.OpenJournal(t.TempDir(), ingest.JournalOptions{})
	if err != nil {
		t.Fatal(err)
	}
	met := ingest.NewMetrics()
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:0"
	}
	l, err := syslog.Listen(cfg, j, met, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { l.Serve(ctx); close(done) }()
	t.Cleanup(func() {
		cancel()
		<-done
		j.Close()
	})
	return &rig{t: t, j: j, met: met, l: l}
}

// collect reads messages from the journal until it has n or 5 s passed.
func (r *rig) collect(n int) []string {
	r.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for len(r.got) < n && time.Now().Before(deadline) {
		e := r.j.TryNext()
		if e == nil {
			time.Sleep(5 * time.Millisecond)
			continue
		}
		if err := ingest.EachRecord(e.Data, func(rec []byte) error {
			r.got = append(r.got, string(rec))
			return nil
		}); err != nil {
			r.t.Fatal(err)
		}
		r.j.Done(e)
	}
	return r.got
}

func TestTCPLinesAndOctetsSplitAcrossPackets(t *testing.T) {
	r := listen(t, syslog.Config{Name: "t", Network: "tcp", Plaintext: true})
	c, err := net.Dial("tcp", r.l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.(*net.TCPConn).SetNoDelay(true)
	msg := "<34>1 2026-11-10T10:00:00Z host app - - - hello\nworld"
	stream := fmt.Sprintf("<13>first line\n%d %s<13>last line\n", len(msg), msg)
	// Byte by byte, with pauses: frames, and octet counts, split across
	// many TCP segments.
	for i := 0; i < len(stream); i++ {
		if _, err := c.Write([]byte{stream[i]}); err != nil {
			t.Fatal(err)
		}
		if i%7 == 0 {
			time.Sleep(time.Millisecond)
		}
	}
	got := r.collect(3)
	want := []string{"<13>first line", msg, "<13>last line"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("got %q\nwant %q", got, want)
	}
}

// TestHugeLineSkippedNeighboursGoOn: a 10 MB line is refused (skipped and
// counted); that connection and another one both go on.
func TestHugeLineSkippedNeighboursGoOn(t *testing.T) {
	r := listen(t, syslog.Config{Name: "t", Network: "tcp", Plaintext: true, MaxMessage: 64 << 10})
	big, err := net.Dial("tcp", r.l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer big.Close()
	other, err := net.Dial("tcp", r.l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	errc := make(chan error, 1)
	go func() {
		_, err := io.WriteString(big, "<13>before\n"+strings.Repeat("A", 10<<20)+"\n<13>after\n")
		errc <- err
	}()
	if _, err := io.WriteString(other, "<13>neighbour\n"); err != nil {
		t.Fatal(err)
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	got := r.collect(3)
	joined := strings.Join(got, "|")
	if len(got) != 3 || !strings.Contains(joined, "<13>before") || !strings.Contains(joined, "<13>after") || !strings.Contains(joined, "<13>neighbour") {
		t.Fatalf("got %d messages: %.200q", len(got), joined)
	}
	if n := testutilCount(t, r.met, "panther_ingest_refused_total"); n != 1 {
		t.Fatalf("refused %v, want 1", n)
	}
}

func TestTLSClientCertificates(t *testing.T) {
	pki := ingesttest.NewPKI(t)
	t.Run("no client CA: any client", func(t *testing.T) {
		r := listen(t, syslog.Config{Name: "t", Network: "tls", CertFile: pki.ServerCert, KeyFile: pki.ServerKey})
		c, err := tls.Dial("tcp", r.l.Addr().String(), pki.ClientTLS(nil))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		fmt.Fprintf(c, "5 <1>ab5 <1>cd")
		if got := r.collect(2); fmt.Sprint(got) != "[<1>ab <1>cd]" {
			t.Fatalf("got %q", got)
		}
	})
	t.Run("mTLS", func(t *testing.T) {
		r := listen(t, syslog.Config{Name: "t", Network: "tls", CertFile: pki.ServerCert, KeyFile: pki.ServerKey, ClientCA: pki.CA})
		for _, tc := range []struct {
			name string
			cert *tls.Certificate
			ok   bool
		}{{"signed by the CA", &pki.Client, true}, {"unknown certificate", &pki.Stranger, false}, {"no certificate", nil, false}} {
			c, err := tls.Dial("tcp", r.l.Addr().String(), pki.ClientTLS(tc.cert))
			if err == nil {
				// TLS 1.3: the server's refusal arrives with the first read.
				fmt.Fprintf(c, "<1>%s\n", tc.name)
				c.SetReadDeadline(time.Now().Add(2 * time.Second))
				_, err = c.Read(make([]byte, 1))
				c.Close()
			}
			refused := err != nil && !isTimeout(err)
			if refused == tc.ok {
				t.Errorf("%s: error %v", tc.name, err)
			}
		}
		if got := r.collect(1); fmt.Sprint(got) != "[<1>signed by the CA]" {
			t.Fatalf("got %q", got)
		}
		// The client sees the refusal before the server has counted it:
		// wait for the count (bounded), then check it is exactly 2.
		var n float64
		for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			if n = testutilCount(t, r.met, "panther_ingest_refused_total"); n >= 2 {
				break
			}
		}
		if n != 2 {
			t.Fatalf("refused %v, want 2", n)
		}
	})
}

func isTimeout(err error) bool {
	ne, ok := err.(net.Error)
	return ok && ne.Timeout()
}

func TestUDP(t *testing.T) {
	r := listen(t, syslog.Config{Name: "u", Network: "udp", Plaintext: true})
	c, err := net.Dial("udp", r.l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for i := 0; i < 5; i++ {
		fmt.Fprintf(c, "<13>datagram %d\n", i)
	}
	if got := r.collect(5); len(got) != 5 || got[4] != "<13>datagram 4" {
		t.Fatalf("got %q", got)
	}
}

func TestPlaintextIsOptIn(t *testing.T) {
	cfg := syslog.Config{Name: "x", Network: "tcp", Addr: "127.0.0.1:0"}
	if err := cfg.Check(); err == nil || !strings.Contains(err.Error(), "plaintext: true") {
		t.Fatalf("want a refusal naming plaintext: true, got %v", err)
	}
}

func TestMaxConnections(t *testing.T) {
	r := listen(t, syslog.Config{Name: "t", Network: "tcp", Plaintext: true, MaxConnections: 1})
	a, err := net.Dial("tcp", r.l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	fmt.Fprintf(a, "<1>a\n")
	r.collect(1)
	b, err := net.Dial("tcp", r.l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	b.SetReadDeadline(time.Now().Add(2 * time.Second))
	if _, err := b.Read(make([]byte, 1)); err != io.EOF {
		t.Fatalf("the second connection should be closed by the server, got %v", err)
	}
}
