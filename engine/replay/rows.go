package replay

import (
	"strconv"

	"panther/engine"
	"panther/lake"
	"panther/parsers"
	"panther/parsers/event"
)

// AlertSchema is the lake's alerts table. p_event_time is the alert's
// first event, so time-range searches work on it as on logs.
var AlertSchema = []parsers.Column{
	{Name: "p_event_time", Type: "timestamp", Description: "time of the first event"},
	{Name: "alert_id", Type: "string"},
	{Name: "rule_id", Type: "string"},
	{Name: "severity", Type: "string"},
	{Name: "title", Type: "string"},
	{Name: "dedup", Type: "string"},
	{Name: "description", Type: "string"},
	{Name: "reference", Type: "string"},
	{Name: "runbook", Type: "string"},
	{Name: "destinations", Type: "array<string>"},
	{Name: "alert_context", Type: "json"},
	{Name: "first_event_time", Type: "timestamp"},
	{Name: "last_event_time", Type: "timestamp"},
	{Name: "event_count", Type: "bigint"},
	{Name: "log_types", Type: "array<string>"},
	{Name: "samples", Type: "json", Description: "up to 5 events of the alert"},
	{Name: "p_source_file", Type: "string", Description: "source of the first event"},
}

// MatchSchema is the lake's rule_matches table: one row per event a rule
// matched, with the id of the alert window it joined (an alert exists for
// it when the window reached the rule's threshold).
var MatchSchema = []parsers.Column{
	{Name: "p_event_time", Type: "timestamp"},
	{Name: "p_rule_id", Type: "string"},
	{Name: "p_alert_id", Type: "string"},
	{Name: "p_severity", Type: "string"},
	{Name: "p_title", Type: "string"},
	{Name: "p_dedup", Type: "string"},
	{Name: "p_log_type", Type: "string"},
	{Name: "p_row_id", Type: "string"},
	{Name: "p_source_file", Type: "string"},
	{Name: "event", Type: "json"},
}

const tsLayout = "2006-01-02T15:04:05.999999999Z"

func appendKV(b []byte, k, v string) []byte {
	if len(b) > 1 {
		b = append(b, ',')
	}
	b = event.AppendString(b, k)
	b = append(b, ':')
	return event.AppendString(b, v)
}

func appendRaw(b []byte, k string, raw []byte) []byte {
	if len(b) > 1 {
		b = append(b, ',')
	}
	b = event.AppendString(b, k)
	b = append(b, ':')
	if len(raw) == 0 {
		return append(b, "null"...)
	}
	return append(b, raw...)
}

func appendList(b []byte, k string, l []string) []byte {
	if len(b) > 1 {
		b = append(b, ',')
	}
	b = event.AppendString(b, k)
	b = append(b, ':', '[')
	for i, s := range l {
		if i > 0 {
			b = append(b, ',')
		}
		b = event.AppendString(b, s)
	}
	return append(b, ']')
}

// AlertRow is an alert as a JSON object of AlertSchema (also the JSONL
// form of --alerts and --format jsonl).
func AlertRow(a *engine.Alert) []byte {
	b := []byte{'{'}
	b = appendKV(b, "p_event_time", a.FirstEvent.UTC().Format(tsLayout))
	b = appendKV(b, "alert_id", a.ID)
	b = appendKV(b, "rule_id", a.RuleID)
	b = appendKV(b, "severity", a.Severity)
	b = appendKV(b, "title", a.Title)
	b = appendKV(b, "dedup", a.Dedup)
	if a.Description != "" {
		b = appendKV(b, "description", a.Description)
	}
	if a.Reference != "" {
		b = appendKV(b, "reference", a.Reference)
	}
	if a.Runbook != "" {
		b = appendKV(b, "runbook", a.Runbook)
	}
	if a.Destinations != nil {
		b = appendList(b, "destinations", a.Destinations)
	}
	b = appendRaw(b, "alert_context", a.AlertContext)
	b = appendKV(b, "first_event_time", a.FirstEvent.UTC().Format(tsLayout))
	b = appendKV(b, "last_event_time", a.LastEvent.UTC().Format(tsLayout))
	b = append(b, `,"event_count":`...)
	b = strconv.AppendInt(b, int64(a.EventCount), 10)
	b = appendList(b, "log_types", a.LogTypes)
	b = append(b, `,"samples":`...)
	b = appendSamples(b, a.Samples)
	b = appendKV(b, "p_source_file", a.SourceFile)
	return append(b, '}')
}

// AlertValues is an alert as a typed row of AlertSchema, for the lake.
func AlertValues(a *engine.Alert) []lake.Value {
	text := func(s string) lake.Value {
		if s == "" {
			return lake.Null // as AlertRow leaves it out
		}
		return lake.String(s)
	}
	logTypes := a.LogTypes
	if logTypes == nil {
		logTypes = []string{}
	}
	return []lake.Value{
		lake.Time(a.FirstEvent), lake.String(a.ID), lake.String(a.RuleID), lake.String(a.Severity),
		lake.String(a.Title), lake.String(a.Dedup), text(a.Description), text(a.Reference), text(a.Runbook),
		lake.Strings(a.Destinations), lake.JSON(a.AlertContext), lake.Time(a.FirstEvent), lake.Time(a.LastEvent),
		lake.Int(int64(a.EventCount)), lake.Strings(logTypes), lake.JSON(appendSamples(nil, a.Samples)),
		lake.String(a.SourceFile),
	}
}

func appendSamples(b []byte, samples [][]byte) []byte {
	b = append(b, '[')
	for i, s := range samples {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, s...)
	}
	return append(b, ']')
}

// MatchValues fills row (of len(MatchSchema)) with a rule match, for the
// lake; js is scratch space for the event's JSON, returned for reuse.
func MatchValues(row []lake.Value, js []byte, m *engine.Match, alertID string, e *event.Event) []byte {
	js = e.AppendJSON(js[:0])
	row[0] = lake.Time(e.Time)
	row[1] = lake.String(m.Detection.ID)
	row[2] = lake.String(alertID)
	row[3] = lake.String(m.Severity)
	row[4] = lake.String(m.Title)
	row[5] = lake.String(m.Dedup)
	row[6] = lake.String(e.LogType)
	row[7] = lake.String(e.RowID)
	row[8] = lake.String(e.SourceFile)
	row[9] = lake.JSON(js)
	return js
}

// sourceState is what the sink knows of a source, for the correlation
// alerts that wait on it.
type sourceState uint8

const (
	sourceOpen   sourceState = iota // not read whole yet
	sourceRead                      // read whole
	sourceFailed                    // broke off: its rows are dropped
)

// sourceStates holds the correlation alerts to store in the lake until
// every source of their matches (Alert.Sources) is read whole; one whose
// source broke off is dropped, as the lake drops that source's events
// and matches, so a replay after the repair stores it once.
type sourceStates struct {
	state map[string]sourceState
	held  []*engine.Alert
}

// ready says whether a's sources are all read (store), one failed (drop),
// or not yet known.
func (s *sourceStates) ready(a *engine.Alert) (decided, store bool) {
	decided = true
	for _, src := range a.Sources {
		switch s.state[src] {
		case sourceFailed:
			return true, false
		case sourceOpen:
			decided = false
		}
	}
	return decided, decided
}

// hold stores a now if its sources are read, or keeps it until they are.
func (s *sourceStates) hold(a *engine.Alert, store func(*engine.Alert)) {
	switch decided, ok := s.ready(a); {
	case ok:
		store(a)
	case !decided:
		s.held = append(s.held, a)
	}
}

// done records that a source ended and decides the alerts waiting on it.
func (s *sourceStates) done(src string, failed bool, store func(*engine.Alert)) {
	st := sourceRead
	if failed {
		st = sourceFailed
	}
	s.state[src] = st
	kept := s.held[:0]
	for _, a := range s.held {
		decided, ok := s.ready(a)
		if ok {
			store(a)
		}
		if !decided {
			kept = append(kept, a)
		}
	}
	clear(s.held[len(kept):])
	s.held = kept
}
