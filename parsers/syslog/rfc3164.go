package syslog

import (
	"strings"
	"time"

	"github.com/valyala/fastjson"

	"panther/parsers"
	"panther/parsers/event"
)

// parse3164 reads "TIMESTAMP SP HOSTNAME SP TAG: MSG" (RFC 3164 §4.1.2,
// §4.1.3), where TIMESTAMP is "Mmm dd hh:mm:ss" or an RFC 3339 time, and
// HOSTNAME and TAG may be missing.
func (p *parser) parse3164(s string, hasPRI bool, e *event.Event, obj *fastjson.Value) error {
	a := e.Arena()
	n, bad := p.timestamp3164(s, e, a, obj)
	if bad {
		return errorf("RFC 3164 timestamp is no real date:", s)
	}
	if n == 0 {
		if !hasPRI {
			return errorf("not syslog: no <PRI> and no timestamp (\"Mar  5 14:02:01\" or RFC 3339) at the start of the line:", s)
		}
		// §4.3.3: a PRI but no valid header: all of the rest is the message.
		setMessage(a, obj, "", "", s)
		return nil
	}
	s = strings.TrimLeft(s[n:], " ")
	host, rest, _ := token(s)
	if host != "" && !strings.HasSuffix(host, ":") && !strings.Contains(host, "[") {
		obj.Set("hostname", event.NewString(a, host))
		s = rest
	}
	app, pid, sub, msg := splitTag(s)
	setString(a, obj, "appname", app)
	setString(a, obj, "procid", pid)
	setString(a, obj, "subsystem", sub)
	setMessage(a, obj, app, sub, msg)
	return nil
}

// maxName bounds the program name of a TAG: RFC 3164 allows 32 characters,
// macOS writes longer ones ("com.apple.xpc.launchd").
const maxName = 64

// splitTag splits the TAG off a message: "app[pid]: msg", "app: msg" or
// "app[pid] msg", and the forms Linux and macOS write beside them:
//
//	Microsoft Word[14463]: msg     a program name with spaces (with a [pid] only)
//	sshd(pam_unix)[2291]: msg      RedHat's PAM lines: subsystem pam_unix
//	launchd[1] (com.apple.xpc.launchd.domain.system): msg
//	                               macOS: subsystem com.apple...
//	syslogd 1.4.1: msg             a version: subsystem 1.4.1
//
// Without such a tag the whole of s is the message.
func splitTag(s string) (app, pid, sub, msg string) {
	i := 0
	for i < len(s) && i < maxName && s[i] != ':' && s[i] != '[' && s[i] != '(' {
		i++
	}
	if i == 0 || i >= len(s) || i >= maxName || s[0] == ' ' {
		return "", "", "", s
	}
	name, k := s[:i], i
	if s[k] == '(' {
		j := closeParen(s, k)
		if j < 0 {
			return "", "", "", s
		}
		if s[k-1] == ' ' {
			// "Google Chrome Helper (Renderer)[123]:": the parentheses are
			// part of the name.
			name = s[:j+1]
		} else {
			sub = s[k+1 : j]
		}
		k = j + 1
	}
	if name[len(name)-1] == ' ' {
		return "", "", "", s
	}
	spaced := strings.IndexByte(name, ' ') >= 0
	if k < len(s) && s[k] == '[' {
		j := strings.IndexByte(s[k:], ']')
		if j < 0 || strings.IndexByte(s[k:k+j], ' ') >= 0 {
			return "", "", "", s
		}
		pid, k = s[k+1:k+j], k+j+1
		if sub == "" && strings.HasPrefix(s[k:], " (") {
			// macOS: "launchd[1] (com.apple.xpc.launchd.domain.system):"
			if j := closeParen(s, k+1); j > 0 && (j+1 == len(s) || s[j+1] == ':') {
				sub, k = s[k+2:j], j+1
			}
		}
	}
	if spaced && pid == "" {
		// "syslogd 1.4.1: restart.": a program and its version; other words
		// before a colon are a message ("Out of memory: Kill process").
		word, ver, _ := strings.Cut(name, " ")
		if k >= len(s) || s[k] != ':' || sub != "" || !isVersion(ver) {
			return "", "", "", s
		}
		name, sub = word, ver
	}
	switch {
	case k < len(s) && s[k] == ':':
		k++
	case spaced, k < len(s) && s[k] != ' ', pid == "":
		// A word with neither [pid] nor ':' is not a tag, and a name
		// with spaces needs both.
		return "", "", "", s
	}
	if k < len(s) && s[k] == ' ' {
		k++
	}
	return name, pid, sub, s[k:]
}

// closeParen returns the index of the ')' that closes the '(' at s[open],
// or -1.
func closeParen(s string, open int) int {
	depth := 0
	for i := open; i < len(s); i++ {
		switch s[i] {
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

// isVersion tells a program's version ("1.4.1", "1.5.0#6") from a word.
func isVersion(v string) bool {
	if v == "" || !isDigit(v[0]) || strings.IndexByte(v, '.') < 0 {
		return false
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !isDigit(c) && c != '.' && c != '#' && c != '-' && c != '_' && c != '+' && (c|0x20 < 'a' || c|0x20 > 'z') {
			return false
		}
	}
	return true
}

// timestamp3164 reads the timestamp at the start of s, sets e.Time and the
// timestamp field, and returns its length (0 when there is none); bad is
// true for a timestamp of a date that does not exist ("Feb 30").
func (p *parser) timestamp3164(s string, e *event.Event, a *fastjson.Arena, obj *fastjson.Value) (n int, bad bool) {
	if len(s) >= 5 && s[4] == '-' && isDigit(s[0]) {
		tok, _, _ := token(s)
		t, err := time.Parse(time.RFC3339Nano, tok)
		if err != nil {
			var ok bool
			if t, ok = parsers.ParseRFC3339ish(tok); !ok {
				return 0, false
			}
		}
		e.Time = t
		obj.Set("timestamp", a.NewString(tok))
		return len(tok), false
	}
	st, n := parseStamp(s)
	if n == 0 {
		return 0, false
	}
	var t time.Time
	ok := false
	if p.year != 0 {
		t, ok = p.inYear(st)
	} else {
		ref := e.ParseTime
		if ref.IsZero() {
			ref = p.now()
		}
		t, ok = st.in(ref)
	}
	if !ok {
		return 0, true
	}
	e.Time = t
	p.buf = st.appendRFC3339(p.buf[:0], t.Year())
	obj.Set("timestamp", a.NewStringBytes(p.buf))
	return n, false
}

// stamp is an RFC 3164 TIMESTAMP: a date and time without year or zone.
type stamp struct {
	month                     time.Month
	day, hour, min, sec, nsec int
}

// parseStamp reads "Mmm dd hh:mm:ss" where dd is " d", "0d", "d" or "dd",
// with an optional fraction of the second, followed by a space or the end.
func parseStamp(s string) (stamp, int) {
	var st stamp
	if len(s) < 14 || s[3] != ' ' {
		return st, 0
	}
	st.month = monthOf(s[:3])
	if st.month == 0 {
		return st, 0
	}
	i := 4
	if s[i] == ' ' {
		i++
	}
	if !isDigit(s[i]) {
		return st, 0
	}
	st.day = int(s[i] - '0')
	i++
	if i < len(s) && isDigit(s[i]) {
		st.day = st.day*10 + int(s[i]-'0')
		i++
	}
	if i+9 > len(s) || s[i] != ' ' || s[i+3] != ':' || s[i+6] != ':' {
		return st, 0
	}
	var ok1, ok2, ok3 bool
	st.hour, ok1 = twoDigits(s[i+1:])
	st.min, ok2 = twoDigits(s[i+4:])
	st.sec, ok3 = twoDigits(s[i+7:])
	if !ok1 || !ok2 || !ok3 || st.day < 1 || st.day > 31 || st.hour > 23 || st.min > 59 || st.sec > 60 {
		return st, 0
	}
	i += 9
	if i < len(s) && s[i] == '.' {
		j, ns, scale := i+1, 0, 100000000
		for j < len(s) && isDigit(s[j]) {
			if scale > 0 {
				ns += int(s[j]-'0') * scale
				scale /= 10
			}
			j++
		}
		if j == i+1 {
			return st, 0
		}
		st.nsec, i = ns, j
	}
	if i < len(s) && s[i] != ' ' {
		return st, 0
	}
	return st, i
}

// in places st in the latest year that puts it no more than 31 days after
// ref, read as UTC: "Dec 31" read on 2 January is last year's, and a
// sender's clock slightly ahead of ours stays in this year. A date that
// exists in no nearby year (Feb 30) is not a time.
func (st stamp) in(ref time.Time) (time.Time, bool) {
	limit := ref.Add(31 * 24 * time.Hour)
	for y := limit.Year(); y >= ref.Year()-8; y-- {
		t := time.Date(y, st.month, st.day, st.hour, st.min, st.sec, st.nsec, time.UTC)
		if t.Day() != st.day {
			continue // Feb 29 outside a leap year
		}
		if !t.After(limit) {
			return t, true
		}
	}
	return time.Time{}, false
}

// inYear places st in the year the source was said to start in
// (SetYear), moving to the next year when the months go back by half a
// year or more (December, then January): an archive that crosses New Year
// stays in order. A line that jumps half a year ahead of the one before is
// a late line of the year before, and does not move the source.
func (p *parser) inYear(st stamp) (time.Time, bool) {
	y := p.year
	switch m := int(st.month); {
	case p.lastMonth == 0:
		p.lastMonth = m
	case m+6 <= p.lastMonth:
		p.year++
		y, p.lastMonth = p.year, m
	case m >= p.lastMonth+6:
		y--
	default:
		p.lastMonth = m
	}
	t := time.Date(y, st.month, st.day, st.hour, st.min, st.sec, st.nsec, time.UTC)
	return t, t.Day() == st.day
}

const months = "janfebmaraprmayjunjulaugsepoctnovdec"

// monthOf reads a three-letter English month name, in any case.
// appendRFC3339 appends st in year as RFC 3339 in UTC, as
// time.RFC3339Nano writes it (fraction without trailing zeros).
func (st stamp) appendRFC3339(b []byte, year int) []byte {
	if year < 0 || year > 9999 || st.sec > 59 {
		return time.Date(year, st.month, st.day, st.hour, st.min, st.sec, st.nsec, time.UTC).AppendFormat(b, time.RFC3339Nano)
	}
	b = append(b, byte('0'+year/1000), byte('0'+year/100%10), byte('0'+year/10%10), byte('0'+year%10), '-')
	b = append2(b, int(st.month), '-')
	b = append2(b, st.day, 'T')
	b = append2(b, st.hour, ':')
	b = append2(b, st.min, ':')
	b = append2(b, st.sec, 0)
	if st.nsec > 0 {
		b = append(b, '.')
		ns, digits := st.nsec, 9
		for ns%10 == 0 {
			ns /= 10
			digits--
		}
		for d := digits - 1; d >= 0; d-- {
			p := 1
			for range d {
				p *= 10
			}
			b = append(b, byte('0'+ns/p%10))
		}
	}
	return append(b, 'Z')
}

// append2 appends n as two digits, then sep unless it is 0.
func append2(b []byte, n int, sep byte) []byte {
	b = append(b, byte('0'+n/10), byte('0'+n%10))
	if sep != 0 {
		b = append(b, sep)
	}
	return b
}

func monthOf(m string) time.Month {
	c0, c1, c2 := m[0]|0x20, m[1]|0x20, m[2]|0x20 // ASCII lower case
	for i := 0; i < len(months); i += 3 {
		if months[i] == c0 && months[i+1] == c1 && months[i+2] == c2 {
			return time.Month(i/3 + 1)
		}
	}
	return 0
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func twoDigits(s string) (int, bool) {
	if len(s) < 2 || !isDigit(s[0]) || !isDigit(s[1]) {
		return 0, false
	}
	return int(s[0]-'0')*10 + int(s[1]-'0'), true
}
