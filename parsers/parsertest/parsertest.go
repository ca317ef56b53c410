// Package parsertest is the shared harness of the parser packages: golden
// fixture tests, fuzz targets and throughput benchmarks, so every log type
// is tested, fuzzed and measured the same way.
package parsertest

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"panther/parsers"
	"panther/parsers/decode"
	"panther/parsers/event"
	inputpkg "panther/parsers/input"
)

// Update rewrites golden files instead of comparing: go test -run X -update.
// Read the diff before committing it.
var Update = flag.Bool("update", false, "rewrite golden files")

// ParseTime is the fixed p_parse_time of the harness.
var ParseTime = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)

// Result is the outcome of parsing one input.
type Result struct {
	Events [][]byte // each event as a JSON object, in input order
	Errors []string // "line N: reason" for each rejected record
}

// Registry compiles types into a registry, failing the test on error.
func Registry(t testing.TB, types ...*parsers.LogType) *parsers.Registry {
	t.Helper()
	r, err := parsers.NewRegistry(types...)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// Parse decodes the lines of input as lt (one source, through the decode
// step every reader of logs uses: parsers/decode) and normalises each event
// with reg. Blank lines are skipped, as the input layer does.
func Parse(t testing.TB, reg *parsers.Registry, lt *parsers.LogType, input []byte) Result {
	t.Helper()
	var res Result
	dec := decode.New(decode.Options{Registry: reg, LogType: lt, Mode: inputpkg.ModeLines, MaxRecordBytes: 64 << 20,
		Now: func() time.Time { return ParseTime }})
	st, err := dec.Source("fixture").NewStream(bytes.NewReader(input))
	if err != nil {
		t.Fatal(err)
	}
	err = st.Each(func(it decode.Item) error {
		if it.Bad != nil {
			res.Errors = append(res.Errors, fmt.Sprintf("line %d: %s", it.Bad.Line, it.Bad.Reason))
			return nil
		}
		res.Events = append(res.Events, it.Event.AppendJSON(nil))
		it.Event.Release()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// Golden parses the input file with lt and compares the events (one JSON
// object a line, then `# error` lines for rejected records) with the golden
// file, or rewrites it under -update. Every event must be valid JSON.
func Golden(t *testing.T, reg *parsers.Registry, lt *parsers.LogType, inputFile, goldenFile string) Result {
	t.Helper()
	input, err := os.ReadFile(inputFile)
	if err != nil {
		t.Fatal(err)
	}
	res := Parse(t, reg, lt, input)
	var got bytes.Buffer
	for _, ev := range res.Events {
		if !json.Valid(ev) {
			t.Errorf("invalid JSON out: %s", ev)
		}
		got.Write(ev)
		got.WriteByte('\n')
	}
	for _, e := range res.Errors {
		got.WriteString("# error " + e + "\n")
	}
	if *Update {
		if err := os.MkdirAll(filepath.Dir(goldenFile), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(goldenFile, got.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return res
	}
	want, err := os.ReadFile(goldenFile)
	if err != nil {
		t.Fatalf("%v (create it with: go test -run %s -update, then read it)", err, t.Name())
	}
	if !bytes.Equal(got.Bytes(), want) {
		t.Errorf("%s differs from %s:\n%s", inputFile, goldenFile, lineDiff(string(want), got.String()))
	}
	return res
}

func lineDiff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	for i := 0; i < max(len(wl), len(gl)); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			fmt.Fprintf(&b, "line %d:\n  want %s\n  got  %s\n", i+1, w, g)
		}
	}
	return b.String()
}

// Fuzz is the body of every parser's fuzz target: whatever the record, the
// parser must not panic, and an accepted record must normalise and marshal
// to valid JSON. Seeds should include the fixtures' lines.
func Fuzz(f *testing.F, reg *parsers.Registry, lt *parsers.LogType, seeds ...[]byte) {
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, rec []byte) {
		p := lt.NewParser()
		e := event.New()
		defer e.Release()
		ok, err := p.Parse(rec, e)
		if err != nil || !ok {
			return
		}
		if err := reg.Normalise(lt, e, parsers.Source{File: "fuzz"}, 1, ParseTime); err != nil {
			if lt.Transform != nil && e.LogType == lt.Name {
				return // the type's Transform rejected the record (a bad time, ...)
			}
			// A parser may produce a type the registry does not hold only
			// when the fuzz registry is incomplete: that is a harness bug.
			t.Fatalf("normalise: %v", err)
		}
		if out := e.AppendJSON(nil); !json.Valid(out) {
			t.Fatalf("invalid JSON for %q: %s", rec, out)
		}
	})
}

// SeedLines returns the non-blank lines of the files, as fuzz seeds.
func SeedLines(t testing.TB, files ...string) [][]byte {
	var out [][]byte
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range bytes.Split(data, []byte("\n")) {
			if len(bytes.TrimSpace(l)) > 0 {
				out = append(out, l)
			}
		}
	}
	return out
}

// Bench measures the decode step on the records, one goroutine, the way
// the pipeline runs it: one source for the stream (its parser state kept),
// parse + normalise each record into a pooled event (decode.Source.Record).
// It reports MB/s (of record bytes) and events/s.
func Bench(b *testing.B, reg *parsers.Registry, lt *parsers.LogType, records [][]byte) {
	var size int64
	for _, r := range records {
		size += int64(len(r)) + 1 // the newline
	}
	b.SetBytes(size)
	b.ReportAllocs()
	now := time.Now()
	dec := decode.New(decode.Options{Registry: reg, LogType: lt, Now: func() time.Time { return now }})
	events := 0
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		src := dec.Source("bench")
		for j, r := range records {
			it := src.Record(r, j+1, int64(j+1))
			if it.Bad != nil {
				b.Fatalf("record %d: %s", j, it.Bad.Reason)
			}
			if it.Event != nil {
				events++
				it.Event.Release()
			}
		}
	}
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
}

// SharedData returns the path of a file under ../shared/data (found by
// walking up from the test's directory), or skips the test when the folder
// is absent, as it is in a user's clone.
func SharedData(t testing.TB, rel string) string {
	t.Helper()
	dir, _ := os.Getwd()
	for {
		p := filepath.Join(dir, "..", "shared", "data")
		if st, err := os.Stat(p); err == nil && st.IsDir() {
			f := filepath.Join(p, rel)
			if _, err := os.Stat(f); err != nil {
				t.Skipf("shared data %s not present", rel)
			}
			return f
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("../shared/data not present")
		}
		dir = parent
	}
}

// GzLines reads the non-blank lines of a gzip file (the shared samples).
func GzLines(t testing.TB, path string) [][]byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	var out [][]byte
	sc := bufio.NewScanner(zr)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		if len(bytes.TrimSpace(sc.Bytes())) > 0 {
			out = append(out, bytes.Clone(sc.Bytes()))
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
