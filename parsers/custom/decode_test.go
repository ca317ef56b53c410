package custom

import (
	"errors"
	"os"
	"strings"
	"testing"
)

// Every mistake is reported with file:line and, for a misspelt key or
// name, the nearest valid one.
func TestDecodeErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		yaml string
		want []string // the errors, in order, without the "x.yml:" prefix
	}{
		{"empty", ``, []string{"1: empty file: a log type starts with AnalysisType: log_type"}},
		{"not yaml", "AnalysisType: log_type\nLogType: [Custom.X\n", []string{"1: invalid YAML: did not find expected ',' or ']'"}},
		{"not a mapping", "- a\n- b\n", []string{"1: a log type is a YAML mapping (AnalysisType: log_type, LogType: Custom.Name, ...)"}},
		{"two documents", "AnalysisType: log_type\n---\nAnalysisType: log_type\n", []string{"3: a file holds one log type: remove the second YAML document (---)"}},
		{"misspelt key", `
AnalysisType: log_type
LogType: Custom.X
Format: regex
Regx: '(?P<a>.*)'
Fields: [{Name: a}]
`, []string{
			`5: log type: unknown key "Regx" (did you mean Regex?)`,
		}},
		{"unknown key, nothing near", `
AnalysisType: log_type
LogType: Custom.X
Format: json
Frobnicate: 1
Fields: [{Name: a}]
Required: [a]
`, []string{`5: log type: unknown key "Frobnicate" (valid keys: AnalysisType, LogType, Description, Reference, Format, Regex, CSV, TimeField, TimeFormat, Indicators, Fields, Required, EmptyValues, Sample, Match, MatchAny, Exclude, Classify, Priority, KeyCase, Coerce, AcceptJSON)`}},
		{"repeated key", `
AnalysisType: log_type
LogType: Custom.X
LogType: Custom.Y
Format: json
Fields: [{Name: a}]
Required: [a]
`, []string{"4: log type: key LogType repeated (first at line 3)"}},
		{"identity", `
AnalysisType: rule
LogType: MyApp
Format: xml
Fields: [{Name: a}]
`, []string{
			`2: AnalysisType is "rule": a log type file has AnalysisType: log_type`,
			`3: LogType "MyApp": a custom log type is named Custom.Name (letters, digits and _, parts separated by dots)`,
			`4: Format "xml": use json, regex or csv`,
		}},
		{"missing all", `Description: x`, []string{
			"1: AnalysisType: log_type is missing",
			"1: LogType is missing (LogType: Custom.Name)",
			"1: Format is missing: json, regex or csv",
			"1: Fields is missing or empty: declare the fields of a record ({Name: ..., Type: ...})",
		}},
		{"fields", `
AnalysisType: log_type
LogType: Custom.X
Format: json
Fields:
  - {Name: a, Type: strng}
  - {Name: p_b}
  - {Name: c}
  - {Name: c}
  - {Type: string}
Required: [c]
`, []string{
			`6: field a: type "strng": unknown type "strng" (string, bigint, double, boolean, timestamp, json, array<T>, struct<name:T,...>)`,
			"7: field p_b: names starting with p_ are reserved for the standard fields",
			"9: field c declared twice",
			"10: field without a Name",
		}},
		// Mistakes of structure are reported first, alone: what they hide
		// would be noise.
		{"field structure", `
AnalysisType: log_type
LogType: Custom.X
Format: json
Fields:
  - {Name: d, Typ: string}
  - just a name
Required: [c]
`, []string{
			`6: field: unknown key "Typ" (did you mean Type?)`,
			"7: field must be a mapping (Key: value, ...)",
		}},
		{"regex", `
AnalysisType: log_type
LogType: Custom.X
Format: regex
Regex: '(?P<usr>\S+) (?P<ip>\S+) (?P<when>\S+'
Fields: [{Name: user}, {Name: ip}]
`, []string{"5: Regex: error parsing regexp: missing closing ): `(?P<usr>\\S+) (?P<ip>\\S+) (?P<when>\\S+`"}},
		{"regex groups and fields", `
AnalysisType: log_type
LogType: Custom.X
Format: regex
Regex: '(?P<usr>\S+) (?P<ip>\S+) (?P<zzz>\S+)'
Fields:
  - {Name: user}
  - {Name: ip}
  - {Name: data, Type: "struct<a:string>"}
`, []string{
			"9: field data: a regex field holds text: its Type is string, bigint, double, boolean or timestamp",
			"5: Regex: group usr is not a declared field (did you mean user?)",
			"5: Regex: group zzz is not a declared field: add it to Fields",
			"7: field user is not a named group of Regex",
		}},
		{"regex without names", `
AnalysisType: log_type
LogType: Custom.X
Format: regex
Regex: '(\S+)'
Fields: [{Name: a}]
`, []string{
			`5: Regex has no named group: name the parts to keep, like (?P<user>\S+)`,
			"6: field a is not a named group of Regex",
		}},
		{"keys of another format", `
AnalysisType: log_type
LogType: Custom.X
Format: json
Regex: '(?P<a>.*)'
CSV: {Header: true}
EmptyValues: ["-"]
Fields: [{Name: a}]
Required: [a]
`, []string{
			"5: Regex is only for Format: regex",
			"6: CSV is only for Format: csv",
			"7: EmptyValues is only for Format: regex or csv",
		}},
		{"csv", `
AnalysisType: log_type
LogType: Custom.X
Format: csv
CSV:
  Delimiter: ";;"
  Header: false
  Columns: [src_ip, user, src_ip, bytes]
Fields: [{Name: src_ip}, {Name: usr}, {Name: dst_port}]
`, []string{
			`6: CSV Delimiter ";;": use one ASCII character other than a quote or a newline ("\t" for tab)`,
			"8: CSV Columns: user is not a declared field (did you mean usr?)",
			"8: CSV Columns: src_ip listed twice",
			"8: CSV Columns: bytes is not a declared field: add it to Fields",
			"9: field usr is not one of the CSV Columns",
			"9: field dst_port is not one of the CSV Columns",
		}},
		{"csv header", `
AnalysisType: log_type
LogType: Custom.X
Format: csv
CSV: {Header: yes please, Separator: ","}
Fields: [{Name: a}]
`, []string{
			"5: CSV Header must be true or false",
			`5: CSV: unknown key "Separator" (valid keys: Delimiter, Header, Columns, MinColumns)`,
		}},
		{"csv without columns", `
AnalysisType: log_type
LogType: Custom.X
Format: csv
CSV: {Delimiter: ","}
Fields: [{Name: a}]
`, []string{`5: CSV needs Header: true (names from each file's first line) or Columns: [a, b, c]`}},
		{"time", `
AnalysisType: log_type
LogType: Custom.X
Format: json
TimeField: tme
TimeFormat: '%Q'
Fields: [{Name: time}]
Required: [time]
`, []string{
			`6: TimeFormat: time format "%Q": %Q is not supported`,
			"5: TimeField: tme is not a declared field (did you mean time?)",
		}},
		{"time format alone", `
AnalysisType: log_type
LogType: Custom.X
Format: json
TimeFormat: unix
Fields: [{Name: time}]
Required: [time]
`, []string{"5: TimeFormat without TimeField: name the field that holds the time"}},
		{"indicators and required", `
AnalysisType: log_type
LogType: Custom.X
Format: regex
Regex: '(?P<ip>\S+) (?P<user>\S+)'
Indicators:
  username: [usr, "user.name", "a[", user]
Fields: [{Name: ip}, {Name: user}]
Required: [ip, nope]
`, []string{
			"7: Indicators username: usr is not a declared field (did you mean user?)",
			"7: Indicators username: user.name: regex records are flat, name a field",
			`7: Indicators username: path "a[": missing ]`,
			"9: Required: nope is not a declared field: add it to Fields",
		}},
		{"indicator kind", `
AnalysisType: log_type
LogType: Custom.X
Format: json
Indicators: {ipp: [ip], username: user}
Fields: [{Name: ip}, {Name: user}]
Required: [ip]
`, []string{`5: Indicators: unknown key "ipp" (did you mean ip?)`}},
		{"json needs required", `
AnalysisType: log_type
LogType: Custom.X
Format: json
Fields: [{Name: a}]
`, []string{"1: Required is missing: a json log type lists the fields every record has, so that it is not mistaken for other JSON logs"}},
		{"wrong shapes", `
AnalysisType: [log_type]
LogType: Custom.X
Format: json
Fields: {Name: a}
Indicators: [ip]
Required: {a: 1}
`, []string{
			"2: AnalysisType must be a text value",
			"5: Fields must be a list of {Name: ..., Type: ...}",
			"6: Indicators must be a mapping of kind to field paths, like {ip: [client_ip]}",
			"7: Required must be a list, like [a, b]",
		}},
		{"sample does not parse", `
AnalysisType: log_type
LogType: Custom.X
Format: regex
Regex: '^(?P<n>\d+) (?P<user>\S*)$'
Fields: [{Name: n, Type: bigint}, {Name: user}]
Required: [user]
Sample: |
  12 alice
  x bob
  13 
`, []string{
			"8: Sample line 2 does not parse: record does not match the Regex of Custom.X",
			"8: Sample line 3 lacks a Required field or a Match value",
		}},
		{"reshaping keys", `
AnalysisType: log_type
LogType: Custom.X
Format: json
KeyCase: lower
Coerce: yes
Priority: high
Match: {kind: [], nope: a}
Fields:
  - {Name: a, From: ["x[0]", a, "b..c"], Collect: true}
  - {Name: b, Type: json, Collect: true}
  - {Name: c, Type: json, Collect: 1}
  - {Name: kind}
Required: [a]
`, []string{
			"6: Coerce must be true or false",
			"8: Match kind: list the values the field may hold",
			"12: field Collect must be true or false",
		}},
		{"reshaping meaning", `
AnalysisType: log_type
LogType: Custom.X
Format: json
KeyCase: lower
Priority: high
Match: {nope: a}
Fields:
  - {Name: a, From: ["x[0]", a], Collect: true}
  - {Name: b, Type: json, Collect: true}
  - {Name: B}
Required: [a]
`, []string{
			`5: KeyCase "lower": exact (the default) or fold (top-level keys that differ from a field only in case take the field's name)`,
			"9: field a: From x[0]: name a field by keys (a.b.c), without indexes or wildcards",
			"9: field a: From a: a field is not moved into itself",
			"9: field a: Collect gathers keys into an object: its Type is json or struct<...>",
			"7: Match: nope is not a declared field: add it to Fields",
			`6: Priority "high": a whole number from -100 to 100 (higher is tried first)`,
		}},
		{"reshaping is for json", `
AnalysisType: log_type
LogType: Custom.X
Format: regex
Regex: '(?P<a>.*)'
KeyCase: fold
Coerce: true
AcceptJSON: maybe
Fields: [{Name: a, From: [b], Collect: true}]
`, []string{
			"8: AcceptJSON must be true or false",
		}},
		{"reshaping is for json: regex", `
AnalysisType: log_type
LogType: Custom.X
Format: regex
Regex: '(?P<a>.*)'
KeyCase: fold
Coerce: true
Fields: [{Name: a, From: [b], Collect: true}]
`, []string{
			"6: KeyCase is only for Format: json",
			"7: Coerce is only for Format: json",
			"8: field From is only for Format: json",
			"8: field Collect is only for Format: json",
		}},
		{"reshaping is for json, meaning", `
AnalysisType: log_type
LogType: Custom.X
Format: json
KeyCase: fold
AcceptJSON: true
Fields: [{Name: a}, {Name: A}]
Required: [a]
`, []string{
			"6: AcceptJSON is for Format: regex or csv (json records are JSON already)",
			"5: KeyCase: fold: fields a and A differ only in case",
		}},
		{"vendor name in a user file", `
AnalysisType: log_type
LogType: Microsoft365.Audit.Exchange
Format: json
Fields: [{Name: a}]
Required: [a]
`, []string{
			`3: LogType "Microsoft365.Audit.Exchange": a custom log type is named Custom.Name (letters, digits and _, parts separated by dots)`,
		}},
		{"sample is a header", `
AnalysisType: log_type
LogType: Custom.X
Format: csv
CSV: {Header: true}
Fields: [{Name: a}]
Sample: 'a,b'
`, []string{"7: Sample holds no record (a CSV header alone?)"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			lt, err := Decode([]byte(c.yaml), "x.yml")
			if err == nil {
				t.Fatalf("no error, got %s", lt.Name)
			}
			var got []string
			for _, line := range strings.Split(err.Error(), "\n") {
				got = append(got, strings.TrimPrefix(line, "x.yml:"))
			}
			if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
				t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(c.want, "\n"))
			}
			var e *Error
			if !errors.As(err, &e) || e.File != "x.yml" || e.Line < 1 {
				t.Errorf("not an *Error with a position: %#v", err)
			}
		})
	}
}

// Decoding any bytes returns a log type or an error, never a panic; a log
// type that decodes has a working parser.
func FuzzDecode(f *testing.F) {
	for _, file := range []string{"testdata/myapp.yml", "testdata/vpn.yml", "testdata/dns.yml", "testdata/billing.yml", "testdata/hostevents.yml"} {
		for _, s := range seedFile(f, file) {
			f.Add(s)
		}
	}
	f.Add([]byte("a: &x [*x]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		lt, err := Decode(data, "fuzz.yml")
		if err != nil {
			if lt != nil {
				t.Fatal("a log type and an error")
			}
			if !strings.HasPrefix(err.Error(), "fuzz.yml:") {
				t.Fatalf("error without a position: %v", err)
			}
			return
		}
		if lt.NewParser() == nil || lt.Detect == nil || !strings.HasPrefix(lt.Name, "Custom.") {
			t.Fatalf("incomplete log type: %+v", lt)
		}
	})
}

func seedFile(t testing.TB, file string) [][]byte {
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	return [][]byte{data}
}
