package cmd

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"panther/auth"
	"panther/engine"
	"panther/packs"
	"panther/packs/server"
	"panther/tester"
)

func init() { register(func(app *App) *cobra.Command { return newCmdServe(app, nil) }) }

// serveOptions are the settings of `panther serve`.
type serveOptions struct {
	IO  *IOStreams
	Now func() time.Time
	Ctx context.Context

	Settings Settings
	Load     engine.LoadOptions
}

const serveLong = `Run the backend that "panther upload" and "panther pack remote" talk to: an
HTTP JSON API under /api/v1 (see the README) that validates and tests every
uploaded pack with the same code as "panther test", stores its versions (one
active per pack) in DIR — a bbolt database and content-addressed zips,
crash-safe — and serves the active version with ETag revalidation.

Tokens come from PANTHER_SERVE_TOKENS (comma-separated) or serve_tokens in
the config file (a list); each is TOKEN or write:TOKEN (may change packs),
read:TOKEN (list, get, download) or ingest:TOKEN (may only send events),
at least 16 characters; ROLE/NAME:TOKEN names who it is in logs and
history. They are kept hashed. Clients send Authorization: Bearer TOKEN or X-API-Key: TOKEN.

Logs are JSON lines on stderr. SIGINT or SIGTERM stop it gracefully:
requests in flight finish (up to --shutdown-timeout).`

func newCmdServe(app *App, runF func(*serveOptions) error) *cobra.Command {
	opts := &serveOptions{IO: app.IO, Now: app.Now}
	c := &cobra.Command{
		Use:   "serve",
		Short: "Run the pack backend: an HTTP JSON API that stores and serves pack versions",
		Long:  serveLong,
		Example: `  export PANTHER_SERVE_TOKENS="write:$(openssl rand -hex 32),read:$(openssl rand -hex 32)"
  panther serve --data /var/lib/panther --listen 127.0.0.1:8080
  panther serve --data ./data --listen :8443 --tls-cert cert.pem --tls-key key.pem`,
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
	f := c.Flags()
	f.String("data", "", "folder of the database and the pack zips (setting serve_data)")
	f.String("listen", "127.0.0.1:8080", "address to listen on; :8080 for every interface (setting serve_listen)")
	f.String("tls-cert", "", "TLS certificate (PEM); with --tls-key, serve HTTPS")
	f.String("tls-key", "", "TLS private key (PEM)")
	f.String("max-upload", "64MiB", "largest upload body")
	f.String("max-unzipped", "256MiB", "most bytes a pack may hold unzipped (zip bombs)")
	f.Int("max-files", packs.DefaultLimits.MaxFiles, "most files a pack may hold")
	f.Duration("shutdown-timeout", 0, "how long requests in flight may run on at shutdown (default 30s)")
	f.String("log-level", "info", "debug, info, warn or error")
	for flag, key := range map[string]string{"data": "serve_data", "listen": "serve_listen", "tls-cert": "serve_tls_cert",
		"tls-key": "serve_tls_key", "max-upload": "serve_max_upload", "max-unzipped": "serve_max_unzipped",
		"max-files": "serve_max_files", "shutdown-timeout": "serve_shutdown_timeout", "log-level": "serve_log_level"} {
		bindSetting(c, flag, key)
	}
	luaTimeoutFlag(c)
	return c
}

// serverOptions turns the settings into the server's options.
func serverOptions(opts *serveOptions) (server.Options, error) {
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
	var level slog.Level
	if err := level.UnmarshalText([]byte(s.ServeLogLevel)); err != nil {
		return so, usageErr("--log-level: debug, info, warn or error")
	}
	maxFiles := s.ServeMaxFiles
	if maxFiles == 0 {
		maxFiles = packs.DefaultLimits.MaxFiles
	}
	return server.Options{
		DataDir: s.ServeData, Tokens: tokens, Load: opts.Load,
		Tests:     tester.Options{Budget: s.LuaTimeout},
		MaxUpload: int64(maxUpload),
		Limits:    packs.Limits{MaxFiles: maxFiles, MaxUncompressed: int64(maxUnzipped)},
		Logger:    slog.New(slog.NewJSONHandler(opts.IO.ErrOut, &slog.HandlerOptions{Level: level})),
		Now:       opts.Now, Version: Version, ShutdownTimeout: s.ServeShutdown,
	}, nil
}

func serveRun(opts *serveOptions) error {
	so, err := serverOptions(opts)
	if err != nil {
		return err
	}
	srv, err := server.New(so)
	if err != nil {
		return opErr(err)
	}
	listen := opts.Settings.ServeListen
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		srv.Close()
		return opErr(fmt.Errorf("cannot listen on %s: %v", listen, err))
	}
	if err := srv.Serve(opts.Ctx, ln, opts.Settings.ServeTLSCert, opts.Settings.ServeTLSKey); err != nil {
		return opErr(err)
	}
	return nil
}
