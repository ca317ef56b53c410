package cmd

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"panther/engine"
	"panther/internal/durable"
	"panther/packs"
	"panther/tester"
)

func init() { register(newCmdPack) }

func newCmdPack(app *App) *cobra.Command {
	c := &cobra.Command{
		Use:   "pack",
		Short: "Build, verify and list rule packs; manage them on the backend",
		Long: `A pack (AnalysisType: pack, PackID, PackDefinition.IDs) is a named set of
detections. "pack build" writes it as a deterministic zip — its detections,
the helpers they require, the data models of their log types, the queries
of its scheduled rules, and a manifest of every file's sha256 and the pack
digest — after validating it and running its tests on their own.
"panther upload" sends it to the backend ("panther serve"); "pack remote"
manages the versions stored there.`,
	}
	c.AddCommand(newCmdPackBuild(app, nil), newCmdPackVerify(app, nil), newCmdPackList(app, nil), newPackRemoteCmd(app))
	return c
}

// buildPacks builds and checks the packs ids ("all" or none for every
// pack) of the detections (packs.BuildAll), printing each failure to out;
// failed says whether any pack failed.
func buildPacks(ctx context.Context, set *engine.Set, ids []string, budget time.Duration, now func() time.Time,
	skipTests bool, out io.Writer, color bool) (built []packs.Checked, failed bool, err error) {
	checked, err := packs.BuildAll(ctx, set, ids, packs.BuildOptions{ToolVersion: Version},
		packs.CheckOptions{Load: loadOptionsOf(set), Tests: tester.Options{Budget: budget, Now: now}, SkipTests: skipTests})
	if err != nil {
		if set.Diagnostics.Errors() > 0 {
			// The pack's spec may be among the files that did not load.
			tester.Diagnostics(out, set.Diagnostics, color)
			if errors.Is(err, packs.ErrNoPacks) {
				return nil, true, nil
			}
		}
		if errors.Is(err, context.Canceled) {
			return nil, false, err
		}
		return nil, false, usageErr("%v", err)
	}
	for _, c := range checked {
		switch {
		case c.Err != nil:
			fmt.Fprintf(out, "%v\n", c.Err)
		case c.Check.Failed():
			fmt.Fprintf(out, "pack %s: %s\n", c.ID, c.Check.Summary())
			printCheckFailure(out, c.Check, color)
		default:
			built = append(built, c)
			continue
		}
		failed = true
	}
	return built, failed, nil
}

// loadOptionsOf are the load options a pack is checked with: those the
// detections were loaded with.
func loadOptionsOf(set *engine.Set) engine.LoadOptions { return set.LoadOptions }

// printCheckFailure shows why a pack failed its checks: the problems, the
// load errors and the failed tests.
func printCheckFailure(out io.Writer, res *packs.CheckResult, color bool) {
	for _, p := range res.Problems {
		fmt.Fprintf(out, "  %s\n", p)
	}
	rep := res.Tests
	if rep == nil {
		rep = &tester.Report{}
	}
	rep.Diagnostics = res.Set.Diagnostics
	tester.Pretty{W: out, Color: color, ShowFailuresOnly: true}.Report(rep.Stream())
}

// packFileName is the zip's name: the PackID with anything unusual in a
// file name replaced.
func packFileName(id string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-', r == '_':
			return r
		}
		return '_'
	}, id) + ".zip"
}

func plural(n int, one string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	if strings.HasSuffix(one, "y") {
		return fmt.Sprintf("%d %sies", n, strings.TrimSuffix(one, "y"))
	}
	return fmt.Sprintf("%d %ss", n, one)
}

// packBuildOptions are the settings of `panther pack build`.
type packBuildOptions struct {
	IO     *IOStreams
	Now    func() time.Time
	Ctx    context.Context
	Load   func(paths []string) (*engine.Set, error)
	Budget time.Duration

	Paths     []string
	IDs       []string
	OutDir    string
	SkipTests bool
	Format    string
}

func newCmdPackBuild(app *App, runF func(*packBuildOptions) error) *cobra.Command {
	opts := &packBuildOptions{IO: app.IO, Now: app.Now}
	c := &cobra.Command{
		Use:   "build [PATH...]",
		Short: "Validate, test and write packs as deterministic zips",
		Long: `Build packs from the detections under the paths (default: the detections
setting, else the shipped set). Each pack is validated and its tests run on
the pack's own content — exactly what the backend checks on upload — and
only then written to DIR/<PackID>.zip.

The zip holds the pack's closure with the files' relative layout, so it
validates and tests on its own once unzipped, and manifest.json: every
file's size and sha256, and the pack digest (a sha256 over those, stable
whatever tool version wrote the zip). Same content, same bytes.

Exit code 1 when a pack fails validation or tests, or cannot be built.`,
		Example: `  panther pack build
  panther pack build rules/ --pack AWS.Core -o dist
  panther pack build --skip-tests --format json`,
		RunE: func(c *cobra.Command, args []string) error {
			opts.Ctx, opts.Paths, opts.Load, opts.Budget = c.Context(), args, app.loadDetections, app.settings().LuaTimeout
			if opts.Format != "pretty" && opts.Format != "json" {
				return usageErr("--format %q: pretty or json", opts.Format)
			}
			if runF != nil {
				return runF(opts)
			}
			return packBuildRun(opts)
		},
	}
	f := c.Flags()
	f.StringSliceVar(&opts.IDs, "pack", nil, "PackIDs to build, or all (default all; repeatable)")
	f.StringVarP(&opts.OutDir, "output", "o", "dist", "folder the zips are written to")
	f.BoolVar(&opts.SkipTests, "skip-tests", false, "validate only; do not run the tests (the backend runs them anyway)")
	f.StringVar(&opts.Format, "format", "pretty", "output: pretty or json")
	_ = c.RegisterFlagCompletionFunc("pack", completePackIDs(app))
	luaTimeoutFlag(c)
	return c
}

// packBuildItem is a built pack in --format json.
type packBuildItem struct {
	Pack       string `json:"pack"`
	File       string `json:"file"`
	Digest     string `json:"digest"`
	Bytes      int    `json:"bytes"`
	Files      int    `json:"files"`
	Detections int    `json:"detections"`
	Tests      int    `json:"tests_passed"`
}

func packBuildRun(opts *packBuildOptions) error {
	set, err := opts.Load(opts.Paths)
	if err != nil {
		return err
	}
	built, failed, err := buildPacks(opts.Ctx, set, opts.IDs, opts.Budget, opts.Now, opts.SkipTests, opts.IO.Out, opts.IO.Color)
	if err != nil {
		return err
	}
	if len(built) > 0 {
		if err := os.MkdirAll(opts.OutDir, 0o755); err != nil {
			return opErr(fmt.Errorf("output folder: %w", err))
		}
	}
	items := []packBuildItem{}
	for _, b := range built {
		m := b.Built.Manifest
		path := filepath.Join(opts.OutDir, packFileName(m.Pack))
		if err := durable.WriteFile(path, b.Built.Zip, 0o644); err != nil {
			return opErr(fmt.Errorf("pack %s: %w", m.Pack, err))
		}
		items = append(items, packBuildItem{Pack: m.Pack, File: path, Digest: m.Digest, Bytes: len(b.Built.Zip), Files: len(m.Files),
			Detections: len(m.Detections), Tests: b.Tests()})
		if opts.Format == "pretty" {
			tests := plural(b.Tests(), "test") + " passed"
			if opts.SkipTests {
				tests = "tests skipped"
			}
			fmt.Fprintf(opts.IO.Out, "built %s: %s, %s, %s, %s, %s; %s; digest %s\n", path,
				plural(len(m.Detections), "detection"), plural(len(m.Helpers), "helper"), plural(len(m.DataModels), "data model"),
				plural(len(m.Queries), "query"), plural(len(m.Files), "file"), tests, m.Digest)
		}
	}
	if opts.Format == "json" {
		if err := printJSON(opts.IO.Out, items); err != nil {
			return err
		}
	}
	if failed {
		return findings()
	}
	return nil
}

// printJSON writes v as indented JSON.
func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return opErr(enc.Encode(v))
}

// packVerifyOptions are the settings of `panther pack verify`.
type packVerifyOptions struct {
	IO     *IOStreams
	Now    func() time.Time
	Ctx    context.Context
	Load   engine.LoadOptions
	Budget time.Duration
	Files  []string
	Test   bool
}

func newCmdPackVerify(app *App, runF func(*packVerifyOptions) error) *cobra.Command {
	opts := &packVerifyOptions{IO: app.IO, Now: app.Now}
	c := &cobra.Command{
		Use:   "verify FILE...",
		Short: "Check pack zips against their manifests",
		Long: `Check that each zip is a pack archive whose files match its manifest: sizes,
sha256s and the pack digest; no file missing or extra; no unsafe path,
symlink, duplicate entry or oversized content. With --test, also validate
the pack and run its tests on its own content.

Exit code 1 when a file does not verify.`,
		Example: `  panther pack verify dist/*.zip
  panther pack verify --test dist/PantherCore.zip`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Ctx, opts.Files, opts.Budget = c.Context(), args, app.settings().LuaTimeout
			var err error
			if opts.Load, err = app.loadOptions(); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return packVerifyRun(opts)
		},
	}
	c.Flags().BoolVar(&opts.Test, "test", false, "also validate the pack and run its tests")
	luaTimeoutFlag(c)
	return c
}

func packVerifyRun(opts *packVerifyOptions) error {
	bad := false
	for _, file := range opts.Files {
		ok, err := verifyOne(opts, file)
		if err != nil {
			return err
		}
		bad = bad || !ok
	}
	if bad {
		return findings()
	}
	return nil
}

// verifyOne verifies one zip and prints its line; an error only for what
// stops the command (a file that cannot be read).
func verifyOne(opts *packVerifyOptions, file string) (bool, error) {
	arch, zf, _, err := openArchiveFile(file)
	if err != nil {
		var ae *packs.ArchiveError
		if errors.As(err, &ae) {
			fmt.Fprintf(opts.IO.Out, "%s: FAIL: %v\n", file, err)
			return false, nil
		}
		return false, opErr(err)
	}
	defer zf.Close()
	m := arch.Manifest
	line := fmt.Sprintf("%s: ok: pack %s, %s, %s, digest %s", file, m.Pack, plural(len(m.Detections), "detection"), plural(len(m.Files), "file"), m.Digest)
	if opts.Test {
		res := packs.Check(opts.Ctx, arch.FS(), m, packs.CheckOptions{Load: opts.Load,
			Tests: tester.Options{Budget: opts.Budget, Now: opts.Now}, Display: file})
		if res.Failed() {
			fmt.Fprintf(opts.IO.Out, "%s: FAIL: %s\n", file, res.Summary())
			printCheckFailure(opts.IO.Out, res, opts.IO.Color)
			return false, nil
		}
		line += fmt.Sprintf(", %s passed", plural(res.Tests.Passed, "test"))
	}
	_, err = fmt.Fprintln(opts.IO.Out, line)
	return true, opErr(err)
}

// openArchiveFile opens and verifies a pack zip on disk. The caller closes
// the file.
func openArchiveFile(file string) (*packs.Archive, *os.File, int64, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, nil, 0, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, 0, err
	}
	if st.IsDir() {
		f.Close()
		return nil, nil, 0, &packs.ArchiveError{Kind: packs.KindNotZip, Message: "a folder, not a zip", Hint: "give the .zip that `panther pack build` wrote"}
	}
	arch, err := packs.OpenArchive(f, st.Size(), packs.Limits{})
	if err != nil {
		f.Close()
		return nil, nil, 0, err
	}
	return arch, f, st.Size(), nil
}

// packListOptions are the settings of `panther pack list`.
type packListOptions struct {
	IO     *IOStreams
	Load   func(paths []string) (*engine.Set, error)
	Paths  []string
	Format string
}

func newCmdPackList(app *App, runF func(*packListOptions) error) *cobra.Command {
	opts := &packListOptions{IO: app.IO}
	c := &cobra.Command{
		Use:   "list [PATH...]",
		Short: "List the packs of the detections",
		Example: `  panther pack list
  panther pack list rules/ --format json`,
		RunE: func(c *cobra.Command, args []string) error {
			opts.Paths, opts.Load = args, app.loadDetections
			if opts.Format != "pretty" && opts.Format != "json" {
				return usageErr("--format %q: pretty or json", opts.Format)
			}
			if runF != nil {
				return runF(opts)
			}
			return packListRun(opts)
		},
	}
	c.Flags().StringVar(&opts.Format, "format", "pretty", "output: pretty or json")
	return c
}

// packListItem is a pack in `pack list --format json`.
type packListItem struct {
	ID          string   `json:"id"`
	DisplayName string   `json:"display_name,omitempty"`
	File        string   `json:"file"`
	IDs         []string `json:"ids"`
}

func packListRun(opts *packListOptions) error {
	set, err := opts.Load(opts.Paths)
	if err != nil {
		return err
	}
	items := []packListItem{}
	for _, p := range set.Packs {
		items = append(items, packListItem{ID: p.ID, DisplayName: p.DisplayName, File: p.File, IDs: p.IDs})
	}
	slices.SortFunc(items, func(a, b packListItem) int { return strings.Compare(a.ID, b.ID) })
	if opts.Format == "json" {
		return printJSON(opts.IO.Out, items)
	}
	out := newOutput("stdout", opts.IO.Out)
	if len(items) == 0 {
		fmt.Fprintln(out, "no packs")
	} else {
		tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "PACK\tIDS\tNAME\tFILE")
		for _, it := range items {
			fmt.Fprintf(tw, "%s\t%d\t%s\t%s\n", it.ID, len(it.IDs), it.DisplayName, it.File)
		}
		tw.Flush()
	}
	if n := set.Diagnostics.Errors(); n > 0 {
		fmt.Fprintf(opts.IO.ErrOut, "panther: %s in the detections; `panther validate` shows them\n", plural(n, "error"))
	}
	return out.Close()
}

// ctxOf is the command's context, never nil.
func ctxOf(c *cobra.Command) context.Context {
	if ctx := c.Context(); ctx != nil {
		return ctx
	}
	return context.Background()
}
