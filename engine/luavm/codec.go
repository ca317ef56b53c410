package luavm

import (
	"html"
	"strings"
	"unsafe"

	lua "github.com/yuin/gopher-lua"
)

// The codec module: undoing what clients and servers encode, for matching.
//
// Every function returns "" for anything but a string (nil included), and
// never raises: a rule may open with one (see guard_match.go).
//
//	codec.unescape(s [, lower]) -> s as an application would see it: %XX,
//	    %u00XX and \xHH (Apache's escape of a raw byte) undone, repeatedly
//	    (up to three rounds: double and triple encoding), '+' read as a
//	    space, overlong UTF-8 forms of '.', '/' and '\' folded; lower-cased
//	    (as string.lower) when lower is true. For matching, never for
//	    showing what the client sent.
//	codec.url_decode(s) -> one round of %XX and '+' (a query string's
//	    value); malformed escapes are left as they are
//	codec.html_unescape(s) -> HTML entities undone (&lt; &#39; &#x2F; ...)
//	codec.path(s) -> the path of a request target normalised as a server
//	    resolves it: query and fragment dropped, unescaped, '\' as '/',
//	    repeated '/' collapsed, "." and ".." segments resolved (never above
//	    the root)
//
// The rules of one event decode the same fields (every web rule decodes
// the request target): each function keeps its results for the event
// being evaluated (the memo is emptied when the engine wraps the next
// event), so the first rule pays and the others look the result up.

type codecFn uint8

const (
	codecUnescape codecFn = iota
	codecUnescapeLower
	codecURLDecode
	codecHTML
	codecPath
	numCodecFns
)

// maxMemo bounds the memo of one event (a rule decoding many strings
// would otherwise keep them all).
const maxMemo = 256

type memoKey struct {
	fn codecFn
	s  string
}

// resetMemo forgets the decodings of the previous event.
func (vm *VM) resetMemo() {
	if len(vm.memo) > 0 {
		clear(vm.memo)
	}
}

func (vm *VM) openCodec() *lua.LTable {
	L := vm.L
	t := L.NewTable()
	fn := func(name string, f codecFn, decode func(vm *VM, L *lua.LState, s string) string) {
		t.RawSetString(name, L.NewFunction(func(L *lua.LState) int {
			// Anything but a string decodes to "": these never fail, so a
			// rule's opening test may use them (guards read it in Go).
			ls, ok := L.Get(1).(lua.LString)
			if !ok {
				L.Push(lua.LString(""))
				return 1
			}
			s := string(ls)
			which := f
			if f == codecUnescape && lua.LVAsBool(L.Get(2)) {
				which = codecUnescapeLower
			}
			k := memoKey{which, s}
			if v, ok := vm.memo[k]; ok {
				L.Push(v)
				return 1
			}
			out := decode(vm, L, s)
			if which == codecUnescapeLower {
				vm.charge(L, "codec.unescape", int64(len(out)))
				out = strings.ToLower(out)
			}
			v := lua.LString(out)
			if len(vm.memo) >= maxMemo {
				clear(vm.memo)
			}
			vm.memo[k] = v
			L.Push(v)
			return 1
		}))
	}
	fn("unescape", codecUnescape, unescape)
	fn("url_decode", codecURLDecode, func(vm *VM, L *lua.LState, s string) string {
		if strings.IndexByte(s, '%') < 0 && strings.IndexByte(s, '+') < 0 {
			return s
		}
		vm.charge(L, "codec.url_decode", int64(len(s)))
		s = percentRound(s, false)
		return strings.ReplaceAll(s, "+", " ")
	})
	fn("html_unescape", codecHTML, func(vm *VM, L *lua.LState, s string) string {
		if strings.IndexByte(s, '&') < 0 {
			return s
		}
		vm.charge(L, "codec.html_unescape", int64(len(s)))
		return html.UnescapeString(s)
	})
	fn("path", codecPath, func(vm *VM, L *lua.LState, s string) string {
		if i := strings.IndexAny(s, "?#"); i >= 0 {
			s = s[:i]
		}
		s = unescape(vm, L, s)
		vm.charge(L, "codec.path", int64(len(s))+1)
		return normalisePath(strings.ReplaceAll(s, "\\", "/"))
	})
	return t
}

// unescape is codec.unescape without lower-casing, charged to the call:
// at most three rounds of three rewrites, '+' and the overlong forms, each
// a copy of at most the input.
func unescape(vm *VM, L *lua.LState, s string) string {
	if strings.IndexByte(s, '%') >= 0 || strings.IndexByte(s, '\\') >= 0 {
		vm.charge(L, "codec.unescape", 11*int64(len(s)))
	} else {
		vm.charge(L, "codec.unescape", 2*int64(len(s)))
	}
	out := unescapeString(s)
	if len(s) > maxOverlapScan {
		vm.check(L)
	}
	return out
}

// unescapeString is the decoding the web helper did in Lua (three gsub
// rounds), one pass per rewrite: a pure function of s.
func unescapeString(s string) string {
	out := s
	if strings.IndexByte(out, '%') >= 0 || strings.IndexByte(out, '\\') >= 0 {
		for range 3 {
			prev := out
			out = hexEscapes(out)
			out = percentU(out)
			out = percentRound(out, false)
			if out == prev {
				break
			}
		}
	}
	if strings.IndexByte(out, '+') >= 0 {
		out = strings.ReplaceAll(out, "+", " ")
	}
	if strings.IndexByte(out, 0xc0) >= 0 || strings.IndexByte(out, 0xc1) >= 0 || strings.IndexByte(out, 0xe0) >= 0 {
		out = overlong.Replace(out)
	}
	return out
}

// Unescape is codec.unescape(s, lower) for the engine's guards: the same
// result, kept in the memo of the current event, so that the rules that
// then decode s in Lua look it up.
func (vm *VM) Unescape(s string, lower bool) string {
	which := codecUnescape
	if lower {
		which = codecUnescapeLower
	}
	if v, ok := vm.memo[memoKey{which, s}]; ok {
		return string(v.(lua.LString))
	}
	out := unescapeString(s)
	if lower {
		out = strings.ToLower(out)
	}
	if len(vm.memo) >= maxMemo {
		clear(vm.memo)
	}
	vm.memo[memoKey{which, s}] = lua.LString(out)
	return out
}

// overlong folds the overlong UTF-8 forms of "." "/" "\" that old servers
// decoded (CVE-2000-0884 and its relatives). No form is a prefix of
// another and none can appear in what replacing makes, so one pass equals
// replacing each form in turn.
var overlong = strings.NewReplacer(
	"\xc0\xae", ".", "\xe0\x80\xae", ".", "\xc0\xaf", "/",
	"\xe0\x80\xaf", "/", "\xc1\x9c", "\\", "\xc1\x81", "\\",
)

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// hexPair decodes s[i:i+2] as two hex digits.
func hexPair(s string, i int) (byte, bool) {
	if i+2 > len(s) {
		return 0, false
	}
	a, ok1 := unhex(s[i])
	b, ok2 := unhex(s[i+1])
	return a<<4 | b, ok1 && ok2
}

// replaceEscapes rewrites s left to right, non-overlapping, as Lua's gsub
// does: at each start byte, match reports the decoded byte and the
// escape's length.
func replaceEscapes(s string, start byte, match func(s string, i int) (byte, int)) string {
	i := strings.IndexByte(s, start)
	if i < 0 {
		return s
	}
	var b []byte
	last := 0
	for ; i >= 0 && i < len(s); i = nextByte(s, start, i) {
		c, n := match(s, i)
		if n == 0 {
			i++
			continue
		}
		if b == nil {
			b = make([]byte, 0, len(s))
		}
		b = append(b, s[last:i]...)
		b = append(b, c)
		last = i + n
		i += n
	}
	if b == nil {
		return s
	}
	b = append(b, s[last:]...)
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// nextByte is the index of the next c at or after i, or -1.
func nextByte(s string, c byte, i int) int {
	if i >= len(s) {
		return -1
	}
	j := strings.IndexByte(s[i:], c)
	if j < 0 {
		return -1
	}
	return i + j
}

// hexEscapes undoes \xHH.
func hexEscapes(s string) string {
	return replaceEscapes(s, '\\', func(s string, i int) (byte, int) {
		if i+1 < len(s) && s[i+1] == 'x' {
			if c, ok := hexPair(s, i+2); ok {
				return c, 4
			}
		}
		return 0, 0
	})
}

// percentU undoes %u00HH (and %U00HH).
func percentU(s string) string {
	return replaceEscapes(s, '%', func(s string, i int) (byte, int) {
		if i+3 < len(s) && (s[i+1] == 'u' || s[i+1] == 'U') && s[i+2] == '0' && s[i+3] == '0' {
			if c, ok := hexPair(s, i+4); ok {
				return c, 6
			}
		}
		return 0, 0
	})
}

// percentRound undoes %HH once.
func percentRound(s string, _ bool) string {
	return replaceEscapes(s, '%', func(s string, i int) (byte, int) {
		if c, ok := hexPair(s, i+1); ok {
			return c, 3
		}
		return 0, 0
	})
}

// normalisePath resolves "." and ".." segments and collapses repeated
// slashes (RFC 3986 section 5.2.4, as servers apply it to a request path).
func normalisePath(p string) string {
	if p == "" {
		return "/"
	}
	segs := strings.Split(p, "/")
	out := make([]string, 0, len(segs))
	for _, s := range segs {
		switch s {
		case "", ".":
		case "..":
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
		default:
			out = append(out, s)
		}
	}
	r := "/" + strings.Join(out, "/")
	last := segs[len(segs)-1]
	if len(out) > 0 && (last == "" || last == "." || last == "..") {
		r += "/"
	}
	return r
}

func bytesOf(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }
