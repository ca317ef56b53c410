package zeek

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"panther/parsers"
	"panther/parsers/event"
)

// tsvState is the header of the TSV log being read.
type tsvState struct {
	sep, setSep, empty, unset []byte
	path                      string
	names, types              []string
	cols                      []tsvCol
	def                       *logDef
	err                       error // why the header cannot be used
	ready                     bool
}

type tsvCol struct {
	name      string
	key       []byte // `"name":`
	typ       string // the Zeek type of a value (of an element, for containers)
	kind      kind
	container bool
	isTS      bool
	required  bool // of the log type: unset is an error
}

var (
	errNoFields = errors.New("Zeek TSV data line before the #fields header (a Zeek TSV log starts with #separator, #fields and #types lines)")
	errNoTypes  = errors.New("Zeek TSV data line before the #types header (a Zeek TSV log has a #types line after #fields)")
)

// reset starts a new header with Zeek's defaults.
func (s *tsvState) reset() {
	*s = tsvState{sep: []byte{'\t'}, setSep: []byte{','}, empty: []byte("(empty)"), unset: []byte{'-'}}
}

// parseTSV reads one line of Zeek's TSV format: a header line (state, no
// event) or a data line.
func (p *parser) parseTSV(rec []byte, e *event.Event) (bool, error) {
	if len(rec) > 0 && rec[0] == '#' {
		return false, p.header(rec)
	}
	st := &p.tsv
	if !st.ready {
		switch {
		case st.err != nil:
			return false, fmt.Errorf("Zeek TSV data line after an unusable header: %w", st.err)
		case st.names == nil:
			return false, errNoFields
		default:
			return false, errNoTypes
		}
	}
	return p.record(rec, e)
}

// header applies one header line.
func (p *parser) header(line []byte) error {
	st := &p.tsv
	if rest, ok := bytes.CutPrefix(line, []byte("#separator")); ok {
		// "#separator \x09": the only header whose value follows a space,
		// as the separator is not known yet. It starts a new log.
		v := unescape(nil, bytes.TrimLeft(rest, " \t"))
		st.reset()
		if len(v) == 0 {
			st.err = errors.New("Zeek TSV #separator is empty")
			return st.err
		}
		st.sep = v
		return nil
	}
	key, val, _ := bytes.Cut(line[1:], st.sep)
	switch string(key) {
	case "set_separator":
		st.setSep = unescape(nil, val)
	case "empty_field":
		st.empty = unescape(nil, val)
	case "unset_field":
		st.unset = unescape(nil, val)
	case "path":
		st.path = string(unescape(nil, val))
		if st.types != nil {
			return p.build()
		}
	case "fields":
		st.names = splitStrings(val, st.sep)
		st.types, st.cols, st.ready, st.err = nil, nil, false, nil
	case "types":
		if st.names == nil {
			st.err = errors.New("Zeek TSV #types header before #fields")
			return st.err
		}
		st.types = splitStrings(val, st.sep)
		return p.build()
	}
	// #open, #close and other comment lines carry nothing we keep.
	return nil
}

func splitStrings(b, sep []byte) []string {
	parts := bytes.Split(b, sep)
	out := make([]string, len(parts))
	for i, x := range parts {
		out[i] = string(x)
	}
	return out
}

// build prepares the columns once #fields and #types are known, and names
// the log type from #path or, for a path we do not know, from the fields.
func (p *parser) build() error {
	st := &p.tsv
	st.ready, st.err, st.cols, st.def = false, nil, nil, nil
	if len(st.types) != len(st.names) {
		st.err = fmt.Errorf("Zeek TSV header declares %d #fields but %d #types", len(st.names), len(st.types))
		return st.err
	}
	for i, name := range st.names {
		if name == "" {
			st.err = fmt.Errorf("Zeek TSV #fields entry %d is empty", i+1)
			return st.err
		}
		k, container := kindOf(st.types[i])
		typ := st.types[i]
		if container {
			typ = typ[strings.IndexByte(typ, '[')+1 : len(typ)-1]
		}
		st.cols = append(st.cols, tsvCol{
			name:      name,
			typ:       typ,
			key:       append(event.AppendString(nil, name), ':'),
			kind:      k,
			container: container,
			isTS:      name == "ts" && k == kTime && !container,
		})
	}
	d := byPath[st.path]
	if d == nil {
		d = detectFields(st.names, p.named)
		if d == nil && st.path != "" {
			st.err = unknownPathError(st.path)
			return st.err
		}
	}
	if d == nil {
		st.err = fmt.Errorf("Zeek TSV header without #path, and its #fields are those of no Zeek log")
		return st.err
	}
	if missing := d.missingColumns(st.names); len(missing) > 0 {
		st.err = &parsers.NearMissError{LogType: d.lt.Name, Fit: 1, Err: fmt.Errorf("Zeek TSV #fields lack the required field%s %s (every %s.log record has %s)",
			plural(len(missing), "", "s"), strings.Join(missing, ", "), d.path, strings.Join(d.required, ", "))}
		return st.err
	}
	for i := range st.cols {
		st.cols[i].required = slices.Contains(d.required, st.cols[i].name)
	}
	st.def = d
	st.ready = true
	return nil
}

// record converts a data line to JSON text and parses that into e.
func (p *parser) record(rec []byte, e *event.Event) (bool, error) {
	st := &p.tsv
	buf := append(p.buf[:0], '{')
	first := true
	ts, haveTS := int64(0), false
	rest := rec
	for i := range st.cols {
		c := &st.cols[i]
		j := index(rest, st.sep)
		var field []byte
		if i == len(st.cols)-1 {
			if j >= 0 {
				return false, fmt.Errorf("Zeek TSV line has %d fields, the #fields header declares %d", countFields(rec, st.sep), len(st.cols))
			}
			field = rest
		} else {
			if j < 0 {
				return false, fmt.Errorf("Zeek TSV line has %d fields, the #fields header declares %d", i+1, len(st.cols))
			}
			field, rest = rest[:j], rest[j+len(st.sep):]
		}
		if bytes.Equal(field, st.unset) {
			if c.required {
				return false, &parsers.NearMissError{LogType: st.def.lt.Name, Fit: 1,
					Err: fmt.Errorf("required field %s is unset (every %s.log record has it)", c.name, st.def.path)}
			}
			continue // unset: absent, as in Zeek's JSON
		}
		if !first {
			buf = append(buf, ',')
		}
		first = false
		buf = append(buf, c.key...)
		var err error
		if c.container {
			buf, err = p.container(buf, c, field)
		} else if c.isTS {
			if ts, haveTS = epochMicros(b2s(field)); haveTS {
				buf = appendTime(buf, ts)
			} else {
				_, err = p.scalar(buf, c, field)
			}
		} else {
			buf, err = p.scalar(buf, c, field)
		}
		if err != nil {
			return false, fmt.Errorf("field %s: %w", c.name, err)
		}
	}
	buf = append(buf, '}')
	p.buf = buf
	if err := e.ParseJSON(buf); err != nil {
		return false, fmt.Errorf("internal error: Zeek TSV line converted to invalid JSON: %w", err)
	}
	e.LogType = st.def.lt.Name
	if haveTS {
		e.Time = time.UnixMicro(ts).UTC()
	}
	return true, nil
}

func index(b, sep []byte) int {
	if len(sep) == 1 {
		// Zeek fields are short: a plain loop beats IndexByte's setup.
		c := sep[0]
		for i, x := range b {
			if x == c {
				return i
			}
		}
		return -1
	}
	return bytes.Index(b, sep)
}

func countFields(b, sep []byte) int { return bytes.Count(b, sep) + 1 }

// container writes a set or vector: "(empty)" is [], else the elements
// split on the set separator; an unset element is null.
func (p *parser) container(buf []byte, c *tsvCol, field []byte) ([]byte, error) {
	if bytes.Equal(field, p.tsv.empty) {
		return append(buf, '[', ']'), nil
	}
	buf = append(buf, '[')
	for n := 0; ; n++ {
		j := -1
		if len(p.tsv.setSep) > 0 {
			j = index(field, p.tsv.setSep)
		}
		elem := field
		if j >= 0 {
			elem, field = field[:j], field[j+len(p.tsv.setSep):]
		}
		if n > 0 {
			buf = append(buf, ',')
		}
		var err error
		if bytes.Equal(elem, p.tsv.unset) {
			buf = append(buf, "null"...)
		} else if buf, err = p.scalar(buf, c, elem); err != nil {
			return buf, fmt.Errorf("element %d: %w", n+1, err)
		}
		if j < 0 {
			break
		}
	}
	return append(buf, ']'), nil
}

// scalar writes one value of column c (one element, for containers).
func (p *parser) scalar(buf []byte, c *tsvCol, raw []byte) ([]byte, error) {
	var ok bool
	switch c.kind {
	case kString:
		return p.str(buf, raw), nil
	case kCount:
		buf, ok = appendInt(buf, b2s(raw), false)
	case kInt:
		buf, ok = appendInt(buf, b2s(raw), true)
	case kDouble:
		buf, ok = appendDouble(buf, b2s(raw))
	case kTime:
		var us int64
		if us, ok = epochMicros(b2s(raw)); ok {
			buf = appendTime(buf, us)
		}
	case kBool:
		switch string(raw) {
		case "T", "1":
			return append(buf, "true"...), nil
		case "F", "0":
			return append(buf, "false"...), nil
		}
	}
	if !ok {
		return buf, fmt.Errorf("%q is not a Zeek %s", truncate(raw), c.typ)
	}
	return buf, nil
}

func truncate(b []byte) string {
	if len(b) > 40 {
		return string(b[:40]) + "..."
	}
	return string(b)
}

// str writes a string value: "(empty)" is "", escapes are decoded and the
// result rendered as Zeek's JSON writer would (see appendZeekString).
func (p *parser) str(buf, raw []byte) []byte {
	if bytes.Equal(raw, p.tsv.empty) {
		return append(buf, '"', '"')
	}
	for _, c := range raw {
		if c < 0x20 || c >= 0x7f || c == '"' || c == '\\' {
			if bytes.IndexByte(raw, '\\') >= 0 {
				p.tmp = unescape(p.tmp[:0], raw)
				return appendZeekString(buf, p.tmp)
			}
			return appendZeekString(buf, raw)
		}
	}
	buf = append(buf, '"')
	buf = append(buf, raw...)
	return append(buf, '"')
}

// missingColumns returns the required fields of d that a TSV header does
// not declare.
func (d *logDef) missingColumns(names []string) []string {
	var out []string
	for _, r := range d.required {
		if !slices.Contains(names, r) {
			out = append(out, r)
		}
	}
	return out
}
