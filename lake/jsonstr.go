package lake

import (
	"encoding/binary"
	"strconv"
	"unicode/utf8"

	"github.com/valyala/fastjson"
)

// appendString appends s as a JSON string, replacing invalid UTF-8 with
// U+FFFD so that p_extra and json columns are valid JSON whatever a log
// line held. It writes what event.AppendString writes, faster: it skips
// runs of plain ASCII eight bytes at a time (it was a third of the time
// of the NDJSON encoder this package had; json columns such as
// CloudTrail's requestParameters still go through it).
func appendString(dst []byte, s string) []byte {
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

const hexDigits = "0123456789abcdef"

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

// appendJSON appends v as JSON text, as appendValue does, but faster when
// it can: fastjson's own encoding copies the strings that were never
// unescaped as they came, instead of unescaping and escaping them again
// (json columns are most of an event's bytes: this halves the encoder's
// time on them). Its text is kept when it is JSON that every reader
// accepts (checkJSON); else (invalid UTF-8, control characters, escapes
// of Go's syntax, numbers beyond JSON's grammar) appendValue's is used.
func appendJSON(dst []byte, v *fastjson.Value) []byte {
	mark := len(dst)
	dst = v.MarshalTo(dst)
	if checkJSON(dst[mark:]) {
		return dst
	}
	return appendValue(dst[:mark], v)
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
							return false // a surrogate: appendValue pairs them
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
				if !validNumber(tok) {
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
