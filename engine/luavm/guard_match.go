package luavm

import (
	"strings"
	"unsafe"

	"github.com/valyala/fastjson"
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
	ignoreCase := false
	if len(opts) > 1 {
		return nil
	}
	if len(opts) == 1 {
		t, ok := opts[0].(*ast.TableExpr)
		if !ok {
			return nil
		}
		for _, f := range t.Fields {
			k, ok := f.Key.(*ast.StringExpr)
			if !ok || k.Value != "ignore_case" {
				return nil
			}
			switch f.Value.(type) {
			case *ast.TrueExpr:
				ignoreCase = true
			case *ast.FalseExpr, *ast.NilExpr:
			default:
				return nil
			}
		}
	}
	lit, err := newLiterals(needles, ignoreCase)
	if err != nil {
		return nil
	}
	return (&matcherDef{exact: lit, ignoreCase: ignoreCase}).prepare()
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
	var expr func(e ast.Expr)
	var block func(ss []ast.Stmt)
	expr = func(e ast.Expr) {
		switch x := e.(type) {
		case *ast.IdentExpr:
			if x.Value == name {
				ok = false
			}
			return
		case *ast.FuncCallExpr:
			if fn, isAttr := x.Func.(*ast.AttrGetExpr); isAttr && len(x.Args) > 0 {
				if mod, isID := fn.Object.(*ast.IdentExpr); isID && mod.Value == "match" {
					if id, isID := x.Args[0].(*ast.IdentExpr); isID && id.Value == name {
						for _, a := range x.Args[1:] {
							expr(a)
						}
						return
					}
				}
			}
		case *ast.FunctionExpr:
			block(x.Stmts)
			return
		}
		subExprs(e, expr)
	}
	block = func(ss []ast.Stmt) {
		for _, st := range ss {
			stmtParts(st, expr, block)
		}
	}
	for _, st := range stmts {
		if s, isLocal := st.(*ast.LocalAssignStmt); isLocal && len(s.Names) == 1 && s.Names[0] == name {
			continue // the declaration itself
		}
		block([]ast.Stmt{st})
	}
	return ok
}

// matcherTest reads X:test(ARG) with X a matcher the guard can evaluate.
func (gf *guardFinder) matcherTest(e ast.Expr) (Cond, bool) {
	call, ok := e.(*ast.FuncCallExpr)
	if !ok || call.Method != "test" || len(call.Args) != 1 {
		return Cond{}, false
	}
	recv, ok := call.Receiver.(*ast.IdentExpr)
	if !ok {
		return Cond{}, false
	}
	def := gf.matchers[recv.Value]
	if def == nil {
		return Cond{}, false
	}
	c := &containsCond{m: def}
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
// decodes as codec.unescape (the VM's, to share its memo) or is nil.
func (c *containsCond) holds(e *event.Event, dec func(string, bool) string) bool {
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
		return false
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
	m := c.m
	if c.decode == 2 || m.ignoreCase {
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
	var expr func(e ast.Expr)
	var block func(ss []ast.Stmt)
	expr = func(e ast.Expr) {
		if f, ok := e.(*ast.FunctionExpr); ok {
			block(f.Stmts)
			return
		}
		subExprs(e, expr)
	}
	block = func(ss []ast.Stmt) {
		for _, st := range ss {
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
			stmtParts(st, expr, block)
		}
	}
	block(stmts)
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
	return "test(" + s + ")"
}
