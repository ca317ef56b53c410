// Package scheduled runs scheduled rules over the lake, as Panther runs
// them over its data lake: each query named in a rule's ScheduledQueries
// runs through the read-only search engine (package query), every row of
// its result becomes an event, the rule's Lua sees each event, and matches
// become alerts with the rule's dedup period and threshold (the same
// engine.Aggregator as replay, in event time).
//
// A row becomes an event like this: its p_ columns set the event's typed
// fields (p_event_time its time; without one, the run's Now), the members
// of p_extra join the other columns as the event's fields, and the
// partition columns are left out. A row without p_log_type is of the log
// type "ScheduledQuery.<query name>".
package scheduled

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"time"

	"panther/engine"
	"panther/parsers/event"
	"panther/query"
	"panther/query/format"
)

// Options configure a run.
type Options struct {
	// Rules are the scheduled rules to run; nil runs every enabled one.
	Rules []*engine.Detection
	// Range is the time range of a query whose spec has no lookback window;
	// zero: the whole lake.
	Range query.TimeRange
	// Lookback applies the queries' LookbackWindowSeconds (relative to
	// Now) when set; else every query gets Range.
	Lookback bool
	Eval     engine.EvalOptions
	// Now is the time of rows without p_event_time, and of lookbacks.
	Now time.Time
}

// RuleStats are the numbers of one scheduled rule.
type RuleStats struct {
	RuleID  string
	Queries []string
	Rows    int // events the rule saw
	Matches int
	Errors  int // rule errors
	Alerts  int
}

// Result is a run's alerts, rule-error groups and numbers.
type Result struct {
	Alerts     []*engine.Alert // in engine.SortAlerts order
	RuleErrors []*engine.Alert
	Rules      []RuleStats
}

// Rules lists the enabled scheduled rules of set, by ID.
func Rules(set *engine.Set) []*engine.Detection {
	var out []*engine.Detection
	for _, d := range set.Detections {
		if d.Kind == engine.TypeScheduledRule && d.Enabled {
			out = append(out, d)
		}
	}
	return out
}

// Run runs the scheduled rules. A query runs once however many rules
// name it. Errors of the queries (refused, bad SQL, bad files) stop the
// run; a rule error is counted and grouped, as in replay.
func Run(ctx context.Context, q *query.Engine, set *engine.Set, o Options) (*Result, error) {
	rules := o.Rules
	if rules == nil {
		rules = Rules(set)
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	results := map[string][]*event.Event{}
	defer func() {
		for _, evs := range results {
			for _, e := range evs {
				e.Release()
			}
		}
	}()
	ev := engine.NewEvaluator(set, o.Eval)
	defer ev.Close()
	res := &Result{}
	for _, d := range rules {
		st := RuleStats{RuleID: d.ID, Queries: d.Spec.ScheduledQueries}
		var events []*event.Event
		for _, name := range d.Spec.ScheduledQueries {
			evs, ok := results[name]
			if !ok {
				sq, found := set.Query(name)
				if !found {
					return nil, fmt.Errorf("scheduled rule %s (%s): no saved or scheduled query named %q", d.ID, d.File, name)
				}
				var err error
				if evs, err = runQuery(ctx, q, sq, o); err != nil {
					return nil, fmt.Errorf("query %s (%s): %w", name, sq.File, err)
				}
				results[name] = evs
			}
			events = append(events, evs...)
		}
		// The aggregator works in event time.
		slices.SortStableFunc(events, func(a, b *event.Event) int { return a.Time.Compare(b.Time) })
		agg := engine.NewAggregator(
			func(a *engine.Alert) { res.Alerts = append(res.Alerts, a); st.Alerts++ },
			func(a *engine.Alert) { res.RuleErrors = append(res.RuleErrors, a) })
		for _, e := range events {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			m := ev.Evaluate(d, e)
			st.Rows++
			switch {
			case m.Err != nil:
				st.Errors++
			case m.Matched:
				st.Matches++
			}
			agg.Add(&m, e)
		}
		agg.Flush()
		res.Rules = append(res.Rules, st)
	}
	engine.SortAlerts(res.Alerts)
	engine.SortAlerts(res.RuleErrors)
	return res, nil
}

// runQuery runs one query in its range and returns its rows as events.
func runQuery(ctx context.Context, q *query.Engine, sq *engine.Query, o Options) ([]*event.Event, error) {
	r := o.Range
	if o.Lookback && sq.Spec != nil && sq.Spec.LookbackWindowSecs != nil && *sq.Spec.LookbackWindowSecs > 0 &&
		(sq.Spec.Lookback == nil || *sq.Spec.Lookback) {
		r = query.TimeRange{From: o.Now.Add(-time.Duration(*sq.Spec.LookbackWindowSecs) * time.Second), To: o.Now}
	}
	if err := q.SetRange(ctx, r); err != nil {
		return nil, err
	}
	w := &rowEvents{name: sq.Name, now: o.Now}
	if _, err := q.Query(ctx, sq.SQL, 0, w); err != nil {
		for _, e := range w.events {
			e.Release()
		}
		return nil, err
	}
	return w.events, nil
}

// rowEvents is a query.RowWriter that turns rows into events.
type rowEvents struct {
	name   string
	now    time.Time
	cols   []query.Column
	events []*event.Event
	buf    bytes.Buffer
}

func (w *rowEvents) Columns(cols []query.Column) error {
	w.cols = cols
	return nil
}

var partitionColumns = map[string]bool{"year": true, "month": true, "day": true, "hour": true}

func (w *rowEvents) Row(vals []any) error {
	e := event.New()
	e.LogType = "ScheduledQuery." + w.name
	e.Time, e.ParseTime = w.now, w.now
	e.RowID = fmt.Sprintf("%s:%d", w.name, len(w.events))
	w.buf.Reset()
	w.buf.WriteByte('{')
	seen := map[string]bool{}
	field := func(name string, v any) {
		if seen[name] {
			return
		}
		seen[name] = true
		if len(seen) > 1 {
			w.buf.WriteByte(',')
		}
		writeJSON(&w.buf, name)
		w.buf.WriteByte(':')
		writeJSON(&w.buf, v)
	}
	var extra map[string]any
	for i, c := range w.cols {
		v := vals[i]
		switch {
		case partitionColumns[c.Name]:
		case c.Name == "p_extra":
			extra, _ = format.JSONValue(v, c.Type).(map[string]any)
		case !setStandard(e, c.Name, v):
			field(c.Name, format.JSONValue(v, c.Type))
		}
	}
	keys := make([]string, 0, len(extra))
	for k := range extra {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		field(k, extra[k])
	}
	w.buf.WriteByte('}')
	if err := e.ParseJSON(w.buf.Bytes()); err != nil {
		e.Release()
		return fmt.Errorf("row %d of %s as an event: %w", len(w.events)+1, w.name, err)
	}
	e.Finish()
	w.events = append(w.events, e)
	return nil
}

// setStandard sets a p_ field of e from a column; false when the column
// is not one.
func setStandard(e *event.Event, name string, v any) bool {
	s, _ := v.(string)
	t, isTime := v.(time.Time)
	switch name {
	case event.FieldLogType:
		if s != "" {
			e.LogType = s
		}
	case event.FieldEventTime:
		if isTime {
			e.Time = t.UTC()
		}
	case event.FieldParseTime:
		if isTime {
			e.ParseTime = t.UTC()
		}
	case event.FieldRowID:
		if s != "" {
			e.RowID = s
		}
	case event.FieldSourceFile:
		e.SourceFile = s
	case event.FieldSourceLabel:
		e.SourceLabel = s
	default:
		k, ok := event.KindByName(name)
		if !ok || k.Field() != name {
			return false
		}
		list, _ := v.([]any)
		for _, x := range list {
			if s, ok := x.(string); ok {
				e.Add(k, s)
			}
		}
	}
	return true
}

func writeJSON(b *bytes.Buffer, v any) {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		b.WriteString("null\n")
	}
	b.Truncate(b.Len() - 1) // Encode's newline
}
