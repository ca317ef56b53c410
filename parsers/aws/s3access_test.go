package aws

import (
	"reflect"
	"strings"
	"testing"

	"panther/parsers/parsertest"
)

func TestS3ServerAccessGolden(t *testing.T) {
	t.Parallel()
	reg := parsertest.Registry(t, S3ServerAccess)
	res := parsertest.Golden(t, reg, S3ServerAccess, "testdata/s3access/basic.log", "testdata/s3access/basic.golden.jsonl")
	if len(res.Events) != 7 || len(res.Errors) != 6 {
		t.Fatalf("want 7 events and 6 errors, got %d and %d: %v", len(res.Events), len(res.Errors), res.Errors)
	}
	evs := decodeAll(t, res.Events)
	cases := []struct {
		ev   int
		want map[string]any
	}{
		{0, map[string]any{
			"bucketowner": "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be", "bucket": "logs-bucket-a",
			"time": "2024-03-01T12:00:00Z", "p_event_time": "2024-03-01T12:00:00Z", "remoteip": "198.51.100.7",
			"requester": "arn:aws:iam::123456789012:user/alice", "operation": "REST.GET.OBJECT", "key": "reports/2024/q1.csv",
			"requesturi": "GET /logs-bucket-a/reports/2024/q1.csv HTTP/1.1", "httpstatus": 200.0, "errorcode": nil,
			"bytessent": 10240.0, "totaltime": 25.0, "turnaroundtime": 12.0, "referrer": nil, "useragent": "aws-cli/2.15.0 Python/3.11.6",
			"signatureversion": "SigV4", "tlsVersion": "TLSv1.2", "accesspointarn": nil, "sourceregion": "eu-west-1",
			"p_any_ip_addresses": []any{"198.51.100.7"}, "p_any_aws_arns": []any{"arn:aws:iam::123456789012:user/alice"},
			"p_any_domain_names": []any{"logs-bucket-a.s3.eu-west-1.amazonaws.com"},
		}},
		// A -0500 time is converted to UTC; anonymous requester left out.
		{1, map[string]any{"time": "2024-03-01T17:00:05Z", "requester": nil, "errorcode": "AccessDenied", "httpstatus": 403.0, "referrer": "https://evil.example.net/"}},
		// The oldest layout stops at the version id.
		{2, map[string]any{"operation": "REST.GET.VERSIONING", "hostid": nil, "p_event_time": "2012-02-06T00:00:38Z"}},
		// 24 fields; an assumed role with an instance session name.
		{3, map[string]any{"tlsVersion": "TLSv1.2", "accesspointarn": nil, "key": "incoming/2024/03/01/batch%2B1.json.gz", "p_any_aws_account_ids": []any{"123456789012"}}},
		{4, map[string]any{"remoteip": "2001:db8:4::1", "useragent": `Boto3/1.34.0 "custom" agent`, "aclrequired": "Yes", "sourceregion": "us-east-1",
			"accesspointarn": "arn:aws:s3:eu-west-1:123456789012:accesspoint/partner-ap", "p_any_aws_account_ids": []any{"123456789012", "210987654321"}}},
		{5, map[string]any{"operation": "BATCH.DELETE.OBJECT", "httpstatus": 204.0, "bytessent": nil, "additionalFields": []any{"future-1", "future two"}}},
	}
	for _, c := range cases {
		for k, want := range c.want {
			if got := evs[c.ev][k]; !reflect.DeepEqual(got, want) {
				t.Errorf("event %d: %s = %#v, want %#v", c.ev+1, k, got, want)
			}
		}
	}
	for i, want := range []string{"line 7: time", "line 8: time", "line 9: HTTP status", "line 10: request-uri", "line 11: time", "line 12: field 3: the bracket"} {
		if !strings.HasPrefix(res.Errors[i], want) {
			t.Errorf("error %d = %q, want it to start with %q", i+1, res.Errors[i], want)
		}
	}
}

// Every key the S3 access events of Panther's public detections use is a
// column of ours.
func TestS3ServerAccessPantherNames(t *testing.T) {
	t.Parallel()
	// Three of those tests spell tlsVersion in lower case, which Panther's
	// own parser never produced.
	checkPantherNames(t, S3ServerAccess, "panther-analysis-tests/AWS.S3ServerAccess.tests.jsonl.gz", map[string]bool{"tlsversion": true})
}

func FuzzS3ServerAccess(f *testing.F) {
	reg := parsertest.Registry(f, S3ServerAccess)
	parsertest.Fuzz(f, reg, S3ServerAccess, parsertest.SeedLines(f, "testdata/s3access/basic.log")...)
}

func BenchmarkS3ServerAccess(b *testing.B) {
	reg := parsertest.Registry(b, S3ServerAccess)
	recs := repeatLines(validLines(b, S3ServerAccess, "testdata/s3access/basic.log"), 100)
	b.Run("parse+normalise", func(b *testing.B) { parsertest.Bench(b, reg, S3ServerAccess, recs) })
	b.Run("parse-only", func(b *testing.B) { benchParse(b, S3ServerAccess, recs) })
}
