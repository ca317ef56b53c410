package destinations

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"os"
	"sync"
	"time"

	"panther/alerts"
)

// Dispatcher sends the store's pending deliveries. Each destination has
// its own workers, so a slow or dead destination delays only its own
// deliveries; raising an alert only adds rows to the store's queue, so
// no destination ever slows ingest.
type Dispatcher struct {
	Store   *alerts.Store
	Senders map[string]Sender
	Workers map[string]int
	Retry   Retry
	Logger  *slog.Logger
	Now     func() time.Time
	// Lease is how long a claimed delivery is reserved for its sender
	// (default: a minute); a sender that crashes leaves it due again
	// after that.
	Lease time.Duration
	// Poll bounds the wait between looks at the queue (default 5s).
	Poll time.Duration
	rand *rand.Rand
	mu   sync.Mutex
}

// New builds the senders of a configuration.
func New(store *alerts.Store, c *Config, log *slog.Logger) (*Dispatcher, error) {
	d := &Dispatcher{Store: store, Senders: map[string]Sender{}, Workers: map[string]int{}, Retry: c.Retry, Logger: log}
	for _, s := range c.Destinations {
		hc := &http.Client{Timeout: s.Timeout}
		var snd Sender
		switch s.Kind {
		case KindWebhook:
			snd = &Webhook{URL: s.URL, Secret: s.Secret, ConsoleURL: c.ConsoleURL, HTTP: hc}
		case KindSlack:
			snd = &Slack{URL: s.URL, ConsoleURL: c.ConsoleURL, HTTP: hc}
		case KindTeams:
			snd = &Teams{URL: s.URL, ConsoleURL: c.ConsoleURL, HTTP: hc}
		case KindPagerDuty:
			snd = &PagerDuty{URL: s.URL, RoutingKey: s.RoutingKey, ConsoleURL: c.ConsoleURL, HTTP: hc}
		case KindEmail:
			e := &Email{Addr: s.SMTP, From: s.From, To: s.To, Username: s.Username, Insecure: s.Insecure, ConsoleURL: c.ConsoleURL, Timeout: s.Timeout}
			if s.PasswordEnv != "" {
				e.Password = os.Getenv(s.PasswordEnv)
			}
			if s.CAFile != "" {
				pem, err := os.ReadFile(s.CAFile)
				if err != nil {
					return nil, fmt.Errorf("destination %s: ca_file: %w", s.Name, err)
				}
				pool := x509.NewCertPool()
				if !pool.AppendCertsFromPEM(pem) {
					return nil, fmt.Errorf("destination %s: ca_file %s holds no PEM certificate", s.Name, s.CAFile)
				}
				host := s.SMTP
				if h, _, ok := cutPort(s.SMTP); ok {
					host = h
				}
				e.TLS = &tls.Config{RootCAs: pool, ServerName: host, MinVersion: tls.VersionTLS12}
			}
			snd = e
		}
		d.Senders[s.Name] = snd
		d.Workers[s.Name] = s.Workers
	}
	return d, nil
}

func cutPort(hostport string) (string, string, bool) {
	for i := len(hostport) - 1; i >= 0; i-- {
		if hostport[i] == ':' {
			return hostport[:i], hostport[i+1:], true
		}
	}
	return "", "", false
}

// Run sends until ctx is done. Pending deliveries to names no sender has
// are marked dead first (they would wait forever).
func (d *Dispatcher) Run(ctx context.Context) error {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Lease <= 0 {
		d.Lease = time.Minute
	}
	if d.Poll <= 0 {
		d.Poll = 5 * time.Second
	}
	if d.Retry.Attempts <= 0 {
		d.Retry = DefaultRetry
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	var names []string
	for n := range d.Senders {
		names = append(names, n)
	}
	if n, err := d.Store.AbandonUnknown(ctx, names); err != nil {
		return err
	} else if n > 0 {
		d.Logger.Warn("deliveries to destinations that are not configured are dead", "count", n)
	}
	// One wake-up channel per destination, fed by the store's.
	wakes := map[string]chan struct{}{}
	for _, n := range names {
		wakes[n] = make(chan struct{}, 1)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-ctx.Done():
				return
			case <-d.Store.Wake():
				for _, w := range wakes {
					select {
					case w <- struct{}{}:
					default:
					}
				}
			}
		}
	}()
	for _, n := range names {
		workers := max(d.Workers[n], 1)
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				d.worker(ctx, n, d.Senders[n], wakes[n])
			}()
		}
	}
	wg.Wait()
	return nil
}

func (d *Dispatcher) worker(ctx context.Context, name string, snd Sender, wake chan struct{}) {
	for ctx.Err() == nil {
		jobs, err := d.Store.Claim(ctx, name, 1, d.Lease)
		if err != nil {
			if ctx.Err() == nil && !errors.Is(err, alerts.ErrClosed) {
				d.Logger.Warn("claiming deliveries", "destination", name, "error", err.Error())
			}
			if !sleep(ctx, time.Second) {
				return
			}
			continue
		}
		if len(jobs) == 0 {
			wait := d.Poll
			if next, ok, _ := d.Store.NextDue(ctx, name); ok {
				if w := next.Sub(d.Now()); w < wait {
					wait = max(w, 10*time.Millisecond)
				}
			}
			t := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				t.Stop()
				return
			case <-wake:
			case <-t.C:
			}
			t.Stop()
			continue
		}
		for _, j := range jobs {
			d.deliver(ctx, name, snd, j)
		}
	}
}

func (d *Dispatcher) deliver(ctx context.Context, name string, snd Sender, j alerts.Job) {
	err := snd.Send(ctx, j.Alert, j.Delivery)
	if ctx.Err() != nil {
		return // shutting down: the lease runs out and it is sent again
	}
	a := alerts.Attempt{OK: err == nil}
	var se *SendError
	if errors.As(err, &se) {
		a.Status = se.Status
	} else if err == nil {
		a.Status = 200
	}
	if err != nil {
		a.Err = err.Error()
		attempt := j.Delivery.Attempts + 1
		permanent := se != nil && se.Permanent
		if !permanent && attempt < d.Retry.Attempts {
			a.Retry = d.Now().Add(d.backoff(attempt))
		}
		d.Logger.Warn("delivery failed", "destination", name, "alert", j.Alert.ID, "delivery", j.Delivery.ID,
			"attempt", attempt, "error", a.Err, "dead", a.Retry.IsZero())
	}
	if rerr := d.Store.RecordAttempt(context.WithoutCancel(ctx), j.Delivery.ID, a); rerr != nil {
		d.Logger.Warn("recording a delivery", "delivery", j.Delivery.ID, "error", rerr.Error())
	}
}

// backoff is the wait after the n-th failed attempt: Base·2^(n-1),
// capped at Max, drawn in [d/2, d].
func (d *Dispatcher) backoff(n int) time.Duration {
	w := d.Retry.Base
	for i := 1; i < n && w < d.Retry.Max; i++ {
		w *= 2
	}
	w = min(w, d.Retry.Max)
	d.mu.Lock()
	if d.rand == nil {
		d.rand = rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 0x9e3779b97f4a7c15))
	}
	j := d.rand.Int64N(int64(w)/2 + 1)
	d.mu.Unlock()
	return w/2 + time.Duration(j)
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
