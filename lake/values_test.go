package lake

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"panther/parsers"
	"panther/parsers/event"
)

// A typed row (WriteValues) makes the very files its JSON form (WriteRow)
// makes, without the JSON text in between.
func TestWriteValuesSameAsWriteRow(t *testing.T) {
	t.Parallel()
	reg := testRegistry(t)
	schema := []parsers.Column{
		{Name: "p_event_time", Type: "timestamp"}, {Name: "rule_id", Type: "string"}, {Name: "note", Type: "string"},
		{Name: "count", Type: "bigint"}, {Name: "tags", Type: "array<string>"}, {Name: "ctx", Type: "json"},
		{Name: "p_source_file", Type: "string"},
	}
	t0 := time.Date(2024, 7, 1, 22, 50, 0, 0, time.UTC)
	type row struct {
		rule, note string
		n          int64
		tags       []string
		ctx        []byte
	}
	rows := []row{
		{"R.1", "", 1, nil, nil},
		{"R.2", "café \xff", 2, []string{}, []byte(`{"ip":"10.0.0.1","n":1e999}`)},
		{"R.3", "x", -3, []string{"a", "", "b\x01"}, []byte(`[1,"two",null]`)},
	}
	write := func(typed bool) string {
		dir := t.TempDir()
		w := mustOpen(t, dir, reg, Options{Now: func() time.Time { return t0 }})
		for i := 0; i < 30; i++ {
			r := rows[i%len(rows)]
			ts := t0.Add(time.Duration(i) * 7 * time.Minute)
			src := fmt.Sprintf("src-%d.log", i%2)
			var err error
			if typed {
				note := String(r.note)
				if r.note == "" {
					note = Null
				}
				err = w.WriteValues("alerts", schema, ts, []Value{Time(ts), String(r.rule), note, Int(r.n), Strings(r.tags), JSON(r.ctx), String(src)})
			} else {
				b := []byte(`{"p_event_time":"` + ts.Format(time.RFC3339Nano) + `","rule_id":`)
				b = event.AppendString(b, r.rule)
				if r.note != "" {
					b = append(b, `,"note":`...)
					b = event.AppendString(b, r.note)
				}
				b = fmt.Appendf(b, `,"count":%d`, r.n)
				if r.tags != nil {
					b = append(b, `,"tags":[`...)
					for k, s := range r.tags {
						if k > 0 {
							b = append(b, ',')
						}
						b = event.AppendString(b, s)
					}
					b = append(b, ']')
				}
				if r.ctx != nil {
					b = append(b, `,"ctx":`...)
					b = append(b, r.ctx...)
				}
				b = append(b, `,"p_source_file":`...)
				b = event.AppendString(b, src)
				b = append(b, '}')
				err = w.WriteRow("alerts", schema, ts, b)
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	a, b := lakeFiles(t, write(false)), lakeFiles(t, write(true))
	if len(a) < 2 || len(a) != len(b) {
		t.Fatalf("WriteRow made %d files, WriteValues %d", len(a), len(b))
	}
	for name, data := range a {
		if !bytes.Equal(data, b[name]) {
			t.Errorf("%s differs", name)
		}
	}

	w := mustOpen(t, t.TempDir(), reg, Options{})
	defer w.Close()
	for _, tc := range []struct {
		row  []Value
		t    time.Time
		want string
	}{
		{[]Value{Time(t0)}, t0, "1 values for 7 columns"},
		{[]Value{Time(t0), Int(1), Null, Null, Null, Null, Null}, t0, "column rule_id (string) given a value of another type"},
		{[]Value{Time(t0), Null, Null, Null, Null, String("x"), Null}, t0, "column ctx (json)"},
		{[]Value{Null, Null, Null, Null, Null, Null, Null}, time.Time{}, "outside years"},
	} {
		if err := w.WriteValues("alerts", schema, tc.t, tc.row); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want %q", tc.row, err, tc.want)
		}
	}
}
