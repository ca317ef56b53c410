package cmd

import (
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"panther/engine"
	"panther/tester"
)

func init() { register(func(app *App) *cobra.Command { return newCmdValidate(app, nil) }) }

// validateOptions are the settings of `panther validate`.
type validateOptions struct {
	IO     *IOStreams
	Load   func(paths []string) (*engine.Set, error)
	Paths  []string
	Format string
	Strict bool
}

func newCmdValidate(app *App, runF func(*validateOptions) error) *cobra.Command {
	opts := &validateOptions{IO: app.IO}
	c := &cobra.Command{
		Use:   "validate [PATH...]",
		Short: "Check detections: schema, keys, IDs, log types, Lua, packs",
		Long: `Load every spec under the paths (default: the detections setting, else the
shipped set) and report every problem with file:line and a hint: malformed
YAML, unknown or misspelled keys, missing required keys, duplicate IDs,
unknown log types, bad severities or thresholds, Lua syntax errors, a missing
rule/policy function, packs naming missing IDs, data models clashing on a log
type, test Logs with keys their log type does not have. One broken file never
hides the others.

Exit code 1 when there is any error (warnings do not count, but --strict makes
the test Log warnings errors).`,
		Example: `  panther validate
  panther validate rules/ --format github`,
		RunE: func(c *cobra.Command, args []string) error {
			opts.Paths, opts.Load = args, app.loadDetections
			if !slices.Contains(tester.Formats, opts.Format) {
				return usageErr("--format %q: one of %s", opts.Format, strings.Join(tester.Formats, ", "))
			}
			if runF != nil {
				return runF(opts)
			}
			return validateRun(opts)
		},
	}
	c.Flags().StringVar(&opts.Format, "format", "pretty", "output: pretty, json, junit, github")
	c.Flags().BoolVar(&opts.Strict, "strict", false, "a test Log key its log type's schema does not have is an error")
	luaTimeoutFlag(c)
	return c
}

func validateRun(opts *validateOptions) error {
	set, err := opts.Load(opts.Paths)
	if err != nil {
		return err
	}
	set.Diagnostics = append(set.Diagnostics, tester.CheckTestLogs(set, opts.Strict)...)
	set.Diagnostics = append(set.Diagnostics, set.AlertRuleTestDiagnostics()...)
	set.Diagnostics.Sort()
	out := opts.IO.Out
	stats := map[string]int{
		"detections": len(set.Detections), "globals": len(set.Globals), "data_models": len(set.DataModels),
		"packs": len(set.Packs), "queries": len(set.Queries), "log_types": len(set.LogTypes),
	}
	if err := tester.DiagnosticsReport(out, opts.Format, set.Diagnostics, stats, opts.IO.Color); err != nil {
		return opErr(err)
	}
	errs := set.Diagnostics.Errors()
	if opts.Format == "pretty" {
		_, err := fmt.Fprintf(out, "%s: %d detections, %d helpers, %d data models, %d packs, %d queries, %d alert rules: %d errors, %d warnings\n",
			set.Origin, len(set.Detections), len(set.Globals), len(set.DataModels), len(set.Packs), len(set.Queries), len(set.AlertRules),
			errs, len(set.Diagnostics)-errs)
		if err != nil {
			return opErr(err)
		}
	}
	if errs > 0 {
		return findings()
	}
	return nil
}
