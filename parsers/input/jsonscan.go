package input

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"strconv"
)

// The JSON mode splits a stream of JSON values without parsing them: it
// tracks strings, escapes and bracket depth only, and hands each value's
// bytes to the parsers, which parse them anyway. That is why it runs at
// memory speed (see the package doc): the bytes inside strings are skipped
// with bytes.IndexByte, and only the bytes between strings are looked at
// one by one. Values are checked only as far as splitting needs (matching
// brackets, commas between array elements); a value that is not valid JSON
// inside is the parser's to reject, as one bad record.

// States between values.
const (
	stTop        = iota // between top-level values
	stArrayFirst        // after `[`: an element or `]`
	stArrayNext         // after an element: `,` or `]`
	stArrayElem         // after `,`: an element (or `]`, tolerated)
)

type jsonState struct {
	st        uint8
	wrapper   bool // the array is the value of a {"Records": [...]} object
	arrayLine int  // where the array being split starts
	stack     []byte
}

// class marks the bytes the structural scan stops at.
var class = func() (t [256]uint8) {
	for _, c := range []byte(`{}[]"`) {
		t[c] = 1
	}
	return t
}()

// delim marks the bytes that end a scalar (number, true, false, null).
var delim = func() (t [256]bool) {
	for _, c := range []byte(" \t\r\n,]}[{\":") {
		t[c] = true
	}
	return t
}()

// wrapperKeys are the first keys of the objects whose array is split. Not
// "logEvents": in CloudWatch Logs subscription payloads it is not the first
// key, and its elements are envelopes ({id, timestamp, message}) around the
// log record, which a log type for that envelope should unwrap.
var wrapperKeys = []string{`"Records"`, `"records"`}

// wrapperAt looks at b, which starts with `{`, for `{"Records": [`. It
// returns the offset after the `[` (0 when b is not a wrapper) and whether
// b is too short to tell.
func wrapperAt(b []byte) (n int, more bool) {
	i := 1
	ws := func() bool {
		for i < len(b) && isSpace(b[i]) {
			i++
		}
		return i < len(b)
	}
	if !ws() {
		return 0, true
	}
	key := ""
	for _, k := range wrapperKeys {
		rest := b[i:]
		if bytes.HasPrefix(rest, []byte(k)) {
			key = k
			break
		}
		if len(rest) < len(k) && bytes.HasPrefix([]byte(k), rest) {
			return 0, true
		}
	}
	if key == "" {
		return 0, false
	}
	i += len(key)
	if !ws() {
		return 0, true
	}
	if b[i] != ':' {
		return 0, false
	}
	i++
	if !ws() {
		return 0, true
	}
	if b[i] != '[' {
		return 0, false
	}
	return i + 1, false
}

// lineAt is the line of buf[off]; off must not be before the last call's.
func (r *Reader) lineAt(off int) int {
	if off > r.linePos {
		r.line += bytes.Count(r.buf[r.linePos:off], nl)
		r.linePos = off
	}
	return r.line
}

// peekNonSpace skips spaces and returns the next byte, false at the end.
func (r *Reader) peekNonSpace() (byte, bool) {
	for {
		for r.pos < r.end {
			if c := r.buf[r.pos]; !isSpace(c) {
				return c, true
			}
			r.pos++
		}
		if _, ok := r.fill(r.pos); !ok && r.eof {
			return 0, false
		}
	}
}

// ErrMalformedJSON is what the SourceError of a JSON source whose
// structure is broken (or cut short) wraps: its content is bad, as opposed
// to a source that could not be read.
var ErrMalformedJSON = errors.New("malformed JSON")

type jsonError string

func (e jsonError) Error() string        { return string(e) }
func (e jsonError) Is(target error) bool { return target == ErrMalformedJSON }

func jsonErrorf(format string, args ...any) error { return jsonError(fmt.Sprintf(format, args...)) }

// malformed ends the source at buf[off].
func (r *Reader) malformed(off int, format string, args ...any) (Record, error) {
	return r.fail(r.sourceErr(r.lineAt(off), jsonErrorf("malformed JSON: "+format, args...)))
}

func (r *Reader) endOfData() (Record, error) {
	line := r.lineAt(r.end)
	if r.rerr != nil {
		return r.fail(r.sourceErr(line, r.rerr))
	}
	if r.js.st != stTop {
		return r.fail(r.sourceErr(line, jsonErrorf("truncated JSON: the array that starts at line %d is not closed", r.js.arrayLine)))
	}
	return r.fail(io.EOF)
}

// nextJSON is Next in ModeJSON.
func (r *Reader) nextJSON() (Record, error) {
	for {
		c, ok := r.peekNonSpace()
		if !ok {
			return r.endOfData()
		}
		switch r.js.st {
		case stTop:
			switch c {
			case '[':
				r.js.arrayLine = r.lineAt(r.pos)
				r.pos++
				r.js.st, r.js.wrapper = stArrayFirst, false
				continue
			case '{':
				n, more := wrapperAt(r.buf[r.pos:r.end])
				for more {
					if _, ok := r.fill(r.pos); !ok {
						break
					}
					n, more = wrapperAt(r.buf[r.pos:r.end])
				}
				if n > 0 {
					r.js.arrayLine = r.lineAt(r.pos)
					r.pos += n
					r.js.st, r.js.wrapper = stArrayFirst, true
					continue
				}
			}
			return r.element()
		case stArrayFirst, stArrayElem:
			if c == ']' {
				r.pos++
				if err := r.endArray(); err != nil {
					return r.fail(err)
				}
				continue
			}
			r.js.st = stArrayNext
			return r.element()
		case stArrayNext:
			switch c {
			case ',':
				r.pos++
				r.js.st = stArrayElem
				continue
			case ']':
				r.pos++
				if err := r.endArray(); err != nil {
					return r.fail(err)
				}
				continue
			}
			return r.malformed(r.pos, "expected , or ] after an array element, found %s", quoteByte(c))
		}
	}
}

// endArray ends the array being split; for a wrapper object it also skips
// the rest of the object (any keys after the array).
func (r *Reader) endArray() error {
	r.js.st = stTop
	if !r.js.wrapper {
		return nil
	}
	r.js.wrapper = false
	_, _, _, _, err := r.scanValue(true, false)
	return err
}

// element scans the value at r.pos and returns it as a record.
func (r *Reader) element() (Record, error) {
	switch c := r.buf[r.pos]; c {
	case '}', ']', ',', ':':
		return r.malformed(r.pos, "unexpected %s", quoteByte(c))
	}
	line := r.lineAt(r.pos)
	r.ordinal++
	start, end, size, kept, err := r.scanValue(false, true)
	if err != nil {
		return r.fail(err)
	}
	if !kept || size > int64(r.max) {
		return Record{}, &RecordError{File: r.name, Line: line, Ordinal: r.ordinal, Size: size,
			Err: &tooLargeError{size: size, limit: int64(r.max)}}
	}
	return Record{Data: r.buf[start:end], Line: line, Ordinal: r.ordinal}, nil
}

// scanValue scans one JSON value from r.pos, or with inObject the rest of
// an object whose `{` was already consumed. With keep it keeps the value's
// bytes in the buffer (start:end) until it grows past the limit; then, as
// without keep, it streams past them. size is the value's length. On
// return r.pos is after the value.
func (r *Reader) scanValue(inObject, keep bool) (start, end int, size int64, kept bool, err error) {
	stack := r.js.stack[:0]
	defer func() { r.js.stack = stack[:0] }()
	startLine := r.lineAt(r.pos)
	if inObject {
		startLine = r.js.arrayLine
	}
	p := r.pos
	seg := p // first byte of the value still in the buffer
	var dropped int64
	kept = keep
	inStr, esc, scalar := false, false, false
	if inObject {
		stack = append(stack, '{')
	} else {
		switch r.buf[p] {
		case '{', '[':
			stack = append(stack, r.buf[p])
		case '"':
			inStr = true
		default:
			scalar = true
			p-- // the first byte is part of it
		}
		p++
	}
	buf := r.buf
	for {
		done := false
	scan:
		for p < r.end {
			switch {
			case scalar:
				for p < r.end && !delim[buf[p]] {
					p++
				}
				if p < r.end {
					done = true
					break scan
				}
			case inStr:
				if esc {
					esc = false
					p++
					continue
				}
				p = stringEnd(buf[:r.end], p)
				if p == r.end {
					break scan
				}
				if buf[p] == '\\' {
					esc = true // the next byte, maybe in the next read
					p++
					continue
				}
				p++ // the closing quote
				inStr = false
				if len(stack) == 0 {
					done = true
					break scan
				}
			default:
				for p < r.end && class[buf[p]] == 0 {
					p++
				}
				if p == r.end {
					break scan
				}
				switch c := buf[p]; c {
				case '"':
					inStr = true
				case '{', '[':
					stack = append(stack, c)
				default: // } or ]
					want := byte('{')
					if c == ']' {
						want = '['
					}
					if len(stack) == 0 || stack[len(stack)-1] != want {
						_, err = r.malformed(p, "unexpected %s", quoteByte(c))
						return 0, 0, 0, false, err
					}
					stack = stack[:len(stack)-1]
					if len(stack) == 0 {
						p++
						done = true
						break scan
					}
				}
				p++
			}
		}
		if done {
			break
		}
		// Need more data.
		if kept && p-seg > r.max {
			kept = false
		}
		discard := seg
		if !kept {
			dropped += int64(p - seg)
			discard = p
		}
		shift, ok := r.fill(discard)
		p -= shift
		if kept {
			seg -= shift
		} else {
			seg = p
		}
		buf = r.buf
		if !ok && r.eof {
			if scalar && len(stack) == 0 && r.rerr == nil {
				break // a number or literal ends with the input
			}
			line := r.lineAt(r.end)
			if r.rerr != nil {
				return 0, 0, 0, false, r.sourceErr(line, r.rerr)
			}
			what := "the value"
			if inObject {
				what = "the object"
			}
			return 0, 0, 0, false, r.sourceErr(line, jsonErrorf("truncated JSON: %s that starts at line %d is not closed", what, startLine))
		}
		if !ok && kept {
			// The buffer is at its largest and full of this value.
			kept = false
		}
	}
	r.pos = p
	return seg, p, dropped + int64(p-seg), kept, nil
}

const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// stringEnd returns the offset of the first '"' or '\\' in b at or after p,
// or len(b). It looks at 8 bytes at a time (SWAR): bytes.IndexByte is
// faster on long strings but its call costs more than most log strings
// are long, and it finds one byte value only, which would make us walk
// back over backslashes at every quote.
func stringEnd(b []byte, p int) int {
	for ; p+8 <= len(b); p += 8 {
		x := binary.LittleEndian.Uint64(b[p:])
		q := x ^ ('"' * ones)
		s := x ^ ('\\' * ones)
		// A zero byte in q or s is a quote or a backslash in x; the lowest
		// flagged byte is exact (higher ones may be false positives).
		m := (q - ones) &^ q & highs
		m |= (s - ones) &^ s & highs
		if m != 0 {
			return p + bits.TrailingZeros64(m)/8
		}
	}
	for ; p < len(b); p++ {
		if c := b[p]; c == '"' || c == '\\' {
			return p
		}
	}
	return p
}

func quoteByte(c byte) string {
	if c >= 0x20 && c < 0x7f {
		return "'" + string(rune(c)) + "'"
	}
	return "byte 0x" + strconv.FormatUint(uint64(c), 16)
}
