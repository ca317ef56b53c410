package cmd

import (
	"context"
	"database/sql"
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
)

func init() { register(func(app *App) *cobra.Command { return newCmdVersion(app, nil) }) }

// versionOptions are the settings of `panther version`.
type versionOptions struct {
	IO     *IOStreams
	Ctx    context.Context
	Format string
}

func newCmdVersion(app *App, runF func(*versionOptions) error) *cobra.Command {
	opts := &versionOptions{IO: app.IO}
	c := &cobra.Command{
		Use:   "version",
		Short: "Print the version of panther and of what it is built with",
		Long: `Print panther's version and commit, and the versions of Go, DuckDB and
gopher-lua it was built with (--format json for machines: version, commit,
go, duckdb, gopher_lua).`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			opts.Ctx = ctxOf(c)
			if opts.Format != "pretty" && opts.Format != "json" {
				return usageErr("--format %q: pretty or json", opts.Format)
			}
			if runF != nil {
				return runF(opts)
			}
			return versionRun(opts)
		},
	}
	c.Flags().StringVar(&opts.Format, "format", "pretty", "output: pretty or json")
	return c
}

// buildVersions are the versions `panther version` prints.
type buildVersions struct {
	Version   string `json:"version"`
	Commit    string `json:"commit"`
	Go        string `json:"go"`
	DuckDB    string `json:"duckdb"`
	GopherLua string `json:"gopher_lua"`
}

func versionRun(opts *versionOptions) error {
	v := buildVersions{Version: Version, Commit: Commit, Go: runtime.Version(), DuckDB: duckDBVersion(opts.Ctx), GopherLua: "unknown"}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && v.Commit == "" {
				v.Commit = s.Value
			}
		}
		for _, m := range bi.Deps {
			if m.Path == "github.com/yuin/gopher-lua" {
				v.GopherLua = m.Version
			}
		}
	}
	if v.Commit == "" {
		v.Commit = "unknown"
	}
	if opts.Format == "json" {
		return printJSON(opts.IO.Out, v)
	}
	_, err := fmt.Fprintf(opts.IO.Out, "panther %s (commit %s)\n  go          %s\n  duckdb      %s\n  gopher-lua  %s\n",
		v.Version, v.Commit, v.Go, v.DuckDB, v.GopherLua)
	return opErr(err)
}

// duckDBVersion asks the DuckDB linked in (the driver package query
// imports) for its version.
func duckDBVersion(ctx context.Context) string {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return "unknown"
	}
	defer db.Close()
	var s string
	if err := db.QueryRowContext(ctx, "SELECT library_version FROM pragma_version()").Scan(&s); err != nil {
		return "unknown"
	}
	return strings.TrimSpace(s)
}
