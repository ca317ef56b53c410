package rules

import "panther/schema"

// The schema of an alert rule spec, from the decoder's key lists (ruleKeys,
// scheduleKeys, windowKeys, testKeys, selectorOps, actionOps, replaceKeys):
// the order here is the canonical one (panther fmt), and TestSchemaAgrees
// holds the two together.

var ruleOrder = []string{"AnalysisType", "AlertRuleID", "Description", "Enabled", "Priority", "Tags",
	"Schedules", "When", "Unless", "Then", "Tests"}

// Schema returns the schema of an alert rule (AnalysisType: alert_rule).
func Schema() schema.Kind {
	str := schema.Key{Type: schema.String}
	strs := schema.Key{Type: schema.String, OneOrList: true}
	fields := func(v schema.Key) *schema.Key {
		return &schema.Key{Type: schema.Object, Values: &v, MinKeys: 1}
	}
	severity := schema.Key{AnyOf: []schema.Key{
		{Type: schema.String, Enum: []string{"Info", "Low", "Medium", "High", "Critical", "INFO", "LOW", "MEDIUM", "HIGH", "CRITICAL"}, Open: true, Pattern: `^\s*[A-Za-z]+\s*$`},
		{Type: schema.Integer, Min: schema.Range(0), Max: schema.Range(5)},
	}}
	number := schema.Key{AnyOf: []schema.Key{{Type: schema.Number}, {Type: schema.String}}}
	selDocs := map[string]schema.Key{
		"match":         withDoc(*fields(str), "Field -> regular expression (Go syntax); captures become {match.1}, {match.name}."),
		"equals":        withDoc(*fields(strs), "Field -> a value or a list: one of them, case-sensitive."),
		"starts_with":   withDoc(*fields(strs), "Field -> a prefix or a list of prefixes."),
		"ends_with":     withDoc(*fields(strs), "Field -> a suffix or a list of suffixes."),
		"field_exists":  withDoc(strs, "The field (or fields) is there."),
		"field_missing": withDoc(strs, "The field (or fields) is not there."),
		"less_than":     withDoc(*fields(number), "Field -> a number, or a severity (compared by rank)."),
		"greater_than":  withDoc(*fields(number), "Field -> a number, or a severity (compared by rank)."),
		"schedule":      withDoc(str, "Inside the named window (Schedules) now."),
		"all":           {Type: schema.Array, Items: &schema.Key{Ref: "selector"}, Doc: "Every selector holds."},
		"any":           {Type: schema.Array, Items: &schema.Key{Ref: "selector"}, Doc: "One selector holds."},
		"none":          {Type: schema.Array, Items: &schema.Key{Ref: "selector"}, Doc: "No selector holds."},
	}
	selector := schema.Key{Name: "selector", Type: schema.Object, MinKeys: 1, AsWritten: true,
		Doc: "A selector: a mapping of operators (several are all of them)."}
	for _, op := range selectorOps {
		k := selDocs[op]
		k.Name = op
		selector.Keys = append(selector.Keys, k)
	}
	actDocs := map[string]schema.Key{
		"set":          withDoc(*fields(schema.Key{AnyOf: []schema.Key{{Type: schema.String}, {Type: schema.Number}}}), "Field -> template ({field}, {match.1}); severity takes a severity."),
		"replace":      {Type: schema.Object, Doc: "Rewrite a field: the pattern's matches in it become with ($1 for captures).", Required: []string{"field", "pattern", "with"}},
		"discard":      {Type: schema.Boolean, Doc: "true: nothing is stored, later rules do not run."},
		"stop":         {Type: schema.Boolean, Doc: "true: later rules do not run."},
		"group":        withDoc(str, "The group (a template)."),
		"owner":        withDoc(str, "The owner (a template)."),
		"assignee":     withDoc(str, "The assignee (a template)."),
		"severity":     withDoc(severity, "Info, Low, Medium, High, Critical, or the console's 0-5."),
		"destinations": withDoc(strs, "The destinations, by name (at most 10)."),
	}
	replace := actDocs["replace"]
	for _, k := range replaceKeys {
		replace.Keys = append(replace.Keys, schema.Key{Name: k, Type: schema.String,
			Doc: map[string]string{"field": "The field.", "pattern": "A regular expression (Go syntax).", "with": "The replacement (a template; $1 for captures)."}[k]})
	}
	actDocs["replace"] = replace
	action := schema.Key{Type: schema.Object, MinKeys: 1, AsWritten: true}
	for _, op := range actionOps {
		k := actDocs[op]
		k.Name = op
		action.Keys = append(action.Keys, k)
	}
	window := schema.Key{Type: schema.Object, Required: []string{"From", "To"}, Keys: []schema.Key{
		{Name: "Days", Type: schema.String, OneOrList: true, Doc: "Days or ranges: Mon-Fri, Sat, Sun (default every day)."},
		{Name: "From", Type: schema.String, Pattern: `^\d{1,2}:\d{2}$`, Doc: "HH:MM, quoted (\"22:00\")."},
		{Name: "To", Type: schema.String, Pattern: `^\d{1,2}:\d{2}$`, Doc: "HH:MM, quoted; before From wraps past midnight."},
	}}
	docs := map[string]schema.Key{
		"AnalysisType": {Type: schema.String, Doc: "alert_rule: a rule of the alert store."},
		"AlertRuleID":  {Type: schema.String, Doc: "The rule's unique ID, like Maintenance.DB.Nightly."},
		"Description":  {Type: schema.String, Doc: "What the rule does and why."},
		"Enabled":      {Type: schema.Boolean, Doc: "false keeps the rule out of the store (its tests still run)."},
		"Priority":     {Type: schema.Integer, Doc: "Rules run by Priority, lower first (default 100), then by ID."},
		"Tags":         {Type: schema.Array, Items: &schema.Key{Type: schema.String}, Doc: "Free labels."},
		"Schedules": {Type: schema.Array, Doc: "Named recurring windows, usable by every rule of the repository.",
			Items: &schema.Key{Type: schema.Object, Required: []string{"Name", "Windows"}, Keys: []schema.Key{
				{Name: "Name", Type: schema.String, Doc: "The name selectors use (schedule: NAME)."},
				{Name: "TimeZone", Type: schema.String, Doc: "An IANA name, like Europe/London (default UTC)."},
				{Name: "Windows", Type: schema.Array, Items: &window, Doc: "The windows: days, From and To."},
			}}},
		"When":   {Ref: "selector", Doc: "Which alerts and events the rule applies to."},
		"Unless": {Ref: "selector", Doc: "Except these."},
		"Then":   {Type: schema.Array, Items: &action, Doc: "The actions, in order: set, replace, severity, group, owner, assignee, destinations, discard, stop."},
		"Tests": {Type: schema.Array, Doc: "Tests: an alert or event, and what the rule makes of it.",
			Items: &schema.Key{Type: schema.Object, Required: []string{"Name", "Input"}, Keys: []schema.Key{
				{Name: "Name", Type: schema.String, Doc: "The test's name."},
				{Name: "Input", Type: schema.Object, Values: &schema.Key{}, Doc: "The alert or event's fields (kind: event or alert)."},
				{Name: "Time", Type: schema.String, Doc: "When it happens, RFC 3339 (default Monday 5 January 2026, 12:00 UTC)."},
				{Name: "Expect", Type: schema.Object, Values: &schema.Key{}, Doc: "Fields the rules set, compared."},
				{Name: "Discarded", Type: schema.Boolean, Doc: "Whether the rules discard it."},
				{Name: "Matches", Type: schema.Boolean, Doc: "Whether this rule applies."},
			}}},
	}
	k := schema.Kind{Name: "alert_rule", Title: "Alert rule",
		Doc:      "A rule of the alert store: a selector (When, Unless) and actions (Then) applied to every alert and console event before it is stored.",
		Required: []string{"AlertRuleID", "Then"}, Defs: []schema.Key{selector}}
	for _, name := range ruleOrder {
		key := docs[name]
		key.Name = name
		k.Keys = append(k.Keys, key)
	}
	return k
}

func withDoc(k schema.Key, doc string) schema.Key {
	k.Doc = doc
	return k
}
