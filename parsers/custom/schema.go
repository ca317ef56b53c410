package custom

import (
	"panther/parsers"
	"panther/schema"
)

// The schema of a log type file, from the decoder's key lists (topKeys,
// csvKeys, fieldKeys): the order here is the canonical one (panther fmt),
// and TestSchemaAgrees holds the two lists together.

var topOrder = []string{
	"AnalysisType", "LogType", "Description", "Reference", "Format", "KeyCase", "Coerce", "AcceptJSON",
	"Regex", "CSV", "EmptyValues", "TimeField", "TimeFormat", "Match", "MatchAny", "Exclude", "Classify",
	"Priority", "Indicators", "Fields", "Required", "Sample",
}

// Schema returns the schema of a log type file (AnalysisType: log_type).
func Schema() schema.Kind {
	match := func(name, doc string) schema.Key {
		return schema.Key{Name: name, Type: schema.Object, Doc: doc,
			Values: &schema.Key{Type: schema.String, OneOrList: true}}
	}
	var indicators []schema.Key
	for _, kind := range parsers.IndicatorKinds() {
		indicators = append(indicators, schema.Key{Name: kind, Type: schema.String, OneOrList: true,
			Doc: "Field paths whose values feed the " + kind + " indicators (p_any_*)."})
	}
	docs := map[string]schema.Key{
		"AnalysisType": {Type: schema.String, Doc: "log_type: a log type declared in YAML."},
		"LogType":      {Type: schema.String, Pattern: `^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)+$`, Doc: "The name: Custom. then names of letters, digits and _ separated by dots (table custom_myapp)."},
		"Description":  {Type: schema.String, Doc: "What these logs are, shown in docs and listings."},
		"Reference":    {Type: schema.String, Doc: "A link to the format's documentation."},
		"Format":       {Type: schema.String, Enum: []string{"json", "regex", "csv"}, Doc: "How a record is read: one JSON object, a regex match, or a CSV line."},
		"Regex":        {Type: schema.String, Doc: "Go (RE2) syntax: every named group (?P<name>...) is a field, every field a named group."},
		"CSV": {Type: schema.Object, Doc: "The CSV layout: Header: true (names from each file's first line) or Columns.",
			Keys: []schema.Key{
				{Name: "Delimiter", Type: schema.String, Doc: "One character (default ,)."},
				{Name: "Header", Type: schema.Boolean, Doc: "true: each file's first line names the columns."},
				{Name: "Columns", Type: schema.Array, Items: &schema.Key{Type: schema.String}, Doc: "The column names, in order."},
				{Name: "MinColumns", Type: schema.Integer, Doc: "Records may have this many columns or more (trailing columns left out)."},
			}},
		"EmptyValues": {Type: schema.String, OneOrList: true, Doc: "regex/csv values that mean absent (an empty value always does)."},
		"TimeField":   {Type: schema.String, OneOrList: true, Doc: "The path of the event time, or a list of paths (the first present is read)."},
		"TimeFormat": {Type: schema.String, OneOrList: true, Doc: "rfc3339 (default), unix, unix_ms, unix_us, unix_ns, auto, a Go layout or a strftime pattern; or a list, tried in order.",
			Enum: []string{"rfc3339", "unix", "unix_ms", "unix_us", "unix_ns", "auto"}, Open: true},
		"KeyCase":    {Type: schema.String, Enum: []string{"exact", "fold"}, Doc: "json: fold makes a top-level key equal to a field's name but for case take the field's name."},
		"Coerce":     {Type: schema.Boolean, Doc: "json: true converts strings that read as a declared bigint, double or boolean (and the reverse for string fields)."},
		"AcceptJSON": {Type: schema.Boolean, Doc: "regex, csv: true keeps a record that is a JSON object of the fields as the event."},
		"Indicators": {Type: schema.Object, Keys: indicators, AsWritten: true, Doc: "Indicator kind to the field paths that feed it."},
		"Fields": {Type: schema.Array, Doc: "The table schema, and the types of regex/csv values.",
			Items: &schema.Key{Type: schema.Object, Required: []string{"Name"}, Keys: []schema.Key{
				{Name: "Name", Type: schema.String, Doc: "The field's name."},
				{Name: "Type", Type: schema.String, Doc: "string (default), bigint, double, boolean, timestamp; for json also json, array<T>, struct<name:T,...>.",
					Enum: []string{"string", "bigint", "double", "boolean", "timestamp", "json"}, Open: true},
				{Name: "Description", Type: schema.String, Doc: "What the field holds."},
				{Name: "From", Type: schema.String, OneOrList: true, Doc: "json: paths whose value is moved here when the record lacks the field."},
				{Name: "Collect", Type: schema.Boolean, Doc: "json: gather the undeclared top-level keys here."},
			}}},
		"Required": {Type: schema.String, OneOrList: true, Doc: "Paths every record has: what the classifier checks (required for json)."},
		"Match":    match("Match", "Field path to a value or list of values: the classifier picks this type only when each holds (a trailing * is a prefix)."),
		"MatchAny": match("MatchAny", "As Match, but one entry holding is enough."),
		"Exclude":  match("Exclude", "As Match: the classifier does not pick this type when any entry holds."),
		"Classify": {Type: schema.Boolean, Doc: "false: the classifier never picks this type; it is used when named (--log-type)."},
		"Priority": {Type: schema.Integer, Min: schema.Range(-100), Max: schema.Range(100), Doc: "Types of higher priority are tried first by the classifier (default 0)."},
		"Sample":   {Type: schema.String, Doc: "One record; it must parse and have the Required fields."},
	}
	k := schema.Kind{Name: "log_type", Title: "Log type",
		Doc:      "A log type declared in YAML: how its records are read, its fields, time and indicators.",
		Required: []string{"AnalysisType", "LogType", "Format", "Fields"}}
	for _, name := range topOrder {
		key := docs[name]
		key.Name = name
		k.Keys = append(k.Keys, key)
	}
	return k
}
