// Package serve composes `panther serve`: the pack store and its API
// (packs/server), the journal and the live inputs (ingest: HTTP raw logs,
// syslog listeners, Kafka), the pipeline that runs the active packs on
// what they receive (engine/live) into the lake, the policy scans of the
// resource snapshots sent to it (resources.go), and the endpoints of the
// whole (/api/v1/status, /metrics, /api/v1/deadletters) — one HTTP
// server, one start, one shutdown.
//
// Start order: the store opens; the journal opens and the pipeline reads
// back what the lake does not hold yet; the listeners bind (a port in use
// fails the start); then everything serves. Shutdown (the stop context):
// the HTTP server and the listeners stop accepting, requests in flight
// finish, the journal is closed to new entries, the pipeline drains what
// is queued and the lake commits it, and Run returns. The abort context
// (a second signal) cuts that short: the pipeline stops where it is and
// the lake drops what it had not committed; everything acknowledged is in
// the journal and is processed at the next start.
package serve

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"panther/auth"
	"panther/engine/live"
	"panther/ingest"
	"panther/ingest/kafka"
	"panther/ingest/syslog"
	"panther/lake"
	"panther/packs/server"
	"panther/parsers"
)

// Options configure the service.
type Options struct {
	// Packs configures the pack store and its API (DataDir, Tokens, ...).
	Packs server.Options
	// Listen is the HTTP API's address; TLSCert and TLSKey make it HTTPS.
	Listen          string
	TLSCert, TLSKey string
	Registry        *parsers.Registry
	Lake            string // folder of the lake ("" : <data>/lake)
	NoLake          bool
	CommitInterval  time.Duration
	// Retention removes the lake's hour partitions that ended longer ago
	// than this, checked with the background compaction (0: keep all).
	Retention      time.Duration
	Syslog         []syslog.Config
	Kafka          []kafka.Config
	HTTPIngest     ingest.HTTPOptions
	MaxQueueBytes  int64
	MaxRecordBytes int
	Workers        int
	Alerts         live.AlertSink // nil: the alerts are logged
	// Resources configure POST /api/v1/ingest/resources (resources.go).
	Resources ResourceOptions
	// Mount adds other parts' routes (the alert store's API).
	Mount func(mux *http.ServeMux)
	// OnPacks, when set, is called with the pack store once it is open,
	// before anything runs (the alert store loads the active packs' alert
	// rules from it); an error stops the start.
	OnPacks         func(*server.Store) error
	Logger          *slog.Logger
	ShutdownTimeout time.Duration
	// Ready, when set, is called once everything listens, with the API's
	// address (tests).
	Ready func(api net.Addr, s *Service)
}

// Service is a running `panther serve`.
type Service struct {
	opts      Options
	log       *slog.Logger
	packs     *server.Server
	journal   *ingest.Journal
	pipeline  *live.Pipeline
	metrics   *ingest.Metrics
	dead      *live.DeadLetters
	listeners []*syslog.Listener
	started   time.Time
	scans     resourceScans
}

// Run starts the service and runs it until stop is done (graceful) or
// abort is (hard stop). It returns the first error that stopped it.
func Run(stop, abort context.Context, opts Options) (err error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.ShutdownTimeout <= 0 {
		opts.ShutdownTimeout = 30 * time.Second
	}
	log := opts.Logger
	s := &Service{opts: opts, log: log, metrics: ingest.NewMetrics(), started: time.Now()}
	if opts.Packs.Logger == nil {
		opts.Packs.Logger = log
	}
	opts.Packs.Mount = s.mount
	s.packs, err = server.New(opts.Packs)
	if err != nil {
		return err
	}
	defer s.packs.Close()
	if opts.OnPacks != nil {
		if err := opts.OnPacks(s.packs.Store()); err != nil {
			return err
		}
	}
	data := opts.Packs.DataDir
	s.journal, err = ingest.OpenJournal(filepath.Join(data, "wal"), ingest.JournalOptions{MaxQueueBytes: opts.MaxQueueBytes})
	if err != nil {
		return err
	}
	defer s.journal.Close()
	s.metrics.WatchJournal(s.journal)
	if s.dead, err = live.OpenDeadLetters(data, 1000, 0); err != nil {
		return err
	}
	defer s.dead.Close()
	var lk *live.Lake
	if !opts.NoLake {
		dir := opts.Lake
		if dir == "" {
			dir = filepath.Join(data, "lake")
		}
		if lk, err = live.OpenLake(abort, dir, opts.Registry, lake.Options{}); err != nil {
			return err
		}
		lk.Maintain(10*time.Minute, time.Hour, opts.Retention, func(err error) { log.Warn("lake maintenance", "error", err.Error()) })
	}
	sink := opts.Alerts
	if sink == nil {
		sink = &LogSink{Log: log}
	}
	s.pipeline, err = live.New(abort, live.Options{Journal: s.journal, Registry: opts.Registry,
		Packs: storePacks{store: s.packs.Store(), limits: opts.Packs.Limits}, Load: opts.Packs.Load,
		Budget: opts.Packs.Tests.Budget, Workers: opts.Workers, Lake: lk, CommitInterval: opts.CommitInterval,
		Alerts: sink, DeadLetters: s.dead, MaxRecordBytes: opts.MaxRecordBytes, Metrics: s.metrics, Logger: log})
	if err != nil {
		if lk != nil {
			lk.Abort()
		}
		return err
	}
	// Listeners: all bind before any serves.
	for _, c := range opts.Syslog {
		l, err := syslog.Listen(c, s.journal, s.metrics, log)
		if err != nil {
			for _, o := range s.listeners {
				o.Close()
			}
			if lk != nil {
				lk.Abort()
			}
			return err
		}
		s.listeners = append(s.listeners, l)
	}
	var consumers []*kafka.Consumer
	for _, c := range opts.Kafka {
		k, err := kafka.New(c, s.journal, s.metrics, log)
		if err != nil {
			for _, o := range s.listeners {
				o.Close()
			}
			if lk != nil {
				lk.Abort()
			}
			return err
		}
		for topic, parts := range s.journal.KafkaRecovered() {
			for p, off := range parts {
				k.Skip(topic, p, off)
			}
		}
		consumers = append(consumers, k)
	}
	ln, err := net.Listen("tcp", opts.Listen)
	if err != nil {
		for _, o := range s.listeners {
			o.Close()
		}
		if lk != nil {
			lk.Abort()
		}
		return fmt.Errorf("cannot listen on %s: %v", opts.Listen, err)
	}

	pipeErr := make(chan error, 1)
	go func() { pipeErr <- s.pipeline.Run(abort) }()

	inputs, stopInputs := context.WithCancel(context.WithoutCancel(stop))
	defer stopInputs()
	var wg sync.WaitGroup
	for _, l := range s.listeners {
		args := append([]any{"listener", l.Name()}, l.Describe()...)
		if l.Network() != "tls" {
			log.Warn("syslog listener without TLS: messages travel in clear text", args...)
		} else {
			log.Info("syslog listener", args...)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := l.Serve(inputs); err != nil {
				log.Error("syslog listener stopped", "error", err.Error())
			}
		}()
	}
	for i, k := range consumers {
		log.Info("kafka input", "name", opts.Kafka[i].Name, "brokers", opts.Kafka[i].Brokers, "topics", opts.Kafka[i].Topics, "group", opts.Kafka[i].Group)
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := k.Run(inputs); err != nil {
				log.Error("kafka input stopped", "error", err.Error())
			}
		}()
	}
	srv := &http.Server{
		Handler:           s.packs.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(stop) },
	}
	scheme := "http"
	if opts.TLSCert != "" || opts.TLSKey != "" {
		cert, err := tls.LoadX509KeyPair(opts.TLSCert, opts.TLSKey)
		if err != nil {
			ln.Close()
			stopInputs()
			wg.Wait()
			s.journal.Stop()
			<-pipeErr
			return fmt.Errorf("TLS certificate and key: %w", err)
		}
		srv.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}}
		scheme = "https"
	}
	httpErr := make(chan error, 1)
	go func() {
		if scheme == "https" {
			httpErr <- srv.ServeTLS(ln, "", "")
		} else {
			httpErr <- srv.Serve(ln)
		}
	}()
	log.Info("listening", "url", scheme+"://"+ln.Addr().String(), "data", data, "lake", lakeDir(lk), "tokens", opts.Packs.Tokens.Len(),
		"recovered_entries", s.pipeline.Recovered())
	if opts.Ready != nil {
		opts.Ready(ln.Addr(), s)
	}

	var runErr error
	select {
	case <-stop.Done():
	case <-abort.Done():
	case err := <-httpErr:
		runErr = fmt.Errorf("HTTP server: %w", err)
	case err := <-pipeErr:
		pipeErr <- err
		runErr = fmt.Errorf("pipeline: %w", err)
	}
	// Stop accepting: the API (requests in flight finish), the listeners.
	log.Info("shutting down: no new events; draining what is queued")
	sctx, cancel := context.WithTimeout(abort, opts.ShutdownTimeout)
	if err := srv.Shutdown(sctx); err != nil {
		srv.Close()
	}
	cancel()
	stopInputs()
	wg.Wait()
	s.journal.Stop()
	perr := <-pipeErr
	if runErr == nil && perr != nil && !errors.Is(perr, context.Canceled) {
		runErr = fmt.Errorf("pipeline: %w", perr)
	}
	if abort.Err() != nil {
		log.Warn("aborted: what was not committed to the lake is in the write-ahead log for the next start")
	} else if runErr == nil {
		st := s.pipeline.Status()
		log.Info("stopped", "committed_seq", st.Committed, "events", st.Events, "alerts", st.Alerts)
	}
	return runErr
}

func lakeDir(l *live.Lake) string {
	if l == nil {
		return ""
	}
	return l.Dir()
}

// Pipeline is the running pipeline (tests, status).
func (s *Service) Pipeline() *live.Pipeline { return s.pipeline }

// Journal is the service's journal (tests).
func (s *Service) Journal() *ingest.Journal { return s.journal }

// Listeners are the syslog listeners (tests: their addresses).
func (s *Service) Listeners() []*syslog.Listener { return s.listeners }

// mount adds the live service's routes to the API.
func (s *Service) mount(mux *http.ServeMux) {
	tokens := s.opts.Packs.Tokens
	req := func(need auth.Permission, h http.HandlerFunc) http.Handler {
		return tokens.Require(need, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if id, ok := auth.FromContext(r.Context()); ok {
				server.NoteIdentity(r, id)
			}
			h(w, r)
		}), ingest.AuthFail)
	}
	hopts := s.opts.HTTPIngest
	hopts.Journal, hopts.Registry, hopts.Metrics = s.journal, s.opts.Registry, s.metrics
	mux.Handle("POST /api/v1/ingest", req(auth.Ingest, ingest.NewHTTP(hopts).ServeHTTP))
	mux.Handle("POST /api/v1/ingest/resources", req(auth.Ingest, s.ingestResources))
	mux.Handle("GET /api/v1/status", req(auth.Read, s.status))
	mux.Handle("GET /api/v1/deadletters", req(auth.Read, s.deadLetters))
	mux.Handle("GET /metrics", req(auth.Read, promhttp.HandlerFor(s.metrics.Registry, promhttp.HandlerOpts{}).ServeHTTP))
	if s.opts.Mount != nil {
		s.opts.Mount(mux)
	}
}

// StatusBody is GET /api/v1/status.
type StatusBody struct {
	Uptime      string        `json:"uptime"`
	Detections  live.Status   `json:"detections"`
	Inputs      []InputStatus `json:"inputs"`
	QueueEntry  int           `json:"queue_entries"`
	QueueBytes  int64         `json:"queue_bytes"`
	WALBytes    int64         `json:"wal_bytes"`
	WALSegments int           `json:"wal_segments"`
	WALLastSeq  uint64        `json:"wal_last_seq"`
}

// InputStatus is one input.
type InputStatus struct {
	Name    string `json:"name"`
	Network string `json:"network"`
	Addr    string `json:"addr"`
}

func (s *Service) status(w http.ResponseWriter, r *http.Request) {
	body := StatusBody{Uptime: time.Since(s.started).Round(time.Second).String(), Detections: s.pipeline.Status()}
	body.Inputs = append(body.Inputs, InputStatus{Name: "http", Network: "http", Addr: "/api/v1/ingest"})
	for _, l := range s.listeners {
		body.Inputs = append(body.Inputs, InputStatus{Name: l.Name(), Network: l.Network(), Addr: l.Addr().String()})
	}
	body.QueueEntry, body.QueueBytes = s.journal.Depth()
	ws := s.journal.WAL().Stats()
	body.WALBytes, body.WALSegments, body.WALLastSeq = ws.Bytes, ws.Segments, ws.Last
	writeJSON(w, http.StatusOK, body)
}

func (s *Service) deadLetters(w http.ResponseWriter, r *http.Request) {
	limit := 100
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			ingest.WriteError(w, http.StatusBadRequest, "bad_request", "limit must be 1 to 1000", "")
			return
		}
		limit = n
	}
	list, total := s.dead.List(limit)
	if list == nil {
		list = []live.DeadLetter{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"total": total, "dead_letters": list})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

// LogSink logs each alert when it is raised (and its later matches at
// debug level): the alert sink until the alert store is configured.
type LogSink struct {
	Log *slog.Logger
}

// RaiseDetection implements live.AlertSink.
func (l *LogSink) RaiseDetection(ctx context.Context, a live.DetectionAlert) error {
	level := slog.LevelDebug
	if a.First {
		level = slog.LevelInfo
	}
	l.Log.Log(ctx, level, "alert", "alert_id", a.ID, "rule", a.RuleID, "pack", a.PackVersion, "severity", a.Severity,
		"title", a.Title, "dedup", a.Dedup, "events", a.EventCount, "first_event", a.FirstEvent, "last_event", a.LastEvent)
	return nil
}
