package lake

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/valyala/fastjson"

	"panther/lake/internal/parquet"
	"panther/parsers"
	"panther/parsers/event"
)

// encodeOne encodes the row {"c": value} of a one-column table of type
// typ, writes it as a Parquet file and renders what arrow-go reads back
// (renderRows).
func encodeOne(t *testing.T, typ, value string) string {
	t.Helper()
	tb, err := compileTable("t", "t", []parsers.Column{{Name: "c", Type: typ}}, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	v, err := fastjson.Parse(`{"c":` + value + `}`)
	if err != nil {
		t.Fatalf("bad test value %s: %v", value, err)
	}
	o, _ := v.Object()
	var enc encoder
	r := newRowBuf(tb, newChunkPool())
	enc.appendRow(r, tb, o)
	return renderRows(t, tb, r)[0]
}

// renderRows writes the rows of r as a Parquet file, reads it back with
// arrow-go's Parquet reader (an implementation independent of ours) and
// renders each row as a JSON line: NULL columns (and NULL struct fields)
// are left out, a NULL list element is null, timestamps are UTC with
// microseconds, json columns and p_extra are their text.
func renderRows(t testing.TB, tb *table, r *rowBuf) []string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "rows.parquet")
	writeTestFile(t, tb, path, r)
	return readRows(t, tb, path)
}

// writeTestFile writes the rows of r as the Parquet file path, one row
// group (or one a rowBuf when more are given).
func writeTestFile(t testing.TB, tb *table, path string, rs ...*rowBuf) {
	t.Helper()
	o := parquet.NewFile(path, tb.schema)
	pw, err := parquet.NewEncoder(parquet.Options{CreatedBy: createdBy("test")})
	if err != nil {
		t.Fatal(err)
	}
	defer pw.Close()
	for _, r := range rs {
		if err := pw.WriteRowGroup(o, r.rows, r.columns()); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := pw.Finish(o); err != nil {
		t.Fatal(err)
	}
}

// readRows reads the Parquet file path of table tb with arrow-go and
// renders its rows (see renderRows).
func readRows(t testing.TB, tb *table, path string) []string {
	t.Helper()
	rd, err := file.OpenParquetFile(path, false)
	if err != nil {
		t.Fatalf("arrow-go cannot open %s: %v", path, err)
	}
	defer rd.Close()
	fr, err := pqarrow.NewFileReader(rd, pqarrow.ArrowReadProperties{BatchSize: 1 << 16}, memory.DefaultAllocator)
	if err != nil {
		t.Fatal(err)
	}
	tbl, err := fr.ReadTable(context.Background())
	if err != nil {
		t.Fatalf("arrow-go cannot read %s: %v", path, err)
	}
	defer tbl.Release()
	if int(tbl.NumCols()) != len(tb.columns) {
		t.Fatalf("%d columns read, want %d", tbl.NumCols(), len(tb.columns))
	}
	tr := array.NewTableReader(tbl, 1<<16)
	defer tr.Release()
	var out []string
	for tr.Next() {
		rec := tr.RecordBatch()
		for i := 0; i < int(rec.NumRows()); i++ {
			b := []byte{'{'}
			for j, c := range tb.columns {
				if rec.ColumnName(j) != c.Name {
					t.Fatalf("column %d is %s, want %s", j, rec.ColumnName(j), c.Name)
				}
				col := rec.Column(j)
				if col.IsNull(i) {
					continue
				}
				b = appendMember(b, c.Name)
				b = renderValue(t, b, tb.ctypes[j], col, i)
			}
			out = append(out, string(append(b, '}', '\n')))
		}
	}
	return out
}

func renderValue(t testing.TB, b []byte, c *ctype, a arrow.Array, i int) []byte {
	if a.IsNull(i) {
		return append(b, "null"...)
	}
	switch c.kind {
	case kString:
		return appendString(b, a.(*array.String).Value(i))
	case kJSON:
		switch x := a.(type) {
		case *array.Binary:
			return append(b, x.Value(i)...)
		case *array.String:
			return append(b, x.Value(i)...)
		}
	case kBigint:
		return strconv.AppendInt(b, a.(*array.Int64).Value(i), 10)
	case kDouble:
		return strconv.AppendFloat(b, a.(*array.Float64).Value(i), 'g', -1, 64)
	case kBool:
		return strconv.AppendBool(b, a.(*array.Boolean).Value(i))
	case kTime:
		return appendTime(b, time.UnixMicro(int64(a.(*array.Timestamp).Value(i))))
	case kArray:
		l := a.(*array.List)
		start, end := l.ValueOffsets(i)
		b = append(b, '[')
		for k := start; k < end; k++ {
			if k > start {
				b = append(b, ',')
			}
			b = renderValue(t, b, c.elem, l.ListValues(), int(k))
		}
		return append(b, ']')
	case kStruct:
		st := a.(*array.Struct)
		b = append(b, '{')
		for k, f := range c.fields {
			if st.Field(k).IsNull(i) {
				continue
			}
			b = appendMember(b, f.name)
			b = renderValue(t, b, f.t, st.Field(k), i)
		}
		return append(b, '}')
	}
	t.Fatalf("kind %d: arrow-go read a %T", c.kind, a)
	return nil
}

// appendTime appends t as a JSON string in UTC with microseconds
// ("2024-03-01T12:00:00.500000Z").
func appendTime(dst []byte, t time.Time) []byte {
	return append(dst, t.UTC().Format(`"2006-01-02T15:04:05.000000Z"`)...)
}

// Each value either fits its column exactly or goes to p_extra unchanged
// (but for what JSON cannot hold: invalid UTF-8, nan).
func TestEncodeFit(t *testing.T) {
	t.Parallel()
	const x = "extra" // want: the value goes to p_extra as is
	for _, tc := range []struct {
		typ, in, want string
	}{
		{"string", `"x"`, `"x"`},
		{"string", `""`, `""`},
		{"string", `"a\"b\\c\n\u0001é"`, `"a\"b\\c\n\u0001é"`},
		{"string", "\"bad \xff utf8\"", "\"bad \uFFFD utf8\""}, // a string column holds U+FFFD
		{"string", `5`, x},
		{"string", `true`, x},
		{"string", `{"a":1}`, x},
		{"string", `null`, ``},
		{"bigint", `42`, `42`},
		{"bigint", `-7`, `-7`},
		{"bigint", `5.0`, `5`},
		{"bigint", `1e3`, `1000`},
		{"bigint", `9223372036854775807`, `9223372036854775807`},
		{"bigint", `9223372036854775808`, x},
		{"bigint", `1.5`, x},
		{"bigint", `"7"`, x},
		{"double", `1.5`, `1.5`},
		{"double", `3`, `3`},
		{"double", `-0.5e-3`, `-0.0005`},
		{"double", `"1.5"`, x},
		{"boolean", `true`, `true`},
		{"boolean", `false`, `false`},
		{"boolean", `"true"`, x},
		{"boolean", `1`, x},
		{"timestamp", `"2024-03-01T12:00:00Z"`, `"2024-03-01T12:00:00.000000Z"`},
		{"timestamp", `"2024-03-01 12:00:00.123456789"`, `"2024-03-01T12:00:00.123456Z"`},
		{"timestamp", `"2024-03-01T13:00:00+01:00"`, `"2024-03-01T12:00:00.000000Z"`},
		{"timestamp", `1709294400`, `"2024-03-01T12:00:00.000000Z"`},
		{"timestamp", `1709294400123`, `"2024-03-01T12:00:00.123000Z"`},
		{"timestamp", `"1709294400"`, `"2024-03-01T12:00:00.000000Z"`},
		{"timestamp", `"yesterday"`, x},
		{"timestamp", `1e25`, x},
		{"timestamp", `true`, x},
		{"json", `{"a":[1,"x",null,true]}`, `{"a":[1,"x",null,true]}`},
		{"json", `"s"`, `"s"`},
		{"json", `12.5`, `12.5`},
		{"array<string>", `["a","b"]`, `["a","b"]`},
		{"array<string>", `[]`, `[]`},
		{"array<string>", `["a",null]`, `["a",null]`},
		{"array<string>", `["a",1]`, x},
		{"array<string>", `"a"`, x},
		{"array<bigint>", `[1,2.0,-3]`, `[1,2,-3]`},
		{"array<array<bigint>>", `[[1],[],[2,3]]`, `[[1],[],[2,3]]`},
		{"struct<a:bigint,b:string>", `{"a":1,"b":"x"}`, `{"a":1,"b":"x"}`},
		{"struct<a:bigint,b:string>", `{}`, `{}`},
		{"struct<a:bigint,b:string>", `{"b":null}`, `{}`},
		{"struct<a:bigint,b:string>", `"s"`, x},
		{"array<struct<k:string>>", `[{"k":"a"},{"k":"b"}]`, `[{"k":"a"},{"k":"b"}]`},
		{"array<struct<k:string>>", `[{"k":"a","z":1}]`, x},
		{"array<struct<k:string>>", `[{"k":"a","k":"b"}]`, x},
		{"array<struct<k:string>>", `[{"k":1}]`, x},
	} {
		got := encodeOne(t, tc.typ, tc.in)
		want := `{"c":` + tc.want + "}\n"
		switch tc.want {
		case x:
			want = `{"p_extra":{"c":` + tc.in + "}}\n"
		case "":
			want = "{}\n"
		}
		if got != want {
			t.Errorf("%s %s:\n got  %s want %s", tc.typ, tc.in, got, want)
		}
	}
}

// A struct keeps the members that fit; the others go to p_extra under the
// same path, so that column and p_extra together hold the whole value.
func TestEncodeStructResidue(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		typ, in, want string
	}{
		{"struct<a:bigint,b:string>", `{"a":1,"c":true}`, `{"c":{"a":1},"p_extra":{"c":{"c":true}}}`},
		{"struct<a:bigint,b:string>", `{"a":"bad","b":"x"}`, `{"c":{"b":"x"},"p_extra":{"c":{"a":"bad"}}}`},
		{"struct<a:bigint>", `{"a":1,"a":2}`, `{"c":{"a":1},"p_extra":{"c":{"a":2}}}`},
		{"struct<o:struct<x:bigint>>", `{"o":{"x":1,"y":[2]}}`, `{"c":{"o":{"x":1}},"p_extra":{"c":{"o":{"y":[2]}}}}`},
		{"struct<o:struct<x:bigint>>", `{"o":7}`, `{"c":{},"p_extra":{"c":{"o":7}}}`},
		{"struct<o:struct<x:bigint>,z:string>", `{"z":"q","o":{"w":1}}`, `{"c":{"o":{},"z":"q"},"p_extra":{"c":{"o":{"w":1}}}}`},
	} {
		if got := encodeOne(t, tc.typ, tc.in); got != tc.want+"\n" {
			t.Errorf("%s %s:\n got  %s want %s", tc.typ, tc.in, got, tc.want)
		}
	}
}

// Numbers that fastjson reads but JSON does not allow, and numbers beyond
// a double, are kept in p_extra as strings of their text, so p_extra is
// always valid JSON.
func TestEncodeBadNumbers(t *testing.T) {
	t.Parallel()
	for _, in := range []string{"nan", "-Inf", "01", "1.", "+1", "1e400", "--1"} {
		got := encodeOne(t, "double", in)
		want := `{"p_extra":{"c":"` + in + `"}}` + "\n"
		if got != want {
			t.Errorf("double %s: got %s want %s", in, got, want)
		}
		got = encodeOne(t, "json", `{"v":`+in+`}`)
		want = `{"c":{"v":"` + in + `"}}` + "\n"
		if got != want {
			t.Errorf("json %s: got %s want %s", in, got, want)
		}
	}
}

func TestCompileTableErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		cols []parsers.Column
		want string
	}{
		{"t", []parsers.Column{{Name: "a", Type: "string"}, {Name: "A", Type: "bigint"}}, "differ only in case"},
		{"t", []parsers.Column{{Name: "s", Type: "struct<x:string,X:string>"}}, "differ only in case"},
		{"t", []parsers.Column{{Name: "p_extra", Type: "string"}}, "reserved"},
		{"t", []parsers.Column{{Name: "a", Type: "map<string,string>"}}, "unknown type"},
		{"Bad-Name", nil, "table name"},
		{"_hidden", nil, "table name"},
	} {
		_, err := compileTable(tc.name, tc.name, tc.cols, false, nil)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s %v: error %v, want one containing %q", tc.name, tc.cols, err, tc.want)
		}
	}
	// Hive partition keys are not columns: their values go to p_extra.
	tb, err := compileTable("t", "t", []parsers.Column{{Name: "Hour", Type: "bigint"}, {Name: "b", Type: "string"}}, false, nil)
	if err != nil || len(tb.root.fields) != 1 || tb.root.fields[0].name != "b" {
		t.Errorf("hive key column: %v %+v", err, tb)
	}
}

// An event row has the declared columns, then the p_ fields, then p_extra.
func TestEncodeEvent(t *testing.T) {
	t.Parallel()
	reg := testRegistry(t)
	evs := parseAs(t, reg, testFlat, "f.log", [][]byte{
		[]byte(`{"time":"2024-03-01T12:30:00.25Z","host":"db-1.example.com","bytes":12,"ratio":"n/a","p_log_type":"x","other":[1]}`),
	})
	defer evs[0].Release()
	evs[0].SourceLabel = "prod"
	tb, err := logTable(testFlat)
	if err != nil {
		t.Fatal(err)
	}
	var enc encoder
	r := newRowBuf(tb, newChunkPool())
	enc.appendEvent(r, tb, evs[0])
	got := renderRows(t, tb, r)[0]
	want := `{"time":"2024-03-01T12:30:00.250000Z","host":"db-1.example.com","bytes":12,` +
		`"p_log_type":"Test.Flat","p_event_time":"2024-03-01T12:30:00.250000Z","p_parse_time":"2030-01-01T00:00:00.000000Z",` +
		`"p_row_id":"` + evs[0].RowID + `","p_source_file":"f.log","p_source_label":"prod","p_any_domain_names":["db-1.example.com"],` +
		`"p_extra":{"ratio":"n/a","p_log_type":"x","other":[1]}}` + "\n"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

// appendString writes what event.AppendString writes.
func TestAppendString(t *testing.T) {
	t.Parallel()
	for _, s := range stringSeeds {
		checkAppendString(t, s)
	}
}

var stringSeeds = []string{
	"", "plain ascii that is longer than eight bytes", `"`, `\`, "a\x00b", "\x1f\x7f", "tab\there",
	"é日本語🙂", "bad \xff\xfe utf8", "\xed\xa0\x80 surrogate", "12345678\"12345678", "1234567\xc3\xa9",
	"\u2028\u2029",
}

func checkAppendString(t *testing.T, s string) {
	got := appendString([]byte("x"), s)
	want := event.AppendString([]byte("x"), s)
	if string(got) != string(want) {
		t.Fatalf("appendString(%q) = %s, event.AppendString = %s", s, got, want)
	}
	var back string
	if err := json.Unmarshal(got[1:], &back); err != nil || !utf8.ValidString(back) {
		t.Fatalf("appendString(%q) = %s: not a valid JSON string (%v)", s, got, err)
	}
}

func FuzzAppendString(f *testing.F) {
	for _, s := range stringSeeds {
		f.Add(s)
	}
	f.Fuzz(checkAppendString)
}

// Whatever the event, its row renders as one line of valid JSON (every
// string valid UTF-8, p_extra and json columns valid JSON), and every
// top-level field of the event is in a column or in p_extra.
func FuzzEncodeEvent(f *testing.F) {
	reg := testRegistry(f)
	for _, s := range []string{
		`{"case":"a","n":5.0,"user":{"name":"x","id":"y","inner":{"x":1,"q":2}},"items":[{"k":"a","v":1}],"Year":2024}`,
		`{"ts":1709294400123,"at":"2024-03-01","doc":{"a":nan},"tags":["a",1],"p_extra":1,"f":1e400}`,
		"{\"msg\":\"\xff\",\"n\":01,\"ok\":\"true\",\"n\":2}",
	} {
		f.Add([]byte(s))
	}
	tb, err := logTable(testTyped)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, rec []byte) {
		e := event.New()
		defer e.Release()
		if err := e.ParseJSON(rec); err != nil {
			return
		}
		if err := reg.Normalise(testTyped, e, parsers.Source{File: "fuzz"}, 1, testNow); err != nil {
			t.Fatal(err)
		}
		var enc encoder
		r := newRowBuf(tb, newChunkPool())
		enc.appendEvent(r, tb, e)
		row := renderRows(t, tb, r)[0]
		if row[len(row)-1] != '\n' || strings.Contains(row[:len(row)-1], "\n") {
			t.Fatalf("not one line: %q", row)
		}
		var got map[string]json.RawMessage
		if err := json.Unmarshal([]byte(row), &got); err != nil {
			t.Fatalf("invalid row %s: %v", row, err)
		}
		var extra map[string]json.RawMessage
		if x, ok := got["p_extra"]; ok {
			if err := json.Unmarshal(x, &extra); err != nil {
				t.Fatalf("p_extra is not an object: %s", x)
			}
		}
		o, _ := e.Fields.Object()
		o.Visit(func(k []byte, v *fastjson.Value) {
			if v.Type() == fastjson.TypeNull {
				return
			}
			key := string(k)
			if !utf8.ValidString(key) {
				return // re-encoded with U+FFFD
			}
			_, inCol := got[key]
			_, inExtra := extra[key]
			if !inCol && !inExtra {
				t.Fatalf("field %q of %s is lost: %s", key, rec, row)
			}
		})
	})
}

// appendJSON writes what appendValue writes, as JSON text that may differ
// (escapes kept as they came) but always valid and of the same value.
func checkAppendJSON(t *testing.T, in []byte) {
	v, err := fastjson.ParseBytes(in)
	if err != nil {
		return
	}
	want := appendValue(nil, v)
	got := appendJSON(nil, v)
	if !json.Valid(got) || !utf8.Valid(got) {
		t.Fatalf("appendJSON(%q) = %q: not valid JSON", in, got)
	}
	var x, y any
	if err := json.Unmarshal(want, &x); err != nil {
		t.Fatalf("appendValue(%q) = %q: %v", in, want, err)
	}
	if err := json.Unmarshal(got, &y); err != nil {
		t.Fatalf("appendJSON(%q) = %q: %v", in, got, err)
	}
	if xs, ys := fmt.Sprint(x), fmt.Sprint(y); xs != ys {
		t.Fatalf("appendJSON(%q) = %s, appendValue = %s", in, got, want)
	}
}

var jsonSeeds = []string{
	`{"a":[1,"x",null,true,false],"b":{"c":-0.5e-3}}`, `"plain"`, `12.5`, `{"k\"q":"v\\w"}`,
	`{"s":"\u00e9\/\n\t"}`, `"\ud83d\ude00"`, `"\ud800"`, `"\udc00x"`, "\"bad \xff\"", "{\"\xfe\":1}",
	`nan`, `[inf,-Inf,01,1.,+1,1e400,123456789012345678901234567890]`, "\"tab\there\"", "\"ctl\x01\"",
	`{"a":{"b":{"c":[[],{}]}}}`, `"\u0000"`, `"\x41"`, `"\a"`,
}

func TestAppendJSON(t *testing.T) {
	t.Parallel()
	for _, s := range jsonSeeds {
		checkAppendJSON(t, []byte(s))
	}
	// A string unescaped by a reader (rules do) is escaped again by
	// fastjson with Go's syntax: appendJSON must not keep that.
	v := fastjson.MustParse(`{"s":"a\u0007b\"c","t":"\u00e9"}`)
	v.GetStringBytes("s")
	v.GetStringBytes("t")
	got := appendJSON(nil, v)
	if !json.Valid(got) || string(got) != string(appendValue(nil, v)) {
		t.Errorf("unescaped strings: %s", got)
	}
}

func FuzzAppendJSON(f *testing.F) {
	for _, s := range jsonSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(checkAppendJSON)
}
