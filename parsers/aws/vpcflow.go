package aws

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"panther/parsers"
	"panther/parsers/event"
)

// VPCFlow is AWS.VPCFlow: VPC Flow Logs in their text form, one flow a line
// of space-separated fields, `-` for a value that does not apply (the field
// is then left out of the event).
//
// Two layouts are read, and one parser (one source) may meet both:
//
//   - the default format, 14 fields and no header, as CloudWatch Logs and
//     Firehose deliver it: version account-id interface-id srcaddr dstaddr
//     srcport dstport protocol packets bytes start end action log-status;
//   - custom formats, any subset and order of the fields of versions 2 to 8
//     (and later: see below), which S3 delivery announces with a header line
//     naming the fields at the top of each file. The parser keeps the last
//     header it saw and reads the following lines by it; the header line
//     itself yields no event.
//
// Field names are Panther's (srcAddr, dstAddr, srcPort, account, status,
// subNetId, trafficType, ...), not AWS's dashed header names, so that Panther
// detections carry over and Lua reads `event.srcAddr` rather than
// `event["pkt-srcaddr"]`. A header field this parser does not know (a field
// AWS adds later) is kept under the camelCase of its name
// ("encryption-status" -> encryptionStatus), as a string. Integers are JSON
// numbers; start and end, unix seconds in the log, become RFC 3339 times as
// in Panther (`"start":"2024-03-01T12:00:00Z"`), and start is the event time
// (end when start is absent).
//
// Without a header only the 14-field default layout is accepted, and its
// typed fields are checked (version and ports are integers, the addresses
// look like IP addresses, action is ACCEPT or REJECT, log-status OK, NODATA or
// SKIPDATA), so that the classifier cannot mistake another format's line for
// a flow. A line of dashes only (a NODATA interval in a custom format without
// log-status) yields no event. A header is recognised when its first word is a field name and at
// least half of its words are; flow values are never field names.
//
// https://docs.aws.amazon.com/vpc/latest/userguide/flow-log-records.html
var VPCFlow = &parsers.LogType{
	Name:        "AWS.VPCFlow",
	Description: "Network flows of VPC network interfaces (VPC Flow Logs, text format, default or custom fields)",
	Reference:   "https://docs.aws.amazon.com/vpc/latest/userguide/flow-log-records.html",
	NewParser:   parsers.JSONExport(vpcSchema(), func() parsers.Parser { return &vpcFlowParser{} }),
	Detect:      hasAny("interfaceId", "srcAddr", "dstAddr", "pktSrcAddr", "pktDstAddr", "start", "end", "status"),
	// The parser sets the event time from start (or end); these serve events
	// that did not come through it, such as hand-written test events, which
	// may give start as RFC 3339 (as the parser writes it) or unix seconds.
	TimeFields: []parsers.TimeField{
		{Path: "start", Format: "auto"},
		{Path: "end", Format: "auto"},
	},
	Indicators: []parsers.Indicator{
		{Path: "srcAddr", Kind: "ip"},
		{Path: "dstAddr", Kind: "ip"},
		{Path: "pktSrcAddr", Kind: "ip"},
		{Path: "pktDstAddr", Kind: "ip"},
		{Path: "account", Kind: "aws_account_id"},
		{Path: "instanceId", Kind: "aws_instance_id"},
		{Path: "ecsClusterArn", Kind: "aws_arn"},
		{Path: "ecsContainerInstanceArn", Kind: "aws_arn"},
		{Path: "ecsTaskDefinitionArn", Kind: "aws_arn"},
		{Path: "ecsTaskArn", Kind: "aws_arn"},
	},
	Schema: vpcSchema(),
	Sample: "2 123456789012 eni-0a1b2c3d4e5f67890 203.0.113.12 10.0.1.5 49152 22 6 10 840 1709294400 1709294460 REJECT OK",
}

type vpcKind uint8

const (
	vpcString vpcKind = iota
	vpcInt
	vpcTime // unix seconds, written as RFC 3339
)

// vpcColumn is one flow log field: its header name, event key and type, and
// for the headerless default format, a check of its value's shape.
type vpcColumn struct {
	name  string
	key   string
	kind  vpcKind
	check func([]byte) bool
	doc   string
}

// vpcFields are the documented fields in the order of the documentation;
// the first 14 are the default format.
var vpcFields = []vpcColumn{
	{"version", "version", vpcInt, nil, "flow log version: 2 for the default format, else the highest version of the fields chosen"},
	{"account-id", "account", vpcString, isAccountOrUnknown, "AWS account that owns the network interface (`unknown` for some AWS-managed interfaces)"},
	{"interface-id", "interfaceId", vpcString, nil, "network interface"},
	{"srcaddr", "srcAddr", vpcString, isIPish, "source address (the interface's own address for outgoing traffic)"},
	{"dstaddr", "dstAddr", vpcString, isIPish, "destination address (the interface's own address for incoming traffic)"},
	{"srcport", "srcPort", vpcInt, nil, "source port"},
	{"dstport", "dstPort", vpcInt, nil, "destination port"},
	{"protocol", "protocol", vpcInt, nil, "IANA protocol number"},
	{"packets", "packets", vpcInt, nil, "packets in the flow"},
	{"bytes", "bytes", vpcInt, nil, "bytes in the flow"},
	{"start", "start", vpcTime, nil, "time of the first packet of the flow in the aggregation interval"},
	{"end", "end", vpcTime, nil, "time of the last packet of the flow in the aggregation interval"},
	{"action", "action", vpcString, oneOf("ACCEPT", "REJECT"), "ACCEPT or REJECT (by security groups or network ACLs)"},
	{"log-status", "status", vpcString, oneOf("OK", "NODATA", "SKIPDATA"), "OK, NODATA or SKIPDATA"},
	// version 3
	{"vpc-id", "vpcId", vpcString, nil, "VPC of the interface"},
	{"subnet-id", "subNetId", vpcString, nil, "subnet of the interface"},
	{"instance-id", "instanceId", vpcString, nil, "instance of the interface, when you own it"},
	{"tcp-flags", "tcpFlags", vpcInt, nil, "bitmask of TCP flags seen (SYN 2, SYN-ACK 18, FIN 1, RST 4)"},
	{"type", "trafficType", vpcString, nil, "IPv4, IPv6 or EFA"},
	{"pkt-srcaddr", "pktSrcAddr", vpcString, nil, "packet-level (original) source address"},
	{"pkt-dstaddr", "pktDstAddr", vpcString, nil, "packet-level (final) destination address"},
	// version 4
	{"region", "region", vpcString, nil, "region of the interface"},
	{"az-id", "azId", vpcString, nil, "Availability Zone ID of the interface"},
	{"sublocation-type", "sublocationType", vpcString, nil, "wavelength, outpost or localzone"},
	{"sublocation-id", "sublocationId", vpcString, nil, "ID of the sublocation"},
	// version 5
	{"pkt-src-aws-service", "pktSrcAwsService", vpcString, nil, "AWS service of pkt-srcaddr's IP range"},
	{"pkt-dst-aws-service", "pktDstAwsService", vpcString, nil, "AWS service of pkt-dstaddr's IP range"},
	{"flow-direction", "flowDirection", vpcString, nil, "ingress or egress, relative to the interface"},
	{"traffic-path", "trafficPath", vpcInt, nil, "path egress traffic takes to its destination (1-8)"},
	// version 7
	{"ecs-cluster-arn", "ecsClusterArn", vpcString, nil, "ECS cluster of the task"},
	{"ecs-cluster-name", "ecsClusterName", vpcString, nil, "name of the ECS cluster"},
	{"ecs-container-instance-arn", "ecsContainerInstanceArn", vpcString, nil, "ECS container instance (EC2 launch type)"},
	{"ecs-container-instance-id", "ecsContainerInstanceId", vpcString, nil, "ID of the ECS container instance"},
	{"ecs-container-id", "ecsContainerId", vpcString, nil, "Docker ID of the task's container"},
	{"ecs-second-container-id", "ecsSecondContainerId", vpcString, nil, "Docker ID of a second container of the task"},
	{"ecs-service-name", "ecsServiceName", vpcString, nil, "ECS service of the task"},
	{"ecs-task-definition-arn", "ecsTaskDefinitionArn", vpcString, nil, "ECS task definition"},
	{"ecs-task-arn", "ecsTaskArn", vpcString, nil, "ECS task"},
	{"ecs-task-id", "ecsTaskId", vpcString, nil, "ID of the ECS task"},
	// version 8
	{"reject-reason", "rejectReason", vpcString, nil, "why traffic was rejected (BPA)"},
}

const vpcDefaultFields = 14

// maxUnixSeconds is 9999-12-31T23:59:59Z: later times do not fit RFC 3339.
const maxUnixSeconds = 253402300799

var vpcByName = func() map[string]*vpcColumn {
	m := make(map[string]*vpcColumn, len(vpcFields))
	for i := range vpcFields {
		m[vpcFields[i].name] = &vpcFields[i]
	}
	return m
}()

func vpcSchema() []parsers.Column {
	out := make([]parsers.Column, len(vpcFields))
	for i, c := range vpcFields {
		typ := "string"
		switch c.kind {
		case vpcInt:
			typ = "bigint"
		case vpcTime:
			typ = "timestamp"
		}
		out[i] = parsers.Column{Name: c.key, Type: typ, Description: c.doc + " (" + c.name + ")"}
	}
	return out
}

type vpcFlowParser struct {
	cols []vpcColumn // from the last header line; nil before one
	toks []token
	b    builder
}

// errVPCNoVersion rejects, before splitting, a line that can be neither a
// header nor a default-format flow: the classifier tries every type on
// every line, and a miss should cost little.
var errVPCNoVersion = errors.New("the line starts with neither a version number (default flow log format) " +
	"nor a field name (header line); files of a custom format must keep the header line AWS writes first")

func (p *vpcFlowParser) Parse(rec []byte, e *event.Event) (bool, error) {
	if p.cols == nil {
		first := rec
		if i := indexByte(rec, ' '); i >= 0 {
			first = rec[:i]
		}
		if _, known := vpcByName[string(first)]; !known && !isDigits(first) {
			return false, errVPCNoVersion
		}
	}
	toks, err := splitFields(rec, p.toks, 0)
	p.toks = toks
	if err != nil {
		return false, err
	}
	if _, known := vpcByName[string(toks[0].b)]; known {
		if cols, ok := vpcHeader(toks); ok {
			p.cols = cols
			return false, nil
		}
	}
	cols, strict := p.cols, false
	if cols == nil {
		cols, strict = vpcFields[:vpcDefaultFields], true
		if len(toks) != vpcDefaultFields {
			return false, fmt.Errorf("%d fields and no header line: the default flow log format has %d "+
				"(version account-id ... log-status); files of a custom format must keep the header line AWS writes first", len(toks), vpcDefaultFields)
		}
	} else if len(toks) != len(cols) {
		return false, fmt.Errorf("%d fields where the header line names %d", len(toks), len(cols))
	}
	b := &p.b
	b.begin(e.Arena())
	start, end := int64(-1), int64(-1)
	for i := range cols {
		c, t := &cols[i], toks[i]
		if t.absent() {
			continue
		}
		switch c.kind {
		case vpcString:
			if strict && c.check != nil && !c.check(t.b) {
				return false, fmt.Errorf("%s: %q is not a valid value", c.name, clip(t.b))
			}
			b.o.Set(c.key, event.NewStringBytes(b.a, t.b))
		case vpcInt:
			if err := b.int(c.key, c.name, t); err != nil {
				return false, err
			}
		case vpcTime:
			n, ok := parseInt(t.b)
			if !ok || n < 0 || n > maxUnixSeconds {
				return false, fmt.Errorf("%s: %q is not a time in unix seconds", c.name, clip(t.b))
			}
			if c.key == "start" {
				start = n
			} else if c.key == "end" {
				end = n
			}
			b.scratch = appendUnixRFC3339(b.scratch[:0], n)
			b.o.Set(c.key, event.NewStringBytes(b.a, b.scratch))
		}
	}
	// A custom format without log-status writes a NODATA interval as
	// dashes only: no event.
	if !b.end(e) {
		return false, nil
	}
	switch {
	case start >= 0:
		e.Time = time.Unix(start, 0).UTC()
	case end >= 0:
		e.Time = time.Unix(end, 0).UTC()
	}
	return true, nil
}

// vpcHeader reads a header line: every word shaped like a field name, at
// least half of them known. Unknown names get the camelCase of the name as
// their key and are kept as strings.
func vpcHeader(toks []token) ([]vpcColumn, bool) {
	known := 0
	for _, t := range toks {
		if !isFieldName(t.b) || t.quoted {
			return nil, false
		}
		if _, ok := vpcByName[string(t.b)]; ok {
			known++
		}
	}
	if known*2 < len(toks) {
		return nil, false
	}
	cols := make([]vpcColumn, len(toks))
	for i, t := range toks {
		if c, ok := vpcByName[string(t.b)]; ok {
			cols[i] = *c
			continue
		}
		name := string(t.b)
		cols[i] = vpcColumn{name: name, key: camelCase(name), kind: vpcString}
	}
	return cols, true
}

// isFieldName: a lower-case letter, then lower-case letters, digits and '-'.
func isFieldName(b []byte) bool {
	if len(b) == 0 || b[0] < 'a' || b[0] > 'z' {
		return false
	}
	for _, c := range b {
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' {
			return false
		}
	}
	return true
}

// camelCase turns a dashed header name into a key: "pkt-src-aws-service"
// -> "pktSrcAwsService".
func camelCase(name string) string {
	parts := strings.Split(name, "-")
	var sb strings.Builder
	for i, p := range parts {
		if p == "" {
			continue
		}
		if i > 0 && sb.Len() > 0 {
			sb.WriteString(strings.ToUpper(p[:1]))
			sb.WriteString(p[1:])
		} else {
			sb.WriteString(p)
		}
	}
	return sb.String()
}

// isIPish is a cheap shape check (hex digits, '.' and ':') that tells
// addresses from the words of other formats; the indicator extractor parses
// the address for real.
func isIPish(b []byte) bool {
	if len(b) < 2 || len(b) > 45 {
		return false
	}
	for _, c := range b {
		switch {
		case c >= '0' && c <= '9', c >= 'a' && c <= 'f', c >= 'A' && c <= 'F', c == '.', c == ':':
		default:
			return false
		}
	}
	return true
}

func isAccountOrUnknown(b []byte) bool {
	return (len(b) == 12 && isDigits(b)) || string(b) == "unknown"
}

func oneOf(values ...string) func([]byte) bool {
	return func(b []byte) bool {
		for _, v := range values {
			if string(b) == v {
				return true
			}
		}
		return false
	}
}

// hasAny is a Detect that accepts events holding at least one of the
// top-level keys.
func hasAny(keys ...string) func(e *event.Event) bool {
	return func(e *event.Event) bool {
		if e.Fields == nil {
			return false
		}
		o, err := e.Fields.Object()
		if err != nil {
			return false
		}
		for _, k := range keys {
			if o.Get(k) != nil {
				return true
			}
		}
		return false
	}
}
