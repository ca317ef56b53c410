package cmd

import (
	"fmt"
	"slices"

	"github.com/spf13/cobra"

	"panther/engine"
	"panther/engine/report"
)

func init() { register(newValidateCmd) }

func newValidateCmd(app *App) *cobra.Command {
	var format string
	c := &cobra.Command{
		Use:   "validate [PATH...]",
		Short: "Check detections: schema, keys, IDs, log types, Lua, packs",
		Long: `Load every spec under the paths (default: the detections setting, else the
shipped set) and report every problem with file:line and a hint: malformed
YAML, unknown or misspelled keys, missing required keys, duplicate IDs,
unknown log types, bad severities or thresholds, Lua syntax errors, a missing
rule/policy function, packs naming missing IDs, data models clashing on a log
type. One broken file never hides the others.

Exit code 1 when there is any error (warnings do not count).`,
		Example: `  panther validate
  panther validate rules/ --format github`,
		RunE: func(c *cobra.Command, args []string) error {
			if !slices.Contains(report.Formats, format) {
				return usageErr("--format %q: one of %v", format, report.Formats)
			}
			srcs, err := app.detectionSources(c, args)
			if err != nil {
				return err
			}
			opts, err := app.loadOptions(c)
			if err != nil {
				return err
			}
			set := engine.Load(srcs, opts)
			set.Diagnostics = append(set.Diagnostics, set.AlertRuleTestDiagnostics()...)
			set.Diagnostics.Sort()
			out := app.IO.Out
			stats := map[string]int{
				"detections": len(set.Detections), "globals": len(set.Globals), "data_models": len(set.DataModels),
				"packs": len(set.Packs), "queries": len(set.Queries), "log_types": len(set.LogTypes),
			}
			switch format {
			case "json":
				if err := report.DiagnosticsJSON(out, set.Diagnostics, stats); err != nil {
					return opErr(err)
				}
			case "github":
				report.GitHubDiagnostics(out, set.Diagnostics)
			case "junit":
				if err := report.JUnit(out, &engine.TestReport{}, set.Diagnostics); err != nil {
					return opErr(err)
				}
			default:
				report.Diagnostics(out, set.Diagnostics, app.IO.Color)
				errs := set.Diagnostics.Errors()
				fmt.Fprintf(out, "%d detections, %d helpers, %d data models, %d packs, %d queries, %d alert rules: %d errors, %d warnings\n",
					len(set.Detections), len(set.Globals), len(set.DataModels), len(set.Packs), len(set.Queries), len(set.AlertRules),
					errs, len(set.Diagnostics)-errs)
			}
			if set.Diagnostics.Errors() > 0 {
				return findings()
			}
			return nil
		},
	}
	c.Flags().StringVar(&format, "format", "pretty", "output: pretty, json, junit, github")
	luaTimeoutFlag(c)
	return c
}
