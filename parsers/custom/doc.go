// Package custom builds log types from YAML, with no code: the way to read
// an in-house application's logs, as Panther's custom schemas allow.
//
// A custom log type is one YAML document (docs/custom-log-types.md has a
// walk-through):
//
//	AnalysisType: log_type
//	LogType: Custom.MyApp          # must start with "Custom."
//	Description: MyApp access log  # optional
//	Reference: https://...         # optional
//	Format: regex                  # json | regex | csv
//	Regex: '^(?P<time>\S+) (?P<user>\S+) (?P<ip>\S+) (?P<bytes>\d+|-) (?P<msg>.*)$'
//	EmptyValues: ["-"]             # regex/csv: values that mean "absent"
//	TimeField: time                # or a list, tried in order: the first present is read
//	TimeFormat: rfc3339            # rfc3339 | unix | unix_ms | unix_us | unix_ns | auto
//	                               # | a Go layout | a strftime pattern; or a list
//	Indicators: {ip: [ip], username: [user]}   # kind -> field paths
//	Fields:                        # the table schema
//	  - {Name: time, Type: timestamp, Description: when}
//	  - {Name: user, Type: string}
//	  - {Name: ip, Type: string}
//	  - {Name: bytes, Type: bigint}
//	  - {Name: msg, Type: string}
//	Required: [time, user]         # fields every record has (the classifier's test)
//	Sample: '2024-03-01T12:00:00Z alice 198.51.100.7 512 login ok'
//
// Format json reads one JSON object a record, kept as it is; Fields is its
// table schema (any type of parsers.ParseType, nested structs included) and
// Required is mandatory, since without it every JSON log would look like
// this type to the classifier.
//
// JSON records may be reshaped to the declared schema, for a format that
// shippers write in several shapes (Windows event logs from Winlogbeat,
// NXLog or Panther) or that a data warehouse exported with folded keys:
//
//	KeyCase: fold        # top-level keys equal to a field but for case take its name
//	Coerce: true         # strings that read as a declared bigint, double or boolean become one,
//	                     # numbers and booleans where a string is declared become text
//	Fields:
//	  - {Name: EventID, Type: bigint, From: [winlog.event_id]}  # moved here when absent
//	  - {Name: ExtraEventData, Type: json, From: [winlog.event_data], Collect: true}
//	Match: {Channel: [Security, Microsoft-Windows-Sysmon/*]}  # Detect: one of these (* ends a prefix)
//	MatchAny: {resourceId: ["/tenants/*"], category: [SignInLogs]}  # and one of these entries holds
//	Exclude: {Workload: [Exchange], PolicyDetails: ["*"]}  # and none of these holds
//	Classify: false                        # the classifier never picks it: name it (--log-type)
//	Priority: 1                            # the classifier tries higher first
//
// From moves (not copies) the first present of its paths into the field
// when the record lacks it; Collect gathers the top-level keys no field
// declares into the field when it is still absent (NXLog writes a Windows
// event's data beside its envelope). The reshaping is the log type's
// parsers.LogType.Transform: it runs after Detect, so the JSON types
// share one parse in the classifier, and Detect (Required, Match) accepts
// every spelling Transform makes canonical: the declared path, its folded
// (lower-case) first key, and its first field's From paths. Match values
// are compared as text (numbers and booleans as written); one that ends in
// '*' is a prefix, compared in any case (Azure writes resource ids in
// either), so "*" alone holds for any value present.
//
// Types whose records another type's Detect would also accept are told
// apart with Exclude rather than Priority where possible: a Priority above
// zero puts the type ahead of every family of priority zero, so records of
// other formats pay for trying it (a failed JSON parse for every text
// line, when the type is JSON).
//
// Format regex and csv may set AcceptJSON: true, and a record that is a
// JSON object whose top-level keys are all declared fields (p_ keys aside)
// is then kept as the event itself: the same type exported by a data lake
// (Panther's among them), read back without its text form
// (parsers.JSONExport, which the built-in text types use too).
//
// Format regex matches each record with Regex (Go RE2 syntax) once: one
// FindSubmatchIndex a record, nothing else regexp on the hot path. Every
// named group is a field and every field a named group. Format csv splits
// each record by CSV: {Delimiter: ",", Header: true} (column names from each
// source's first line) or CSV: {Columns: [a, b, c]} (both: the first line is
// skipped); MinColumns: n lets a record stop after n of the Columns (a
// vendor that adds columns at the end in each version). With Header, a
// first line that does not name every Required field is not this type's
// header: the source's records are errors, and the classifier moves on. Quoted fields follow RFC 4180 within the line. With Columns,
// every column is a field and every field a column; with Header alone,
// columns that Fields does not declare are kept as strings.
//
// Regex and CSV values are text; they become the declared type: string and
// timestamp stay strings, bigint and double become JSON numbers, boolean
// (1, t, true, TRUE, 0, f, false, FALSE, ...) JSON booleans. An empty value,
// or one of EmptyValues, leaves the field out. A value that does not
// convert is an error for that record that names the field, and the next
// record parses as usual. Only scalar types are allowed for regex and csv
// fields.
//
// For every format, the first TimeField present must read in one of the
// TimeFormats, or the record is an error naming the field (a custom log is
// the user's own format, so a bad time is a bug worth seeing); with none
// present the event time is the parse time.
//
// The log types shipped in the binary (parsers/logtypes) are written in
// this language too, read by DecodeShipped, which takes a vendor's name
// (Microsoft365.Audit.Exchange) instead of Custom.Name. Paths (TimeField, Indicators, Required) use the
// syntax of event.ParsePath and must start with a declared field.
//
// Decoding is strict: an unknown key is an error naming the file, the line
// and the nearest valid key; the regex, the field names and types, the time
// format and the indicator kinds are all checked by Decode, each error with
// file:line, and the Sample, when given, must parse and carry the Required
// fields. Mistakes of structure (unknown keys, wrong shapes) are reported
// first, all of them, and mistakes of meaning once those are fixed: what a
// broken structure hides would only be noise.
//
// Regexes run on the standard library's regexp (RE2 semantics, linear
// time, one-pass matcher for anchored patterns like the example): a drop-in
// alternative, github.com/grafana/regexp, measured no faster on the
// example's pattern (go test -bench, Nov 2026, within noise), so it is not
// worth a dependency.
//
// YAML is read with gopkg.in/yaml.v3's node API, which keeps the line of
// every key and value, as the detection specs' decoder does (its maintained
// continuation, go.yaml.in/yaml/v3, has the same API: switching is an import
// path). CSV records are split by hand rather than with encoding/csv: a
// record here is one line already split by the input layer, and
// encoding/csv wants an io.Reader and allocates a reader and buffer for each
// one; the splitter is short and fuzzed.
package custom
