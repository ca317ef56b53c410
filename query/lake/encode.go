package lake

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"github.com/valyala/fastjson"

	"panther/parsers"
)

// kind is a column type, compiled from parsers.Type.
type kind uint8

const (
	kString kind = iota
	kBigint
	kDouble
	kBool
	kTime
	kJSON
	kArray
	kStruct
)

// ctype is a compiled column type: what the encoder checks values against.
type ctype struct {
	kind   kind
	elem   *ctype   // kArray
	fields []cfield // kStruct
	index  map[string]int
	// timeFmt reads a timestamp column whose format the log type declares
	// (a TimeField on the same top-level path); nil means RFC 3339 text or
	// epoch numbers (see the package doc).
	timeFmt parsers.TimeFormat
	duck    string // the DuckDB type
}

type cfield struct {
	name string
	key  []byte // `"name":`, appended after a comma or a '{'
	t    *ctype
}

func newField(name string, t *ctype) cfield {
	return cfield{name: name, key: append(appendString(nil, name), ':'), t: t}
}

// appendKey starts a member with a precomputed key (see appendMember).
func appendKey(b, key []byte) []byte {
	if b[len(b)-1] != '{' {
		b = append(b, ',')
	}
	return append(b, key...)
}

// compileType turns a parsed Hive type into a ctype; names of struct fields
// that DuckDB would confuse (it matches names case-insensitively) are an
// error.
func compileType(t *parsers.Type) (*ctype, error) {
	c := &ctype{duck: t.DuckDB()}
	switch t.Kind {
	case "string":
		c.kind = kString
	case "bigint":
		c.kind = kBigint
	case "double":
		c.kind = kDouble
	case "boolean":
		c.kind = kBool
	case "timestamp":
		c.kind = kTime
	case "json":
		c.kind = kJSON
	case "array":
		c.kind = kArray
		e, err := compileType(t.Elem)
		if err != nil {
			return nil, err
		}
		c.elem = e
	case "struct":
		c.kind = kStruct
		c.index = make(map[string]int, len(t.Fields))
		lower := map[string]string{}
		for i, f := range t.Fields {
			if f.Name == "" {
				return nil, fmt.Errorf("struct field without a name")
			}
			if prev, dup := lower[strings.ToLower(f.Name)]; dup {
				return nil, fmt.Errorf("struct fields %q and %q differ only in case, which DuckDB and Parquet readers cannot tell apart", prev, f.Name)
			}
			lower[strings.ToLower(f.Name)] = f.Name
			ft, err := compileType(f.Type)
			if err != nil {
				return nil, fmt.Errorf("struct field %s: %w", f.Name, err)
			}
			c.fields = append(c.fields, newField(f.Name, ft))
			c.index[f.Name] = i
		}
	default:
		return nil, fmt.Errorf("unknown type kind %q", t.Kind)
	}
	return c, nil
}

// field returns the index of the struct field named k, or -1.
func (c *ctype) field(k []byte) int {
	if i, ok := c.index[b2s(k)]; ok {
		return i
	}
	return -1
}

// encoder turns events into the clean NDJSON rows that the converter reads:
// every declared column holds a value of its declared type or is absent
// (NULL), and everything else goes into p_extra. It owns its scratch
// buffers; one encoder serves one goroutine.
type encoder struct {
	extra []byte
	ts    []byte
}

// appendMember starts member k of the JSON object open at the end of b:
// a comma unless the object is empty, the key and the colon.
func appendMember(b []byte, k string) []byte {
	if b[len(b)-1] != '{' {
		b = append(b, ',')
	}
	b = appendString(b, k)
	return append(b, ':')
}

// members encodes the members of object o against struct type c into dst
// (an object open at its end). Misfits go into extra (an object open at its
// end) under their key; a struct member's own misfits go into extra under
// the member's key, so p_extra has the shape of the event.
func (enc *encoder) members(dst, extra []byte, c *ctype, o *fastjson.Object) ([]byte, []byte) {
	var seen uint64
	var seenBig []bool
	if len(c.fields) > 64 {
		seenBig = make([]bool, len(c.fields))
	}
	o.Visit(func(k []byte, v *fastjson.Value) {
		i := c.field(k)
		if i >= 0 {
			if seenBig != nil {
				if seenBig[i] {
					i = -1
				} else {
					seenBig[i] = true
				}
			} else {
				if seen&(1<<uint(i)) != 0 {
					i = -1 // a duplicate key: the first one wins the column
				} else {
					seen |= 1 << uint(i)
				}
			}
		}
		if i < 0 {
			extra = appendMember(extra, b2s(k))
			extra = appendValue(extra, v)
			return
		}
		if v.Type() == fastjson.TypeNull {
			return
		}
		f := &c.fields[i]
		mark := len(dst)
		dst = appendKey(dst, f.key)
		if f.t.kind == kStruct && v.Type() == fastjson.TypeObject {
			// A struct member keeps what fits; the rest goes to extra
			// under its key.
			xmark := len(extra)
			extra = appendKey(extra, f.key)
			extra = append(extra, '{')
			inner := len(extra)
			o2, _ := v.Object()
			dst = append(dst, '{')
			dst, extra = enc.members(dst, extra, f.t, o2)
			dst = append(dst, '}')
			if len(extra) == inner {
				extra = extra[:xmark]
			} else {
				extra = append(extra, '}')
			}
			return
		}
		var ok bool
		dst, ok = enc.value(dst, f.t, v)
		if !ok {
			dst = dst[:mark]
			extra = appendMember(extra, b2s(k))
			extra = appendValue(extra, v)
		}
	})
	return dst, extra
}

// value appends v when it fits type c exactly (struct elements of arrays
// too: any misfit fails the whole value, which then goes to p_extra as
// is). On false, dst holds garbage past its length at the call.
func (enc *encoder) value(dst []byte, c *ctype, v *fastjson.Value) ([]byte, bool) {
	switch c.kind {
	case kString:
		if v.Type() != fastjson.TypeString {
			return dst, false
		}
		b, _ := v.StringBytes()
		return appendString(dst, b2s(b)), true
	case kBigint:
		if v.Type() != fastjson.TypeNumber {
			return dst, false
		}
		return appendBigint(dst, v)
	case kDouble:
		if v.Type() != fastjson.TypeNumber {
			return dst, false
		}
		mark := len(dst)
		dst = v.MarshalTo(dst)
		raw := dst[mark:]
		if !validNumber(raw) {
			return dst, false
		}
		if f, err := strconv.ParseFloat(b2s(raw), 64); err != nil || math.IsInf(f, 0) {
			return dst, false
		}
		return dst, true
	case kBool:
		switch v.Type() {
		case fastjson.TypeTrue:
			return append(dst, "true"...), true
		case fastjson.TypeFalse:
			return append(dst, "false"...), true
		}
		return dst, false
	case kTime:
		t, ok := readTime(c.timeFmt, v)
		if !ok {
			return dst, false
		}
		return appendTime(dst, t), true
	case kJSON:
		return appendValue(dst, v), true
	case kArray:
		a, err := v.Array()
		if err != nil {
			return dst, false
		}
		dst = append(dst, '[')
		for i, x := range a {
			if i > 0 {
				dst = append(dst, ',')
			}
			if x.Type() == fastjson.TypeNull {
				dst = append(dst, "null"...)
				continue
			}
			var ok bool
			if dst, ok = enc.value(dst, c.elem, x); !ok {
				return dst, false
			}
		}
		return append(dst, ']'), true
	case kStruct:
		o, err := v.Object()
		if err != nil {
			return dst, false
		}
		dst = append(dst, '{')
		ok := true
		var seen uint64
		o.Visit(func(k []byte, x *fastjson.Value) {
			if !ok {
				return
			}
			i := c.field(k)
			if i < 0 || (i < 64 && seen&(1<<uint(i)) != 0) {
				ok = false
				return
			}
			if i < 64 {
				seen |= 1 << uint(i)
			}
			if x.Type() == fastjson.TypeNull {
				return
			}
			f := &c.fields[i]
			dst = appendKey(dst, f.key)
			dst, ok = enc.value(dst, f.t, x)
		})
		if !ok {
			return dst, false
		}
		return append(dst, '}'), true
	}
	return dst, false
}

// appendBigint appends an integer number; a number with a fraction or an
// exponent fits when its value is a whole number that a double holds
// exactly (JSON writers that print 5.0 for 5).
func appendBigint(dst []byte, v *fastjson.Value) ([]byte, bool) {
	mark := len(dst)
	dst = v.MarshalTo(dst)
	raw := dst[mark:]
	if !validNumber(raw) {
		return dst, false
	}
	if _, err := strconv.ParseInt(b2s(raw), 10, 64); err == nil {
		return dst, true
	}
	f, err := strconv.ParseFloat(b2s(raw), 64)
	if err != nil || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
		return dst, false
	}
	return strconv.AppendInt(dst[:mark], int64(f), 10), true
}

// validNumber reports whether b is a number in JSON's grammar. fastjson
// accepts more (nan, inf, 01, 1., +1), which no JSON reader after it does.
func validNumber(b []byte) bool {
	i := 0
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
	default:
		return false
	}
	if i < len(b) && b[i] == '.' {
		i++
		if i >= len(b) || b[i] < '0' || b[i] > '9' {
			return false
		}
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if i >= len(b) || b[i] < '0' || b[i] > '9' {
			return false
		}
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
	}
	return i == len(b)
}

// appendValue appends v as JSON that every reader accepts: strings through
// event.AppendString (valid UTF-8), and numbers outside JSON's grammar
// (fastjson reads nan, inf, 01...) or outside a double's range as strings of
// their text, so that p_extra and json columns never hold invalid JSON.
func appendValue(dst []byte, v *fastjson.Value) []byte {
	switch v.Type() {
	case fastjson.TypeObject:
		o, _ := v.Object()
		dst = append(dst, '{')
		o.Visit(func(k []byte, x *fastjson.Value) {
			dst = appendMember(dst, b2s(k))
			dst = appendValue(dst, x)
		})
		return append(dst, '}')
	case fastjson.TypeArray:
		a, _ := v.Array()
		dst = append(dst, '[')
		for i, x := range a {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendValue(dst, x)
		}
		return append(dst, ']')
	case fastjson.TypeString:
		b, _ := v.StringBytes()
		return appendString(dst, b2s(b))
	case fastjson.TypeNumber:
		mark := len(dst)
		dst = v.MarshalTo(dst)
		raw := dst[mark:]
		if validNumber(raw) {
			if f, err := strconv.ParseFloat(b2s(raw), 64); err == nil && !math.IsInf(f, 0) {
				return dst
			}
		}
		s := string(raw)
		return appendString(dst[:mark], s)
	default:
		return v.MarshalTo(dst)
	}
}

// Timestamps are stored with microseconds, the precision of Parquet's and
// DuckDB's TIMESTAMP, between years 1 and 9999.
var (
	minTime = time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)
	maxTime = time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC)
)

var autoTime, _ = parsers.ParseTimeFormat("auto")

// readTime reads a timestamp value: with the declared format when there is
// one, else RFC 3339 text (as parsers.ParseRFC3339ish reads it) or a number
// of seconds, milliseconds, microseconds or nanoseconds since the epoch
// (told apart by size, as the "auto" time format does).
func readTime(f parsers.TimeFormat, v *fastjson.Value) (time.Time, bool) {
	if f == nil {
		f = autoTime
	}
	t, ok := f(v)
	if !ok || t.Before(minTime) || t.After(maxTime) {
		return time.Time{}, false
	}
	return t, true
}

func validTime(t time.Time) bool { return !t.Before(minTime) && !t.After(maxTime) }

// b2s views b as a string without copying; b must not change while it is used.
func b2s(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }
