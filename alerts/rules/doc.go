// Package rules holds alert rules: content kept in the detections
// repository (AnalysisType: alert_rule), tested like detections, packed
// and uploaded with them, and applied by the alert store (package alerts)
// to every detection alert and console event before it is stored — what
// the rules of an ITSM event console do (set a field, downgrade during a
// maintenance window, route to a group, discard the noise).
//
// A rule is a selector (When, and an optional Unless) and a list of
// actions (Then). Selectors read the fields of the alert or event:
//
//	match: {summary: 'disk (\w+) full'}     regular expression (Go syntax); captures become {match.1}, {match.name}
//	equals: {node: [db1, db2]}              one of the values (case-sensitive)
//	starts_with / ends_with: {field: value or list}
//	field_exists: ticket  /  field_missing: [ticket, owner]
//	less_than / greater_than: {severity: High, tally: 10}   numbers, or severities by rank
//	schedule: nightly-maintenance           inside a named window now
//	all: [...]  any: [...]  none: [...]     combinations; a mapping with several keys is all of them
//
// Actions run in order: set: {field: template} (templates: {field},
// {match.1}, {match.name}), replace: {field, pattern, with}, severity,
// group, owner, assignee (templates too), destinations: [names],
// discard: true (nothing is stored; later rules do not run), stop: true
// (later rules do not run).
//
// Rules run in order of Priority (lower first, default 100), then ID.
//
// Schedules are named recurring windows — days, HH:MM to HH:MM (wrapping
// past midnight when To is not after From; From equal to To is the whole
// day), a time zone — declared under Schedules: in any alert rule spec
// and usable by every rule of the repository. A window's effects are
// temporary: when a rule that matched relied on being inside a window,
// the Outcome says when that window ends (Outcome.Expires), and the store
// applies the rules again to the alert's original fields at that moment,
// without waiting for an event — an alert downgraded during maintenance
// is back to its own severity when maintenance ends.
//
// Evaluation is allocation-light and runs in Go: fields are a map, every
// regular expression and template is compiled once (Compile), and the
// benchmark BenchmarkApply200 holds 200 rules over one alert.
//
// The severities are the alert store's: INFO, LOW, MEDIUM, HIGH, CRITICAL;
// the ITSM console's numbers 0–5 and names map onto them (ParseSeverity).
package rules
