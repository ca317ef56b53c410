// Package event holds the normalised event every parser produces and every
// consumer (the detection engine, the lake writer, `panther parse`) reads.
//
// An event is a JSON object — the source's own fields — plus the standard
// `p_` fields (docs/parsing.md), kept apart in typed
// Go fields so that they cost nothing to read and cannot be confused with
// source data.
//
// The object is held as a github.com/valyala/fastjson tree. We chose it from
// measurements, not taste: parsing the CloudTrail events of Panther's public
// test corpus (one object a line, 653 KB, single core) gave
//
//	encoding/json into map[string]any   78 MB/s   60,522 allocs
//	json-iterator into map              142 MB/s   75,652 allocs
//	goccy/go-json into map              219 MB/s   49,108 allocs
//	sonic into map                      246 MB/s   23,294 allocs
//	sonic ast.Node (LoadAll)            299 MB/s    3,829 allocs
//	simdjson-go (tape)                  587 MB/s      463 allocs
//	fastjson Parser                    1092 MB/s        0 allocs
//
// (go test -bench on the machine of the README, Nov 2026). fastjson also gives
// an arena to build objects for text formats, ordered keys, in-place
// unescaping and a fast marshaller, which is all the engine and the lake need.
//
// The price is ownership: a fastjson value lives in the buffers of the Parser
// or Arena that made it. Every Event therefore owns one of each, from a pool,
// and gives them back on Release. Nothing may keep a *fastjson.Value of an
// event after Release.
package event

import (
	"errors"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/valyala/fastjson"
)

// Kind is a kind of indicator, one `p_any_*` list.
type Kind uint8

// The indicator kinds, in the order of their columns.
const (
	IP Kind = iota
	Domain
	Username
	Email
	AWSAccountID
	AWSARN
	AWSInstanceID
	MD5
	SHA1
	SHA256
	TraceID
	NumKinds
)

var kindFields = [NumKinds]string{
	IP:            "p_any_ip_addresses",
	Domain:        "p_any_domain_names",
	Username:      "p_any_usernames",
	Email:         "p_any_emails",
	AWSAccountID:  "p_any_aws_account_ids",
	AWSARN:        "p_any_aws_arns",
	AWSInstanceID: "p_any_aws_instance_ids",
	MD5:           "p_any_md5_hashes",
	SHA1:          "p_any_sha1_hashes",
	SHA256:        "p_any_sha256_hashes",
	TraceID:       "p_any_trace_ids",
}

var kindNames = [NumKinds]string{
	IP:            "ip",
	Domain:        "domain",
	Username:      "username",
	Email:         "email",
	AWSAccountID:  "aws_account_id",
	AWSARN:        "aws_arn",
	AWSInstanceID: "aws_instance_id",
	MD5:           "md5",
	SHA1:          "sha1",
	SHA256:        "sha256",
	TraceID:       "trace_id",
}

// Field is the `p_any_*` field name of the kind.
func (k Kind) Field() string { return kindFields[k] }

// String is the short name used in log type declarations ("ip", "aws_arn").
func (k Kind) String() string {
	if k < NumKinds {
		return kindNames[k]
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// KindByName returns the kind for a short name ("ip") or a field name
// ("p_any_ip_addresses").
func KindByName(name string) (Kind, bool) {
	for k := Kind(0); k < NumKinds; k++ {
		if kindNames[k] == name || kindFields[k] == name {
			return k, true
		}
	}
	return 0, false
}

// Standard field names.
const (
	FieldLogType     = "p_log_type"
	FieldEventTime   = "p_event_time"
	FieldParseTime   = "p_parse_time"
	FieldRowID       = "p_row_id"
	FieldSourceFile  = "p_source_file"
	FieldSourceLabel = "p_source_label"
)

// TimeLayout is how `p_event_time` and `p_parse_time` are written: RFC 3339
// in UTC with as many fractional digits as needed.
const TimeLayout = time.RFC3339Nano

// Event is one normalised event.
type Event struct {
	LogType     string
	Time        time.Time // p_event_time, UTC
	ParseTime   time.Time // p_parse_time, UTC
	RowID       string
	SourceFile  string
	SourceLabel string
	// Line is the 1-based line (or record) of the source the event came from.
	// It is not a p_ field; it makes error messages and dead letters precise.
	Line int
	// Indicators are the p_any_* lists. Use Add; Finish sorts and dedups them.
	// Like Fields, their strings may share the event's buffers: they are
	// valid until Release, and whatever keeps them longer copies them.
	Indicators [NumKinds][]string
	// Fields is the source's own fields: always an object once set.
	Fields *fastjson.Value

	p *fastjson.Parser
	a *fastjson.Arena
}

var pool = sync.Pool{New: func() any { return &Event{p: new(fastjson.Parser), a: new(fastjson.Arena)} }}

// New returns an empty event from the pool. Call Release when done with it.
func New() *Event { return pool.Get().(*Event) }

// Release resets e and returns it to the pool; e must not be used after.
func (e *Event) Release() {
	p, a := e.p, e.a
	a.Reset()
	ind := e.Indicators
	*e = Event{p: p, a: a}
	for k := range ind {
		e.Indicators[k] = ind[k][:0]
	}
	pool.Put(e)
}

// Arena is e's arena, for building Fields of text formats.
func (e *Event) Arena() *fastjson.Arena { return e.a }

// ParseJSON parses b (which e does not keep) as e's Fields. b must hold one
// JSON object.
func (e *Event) ParseJSON(b []byte) error {
	if !mayBeJSON(b) {
		return ErrNotJSON
	}
	v, err := e.p.ParseBytes(b)
	if err != nil {
		return err
	}
	if v.Type() != fastjson.TypeObject {
		return &NotObjectError{Type: v.Type()}
	}
	e.Fields = v
	return nil
}

// ErrNotJSON is returned for a record that cannot start a JSON value (a
// text log line): a fixed error, because the classifier tries every JSON
// family on every line of a text file until it has learnt the source, and
// fastjson's error, which quotes the record, cost more than the rest of
// the miss.
var ErrNotJSON = errors.New("cannot parse JSON: a record must be a JSON object, starting with '{'")

// mayBeJSON tells whether b's first byte after blanks can start a JSON
// value.
func mayBeJSON(b []byte) bool {
	for _, c := range b {
		switch c {
		case ' ', '\t', '\n', '\r':
			continue
		case '{', '[', '"', '-', 't', 'f', 'n', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
			return true
		}
		return false
	}
	return true // empty: fastjson says so
}

// NotObjectError is returned for JSON that is valid but not an object.
type NotObjectError struct{ Type fastjson.Type }

func (e *NotObjectError) Error() string { return "expected a JSON object, got " + e.Type.String() }

// Add records an indicator value; empty values are ignored.
func (e *Event) Add(k Kind, v string) {
	if v == "" || k >= NumKinds {
		return
	}
	e.Indicators[k] = append(e.Indicators[k], v)
}

// Finish sorts and dedups the indicator lists; call it once all are added.
func (e *Event) Finish() {
	for k := range e.Indicators {
		if l := e.Indicators[k]; len(l) > 1 {
			slices.Sort(l)
			e.Indicators[k] = slices.Compact(l)
		}
	}
}

// Meta returns the value of a standard p_ field as JSON-compatible Go
// (string or []string); ok is false for a name that is not one, or one that
// is unset.
func (e *Event) Meta(name string) (s string, list []string, ok bool) {
	switch name {
	case FieldLogType:
		return e.LogType, nil, e.LogType != ""
	case FieldEventTime:
		if e.Time.IsZero() {
			return "", nil, false
		}
		return e.Time.UTC().Format(TimeLayout), nil, true
	case FieldParseTime:
		if e.ParseTime.IsZero() {
			return "", nil, false
		}
		return e.ParseTime.UTC().Format(TimeLayout), nil, true
	case FieldRowID:
		return e.RowID, nil, e.RowID != ""
	case FieldSourceFile:
		return e.SourceFile, nil, e.SourceFile != ""
	case FieldSourceLabel:
		return e.SourceLabel, nil, e.SourceLabel != ""
	}
	if k, ok := KindByName(name); ok && name == kindFields[k] {
		return "", e.Indicators[k], len(e.Indicators[k]) > 0
	}
	return "", nil, false
}

// AppendJSON appends e as one JSON object: the source fields in their order,
// then the standard fields that are set (a p_ field already present in the
// source fields, as in hand-written test events, is kept and not repeated).
func (e *Event) AppendJSON(dst []byte) []byte {
	dst = append(dst, '{')
	n := 0
	var obj *fastjson.Object
	if e.Fields != nil {
		obj, _ = e.Fields.Object()
	}
	obj.Visit(func(k []byte, v *fastjson.Value) {
		if n > 0 {
			dst = append(dst, ',')
		}
		dst = AppendString(dst, b2s(k))
		dst = append(dst, ':')
		dst = AppendValue(dst, v)
		n++
	})
	has := func(name string) bool { return obj != nil && obj.Get(name) != nil }
	str := func(name, val string) {
		if val == "" || has(name) {
			return
		}
		if n > 0 {
			dst = append(dst, ',')
		}
		dst = AppendString(dst, name)
		dst = append(dst, ':')
		dst = AppendString(dst, val)
		n++
	}
	str(FieldLogType, e.LogType)
	tstr := func(name string, t time.Time) {
		if t.IsZero() || has(name) {
			return
		}
		if n > 0 {
			dst = append(dst, ',')
		}
		dst = AppendString(dst, name)
		dst = append(dst, ':', '"')
		dst = t.UTC().AppendFormat(dst, TimeLayout)
		dst = append(dst, '"')
		n++
	}
	tstr(FieldEventTime, e.Time)
	tstr(FieldParseTime, e.ParseTime)
	str(FieldRowID, e.RowID)
	str(FieldSourceFile, e.SourceFile)
	str(FieldSourceLabel, e.SourceLabel)
	for k := range e.Indicators {
		l := e.Indicators[k]
		if len(l) == 0 || has(kindFields[k]) {
			continue
		}
		if n > 0 {
			dst = append(dst, ',')
		}
		dst = AppendString(dst, kindFields[k])
		dst = append(dst, ':', '[')
		for i, s := range l {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = AppendString(dst, s)
		}
		dst = append(dst, ']')
		n++
	}
	return append(dst, '}')
}

// String returns e as JSON, for debugging and tests.
func (e *Event) String() string { return string(e.AppendJSON(nil)) }
