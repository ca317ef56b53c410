package cmd

import (
	"context"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"panther/auth"
	"panther/engine"
	"panther/packs"
	"panther/packs/server"
	"panther/parsers/logtypes"
	"panther/serve"
)

// ServeMemoryLimit is the soft memory limit `panther serve` runs with
// when GOMEMLIMIT is not set.
const ServeMemoryLimit = 400 << 20

// liveOptions reads the settings of the live service.
func liveOptions(app *App, c *cobra.Command) (serve.Options, error) {
	cfg := app.cfg
	var o serve.Options
	o.Lake = cfg.String(c, "lake", "serve_lake", "")
	nolake, err := cfg.Bool(c, "no-lake", "serve_no_lake", false)
	if err != nil {
		return o, err
	}
	o.NoLake = nolake
	if o.CommitInterval, err = cfg.Duration(c, "commit-interval", "serve_commit_interval", 10*time.Second); err != nil {
		return o, err
	}
	if o.CommitInterval < 100*time.Millisecond {
		return o, usageErr("--commit-interval: at least 100ms")
	}
	for _, spec := range cfg.Strings(c, "syslog", "serve_syslog", nil) {
		l, err := serve.ParseSyslog(spec)
		if err != nil {
			return o, usageErr("--syslog: %v", err)
		}
		o.Syslog = append(o.Syslog, l)
	}
	for _, spec := range cfg.Strings(c, "kafka", "serve_kafka", nil) {
		k, err := serve.ParseKafka(spec)
		if err != nil {
			return o, usageErr("--kafka: %v", err)
		}
		o.Kafka = append(o.Kafka, k)
	}
	for flag, dst := range map[string]*int64{"max-body": &o.HTTPIngest.MaxBody, "max-decompressed": &o.HTTPIngest.MaxDecompressed, "max-queue": &o.MaxQueueBytes} {
		def := c.Flags().Lookup(flag).DefValue
		n, err := parseSize(cfg.String(c, flag, "serve_"+strings.ReplaceAll(flag, "-", "_"), def))
		if err != nil {
			return o, usageErr("--%s: %v", flag, err)
		}
		*dst = int64(n)
	}
	if o.MaxRecordBytes, err = parseSize(cfg.String(c, "max-record-bytes", "max_record_bytes", "16MiB")); err != nil {
		return o, usageErr("--max-record-bytes: %v", err)
	}
	rate := cfg.String(c, "ingest-rate", "serve_ingest_rate", "0")
	if o.HTTPIngest.RatePerToken, err = strconv.ParseFloat(rate, 64); err != nil || o.HTTPIngest.RatePerToken < 0 {
		return o, usageErr("--ingest-rate: %q is not a number of requests a second", rate)
	}
	if o.Workers, err = cfg.Int(c, "workers", "workers", 0); err != nil {
		return o, err
	}
	return o, nil
}

func init() { register(newServeCmd) }

func newServeCmd(app *App) *cobra.Command {
	c := &cobra.Command{
		Use:   "serve",
		Short: "Run the backend: the pack store, live ingest and live detection",
		Long: `Run the backend: an HTTP JSON API under /api/v1 (see the README and
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
log and is processed at the next start.`,
		Example: `  export PANTHER_SERVE_TOKENS="write:$(openssl rand -hex 32),read:$(openssl rand -hex 32),ingest/fw:$(openssl rand -hex 32)"
  panther serve --data /var/lib/panther --listen 127.0.0.1:8080
  panther serve --data ./data --listen :8443 --tls-cert cert.pem --tls-key key.pem \
      --syslog 'dmz=tls://0.0.0.0:6514?tls_cert=cert.pem&tls_key=key.pem&tls_client_ca=ca.pem&label=dmz'
  curl -H "Authorization: Bearer $TOKEN" --data-binary @cloudtrail.json.gz \
      'http://127.0.0.1:8080/api/v1/ingest?log_type=AWS.CloudTrail'`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			cfg := app.cfg
			data := cfg.String(c, "data", "serve_data", "")
			if data == "" {
				return usageErr("no data folder: give --data DIR (or serve_data in the config file), where pack versions are stored")
			}
			listen := cfg.String(c, "listen", "serve_listen", "127.0.0.1:8080")
			cert := cfg.String(c, "tls-cert", "serve_tls_cert", "")
			key := cfg.String(c, "tls-key", "serve_tls_key", "")
			if (cert == "") != (key == "") {
				return usageErr("TLS needs both --tls-cert and --tls-key")
			}
			var specs []string
			for _, s := range cfg.Strings(nil, "", "serve_tokens", nil) {
				specs = append(specs, strings.Split(s, ",")...)
			}
			tokens, err := auth.ParseTokens(specs)
			if err != nil {
				return usageErr("%v", err)
			}
			sizes := map[string]int{}
			for flag, def := range map[string]string{"max-upload": "64MiB", "max-unzipped": "256MiB"} {
				n, err := parseSize(cfg.String(c, flag, "serve_"+strings.ReplaceAll(flag, "-", "_"), def))
				if err != nil {
					return usageErr("--%s: %v", flag, err)
				}
				sizes[flag] = n
			}
			maxFiles, err := cfg.Int(c, "max-files", "serve_max_files", packs.DefaultLimits.MaxFiles)
			if err != nil {
				return err
			}
			shutdown, err := cfg.Duration(c, "shutdown-timeout", "serve_shutdown_timeout", 0)
			if err != nil {
				return err
			}
			checkTimeout, err := cfg.Duration(c, "check-timeout", "serve_check_timeout", 0)
			if err != nil {
				return err
			}
			var level slog.Level
			if err := level.UnmarshalText([]byte(cfg.String(c, "log-level", "serve_log_level", "info"))); err != nil {
				return usageErr("--log-level: debug, info, warn or error")
			}
			lopts, err := app.loadOptions(c)
			if err != nil {
				return err
			}
			live, err := liveOptions(app, c)
			if err != nil {
				return err
			}
			live.Packs = server.Options{
				DataDir: data, Tokens: tokens, Load: lopts,
				Tests:     engine.TestOptions{Budget: lopts.Budget, Fixtures: fixtureRunner(lopts.Budget)},
				MaxUpload: int64(sizes["max-upload"]),
				Limits:    packs.Limits{MaxFiles: maxFiles, MaxUncompressed: int64(sizes["max-unzipped"])},
				Now:       app.Now, Version: Version, ShutdownTimeout: shutdown, CheckTimeout: checkTimeout,
			}
			live.Listen, live.TLSCert, live.TLSKey, live.ShutdownTimeout = listen, cert, key, shutdown
			live.Logger = slog.New(slog.NewJSONHandler(app.IO.ErrOut, &slog.HandlerOptions{Level: level}))
			live.Registry = lopts.Registry
			if live.Registry == nil {
				live.Registry = logtypes.Default()
			}
			// A first signal stops gracefully (drain, commit); a second
			// aborts, keeping what is durable.
			stop := ctxOf(c)
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
			// A soft memory limit keeps the service's peak under the 500 MB
			// its issue sets (the queues and the lake bound what is live;
			// the limit bounds the garbage). GOMEMLIMIT still wins.
			if os.Getenv("GOMEMLIMIT") == "" {
				debug.SetMemoryLimit(ServeMemoryLimit)
			}
			al, err := app.openAlerts(abort, c, data, tokens, lopts, live.Logger)
			if err != nil {
				return err
			}
			defer al.close()
			al.wire(&live, stop)
			if err := serve.Run(stop, abort, live); err != nil {
				return opErr(err)
			}
			return nil
		},
	}
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
	f.StringArray("syslog", nil, "a syslog listener NAME=NETWORK://HOST:PORT?options, repeatable (setting serve_syslog; see docs/serve.md)")
	f.StringArray("kafka", nil, "a Kafka consumer group NAME=kafka://BROKER,BROKER?topics=T&group=G, repeatable (setting serve_kafka; see docs/serve.md)")
	f.String("max-body", "64MiB", "largest /api/v1/ingest body as sent (setting serve_max_body)")
	f.String("max-decompressed", "256MiB", "largest /api/v1/ingest body once decompressed (setting serve_max_decompressed)")
	f.Float64("ingest-rate", 0, "requests a second one token may send to /api/v1/ingest; 0 is no limit (setting serve_ingest_rate)")
	f.String("max-queue", "64MiB", "bytes of events received and not processed before inputs are refused or paused (setting serve_max_queue)")
	f.String("max-record-bytes", "16MiB", "largest record of an ingest body")
	f.Int("workers", 0, "pipeline workers (default: one per core)")
	alertsFlags(c)
	luaTimeoutFlag(c)
	return c
}
