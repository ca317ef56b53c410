package luavm

import (
	"io"
	"regexp"
	"regexp/syntax"
	"strings"
	"unicode/utf8"

	lua "github.com/yuin/gopher-lua"
)

// Regular expressions under the budget.
//
// Go's regexp runs in time linear in its input, but linear in 16 MiB
// times a large program is seconds, and a FindAll or ReplaceAll restarts a
// search after every match (quadratic when each search looks far ahead).
// None of that can be interrupted. So we drive the matches ourselves, one
// search at a time, checking the budget between them, and a search whose
// cost (input length × program size) could pass a millisecond or so reads
// its input through an io.RuneReader that checks the budget every few
// thousand runes and ends the input early once it is spent (the call then
// fails with the timeout, so the cut-short answer is never used).
//
// A search that starts after the beginning of the input must still see
// the character before its start (for \b, ^ in (?m) mode, \A): for
// patterns that look behind, it runs a variant that consumes that one
// character first, \A(?s:.)(?s:.*?)(P), and reads P's groups from it.

// directCost is the largest input length × program size searched in one
// uninterrupted call: a few milliseconds of the slowest NFA. Below it the
// string API's own speed-ups (literal prefixes, the one-pass and
// backtracking matchers) apply; a search costs a few hundred nanoseconds
// either way, so many matches cost little more than the bytes they cover.
const directCost = 1 << 22

type rx struct {
	re        *regexp.Regexp
	literal   string // the whole pattern, when it is a plain string
	insts     int
	sensitive bool           // looks at the character before a position
	after     *regexp.Regexp // the variant for searches after the start
}

func newRx(re *regexp.Regexp) *rx {
	r := &rx{re: re, insts: 64}
	if lit, complete := re.LiteralPrefix(); complete && lit != "" && re.NumSubexp() == 0 {
		r.literal = lit
	}
	if tree, err := syntax.Parse(re.String(), syntax.Perl); err == nil {
		if prog, err := syntax.Compile(tree.Simplify()); err == nil {
			r.insts = max(len(prog.Inst), 1)
		}
		r.sensitive = looksBehind(tree)
	}
	return r
}

func looksBehind(re *syntax.Regexp) bool {
	switch re.Op {
	case syntax.OpBeginLine, syntax.OpBeginText, syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return true
	}
	for _, sub := range re.Sub {
		if looksBehind(sub) {
			return true
		}
	}
	return false
}

// budgetReader feeds a search and ends the input once the call's budget is
// spent.
type budgetReader struct {
	s     string
	i     int
	n     int
	every int // runes between checks: about a quarter of directCost
	vm    *VM
}

func (r *budgetReader) ReadRune() (rune, int, error) {
	if r.i >= len(r.s) {
		return 0, 0, io.EOF
	}
	if r.n++; r.n >= r.every {
		r.n = 0
		if r.vm.spent() {
			r.i = len(r.s)
			return 0, 0, io.EOF
		}
	}
	c := r.s[r.i]
	if c < utf8.RuneSelf {
		r.i++
		return rune(c), 1, nil
	}
	ru, w := utf8.DecodeRuneInString(r.s[r.i:])
	r.i += w
	return ru, w, nil
}

// searchFrom returns the submatch indexes (into s) of the leftmost match
// of r at or after pos, or nil.
func (vm *VM) searchFrom(L *lua.LState, r *rx, s string, pos int) []int {
	if pos > len(s) {
		return nil
	}
	if r.literal != "" {
		return literalAt(s, pos, r.literal)
	}
	if pos > 0 && r.sensitive {
		return vm.searchAfter(L, r, s, pos)
	}
	m := vm.searchIn(L, r.re, r.insts, s[pos:])
	for i := range m {
		if m[i] >= 0 {
			m[i] += pos
		}
	}
	return m
}

// searchSub is searchFrom on s[pos:] as a string of its own: what a Lua
// pattern means, where ^ anchors at the start position.
func (vm *VM) searchSub(L *lua.LState, r *rx, s string, pos int) []int {
	if r.literal != "" {
		return literalAt(s, pos, r.literal)
	}
	m := vm.searchIn(L, r.re, r.insts, s[pos:])
	for i := range m {
		if m[i] >= 0 {
			m[i] += pos
		}
	}
	return m
}

// literalAt is the search of a plain string (strings.Index: no program,
// and fast whatever the input's length).
func literalAt(s string, pos int, lit string) []int {
	i := strings.Index(s[pos:], lit)
	if i < 0 {
		return nil
	}
	return []int{pos + i, pos + i + len(lit)}
}

func (vm *VM) searchIn(L *lua.LState, re *regexp.Regexp, insts int, s string) []int {
	if int64(len(s))*int64(insts) <= directCost {
		return re.FindStringSubmatchIndex(s)
	}
	vm.check(L)
	m := re.FindReaderSubmatchIndex(&budgetReader{s: s, vm: vm, every: max(directCost/4/insts, 16)})
	vm.check(L)
	return m
}

func (vm *VM) searchAfter(L *lua.LState, r *rx, s string, pos int) []int {
	if r.after == nil {
		after, err := regexp.Compile(`\A(?s:.)(?s:.*?)(` + r.re.String() + `)`)
		if err != nil {
			L.RaiseError("re: %s", err.Error())
		}
		r.after = after
	}
	_, w := utf8.DecodeLastRuneInString(s[:pos])
	start := pos - w
	m := vm.searchIn(L, r.after, r.insts+8, s[start:])
	if m == nil {
		return nil
	}
	out := make([]int, len(m)-2)
	for i := range out {
		if out[i] = m[i+2]; out[i] >= 0 {
			out[i] += start
		}
	}
	return out
}

// eachMatch calls f with the successive matches of r in s, as Go's
// FindAll does (at most n when n >= 0; no empty match right after a
// match), checking the budget between searches.
func (vm *VM) eachMatch(L *lua.LState, r *rx, s string, n int, f func(m []int)) {
	prevEnd := -1
	st := stepper{vm: vm, L: L}
	for pos, i := 0, 0; (n < 0 || i < n) && pos <= len(s); {
		st.step(64)
		m := vm.searchFrom(L, r, s, pos)
		if m == nil {
			break
		}
		accept := true
		if m[1] == pos { // an empty match
			accept = m[0] != prevEnd
			if pos < len(s) {
				_, w := utf8.DecodeRuneInString(s[pos:])
				pos += w
			} else {
				pos++
			}
		} else {
			pos = m[1]
		}
		prevEnd = m[1]
		if accept {
			f(m)
			i++
		}
	}
}

// replaceAll is Regexp.ReplaceAllString under the budget and the
// allocation limit.
func (vm *VM) replaceAll(L *lua.LState, r *rx, src, repl string) string {
	out := outBuf{vm: vm, L: L, fn: "re.replace"}
	last := 0
	st := stepper{vm: vm, L: L}
	for pos := 0; pos <= len(src); {
		st.step(64)
		a := vm.searchFrom(L, r, src, pos)
		if a == nil {
			break
		}
		out.add(src[last:a[0]])
		if a[1] > last || a[0] == 0 {
			out.expand(r.re, repl, src, a)
		}
		last = a[1]
		w := 0
		if pos < len(src) {
			_, w = utf8.DecodeRuneInString(src[pos:])
		}
		switch {
		case pos+w > a[1]:
			pos += w
		case pos+1 > a[1]:
			pos++
		default:
			pos = a[1]
		}
	}
	out.add(src[last:])
	return out.String()
}

// expand appends the template repl expanded for the match a (as
// Regexp.Expand does), refusing before it allocates past the limits: each
// $reference expands to at most the whole match, so the template is
// expanded a piece (one reference and the text after it) at a time.
func (o *outBuf) expand(re *regexp.Regexp, repl, src string, a []int) {
	whole := a[1] - a[0]
	dollars := strings.Count(repl, "$")
	if dollars == 0 {
		o.add(repl)
		return
	}
	if int64(dollars)*int64(whole) <= 1<<16 {
		o.need(len(repl) + dollars*whole)
		o.b = re.ExpandString(o.b, repl, src, a)
		return
	}
	for len(repl) > 0 {
		// The piece ends before the next '$' that starts a reference
		// ("$$" is one token).
		end := len(repl)
		for i := 1; i < len(repl); i++ {
			if repl[i] == '$' && !(i == 1 && repl[0] == '$') {
				end = i
				break
			}
		}
		o.need(end + whole)
		o.b = re.ExpandString(o.b, repl[:end], src, a)
		repl = repl[end:]
	}
}
