package cmd

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"panther/engine"
	"panther/tester"
)

func init() { register(func(app *App) *cobra.Command { return newCmdDebug(app, nil) }) }

// debugOptions are the settings of `panther debug`.
type debugOptions struct {
	IO     *IOStreams
	Now    func() time.Time
	Ctx    context.Context
	Load   func(paths []string) (*engine.Set, error)
	Budget time.Duration

	RuleID    string
	Test      string // a unit test's or a fixture's name; "" for all
	EventFile string
	Paths     []string
}

func newCmdDebug(app *App, runF func(*debugOptions) error) *cobra.Command {
	opts := &debugOptions{IO: app.IO, Now: app.Now}
	c := &cobra.Command{
		Use:   "debug RULE_ID [TEST_NAME]",
		Short: "Run one detection's test (or all its tests) and show everything",
		Long: `Run a test of one detection and show the event as the detection saw it
(standard p_ fields included), the mocks and what each replaced, the output of
every function (rule, title, dedup, severity, alert_context, ...), everything
it printed, and the verdict. TEST_NAME may name a fixture test (by its Name,
or "fixture: Name"): its alerts are then compared with the expected file and
the fields that differ are named. Without TEST_NAME every test of the
detection runs. With --event, the detection runs on that JSON event (a file,
or - for stdin) instead.`,
		Example: `  panther debug AWS.CloudTrail.Stopped "trail stopped"
  panther debug AWS.Console.BruteForce "fixture: console_brute_force.jsonl"
  panther debug My.Rule --detections ./rules --event sample.json`,
		Args:              cobra.RangeArgs(1, 2),
		ValidArgsFunction: completeRuleThenTest(app),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Ctx, opts.Load, opts.Budget = c.Context(), app.loadDetections, app.settings().LuaTimeout
			opts.RuleID, opts.Paths = args[0], app.settings().Detections
			if len(args) == 2 {
				opts.Test = args[1]
			}
			if opts.EventFile != "" && opts.Test != "" {
				return usageErr("give a TEST_NAME or --event, not both")
			}
			if runF != nil {
				return runF(opts)
			}
			return debugRun(opts)
		},
	}
	detectionsFlag(c)
	c.Flags().StringVar(&opts.EventFile, "event", "", "run on this JSON event instead of a test (- for stdin)")
	luaTimeoutFlag(c)
	return c
}

func debugRun(opts *debugOptions) error {
	set, err := opts.Load(opts.Paths)
	if err != nil {
		return err
	}
	d, ok := set.Detection(opts.RuleID)
	if !ok {
		return usageErr("%s", strings.Join(set.ValidateIDs([]string{opts.RuleID}), "; "))
	}
	if opts.EventFile != "" {
		if err := debugEvent(opts, d); err != nil {
			return err
		}
	}
	if len(d.Tests) == 0 && len(d.Spec.Fixtures) == 0 {
		return usageErr("%s has no tests; give one with --event FILE", d.ID)
	}
	run, err := debugSelection(d, opts.Test)
	if err != nil {
		return err
	}
	res := tester.Run(opts.Ctx, set, tester.Options{KeepOutputs: true, Now: opts.Now, Budget: opts.Budget, Parallel: 1,
		Filters: []tester.Filter{{Key: "ID", Values: []string{d.ID}}}, Run: run}).Collect()
	for _, ds := range set.Diagnostics {
		if ds.File == d.File || ds.File == d.LuaFile {
			fmt.Fprintln(opts.IO.Out, ds.String())
		}
	}
	for _, r := range res.Results {
		if opts.Test != "" && r.Test != opts.Test && r.Test != "fixture: "+opts.Test {
			continue
		}
		printDebug(opts.IO.Out, d, r, opts.EventFile != "")
	}
	if res.Failed > 0 && opts.EventFile == "" {
		return findings()
	}
	return nil
}

// debugEvent replaces d's tests with one around the --event file.
func debugEvent(opts *debugOptions, d *engine.Detection) error {
	var data []byte
	var err error
	if opts.EventFile == "-" {
		data, err = io.ReadAll(opts.IO.In)
	} else {
		data, err = os.ReadFile(opts.EventFile)
	}
	if err != nil {
		return opErr(err)
	}
	if !json.Valid(data) {
		return usageErr("--event %s: not valid JSON", opts.EventFile)
	}
	d.Tests = []engine.TestSpec{{Name: "--event " + opts.EventFile, ExpectedResult: true, Log: bytes.TrimSpace(data)}}
	d.Spec.Fixtures = nil
	opts.Test = d.Tests[0].Name
	return nil
}

// debugSelection is the --run expression of the test named (a unit test,
// or a fixture by its name or "fixture: name"); nil for every test.
func debugSelection(d *engine.Detection, name string) (*regexp.Regexp, error) {
	if name == "" {
		return nil, nil
	}
	var names []string
	for _, t := range d.Tests {
		if t.Name == name {
			return regexp.MustCompile("^" + regexp.QuoteMeta(name) + "$"), nil
		}
		names = append(names, fmt.Sprintf("%q", t.Name))
	}
	for _, f := range d.Spec.Fixtures {
		if f.Name == name || "fixture: "+f.Name == name {
			return regexp.MustCompile("^" + regexp.QuoteMeta("fixture: "+f.Name) + "$"), nil
		}
		names = append(names, fmt.Sprintf("%q", "fixture: "+f.Name))
	}
	return nil, usageErr("%s has no test %q; its tests: %s", d.ID, name, strings.Join(names, ", "))
}

func printDebug(w io.Writer, d *engine.Detection, r tester.Result, adhoc bool) {
	fmt.Fprintf(w, "== %s / %s", d.ID, r.Test)
	if r.Line > 0 {
		fmt.Fprintf(w, " (%s:%d)", r.File, r.Line)
	}
	fmt.Fprintln(w)
	if len(r.Event) > 0 {
		var buf bytes.Buffer
		if json.Indent(&buf, r.Event, "  ", "  ") == nil {
			fmt.Fprintf(w, "event:\n  %s\n", buf.String())
		}
	}
	printMocks(w, r.Mocks)
	if r.Match != nil {
		fmt.Fprintln(w, "functions:")
		for _, name := range []string{"rule", "title", "dedup", "severity", "alert_context", "description", "reference", "runbook", "destinations"} {
			if v, ok := r.Match.Outputs[name]; ok {
				fmt.Fprintf(w, "  %-16s %s\n", name+"()", v)
			}
		}
		if r.Match.Matched {
			fmt.Fprintf(w, "alert:\n  title: %s\n  dedup: %s\n  severity: %s\n", r.Match.Title, r.Match.Dedup, r.Match.Severity)
		}
	}
	if r.Prints != "" {
		fmt.Fprintln(w, "print output:")
		for _, l := range strings.Split(strings.TrimRight(r.Prints, "\n"), "\n") {
			fmt.Fprintf(w, "  | %s\n", l)
		}
	}
	printVerdict(w, r, adhoc)
}

// printMocks says what each mock of the test replaced.
func printMocks(w io.Writer, mocks []engine.MockApplied) {
	if len(mocks) == 0 {
		return
	}
	fmt.Fprintln(w, "mocks:")
	for _, m := range mocks {
		what := "value"
		if m.Function {
			what = "function, now returning"
		}
		v, _ := json.Marshal(m.Value)
		fmt.Fprintf(w, "  %-24s %s (%s %s; line %d)\n", m.Name, m.Where, what, v, m.Line)
	}
}

func printVerdict(w io.Writer, r tester.Result, adhoc bool) {
	switch {
	case adhoc && r.Match != nil && r.Match.Err == nil:
		fmt.Fprintf(w, "result: matched=%v\n", r.Match.Matched)
	case r.Passed:
		fmt.Fprintln(w, "result: PASS")
	default:
		fmt.Fprintln(w, "result: FAIL")
		for _, f := range r.Failures {
			fmt.Fprintf(w, "  %s\n", f)
		}
		if r.Diff != "" {
			fmt.Fprintf(w, "  %s\n", strings.ReplaceAll(strings.TrimRight(r.Diff, "\n"), "\n", "\n  "))
		}
	}
	fmt.Fprintln(w)
}
