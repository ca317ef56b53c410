package syslog

import (
	"strconv"
	"time"
	"unsafe"

	"github.com/valyala/fastjson"

	"panther/parsers"
	"panther/parsers/event"
)

// The family's types. Both use the same parser, which labels each event
// with the type of its header.
var RFC5424, RFC3164 = logTypes(time.Now)

const (
	family     = "Syslog"
	name5424   = "Syslog.RFC5424"
	name3164   = "Syslog.RFC3164"
	familyPrio = -10
)

// logTypes declares the family with a clock for the RFC 3164 year (tests
// pass a fixed one).
func logTypes(now func() time.Time) (rfc5424, rfc3164 *parsers.LogType) {
	newParser := func() parsers.Parser { return &parser{now: now} }
	common := []parsers.Column{
		{Name: "priority", Type: "bigint", Description: "PRI value: facility*8 + severity (only when the line has a PRI)"},
		{Name: "facility", Type: "bigint", Description: "facility code 0-23"},
		{Name: "severity", Type: "bigint", Description: "severity code 0 (emergency) - 7 (debug)"},
	}
	tail := []parsers.Column{
		{Name: "hostname", Type: "string"},
		{Name: "appname", Type: "string", Description: "APP-NAME, or the RFC 3164 TAG without [pid]"},
		{Name: "procid", Type: "string"},
	}
	subsystem := []parsers.Column{{Name: "subsystem", Type: "string", Description: "what the TAG adds to the program name: " +
		"the PAM module of sshd(pam_unix)[2291], the launchd job of launchd[1] (com.apple.xpc.launchd.domain.system), the version of syslogd 1.4.1"}}
	extract := []parsers.Column{
		{Name: "message", Type: "string"},
		{Name: "sshd", Type: sshdType, Description: "OpenSSH messages (appname sshd, sshd-session, sshd-auth); event: accepted, failed, " +
			"invalid_user, invalid_user_request, not_allowed, max_auth_attempts, pam_auth_failure, pam_unknown_user, session_opened, " +
			"session_closed, connection, connection_closed, connection_reset, disconnected, no_identification, bad_identification, " +
			"negotiation_failed, auth_timeout, reverse_mapping_failed, dropped, other"},
		{Name: "sudo", Type: sudoType, Description: "sudo command lines (appname sudo); result: allowed, or denied with a reason"},
	}
	indicators := []parsers.Indicator{
		{Path: "hostname", Kind: "hostname"},
		{Path: "sshd.src_ip", Kind: "hostname"},
		{Path: "sshd.src_host", Kind: "hostname"},
		{Path: "sshd.user", Kind: "username"},
		{Path: "sudo.user", Kind: "username"},
		{Path: "sudo.run_as", Kind: "username"},
	}
	times := []parsers.TimeField{{Path: "timestamp", Format: "rfc3339"}}

	rfc5424 = &parsers.LogType{
		Name:        name5424,
		Description: "Syslog messages in the RFC 5424 format, with or without PRI",
		Reference:   "https://datatracker.ietf.org/doc/html/rfc5424",
		Family:      family,
		NewParser:   newParser,
		Priority:    familyPrio,
		TimeFields:  times,
		Indicators: append(indicators,
			parsers.Indicator{Path: "structured_data.origin.ip", Kind: "ip"}),
		Schema: concat(common,
			[]parsers.Column{
				{Name: "version", Type: "bigint"},
				{Name: "timestamp", Type: "timestamp"},
			},
			tail,
			[]parsers.Column{
				{Name: "msgid", Type: "string"},
				{Name: "structured_data", Type: "json", Description: "{sd-id: {param: value}}; a repeated param holds an array"},
			},
			extract),
		Sample: `<86>1 2024-03-05T14:02:01.250Z bastion sshd 4242 - [origin ip="192.0.2.10"] Failed password for invalid user admin from 203.0.113.9 port 52113 ssh2`,
	}
	rfc3164 = &parsers.LogType{
		Name:        name3164,
		Description: "BSD syslog (RFC 3164) messages and the files rsyslog and syslog-ng write, with or without PRI",
		Reference:   "https://datatracker.ietf.org/doc/html/rfc3164",
		Family:      family,
		NewParser:   newParser,
		Priority:    familyPrio,
		TimeFields:  times,
		Indicators:  indicators,
		Schema: concat(common,
			[]parsers.Column{{Name: "timestamp", Type: "timestamp", Description: "RFC 3339; \"Mar  5 14:02:01\" is read as UTC, its year from the parse time"}},
			tail,
			subsystem,
			extract),
		Sample: `Mar  5 14:02:01 bastion sshd[4242]: Accepted publickey for alice from 198.51.100.23 port 50522 ssh2: ED25519 SHA256:Xq3bJr0Jx1fY0n0Qm8r1y5VZ1k2b3c4d5e6f7g8h9i0`,
	}
	return rfc5424, rfc3164
}

func concat(parts ...[]parsers.Column) []parsers.Column {
	var out []parsers.Column
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// parser reads both formats; one serves one source.
type parser struct {
	now func() time.Time
	buf []byte // scratch for SD values and timestamps
	// year, when set, is the year of the source's first year-less
	// timestamp (SetYear); lastMonth is the month of the one before.
	year, lastMonth int
}

// SetYear implements parsers.YearSetter: the source's year-less RFC 3164
// timestamps start in year instead of the year guessed from the parse time.
func (p *parser) SetYear(year int) { p.year, p.lastMonth = year, 0 }

// Error is a record that is not syslog, or a malformed part of one.
type Error struct{ Reason string }

func (e *Error) Error() string { return "syslog: " + e.Reason }

func errorf(reason string, quoted string) error {
	if quoted == "" {
		return &Error{Reason: reason + " the end of the line"}
	}
	return &Error{Reason: reason + " " + strconv.Quote(clip(quoted, 24))}
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}

// b2s views b as a string without copying; it must not outlive the
// record, so every value kept in the event is copied by the arena.
func b2s(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

func (p *parser) Parse(rec []byte, e *event.Event) (bool, error) {
	s := b2s(rec)
	for len(s) > 0 && (s[len(s)-1] == '\n' || s[len(s)-1] == '\r') {
		s = s[:len(s)-1]
	}
	if s == "" {
		return false, &Error{Reason: "empty record"}
	}
	a := e.Arena()
	obj := a.NewObject()
	pri := -1
	if s[0] == '<' {
		v, rest, err := parsePRI(s)
		if err != nil {
			return false, err
		}
		pri, s = v, rest
		obj.Set("priority", a.NewNumberInt(pri))
		obj.Set("facility", a.NewNumberInt(pri>>3))
		obj.Set("severity", a.NewNumberInt(pri&7))
	}
	var err error
	if is5424(s, pri >= 0) {
		e.LogType = name5424
		err = p.parse5424(s, e, obj)
	} else {
		e.LogType = name3164
		err = p.parse3164(s, pri >= 0, e, obj)
	}
	if err != nil {
		e.LogType = ""
		e.Time = time.Time{}
		return false, err
	}
	e.Fields = obj
	return true, nil
}

// parsePRI reads "<N>" with N in 0-191 (RFC 5424 §6.2.1) and returns N and
// the rest of s.
func parsePRI(s string) (int, string, error) {
	end := -1
	for i := 1; i < len(s) && i <= 4; i++ {
		if s[i] == '>' {
			end = i
			break
		}
	}
	if end < 0 {
		return 0, "", errorf("bad PRI: want <N> with N from 0 to 191 at the start of the line, got", s)
	}
	digits := s[1:end]
	n := 0
	for i := 0; i < len(digits); i++ {
		c := digits[i]
		if c < '0' || c > '9' {
			return 0, "", errorf("bad PRI: want <N> with N from 0 to 191, got", s[:end+1])
		}
		n = n*10 + int(c-'0')
	}
	if digits == "" {
		return 0, "", errorf("bad PRI: want <N> with N from 0 to 191, got", s[:end+1])
	}
	if n > 191 {
		return 0, "", errorf("PRI out of range: N must be from 0 to 191 (facility*8 + severity), got", s[:end+1])
	}
	return n, s[end+1:], nil
}

// is5424 tells an RFC 5424 header ("1 " after the PRI) from an RFC 3164 one.
// Without a PRI, only version 1 followed by a timestamp or "-" counts, so
// that ordinary text starting with a number is not taken for syslog.
func is5424(s string, hasPRI bool) bool {
	if hasPRI {
		// VERSION = NONZERO-DIGIT 0*2DIGIT, then SP.
		i := 0
		for i < len(s) && i < 3 && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		return i > 0 && s[0] != '0' && i < len(s) && s[i] == ' '
	}
	return len(s) > 3 && s[0] == '1' && s[1] == ' ' && (s[2] == '-' || (s[2] >= '0' && s[2] <= '9'))
}

// setString adds a copy of v under key, unless v is empty.
func setString(a *fastjson.Arena, obj *fastjson.Value, key, v string) {
	if v != "" {
		obj.Set(key, event.NewString(a, v))
	}
}

// setMessage fills message and the sshd/sudo extractions; subsystem is
// the TAG's (see splitTag).
func setMessage(a *fastjson.Arena, obj *fastjson.Value, appname, subsystem, msg string) {
	if msg == "" {
		return
	}
	obj.Set("message", event.NewString(a, msg))
	switch appname {
	case "sshd", "sshd-session", "sshd-auth":
		if v := sshdFields(a, msg, subsystem); v != nil {
			obj.Set("sshd", v)
		}
	case "sudo":
		if v := sudoFields(a, msg); v != nil {
			obj.Set("sudo", v)
		}
	}
}

// token returns s up to the first space, and the rest after that space.
func token(s string) (tok, rest string, more bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == ' ' {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}
