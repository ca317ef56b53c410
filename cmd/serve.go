package cmd

import (
	"context"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"panther/auth"
	"panther/engine"
	"panther/packs"
	"panther/packs/server"
	"panther/serve"
	"panther/tester"
)

func init() { register(func(app *App) *cobra.Command { return newCmdServe(app, nil) }) }

// ServeMemoryLimit is the soft memory limit `panther serve` runs with
// when GOMEMLIMIT is not set.
const ServeMemoryLimit = 400 << 20

// serveOptions are the settings of `panther serve`.
type serveOptions struct {
	IO     *IOStreams
	Now    func() time.Time
	Getenv func(string) string // for the secrets of --destinations
	Ctx    context.Context

	Settings Settings
	Load     engine.LoadOptions
}

const serveLong = `Run the backend: an HTTP JSON API under /api/v1 (see docs/backend.md and
docs/serve.md) that stores pack versions — validated and tested with the same
code as "panther test", one active per pack, crash-safe in DIR — and runs the
active versions on live events:

  inputs    POST /api/v1/ingest?log_type=X&label=Y (what "panther replay -"
            reads: lines, NDJSON, JSON arrays, {"Records":[...]}, plain, gzip
            or zstd); syslog listeners over TLS, TCP or UDP (--syslog)
  pipeline  write-ahead log (DIR/wal: a 2xx means durable) → parse →
            the detections of the active packs → alerts → the lake
            (DIR/lake, committed every --commit-interval)
  status    GET /api/v1/status, GET /metrics (Prometheus),
            GET /api/v1/deadletters

Tokens come from PANTHER_SERVE_TOKENS (comma-separated) or serve_tokens in
the config file (a list); each is TOKEN or write:TOKEN (may change packs),
read:TOKEN (list, get, download, status, metrics) or ingest:TOKEN (may only
send events), at least 16 characters; ROLE/NAME:TOKEN names who it is in
logs and history, and ingest/NAME:TOKEN?log_type=X&label=Y pins what it
sends. They are kept hashed. Clients send Authorization: Bearer TOKEN or
X-API-Key: TOKEN.

The alert store lives in DIR/alerts.db (SQLite): its API is under
/api/v1/alerts and /api/v1/events (see docs/alerts.md); --alert-rules adds
folders of alert rules to those of the active packs, --destinations names
where alerts are sent.

Logs are JSON lines on stderr. SIGINT or SIGTERM stop gracefully: no new
events, requests in flight finish (up to --shutdown-timeout), what was
received is processed and committed to the lake. A second signal stops at
once; what was acknowledged and not yet in the lake is in the write-ahead
log and is processed at the next start.`

func newCmdServe(app *App, runF func(*serveOptions) error) *cobra.Command {
	opts := &serveOptions{IO: app.IO, Now: app.Now, Getenv: app.Getenv}
	if opts.Getenv == nil {
		opts.Getenv = os.Getenv
	}
	c := &cobra.Command{
		Use:   "serve",
		Short: "Run the backend: the pack store, live ingest and live detection",
		Long:  serveLong,
		Example: `  export PANTHER_SERVE_TOKENS="write:$(openssl rand -hex 32),read:$(openssl rand -hex 32),ingest/fw:$(openssl rand -hex 32)"
  panther serve --data /var/lib/panther --listen 127.0.0.1:8080
  panther serve --data ./data --listen :8443 --tls-cert cert.pem --tls-key key.pem \
      --syslog 'dmz=tls://0.0.0.0:6514?tls_cert=cert.pem&tls_key=key.pem&tls_client_ca=ca.pem&label=dmz'
  curl -H "Authorization: Bearer $TOKEN" --data-binary @cloudtrail.json.gz \
      'http://127.0.0.1:8080/api/v1/ingest?log_type=AWS.CloudTrail'`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			opts.Ctx, opts.Settings = ctxOf(c), *app.settings()
			var err error
			if opts.Load, err = app.loadOptions(); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return serveRun(opts)
		},
	}
	serveFlags(c)
	luaTimeoutFlag(c)
	return c
}

// serveFlags adds the flags of `panther serve`, each bound to its setting.
func serveFlags(c *cobra.Command) {
	f := c.Flags()
	f.String("data", "", "folder of the database and the pack zips (setting serve_data)")
	f.String("listen", "127.0.0.1:8080", "address to listen on; :8080 for every interface (setting serve_listen)")
	f.String("tls-cert", "", "TLS certificate (PEM); with --tls-key, serve HTTPS")
	f.String("tls-key", "", "TLS private key (PEM)")
	f.String("max-upload", "64MiB", "largest upload body")
	f.String("max-unzipped", "256MiB", "most bytes a pack may hold unzipped (zip bombs)")
	f.Int("max-files", packs.DefaultLimits.MaxFiles, "most files a pack may hold")
	f.Duration("shutdown-timeout", 0, "how long requests in flight may run on at shutdown (default 30s)")
	f.Duration("check-timeout", 0, "how long the validation and tests of one upload may take in all (default 60s)")
	f.String("log-level", "info", "debug, info, warn or error")
	f.String("lake", "", "the lake live events go to (setting serve_lake; default DATA/lake)")
	f.Bool("no-lake", false, "keep no events: detections and alerts only")
	f.Duration("commit-interval", 10*time.Second, "how often the lake commits what arrived (setting serve_commit_interval)")
	f.String("retention", "", "remove the lake's hours that ended longer ago than this, e.g. 90d (setting serve_retention; default: keep all)")
	f.StringArray("syslog", nil, "a syslog listener NAME=NETWORK://HOST:PORT?options, repeatable (setting serve_syslog; see docs/serve.md)")
	f.StringArray("kafka", nil, "a Kafka consumer group NAME=kafka://BROKER,BROKER?topics=T&group=G, repeatable (setting serve_kafka; see docs/serve.md)")
	f.String("max-body", "64MiB", "largest /api/v1/ingest body as sent (setting serve_max_body)")
	f.String("max-decompressed", "256MiB", "largest /api/v1/ingest body once decompressed (setting serve_max_decompressed)")
	f.Float64("ingest-rate", 0, "requests a second one token may send to /api/v1/ingest; 0 is no limit (setting serve_ingest_rate)")
	f.String("max-queue", "64MiB", "bytes of events received and not processed before inputs are refused or paused (setting serve_max_queue)")
	f.String("max-record-bytes", "16MiB", "largest record of an ingest body")
	f.Int("workers", 0, "pipeline workers (default: one per core)")
	alertsFlags(c)
	for flag, key := range map[string]string{"data": "serve_data", "listen": "serve_listen", "tls-cert": "serve_tls_cert",
		"tls-key": "serve_tls_key", "max-upload": "serve_max_upload", "max-unzipped": "serve_max_unzipped",
		"max-files": "serve_max_files", "shutdown-timeout": "serve_shutdown_timeout", "log-level": "serve_log_level",
		"lake": "serve_lake", "no-lake": "serve_no_lake", "commit-interval": "serve_commit_interval", "retention": "serve_retention", "syslog": "serve_syslog",
		"kafka": "serve_kafka", "max-body": "serve_max_body", "max-decompressed": "serve_max_decompressed",
		"ingest-rate": "serve_ingest_rate", "max-queue": "serve_max_queue", "max-record-bytes": "max_record_bytes",
		"workers": "workers", "check-timeout": "serve_check_timeout", "alert-rules": "serve_alert_rules",
		"destinations": "serve_destinations"} {
		bindSetting(c, flag, key)
	}
}

// packsOptions turns the settings into the pack store's options.
func packsOptions(opts *serveOptions) (server.Options, error) {
	s := opts.Settings
	var so server.Options
	if s.ServeData == "" {
		return so, usageErr("no data folder: give --data DIR (or serve_data in the config file), where pack versions are stored")
	}
	if (s.ServeTLSCert == "") != (s.ServeTLSKey == "") {
		return so, usageErr("TLS needs both --tls-cert and --tls-key")
	}
	var specs []string
	for _, t := range s.ServeTokens {
		specs = append(specs, strings.Split(t, ",")...)
	}
	tokens, err := auth.ParseTokens(specs)
	if err != nil {
		return so, usageErr("%v", err)
	}
	var maxUpload, maxUnzipped int
	if err := sizeFlag("max-upload", s.ServeMaxUpload, &maxUpload); err != nil {
		return so, err
	}
	if err := sizeFlag("max-unzipped", s.ServeMaxUnzip, &maxUnzipped); err != nil {
		return so, err
	}
	return server.Options{
		DataDir: s.ServeData, Tokens: tokens, Load: opts.Load,
		Tests:     tester.Options{Budget: s.LuaTimeout},
		MaxUpload: int64(maxUpload),
		Limits:    packs.Limits{MaxFiles: s.ServeMaxFiles, MaxUncompressed: int64(maxUnzipped)},
		Now:       opts.Now, Version: Version, ShutdownTimeout: s.ServeShutdown, CheckTimeout: s.ServeCheck,
	}, nil
}

// liveOptions turns the settings into the live service's options.
func liveOptions(opts *serveOptions) (serve.Options, error) {
	s := opts.Settings
	o := serve.Options{Lake: s.ServeLake, NoLake: s.ServeNoLake, CommitInterval: s.ServeCommit, Workers: s.Workers,
		Listen: s.ServeListen, TLSCert: s.ServeTLSCert, TLSKey: s.ServeTLSKey, ShutdownTimeout: s.ServeShutdown,
		Registry: opts.Load.Registry}
	if o.CommitInterval < 100*time.Millisecond {
		return o, usageErr("--commit-interval: at least 100ms")
	}
	if s.ServeRetention != "" {
		var err error
		if o.Retention, err = durationFlag("--retention", s.ServeRetention); err != nil {
			return o, err
		}
		if o.Retention < 2*time.Hour {
			return o, usageErr("--retention %q: at least 2h (the newest hours are still being written and compacted)", s.ServeRetention)
		}
	}
	for _, spec := range s.ServeSyslog {
		l, err := serve.ParseSyslog(spec)
		if err != nil {
			return o, usageErr("--syslog: %v", err)
		}
		o.Syslog = append(o.Syslog, l)
	}
	for _, spec := range s.ServeKafka {
		k, err := serve.ParseKafka(spec)
		if err != nil {
			return o, usageErr("--kafka: %v", err)
		}
		o.Kafka = append(o.Kafka, k)
	}
	var body, decompressed, queue int
	for _, f := range []struct {
		flag, v string
		dst     *int
	}{{"max-body", s.ServeMaxBody, &body}, {"max-decompressed", s.ServeMaxDecomp, &decompressed},
		{"max-queue", s.ServeMaxQueue, &queue}, {"max-record-bytes", s.MaxRecordBytes, &o.MaxRecordBytes}} {
		if err := sizeFlag(f.flag, f.v, f.dst); err != nil {
			return o, err
		}
	}
	o.HTTPIngest.MaxBody, o.HTTPIngest.MaxDecompressed, o.MaxQueueBytes = int64(body), int64(decompressed), int64(queue)
	if o.HTTPIngest.RatePerToken = s.ServeIngestRate; o.HTTPIngest.RatePerToken < 0 {
		return o, usageErr("--ingest-rate: %v is not a number of requests a second", s.ServeIngestRate)
	}
	return o, nil
}

func serveRun(opts *serveOptions) error {
	po, err := packsOptions(opts)
	if err != nil {
		return err
	}
	live, err := liveOptions(opts)
	if err != nil {
		return err
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(opts.Settings.ServeLogLevel)); err != nil {
		return usageErr("--log-level: debug, info, warn or error")
	}
	live.Packs = po
	live.Logger = slog.New(slog.NewJSONHandler(opts.IO.ErrOut, &slog.HandlerOptions{Level: level}))
	// A first signal stops gracefully (drain, commit); a second aborts,
	// keeping what is durable.
	stop := opts.Ctx
	abort, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		<-stop.Done()
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
		defer signal.Stop(sig)
		select {
		case <-sig:
			cancel()
		case <-abort.Done():
		}
	}()
	// A soft memory limit keeps the service's peak under the 500 MB its
	// issue sets (the queues and the lake bound what is live; the limit
	// bounds the garbage). GOMEMLIMIT still wins.
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(ServeMemoryLimit)
	}
	al, err := openAlerts(abort, opts, po.Tokens, live.Logger)
	if err != nil {
		return err
	}
	defer al.close()
	al.wire(&live, stop)
	if err := serve.Run(stop, abort, live); err != nil {
		return opErr(err)
	}
	return nil
}
