package query

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"panther/lake"
	"panther/parsers"
	"panther/parsers/event"
)

// writeLake writes lines of log type lt into the lake at dir with the
// lake writer, as one run.
func writeLake(t *testing.T, dir string, lt *parsers.LogType, lines ...string) {
	t.Helper()
	reg, err := parsers.NewRegistry(lt)
	if err != nil {
		t.Fatal(err)
	}
	clt, _ := reg.Lookup(lt.Name)
	w, err := lake.Open(context.Background(), dir, reg, lake.Options{})
	if err != nil {
		t.Fatal(err)
	}
	p := clt.NewParser()
	for i, l := range lines {
		e := event.New()
		if ok, err := p.Parse([]byte(l), e); !ok || err != nil {
			t.Fatalf("%s: %v", l, err)
		}
		if err := reg.Normalise(clt, e, parsers.Source{File: "x.log"}, int64(i+1), time.Now()); err != nil {
			t.Fatal(err)
		}
		if err := w.WriteEvent(e); err != nil {
			t.Fatal(err)
		}
		e.Release()
	}
	if err := w.SourceDone(lake.SourceInfo{File: "x.log"}); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

// A table whose files share one schema fingerprint is read without
// union_by_name; once a run wrote another schema, with it, and both read
// the same rows.
func TestOneSchemaScan(t *testing.T) {
	dir := t.TempDir()
	mk := func(cols ...parsers.Column) *parsers.LogType {
		return &parsers.LogType{Name: "Test.Fp", NewParser: parsers.JSONParser,
			TimeFields: []parsers.TimeField{{Path: "t", Format: "rfc3339"}},
			Schema:     append([]parsers.Column{{Name: "t", Type: "timestamp"}}, cols...)}
	}
	v1 := mk(parsers.Column{Name: "a", Type: "string"}, parsers.Column{Name: "b", Type: "bigint"})
	v2 := mk(parsers.Column{Name: "a", Type: "string"}, parsers.Column{Name: "c", Type: "double"})
	writeLake(t, dir, v1, `{"t":"2024-01-01T01:00:00Z","a":"x","b":1}`, `{"t":"2024-01-01T05:00:00Z","a":"y","b":2}`)

	query := func(sql, wantMacro string) []string {
		t.Helper()
		e, err := Open(context.Background(), Options{Lake: dir})
		if err != nil {
			t.Fatal(err)
		}
		defer e.Close()
		if fn, _ := e.scan(e.tables["test_fp"]); fn != wantMacro {
			t.Errorf("files %v read with %s, want %s", e.tables["test_fp"].files, fn, wantMacro)
		}
		var c collect
		if _, err := e.Query(context.Background(), sql, 0, &c); err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, r := range c.rows {
			out = append(out, fmt.Sprint(r))
		}
		return out
	}
	got := query("SELECT a, b, hour FROM test_fp ORDER BY t", sameScanMacro)
	if want := []string{"[x 1 1]", "[y 2 5]"}; !slices.Equal(got, want) {
		t.Errorf("one schema: %v, want %v", got, want)
	}
	writeLake(t, dir, v2, `{"t":"2024-01-01T03:00:00Z","a":"z","c":2.5}`)
	got = query("SELECT a, b, c, hour FROM test_fp ORDER BY t", scanMacro)
	if want := []string{"[x 1 <nil> 1]", "[z <nil> 2.5 3]", "[y 2 <nil> 5]"}; !slices.Equal(got, want) {
		t.Errorf("two schemas: %v, want %v", got, want)
	}
}
