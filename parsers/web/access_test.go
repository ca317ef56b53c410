package web

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"panther/parsers"
	"panther/parsers/event"
	"panther/parsers/parsertest"
)

func registry(t testing.TB) *parsers.Registry {
	return parsertest.Registry(t, AccessCommon, AccessCombined, NginxAccess)
}

func TestGolden(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name           string
		lt             *parsers.LogType
		events, errors int
	}{
		{"common", AccessCommon, 11, 5},
		{"combined", AccessCombined, 6, 4},
		{"nginx", NginxAccess, 8, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res := parsertest.Golden(t, registry(t), tc.lt, "testdata/access/"+tc.name+".log", "testdata/access/"+tc.name+".golden.jsonl")
			if len(res.Events) != tc.events || len(res.Errors) != tc.errors {
				t.Fatalf("want %d events and %d errors, got %d and %d: %v", tc.events, tc.errors, len(res.Events), len(res.Errors), res.Errors)
			}
		})
	}
}

// parse parses one line with the parser of lt and returns its source
// fields as JSON, or the error.
func parse(t *testing.T, lt *parsers.LogType, line string) (string, *event.Event, error) {
	t.Helper()
	e := event.New()
	t.Cleanup(e.Release)
	ok, err := lt.NewParser().Parse([]byte(line), e)
	if err != nil {
		if ok {
			t.Errorf("%q: ok with an error", line)
		}
		return "", e, err
	}
	if !ok {
		t.Fatalf("%q: no event and no error", line)
	}
	if err := registry(t).Normalise(lt, e, parsers.Source{File: "t"}, 1, parsertest.ParseTime); err != nil {
		t.Fatal(err)
	}
	if out := e.AppendJSON(nil); !json.Valid(out) {
		t.Fatalf("%q: invalid JSON %s", line, out)
	}
	return string(event.AppendValue(nil, e.Fields)), e, nil
}

// Which type a line gets, by its layout and by the type that was named.
func TestLayoutDecidesType(t *testing.T) {
	t.Parallel()
	const (
		common   = `192.0.2.1 - - [05/Mar/2024:14:02:01 +0000] "GET / HTTP/1.1" 200 1`
		combined = common + ` "-" "ua"`
		main     = combined + ` "192.0.2.2"`
		ident    = `192.0.2.1 someone - [05/Mar/2024:14:02:01 +0000] "GET / HTTP/1.1" 200 1 "-" "ua"`
	)
	for _, tc := range []struct {
		named *parsers.LogType
		line  string
		want  string
	}{
		{AccessCommon, common, nameCommon},
		{AccessCommon, combined, nameCombined},
		{AccessCommon, main, nameNginx},
		{AccessCombined, common, nameCommon},
		{AccessCombined, combined, nameCombined},
		{AccessCombined, main, nameNginx},
		{NginxAccess, common, nameCommon},
		{NginxAccess, combined, nameNginx},
		{NginxAccess, main, nameNginx},
		{NginxAccess, ident, nameCombined},
	} {
		_, e, err := parse(t, tc.named, tc.line)
		if err != nil || e.LogType != tc.want {
			t.Errorf("%s parser, %q: type %q (err %v), want %s", tc.named.Name, tc.line, e.LogType, err, tc.want)
		}
	}
}

func TestRequestLine(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ request, want string }{
		{`GET /index.html HTTP/1.1`, `"method":"GET","request_uri":"/index.html","protocol":"HTTP/1.1"`},
		{`OPTIONS * HTTP/1.1`, `"method":"OPTIONS","request_uri":"*","protocol":"HTTP/1.1"`},
		{`CONNECT example.com:443 HTTP/1.1`, `"method":"CONNECT","request_uri":"example.com:443","protocol":"HTTP/1.1"`},
		{`GET /`, `"method":"GET","request_uri":"/"`},
		{`GET /a b HTTP/1.1`, `"method":"GET","request_uri":"/a b","protocol":"HTTP/1.1"`},
		{`get /lower HTTP/1.0`, `"method":"get","request_uri":"/lower","protocol":"HTTP/1.0"`},
		{`GET /a b`, `"request":"GET /a b"`},
		{`GET  HTTP/1.1`, `"request":"GET  HTTP/1.1"`},
		{`GET`, `"request":"GET"`},
		{`\x16\x03\x01\x00\xf1`, `"request":"\\x16\\x03\\x01\\x00\\xf1"`},
		{`SSH-2.0-Go`, `"request":"SSH-2.0-Go"`},
		{`-`, ``},
		{``, ``},
	} {
		line := `192.0.2.1 - - [05/Mar/2024:14:02:01 +0000] "` + tc.request + `" 400 0`
		got, _, err := parse(t, AccessCommon, line)
		if err != nil {
			t.Errorf("%q: %v", tc.request, err)
			continue
		}
		want := `{"remote_ip":"192.0.2.1","time":"2024-03-05T14:02:01Z",` + tc.want
		if tc.want != "" {
			want += ","
		}
		want += `"status":400,"body_bytes":0}`
		if got != want {
			t.Errorf("%q:\n got %s\nwant %s", tc.request, got, want)
		}
	}
}

func TestTime(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		stamp, field string
		utc          time.Time
	}{
		{"10/Oct/2000:13:55:36 -0700", "2000-10-10T13:55:36-07:00", time.Date(2000, 10, 10, 20, 55, 36, 0, time.UTC)},
		{"01/Jan/2024:00:00:00 +0000", "2024-01-01T00:00:00Z", time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"01/Jan/2024:00:30:00 +0530", "2024-01-01T00:30:00+05:30", time.Date(2023, 12, 31, 19, 0, 0, 0, time.UTC)},
		{"29/Feb/2024:12:00:00 -0000", "2024-02-29T12:00:00Z", time.Date(2024, 2, 29, 12, 0, 0, 0, time.UTC)},
		{"31/Dec/2024:23:59:59 -1200", "2024-12-31T23:59:59-12:00", time.Date(2025, 1, 1, 11, 59, 59, 0, time.UTC)},
	} {
		line := `192.0.2.1 - - [` + tc.stamp + `] "GET / HTTP/1.1" 200 1`
		got, e, err := parse(t, AccessCommon, line)
		if err != nil {
			t.Errorf("%s: %v", tc.stamp, err)
			continue
		}
		if !strings.Contains(got, `"time":"`+tc.field+`"`) || !e.Time.Equal(tc.utc) {
			t.Errorf("%s: fields %s, p_event_time %v; want time %s and %v", tc.stamp, got, e.Time, tc.field, tc.utc)
		}
		// The field reads back as the same instant.
		if back, err := time.Parse(time.RFC3339, tc.field); err != nil || !back.Equal(tc.utc) {
			t.Errorf("%s: %s is not RFC 3339 for %v", tc.stamp, tc.field, tc.utc)
		}
	}
}

// Bad lines are errors that say what is wrong; none panics.
func TestBadLines(t *testing.T) {
	t.Parallel()
	const ok = `192.0.2.1 - - [05/Mar/2024:14:02:01 +0000] "GET / HTTP/1.1" 200 1`
	for _, tc := range []struct{ line, err string }{
		{``, `want the client address`},
		{`192.0.2.1`, `want the client address`},
		{`192.0.2.1 -`, `want ident (or -) after the client address`},
		{`192.0.2.1 - -`, `want the user (or -) and [day/Mon/year:hh:mm:ss zone] after ident`},
		{`192.0.2.1  - [05/Mar/2024:14:02:01 +0000] "GET / HTTP/1.1" 200 1`, `want ident`},
		{`192.0.2.1 - - [05/Mar/2024:14:02:01 +0000`, `want [day/Mon/year:hh:mm:ss zone]`},
		{`192.0.2.1 - - [5/Mar/2024:14:02:01 +0000] "GET / HTTP/1.1" 200 1`, `want [day/Mon/year:hh:mm:ss zone]`},
		{`192.0.2.1 - - [05/Foo/2024:14:02:01 +0000] "GET / HTTP/1.1" 200 1`, `want [day/Mon/year:hh:mm:ss zone]`},
		{`192.0.2.1 - - [05/Mar/2024:24:02:01 +0000] "GET / HTTP/1.1" 200 1`, `want [day/Mon/year:hh:mm:ss zone]`},
		{`192.0.2.1 - - [05/Mar/2024:14:02:01 0000] "GET / HTTP/1.1" 200 1`, `want [day/Mon/year:hh:mm:ss zone]`},
		{`192.0.2.1 - - [30/Feb/2024:14:02:01 +0000] "GET / HTTP/1.1" 200 1`, `want [day/Mon/year:hh:mm:ss zone]`},
		{`192.0.2.1 - - [05/Mar/2024:14:02:01 +0000]`, `want a space and the quoted request`},
		{`192.0.2.1 - - [05/Mar/2024:14:02:01 +0000] GET / HTTP/1.1 200 1`, `want a space and the quoted request`},
		{`192.0.2.1 - - [05/Mar/2024:14:02:01 +0000] "GET / HTTP/1.1`, `the quoted request has no closing quote`},
		{`192.0.2.1 - - [05/Mar/2024:14:02:01 +0000] "GET / HTTP/1.1"`, `want a space and the status`},
		{`192.0.2.1 - - [05/Mar/2024:14:02:01 +0000] "GET / HTTP/1.1" 2x0 1`, `want the status`},
		{`192.0.2.1 - - [05/Mar/2024:14:02:01 +0000] "GET / HTTP/1.1" 200`, `want the body size`},
		{`192.0.2.1 - - [05/Mar/2024:14:02:01 +0000] "GET / HTTP/1.1" 200 -5`, `want the body size`},
		{`192.0.2.1 - - [05/Mar/2024:14:02:01 +0000] "GET / HTTP/1.1" 200 99999999999999999999`, `want the body size`},
		{ok + ` "-"`, `want both referer and user agent`},
		{ok + ` "-`, `the quoted referer has no closing quote`},
		{ok + ` -`, `want a quoted field`},
		{ok + ` "-" "ua" "xff" "more"`, `more fields than the combined and main layouts have`},
		{ok + ` "-""ua"`, `want a space between quoted fields`},
		{"\x00\x01\x02\xff\xfe", `want the client address`},
		{`{"remote_ip": "192.0.2.1"}`, `want ident`},
		{`{"remote_ip": "192.0.2.1", "time": "x"}`, `want the user`},
		{`<13>Mar  5 14:02:01 host app: message`, `want ident`},
		{`Mar 5 14:02:01 host app: message`, `want the user`},
	} {
		_, _, err := parse(t, AccessCommon, tc.line)
		if err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("%q: error %v, want one with %q", tc.line, err, tc.err)
		}
	}
	// And the next line of the same parser still parses.
	p := AccessCommon.NewParser()
	for _, bad := range []string{"\xff", `192.0.2.1 - - [05/Mar/2024:14:02:01 +0000] "GET`} {
		e := event.New()
		if ok, err := p.Parse([]byte(bad), e); ok || err == nil {
			t.Errorf("%q accepted", bad)
		}
		e.Release()
		e = event.New()
		if ok, err := p.Parse([]byte(ok), e); !ok || err != nil {
			t.Errorf("after %q: %v %v", bad, ok, err)
		}
		e.Release()
	}
}

func TestIndicators(t *testing.T) {
	t.Parallel()
	_, e, err := parse(t, NginxAccess, `::ffff:192.0.2.1 - alice [05/Mar/2024:14:02:01 +0000] "GET / HTTP/1.1" 200 1 "https://WWW.Example.com/x?y" "ua" "198.51.100.1, 10.0.0.1 ,unknown"`)
	if err != nil {
		t.Fatal(err)
	}
	for k, want := range map[event.Kind]string{
		event.IP:       "10.0.0.1,192.0.2.1,198.51.100.1",
		event.Domain:   "www.example.com",
		event.Username: "alice",
	} {
		if got := strings.Join(e.Indicators[k], ","); got != want {
			t.Errorf("%s = %s, want %s", k.Field(), got, want)
		}
	}
	_, e, err = parse(t, AccessCombined, `crawler.example.net - - [05/Mar/2024:14:02:01 +0000] "GET / HTTP/1.1" 200 1 "-" "ua"`)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(e.Indicators[event.Domain], ","); got != "crawler.example.net" || len(e.Indicators[event.IP]) != 0 {
		t.Errorf("a host name client: domains %v, ips %v", e.Indicators[event.Domain], e.Indicators[event.IP])
	}
}

// Every line of the public Elastic sample (Apache combined) parses, with
// p_event_time from its [time] and its client address as indicator.
func TestApacheRealSample(t *testing.T) {
	t.Parallel()
	path := parsertest.SharedData(t, "web/apache_combined_10k.log.gz")
	reg := registry(t)
	p := AccessCombined.NewParser()
	n := 0
	for i, rec := range parsertest.GzLines(t, path) {
		e := event.New()
		ok, err := p.Parse(rec, e)
		if err != nil || !ok {
			t.Fatalf("line %d: ok=%v err=%v: %s", i+1, ok, err, rec)
		}
		if err := reg.Normalise(AccessCombined, e, parsers.Source{File: path}, int64(i+1), time.Now()); err != nil {
			t.Fatal(err)
		}
		if e.LogType != nameCombined {
			t.Errorf("line %d: log type %s", i+1, e.LogType)
		}
		// The oracle: the bracketed time and first field, read with the
		// standard library.
		open, end := bytes.IndexByte(rec, '['), bytes.IndexByte(rec, ']')
		want, err := time.Parse("02/Jan/2006:15:04:05 -0700", string(rec[open+1:end]))
		if err != nil {
			t.Fatalf("line %d: test data: %v", i+1, err)
		}
		if !e.Time.Equal(want) {
			t.Errorf("line %d: p_event_time %v, want %v", i+1, e.Time, want)
		}
		ip := string(rec[:bytes.IndexByte(rec, ' ')])
		if got := e.Indicators[event.IP]; len(got) == 0 || !contains(got, ip) {
			t.Errorf("line %d: client %s not in p_any_ip_addresses %v", i+1, ip, got)
		}
		if !json.Valid(e.AppendJSON(nil)) {
			t.Errorf("line %d: invalid JSON", i+1)
		}
		e.Release()
		n++
	}
	if n != 10000 {
		t.Errorf("parsed %d lines, want 10000", n)
	}
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

func FuzzAccess(f *testing.F) {
	reg := registry(f)
	seeds := parsertest.SeedLines(f, "testdata/access/common.log", "testdata/access/combined.log", "testdata/access/nginx.log")
	parsertest.Fuzz(f, reg, NginxAccess, seeds...)
}

// valid returns the lines of the fixtures that parse.
func valid(b *testing.B, files ...string) [][]byte {
	var out [][]byte
	p := AccessCombined.NewParser()
	for _, l := range parsertest.SeedLines(b, files...) {
		e := event.New()
		if ok, err := p.Parse(l, e); ok && err == nil {
			out = append(out, l)
		}
		e.Release()
	}
	return out
}

func BenchmarkAccess(b *testing.B) {
	reg := registry(b)
	for _, tc := range []struct {
		name  string
		lt    *parsers.LogType
		lines func(b *testing.B) [][]byte
	}{
		{"fixtures", AccessCombined, func(b *testing.B) [][]byte {
			return valid(b, "testdata/access/common.log", "testdata/access/combined.log", "testdata/access/nginx.log")
		}},
		// The real sample, when present: 10,000 lines of the same site.
		{"apache-10k", AccessCombined, func(b *testing.B) [][]byte {
			return parsertest.GzLines(b, parsertest.SharedData(b, "web/apache_combined_10k.log.gz"))
		}},
	} {
		b.Run(tc.name+"/parse+normalise", func(b *testing.B) { parsertest.Bench(b, reg, tc.lt, tc.lines(b)) })
		b.Run(tc.name+"/parse-only", func(b *testing.B) {
			lines := tc.lines(b)
			var size int64
			for _, l := range lines {
				size += int64(len(l)) + 1
			}
			b.SetBytes(size)
			b.ReportAllocs()
			p := tc.lt.NewParser()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				for _, l := range lines {
					e := event.New()
					if ok, err := p.Parse(l, e); !ok || err != nil {
						b.Fatal(ok, err)
					}
					e.Release()
				}
			}
		})
	}
}

// The baseline of the package doc: a grok-like regexp that only finds the
// fields of the combined layout (no event built), on the real sample.
func BenchmarkRegexpBaseline(b *testing.B) {
	re := regexp.MustCompile(`^(\S+) (\S+) (.*?) \[([^\]]+)\] "((?:[^"\\]|\\.)*)" (\d{3}|-) (\d+|-)(?: "((?:[^"\\]|\\.)*)" "((?:[^"\\]|\\.)*)"?)?$`)
	lines := parsertest.GzLines(b, parsertest.SharedData(b, "web/apache_combined_10k.log.gz"))
	var size int64
	for _, l := range lines {
		size += int64(len(l)) + 1
	}
	b.SetBytes(size)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, l := range lines {
			if re.FindSubmatchIndex(l) == nil {
				b.Fatalf("no match: %s", l)
			}
		}
	}
}
