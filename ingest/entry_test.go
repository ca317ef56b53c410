package ingest

import (
	"reflect"
	"testing"
	"time"
)

func TestEntryRoundTrip(t *testing.T) {
	var data []byte
	for _, r := range []string{"a", "", "line\nwith newline"} {
		data = AppendRecord(data, []byte(r))
	}
	for _, e := range []*Entry{
		{Input: "http", Source: "http/fw", LogType: "AWS.CloudTrail", Label: "prod", Received: time.Unix(1700000000, 5).UTC(), Kind: Stream, Data: []byte("{}\n")},
		{Input: "kafka/logs", Source: "kafka/logs/t/3", Received: time.Unix(1, 0).UTC(), Kind: Records, Data: data, Count: 3,
			Kafka: &KafkaOffsets{Topic: "t", Partition: 3, First: 10, Last: 12}},
	} {
		got, err := Unmarshal(e.Marshal(nil), 7)
		if err != nil {
			t.Fatal(err)
		}
		e.Seq = 7
		if !reflect.DeepEqual(got, e) {
			t.Fatalf("round trip:\n%+v\n%+v", got, e)
		}
	}
	var recs []string
	if err := EachRecord(data, func(r []byte) error { recs = append(recs, string(r)); return nil }); err != nil || len(recs) != 3 || recs[2] != "line\nwith newline" {
		t.Fatalf("records %q %v", recs, err)
	}
	if err := EachRecord(data[:len(data)-2], func([]byte) error { return nil }); err == nil {
		t.Fatal("a cut entry must be an error")
	}
	for n := 0; n < len(data); n++ {
		Unmarshal(data[:n], 1) // never panics
	}
}
