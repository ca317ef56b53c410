package destinations

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"panther/alerts"
)

// selfSigned returns a certificate for 127.0.0.1 and a pool trusting it.
func selfSigned(t testing.TB) (tls.Certificate, *x509.CertPool) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, pool
}

// smtpServer is a small SMTP server for tests: EHLO, STARTTLS, AUTH
// PLAIN, MAIL, RCPT, DATA, QUIT. It records each message and whether it
// came over TLS.
type smtpServer struct {
	ln       net.Listener
	cert     tls.Certificate
	starttls bool
	mu       sync.Mutex
	msgs     []smtpMsg
	wg       sync.WaitGroup
}

type smtpMsg struct {
	tls      bool
	from     string
	rcpt     []string
	data     string
	authUser string
}

func startSMTP(t testing.TB, cert tls.Certificate, starttls bool) *smtpServer {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &smtpServer{ln: ln, cert: cert, starttls: starttls}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.wg.Add(1)
			go func() { defer s.wg.Done(); s.serve(c) }()
		}
	}()
	t.Cleanup(func() { ln.Close(); s.wg.Wait() })
	return s
}

func (s *smtpServer) serve(c net.Conn) {
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	r, w := bufio.NewReader(c), bufio.NewWriter(c)
	say := func(line string) { w.WriteString(line + "\r\n"); w.Flush() }
	var m smtpMsg
	say("220 test ESMTP")
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimRight(line, "\r\n")
		cmd := strings.ToUpper(strings.SplitN(line, " ", 2)[0])
		switch cmd {
		case "EHLO", "HELO":
			if s.starttls && !m.tls {
				say("250-test")
				say("250 STARTTLS")
			} else {
				say("250-test")
				say("250 AUTH PLAIN")
			}
		case "STARTTLS":
			say("220 go ahead")
			tc := tls.Server(c, &tls.Config{Certificates: []tls.Certificate{s.cert}})
			if err := tc.Handshake(); err != nil {
				return
			}
			c = tc
			r, w = bufio.NewReader(tc), bufio.NewWriter(tc)
			m.tls = true
		case "AUTH":
			m.authUser = "plain"
			say("235 ok")
		case "MAIL":
			m.from = line
			say("250 ok")
		case "RCPT":
			m.rcpt = append(m.rcpt, line)
			say("250 ok")
		case "DATA":
			say("354 go")
			var b strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				b.WriteString(l)
			}
			m.data = b.String()
			s.mu.Lock()
			s.msgs = append(s.msgs, m)
			s.mu.Unlock()
			say("250 queued")
		case "QUIT":
			say("221 bye")
			return
		default:
			say("502 what")
		}
	}
}

func TestEmailOverSTARTTLS(t *testing.T) {
	cert, pool := selfSigned(t)
	srv := startSMTP(t, cert, true)
	e := &Email{Addr: srv.ln.Addr().String(), From: "panther@example.com", To: []string{"soc@example.com", "oncall@example.com"},
		Username: "panther", Password: "pw", TLS: &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"}, ConsoleURL: "https://p.example.com"}
	a := &alerts.Alert{ID: 7, Kind: alerts.KindEvent, Severity: alerts.SevHigh, Status: alerts.StatusOpen, Node: "db1", Tally: 3,
		Title: "disk full\r\nBcc: victim@example.com", Runbook: "1. look\n.\n2. fix"}
	if err := e.Send(bg, a, alerts.Delivery{ID: 11, Reason: "created"}); err != nil {
		t.Fatal(err)
	}
	if len(srv.msgs) != 1 {
		t.Fatalf("%d messages", len(srv.msgs))
	}
	m := srv.msgs[0]
	if !m.tls || m.authUser == "" || len(m.rcpt) != 2 {
		t.Fatalf("%+v", m)
	}
	head, body, _ := strings.Cut(m.data, "\r\n\r\n")
	if strings.Contains(head, "\r\nBcc:") {
		t.Fatalf("a header was injected:\n%s", head)
	}
	if !strings.Contains(head, "Subject: [HIGH] disk full") || !strings.Contains(body, "https://p.example.com/alerts/7") || !strings.Contains(body, "\r\n..\r\n") {
		t.Fatalf("message:\n%s", m.data)
	}
	// A server without STARTTLS is refused, permanently.
	plain := startSMTP(t, cert, false)
	e.Addr = plain.ln.Addr().String()
	err := e.Send(bg, a, alerts.Delivery{ID: 12})
	se, _ := err.(*SendError)
	if se == nil || !se.Permanent || !strings.Contains(err.Error(), "STARTTLS") || len(plain.msgs) != 0 {
		t.Fatalf("%v", err)
	}
}
