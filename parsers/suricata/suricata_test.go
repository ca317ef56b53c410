package suricata

import (
	"bytes"
	"encoding/json"
	"net/netip"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"panther/parsers"
	"panther/parsers/event"
	"panther/parsers/parsertest"
)

// The fixture holds events of every type (written from the EVE format
// documentation), timestamps in the spellings EVE exports use, and bad
// records; the parser is the one of Suricata.Alert, and the type of each
// event comes from its event_type.
func TestGolden(t *testing.T) {
	reg := parsertest.Registry(t, LogTypes()...)
	res := parsertest.Golden(t, reg, Alert, "testdata/eve.json", "testdata/eve.golden.jsonl")

	wantErrors := []string{"line 24: cannot parse JSON", "line 25: expected a JSON object"}
	if len(res.Errors) != len(wantErrors) {
		t.Fatalf("errors: %v", res.Errors)
	}
	for i, w := range wantErrors {
		if !strings.HasPrefix(res.Errors[i], w) {
			t.Errorf("error %d = %s, want %s...", i+1, res.Errors[i], w)
		}
	}
	type want struct {
		logType, eventTime string
		ind                map[string][]string
	}
	wants := []want{
		{"Suricata.Alert", "2024-04-01T10:00:00.123456Z", map[string][]string{
			"p_any_ip_addresses": {"192.168.1.30", "198.51.100.9"},
			"p_any_trace_ids":    {"1959620435402694", "1:LQU9qZlK+B5F3KDmev6m5PMibrg="},
		}},
		{"Suricata.Alert", "2024-04-01T10:00:01.5Z", map[string][]string{
			"p_any_domain_names": {"ui.example.com", "www.example.net"},
		}},
		{"Suricata.Alert", "2024-04-01T10:00:02.787662Z", map[string][]string{
			"p_any_emails":       {"alice@example.com", "bob.sender@example.org", "carol@example.com", "dave@example.com"},
			"p_any_domain_names": {"mail.example.org"},
		}},
		{"Suricata.Alert", "2024-04-01T10:00:03.000001Z", map[string][]string{
			"p_any_ip_addresses": {"2001:db8::30", "2001:db8::9"},
			"p_any_domain_names": {"files.dropbox.example"},
		}},
		{"Suricata.Anomaly", "2024-04-01T10:00:04Z", nil},
		{"Suricata.Anomaly", "2024-04-01T10:00:04.5Z", nil},
		{"Suricata.DHCP", "2024-04-01T10:00:05Z", map[string][]string{
			"p_any_ip_addresses": {"0.0.0.0", "192.0.2.53", "192.168.1.1", "192.168.1.23"},
			"p_any_domain_names": {"laptop-7.corp.example.com"},
		}},
		{"Suricata.DNS", "2024-04-01T10:00:06.250117Z", map[string][]string{"p_any_domain_names": {"www.example.com"}}},
		{"Suricata.DNS", "2024-04-01T10:00:06.251Z", map[string][]string{
			"p_any_ip_addresses": {"192.168.1.1", "192.168.1.10", "93.184.216.34"},
			"p_any_domain_names": {"cdn.example.net", "www.example.com"},
		}},
		{"Suricata.DNS", "2024-04-01T10:00:06.3Z", map[string][]string{"p_any_domain_names": {"nonexistent.example.org"}}},
		{"Suricata.Fileinfo", "2024-04-01T10:00:07.7Z", map[string][]string{
			"p_any_md5_hashes":    {"0cc175b9c0f1b6a831c399e269772661"},
			"p_any_sha1_hashes":   {"86f7e437faa5a7fce15d1ddcb9eaeaea377667b8"},
			"p_any_sha256_hashes": {"ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb"},
			"p_any_domain_names":  {"www.example.com"},
		}},
		{"Suricata.Flow", "2024-04-01T10:01:00Z", nil},
		{"Suricata.Flow", "2024-04-01T10:01:00Z", nil},
		{"Suricata.HTTP", "2024-04-01T10:00:08.1Z", map[string][]string{"p_any_domain_names": {"www.example.com"}}},
		{"Suricata.Netflow", "2024-04-01T10:01:00Z", nil},
		{"Suricata.SMTP", "2024-04-01T10:00:19.789543Z", map[string][]string{
			"p_any_emails": {"alice@example.com", "bob@example.org", "carol@example.com"},
		}},
		{"Suricata.SSH", "2024-04-01T10:00:21.739898Z", nil},
		{"Suricata.Stats", "2024-04-01T10:00:30Z", nil},
		{"Suricata.TLS", "2024-04-01T10:00:22.615923Z", map[string][]string{"p_any_domain_names": {"www.example.com"}}},
		{"Suricata.Event", "2024-04-01T10:00:40Z", nil},
		{"Suricata.Event", "2024-04-01T10:00:41Z", nil},
		// 31 April: not a time, so p_event_time is the parse time.
		{"Suricata.HTTP", "2030-01-01T00:00:00Z", nil},
		// No event_type: the type the parser was asked for.
		{"Suricata.Alert", "2030-01-01T00:00:00Z", map[string][]string{"p_any_ip_addresses": {"192.168.1.98", "192.168.1.99"}}},
		// Another log's event_type (a Box event): not EVE, so the type
		// the parser was asked for, and no Detect would accept it.
		{"Suricata.Alert", "2030-01-01T00:00:00Z", nil},
	}
	if len(res.Events) != len(wants) {
		t.Fatalf("%d events, want %d", len(res.Events), len(wants))
	}
	for i, w := range wants {
		var m map[string]any
		if err := json.Unmarshal(res.Events[i], &m); err != nil {
			t.Fatal(err)
		}
		if m["p_log_type"] != w.logType || m["p_event_time"] != w.eventTime {
			t.Errorf("event %d: %v at %v, want %s at %s", i+1, m["p_log_type"], m["p_event_time"], w.logType, w.eventTime)
		}
		for k, list := range w.ind {
			if got := strings.Join(strList(m[k]), " "); got != strings.Join(list, " ") {
				t.Errorf("event %d: %s = %s, want %s", i+1, k, got, strings.Join(list, " "))
			}
		}
	}
}

func strList(v any) []string {
	l, _ := v.([]any)
	out := make([]string, len(l))
	for i, x := range l {
		out[i], _ = x.(string)
	}
	return out
}

// The hand-written timestamp reader agrees with time.Parse.
func TestParseTimestamp(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in, layout string
	}{
		{"2015-10-22T06:31:07.412424+0000", "2006-01-02T15:04:05.999999999-0700"},
		{"2015-10-22T06:31:07.412424-0600", "2006-01-02T15:04:05.999999999-0700"},
		{"2015-10-22T06:31:07+0530", "2006-01-02T15:04:05-0700"},
		{"2015-10-22T06:31:07.412424+05:30", time.RFC3339Nano},
		{"2015-10-22T06:31:07.4Z", time.RFC3339Nano},
		{"2019-01-02T03:50:11.315110", "2006-01-02T15:04:05.999999999"},
		{"2019-01-02 03:50:11.315110", "2006-01-02 15:04:05.999999999"},
		{"2024-02-29T23:59:59.999999999+0000", "2006-01-02T15:04:05.999999999-0700"},
	}
	for _, c := range cases {
		want, err := time.Parse(c.layout, c.in)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := parseTimestamp([]byte(c.in))
		if !ok || !got.Equal(want) {
			t.Errorf("parseTimestamp(%q) = %v %v, want %v", c.in, got, ok, want.UTC())
		}
	}
	for _, bad := range []string{"", "yesterday", "2023-02-29T00:00:00Z", "2024-13-01T00:00:00Z", "2024-01-01T25:00:00Z", "2024-01-01T00:00:00+9900", "2024-01-01T00:00:00 +0000x"} {
		if got, ok := parseTimestamp([]byte(bad)); ok {
			t.Errorf("parseTimestamp(%q) = %v, want a refusal", bad, got)
		}
	}
}

// Every alert of the real samples parses as Suricata.Alert, with
// p_event_time equal to its timestamp and its addresses, host names, SNI
// and mail addresses among its indicators.
func TestRealAlerts(t *testing.T) {
	dir := parsertest.SharedData(t, "suricata")
	files, err := filepath.Glob(filepath.Join(dir, "*.eve.json.gz"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no EVE files in %s (%v)", dir, err)
	}
	reg := parsertest.Registry(t, LogTypes()...)
	n, found := 0, 0
	for _, file := range files {
		for i, rec := range parsertest.GzLines(t, file) {
			where := filepath.Base(file) + ":" + strconv.Itoa(i+1)
			var raw struct {
				Timestamp string
				SrcIP     string `json:"src_ip"`
				DestIP    string `json:"dest_ip"`
				HTTP      struct{ Hostname string }
				TLS       struct{ SNI string }
				SMTP      struct {
					MailFrom string   `json:"mail_from"`
					RcptTo   []string `json:"rcpt_to"`
				}
			}
			if err := json.Unmarshal(rec, &raw); err != nil {
				t.Fatalf("%s: test data: %v", where, err)
			}
			e := event.New()
			ok, err := Alert.NewParser().Parse(rec, e)
			if err == nil && ok {
				err = reg.Normalise(Alert, e, parsers.Source{File: file}, int64(i+1), time.Now())
			}
			if err != nil || !ok || e.LogType != "Suricata.Alert" {
				t.Fatalf("%s: ok=%v err=%v type=%s", where, ok, err, e.LogType)
			}
			layout := "2006-01-02T15:04:05.999999-0700"
			if len(raw.Timestamp) == len("2006-01-02T15:04:05.999999") {
				layout = "2006-01-02T15:04:05.999999" // the honeypot export has no zone: UTC
			}
			want, err := time.Parse(layout, raw.Timestamp)
			if err != nil {
				t.Fatalf("%s: test data: %v", where, err)
			}
			if !e.Time.Equal(want) {
				t.Errorf("%s: p_event_time %v, timestamp %s", where, e.Time, raw.Timestamp)
			}
			for _, ip := range []string{raw.SrcIP, raw.DestIP} {
				if !slices.Contains(e.Indicators[event.IP], netip.MustParseAddr(ip).String()) {
					t.Errorf("%s: %s not in p_any_ip_addresses %v", where, ip, e.Indicators[event.IP])
				}
			}
			// Attack traffic puts junk in these fields ("-c", "/x.htm",
			// "administrator"): only well-formed names must be found.
			for _, h := range []string{raw.HTTP.Hostname, raw.TLS.SNI} {
				_, ipErr := netip.ParseAddr(h)
				switch {
				case ipErr == nil:
					if !slices.Contains(e.Indicators[event.IP], h) {
						t.Errorf("%s: %s not in p_any_ip_addresses", where, h)
					}
				case domainRE.MatchString(h):
					if !slices.Contains(e.Indicators[event.Domain], strings.ToLower(h)) {
						t.Errorf("%s: %s not in p_any_domain_names %v", where, h, e.Indicators[event.Domain])
					}
					found++
				}
			}
			for _, a := range append([]string{raw.SMTP.MailFrom}, raw.SMTP.RcptTo...) {
				a = strings.ToLower(strings.Trim(a, "<>"))
				if emailRE.MatchString(a) {
					if !slices.Contains(e.Indicators[event.Email], a) {
						t.Errorf("%s: %s not in p_any_emails %v", where, a, e.Indicators[event.Email])
					}
					found++
				}
			}
			e.Release()
			n++
		}
	}
	if n != 387 {
		t.Errorf("%d alerts, want the 387 of the sample", n)
	}
	if found < 100 {
		t.Errorf("only %d host names and addresses checked: the test data is not what it was", found)
	}
}

var (
	domainRE = regexp.MustCompile(`^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*\.[A-Za-z][A-Za-z0-9-]*$`)
	emailRE  = regexp.MustCompile(`^[a-z0-9._%+-]+@[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]+$`)
)

// The body is parsertest.Fuzz's, but an accepted record must give valid
// JSON only when it was valid JSON: fastjson accepts numbers such as 00 or
// nan and the event writes them back as they were (a core issue, reported).
func FuzzSuricata(f *testing.F) {
	reg := parsertest.Registry(f, LogTypes()...)
	for _, s := range parsertest.SeedLines(f, "testdata/eve.json") {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, rec []byte) {
		e := event.New()
		defer e.Release()
		ok, err := Alert.NewParser().Parse(rec, e)
		if err != nil || !ok {
			return
		}
		if err := reg.Normalise(Alert, e, parsers.Source{File: "fuzz"}, 1, parsertest.ParseTime); err != nil {
			t.Fatalf("normalise: %v", err)
		}
		if out := e.AppendJSON(nil); json.Valid(rec) && !json.Valid(out) {
			t.Fatalf("invalid JSON for %q: %s", rec, out)
		}
	})
}

// Parse + normalise throughput, one goroutine:
//
//	go test -run '^$' -bench . -benchmem ./parsers/suricata/
func BenchmarkAlert(b *testing.B) { benchType(b, "alert") }
func BenchmarkFlow(b *testing.B)  { benchType(b, "flow") }
func BenchmarkDNS(b *testing.B)   { benchType(b, "dns") }

// The alerts of the real samples.
func BenchmarkRealAlerts(b *testing.B) {
	dir := parsertest.SharedData(b, "suricata")
	files, _ := filepath.Glob(filepath.Join(dir, "*.eve.json.gz"))
	var recs [][]byte
	for _, f := range files {
		recs = append(recs, parsertest.GzLines(b, f)...)
	}
	parsertest.Bench(b, parsertest.Registry(b, LogTypes()...), Alert, recs)
}

// benchType repeats the fixture records of one event_type.
func benchType(b *testing.B, eventType string) {
	var recs, out [][]byte
	for _, l := range parsertest.SeedLines(b, "testdata/eve.json") {
		if bytes.Contains(l, []byte(`"event_type":"`+eventType+`"`)) && json.Valid(l) {
			recs = append(recs, l)
		}
	}
	if len(recs) == 0 {
		b.Fatalf("no %s records in the fixture", eventType)
	}
	for i := 0; len(out) < 3000; i++ {
		out = append(out, recs[i%len(recs)])
	}
	parsertest.Bench(b, parsertest.Registry(b, LogTypes()...), Alert, out)
}
