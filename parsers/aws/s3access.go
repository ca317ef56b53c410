package aws

import (
	"errors"
	"fmt"
	"time"

	"panther/parsers"
	"panther/parsers/event"
)

// S3ServerAccess is AWS.S3ServerAccess: S3 server access logs as delivered
// to a bucket, one request a line of space-separated fields, with a
// [bracketed] time, "quoted" request URI, referrer and user agent, and `-`
// for a value that is unknown or does not apply (left out of the event).
//
// Field names are Panther's (bucketowner, remoteip, requesturi, httpstatus,
// ..., all lower case but tlsVersion). The time, `[06/Feb/2019:00:00:38
// +0000]` in the log, is written as RFC 3339 and is the event time. Counts
// and durations are integers. S3 has appended fields over the years (host
// id through TLS version, then the access point ARN, aclRequired and the
// source region): lines that stop after the version id are read, and fields
// after the last one known here are kept in order in additionalFields.
//
// The parser checks what sets the format apart (the bracketed time in third
// place, a quoted request URI, numeric status and counts), so that Apache,
// ALB or VPC flow lines are not taken for S3 ones.
//
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/LogFormat.html
var S3ServerAccess = &parsers.LogType{
	Name:        "AWS.S3ServerAccess",
	Description: "Requests made to S3 buckets (server access logs)",
	Reference:   "https://docs.aws.amazon.com/AmazonS3/latest/userguide/LogFormat.html",
	NewParser:   parsers.JSONExport(s3Schema(), func() parsers.Parser { return &s3AccessParser{} }),
	Detect:      parsers.HasAll("bucket", "time", "operation"),
	TimeFields:  []parsers.TimeField{{Path: "time", Format: "rfc3339"}},
	Indicators: []parsers.Indicator{
		{Path: "remoteip", Kind: "ip"},
		{Path: "requester", Kind: "aws_arn"},
		{Path: "accesspointarn", Kind: "aws_arn"},
		{Path: "hostheader", Kind: "hostname"},
	},
	Schema: s3Schema(),
	Sample: `79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be logs-bucket-a [01/Mar/2024:12:00:00 +0000] 198.51.100.7 arn:aws:iam::123456789012:user/alice 3E57427F3EXAMPLE REST.GET.OBJECT reports/2024/q1.csv "GET /logs-bucket-a/reports/2024/q1.csv HTTP/1.1" 200 - 10240 10240 25 12 "-" "aws-cli/2.15.0" - s9lzHYrFp76ZVxRcpX9+5cjAnEH2ROuNkd2BHfIa6UkFVdtjf5mKR3/eTPFvsiP/XV/VLi31234= SigV4 ECDHE-RSA-AES128-GCM-SHA256 AuthHeader logs-bucket-a.s3.eu-west-1.amazonaws.com TLSv1.2 - - eu-west-1`,
}

// s3MinFields: bucket owner ... version id, the layout of the oldest logs.
const s3MinFields = 18

type s3Kind uint8

const (
	s3String s3Kind = iota
	s3Int
	s3Time
	s3Quoted // must be quoted (request-uri, referer, user-agent)
)

var s3Fields = []struct {
	name string // as AWS documents it, for errors
	key  string
	kind s3Kind
	doc  string
}{
	{"bucket owner", "bucketowner", s3String, "canonical user ID of the bucket's owner"},
	{"bucket", "bucket", s3String, "bucket the request was made to"},
	{"time", "time", s3Time, "when the request was received"},
	{"remote IP", "remoteip", s3String, "apparent address of the requester"},
	{"requester", "requester", s3String, "canonical user ID or IAM ARN of the requester; absent when unauthenticated"},
	{"request ID", "requestid", s3String, ""},
	{"operation", "operation", s3String, "SOAP.operation, REST.HTTP_method.resource_type, WEBSITE.HTTP_method.resource_type or BATCH.DELETE.OBJECT"},
	{"key", "key", s3String, "object key, URL-encoded"},
	{"request-uri", "requesturi", s3Quoted, "request line"},
	{"HTTP status", "httpstatus", s3Int, ""},
	{"error code", "errorcode", s3String, "S3 error code"},
	{"bytes sent", "bytessent", s3Int, "response bytes, without HTTP overhead"},
	{"object size", "objectsize", s3Int, ""},
	{"total time", "totaltime", s3Int, "milliseconds the request was in flight, server side"},
	{"turn-around time", "turnaroundtime", s3Int, "milliseconds S3 spent processing the request"},
	{"referer", "referrer", s3Quoted, ""},
	{"user-agent", "useragent", s3Quoted, ""},
	{"version id", "versionid", s3String, ""},
	{"host id", "hostid", s3String, "x-amz-id-2 (extended request ID)"},
	{"signature version", "signatureversion", s3String, "SigV2 or SigV4"},
	{"cipher suite", "ciphersuite", s3String, ""},
	{"authentication type", "authenticationtype", s3String, "AuthHeader, QueryString"},
	{"host header", "hostheader", s3String, "endpoint used to reach S3"},
	{"TLS version", "tlsVersion", s3String, ""},
	{"access point ARN", "accesspointarn", s3String, ""},
	{"aclRequired", "aclrequired", s3String, "Yes when an ACL was required to authorise the request"},
	{"source region", "sourceregion", s3String, "AWS Region the request came from"},
}

func s3Schema() []parsers.Column {
	out := make([]parsers.Column, 0, len(s3Fields)+1)
	for _, f := range s3Fields {
		typ := "string"
		switch f.kind {
		case s3Int:
			typ = "bigint"
		case s3Time:
			typ = "timestamp"
		}
		out = append(out, parsers.Column{Name: f.key, Type: typ, Description: f.doc})
	}
	return append(out, parsers.Column{Name: "additionalFields", Type: "array<string>", Description: "fields after the last one known to this parser"})
}

type s3AccessParser struct {
	toks []token
	b    builder
}

// s3TimeLayout is the time as S3 writes it, without its brackets.
const s3TimeLayout = "02/Jan/2006:15:04:05 -0700"

// errS3Time rejects, before splitting, a line whose third field is not
// bracketed: the classifier tries every type on every line, and a miss
// should cost little.
var errS3Time = errors.New("time: the third field is not a [time] such as [06/Feb/2019:00:00:38 +0000]")

func (p *s3AccessParser) Parse(rec []byte, e *event.Event) (bool, error) {
	if !thirdFieldBracketed(rec) {
		return false, errS3Time
	}
	toks, err := splitFields(rec, p.toks, splitQuotes|splitBrackets)
	p.toks = toks
	if err != nil {
		return false, err
	}
	if len(toks) < s3MinFields {
		return false, fmt.Errorf("%d fields: an S3 server access log line has at least %d (bucket-owner bucket [time] remote-ip ... version-id)", len(toks), s3MinFields)
	}
	b := &p.b
	b.begin(e.Arena())
	for i, f := range s3Fields {
		if i >= len(toks) {
			break
		}
		t := toks[i]
		switch f.kind {
		case s3String:
			if t.quoted && i < s3MinFields {
				return false, fmt.Errorf("%s: a quoted value where S3 writes none", f.name)
			}
			b.str(f.key, t)
		case s3Quoted:
			if !t.quoted && !t.absent() {
				return false, fmt.Errorf("%s: %q is not quoted", f.name, clip(t.b))
			}
			b.str(f.key, t)
		case s3Int:
			err = b.int(f.key, f.name, t)
		case s3Time:
			var ts time.Time
			ts, err = time.Parse(s3TimeLayout, view(t.b))
			if err != nil {
				return false, fmt.Errorf("time: %q is not a time such as [06/Feb/2019:00:00:38 +0000]", clip(t.b))
			}
			e.Time = ts.UTC()
			b.scratch = e.Time.AppendFormat(b.scratch[:0], time.RFC3339Nano)
			b.o.Set(f.key, event.NewStringBytes(b.a, b.scratch))
		}
		if err != nil {
			return false, err
		}
	}
	if len(toks) > len(s3Fields) {
		b.extra("additionalFields", toks[len(s3Fields):])
	}
	b.end(e)
	return true, nil
}

// thirdFieldBracketed: "owner bucket [time ...", the fields separated by
// single spaces as S3 writes them (owner and bucket hold no space).
func thirdFieldBracketed(rec []byte) bool {
	i := indexByte(rec, ' ')
	if i <= 0 {
		return false
	}
	j := indexByte(rec[i+1:], ' ')
	if j <= 0 {
		return false
	}
	k := i + 1 + j + 1
	return k < len(rec) && rec[k] == '['
}
