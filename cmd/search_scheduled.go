package cmd

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

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
func searchDetections(o *searchOptions) (*engine.Set, error) {
	set, err := o.Load(o.Paths)
	if err != nil {
		return nil, err
	}
	if n := set.Diagnostics.Errors(); n > 0 {
		o.warnf("the detections have %d errors (panther validate lists them)", n)
	}
	return set, nil
}

// runSavedQuery runs a saved or scheduled query by its QueryName.
func runSavedQuery(o *searchOptions) error {
	set, err := searchDetections(o)
	if err != nil {
		return err
	}
	sq, ok := set.Query(o.Query)
	if !ok {
		names := make([]string, 0, len(set.Queries))
		for _, q := range set.Queries {
			names = append(names, q.Name)
		}
		return usageErr("--query: no saved or scheduled query named %q%s", o.Query, closeOnes(o.Query, names))
	}
	if !o.RangeGiven && sq.Spec != nil && sq.Spec.LookbackWindowSecs != nil && *sq.Spec.LookbackWindowSecs > 0 &&
		(sq.Spec.Lookback == nil || *sq.Spec.Lookback) {
		o.Range = query.TimeRange{From: o.Now().UTC().Add(-time.Duration(*sq.Spec.LookbackWindowSecs) * time.Second)}
	}
	return withEngine(o, func(ctx context.Context, e *query.Engine) error { return runSQL(ctx, e, o, sq.SQL) })
}

// closeOnes lists the names close to name (by edit distance, or holding it
// without regard to case), the closest first: "; close ones: "a", "b"", or
// "" when none is.
func closeOnes(name string, names []string) string {
	type scored struct {
		name string
		d    int
	}
	var close []scored
	low := strings.ToLower(name)
	for _, n := range names {
		d := parsers.EditDistance(low, strings.ToLower(n))
		if d <= max(2, len(name)/3) || strings.Contains(strings.ToLower(n), low) || strings.Contains(low, strings.ToLower(n)) {
			close = append(close, scored{n, d})
		}
	}
	slices.SortStableFunc(close, func(a, b scored) int { return a.d - b.d })
	if len(close) == 0 {
		return ""
	}
	var quoted []string
	for i, c := range close {
		if i == 5 {
			break
		}
		quoted = append(quoted, fmt.Sprintf("%q", c.name))
	}
	return "; close ones: " + strings.Join(quoted, ", ")
}

// runScheduled runs the scheduled rules and prints their alerts.
func runScheduled(o *searchOptions) error {
	set, err := searchDetections(o)
	if err != nil {
		return err
	}
	rules, err := tester.Select(set, tester.Selection{Kinds: []engine.Kind{engine.TypeScheduledRule}, IDs: o.Rules})
	if err != nil {
		return usageErr("--rule: %v", err)
	}
	if len(rules) == 0 {
		o.warnf("no enabled scheduled rule in the detections")
		return nil
	}
	var res *scheduled.Result
	err = withEngine(o, func(ctx context.Context, e *query.Engine) error {
		var err error
		res, err = scheduled.Run(ctx, e, set, scheduled.Options{
			Rules: rules, Range: e.Range(), Lookback: !o.RangeGiven,
			Eval: engine.EvalOptions{Budget: o.Budget}, Now: o.Now(),
		})
		return err
	})
	if err != nil {
		return err
	}
	if err := writeAlerts(o, res.Alerts); err != nil {
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
		fmt.Fprintf(o.IO.ErrOut, "panther: rule error in %s (%d events): %s\n", a.RuleID, a.EventCount, printable(a.Error))
	}
	fmt.Fprintf(o.IO.ErrOut, "scheduled rules: %d, queries: %d, rows: %d, alerts: %d, rule errors: %d\n",
		len(res.Rules), len(queries), rows, len(res.Alerts), len(res.RuleErrors))
	if o.FailOnAlert && len(res.Alerts) > 0 {
		return findings()
	}
	return nil
}

// writeAlerts prints alerts: json and jsonl as replay writes them (the
// alerts table's columns), table and csv as one line each.
func writeAlerts(o *searchOptions, alerts []*engine.Alert) error {
	switch o.Format {
	case format.JSONL, format.JSON:
		out := newOutput("stdout", o.IO.Out)
		if o.Format == format.JSON {
			out.Write([]byte("["))
		}
		for i, a := range alerts {
			if o.Format == format.JSON && i > 0 {
				out.Write([]byte(","))
			}
			if o.Format == format.JSON {
				out.Write([]byte("\n"))
			}
			out.Write(replay.AlertRow(a))
			if o.Format == format.JSONL {
				out.Write([]byte("\n"))
			}
		}
		if o.Format == format.JSON {
			if len(alerts) > 0 {
				out.Write([]byte("\n"))
			}
			out.Write([]byte("]\n"))
		}
		return out.Close()
	}
	cols := []query.Column{{Name: "first_event_time", Type: "TIMESTAMP"}, {Name: "rule_id", Type: "VARCHAR"},
		{Name: "severity", Type: "VARCHAR"}, {Name: "title", Type: "VARCHAR"}, {Name: "dedup", Type: "VARCHAR"},
		{Name: "events", Type: "BIGINT"}, {Name: "last_event_time", Type: "TIMESTAMP"}}
	rows := make([][]any, len(alerts))
	for i, a := range alerts {
		rows[i] = []any{a.FirstEvent.UTC(), a.RuleID, a.Severity, a.Title, a.Dedup, int64(a.EventCount), a.LastEvent.UTC()}
	}
	return writeRows(o, cols, slices.Clip(rows))
}
