package parsers

import (
	"net/netip"
	"net/url"
	"slices"
	"strings"

	"github.com/valyala/fastjson"

	"panther/parsers/event"
)

type compiledIndicator struct {
	path    event.Path
	extract Extractor
}

// Extractor adds the indicators found in one scalar value to e.
type Extractor func(e *event.Event, s string)

// extractors are the indicator kinds a log type may declare. Each checks
// the shape of the value, so a declaration on a field that sometimes holds
// a hostname and sometimes an IP (CloudTrail's sourceIPAddress) files each
// value under the right list, and junk is dropped.
var extractors = map[string]Extractor{
	"ip":              func(e *event.Event, s string) { AddIP(e, s) },
	"domain":          AddHostname,
	"hostname":        AddHostname,
	"url":             AddURL,
	"username":        AddUsername,
	"email":           AddEmail,
	"aws_account_id":  AddAWSAccountID,
	"aws_arn":         AddARN,
	"aws_instance_id": AddInstanceID,
	"md5":             hashOf(32, event.MD5),
	"sha1":            hashOf(40, event.SHA1),
	"sha256":          hashOf(64, event.SHA256),
	"hash":            AddHash,
	"hashes":          AddHashList,
	"trace_id":        func(e *event.Event, s string) { e.Add(event.TraceID, s) },
}

// IndicatorKinds lists the kinds a declaration may use.
func IndicatorKinds() []string {
	out := make([]string, 0, len(extractors))
	for k := range extractors {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// ExtractorFor returns the extractor of a kind name, for parsers that find
// indicators in text themselves.
func ExtractorFor(kind string) (Extractor, bool) {
	x, ok := extractors[kind]
	return x, ok
}

func (ci *compiledIndicator) apply(e *event.Event, root *fastjson.Value) {
	ci.path.Each(root, func(v *fastjson.Value) bool {
		switch v.Type() {
		case fastjson.TypeArray:
			a, _ := v.Array()
			for _, x := range a {
				if s := event.View(x); s != "" {
					ci.extract(e, s)
				}
			}
		default:
			if s := event.View(v); s != "" {
				ci.extract(e, s)
			}
		}
		return true
	})
}

// AddIP adds s when it is an IP address (v4, v6, v4-mapped v6 unmapped),
// or an address and port, in canonical form.
func AddIP(e *event.Event, s string) bool {
	if !mayBeIP(s) {
		return false // spare ParseAddr's error allocation on names
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		// An address with its port (Exchange's ClientIP "203.0.113.7:51544",
		// "[2001:db8::1]:443"): the address is the indicator.
		ap, err := netip.ParseAddrPort(s)
		if err != nil {
			return false
		}
		e.Add(event.IP, ap.Addr().Unmap().String())
		return true
	}
	if a.Is4() {
		// ParseAddr takes only the canonical dotted form of IPv4 (no
		// leading zeros): s is already what String would make.
		e.Add(event.IP, s)
		return true
	}
	e.Add(event.IP, a.Unmap().String())
	return true
}

// mayBeIP is a cheap test that rules out most non-addresses.
func mayBeIP(s string) bool {
	if len(s) < 2 || len(s) > 64 {
		return false
	}
	colon := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9', c == '.':
		case c == ':':
			colon = true
		case (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == '%' || c == '[' || c == ']':
			if !colon && strings.IndexByte(s, ':') < 0 {
				return false
			}
			colon = true
		default:
			if !colon {
				return false
			}
		}
	}
	return true
}

// AddUsername adds s as a user name, unless it is "-", which logs of every
// kind (Windows' TargetUserName, web servers, Zeek) write for "no user".
func AddUsername(e *event.Event, s string) {
	if s != "-" {
		e.Add(event.Username, s)
	}
}

// AddHostname files s as an IP when it is one, else as a domain name when
// it looks like one (letters, digits, '-', '_', and at least one dot).
func AddHostname(e *event.Event, s string) {
	if AddIP(e, s) {
		return
	}
	if len(s) > 2 && s[0] == '[' && s[len(s)-1] == ']' && AddIP(e, s[1:len(s)-1]) {
		return
	}
	s = strings.TrimSuffix(s, ".")
	if isDomain(s) {
		e.Add(event.Domain, strings.ToLower(s))
	}
}

func isDomain(s string) bool {
	if len(s) < 3 || len(s) > 253 || !strings.Contains(s, ".") {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '_':
		case c == '.':
			if i == 0 || s[i-1] == '.' {
				return false
			}
		default:
			return false
		}
	}
	// A name made of digits and dots only is a malformed IP, not a domain.
	return strings.ContainsFunc(s, func(r rune) bool { return r < '0' || r > '9' }) &&
		strings.Trim(s, "0123456789.") != ""
}

// AddURL adds the host of a URL (or of a host:port) as IP or domain.
func AddURL(e *event.Event, s string) {
	if u, err := url.Parse(s); err == nil && u.Host != "" {
		AddHostname(e, u.Hostname())
		return
	}
	if h, _, ok := strings.Cut(s, ":"); ok && !strings.Contains(s, "/") {
		AddHostname(e, h)
		return
	}
	AddHostname(e, s)
}

// AddEmail adds s when it looks like an email address; the address of a
// "Name <user@host>" or "<user@host>" form is taken from the brackets.
func AddEmail(e *event.Event, s string) {
	if i := strings.LastIndexByte(s, '<'); i >= 0 && strings.HasSuffix(s, ">") {
		s = s[i+1 : len(s)-1]
	}
	at := strings.LastIndexByte(s, '@')
	if at <= 0 || at == len(s)-1 || strings.ContainsAny(s, " \t<>") || !strings.Contains(s[at:], ".") {
		return
	}
	e.Add(event.Email, strings.ToLower(s))
}

// AddAWSAccountID adds a 12-digit account id.
func AddAWSAccountID(e *event.Event, s string) {
	if len(s) == 12 && allIn(s, "0123456789") {
		e.Add(event.AWSAccountID, s)
	}
}

// AddInstanceID adds an EC2 instance id (i- and 8 or 17 hex digits).
func AddInstanceID(e *event.Event, s string) {
	if strings.HasPrefix(s, "i-") && (len(s) == 10 || len(s) == 19) && allIn(s[2:], "0123456789abcdef") {
		e.Add(event.AWSInstanceID, s)
	}
}

// AddARN adds an ARN, and the account id and instance id inside it.
func AddARN(e *event.Event, s string) {
	if !strings.HasPrefix(s, "arn:") {
		return
	}
	// arn:partition:service:region:account:resource
	rest := s
	var fields [5]string
	for i := 0; i < 5; i++ {
		j := strings.IndexByte(rest, ':')
		if j < 0 {
			return
		}
		fields[i], rest = rest[:j], rest[j+1:]
	}
	e.Add(event.AWSARN, s)
	AddAWSAccountID(e, fields[4])
	if i := strings.Index(rest, "instance/"); i >= 0 {
		AddInstanceID(e, rest[i+len("instance/"):])
	}
}

func hashOf(n int, k event.Kind) Extractor {
	return func(e *event.Event, s string) {
		if len(s) == n && allIn(strings.ToLower(s), "0123456789abcdef") {
			e.Add(k, strings.ToLower(s))
		}
	}
}

// AddHash files a hex digest by its length (md5, sha1 or sha256).
func AddHash(e *event.Event, s string) {
	switch len(s) {
	case 32:
		hashOf(32, event.MD5)(e, s)
	case 40:
		hashOf(40, event.SHA1)(e, s)
	case 64:
		hashOf(64, event.SHA256)(e, s)
	}
}

// AddHashList reads a list of ALGORITHM=digest pairs, as Sysmon writes its
// Hashes field ("SHA1=...,MD5=...,SHA256=...,IMPHASH=..."): MD5, SHA1 and
// SHA256 digests are added, other algorithms (IMPHASH hashes a PE import
// table, not the file) are not. A value without '=' is one digest, filed
// by its length as AddHash does.
func AddHashList(e *event.Event, s string) {
	if !strings.Contains(s, "=") {
		AddHash(e, strings.TrimSpace(s))
		return
	}
	for part := range strings.SplitSeq(s, ",") {
		algo, digest, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			continue
		}
		digest = strings.TrimSpace(digest)
		switch strings.ToUpper(strings.TrimSpace(algo)) {
		case "MD5":
			hashOf(32, event.MD5)(e, digest)
		case "SHA1":
			hashOf(40, event.SHA1)(e, digest)
		case "SHA256":
			hashOf(64, event.SHA256)(e, digest)
		}
	}
}

func allIn(s, set string) bool {
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(set, s[i]) < 0 {
			return false
		}
	}
	return s != ""
}
