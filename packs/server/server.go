// Package server is the backend `panther serve` runs: an HTTP JSON API
// (/api/v1) that stores versions of rule packs, one active per pack.
//
// What it guarantees, and how:
//
//   - A version is accepted only after the very checks of the CLI: the
//     archive is opened with packs.OpenArchive (zip bomb, zip slip,
//     symlinks, duplicates, manifest hashes and digest) and its content
//     runs through packs.Check (engine.Load and tester.Run, the code
//     behind `panther validate` and `panther test`).
//   - Storage survives a crash at any point with the previous active
//     version intact (see Store): an embedded bbolt database holds
//     versions, active pointers and the audit log; zips are
//     content-addressed blobs written temp → fsync → rename → fsync(dir)
//     before the record naming them is committed.
//   - bbolt (go.etcd.io/bbolt) was chosen because it is a well-kept,
//     pure-Go, single-file B+tree with serializable, fsync'd transactions:
//     exactly the "records plus one pointer, changed atomically" this needs,
//     with no cgo and no server. SQLite would need cgo or a large pure-Go
//     port for no query we need; DuckDB is for analytics, not small
//     transactional writes.
//   - Idempotency: a pack digest already stored is never stored twice;
//     uploading the active digest again answers "unchanged".
//   - Concurrency: bbolt serialises writers, so versions get distinct
//     numbers and the active pointer always names a stored version; the
//     heavy validation of concurrent uploads runs in parallel, bounded by
//     MaxConcurrentChecks, each upload's tests one at a time and within
//     CheckTimeout in all, so two packs of spinning tests cannot starve a
//     third upload.
//   - Slow clients: a body must arrive within BodyTimeout (a read
//     deadline set by the handler), headers within ReadHeaderTimeout, and
//     at most MaxConcurrentUploads uploads are in progress at once.
//   - Auth: tokens from the operator's configuration, kept as sha256
//     hashes and compared with crypto/subtle; Authorization: Bearer or
//     X-API-Key; read tokens get 403 on changes.
//   - Uploads stream to a staged file under http.MaxBytesReader: a 2 GB
//     body is refused at MaxUpload bytes (or at once, by its
//     Content-Length) and never held in memory.
//
// Errors are {"error": {"code", "message", "hint", ...}} with the status
// that says what happened (401, 403, 404, 409, 413, 415, 422); logs are
// JSON lines (log/slog) on the logger given.
package server

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime"
	"time"

	"panther/auth"
	"panther/engine"
	"panther/packs"
	"panther/tester"
)

// Options configure a Server.
type Options struct {
	// DataDir holds the database and the blobs.
	DataDir string
	Tokens  *auth.Tokens
	// Load and Tests are the engine options of the checks (the CLI passes
	// its own, so the server validates as `panther test` does).
	Load  engine.LoadOptions
	Tests tester.Options
	// MaxUpload is the largest request body accepted (default 64 MiB).
	MaxUpload int64
	// Limits bound the archive's content (default packs.DefaultLimits).
	Limits packs.Limits
	// MaxConcurrentChecks bounds the uploads validated at once (default
	// 4 × GOMAXPROCS); the others wait. Each upload runs its tests one at
	// a time (unless Tests.Parallel says otherwise), so a pack whose tests
	// spin uses one core, not all of them, and a small upload beside it
	// still gets a slot and its share of the CPU.
	MaxConcurrentChecks int
	// CheckTimeout bounds the validation and tests of one upload in all
	// (default 60s); past it the upload is refused (422 checks_timeout).
	CheckTimeout time.Duration
	// BodyTimeout bounds the reading of a request body (default 2m): a
	// client that trickles its upload does not hold a connection, a
	// staged file and a slot for ever.
	BodyTimeout time.Duration
	// MaxConcurrentUploads bounds the uploads in progress at once (default
	// 64); past it an upload is answered 503 at once, before its body is
	// read.
	MaxConcurrentUploads int
	// ShutdownTimeout bounds how long Serve waits for requests in flight
	// once its context is done (default 30s).
	ShutdownTimeout time.Duration
	Logger          *slog.Logger // nil: discard
	Now             func() time.Time
	Version         string // of the tool, for /api/v1/health
	// Mount adds the routes of the other parts of serve (ingest, alerts,
	// console) to the API's mux, inside its request log. Patterns are
	// net/http's ("GET /api/v1/alerts/{id}").
	Mount func(mux *http.ServeMux)
}

// DefaultMaxUpload is the default request body limit.
const DefaultMaxUpload = 64 << 20

// Server is the backend.
type Server struct {
	opts    Options
	store   *Store
	log     *slog.Logger
	checks  chan struct{}
	uploads chan struct{}
}

// testHook is called at named points of an upload; tests of crash safety
// set it to kill the process there.
var testHook = func(point string) {}

// New opens the store and returns a server. Close it when done (Serve
// does).
func New(opts Options) (*Server, error) {
	if opts.Tokens == nil || opts.Tokens.Len() == 0 {
		return nil, errors.New("no API token configured")
	}
	if opts.DataDir == "" {
		return nil, errors.New("no data dir")
	}
	if opts.MaxUpload <= 0 {
		opts.MaxUpload = DefaultMaxUpload
	}
	if opts.MaxConcurrentChecks <= 0 {
		opts.MaxConcurrentChecks = 4 * runtime.GOMAXPROCS(0)
	}
	if opts.Tests.Parallel <= 0 {
		opts.Tests.Parallel = 1
	}
	if opts.CheckTimeout <= 0 {
		opts.CheckTimeout = 60 * time.Second
	}
	if opts.BodyTimeout <= 0 {
		opts.BodyTimeout = 2 * time.Minute
	}
	if opts.MaxConcurrentUploads <= 0 {
		opts.MaxConcurrentUploads = 64
	}
	if opts.ShutdownTimeout <= 0 {
		opts.ShutdownTimeout = 30 * time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	st, err := OpenStore(opts.DataDir, opts.Now)
	if err != nil {
		return nil, err
	}
	return &Server{opts: opts, store: st, log: log, checks: make(chan struct{}, opts.MaxConcurrentChecks),
		uploads: make(chan struct{}, opts.MaxConcurrentUploads)}, nil
}

// Store is the server's storage.
func (s *Server) Store() *Store { return s.store }

// Close closes the store.
func (s *Server) Close() error { return s.store.Close() }

// Serve answers on ln until ctx is done, then shuts down gracefully:
// requests in flight finish (bounded by ShutdownTimeout), then the store
// closes. With certFile and keyFile it serves TLS (1.2 or later).
func (s *Server) Serve(ctx context.Context, ln net.Listener, certFile, keyFile string) error {
	defer s.Close()
	srv := &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	scheme := "http"
	if certFile != "" || keyFile != "" {
		cert, err := tls.LoadX509KeyPair(certFile, keyFile)
		if err != nil {
			return fmt.Errorf("TLS certificate and key: %w", err)
		}
		srv.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}}
		scheme = "https"
	}
	errc := make(chan error, 1)
	go func() {
		if scheme == "https" {
			errc <- srv.ServeTLS(ln, "", "")
		} else {
			errc <- srv.Serve(ln)
		}
	}()
	s.log.Info("listening", "addr", ln.Addr().String(), "url", scheme+"://"+ln.Addr().String(), "data", s.opts.DataDir, "tokens", s.opts.Tokens.Len())
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	s.log.Info("shutting down", "timeout", s.opts.ShutdownTimeout.String())
	sctx, cancel := context.WithTimeout(context.Background(), s.opts.ShutdownTimeout)
	defer cancel()
	err := srv.Shutdown(sctx)
	if err != nil {
		s.log.Warn("requests still running at the shutdown timeout: closing them", "error", err.Error())
		srv.Close()
	}
	if serr := <-errc; serr != nil && !errors.Is(serr, http.ErrServerClosed) {
		return serr
	}
	s.log.Info("stopped")
	return err
}
