package lake

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/valyala/fastjson"

	"panther/parsers"
	"panther/parsers/event"
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

// ctype is a compiled column type: what values are checked against, and
// where they go in the Parquet file (see layout).
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
	// def is the definition level of a present value (every field is
	// optional, so one more than its parent's); rep, for an array, is the
	// repetition level of its elements after the first; leaf is the leaf
	// column of a scalar type, and [lo, hi) the leaf columns under a type.
	def, rep uint8
	leaf     int
	lo, hi   int
	next     []atomic.Int32 // kStruct: see fieldAfter
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

// appendMember starts member k of the JSON object open at the end of b:
// a comma unless the object is empty, the key and the colon.
func appendMember(b []byte, k string) []byte {
	if b[len(b)-1] != '{' {
		b = append(b, ',')
	}
	b = appendString(b, k)
	return append(b, ':')
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
		c.next = make([]atomic.Int32, len(c.fields)+1) // 0: no guess; else field+1
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

// fieldAfter is field for the key after field prev (-1: the first key) of
// an object: it tries first the field that came after prev last time, as
// the events of a log type list their fields in about the same order (a
// string comparison instead of a map lookup, a fifth of the encoder's
// time). It learns, from the goroutines of every Batch at once: the
// guesses are atomic (a load is a plain load; a store happens on a miss).
func (c *ctype) fieldAfter(k []byte, prev int) int {
	if h := c.next[prev+1].Load(); h > 0 && c.fields[h-1].name == b2s(k) {
		return int(h - 1)
	}
	i := c.field(k)
	if i >= 0 {
		c.next[prev+1].Store(int32(i + 1))
	}
	return i
}

// The value rules. A value goes into a column only when it fits the
// column's type exactly; fits, bigintOf, doubleOf and readTime decide, and
// the row builders (rows.go) call them, so there is one set of rules.

// fits reports whether v fits type c exactly: every element of an array,
// every member of a struct (a member the struct does not declare, or a
// duplicate key, fails the whole value). JSON null fits every type (NULL).
func fits(c *ctype, v *fastjson.Value, num []byte) bool {
	if v.Type() == fastjson.TypeNull {
		return true
	}
	switch c.kind {
	case kString:
		return v.Type() == fastjson.TypeString
	case kBigint:
		_, ok := bigintOf(v, num)
		return ok
	case kDouble:
		_, ok := doubleOf(v, num)
		return ok
	case kBool:
		return v.Type() == fastjson.TypeTrue || v.Type() == fastjson.TypeFalse
	case kTime:
		_, ok := readTime(c.timeFmt, v)
		return ok
	case kJSON:
		return true
	case kArray:
		a, err := v.Array()
		if err != nil {
			return false
		}
		for _, x := range a {
			if !fits(c.elem, x, num) {
				return false
			}
		}
		return true
	case kStruct:
		o, err := v.Object()
		if err != nil {
			return false
		}
		ok := true
		var seen uint64
		var seenBig []bool
		if len(c.fields) > 64 {
			seenBig = make([]bool, len(c.fields))
		}
		prev := -1
		o.Visit(func(k []byte, x *fastjson.Value) {
			if !ok {
				return
			}
			i := c.fieldAfter(k, prev)
			prev = i
			if i < 0 || !markSeen(&seen, seenBig, i) || !fits(c.fields[i].t, x, num) {
				ok = false
			}
		})
		return ok
	}
	return false
}

// markSeen records field i as seen in a row, in seen (fields 0-63) or
// seenBig (a struct of more fields); false when it was already: a
// duplicate key, whose first occurrence wins the column.
func markSeen(seen *uint64, seenBig []bool, i int) bool {
	if seenBig != nil {
		if seenBig[i] {
			return false
		}
		seenBig[i] = true
		return true
	}
	if *seen&(1<<uint(i)) != 0 {
		return false
	}
	*seen |= 1 << uint(i)
	return true
}

// bigintOf reads an integer number; a number with a fraction or an
// exponent fits when its value is a whole number that a double holds
// exactly (JSON writers that print 5.0 for 5). num is scratch space.
func bigintOf(v *fastjson.Value, num []byte) (int64, bool) {
	if v.Type() != fastjson.TypeNumber {
		return 0, false
	}
	raw := v.MarshalTo(num[:0])
	if !validNumber(raw) {
		return 0, false
	}
	if i, err := strconv.ParseInt(b2s(raw), 10, 64); err == nil {
		return i, true
	}
	f, err := strconv.ParseFloat(b2s(raw), 64)
	if err != nil || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
		return 0, false
	}
	return int64(f), true
}

// doubleOf reads a finite number in JSON's grammar.
func doubleOf(v *fastjson.Value, num []byte) (float64, bool) {
	if v.Type() != fastjson.TypeNumber {
		return 0, false
	}
	raw := v.MarshalTo(num[:0])
	if !validNumber(raw) {
		return 0, false
	}
	f, err := strconv.ParseFloat(b2s(raw), 64)
	if err != nil || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

// validNumber reports whether b is a number in JSON's grammar. fastjson
// accepts more (nan, inf, 01, 1., +1), which no JSON reader after it does.
func validNumber(b []byte) bool { return event.ValidNumber(b) }

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
