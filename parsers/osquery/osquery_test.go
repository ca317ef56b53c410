package osquery

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"panther/parsers"
	"panther/parsers/event"
	"panther/parsers/parsertest"
)

func TestGolden(t *testing.T) {
	t.Parallel()
	reg := parsertest.Registry(t, Differential, Snapshot, Batch)
	res := parsertest.Golden(t, reg, Differential, "testdata/results.jsonl", "testdata/results.golden.jsonl")
	if len(res.Events) != 8 || len(res.Errors) != 2 {
		t.Fatalf("want 8 events and 2 errors, got %d and %d: %v", len(res.Events), len(res.Errors), res.Errors)
	}
	parseTime := parsertest.ParseTime.Format("2006-01-02T15:04:05Z07:00")
	checks := []struct {
		event int
		field string
		want  any
	}{
		{0, "p_log_type", "Osquery.Differential"},
		{0, "p_event_time", "2024-03-01T12:00:00Z"},
		{0, "p_any_ip_addresses", []string{"10.0.0.5", "198.51.100.7"}},
		{0, "p_any_domain_names", []string{"web-01.example.com"}},
		{1, "p_event_time", "2024-03-01T12:01:00Z"}, // unixTime as a string
		{1, "p_any_usernames", []string{"bob"}},
		{2, "p_any_md5_hashes", []string{"d41d8cd98f00b204e9800998ecf8427e"}},
		{2, "p_any_sha1_hashes", []string{"da39a3ee5e6b4b0d3255bfef95601890afd80709"}},
		{2, "p_any_sha256_hashes", []string{"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}},
		{2, "p_any_domain_names", nil},              // a uuid host identifier is no domain
		{3, "p_event_time", "2019-09-17T05:27:52Z"}, // calendarTime only
		{4, "p_event_time", "2024-03-01T12:05:00Z"}, // calendarTime as exports write it
		{4, "p_any_ip_addresses", []string{"203.0.113.8"}},
		{4, "p_any_usernames", []string{"alice"}},
		{5, "p_log_type", "Osquery.Snapshot"},
		{5, "p_event_time", "2024-03-01T13:00:00Z"},
		{5, "p_any_usernames", []string{"alice", "root"}},
		{5, "p_any_ip_addresses", []string{"192.0.2.10"}},
		{6, "p_log_type", "Osquery.Batch"},
		{6, "p_any_ip_addresses", []string{"203.0.113.99"}},
		{6, "p_any_usernames", []string{"mallory"}},
		{6, "p_any_domain_names", []string{"mac-7.example.com"}},
		{7, "p_log_type", "Osquery.Differential"}, // no known shape: the type asked for
		{7, "p_event_time", parseTime},
		{7, "p_any_md5_hashes", nil},
		{7, "p_any_domain_names", nil},
	}
	for _, c := range checks {
		var ev map[string]any
		if err := json.Unmarshal(res.Events[c.event], &ev); err != nil {
			t.Fatal(err)
		}
		got := ev[c.field]
		if l, ok := got.([]any); ok {
			s := make([]string, len(l))
			for j := range l {
				s[j], _ = l[j].(string)
			}
			got = s
		}
		if c.want == nil && got != nil || c.want != nil && !reflect.DeepEqual(got, c.want) {
			t.Errorf("event %d: %s = %#v, want %#v", c.event, c.field, got, c.want)
		}
	}
}

// Detect tells the three shapes apart, so the classifier files each record
// under one type only.
func TestDetect(t *testing.T) {
	t.Parallel()
	types := []*parsers.LogType{Differential, Snapshot, Batch}
	cases := []struct {
		rec  string
		want string // the one type whose Detect accepts it, "" for none
	}{
		{`{"name":"q","hostIdentifier":"h","columns":{"a":"1"},"action":"added"}`, "Osquery.Differential"},
		{`{"name":"q","hostIdentifier":"h","columns":{"a":"1"},"action":"removed"}`, "Osquery.Differential"},
		{`{"name":"q","hostIdentifier":"h","snapshot":[{"a":"1"}],"action":"snapshot"}`, "Osquery.Snapshot"},
		{`{"name":"q","hostIdentifier":"h","snapshot":[],"action":"snapshot"}`, "Osquery.Snapshot"},
		{`{"name":"q","hostIdentifier":"h","diffResults":{"added":[],"removed":[]}}`, "Osquery.Batch"},
		{`{"name":"q","hostIdentifier":"h","columns":{"a":"1"},"action":"snapshot"}`, ""},
		{`{"name":"q","hostIdentifier":"h","snapshot":{"a":"1"},"action":"snapshot"}`, ""},
		{`{"name":"q","columns":{"a":"1"},"action":"added"}`, ""}, // no host
		{`{"hostIdentifier":"h","columns":{"a":"1"},"action":"added"}`, ""},
		{`{"name":"q","hostIdentifier":"h","columns":"x","action":"added"}`, ""},
		{`{"action":"added","actor":"a"}`, ""},
	}
	for _, c := range cases {
		var got []string
		for _, lt := range types {
			e := event.New()
			if ok, err := lt.NewParser().Parse([]byte(c.rec), e); err != nil || !ok {
				t.Fatalf("%s: %v", c.rec, err)
			}
			if lt.Detect(e) {
				got = append(got, lt.Name)
			}
			e.Release()
		}
		if strings.Join(got, ",") != c.want {
			t.Errorf("%s: accepted by %v, want %q", c.rec, got, c.want)
		}
	}
}

func FuzzResults(f *testing.F) {
	reg := parsertest.Registry(f, Differential, Snapshot, Batch)
	parsertest.Fuzz(f, reg, Differential, parsertest.SeedLines(f, "testdata/results.jsonl")...)
}

// The osquery events of Panther's public tests parse, are filed as
// Differential, and their time is read when they have one.
func TestPantherAnalysisEvents(t *testing.T) {
	t.Parallel()
	path := parsertest.SharedData(t, "panther-analysis-tests/Osquery.Differential.tests.jsonl.gz")
	reg := parsertest.Registry(t, Differential, Snapshot, Batch)
	n, detected, timed := 0, 0, 0
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
		ok, err := Differential.NewParser().Parse(raw, e)
		if err == nil && ok {
			if Differential.Detect(e) {
				detected++
			}
			err = reg.Normalise(Differential, e, parsers.Source{File: path}, int64(i+1), parsertest.ParseTime)
		}
		if err != nil || !ok {
			t.Errorf("%s:%d: ok=%v err=%v", path, i+1, ok, err)
		} else {
			n++
			if e.LogType != nameDifferential {
				t.Errorf("%s:%d: filed as %s", path, i+1, e.LogType)
			}
			_, hasUnix := line.Log["unixTime"]
			_, hasCal := line.Log["calendarTime"]
			if hasUnix || hasCal {
				timed++
				if e.Time.Equal(parsertest.ParseTime) {
					t.Errorf("%s:%d: time not read from unixTime/calendarTime", path, i+1)
				}
			}
		}
		e.Release()
	}
	if n == 0 || timed == 0 {
		t.Fatalf("%d events, %d with a time", n, timed)
	}
	t.Logf("%d events parsed, %d with a time, %d accepted by Detect", n, timed, detected)
}

func BenchmarkDifferential(b *testing.B) {
	reg := parsertest.Registry(b, Differential, Snapshot, Batch)
	parsertest.Bench(b, reg, Differential, parsertest.SeedLines(b, "testdata/results.jsonl")[:5])
}

func BenchmarkSnapshot(b *testing.B) {
	reg := parsertest.Registry(b, Differential, Snapshot, Batch)
	parsertest.Bench(b, reg, Snapshot, parsertest.SeedLines(b, "testdata/results.jsonl")[5:7])
}
