// Package zeek holds the log types of the Zeek network monitor (family
// "Zeek"): one type per Zeek log (conn, dns, http, ssl, ...), in both of the
// formats Zeek writes.
//
//   - JSON, one object a line, as written with LogAscii::use_json=T or by the
//     json-streaming-logs package (which adds `_path` and `_write_ts`).
//     Times are epoch seconds, or ISO 8601 with
//     json_timestamps=JSON::TS_ISO8601, or epoch milliseconds with
//     JSON::TS_MILLIS.
//   - TSV, Zeek's default: `#separator`, `#set_separator`, `#empty_field`,
//     `#unset_field`, `#path`, `#fields`, `#types` header lines, then one
//     tab-separated line per record. The parser keeps the header as state,
//     for the rest of its source (a parser serves one source), and a new
//     `#separator` line (concatenated files) starts a new header.
//
// One parser reads both, record by record (a line starting with '{' or '['
// is JSON), and names the log type of each event itself: from `#path` (TSV),
// `_path` or `@stream` (JSON) when known, else from the field names, by the
// fields every record of a type has and the fields it has in common with
// the type's documented ones (the best fit wins; ties prefer the log type the
// parser was created for). A record that fits several logs (a kerberos
// record holding only the connection columns) is therefore of the log its
// path names; its fields decide only when it has no path. A few logs whose
// fields any application could have (cluster, print, loaded_scripts,
// netcontrol, and notice_alarm, whose fields are notice's) are named by
// their path only. Detect accepts an event when that parser named its type,
// so the classifier asks the parser, not a separate field test.
//
// Zeek's JSON reaches users through other pipelines too, and the JSON
// reader takes their records as they write them, giving the event of the
// record as Zeek writes it:
//
//   - the log's path in `@stream` (with `@system` and `@proc`) rather than
//     `_path`, or the record wrapped in its path by the Kafka writer's
//     tag_json ({"conn": {...}});
//   - dotted names written with another scope separator
//     (Log::default_scope_sep = "_": "id_orig_h", "certificate_version",
//     "times_modified"), or as nested objects ({"id": {"orig_h": ...}});
//     how a source writes them is learnt from its first record that shows
//     it, so Zeek's own records pay nothing for it;
//   - ts as epoch seconds, epoch milliseconds, ISO 8601, or epoch seconds
//     in a string.
//
// The keys pipelines add (`_path`, `_write_ts`, `_system_name`, `@stream`,
// `@system`, `@proc`: no Zeek field starts with '_' or '@') are kept in the
// event as written and play no part in telling the log.
//
// Fields a log declares required (those every record of it has: ts, uid,
// the conn id, ...) are enforced whatever named the type: a conn record
// without its conn id, or whose ts is no time, is refused with the reason
// (a parsers.NearMissError naming the log, which the classifier reports),
// never read with empty columns; a TSV header without a required column
// refuses its records, and so does a required value left unset.
//
// Keys stay as Zeek writes them: flat, with dots ("id.orig_h"); paths address
// them as `["id.orig_h"]`. Both formats give the same event for the same
// record (a test proves it on real traffic logged both ways), which takes a
// canonical form for what the formats write differently:
//
//   - time: a string in Zeek's ISO 8601 form, "2018-03-24T17:15:25.396014Z"
//     (TSV and epoch JSON times are converted without float rounding);
//   - interval and double: a JSON number rounded to microseconds with no
//     trailing zeros (TSV writes six decimals; Zeek's JSON writes the full
//     double, whose further digits are float noise from subtracting two
//     microsecond times); NaN and infinities are null, as Zeek's JSON has them;
//   - count, int, port: JSON numbers; bool: true/false;
//   - unset ("-"): the field is absent, as in Zeek's JSON; "(empty)": an
//     empty string or array; set[T] and vector[T]: arrays;
//   - strings: TSV escapes (\xNN, \\) decoded, then rendered as Zeek's JSON
//     writer renders strings: unchanged when valid, printable UTF-8, else
//     every other byte as the text \xNN.
//
// The JSON reader applies these forms to the fields its log type declares
// (time, interval, double); other fields are kept as written.
//
// The log types are every log of a stock Zeek install (Zeek's "Log Files"
// reference), plus dpd.log of Zeek before 7: their fields are read off the
// Info records of the scripts that write them (logs.go, logs_more.go).
//
// Hand-written parsing, no library: Zeek's TSV is a simple format with
// Zeek-specific escapes and markers, and writing JSON text in one pass and
// handing it to the event's fastjson parser is the fastest way into an
// event (see the benchmarks).
package zeek

import (
	"bytes"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"unsafe"

	"panther/parsers"
	"panther/parsers/event"
)

// Family is the family of every Zeek log type.
const Family = "Zeek"

// spec declares one Zeek log (see logs.go).
type spec struct {
	path, name, desc, ref string
	fields                string
	indicators            []ind
	sample                string
	// enums are the required enum fields whose values name their module
	// ("level" → "Reporter::"): checked when the type is found by fields.
	enums map[string]string
	// pathOnly types are too plain to be told by their field names alone
	// (cluster.log's ts, node and message are any application's): they are
	// named only by _path, @stream or #path.
	pathOnly bool
}

// ind is an indicator kind followed by the fields that feed it.
type ind []string

// kind is the type of a Zeek field, as far as its JSON form is concerned.
type kind uint8

const (
	kString kind = iota // string, addr, subnet, enum, pattern, ...
	kCount              // count, port
	kInt
	kDouble // double, interval
	kTime
	kBool
)

type fieldDef struct {
	name      string
	zeekType  string
	kind      kind
	container bool
	required  bool
}

// logDef is a log type with what the parser needs to know of it.
type logDef struct {
	idx    int
	path   string
	lt     *parsers.LogType
	enums  map[string]string
	fields []fieldDef
	// special are the fields the JSON reader rewrites to canonical form.
	special []fieldDef
	// required are the fields every record of the type has, in order.
	required []string
	nreq     int
	hasTS    bool
	pathOnly bool
	// declared holds the field names, for the shape checks of other
	// pipelines' records.
	declared map[string]bool
}

var (
	defs   []*logDef
	byPath = map[string]*logDef{}
	// flatNames maps the name of a dotted field written with another scope
	// separator ("id_orig_h", Log::default_scope_sep = "_") to its Zeek
	// name ("id.orig_h"); prefixes holds the record names that shippers
	// write as nested objects ({"id": {"orig_h": ...}}).
	flatNames = map[string]string{}
	prefixes  = map[string]bool{}
	allNames  = map[string]bool{}
)

// commonFields are declared for every type: the json-streaming-logs
// package's log path and write time.
const commonFields = `_path:string _write_ts:time`

func define(s spec) *parsers.LogType {
	d := &logDef{idx: len(defs), path: s.path, enums: s.enums, pathOnly: s.pathOnly, declared: map[string]bool{}}
	d.fields = parseFields(s.fields + " " + commonFields)
	var cols []parsers.Column
	inds := []parsers.Indicator{}
	for _, f := range d.fields {
		cols = append(cols, parsers.Column{Name: f.name, Type: hiveType(f), Description: "Zeek type " + f.zeekType})
		d.declared[f.name] = true
		allNames[f.name] = true
		if f.required {
			d.nreq++
			d.required = append(d.required, f.name)
			if f.name == "ts" {
				d.hasTS = true
			}
		}
		if f.kind == kTime || f.kind == kDouble {
			d.special = append(d.special, f)
		}
		switch f.name {
		case "id.orig_h", "id.resp_h":
			inds = append(inds, parsers.Indicator{Path: quote(f.name), Kind: "ip"})
		case "uid":
			inds = append(inds, parsers.Indicator{Path: "uid", Kind: "trace_id"})
		}
	}
	for _, in := range s.indicators {
		for _, name := range in[1:] {
			if !slices.ContainsFunc(d.fields, func(f fieldDef) bool { return f.name == name }) {
				panic("zeek: " + s.name + ": indicator on undeclared field " + name)
			}
			inds = append(inds, parsers.Indicator{Path: quote(name), Kind: in[0]})
		}
	}
	name := s.name
	d.lt = &parsers.LogType{
		Name:        name,
		Description: s.desc,
		Reference:   s.ref,
		Family:      Family,
		NewParser:   func() parsers.Parser { return newParser(d) },
		// The parser names the type of each record (see the package doc).
		Detect:     func(e *event.Event) bool { return e.LogType == name },
		TimeFields: []parsers.TimeField{{Path: "ts", Format: "rfc3339"}, {Path: "ts", Format: "unix"}},
		Indicators: inds,
		Schema:     cols,
		Sample:     s.sample,
	}
	if byPath[s.path] != nil {
		panic("zeek: path declared twice: " + s.path)
	}
	for _, f := range d.fields {
		if !strings.Contains(f.name, ".") {
			continue
		}
		flat := strings.ReplaceAll(f.name, ".", "_")
		if other, ok := flatNames[flat]; ok && other != f.name {
			panic("zeek: " + f.name + " and " + other + " are both written " + flat)
		}
		flatNames[flat] = f.name
		for i := range len(f.name) {
			if f.name[i] == '.' {
				prefixes[f.name[:i]] = true
			}
		}
	}
	byPath[s.path] = d
	defs = append(defs, d)
	return d.lt
}

// LogTypes returns every Zeek log type, sorted by name.
func LogTypes() []*parsers.LogType {
	out := make([]*parsers.LogType, len(defs))
	for i, d := range defs {
		out[i] = d.lt
	}
	slices.SortFunc(out, func(a, b *parsers.LogType) int { return strings.Compare(a.Name, b.Name) })
	return out
}

func quote(name string) string { return `["` + name + `"]` }

func parseFields(s string) []fieldDef {
	var out []fieldDef
	for _, tok := range strings.Fields(s) {
		switch tok {
		case "@id", "@id?":
			req := tok == "@id"
			out = append(out,
				fieldDef{name: "id.orig_h", zeekType: "addr", required: req},
				fieldDef{name: "id.orig_p", zeekType: "port", kind: kCount, required: req},
				fieldDef{name: "id.resp_h", zeekType: "addr", required: req},
				fieldDef{name: "id.resp_p", zeekType: "port", kind: kCount, required: req})
			continue
		}
		req := strings.HasPrefix(tok, "*")
		name, typ, ok := strings.Cut(strings.TrimPrefix(tok, "*"), ":")
		if !ok {
			panic("zeek: field without a type: " + tok)
		}
		k, container := kindOf(typ)
		out = append(out, fieldDef{name: name, zeekType: typ, kind: k, container: container, required: req})
	}
	return out
}

// kindOf maps a Zeek type name ("count", "set[addr]") to its kind.
func kindOf(t string) (kind, bool) {
	container := false
	if i := strings.IndexByte(t, '['); i > 0 && strings.HasSuffix(t, "]") {
		switch t[:i] {
		case "set", "vector":
			container = true
			t = t[i+1 : len(t)-1]
		}
	}
	switch t {
	case "count", "port":
		return kCount, container
	case "int":
		return kInt, container
	case "double", "interval":
		return kDouble, container
	case "time":
		return kTime, container
	case "bool":
		return kBool, container
	}
	return kString, container
}

func hiveType(f fieldDef) string {
	var t string
	switch f.kind {
	case kCount, kInt:
		t = "bigint"
	case kDouble:
		t = "double"
	case kTime:
		t = "timestamp"
	case kBool:
		t = "boolean"
	default:
		t = "string"
	}
	if f.container {
		return "array<" + t + ">"
	}
	return t
}

// Field-set detection. Every declared field name maps to the types that
// declare it and those that require it (one map lookup a key), and to the
// set of the former, as bits over defs.
var (
	indexOnce  sync.Once
	fieldIndex map[string]*fieldTypes
	tieOrder   []int // def indices by fewest declared fields, then name
)

type fieldTypes struct {
	declared, required []uint8 // def indices
	set                typeSet // declared, as a set
}

// maxTypes bounds the number of Zeek log types (the width of a typeSet).
const maxTypes = 128

// typeSet is a set of defs by index.
type typeSet [maxTypes / 64]uint64

func (s *typeSet) add(i int)     { s[i>>6] |= 1 << (i & 63) }
func (s typeSet) has(i int) bool { return s[i>>6]&(1<<(i&63)) != 0 }
func (s typeSet) empty() bool    { return s == typeSet{} }

func buildIndex() {
	if len(defs) > maxTypes {
		panic("zeek: more log types than maxTypes; widen typeSet")
	}
	fieldIndex = map[string]*fieldTypes{}
	for _, d := range defs {
		for _, f := range d.fields {
			if strings.HasPrefix(f.name, "_") {
				continue // _path, _write_ts: every type has them
			}
			ft := fieldIndex[f.name]
			if ft == nil {
				ft = &fieldTypes{}
				fieldIndex[f.name] = ft
			}
			ft.declared = append(ft.declared, uint8(d.idx))
			ft.set.add(d.idx)
			if f.required {
				ft.required = append(ft.required, uint8(d.idx))
			}
		}
	}
	tieOrder = make([]int, len(defs))
	for i := range tieOrder {
		tieOrder[i] = i
	}
	slices.SortFunc(tieOrder, func(a, b int) int {
		if n := len(defs[a].fields) - len(defs[b].fields); n != 0 {
			return n
		}
		return strings.Compare(defs[a].lt.Name, defs[b].lt.Name)
	})
}

// matcher accumulates the field names of one record.
type matcher struct {
	score [maxTypes]int16
	req   [maxTypes]int16
	keys  int16 // field names seen, but _path, _write_ts and shippers' keys
}

func (m *matcher) add(name string) {
	if isShipperKey(name) {
		return
	}
	m.addTypes(fieldIndex[name])
}

// addTypes counts a field (not a shipper's key) declared by ft's types
// (nil: by none).
func (m *matcher) addTypes(ft *fieldTypes) {
	if m.keys == math.MaxInt16 {
		return // no log has that many fields: the counts are settled
	}
	m.keys++
	if ft == nil {
		return
	}
	for _, i := range ft.declared {
		m.score[i]++
	}
	for _, i := range ft.required {
		m.req[i]++
	}
}

// isShipperKey tells the keys that pipelines add to Zeek's records
// (json-streaming-logs' _path and _write_ts, Corelight's _system_name,
// @stream, @system, @proc, ...) from Zeek's own fields, none of which
// starts with '_' or '@'.
func isShipperKey(name string) bool {
	return name != "" && (name[0] == '_' || name[0] == '@')
}

// best returns the types whose required fields are all present, that
// declare more than half of the record's fields (so that another log with
// a "ts", a "level" and a "message" among others is not taken for
// reporter.log), and that share the most fields with the record.
func (m *matcher) best() typeSet {
	var cands typeSet
	top := int16(-1)
	for _, d := range defs {
		if d.pathOnly || int(m.req[d.idx]) < d.nreq || 2*m.score[d.idx] <= m.keys {
			continue
		}
		switch s := m.score[d.idx]; {
		case s > top:
			top, cands = s, typeSet{}
			cands.add(d.idx)
		case s == top:
			cands.add(d.idx)
		}
	}
	return cands
}

// closest returns the type the record comes nearest to when no type takes
// it: the one whose required fields it has most of (then the one sharing
// most fields with it), and how well it fits, from 0 to 1. It returns nil
// when the record shares fewer than half of its fields with every type:
// then it is not a Zeek record at all.
func (m *matcher) closest() (*logDef, float64) {
	var best *logDef
	bestFit := 0.0
	for _, i := range tieOrder {
		d := defs[i]
		if d.pathOnly || m.keys == 0 || 2*m.score[d.idx] < m.keys {
			continue
		}
		fit := (float64(m.req[d.idx])/float64(max(d.nreq, 1)) + float64(m.score[d.idx])/float64(m.keys)) / 2
		if fit > bestFit {
			best, bestFit = d, fit
		}
	}
	return best, bestFit
}

// pick chooses from the candidates: the preferred type when it is one,
// else the most specific.
func pick(cands typeSet, prefer *logDef) *logDef {
	if cands.empty() {
		return nil
	}
	if prefer != nil && cands.has(prefer.idx) {
		return prefer
	}
	for _, i := range tieOrder {
		if cands.has(i) {
			return defs[i]
		}
	}
	return nil
}

// detectFields names the type of a record from its field names.
func detectFields(names []string, prefer *logDef) *logDef {
	indexOnce.Do(buildIndex)
	var m matcher
	for _, n := range names {
		m.add(n)
	}
	return pick(m.best(), prefer)
}

// knownPaths lists the declared paths, for error messages.
func knownPaths() string {
	ps := make([]string, 0, len(byPath))
	for p := range byPath {
		ps = append(ps, p)
	}
	slices.Sort(ps)
	return strings.Join(ps, ", ")
}

// parser reads the records of one source, JSON or TSV.
type parser struct {
	named *logDef // the type the parser was created for
	tsv   tsvState
	buf   []byte    // the JSON text of a TSV record
	tmp   []byte    // scratch for decoding one TSV value
	m     matcher   // field-set detection of JSON records
	edits []numEdit // number rewrites of one JSON record
	nums  []byte    // their text
	names int       // how the source writes dotted names (namesUnknown...)
}

func newParser(d *logDef) *parser {
	p := &parser{named: d}
	p.tsv.reset()
	return p
}

// Parse implements parsers.Parser.
func (p *parser) Parse(rec []byte, e *event.Event) (bool, error) {
	rec = bytes.TrimPrefix(trimCR(rec), utf8BOM)
	if len(rec) > 0 && (rec[0] == '{' || rec[0] == '[') {
		return p.parseJSON(rec, e)
	}
	return p.parseTSV(rec, e)
}

var utf8BOM = []byte("\xef\xbb\xbf")

func trimCR(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == '\r' {
		return b[:n-1]
	}
	return b
}

func b2s(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

func unknownPathError(path string) error {
	return fmt.Errorf("Zeek log path %q is not a known log type and its fields match none (known paths: %s)", path, knownPaths())
}
