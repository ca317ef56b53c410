package event

import (
	"encoding/binary"
	"math"
	"strconv"
	"unicode/utf8"
	"unsafe"

	"github.com/valyala/fastjson"
)

const hexDigits = "0123456789abcdef"

// AppendString appends s as a JSON string. Unlike fastjson's marshaller it
// replaces invalid UTF-8 with U+FFFD, so whatever a log line held, the
// output is valid JSON that DuckDB and every JSON reader accept. It skips
// runs of plain ASCII eight bytes at a time (strings are most of an
// event's bytes: the lake's json columns and p_extra go through it).
func AppendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	i := 0
	for i < len(s) {
		j := i
		for j+8 <= len(s) {
			w := uint64(s[j]) | uint64(s[j+1])<<8 | uint64(s[j+2])<<16 | uint64(s[j+3])<<24 |
				uint64(s[j+4])<<32 | uint64(s[j+5])<<40 | uint64(s[j+6])<<48 | uint64(s[j+7])<<56
			if special(w) {
				break
			}
			j += 8
		}
		for j < len(s) && plain[s[j]] {
			j++
		}
		dst = append(dst, s[i:j]...)
		if j == len(s) {
			break
		}
		c := s[j]
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[j:])
			if r == utf8.RuneError && size == 1 {
				dst = append(dst, `\ufffd`...)
			} else {
				dst = append(dst, s[j:j+size]...)
			}
			i = j + size
			continue
		}
		switch c {
		case '"', '\\':
			dst = append(dst, '\\', c)
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		default:
			dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		}
		i = j + 1
	}
	return append(dst, '"')
}

const (
	lo7 = 0x0101010101010101
	hi7 = 0x8080808080808080
)

// special reports whether any byte of w is a control character, '"', '\\'
// or not ASCII (the bytes that appendString must look at).
func special(w uint64) bool {
	zero := func(v uint64) uint64 { return (v - lo7) &^ v & hi7 }
	return (w&hi7)|((w-0x2020202020202020)&^w&hi7)|zero(w^(lo7*'"'))|zero(w^(lo7*'\\')) != 0
}

// plain marks the bytes copied as they are.
var plain = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// AppendValue appends v as canonical JSON: the one encoding of values
// taken from logs that every writer of the tool uses (events on stdout,
// the lake's json columns and p_extra, alert samples, Lua's tostring).
// Strings are valid UTF-8 with JSON's escapes (AppendString); a number
// outside JSON's grammar (fastjson reads nan, inf, 01, 1., +1) or outside
// a double's range (1e999) is written as a string of its text, so the
// output is valid JSON every reader accepts and nothing of the input is
// lost.
//
// It is fast where it can be: fastjson's own encoding copies the strings
// that were never unescaped as they came, instead of unescaping and
// escaping them again (this halves the lake encoder's time on json
// columns). That text is kept when it is already canonical (checkJSON);
// else the value is written again, member by member (appendCanonical).
func AppendValue(dst []byte, v *fastjson.Value) []byte {
	mark := len(dst)
	dst = v.MarshalTo(dst)
	if checkJSON(dst[mark:]) {
		return dst
	}
	return appendCanonical(dst[:mark], v)
}

// Canonical reports whether b is JSON text as AppendValue writes it: valid
// JSON, strings of valid UTF-8 with JSON's escapes, numbers in JSON's
// grammar and a double's range. A writer given JSON text keeps it as it
// is when it is, and writes it again through AppendValue when not.
func Canonical(b []byte) bool {
	return fastjson.ValidateBytes(b) == nil && checkJSON(b)
}

// appendCanonical writes v member by member; see AppendValue.
func appendCanonical(dst []byte, v *fastjson.Value) []byte {
	switch v.Type() {
	case fastjson.TypeObject:
		o, _ := v.Object()
		dst = append(dst, '{')
		first := true
		o.Visit(func(k []byte, x *fastjson.Value) {
			if !first {
				dst = append(dst, ',')
			}
			first = false
			dst = AppendString(dst, b2s(k))
			dst = append(dst, ':')
			dst = appendCanonical(dst, x)
		})
		return append(dst, '}')
	case fastjson.TypeArray:
		a, _ := v.Array()
		dst = append(dst, '[')
		for i, x := range a {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendCanonical(dst, x)
		}
		return append(dst, ']')
	case fastjson.TypeString:
		b, _ := v.StringBytes()
		return AppendString(dst, b2s(b))
	case fastjson.TypeNumber:
		mark := len(dst)
		dst = v.MarshalTo(dst)
		raw := dst[mark:]
		if ValidNumber(raw) {
			if f, err := strconv.ParseFloat(b2s(raw), 64); err == nil && !math.IsInf(f, 0) {
				return dst
			}
		}
		s := string(raw)
		return AppendString(dst[:mark], s)
	default:
		return v.MarshalTo(dst)
	}
}

// checkJSON reports whether b, written by fastjson's MarshalTo (so its
// structure is right), holds only strings of valid UTF-8 with JSON's
// escapes (no lone surrogate) and no control character, numbers in JSON's
// grammar within a double's range, and true, false or null.
func checkJSON(b []byte) bool {
	for i := 0; i < len(b); {
		switch c := b[i]; c {
		case '{', '}', '[', ']', ',', ':':
			i++
		case '"':
			i++
			for {
				for i+8 <= len(b) && !special(binary.LittleEndian.Uint64(b[i:])) {
					i += 8
				}
				if i >= len(b) {
					return false
				}
				c := b[i]
				if c == '"' {
					i++
					break
				}
				switch {
				case c == '\\':
					if i+1 >= len(b) {
						return false
					}
					switch b[i+1] {
					case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
						i += 2
					case 'u':
						if i+6 > len(b) {
							return false
						}
						r, err := strconv.ParseUint(b2s(b[i+2:i+6]), 16, 16)
						if err != nil || (r >= 0xd800 && r <= 0xdfff) {
							return false // a surrogate: appendCanonical pairs them
						}
						i += 6
					default:
						return false
					}
				case c < 0x20:
					return false
				case c >= utf8.RuneSelf:
					r, size := utf8.DecodeRune(b[i:])
					if r == utf8.RuneError && size == 1 {
						return false
					}
					i += size
				default:
					i++
				}
			}
		default:
			j := i
			for j < len(b) && b[j] != ',' && b[j] != '}' && b[j] != ']' && b[j] != ':' {
				j++
			}
			tok := b[i:j]
			switch b2s(tok) {
			case "true", "false", "null":
			default:
				if !ValidNumber(tok) {
					return false
				}
				if len(tok) > 300 || containsExp(tok) {
					if f, err := strconv.ParseFloat(b2s(tok), 64); err != nil || f-f != 0 {
						return false
					}
				}
			}
			i = j
		}
	}
	return true
}

func containsExp(b []byte) bool {
	for _, c := range b {
		if c == 'e' || c == 'E' {
			return true
		}
	}
	return false
}

// ValidNumber reports whether b is a number in JSON's grammar.
func ValidNumber(b []byte) bool {
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
		start := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		if i == start {
			return false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		start := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		if i == start {
			return false
		}
	}
	return i == len(b)
}

// b2s views b as a string without copying; b must not change while it is used.
func b2s(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }
