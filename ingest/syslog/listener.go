package syslog

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"sync"
	"time"

	"panther/ingest"
)

// Config is one syslog listener.
type Config struct {
	// Name names the listener in p_source_file ("syslog/NAME/PEER"),
	// metrics and logs.
	Name string `mapstructure:"name"`
	// Network is tcp, tls or udp.
	Network string `mapstructure:"network"`
	// Addr is host:port (6514 is TLS syslog's port, 514 the others').
	Addr string `mapstructure:"addr"`
	// LogType of every message: Syslog.RFC5424 (the default, which also
	// reads RFC 3164 lines: the parser labels each event with its
	// header's format), Syslog.RFC3164, another log type, or "classify"
	// to let the classifier choose per message.
	LogType string `mapstructure:"log_type"`
	// Label is p_source_label.
	Label string `mapstructure:"label"`
	// Framing: auto, lf or octet-counting (TCP and TLS).
	Framing string `mapstructure:"framing"`
	// TLS: certificate and key (PEM); ClientCA makes client certificates
	// required and checked against it.
	CertFile string `mapstructure:"tls_cert"`
	KeyFile  string `mapstructure:"tls_key"`
	ClientCA string `mapstructure:"tls_client_ca"`
	// MaxMessage bounds a message (default 64 KiB); a longer one is
	// skipped, counted and logged, and the connection goes on.
	MaxMessage int `mapstructure:"max_message"`
	// MaxConnections bounds the open connections (default 1000); one more
	// is closed at once, with a log line.
	MaxConnections int `mapstructure:"max_connections"`
	// IdleTimeout closes a connection silent for that long (default 10 min).
	IdleTimeout time.Duration `mapstructure:"idle_timeout"`
	// Plaintext must be set for tcp and udp: syslog without TLS is an
	// explicit choice.
	Plaintext bool `mapstructure:"plaintext"`
}

// Check validates a configuration and fills its defaults.
func (c *Config) Check() error {
	if c.Name == "" {
		return errors.New("syslog listener: no name")
	}
	where := "syslog listener " + c.Name
	switch c.Network {
	case "tls":
		if c.CertFile == "" || c.KeyFile == "" {
			return fmt.Errorf("%s: tls needs tls_cert and tls_key", where)
		}
	case "tcp", "udp":
		if !c.Plaintext {
			return fmt.Errorf("%s: %s carries logs in clear text; set plaintext: true to accept that, or use network: tls", where, c.Network)
		}
		if c.CertFile != "" || c.ClientCA != "" {
			return fmt.Errorf("%s: tls_cert and tls_client_ca need network: tls", where)
		}
	default:
		return fmt.Errorf("%s: network %q: use tcp, tls or udp", where, c.Network)
	}
	if c.Addr == "" {
		return fmt.Errorf("%s: no addr (host:port)", where)
	}
	if _, err := ParseFraming(c.Framing); err != nil {
		return fmt.Errorf("%s: %v", where, err)
	}
	if c.LogType == "" {
		c.LogType = "Syslog.RFC5424"
	}
	if c.MaxMessage <= 0 {
		c.MaxMessage = 64 << 10
	}
	if c.MaxConnections <= 0 {
		c.MaxConnections = 1000
	}
	if c.IdleTimeout <= 0 {
		c.IdleTimeout = 10 * time.Minute
	}
	return nil
}

// Listener serves one Config.
type Listener struct {
	cfg     Config
	journal *ingest.Journal
	met     *ingest.Metrics
	log     *slog.Logger
	framing Framing
	logType string
	tls     *tls.Config

	ln    net.Listener
	pc    net.PacketConn
	conns chan struct{}
	mu    sync.Mutex
	open  map[net.Conn]bool
	wg    sync.WaitGroup
}

// batch limits: an entry holds at most this many frames or bytes.
const (
	batchFrames = 2048
	batchBytes  = 1 << 20
)

// Listen opens the listener's socket (so that a port in use fails at
// start); Serve then accepts.
func Listen(cfg Config, j *ingest.Journal, met *ingest.Metrics, log *slog.Logger) (*Listener, error) {
	if err := cfg.Check(); err != nil {
		return nil, err
	}
	l := &Listener{cfg: cfg, journal: j, met: met, log: log.With("listener", cfg.Name), conns: make(chan struct{}, cfg.MaxConnections), open: map[net.Conn]bool{}}
	l.framing, _ = ParseFraming(cfg.Framing)
	if cfg.LogType != "classify" {
		l.logType = cfg.LogType
	}
	var err error
	switch cfg.Network {
	case "udp":
		l.pc, err = net.ListenPacket("udp", cfg.Addr)
	case "tls":
		if l.tls, err = serverTLS(cfg); err == nil {
			l.ln, err = net.Listen("tcp", cfg.Addr)
		}
	default:
		l.ln, err = net.Listen("tcp", cfg.Addr)
	}
	if err != nil {
		return nil, fmt.Errorf("syslog listener %s: %w", cfg.Name, err)
	}
	return l, nil
}

func serverTLS(cfg Config) (*tls.Config, error) {
	cert, err := tls.LoadX509KeyPair(cfg.CertFile, cfg.KeyFile)
	if err != nil {
		return nil, fmt.Errorf("certificate and key: %w", err)
	}
	tc := &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}}
	if cfg.ClientCA != "" {
		pem, err := os.ReadFile(cfg.ClientCA)
		if err != nil {
			return nil, fmt.Errorf("client CA: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("client CA %s: no PEM certificate", cfg.ClientCA)
		}
		tc.ClientCAs = pool
		tc.ClientAuth = tls.RequireAndVerifyClientCert
	}
	return tc, nil
}

// Addr is the listening address.
func (l *Listener) Addr() net.Addr {
	if l.pc != nil {
		return l.pc.LocalAddr()
	}
	return l.ln.Addr()
}

// Name is the listener's name.
func (l *Listener) Name() string { return l.cfg.Name }

// Network is tcp, tls or udp.
func (l *Listener) Network() string { return l.cfg.Network }

// Describe says what the listener does, for the start-up log.
func (l *Listener) Describe() []any {
	out := []any{"network", l.cfg.Network, "addr", l.Addr().String(), "log_type", l.cfg.LogType, "label", l.cfg.Label}
	if l.cfg.Network == "tls" {
		out = append(out, "client_certificates", l.cfg.ClientCA != "")
	} else {
		out = append(out, "plaintext", true)
	}
	return out
}

// Serve accepts until ctx is done, then closes the socket and every
// connection (what they sent and was read is in the journal) and returns.
func (l *Listener) Serve(ctx context.Context) error {
	stop := context.AfterFunc(ctx, func() {
		if l.ln != nil {
			l.ln.Close()
		}
		if l.pc != nil {
			l.pc.Close()
		}
		l.mu.Lock()
		for c := range l.open {
			c.Close()
		}
		l.mu.Unlock()
	})
	defer stop()
	if l.pc != nil {
		l.serveUDP(ctx)
		return nil
	}
	for {
		c, err := l.ln.Accept()
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				time.Sleep(10 * time.Millisecond)
				continue
			}
			l.wg.Wait()
			return fmt.Errorf("syslog listener %s: %w", l.cfg.Name, err)
		}
		select {
		case l.conns <- struct{}{}:
		default:
			l.met.Refused.WithLabelValues(l.input(), "connections").Inc()
			l.log.Warn("connection refused: too many open", "remote", c.RemoteAddr().String(), "max_connections", l.cfg.MaxConnections)
			c.Close()
			continue
		}
		l.mu.Lock()
		l.open[c] = true
		l.mu.Unlock()
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			defer func() { <-l.conns }()
			l.serveConn(ctx, c)
			l.mu.Lock()
			delete(l.open, c)
			l.mu.Unlock()
			c.Close()
		}()
	}
	l.wg.Wait()
	return nil
}

func (l *Listener) input() string { return "syslog/" + l.cfg.Name }

// serveConn reads one connection's frames into the journal.
func (l *Listener) serveConn(ctx context.Context, c net.Conn) {
	met, in := l.met, l.input()
	met.Connections.WithLabelValues(in).Inc()
	defer met.Connections.WithLabelValues(in).Dec()
	remote := c.RemoteAddr().String()
	if l.tls != nil {
		tc := tls.Server(c, l.tls)
		tc.SetDeadline(time.Now().Add(10 * time.Second))
		if err := tc.HandshakeContext(ctx); err != nil {
			met.Refused.WithLabelValues(in, "tls").Inc()
			l.log.Warn("TLS handshake refused", "remote", remote, "error", err.Error())
			return
		}
		tc.SetDeadline(time.Time{})
		c = tc
	}
	br := bufio.NewReaderSize(c, 16<<10) // small: 1,000 idle connections hold 1,000 of them
	fr := NewFramer(br, l.framing, l.cfg.MaxMessage)
	source := l.input() + "/" + remote
	bytesIn := met.Bytes.WithLabelValues(in)
	var data []byte
	frames := 0
	flush := func() bool {
		if frames == 0 {
			return true
		}
		e := &ingest.Entry{Input: in, Source: source, LogType: l.logType, Label: l.cfg.Label, Received: time.Now().UTC(),
			Kind: ingest.Records, Data: data, Count: frames}
		met.Received.WithLabelValues(in).Add(float64(frames))
		// Waiting for room is the backpressure: while it waits, this
		// connection is not read and the sender's kernel buffers fill.
		if _, err := l.journal.Append(ctx, e, true); err != nil {
			l.log.Warn("closing a connection: the journal refused its messages", "remote", remote, "messages", frames, "error", err.Error())
			return false
		}
		data, frames = nil, 0
		return true
	}
	for {
		if frames > 0 && !fr.Buffered() {
			if !flush() {
				return
			}
		}
		c.SetReadDeadline(time.Now().Add(l.cfg.IdleTimeout))
		frame, err := fr.Next()
		var tl *TooLargeError
		switch {
		case err == nil:
		case errors.As(err, &tl):
			met.Refused.WithLabelValues(in, "too_large").Inc()
			l.log.Warn("message skipped: over the size limit", "remote", remote, "size", tl.Size, "max_message", tl.Limit)
			continue
		default:
			flush()
			if err != io.EOF && ctx.Err() == nil && !errors.Is(err, net.ErrClosed) {
				reason := err.Error()
				var ne net.Error
				if errors.As(err, &ne) && ne.Timeout() {
					reason = "idle for " + l.cfg.IdleTimeout.String()
				}
				l.log.Info("connection closed", "remote", remote, "reason", reason)
			}
			return
		}
		bytesIn.Add(float64(len(frame)))
		data = ingest.AppendRecord(data, frame)
		frames++
		if frames >= batchFrames || len(data) >= batchBytes {
			if !flush() {
				return
			}
		}
	}
}

// serveUDP reads datagrams, a message each, into the journal.
func (l *Listener) serveUDP(ctx context.Context) {
	in := l.input()
	buf := make([]byte, 65536)
	var data []byte
	frames := 0
	flush := func() {
		if frames == 0 {
			return
		}
		e := &ingest.Entry{Input: in, Source: in, LogType: l.logType, Label: l.cfg.Label, Received: time.Now().UTC(),
			Kind: ingest.Records, Data: data, Count: frames}
		l.met.Received.WithLabelValues(in).Add(float64(frames))
		if _, err := l.journal.Append(ctx, e, true); err != nil && ctx.Err() == nil {
			l.log.Warn("datagrams dropped: the journal refused them", "messages", frames, "error", err.Error())
		}
		data, frames = nil, 0
	}
	for {
		if frames > 0 {
			l.pc.SetReadDeadline(time.Now().Add(5 * time.Millisecond))
		} else {
			l.pc.SetReadDeadline(time.Time{})
		}
		n, _, err := l.pc.ReadFrom(buf)
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				flush()
				continue
			}
			flush()
			return
		}
		msg := buf[:n]
		if len(msg) > l.cfg.MaxMessage {
			l.met.Refused.WithLabelValues(in, "too_large").Inc()
			continue
		}
		for len(msg) > 0 && (msg[len(msg)-1] == '\n' || msg[len(msg)-1] == 0) {
			msg = msg[:len(msg)-1]
		}
		if len(msg) == 0 {
			continue
		}
		l.met.Bytes.WithLabelValues(in).Add(float64(n))
		data = ingest.AppendRecord(data, msg)
		frames++
		if frames >= batchFrames || len(data) >= batchBytes {
			flush()
		}
	}
}

// Close closes the socket (Serve's ctx does it too).
func (l *Listener) Close() error {
	if l.pc != nil {
		return l.pc.Close()
	}
	return l.ln.Close()
}
