package aws

import (
	"errors"
	"fmt"
	"unsafe"

	"github.com/valyala/fastjson"

	"panther/parsers/event"
)

// The text formats of AWS (VPC flow logs, ELB and S3 access logs) are lines
// of space-separated fields, some "double-quoted" (with backslash escapes)
// and, in S3's case, one [bracketed] time holding a space. No library reads
// all three: encoding/csv (space as separator, lazy quotes) knows neither
// brackets nor backslash escapes, and a regular expression per format is
// what AWS suggests for Athena. On ALB lines the hand-written splitter below
// measured over 10 times the speed of encoding/csv and over 100 times that
// of a regular expression, without allocating (BenchmarkSplitALB: 430-750
// against 26-42 and 2.5-6 MB/s on a loaded 2-core machine), so the
// splitting lives here, shared by the three parsers.

// token is one field of a line, without its quotes or brackets. It points
// into the line, which the parser does not keep.
type token struct {
	b       []byte
	quoted  bool // was "quoted" (so `"-"` is the absent value too)
	escaped bool // holds backslash escapes to undo
}

// absent reports the `-` that the AWS formats write for a missing value.
func (t token) absent() bool { return len(t.b) == 1 && t.b[0] == '-' }

var errEmptyLine = errors.New("empty line")

// What splitFields reads as one field besides space-free words.
const (
	splitQuotes   = 1 << iota // "a quoted field", with \" escapes
	splitBrackets             // [a bracketed field]
)

// splitFields splits line into tokens appended to dst[:0]. Runs of spaces
// separate fields; with splitQuotes a field that starts with '"' runs to the
// next unescaped '"', with splitBrackets one that starts with '[' runs to the
// next ']'.
func splitFields(line []byte, dst []token, mode int) ([]token, error) {
	dst = dst[:0]
	for len(line) > 0 && (line[len(line)-1] == '\r' || line[len(line)-1] == ' ') {
		line = line[:len(line)-1]
	}
	i, n := 0, len(line)
	for i < n {
		for i < n && line[i] == ' ' {
			i++
		}
		if i == n {
			break
		}
		switch {
		case mode&splitQuotes != 0 && line[i] == '"':
			start, esc := i+1, false
			j := start
			for ; j < n; j++ {
				if line[j] == '\\' && j+1 < n {
					esc = true
					j++
					continue
				}
				if line[j] == '"' {
					break
				}
			}
			if j >= n {
				return dst, fmt.Errorf("field %d: the quote opened at column %d is not closed", len(dst)+1, i+1)
			}
			dst = append(dst, token{b: line[start:j], quoted: true, escaped: esc})
			i = j + 1
			if i < n && line[i] != ' ' {
				return dst, fmt.Errorf("field %d: text follows its closing quote at column %d", len(dst), i+1)
			}
		case mode&splitBrackets != 0 && line[i] == '[':
			j := i + 1
			for j < n && line[j] != ']' {
				j++
			}
			if j >= n {
				return dst, fmt.Errorf("field %d: the bracket opened at column %d is not closed", len(dst)+1, i+1)
			}
			dst = append(dst, token{b: line[i+1 : j]})
			i = j + 1
		default:
			j := i
			for j < n && line[j] != ' ' {
				j++
			}
			dst = append(dst, token{b: line[i:j]})
			i = j
		}
	}
	if len(dst) == 0 {
		return dst, errEmptyLine
	}
	return dst, nil
}

// unescape undoes the backslash escapes of a quoted field: \" and \\ (the
// ones ELB and S3 write); any other backslash is kept as written.
func unescape(dst, b []byte) []byte {
	for i := 0; i < len(b); i++ {
		if b[i] == '\\' && i+1 < len(b) && (b[i+1] == '"' || b[i+1] == '\\') {
			i++
		}
		dst = append(dst, b[i])
	}
	return dst
}

// builder builds one event's fields in the event's arena. Keys are string
// constants or strings the parser keeps (header names), never views of the
// line, which is reused once Parse returns; values are copied into the
// arena. (Writing the object as JSON text and parsing it with the event's
// fastjson parser instead measured 1.5 times slower for VPC flow lines.)
type builder struct {
	a       *fastjson.Arena
	o       *fastjson.Object
	v       *fastjson.Value
	scratch []byte
}

func (b *builder) begin(a *fastjson.Arena) {
	b.v = a.NewObject()
	b.a, b.o = a, b.v.GetObject()
}

// end sets e's fields; false when no field was set.
func (b *builder) end(e *event.Event) bool {
	if b.o.Len() == 0 {
		return false
	}
	e.Fields = b.v
	return true
}

// str sets key to the token's text unless it is absent or empty.
func (b *builder) str(key string, t token) {
	if t.absent() || len(t.b) == 0 {
		return
	}
	b.o.Set(key, b.text(t))
}

func (b *builder) text(t token) *fastjson.Value {
	if t.escaped {
		b.scratch = unescape(b.scratch[:0], t.b)
		return event.NewStringBytes(b.a, b.scratch)
	}
	return event.NewStringBytes(b.a, t.b)
}

// int sets key to the token as an integer unless it is absent; anything
// else than an optionally signed decimal integer is an error that names
// the field as name.
func (b *builder) int(key, name string, t token) error {
	if t.absent() {
		return nil
	}
	n, ok := parseInt(t.b)
	if !ok {
		return fmt.Errorf("%s: %q is not an integer", name, clip(t.b))
	}
	b.o.Set(key, b.a.NewNumberInt(int(n)))
	return nil
}

// number sets key to the token as a number written as in the log (JSON's
// grammar: -1, 0.000, 1.5e3) unless it is absent.
func (b *builder) number(key, name string, t token) error {
	if t.absent() {
		return nil
	}
	if !event.ValidNumber(t.b) {
		return fmt.Errorf("%s: %q is not a number", name, clip(t.b))
	}
	// NewNumberString keeps its string: copy the text into the arena
	// first (a number has nothing to escape, so the copy is verbatim).
	s, _ := event.NewStringBytes(b.a, t.b).StringBytes()
	b.o.Set(key, b.a.NewNumberString(view(s)))
	return nil
}

// list sets key to an array of the parts of the token split at sep,
// leaving out empty and absent parts; it sets nothing when no part is left.
func (b *builder) list(key string, t token, sep byte) {
	if t.absent() || len(t.b) == 0 {
		return
	}
	s := t.b
	if t.escaped {
		b.scratch = unescape(b.scratch[:0], t.b)
		s = b.scratch
	}
	var arr *fastjson.Value
	n := 0
	for len(s) > 0 {
		part := s
		if i := indexByte(s, sep); i >= 0 {
			part, s = s[:i], s[i+1:]
		} else {
			s = nil
		}
		if len(part) == 0 || (len(part) == 1 && part[0] == '-') {
			continue
		}
		if arr == nil {
			arr = b.a.NewArray()
		}
		arr.SetArrayItem(n, event.NewStringBytes(b.a, part))
		n++
	}
	if arr != nil {
		b.o.Set(key, arr)
	}
}

// extra sets key to an array of the tokens' texts: the trailing fields
// that a newer version of a format added and this parser does not know.
func (b *builder) extra(key string, ts []token) {
	if len(ts) == 0 {
		return
	}
	arr := b.a.NewArray()
	for i, t := range ts {
		arr.SetArrayItem(i, b.text(t))
	}
	b.o.Set(key, arr)
}

func indexByte(b []byte, c byte) int {
	for i := range b {
		if b[i] == c {
			return i
		}
	}
	return -1
}

// parseInt parses an optionally signed decimal integer of at most 18 digits
// (so it cannot overflow), without allocating.
func parseInt(b []byte) (int64, bool) {
	neg := false
	if len(b) > 0 && (b[0] == '-' || b[0] == '+') {
		neg = b[0] == '-'
		b = b[1:]
	}
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	var n int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	if neg {
		n = -n
	}
	return n, true
}

// clip keeps error messages short when a field is long junk.
func clip(b []byte) string {
	const max = 40
	if len(b) > max {
		return string(b[:max]) + "..."
	}
	return string(b)
}

// view is b as a string without a copy, for calls that do not keep their
// argument (time.Parse keeps it only in the error, which callers drop).
func view(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// isDigits reports a non-empty run of ASCII digits.
func isDigits(b []byte) bool {
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return len(b) > 0
}

// appendUnixRFC3339 appends the UTC time of unix seconds sec (0 to
// maxUnixSeconds) as RFC 3339, like time.Unix(sec, 0).UTC().AppendFormat(dst,
// time.RFC3339) but without its general layout machinery: VPC flow lines
// carry two such times each, and this is a sizeable share of their parsing.
func appendUnixRFC3339(dst []byte, sec int64) []byte {
	days, rem := sec/86400, sec%86400
	// Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
	z := days + 719468
	era := z / 146097
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y := yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d := doy - (153*mp+2)/5 + 1
	m := mp + 3
	if m > 12 {
		m -= 12
	}
	if m <= 2 {
		y++
	}
	dst = append(dst,
		byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10), '-',
		byte('0'+m/10), byte('0'+m%10), '-',
		byte('0'+d/10), byte('0'+d%10), 'T',
		byte('0'+rem/36000), byte('0'+rem/3600%10), ':',
		byte('0'+rem/60%60/10), byte('0'+rem/60%10), ':',
		byte('0'+rem%60/10), byte('0'+rem%10), 'Z')
	return dst
}
