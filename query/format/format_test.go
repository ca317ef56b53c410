package format

import (
	"bytes"
	"math"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/duckdb/duckdb-go/v2"

	"panther/query"
)

var (
	cols = []query.Column{
		{Name: "t", Type: "TIMESTAMP"}, {Name: "name", Type: "VARCHAR"}, {Name: "n", Type: "BIGINT"},
		{Name: "ips", Type: "VARCHAR[]"}, {Name: "who", Type: `STRUCT("user" VARCHAR, id BIGINT)`},
	}
	rows = [][]any{
		{time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC), "alice", int64(3), []any{"10.0.0.1", "10.0.0.2"}, map[string]any{"user": "alice", "id": int64(7)}},
		{time.Date(2024, 3, 1, 12, 0, 0, 500000000, time.UTC), "bob\n<tab>\t\"q\"", nil, []any{}, nil},
	}
)

func render(t *testing.T, f Format, o Options) string {
	t.Helper()
	var b bytes.Buffer
	w := New(f, &b, o)
	if err := w.Columns(cols); err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if err := w.Row(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestFormats(t *testing.T) {
	t.Parallel()
	tests := []struct {
		f    Format
		o    Options
		want string
	}{
		{f: JSONL, want: `{"t":"2024-03-01T12:00:00Z","name":"alice","n":3,"ips":["10.0.0.1","10.0.0.2"],"who":{"id":7,"user":"alice"}}
{"t":"2024-03-01T12:00:00.5Z","name":"bob\n<tab>\t\"q\"","n":null,"ips":[],"who":null}
`},
		{f: JSON, want: `[
{"t":"2024-03-01T12:00:00Z","name":"alice","n":3,"ips":["10.0.0.1","10.0.0.2"],"who":{"id":7,"user":"alice"}},
{"t":"2024-03-01T12:00:00.5Z","name":"bob\n<tab>\t\"q\"","n":null,"ips":[],"who":null}
]
`},
		{f: CSV, want: `t,name,n,ips,who
2024-03-01T12:00:00Z,alice,3,"[""10.0.0.1"",""10.0.0.2""]","{""id"":7,""user"":""alice""}"
2024-03-01T12:00:00.5Z,"bob
<tab>	""q""",,[],
`},
		{f: Table, want: `t                      name                n  ips                      who
─────────────────────  ───────────────  ────  ───────────────────────  ───────────────────────
2024-03-01 12:00:00    alice               3  ["10.0.0.1","10.0.0.2"]  {"id":7,"user":"alice"}
2024-03-01 12:00:00.5  bob\n<tab>\t"q"  NULL  []                       NULL
`},
		// 60 columns: the text columns shrink (times and numbers do not),
		// cut cells end in …
		{f: Table, o: Options{Width: 60}, want: `t                      name          n  ips        who
─────────────────────  ─────────  ────  ─────────  ─────────
2024-03-01 12:00:00    alice         3  ["10.0.0…  {"id":7,…
2024-03-01 12:00:00.5  bob\n<ta…  NULL  []         NULL
`},
	}
	for _, tt := range tests {
		if got := render(t, tt.f, tt.o); got != tt.want {
			t.Errorf("%s (width %d):\n got:\n%s\nwant:\n%s", tt.f, tt.o.Width, got, tt.want)
		}
	}
}

func TestTableDropsColumnsThatCannotFit(t *testing.T) {
	t.Parallel()
	got := render(t, Table, Options{Width: 30})
	want := `t                      name
─────────────────────  ───────
2024-03-01 12:00:00    alice
2024-03-01 12:00:00.5  bob\n<…
(3 more columns not shown: n, ips, who; select fewer columns or use --format json)
`
	if got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestEmptyResults(t *testing.T) {
	t.Parallel()
	for f, want := range map[Format]string{JSON: "[]\n", JSONL: "", CSV: "a\n", Table: "a\n─\n"} {
		var b bytes.Buffer
		w := New(f, &b, Options{})
		if err := w.Columns([]query.Column{{Name: "a", Type: "VARCHAR"}}); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if b.String() != want {
			t.Errorf("%s: %q, want %q", f, b.String(), want)
		}
	}
}

func TestJSONValue(t *testing.T) {
	t.Parallel()
	var om duckdb.OrderedMap
	om.Set("k", int64(1))
	tests := []struct {
		v    any
		typ  string
		want string
	}{
		{v: math.NaN(), want: `"NaN"`},
		{v: math.Inf(-1), want: `"-Inf"`},
		{v: big.NewInt(0).Lsh(big.NewInt(1), 100), want: "1267650600228229401496703205376"},
		{v: duckdb.Decimal{Width: 5, Scale: 2, Value: big.NewInt(12345)}, want: "123.45"},
		{v: duckdb.Interval{Days: 1, Micros: 3600000000}, want: `"1 days 1h0m0s"`},
		{v: []byte{0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0, 1, 2, 3, 4, 5, 6, 7, 8}, typ: "UUID", want: `"12345678-9abc-def0-0102-030405060708"`},
		{v: []byte("hi"), typ: "BLOB", want: `"aGk="`},
		{v: om, want: `[{"key":"k","value":1}]`},
		{v: time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC), typ: "DATE", want: `"2024-03-01"`},
		{v: "<&>", want: `"<&>"`},
	}
	for _, tt := range tests {
		if got := string(marshal(JSONValue(tt.v, tt.typ))); got != tt.want {
			t.Errorf("JSONValue(%#v, %s) = %s, want %s", tt.v, tt.typ, got, tt.want)
		}
	}
}

func TestParse(t *testing.T) {
	t.Parallel()
	if f, err := Parse("jsonl"); err != nil || f != JSONL {
		t.Errorf("Parse(jsonl) = %v, %v", f, err)
	}
	if _, err := Parse("xml"); err == nil || !strings.Contains(err.Error(), "table, csv, json, jsonl") {
		t.Errorf("Parse(xml): %v", err)
	}
}
