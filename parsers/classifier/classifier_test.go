package classifier

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"panther/parsers"
	"panther/parsers/event"
)

// Fake log types, so these tests do not depend on the real parsers.

func jsonType(name string, prio int, fields ...string) *parsers.LogType {
	return &parsers.LogType{Name: name, NewParser: parsers.JSONParser, Detect: parsers.HasAll(fields...), Priority: prio}
}

// tsvParser is a Zeek-like stateful parser: "#fields a b" sets the columns,
// "#path x" the log type (Fake.TSV.x), other "#" lines are comments; a data
// line before any #fields is an error.
type tsvParser struct {
	fields []string
	path   string
	seen   *[]string // every record it was given, when set
}

func (p *tsvParser) Parse(rec []byte, e *event.Event) (bool, error) {
	if p.seen != nil {
		*p.seen = append(*p.seen, string(rec))
	}
	s := string(rec)
	switch {
	case strings.HasPrefix(s, "#fields\t"):
		p.fields = strings.Split(s, "\t")[1:]
		return false, nil
	case strings.HasPrefix(s, "#path\t"):
		p.path = strings.TrimPrefix(s, "#path\t")
		return false, nil
	case strings.HasPrefix(s, "#"):
		return false, nil
	case p.fields == nil:
		return false, errors.New("no #fields header before the data")
	}
	vals := strings.Split(s, "\t")
	if len(vals) != len(p.fields) {
		return false, fmt.Errorf("%d values for %d fields", len(vals), len(p.fields))
	}
	a := e.Arena()
	obj := a.NewObject()
	for i, f := range p.fields {
		obj.Set(f, a.NewString(vals[i]))
	}
	e.Fields = obj
	if p.path != "" {
		e.LogType = "Fake.TSV." + p.path
	}
	return true, nil
}

// kvParser accepts "k=v k=v" lines.
type kvParser struct{ seen *[]string }

func (p kvParser) Parse(rec []byte, e *event.Event) (bool, error) {
	if p.seen != nil {
		*p.seen = append(*p.seen, string(rec))
	}
	a := e.Arena()
	obj := a.NewObject()
	for _, kv := range strings.Fields(string(rec)) {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return false, fmt.Errorf("%q is not key=value", kv)
		}
		obj.Set(k, a.NewString(v))
	}
	e.Fields = obj
	return true, nil
}

type panicParser struct{}

func (panicParser) Parse(rec []byte, e *event.Event) (bool, error) {
	if bytes.HasPrefix(rec, []byte("boom")) {
		panic("boom")
	}
	return false, errors.New("not boom")
}

type fakes struct {
	reg     *parsers.Registry
	tsvSeen []string
	kvSeen  []string
}

// newFakes registers the fake types; with special, also Fake.AB, a special
// case of A and B with a higher priority.
func newFakes(t testing.TB, special bool) *fakes {
	f := &fakes{}
	tsv := func() parsers.Parser { return &tsvParser{seen: &f.tsvSeen} }
	types := []*parsers.LogType{
		jsonType("Fake.A", 0, "a"),
		jsonType("Fake.B", 0, "b"),
		{Name: "Fake.TSV.conn", Family: "Fake.TSV", NewParser: tsv},
		{Name: "Fake.TSV.dns", Family: "Fake.TSV", NewParser: tsv},
		{Name: "Fake.KV", NewParser: func() parsers.Parser { return kvParser{seen: &f.kvSeen} },
			Detect: parsers.HasAll("user")},
	}
	if special {
		types = append(types, jsonType("Fake.AB", 10, "a", "b"))
	}
	reg, err := parsers.NewRegistry(types...)
	if err != nil {
		t.Fatal(err)
	}
	f.reg = reg
	return f
}

// run classifies each line; it returns "type" per event, "-" per header and
// "ERR msg" per rejected record, and checks that every event normalises.
func run(t *testing.T, reg *parsers.Registry, c *Classifier, lines ...string) []string {
	t.Helper()
	var out []string
	for i, l := range lines {
		e, lt, err := c.Classify([]byte(l))
		switch {
		case err != nil:
			if e != nil || lt != nil {
				t.Fatalf("line %d: an error with an event", i+1)
			}
			out = append(out, "ERR "+err.Error())
		case e == nil:
			out = append(out, "-")
		default:
			if err := reg.Normalise(lt, e, parsers.Source{File: "t"}, int64(i+1), time.Unix(0, 0)); err != nil {
				t.Fatalf("line %d: normalise: %v", i+1, err)
			}
			out = append(out, e.LogType)
			e.Release()
		}
	}
	return out
}

func TestClassify(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		lines []string
		want  []string
	}{
		{"json types by Detect, priority first even after learning",
			[]string{`{"a":1}`, `{"b":1}`, `{"a":1,"b":2}`, `{"b":1}`, `{"b":1,"a":2}`},
			[]string{"Fake.A", "Fake.B", "Fake.AB", "Fake.B", "Fake.AB"}},
		{"a stateful family with its headers; the parser picks the type",
			[]string{"#separator \\x09", "#path\tconn", "#fields\tts\tuid", "1\tC1", "2\tC2", "#path\tdns", "3\tC3"},
			[]string{"-", "-", "-", "Fake.TSV.conn", "Fake.TSV.conn", "-", "Fake.TSV.dns"}},
		{"a family whose parser names no type takes the first whose Detect accepts",
			[]string{"user=alice action=login", "action=logout"},
			[]string{"Fake.KV", "ERR no log type matches; tried 5 types (Fake.KV: not a Fake.KV event)"}},
		{"nothing matches",
			[]string{`{"c":1}`, `not json`, `{"a":`},
			[]string{
				"ERR no log type matches; tried 5 types (Fake.AB: not a Fake.AB event)",
				`ERR no log type matches; tried 5 types (Fake.AB: cannot parse JSON: unexpected value found: "not json"; unparsed tail: "not json")`,
				`ERR no log type matches; tried 5 types (Fake.AB: cannot parse JSON: cannot parse object: cannot parse object value: cannot parse empty string; unparsed tail: "")`,
			}},
		{"the reason given is the last winner's",
			[]string{"user=x", "#fields\tts", "1", "1\t2", "a\tb\tc"},
			[]string{"Fake.KV", "-", "Fake.TSV.conn", "ERR no log type matches; tried 5 types (Fake.TSV: 2 values for 1 fields)",
				"ERR no log type matches; tried 5 types (Fake.TSV: 3 values for 1 fields)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFakes(t, true)
			got := run(t, f.reg, New(f.reg), tt.lines...)
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("got\n\t%s\nwant\n\t%s", strings.Join(got, "\n\t"), strings.Join(tt.want, "\n\t"))
			}
		})
	}
}

func TestInitialOrder(t *testing.T) {
	t.Parallel()
	f := newFakes(t, true)
	got := strings.Join(New(f.reg).Order(), ",")
	want := "Fake.AB,Fake.A,Fake.B,Fake.KV,Fake.TSV" // priority desc, then name
	if got != want {
		t.Errorf("order %s, want %s", got, want)
	}
}

// The winner moves to the front, and on a file of one type each record
// after the first costs one parse; the JSON types share one parse.
func TestLearning(t *testing.T) {
	t.Parallel()
	f := newFakes(t, false)
	c := New(f.reg)
	lines := []string{"#fields\tts\tuid"} // TSV: last in the initial order
	for range 99 {
		lines = append(lines, "1\tC1")
	}
	run(t, f.reg, c, lines...)
	st := c.Stats()
	// The header: one JSON parse for both JSON types, KV, TSV = 3.
	// The 99 others: TSV first, one parse each.
	if st.Parses != 3+99 || st.Records != 100 || st.Headers != 1 || st.Events["Fake.TSV.conn"] != 99 {
		t.Errorf("stats %+v, want 102 parses, 100 records, 1 header, 99 Fake.TSV.conn", st)
	}
	if got := c.Order()[0]; got != "Fake.TSV" {
		t.Errorf("first candidate %s, want the last winner Fake.TSV", got)
	}
	// A JSON record now: TSV fails, then one parse for all JSON types.
	run(t, f.reg, c, `{"b":1}`)
	if got := strings.Join(c.Order(), ","); got != "Fake.B,Fake.TSV,Fake.A,Fake.KV" {
		t.Errorf("order after a Fake.B: %s", got)
	}
	if st := c.Stats(); st.Parses != 102+2 {
		t.Errorf("%d parses, want 104", st.Parses)
	}
}

// Learning reorders within a priority only: Fake.AB (priority 10) stays
// ahead, and its Detect is tried on every JSON record for the price of a
// Detect, not a parse.
func TestLearningKeepsPriority(t *testing.T) {
	t.Parallel()
	f := newFakes(t, true)
	c := New(f.reg)
	got := run(t, f.reg, c, "user=u", `{"b":1}`, `{"a":1,"b":1}`, `{"b":1}`)
	if strings.Join(got, ",") != "Fake.KV,Fake.B,Fake.AB,Fake.B" {
		t.Errorf("got %v", got)
	}
	if got := strings.Join(c.Order(), ","); got != "Fake.AB,Fake.B,Fake.KV,Fake.A,Fake.TSV" {
		t.Errorf("order %s", got)
	}
	// user=u: JSON (fails) + KV; {"b":1}: JSON + KV (now ahead of B);
	// then one JSON parse for each JSON record.
	if st := c.Stats(); st.Parses != 2+2+1+1 {
		t.Errorf("%d parses, want 6", st.Parses)
	}
}

// A header consumed by one family reaches the families after it once; the
// ones before it have seen it already and do not see it twice.
func TestHeaderReachesEveryParser(t *testing.T) {
	t.Parallel()
	f := newFakes(t, false)
	c := New(f.reg)
	run(t, f.reg, c, "user=x") // KV to the front: it sees records first
	f.kvSeen, f.tsvSeen = nil, nil
	// KV rejects "#fields\tts" (no '='); TSV takes it as a header.
	if got := run(t, f.reg, c, "#fields\tts"); strings.Join(got, ",") != "-" {
		t.Fatalf("got %v", got)
	}
	if len(f.kvSeen) != 1 || len(f.tsvSeen) != 1 {
		t.Errorf("KV saw %q and TSV saw %q, want each once", f.kvSeen, f.tsvSeen)
	}
	if c.Order()[0] != "Fake.TSV" {
		t.Errorf("the header's family must move to the front: %v", c.Order())
	}
	// A header that the first family consumes: every other stateful parser
	// must see it too (KV rejects it, but must still get it).
	f.kvSeen, f.tsvSeen = nil, nil
	run(t, f.reg, c, "#path\tconn")
	if len(f.kvSeen) != 1 || len(f.tsvSeen) != 1 {
		t.Errorf("KV saw %q and TSV saw %q, want each once", f.kvSeen, f.tsvSeen)
	}
	if got := run(t, f.reg, c, "5"); strings.Join(got, "") != "Fake.TSV.conn" {
		t.Errorf("the TSV parser lost its state: %v", got)
	}
}

func TestFixed(t *testing.T) {
	t.Parallel()
	f := newFakes(t, false)
	a, _ := f.reg.Lookup("Fake.A")
	c := NewFixed(f.reg, a)
	got := run(t, f.reg, c, `{"b":1}`, `nope`)
	want := []string{"Fake.A", `ERR cannot parse JSON: unexpected value found: "nope"; unparsed tail: "nope"`}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got %q", got)
	}
	if st := c.Stats(); st.Unclassified != 1 || st.Events["Fake.A"] != 1 || st.Parses != 2 {
		t.Errorf("stats %+v", st)
	}
}

func TestParserPanicIsARecordError(t *testing.T) {
	t.Parallel()
	reg, err := parsers.NewRegistry(
		&parsers.LogType{Name: "Fake.Panic", NewParser: func() parsers.Parser { return panicParser{} }, Priority: 1},
		jsonType("Fake.A", 0, "a"))
	if err != nil {
		t.Fatal(err)
	}
	got := run(t, reg, New(reg), "boom", `{"a":1}`)
	if len(got) != 2 || !strings.Contains(got[0], "parser panic") || got[1] != "Fake.A" {
		t.Errorf("got %q", got)
	}
}

func TestFork(t *testing.T) {
	t.Parallel()
	f := newFakes(t, false)
	c := New(f.reg)
	run(t, f.reg, c, "#fields\tts", "1", "user=u")
	n := c.Fork()
	if strings.Join(n.Order(), ",") != strings.Join(c.Order(), ",") {
		t.Errorf("fork order %v, want %v", n.Order(), c.Order())
	}
	// Fresh parsers: no #fields yet in the new source.
	got := run(t, f.reg, n, "1")
	if !strings.HasPrefix(got[0], "ERR ") {
		t.Errorf("a forked TSV parser kept its header state: %v", got)
	}
	if st := n.Stats(); st.Records != 1 {
		t.Errorf("fork stats carried over: %+v", st)
	}
}

func TestStatsCopy(t *testing.T) {
	t.Parallel()
	f := newFakes(t, false)
	c := New(f.reg)
	run(t, f.reg, c, `{"a":1}`)
	s := c.Stats()
	s.Events["Fake.A"] = 100
	if c.Stats().Events["Fake.A"] != 1 {
		t.Error("Stats shares its map")
	}
}

// A family of low Priority (syslog's) that wins 16 records of a source in a
// row decides the source: it is tried first, so each record costs one
// parse; a record it rejects still reaches the others, and the first one
// another family takes puts the priorities back.
func TestDecideSource(t *testing.T) {
	t.Parallel()
	var kvSeen []string
	reg, err := parsers.NewRegistry(
		jsonType("Fake.A", 0, "a"),
		&parsers.LogType{Name: "Fake.TSV", NewParser: func() parsers.Parser { return &tsvParser{} }},
		&parsers.LogType{Name: "Fake.KV", Priority: -10, NewParser: func() parsers.Parser { return kvParser{seen: &kvSeen} }})
	if err != nil {
		t.Fatal(err)
	}
	c := New(reg)
	var lines []string
	for i := range commitAfter - 1 {
		lines = append(lines, fmt.Sprintf("user=u%d", i))
	}
	run(t, reg, c, lines...)
	if got := strings.Join(c.Order(), ","); got != "Fake.A,Fake.TSV,Fake.KV" {
		t.Fatalf("after %d records: order %s", commitAfter-1, got)
	}
	before := c.Stats().Parses
	run(t, reg, c, "user=last-undecided", "user=decided")
	if got := strings.Join(c.Order(), ","); got != "Fake.KV,Fake.A,Fake.TSV" {
		t.Fatalf("after %d records: order %s", commitAfter+1, got)
	}
	// 3 parses for the 16th record (JSON, TSV, KV), 1 for the 17th.
	if n := c.Stats().Parses - before; n != 3+1 {
		t.Errorf("%d parses, want 4", n)
	}
	// A record the decided family rejects reaches the others; one they
	// take puts the priorities back.
	got := run(t, reg, c, `{"a":1}`, "user=again")
	if strings.Join(got, ",") != "Fake.A,Fake.KV" {
		t.Errorf("got %v", got)
	}
	if got := strings.Join(c.Order(), ","); got != "Fake.A,Fake.TSV,Fake.KV" {
		t.Errorf("after another family won: order %s", got)
	}
	// A new source starts undecided.
	c2 := c.Fork()
	for range commitAfter {
		run(t, reg, c, "user=x")
	}
	if got := strings.Join(c2.Order(), ","); got != "Fake.A,Fake.TSV,Fake.KV" {
		t.Errorf("fork: order %s", got)
	}
	if got := strings.Join(c.Fork().Order(), ","); got != "Fake.A,Fake.TSV,Fake.KV" {
		t.Errorf("fork of a decided source: order %s", got)
	}
}

// Explain tells, family by family, why each passed a record over until
// one took it, and agrees with Classify on the type chosen.
func TestExplain(t *testing.T) {
	t.Parallel()
	tests := []struct {
		line string
		want string // family:outcome[:type] per attempt
		typ  string
	}{
		{`{"a":1,"b":2}`, "Fake.AB:chosen:Fake.AB", "Fake.AB"},
		{`{"b":1}`, "Fake.AB:not detected,Fake.A:not detected,Fake.B:chosen:Fake.B", "Fake.B"},
		{"user=alice", "Fake.AB:parse error,Fake.A:parse error,Fake.B:parse error,Fake.KV:chosen:Fake.KV", "Fake.KV"},
		{"action=x", "Fake.AB:parse error,Fake.A:parse error,Fake.B:parse error,Fake.KV:not detected,Fake.TSV:parse error", ""},
		{"#fields\tts", "Fake.AB:parse error,Fake.A:parse error,Fake.B:parse error,Fake.KV:parse error,Fake.TSV:header", ""},
	}
	for _, tt := range tests {
		f := newFakes(t, true)
		attempts, e, lt := New(f.reg).Explain([]byte(tt.line))
		var got []string
		for _, a := range attempts {
			s := a.Family + ":" + a.Outcome
			if a.LogType != "" {
				s += ":" + a.LogType
			}
			if (a.Outcome == "parse error" || a.Outcome == "not detected") && a.Err == nil {
				t.Errorf("%q: %s has no reason", tt.line, s)
			}
			got = append(got, s)
		}
		if g := strings.Join(got, ","); g != tt.want {
			t.Errorf("%q: attempts %s, want %s", tt.line, g, tt.want)
		}
		if (lt == nil) != (tt.typ == "") || (lt != nil && lt.Name != tt.typ) || (e == nil) != (lt == nil) {
			t.Errorf("%q: type %v event %v, want %q", tt.line, lt, e != nil, tt.typ)
		}
		_, clt, _ := New(f.reg).Classify([]byte(tt.line))
		if (clt == nil) != (lt == nil) || (clt != nil && clt.Name != lt.Name) {
			t.Errorf("%q: Classify chose %v, Explain %v", tt.line, clt, lt)
		}
		if e != nil {
			e.Release()
		}
	}
}
