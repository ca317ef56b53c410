package syslog

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"panther/parsers"
	"panther/parsers/classifier"
	"panther/parsers/event"
	"panther/parsers/parsertest"
)

// fixed returns the family declared with the harness's parse time as the
// clock, so RFC 3164 years do not depend on when the test runs.
func fixed(t testing.TB) (*parsers.Registry, *parsers.LogType, *parsers.LogType) {
	t5424, t3164 := logTypes(func() time.Time { return parsertest.ParseTime })
	return parsertest.Registry(t, t5424, t3164), t5424, t3164
}

func TestGolden(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name           string
		events, errors int
	}{
		{"rfc5424", 8, 6},
		{"rfc3164", 31, 6},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			reg, t5424, t3164 := fixed(t)
			lt := t3164
			if tc.name == "rfc5424" {
				lt = t5424
			}
			res := parsertest.Golden(t, reg, lt, "testdata/"+tc.name+"/basic.log", "testdata/"+tc.name+"/basic.golden.jsonl")
			if len(res.Events) != tc.events || len(res.Errors) != tc.errors {
				t.Fatalf("want %d events and %d errors, got %d and %d: %v", tc.events, tc.errors, len(res.Events), len(res.Errors), res.Errors)
			}
		})
	}
}

// parseOne parses one line with the fixed clock and returns the event as a
// Go map, or the error.
func parseOne(t *testing.T, line string) (map[string]any, *event.Event, error) {
	t.Helper()
	reg, _, t3164 := fixed(t)
	e := event.New()
	t.Cleanup(e.Release)
	ok, err := t3164.NewParser().Parse([]byte(line), e)
	if err != nil {
		return nil, e, err
	}
	if !ok {
		t.Fatalf("%q: no event and no error", line)
	}
	if err := reg.Normalise(t3164, e, parsers.Source{File: "t"}, 1, parsertest.ParseTime); err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(e.AppendJSON(nil), &m); err != nil {
		t.Fatalf("%q: invalid JSON out: %v", line, err)
	}
	return m, e, nil
}

func TestPRI(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		line                 string
		pri, facility, sever float64
		err                  string
	}{
		{line: "<0>Mar  5 14:02:01 h a: m", pri: 0, facility: 0, sever: 0},
		{line: "<191>Mar  5 14:02:01 h a: m", pri: 191, facility: 23, sever: 7},
		{line: "<38>1 - - - - - -", pri: 38, facility: 4, sever: 6},
		{line: "<013>Mar  5 14:02:01 h a: m", pri: 13, facility: 1, sever: 5},
		{line: "<192>Mar  5 14:02:01 h a: m", err: `syslog: PRI out of range: N must be from 0 to 191 (facility*8 + severity), got "<192>"`},
		{line: "<999>1 - - - - - -", err: `PRI out of range`},
		{line: "<abc>Mar  5 14:02:01 h a: m", err: `syslog: bad PRI: want <N> with N from 0 to 191, got "<abc>"`},
		{line: "<>Mar  5 14:02:01 h a: m", err: `bad PRI`},
		{line: "<-1>Mar  5 14:02:01 h a: m", err: `bad PRI`},
		{line: "<1234>Mar  5 14:02:01 h a: m", err: `bad PRI: want <N> with N from 0 to 191 at the start of the line`},
		{line: "<13", err: `bad PRI`},
	} {
		m, _, err := parseOne(t, tc.line)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%q: error %v, want one with %q", tc.line, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tc.line, err)
			continue
		}
		if m["priority"] != tc.pri || m["facility"] != tc.facility || m["severity"] != tc.sever {
			t.Errorf("%q: priority/facility/severity = %v/%v/%v, want %v/%v/%v", tc.line,
				m["priority"], m["facility"], m["severity"], tc.pri, tc.facility, tc.sever)
		}
	}
}

// A bad line is an error for that line only: the same parser reads the
// next one.
func TestBadLineThenGoodLine(t *testing.T) {
	t.Parallel()
	_, _, t3164 := fixed(t)
	p := t3164.NewParser()
	for _, line := range []string{"<999>Mar  5 14:02:01 h a: m", "<abc>x", "\xff\xfe\x00", "Mar  5 14:0", "<13>1 2024-03-05T14:02:01Z h"} {
		e := event.New()
		if ok, err := p.Parse([]byte(line), e); ok || err == nil {
			t.Errorf("%q: ok=%v err=%v, want an error", line, ok, err)
		}
		if e.LogType != "" || !e.Time.IsZero() {
			t.Errorf("%q: a rejected line left log type %q time %v", line, e.LogType, e.Time)
		}
		e.Release()
		e = event.New()
		ok, err := p.Parse([]byte("Mar  5 14:02:01 host sshd[1]: Accepted password for a from 192.0.2.1 port 22 ssh2"), e)
		if !ok || err != nil || e.LogType != name3164 {
			t.Errorf("after %q: ok=%v err=%v type %q", line, ok, err, e.LogType)
		}
		e.Release()
	}
}

func TestYear(t *testing.T) {
	t.Parallel()
	utc := func(y int, m time.Month, d, h int) time.Time { return time.Date(y, m, d, h, 0, 0, 0, time.UTC) }
	for _, tc := range []struct {
		ref  time.Time
		st   stamp
		want time.Time
	}{
		// December logs read in January belong to the year before.
		{utc(2025, time.January, 2, 9), stamp{month: time.December, day: 31, hour: 23}, utc(2024, time.December, 31, 23)},
		// Within a month ahead (a fast clock): this year.
		{utc(2025, time.January, 2, 9), stamp{month: time.January, day: 20, hour: 1}, utc(2025, time.January, 20, 1)},
		// More than a month ahead: last year.
		{utc(2025, time.January, 2, 9), stamp{month: time.March, day: 1}, utc(2024, time.March, 1, 0)},
		// Read at the end of December, early January is next year.
		{utc(2024, time.December, 31, 22), stamp{month: time.January, day: 1, hour: 0}, utc(2025, time.January, 1, 0)},
		{utc(2024, time.December, 31, 22), stamp{month: time.December, day: 30, hour: 5}, utc(2024, time.December, 30, 5)},
		{utc(2024, time.June, 15, 0), stamp{month: time.June, day: 14}, utc(2024, time.June, 14, 0)},
		{utc(2024, time.June, 15, 0), stamp{month: time.July, day: 16}, utc(2024, time.July, 16, 0)}, // 31 days ahead
		{utc(2024, time.June, 15, 0), stamp{month: time.July, day: 16, hour: 1}, utc(2023, time.July, 16, 1)},
		// Feb 29: the latest leap year that fits.
		{utc(2026, time.March, 10, 0), stamp{month: time.February, day: 29}, utc(2024, time.February, 29, 0)},
		{utc(2028, time.March, 10, 0), stamp{month: time.February, day: 29}, utc(2028, time.February, 29, 0)},
	} {
		got, ok := tc.st.in(tc.ref)
		if !ok || !got.Equal(tc.want) {
			t.Errorf("%v %d %02d:00 read at %v: got %v (ok %v), want %v", tc.st.month, tc.st.day, tc.st.hour, tc.ref, got, ok, tc.want)
		}
	}
	if got, ok := (stamp{month: time.February, day: 30}).in(utc(2024, time.June, 1, 0)); ok {
		t.Errorf("Feb 30 gave %v", got)
	}
}

// With a year set (replay --year), a source's year-less timestamps start
// in that year, whatever the parse time, and move on at New Year; ISO
// timestamps keep their own year.
func TestSetYear(t *testing.T) {
	t.Parallel()
	_, _, t3164 := fixed(t)
	p := t3164.NewParser()
	p.(parsers.YearSetter).SetYear(2019)
	for _, tc := range []struct{ line, want string }{
		{"Nov 30 10:00:00 h a: m", "2019-11-30T10:00:00Z"},
		{"Dec 31 23:59:58 h a: m", "2019-12-31T23:59:58Z"},
		{"Jan  1 00:00:01 h a: m", "2020-01-01T00:00:01Z"},
		{"Dec 31 23:59:59 h a: late line of the year before", "2019-12-31T23:59:59Z"},
		{"Feb 29 12:00:00 h a: 2020 is a leap year", "2020-02-29T12:00:00Z"},
		{"2024-03-05T14:02:01Z h a: m", "2024-03-05T14:02:01Z"},
		{"Jul  4 12:00:00 h a: m", "2020-07-04T12:00:00Z"},
		{"Jan  2 00:00:00 h a: next New Year", "2021-01-02T00:00:00Z"},
		{"Feb 29 12:00:00 h a: 2021 is not", ""},
	} {
		e := event.New()
		e.ParseTime = parsertest.ParseTime
		ok, err := p.Parse([]byte(tc.line), e)
		got := ""
		if ok && err == nil {
			got = e.Time.Format(time.RFC3339)
		}
		if got != tc.want {
			t.Errorf("%q: got %q (%v), want %q", tc.line, got, err, tc.want)
		}
		e.Release()
	}
}

// The caller's parse time, when set before Parse, is the reference year.
func TestYearFromParseTime(t *testing.T) {
	t.Parallel()
	_, _, t3164 := fixed(t)
	e := event.New()
	defer e.Release()
	e.ParseTime = time.Date(2021, time.January, 3, 0, 0, 0, 0, time.UTC)
	if ok, err := t3164.NewParser().Parse([]byte("Dec 31 23:00:00 h a: m"), e); !ok || err != nil {
		t.Fatal(ok, err)
	}
	if want := time.Date(2020, time.December, 31, 23, 0, 0, 0, time.UTC); !e.Time.Equal(want) {
		t.Errorf("time %v, want %v", e.Time, want)
	}
}

func TestHeader3164(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		line                                     string
		time, hostname, appname, procid, message string
	}{
		{"Mar  5 14:02:01 host sshd[123]: hello", "2029-03-05T14:02:01Z", "host", "sshd", "123", "hello"},
		{"Mar 5 14:02:01 host sshd[123]: hello", "2029-03-05T14:02:01Z", "host", "sshd", "123", "hello"},
		{"mar 15 14:02:01.5 host app: x", "2029-03-15T14:02:01.5Z", "host", "app", "", "x"},
		{"Mar  5 14:02:01 host app[77] no colon", "2029-03-05T14:02:01Z", "host", "app", "77", "no colon"},
		{"Mar  5 14:02:01 host app:", "2029-03-05T14:02:01Z", "host", "app", "", ""},
		{"Mar  5 14:02:01 host", "2029-03-05T14:02:01Z", "host", "", "", ""},
		{"Mar  5 14:02:01", "2029-03-05T14:02:01Z", "", "", "", ""},
		{"Mar  5 14:02:01 host word", "2029-03-05T14:02:01Z", "host", "", "", "word"},
		{"Mar  5 14:02:01 host  two  spaces", "2029-03-05T14:02:01Z", "host", "", "", " two  spaces"},
		{"Mar  5 14:02:01 app[9]: no host", "2029-03-05T14:02:01Z", "", "app", "9", "no host"},
		{"2024-03-05T14:02:01Z host app: iso", "2024-03-05T14:02:01Z", "host", "app", "", "iso"},
		{"2024-03-05T14:02:01.5+0100 host app: iso", "2024-03-05T14:02:01.5+0100", "host", "app", "", "iso"},
		{"<13>garbage after pri", "", "", "", "", "garbage after pri"},
		{"<13>", "", "", "", "", ""},
		// Words before a colon are a message, not a program.
		{"Mar  5 14:02:01 host Out of memory: Kill process 4242 (java)", "2029-03-05T14:02:01Z", "host", "", "", "Out of memory: Kill process 4242 (java)"},
		{"Mar  5 14:02:01 host Some words [12]: x", "2029-03-05T14:02:01Z", "host", "", "", "Some words [12]: x"},
		{"Mar  5 14:02:01 host Microsoft Word[14463] no colon", "2029-03-05T14:02:01Z", "host", "", "", "Microsoft Word[14463] no colon"},
		{"Mar  5 14:02:01 host CRON[1234]: (root) CMD (run-parts /etc/cron.hourly)", "2029-03-05T14:02:01Z", "host", "CRON", "1234", "(root) CMD (run-parts /etc/cron.hourly)"},
	} {
		m, _, err := parseOne(t, tc.line)
		if err != nil {
			t.Errorf("%q: %v", tc.line, err)
			continue
		}
		if _, ok := m["subsystem"]; ok {
			t.Errorf("%q: subsystem %v, want none", tc.line, m["subsystem"])
		}
		for k, want := range map[string]string{"timestamp": tc.time, "hostname": tc.hostname, "appname": tc.appname, "procid": tc.procid, "message": tc.message} {
			got, _ := m[k].(string)
			if got != want {
				t.Errorf("%q: %s = %q, want %q", tc.line, k, got, want)
			}
			if _, present := m[k]; want == "" && present {
				t.Errorf("%q: %s present (%v), want it left out", tc.line, k, m[k])
			}
		}
	}
}

// TAGs as Linux and macOS write them: program names with spaces, a PAM
// module, a launchd job or a version beside the program.
func TestTags(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ line, appname, procid, subsystem, message string }{
		{"Mar  3 10:22:33 MacBook-Pro Microsoft Word[14463]: Document opened", "Microsoft Word", "14463", "", "Document opened"},
		{"Mar  3 10:22:33 MacBook-Pro Google Chrome Helper (Renderer)[2290]: sandbox ok", "Google Chrome Helper (Renderer)", "2290", "", "sandbox ok"},
		{"Jun 14 15:16:01 combo syslogd 1.4.1: restart.", "syslogd", "", "1.4.1", "restart."},
		{"Jun 14 15:16:01 combo syslogd 1.5.0#6: restart.", "syslogd", "", "1.5.0#6", "restart."},
		{"Jun 14 15:16:01 combo sshd(pam_unix)[2291]: check pass; user unknown", "sshd", "2291", "pam_unix", "check pass; user unknown"},
		{"Jun 14 15:16:01 combo su(pam_unix)[3001]: session opened for user news by (uid=0)", "su", "3001", "pam_unix", "session opened for user news by (uid=0)"},
		{"Mar  3 10:22:33 MacBook-Pro launchd[1] (com.apple.xpc.launchd.domain.pid.mdmclient.1234): Service exited with abnormal code: 1",
			"launchd", "1", "com.apple.xpc.launchd.domain.pid.mdmclient.1234", "Service exited with abnormal code: 1"},
		{"Mar  3 10:22:33 MacBook-Pro com.apple.xpc.launchd[1] (com.apple.mdworker.shared.0B000000-0000-0000-0000-000000000000[82541]): Service exited due to SIGKILL | sent by mds[96]",
			"com.apple.xpc.launchd", "1", "com.apple.mdworker.shared.0B000000-0000-0000-0000-000000000000[82541]", "Service exited due to SIGKILL | sent by mds[96]"},
		{"Mar  3 10:22:33 MacBook-Pro kernel[0]: Sandbox: mdworker(82541) deny(1) file-read-data /Users", "kernel", "0", "", "Sandbox: mdworker(82541) deny(1) file-read-data /Users"},
		{"Mar  3 10:22:33 host postfix/smtpd[811]: connect from unknown[192.0.2.1]", "postfix/smtpd", "811", "", "connect from unknown[192.0.2.1]"},
	} {
		m, _, err := parseOne(t, tc.line)
		if err != nil {
			t.Errorf("%q: %v", tc.line, err)
			continue
		}
		for k, want := range map[string]string{"appname": tc.appname, "procid": tc.procid, "subsystem": tc.subsystem, "message": tc.message} {
			got, _ := m[k].(string)
			if got != want {
				t.Errorf("%q: %s = %q, want %q", tc.line, k, got, want)
			}
		}
	}
}

// RedHat-era hosts wrote sshd's PAM lines under sshd(pam_unix)[pid]: they
// get the sshd object that "pam_unix(sshd:auth): ..." lines get today.
func TestSSHDPAMTag(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ line, want string }{
		{"Jun 15 02:04:59 combo sshd(pam_unix)[20882]: authentication failure; logname= uid=0 euid=0 tty=NODEVssh ruser= rhost=220-135-151-1.hinet-ip.example.net  user=root",
			`{"event":"pam_auth_failure","user":"root","src_ip":"220-135-151-1.hinet-ip.example.net"}`},
		{"Jun 14 15:16:01 combo sshd(pam_unix)[19939]: authentication failure; logname= uid=0 euid=0 tty=NODEVssh ruser= rhost=218.188.2.4",
			`{"event":"pam_auth_failure","invalid_user":true,"src_ip":"218.188.2.4"}`},
		{"Jun 14 15:16:02 combo sshd(pam_unix)[19937]: check pass; user unknown",
			`{"event":"pam_unknown_user","invalid_user":true}`},
		{"Jun 15 04:06:20 combo sshd(pam_unix)[21326]: 5 more authentication failures; logname= uid=0 euid=0 tty=NODEVssh ruser= rhost=198.51.100.9  user=root",
			`{"event":"pam_auth_failure","user":"root","src_ip":"198.51.100.9","repeated":5}`},
		{"Jun 15 12:12:34 combo sshd(pam_unix)[23397]: session opened for user test by (uid=509)",
			`{"event":"session_opened","user":"test"}`},
		{"Jun 15 12:13:19 combo sshd(pam_unix)[23397]: session closed for user test",
			`{"event":"session_closed","user":"test"}`},
		{"Jun 15 12:13:19 combo sshd(pam_unix)[23397]: bad username []", ``},
	} {
		m, _, err := parseOne(t, tc.line)
		if err != nil {
			t.Fatalf("%q: %v", tc.line, err)
		}
		got := ""
		if v, ok := m["sshd"]; ok {
			b, _ := json.Marshal(v)
			got = string(b)
		}
		if !sameJSON(got, tc.want) {
			t.Errorf("%q:\n got %s\nwant %s", tc.line, got, tc.want)
		}
	}
}

func sameJSON(a, b string) bool {
	if a == "" || b == "" {
		return a == b
	}
	var x, y any
	if json.Unmarshal([]byte(a), &x) != nil || json.Unmarshal([]byte(b), &y) != nil {
		return false
	}
	xa, _ := json.Marshal(x)
	ya, _ := json.Marshal(y)
	return string(xa) == string(ya)
}

func TestNotSyslog(t *testing.T) {
	t.Parallel()
	for _, line := range []string{
		"hello world",
		"Mar  5 14:0",
		"Foo  5 14:02:01 host app: m",
		"Mar 32 14:02:01 host app: m",
		"<13>Feb 30 12:00:00 host app: m",
		"Mar  5 24:02:01 host app: m",
		"Mar  5 14:02:01x host app: m",
		"2024-13-05T14:02:01Z host app: m",
		"1 apples",
		`{"json": true}`,
		`127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 2326`,
		"\x00\x00\x00",
	} {
		if _, _, err := parseOne(t, line); err == nil {
			t.Errorf("%q parsed as syslog", line)
		}
	}
}

func TestRFC5424(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		line string
		want string // JSON of the source fields, or "error: ..." (a substring)
	}{
		{`<13>1 - - - - - -`, `{"priority":13,"facility":1,"severity":5,"version":1}`},
		{`1 - host - - - - m`, `{"version":1,"hostname":"host","message":"m"}`},
		{`<13>12 2024-03-05T14:02:01Z h a p m - x`, `{"priority":13,"facility":1,"severity":5,"version":12,"timestamp":"2024-03-05T14:02:01Z","hostname":"h","appname":"a","procid":"p","msgid":"m","message":"x"}`},
		{`<13>1 - - - - - [a x="1"][b y="2" y="3" y="4"][a z=""]`, `{"priority":13,"facility":1,"severity":5,"version":1,"structured_data":{"a":{"x":"1","z":""},"b":{"y":["2","3","4"]}}}`},
		{`<13>1 - - - - - [a@1 k="q\"b\\s\]e\n"] m`, `{"priority":13,"facility":1,"severity":5,"version":1,"structured_data":{"a@1":{"k":"q\"b\\s]e\\n"}},"message":"m"}`},
		{`<13>1 - - - - - [a] m`, `{"priority":13,"facility":1,"severity":5,"version":1,"structured_data":{"a":{}},"message":"m"}`},
		{`<13>1 - - - - - [a`, `error: structured data: want [SD-ID`},
		{`<13>1 - - - - - [a k="v"`, `error: structured data of a: want ']'`},
		{`<13>1 - - - - - [a k="v]`, `error: unterminated value of k`},
		{`<13>1 - - - - - [a k=v]`, `error: want param="value"`},
		{`<13>1 - - - - - []`, `error: structured data: want [SD-ID`},
		{`<13>1 - - - - - [a k="v"]m`, `error: want a space between STRUCTURED-DATA and MSG`},
		{`<13>1 - - - - - -m`, `error: want a space between STRUCTURED-DATA and MSG`},
		{`<13>1 - - - - - `, `error: RFC 5424 header ends before STRUCTURED-DATA`},
		{`<13>1 - - - - -`, `error: RFC 5424 header ends after MSGID`},
		{`<13>1 - - - - `, `error: RFC 5424 header ends before MSGID`},
		{`<13>1 -  - - - - m`, `error: RFC 5424 header: empty HOSTNAME`},
		{`<13>1 Mar 5 - - - - m`, `error: RFC 5424 TIMESTAMP is not RFC 3339: "Mar"`},
	} {
		m, e, err := parseOne(t, tc.line)
		if want, isErr := strings.CutPrefix(tc.want, "error: "); isErr {
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("%q: error %v, want one with %q", tc.line, err, want)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tc.line, err)
			continue
		}
		if m["p_log_type"] != name5424 {
			t.Errorf("%q: log type %v", tc.line, m["p_log_type"])
		}
		if got := string(event.AppendValue(nil, e.Fields)); got != tc.want {
			t.Errorf("%q:\n got %s\nwant %s", tc.line, got, tc.want)
		}
	}
}

// Structured data is bounded: a line of many params is an error, not
// hours of quadratic work (the last case would outlast go test's timeout).
func TestStructuredDataBound(t *testing.T) {
	t.Parallel()
	line := func(elems, params int) string {
		var b strings.Builder
		b.WriteString(`<13>1 - - - - - `)
		for i := range elems {
			b.WriteString(`[e` + strconv.Itoa(i))
			for j := range params {
				b.WriteString(` p` + strconv.Itoa(j) + `="v"`)
			}
			b.WriteString(`]`)
		}
		return b.String() + " m"
	}
	for _, tc := range []struct {
		elems, params int
		ok            bool
	}{
		{1, maxSD - 1, true},
		{1, maxSD, false},
		{maxSD, 0, true},
		{maxSD + 1, 0, false},
		{16, 15, true},
		{1, 200000, false},
	} {
		m, _, err := parseOne(t, line(tc.elems, tc.params))
		if (err == nil) != tc.ok {
			t.Errorf("%d elements of %d params: err %v", tc.elems, tc.params, err)
		}
		if tc.ok && m["structured_data"] == nil {
			t.Errorf("%d elements of %d params: no structured_data", tc.elems, tc.params)
		}
	}
}

func TestSSHD(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ msg, want string }{
		{"Accepted password for alice from 192.0.2.1 port 22 ssh2",
			`{"event":"accepted","user":"alice","src_ip":"192.0.2.1","src_port":22,"method":"password","protocol":"ssh2"}`},
		{"Accepted publickey for git from 2001:db8::1 port 50000 ssh2: RSA-CERT SHA256:abc ID x (serial 1) CA RSA SHA256:def",
			`{"event":"accepted","user":"git","src_ip":"2001:db8::1","src_port":50000,"method":"publickey","protocol":"ssh2","key_type":"RSA-CERT","key_fingerprint":"SHA256:abc"}`},
		{"Accepted keyboard-interactive/pam for bob from host.example.com port 1 ssh2",
			`{"event":"accepted","user":"bob","src_ip":"host.example.com","src_port":1,"method":"keyboard-interactive/pam","protocol":"ssh2"}`},
		{"Failed none for invalid user  from 192.0.2.1 port 22 ssh2",
			`{"event":"failed","invalid_user":true,"src_ip":"192.0.2.1","src_port":22,"method":"none","protocol":"ssh2"}`},
		{"Failed password for invalid user a from b from 192.0.2.1 port 22 ssh2",
			`{"event":"failed","user":"a from b","invalid_user":true,"src_ip":"192.0.2.1","src_port":22,"method":"password","protocol":"ssh2"}`},
		{"Invalid user admin from 192.0.2.1",
			`{"event":"invalid_user","user":"admin","invalid_user":true,"src_ip":"192.0.2.1"}`},
		{"Invalid user admin from 192.0.2.1 port 4000 [preauth]",
			`{"event":"invalid_user","user":"admin","invalid_user":true,"src_ip":"192.0.2.1","src_port":4000,"preauth":true}`},
		{"User root from 192.0.2.1 not allowed because not listed in AllowUsers",
			`{"event":"not_allowed","user":"root","src_ip":"192.0.2.1","reason":"not listed in AllowUsers"}`},
		{"error: maximum authentication attempts exceeded for invalid user x from 192.0.2.1 port 9 ssh2 [preauth]",
			`{"event":"max_auth_attempts","user":"x","invalid_user":true,"src_ip":"192.0.2.1","src_port":9,"protocol":"ssh2","preauth":true}`},
		{"Disconnecting authenticating user root 192.0.2.1 port 9: Too many authentication failures [preauth]",
			`{"event":"max_auth_attempts","user":"root","src_ip":"192.0.2.1","src_port":9,"reason":"Too many authentication failures","preauth":true}`},
		{"Disconnecting invalid user x 192.0.2.1 port 9: Too many authentication failures",
			`{"event":"max_auth_attempts","user":"x","invalid_user":true,"src_ip":"192.0.2.1","src_port":9,"reason":"Too many authentication failures"}`},
		{"Connection closed by 192.0.2.1 port 9 [preauth]",
			`{"event":"connection_closed","src_ip":"192.0.2.1","src_port":9,"preauth":true}`},
		{"Connection closed by invalid user guest 192.0.2.1 port 9 [preauth]",
			`{"event":"connection_closed","user":"guest","invalid_user":true,"src_ip":"192.0.2.1","src_port":9,"preauth":true}`},
		{"Disconnected from user alice 192.0.2.1 port 9",
			`{"event":"disconnected","user":"alice","src_ip":"192.0.2.1","src_port":9}`},
		{"Disconnected from 192.0.2.1 port 9",
			`{"event":"disconnected","src_ip":"192.0.2.1","src_port":9}`},
		{"Received disconnect from 192.0.2.1 port 9:11: disconnected by user",
			`{"event":"disconnected","src_ip":"192.0.2.1","src_port":9,"reason":"disconnected by user"}`},
		{"Did not receive identification string from 192.0.2.1 port 9",
			`{"event":"no_identification","src_ip":"192.0.2.1","src_port":9}`},
		{"Did not receive identification string from 192.0.2.1",
			`{"event":"no_identification","src_ip":"192.0.2.1"}`},
		{"Unable to negotiate with 192.0.2.1 port 9: no matching key exchange method found. Their offer: x port y [preauth]",
			`{"event":"negotiation_failed","src_ip":"192.0.2.1","src_port":9,"reason":"no matching key exchange method found. Their offer: x port y","preauth":true}`},
		{"Connection from 192.0.2.1 port 9 on 192.0.2.2 port 22 rdomain \"\"",
			`{"event":"connection","src_ip":"192.0.2.1","src_port":9}`},
		{"pam_unix(sshd:session): session opened for user alice(uid=1000) by (uid=0)",
			`{"event":"session_opened","user":"alice"}`},
		{"pam_unix(sshd:session): session opened for user alice by (uid=0)",
			`{"event":"session_opened","user":"alice"}`},
		{"pam_unix(sshd:session): session closed for user alice",
			`{"event":"session_closed","user":"alice"}`},
		{"pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=192.0.2.1  user=root",
			`{"event":"pam_auth_failure","user":"root","src_ip":"192.0.2.1"}`},
		// pam_unix leaves user= out when the account does not exist.
		{"pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=",
			`{"event":"pam_auth_failure","invalid_user":true}`},
		{"message repeated 5 times: [ Failed password for root from 192.0.2.1 port 22 ssh2]",
			`{"event":"failed","user":"root","src_ip":"192.0.2.1","src_port":22,"method":"password","protocol":"ssh2","repeated":5}`},
		{"message repeated 2 times: [ Invalid user admin from 192.0.2.1 port 9 [preauth]]",
			`{"event":"invalid_user","user":"admin","invalid_user":true,"src_ip":"192.0.2.1","src_port":9,"preauth":true,"repeated":2}`},
		// Across OpenSSH versions, with and without a port.
		{"Received disconnect from 192.0.2.1: 11: Bye Bye [preauth]",
			`{"event":"disconnected","src_ip":"192.0.2.1","reason":"Bye Bye","preauth":true}`},
		{"error: Received disconnect from 2001:db8::7: 14: No supported authentication methods available [preauth]",
			`{"event":"disconnected","src_ip":"2001:db8::7","reason":"No supported authentication methods available","preauth":true}`},
		{"Received disconnect from 192.0.2.1",
			`{"event":"disconnected","src_ip":"192.0.2.1"}`},
		{"Connection closed by 192.0.2.1 [preauth]",
			`{"event":"connection_closed","src_ip":"192.0.2.1","preauth":true}`},
		{"Connection reset by authenticating user root 192.0.2.1 port 9 [preauth]",
			`{"event":"connection_reset","user":"root","src_ip":"192.0.2.1","src_port":9,"preauth":true}`},
		{"Connection reset by 192.0.2.1 port 9 [preauth]",
			`{"event":"connection_reset","src_ip":"192.0.2.1","src_port":9,"preauth":true}`},
		{"Disconnecting: Too many authentication failures for root [preauth]",
			`{"event":"max_auth_attempts","user":"root","reason":"Too many authentication failures","preauth":true}`},
		{"Disconnecting: Too many authentication failures for invalid user admin",
			`{"event":"max_auth_attempts","user":"admin","invalid_user":true,"reason":"Too many authentication failures"}`},
		{"Disconnecting: Too many authentication failures [preauth]",
			`{"event":"max_auth_attempts","reason":"Too many authentication failures","preauth":true}`},
		{"PAM 5 more authentication failures; logname= uid=0 euid=0 tty=ssh ruser= rhost=192.0.2.1  user=root",
			`{"event":"pam_auth_failure","user":"root","src_ip":"192.0.2.1","repeated":5}`},
		{"PAM 1 more authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=192.0.2.1",
			`{"event":"pam_auth_failure","invalid_user":true,"src_ip":"192.0.2.1","repeated":1}`},
		{"pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=dsl-1-2.example.net  user=alice",
			`{"event":"pam_auth_failure","user":"alice","src_ip":"dsl-1-2.example.net"}`},
		{"pam_unix(ssh:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=192.0.2.1 user=bob",
			`{"event":"pam_auth_failure","user":"bob","src_ip":"192.0.2.1"}`},
		{"pam_sss(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=192.0.2.1 user=carol",
			`{"event":"pam_auth_failure","user":"carol","src_ip":"192.0.2.1"}`},
		{"pam_unix(sshd:auth): check pass; user unknown",
			`{"event":"pam_unknown_user","invalid_user":true}`},
		{"error: PAM: Authentication failure for root from 192.0.2.1",
			`{"event":"pam_auth_failure","user":"root","src_ip":"192.0.2.1"}`},
		{"error: PAM: Authentication failure for illegal user test from host-9.example.net",
			`{"event":"pam_auth_failure","user":"test","invalid_user":true,"src_ip":"host-9.example.net"}`},
		{"reverse mapping checking getaddrinfo for 1-2-3-4.dyn.example.net [198.51.100.4] failed - POSSIBLE BREAK-IN ATTEMPT!",
			`{"event":"reverse_mapping_failed","src_ip":"198.51.100.4","src_host":"1-2-3-4.dyn.example.net"}`},
		{"reverse mapping checking getaddrinfo for scan.example.org [198.51.100.5] failed.",
			`{"event":"reverse_mapping_failed","src_ip":"198.51.100.5","src_host":"scan.example.org"}`},
		{"Address 198.51.100.6 maps to mail.example.com, but this does not map back to the address - POSSIBLE BREAK-IN ATTEMPT!",
			`{"event":"reverse_mapping_failed","src_ip":"198.51.100.6","src_host":"mail.example.com"}`},
		{"Nasty PTR record \"10.0.0.1\" is set up for 198.51.100.7, ignoring",
			`{"event":"reverse_mapping_failed","src_ip":"198.51.100.7","src_host":"10.0.0.1"}`},
		{"input_userauth_request: invalid user oracle [preauth]",
			`{"event":"invalid_user_request","user":"oracle","invalid_user":true,"preauth":true}`},
		{"Illegal user guest from 192.0.2.1",
			`{"event":"invalid_user","user":"guest","invalid_user":true,"src_ip":"192.0.2.1"}`},
		{"Failed password for illegal user guest from ::ffff:192.0.2.1 port 4000 ssh2",
			`{"event":"failed","user":"guest","invalid_user":true,"src_ip":"::ffff:192.0.2.1","src_port":4000,"method":"password","protocol":"ssh2"}`},
		{"Timeout before authentication for 192.0.2.1 port 9",
			`{"event":"auth_timeout","src_ip":"192.0.2.1","src_port":9}`},
		{"Bad protocol version identification 'GET / HTTP/1.1' from 192.0.2.1 port 9",
			`{"event":"bad_identification","src_ip":"192.0.2.1","src_port":9,"reason":"GET / HTTP/1.1"}`},
		{"banner exchange: Connection from 192.0.2.1 port 9: invalid format",
			`{"event":"bad_identification","src_ip":"192.0.2.1","src_port":9,"reason":"invalid format"}`},
		{"fatal: Unable to negotiate with 192.0.2.1 port 9: no matching key exchange method found. Their offer: diffie-hellman-group1-sha1 [preauth]",
			`{"event":"negotiation_failed","src_ip":"192.0.2.1","src_port":9,"reason":"no matching key exchange method found. Their offer: diffie-hellman-group1-sha1","preauth":true}`},
		{"drop connection #3 from [192.0.2.1]:50022 on [198.51.100.2]:22 past MaxStartups",
			`{"event":"dropped","src_ip":"192.0.2.1","src_port":50022,"reason":"past MaxStartups"}`},
		{"drop connection #0 from [2001:db8::9]:50022 on [2001:db8::1]:22 penalty: failed authentication",
			`{"event":"dropped","src_ip":"2001:db8::9","src_port":50022,"reason":"penalty: failed authentication"}`},
		{"Postponed keyboard-interactive for alice from 192.0.2.1 port 9 ssh2 [preauth]",
			`{"event":"other","src_ip":"192.0.2.1","src_port":9,"preauth":true}`},
		{"Accepted password for alice from 192.0.2.1 port 22 ssh2",
			`{"event":"accepted","user":"alice","src_ip":"192.0.2.1","src_port":22,"method":"password","protocol":"ssh2"}`},
		// Not recognised: no sshd object.
		{"message repeated 5 times: [ Server listening on :: port 22.]", ``},
		// Not rsyslog's folding: any other line that names the client.
		{"message repeated x times: [ Failed password for root from 192.0.2.1 port 22 ssh2]",
			`{"event":"other","src_ip":"192.0.2.1","src_port":22}`},
		{"message repeated 5 times: [ Failed password for root from 192.0.2.1 port 22 ssh2",
			`{"event":"other","src_ip":"192.0.2.1","src_port":22}`},
		{"Server listening on 0.0.0.0 port 22.", ``},
		{"Accepted password for alice", ``},
		{"Accepted password for alice from 192.0.2.1 port x ssh2", `{"event":"other","src_ip":"192.0.2.1"}`},
		{"Accepted password for alice from 192.0.2.1 port 123456 ssh2", `{"event":"other","src_ip":"192.0.2.1"}`},
		{"Failed password", ``},
		{"Connection closed by someone odd 192.0.2.1 port 9", ``},
		{"Received disconnect from host.example.com", ``},
		{"Accepted password for alice from host.example.com port x ssh2", ``},
		{"PAM service(sshd) ignoring max retries; 6 > 3", ``},
		{"PAM x more authentication failures; rhost=192.0.2.1", ``},
		{"pam_unix(sshd:account): account expired", ``},
		{"Server listening on :: port 22.", ``},
		{"Disconnecting: bye", ``},
		{"User root", ``},
		{"maximum authentication attempts exceeded for root", ``},
		{"pam_unix(sshd:account): something", ``},
		{" [preauth]", ``},
		{"", ``},
	} {
		e := event.New()
		v := sshdFields(e.Arena(), tc.msg, "")
		got := ""
		if v != nil {
			got = string(event.AppendValue(nil, v))
		}
		if got != tc.want {
			t.Errorf("%q:\n got %s\nwant %s", tc.msg, got, tc.want)
		}
		e.Release()
	}
}

func TestSudo(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ msg, want string }{
		{"   alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/id",
			`{"user":"alice","result":"allowed","tty":"pts/0","pwd":"/home/alice","run_as":"root","command":"/usr/bin/id"}`},
		{"bob : 3 incorrect password attempts ; TTY=pts/1 ; PWD=/ ; USER=root ; COMMAND=/bin/sh -c 'a ; b'",
			`{"user":"bob","result":"denied","reason":"3 incorrect password attempts","tty":"pts/1","pwd":"/","run_as":"root","command":"/bin/sh -c 'a ; b'"}`},
		{"eve : user NOT in sudoers ; TTY=pts/2 ; PWD=/tmp ; USER=root ; GROUP=wheel ; TSID=000001 ; ENV=A=b ; COMMAND=/bin/ls",
			`{"user":"eve","result":"denied","reason":"user NOT in sudoers","tty":"pts/2","pwd":"/tmp","run_as":"root","run_as_group":"wheel","command":"/bin/ls"}`},
		{"svc : TTY=unknown ; PWD=/ ; USER=root ; COMMAND=list",
			`{"user":"svc","result":"allowed","tty":"unknown","pwd":"/","run_as":"root","command":"list"}`},
		{"pam_unix(sudo:session): session opened for user root(uid=0) by alice(uid=1000)", ``},
		{"alice : unable to resolve host bastion", ``},
		{"two words : TTY=x ; COMMAND=y", ``},
		{" : COMMAND=y", ``},
		{"", ``},
	} {
		e := event.New()
		v := sudoFields(e.Arena(), tc.msg)
		got := ""
		if v != nil {
			got = string(event.AppendValue(nil, v))
		}
		if got != tc.want {
			t.Errorf("%q:\n got %s\nwant %s", tc.msg, got, tc.want)
		}
		e.Release()
	}
}

// The extractions feed the declared indicators.
func TestIndicators(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		line           string
		ips, users, dn []string
	}{
		{"Mar  5 14:02:01 bastion.example.com sshd[1]: Failed password for invalid user oracle from 203.0.113.5 port 22 ssh2",
			[]string{"203.0.113.5"}, []string{"oracle"}, []string{"bastion.example.com"}},
		{"Mar  5 14:02:01 192.0.2.9 sudo:  alice : TTY=pts/0 ; PWD=/ ; USER=postgres ; COMMAND=/bin/psql",
			[]string{"192.0.2.9"}, []string{"alice", "postgres"}, nil},
		{`<13>1 2024-03-05T14:02:01Z h sshd - - [origin ip="192.0.2.10" ip="192.0.2.11"] Accepted password for bob from ::ffff:198.51.100.1 port 22 ssh2`,
			[]string{"192.0.2.10", "192.0.2.11", "198.51.100.1"}, []string{"bob"}, nil},
		// Every remote address, and a remote name into the domains.
		{"Mar  5 14:02:01 h sshd[9]: Received disconnect from 203.0.113.5: 11: Bye Bye [preauth]",
			[]string{"203.0.113.5"}, nil, nil},
		{"Mar  5 14:02:01 h sshd[9]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=dsl-7.isp.example.net  user=root",
			nil, []string{"root"}, []string{"dsl-7.isp.example.net"}},
		{"Mar  5 14:02:01 h sshd[9]: reverse mapping checking getaddrinfo for ptr.example.org [203.0.113.6] failed - POSSIBLE BREAK-IN ATTEMPT!",
			[]string{"203.0.113.6"}, nil, []string{"ptr.example.org"}},
		{"Mar  5 14:02:01 h sshd(pam_unix)[9]: authentication failure; logname= uid=0 euid=0 tty=NODEVssh ruser= rhost=203.0.113.7",
			[]string{"203.0.113.7"}, nil, nil},
		{"Mar  5 14:02:01 h sshd[9]: Postponed publickey for alice from 203.0.113.8 port 22 ssh2 [preauth]",
			[]string{"203.0.113.8"}, nil, nil},
	} {
		_, e, err := parseOne(t, tc.line)
		if err != nil {
			t.Fatalf("%q: %v", tc.line, err)
		}
		check := func(k event.Kind, want []string) {
			if strings.Join(e.Indicators[k], ",") != strings.Join(want, ",") {
				t.Errorf("%q: %s = %v, want %v", tc.line, k.Field(), e.Indicators[k], want)
			}
		}
		check(event.IP, tc.ips)
		check(event.Username, tc.users)
		check(event.Domain, tc.dn)
	}
}

func FuzzSyslog(f *testing.F) {
	reg, _, t3164 := fixed(f)
	seeds := parsertest.SeedLines(f, "testdata/rfc5424/basic.log", "testdata/rfc3164/basic.log")
	for _, s := range []string{"<13>1 - - - - - [a k=\"\\", "<1>", "<", "Mar  5 14:02:01 h sshd[1]: Disconnected from user  port 1", "Feb 29 00:00:00"} {
		seeds = append(seeds, []byte(s))
	}
	parsertest.Fuzz(f, reg, t3164, seeds...)
}

func benchLines(b *testing.B, name string, keep func(string) bool) [][]byte {
	var out [][]byte
	for _, l := range parsertest.SeedLines(b, "testdata/"+name+"/basic.log") {
		if keep(string(l)) {
			out = append(out, l)
		}
	}
	return out
}

// valid drops the fixture lines that are errors on purpose.
func valid(b *testing.B, name string) [][]byte {
	reg, _, t3164 := fixed(b)
	_ = reg
	return benchLines(b, name, func(s string) bool {
		e := event.New()
		defer e.Release()
		ok, err := t3164.NewParser().Parse([]byte(s), e)
		return ok && err == nil
	})
}

func BenchmarkRFC5424(b *testing.B) {
	reg, t5424, _ := fixed(b)
	bench(b, reg, t5424, valid(b, "rfc5424"))
}

func BenchmarkRFC3164(b *testing.B) {
	reg, _, t3164 := fixed(b)
	bench(b, reg, t3164, valid(b, "rfc3164"))
}

// bench measures parse + normalise (the number that counts) and parse
// alone (this package's share of it).
func bench(b *testing.B, reg *parsers.Registry, lt *parsers.LogType, lines [][]byte) {
	b.Run("parse+normalise", func(b *testing.B) { parsertest.Bench(b, reg, lt, lines) })
	b.Run("parse-only", func(b *testing.B) {
		var size int64
		for _, l := range lines {
			size += int64(len(l)) + 1
		}
		b.SetBytes(size)
		b.ReportAllocs()
		p := lt.NewParser()
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

// The hand-written timestamp formatter writes what time.RFC3339Nano does.
func TestStampFormat(t *testing.T) {
	t.Parallel()
	for _, st := range []stamp{
		{month: time.January, day: 1},
		{month: time.December, day: 31, hour: 23, min: 59, sec: 59, nsec: 999999999},
		{month: time.March, day: 5, hour: 14, min: 2, sec: 1, nsec: 250000000},
		{month: time.March, day: 5, hour: 14, min: 2, sec: 1, nsec: 1},
		{month: time.March, day: 5, hour: 14, min: 2, sec: 1, nsec: 120300},
		{month: time.June, day: 30, hour: 23, min: 59, sec: 60}, // leap second
	} {
		for _, y := range []int{1, 999, 2024, 9999} {
			want := time.Date(y, st.month, st.day, st.hour, st.min, st.sec, st.nsec, time.UTC).Format(time.RFC3339Nano)
			if got := string(st.appendRFC3339(nil, y)); got != want {
				t.Errorf("%+v in %d: got %s, want %s", st, y, got, want)
			}
		}
	}
}

// The classifier gives the year to the syslog parser of every source it
// forks, classified or named.
func TestClassifierSetYear(t *testing.T) {
	t.Parallel()
	reg, _, t3164 := fixed(t)
	for _, c := range []*classifier.Classifier{classifier.New(reg), classifier.NewFixed(reg, t3164)} {
		c.SetYear(2017)
		for i, cls := range []*classifier.Classifier{c, c.Fork()} {
			e, _, err := cls.Classify([]byte("Jun 14 15:16:01 combo sshd(pam_unix)[19939]: check pass; user unknown"))
			if err != nil {
				t.Fatal(err)
			}
			if got := e.Time.Year(); got != 2017 {
				t.Errorf("classifier %d: year %d, want 2017", i, got)
			}
			e.Release()
		}
	}
}
