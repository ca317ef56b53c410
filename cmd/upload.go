package cmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"panther/engine"
	"panther/packs"
)

func init() { register(func(app *App) *cobra.Command { return newCmdUpload(app, nil) }) }

// remoteFlags adds the flags of every command that talks to the backend.
func remoteFlags(c *cobra.Command) {
	f := c.Flags()
	f.String("api-url", "", "backend URL, like https://panther.example.com (setting api_url, PANTHER_API_URL)")
	f.String("api-token", "", "API token (prefer PANTHER_API_TOKEN: flags show in the process list; setting api_token)")
	f.Int("retries", 4, "attempts per request on network errors and 5xx (setting api_retries)")
	f.Duration("timeout", 2*time.Minute, "time limit of one request (setting api_timeout)")
	bindSetting(c, "api-url", "api_url")
	bindSetting(c, "api-token", "api_token")
	bindSetting(c, "retries", "api_retries")
	bindSetting(c, "timeout", "api_timeout")
}

// packClient builds the API client from the settings.
func packClient(app *App) (*packs.Client, error) {
	s := app.settings()
	raw := strings.TrimSpace(s.APIURL)
	if raw == "" {
		return nil, usageErr("no backend URL: give --api-url or set PANTHER_API_URL (or api_url in .panther.yml)")
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, usageErr("--api-url %q: give an http:// or https:// URL with a host", raw)
	}
	token := strings.TrimSpace(s.APIToken)
	if token == "" {
		return nil, usageErr("no API token: set PANTHER_API_TOKEN (or give --api-token, or api_token in the user config)")
	}
	if s.APIRetries < 1 {
		return nil, usageErr("--retries must be 1 or more")
	}
	if u.Scheme == "http" && !isLoopback(u.Hostname()) {
		fmt.Fprintf(app.IO.ErrOut, "panther: warning: %s is plain HTTP: the API token travels unencrypted\n", raw)
	}
	return &packs.Client{
		BaseURL: strings.TrimRight(raw, "/"), Token: token, MaxAttempts: s.APIRetries,
		HTTP:      &http.Client{Timeout: s.APITimeout},
		UserAgent: "panther/" + Version,
		OnRetry: func(attempt int, err error, wait time.Duration) {
			fmt.Fprintf(app.IO.ErrOut, "panther: attempt %d failed (%v); retrying in %s\n", attempt, err, wait.Round(10*time.Millisecond))
		},
	}, nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// remoteErr turns a client error into an exit error that says what to do:
// a pack the server refused (422) is a finding, with its diagnostics and
// failed tests printed to out; everything else is operational.
func remoteErr(err error, out io.Writer) error {
	if err == nil || errors.Is(err, context.Canceled) {
		return err
	}
	var ae *packs.APIError
	if errors.As(err, &ae) {
		if ae.Status == http.StatusUnprocessableEntity && out != nil {
			printRefusal(out, ae)
		}
		return apiExitError(ae)
	}
	var ne *packs.NetworkError
	if errors.As(err, &ne) {
		return &ExitError{Code: ExitOperational, Err: fmt.Errorf("cannot reach the backend: %v\n  check --api-url (PANTHER_API_URL) and that `panther serve` runs there", err)}
	}
	return opErr(err)
}

// apiExitError is the exit error of an answer of the backend, with what to
// do about it.
func apiExitError(ae *packs.APIError) error {
	hint := ae.Hint
	switch ae.Status {
	case http.StatusUnauthorized:
		hint = "the server does not accept this token: check PANTHER_API_TOKEN (or --api-token, api_token) against the server's PANTHER_SERVE_TOKENS"
	case http.StatusForbidden:
		hint = "this token is read-only: use a token with the write role (write:TOKEN on the server)"
	case http.StatusConflict:
		hint = "someone changed the pack meanwhile: look at `panther pack remote get PACK`, then retry (with the new --expect-active for an upload)"
		if strings.Contains(ae.Message, "is the active version") || strings.Contains(ae.Message, "no earlier active version") {
			hint = ae.Hint // the server's hint names the fix for these
		}
	case http.StatusRequestEntityTooLarge:
		hint = "the pack is larger than the server accepts: split it into smaller packs, or ask the operator to raise serve's --max-upload, --max-files or --max-unzipped"
	case http.StatusUnsupportedMediaType:
		hint = "upload the .zip that `panther pack build` writes"
	case http.StatusUnprocessableEntity:
		msg := fmt.Sprintf("the server refused the pack (%d %s): %s", ae.Status, ae.Code, ae.Message)
		if hint != "" {
			msg += " (" + hint + ")"
		}
		return &ExitError{Code: ExitFindings, Err: errors.New(msg)}
	}
	msg := fmt.Sprintf("server answered %d %s: %s", ae.Status, ae.Code, ae.Message)
	if hint != "" {
		msg += "\n  " + hint
	}
	return &ExitError{Code: ExitOperational, Err: errors.New(msg)}
}

// printRefusal prints the diagnostics and failed tests of a refused pack.
func printRefusal(out io.Writer, ae *packs.APIError) {
	for _, d := range ae.Diagnostics {
		fmt.Fprintln(out, d.String())
	}
	for _, ft := range ae.FailedTests {
		loc := ft.File
		if ft.Line > 0 {
			loc = fmt.Sprintf("%s:%d", ft.File, ft.Line)
		}
		fmt.Fprintf(out, "[FAIL] %s: %s (%s)\n", ft.Detection, ft.Test, loc)
		for _, f := range ft.Failures {
			fmt.Fprintf(out, "       %s\n", f)
		}
	}
}

// uploadOptions are the settings of `panther upload`.
type uploadOptions struct {
	IO     *IOStreams
	Now    func() time.Time
	Ctx    context.Context
	Load   func(paths []string) (*engine.Set, error)
	Budget time.Duration
	Client func() (*packs.Client, error)

	Files      []string // zips
	IDs        []string // packs to build
	Paths      []string // detections to build from
	DryRun     bool
	NoActivate bool
	SkipTests  bool
	Expect     int
	Format     string
}

const uploadLong = `Upload pack zips to the backend, which validates and tests them again and
stores them as a new version of their pack, made active.

With FILE arguments (or --pack FILE.zip), those zips are verified against
their manifests and sent. Otherwise the packs named by --pack (default: all)
are built from the detections (--detections, else the detections setting,
else the shipped set), validated and tested here first, then sent.

--dry-run asks the server to validate and test and to answer what would
change (detections new, changed, removed against the active version)
without storing anything; for each changed detection it shows what changed:
the spec's keys, the Lua (lines added and removed), the tests. Uploading the
content of the active version again changes nothing ("unchanged"). Network
errors and 5xx answers are retried with backoff (--retries).

With --format json the output is JSON whatever happens: the results, or
{"error": ...} with the server's diagnostics and failed tests.

Exit codes: 0 ok; 1 the pack fails validation or tests (here or on the
server); 2 usage (no --api-url or token); 3 the backend refused the request
or could not be reached — the message says what to do.`

func newCmdUpload(app *App, runF func(*uploadOptions) error) *cobra.Command {
	opts := &uploadOptions{IO: app.IO, Now: app.Now}
	var packArg []string
	c := &cobra.Command{
		Use:   "upload [FILE.zip...]",
		Short: "Upload packs to the backend (panther serve)",
		Long:  uploadLong,
		Example: `  export PANTHER_API_URL=https://panther.example.com PANTHER_API_TOKEN=...
  panther upload --pack PantherCore --dry-run
  panther upload dist/PantherCore.zip
  panther upload --detections rules/ --pack all`,
		RunE: func(c *cobra.Command, args []string) error {
			opts.Ctx, opts.Load, opts.Budget, opts.Paths = ctxOf(c), app.loadDetections, app.settings().LuaTimeout, app.settings().Detections
			opts.Client = func() (*packs.Client, error) { return packClient(app) }
			if opts.Format != "pretty" && opts.Format != "json" {
				return usageErr("--format %q: pretty or json", opts.Format)
			}
			opts.Files = append([]string(nil), args...)
			for _, p := range packArg {
				if strings.HasSuffix(strings.ToLower(p), ".zip") || isFile(p) {
					opts.Files = append(opts.Files, p)
				} else {
					opts.IDs = append(opts.IDs, p)
				}
			}
			if len(opts.Files) > 0 && (len(opts.IDs) > 0 || c.Flags().Changed("detections")) {
				return usageErr("give zip files or pack IDs, not both")
			}
			if runF != nil {
				return runF(opts)
			}
			return uploadRun(opts)
		},
	}
	f := c.Flags()
	f.StringSliceVar(&packArg, "pack", nil, "PackIDs to build and upload (or all), or pack zip files (repeatable)")
	f.StringSlice("detections", nil, "detections to build the packs from (default: the detections setting, else the shipped set)")
	bindSetting(c, "detections", "detections")
	f.BoolVar(&opts.DryRun, "dry-run", false, "validate and test on the server and show what would change; store nothing")
	f.BoolVar(&opts.NoActivate, "no-activate", false, "store the version without making it active")
	f.BoolVar(&opts.SkipTests, "skip-tests", false, "do not run the tests locally before uploading (the server still does)")
	f.IntVar(&opts.Expect, "expect-active", 0, "change nothing unless the active version is still this one (409 otherwise; after a --dry-run, say)")
	f.StringVar(&opts.Format, "format", "pretty", "output: pretty or json")
	_ = c.RegisterFlagCompletionFunc("pack", completePackIDs(app))
	remoteFlags(c)
	luaTimeoutFlag(c)
	return c
}

func isFile(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}
