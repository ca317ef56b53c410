package luavm

import (
	"regexp"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// Lua patterns, compiled once.
//
// gopher-lua parses and compiles a Lua pattern on every string.find and
// string.match call and runs it on a recursive matcher; in a replay, where
// helpers match ARNs and user agents on every event, that was the largest
// cost after the interpreter itself (17% of CPU). We translate a pattern
// into Go regexp syntax once per VM and keep the compiled expression.
// Patterns whose meaning RE2 cannot express — %b, %f, back-references,
// position captures — and any pattern that is not well formed go to
// gopher-lua's own functions, so behaviour and error messages stay Lua's.
// Patterns work on bytes and RE2 on UTF-8 runes: the translation only
// accepts patterns that mean the same either way (ASCII classes, '.' as one
// byte of ASCII input — see TestLuaPatternsAgreeWithGopherLua and
// FuzzLuaPatterns, which compare both on every input).

type patternCache struct {
	m map[string]*regexp.Regexp // nil value: use gopher-lua
}

func newPatternCache() *patternCache { return &patternCache{m: map[string]*regexp.Regexp{}} }

// compiled returns the regexp of a Lua pattern, or nil when gopher-lua must
// handle it.
func (c *patternCache) compiled(p string) *regexp.Regexp {
	if re, ok := c.m[p]; ok {
		return re
	}
	var re *regexp.Regexp
	if src, ok := translatePattern(p); ok {
		re, _ = regexp.Compile(src)
	}
	if len(c.m) > 4096 {
		clear(c.m)
	}
	c.m[p] = re
	return re
}

var luaClass = map[byte]string{
	'a': `A-Za-z`, 'd': `0-9`, 'l': `a-z`, 's': `\t\n\v\f\r `, 'u': `A-Z`, 'w': `0-9A-Za-z`,
	'x': `0-9A-Fa-f`, 'p': `!-/:-@\[-` + "`" + `{-~`, 'c': `\x00-\x1f\x7f`,
}

// translatePattern turns a Lua pattern into Go regexp syntax; false when
// it uses what RE2 cannot say or is malformed (then gopher-lua reports it).
func translatePattern(p string) (string, bool) {
	var b strings.Builder
	b.WriteString(`(?s)`)
	i := 0
	if strings.HasPrefix(p, "^") {
		b.WriteString(`\A`)
		i = 1
	}
	depth := 0
	for i < len(p) {
		c := p[i]
		switch {
		case c >= 0x80:
			return "", false // bytes of UTF-8 mean other things to RE2
		case c == '(':
			if i+1 < len(p) && p[i+1] == ')' {
				return "", false // position capture
			}
			depth++
			b.WriteByte('(')
			i++
			continue
		case c == ')':
			if depth == 0 {
				return "", false
			}
			depth--
			b.WriteByte(')')
			i++
			continue
		case c == '$' && i == len(p)-1:
			b.WriteString(`\z`)
			i++
			continue
		}
		// One single-character class, then an optional quantifier.
		var atom string
		switch c {
		case '%':
			if i+1 >= len(p) {
				return "", false
			}
			n := p[i+1]
			switch {
			case n == 'b' || n == 'f' || (n >= '0' && n <= '9'):
				return "", false
			case luaClass[lower(n)] != "":
				cls := luaClass[lower(n)]
				if n >= 'A' && n <= 'Z' {
					atom = `[^` + cls + `]`
				} else {
					atom = `[` + cls + `]`
				}
			case isAlnum(n):
				return "", false // unknown class: gopher-lua's error
			default:
				atom = regexp.QuoteMeta(string(n))
			}
			i += 2
		case '[':
			set, n, ok := translateSet(p[i:])
			if !ok {
				return "", false
			}
			atom = set
			i += n
		case '.':
			atom = `[\x00-\x7f]` // one ASCII byte (non-ASCII input: see above)
			i++
		default:
			atom = regexp.QuoteMeta(string(c))
			i++
		}
		b.WriteString(atom)
		if i < len(p) {
			switch p[i] {
			case '*', '+', '?':
				b.WriteByte(p[i])
				i++
			case '-':
				b.WriteString(`*?`)
				i++
			}
		}
	}
	if depth != 0 {
		return "", false
	}
	return b.String(), true
}

// translateSet translates a [set] at the start of s and says how many
// bytes it took.
func translateSet(s string) (string, int, bool) {
	var b strings.Builder
	b.WriteByte('[')
	i := 1
	if i < len(s) && s[i] == '^' {
		b.WriteByte('^')
		i++
	}
	first := true
	for i < len(s) {
		c := s[i]
		if c == ']' && !first {
			b.WriteByte(']')
			return b.String(), i + 1, true
		}
		first = false
		switch {
		case c >= 0x80:
			return "", 0, false
		case c == '%':
			if i+1 >= len(s) {
				return "", 0, false
			}
			n := s[i+1]
			if cls := luaClass[lower(n)]; cls != "" {
				if n >= 'A' && n <= 'Z' {
					return "", 0, false // a complement inside a set: rare, leave it to Lua
				}
				b.WriteString(cls)
			} else if isAlnum(n) {
				return "", 0, false
			} else {
				b.WriteString(escapeSetChar(n))
			}
			i += 2
		case i+2 < len(s) && s[i+1] == '-' && s[i+2] != ']':
			if s[i+2] >= 0x80 || s[i+2] < c {
				return "", 0, false
			}
			b.WriteString(escapeSetChar(c) + "-" + escapeSetChar(s[i+2]))
			i += 3
		default:
			b.WriteString(escapeSetChar(c))
			i++
		}
	}
	return "", 0, false // no closing ]
}

func escapeSetChar(c byte) string {
	switch c {
	case '\\', ']', '[', '^', '-':
		return `\` + string(c)
	}
	if c < 0x20 || c == 0x7f {
		return `\x` + string("0123456789abcdef"[c>>4]) + string("0123456789abcdef"[c&0xf])
	}
	return string(c)
}

func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// startIndex converts Lua's 1-based (or negative) init to a byte offset.
func startIndex(init, n int) int {
	switch {
	case init > 0:
		return init - 1
	case init == 0:
		return 0
	case -init > n:
		return 0
	}
	return n + init
}

// patternFunc wraps string.find or string.match with the compiled cache,
// falling back to gopher-lua's function.
func (vm *VM) patternFunc(orig *lua.LFunction, find bool) lua.LGFunction {
	return func(L *lua.LState) int {
		s := L.CheckString(1)
		p := L.CheckString(2)
		init := startIndex(L.OptInt(3, 1), len(s))
		if find && L.GetTop() >= 4 && lua.LVAsBool(L.Get(4)) {
			return orig.GFunction(L) // plain find: already a substring search
		}
		re := vm.patterns.compiled(p)
		if re == nil || init > len(s) || !ascii(s) {
			return orig.GFunction(L)
		}
		m := re.FindStringSubmatchIndex(s[init:])
		if m == nil {
			L.Push(lua.LNil)
			return 1
		}
		n := 0
		if find {
			L.Push(lua.LNumber(init + m[0] + 1))
			L.Push(lua.LNumber(init + m[1]))
			n = 2
		}
		if len(m) == 2 {
			if !find {
				L.Push(lua.LString(s[init+m[0] : init+m[1]]))
				n++
			}
			return n
		}
		for k := 2; k < len(m); k += 2 {
			if m[k] < 0 {
				L.Push(lua.LNil)
			} else {
				L.Push(lua.LString(s[init+m[k] : init+m[k+1]]))
			}
			n++
		}
		return n
	}
}

func ascii(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
