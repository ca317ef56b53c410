package replay_test

import (
	"bytes"
	"testing"
	"time"

	"panther/engine"
	"panther/engine/enginetest"
	"panther/parsers/classifier"
	"panther/parsers/event"
)

// BenchmarkEvaluateShippedCloudTrail runs every shipped CloudTrail rule on
// one typical (non-matching) CloudTrail event: the per-event cost of
// evaluation in a replay.
func BenchmarkEvaluateShippedCloudTrail(b *testing.B) {
	set := shipped(b)
	rules := set.RulesFor("AWS.CloudTrail")
	ev := engine.NewEvaluator(set, engine.EvalOptions{})
	defer ev.Close()
	e := event.New()
	if err := e.ParseJSON([]byte(`{"eventVersion":"1.09","userIdentity":{"type":"AssumedRole","principalId":"AROAEXAMPLE:alice","arn":"arn:aws:sts::111122223333:assumed-role/Developer/alice","accountId":"111122223333","accessKeyId":"ASIAEXAMPLE","sessionContext":{"sessionIssuer":{"type":"Role","principalId":"AROAEXAMPLE","arn":"arn:aws:iam::111122223333:role/Developer","accountId":"111122223333","userName":"Developer"},"attributes":{"creationDate":"2024-01-01T00:00:00Z","mfaAuthenticated":"false"}}},"eventTime":"2024-01-01T01:00:00Z","eventSource":"ec2.amazonaws.com","eventName":"DescribeInstances","awsRegion":"us-east-1","sourceIPAddress":"198.51.100.7","userAgent":"aws-cli/2.15.30 Python/3.11.8 Linux/6.1.0","requestParameters":{"instancesSet":{},"filterSet":{}},"responseElements":null,"requestID":"r","eventID":"e","readOnly":true,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"111122223333","eventCategory":"Management"}`)); err != nil {
		b.Fatal(err)
	}
	e.LogType = "AWS.CloudTrail"
	var m engine.Match
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ud := ev.NewEvent(e)
		for _, d := range rules {
			ev.EvaluateInto(d, ud, &m)
			if m.Err != nil {
				b.Fatal(m.Err)
			}
		}
	}
	b.ReportMetric(float64(len(rules)), "rules")
}

// BenchmarkEvaluateShippedWeb runs each shipped web rule over 2,000 events
// of a generated access log (about 4% attack lines): ns/op is per event.
func BenchmarkEvaluateShippedWeb(b *testing.B) {
	set := shipped(b)
	var buf bytes.Buffer
	if err := enginetest.WebLog(&buf, 2000, 1, 3); err != nil {
		b.Fatal(err)
	}
	lt, _ := set.Registry.Lookup("Apache.AccessCombined")
	cls := classifier.NewFixed(set.Registry, lt)
	var events []*event.Event
	for i, line := range bytes.Split(bytes.TrimSpace(buf.Bytes()), []byte("\n")) {
		e, lt2, err := cls.Classify(line)
		if err != nil {
			b.Fatal(err)
		}
		set.Registry.Normalise(lt2, e, parsersSource("access.log"), int64(i), time.Now())
		events = append(events, e)
	}
	for _, d := range set.RulesFor("Apache.AccessCombined") {
		b.Run(d.ID, func(b *testing.B) {
			ev := engine.NewEvaluator(set, engine.EvalOptions{})
			defer ev.Close()
			var m engine.Match
			b.ReportAllocs()
			b.ResetTimer()
			before := cpuTime()
			for i := 0; i < b.N; i++ {
				e := events[i%len(events)]
				ev.EvaluateInto(d, ev.NewEvent(e), &m)
				if m.Err != nil {
					b.Fatal(m.Err)
				}
			}
			b.ReportMetric(float64(cpuTime()-before)/float64(b.N), "cpu-ns/op")
		})
	}
}
