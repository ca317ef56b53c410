package aws

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"panther/parsers"
	"panther/parsers/event"
	"panther/parsers/parsertest"
)

func TestCloudTrailGolden(t *testing.T) {
	reg := parsertest.Registry(t, CloudTrail)
	res := parsertest.Golden(t, reg, CloudTrail, "testdata/cloudtrail/basic.jsonl", "testdata/cloudtrail/basic.golden.jsonl")
	if len(res.Events) != 4 || len(res.Errors) != 2 {
		t.Fatalf("want 4 events and 2 errors, got %d and %d: %v", len(res.Events), len(res.Errors), res.Errors)
	}
	// Spot checks that do not depend on the golden file.
	var ev map[string]any
	if err := json.Unmarshal(res.Events[1], &ev); err != nil {
		t.Fatal(err)
	}
	if got := ev["p_event_time"]; got != "2024-03-01T12:05:30.5Z" {
		t.Errorf("p_event_time = %v", got)
	}
	if got := ev["p_any_aws_instance_ids"]; !equalList(got, "i-0123456789abcdef0") {
		t.Errorf("instance ids = %v", got)
	}
	if got := ev["p_any_domain_names"]; !equalList(got, "ec2.amazonaws.com", "ec2.eu-west-1.amazonaws.com") {
		t.Errorf("domains = %v", got)
	}
	if got := ev["p_any_aws_arns"]; !equalList(got, "arn:aws:ec2:eu-west-1:123456789012:instance/i-0123456789abcdef0", "arn:aws:iam::123456789012:role/Admin", "arn:aws:sts::123456789012:assumed-role/Admin/session-x") {
		t.Errorf("arns = %v", got)
	}
	if err := json.Unmarshal(res.Events[3], &ev); err != nil {
		t.Fatal(err)
	}
	if got := ev["p_event_time"]; got != parsertest.ParseTime.Format(time.RFC3339Nano) {
		t.Errorf("an unreadable eventTime must fall back to the parse time, got %v", got)
	}
}

func equalList(v any, want ...string) bool {
	l, ok := v.([]any)
	if !ok || len(l) != len(want) {
		return false
	}
	for i := range l {
		if l[i] != want[i] {
			return false
		}
	}
	return true
}

func FuzzCloudTrail(f *testing.F) {
	reg := parsertest.Registry(f, CloudTrail)
	parsertest.Fuzz(f, reg, CloudTrail, parsertest.SeedLines(f, "testdata/cloudtrail/basic.jsonl")...)
}

// Every event of the real OTRF sample parses, with p_event_time equal to its
// eventTime and its source IP among the indicators.
func TestCloudTrailRealSample(t *testing.T) {
	path := parsertest.SharedData(t, "cloudtrail/otrf_ec2_proxy_s3_exfiltration.json.gz")
	reg := parsertest.Registry(t, CloudTrail)
	n := 0
	for i, rec := range parsertest.GzLines(t, path) {
		e := event.New()
		ok, err := CloudTrail.NewParser().Parse(rec, e)
		if err != nil || !ok || !CloudTrail.Detect(e) {
			t.Fatalf("line %d: ok=%v err=%v", i+1, ok, err)
		}
		if err := reg.Normalise(CloudTrail, e, parsers.Source{File: path}, int64(i+1), time.Now()); err != nil {
			t.Fatal(err)
		}
		ts := e.Fields.GetStringBytes("eventTime")
		if ts == nil {
			ts = e.Fields.GetStringBytes("@timestamp") // a Logstash export
		}
		want, err := time.Parse(time.RFC3339, string(ts))
		if err != nil {
			t.Fatalf("line %d: test data: %v", i+1, err)
		}
		if !e.Time.Equal(want) {
			t.Errorf("line %d: p_event_time %v, eventTime %v", i+1, e.Time, want)
		}
		ip := string(e.Fields.GetStringBytes("sourceIPAddress"))
		found := false
		for _, x := range append(e.Indicators[event.IP], e.Indicators[event.Domain]...) {
			found = found || x == ip
		}
		if !found {
			t.Errorf("line %d: sourceIPAddress %q not in indicators", i+1, ip)
		}
		e.Release()
		n++
	}
	if n != 103 {
		t.Errorf("parsed %d events, want 103", n)
	}
}

// The CloudTrail events of Panther's public tests parse once their p_
// fields are removed.
func TestCloudTrailPantherAnalysisEvents(t *testing.T) {
	path := parsertest.SharedData(t, "panther-analysis-tests/AWS.CloudTrail.tests.jsonl.gz")
	reg := parsertest.Registry(t, CloudTrail)
	for i, rec := range parsertest.GzLines(t, path) {
		var line struct{ Log map[string]any }
		if err := json.Unmarshal(rec, &line); err != nil {
			t.Fatal(err)
		}
		for k := range line.Log {
			if strings.HasPrefix(k, "p_") {
				delete(line.Log, k)
			}
		}
		raw, _ := json.Marshal(line.Log)
		e := event.New()
		ok, err := CloudTrail.NewParser().Parse(raw, e)
		if err == nil && ok {
			err = reg.Normalise(CloudTrail, e, parsers.Source{File: path}, int64(i+1), time.Now())
		}
		if err != nil || !ok {
			t.Errorf("line %d: ok=%v err=%v", i+1, ok, err)
		}
		e.Release()
	}
}

func BenchmarkCloudTrail(b *testing.B) {
	reg := parsertest.Registry(b, CloudTrail)
	parsertest.Bench(b, reg, CloudTrail, parsertest.SeedLines(b, "testdata/cloudtrail/basic.jsonl")[:3])
}
