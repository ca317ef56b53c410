package parquet

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/metadata"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// The footer-statistics conformance tests: files written by this package
// are read back by arrow-go (a reader that is not ours), and the min, max
// and null count of every column chunk are checked against the values
// written, computed here independently of stats.go. DuckDB prunes row
// groups on these statistics: a max that is too small silently drops
// rows from a search.

// column is a test column: a schema node and its values per row group;
// nil is NULL, a list's value is a []any (nil: a NULL list).
type testColumn struct {
	node Node
	rgs  [][]any
}

func ptrs(n int, f func(i int) any) []any {
	out := make([]any, n)
	for i := range out {
		out[i] = f(i)
	}
	return out
}

func ts(s string) any {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}

// testColumns are the columns of the conformance file: four row groups
// (the third with every value NULL, the fourth large enough for several
// pages and a dictionary).
func testColumns() []testColumn {
	long := strings.Repeat("x", maxStat+1)
	const big = 3000
	tcs := []testColumn{
		{Node{Name: "s", Type: String}, [][]any{
			{"b", "a", nil, "日本", "é", "z", "\U0001F600", "a", "", "Z"},
			{"m", long, "n", nil},
			{nil, nil, nil},
			ptrs(big, func(i int) any {
				if i%7 == 0 {
					return nil
				}
				return []string{"us-east-1", "eu-west-1", "ап-южный", "ap-northeast-1"}[i%4]
			}),
		}},
		{Node{Name: "u", Type: String}, [][]any{ // values that never repeat: PLAIN
			{"a1", "a0", "a2"},
			{"é1", "e2", nil, "ÿ"},
			{nil},
			ptrs(big, func(i int) any { return fmt.Sprintf("id-%08d-%s", (i*7919)%big, strings.Repeat("é", i%5)) }),
		}},
		{Node{Name: "j", Type: JSON}, [][]any{
			{`{"a":1}`, nil, `[]`},
			{nil},
			{nil, nil},
			ptrs(big, func(i int) any { return fmt.Sprintf(`{"n":%d}`, i) }),
		}},
		{Node{Name: "i", Type: Int64}, [][]any{
			{int64(3), int64(-5), nil, int64(math.MaxInt64), int64(0)},
			{int64(math.MinInt64), nil},
			{nil},
			ptrs(big, func(i int) any { return int64(i*1000 - 77) }),
		}},
		{Node{Name: "t", Type: Timestamp}, [][]any{
			{ts("2024-03-01T10:00:00Z"), nil, ts("1970-01-01T00:00:00Z"), ts("1969-12-31T23:59:59.999999Z")},
			{ts("9999-12-31T23:59:59.999999Z"), ts("0001-01-01T00:00:00Z")},
			{nil, nil, nil, nil, nil},
			ptrs(big, func(i int) any { return time.Unix(1700000000+int64(i), 0).UTC() }),
		}},
		{Node{Name: "d", Type: Double}, [][]any{
			{1.5, math.NaN(), -2.25, nil, math.NaN()},
			{math.NaN(), nil, math.NaN()}, // only NaN: no min/max
			{0.0, math.Copysign(0, -1), 0.0},
			ptrs(big, func(i int) any {
				switch i {
				case 10:
					return math.Inf(1)
				case 11:
					return math.Inf(-1)
				}
				return float64(i) / 3
			}),
		}},
		{Node{Name: "b", Type: Bool}, [][]any{
			{false, nil, false},
			{true, true},
			{nil},
			ptrs(big, func(i int) any { return i%3 == 0 }),
		}},
		{Node{Name: "l", Elem: &Node{Type: String}}, [][]any{
			{[]any{"b", "a"}, nil, []any{}, []any{nil, "c"}},
			{[]any{nil}, nil},
			{nil, []any{}},
			ptrs(big, func(i int) any { return []any{"x", fmt.Sprint(i % 10), nil} }),
		}},
		{Node{Name: "st", Fields: []Node{{Name: "n", Type: Int64}, {Name: "s", Type: String}}}, [][]any{
			{map[string]any{"n": int64(1), "s": "q"}, nil, map[string]any{"n": nil, "s": "p"}},
			{map[string]any{}, map[string]any{"n": int64(-1)}},
			{nil},
			ptrs(big, func(i int) any { return map[string]any{"n": int64(i), "s": "v"} }),
		}},
	}
	// The columns of a row group have as many rows: pad with NULLs.
	for g := range tcs[0].rgs {
		rows := 0
		for _, tc := range tcs {
			rows = max(rows, len(tc.rgs[g]))
		}
		for i := range tcs {
			for len(tcs[i].rgs[g]) < rows {
				tcs[i].rgs[g] = append(tcs[i].rgs[g], nil)
			}
		}
	}
	return tcs
}

// shred appends value v of node n (whose parent is defined at def and
// repeated at rep) to the leaf columns from cols[0] on, and returns the
// columns after n's.
func shred(cols []ColumnData, n *Node, v any, def, rep uint8) []ColumnData {
	switch {
	case n.Fields != nil:
		m, _ := v.(map[string]any)
		if v == nil {
			for _, f := range n.Fields {
				cols = nullAll(cols, &f, def, rep)
			}
			return cols
		}
		for i := range n.Fields {
			cols = shred(cols, &n.Fields[i], m[n.Fields[i].Name], def+1, rep)
		}
		return cols
	case n.Elem != nil:
		l, _ := v.([]any)
		if v == nil {
			return nullAll(cols, n.Elem, def, rep)
		}
		if len(l) == 0 {
			return nullAll(cols, n.Elem, def+1, rep)
		}
		var rest []ColumnData
		r := rep
		for _, x := range l {
			rest = shred(cols, n.Elem, x, def+2, r)
			r = maxRepOf(n)
		}
		return rest
	}
	c := &cols[0]
	if c.Reps != nil {
		c.Reps = append(c.Reps, rep)
	}
	if v == nil {
		c.Defs = append(c.Defs, def)
		return cols[1:]
	}
	c.Defs = append(c.Defs, def+1)
	switch x := v.(type) {
	case string:
		c.Values = binary.LittleEndian.AppendUint32(c.Values, uint32(len(x)))
		c.Values = append(c.Values, x...)
	case int64:
		c.Values = binary.LittleEndian.AppendUint64(c.Values, uint64(x))
	case time.Time:
		c.Values = binary.LittleEndian.AppendUint64(c.Values, uint64(x.UnixMicro()))
	case float64:
		c.Values = binary.LittleEndian.AppendUint64(c.Values, math.Float64bits(x))
	case bool:
		b := byte(0)
		if x {
			b = 1
		}
		c.Values = append(c.Values, b)
	}
	return cols[1:]
}

// nullAll appends a NULL at level def to every leaf under n.
func nullAll(cols []ColumnData, n *Node, def, rep uint8) []ColumnData {
	switch {
	case n.Fields != nil:
		for i := range n.Fields {
			cols = nullAll(cols, &n.Fields[i], def, rep)
		}
		return cols
	case n.Elem != nil:
		return nullAll(cols, n.Elem, def, rep)
	}
	c := &cols[0]
	c.Defs = append(c.Defs, def)
	if c.Reps != nil {
		c.Reps = append(c.Reps, rep)
	}
	return cols[1:]
}

// The test's nodes have at most one list, so its elements repeat at 1.
func maxRepOf(*Node) uint8 { return 1 }

// columnsOf shreds row group g of the test columns.
func columnsOf(s *Schema, tcs []testColumn, g int) (int, []ColumnData) {
	cols := make([]ColumnData, len(s.Leaves()))
	for i, l := range s.Leaves() {
		if l.MaxRep > 0 {
			cols[i].Reps = []uint8{}
		}
	}
	rest := cols
	rows := len(tcs[0].rgs[g])
	for _, tc := range tcs {
		// Shred column by column: a column's leaves are contiguous.
		n := leafCount(&tc.node)
		sub := rest[:n]
		for _, v := range tc.rgs[g] {
			if len(tc.rgs[g]) != rows {
				panic("row groups of different sizes")
			}
			shred(sub, &tc.node, v, 0, 0)
		}
		rest = rest[n:]
	}
	return rows, cols
}

func leafCount(n *Node) int {
	switch {
	case n.Fields != nil:
		k := 0
		for i := range n.Fields {
			k += leafCount(&n.Fields[i])
		}
		return k
	case n.Elem != nil:
		return leafCount(n.Elem)
	}
	return 1
}

// expected is a leaf chunk's statistics as the test computes them.
type expected struct {
	nulls    int64
	hasMM    bool
	min, max any
}

// leafValues lists the leaf values of value v of node n along the path
// to leaf k of n (nil for a NULL at any level).
func leafValues(n *Node, v any, k int, out []any) []any {
	switch {
	case n.Fields != nil:
		for i := range n.Fields {
			c := leafCount(&n.Fields[i])
			if k < c {
				var x any
				if m, ok := v.(map[string]any); ok {
					x = m[n.Fields[i].Name]
				}
				return leafValues(&n.Fields[i], x, k, out)
			}
			k -= c
		}
	case n.Elem != nil:
		l, _ := v.([]any)
		if len(l) == 0 {
			return append(out, nil) // a NULL or an empty list: one entry
		}
		for _, x := range l {
			out = leafValues(n.Elem, x, k, out)
		}
		return out
	}
	return append(out, v)
}

func expect(t Type, vals []any) expected {
	var e expected
	for _, v := range vals {
		if v == nil {
			e.nulls++
		}
	}
	switch t {
	case String:
		var lo, hi string
		for _, v := range vals {
			s, ok := v.(string)
			if !ok {
				continue
			}
			if len(s) > maxStat {
				return expected{nulls: e.nulls}
			}
			if !e.hasMM || s < lo {
				lo = s
			}
			if !e.hasMM || s > hi {
				hi = s
			}
			e.hasMM = true
		}
		e.min, e.max = lo, hi
	case Int64, Timestamp:
		var lo, hi int64
		for _, v := range vals {
			var x int64
			switch y := v.(type) {
			case int64:
				x = y
			case time.Time:
				x = y.UnixMicro()
			default:
				continue
			}
			if !e.hasMM || x < lo {
				lo = x
			}
			if !e.hasMM || x > hi {
				hi = x
			}
			e.hasMM = true
		}
		e.min, e.max = lo, hi
	case Double:
		var lo, hi float64
		for _, v := range vals {
			x, ok := v.(float64)
			if !ok || x != x {
				continue
			}
			if !e.hasMM || x < lo {
				lo = x
			}
			if !e.hasMM || x > hi {
				hi = x
			}
			e.hasMM = true
		}
		if lo == 0 {
			lo = math.Copysign(0, -1)
		}
		if hi == 0 {
			hi = 0
		}
		e.min, e.max = lo, hi
	case Bool:
		seen := map[bool]bool{}
		for _, v := range vals {
			if b, ok := v.(bool); ok {
				seen[b] = true
				e.hasMM = true
			}
		}
		e.min, e.max = !seen[false], seen[true]
	}
	return e
}

// writeConformance writes the conformance file and returns its path.
func writeConformance(t *testing.T, opts Options, pageSize int) (string, *Schema, []testColumn) {
	t.Helper()
	tcs := testColumns()
	nodes := make([]Node, len(tcs))
	for i := range tcs {
		nodes[i] = tcs[i].node
	}
	s, err := NewSchema(nodes)
	if err != nil {
		t.Fatal(err)
	}
	if opts.CreatedBy == "" {
		opts.CreatedBy = "panther version test (build 0)"
	}
	enc, err := NewEncoder(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer enc.Close()
	enc.pageSize = pageSize
	path := filepath.Join(t.TempDir(), "conformance.parquet")
	f := NewFile(path, s)
	for g := range tcs[0].rgs {
		rows, cols := columnsOf(s, tcs, g)
		if err := enc.WriteRowGroup(f, rows, cols); err != nil {
			t.Fatal(err)
		}
		if g == 1 { // a parked file appends where it was
			if err := f.Park(); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := enc.Finish(f); err != nil {
		t.Fatal(err)
	}
	return path, s, tcs
}

func TestStatisticsConformance(t *testing.T) {
	for _, c := range []struct {
		name     string
		opts     Options
		pageSize int
	}{
		{"dictionary", Options{}, pageBytes},
		{"dictionary-small-pages", Options{}, 512},
		{"plain", Options{PlainStrings: true}, pageBytes},
		{"plain-small-pages", Options{PlainStrings: true}, 512},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			path, s, tcs := writeConformance(t, c.opts, c.pageSize)
			rd, err := file.OpenParquetFile(path, false)
			if err != nil {
				t.Fatal(err)
			}
			defer rd.Close()
			md := rd.MetaData()
			if wv := md.WriterVersion(); wv.App != "panther" {
				t.Errorf("arrow-go parses created_by %q as application %q", md.GetCreatedBy(), wv.App)
			}
			dicts := 0
			for g := 0; g < md.NumRowGroups(); g++ {
				rg := md.RowGroup(g)
				leaf := 0
				for _, tc := range tcs {
					for k := 0; k < leafCount(&tc.node); k++ {
						l := s.Leaves()[leaf]
						cc, err := rg.ColumnChunk(leaf)
						if err != nil {
							t.Fatal(err)
						}
						if cc.HasDictionaryPage() {
							dicts++
							if l.Type != String || c.opts.PlainStrings {
								t.Errorf("row group %d %v: a dictionary page", g, l.Path)
							}
						}
						var vals []any
						for _, v := range tc.rgs[g] {
							vals = leafValues(&tc.node, v, k, vals)
						}
						checkStats(t, fmt.Sprintf("row group %d %v", g, l.Path), l.Type, cc, expect(l.Type, vals))
						leaf++
					}
				}
			}
			if !c.opts.PlainStrings && dicts == 0 {
				t.Error("no column chunk has a dictionary")
			}
			checkValues(t, path, tcs)
		})
	}
}

func checkStats(t *testing.T, where string, typ Type, cc *metadata.ColumnChunkMetaData, want expected) {
	t.Helper()
	ok, err := cc.StatsSet()
	if err != nil || !ok {
		t.Errorf("%s: arrow-go does not trust the statistics (%v)", where, err)
		return
	}
	st, err := cc.Statistics()
	if err != nil {
		t.Fatal(err)
	}
	if !st.HasNullCount() || st.NullCount() != want.nulls {
		t.Errorf("%s: null count %d, want %d", where, st.NullCount(), want.nulls)
	}
	if typ == JSON {
		want.hasMM = false
	}
	if st.HasMinMax() != want.hasMM {
		t.Errorf("%s: has min/max %v, want %v", where, st.HasMinMax(), want.hasMM)
		return
	}
	if !want.hasMM {
		return
	}
	var lo, hi any
	switch s := st.(type) {
	case *metadata.ByteArrayStatistics:
		lo, hi = string(s.Min()), string(s.Max())
	case *metadata.Int64Statistics:
		lo, hi = s.Min(), s.Max()
	case *metadata.Float64Statistics:
		lo, hi = s.Min(), s.Max()
		if math.Signbit(s.Min()) != math.Signbit(want.min.(float64)) || math.Signbit(s.Max()) != math.Signbit(want.max.(float64)) {
			t.Errorf("%s: min/max %v/%v, want the signs of %v/%v", where, s.Min(), s.Max(), want.min, want.max)
		}
	case *metadata.BooleanStatistics:
		lo, hi = s.Min(), s.Max()
	default:
		t.Fatalf("%s: statistics of type %T", where, st)
	}
	if lo != want.min || hi != want.max {
		t.Errorf("%s: min %v max %v, want %v %v", where, lo, hi, want.min, want.max)
	}
}

// checkValues reads the file back with arrow-go and compares every value.
func checkValues(t *testing.T, path string, tcs []testColumn) {
	t.Helper()
	rd, err := file.OpenParquetFile(path, false)
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	fr, err := pqarrow.NewFileReader(rd, pqarrow.ArrowReadProperties{BatchSize: 1 << 16}, memory.DefaultAllocator)
	if err != nil {
		t.Fatal(err)
	}
	tbl, err := fr.ReadTable(context.Background())
	if err != nil {
		t.Fatalf("arrow-go cannot read the file: %v", err)
	}
	defer tbl.Release()
	for ci, tc := range tcs {
		var want []any
		for _, rg := range tc.rgs {
			want = append(want, rg...)
		}
		var got []any
		for _, chunk := range tbl.Column(ci).Data().Chunks() {
			for i := 0; i < chunk.Len(); i++ {
				got = append(got, goValue(chunk, i))
			}
		}
		if len(got) != len(want) {
			t.Fatalf("column %s: %d values read, want %d", tc.node.Name, len(got), len(want))
		}
		for i := range want {
			if w, g := render(want[i]), render(got[i]); w != g {
				t.Errorf("column %s row %d: read %s, want %s", tc.node.Name, i, g, w)
			}
		}
	}
}

// goValue is value i of an arrow array as the test columns hold values.
func goValue(a arrow.Array, i int) any {
	if a.IsNull(i) {
		return nil
	}
	switch x := a.(type) {
	case *array.String:
		return x.Value(i)
	case *array.Int64:
		return x.Value(i)
	case *array.Timestamp:
		return time.UnixMicro(int64(x.Value(i))).UTC()
	case *array.Float64:
		return x.Value(i)
	case *array.Boolean:
		return x.Value(i)
	case *array.List:
		lo, hi := x.ValueOffsets(i)
		out := []any{}
		for j := lo; j < hi; j++ {
			out = append(out, goValue(x.ListValues(), int(j)))
		}
		return out
	case *array.Struct:
		m := map[string]any{}
		st := x.DataType().(*arrow.StructType)
		for f := 0; f < x.NumField(); f++ {
			if v := goValue(x.Field(f), i); v != nil {
				m[st.Field(f).Name] = v
			}
		}
		return m
	case array.ExtensionArray:
		return goValue(x.Storage(), i)
	case *array.Binary:
		return string(x.Value(i))
	}
	return fmt.Sprintf("unexpected %T", a)
}

func render(v any) string {
	switch x := v.(type) {
	case float64:
		return fmt.Sprintf("%v/%v", x, math.Signbit(x))
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano)
	case map[string]any:
		var b bytes.Buffer
		for _, k := range []string{"n", "s"} {
			if x[k] != nil {
				fmt.Fprintf(&b, "%s=%s;", k, render(x[k]))
			}
		}
		return b.String()
	case []any:
		parts := make([]string, len(x))
		for i, y := range x {
			parts[i] = render(y)
		}
		return "[" + strings.Join(parts, ",") + "]"
	}
	return fmt.Sprintf("%T:%v", v, v)
}

// parquet-java's VersionParser: what it accepts and how it splits it
// (its own test cases, and ours).
func TestParseCreatedBy(t *testing.T) {
	for _, c := range []struct {
		in                 string
		app, version, hash string
		ok                 bool
	}{
		{"parquet-mr version 1.6.0 (build abcd)", "parquet-mr", "1.6.0", "abcd", true},
		{"parquet-mr version 1.6.22rc99-SNAPSHOT (build abcd)", "parquet-mr", "1.6.22rc99-SNAPSHOT", "abcd", true},
		{"parquet-mr version 1.6.0", "parquet-mr", "1.6.0", "", true},
		{"parquet-mr version (build abcd)", "parquet-mr", "", "abcd", true},
		{"parquet-mr     version    1.6.0    (  build    abcd  )", "parquet-mr", "1.6.0", "abcd", true},
		{"panther version 1.4.0 (build 0123456789ab)", "panther", "1.4.0", "0123456789ab", true},
		{"panther lake", "", "", "", false},
		{"unparseable string", "", "", "", false},
		{"version 1.0", "", "", "", false},
		{"panther version (devel) (build x)", "", "", "", false},
	} {
		app, v, h, ok := ParseCreatedBy(c.in)
		if ok != c.ok || app != c.app || v != c.version || h != c.hash {
			t.Errorf("ParseCreatedBy(%q) = %q %q %q %v, want %q %q %q %v", c.in, app, v, h, ok, c.app, c.version, c.hash, c.ok)
		}
	}
	if _, err := NewEncoder(Options{CreatedBy: "panther lake"}); err == nil {
		t.Error("NewEncoder took a created_by parquet-java cannot parse")
	}
}
