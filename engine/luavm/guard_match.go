package luavm

import (
	"slices"
	"strings"
	"unsafe"

	"github.com/valyala/fastjson"
	lua "github.com/yuin/gopher-lua"
	"github.com/yuin/gopher-lua/ast"

	"panther/parsers/event"
)

// Guards on matchers: an opening such as
//
//	local SQLI = match.patterns({ {"union select", [[union\s+select]], {"union"}}, ... })
//	function rule(event)
//	  if not SQLI:test(codec.unescape(event.request_uri or event.request or "", true)) then
//	    return false
//	  end
//	  ...
//
// is read off the syntax tree like the field tests: the matcher is a
// top-level local built by match.literals or match.patterns from constants
// (a table constructor of string literals, or a local table of them used
// nowhere else), the argument is a field, or fields joined by `or` with an
// optional string default, optionally through codec.unescape. The guard
// then holds one Aho-Corasick automaton of every needle of the matcher (a
// pattern set only when each entry has needles, given or derived) and
// checks, in Go, whether the value holds one: if it does not, :test cannot
// be true. The regexps never run in a guard (a guard has no time budget),
// only the needle scan, which is linear. codec functions return "" for
// anything but a string and :test returns false for it, so these tests can
// neither fail nor act: they are pure, and the tests after them count.

// matcherDef is a matcher a guard can evaluate: its needles.
type matcherDef struct {
	exact, folded *literals // folded: searched in the case-folded value
	ignoreCase    bool      // literals with ignore_case: search the lower-cased value
	// The needles for a lower-cased value, as automata that fold ASCII
	// case themselves: exact's lower-cased, and folded's.
	lowerExact, lowerFolded *automaton
}

func (m *matcherDef) prepare() *matcherDef {
	lower := func(l *literals) *automaton {
		if l == nil || l.ac == nil {
			return nil
		}
		ns := make([]string, len(l.needles))
		for i, n := range l.needles {
			ns[i] = strings.ToLower(n)
		}
		return newFoldingAutomaton(ns)
	}
	m.lowerExact, m.lowerFolded = lower(m.exact), lower(m.folded)
	return m
}

// containsCond is the matcher test of a Cond (Kind Contains).
type containsCond struct {
	chain  [][]string // fields joined by `or`
	strict []bool     // each chain field's Cond.Strict
	def    string     // the string literal that ends the chain
	hasDef bool
	decode int8 // 0: none, 1: codec.unescape, 2: codec.unescape(…, true)
	m      *matcherDef
	// live, instead of m: the matcher is built when rule() runs, from a
	// list the guard reads then (liveList).
	live *liveList
}

// liveList is the matcher of an opening such as
//
//	if not match.literals(web.scanner_agents, { ignore_case = true }):test(event.user_agent) then
//
// where the list is a field of a chunk-level local (a helper's
// customisable list, which a test may mock): the guard reads the list
// from the function's upvalue when the event is evaluated, as Lua would,
// and keeps the matcher it built from it while the list is the same table
// (VM.liveMatcher).
type liveList struct {
	upvalue    string // the chunk-level local (an upvalue of the function)
	field      string // its field holding the list
	ignoreCase bool
}

// matcherDefs finds `local X = match.literals(...)` / `match.patterns(...)`
// built from constants, with X declared once and never assigned, in a
// chunk that does not rebind match or codec.
func matcherDefs(stmts []ast.Stmt) map[string]*matcherDef {
	declared := map[string]int{}
	rebinds := false
	for _, st := range stmts {
		switch s := st.(type) {
		case *ast.LocalAssignStmt:
			for _, n := range s.Names {
				declared[n]++
				rebinds = rebinds || n == "match" || n == "codec"
			}
		case *ast.AssignStmt:
			for _, l := range s.Lhs {
				if id, ok := l.(*ast.IdentExpr); ok {
					declared[id.Value] += 2 // assigned: not a constant
					rebinds = rebinds || id.Value == "match" || id.Value == "codec"
				}
			}
		case *ast.FuncDefStmt:
			if id, ok := s.Name.Func.(*ast.IdentExpr); ok {
				rebinds = rebinds || id.Value == "match" || id.Value == "codec"
			}
		}
	}
	if rebinds {
		return nil
	}
	tables := map[string]*ast.TableExpr{}
	for _, st := range stmts {
		if s, ok := st.(*ast.LocalAssignStmt); ok {
			for i, n := range s.Names {
				if i < len(s.Exprs) {
					if t, ok := s.Exprs[i].(*ast.TableExpr); ok && declared[n] == 1 {
						tables[n] = t
					}
				}
			}
		}
	}
	out := map[string]*matcherDef{}
	for _, st := range stmts {
		s, ok := st.(*ast.LocalAssignStmt)
		if !ok {
			continue
		}
		for i, n := range s.Names {
			if i >= len(s.Exprs) || declared[n] != 1 {
				continue
			}
			call, ok := s.Exprs[i].(*ast.FuncCallExpr)
			if !ok || call.Receiver != nil || len(call.Args) == 0 {
				continue
			}
			fn, ok := call.Func.(*ast.AttrGetExpr)
			if !ok {
				continue
			}
			mod, ok1 := fn.Object.(*ast.IdentExpr)
			name, ok2 := fn.Key.(*ast.StringExpr)
			if !ok1 || !ok2 || mod.Value != "match" {
				continue
			}
			list, ok := call.Args[0].(*ast.TableExpr)
			if id, isID := call.Args[0].(*ast.IdentExpr); isID {
				list, ok = tables[id.Value], tables[id.Value] != nil && usedOnlyAsMatcherArg(stmts, id.Value)
			}
			if !ok {
				continue
			}
			var def *matcherDef
			switch name.Value {
			case "literals":
				def = literalsDef(list, call.Args[1:])
			case "patterns":
				if len(call.Args) == 1 {
					def = patternsDef(list)
				}
			}
			if def != nil {
				out[n] = def
			}
		}
	}
	return out
}

func literalsDef(list *ast.TableExpr, opts []ast.Expr) *matcherDef {
	needles, ok := stringFields(list)
	if !ok || len(needles) == 0 {
		return nil
	}
	ignoreCase, ok := literalsOptions(opts)
	if !ok {
		return nil
	}
	lit, err := newLiterals(needles, ignoreCase)
	if err != nil {
		return nil
	}
	return (&matcherDef{exact: lit, ignoreCase: ignoreCase}).prepare()
}

// literalsOptions reads the constant options of match.literals.
func literalsOptions(opts []ast.Expr) (ignoreCase, ok bool) {
	if len(opts) > 1 {
		return false, false
	}
	if len(opts) == 1 {
		t, isTable := opts[0].(*ast.TableExpr)
		if !isTable {
			return false, false
		}
		for _, f := range t.Fields {
			k, isStr := f.Key.(*ast.StringExpr)
			if !isStr || k.Value != "ignore_case" {
				return false, false
			}
			switch f.Value.(type) {
			case *ast.TrueExpr:
				ignoreCase = true
			case *ast.FalseExpr, *ast.NilExpr:
			default:
				return false, false
			}
		}
	}
	return ignoreCase, true
}

// liveLiterals reads match.literals(X.F [, constant options]) with X a
// chunk-level local (not a parameter of the function) and match the
// sandbox's.
func (gf *guardFinder) liveLiterals(call *ast.FuncCallExpr) *liveList {
	if !gf.matchIsSandbox || call.Receiver != nil || len(call.Args) == 0 {
		return nil
	}
	fn, ok := call.Func.(*ast.AttrGetExpr)
	if !ok {
		return nil
	}
	mod, ok1 := fn.Object.(*ast.IdentExpr)
	name, ok2 := fn.Key.(*ast.StringExpr)
	if !ok1 || !ok2 || mod.Value != "match" || name.Value != "literals" {
		return nil
	}
	arg, ok := call.Args[0].(*ast.AttrGetExpr)
	if !ok {
		return nil
	}
	x, ok1 := arg.Object.(*ast.IdentExpr)
	f, ok2 := arg.Key.(*ast.StringExpr)
	if !ok1 || !ok2 || !gf.chunkLocals[x.Value] || slices.Contains(gf.params, x.Value) {
		return nil
	}
	ignoreCase, ok := literalsOptions(call.Args[1:])
	if !ok {
		return nil
	}
	return &liveList{upvalue: x.Value, field: f.Value, ignoreCase: ignoreCase}
}

func patternsDef(list *ast.TableExpr) *matcherDef {
	var entries []patternEntry
	for _, f := range list.Fields {
		if f.Key != nil {
			return nil
		}
		e := patternEntry{}
		switch v := f.Value.(type) {
		case *ast.StringExpr:
			e.pattern = v.Value
		case *ast.TableExpr:
			// As match.patterns reads it: the named fields when there is
			// a pattern field, else the positional ones.
			var named, positional [3]ast.Expr
			pos := 0
			for _, g := range v.Fields {
				switch k := g.Key.(type) {
				case nil:
					if pos < 3 {
						positional[pos] = g.Value
					}
					pos++
				case *ast.StringExpr:
					switch k.Value {
					case "name":
						named[0] = g.Value
					case "pattern":
						named[1] = g.Value
					case "needles":
						named[2] = g.Value
					}
				default:
					return nil
				}
			}
			use := positional
			if named[1] != nil {
				use = named
			}
			pattern, needles := use[1], use[2]
			p, ok := pattern.(*ast.StringExpr)
			if !ok {
				return nil
			}
			e.pattern = p.Value
			if needles != nil {
				t, ok := needles.(*ast.TableExpr)
				if !ok {
					return nil
				}
				if e.needles, ok = stringFields(t); !ok {
					return nil
				}
			}
		default:
			return nil
		}
		entries = append(entries, e)
	}
	ps, err := buildPatternSet(entries)
	if err != nil {
		return nil
	}
	for _, need := range ps.need {
		if need == nil {
			return nil // an entry without needles: any value may match
		}
	}
	return (&matcherDef{exact: ps.exact, folded: ps.folded}).prepare()
}

// stringFields reads a list constructor of string literals.
func stringFields(t *ast.TableExpr) ([]string, bool) {
	var out []string
	for _, f := range t.Fields {
		s, ok := f.Value.(*ast.StringExpr)
		if f.Key != nil || !ok {
			return nil, false
		}
		out = append(out, s.Value)
	}
	return out, true
}

// usedOnlyAsMatcherArg reports whether name appears, apart from its
// declaration, only as the first argument of match.literals/patterns.
func usedOnlyAsMatcherArg(stmts []ast.Stmt, name string) bool {
	ok := true
	expr := func(e ast.Expr, walk func(ast.Expr)) bool {
		switch x := e.(type) {
		case *ast.IdentExpr:
			ok = ok && x.Value != name
			return true
		case *ast.FuncCallExpr:
			if fn, isAttr := x.Func.(*ast.AttrGetExpr); isAttr && len(x.Args) > 0 {
				if mod, isID := fn.Object.(*ast.IdentExpr); isID && mod.Value == "match" {
					if id, isID := x.Args[0].(*ast.IdentExpr); isID && id.Value == name {
						for _, a := range x.Args[1:] {
							walk(a)
						}
						return true
					}
				}
			}
		}
		return false
	}
	for _, st := range stmts {
		if s, isLocal := st.(*ast.LocalAssignStmt); isLocal && len(s.Names) == 1 && s.Names[0] == name {
			continue // the declaration itself
		}
		walkAll([]ast.Stmt{st}, nil, expr)
	}
	return ok
}

// matcherTest reads X:test(ARG) with X a matcher the guard can evaluate.
func (gf *guardFinder) matcherTest(e ast.Expr) (Cond, bool) {
	call, ok := e.(*ast.FuncCallExpr)
	if !ok || call.Method != "test" || len(call.Args) != 1 {
		return Cond{}, false
	}
	var c *containsCond
	switch recv := call.Receiver.(type) {
	case *ast.IdentExpr:
		def := gf.matchers[recv.Value]
		if def == nil {
			return Cond{}, false
		}
		c = &containsCond{m: def}
	case *ast.FuncCallExpr:
		live := gf.liveLiterals(recv)
		if live == nil {
			return Cond{}, false
		}
		c = &containsCond{live: live}
	default:
		return Cond{}, false
	}
	arg := call.Args[0]
	if dec, ok := arg.(*ast.FuncCallExpr); ok {
		fn, isAttr := dec.Func.(*ast.AttrGetExpr)
		if !isAttr || dec.Receiver != nil || len(dec.Args) == 0 || len(dec.Args) > 2 {
			return Cond{}, false
		}
		mod, ok1 := fn.Object.(*ast.IdentExpr)
		name, ok2 := fn.Key.(*ast.StringExpr)
		if !ok1 || !ok2 || mod.Value != "codec" || name.Value != "unescape" {
			return Cond{}, false
		}
		c.decode = 1
		if len(dec.Args) == 2 {
			switch dec.Args[1].(type) {
			case *ast.TrueExpr:
				c.decode = 2
			case *ast.FalseExpr, *ast.NilExpr:
			default:
				return Cond{}, false
			}
		}
		arg = dec.Args[0]
	}
	if !gf.chain(arg, c) {
		return Cond{}, false
	}
	return Cond{Kind: Contains, contains: c}, true
}

// chain reads `f1 or f2 or ... ["default"]` of event fields.
func (gf *guardFinder) chain(e ast.Expr, c *containsCond) bool {
	if or, ok := e.(*ast.LogicalOpExpr); ok && or.Operator == "or" {
		if !gf.chain(or.Lhs, c) || c.hasDef {
			return false
		}
		if s, ok := or.Rhs.(*ast.StringExpr); ok {
			c.def, c.hasDef = s.Value, true
			return true
		}
		return gf.chain(or.Rhs, c)
	}
	p := gf.fieldPath(e)
	if p == nil {
		return false
	}
	c.chain = append(c.chain, p)
	return true
}

// holds evaluates the matcher test's necessary condition on e; dec
// decodes as codec.unescape (the VM's, to share its memo) or is nil. A
// live matcher needs the VM: without one, it may hold.
func (c *containsCond) holds(e *event.Event, dec func(string, bool) string) bool {
	if c.m == nil {
		return true
	}
	return c.holdsFor(e, dec, c.m)
}

// holdsFor is holds with the matcher m.
func (c *containsCond) holdsFor(e *event.Event, dec func(string, bool) string, m *matcherDef) bool {
	s, ok := c.input(e, dec)
	if !ok {
		return false
	}
	return c.matches(s, m)
}

// input is the string the test searches: the field (or the default)
// decoded as the opening says, not lower-cased; ok is false when :test
// gets something other than a string (it is then false).
func (c *containsCond) input(e *event.Event, dec func(string, bool) string) (string, bool) {
	var v *fastjson.Value
	if e.Fields != nil {
		for _, p := range c.chain {
			x := e.Fields.Get(p...)
			if x == nil || x.Type() == fastjson.TypeNull || x.Type() == fastjson.TypeFalse {
				continue // falsy in Lua: `or` goes on
			}
			v = x
			break
		}
	}
	var s string
	switch {
	case v != nil && v.Type() == fastjson.TypeString:
		// Scanned in place, never kept: copied before decoding (the
		// codec memo keeps its input).
		b, _ := v.StringBytes()
		s = unsafe.String(unsafe.SliceData(b), len(b))
	case v == nil && c.hasDef:
		s = c.def
	default:
		// nil, a number, true, an object: :test(non-string) is false, and
		// so is :test("") after codec.
		return "", false
	}
	// Decoding: nothing to undo in most values; lower-casing is done by
	// the folding automata on ASCII text, so nothing is copied then.
	if c.decode > 0 && mayUnescape(s) {
		s = strings.Clone(s)
		if dec != nil {
			s = dec(s, false)
		} else {
			s = unescapeString(s)
		}
	}
	return s, true
}

// matches searches m's needles in the input s.
func (c *containsCond) matches(s string, m *matcherDef) bool {
	if c.lower(m) {
		// :test sees the value lower-cased (by codec or by ignore_case).
		if !isASCII(s) {
			s = strings.ToLower(s)
		}
		if m.lowerExact != nil && m.lowerExact.isMatch(s) {
			return true
		}
		if m.lowerFolded != nil {
			if !isASCII(s) {
				s = foldASCII(s)
			}
			return m.lowerFolded.isMatch(s)
		}
		return false
	}
	if m.exact != nil && m.exact.ac != nil && m.exact.ac.isMatch(s) {
		return true
	}
	if m.folded == nil || m.folded.ac == nil {
		return false
	}
	if isASCII(s) {
		return m.lowerFolded.isMatch(s)
	}
	return m.folded.ac.isMatch(foldASCII(s))
}

// lower says that :test sees the value lower-cased (by codec or by
// ignore_case).
func (c *containsCond) lower(m *matcherDef) bool { return c.decode == 2 || m.ignoreCase }

// mayUnescape reports whether unescapeString could change s.
func mayUnescape(s string) bool {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '%', '\\', '+', 0xc0, 0xc1, 0xe0:
			return true
		}
	}
	return false
}

// assignedAnywhere reports whether name is the target of an assignment
// anywhere in the chunk, function bodies included.
func assignedAnywhere(stmts []ast.Stmt, name string) bool {
	found := false
	walkAll(stmts, func(st ast.Stmt) {
		if a, ok := st.(*ast.AssignStmt); ok {
			for _, l := range a.Lhs {
				if id, ok := l.(*ast.IdentExpr); ok && id.Value == name {
					found = true
				}
			}
		}
		if f, ok := st.(*ast.FuncDefStmt); ok {
			if id, ok := f.Name.Func.(*ast.IdentExpr); ok && id.Value == name {
				found = true
			}
		}
	}, func(ast.Expr, func(ast.Expr)) bool { return false })
	return found
}

// String renders a matcher test for tests and messages.
func (c *containsCond) String() string {
	var parts []string
	for _, p := range c.chain {
		parts = append(parts, strings.Join(p, "."))
	}
	s := strings.Join(parts, " or ")
	if c.hasDef {
		s += " or \"" + c.def + "\""
	}
	switch c.decode {
	case 1:
		s = "unescape(" + s + ")"
	case 2:
		s = "unescape_lower(" + s + ")"
	}
	if c.live != nil {
		return c.live.upvalue + "." + c.live.field + ":test(" + s + ")"
	}
	return "test(" + s + ")"
}

// liveMatcher is the matcher of l for fn (a function of a chunk loaded in
// vm): match.literals of the list in the field of fn's upvalue, as Lua
// reads it now, or nil when the guard cannot tell (not a table, a list
// match.literals refuses, a field behind a metatable): then it passes.
// Matchers are kept per list table, as the helpers' own caches do, so a
// list is read again when it is replaced (a mock), not when it is edited
// in place.
func (vm *VM) liveMatcher(fn *lua.LFunction, l *liveList) *matcherDef {
	var x lua.LValue = lua.LNil
	for i, n := range fn.Proto.DbgUpvalues {
		if n == l.upvalue && i < len(fn.Upvalues) {
			x = fn.Upvalues[i].Value()
			break
		}
	}
	t, ok := x.(*lua.LTable)
	if !ok {
		return nil
	}
	list, ok := vm.target(t).RawGetString(l.field).(*lua.LTable)
	if !ok {
		return nil
	}
	key := liveKey{list, l.ignoreCase}
	if m, ok := vm.live[key]; ok {
		return m
	}
	var m *matcherDef
	if needles, ok := needleList(vm.target(list)); ok {
		if lit, err := newLiterals(needles, l.ignoreCase); err == nil {
			m = (&matcherDef{exact: lit, ignoreCase: l.ignoreCase}).prepare()
		}
	}
	if len(vm.live) >= 64 {
		clear(vm.live) // tests replace lists often: keep the last few
	}
	vm.live[key] = m
	return m
}

type liveKey struct {
	list       *lua.LTable
	ignoreCase bool
}

// needleList reads the needles of a match.literals list: strings, or
// tables whose first element is the string; ok is false where
// match.literals raises an error.
func needleList(t *lua.LTable) ([]string, bool) {
	out, bad := readNeedles(t)
	return out, bad == 0
}

// readNeedles reads a match.literals list; bad is the index of the first
// entry that is neither a string nor a table starting with one (0: none).
func readNeedles(t *lua.LTable) (out []string, bad int) {
	n := t.Len()
	out = make([]string, 0, n)
	for j := 1; j <= n; j++ {
		switch x := t.RawGetInt(j).(type) {
		case lua.LString:
			out = append(out, string(x))
		case *lua.LTable:
			s, ok := x.RawGetInt(1).(lua.LString)
			if !ok {
				return nil, j
			}
			out = append(out, string(s))
		default:
			return nil, j
		}
	}
	return out, 0
}
