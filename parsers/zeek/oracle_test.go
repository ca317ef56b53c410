package zeek

import (
	"bufio"
	"compress/gzip"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/valyala/fastjson"

	"panther/parsers"
	"panther/parsers/event"
	"panther/parsers/parsertest"
)

// The oracle: the shared Zeek sample holds the same traffic logged in both
// formats. For every log present, the events read from the TSV file and
// from the JSON file must be identical field for field: same keys, same
// values, same log type, p_event_time and indicators. Left out of the
// comparison: the row id and source fields (they name the file), and the
// `_path` and `_write_ts` keys, which the json-streaming-logs writer adds
// and TSV has no column for (TSV carries the path in its header and has no
// write time).
func TestOracleTSVEqualsJSON(t *testing.T) {
	dir := parsertest.SharedData(t, "zeek")
	tsvs, err := filepath.Glob(filepath.Join(dir, "*.tsv.log.gz"))
	if err != nil || len(tsvs) == 0 {
		t.Fatalf("no *.tsv.log.gz in %s (%v)", dir, err)
	}
	reg := parsertest.Registry(t, LogTypes()...)
	for _, tsv := range tsvs {
		base := strings.TrimSuffix(filepath.Base(tsv), ".tsv.log.gz")
		js := filepath.Join(dir, base+".json.gz")
		t.Run(base, func(t *testing.T) {
			t.Parallel()
			if _, err := os.Stat(js); err != nil {
				t.Fatalf("TSV log without its JSON twin: %v", err)
			}
			// Any Zeek type's parser will do: the type comes from the data.
			a := newStream(t, reg, Conn, tsv)
			b := newStream(t, reg, Conn, js)
			n, bad := 0, 0
			for {
				x, okx := a.next()
				y, oky := b.next()
				if !okx || !oky {
					if okx != oky {
						t.Fatalf("after %d events: TSV has more: %v, JSON has more: %v", n, okx, oky)
					}
					break
				}
				n++
				if x.logType == "" || x.logType != y.logType {
					t.Fatalf("event %d: log type %q (TSV) vs %q (JSON)", n, x.logType, y.logType)
				}
				if d := diff(x.fields, y.fields); d != "" {
					bad++
					if bad <= 5 {
						t.Errorf("event %d (TSV line %d, JSON line %d) differs:\n%s", n, x.line, y.line, d)
					}
				}
			}
			if bad > 5 {
				t.Errorf("%d of %d events differ", bad, n)
			}
			if n == 0 {
				t.Fatal("no events")
			}
			t.Logf("%d events identical in both formats", n-bad)
		})
	}
}

type oracleEvent struct {
	logType string
	line    int
	fields  map[string]string
}

type stream struct {
	t    *testing.T
	reg  *parsers.Registry
	lt   *parsers.LogType
	p    parsers.Parser
	sc   *bufio.Scanner
	file string
	line int
}

func newStream(t *testing.T, reg *parsers.Registry, lt *parsers.LogType, path string) *stream {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(zr)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	return &stream{t: t, reg: reg, lt: lt, p: lt.NewParser(), sc: sc, file: filepath.Base(path)}
}

// next returns the next event of the stream, failing the test on any
// record that does not parse.
func (s *stream) next() (oracleEvent, bool) {
	for s.sc.Scan() {
		s.line++
		rec := s.sc.Bytes()
		if len(rec) == 0 {
			continue
		}
		e := event.New()
		ok, err := s.p.Parse(rec, e)
		if err == nil && ok {
			err = s.reg.Normalise(s.lt, e, parsers.Source{File: s.file}, int64(s.line), time.Unix(0, 0))
		}
		if err != nil {
			s.t.Fatalf("%s:%d: %v", s.file, s.line, err)
		}
		if !ok {
			e.Release()
			continue
		}
		out := oracleEvent{logType: e.LogType, line: s.line, fields: comparable(e)}
		e.Release()
		return out, true
	}
	if err := s.sc.Err(); err != nil {
		s.t.Fatal(err)
	}
	return oracleEvent{}, false
}

// comparable flattens an event to key → JSON text, with the standard
// fields that describe the event (not its source).
func comparable(e *event.Event) map[string]string {
	m := map[string]string{}
	obj, _ := e.Fields.Object()
	obj.Visit(func(k []byte, v *fastjson.Value) {
		switch string(k) {
		case "_path", "_write_ts":
			return
		}
		m[string(k)] = string(event.AppendValue(nil, v))
	})
	for _, name := range []string{event.FieldLogType, event.FieldEventTime} {
		s, _, _ := e.Meta(name)
		m[name] = s
	}
	for k := event.Kind(0); k < event.NumKinds; k++ {
		if l := e.Indicators[k]; len(l) > 0 {
			m[k.Field()] = strings.Clone(strings.Join(l, " ")) // indicators live only as long as the event
		}
	}
	return m
}

func diff(a, b map[string]string) string {
	var keys []string
	for k := range a {
		keys = append(keys, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	var sb strings.Builder
	for _, k := range keys {
		x, okx := a[k]
		y, oky := b[k]
		if okx != oky || x != y {
			fmt.Fprintf(&sb, "  %s: TSV %s / JSON %s\n", k, show(x, okx), show(y, oky))
		}
	}
	return sb.String()
}

func show(s string, ok bool) string {
	if !ok {
		return "(absent)"
	}
	return s
}

// Field-set detection: every JSON record of the shared sample, with its
// _path removed (as LogAscii::use_json=T writes it), is named by its fields
// as the log type its _path says. Only a record that holds no field
// specific to its type (an ntlm line with just the connection columns) may
// fit several types equally well, and its true type must be among them.
func TestDetectByFieldsOnRealLogs(t *testing.T) {
	dir := parsertest.SharedData(t, "zeek")
	files, err := filepath.Glob(filepath.Join(dir, "*.json.gz"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no *.json.gz in %s (%v)", dir, err)
	}
	indexOnce.Do(buildIndex)
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			t.Parallel()
			f, err := os.Open(file)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			zr, err := gzip.NewReader(f)
			if err != nil {
				t.Fatal(err)
			}
			sc := bufio.NewScanner(zr)
			sc.Buffer(make([]byte, 1<<20), 64<<20)
			var p fastjson.Parser
			n, ties := 0, 0
			for sc.Scan() {
				n++
				v, err := p.ParseBytes(sc.Bytes())
				if err != nil {
					t.Fatalf("line %d: %v", n, err)
				}
				want := byPath[string(v.GetStringBytes("_path"))]
				if want == nil {
					t.Fatalf("line %d: unknown _path %q", n, v.GetStringBytes("_path"))
				}
				var m matcher
				var keys []string
				v.GetObject().Visit(func(k []byte, _ *fastjson.Value) {
					if string(k) != "_path" {
						m.add(string(k))
						keys = append(keys, string(k))
					}
				})
				cands := m.best()
				if err := want.plausible(v.GetObject()); err != nil {
					t.Fatalf("line %d: the values do not fit %s (%v): %s", n, want.lt.Name, err, sc.Bytes())
				}
				if !cands.has(want.idx) {
					got := pick(cands, nil)
					name := "none"
					if got != nil {
						name = got.lt.Name
					}
					t.Fatalf("line %d: detected as %s, want %s: %s", n, name, want.lt.Name, sc.Bytes())
				}
				var only typeSet
				only.add(want.idx)
				if cands != only {
					ties++
					for _, k := range keys {
						if ft := fieldIndex[k]; (ft == nil || and(ft.set, cands) != cands) && k != "_write_ts" {
							t.Errorf("line %d: field %s is not common to all of the types it fits equally well (%b): %s", n, k, cands, sc.Bytes())
						}
					}
				}
			}
			if err := sc.Err(); err != nil {
				t.Fatal(err)
			}
			t.Logf("%d records, %d ambiguous", n, ties)
		})
	}
}

func and(a, b typeSet) typeSet {
	for i := range a {
		a[i] &= b[i]
	}
	return a
}
