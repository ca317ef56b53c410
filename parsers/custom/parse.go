package custom

import (
	"bytes"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unsafe"

	"github.com/valyala/fastjson"

	"panther/parsers"
	"panther/parsers/event"
)

// regexParser matches each record once and keeps the named groups.
type regexParser struct{ c *compiled }

func (p *regexParser) Parse(rec []byte, e *event.Event) (bool, error) {
	c := p.c
	rec = bytes.TrimSuffix(rec, []byte{'\r'})
	m := c.re.FindSubmatchIndex(rec)
	if m == nil {
		return false, fmt.Errorf("record does not match the Regex of %s", c.name)
	}
	a := e.Arena()
	obj := a.NewObject()
	o, _ := obj.Object()
	for i := 1; i < len(c.groups); i++ {
		f := c.groups[i]
		if f == nil || m[2*i] < 0 {
			continue
		}
		if c.shared[i] && o.Get(f.name) != nil {
			continue // a name used twice in the regex: the first match wins
		}
		v, err := c.value(a, f, rec[m[2*i]:m[2*i+1]])
		if err != nil {
			return false, err
		}
		if v != nil {
			o.Set(f.name, v)
		}
	}
	e.Fields = obj
	return true, nil
}

// value converts the text of field f to its type; nil for an empty value.
func (c *compiled) value(a *fastjson.Arena, f *field, b []byte) (*fastjson.Value, error) {
	if len(b) == 0 {
		return nil, nil
	}
	for _, x := range c.empty {
		if bytes.Equal(b, x) {
			return nil, nil
		}
	}
	switch f.kind {
	case "bigint":
		n, err := strconv.ParseInt(b2s(b), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("field %s: %q is not a bigint", f.name, clip(b))
		}
		if strconv.IntSize < 64 {
			return a.NewNumberString(strconv.FormatInt(n, 10)), nil
		}
		return a.NewNumberInt(int(n)), nil
	case "double":
		x, err := strconv.ParseFloat(b2s(b), 64)
		if err != nil || math.IsInf(x, 0) || math.IsNaN(x) {
			return nil, fmt.Errorf("field %s: %q is not a double", f.name, clip(b))
		}
		return a.NewNumberFloat64(x), nil
	case "boolean":
		t, err := strconv.ParseBool(b2s(b))
		if err != nil {
			return nil, fmt.Errorf("field %s: %q is not a boolean (true, false, 1, 0, t, f)", f.name, clip(b))
		}
		if t {
			return a.NewTrue(), nil
		}
		return a.NewFalse(), nil
	}
	return event.NewStringBytes(a, b), nil
}

// clip shortens a value quoted in an error.
func clip(b []byte) string {
	if len(b) > 64 {
		return string(b[:64]) + "..."
	}
	return string(b)
}

// b2s views b as a string for a call that does not keep it.
func b2s(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// csvParser splits each record into columns; with a header, the first
// record of the source names them.
type csvParser struct {
	c       *compiled
	columns []*field // nil until the header is read, when names come from it
	seen    bool     // the header line is behind us
	bad     error    // the header was unusable: every record fails with it
	split   [][]byte
	scratch []byte
}

func newCSVParser(c *compiled) *csvParser {
	return &csvParser{c: c, columns: c.columns}
}

func (p *csvParser) Parse(rec []byte, e *event.Event) (bool, error) {
	c := p.c
	rec = bytes.TrimSuffix(rec, []byte{'\r'})
	if len(bytes.TrimSpace(rec)) == 0 {
		return false, nil
	}
	if c.header && !p.seen {
		p.seen = true
		if p.columns != nil {
			return false, nil // Columns are declared: skip the file's header
		}
		return false, p.readHeader(rec)
	}
	if p.bad != nil {
		return false, p.bad
	}
	var err error
	p.split, p.scratch, err = splitCSV(p.split[:0], p.scratch[:0], rec, c.delim)
	if err != nil {
		return false, err
	}
	if n := len(p.split); n != len(p.columns) && (p.header() || n < c.minColumns || n > len(p.columns)) {
		if c.minColumns < len(p.columns) && !p.header() {
			return false, fmt.Errorf("record has %d fields, want %d to %d (%s)", n, c.minColumns, len(p.columns), c.columnNames(p.columns))
		}
		return false, fmt.Errorf("record has %d fields, want %d (%s)", n, len(p.columns), c.columnNames(p.columns))
	}
	a := e.Arena()
	obj := a.NewObject()
	o, _ := obj.Object()
	for i, f := range p.columns[:len(p.split)] {
		v, err := c.value(a, f, p.split[i])
		if err != nil {
			return false, err
		}
		if v != nil {
			o.Set(f.name, v)
		}
	}
	e.Fields = obj
	return true, nil
}

// header tells whether the columns come from the source's header line
// (MinColumns is for declared Columns only).
func (p *csvParser) header() bool { return p.c.columns == nil }

// readHeader takes the column names from a header record: declared fields
// keep their types, other columns are strings.
func (p *csvParser) readHeader(rec []byte) error {
	rec = bytes.TrimPrefix(rec, []byte("\xef\xbb\xbf")) // a UTF-8 byte order mark
	names, _, err := splitCSV(nil, nil, rec, p.c.delim)
	if err != nil {
		p.bad = fmt.Errorf("the CSV header is not usable: %v", err)
		return p.bad
	}
	seen := map[string]bool{}
	cols := make([]*field, len(names))
	for i, b := range names {
		name := string(bytes.TrimSpace(b))
		switch {
		case name == "":
			p.bad = fmt.Errorf("the CSV header is not usable: column %d has no name", i+1)
		case seen[name]:
			p.bad = fmt.Errorf("the CSV header is not usable: column %s appears twice", name)
		case strings.HasPrefix(name, "p_"):
			p.bad = fmt.Errorf("the CSV header is not usable: column %s: names starting with p_ are reserved", name)
		}
		if p.bad != nil {
			return p.bad
		}
		seen[name] = true
		if f := p.c.byName[name]; f != nil {
			cols[i] = f
		} else {
			cols[i] = &field{name: name, kind: "string"}
		}
	}
	for _, need := range p.c.headerNeeds {
		if !seen[need] {
			// Not this type's header: without the check, a CSV type with a
			// header would take the first line of any file.
			p.bad = fmt.Errorf("the first line is not a header of %s: it has no %s column", p.c.name, need)
			return p.bad
		}
	}
	p.columns = cols
	return nil
}

func (c *compiled) columnNames(cols []*field) string {
	var b bytes.Buffer
	for i, f := range cols {
		if i > 0 {
			b.WriteByte(c.delim)
		}
		b.WriteString(f.name)
	}
	return clip(b.Bytes())
}

// Check that the parsers are parsers.
var (
	_ parsers.Parser = (*regexParser)(nil)
	_ parsers.Parser = (*csvParser)(nil)
)
