package cmd

import (
	"bytes"
	"context"
	"encoding/json"
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

	"panther/packs"
)

func init() { register(newUploadCmd) }

// remoteFlags adds the flags of every command that talks to the backend.
func remoteFlags(c *cobra.Command) {
	f := c.Flags()
	f.String("api-url", "", "backend URL, like https://panther.example.com (setting api_url, PANTHER_API_URL)")
	f.String("api-token", "", "API token (prefer PANTHER_API_TOKEN: flags show in the process list; setting api_token)")
	f.Int("retries", 4, "attempts per request on network errors and 5xx (setting api_retries)")
	f.Duration("timeout", 2*time.Minute, "time limit of one request (setting api_timeout)")
}

// packClient builds the API client from flags > PANTHER_* > config.
func (app *App) packClient(c *cobra.Command) (*packs.Client, error) {
	raw := strings.TrimSpace(app.cfg.String(c, "api-url", "api_url", ""))
	if raw == "" {
		return nil, usageErr("no backend URL: give --api-url or set PANTHER_API_URL (or api_url in .panther.yml)")
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, usageErr("--api-url %q: give an http:// or https:// URL with a host", raw)
	}
	token := strings.TrimSpace(app.cfg.String(c, "api-token", "api_token", ""))
	if token == "" {
		return nil, usageErr("no API token: set PANTHER_API_TOKEN (or give --api-token, or api_token in the user config)")
	}
	retries, err := app.cfg.Int(c, "retries", "api_retries", 4)
	if err != nil {
		return nil, err
	}
	if retries < 1 {
		return nil, usageErr("--retries must be 1 or more")
	}
	timeout, err := app.cfg.Duration(c, "timeout", "api_timeout", 2*time.Minute)
	if err != nil {
		return nil, err
	}
	if u.Scheme == "http" && !isLoopback(u.Hostname()) {
		fmt.Fprintf(app.IO.ErrOut, "panther: warning: %s is plain HTTP: the API token travels unencrypted\n", raw)
	}
	return &packs.Client{
		BaseURL: strings.TrimRight(raw, "/"), Token: token, MaxAttempts: retries,
		HTTP:      &http.Client{Timeout: timeout},
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
func (app *App) remoteErr(err error, out io.Writer) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) {
		return err
	}
	var ae *packs.APIError
	if errors.As(err, &ae) {
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
	var ne *packs.NetworkError
	if errors.As(err, &ne) {
		return &ExitError{Code: ExitOperational, Err: fmt.Errorf("cannot reach the backend: %v\n  check --api-url (PANTHER_API_URL) and that `panther serve` runs there", err)}
	}
	return opErr(err)
}

func newUploadCmd(app *App) *cobra.Command {
	var (
		packArg    []string
		detections []string
		dryRun     bool
		noActivate bool
		skipTests  bool
		expect     int
		format     string
	)
	c := &cobra.Command{
		Use:   "upload [FILE.zip...]",
		Short: "Upload packs to the backend (panther serve)",
		Long: `Upload pack zips to the backend, which validates and tests them again and
stores them as a new version of their pack, made active.

With FILE arguments (or --pack FILE.zip), those zips are verified against
their manifests and sent. Otherwise the packs named by --pack (default: all)
are built from the detections (--detections, else the detections setting,
else the shipped set), validated and tested here first, then sent.

--dry-run asks the server to validate and test and to answer what would
change (detections new, changed, removed against the active version)
without storing anything. Uploading the content of the active version again
changes nothing ("unchanged"). Network errors and 5xx answers are retried
with backoff (--retries).

Exit codes: 0 ok; 1 the pack fails validation or tests (here or on the
server); 2 usage (no --api-url or token); 3 the backend refused the request
or could not be reached — the message says what to do.`,
		Example: `  export PANTHER_API_URL=https://panther.example.com PANTHER_API_TOKEN=...
  panther upload --pack PantherCore --dry-run
  panther upload dist/PantherCore.zip
  panther upload --detections rules/ --pack all`,
		RunE: func(c *cobra.Command, args []string) error {
			if format != "pretty" && format != "json" {
				return usageErr("--format %q: pretty or json", format)
			}
			var files, ids []string
			files = append(files, args...)
			for _, p := range packArg {
				if strings.HasSuffix(strings.ToLower(p), ".zip") || isFile(p) {
					files = append(files, p)
				} else {
					ids = append(ids, p)
				}
			}
			if len(files) > 0 && (len(ids) > 0 || len(detections) > 0) {
				return usageErr("give zip files or pack IDs, not both")
			}
			client, err := app.packClient(c)
			if err != nil {
				return err
			}
			type upload struct {
				name string
				body io.ReaderAt
				size int64
			}
			var ups []upload
			failed := false
			if len(files) > 0 {
				for _, file := range files {
					arch, f, size, err := openArchiveFile(file)
					if err != nil {
						var ae *packs.ArchiveError
						if errors.As(err, &ae) {
							return &ExitError{Code: ExitFindings, Err: fmt.Errorf("%s: %v", file, err)}
						}
						return opErr(err)
					}
					defer f.Close()
					ups = append(ups, upload{name: arch.Manifest.Pack, body: f, size: size})
				}
			} else {
				built, bad, err := app.buildPacks(c, detections, ids, skipTests, app.IO.Out)
				if err != nil {
					return opErr(err)
				}
				failed = bad
				for _, b := range built {
					ups = append(ups, upload{name: b.Manifest.Pack, body: bytes.NewReader(b.Zip), size: int64(len(b.Zip))})
				}
			}
			var results []*packs.UploadResult
			for _, u := range ups {
				res, err := client.Upload(ctxOf(c), u.body, u.size, packs.UploadOptions{DryRun: dryRun, NoActivate: noActivate, IfActive: expect})
				if err != nil {
					return app.remoteErr(fmt.Errorf("pack %s: %w", u.name, err), app.IO.Out)
				}
				results = append(results, res)
				if format == "pretty" {
					printUpload(app.IO.Out, res)
				}
			}
			if format == "json" {
				if results == nil {
					results = []*packs.UploadResult{}
				}
				enc := json.NewEncoder(app.IO.Out)
				enc.SetIndent("", "  ")
				if err := enc.Encode(results); err != nil {
					return opErr(err)
				}
			}
			if failed {
				return findings()
			}
			return nil
		},
	}
	f := c.Flags()
	f.StringSliceVar(&packArg, "pack", nil, "PackIDs to build and upload (or all), or pack zip files (repeatable)")
	f.StringSliceVar(&detections, "detections", nil, "detections to build the packs from (default: the detections setting, else the shipped set)")
	f.BoolVar(&dryRun, "dry-run", false, "validate and test on the server and show what would change; store nothing")
	f.BoolVar(&noActivate, "no-activate", false, "store the version without making it active")
	f.BoolVar(&skipTests, "skip-tests", false, "do not run the tests locally before uploading (the server still does)")
	f.IntVar(&expect, "expect-active", 0, "change nothing unless the active version is still this one (409 otherwise; after a --dry-run, say)")
	f.StringVar(&format, "format", "pretty", "output: pretty or json")
	remoteFlags(c)
	luaTimeoutFlag(c)
	return c
}

func isFile(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}

func printUpload(w io.Writer, r *packs.UploadResult) {
	d := r.Diff
	counts := fmt.Sprintf("%d new, %d changed, %d removed, %d unchanged detections", len(d.New), len(d.Changed), len(d.Removed), d.Unchanged)
	short := packs.ShortDigest(r.Digest)
	switch {
	case r.DryRun && r.Status == packs.StatusCreated:
		act := "stay at " + versionName(r.Active)
		if r.Active == r.Version {
			act = "become active"
		}
		fmt.Fprintf(w, "%s (dry run): would be stored as version %d (digest %s) and %s; %d tests passed on the server\n  %s\n",
			r.Pack, r.Version, short, act, r.Tests, counts)
	case r.DryRun && r.Status == packs.StatusActivated:
		fmt.Fprintf(w, "%s (dry run): version %d has this content (digest %s) and would become active again\n  %s\n", r.Pack, r.Version, short, counts)
	case r.DryRun:
		fmt.Fprintf(w, "%s (dry run): unchanged: version %d has this content (digest %s)\n", r.Pack, r.Version, short)
		return
	case r.Status == packs.StatusCreated:
		state := "active"
		if r.Active != r.Version {
			state = "not active; active is " + versionName(r.Active)
		}
		fmt.Fprintf(w, "%s: stored version %d (%s), digest %s; %d tests passed on the server\n  %s\n", r.Pack, r.Version, state, short, r.Tests, counts)
	case r.Status == packs.StatusActivated:
		fmt.Fprintf(w, "%s: version %d has this content (digest %s) and is active again\n  %s\n", r.Pack, r.Version, short, counts)
	default:
		fmt.Fprintf(w, "%s: unchanged: version %d has this content (digest %s)\n", r.Pack, r.Version, short)
		return
	}
	for _, l := range []struct {
		what string
		ids  []string
	}{{"new", d.New}, {"changed", d.Changed}, {"removed", d.Removed}} {
		if len(l.ids) > 0 {
			fmt.Fprintf(w, "  %s: %s\n", l.what, strings.Join(l.ids, ", "))
		}
	}
}

func versionName(v int) string {
	if v == 0 {
		return "none"
	}
	return fmt.Sprintf("version %d", v)
}
