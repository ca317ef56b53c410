package cmd

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/spf13/cobra"

	"panther/parsers/logtypes"
	"panther/refdocs"
)

func init() { register(func(app *App) *cobra.Command { return newCmdDocs(app, nil) }) }

// docsOptions are the settings of `panther docs` (make docs).
type docsOptions struct {
	IO    *IOStreams
	Out   string
	Check bool
	Root  *cobra.Command
}

func newCmdDocs(app *App, runF func(*docsOptions) error) *cobra.Command {
	opts := &docsOptions{IO: app.IO}
	c := &cobra.Command{
		Use:   "docs",
		Short: "Write the reference documentation (docs/reference) from the code",
		Long: `Write docs/reference/*.md: every command and flag (from this command tree),
every spec key (from the schema the decoder agrees with), every Lua module
function, every log type's schema (from the registry). make docs runs it;
with --check it writes nothing and fails when a file differs.`,
		Hidden: true,
		Args:   cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			opts.Root = c.Root()
			if runF != nil {
				return runF(opts)
			}
			return docsRun(opts)
		},
	}
	c.Flags().StringVar(&opts.Out, "out", "docs/reference", "the folder to write to")
	c.Flags().BoolVar(&opts.Check, "check", false, "write nothing; fail when a file is not current")
	return c
}

// referenceDocs are the reference files of this build.
func referenceDocs(root *cobra.Command) map[string][]byte {
	return refdocs.Files(root, specSchemas(), logtypes.Default())
}

// staleDocs names the files of dir that differ from files.
func staleDocs(dir string, files map[string][]byte) []string {
	var stale []string
	for name, want := range files {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || !bytes.Equal(got, want) {
			stale = append(stale, name)
		}
	}
	slices.Sort(stale)
	return stale
}

func docsRun(opts *docsOptions) error {
	files := referenceDocs(opts.Root)
	if opts.Check {
		if stale := staleDocs(opts.Out, files); len(stale) > 0 {
			return &ExitError{Code: ExitFindings, Err: fmt.Errorf("%s: not current: %v; run make docs", opts.Out, stale)}
		}
		return nil
	}
	if err := os.MkdirAll(opts.Out, 0o755); err != nil {
		return opErr(err)
	}
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if err := os.WriteFile(filepath.Join(opts.Out, name), files[name], 0o644); err != nil {
			return opErr(err)
		}
		fmt.Fprintf(opts.IO.ErrOut, "wrote %s\n", filepath.Join(opts.Out, name))
	}
	return nil
}
