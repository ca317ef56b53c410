package luavm

import (
	"fmt"
	"regexp"
	"regexp/syntax"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	lua "github.com/yuin/gopher-lua"
)

// The match module: the shapes that detections of web and network logs
// wrote as Lua loops — many substrings or patterns against one field, a
// value looked up in a long list, a name under one of many domains —
// compiled once into Go matchers.
//
//	local SCANNERS = match.literals({"sqlmap", "nikto", ...} [, {ignore_case = true}])
//	SCANNERS:first(s) -> the first needle, in list order, that occurs in s, and its 1-based index; or nil
//	SCANNERS:find(s)  -> the needle that occurs leftmost in s (ties: list order), its 1-based index; or nil
//	SCANNERS:test(s)  -> whether any needle occurs in s
//	SCANNERS:all(s)   -> the needles that occur in s, in list order
//
//	local SHAPES = match.patterns({ {"union select", [[union\s+select]], {"union"}}, [[(?i)sleep\(\d+\)]], ... })
//	SHAPES:first(s)   -> the name (or 1-based position) of the first entry, in list order, that matches s; or nil
//	SHAPES:test(s)    -> whether an entry matches
//	SHAPES:all(s)     -> the names of the entries that match, in list order
//
//	local ADMINS = match.set({"root", "admin"} [, {ignore_case = true, suffix = true}])
//	ADMINS:has(s)     -> the entry s is (or, with suffix, the longest entry s is or is a name under:
//	                     "a.b.example.com" is under "example.com"); or nil
//
// An entry of match.patterns is a Go regexp, or a table {name, pattern,
// needles} (or {name = ..., pattern = ..., needles = ...}): needles are
// plain substrings one of which the pattern needs; the regexp then runs
// only on inputs that hold one of them, found for all entries at once by
// one Aho-Corasick pass. Needles are a promise of the author: an input
// without any of them is not tried. An entry without needles gets the
// ones its regexp requires when they can be read off it exactly
// (requiredLiterals: `nmap|nessus` needs one of the two, `^curl/` needs
// "curl/", (?i) ones are searched case-folded); otherwise it runs on
// every input.
//
// Literals are searched with an Aho-Corasick automaton of our own (aho.go:
// a dense DFA over byte classes, one lookup per input byte, nothing
// allocated); github.com/coregx/ahocorasick, which we tried first, is
// quadratic on some inputs (aho.go says why, BenchmarkAhoCorasick shows
// it), and a guard must be linear whatever a log line holds.
// Compiled matchers are immutable and shared by every VM of the process
// (a cache keyed by their definition), so a detection's matchers are
// compiled once however many workers load it. Every method observes the
// call's budget and charges what it allocates (limits.go).

// maxOverlapScan is the input length past which the Go loops of the
// module check the budget.
const maxOverlapScan = 64 << 10

// literals is a compiled match.literals.
type literals struct {
	needles    []string
	ac         *automaton // nil without needles
	ignoreCase bool
}

// patternSet is a compiled match.patterns.
type patternSet struct {
	names  []lua.LValue // per entry: its name, or its position
	res    []*regexp.Regexp
	insts  []int
	exact  *literals // needles searched as they are, deduplicated
	folded *literals // needles of (?i) literals, lower-case, searched in the folded input
	// need[i] are the indexes of entry i's needles (into exact's, then
	// folded's after them); nil when it has none (always tried).
	need [][]int
}

// patternEntry is one entry of match.patterns.
type patternEntry struct {
	name    lua.LValue
	pattern string
	needles []string // the author's; none: derived from the pattern when it can be
}

// stringSet is a compiled match.set.
type stringSet struct {
	m          map[string]string // key (lower-cased with ignore_case) -> entry
	ignoreCase bool
	suffix     bool
}

var matchCache sync.Map // definition -> *literals | *patternSet | *stringSet

func cachedMatcher[T any](key string, build func() (T, error)) (T, error) {
	if v, ok := matchCache.Load(key); ok {
		return v.(T), nil
	}
	v, err := build()
	if err != nil {
		return v, err
	}
	matchCache.Store(key, v)
	return v, nil
}

func newLiterals(needles []string, ignoreCase bool) (*literals, error) {
	lit := &literals{needles: needles, ignoreCase: ignoreCase}
	var lowered []string
	for _, n := range needles {
		if n == "" {
			return nil, fmt.Errorf("an empty needle matches everything: leave it out")
		}
		if ignoreCase {
			n = strings.ToLower(n)
		}
		lowered = append(lowered, n)
	}
	if len(needles) > 0 {
		if ignoreCase {
			lit.ac = newFoldingAutomaton(lowered)
		} else {
			lit.ac = newAutomaton(lowered)
		}
	}
	return lit, nil
}

// present marks in seen the needles that occur in s, checking the budget
// every 64 KiB of input.
func (l *literals) present(vm *VM, L *lua.LState, s string, seen []bool) {
	if l.ac == nil {
		return
	}
	var step func()
	if len(s) > chunk {
		step = func() { vm.check(L) }
	}
	l.ac.present(s, seen, step)
}

// find returns the index of the needle that occurs leftmost (ties: list
// order), or -1.
func (l *literals) find(vm *VM, L *lua.LState, s string) int {
	if l.ac == nil {
		return -1
	}
	if len(s) > chunk {
		vm.check(L)
		defer vm.check(L)
	}
	return l.ac.leftmost(s)
}

// prepare lower-cases s for an ignore_case matcher, charging the copy;
// ASCII text needs no copy (the automaton folds case itself).
func (l *literals) prepare(vm *VM, L *lua.LState, fn, s string) string {
	if !l.ignoreCase || isASCII(s) {
		return s
	}
	vm.charge(L, fn, int64(len(s)))
	return strings.ToLower(s)
}

func (vm *VM) openMatch() *lua.LTable {
	L := vm.L
	t := L.NewTable()

	litMT := L.NewTable()
	litMethods := L.NewTable()
	litMT.RawSetString("__index", litMethods)
	litMT.RawSetString("__metatable", lua.LString("match.literals"))
	litMT.RawSetString("__tostring", L.NewFunction(func(L *lua.LState) int {
		L.Push(lua.LString(fmt.Sprintf("match.literals (%d needles)", len(checkUD[*literals](L, "match.literals").needles))))
		return 1
	}))
	patMT := L.NewTable()
	patMethods := L.NewTable()
	patMT.RawSetString("__index", patMethods)
	patMT.RawSetString("__metatable", lua.LString("match.patterns"))
	setMT := L.NewTable()
	setMethods := L.NewTable()
	setMT.RawSetString("__index", setMethods)
	setMT.RawSetString("__metatable", lua.LString("match.set"))

	wrap := func(v any, mt *lua.LTable) *lua.LUserData {
		ud := L.NewUserData()
		ud.Value = v
		ud.Metatable = mt
		return ud
	}

	t.RawSetString("literals", L.NewFunction(func(L *lua.LState) int {
		needles := vm.needles(L, 1)
		ignoreCase, _ := options(L, 2, "match.literals", "ignore_case")
		key := "L" + strconv.FormatBool(ignoreCase) + "\x00" + strings.Join(needles, "\x00")
		lit, err := cachedMatcher(key, func() (*literals, error) { return newLiterals(needles, ignoreCase) })
		if err != nil {
			L.RaiseError("match.literals: %s", err.Error())
		}
		L.Push(wrap(lit, litMT))
		return 1
	}))
	litMethods.RawSetString("test", L.NewFunction(func(L *lua.LState) int {
		lit, s, ok := literalsArgs(L)
		if !ok || lit.ac == nil {
			L.Push(lua.LFalse)
			return 1
		}
		s = lit.prepare(vm, L, "match.literals:test", s)
		if len(s) > chunk {
			vm.check(L)
			defer vm.check(L)
		}
		L.Push(lua.LBool(lit.ac.isMatch(s)))
		return 1
	}))
	litMethods.RawSetString("find", L.NewFunction(func(L *lua.LState) int {
		lit, s, ok := literalsArgs(L)
		if !ok {
			L.Push(lua.LNil)
			return 1
		}
		s = lit.prepare(vm, L, "match.literals:find", s)
		i := lit.find(vm, L, s)
		if i < 0 {
			L.Push(lua.LNil)
			return 1
		}
		L.Push(lua.LString(lit.needles[i]))
		L.Push(lua.LNumber(i + 1))
		return 2
	}))
	litMethods.RawSetString("first", L.NewFunction(func(L *lua.LState) int {
		lit, s, ok := literalsArgs(L)
		if ok {
			s = lit.prepare(vm, L, "match.literals:first", s)
			var buf [64]bool
			seen := buf[:0]
			if len(lit.needles) > len(buf) {
				vm.charge(L, "match.literals:first", int64(len(lit.needles)))
				seen = make([]bool, len(lit.needles))
			} else {
				seen = buf[:len(lit.needles)]
			}
			lit.present(vm, L, s, seen)
			if i := slices.Index(seen, true); i >= 0 {
				L.Push(lua.LString(lit.needles[i]))
				L.Push(lua.LNumber(i + 1))
				return 2
			}
		}
		L.Push(lua.LNil)
		return 1
	}))
	litMethods.RawSetString("all", L.NewFunction(func(L *lua.LState) int {
		lit, s, ok := literalsArgs(L)
		out := L.NewTable()
		if ok {
			s = lit.prepare(vm, L, "match.literals:all", s)
			seen := make([]bool, len(lit.needles))
			lit.present(vm, L, s, seen)
			for i, hit := range seen {
				if hit {
					vm.charge(L, "match.literals:all", tableEntryCost)
					out.Append(lua.LString(lit.needles[i]))
				}
			}
		}
		L.Push(out)
		return 1
	}))

	t.RawSetString("patterns", L.NewFunction(func(L *lua.LState) int {
		ps, err := vm.patternSetArg(L)
		if err != nil {
			L.RaiseError("match.patterns: %s", err.Error())
		}
		L.Push(wrap(ps, patMT))
		return 1
	}))
	patMethods.RawSetString("first", L.NewFunction(func(L *lua.LState) int {
		ps := checkUD[*patternSet](L, "match.patterns")
		s, ok := L.Get(2).(lua.LString)
		if !ok {
			L.Push(lua.LNil)
			return 1
		}
		i := ps.match(vm, L, string(s), nil)
		if i < 0 {
			L.Push(lua.LNil)
			return 1
		}
		L.Push(ps.names[i])
		L.Push(lua.LNumber(i + 1))
		return 2
	}))
	patMethods.RawSetString("test", L.NewFunction(func(L *lua.LState) int {
		ps := checkUD[*patternSet](L, "match.patterns")
		s, ok := L.Get(2).(lua.LString)
		L.Push(lua.LBool(ok && ps.match(vm, L, string(s), nil) >= 0))
		return 1
	}))
	patMethods.RawSetString("all", L.NewFunction(func(L *lua.LState) int {
		ps := checkUD[*patternSet](L, "match.patterns")
		out := L.NewTable()
		if s, ok := L.Get(2).(lua.LString); ok {
			ps.match(vm, L, string(s), func(i int) {
				vm.charge(L, "match.patterns:all", tableEntryCost)
				out.Append(ps.names[i])
			})
		}
		L.Push(out)
		return 1
	}))

	t.RawSetString("set", L.NewFunction(func(L *lua.LState) int {
		entries := vm.stringList(L, 1, "match.set")
		ignoreCase, suffix := options(L, 2, "match.set", "ignore_case", "suffix")
		key := "S" + strconv.FormatBool(ignoreCase) + strconv.FormatBool(suffix) + "\x00" + strings.Join(entries, "\x00")
		set, _ := cachedMatcher(key, func() (*stringSet, error) {
			st := &stringSet{m: make(map[string]string, len(entries)), ignoreCase: ignoreCase, suffix: suffix}
			for _, e := range entries {
				k := e
				if ignoreCase {
					k = strings.ToLower(e)
				}
				if _, dup := st.m[k]; !dup {
					st.m[k] = e // the first of equal entries
				}
			}
			return st, nil
		})
		L.Push(wrap(set, setMT))
		return 1
	}))
	setMethods.RawSetString("has", L.NewFunction(func(L *lua.LState) int {
		set := checkUD[*stringSet](L, "match.set")
		s, ok := L.Get(2).(lua.LString)
		if !ok {
			L.Push(lua.LNil)
			return 1
		}
		k := string(s)
		if set.ignoreCase {
			vm.charge(L, "match.set:has", int64(len(k)))
			k = strings.ToLower(k)
		}
		if e, ok := set.m[k]; ok {
			L.Push(lua.LString(e))
			return 1
		}
		if set.suffix {
			// The longest entry first: the name without its first label,
			// then without two, ...
			st := stepper{vm: vm, L: L}
			for i := strings.IndexByte(k, '.'); i >= 0; i = strings.IndexByte(k, '.') {
				st.step(16)
				k = k[i+1:]
				if e, ok := set.m[k]; ok {
					L.Push(lua.LString(e))
					return 1
				}
			}
		}
		L.Push(lua.LNil)
		return 1
	}))
	return t
}

// match runs the entries of ps over s in list order: with each == nil it
// returns the first that matches (or -1); otherwise it calls each for
// every entry that matches and returns -1.
func (ps *patternSet) match(vm *VM, L *lua.LState, s string, each func(i int)) int {
	var seen []bool
	nE, nF := ps.exact.count(), ps.folded.count()
	if nE+nF > 0 {
		var buf [64]bool
		if nE+nF > len(buf) {
			seen = make([]bool, nE+nF)
		} else {
			seen = buf[:nE+nF]
		}
		if nE > 0 {
			ps.exact.present(vm, L, s, seen[:nE])
		}
		if nF > 0 {
			vm.charge(L, "match.patterns", int64(len(s)))
			ps.folded.present(vm, L, foldASCII(s), seen[nE:])
		}
	}
	for i, re := range ps.res {
		if need := ps.need[i]; need != nil {
			found := false
			for _, n := range need {
				if seen[n] {
					found = true
					break
				}
			}
			if !found {
				continue
			}
		}
		if vm.searchIn(L, re, ps.insts[i], s) != nil {
			if each == nil {
				return i
			}
			each(i)
		}
	}
	return -1
}

func (l *literals) count() int {
	if l == nil || l.ac == nil {
		return 0
	}
	return len(l.needles)
}

// foldASCII maps s so that whatever a (?i) regexp matches as an ASCII
// letter becomes that letter in lower case: strings.ToLower, and the two
// non-ASCII letters Go's case folding equates with ASCII ones (U+017F
// long s; U+212A Kelvin sign, which ToLower already maps to k).
func foldASCII(s string) string {
	l := strings.ToLower(s)
	if strings.Contains(l, "\u017f") {
		l = strings.ReplaceAll(l, "\u017f", "s")
	}
	return l
}

// requiredLiterals derives from a regexp a set of literals one of which
// every match contains (the prefilter of RE2's and codesearch's kind,
// reduced to what is exact): literals, concatenations (the best child),
// alternations (every branch), groups and repetitions of at least one.
// fold says the literals are lower case and must be searched in the
// folded input. ok is false when nothing is required (a pattern that can
// match without any fixed text, or (?i) text outside ASCII).
func requiredLiterals(re *syntax.Regexp) (lits []string, fold, ok bool) {
	switch re.Op {
	case syntax.OpLiteral:
		if re.Flags&syntax.FoldCase == 0 {
			return []string{string(re.Rune)}, false, len(re.Rune) > 0
		}
		for _, r := range re.Rune {
			if r >= utf8.RuneSelf {
				return nil, false, false
			}
		}
		return []string{strings.ToLower(string(re.Rune))}, true, len(re.Rune) > 0
	case syntax.OpCapture, syntax.OpPlus:
		return requiredLiterals(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return requiredLiterals(re.Sub[0])
		}
	case syntax.OpConcat:
		best := -1
		for _, sub := range re.Sub {
			l, f, ok := requiredLiterals(sub)
			if !ok {
				continue
			}
			shortest := len(l[0])
			for _, x := range l {
				shortest = min(shortest, len(x))
			}
			if shortest > best || shortest == best && len(l) < len(lits) {
				best, lits, fold = shortest, l, f
			}
		}
		return lits, fold, best > 0
	case syntax.OpAlternate:
		for _, sub := range re.Sub {
			l, f, ok := requiredLiterals(sub)
			if !ok {
				return nil, false, false
			}
			lits = append(lits, l...)
			fold = fold || f
		}
		if fold {
			for i := range lits {
				lits[i] = strings.ToLower(lits[i])
			}
		}
		slices.Sort(lits)
		return slices.Compact(lits), fold, len(lits) > 0
	}
	return nil, false, false
}

// buildPatternSet compiles the entries of match.patterns.
func buildPatternSet(entries []patternEntry) (*patternSet, error) {
	ps := &patternSet{}
	var exact, folded []string
	exactAt, foldedAt := map[string]int{}, map[string]int{}
	type ref struct {
		folded bool
		i      int
	}
	var refs [][]ref
	add := func(list *[]string, at map[string]int, n string) int {
		j, ok := at[n]
		if !ok {
			j = len(*list)
			at[n] = j
			*list = append(*list, n)
		}
		return j
	}
	for i, e := range entries {
		re, err := regexp.Compile(e.pattern)
		if err != nil {
			return nil, fmt.Errorf("entry %d: bad pattern %q: %s", i+1, e.pattern, err.Error())
		}
		ps.names = append(ps.names, e.name)
		ps.res = append(ps.res, re)
		ps.insts = append(ps.insts, newRx(re).insts)
		var rs []ref
		if len(e.needles) > 0 {
			for _, n := range e.needles {
				rs = append(rs, ref{false, add(&exact, exactAt, n)})
			}
		} else if tree, err := syntax.Parse(e.pattern, syntax.Perl); err == nil {
			if lits, fold, ok := requiredLiterals(tree.Simplify()); ok {
				for _, n := range lits {
					if fold {
						rs = append(rs, ref{true, add(&folded, foldedAt, n)})
					} else {
						rs = append(rs, ref{false, add(&exact, exactAt, n)})
					}
				}
			}
		}
		refs = append(refs, rs)
	}
	var err error
	if len(exact) > 0 {
		if ps.exact, err = newLiterals(exact, false); err != nil {
			return nil, err
		}
	}
	if len(folded) > 0 {
		if ps.folded, err = newLiterals(folded, false); err != nil {
			return nil, err
		}
	}
	for _, rs := range refs {
		var need []int
		for _, r := range rs {
			j := r.i
			if r.folded {
				j += len(exact)
			}
			if !slices.Contains(need, j) {
				need = append(need, j)
			}
		}
		ps.need = append(ps.need, need)
	}
	return ps, nil
}

func (vm *VM) patternSetArg(L *lua.LState) (*patternSet, error) {
	list := L.CheckTable(1)
	var entries []patternEntry
	var key strings.Builder
	key.WriteString("P")
	var bad error
	n := vm.target(list).Len()
	for i := 1; i <= n && bad == nil; i++ {
		v := vm.target(list).RawGetInt(i)
		e := patternEntry{name: lua.LNumber(i)}
		switch x := v.(type) {
		case lua.LString:
			e.pattern = string(x)
		case *lua.LTable:
			x = vm.target(x)
			name, pattern, needles := x.RawGetString("name"), x.RawGetString("pattern"), x.RawGetString("needles")
			if pattern == lua.LNil {
				name, pattern, needles = x.RawGetInt(1), x.RawGetInt(2), x.RawGetInt(3)
			}
			p, ok := pattern.(lua.LString)
			if !ok {
				bad = fmt.Errorf("entry %d: no pattern (a string, or {name, pattern, needles})", i)
				break
			}
			e.pattern = string(p)
			switch nm := name.(type) {
			case lua.LString, lua.LNumber:
				e.name = nm
			case *lua.LNilType:
			default:
				bad = fmt.Errorf("entry %d: the name is a %s; give a string", i, name.Type())
			}
			if nt, ok := needles.(*lua.LTable); ok {
				nt = vm.target(nt)
				for j := 1; j <= nt.Len(); j++ {
					s, ok := nt.RawGetInt(j).(lua.LString)
					if !ok || s == "" {
						bad = fmt.Errorf("entry %d: needle %d is not a non-empty string", i, j)
						break
					}
					e.needles = append(e.needles, string(s))
				}
			} else if needles != lua.LNil {
				bad = fmt.Errorf("entry %d: needles must be a list of strings", i)
			}
		default:
			bad = fmt.Errorf("entry %d is a %s; give a pattern or {name, pattern, needles}", i, v.Type())
		}
		entries = append(entries, e)
		fmt.Fprintf(&key, "\x01%s\x02%s\x02%s", e.name.String(), e.pattern, strings.Join(e.needles, "\x03"))
	}
	if bad != nil {
		return nil, bad
	}
	return cachedMatcher(key.String(), func() (*patternSet, error) { return buildPatternSet(entries) })
}

// stringList reads argument i as a list of strings.
func (vm *VM) stringList(L *lua.LState, i int, fn string) []string {
	t := vm.target(L.CheckTable(i))
	out := make([]string, 0, t.Len())
	for j := 1; j <= t.Len(); j++ {
		s, ok := t.RawGetInt(j).(lua.LString)
		if !ok {
			L.RaiseError("%s: entry %d is a %s; give a list of strings", fn, j, t.RawGetInt(j).Type())
		}
		out = append(out, string(s))
	}
	return out
}

// needles reads the list of match.literals: strings, or tables whose
// first element is the string ({ needle, what it means, ... }: :first and
// :find return the index, for the rest of the entry).
func (vm *VM) needles(L *lua.LState, i int) []string {
	t := vm.target(L.CheckTable(i))
	out, bad := readNeedles(t)
	if bad == 0 {
		return out
	}
	if x, ok := t.RawGetInt(bad).(*lua.LTable); ok {
		L.RaiseError("match.literals: entry %d is a table whose first element is a %s; give strings or { string, ... } tables", bad, x.RawGetInt(1).Type())
	}
	L.RaiseError("match.literals: entry %d is a %s; give a list of strings", bad, t.RawGetInt(bad).Type())
	return nil
}

// options reads the boolean options names from an optional table argument.
func options(L *lua.LState, i int, fn string, names ...string) (bool, bool) {
	var got [2]bool
	switch o := L.Get(i).(type) {
	case *lua.LNilType:
	case *lua.LTable:
		o.ForEach(func(k, v lua.LValue) {
			j := slices.Index(names, k.String())
			if j < 0 {
				L.RaiseError("%s: unknown option %q (options: %s)", fn, k.String(), strings.Join(names, ", "))
			}
			got[j] = lua.LVAsBool(v)
		})
	default:
		L.ArgError(i, "options table expected")
	}
	return got[0], got[1]
}

func checkUD[T any](L *lua.LState, what string) T {
	ud, ok := L.Get(1).(*lua.LUserData)
	if ok {
		if v, ok := ud.Value.(T); ok {
			return v
		}
	}
	L.RaiseError("%s: call the method with ':' (m:test(s))", what)
	var zero T
	return zero
}

func literalsArgs(L *lua.LState) (*literals, string, bool) {
	lit := checkUD[*literals](L, "match.literals")
	s, ok := L.Get(2).(lua.LString)
	return lit, string(s), ok
}
