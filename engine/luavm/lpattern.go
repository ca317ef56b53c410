package luavm

import (
	lua "github.com/yuin/gopher-lua"
)

// Our own Lua pattern matcher, for the patterns RE2 cannot express (%b,
// %f, back-references, position captures) and for input that is not ASCII.
//
// gopher-lua's matcher cannot be interrupted: `()a*a*a*a*a*a*a*a*a*a*b` on
// forty characters backtracks for ever, and neither the budget nor Ctrl-C
// stops it. This one follows Lua 5.1's reference matcher (a recursive
// descent over the pattern text, lstrlib.c) and counts its steps: every
// checkEvery steps it checks the call's budget, so a backtracking pattern
// costs the budget and not more. Its recursion is bounded by the length of
// the pattern (maxMatchDepth). Where gopher-lua departs from Lua 5.1 (it
// has no %f, and keeps the '%' of an unknown escape in a gsub replacement)
// we do what Lua does.

const (
	maxCaptures   = 32
	maxMatchDepth = 400
	capUnfinished = -1
	capPosition   = -2
)

type lmatch struct {
	src, pat string
	level    int
	capInit  [maxCaptures]int
	capLen   [maxCaptures]int
	depth    int
	steps    stepper
}

func (vm *VM) newMatch(L *lua.LState, src, pat string) *lmatch {
	return &lmatch{src: src, pat: pat, steps: stepper{vm: vm, L: L}}
}

func (m *lmatch) errorf(format string, args ...any) {
	m.steps.L.RaiseError(format, args...)
}

// at returns the pattern byte at i, or 0 past the end (C's terminator).
func (m *lmatch) at(i int) byte {
	if i < len(m.pat) {
		return m.pat[i]
	}
	return 0
}

func (m *lmatch) srcAt(i int) byte {
	if i < len(m.src) {
		return m.src[i]
	}
	return 0
}

// classEnd returns the index just after the single-character class at p.
func (m *lmatch) classEnd(p int) int {
	c := m.pat[p]
	p++
	switch c {
	case '%':
		if p >= len(m.pat) {
			m.errorf("malformed pattern (ends with '%%')")
		}
		return p + 1
	case '[':
		if m.at(p) == '^' {
			p++
		}
		for { // the first character is taken as is: "[]]" is a set of ']'
			if p >= len(m.pat) {
				m.errorf("malformed pattern (missing ']')")
			}
			c := m.pat[p]
			p++
			if c == '%' && p < len(m.pat) {
				p++
			}
			if m.at(p) == ']' {
				return p + 1
			}
		}
	}
	return p
}

func matchClass(c, cl byte) bool {
	var res bool
	switch lower(cl) {
	case 'a':
		res = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
	case 'c':
		res = c < 0x20 || c == 0x7f
	case 'd':
		res = c >= '0' && c <= '9'
	case 'l':
		res = c >= 'a' && c <= 'z'
	case 'p':
		res = c >= 0x21 && c <= 0x2f || c >= 0x3a && c <= 0x40 || c >= 0x5b && c <= 0x60 || c >= 0x7b && c <= 0x7e
	case 's':
		res = c == ' ' || c >= '\t' && c <= '\r'
	case 'u':
		res = c >= 'A' && c <= 'Z'
	case 'w':
		res = c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
	case 'x':
		res = c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
	case 'z':
		res = c == 0
	default:
		return cl == c
	}
	if cl >= 'A' && cl <= 'Z' {
		return !res
	}
	return res
}

// matchBracket matches c against the set [p, ec] (p at '[', ec at ']').
func (m *lmatch) matchBracket(c byte, p, ec int) bool {
	sig := true
	if m.at(p+1) == '^' {
		sig = false
		p++
	}
	for p++; p < ec; p++ {
		switch {
		case m.pat[p] == '%':
			p++
			if matchClass(c, m.at(p)) {
				return sig
			}
		case m.at(p+1) == '-' && p+2 < ec:
			p += 2
			if m.pat[p-2] <= c && c <= m.pat[p] {
				return sig
			}
		case m.pat[p] == c:
			return sig
		}
	}
	return !sig
}

func (m *lmatch) single(s, p, ep int) bool {
	if s >= len(m.src) {
		return false
	}
	c := m.src[s]
	switch m.pat[p] {
	case '.':
		return true
	case '%':
		return matchClass(c, m.at(p+1))
	case '[':
		return m.matchBracket(c, p, ep-1)
	}
	return m.pat[p] == c
}

// match returns the end of a match of pat[p:] at src[s:], or -1.
func (m *lmatch) match(s, p int) int {
	m.depth++
	defer func() { m.depth-- }()
	if m.depth > maxMatchDepth {
		m.errorf("pattern too complex")
	}
	for {
		m.steps.step(1)
		if p >= len(m.pat) {
			return s
		}
		switch m.pat[p] {
		case '(':
			if m.at(p+1) == ')' {
				return m.startCapture(s, p+2, capPosition)
			}
			return m.startCapture(s, p+1, capUnfinished)
		case ')':
			return m.endCapture(s, p+1)
		case '$':
			if p+1 == len(m.pat) {
				if s == len(m.src) {
					return s
				}
				return -1
			}
		case '%':
			switch n := m.at(p + 1); {
			case n == 'b':
				if s = m.matchBalance(s, p+2); s < 0 {
					return -1
				}
				p += 4
				continue
			case n == 'f':
				p += 2
				if m.at(p) != '[' {
					m.errorf("missing '[' after '%%f' in pattern")
				}
				ep := m.classEnd(p)
				var prev byte
				if s > 0 {
					prev = m.src[s-1]
				}
				if m.matchBracket(prev, p, ep-1) || !m.matchBracket(m.srcAt(s), p, ep-1) {
					return -1
				}
				p = ep
				continue
			case n >= '0' && n <= '9':
				if s = m.matchCapture(s, n); s < 0 {
					return -1
				}
				p += 2
				continue
			}
		}
		ep := m.classEnd(p)
		ok := m.single(s, p, ep)
		switch m.at(ep) {
		case '?':
			if ok {
				if res := m.match(s+1, ep+1); res >= 0 {
					return res
				}
			}
			p = ep + 1
			continue
		case '*':
			return m.maxExpand(s, p, ep)
		case '+':
			if !ok {
				return -1
			}
			return m.maxExpand(s+1, p, ep)
		case '-':
			return m.minExpand(s, p, ep)
		}
		if !ok {
			return -1
		}
		s++
		p = ep
	}
}

func (m *lmatch) maxExpand(s, p, ep int) int {
	i := 0
	for m.single(s+i, p, ep) {
		i++
		m.steps.step(1)
	}
	for ; i >= 0; i-- {
		if res := m.match(s+i, ep+1); res >= 0 {
			return res
		}
	}
	return -1
}

func (m *lmatch) minExpand(s, p, ep int) int {
	for {
		if res := m.match(s, ep+1); res >= 0 {
			return res
		}
		if !m.single(s, p, ep) {
			return -1
		}
		s++
	}
}

func (m *lmatch) startCapture(s, p, what int) int {
	if m.level >= maxCaptures {
		m.errorf("too many captures")
	}
	m.capInit[m.level] = s
	m.capLen[m.level] = what
	m.level++
	res := m.match(s, p)
	if res < 0 {
		m.level--
	}
	return res
}

func (m *lmatch) endCapture(s, p int) int {
	l := -1
	for i := m.level - 1; i >= 0; i-- {
		if m.capLen[i] == capUnfinished {
			l = i
			break
		}
	}
	if l < 0 {
		m.errorf("invalid pattern capture")
	}
	m.capLen[l] = s - m.capInit[l]
	res := m.match(s, p)
	if res < 0 {
		m.capLen[l] = capUnfinished
	}
	return res
}

func (m *lmatch) matchBalance(s, p int) int {
	if p+1 >= len(m.pat) {
		m.errorf("unbalanced pattern")
	}
	if s >= len(m.src) || m.src[s] != m.pat[p] {
		return -1
	}
	b, e := m.pat[p], m.pat[p+1]
	cont := 1
	for s++; s < len(m.src); s++ {
		m.steps.step(1)
		switch m.src[s] {
		case e:
			if cont--; cont == 0 {
				return s + 1
			}
		case b:
			cont++
		}
	}
	return -1
}

func (m *lmatch) matchCapture(s int, n byte) int {
	l := int(n) - '1'
	if l < 0 || l >= m.level || m.capLen[l] == capUnfinished {
		m.errorf("invalid capture index")
	}
	length := m.capLen[l]
	if length < 0 || len(m.src)-s < length {
		return -1
	}
	m.steps.step(length)
	if m.src[m.capInit[l]:m.capInit[l]+length] == m.src[s:s+length] {
		return s + length
	}
	return -1
}

// capture returns capture i of the match [s, e) as a Lua value: the whole
// match when the pattern has no captures and i is 0.
func (m *lmatch) capture(i, s, e int) lua.LValue {
	if i >= m.level {
		if i == 0 {
			return lua.LString(m.src[s:e])
		}
		m.errorf("invalid capture index")
	}
	switch l := m.capLen[i]; l {
	case capUnfinished:
		m.errorf("unfinished capture")
	case capPosition:
		return lua.LNumber(m.capInit[i] + 1)
	}
	return lua.LString(m.src[m.capInit[i] : m.capInit[i]+m.capLen[i]])
}

// pushCaptures pushes the captures of the match [s, e) (the whole match
// when there are none and whole is set) and says how many.
func (m *lmatch) pushCaptures(L *lua.LState, s, e int, whole bool) int {
	n := m.level
	if n == 0 && whole {
		n = 1
	}
	for i := 0; i < n; i++ {
		L.Push(m.capture(i, s, e))
	}
	return n
}

// find runs the pattern from init and returns the bounds of the first
// match, or -1, -1. The captures stay in m.
func (m *lmatch) find(init int) (int, int) {
	p := 0
	anchor := m.at(0) == '^'
	if anchor {
		p = 1
	}
	for s := init; s <= len(m.src); s++ {
		m.level = 0
		if e := m.match(s, p); e >= 0 {
			return s, e
		}
		if anchor {
			break
		}
	}
	return -1, -1
}
