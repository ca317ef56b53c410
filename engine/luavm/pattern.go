package luavm

import (
	"regexp"
	"strings"
)

// Lua patterns, compiled once.
//
// gopher-lua parses and compiles a Lua pattern on every string.find and
// string.match call and runs it on a recursive matcher; in a replay, where
// helpers match ARNs and user agents on every event, that was the largest
// cost after the interpreter itself (17% of CPU). We translate a pattern
// into Go regexp syntax once per VM and keep the compiled expression.
// Patterns whose meaning RE2 cannot express — %b, %f, back-references,
// position captures — and any pattern that is not well formed go to our
// own matcher (lpattern.go), which follows Lua 5.1's and observes the
// budget.
// Patterns work on bytes and RE2 on UTF-8 runes: the translation only
// accepts patterns that mean the same either way (ASCII classes, '.' as one
// byte of ASCII input — see TestLuaPatternsAgreeWithGopherLua and
// FuzzLuaPatterns, which compare both on every input).

type patternCache struct {
	m   map[string]*rx // nil value: use our matcher (lpattern.go)
	off bool           // tests: always our matcher
}

func newPatternCache() *patternCache { return &patternCache{m: map[string]*rx{}} }

// compiled returns the regexp of a Lua pattern, or nil when our matcher
// must handle it.
func (c *patternCache) compiled(p string) *rx {
	if c.off {
		return nil
	}
	if re, ok := c.m[p]; ok {
		return re
	}
	var re *rx
	if src, ok := translatePattern(p); ok {
		if r, err := regexp.Compile(src); err == nil {
			re = newRx(r)
		}
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
// it uses what RE2 cannot say or is malformed (then our matcher reports it).
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
				return "", false // unknown class: the matcher's error
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
