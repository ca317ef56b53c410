package logtypes

import (
	"testing"
	"time"

	"panther/parsers"
	"panther/parsers/event"
)

// Every built-in type compiles, has a sample, and its sample parses and
// normalises to an event of that type with an event time from the record.
func TestBuiltinSamples(t *testing.T) {
	r, err := parsers.NewRegistry(builtin()...)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, lt := range r.All() {
		t.Run(lt.Name, func(t *testing.T) {
			if lt.Sample == "" {
				t.Fatal("no Sample")
			}
			e := event.New()
			defer e.Release()
			ok, err := lt.NewParser().Parse([]byte(lt.Sample), e)
			if err != nil || !ok {
				t.Fatalf("sample does not parse: ok=%v err=%v", ok, err)
			}
			if lt.Detect != nil && !lt.Detect(e) {
				t.Fatal("Detect rejects the sample")
			}
			if err := r.Normalise(lt, e, parsers.Source{File: "sample"}, 1, now); err != nil {
				t.Fatal(err)
			}
			if e.Time.Equal(now) {
				t.Error("p_event_time is the parse time: the time field was not read")
			}
			if e.LogType == "" || e.RowID == "" {
				t.Errorf("standard fields missing: %s", e)
			}
		})
	}
}
