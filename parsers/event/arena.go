package event

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/valyala/fastjson"
)

// NewString returns a copy of s in the arena, as a string value. Parsers
// that build events in an arena must use it (or NewStringBytes) rather than
// the arena's own methods.
//
// fastjson's Arena quotes a string that holds '"', '\\' or a control byte
// with strconv.AppendQuote, whose \xNN, \a, \v and \U escapes its own
// unescaper does not undo: invalid UTF-8 in such a string would read back
// as the text `\xff`, not as the U+FFFD that event.AppendString writes for
// it everywhere else. For those strings only, the bytes that cannot make
// the round trip (invalid UTF-8, control bytes other than \b \f \n \r \t,
// DEL, non-printable runes above U+FFFF) become U+FFFD first.
func NewString(a *fastjson.Arena, s string) *fastjson.Value {
	if needsClean(s) {
		s = clean(s)
	}
	return a.NewString(s)
}

// Byte classes for needsClean.
const (
	clsSpecial = 1 << iota // fastjson quotes the string: '"', '\\', \b \f \n \r \t
	clsUnsafe              // a control byte its quoting loses
	clsHigh                // DEL or a byte of a multi-byte rune: decode to know
)

var byteClass = func() (t [256]uint8) {
	for c := 0; c < 0x20; c++ {
		t[c] = clsSpecial | clsUnsafe
	}
	for _, c := range []byte{'\b', '\f', '\n', '\r', '\t', '"', '\\'} {
		t[c] = clsSpecial
	}
	for c := 0x7f; c < 0x100; c++ {
		t[c] = clsHigh
	}
	return t
}()

// needsClean tells the strings that fastjson would quote (a '"', a '\\' or
// a control byte) and that hold a byte or rune its quoting loses.
func needsClean(s string) bool {
	var cls uint8
	for i := 0; i < len(s); i++ {
		cls |= byteClass[s[i]]
	}
	if cls&clsUnsafe != 0 {
		return true
	}
	if cls != clsSpecial|clsHigh {
		return false
	}
	for i := 0; i < len(s); {
		if s[i] < utf8.RuneSelf {
			if s[i] == 0x7f {
				return true
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if !roundTrips(r, size) {
			return true
		}
		i += size
	}
	return false
}

// Key returns a copy of s for use as an object key: fastjson keeps keys by
// reference, and the record is reused after Parse. The copy lives in the
// arena, like the values, unless fastjson would escape it there.
func Key(a *fastjson.Arena, s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' {
			return strings.Clone(s)
		}
	}
	b, _ := a.NewString(s).StringBytes()
	return b2s(b)
}

func clean(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if (c < 0x20 && !jsonControl(c)) || c == 0x7f {
				b.WriteRune(utf8.RuneError)
			} else {
				b.WriteByte(c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if roundTrips(r, size) {
			b.WriteString(s[i : i+size])
		} else {
			b.WriteRune(utf8.RuneError)
		}
		i += size
	}
	return b.String()
}

// jsonControl tells the control bytes that AppendQuote writes as JSON
// escapes.
func jsonControl(c byte) bool {
	return c == '\b' || c == '\f' || c == '\n' || c == '\r' || c == '\t'
}

func roundTrips(r rune, size int) bool {
	if r == utf8.RuneError && size == 1 {
		return false
	}
	return r <= 0xFFFF || strconv.IsPrint(r)
}

// NewStringBytes is NewString for bytes; b is copied.
func NewStringBytes(a *fastjson.Arena, b []byte) *fastjson.Value { return NewString(a, b2s(b)) }
