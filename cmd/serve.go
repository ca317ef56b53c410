package cmd

import (
	"fmt"
	"log/slog"
	"net"
	"strings"

	"github.com/spf13/cobra"

	"panther/auth"
	"panther/packs"
	"panther/packs/server"
	"panther/tester"
)

func init() { register(newServeCmd) }

func newServeCmd(app *App) *cobra.Command {
	c := &cobra.Command{
		Use:   "serve",
		Short: "Run the pack backend: an HTTP JSON API that stores and serves pack versions",
		Long: `Run the backend that "panther upload" and "panther pack remote" talk to: an
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
requests in flight finish (up to --shutdown-timeout).`,
		Example: `  export PANTHER_SERVE_TOKENS="write:$(openssl rand -hex 32),read:$(openssl rand -hex 32)"
  panther serve --data /var/lib/panther --listen 127.0.0.1:8080
  panther serve --data ./data --listen :8443 --tls-cert cert.pem --tls-key key.pem`,
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
			var level slog.Level
			if err := level.UnmarshalText([]byte(cfg.String(c, "log-level", "serve_log_level", "info"))); err != nil {
				return usageErr("--log-level: debug, info, warn or error")
			}
			lopts, err := app.loadOptions(c)
			if err != nil {
				return err
			}
			srv, err := server.New(server.Options{
				DataDir: data, Tokens: tokens, Load: lopts,
				Tests:     tester.Options{Budget: lopts.Budget},
				MaxUpload: int64(sizes["max-upload"]),
				Limits:    packs.Limits{MaxFiles: maxFiles, MaxUncompressed: int64(sizes["max-unzipped"])},
				Logger:    slog.New(slog.NewJSONHandler(app.IO.ErrOut, &slog.HandlerOptions{Level: level})),
				Now:       app.Now, Version: Version, ShutdownTimeout: shutdown,
			})
			if err != nil {
				return opErr(err)
			}
			ln, err := net.Listen("tcp", listen)
			if err != nil {
				srv.Close()
				return opErr(fmt.Errorf("cannot listen on %s: %v", listen, err))
			}
			if err := srv.Serve(ctxOf(c), ln, cert, key); err != nil {
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
	f.String("log-level", "info", "debug, info, warn or error")
	luaTimeoutFlag(c)
	return c
}
