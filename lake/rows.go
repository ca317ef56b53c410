package lake

import (
	"encoding/binary"
	"math"
	"time"
	"unicode/utf8"

	"github.com/valyala/fastjson"

	"panther/lake/internal/parquet"
	"panther/parsers/event"
)

// column holds the values of one leaf column for the rows of a partition
// not written yet, already as Parquet has them: values in the PLAIN
// encoding (a byte array is its length, 4 bytes little-endian, then its
// bytes; int64, timestamp and double 8 bytes little-endian; a boolean one
// byte here, bit-packed when its page is written), and a definition level
// for every entry (and a repetition level, under an array): the record
// shredding of the Dremel paper, which Parquet uses.
type column struct {
	vals     []byte
	defs     []uint8
	reps     []uint8
	repeated bool // under an array: has repetition levels
}

// The buffers grow through the chunk pool (chunks.go), never by append
// alone: every append below is preceded by room or done by level.

func (c *column) level(p *chunkPool, def, rep uint8) {
	if len(c.defs) == cap(c.defs) {
		c.defs = p.grow(c.defs, 1)
	}
	c.defs = append(c.defs, def)
	if c.repeated {
		if len(c.reps) == cap(c.reps) {
			c.reps = p.grow(c.reps, 1)
		}
		c.reps = append(c.reps, rep)
	}
}

// room makes room for n more bytes of values.
func (c *column) room(p *chunkPool, n int) {
	if cap(c.vals)-len(c.vals) < n {
		c.vals = p.grow(c.vals, n)
	}
}

// rowBuf holds the rows of a partition not written yet, one column a leaf
// of the table; a flush hands it to the file writer, which writes it as a
// row group and gives it back for reuse (its buffers keep their capacity).
type rowBuf struct {
	pool *chunkPool
	cols []column
	rows int
	// bytes is what the rows take in memory: values and levels.
	bytes int64
	// arrow holds the rows instead when the writer uses the pqarrow
	// candidate (candidate_pqarrow.go; benchmarks only).
	arrow *arrowRows
}

func newRowBuf(t *table, p *chunkPool) *rowBuf {
	leaves := t.schema.Leaves()
	r := &rowBuf{pool: p, cols: make([]column, len(leaves))}
	for i, l := range leaves {
		r.cols[i].repeated = l.MaxRep > 0
	}
	return r
}

// columns are r's columns as the Parquet encoder takes them (views of
// r's buffers).
func (r *rowBuf) columns() []parquet.ColumnData {
	out := make([]parquet.ColumnData, len(r.cols))
	for i := range r.cols {
		c := &r.cols[i]
		out[i] = parquet.ColumnData{Values: c.vals, Defs: c.defs}
		if c.repeated {
			out[i].Reps = c.reps
		}
	}
	return out
}

// reset empties r, keeping its buffers.
func (r *rowBuf) reset() {
	if r.arrow != nil {
		r.arrow.reset()
	}
	for i := range r.cols {
		c := &r.cols[i]
		c.vals, c.defs, c.reps = c.vals[:0], c.defs[:0], c.reps[:0]
	}
	r.rows, r.bytes = 0, 0
}

// free gives r's chunks back to the pool.
func (r *rowBuf) free() {
	if r.arrow != nil {
		r.arrow.free()
	}
	for i := range r.cols {
		c := &r.cols[i]
		r.pool.put(c.vals)
		r.pool.put(c.defs)
		r.pool.put(c.reps)
		c.vals, c.defs, c.reps = nil, nil, nil
	}
	r.rows, r.bytes = 0, 0
}

// null adds a null entry (definition level def) to every leaf column
// under type c.
func (r *rowBuf) null(c *ctype, def, rep uint8) {
	for i := c.lo; i < c.hi; i++ {
		r.cols[i].level(r.pool, def, rep)
	}
}

// nullUnfilled adds a null entry for each field of struct c that got no
// value: the ones not marked in filled (or filledBig, over 64 fields).
func (r *rowBuf) nullUnfilled(c *ctype, filled uint64, filledBig []bool, rep uint8) {
	for i := range c.fields {
		if filledBig != nil {
			if !filledBig[i] {
				r.null(c.fields[i].t, c.def, rep)
			}
		} else if filled&(1<<uint(i)) == 0 {
			r.null(c.fields[i].t, c.def, rep)
		}
	}
}

// encoder appends rows to row buffers following the value rules (see
// fits): every declared column gets its value when it fits, else NULL, and
// everything else goes into p_extra as JSON with the shape of the event.
// It owns its scratch buffers; one encoder serves one goroutine.
type encoder struct {
	extra []byte // p_extra being built
	js    []byte // a json value's text
	num   []byte // a number's text
	n     int64  // bytes appended to the current row's values
}

// appendEvent appends e as a row of log table t.
func (enc *encoder) appendEvent(r *rowBuf, t *table, e *event.Event) {
	if r.arrow != nil {
		enc.arrowEvent(r, t, e)
		return
	}
	enc.n = 0
	extra := append(enc.extra[:0], '{')
	var o *fastjson.Object
	if e.Fields != nil {
		o, _ = e.Fields.Object()
	}
	if o != nil {
		extra = enc.members(r, t.root, o, extra, 0)
	} else {
		for i := range t.root.fields {
			r.null(t.root.fields[i].t, 0, 0)
		}
	}
	nd := len(t.root.fields)
	for i, src := range t.std {
		c := t.ctypes[nd+i]
		switch src {
		case stdLogType:
			enc.text(r, c, e.LogType)
		case stdEventTime:
			et, _ := eventTime(e)
			enc.time(r, c, et, 0)
		case stdParseTime:
			if validTime(e.ParseTime) && !e.ParseTime.IsZero() {
				enc.time(r, c, e.ParseTime, 0)
			} else {
				r.null(c, 0, 0)
			}
		case stdRowID:
			enc.text(r, c, e.RowID)
		case stdSourceFile:
			enc.text(r, c, e.SourceFile)
		case stdSourceLabel:
			enc.text(r, c, e.SourceLabel)
		case stdExtra:
			enc.extraColumn(r, c, extra)
		default: // an indicator list
			l := e.Indicators[src-stdIndicators]
			if len(l) == 0 {
				r.null(c, 0, 0)
				continue
			}
			rep := uint8(0)
			for _, s := range l {
				enc.string(r, c.elem, s, rep)
				rep = c.rep
			}
		}
	}
	enc.extra = extra
	r.rows++
	r.bytes += enc.n + t.rowOverhead
}

// appendRow appends the JSON object o as a row of WriteRow table t.
func (enc *encoder) appendRow(r *rowBuf, t *table, o *fastjson.Object) {
	if r.arrow != nil {
		enc.arrowRow(r, t, o)
		return
	}
	enc.n = 0
	extra := append(enc.extra[:0], '{')
	extra = enc.members(r, t.root, o, extra, 0)
	enc.extraColumn(r, t.ctypes[len(t.root.fields)], extra)
	enc.extra = extra
	r.rows++
	r.bytes += enc.n + t.rowOverhead
}

// text appends a p_ string of the top level: empty is NULL.
func (enc *encoder) text(r *rowBuf, c *ctype, s string) {
	if s == "" {
		r.null(c, 0, 0)
		return
	}
	enc.string(r, c, s, 0)
}

func (enc *encoder) time(r *rowBuf, c *ctype, t time.Time, rep uint8) {
	enc.int64(r, c, t.UnixMicro(), rep)
}

func (enc *encoder) int64(r *rowBuf, c *ctype, v int64, rep uint8) {
	col := &r.cols[c.leaf]
	col.level(r.pool, c.def, rep)
	col.room(r.pool, 8)
	col.vals = binary.LittleEndian.AppendUint64(col.vals, uint64(v))
	enc.n += 8
}

// bytes appends the byte array b as a value of column c.
func (enc *encoder) bytes(r *rowBuf, c *ctype, b []byte, rep uint8) {
	col := &r.cols[c.leaf]
	col.level(r.pool, c.def, rep)
	col.room(r.pool, 4+len(b))
	col.vals = binary.LittleEndian.AppendUint32(col.vals, uint32(len(b)))
	col.vals = append(col.vals, b...)
	enc.n += int64(len(b)) + 4
}

// extraColumn ends p_extra, the object open in extra, as the top-level
// column c: NULL when empty.
func (enc *encoder) extraColumn(r *rowBuf, c *ctype, extra []byte) {
	if len(extra) <= 1 {
		r.null(c, 0, 0)
		return
	}
	enc.bytes(r, c, append(extra, '}'), 0)
}

// string appends s as a value of string column c, with invalid UTF-8
// replaced by U+FFFD (one for each bad byte, as the JSON encoders do):
// Parquet strings are UTF-8, and readers refuse files that break the rule.
func (enc *encoder) string(r *rowBuf, c *ctype, s string, rep uint8) {
	if !utf8.ValidString(s) {
		enc.js = appendValidUTF8(enc.js[:0], s)
		enc.bytes(r, c, enc.js, rep)
		return
	}
	col := &r.cols[c.leaf]
	col.level(r.pool, c.def, rep)
	col.room(r.pool, 4+len(s))
	col.vals = binary.LittleEndian.AppendUint32(col.vals, uint32(len(s)))
	col.vals = append(col.vals, s...)
	enc.n += int64(len(s)) + 4
}

func appendValidUTF8(dst []byte, s string) []byte {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, "\uFFFD"...)
		} else {
			dst = append(dst, s[i:i+size]...)
		}
		i += size
	}
	return dst
}

// members appends the members of object o, a value of struct type c (c's
// own definition level being defined), to the columns of c's fields: each
// field gets its value or NULL. Misfits go into extra (an object open at
// its end) under their key; a struct member's own misfits go into extra
// under the member's key, so p_extra has the shape of the event.
func (enc *encoder) members(r *rowBuf, c *ctype, o *fastjson.Object, extra []byte, rep uint8) []byte {
	var seen, filled uint64
	var seenBig, filledBig []bool
	if len(c.fields) > 64 {
		seenBig, filledBig = make([]bool, len(c.fields)), make([]bool, len(c.fields))
	}
	prev := -1
	o.Visit(func(k []byte, v *fastjson.Value) {
		i := c.fieldAfter(k, prev)
		if i >= 0 {
			prev = i
		}
		if i >= 0 && !markSeen(&seen, seenBig, i) {
			i = -1 // a duplicate key: the first one wins the column
		}
		if i < 0 {
			extra = appendMember(extra, b2s(k))
			extra = appendJSON(extra, v)
			return
		}
		if v.Type() == fastjson.TypeNull {
			return
		}
		f := &c.fields[i]
		if f.t.kind == kStruct && v.Type() == fastjson.TypeObject {
			// A struct member keeps what fits; the rest goes to extra
			// under its key.
			xmark := len(extra)
			extra = appendKey(extra, f.key)
			extra = append(extra, '{')
			inner := len(extra)
			o2, _ := v.Object()
			extra = enc.members(r, f.t, o2, extra, rep)
			if len(extra) == inner {
				extra = extra[:xmark]
			} else {
				extra = append(extra, '}')
			}
			markSeen(&filled, filledBig, i)
			return
		}
		if enc.put(r, f.t, v, rep) {
			markSeen(&filled, filledBig, i)
			return
		}
		extra = appendMember(extra, b2s(k))
		extra = appendJSON(extra, v)
	})
	r.nullUnfilled(c, filled, filledBig, rep)
	return extra
}

// put appends v (not null) as a value of type c when it fits c exactly,
// and reports whether it did; when it does not, nothing is appended.
func (enc *encoder) put(r *rowBuf, c *ctype, v *fastjson.Value, rep uint8) bool {
	switch c.kind {
	case kString:
		if v.Type() != fastjson.TypeString {
			return false
		}
		s, _ := v.StringBytes()
		enc.string(r, c, b2s(s), rep)
	case kBigint:
		n, ok := bigintOf(v, enc.num)
		if !ok {
			return false
		}
		enc.int64(r, c, n, rep)
	case kDouble:
		f, ok := doubleOf(v, enc.num)
		if !ok {
			return false
		}
		enc.int64(r, c, int64(math.Float64bits(f)), rep)
	case kBool:
		var b byte
		switch v.Type() {
		case fastjson.TypeTrue:
			b = 1
		case fastjson.TypeFalse:
		default:
			return false
		}
		col := &r.cols[c.leaf]
		col.level(r.pool, c.def, rep)
		col.room(r.pool, 1)
		col.vals = append(col.vals, b)
		enc.n++
	case kTime:
		t, ok := readTime(c.timeFmt, v)
		if !ok {
			return false
		}
		enc.time(r, c, t, rep)
	case kJSON:
		enc.js = appendJSON(enc.js[:0], v)
		enc.bytes(r, c, enc.js, rep)
	case kArray, kStruct:
		if !fits(c, v, enc.num) {
			return false
		}
		enc.putFit(r, c, v, rep)
	}
	return true
}

// putFit appends v, which fits type c (fits), or NULL for JSON null.
func (enc *encoder) putFit(r *rowBuf, c *ctype, v *fastjson.Value, rep uint8) {
	if v.Type() == fastjson.TypeNull {
		r.null(c, c.def-1, rep)
		return
	}
	switch c.kind {
	case kArray:
		a, _ := v.Array()
		if len(a) == 0 {
			r.null(c.elem, c.def, rep) // an empty list
			return
		}
		for _, x := range a {
			enc.putFit(r, c.elem, x, rep)
			rep = c.rep
		}
	case kStruct:
		o, _ := v.Object()
		var filled uint64
		var filledBig []bool
		if len(c.fields) > 64 {
			filledBig = make([]bool, len(c.fields))
		}
		prev := -1
		o.Visit(func(k []byte, x *fastjson.Value) {
			i := c.fieldAfter(k, prev) // fits: a field, once
			prev = i
			markSeen(&filled, filledBig, i)
			enc.putFit(r, c.fields[i].t, x, rep)
		})
		r.nullUnfilled(c, filled, filledBig, rep)
	default:
		enc.put(r, c, v, rep)
	}
}
