package aws

import (
	"reflect"
	"strings"
	"testing"

	"panther/parsers/event"
	"panther/parsers/parsertest"
)

func TestALBGolden(t *testing.T) {
	t.Parallel()
	reg := parsertest.Registry(t, ALB)
	res := parsertest.Golden(t, reg, ALB, "testdata/alb/basic.log", "testdata/alb/basic.golden.jsonl")
	if len(res.Events) != 9 || len(res.Errors) != 6 {
		t.Fatalf("want 9 events and 6 errors, got %d and %d: %v", len(res.Events), len(res.Errors), res.Errors)
	}
	evs := decodeAll(t, res.Events)
	cases := []struct {
		ev   int
		want map[string]any
	}{
		{0, map[string]any{
			"type": "https", "timestamp": "2024-03-01T12:00:00.123456Z", "p_event_time": "2024-03-01T12:00:00.123456Z",
			"clientIp": "198.51.100.23", "clientPort": 50112.0, "targetIp": "10.0.4.17", "targetPort": 8080.0,
			"requestProcessingTime": 0.001, "elbStatusCode": 200.0, "sentBytes": 2281.0,
			"requestHttpMethod": "GET", "requestUrl": "https://shop.example.com:443/cart?id=7", "requestHttpVersion": "HTTP/1.1",
			"userAgent": "Mozilla/5.0 (X11; Linux x86_64)", "matchedRulePriority": 1.0,
			"actionsExecuted": []any{"forward"}, "targetPortList": []any{"10.0.4.17:8080"},
			"targetStatusCodeList": []any{"200"}, "connTraceId": "TID_0123456789abcdef0123456789abcdef",
			"p_any_domain_names": []any{"shop.example.com"},
			"p_any_ip_addresses": []any{"10.0.4.17", "198.51.100.23"},
			"p_any_trace_ids":    []any{"Root=1-65e1c3a0-0123456789abcdef01234567", "TID_0123456789abcdef0123456789abcdef"},
		}},
		// A client that went away: no target, -1 times, no target status.
		{1, map[string]any{"requestProcessingTime": -1.0, "elbStatusCode": 460.0, "targetIp": nil, "targetStatusCode": nil, "domainName": nil}},
		// IPv6 client in brackets; a session-reused certificate is no ARN.
		{2, map[string]any{"clientIp": "2001:db8::5", "clientPort": 51234.0, "redirectUrl": "https://www.example.com:443/new", "classification": "Acceptable", "p_any_aws_arns": nil}},
		{3, map[string]any{"actionsExecuted": []any{"waf", "forward"}, "errorReason": "LambdaUnhandled", "targetStatusCode": nil}},
		// Escaped quotes in the user agent; space-separated target lists.
		{4, map[string]any{"userAgent": `Mozilla/5.0 "quoted" client`, "targetPortList": []any{"10.0.4.20:9000", "10.0.4.21:9000"}, "targetStatusCodeList": []any{"503", "101"}}},
		// The 2025 rewrite fields, then one this parser does not know.
		{5, map[string]any{"transformedHost": "backend.internal.example.com", "transformedUri": "/v2/a/b", "requestTransformStatus": "TransformSucceeded", "additionalFields": []any{"future-value"}}},
		// A 2016 line that stops at trace_id.
		{6, map[string]any{"traceId": "Root=1-57ab87d0-0123456789abcdef0123456d", "domainName": nil, "p_event_time": "2016-08-10T20:00:00Z"}},
		// A request ALB could not parse: "- - -".
		{7, map[string]any{"requestHttpMethod": nil, "requestUrl": nil, "classificationReason": "AmbiguousUri", "userAgent": nil}},
	}
	for _, c := range cases {
		for k, want := range c.want {
			if got := evs[c.ev][k]; !reflect.DeepEqual(got, want) {
				t.Errorf("event %d: %s = %#v, want %#v", c.ev+1, k, got, want)
			}
		}
	}
	for i, want := range []string{"line 9: type", "line 10: type", "line 11: field 14: the quote", "line 12: time", "line 13: target_processing_time", "line 14: client:port"} {
		if !strings.HasPrefix(res.Errors[i], want) {
			t.Errorf("error %d = %q, want it to start with %q", i+1, res.Errors[i], want)
		}
	}
}

func TestALBHostPort(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in, ip string
		port   float64
		err    bool
	}{
		{"192.0.2.1:80", "192.0.2.1", 80, false},
		{"[2001:db8::1]:443", "2001:db8::1", 443, false},
		{"2001:db8::1:443", "2001:db8::1", 443, false},
		{"192.0.2.1", "", 0, true},
		{"192.0.2.1:", "", 0, true},
		{"192.0.2.1:99999", "", 0, true},
		{"host.example:80", "", 0, true},
	}
	for _, c := range cases {
		e := event.New()
		var b builder
		b.begin(e.Arena())
		err := b.hostPort("ip", "port", "client:port", token{b: []byte(c.in)}, true)
		if (err != nil) != c.err {
			t.Errorf("%q: err = %v", c.in, err)
		} else if !c.err {
			b.end(e)
			if ip := string(e.Fields.GetStringBytes("ip")); ip != c.ip || e.Fields.GetFloat64("port") != c.port {
				t.Errorf("%q: %s", c.in, e)
			}
		}
		e.Release()
	}
}

func FuzzALB(f *testing.F) {
	reg := parsertest.Registry(f, ALB)
	parsertest.Fuzz(f, reg, ALB, parsertest.SeedLines(f, "testdata/alb/basic.log")...)
}

func BenchmarkALB(b *testing.B) {
	reg := parsertest.Registry(b, ALB)
	recs := repeatLines(validLines(b, ALB, "testdata/alb/basic.log"), 100)
	b.Run("parse+normalise", func(b *testing.B) { parsertest.Bench(b, reg, ALB, recs) })
	b.Run("parse-only", func(b *testing.B) { benchParse(b, ALB, recs) })
}
