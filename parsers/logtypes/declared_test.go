package logtypes

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"panther/parsers"
	"panther/parsers/classifier"
	"panther/parsers/event"
	"panther/parsers/parsertest"
)

// fixture is the fixture of a declared type: testdata/<LogType>.jsonl,
// written for this repository, and its golden normalised events.
func fixture(lt *parsers.LogType) (input, golden string) {
	return filepath.Join("testdata", lt.Name+".jsonl"), filepath.Join("testdata", lt.Name+".golden.jsonl")
}

func declared(t testing.TB) []*parsers.LogType {
	t.Helper()
	types, err := Declared()
	if err != nil {
		t.Fatal(err)
	}
	return types
}

// Every declared type compiles into the default registry, and its fixture
// parses to its golden events (go test -run TestDeclaredFixtures -update
// rewrites them: read the diff). Each fixture record is also classified
// over the whole default registry, as `panther replay` would without
// --log-type: it must come out as its own type, so the Detect of every
// other type rejects it, and its own accepts it.
func TestDeclaredFixtures(t *testing.T) {
	t.Parallel()
	reg := Default()
	types := declared(t)
	if len(types) == 0 {
		t.Fatal("no declared types")
	}
	for _, lt := range types {
		t.Run(lt.Name, func(t *testing.T) {
			t.Parallel()
			if lt.Description == "" || !strings.HasPrefix(lt.Reference, "https://") || lt.Sample == "" {
				t.Errorf("needs a Description, a Reference URL and a Sample")
			}
			if len(lt.TimeFields) == 0 {
				t.Errorf("no TimeField: every declared type reads its event time")
			}
			if len(lt.Indicators) == 0 {
				t.Errorf("no Indicators")
			}
			in, golden := fixture(lt)
			res := parsertest.Golden(t, reg, lt, in, golden)
			if len(res.Errors) > 0 {
				t.Errorf("fixture records do not parse: %q", res.Errors)
			}
			if len(res.Events) < 3 {
				t.Errorf("%d fixture events: write at least 3, of different kinds", len(res.Events))
			}
			for i, ev := range res.Events {
				if bytes.Contains(ev, []byte(`"p_event_time":"2030-01-01T00:00:00Z"`)) {
					t.Errorf("event %d: p_event_time is the parse time: the time field was not read", i+1)
				}
			}
			c := classifier.New(reg)
			for i, rec := range parsertest.SeedLines(t, in) {
				e, got, err := c.Classify(rec)
				switch {
				case err != nil:
					t.Errorf("record %d is not classified: %v", i+1, err)
				case e == nil: // a header line
				case got.Name != lt.Name && !sameFormat(got.Name, lt.Name):
					t.Errorf("record %d is classified as %s", i+1, got.Name)
				}
				if e != nil {
					e.Release()
				}
			}
		})
	}
}

// Declared type names do not collide with the Go parsers' types, tables
// differ, and no declared type has a custom name.
func TestDeclaredNames(t *testing.T) {
	t.Parallel()
	seen := map[string]string{}
	for _, lt := range append(builtin(), declared(t)...) {
		if prev, dup := seen[lt.Table()]; dup {
			t.Errorf("%s and %s share table %s", prev, lt.Name, lt.Table())
		}
		seen[lt.Table()] = lt.Name
		if strings.HasPrefix(lt.Name, "Custom.") {
			t.Errorf("%s: Custom. is for users' types", lt.Name)
		}
	}
	if n := len(Default().All()); n < 100 {
		t.Errorf("%d log types, the bar is 100", n)
	}
}

// pantherTest is one line of the shared panther-analysis-tests files.
type pantherTest struct {
	RuleID   string          `json:"rule_id"`
	LogTypes []string        `json:"log_types"`
	Test     string          `json:"test"`
	Log      json.RawMessage `json:"log"`
}

// pantherEvents reads every event of the shared panther-analysis-tests
// files whose log type is known for sure (its p_log_type, else the one log
// type of its rule), with the p_ fields Panther added set aside.
func pantherEvents(t testing.TB) (events map[string][][]byte, where map[string][]string) {
	dir := filepath.Dir(parsertest.SharedData(t, "panther-analysis-tests/Okta.SystemLog.tests.jsonl.gz"))
	files, err := filepath.Glob(filepath.Join(dir, "*.tests.jsonl.gz"))
	if err != nil || len(files) < 10 {
		t.Fatalf("test files: %v %v", files, err)
	}
	events, where = map[string][][]byte{}, map[string][]string{}
	for _, f := range files {
		for i, rec := range parsertest.GzLines(t, f) {
			var line pantherTest
			if err := json.Unmarshal(rec, &line); err != nil {
				t.Fatalf("%s:%d: %v", f, i+1, err)
			}
			var log map[string]json.RawMessage
			if err := json.Unmarshal(line.Log, &log); err != nil {
				continue // not an object: nothing a parser could take
			}
			actual := ""
			if raw, ok := log["p_log_type"]; ok {
				_ = json.Unmarshal(raw, &actual)
			}
			if actual == "" && len(line.LogTypes) == 1 {
				actual = line.LogTypes[0]
			}
			if actual == "" {
				continue
			}
			for k := range log {
				if strings.HasPrefix(k, "p_") {
					delete(log, k)
				}
			}
			raw, _ := json.Marshal(log)
			events[actual] = append(events[actual], raw)
			where[actual] = append(where[actual], fmt.Sprintf("%s:%d (%s / %s)", filepath.Base(f), i+1, line.RuleID, line.Test))
		}
	}
	return events, where
}

// Every event of Panther's public detection tests whose log type panther
// knows parses with that type (the bar is 99%), and the classifier never
// files one under another known type. Those events are written by hand
// for unit tests and are often partial, so a record that no type's Detect
// accepts is counted and reported, not failed.
func TestPantherAnalysisEvents(t *testing.T) {
	t.Parallel()
	events, where := pantherEvents(t)
	reg := Default()
	var known, parsed, classified, unclassified, types int
	var names []string
	for name := range events {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		lt, ok := reg.Lookup(name)
		if !ok {
			continue
		}
		types++
		recs := events[name]
		fixed := classifier.NewFixed(reg, lt)
		auto := classifier.New(reg)
		okCount, detected := 0, 0
		for i, rec := range recs {
			known++
			e, _, err := fixed.Classify(rec)
			if err == nil && e != nil {
				err = reg.Normalise(lt, e, parsers.Source{File: "panther-analysis"}, int64(i), parsertest.ParseTime)
			}
			if e != nil {
				e.Release()
			}
			if err != nil {
				t.Logf("%s: %s does not parse: %v", where[name][i], name, err)
			} else {
				okCount++
			}
			e, got, err := auto.Classify(rec)
			switch {
			case err != nil:
				unclassified++
			case got.Name != name && !sameFormat(got.Name, name):
				t.Errorf("%s: an event of %s is classified as %s: %.200s", where[name][i], name, got.Name, rec)
			default:
				detected++
				classified++
			}
			if e != nil {
				e.Release()
			}
		}
		parsed += okCount
		t.Logf("%-45s %4d events, %4d parse, %4d classified", name, len(recs), okCount, detected)
	}
	t.Logf("%d events of %d known types: %d parse (%.1f%%), %d classified as their type, %d by no type", known, types, parsed, 100*float64(parsed)/float64(max(known, 1)), classified, unclassified)
	if known == 0 || float64(parsed) < 0.99*float64(known) {
		t.Errorf("%d of %d events parse: the bar is 99%%", parsed, known)
	}
}

// sameFormat tells log types that are one format under two names, which
// the classifier cannot tell apart: it files both under the first.
func sameFormat(a, b string) bool {
	pairs := [][2]string{{"Kubernetes.Audit", "Amazon.EKS.Audit"}}
	return slices.Contains(pairs, [2]string{a, b}) || slices.Contains(pairs, [2]string{b, a})
}

// One fuzz target covers every declared type: the first byte picks the
// type, the rest is the record. Whatever the record, no panic, and an
// accepted record normalises (or is rejected by the type's Transform) to
// valid JSON. Seeds: every fixture record, and Panther's test events when
// the shared data is there.
func FuzzDeclared(f *testing.F) {
	reg := Default()
	types := declared(f)
	for i, lt := range types {
		in, _ := fixture(lt)
		for _, rec := range parsertest.SeedLines(f, in) {
			f.Add(uint8(i), rec)
		}
	}
	f.Fuzz(func(t *testing.T, which uint8, rec []byte) {
		lt := types[int(which)%len(types)]
		e := event.New()
		defer e.Release()
		ok, err := lt.NewParser().Parse(rec, e)
		if err != nil || !ok {
			return
		}
		lt.Detect(e)
		if err := reg.Normalise(lt, e, parsers.Source{File: "fuzz"}, 1, parsertest.ParseTime); err != nil {
			return
		}
		if out := e.AppendJSON(nil); !json.Valid(out) {
			t.Fatalf("%s: invalid JSON for %q: %s", lt.Name, rec, out)
		}
	})
}

// Parse + normalise of each declared type's fixture records, one core,
// with the Go parser of Okta.SystemLog (its sample) as the yardstick of the
// same run. Besides MB/s of wall time, each reports MB per second of CPU
// (user + system time of the process), which a machine shared with other
// work does not distort:
//
//	go test -run '^$' -bench Declared/ -benchtime 20000x -cpu 1 ./parsers/logtypes/
func BenchmarkDeclared(b *testing.B) {
	reg := Default()
	bench := func(b *testing.B, lt *parsers.LogType, recs [][]byte) {
		var size int64
		for _, r := range recs {
			size += int64(len(r)) + 1
		}
		before := cpuTime()
		parsertest.Bench(b, reg, lt, recs)
		if cpu := cpuTime() - before; cpu > 0 {
			b.ReportMetric(float64(size)*float64(b.N)/1e6/cpu.Seconds(), "MB/cpu-s")
		}
	}
	okta, _ := reg.Lookup("Okta.SystemLog")
	b.Run("builtin/Okta.SystemLog", func(b *testing.B) { bench(b, okta, [][]byte{[]byte(okta.Sample)}) })
	for _, lt := range declared(b) {
		in, _ := fixture(lt)
		b.Run(lt.Name, func(b *testing.B) { bench(b, lt, benchRecords(b, lt, in)) })
	}
}

// benchRecords are a fixture's records repeated to 200 or more, so that
// one parser (one a source, as in a replay) reads many: a header line
// stays first and alone.
func benchRecords(b *testing.B, lt *parsers.LogType, file string) [][]byte {
	lines := parsertest.SeedLines(b, file)
	e := event.New()
	ok, err := lt.NewParser().Parse(lines[0], e)
	e.Release()
	var out [][]byte
	if !ok && err == nil {
		out, lines = lines[:1], lines[1:]
	}
	for len(out) < 200 {
		out = append(out, lines...)
	}
	return out
}

// cpuTime is the process's user and system time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// Compiling the declared types is a cost of every command's start (the
// default registry is built at first use): measure it.
// go test -run '^$' -bench DeclaredCompile -benchmem ./parsers/logtypes/
func BenchmarkDeclaredCompile(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := Declared(); err != nil {
			b.Fatal(err)
		}
	}
}
