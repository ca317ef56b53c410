package cmd

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"panther/engine"
	"panther/tester"
)

func init() { register(func(app *App) *cobra.Command { return newCmdTest(app, nil) }) }

// testOptions are the settings of `panther test`.
type testOptions struct {
	IO     *IOStreams
	Now    func() time.Time
	Ctx    context.Context
	Load   func(paths []string) (*engine.Set, error)
	Budget time.Duration

	Paths            []string
	Format           string
	Filters          []tester.Filter
	Run              *regexp.Regexp
	MinimumTests     int
	Parallel         int
	ShowFailuresOnly bool
	Verbose          bool
	Update           bool
	Strict           bool
	SlowRule         time.Duration // --slow-rule: warn about detections whose test events cost more
	Coverage         coverageOptions
}

const testLong = `Run every test of every detection under the paths (default: the detections
setting, else the shipped set), each in a fresh Lua environment, in parallel.

A test gives an event (Log), the expected result, optional Mocks (replace a
global for that test only; returnValue may be any YAML value) and optional
Expect (title, dedup, severity, alert_context as a subset, destinations...).
Every auxiliary function runs for matching tests and its errors fail the
test; print() output is shown for failing tests. A Log key its log type's
schema does not have is a warning naming the nearest field (an error with
--strict).

Fixture tests (Fixtures: in a spec) replay raw log files through the real
parsers and the alert logic (dedup windows, thresholds) and compare the alerts
with an expected file; --update writes what they raise into those files.

Each passing test's event is also timed (the fastest of a few runs): a
detection whose test events cost over --slow-rule gets a warning on stderr,
since it would hold a replay back (see docs/detection-performance.md).

The summary names the detections that ran, then counts tests: "N passed, N
failed". Exit code 1 when a test fails, a file does not load, or a detection
has fewer than --minimum-tests.`

func newCmdTest(app *App, runF func(*testOptions) error) *cobra.Command {
	opts := &testOptions{IO: app.IO, Now: app.Now}
	var format, run string
	c := &cobra.Command{
		Use:   "test [PATH...]",
		Short: "Run the unit and fixture tests of detections",
		Long:  testLong,
		Example: `  panther test
  panther test rules/ --filter LogTypes=AWS.CloudTrail --filter Severity=High,Critical
  panther test --run 'Root|MFA' --show-failures-only
  panther test --format junit > report.xml`,
		RunE: func(c *cobra.Command, args []string) error {
			s := app.settings()
			opts.Ctx, opts.Paths, opts.Load, opts.Budget = c.Context(), args, app.loadDetections, s.LuaTimeout
			opts.MinimumTests, opts.Parallel = s.MinimumTests, s.Parallel
			opts.Coverage.Minimum = s.MinimumCoverage
			if err := opts.Coverage.check(c); err != nil {
				return err
			}
			if opts.Coverage.On {
				opts.Load = func(paths []string) (*engine.Set, error) { return app.loadDetectionsWith(paths, true) }
				// Timing a test event runs it several times more: the
				// line counts would count those runs too.
				opts.SlowRule = 0
			}
			if !slices.Contains(tester.Formats, format) {
				return usageErr("--format %q: one of %s", format, strings.Join(tester.Formats, ", "))
			}
			opts.Format = format
			var err error
			if opts.Filters, err = tester.ParseFilters(s.Filter); err != nil {
				return usageErr("%v", err)
			}
			if run != "" {
				if opts.Run, err = regexp.Compile(run); err != nil {
					return usageErr("--run: %v", err)
				}
			}
			if opts.Parallel < 0 {
				return usageErr("--parallel must be 0 (all cores) or more")
			}
			if runF != nil {
				return runF(opts)
			}
			return testRun(opts)
		},
	}
	f := c.Flags()
	f.StringVar(&format, "format", "pretty", "output: pretty, json, junit, github")
	f.StringArray("filter", nil, "keep detections whose Key matches: Key=V1,V2 or Key!=V (repeatable; setting filter)")
	f.StringVar(&run, "run", "", "run only detections whose ID, or tests whose name, match this regular expression")
	f.Int("minimum-tests", 0, "fail detections with fewer tests (from 2: also one true and one false test)")
	f.BoolVar(&opts.ShowFailuresOnly, "show-failures-only", false, "print only failing tests")
	f.BoolVarP(&opts.Verbose, "verbose", "v", false, "list every passing test")
	f.Int("parallel", 0, "tests run at once (default: all cores)")
	f.DurationVar(&opts.SlowRule, "slow-rule", 500*time.Microsecond, "warn about detections whose test events cost more than this each (0: do not time them)")
	f.BoolVar(&opts.Update, "update", false, "write the alerts fixture tests raise into their expected files (read the diff before committing)")
	f.BoolVar(&opts.Strict, "strict", false, "a Log key its log type's schema does not have is an error, not a warning")
	bindSetting(c, "filter", "filter")
	bindSetting(c, "minimum-tests", "minimum_tests")
	bindSetting(c, "parallel", "parallel")
	coverageFlags(c, &opts.Coverage)
	luaTimeoutFlag(c)
	return c
}

func testRun(opts *testOptions) error {
	set, err := opts.Load(opts.Paths)
	if err != nil {
		return err
	}
	set.Diagnostics = append(set.Diagnostics, tester.CheckTestLogs(set, opts.Strict)...)
	set.Diagnostics.Sort()
	rp, err := tester.NewReporter(opts.Format, opts.IO.Out, tester.Pretty{Color: opts.IO.Color,
		ShowFailuresOnly: opts.ShowFailuresOnly, Verbose: opts.Verbose, Origin: set.Origin})
	if err != nil {
		return usageErr("--format: %v", err)
	}
	res := tester.Run(opts.Ctx, set, tester.Options{Filters: opts.Filters, Run: opts.Run, MinimumTests: opts.MinimumTests,
		Parallel: opts.Parallel, Budget: opts.Budget, Now: opts.Now, Update: opts.Update, SlowRule: opts.SlowRule,
		Updated: func(file, change string) {
			fmt.Fprintf(opts.IO.ErrOut, "updated %s:\n%s\n", file, strings.TrimRight(change, "\n"))
		}})
	if err := rp.Report(res); err != nil {
		return opErr(fmt.Errorf("writing the report: %w", err))
	}
	if err := opts.Ctx.Err(); err != nil {
		return err
	}
	for _, sd := range res.Slow() {
		fmt.Fprintf(opts.IO.ErrOut, "panther: warning: %s (%s) costs %s an event on test %q, over --slow-rule %s: a replay running it does at most %s events/s a core; docs/detection-performance.md shows the fast idioms\n",
			sd.Detection.ID, sd.Detection.File, sd.Cost.Round(time.Microsecond), printable(sd.Test), opts.SlowRule, human(float64(time.Second)/float64(sd.Cost)))
	}
	if len(res.Detections) == 0 && (len(opts.Filters) > 0 || opts.Run != nil) {
		fmt.Fprintln(opts.IO.ErrOut, "panther: no detection matches the filters")
	}
	var coverErr error
	if opts.Coverage.On {
		coverErr = writeCoverage(opts.IO.Out, opts.IO.ErrOut, set, res.Detections, opts.Coverage)
	}
	if !res.OK() {
		return findings()
	}
	return coverErr
}
