package cmd

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"panther/engine"
	"panther/engine/replay"
	"panther/engine/scheduled"
	"panther/parsers"
	"panther/query"
	"panther/query/format"
	"panther/tester"
)

// searchDetections loads the detections for --query and --scheduled. Errors
// in unrelated specs do not stop a search: they are counted on stderr.
func (app *App) searchDetections(c *cobra.Command) (*engine.Set, engine.LoadOptions, error) {
	paths, _ := c.Flags().GetStringArray("detections")
	srcs, err := app.detectionSources(c, paths)
	if err != nil {
		return nil, engine.LoadOptions{}, err
	}
	opts, err := app.loadOptions(c)
	if err != nil {
		return nil, opts, err
	}
	set := engine.Load(srcs, opts)
	if n := set.Diagnostics.Errors(); n > 0 {
		app.warnf("the detections have %d errors (panther validate lists them)", n)
	}
	return set, opts, nil
}

// runSavedQuery runs a saved or scheduled query by its QueryName.
func (app *App) runSavedQuery(c *cobra.Command, o searchOptions, name string) error {
	set, _, err := app.searchDetections(c)
	if err != nil {
		return err
	}
	sq, ok := set.Query(name)
	if !ok {
		names := make([]string, 0, len(set.Queries))
		for _, q := range set.Queries {
			names = append(names, q.Name)
		}
		hint := ""
		if n := parsers.Nearest(name, names); n != "" {
			hint = fmt.Sprintf(" (did you mean %q?)", n)
		}
		return usageErr("--query: no saved or scheduled query named %q%s", name, hint)
	}
	if o.Range == (query.RangeFlags{}) && sq.Spec != nil && sq.Spec.LookbackWindowSecs != nil && *sq.Spec.LookbackWindowSecs > 0 &&
		(sq.Spec.Lookback == nil || *sq.Spec.Lookback) {
		o.Range.Since = fmt.Sprintf("%ds", *sq.Spec.LookbackWindowSecs)
	}
	return app.withEngine(c, o, func(ctx context.Context, e *query.Engine) error {
		return app.runSQL(ctx, e, o, sq.SQL)
	})
}

// runScheduled runs the scheduled rules and prints their alerts.
func (app *App) runScheduled(c *cobra.Command, o searchOptions) error {
	set, lopts, err := app.searchDetections(c)
	if err != nil {
		return err
	}
	ids, _ := c.Flags().GetStringArray("rule")
	rules, err := tester.Select(set, tester.Selection{Kinds: []engine.Kind{engine.TypeScheduledRule}, IDs: ids})
	if err != nil {
		return usageErr("--rule: %v", err)
	}
	if len(rules) == 0 {
		app.warnf("no enabled scheduled rule in the detections")
		return nil
	}
	failOnAlert, _ := c.Flags().GetBool("fail-on-alert")
	var res *scheduled.Result
	err = app.withEngine(c, o, func(ctx context.Context, e *query.Engine) error {
		now := app.Now
		if now == nil {
			now = time.Now
		}
		var err error
		res, err = scheduled.Run(ctx, e, set, scheduled.Options{
			Rules: rules, Range: e.Range(), Lookback: o.Range == (query.RangeFlags{}),
			Eval: engine.EvalOptions{Budget: lopts.Budget}, Now: now(),
		})
		return err
	})
	if err != nil {
		return err
	}
	if err := app.writeAlerts(o, res.Alerts); err != nil {
		return err
	}
	rows, queries := 0, map[string]bool{}
	for _, st := range res.Rules {
		rows += st.Rows
		for _, q := range st.Queries {
			queries[q] = true
		}
	}
	for _, a := range res.RuleErrors {
		fmt.Fprintf(app.IO.ErrOut, "panther: rule error in %s (%d events): %s\n", a.RuleID, a.EventCount, a.Error)
	}
	fmt.Fprintf(app.IO.ErrOut, "scheduled rules: %d, queries: %d, rows: %d, alerts: %d, rule errors: %d\n",
		len(res.Rules), len(queries), rows, len(res.Alerts), len(res.RuleErrors))
	if failOnAlert && len(res.Alerts) > 0 {
		return findings()
	}
	return nil
}

// writeAlerts prints alerts: json and jsonl as replay writes them (the
// alerts table's columns), table and csv as one line each.
func (app *App) writeAlerts(o searchOptions, alerts []*engine.Alert) error {
	switch o.Format {
	case format.JSONL, format.JSON:
		var b strings.Builder
		if o.Format == format.JSON {
			b.WriteString("[")
		}
		for i, a := range alerts {
			if o.Format == format.JSON && i > 0 {
				b.WriteString(",")
			}
			if o.Format == format.JSON {
				b.WriteString("\n")
			}
			b.Write(replay.AlertRow(a))
			if o.Format == format.JSONL {
				b.WriteString("\n")
			}
		}
		if o.Format == format.JSON {
			if len(alerts) > 0 {
				b.WriteString("\n")
			}
			b.WriteString("]\n")
		}
		_, err := fmt.Fprint(app.IO.Out, b.String())
		return opErr(err)
	}
	cols := []query.Column{{Name: "first_event_time", Type: "TIMESTAMP"}, {Name: "rule_id", Type: "VARCHAR"},
		{Name: "severity", Type: "VARCHAR"}, {Name: "title", Type: "VARCHAR"}, {Name: "dedup", Type: "VARCHAR"},
		{Name: "events", Type: "BIGINT"}, {Name: "last_event_time", Type: "TIMESTAMP"}}
	rows := make([][]any, len(alerts))
	for i, a := range alerts {
		rows[i] = []any{a.FirstEvent.UTC(), a.RuleID, a.Severity, a.Title, a.Dedup, int64(a.EventCount), a.LastEvent.UTC()}
	}
	return app.writeRows(o, cols, slices.Clip(rows))
}
