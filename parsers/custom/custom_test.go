package custom

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"

	"panther/parsers"
	"panther/parsers/event"
	"panther/parsers/parsertest"
)

func mustDecode(t testing.TB, file string) *parsers.LogType {
	t.Helper()
	lt, err := DecodeFile(file)
	if err != nil {
		t.Fatal(err)
	}
	return lt
}

// check is one spot check of a golden result: field of event i; want nil
// means the field is absent.
type check struct {
	event int
	field string
	want  any
}

func TestGolden(t *testing.T) {
	t.Parallel()
	parseTime := parsertest.ParseTime.Format("2006-01-02T15:04:05Z07:00")
	cases := []struct {
		spec, input, golden string
		events              int
		errors              []string
		checks              []check
	}{
		{
			spec: "testdata/myapp.yml", input: "testdata/myapp.log", golden: "testdata/myapp.golden.jsonl",
			events: 5,
			errors: []string{
				`line 3: field seconds: "fast" is not a double`,
				`line 4: field cached: "maybe" is not a boolean (true, false, 1, 0, t, f)`,
				`line 5: field time: "yesterday" is not a time in the format rfc3339`,
				`line 6: record does not match the Regex of Custom.MyApp`,
				`line 7: field bytes: "99999999999999999999" is not a bigint`,
			},
			checks: []check{
				{0, "status", 200.0}, {0, "bytes", 512.0}, {0, "seconds", 0.25}, {0, "cached", true},
				{0, "p_event_time", "2024-03-01T12:00:00Z"},
				{0, "p_any_ip_addresses", []any{"198.51.100.7"}},
				{0, "p_any_usernames", []any{"alice"}},
				{1, "user", nil}, {1, "bytes", nil}, // EmptyValues
				{1, "seconds", 0.001}, {1, "cached", false},
				{1, "p_event_time", "2024-03-01T11:00:01.5Z"},
				{1, "p_any_usernames", nil},
				{2, "agent", "Mozilla/5.0 (café)"},
				{4, "agent", "bad \ufffd utf8"},
			},
		},
		{
			spec: "testdata/vpn.yml", input: "testdata/vpn.csv", golden: "testdata/vpn.golden.jsonl",
			events: 4,
			errors: []string{
				"line 5: record has 4 fields, want 6 (timestamp,user,src_ip,ok,mb,gateway)",
				"line 6: field 2: quoted field without its closing quote",
				`line 7: field timestamp: "notanumber" is not a bigint`,
				`line 8: field ok: "yes" is not a boolean (true, false, 1, 0, t, f)`,
			},
			checks: []check{
				{0, "timestamp", 1709294400.0}, {0, "ok", true}, {0, "mb", 1.5}, {0, "gateway", "gw-1"},
				{0, "p_event_time", "2024-03-01T12:00:00Z"},
				{0, "p_any_emails", []any{"alice@example.com"}},
				{0, "p_any_usernames", []any{"Alice@Example.com"}},
				{1, "user", "Smith, Bob"}, {1, "gateway", `gw "east"`}, {1, "mb", 0.0},
				{2, "src_ip", nil}, {2, "mb", nil}, {2, "ok", true},
				{3, "mb", 2500.0}, {3, "p_any_ip_addresses", []any{"2001:db8::1"}},
			},
		},
		{
			spec: "testdata/dns.yml", input: "testdata/dns.tsv", golden: "testdata/dns.golden.jsonl",
			events: 2,
			errors: []string{
				"line 3: record has 6 fields, want 5 (time\tclient\tquery\tanswer\tttl)",
				`line 4: field time: "2024/03/01 12:00:03" is not a time in the format %Y-%m-%d %H:%M:%S`,
			},
			checks: []check{
				{0, "ttl", 300.0},
				{0, "p_event_time", "2024-03-01T12:00:00Z"},
				{0, "p_any_ip_addresses", []any{"10.0.0.5", "93.184.216.34"}},
				{0, "p_any_domain_names", []any{"www.example.com"}},
				{1, "answer", nil}, {1, "ttl", nil},
			},
		},
		{
			spec: "testdata/billing.yml", input: "testdata/billing.jsonl", golden: "testdata/billing.golden.jsonl",
			events: 3,
			errors: []string{
				`line 2: field meta.ts: "soon" is not a time in the format unix_ms`,
				"line 5: expected a JSON object, got array",
			},
			checks: []check{
				{0, "p_event_time", "2024-03-01T12:00:00Z"},
				{0, "note", "not in the schema, kept"},
				{0, "p_any_emails", []any{"alice@example.com"}},
				{0, "p_any_trace_ids", []any{"r-1"}},
				{1, "p_event_time", parseTime}, // no meta.ts
				{2, "p_any_ip_addresses", nil}, // "private"
			},
		},
		{
			// KeyCase, From, Collect, Coerce and time alternatives: three
			// shapes of one record and a folded export.
			spec: "testdata/hostevents.yml", input: "testdata/hostevents.jsonl", golden: "testdata/hostevents.golden.jsonl",
			events: 6,
			errors: []string{
				`line 5: field Created: "last tuesday" is not a time in the format rfc3339 or unix`,
			},
			checks: []check{
				{0, "Id", 4624.0}, {0, "Data", map[string]any{"User": "alice", "Address": "198.51.100.7", "Port": 50123.0, "Elevated": true}},
				{0, "p_event_time", "2024-03-01T12:00:00Z"},
				{1, "Id", 1.0}, {1, "Channel", "Sysmon"}, {1, "Host", "ws2"},
				{1, "agent", map[string]any{}}, // every value moved out
				{1, "Data", map[string]any{"User": `CORP\bob`, "Port": "x", // "x" is not a bigint: kept as written
					"Hashes": "SHA1=3395856CE81F2B7382DEE72602F798B642F14140,MD5=44D88612FEA8A8F36DE82E1278ABB02F,SHA256=275A021BBFB6489E54D471899F7DB9D1663FC695EC2FE2A2C4538AABF651FD0F,IMPHASH=00000000000000000000000000000000"}},
				{1, "p_event_time", "2024-03-01T12:00:01.5Z"},
				{1, "p_any_md5_hashes", []any{"44d88612fea8a8f36de82e1278abb02f"}}, // not the IMPHASH
				{1, "p_any_sha1_hashes", []any{"3395856ce81f2b7382dee72602f798b642f14140"}},
				{1, "p_any_sha256_hashes", []any{"275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f"}},
				{2, "Host", "ws3"}, {2, "Hostname", nil},
				{2, "Data", map[string]any{"User": "carol", "Address": "::ffff:203.0.113.9", "Port": 445.0, "Extra": "kept in Data"}},
				{2, "p_event_time", "2024-03-01T12:00:02Z"},
				{2, "p_any_ip_addresses", []any{"203.0.113.9"}},
				{3, "Id", 4688.0}, {3, "Channel", "Security"}, {3, "id", nil}, {3, "Data", map[string]any{"User": "dave"}},
				{3, "p_event_time", "2024-03-01T12:00:03Z"},
				{4, "Channel", "Application"},
				{5, "Host", "12345"}, {5, "Data", map[string]any{"User": "42", "Elevated": false}}, // numbers where strings are declared
			},
		},
	}
	for _, c := range cases {
		t.Run(c.spec, func(t *testing.T) {
			t.Parallel()
			lt := mustDecode(t, c.spec)
			reg := parsertest.Registry(t, lt)
			res := parsertest.Golden(t, reg, lt, c.input, c.golden)
			if len(res.Events) != c.events {
				t.Errorf("%d events, want %d", len(res.Events), c.events)
			}
			if !reflect.DeepEqual(res.Errors, c.errors) {
				t.Errorf("errors:\n got %q\nwant %q", res.Errors, c.errors)
			}
			for _, ch := range c.checks {
				if ch.event >= len(res.Events) {
					t.Errorf("no event %d", ch.event)
					continue
				}
				var ev map[string]any
				if err := json.Unmarshal(res.Events[ch.event], &ev); err != nil {
					t.Fatal(err)
				}
				if got := ev[ch.field]; !reflect.DeepEqual(got, ch.want) {
					t.Errorf("event %d: %s = %#v, want %#v", ch.event, ch.field, got, ch.want)
				}
			}
		})
	}
}

// The declarations become the LogType the rest of the toolkit reads.
func TestDecodedLogType(t *testing.T) {
	t.Parallel()
	lt := mustDecode(t, "testdata/myapp.yml")
	if lt.Name != "Custom.MyApp" || lt.Table() != "custom_myapp" || lt.Description == "" || lt.Reference == "" {
		t.Errorf("identity: %q %q %q %q", lt.Name, lt.Table(), lt.Description, lt.Reference)
	}
	if len(lt.Schema) != 10 || lt.Schema[0] != (parsers.Column{Name: "time", Type: "timestamp", Description: "when the request ended"}) {
		t.Errorf("schema: %+v", lt.Schema)
	}
	want := []parsers.Indicator{{Path: "ip", Kind: "ip"}, {Path: "user", Kind: "username"}}
	if !reflect.DeepEqual(lt.Indicators, want) {
		t.Errorf("indicators: %+v", lt.Indicators)
	}
	if !reflect.DeepEqual(lt.TimeFields, []parsers.TimeField{{Path: "time", Format: "rfc3339"}}) {
		t.Errorf("time fields: %+v", lt.TimeFields)
	}
	// Detect is Required: a record without a user parses, but is not
	// chosen by the classifier.
	for rec, want := range map[string]bool{
		`2024-03-01T12:00:00Z alice 198.51.100.7 GET / 200 1 0 true "x"`: true,
		`2024-03-01T12:00:00Z - 198.51.100.7 GET / 200 1 0 true "x"`:     false,
	} {
		e := event.New()
		ok, err := lt.NewParser().Parse([]byte(rec), e)
		if !ok || err != nil {
			t.Fatalf("%s: %v %v", rec, ok, err)
		}
		if got := lt.Detect(e); got != want {
			t.Errorf("Detect(%s) = %v", rec, got)
		}
		e.Release()
	}
}

// A record may end in \r (a CRLF file split on \n): the \r is not data.
func TestCRLF(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ spec, rec, field, want string }{
		{"testdata/myapp.yml", "2024-03-01T12:00:00Z alice 198.51.100.7 GET / 200 1 0 true \"x\"\r", "agent", "x"},
		{"testdata/dns.yml", "2024-03-01 12:00:00\t10.0.0.5\ta.example.com\t192.0.2.1\t5\r", "ttl", "5"},
	} {
		lt := mustDecode(t, c.spec)
		e := event.New()
		ok, err := lt.NewParser().Parse([]byte(c.rec), e)
		if !ok || err != nil {
			t.Fatalf("%s: %v %v", c.spec, ok, err)
		}
		if got := event.Text(e.Fields.Get(c.field)); got != c.want {
			t.Errorf("%s: %s = %q, want %q", c.spec, c.field, got, c.want)
		}
		e.Release()
	}
}

// A header that cannot name the columns fails every record of its source,
// saying why; the next source starts afresh.
func TestCSVBadHeader(t *testing.T) {
	t.Parallel()
	lt := mustDecode(t, "testdata/vpn.yml")
	for _, c := range []struct{ header, want string }{
		{"timestamp,user,,ok", "column 3 has no name"},
		{"timestamp,user,user", "column user appears twice"},
		{"timestamp,p_log_type", "names starting with p_ are reserved"},
		{`timestamp,"user`, "quoted field without its closing quote"},
	} {
		p := lt.NewParser()
		e := event.New()
		if ok, err := p.Parse([]byte(c.header), e); ok || err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("header %q: ok=%v err=%v, want %q", c.header, ok, err, c.want)
		}
		if _, err := p.Parse([]byte("1,a,b,c"), e); err == nil || !strings.Contains(err.Error(), "header is not usable") {
			t.Errorf("header %q: next record: err=%v", c.header, err)
		}
		e.Release()
	}
}

func TestSplitCSV(t *testing.T) {
	t.Parallel()
	cases := []struct {
		rec  string
		want []string
		err  string
	}{
		{`a,b,c`, []string{"a", "b", "c"}, ""},
		{`a,,c,`, []string{"a", "", "c", ""}, ""},
		{`,`, []string{"", ""}, ""},
		{`x`, []string{"x"}, ""},
		{`"a,b",c`, []string{"a,b", "c"}, ""},
		{`"say ""hi""",""`, []string{`say "hi"`, ""}, ""},
		{`"",""""`, []string{"", `"`}, ""},
		{`a "b" c,d`, []string{`a "b" c`, "d"}, ""}, // a bare quote is a character
		{`"a`, nil, "field 1: quoted field without its closing quote"},
		{`a,"b"c`, nil, "field 2: text after the closing quote"},
		{`"a" ,b`, nil, "field 1: text after the closing quote"},
	}
	for _, c := range cases {
		got, _, err := splitCSV(nil, nil, []byte(c.rec), ',')
		if c.err != "" {
			if err == nil || err.Error() != c.err {
				t.Errorf("%s: err %v, want %q", c.rec, err, c.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", c.rec, err)
			continue
		}
		s := make([]string, len(got))
		for i := range got {
			s[i] = string(got[i])
		}
		if !reflect.DeepEqual(s, c.want) {
			t.Errorf("%s: %q, want %q", c.rec, s, c.want)
		}
	}
}

// Where encoding/csv (strict quotes) reads a line, splitCSV reads the same.
func FuzzSplitCSV(f *testing.F) {
	for _, s := range []string{`a,b`, `"a,b",c`, `"x""y",`, `,,`, `a"b,c`, `"a"b`, "a\tb"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, rec []byte) {
		got, _, err := splitCSV(nil, nil, rec, ',')
		if bytes.ContainsAny(rec, "\r\n") || len(bytes.TrimSpace(rec)) == 0 {
			return
		}
		r := csv.NewReader(bytes.NewReader(rec))
		r.FieldsPerRecord = -1
		want, werr := r.Read()
		if werr != nil {
			return
		}
		if err != nil {
			t.Fatalf("%q: encoding/csv reads %q, splitCSV: %v", rec, want, err)
		}
		s := make([]string, len(got))
		for i := range got {
			s[i] = string(got[i])
		}
		if !reflect.DeepEqual(s, want) {
			t.Fatalf("%q: splitCSV %q, encoding/csv %q", rec, s, want)
		}
	})
}

func FuzzRegex(f *testing.F) {
	lt := mustDecode(f, "testdata/myapp.yml")
	reg := parsertest.Registry(f, lt)
	parsertest.Fuzz(f, reg, lt, parsertest.SeedLines(f, "testdata/myapp.log")...)
}

func FuzzCSV(f *testing.F) {
	lt := mustDecode(f, "testdata/dns.yml")
	reg := parsertest.Registry(f, lt)
	parsertest.Fuzz(f, reg, lt, append(parsertest.SeedLines(f, "testdata/dns.tsv"), parsertest.SeedLines(f, "testdata/vpn.csv")...)...)
}

// The JSON path with every reshaping key (KeyCase, From, Collect, Coerce,
// time alternatives): no panic, and an accepted record normalises to valid
// JSON.
func FuzzJSON(f *testing.F) {
	lt := mustDecode(f, "testdata/hostevents.yml")
	reg := parsertest.Registry(f, lt)
	parsertest.Fuzz(f, reg, lt, append(parsertest.SeedLines(f, "testdata/hostevents.jsonl"), parsertest.SeedLines(f, "testdata/billing.jsonl")...)...)
}

// A header and a record: whatever they hold, no panic, and an accepted
// record gives valid JSON.
func FuzzCSVHeader(f *testing.F) {
	lt := mustDecode(f, "testdata/vpn.yml")
	reg := parsertest.Registry(f, lt)
	lines := parsertest.SeedLines(f, "testdata/vpn.csv")
	for _, l := range lines[1:] {
		f.Add(lines[0], l)
	}
	f.Fuzz(func(t *testing.T, header, rec []byte) {
		p := lt.NewParser()
		e := event.New()
		defer e.Release()
		ok, err := p.Parse(header, e)
		if ok || err == nil && len(bytes.TrimSpace(header)) > 0 && p.(*csvParser).columns == nil {
			t.Fatalf("header %q: ok=%v err=%v, and no columns", header, ok, err)
		}
		ok, err = p.Parse(rec, e)
		if err != nil || !ok {
			return
		}
		if err := reg.Normalise(lt, e, parsers.Source{File: "fuzz"}, 2, parsertest.ParseTime); err != nil {
			if strings.Contains(err.Error(), "is not a time in the format") {
				return // the record's time does not read: an error for that record
			}
			t.Fatal(err)
		}
		if out := e.AppendJSON(nil); !json.Valid(out) {
			t.Fatalf("invalid JSON: %s", out)
		}
	})
}

func BenchmarkRegex(b *testing.B) {
	lt := mustDecode(b, "testdata/myapp.yml")
	lines := parsertest.SeedLines(b, "testdata/myapp.log")
	parsertest.Bench(b, parsertest.Registry(b, lt), lt, [][]byte{lines[0], lines[1], lines[7]})
}

func BenchmarkCSV(b *testing.B) {
	lt := mustDecode(b, "testdata/dns.yml")
	lines := parsertest.SeedLines(b, "testdata/dns.tsv")
	parsertest.Bench(b, parsertest.Registry(b, lt), lt, lines[:2])
}

func BenchmarkJSON(b *testing.B) {
	lt := mustDecode(b, "testdata/billing.yml")
	lines := parsertest.SeedLines(b, "testdata/billing.jsonl")
	parsertest.Bench(b, parsertest.Registry(b, lt), lt, [][]byte{lines[0], lines[2], lines[3]})
}

// The examples of the package doc and of docs/custom-log-types.md decode,
// and their Samples parse.
func TestDocExamples(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	var pkg []string
	in := false
	for _, l := range strings.Split(string(src), "\n") {
		switch {
		case strings.HasPrefix(l, "//\tAnalysisType:"):
			in = true
		case in && !strings.HasPrefix(l, "//\t"):
			in = false
		}
		if in {
			pkg = append(pkg, strings.TrimPrefix(l, "//\t"))
		}
	}
	md, err := os.ReadFile("../../docs/custom-log-types.md")
	if err != nil {
		t.Fatal(err)
	}
	_, block, _ := strings.Cut(string(md), "```yaml\n")
	block, _, _ = strings.Cut(block, "```")
	for name, y := range map[string]string{"doc.go": strings.Join(pkg, "\n"), "custom-log-types.md": block} {
		if !strings.Contains(y, "Sample:") {
			t.Fatalf("%s: example not found:\n%s", name, y)
		}
		if _, err := Decode([]byte(y), name); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// A name may be used by several groups (alternatives): the one that
// matched gives the value; an optional group that did not match leaves its
// field out.
func TestRegexAlternatives(t *testing.T) {
	t.Parallel()
	lt, err := Decode([]byte(`
AnalysisType: log_type
LogType: Custom.Alt
Format: regex
Regex: '^(?:user=(?P<user>\w+)|login=(?P<user>\w+)) ?(?P<n>\d+)?$'
Fields: [{Name: user}, {Name: n, Type: bigint}]
`), "alt.yml")
	if err != nil {
		t.Fatal(err)
	}
	for rec, want := range map[string]string{
		"user=alice 3": `{"user":"alice","n":3}`,
		"login=bob":    `{"user":"bob"}`,
	} {
		e := event.New()
		ok, err := lt.NewParser().Parse([]byte(rec), e)
		if !ok || err != nil {
			t.Fatalf("%s: %v %v", rec, ok, err)
		}
		if got := string(e.Fields.MarshalTo(nil)); got != want {
			t.Errorf("%s: %s, want %s", rec, got, want)
		}
		e.Release()
	}
}

// Detect sees records as written (the classifier shares one parse among
// JSON types, and Transform runs after it): Required and Match accept the
// spellings that Transform makes canonical — folded keys and From paths.
func TestDetectBeforeTransform(t *testing.T) {
	t.Parallel()
	lt := mustDecode(t, "testdata/hostevents.yml")
	for rec, want := range map[string]bool{
		`{"Id":4624,"Channel":"Security"}`:                             true,
		`{"id":4624,"channel":"Sysmon"}`:                               true, // folded
		`{"agent":{"event_id":"1","channel":"Sysmon"}}`:                true, // From
		`{"Id":4624,"agent":{"channel":"Security"}}`:                   true,
		`{"Id":4624,"Channel":"Application"}`:                          false, // Match
		`{"Id":4624,"Channel":4624}`:                                   false,
		`{"Channel":"Security"}`:                                       false, // Required
		`{"agent":{"event_id":null,"channel":"Security"}}`:             false,
		`{"agent":{"event_id":{"nested":1}},"CHANNEL":"Security"}`:     false, // fold is to lower case only
		`{"agent":{"event_id":{"nested":1}},"channel":"Security"}`:     true,
		`{"Id":4624,"Channel":"Security","p_log_type":"Custom.Other"}`: true,
		`{"Id":1,"Channel":"Microsoft-Windows-Sysmon/Operational"}`:    true, // a prefix
		`{"Id":1,"Channel":"microsoft-windows-sysmon/operational"}`:    true, // in any case
		`{"Id":1,"Channel":"Microsoft-Windows"}`:                       false,
		`{"Id":1,"Channel":"Security","User":"alice"}`:                 true, // Data.User, collected
	} {
		e := event.New()
		if err := e.ParseJSON([]byte(rec)); err != nil {
			t.Fatal(err)
		}
		if got := lt.Detect(e); got != want {
			t.Errorf("Detect(%s) = %v, want %v", rec, got, want)
		}
		e.Release()
	}
}

// Format csv and regex with AcceptJSON read a record that is a JSON object
// whose keys are all fields as the event itself: an export of the same
// type, re-ingested.
func TestAcceptJSON(t *testing.T) {
	t.Parallel()
	spec := `
AnalysisType: log_type
LogType: Custom.Flows
Format: csv
AcceptJSON: true
CSV: {Columns: [ts, src, bytes]}
TimeField: ts
Fields:
  - {Name: ts, Type: timestamp}
  - {Name: src}
  - {Name: bytes, Type: bigint}
Indicators: {ip: [src]}
`
	lt, err := Decode([]byte(spec), "flows.yml")
	if err != nil {
		t.Fatal(err)
	}
	reg := parsertest.Registry(t, lt)
	res := parsertest.Parse(t, reg, lt, []byte("2024-03-01T12:00:00Z,198.51.100.7,10\n"+
		` {"ts":"2024-03-01T12:00:01Z","src":"198.51.100.8","bytes":20}`+"\n"+
		`{"ts":"later","src":"198.51.100.9"}`+"\n"+
		"{broken\n"+
		`{"ts":"2024-03-01T12:00:01Z","src":"198.51.100.8","user":"alice"}`+"\n"))
	if len(res.Events) != 2 || !strings.Contains(string(res.Events[1]), `"p_any_ip_addresses":["198.51.100.8"]`) ||
		!strings.Contains(string(res.Events[1]), `"p_event_time":"2024-03-01T12:00:01Z"`) {
		t.Errorf("events: %s", res.Events)
	}
	if len(res.Errors) != 3 || !strings.Contains(res.Errors[0], `line 3: field ts: "later" is not a time`) || !strings.HasPrefix(res.Errors[1], "line 4: ") ||
		res.Errors[2] != `line 5: a JSON record with key "user", which is not a column of this log type` {
		t.Errorf("errors: %q", res.Errors)
	}
	noJSON, err := Decode([]byte(strings.Replace(spec, "AcceptJSON: true", "AcceptJSON: false", 1)), "flows.yml")
	if err != nil {
		t.Fatal(err)
	}
	if res := parsertest.Parse(t, reg, noJSON, []byte(`{"ts":"2024-03-01T12:00:01Z","src":"198.51.100.8","bytes":20}`)); len(res.Errors) != 1 {
		t.Errorf("without AcceptJSON a JSON record is a CSV record: %q", res.Errors)
	}
}

// MatchAny: every Match entry holds, and at least one MatchAny entry does.
func TestMatchAny(t *testing.T) {
	t.Parallel()
	lt, err := Decode([]byte(`
AnalysisType: log_type
LogType: Custom.Signins
Format: json
Fields: [{Name: resourceId}, {Name: category}, {Name: time, Type: timestamp}]
Required: [time]
Match: {time: ["2024-*"]}
MatchAny: {resourceId: ["/tenants/*"], category: [SignInLogs, AuditLogs]}
`), "signins.yml")
	if err != nil {
		t.Fatal(err)
	}
	for rec, want := range map[string]bool{
		`{"time":"2024-03-01T00:00:00Z","resourceId":"/tenants/x"}`:                              true,
		`{"time":"2024-03-01T00:00:00Z","resourceId":"/subscriptions/x","category":"AuditLogs"}`: true,
		`{"time":"2024-03-01T00:00:00Z","resourceId":"/subscriptions/x","category":"Policy"}`:    false,
		`{"time":"2024-03-01T00:00:00Z"}`:                                                        false,
		`{"time":"2023-03-01T00:00:00Z","resourceId":"/TENANTS/x"}`:                              false, // Match
		`{"time":"2024-03-01T00:00:00Z","resourceId":"/TENANTS/x"}`:                              true,
	} {
		e := event.New()
		if err := e.ParseJSON([]byte(rec)); err != nil {
			t.Fatal(err)
		}
		if got := lt.Detect(e); got != want {
			t.Errorf("Detect(%s) = %v, want %v", rec, got, want)
		}
		e.Release()
	}
}

// CSV MinColumns: a record may stop after MinColumns of the Columns (the
// fields after are absent), not before, and not run past them.
func TestCSVMinColumns(t *testing.T) {
	t.Parallel()
	spec := `
AnalysisType: log_type
LogType: Custom.DNS
Format: csv
CSV: {Columns: [ts, client, domain, categories], MinColumns: 3}
Fields: [{Name: ts}, {Name: client}, {Name: domain}, {Name: categories}]
`
	lt, err := Decode([]byte(spec), "dns.yml")
	if err != nil {
		t.Fatal(err)
	}
	reg := parsertest.Registry(t, lt)
	res := parsertest.Parse(t, reg, lt, []byte("a,b,c,d\na,b,c\na,b\na,b,c,d,e\n"))
	if len(res.Events) != 2 || strings.Contains(string(res.Events[1]), "categories") {
		t.Errorf("events: %s", res.Events)
	}
	want := []string{
		"line 3: record has 2 fields, want 3 to 4 (ts,client,domain,categories)",
		"line 4: record has 5 fields, want 3 to 4 (ts,client,domain,categories)",
	}
	if !reflect.DeepEqual(res.Errors, want) {
		t.Errorf("errors: %q", res.Errors)
	}
	for yaml, msg := range map[string]string{
		strings.Replace(spec, "MinColumns: 3", "MinColumns: 5", 1):                                `dns.yml:5: CSV MinColumns "5": a number from 1 to the count of Columns (4)`,
		strings.Replace(spec, "Columns: [ts, client, domain, categories], ", "Header: true, ", 1): "dns.yml:5: CSV MinColumns goes with Columns",
	} {
		if _, err := Decode([]byte(yaml), "dns.yml"); err == nil || err.Error() != msg {
			t.Errorf("got %v, want %s", err, msg)
		}
	}
}

// With Header, a first line that lacks a Required column is not this
// type's header: no line of the source is taken as this type.
func TestCSVHeaderNeedsRequired(t *testing.T) {
	t.Parallel()
	lt := mustDecode(t, "testdata/vpn.yml")
	reg := parsertest.Registry(t, lt)
	res := parsertest.Parse(t, reg, lt, []byte("<13>Mar  6 12:00:00 host app: hello\n2024-03-06,alice,1.2.3.4,true,1,gw\n"))
	if len(res.Events) != 0 || len(res.Errors) != 2 || !strings.Contains(res.Errors[0], "the first line is not a header of Custom.VPN.Logins: it has no timestamp column") {
		t.Errorf("events %s, errors %q", res.Events, res.Errors)
	}
}

// Exclude: no entry may hold (a path of another type's records need not
// be a declared field); Classify: false keeps the classifier away while
// the Sample is still checked.
func TestExcludeAndClassify(t *testing.T) {
	t.Parallel()
	spec := `
AnalysisType: log_type
LogType: Custom.Exchange
Format: json
Fields: [{Name: Workload}, {Name: Operation}]
Required: [Operation]
Match: {Workload: [Exchange]}
Exclude: {PolicyDetails: ["*"], Operation: [DlpRuleUndo]}
Sample: '{"Workload":"Exchange","Operation":"Set-Mailbox"}'
`
	lt, err := Decode([]byte(spec), "exchange.yml")
	if err != nil {
		t.Fatal(err)
	}
	for rec, want := range map[string]bool{
		`{"Workload":"Exchange","Operation":"Set-Mailbox"}`:                                       true,
		`{"Workload":"Exchange","Operation":"DlpRuleMatch","PolicyDetails":[{"PolicyName":"x"}]}`: false,
		`{"Workload":"Exchange","Operation":"DlpRuleUndo"}`:                                       false,
		`{"Workload":"Exchange","Operation":"x","PolicyDetails":""}`:                              false, // "*" holds for any value present
	} {
		e := event.New()
		if err := e.ParseJSON([]byte(rec)); err != nil {
			t.Fatal(err)
		}
		if got := lt.Detect(e); got != want {
			t.Errorf("Detect(%s) = %v, want %v", rec, got, want)
		}
		e.Release()
	}
	named, err := Decode([]byte(spec+"Classify: false\n"), "exchange.yml")
	if err != nil {
		t.Fatal(err)
	}
	e := event.New()
	defer e.Release()
	if err := e.ParseJSON([]byte(`{"Workload":"Exchange","Operation":"Set-Mailbox"}`)); err != nil {
		t.Fatal(err)
	}
	if named.Detect(e) {
		t.Error("Classify: false, yet Detect accepts")
	}
	other := strings.Replace(spec, `"Workload":"Exchange","Operation":"Set-Mailbox"`, `"Workload":"Other","Operation":"x"`, 1) + "Classify: false\n"
	if _, err := Decode([]byte(other), "exchange.yml"); err == nil || !strings.Contains(err.Error(), "Sample line 1 lacks a Required field or a Match value") {
		t.Errorf("a Sample that fails Match, with Classify false: %v", err)
	}
}
