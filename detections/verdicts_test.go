package detections_test

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"hash/fnv"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/valyala/fastjson"

	"panther/detections"
	"panther/engine"
	"panther/engine/enginetest"
	"panther/engine/replay"
	"panther/lake"
	"panther/parsers"
	"panther/parsers/event"
	"panther/parsers/input"
	"panther/parsers/logtypes"
)

// The verdicts of the shipped detections, held still while they are
// rewritten for speed: every family's fixtures, the bundled samples, the
// public samples of ../shared/data (when present) and generated corpora
// are replayed through the library, and every rule match (rule, title,
// dedup, severity, the event it matched), every alert (with its
// alert_context and counts) and every rule error is compared with
// testdata/verdicts/<input>.jsonl, written from the library as it was
// before the rewrite.
//
// To rewrite a golden, say after a deliberate change of verdict:
//
//	go test ./detections -run TestVerdicts -update-verdicts
//
// and read the diff before committing it. To write it from another copy
// of the library (the one before a change, checked out elsewhere):
//
//	go test ./detections -run TestVerdicts -update-verdicts -verdicts-detections /tmp/old/detections
var (
	updateVerdicts    = flag.Bool("update-verdicts", false, "rewrite testdata/verdicts from the detections")
	verdictDetections = flag.String("verdicts-detections", "", "load the detections from this folder instead of the embedded ones")
)

// verdictInput is one replay of the test.
type verdictInput struct {
	name  string
	paths func(t *testing.T) []string // nil (or empty) to skip
}

func verdictInputs() []verdictInput {
	here := func(rel ...string) func(*testing.T) []string {
		return func(*testing.T) []string { return rel }
	}
	shared := func(rel ...string) func(*testing.T) []string {
		return func(t *testing.T) []string {
			var out []string
			for _, r := range rel {
				p := sharedDataPath(r)
				if p == "" {
					t.Skipf("../shared/data/%s is absent", r)
				}
				out = append(out, p)
			}
			return out
		}
	}
	gen := func(f func(dir string) error) func(*testing.T) []string {
		return func(t *testing.T) []string {
			dir := t.TempDir()
			if err := f(dir); err != nil {
				t.Fatal(err)
			}
			return []string{dir}
		}
	}
	write := func(dir, name string, f func(w *os.File) error) error {
		out, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			return err
		}
		if err := f(out); err != nil {
			out.Close()
			return err
		}
		return out.Close()
	}
	return []verdictInput{
		{"samples", here("../testdata/samples")},
		{"web-fixtures", here("rules/web/fixtures")},
		{"web-generated", gen(func(dir string) error {
			return write(dir, "access.log", func(w *os.File) error { return enginetest.WebLog(w, 20000, 1, 1) })
		})},
		{"web-public", shared("web")},
		{"suricata-fixtures", here("rules/suricata/fixtures")},
		{"suricata-generated", gen(func(dir string) error {
			return write(dir, "eve.json", func(w *os.File) error { return enginetest.SuricataEVE(w, 20000, 1) })
		})},
		{"suricata-public", shared("suricata")},
		{"zeek-fixtures", here("rules/zeek/fixtures")},
		{"zeek-generated", gen(func(dir string) error { return enginetest.ZeekJSON(dir, 20000, 1) })},
		{"zeek-public", func(t *testing.T) []string {
			// The JSON half (the TSV files hold the same events).
			dir := sharedDataPath("zeek")
			if dir == "" {
				t.Skip("../shared/data/zeek is absent")
			}
			m, _ := filepath.Glob(filepath.Join(dir, "*.json.gz"))
			return m
		}},
		{"syslog-fixtures", here("rules/syslog/fixtures")},
		{"syslog-generated", gen(func(dir string) error { return enginetest.AuthLog(dir, 20000, 1) })},
		{"cloudtrail-fixtures", here("rules/aws_cloudtrail/fixtures")},
		{"cloudtrail-generated", gen(func(dir string) error {
			_, err := enginetest.CloudTrail(enginetest.CloudTrailOptions{Dir: dir, Events: 20000, EventsPerFile: 1000, Days: 3, Seed: 1})
			return err
		})},
		{"cloudtrail-public", shared("cloudtrail")},
	}
}

func TestVerdicts(t *testing.T) {
	src := engine.Source{FS: detections.FS, Root: ".", Display: "detections"}
	if *verdictDetections != "" {
		src = engine.Source{FS: os.DirFS(*verdictDetections), Root: ".", Display: *verdictDetections}
	}
	set := engine.Load([]engine.Source{src}, engine.LoadOptions{Registry: logtypes.Default()})
	if n := set.Diagnostics.Errors(); n > 0 {
		t.Fatal(set.Diagnostics)
	}
	for _, in := range verdictInputs() {
		t.Run(in.name, func(t *testing.T) {
			paths := in.paths(t)
			got := replayVerdicts(t, set, paths)
			golden := filepath.Join("testdata", "verdicts", in.name+".jsonl")
			if *updateVerdicts {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
				t.Logf("wrote %s (%d lines)", golden, bytes.Count(got, []byte("\n")))
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (write it with -update-verdicts)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("verdicts differ from %s:\n%s", golden, lineDiff(string(want), string(got), 30))
			}
		})
	}
}

// replayVerdicts replays paths through every enabled rule and returns the
// matches, alerts and rule errors as sorted JSON lines, and a count of
// events per log type on the first line.
func replayVerdicts(t *testing.T, set *engine.Set, paths []string) []byte {
	t.Helper()
	srcs, errs := input.Expand(paths)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	lake := &verdictLake{}
	var lines []string
	clock := func() time.Time { return time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC) }
	st, err := replay.Run(context.Background(), replay.Options{
		Sources: srcs, Set: set, Registry: set.Registry, Workers: 2, Lake: lake, Now: clock,
		OnRuleError: func(a *engine.Alert) {
			lines = append(lines, fmt.Sprintf(`{"error":%q,"rule":%q,"count":%d,"first":%q}`, a.Error, a.RuleID, a.EventCount, a.FirstEvent.Format(time.RFC3339Nano)))
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if st.SourcesFailed > 0 {
		t.Fatalf("%d sources failed", st.SourcesFailed)
	}
	var counts []string
	for lt, n := range st.Events {
		counts = append(counts, fmt.Sprintf("%s=%d", lt, n))
	}
	sort.Strings(counts)
	lines = append(lines, lake.rows...)
	sort.Strings(lines)
	var b bytes.Buffer
	fmt.Fprintf(&b, "# events %s; unparsed %d\n", strings.Join(counts, " "), st.Unparsed)
	for _, l := range lines {
		b.WriteString(l)
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// verdictLake keeps the rule_matches and alerts rows of a replay, less
// what depends on the machine (paths, parse times).
type verdictLake struct {
	rows []string
}

func (l *verdictLake) HasSource(string) bool                        { return false }
func (l *verdictLake) WriteEvent(*event.Event) error                { return nil }
func (l *verdictLake) SourceDone(string, string, int64, bool) error { return nil }

func (l *verdictLake) WriteValuesOnce(table, _ string, schema []parsers.Column, t time.Time, row []lake.Value) error {
	return l.WriteValues(table, schema, t, row)
}

func (l *verdictLake) WriteValues(table string, schema []parsers.Column, _ time.Time, row []lake.Value) error {
	col := func(name string) any {
		for i, c := range schema {
			if c.Name == name && i < len(row) {
				return row[i].Any()
			}
		}
		return nil
	}
	s := func(k string) string {
		switch x := col(k).(type) {
		case string:
			return x
		case time.Time:
			return x.UTC().Format(time.RFC3339Nano)
		}
		return ""
	}
	switch table {
	case "rule_matches":
		// The event: its file's name, its time and a digest of its own
		// fields (p_row_id depends on where the file is).
		h := fnv.New64a()
		if js, ok := col("event").([]byte); ok {
			v, err := fastjson.ParseBytes(js)
			if err != nil {
				return err
			}
			if o, err := v.Object(); err == nil {
				o.Visit(func(k []byte, x *fastjson.Value) {
					if !bytes.HasPrefix(k, []byte("p_")) {
						h.Write(k)
						h.Write(event.AppendValue(nil, x))
					}
				})
			}
		}
		l.rows = append(l.rows, fmt.Sprintf(`{"match":%q,"file":%q,"time":%q,"event":"%016x","title":%q,"dedup":%q,"severity":%q}`,
			s("p_rule_id"), filepath.Base(s("p_source_file")), s("p_event_time"), h.Sum64(), s("p_title"), s("p_dedup"), s("p_severity")))
	case "alerts":
		ctx := "null"
		if js, ok := col("alert_context").([]byte); ok {
			v, err := fastjson.ParseBytes(js)
			if err != nil {
				return err
			}
			ctx = string(event.AppendValue(nil, v))
		}
		n, _ := col("event_count").(int64)
		l.rows = append(l.rows, fmt.Sprintf(`{"alert":%q,"title":%q,"dedup":%q,"severity":%q,"first":%q,"last":%q,"count":%d,"context":%s}`,
			s("rule_id"), s("title"), s("dedup"), s("severity"), s("first_event_time"), s("last_event_time"), n, ctx))
	}
	return nil
}

// sharedDataPath is ../shared/data/<rel> when present (a user's clone lacks it).
func sharedDataPath(rel string) string {
	dir, _ := os.Getwd()
	for {
		p := filepath.Join(dir, "..", "shared", "data", rel)
		if _, err := os.Stat(p); err == nil {
			return p
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// lineDiff shows the lines only in want (-) and only in got (+), at most n.
func lineDiff(want, got string, n int) string {
	w, g := map[string]int{}, map[string]int{}
	for _, l := range strings.Split(want, "\n") {
		w[l]++
	}
	for _, l := range strings.Split(got, "\n") {
		g[l]++
	}
	var out []string
	for _, l := range strings.Split(want, "\n") {
		if g[l] < w[l] {
			out = append(out, "- "+l)
			w[l]--
		}
	}
	for _, l := range strings.Split(got, "\n") {
		if w[l] < g[l] {
			out = append(out, "+ "+l)
			g[l]--
		}
	}
	if len(out) > n {
		out = append(out[:n], fmt.Sprintf("... and %d more", len(out)-n))
	}
	return strings.Join(out, "\n")
}

var _ fs.FS = detections.FS
