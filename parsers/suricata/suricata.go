// Package suricata holds the log types of Suricata's EVE JSON output
// (family "Suricata"): one JSON object a line, whose `event_type` says what
// it is. One parser reads them all and names each event's type from its
// event_type: alert, anomaly, dhcp, dns, fileinfo, flow, http, netflow,
// smtp, ssh, stats and tls have their own type (Suricata.Alert, ...). As
// other logs have an event_type too, a record is taken for EVE only with a
// timestamp and, but for stats, a src_ip or a flow_id; else it keeps the
// type the user named and no Detect accepts it.
//
// Every other event_type (Suricata writes some forty: krb5, smb, rdp,
// quic, drop, ...) becomes Suricata.Event, a generic type with the common
// EVE columns, rather than an error: nothing is lost, its app-layer object
// is kept (in p_extra for the lake), and detections can match on
// event_type. A record without event_type (a hand-written event) keeps the
// type the user named.
//
// EVE's `timestamp` ("2015-10-22T06:31:07.412424+0000": a zone without a
// colon, or no zone at all in some exports, read as UTC) gives
// p_event_time; the parser reads the usual spelling itself rather than
// through time.Parse, which is a large part of the cost of a small record.
// Indicators are declared per type, except the email addresses of smtp and
// email objects, which EVE writes in angle brackets ("<a@example.com>",
// "Bob <b@example.com>") and the parser extracts itself.
//
// Hand-written, no library: dispatching on one field of an object the
// event's fastjson parser has already read needs none.
package suricata

import (
	"errors"
	"strings"
	"time"

	"github.com/valyala/fastjson"

	"panther/parsers"
	"panther/parsers/event"
)

// Family is the family of every Suricata log type.
const Family = "Suricata"

const eveDocs = "https://docs.suricata.io/en/latest/output/eve/eve-json-format.html"

type spec struct {
	eventType, name, desc, anchor string
	columns                       []parsers.Column
	indicators                    []parsers.Indicator
	sample                        string
}

var (
	byEventType = map[string]*parsers.LogType{}
	all         []*parsers.LogType
)

// commonColumns are the EVE fields every event type may have.
var commonColumns = []parsers.Column{
	{Name: "timestamp", Type: "timestamp", Description: "time of the event"},
	{Name: "flow_id", Type: "bigint", Description: "id of the flow, shared by all its events"},
	{Name: "parent_id", Type: "bigint", Description: "flow id of the parent flow (files, tunnels)"},
	{Name: "pcap_cnt", Type: "bigint", Description: "packet number in the capture"},
	{Name: "pcap_filename", Type: "string"},
	{Name: "event_type", Type: "string"},
	{Name: "src_ip", Type: "string"},
	{Name: "src_port", Type: "bigint"},
	{Name: "dest_ip", Type: "string"},
	{Name: "dest_port", Type: "bigint"},
	{Name: "proto", Type: "string"},
	{Name: "ip_v", Type: "bigint"},
	{Name: "icmp_type", Type: "bigint"},
	{Name: "icmp_code", Type: "bigint"},
	{Name: "response_icmp_type", Type: "bigint"},
	{Name: "response_icmp_code", Type: "bigint"},
	{Name: "app_proto", Type: "string"},
	{Name: "app_proto_ts", Type: "string"},
	{Name: "app_proto_tc", Type: "string"},
	{Name: "app_proto_orig", Type: "string"},
	{Name: "app_proto_expected", Type: "string"},
	{Name: "in_iface", Type: "string"},
	{Name: "vlan", Type: "array<bigint>"},
	{Name: "tx_id", Type: "bigint"},
	{Name: "community_id", Type: "string"},
	{Name: "host", Type: "string", Description: "sensor name"},
	{Name: "direction", Type: "string"},
	{Name: "pkt_src", Type: "string"},
	{Name: "ether", Type: "json"},
	{Name: "tunnel", Type: "json"},
	{Name: "metadata", Type: "json", Description: "flowbits, flowvars and pktvars"},
}

// commonIndicators apply to every type.
var commonIndicators = []parsers.Indicator{
	{Path: "src_ip", Kind: "ip"},
	{Path: "dest_ip", Kind: "ip"},
	{Path: "flow_id", Kind: "trace_id"},
	{Path: "community_id", Kind: "trace_id"},
}

// Indicators of the app-layer objects, which alerts, fileinfo and other
// events carry along with their own.
var (
	httpIndicators = []parsers.Indicator{
		{Path: "http.hostname", Kind: "hostname"},
		{Path: "http.url", Kind: "url"},
		{Path: "http.http_refer", Kind: "url"},
	}
	dnsIndicators = []parsers.Indicator{
		{Path: "dns.rrname", Kind: "hostname"}, // version 1 and 2
		{Path: "dns.rdata", Kind: "hostname"},
		{Path: "dns.queries[*].rrname", Kind: "hostname"}, // version 3
		{Path: "dns.answers[*].rrname", Kind: "hostname"},
		{Path: "dns.answers[*].rdata", Kind: "hostname"},
		{Path: "dns.grouped.A", Kind: "ip"},
		{Path: "dns.grouped.AAAA", Kind: "ip"},
		{Path: "dns.grouped.CNAME", Kind: "hostname"},
		{Path: "dns.grouped.MX", Kind: "hostname"},
		{Path: "dns.grouped.NS", Kind: "hostname"},
		{Path: "dns.grouped.PTR", Kind: "hostname"},
	}
	tlsIndicators = []parsers.Indicator{
		{Path: "tls.sni", Kind: "domain"},
	}
	fileIndicators = []parsers.Indicator{
		{Path: "fileinfo.md5", Kind: "md5"},
		{Path: "fileinfo.sha1", Kind: "sha1"},
		{Path: "fileinfo.sha256", Kind: "sha256"},
		{Path: "files[*].md5", Kind: "md5"},
		{Path: "files[*].sha1", Kind: "sha1"},
		{Path: "files[*].sha256", Kind: "sha256"},
	}
	smtpIndicators = []parsers.Indicator{
		{Path: "smtp.helo", Kind: "hostname"},
	}
	dhcpIndicators = []parsers.Indicator{
		{Path: "dhcp.client_ip", Kind: "ip"},
		{Path: "dhcp.assigned_ip", Kind: "ip"},
		{Path: "dhcp.relay_ip", Kind: "ip"},
		{Path: "dhcp.next_server_ip", Kind: "ip"},
		{Path: "dhcp.requested_ip", Kind: "ip"},
		{Path: "dhcp.routers", Kind: "ip"},
		{Path: "dhcp.dns_servers", Kind: "ip"},
		{Path: "dhcp.hostname", Kind: "domain"},
	}
)

func define(s spec) *parsers.LogType {
	name := s.name
	et := s.eventType
	lt := &parsers.LogType{
		Name:        name,
		Description: s.desc,
		Reference:   eveDocs + s.anchor,
		Family:      Family,
		NewParser:   newParser,
		// The parser names the type from event_type (see the package doc).
		Detect:     func(e *event.Event) bool { return e.LogType == name },
		TimeFields: []parsers.TimeField{{Path: "timestamp", Format: "rfc3339"}},
		Indicators: append(append([]parsers.Indicator{}, commonIndicators...), s.indicators...),
		Schema:     append(append([]parsers.Column{}, commonColumns...), s.columns...),
		Sample:     s.sample,
	}
	if et != "" {
		byEventType[et] = lt
	}
	all = append(all, lt)
	return lt
}

// LogTypes returns every Suricata log type.
func LogTypes() []*parsers.LogType { return append([]*parsers.LogType(nil), all...) }

type parser struct{}

func newParser() parsers.Parser { return parser{} }

var errNotObject = errors.New("expected a JSON object")

// Parse implements parsers.Parser.
func (parser) Parse(rec []byte, e *event.Event) (bool, error) {
	if err := e.ParseJSON(rec); err != nil {
		return false, err
	}
	obj, err := e.Fields.Object()
	if err != nil {
		return false, errNotObject
	}
	hasTime := false
	if v := obj.Get("timestamp"); v != nil && v.Type() == fastjson.TypeString {
		hasTime = true
		b, _ := v.StringBytes()
		if t, ok := parseTimestamp(b); ok {
			e.Time = t
		}
	}
	// event_type is a common name (Box events have one): an EVE record also
	// has a timestamp and, but for stats, an address or a flow id.
	if v := obj.Get("event_type"); v != nil && v.Type() == fastjson.TypeString && hasTime {
		b, _ := v.StringBytes()
		lt := byEventType[string(b)]
		if lt == nil {
			lt = Event
		}
		if lt == Stats || obj.Get("src_ip") != nil || obj.Get("flow_id") != nil {
			e.LogType = lt.Name
		}
	}
	addEmails(e, obj)
	return true, nil
}

// addEmails files the addresses of the smtp and email objects, which EVE
// writes as "<a@example.com>" or "Name <a@example.com>".
func addEmails(e *event.Event, obj *fastjson.Object) {
	for _, key := range [...]string{"smtp", "email"} {
		v := obj.Get(key)
		if v == nil || v.Type() != fastjson.TypeObject {
			continue
		}
		o, _ := v.Object()
		o.Visit(func(k []byte, x *fastjson.Value) {
			switch string(k) {
			case "mail_from", "rcpt_to", "from", "to", "cc", "bcc", "reply_to":
			default:
				return
			}
			if x.Type() == fastjson.TypeArray {
				items, _ := x.Array()
				for _, it := range items {
					addEmail(e, it)
				}
				return
			}
			addEmail(e, x)
		})
	}
}

func addEmail(e *event.Event, v *fastjson.Value) {
	if v.Type() != fastjson.TypeString {
		return
	}
	b, _ := v.StringBytes()
	s := string(b)
	// A header may list several addresses: "a <x@y>, b <z@w>".
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if i := strings.LastIndexByte(part, '<'); i >= 0 {
			if j := strings.IndexByte(part[i:], '>'); j > 0 {
				part = part[i+1 : i+j]
			}
		}
		parsers.AddEmail(e, strings.TrimSpace(part))
	}
}

// parseTimestamp reads EVE's "2006-01-02T15:04:05.999999-0700" (also with
// "Z", a colon in the zone, or no zone for UTC) without time.Parse; other
// spellings go through parsers.ParseRFC3339ish.
func parseTimestamp(b []byte) (time.Time, bool) {
	if len(b) < 19 || b[4] != '-' || b[7] != '-' || (b[10] != 'T' && b[10] != ' ') || b[13] != ':' || b[16] != ':' {
		return parsers.ParseRFC3339ish(string(b))
	}
	y, ok1 := digits(b[0:4])
	mo, ok2 := digits(b[5:7])
	d, ok3 := digits(b[8:10])
	h, ok4 := digits(b[11:13])
	mi, ok5 := digits(b[14:16])
	s, ok6 := digits(b[17:19])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59 {
		return parsers.ParseRFC3339ish(string(b))
	}
	rest := b[19:]
	ns := 0
	if len(rest) > 0 && rest[0] == '.' {
		i, scale := 1, 100000000
		for ; i < len(rest) && rest[i] >= '0' && rest[i] <= '9'; i++ {
			ns += int(rest[i]-'0') * scale
			scale /= 10
		}
		if i == 1 || i > 10 {
			return parsers.ParseRFC3339ish(string(b))
		}
		rest = rest[i:]
	}
	offset := 0
	switch {
	case len(rest) == 0, len(rest) == 1 && rest[0] == 'Z':
	case len(rest) == 5 || len(rest) == 6 && rest[3] == ':':
		if rest[0] != '+' && rest[0] != '-' {
			return parsers.ParseRFC3339ish(string(b))
		}
		zh, okh := digits(rest[1:3])
		zm, okm := digits(rest[len(rest)-2:])
		if !okh || !okm || zh > 23 || zm > 59 {
			return parsers.ParseRFC3339ish(string(b))
		}
		offset = (zh*60 + zm) * 60
		if rest[0] == '-' {
			offset = -offset
		}
	default:
		return parsers.ParseRFC3339ish(string(b))
	}
	t := time.Date(y, time.Month(mo), d, h, mi, s, ns, time.UTC)
	if t.Day() != d { // 31 April and the like: let the slow path refuse it
		return parsers.ParseRFC3339ish(string(b))
	}
	return t.Add(-time.Duration(offset) * time.Second), true
}

func digits(b []byte) (int, bool) {
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}
