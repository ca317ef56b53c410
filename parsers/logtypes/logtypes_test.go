package logtypes

import (
	"testing"
	"time"

	"panther/parsers"
	"panther/parsers/event"
	"panther/parsers/zeek"
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
			// loaded_scripts.log is the one log whose records carry no time.
			if e.Time.Equal(now) && lt != zeek.LoadedScripts {
				t.Error("p_event_time is the parse time: the time field was not read")
			}
			if e.LogType == "" || e.RowID == "" {
				t.Errorf("standard fields missing: %s", e)
			}
		})
	}
}

// Every Zeek log the zeek package declares (every log of a stock install)
// is in the default registry: a type the parser names but the registry
// lacks would turn its records into errors.
func TestEveryZeekLogRegistered(t *testing.T) {
	reg := Default()
	for _, lt := range zeek.LogTypes() {
		if got, ok := reg.Lookup(lt.Name); !ok || got != lt {
			t.Errorf("%s is not in the default registry", lt.Name)
		}
	}
	if n := len(zeek.LogTypes()); n < 73 {
		t.Errorf("%d Zeek log types, want the 73 of a stock install", n)
	}
}
