package aws

import (
	"errors"
	"fmt"
	"time"

	"panther/parsers"
	"panther/parsers/event"
)

// ALB is AWS.ALB: Application Load Balancer access logs, one request a line
// of space-separated fields, some "quoted", `-` (or `"-"`) for a value that
// does not apply (the field is then left out of the event).
//
// AWS has appended fields over the years (domain_name and chosen_cert_arn in
// 2017, through classification_reason in 2020, conn_trace_id in 2024, the
// rewrite transform fields in 2025), so lines with fewer trailing fields
// (at least up to "request") are read, and fields after the last one known
// here are kept in order in additionalFields.
//
// Field names are Panther's: client:port becomes clientIp and clientPort,
// the request line requestHttpMethod, requestUrl and requestHttpVersion, time
// is timestamp and the event time. Processing times are numbers as written
// (-1 when the load balancer could not dispatch the request), status codes
// and byte counts integers, actions_executed an array, and the space
// separated target:port_list and target_status_code_list arrays of strings.
//
// The parser checks what sets the format apart (a lower-case type word, an
// RFC 3339 time, a load balancer ID with '/', client ip:port) so that Apache,
// classic ELB or S3 lines are not taken for ALB ones.
//
// https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-access-logs.html
var ALB = &parsers.LogType{
	Name:        "AWS.ALB",
	Description: "Requests served by Application Load Balancers (access logs)",
	Reference:   "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-access-logs.html",
	NewParser:   parsers.JSONExport(albSchema, func() parsers.Parser { return &albParser{} }),
	Detect:      parsers.HasAll("type", "timestamp", "elb"),
	TimeFields:  []parsers.TimeField{{Path: "timestamp", Format: "rfc3339"}},
	Indicators: []parsers.Indicator{
		{Path: "clientIp", Kind: "ip"},
		{Path: "targetIp", Kind: "ip"},
		{Path: "targetPortList", Kind: "url"},
		{Path: "requestUrl", Kind: "url"},
		{Path: "domainName", Kind: "domain"},
		{Path: "transformedHost", Kind: "hostname"},
		{Path: "targetGroupArn", Kind: "aws_arn"},
		{Path: "chosenCertArn", Kind: "aws_arn"},
		{Path: "traceId", Kind: "trace_id"},
		{Path: "connTraceId", Kind: "trace_id"},
	},
	Schema: albSchema,
	Sample: `https 2024-03-01T12:00:00.123456Z app/web-prod/50dc6c495c0c9188 198.51.100.23:50112 10.0.4.17:8080 0.001 0.047 0.000 200 200 512 2281 "GET https://shop.example.com:443/cart?id=7 HTTP/1.1" "Mozilla/5.0 (X11; Linux x86_64)" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web/73e2d6bc24d8a067 "Root=1-65e1c3a0-0123456789abcdef01234567" "shop.example.com" "arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-1111-2222-3333-444455556666" 1 2024-03-01T12:00:00.075000Z "forward" "-" "-" "10.0.4.17:8080" "200" "-" "-" TID_0123456789abcdef0123456789abcdef`,
}

// albMinFields: type ... "request". Older lines stop later than this.
const albMinFields = 13

type albKind uint8

const (
	albString albKind = iota
	albInt
	albNumber
	albHostPort // ip:port into two fields
	albRequest  // "METHOD URL VERSION" into three fields
	albCommaList
	albSpaceList
)

// albFields are the fields after the first three (type, time, elb, which
// Parse checks itself), in the order of the log.
var albFields = []struct {
	name string // as AWS documents it, for errors
	key  string
	kind albKind
	key2 string // second key of a split field
}{
	{"client:port", "clientIp", albHostPort, "clientPort"},
	{"target:port", "targetIp", albHostPort, "targetPort"},
	{"request_processing_time", "requestProcessingTime", albNumber, ""},
	{"target_processing_time", "targetProcessingTime", albNumber, ""},
	{"response_processing_time", "responseProcessingTime", albNumber, ""},
	{"elb_status_code", "elbStatusCode", albInt, ""},
	{"target_status_code", "targetStatusCode", albInt, ""},
	{"received_bytes", "receivedBytes", albInt, ""},
	{"sent_bytes", "sentBytes", albInt, ""},
	{"request", "requestHttpMethod", albRequest, ""},
	{"user_agent", "userAgent", albString, ""},
	{"ssl_cipher", "sslCipher", albString, ""},
	{"ssl_protocol", "sslProtocol", albString, ""},
	{"target_group_arn", "targetGroupArn", albString, ""},
	{"trace_id", "traceId", albString, ""},
	{"domain_name", "domainName", albString, ""},
	{"chosen_cert_arn", "chosenCertArn", albString, ""},
	{"matched_rule_priority", "matchedRulePriority", albInt, ""},
	{"request_creation_time", "requestCreationTime", albString, ""},
	{"actions_executed", "actionsExecuted", albCommaList, ""},
	{"redirect_url", "redirectUrl", albString, ""},
	{"error_reason", "errorReason", albString, ""},
	{"target:port_list", "targetPortList", albSpaceList, ""},
	{"target_status_code_list", "targetStatusCodeList", albSpaceList, ""},
	{"classification", "classification", albString, ""},
	{"classification_reason", "classificationReason", albString, ""},
	{"conn_trace_id", "connTraceId", albString, ""},
	{"transformed_host", "transformedHost", albString, ""},
	{"transformed_uri", "transformedUri", albString, ""},
	{"request_transform_status", "requestTransformStatus", albString, ""},
}

type albParser struct {
	toks []token
	b    builder
}

// errALBType rejects, before splitting, a line that does not start with a
// request type: the classifier tries every type on every line, and a miss
// should cost little.
var errALBType = errors.New("type: the line does not start with a request type such as http, https or h2")

func (p *albParser) Parse(rec []byte, e *event.Event) (bool, error) {
	if i := indexByte(rec, ' '); i <= 0 || rec[0] < 'a' || rec[0] > 'z' || !isLowerAlnum(rec[:i]) {
		return false, errALBType
	}
	toks, err := splitFields(rec, p.toks, splitQuotes)
	p.toks = toks
	if err != nil {
		return false, err
	}
	if len(toks) < albMinFields {
		return false, fmt.Errorf("%d fields: an ALB access log line has at least %d (type time elb client:port ... \"request\")", len(toks), albMinFields)
	}
	typ, ts, elb := toks[0], toks[1], toks[2]
	if typ.quoted || !isLowerAlnum(typ.b) {
		return false, fmt.Errorf("type: %q is not a request type such as http, https or h2", clip(typ.b))
	}
	t, ok := parseRFC3339(ts.b)
	if !ok || ts.quoted {
		return false, fmt.Errorf("time: %q is not an RFC 3339 time", clip(ts.b))
	}
	if elb.quoted || indexByte(elb.b, '/') < 0 {
		return false, fmt.Errorf("elb: %q is not a load balancer ID (app/name/id)", clip(elb.b))
	}
	b := &p.b
	b.begin(e.Arena())
	b.str("type", typ)
	b.str("timestamp", ts)
	b.str("elb", elb)
	rest := toks[3:]
	for i, f := range albFields {
		if i >= len(rest) {
			break
		}
		tok := rest[i]
		switch f.kind {
		case albString:
			b.str(f.key, tok)
		case albInt:
			err = b.int(f.key, f.name, tok)
		case albNumber:
			err = b.number(f.key, f.name, tok)
		case albHostPort:
			err = b.hostPort(f.key, f.key2, f.name, tok, i == 0)
		case albRequest:
			b.request(tok)
		case albCommaList:
			b.list(f.key, tok, ',')
		case albSpaceList:
			b.list(f.key, tok, ' ')
		}
		if err != nil {
			return false, err
		}
	}
	if len(rest) > len(albFields) {
		b.extra("additionalFields", rest[len(albFields):])
	}
	b.end(e)
	e.Time = t
	return true, nil
}

// hostPort splits ip:port (or [ipv6]:port, or an IPv6 address whose last
// colon starts the port) into two fields. required: `-` is an error.
func (b *builder) hostPort(hostKey, portKey, name string, t token, required bool) error {
	if t.absent() {
		if required {
			return fmt.Errorf("%s: missing", name)
		}
		return nil
	}
	s := t.b
	i := len(s) - 1
	for i >= 0 && s[i] != ':' {
		i--
	}
	if i <= 0 || i == len(s)-1 {
		return fmt.Errorf("%s: %q is not ip:port", name, clip(s))
	}
	host, port := s[:i], s[i+1:]
	if len(host) > 2 && host[0] == '[' && host[len(host)-1] == ']' {
		host = host[1 : len(host)-1]
	}
	n, ok := parseInt(port)
	if !ok || n < 0 || n > 65535 || !isIPish(host) {
		return fmt.Errorf("%s: %q is not ip:port", name, clip(s))
	}
	b.o.Set(hostKey, event.NewStringBytes(b.a, host))
	b.o.Set(portKey, b.a.NewNumberInt(int(n)))
	return nil
}

// request splits "METHOD URL VERSION"; the URL is what lies between the
// first and the last space, so a URL holding spaces stays whole. AWS writes
// "- - -" (or "-") for a request it could not parse.
func (b *builder) request(t token) {
	s := t.b
	if t.escaped {
		b.scratch = unescape(b.scratch[:0], s)
		s = b.scratch
	}
	first := indexByte(s, ' ')
	if first < 0 {
		b.bytesIfPresent("requestUrl", s)
		return
	}
	last := len(s) - 1
	for s[last] != ' ' {
		last--
	}
	b.bytesIfPresent("requestHttpMethod", s[:first])
	if last > first {
		b.bytesIfPresent("requestUrl", s[first+1:last])
	}
	b.bytesIfPresent("requestHttpVersion", s[last+1:])
}

func (b *builder) bytesIfPresent(key string, s []byte) {
	if len(s) == 0 || (len(s) == 1 && s[0] == '-') {
		return
	}
	b.o.Set(key, event.NewStringBytes(b.a, s))
}

func isLowerAlnum(b []byte) bool {
	if len(b) == 0 || len(b) > 16 {
		return false
	}
	for _, c := range b {
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// parseRFC3339 parses the times ELB writes (2024-03-01T12:00:00.123456Z).
func parseRFC3339(b []byte) (time.Time, bool) {
	t, err := time.Parse(time.RFC3339Nano, view(b))
	if err != nil {
		return time.Time{}, false
	}
	return t.UTC(), true
}

var albSchema = []parsers.Column{
	{Name: "type", Type: "string", Description: "http, https, h2, grpcs, ws or wss"},
	{Name: "timestamp", Type: "timestamp", Description: "when the load balancer sent the response (for WebSockets, closed the connection)"},
	{Name: "elb", Type: "string", Description: "resource ID of the load balancer (app/name/id)"},
	{Name: "clientIp", Type: "string", Description: "address of the client (or of a proxy in front of the load balancer)"},
	{Name: "clientPort", Type: "bigint"},
	{Name: "targetIp", Type: "string", Description: "address of the target that served the request"},
	{Name: "targetPort", Type: "bigint"},
	{Name: "requestProcessingTime", Type: "double", Description: "seconds from receiving the request to sending it to a target; -1 if not dispatched"},
	{Name: "targetProcessingTime", Type: "double", Description: "seconds the target took to start its response; -1 if not dispatched or no response"},
	{Name: "responseProcessingTime", Type: "double", Description: "seconds from the target's response headers to starting the response to the client; -1 if none"},
	{Name: "elbStatusCode", Type: "bigint"},
	{Name: "targetStatusCode", Type: "bigint"},
	{Name: "receivedBytes", Type: "bigint"},
	{Name: "sentBytes", Type: "bigint"},
	{Name: "requestHttpMethod", Type: "string"},
	{Name: "requestUrl", Type: "string", Description: "protocol://host:port/uri of the request line"},
	{Name: "requestHttpVersion", Type: "string"},
	{Name: "userAgent", Type: "string"},
	{Name: "sslCipher", Type: "string"},
	{Name: "sslProtocol", Type: "string"},
	{Name: "targetGroupArn", Type: "string"},
	{Name: "traceId", Type: "string", Description: "the X-Amzn-Trace-Id header"},
	{Name: "domainName", Type: "string", Description: "SNI domain of the TLS handshake"},
	{Name: "chosenCertArn", Type: "string", Description: "certificate presented to the client, or session-reused"},
	{Name: "matchedRulePriority", Type: "bigint", Description: "priority of the rule that matched; 0 for the default action, -1 on a rule error"},
	{Name: "requestCreationTime", Type: "timestamp", Description: "when the load balancer received the request"},
	{Name: "actionsExecuted", Type: "array<string>"},
	{Name: "redirectUrl", Type: "string"},
	{Name: "errorReason", Type: "string"},
	{Name: "targetPortList", Type: "array<string>", Description: "ip:port of each target tried"},
	{Name: "targetStatusCodeList", Type: "array<string>", Description: "status code of each target tried"},
	{Name: "classification", Type: "string", Description: "desync mitigation classification: Acceptable, Ambiguous or Severe"},
	{Name: "classificationReason", Type: "string"},
	{Name: "connTraceId", Type: "string", Description: "connection traceability ID, shared with the connection log"},
	{Name: "transformedHost", Type: "string", Description: "host header after a host header rewrite transform"},
	{Name: "transformedUri", Type: "string", Description: "URI after a URL rewrite transform"},
	{Name: "requestTransformStatus", Type: "string", Description: "outcome of the rewrite transforms"},
	{Name: "additionalFields", Type: "array<string>", Description: "fields after the last one known to this parser"},
}
