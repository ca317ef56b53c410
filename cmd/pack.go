package cmd

import (
	"bytes"
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

	"github.com/spf13/cobra"

	"panther/engine"
	"panther/internal/durable"
	"panther/packs"
	"panther/tester"
)

func init() { register(newPackCmd) }

func newPackCmd(app *App) *cobra.Command {
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
	c.AddCommand(newPackBuildCmd(app), newPackVerifyCmd(app), newPackListCmd(app), newPackRemoteCmd(app))
	return c
}

// builtPack is a pack built and checked in memory.
type builtPack struct {
	*packs.Built
	Tests int // tests passed
}

// buildPacks builds the packs ids ("all" for every pack) of the detection
// sources, validating and testing each. Failures are printed to out; the
// packs that passed are returned, and failed says whether any did not.
func (app *App) buildPacks(c *cobra.Command, args, ids []string, skipTests bool, out io.Writer) (built []builtPack, failed bool, err error) {
	srcs, err := app.detectionSources(c, args)
	if err != nil {
		return nil, false, err
	}
	lopts, err := app.loadOptions(c)
	if err != nil {
		return nil, false, err
	}
	set := engine.Load(srcs, lopts)
	var all []string
	for _, p := range set.Packs {
		all = append(all, p.ID)
	}
	slices.Sort(all)
	if len(ids) == 0 || slices.Contains(ids, "all") {
		ids = all
		if len(ids) == 0 {
			if set.Diagnostics.Errors() > 0 {
				tester.Diagnostics(out, set.Diagnostics, app.IO.Color)
				return nil, true, nil
			}
			return nil, false, usageErr("no pack in the detections: a pack is a spec with AnalysisType: pack, PackID and PackDefinition.IDs")
		}
	}
	for _, id := range ids {
		if _, ok := set.Pack(id); !ok {
			if set.Diagnostics.Errors() > 0 {
				// The pack's spec may be among the files that did not load.
				tester.Diagnostics(out, set.Diagnostics, app.IO.Color)
			}
			_, err := packs.Closure(set, id)
			return nil, false, usageErr("%v", err)
		}
	}
	topts := tester.Options{Budget: lopts.Budget, Now: app.Now}
	for _, id := range ids {
		b, err := packs.Build(set, id, packs.BuildOptions{ToolVersion: Version})
		if err != nil {
			fmt.Fprintf(out, "%v\n", err)
			failed = true
			continue
		}
		arch, err := packs.OpenArchive(bytes.NewReader(b.Zip), int64(len(b.Zip)), packs.Limits{})
		if err != nil {
			return nil, false, fmt.Errorf("pack %s: the archive just built does not verify: %w", id, err)
		}
		res := packs.Check(c.Context(), arch.FS(), b.Manifest, packs.CheckOptions{Load: lopts, Tests: topts, SkipTests: skipTests, Display: b.Root})
		if err := c.Context().Err(); err != nil {
			return nil, false, err
		}
		if res.Failed() {
			failed = true
			fmt.Fprintf(out, "pack %s: %s\n", id, res.Summary())
			for _, p := range res.Problems {
				fmt.Fprintf(out, "  %s\n", p)
			}
			printCheckFailure(out, res, app.IO.Color)
			continue
		}
		n := 0
		if res.Tests != nil {
			n = res.Tests.Passed
		}
		built = append(built, builtPack{Built: b, Tests: n})
	}
	return built, failed, nil
}

// printCheckFailure shows why a pack failed its checks: the load problems
// and the failed tests.
func printCheckFailure(out io.Writer, res *packs.CheckResult, color bool) {
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

// writeFileAtomic writes data to path through a temporary file and a
// rename, so a reader never sees half a zip.
func writeFileAtomic(path string, data []byte) error { return durable.WriteFile(path, data, 0o644) }

func plural(n int, one string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	if strings.HasSuffix(one, "y") {
		return fmt.Sprintf("%d %sies", n, strings.TrimSuffix(one, "y"))
	}
	return fmt.Sprintf("%d %ss", n, one)
}

func newPackBuildCmd(app *App) *cobra.Command {
	var (
		ids       []string
		outDir    string
		skipTests bool
		format    string
	)
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
			if format != "pretty" && format != "json" {
				return usageErr("--format %q: pretty or json", format)
			}
			built, failed, err := app.buildPacks(c, args, ids, skipTests, app.IO.Out)
			if err != nil {
				return opErr(err)
			}
			if len(built) > 0 {
				if err := os.MkdirAll(outDir, 0o755); err != nil {
					return opErr(fmt.Errorf("output folder: %w", err))
				}
			}
			type item struct {
				Pack       string `json:"pack"`
				File       string `json:"file"`
				Digest     string `json:"digest"`
				Bytes      int    `json:"bytes"`
				Files      int    `json:"files"`
				Detections int    `json:"detections"`
				Tests      int    `json:"tests_passed"`
			}
			var items []item
			for _, b := range built {
				path := filepath.Join(outDir, packFileName(b.Manifest.Pack))
				if err := writeFileAtomic(path, b.Zip); err != nil {
					return opErr(fmt.Errorf("pack %s: %w", b.Manifest.Pack, err))
				}
				m := b.Manifest
				items = append(items, item{Pack: m.Pack, File: path, Digest: m.Digest, Bytes: len(b.Zip), Files: len(m.Files), Detections: len(m.Detections), Tests: b.Tests})
				if format == "pretty" {
					tests := plural(b.Tests, "test") + " passed"
					if skipTests {
						tests = "tests skipped"
					}
					fmt.Fprintf(app.IO.Out, "built %s: %s, %s, %s, %s, %s; %s; digest %s\n", path,
						plural(len(m.Detections), "detection"), plural(len(m.Helpers), "helper"), plural(len(m.DataModels), "data model"),
						plural(len(m.Queries), "query"), plural(len(m.Files), "file"), tests, m.Digest)
				}
			}
			if format == "json" {
				if items == nil {
					items = []item{}
				}
				enc := json.NewEncoder(app.IO.Out)
				enc.SetIndent("", "  ")
				if err := enc.Encode(items); err != nil {
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
	f.StringSliceVar(&ids, "pack", nil, "PackIDs to build, or all (default all; repeatable)")
	f.StringVarP(&outDir, "output", "o", "dist", "folder the zips are written to")
	f.BoolVar(&skipTests, "skip-tests", false, "validate only; do not run the tests (the backend runs them anyway)")
	f.StringVar(&format, "format", "pretty", "output: pretty or json")
	luaTimeoutFlag(c)
	return c
}

func newPackVerifyCmd(app *App) *cobra.Command {
	var test bool
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
			lopts, err := app.loadOptions(c)
			if err != nil {
				return err
			}
			bad := false
			for _, file := range args {
				arch, zf, _, err := openArchiveFile(file)
				if err != nil {
					var ae *packs.ArchiveError
					if errors.As(err, &ae) {
						fmt.Fprintf(app.IO.Out, "%s: FAIL: %v\n", file, err)
						bad = true
						continue
					}
					return opErr(err)
				}
				m := arch.Manifest
				line := fmt.Sprintf("%s: ok: pack %s, %s, %s, digest %s", file, m.Pack, plural(len(m.Detections), "detection"), plural(len(m.Files), "file"), m.Digest)
				if test {
					res := packs.Check(c.Context(), arch.FS(), m, packs.CheckOptions{Load: lopts,
						Tests: tester.Options{Budget: lopts.Budget, Now: app.Now}, Display: file})
					if res.Failed() {
						fmt.Fprintf(app.IO.Out, "%s: FAIL: %s\n", file, res.Summary())
						for _, p := range res.Problems {
							fmt.Fprintf(app.IO.Out, "  %s\n", p)
						}
						printCheckFailure(app.IO.Out, res, app.IO.Color)
						bad = true
						zf.Close()
						continue
					}
					line += fmt.Sprintf(", %s passed", plural(res.Tests.Passed, "test"))
				}
				zf.Close()
				fmt.Fprintln(app.IO.Out, line)
			}
			if bad {
				return findings()
			}
			return nil
		},
	}
	c.Flags().BoolVar(&test, "test", false, "also validate the pack and run its tests")
	luaTimeoutFlag(c)
	return c
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

func newPackListCmd(app *App) *cobra.Command {
	var format string
	c := &cobra.Command{
		Use:   "list [PATH...]",
		Short: "List the packs of the detections",
		Example: `  panther pack list
  panther pack list rules/ --format json`,
		RunE: func(c *cobra.Command, args []string) error {
			if format != "pretty" && format != "json" {
				return usageErr("--format %q: pretty or json", format)
			}
			srcs, err := app.detectionSources(c, args)
			if err != nil {
				return err
			}
			lopts, err := app.loadOptions(c)
			if err != nil {
				return err
			}
			set := engine.Load(srcs, lopts)
			type item struct {
				ID          string   `json:"id"`
				DisplayName string   `json:"display_name,omitempty"`
				File        string   `json:"file"`
				IDs         []string `json:"ids"`
			}
			items := []item{}
			for _, p := range set.Packs {
				items = append(items, item{ID: p.ID, DisplayName: p.DisplayName, File: p.File, IDs: p.IDs})
			}
			slices.SortFunc(items, func(a, b item) int { return strings.Compare(a.ID, b.ID) })
			if format == "json" {
				enc := json.NewEncoder(app.IO.Out)
				enc.SetIndent("", "  ")
				return opErr(enc.Encode(items))
			}
			if len(items) == 0 {
				fmt.Fprintln(app.IO.Out, "no packs")
			} else {
				tw := tabwriter.NewWriter(app.IO.Out, 0, 0, 2, ' ', 0)
				fmt.Fprintln(tw, "PACK\tIDS\tNAME\tFILE")
				for _, it := range items {
					fmt.Fprintf(tw, "%s\t%d\t%s\t%s\n", it.ID, len(it.IDs), it.DisplayName, it.File)
				}
				tw.Flush()
			}
			if n := set.Diagnostics.Errors(); n > 0 {
				fmt.Fprintf(app.IO.ErrOut, "panther: %s in the detections; `panther validate` shows them\n", plural(n, "error"))
			}
			return nil
		},
	}
	c.Flags().StringVar(&format, "format", "pretty", "output: pretty or json")
	return c
}

// ctxOf is the command's context, never nil.
func ctxOf(c *cobra.Command) context.Context {
	if ctx := c.Context(); ctx != nil {
		return ctx
	}
	return context.Background()
}
