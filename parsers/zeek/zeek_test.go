package zeek

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"panther/parsers"
	"panther/parsers/event"
	"panther/parsers/parsertest"
)

// Every log type has a fixture in both formats (testdata/logs/<path>.log
// and .json, records written from Zeek's documentation and rendered the way
// Zeek's writers render them); each is compared with its golden file, and
// every event must be of the type of its path.
func TestGoldenLogs(t *testing.T) {
	reg := parsertest.Registry(t, LogTypes()...)
	for _, d := range defs {
		for _, ext := range []string{".log", ".json"} {
			in := filepath.Join("testdata", "logs", d.path+ext)
			t.Run(d.path+ext, func(t *testing.T) {
				res := parsertest.Golden(t, reg, d.lt, in, strings.TrimSuffix(in, ext)+ext+".golden.jsonl")
				if len(res.Errors) > 0 {
					t.Errorf("errors: %v", res.Errors)
				}
				if len(res.Events) < 2 {
					t.Fatalf("%d events, want at least 2", len(res.Events))
				}
				for i, ev := range res.Events {
					var m map[string]any
					if err := json.Unmarshal(ev, &m); err != nil {
						t.Fatal(err)
					}
					if m["p_log_type"] != d.lt.Name {
						t.Errorf("event %d: p_log_type %v, want %s", i+1, m["p_log_type"], d.lt.Name)
					}
					if d.hasTS && m["p_event_time"] == parsertest.ParseTime.Format("2006-01-02T15:04:05Z07:00") {
						t.Errorf("event %d: p_event_time is the parse time: ts was not read", i+1)
					}
				}
			})
		}
	}
}

// A log type parser named for one type reads every other: the type comes
// from #path, _path or the fields, not from the parser's name.
func TestTypeComesFromTheData(t *testing.T) {
	reg := parsertest.Registry(t, LogTypes()...)
	for _, d := range defs {
		for _, ext := range []string{".log", ".json"} {
			in, err := os.ReadFile(filepath.Join("testdata", "logs", d.path+ext))
			if err != nil {
				t.Fatal(err)
			}
			other := Weird
			if d.lt == Weird {
				other = Conn
			}
			res := parsertest.Parse(t, reg, other, in)
			for i, ev := range res.Events {
				if !bytes.Contains(ev, []byte(`"p_log_type":"`+d.lt.Name+`"`)) {
					t.Errorf("%s%s event %d read by %s: %s", d.path, ext, i+1, other.Name, ev)
				}
			}
		}
	}
}

// The two renderings of each fixture give identical events (see the
// oracle test for the rules, which it checks on real traffic).
func TestFixturesTSVEqualsJSON(t *testing.T) {
	reg := parsertest.Registry(t, LogTypes()...)
	for _, d := range defs {
		a := parseFixture(t, reg, d, ".log")
		b := parseFixture(t, reg, d, ".json")
		if len(a) != len(b) {
			t.Errorf("%s: %d TSV events, %d JSON events", d.path, len(a), len(b))
			continue
		}
		for i := range a {
			if df := diff(a[i], b[i]); df != "" {
				t.Errorf("%s event %d differs:\n%s", d.path, i+1, df)
			}
		}
	}
}

func parseFixture(t *testing.T, reg *parsers.Registry, d *logDef, ext string) []map[string]string {
	data, err := os.ReadFile(filepath.Join("testdata", "logs", d.path+ext))
	if err != nil {
		t.Fatal(err)
	}
	p := d.lt.NewParser()
	var out []map[string]string
	for i, line := range bytes.Split(data, []byte("\n")) {
		if len(line) == 0 {
			continue
		}
		e := event.New()
		ok, err := p.Parse(line, e)
		if err == nil && ok {
			err = reg.Normalise(d.lt, e, parsers.Source{File: "x"}, int64(i+1), parsertest.ParseTime)
		}
		if err != nil {
			t.Fatalf("%s%s:%d: %v", d.path, ext, i+1, err)
		}
		if ok {
			out = append(out, comparable(e))
		}
		e.Release()
	}
	return out
}

// Checks of the canonical forms and of the error handling that do not rely
// on the golden files.
func TestEdgeCases(t *testing.T) {
	reg := parsertest.Registry(t, LogTypes()...)
	tsv := parsertest.Golden(t, reg, Conn, "testdata/cases/tsv_edge.log", "testdata/cases/tsv_edge.log.golden.jsonl")
	js := parsertest.Golden(t, reg, Conn, "testdata/cases/json_edge.json", "testdata/cases/json_edge.json.golden.jsonl")

	wantErrors := map[string][]string{
		"tsv": {
			"line 1: Zeek TSV data line before the #fields header",
			"line 14: Zeek TSV line has 4 fields, the #fields header declares 11",
			"line 15: Zeek TSV line has 12 fields, the #fields header declares 11",
			`line 16: field id.orig_p: "http" is not a Zeek port`,
			`line 17: field notice: "maybe" is not a Zeek bool`,
			`line 18: field ts: "yesterday" is not a Zeek time`,
			`line 33: Zeek log path "my_custom" is not a known log type and its fields match none`,
			"line 34: Zeek TSV data line after an unusable header: Zeek log path \"my_custom\"",
			"line 43: Zeek TSV header declares 2 #fields but 1 #types",
			"line 44: Zeek TSV data line after an unusable header: Zeek TSV header declares 2 #fields but 1 #types",
			"line 46: Zeek TSV #types header before #fields",
			"line 47: Zeek TSV data line after an unusable header: Zeek TSV #types header before #fields",
			// conn.log without its conn id columns, or with one unset.
			"line 51: Zeek.Conn: Zeek TSV #fields lack the required fields id.orig_h, id.orig_p, id.resp_h, id.resp_p",
			"line 52: Zeek TSV data line after an unusable header: Zeek.Conn: Zeek TSV #fields lack",
			"line 57: Zeek.Conn: required field id.orig_h is unset",
		},
		"json": {
			`line 5: Zeek log path "my_custom" is not a known log type`,
			"line 6: not a Zeek record: no _path or @stream, and its fields are those of no Zeek log",
			"line 8: cannot parse JSON",
			"line 9: expected a JSON object, got array",
			`line 11: Zeek.KnownHosts: field host: "web-1" is not a Zeek addr`,
			`line 12: Zeek.Reporter: field level: "info" is not a Reporter value`,
			// A conn record without its conn id: refused, with the
			// reason, rather than read with empty columns.
			"line 14: Zeek.Conn: not a complete conn.log record: it has 4 of the 8 fields every conn.log record has",
			"line 15: Zeek.Conn: required fields id.orig_h, id.orig_p, id.resp_h, id.resp_p are missing (every conn.log record has ts, uid, id.orig_h",
			`line 17: Zeek.Conn: field ts: "yesterday" is not a Zeek time`,
			"line 19: Zeek.Conn: required field id.orig_h is missing",
		},
	}
	for name, res := range map[string]parsertest.Result{"tsv": tsv, "json": js} {
		if len(res.Errors) != len(wantErrors[name]) {
			t.Errorf("%s: %d errors, want %d:\n%s", name, len(res.Errors), len(wantErrors[name]), strings.Join(res.Errors, "\n"))
			continue
		}
		for i, want := range wantErrors[name] {
			if !strings.HasPrefix(res.Errors[i], want) {
				t.Errorf("%s error %d:\n got  %s\n want %s...", name, i+1, res.Errors[i], want)
			}
		}
	}

	// Field values, by event (in input order).
	checks := []struct {
		res   parsertest.Result
		event int
		want  map[string]string // key → JSON text; "" means absent
	}{
		{tsv, 0, map[string]string{
			"p_log_type": `"Zeek.Weird"`, "ts": `"2024-04-01T10:00:30.100000Z"`, "p_event_time": `"2024-04-01T10:00:30.1Z"`,
			"name": `"path\\with\\backslashes"`, "addl": `"-"`, "source": `"(empty)"`, "notice": "false", "id.orig_p": "1",
			"p_any_ip_addresses": `["192.168.1.10","192.168.1.11"]`, "p_any_trace_ids": `["C1"]`,
		}},
		{tsv, 1, map[string]string{"name": `"café €"`, "addl": `"tab\tinside"`, "source": `""`, "notice": "true"}},
		// Not valid UTF-8, or a control byte: rendered as Zeek's JSON writer does.
		{tsv, 2, map[string]string{"name": `"bad\\xffutf8 caf\\xc3\\xa9"`, "addl": `"bell\\x07"`, "source": `"quote \" and \\q kept"`}},
		{tsv, 3, map[string]string{"name": `"raw_utf8_é"`, "addl": ""}},
		{tsv, 4, map[string]string{"name": `"after_errors"`}},
		{tsv, 5, map[string]string{
			"p_log_type": `"Zeek.DNS"`, "rtt": "0.0005", "answers": `["b.example.com","198.51.100.1","|pipe;semi"]`,
			"TTLs": "[60,null,null]", "p_any_domain_names": `["a.example.com","b.example.com"]`,
		}},
		{tsv, 6, map[string]string{"rtt": "", "query": `""`, "answers": "[]", "TTLs": "[]"}},
		{tsv, 7, map[string]string{"p_log_type": `"Zeek.Conn"`, "duration": "3600.25", "missed_bytes": "0"}},
		{js, 0, map[string]string{"p_log_type": `"Zeek.Conn"`, "ts": `"2024-04-01T10:00:40.500000Z"`, "duration": "1.5"}},
		{js, 1, map[string]string{"ts": `"2024-04-01T10:00:40.500000Z"`, "p_event_time": `"2024-04-01T10:00:40.5Z"`}},
		{js, 2, map[string]string{"ts": `"2024-04-01T10:00:40.500000Z"`}},
		{js, 3, map[string]string{"p_log_type": `"Zeek.Weird"`, "ts": `"2024-04-01T10:00:41.000000Z"`, "_path": `"weird"`}},
		// Values of the wrong JSON type are left as they are.
		{js, 4, map[string]string{"p_log_type": `"Zeek.DNS"`, "rtt": `"fast"`, "TTLs": `[1.25,"x"]`}},
		{js, 5, map[string]string{"p_log_type": `"Zeek.KnownHosts"`, "ts": `"1969-12-31T23:59:58.500000Z"`}},
		{js, 6, map[string]string{"p_log_type": `"Zeek.Reporter"`}},
		// Another pipeline's record: @stream, "_" as the scope separator,
		// an ISO ts with fewer digits; its keys kept.
		{js, 7, map[string]string{"p_log_type": `"Zeek.DNS"`, "id.orig_h": `"192.168.1.10"`, "id_orig_h": "", "ts": `"2024-04-01T10:00:50.250000Z"`,
			"@stream": `"dns"`, "@system": `"sensor-2"`, "p_any_ip_addresses": `["192.168.1.1","192.168.1.10"]`}},
		// The Kafka writer's tag_json wrapper.
		{js, 8, map[string]string{"p_log_type": `"Zeek.Weird"`, "name": `"dns_unmatched_reply"`, "weird": ""}},
	}
	for _, c := range checks {
		if c.event >= len(c.res.Events) {
			t.Errorf("no event %d", c.event)
			continue
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal(c.res.Events[c.event], &m); err != nil {
			t.Fatal(err)
		}
		for k, want := range c.want {
			got := string(m[k])
			if got != want {
				t.Errorf("event %d: %s = %s, want %s\n%s", c.event, k, got, show(want, want != ""), c.res.Events[c.event])
			}
		}
	}
}

// A log of one parser does not leak into another: header state is per
// parser (per source).
func TestHeaderStateIsPerParser(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("testdata/logs/dns.log")
	if err != nil {
		t.Fatal(err)
	}
	lines := bytes.Split(bytes.TrimSpace(data), []byte("\n"))
	a, b := DNS.NewParser(), DNS.NewParser()
	e := event.New()
	defer e.Release()
	// A byte order mark in front of the first line is not part of it.
	lines[0] = append([]byte("\xef\xbb\xbf"), lines[0]...)
	for _, l := range lines[:8] { // the header
		if ok, err := a.Parse(l, e); ok || err != nil {
			t.Fatalf("header line %q: ok=%v err=%v", l, ok, err)
		}
	}
	if ok, err := a.Parse(lines[8], e); !ok || err != nil {
		t.Fatalf("parser with header: ok=%v err=%v", ok, err)
	}
	e2 := event.New()
	defer e2.Release()
	if ok, err := b.Parse(lines[8], e2); ok || err != errNoFields {
		t.Fatalf("parser without header: ok=%v err=%v", ok, err)
	}
}

func TestValues(t *testing.T) {
	t.Parallel()
	micros := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"1521911725.396014", 1521911725396014, true},
		{"1521911725", 1521911725000000, true},
		{"1521911725.5", 1521911725500000, true},
		{"1521911725.3960145", 1521911725396015, true}, // rounded half up
		{"-1.5", -1500000, true},
		{"0.000000", 0, true},
		{"1.521912e+09", 1521912000000000, true},
		{"", 0, false},
		{"-", 0, false},
		{"12.34.56", 0, false},
		{"nan", 0, false},
	}
	for _, c := range micros {
		got, ok := epochMicros(c.in)
		if got != c.want || ok != c.ok {
			t.Errorf("epochMicros(%q) = %d %v, want %d %v", c.in, got, ok, c.want, c.ok)
		}
	}
	doubles := []struct{ in, want string }{
		{"0.000870", "0.00087"},
		{"0.0008699893951416016", "0.00087"},
		{"2230.0", "2230"},
		{"2230.000000", "2230"},
		{"-0.000000", "0"},
		{"3600", "3600"},
		{"9.5e-07", "0.000001"},
		{"1e20", "100000000000000000000"},
		{"nan", "null"},
		{"-inf", "null"},
		{"1e999", "null"},
		{"007", "7"},
		{"x", "!"},
		{"", "!"},
	}
	for _, c := range doubles {
		got, ok := appendDouble(nil, c.in)
		if !ok {
			got = []byte("!")
		}
		if string(got) != c.want {
			t.Errorf("appendDouble(%q) = %s, want %s", c.in, got, c.want)
		}
	}
	ints := []struct {
		in     string
		signed bool
		want   string
	}{
		{"0", false, "0"}, {"443", false, "443"}, {"-5", true, "-5"}, {"-5", false, "!"},
		{"007", false, "7"}, {"+3", true, "3"}, {"18446744073709551615", false, "18446744073709551615"},
		{"18446744073709551616", false, "!"}, {"1.5", false, "!"}, {"", false, "!"}, {"-", true, "!"},
	}
	for _, c := range ints {
		got, ok := appendInt(nil, c.in, c.signed)
		if !ok {
			got = []byte("!")
		}
		if string(got) != c.want {
			t.Errorf("appendInt(%q, %v) = %s, want %s", c.in, c.signed, got, c.want)
		}
	}
	strs := []struct{ raw, want string }{
		{`plain`, `"plain"`},
		{`a\\b`, `"a\\b"`},
		{`\x2d`, `"-"`},
		{`caf\xc3\xa9`, `"café"`},
		{`\xc3\xa9\xff`, `"\\xc3\\xa9\\xff"`}, // one bad byte escapes the whole string, as Zeek does
		{`\xee\x8b\xa0`, `"\\xee\\x8b\\xa0"`}, // private use
		{`line\x0a`, `"line\n"`},
		{`\x00`, `"\\x00"`},
		{`trailing\`, `"trailing\\"`},
		{`\xZZ`, `"\\xZZ"`},
		{`"`, `"\""`},
	}
	p := newParser(byPath["weird"])
	for _, c := range strs {
		if got := p.str(nil, []byte(c.raw)); string(got) != c.want {
			t.Errorf("str(%s) = %s, want %s", c.raw, got, c.want)
		}
	}
}

// One record, with a fresh parser: a JSON line, or a TSV line (which, with
// no header, must be refused cleanly). The body is parsertest.Fuzz's, but
// an accepted record must give valid JSON only when the input was valid
// JSON or TSV: fastjson accepts numbers such as 00, 1-2 or nan and the
// event writes them back as they were (a core issue, reported).
func FuzzZeekRecord(f *testing.F) {
	reg := parsertest.Registry(f, LogTypes()...)
	var files []string
	for _, d := range defs {
		files = append(files, filepath.Join("testdata", "logs", d.path+".json"), filepath.Join("testdata", "logs", d.path+".log"))
	}
	files = append(files, "testdata/cases/tsv_edge.log", "testdata/cases/json_edge.json")
	for _, s := range parsertest.SeedLines(f, files...) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, rec []byte) {
		e := event.New()
		defer e.Release()
		ok, err := Conn.NewParser().Parse(rec, e)
		if err != nil || !ok {
			return
		}
		if err := reg.Normalise(Conn, e, parsers.Source{File: "fuzz"}, 1, parsertest.ParseTime); err != nil {
			t.Fatalf("normalise: %v", err)
		}
		isJSON := len(rec) > 0 && (rec[0] == '{' || rec[0] == '[')
		if out := e.AppendJSON(nil); (!isJSON || json.Valid(rec)) && !json.Valid(out) {
			t.Fatalf("invalid JSON for %q: %s", rec, out)
		}
	})
}

// Whole small TSV files: the header is state, so the fuzzer must be able
// to change it between records. No input may panic, and every accepted
// record must normalise to valid JSON (see FuzzZeekRecord for JSON lines).
func FuzzZeekTSVFile(f *testing.F) {
	reg := parsertest.Registry(f, LogTypes()...)
	for _, d := range defs {
		data, err := os.ReadFile(filepath.Join("testdata", "logs", d.path+".log"))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	data, err := os.ReadFile("testdata/cases/tsv_edge.log")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	f.Fuzz(func(t *testing.T, file []byte) {
		p := Conn.NewParser()
		for i, line := range bytes.Split(file, []byte("\n")) {
			e := event.New()
			ok, err := p.Parse(line, e)
			if err == nil && ok {
				if err := reg.Normalise(Conn, e, parsers.Source{File: "fuzz"}, int64(i+1), parsertest.ParseTime); err != nil {
					t.Fatalf("line %d: normalise: %v", i+1, err)
				}
				isJSON := len(line) > 0 && (line[0] == '{' || line[0] == '[')
				if out := e.AppendJSON(nil); (!isJSON || json.Valid(line)) && !json.Valid(out) {
					t.Fatalf("line %d: invalid JSON %s", i+1, out)
				}
			}
			e.Release()
		}
	})
}
