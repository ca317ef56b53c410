package cmd

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"panther/engine"
	"panther/engine/report"
)

func init() { register(newTestCmd) }

func newTestCmd(app *App) *cobra.Command {
	var (
		format       string
		filters      []string
		run          string
		failuresOnly bool
		verbose      bool
		update       bool
		cover        coverageOptions
	)
	c := &cobra.Command{
		Use:   "test [PATH...]",
		Short: "Run the unit tests of detections",
		Long: `Run every test of every detection under the paths (default: the detections
setting, else the shipped set), each in a fresh Lua environment, in parallel.

A test gives an event (Log), the expected result, optional Mocks (replace a
global for that test only; returnValue may be any YAML value) and optional
Expect (title, dedup, severity, alert_context as a subset, destinations...).
Every auxiliary function runs for matching tests and its errors fail the
test; print() output is shown for failing tests.

Fixture tests (Fixtures: in a spec) replay raw log files through the real
parsers and the alert logic (dedup windows, thresholds) and compare the alerts
with an expected file; --update writes what they raise into those files.

The summary line counts tests: "N passed, N failed". Exit code 1 when a test
fails, a file does not load, or a detection has fewer than --minimum-tests.`,
		Example: `  panther test
  panther test rules/ --filter LogTypes=AWS.CloudTrail --filter Severity=High,Critical
  panther test --run 'Root|MFA' --show-failures-only
  panther test --format junit > report.xml`,
		RunE: func(c *cobra.Command, args []string) error {
			if !slices.Contains(report.Formats, format) {
				return usageErr("--format %q: one of %v", format, report.Formats)
			}
			if err := cover.check(c); err != nil {
				return err
			}
			opts := engine.TestOptions{Now: app.Now}
			for _, f := range app.cfg.Strings(c, "filter", "filter", nil) {
				flt, err := engine.ParseFilter(f)
				if err != nil {
					return usageErr("%v", err)
				}
				opts.Filters = append(opts.Filters, flt)
			}
			if run != "" {
				re, err := regexp.Compile(run)
				if err != nil {
					return usageErr("--run: %v", err)
				}
				opts.Run = re
			}
			var err error
			if opts.MinimumTests, err = app.cfg.Int(c, "minimum-tests", "minimum_tests", 0); err != nil {
				return err
			}
			if opts.Parallel, err = app.cfg.Int(c, "parallel", "parallel", 0); err != nil {
				return err
			}
			if opts.Parallel < 0 {
				return usageErr("--parallel must be 0 (all cores) or more")
			}
			srcs, err := app.detectionSources(c, args)
			if err != nil {
				return err
			}
			lopts, err := app.loadOptions(c)
			if err != nil {
				return err
			}
			opts.Budget = lopts.Budget
			fr := fixtureRunner(lopts.Budget)
			fr.Update = update
			fr.Updated = func(file, change string) {
				fmt.Fprintf(app.IO.ErrOut, "updated %s:\n%s\n", file, strings.TrimRight(change, "\n"))
			}
			opts.Fixtures = fr
			lopts.Coverage = cover.On
			set := engine.Load(srcs, lopts)
			rep := engine.RunTests(c.Context(), set, opts)
			if err := c.Context().Err(); err != nil {
				return err
			}
			out := app.IO.Out
			switch format {
			case "json":
				if err := report.JSON(out, rep, set.Diagnostics); err != nil {
					return opErr(err)
				}
			case "junit":
				if err := report.JUnit(out, rep, set.Diagnostics); err != nil {
					return opErr(err)
				}
			case "github":
				report.GitHub(out, rep, set.Diagnostics)
			default:
				report.Pretty(out, rep, set.Diagnostics, report.Options{Color: app.IO.Color, ShowFailuresOnly: failuresOnly, Verbose: verbose})
			}
			if len(rep.Detections) == 0 && (len(opts.Filters) > 0 || opts.Run != nil) {
				fmt.Fprintln(app.IO.ErrOut, "panther: no detection matches the filters")
			}
			var coverErr error
			if cover.On {
				coverErr = writeCoverage(out, app.IO.ErrOut, set, rep.Detections, cover)
			}
			if rep.Failed > 0 || set.Diagnostics.Errors() > 0 || len(rep.BelowMinimum) > 0 {
				return findings()
			}
			return coverErr
		},
	}
	f := c.Flags()
	f.StringVar(&format, "format", "pretty", "output: pretty, json, junit, github")
	f.StringArrayVar(&filters, "filter", nil, "keep detections whose Key matches: Key=V1,V2 or Key!=V (repeatable; setting filter)")
	f.StringVar(&run, "run", "", "run only detections whose ID, or tests whose name, match this regular expression")
	f.Int("minimum-tests", 0, "fail detections with fewer tests (from 2: also one true and one false test)")
	f.BoolVar(&failuresOnly, "show-failures-only", false, "print only failing tests")
	f.BoolVarP(&verbose, "verbose", "v", false, "list every passing test")
	f.Int("parallel", 0, "tests run at once (default: all cores)")
	f.BoolVar(&update, "update", false, "write the alerts fixture tests raise into their expected files (read the diff before committing)")
	coverageFlags(c, &cover)
	luaTimeoutFlag(c)
	return c
}
