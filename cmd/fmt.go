package cmd

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"panther/format"
)

func init() { register(func(app *App) *cobra.Command { return newCmdFmt(app, nil) }) }

// fmtOptions are the settings of `panther fmt`.
type fmtOptions struct {
	IO    *IOStreams
	Paths []string
	Check bool
	Diff  bool
}

func newCmdFmt(app *App, runF func(*fmtOptions) error) *cobra.Command {
	opts := &fmtOptions{IO: app.IO}
	c := &cobra.Command{
		Use:   "fmt [PATH...]",
		Short: "Rewrite specs and Lua files in their canonical form",
		Long: `Rewrite the YAML specs and Lua files under PATH (default: the detections
setting, else the current folder) in their canonical form, and print the
names of the files it changed.

Specs: keys in the order of the schema (panther schema), at the top and in
Tests, Expect, Mocks, Fixtures, Mappings, Schedule, PackDefinition and a log
type's CSV and Fields, each with the comments written above it; single-quoted
strings double-quoted where that needs no escape; no trailing spaces, one
blank line at most, one final newline. Test events, Reports and Indicators
keep the order they were written in, and so does everything else: a spec is
rewritten as text, and the result is checked to hold the same values.
Lua: two spaces a block level; lines that continue a statement keep their
offset; trailing spaces go; long strings are left alone.

YAML files without AnalysisType (CI files, fixture expectations) and folders
named fixtures, and hidden ones, are skipped. Formatting is idempotent.
With --check nothing is written: the files that would change are listed and
the exit code is 1, for CI.`,
		Example: `  panther fmt
  panther fmt --check rules/
  panther fmt --diff rules/aws/console_login.yml`,
		RunE: func(c *cobra.Command, args []string) error {
			opts.Paths = args
			if len(opts.Paths) == 0 {
				opts.Paths = app.settings().Detections
			}
			if len(opts.Paths) == 0 {
				opts.Paths = []string{"."}
			}
			if runF != nil {
				return runF(opts)
			}
			return fmtRun(opts)
		},
	}
	c.Flags().BoolVar(&opts.Check, "check", false, "write nothing; list the files that are not formatted and exit 1 if any")
	c.Flags().BoolVar(&opts.Diff, "diff", false, "write nothing; print what would change")
	return c
}

func fmtRun(opts *fmtOptions) error {
	order := format.SchemaOrder(specSchemas())
	var files []string
	for _, p := range opts.Paths {
		st, err := os.Stat(p)
		if err != nil {
			var pe *fs.PathError
			if errors.As(err, &pe) {
				err = pe.Err
			}
			return usageErr("%s: %v", p, err)
		}
		if !st.IsDir() {
			files = append(files, p)
			continue
		}
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			name := d.Name()
			if d.IsDir() {
				if path != p && (strings.HasPrefix(name, ".") || name == "fixtures" || name == "node_modules") {
					return filepath.SkipDir
				}
				return nil
			}
			files = append(files, path)
			return nil
		})
		if err != nil {
			return opErr(err)
		}
	}
	changed, bad := 0, 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return opErr(err)
		}
		out, err := format.File(f, data, order)
		if errors.Is(err, format.ErrSkip) {
			continue
		}
		if err != nil {
			bad++
			fmt.Fprintf(opts.IO.ErrOut, "%s: %v\n", f, err)
			continue
		}
		if bytes.Equal(out, data) {
			continue
		}
		changed++
		switch {
		case opts.Diff:
			fmt.Fprint(opts.IO.Out, fmtDiff(f, data, out))
		case opts.Check:
			fmt.Fprintln(opts.IO.Out, f)
		default:
			st, err := os.Stat(f)
			if err != nil {
				return opErr(err)
			}
			if err := os.WriteFile(f, out, st.Mode().Perm()); err != nil {
				return opErr(err)
			}
			fmt.Fprintln(opts.IO.Out, f)
		}
	}
	if bad > 0 || (opts.Check || opts.Diff) && changed > 0 {
		if opts.Check && changed > 0 {
			fmt.Fprintf(opts.IO.ErrOut, "%d file(s) not formatted: run panther fmt\n", changed)
		}
		return findings()
	}
	return nil
}

// fmtDiff is a plain diff of two versions of a file: the changed lines
// between the common head and tail, enough to see what fmt does.
func fmtDiff(name string, a, b []byte) string {
	x := strings.Split(strings.TrimSuffix(string(a), "\n"), "\n")
	y := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	head := 0
	for head < len(x) && head < len(y) && x[head] == y[head] {
		head++
	}
	tail := 0
	for tail < len(x)-head && tail < len(y)-head && x[len(x)-1-tail] == y[len(y)-1-tail] {
		tail++
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "--- %s\n+++ %s (formatted)\n@@ -%d,%d +%d,%d @@\n", name, name, head+1, len(x)-head-tail, head+1, len(y)-head-tail)
	for _, l := range x[head : len(x)-tail] {
		sb.WriteString("-" + l + "\n")
	}
	for _, l := range y[head : len(y)-tail] {
		sb.WriteString("+" + l + "\n")
	}
	return sb.String()
}
