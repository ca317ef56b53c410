package destinations

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"net"
	"net/smtp"
	"net/textproto"
	"strings"
	"time"

	"panther/alerts"
)

// Email sends a plain-text mail over SMTP with STARTTLS (required: a
// server that does not offer it is an error, unless Insecure). The
// subject is the alert's headline, MIME-encoded, with line breaks
// removed so a title from a log cannot add headers.
type Email struct {
	Addr     string // host:port
	From     string
	To       []string
	Username string
	Password string
	// TLS configures STARTTLS (nil: the system's roots, ServerName from Addr).
	TLS        *tls.Config
	Insecure   bool
	ConsoleURL string
	Timeout    time.Duration
	Now        func() time.Time
}

// Send implements Sender.
func (e *Email) Send(ctx context.Context, a *alerts.Alert, d alerts.Delivery) error {
	timeout := e.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	dl := time.Now().Add(timeout)
	if t, ok := ctx.Deadline(); ok && t.Before(dl) {
		dl = t
	}
	var dialer net.Dialer
	conn, err := dialer.DialContext(ctx, "tcp", e.Addr)
	if err != nil {
		return &SendError{Err: err}
	}
	defer conn.Close()
	conn.SetDeadline(dl)
	host, _, _ := net.SplitHostPort(e.Addr)
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		return smtpErr(err)
	}
	defer c.Close()
	if ok, _ := c.Extension("STARTTLS"); ok {
		cfg := e.TLS
		if cfg == nil {
			cfg = &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
		}
		if err := c.StartTLS(cfg); err != nil {
			return &SendError{Err: fmt.Errorf("STARTTLS: %w", err)}
		}
	} else if !e.Insecure {
		return &SendError{Permanent: true, Err: errors.New("the SMTP server does not offer STARTTLS: refusing to send in clear (insecure_no_starttls: true to allow it)")}
	}
	if e.Username != "" {
		if err := c.Auth(smtp.PlainAuth("", e.Username, e.Password, host)); err != nil {
			return smtpErr(err)
		}
	}
	if err := c.Mail(e.From); err != nil {
		return smtpErr(err)
	}
	for _, to := range e.To {
		if err := c.Rcpt(to); err != nil {
			return smtpErr(err)
		}
	}
	w, err := c.Data()
	if err != nil {
		return smtpErr(err)
	}
	if _, err := w.Write(e.message(a, d)); err != nil {
		return smtpErr(err)
	}
	if err := w.Close(); err != nil {
		return smtpErr(err)
	}
	return smtpErr(c.Quit())
}

func smtpErr(err error) error {
	if err == nil {
		return nil
	}
	var te *textproto.Error
	if errors.As(err, &te) {
		// 5xx replies are permanent.
		return &SendError{Status: te.Code, Permanent: te.Code >= 500, Err: err}
	}
	return &SendError{Err: err}
}

var oneLine = strings.NewReplacer("\r", " ", "\n", " ")

func (e *Email) message(a *alerts.Alert, d alerts.Delivery) []byte {
	now := time.Now
	if e.Now != nil {
		now = e.Now
	}
	var b bytes.Buffer
	id := make([]byte, 8)
	rand.Read(id)
	hdr := func(k, v string) { fmt.Fprintf(&b, "%s: %s\r\n", k, v) }
	hdr("From", e.From)
	hdr("To", strings.Join(e.To, ", "))
	hdr("Subject", mime.QEncoding.Encode("utf-8", oneLine.Replace(truncate(headline(a), 900))))
	hdr("Date", now().Format(time.RFC1123Z))
	hdr("Message-ID", fmt.Sprintf("<panther-%d-%d-%s@panther>", a.ID, d.ID, hex.EncodeToString(id)))
	hdr("MIME-Version", "1.0")
	hdr("Content-Type", "text/plain; charset=utf-8")
	hdr("Content-Transfer-Encoding", "8bit")
	hdr("X-Panther-Alert", fmt.Sprint(a.ID))
	b.WriteString("\r\n")
	body := fmt.Sprintf("%s\n\nSeverity: %s\nStatus:   %s\nTally:    %d\nFirst:    %s\nLast:     %s\n",
		a.Title, a.Severity, a.Status, a.Tally, a.FirstSeen.Format(time.RFC3339), a.LastSeen.Format(time.RFC3339))
	if a.RuleID != "" {
		body += "Rule:     " + a.RuleID + "\n"
	}
	if a.Node != "" {
		body += "Node:     " + a.Node + "\n"
	}
	if a.Runbook != "" {
		body += "\nRunbook:\n" + a.Runbook + "\n"
	}
	if e.ConsoleURL != "" {
		body += fmt.Sprintf("\n%s/alerts/%d\n", e.ConsoleURL, a.ID)
	}
	body += fmt.Sprintf("\n(delivery %d, %s)\n", d.ID, d.Reason)
	// Normalise line ends to CRLF; a lone "." line is escaped by the
	// SMTP client's dot-stuffing.
	body = strings.ReplaceAll(strings.ReplaceAll(body, "\r\n", "\n"), "\n", "\r\n")
	b.WriteString(body)
	return b.Bytes()
}
