package aws

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"panther/parsers"
	"panther/parsers/event"
	"panther/parsers/parsertest"
)

func TestGuardDutyGolden(t *testing.T) {
	t.Parallel()
	reg := parsertest.Registry(t, GuardDuty)
	res := parsertest.Golden(t, reg, GuardDuty, "testdata/guardduty/basic.jsonl", "testdata/guardduty/basic.golden.jsonl")
	if len(res.Events) != 8 || len(res.Errors) != 2 {
		t.Fatalf("want 8 events and 2 errors, got %d and %d: %v", len(res.Events), len(res.Errors), res.Errors)
	}
	evs := decodeAll(t, res.Events)
	cases := []struct {
		ev   int
		want map[string]any
	}{
		{0, map[string]any{
			"type": "Recon:EC2/PortProbeUnprotectedPort", "p_event_time": "2024-03-01T12:00:00Z",
			"p_any_ip_addresses":     []any{"10.0.1.5", "198.51.100.200", "198.51.100.201", "203.0.113.80"},
			"p_any_aws_instance_ids": []any{"i-0123456789abcdef0"},
			"p_any_domain_names":     []any{"ec2-203-0-113-80.eu-west-1.compute.amazonaws.com", "ip-10-0-1-5.eu-west-1.compute.internal"},
			"p_any_aws_arns": []any{"arn:aws:guardduty:eu-west-1:123456789012:detector/12abc34d567e8fa901bc2d34e56789f0/finding/1ac6a1c2b2d64c3b9d0e1f2a3b4c5d61",
				"arn:aws:iam::123456789012:instance-profile/web"},
		}},
		{1, map[string]any{"p_any_usernames": []any{"alice"}, "p_any_ip_addresses": []any{"192.0.2.66"}}},
		// The EventBridge envelope is unwrapped: the event is the finding.
		{2, map[string]any{"detail-type": nil, "detail": nil, "type": "Backdoor:EC2/C&CActivity.B!DNS",
			"p_event_time": "2024-03-01T12:30:00.5Z", "p_any_domain_names": []any{"c2.bad-example.net", "ec2-203-0-113-80.eu-west-1.compute.amazonaws.com", "ip-10-0-1-5.eu-west-1.compute.internal"},
			"p_any_aws_instance_ids": []any{"i-0fedcba9876543210"}}},
		{3, map[string]any{"p_any_ip_addresses": []any{"10.0.1.5", "203.0.113.250", "203.0.113.80"}}},
		{4, map[string]any{"p_any_aws_account_ids": []any{"123456789012", "210987654321"}, "p_any_usernames": []any{"Admin"},
			"p_any_aws_arns": []any{"arn:aws:guardduty:eu-west-1:123456789012:detector/12abc34d567e8fa901bc2d34e56789f0/finding/5ea0e5a6f6b08a7fd14c5d6e7f8a9b05", "arn:aws:s3:::shared-data"}}},
		{5, map[string]any{"p_any_ip_addresses": []any{"203.0.113.33"}, "p_any_usernames": []any{"system:anonymous"}}},
		// No updatedAt: service.eventLastSeen gives the time.
		{6, map[string]any{"p_event_time": "2024-03-01T13:45:00Z", "p_any_sha256_hashes": []any{"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}}},
		// An envelope whose detail is not an object stays as it is.
		{7, map[string]any{"detail": "not an object", "p_event_time": parsertest.ParseTime.Format(time.RFC3339)}},
	}
	for _, c := range cases {
		for k, want := range c.want {
			if got := evs[c.ev][k]; !reflect.DeepEqual(got, want) {
				t.Errorf("event %d: %s = %#v, want %#v", c.ev+1, k, got, want)
			}
		}
	}
}

// The GuardDuty events of Panther's public detection tests parse, pass
// Detect, take their time from updatedAt, and use only names of our schema.
func TestGuardDutyPantherAnalysisEvents(t *testing.T) {
	t.Parallel()
	checkPantherNames(t, GuardDuty, "panther-analysis-tests/AWS.GuardDuty.tests.jsonl.gz", nil)
	path := parsertest.SharedData(t, "panther-analysis-tests/AWS.GuardDuty.tests.jsonl.gz")
	reg := parsertest.Registry(t, GuardDuty)
	for i, rec := range parsertest.GzLines(t, path) {
		e := event.New()
		ok, err := GuardDuty.NewParser().Parse(rec, e)
		if err != nil || !ok {
			t.Fatalf("line %d: ok=%v err=%v", i+1, ok, err)
		}
		log := e.Fields.Get("log")
		if log == nil {
			t.Fatalf("line %d: no log", i+1)
		}
		e.Fields = log // the test harness line wraps the event
		if !GuardDuty.Detect(e) {
			t.Errorf("line %d: Detect rejects a GuardDuty finding", i+1)
		}
		if err := reg.Normalise(GuardDuty, e, parsers.Source{File: path}, int64(i+1), parsertest.ParseTime); err != nil {
			t.Fatal(err)
		}
		want, ok := parsers.ParseRFC3339ish(string(log.GetStringBytes("updatedAt")))
		if !ok || !e.Time.Equal(want) {
			t.Errorf("line %d: p_event_time %v, updatedAt %s", i+1, e.Time, log.GetStringBytes("updatedAt"))
		}
		if !strings.HasPrefix(e.Indicators[event.AWSARN][0], "arn:aws:guardduty:") {
			t.Errorf("line %d: arns %v", i+1, e.Indicators[event.AWSARN])
		}
		e.Release()
	}
}

func FuzzGuardDuty(f *testing.F) {
	reg := parsertest.Registry(f, GuardDuty)
	parsertest.Fuzz(f, reg, GuardDuty, parsertest.SeedLines(f, "testdata/guardduty/basic.jsonl")...)
}

func BenchmarkGuardDuty(b *testing.B) {
	reg := parsertest.Registry(b, GuardDuty)
	recs := repeatLines(validLines(b, GuardDuty, "testdata/guardduty/basic.jsonl")[:7], 20)
	b.Run("parse+normalise", func(b *testing.B) { parsertest.Bench(b, reg, GuardDuty, recs) })
	b.Run("parse-only", func(b *testing.B) { benchParse(b, GuardDuty, recs) })
}
