package lake

import (
	"fmt"
	"time"

	"github.com/valyala/fastjson"

	"panther/parsers"
	"panther/parsers/event"
)

// Value is one column of a typed row (WriteValues). The replay pipeline
// writes its alerts and rule matches this way: its values go to the
// column buffers as they are, with no JSON text in between.
type Value struct {
	kind  valueKind
	s     string
	t     time.Time
	n     int64
	list  []string
	bytes []byte
}

type valueKind uint8

const (
	vNull valueKind = iota
	vString
	vTime
	vInt
	vStrings
	vJSON
)

// Null is a NULL value.
var Null = Value{}

// String is a string column's value ("" is an empty string, not NULL).
func String(s string) Value { return Value{kind: vString, s: s} }

// Time is a timestamp column's value.
func Time(t time.Time) Value { return Value{kind: vTime, t: t} }

// Int is a bigint column's value.
func Int(n int64) Value { return Value{kind: vInt, n: n} }

// Strings is an array<string> column's value: nil is NULL, an empty list
// an empty list.
func Strings(l []string) Value {
	if l == nil {
		return Null
	}
	return Value{kind: vStrings, list: l}
}

// JSON is a json column's value: JSON text, kept as it is when canonical
// (event.Canonical: what event.AppendValue writes), else written again
// canonically (text that is not JSON becomes a JSON string of it). nil is
// NULL.
func JSON(b []byte) Value {
	if b == nil {
		return Null
	}
	return Value{kind: vJSON, bytes: b}
}

// WriteValues writes a typed row of a table other than the log tables
// (alerts, rule_matches): one value per column of schema (the hive
// partition columns aside), in order, each of the column's type. t places
// the row in its hour partition. A row whose table has a p_source_file
// column belongs to that source like an event: a source that fails takes
// its rows along.
func (w *Writer) WriteValues(tableName string, schema []parsers.Column, t time.Time, row []Value) error {
	if err := w.usable(); err != nil {
		return err
	}
	tb, err := w.rowTable(tableName, schema)
	if err != nil {
		return err
	}
	if t.IsZero() || !validTime(t) {
		return fmt.Errorf("lake: table %s: row time %v is outside years 1-9999", tableName, t)
	}
	if len(row) != len(tb.root.fields) {
		return fmt.Errorf("lake: table %s: %d values for %d columns", tableName, len(row), len(tb.root.fields))
	}
	for i, v := range row {
		if !v.fits(tb.root.fields[i].t) {
			return fmt.Errorf("lake: table %s: column %s (%s) given a value of another type", tableName, tb.columns[i].Name, tb.columns[i].Type)
		}
	}
	s, err := w.stream(tb, t)
	if err != nil {
		return w.fail(err)
	}
	if tb.srcCol >= 0 && tb.srcCol < len(row) && row[tb.srcCol].kind == vString && row[tb.srcCol].s != "" {
		if src := row[tb.srcCol].s; src == s.lastSrc {
			s.lastN++
		} else {
			s.countSource(src)
		}
	}
	if s.rows == nil {
		s.rows = w.rowBuf(tb)
	}
	before := s.rows.bytes
	w.enc.appendValues(s.rows, tb, row)
	return w.wrote(s, s.rows.bytes-before)
}

// rowTable returns the table of WriteRow and WriteValues, compiling it on
// first use.
func (w *Writer) rowTable(tableName string, schema []parsers.Column) (*table, error) {
	tb, ok := w.rowTables[tableName]
	if ok {
		if !sameSchema(tb, schema) {
			return nil, fmt.Errorf("lake: table %s: a row with another schema than earlier in this run", tableName)
		}
		return tb, nil
	}
	if tableName == "logs" {
		return nil, fmt.Errorf("lake: table name %q is reserved for the log tables' folder", tableName)
	}
	tb, err := compileTable(tableName, tableName, schema, false, nil)
	if err != nil {
		return nil, fmt.Errorf("lake: %w", err)
	}
	w.mu.Lock() // Stats reads rowTables from any goroutine
	w.rowTables[tableName] = tb
	w.mu.Unlock()
	return tb, nil
}

// fits reports whether v may fill a column of type c.
func (v Value) fits(c *ctype) bool {
	switch v.kind {
	case vNull:
		return true
	case vString:
		return c.kind == kString
	case vTime:
		return c.kind == kTime && validTime(v.t)
	case vInt:
		return c.kind == kBigint
	case vStrings:
		return c.kind == kArray && c.elem.kind == kString
	case vJSON:
		return c.kind == kJSON
	}
	return false
}

// appendValues appends a typed row (checked by fits) to table t.
func (enc *encoder) appendValues(r *rowBuf, t *table, row []Value) {
	if r.arrow != nil {
		enc.arrowValues(r, t, row)
		return
	}
	enc.n = 0
	for i, v := range row {
		c := t.root.fields[i].t
		switch v.kind {
		case vNull:
			r.null(c, 0, 0)
		case vString:
			enc.string(r, c, v.s, 0)
		case vTime:
			enc.time(r, c, v.t, 0)
		case vInt:
			enc.int64(r, c, v.n, 0)
		case vStrings:
			if len(v.list) == 0 {
				r.null(c.elem, c.def, 0) // an empty list
				continue
			}
			rep := uint8(0)
			for _, s := range v.list {
				enc.string(r, c.elem, s, rep)
				rep = c.rep
			}
		case vJSON:
			b := v.bytes
			if !event.Canonical(b) {
				if x, err := fastjson.ParseBytes(b); err == nil {
					enc.js = appendJSON(enc.js[:0], x)
				} else {
					// Not JSON: kept as a JSON string of its text, never lost.
					enc.js = appendString(enc.js[:0], string(b))
				}
				b = enc.js
			}
			enc.bytes(r, c, b, 0)
		}
	}
	r.null(t.ctypes[len(t.root.fields)], 0, 0) // p_extra
	r.rows++
	r.bytes += enc.n + t.rowOverhead
}

// Any is v as a Go value — nil (NULL), string, time.Time, int64, []string
// or []byte (JSON text) — for code that reads the rows a replay writes
// without a lake (tests).
func (v Value) Any() any {
	switch v.kind {
	case vString:
		return v.s
	case vTime:
		return v.t
	case vInt:
		return v.n
	case vStrings:
		return v.list
	case vJSON:
		return v.bytes
	}
	return nil
}
