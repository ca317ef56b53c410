// Package web holds the access logs of web servers: Apache.AccessCommon,
// Apache.AccessCombined and Nginx.Access (Panther's names), family "Web".
//
// # Layouts
//
//	Apache.AccessCommon    %h %l %u %t "%r" %>s %b
//	Apache.AccessCombined  ... "%{Referer}i" "%{User-agent}i"
//	Nginx.Access           $remote_addr - $remote_user [$time_local] "$request"
//	                       $status $body_bytes_sent "$http_referer"
//	                       "$http_user_agent" ["$http_x_forwarded_for"]
//
// nginx's predefined `combined` format is byte for byte Apache's combined;
// the `main` format of the nginx.conf that distributions ship adds
// "$http_x_forwarded_for". One parser reads the three layouts and names
// each line by the layout it proves: 7 fields are Apache.AccessCommon, 10
// are Nginx.Access, and 9 — which both servers write — are
// Apache.AccessCombined, unless the parser was made for Nginx.Access (the
// user named that type) and the ident field is "-", as nginx always writes
// it. So without --log-type, nginx `combined` logs classify as
// Apache.AccessCombined: nothing in a line can say otherwise, and the field
// names below are shared so that a detection listing both types reads
// either. Layouts with more fields (Apache's combinedio, custom nginx
// formats) are errors: declare a custom log type for them.
//
// # Fields
//
//	remote_ip        %h / $remote_addr (a name when Apache's HostnameLookups is on)
//	ident            %l, Apache only, when not "-"
//	remote_user      %u / $remote_user, when not "-"
//	time             RFC 3339 with the zone of the log ("2000-10-10T13:55:36-07:00")
//	method, request_uri, protocol
//	                 the request line "GET /a?b HTTP/1.1" split in three
//	                 ("GET /" of HTTP/0.9 has no protocol)
//	request          the request line as logged, only when it does not
//	                 split: the TLS handshakes, binary probes and garbage
//	                 that real logs hold ("\x16\x03\x01...")
//	status           number
//	body_bytes       number; Apache's "-" for no body is 0
//	referer, user_agent
//	                 when not "-"
//	x_forwarded_for  Nginx.Access main layout, when not "-"
//
// Values are kept as the server logged them: the \" and \xHH escapes that
// Apache and nginx write in quoted fields are not undone (the bytes they
// stand for need not be text). A line cut inside its last quoted field (the
// user agent, or x_forwarded_for) keeps what is there, as the public
// Elastic sample of Apache logs shows it happens; a line cut anywhere
// before is an error.
//
// Indicators: remote_ip (ip or domain), remote_user (username), the host
// of referer (domain or ip), and each address of x_forwarded_for (ip).
//
// # Why hand-written
//
// The layouts are fixed and short. The usual library route (grok patterns,
// as in Logstash) runs a regexp per line; a scanner over the line reads the
// fields with no allocation and needs neither a dependency nor a
// format-string compiler for three layouts. On the 10,000 lines of the
// Elastic sample (2.4 MB), one core, a grok-like regexp that only finds the
// fields (BenchmarkRegexpBaseline, Go's regexp) ran at about 55 MB/s
// against about 300 MB/s for this parser building the whole event
// (BenchmarkAccess/apache-10k/parse-only), with about 10,000 allocations a
// pass against none. The machine was shared and overloaded when measured
// (load 10 on 2 cores), so those are MB/s of CPU time (user+sys of
// -benchtime Nx -cpu 1 runs), not wall time.
package web

import (
	"strings"
	"time"
	"unsafe"

	"github.com/valyala/fastjson"

	"panther/parsers"
	"panther/parsers/event"
)

const (
	family       = "Web"
	nameCommon   = "Apache.AccessCommon"
	nameCombined = "Apache.AccessCombined"
	nameNginx    = "Nginx.Access"
)

var (
	// AccessCommon is Apache's common log format.
	AccessCommon = declare(nameCommon, "Apache HTTP Server access logs in the common log format",
		"https://httpd.apache.org/docs/current/logs.html#common", false,
		`192.0.2.15 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326`)
	// AccessCombined is Apache's combined log format (also nginx's
	// predefined `combined`).
	AccessCombined = declare(nameCombined, "Apache HTTP Server access logs in the combined log format",
		"https://httpd.apache.org/docs/current/logs.html#combined", false,
		`192.0.2.15 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326 "http://www.example.com/start.html" "Mozilla/4.08 [en] (Win98; I ;Nav)"`)
	// NginxAccess is nginx's access log in its `combined` or `main` format.
	NginxAccess = declare(nameNginx, "nginx access logs in the combined format, or main with $http_x_forwarded_for",
		"https://nginx.org/en/docs/http/ngx_http_log_module.html#log_format", true,
		`203.0.113.7 - - [05/Mar/2024:14:02:01 +0000] "POST /login HTTP/1.1" 401 188 "https://shop.example.com/login" "curl/8.5.0" "198.51.100.20, 10.0.0.2"`)
)

func declare(name, desc, ref string, nginx bool, sample string) *parsers.LogType {
	cols := []parsers.Column{
		{Name: "remote_ip", Type: "string", Description: "client address"},
	}
	if !nginx {
		cols = append(cols, parsers.Column{Name: "ident", Type: "string", Description: "RFC 1413 identity (%l)"})
	}
	cols = append(cols,
		parsers.Column{Name: "remote_user", Type: "string", Description: "HTTP authenticated user"},
		parsers.Column{Name: "time", Type: "timestamp", Description: "time the request was received"},
		parsers.Column{Name: "method", Type: "string"},
		parsers.Column{Name: "request_uri", Type: "string"},
		parsers.Column{Name: "protocol", Type: "string"},
		parsers.Column{Name: "request", Type: "string", Description: "the request line as logged, when it is not METHOD URI PROTOCOL"},
		parsers.Column{Name: "status", Type: "bigint"},
		parsers.Column{Name: "body_bytes", Type: "bigint", Description: "response body size"},
	)
	if name != nameCommon {
		cols = append(cols,
			parsers.Column{Name: "referer", Type: "string"},
			parsers.Column{Name: "user_agent", Type: "string"})
	}
	if nginx {
		cols = append(cols, parsers.Column{Name: "x_forwarded_for", Type: "string", Description: "X-Forwarded-For as received (main format)"})
	}
	indicators := []parsers.Indicator{
		{Path: "remote_ip", Kind: "hostname"},
		{Path: "remote_user", Kind: "username"},
	}
	if name != nameCommon {
		indicators = append(indicators, parsers.Indicator{Path: "referer", Kind: "url"})
	}
	return &parsers.LogType{
		Name:        name,
		Description: desc,
		Reference:   ref,
		Family:      family,
		NewParser:   func() parsers.Parser { return &parser{nginx: nginx} },
		TimeFields:  []parsers.TimeField{{Path: "time", Format: "rfc3339"}},
		Indicators:  indicators,
		Schema:      cols,
		Sample:      sample,
	}
}

// parser reads the three layouts of the family. nginx says that the user
// named Nginx.Access, which then wins the 9-field lines.
type parser struct {
	nginx bool
	buf   []byte
}

// Error is a line that is not an access log line of the family.
type Error struct{ Reason string }

func (e *Error) Error() string { return "web access log: " + e.Reason }

func fail(reason, at string) error {
	if at == "" {
		return &Error{Reason: reason + ", got the end of the line"}
	}
	if len(at) > 24 {
		at = at[:24] + "..."
	}
	return &Error{Reason: reason + ", got " + quote(at)}
}

func quote(s string) string {
	b := make([]byte, 0, len(s)+2)
	return string(event.AppendString(b, s))
}

func b2s(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

func (p *parser) Parse(rec []byte, e *event.Event) (bool, error) {
	s := b2s(rec)
	for len(s) > 0 && (s[len(s)-1] == '\n' || s[len(s)-1] == '\r') {
		s = s[:len(s)-1]
	}
	line := s

	remote, s, ok := cut(s, ' ')
	if !ok || remote == "" {
		return false, fail("want the client address, a space, ident, user and [time]", line)
	}
	ident, s, ok := cut(s, ' ')
	if !ok || ident == "" {
		return false, fail("want ident (or -) after the client address", s)
	}
	i := strings.Index(s, " [")
	if i < 0 {
		return false, fail("want the user (or -) and [day/Mon/year:hh:mm:ss zone] after ident", s)
	}
	user := s[:i]
	s = s[i+2:]
	if len(s) < 27 || s[26] != ']' {
		return false, fail("want [day/Mon/year:hh:mm:ss zone] after the user", "["+s)
	}
	t, ok := clfTime(s[:26])
	if !ok {
		return false, fail("want [day/Mon/year:hh:mm:ss zone] after the user", "["+s)
	}
	stamp := s[:26]
	s = s[27:]
	if len(s) < 2 || s[0] != ' ' || s[1] != '"' {
		return false, fail("want a space and the quoted request after the time", s)
	}
	request, s, ok := quoted(s[2:])
	if !ok {
		return false, fail("the quoted request has no closing quote", `"`+request)
	}
	if len(s) < 2 || s[0] != ' ' {
		return false, fail("want a space and the status after the request", s)
	}
	status, s, _ := cut(s[1:], ' ')
	st, ok := number(status)
	if !ok {
		return false, fail("want the status (digits or -) after the request", status)
	}
	sizeStr, s, more := cut(s, ' ')
	size, ok := number(sizeStr)
	if !ok || sizeStr == "" {
		return false, fail("want the body size (digits or -) after the status", sizeStr)
	}

	// What follows the size decides the layout.
	var quotedFields [3]string
	n := 0
	for more && s != "" {
		if n == len(quotedFields) {
			return false, fail("more fields than the combined and main layouts have: declare a custom log type", s)
		}
		if s[0] != '"' {
			return false, fail("want a quoted field (referer, user agent, x_forwarded_for) after the body size", s)
		}
		v, rest, closed := quoted(s[1:])
		if !closed {
			// A line cut in its last field keeps what it has, but only
			// in the user agent or x_forwarded_for.
			if n == 0 {
				return false, fail("the quoted referer has no closing quote", s)
			}
			v, rest = s[1:], ""
		}
		quotedFields[n] = v
		n++
		s = strings.TrimRight(rest, " ")
		if s != "" {
			if s[0] != ' ' {
				return false, fail("want a space between quoted fields", s)
			}
			s = s[1:]
		}
	}
	var lt string
	switch n {
	case 0:
		lt = nameCommon
	case 2:
		lt = nameCombined
		if p.nginx && ident == "-" {
			lt = nameNginx
		}
	case 3:
		lt = nameNginx
	default:
		return false, fail("want both referer and user agent after the body size (combined layout), or neither (common)", quotedFields[0])
	}

	a := e.Arena()
	obj := a.NewObject()
	obj.Set("remote_ip", event.NewString(a, remote))
	if ident != "-" {
		obj.Set("ident", event.NewString(a, ident))
	}
	if user != "-" && user != "" {
		obj.Set("remote_user", event.NewString(a, user))
	}
	p.buf = appendRFC3339(p.buf[:0], stamp)
	obj.Set("time", a.NewStringBytes(p.buf))
	setRequest(a, obj, request)
	if st >= 0 {
		obj.Set("status", a.NewNumberInt(st))
	}
	obj.Set("body_bytes", a.NewNumberInt(max(size, 0)))
	if n >= 2 {
		setField(a, obj, "referer", quotedFields[0])
		setField(a, obj, "user_agent", quotedFields[1])
	}
	if n == 3 && quotedFields[2] != "-" && quotedFields[2] != "" {
		obj.Set("x_forwarded_for", event.NewString(a, quotedFields[2]))
		for rest := quotedFields[2]; rest != ""; {
			var ip string
			ip, rest, _ = cut(rest, ',')
			parsers.AddIP(e, strings.TrimSpace(ip))
		}
	}
	e.Fields = obj
	e.Time = t
	e.LogType = lt
	return true, nil
}

// setField sets a quoted field unless it is "-" or empty.
func setField(a *fastjson.Arena, obj *fastjson.Value, key, v string) {
	if v != "-" && v != "" {
		obj.Set(key, event.NewString(a, v))
	}
}

// setRequest splits "METHOD URI PROTOCOL" (or "METHOD URI" of HTTP/0.9);
// a request line that does not split is kept whole as request.
func setRequest(a *fastjson.Arena, obj *fastjson.Value, r string) {
	if r == "-" || r == "" {
		return
	}
	method, rest, ok := cut(r, ' ')
	if ok && isMethod(method) && rest != "" {
		uri, proto := rest, ""
		if i := strings.LastIndexByte(rest, ' '); i >= 0 {
			uri, proto = rest[:i], rest[i+1:]
			if !strings.HasPrefix(proto, "HTTP/") {
				uri = ""
			}
		}
		if uri != "" && uri[0] != ' ' {
			obj.Set("method", event.NewString(a, method))
			obj.Set("request_uri", event.NewString(a, uri))
			if proto != "" {
				obj.Set("protocol", event.NewString(a, proto))
			}
			return
		}
	}
	obj.Set("request", event.NewString(a, r))
}

// isMethod accepts the method tokens clients send: letters, digits, - and _
// (GET, PROPFIND, M-SEARCH), at most 32 of them.
func isMethod(m string) bool {
	if m == "" || len(m) > 32 {
		return false
	}
	for i := 0; i < len(m); i++ {
		c := m[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// cut splits s at the first sep.
func cut(s string, sep byte) (before, after string, found bool) {
	if i := strings.IndexByte(s, sep); i >= 0 {
		return s[:i], s[i+1:], true
	}
	return s, "", false
}

// quoted reads a quoted field whose opening quote is consumed, up to the
// first quote not escaped by a backslash, and returns it as logged.
func quoted(s string) (v, rest string, closed bool) {
	from := 0
	for {
		i := strings.IndexByte(s[from:], '"')
		if i < 0 {
			return s, "", false
		}
		i += from
		bs := 0
		for j := i - 1; j >= 0 && s[j] == '\\'; j-- {
			bs++
		}
		if bs%2 == 0 {
			return s[:i], s[i+1:], true
		}
		from = i + 1
	}
}

// number reads a status or size: digits, or "-" (-1).
func number(s string) (int, bool) {
	if s == "-" {
		return -1, true
	}
	if s == "" || len(s) > 18 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, true
}

const months = "JanFebMarAprMayJunJulAugSepOctNovDec"

// clfTime reads "10/Oct/2000:13:55:36 -0700" (Apache's %t, nginx's
// $time_local) to UTC.
func clfTime(s string) (time.Time, bool) {
	if len(s) != 26 || s[2] != '/' || s[6] != '/' || s[11] != ':' || s[14] != ':' || s[17] != ':' || s[20] != ' ' ||
		(s[21] != '+' && s[21] != '-') {
		return time.Time{}, false
	}
	mon := 0
	for i := 0; i < len(months); i += 3 {
		if s[3:6] == months[i:i+3] {
			mon = i/3 + 1
			break
		}
	}
	day, ok1 := digits(s[0:2])
	year, ok2 := digits(s[7:11])
	hour, ok3 := digits(s[12:14])
	minute, ok4 := digits(s[15:17])
	sec, ok5 := digits(s[18:20])
	zh, ok6 := digits(s[22:24])
	zm, ok7 := digits(s[24:26])
	if mon == 0 || !ok1 || !ok2 || !ok3 || !ok4 || !ok5 || !ok6 || !ok7 ||
		day < 1 || day > 31 || hour > 23 || minute > 59 || sec > 60 || zh > 23 || zm > 59 {
		return time.Time{}, false
	}
	t := time.Date(year, time.Month(mon), day, hour, minute, sec, 0, time.UTC)
	if t.Day() != day {
		return time.Time{}, false // 31/Apr
	}
	off := time.Duration(zh)*time.Hour + time.Duration(zm)*time.Minute
	if s[21] == '-' {
		off = -off
	}
	return t.Add(-off), true
}

// appendRFC3339 rewrites a checked "10/Oct/2000:13:55:36 -0700" as
// "2000-10-10T13:55:36-07:00" (Z for a zero offset), keeping the zone.
func appendRFC3339(b []byte, s string) []byte {
	mon := 0
	for i := 0; i < len(months); i += 3 {
		if s[3:6] == months[i:i+3] {
			mon = i/3 + 1
		}
	}
	b = append(b, s[7:11]...)
	b = append(b, '-', byte('0'+mon/10), byte('0'+mon%10), '-')
	b = append(b, s[0:2]...)
	b = append(b, 'T')
	b = append(b, s[12:20]...)
	if s[22:26] == "0000" {
		return append(b, 'Z')
	}
	return append(b, s[21], s[22], s[23], ':', s[24], s[25])
}

func digits(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, true
}
