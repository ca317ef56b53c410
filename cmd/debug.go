package cmd

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"

	"github.com/spf13/cobra"

	"panther/engine"
	"panther/tester"
)

func init() { register(newDebugCmd) }

func newDebugCmd(app *App) *cobra.Command {
	var (
		paths     []string
		eventFile string
	)
	c := &cobra.Command{
		Use:   "debug RULE_ID [TEST_NAME]",
		Short: "Run one detection's test (or all its tests) and show everything",
		Long: `Run a test of one detection and show the event as the detection saw it
(standard p_ fields included), the output of every function (rule, title,
dedup, severity, alert_context, ...), everything it printed, and the verdict.
Without TEST_NAME every test of the detection runs. With --event, the
detection runs on that JSON event (a file, or - for stdin) instead.`,
		Example: `  panther debug AWS.CloudTrail.Stopped "trail stopped"
  panther debug My.Rule --detections ./rules --event sample.json`,
		Args: cobra.RangeArgs(1, 2),
		RunE: func(c *cobra.Command, args []string) error {
			srcs, err := app.detectionSources(c, paths)
			if err != nil {
				return err
			}
			lopts, err := app.loadOptions(c)
			if err != nil {
				return err
			}
			set := engine.Load(srcs, lopts)
			d, ok := set.Detection(args[0])
			if !ok {
				return usageErr("%s", strings.Join(set.ValidateIDs(args[:1]), "; "))
			}
			out := app.IO.Out
			if eventFile != "" {
				if len(args) > 1 {
					return usageErr("give a TEST_NAME or --event, not both")
				}
				data, err := readInput(app, eventFile)
				if err != nil {
					return opErr(err)
				}
				if !json.Valid(data) {
					return usageErr("--event %s: not valid JSON", eventFile)
				}
				// A synthetic test around the given event.
				d.Tests = []engine.TestSpec{{Name: "--event " + eventFile, ExpectedResult: true, Log: bytes.TrimSpace(data), Line: 0}}
				args = append(args, d.Tests[0].Name)
			}
			if len(d.Tests) == 0 {
				return usageErr("%s has no tests; give one with --event FILE", d.ID)
			}
			opts := tester.Options{KeepOutputs: true, Now: app.Now, Budget: lopts.Budget, Parallel: 1,
				Filters: []tester.Filter{{Key: "ID", Values: []string{d.ID}}}}
			if len(args) == 2 {
				found := false
				for _, t := range d.Tests {
					found = found || t.Name == args[1]
				}
				if !found {
					var names []string
					for _, t := range d.Tests {
						names = append(names, fmt.Sprintf("%q", t.Name))
					}
					return usageErr("%s has no test %q; its tests: %s", d.ID, args[1], strings.Join(names, ", "))
				}
				opts.Run = regexp.MustCompile("^" + regexp.QuoteMeta(args[1]) + "$")
			}
			rep := tester.Run(c.Context(), set, opts).Collect()
			for _, ds := range set.Diagnostics {
				if ds.File == d.File || ds.File == d.LuaFile {
					fmt.Fprintln(out, ds.String())
				}
			}
			for _, r := range rep.Results {
				if opts.Run != nil && r.Test != args[1] {
					continue
				}
				printDebug(out, d, r, eventFile != "")
			}
			if rep.Failed > 0 && eventFile == "" {
				return findings()
			}
			return nil
		},
	}
	c.Flags().StringArrayVar(&paths, "detections", nil, "detection trees (default: the detections setting, else the shipped set)")
	c.Flags().StringVar(&eventFile, "event", "", "run on this JSON event instead of a test (- for stdin)")
	luaTimeoutFlag(c)
	return c
}

func readInput(app *App, name string) ([]byte, error) {
	if name == "-" {
		return io.ReadAll(app.IO.In)
	}
	return os.ReadFile(name)
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
	}
	fmt.Fprintln(w)
}
