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
//	TimeField: time
//	TimeFormat: rfc3339            # rfc3339 | unix | unix_ms | unix_us | unix_ns | auto
//	                               # | a Go layout | a strftime pattern
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
// Format regex matches each record with Regex (Go RE2 syntax) once: one
// FindSubmatchIndex a record, nothing else regexp on the hot path. Every
// named group is a field and every field a named group. Format csv splits
// each record by CSV: {Delimiter: ",", Header: true} (column names from each
// source's first line) or CSV: {Columns: [a, b, c]} (both: the first line is
// skipped). Quoted fields follow RFC 4180 within the line. With Columns,
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
// For every format, a TimeField that is present but does not read in
// TimeFormat is an error for that record naming the field (a custom log is
// the user's own format, so a bad time is a bug worth seeing); an absent
// one gives the parse time. Paths (TimeField, Indicators, Required) use the
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
