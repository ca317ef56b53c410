package luavm

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unsafe"

	"github.com/valyala/fastjson"

	lua "github.com/yuin/gopher-lua"
	"github.com/yuin/gopher-lua/ast"

	"panther/parsers/event"
)

// Guards: most rules open with a test on fields of the event —
//
//	if event.eventSource ~= "ec2.amazonaws.com" or event.eventName ~= "X" then return false end
//	return event.eventName == "ConsoleLogin" and ...
//	if not ACTIONS[event.eventName] then return false end   -- ACTIONS a constant set
//
// — and in a replay almost every event fails it. When the first statement
// of rule() is such a test, we read it off the syntax tree once, and the
// engine checks it in Go before calling Lua: an event that fails it cannot
// match (the function would return false before doing anything else), so
// the call is skipped. Only tests whose outcome is certain are taken: fields
// compared with string literals or looked up in a constant set table (a
// top-level local table of string keys that nothing can change), combined
// with and/or/not as their truth allows; anything else leaves the rule
// without a guard. TestGuardsChangeNothing (engine/replay) runs the shipped
// rules with and without guards over real-shaped events and compares.

// Guard is a conjunction: rule() can only return true when every Cond holds.
type Guard struct {
	Conds []Cond
}

// CondKind says what a Cond tests.
type CondKind uint8

const (
	// StringIn: the field is a string equal to one of Values.
	StringIn CondKind = iota
	// NumberIn: the field is a number equal to one of Nums.
	NumberIn
	// BoolIs: the field is the boolean Bool.
	BoolIs
	// NumberCmp: the field (or Default when absent and HasDefault) is a
	// number that compares with Nums[0] as Op says. Any other value is
	// left to Lua (comparing it raises an error there, which the guard
	// must not hide).
	NumberCmp
	// AnyOf: one of Sub holds (`e.qclass_name == "C_CHAOS" or e.qclass == 3`).
	AnyOf
	// Contains: a matcher's :test of a field may be true (guard_match.go).
	Contains
)

// Cond is one necessary condition on the field at Path.
type Cond struct {
	Path       []string
	Kind       CondKind
	Values     []string
	Nums       []float64
	Bool       bool
	Op         string // "<", "<=", ">", ">=" (NumberCmp)
	Default    float64
	HasDefault bool
	Sub        []Cond        // AnyOf
	contains   *containsCond // Contains
	// Strict: the path is read by indexing (event.a.b), which raises in
	// Lua when an intermediate (a) is nil or a scalar; event:get does
	// not. Such an event must reach Lua (GivesWay).
	Strict bool
}

// Pass reports whether e may match.
func (g *Guard) Pass(e *event.Event) bool {
	for i := range g.Conds {
		c := &g.Conds[i]
		if c.GivesWay(e, nil) {
			return true
		}
		if !c.HoldsOn(e) {
			return false
		}
	}
	return true
}

// GivesWay reports whether reading c's fields raises an error in Lua on e
// (an intermediate of a strict path is not an object): the guard then
// lets rule() run, so the error is reported as it would be without it.
// v is the value at c's path when the caller has it (nil: absent or
// unknown): a value there means every intermediate is an object.
func (c *Cond) GivesWay(e *event.Event, v *fastjson.Value) bool {
	switch c.Kind {
	case AnyOf:
		for i := range c.Sub {
			if c.Sub[i].GivesWay(e, nil) {
				return true
			}
		}
		return false
	case Contains:
		for i, p := range c.contains.chain {
			if c.contains.strict[i] && !objectsAlong(e, p) {
				return true
			}
		}
		return false
	}
	return c.Strict && v == nil && !objectsAlong(e, c.Path)
}

// objectsAlong reports whether each intermediate of path (every element
// but the last) is an object in e, as Lua's indexing needs.
func objectsAlong(e *event.Event, path []string) bool {
	v := e.Fields
	for _, k := range path[:len(path)-1] {
		if v == nil || v.Type() != fastjson.TypeObject {
			return false
		}
		v = v.Get(k)
	}
	return v != nil && v.Type() == fastjson.TypeObject
}

// HoldsOn reports whether c may hold on e.
func (c *Cond) HoldsOn(e *event.Event) bool { return c.HoldsWith(e, nil) }

// HoldsWith is HoldsOn with dec decoding as codec.unescape does (a VM's
// Unescape, whose memo the rules then share); nil decodes afresh.
func (c *Cond) HoldsWith(e *event.Event, dec func(string, bool) string) bool {
	switch c.Kind {
	case AnyOf:
		for i := range c.Sub {
			if c.Sub[i].HoldsWith(e, dec) {
				return true
			}
		}
		return false
	case Contains:
		return c.contains.holds(e, dec)
	}
	return c.Holds(c.Value(e))
}

// HoldsIn is HoldsWith for the guard of fn, a function loaded in vm: the
// VM decodes (sharing its memo with the rules), and a matcher built from
// a list when fn runs (match.literals(helper.list):test(...)) is built
// from the list fn sees now.
func (c *Cond) HoldsIn(vm *VM, fn *lua.LFunction, e *event.Event) bool {
	switch c.Kind {
	case AnyOf:
		for i := range c.Sub {
			if c.Sub[i].HoldsIn(vm, fn, e) {
				return true
			}
		}
		return false
	case Contains:
		if c.contains.live != nil {
			m := vm.liveMatcher(fn, c.contains.live)
			if m == nil {
				return true
			}
			return c.contains.holdsFor(e, vm.Unescape, m)
		}
		if vm.scans != nil {
			if holds, ok := vm.scans.holds(c.contains, e, vm.Unescape); ok {
				return holds
			}
		}
		return c.contains.holds(e, vm.Unescape)
	}
	return c.Holds(c.Value(e))
}

// Value is the value at the condition's path (valid while e is), or nil
// (always nil for AnyOf, which has no path of its own).
func (c *Cond) Value(e *event.Event) *fastjson.Value {
	if e.Fields == nil || c.Path == nil {
		return nil
	}
	return e.Fields.Get(c.Path...)
}

// Holds reports whether v (nil when absent) may satisfy c.
func (c *Cond) Holds(v *fastjson.Value) bool {
	if v != nil && v.Type() == fastjson.TypeNull {
		v = nil // Lua sees null as nil
	}
	switch c.Kind {
	case StringIn:
		if v == nil || v.Type() != fastjson.TypeString {
			return false
		}
		b, _ := v.StringBytes()
		return slices.Contains(c.Values, unsafe.String(unsafe.SliceData(b), len(b)))
	case NumberIn:
		f, ok := number(v)
		return ok && slices.Contains(c.Nums, f)
	case BoolIs:
		return v != nil && (v.Type() == fastjson.TypeTrue && c.Bool || v.Type() == fastjson.TypeFalse && !c.Bool)
	case NumberCmp:
		f, ok := number(v)
		if v == nil && c.HasDefault {
			f, ok = c.Default, true
		}
		if !ok {
			return true
		}
		k := c.Nums[0]
		switch c.Op {
		case "<":
			return f < k
		case "<=":
			return f <= k
		case ">":
			return f > k
		case ">=":
			return f >= k
		}
	}
	return true
}

// number is v as Lua reads it, when it is a number.
func number(v *fastjson.Value) (float64, bool) {
	if v == nil || v.Type() != fastjson.TypeNumber {
		return 0, false
	}
	f, err := v.Float64()
	return f, err == nil
}

// String renders c for tests and messages.
func (c *Cond) String() string {
	p := strings.Join(c.Path, ".")
	switch c.Kind {
	case NumberIn:
		return fmt.Sprintf("%s=%v", p, c.Nums)
	case BoolIs:
		return fmt.Sprintf("%s=%v", p, c.Bool)
	case Contains:
		return c.contains.String()
	case AnyOf:
		parts := make([]string, len(c.Sub))
		for i := range c.Sub {
			parts[i] = c.Sub[i].String()
		}
		return "(" + strings.Join(parts, " | ") + ")"
	case NumberCmp:
		if c.HasDefault {
			return fmt.Sprintf("(%s or %v)%s%v", p, c.Default, c.Op, c.Nums[0])
		}
		return fmt.Sprintf("%s%s%v", p, c.Op, c.Nums[0])
	}
	return fmt.Sprintf("%s=%v", p, c.Values)
}

// Guard returns the guard of the global function name, or nil.
func (c *Chunk) Guard(name string) *Guard { return c.guards[name] }

type guardFinder struct {
	param  string
	params []string
	strict map[string]bool // paths read by indexing (Cond.Strict)
	// chunkLocals are the chunk's top-level locals; matchIsSandbox says
	// that neither the chunk nor the function rebinds match (guard_match.go).
	chunkLocals    map[string]bool
	matchIsSandbox bool
	sets           map[string]map[string]bool // constant set tables: name -> keys
	matchers       map[string]*matcherDef     // matchers of constants (guard_match.go)
}

// findGuards reads the guard of each top-level function defined once and
// never reassigned.
func findGuards(stmts []ast.Stmt) map[string]*Guard {
	defs := map[string]*ast.FunctionExpr{}
	assigned := map[string]int{}
	for _, st := range stmts {
		switch s := st.(type) {
		case *ast.FuncDefStmt:
			if id, ok := s.Name.Func.(*ast.IdentExpr); ok && s.Name.Receiver == nil {
				assigned[id.Value]++
				defs[id.Value] = s.Func
			}
		case *ast.AssignStmt:
			for _, l := range s.Lhs {
				if id, ok := l.(*ast.IdentExpr); ok {
					assigned[id.Value]++
				}
			}
		case *ast.LocalAssignStmt:
			for _, n := range s.Names {
				assigned[n]++ // a local shadows the global from here on
			}
		}
	}
	sets := constantSets(stmts)
	chunkLocals := map[string]bool{}
	matchRebound := false
	for _, st := range stmts {
		switch s := st.(type) {
		case *ast.LocalAssignStmt:
			for _, n := range s.Names {
				chunkLocals[n] = true
				matchRebound = matchRebound || n == "match"
			}
		case *ast.AssignStmt:
			for _, l := range s.Lhs {
				if id, ok := l.(*ast.IdentExpr); ok && id.Value == "match" {
					matchRebound = true
				}
			}
		case *ast.FuncDefStmt:
			if id, ok := s.Name.Func.(*ast.IdentExpr); ok && id.Value == "match" {
				matchRebound = true
			}
		}
	}
	matchers := matcherDefs(stmts)
	for n := range matchers {
		if assignedAnywhere(stmts, n) {
			delete(matchers, n)
		}
	}
	out := map[string]*Guard{}
	for name, f := range defs {
		if assigned[name] != 1 || f.ParList == nil || len(f.ParList.Names) == 0 || len(f.Stmts) == 0 {
			continue
		}
		param := f.ParList.Names[0]
		if writesName(f.Stmts, param) {
			continue
		}
		gf := &guardFinder{param: param, params: f.ParList.Names, sets: map[string]map[string]bool{}, matchers: map[string]*matcherDef{},
			chunkLocals: chunkLocals, strict: map[string]bool{},
			matchIsSandbox: !matchRebound && !slices.Contains(f.ParList.Names, "match") && !declaresLocal(f.Stmts, "match") &&
				!assignedAnywhere(stmts, "match")}
		codecShadowed := slices.Contains(f.ParList.Names, "codec") || declaresLocal(f.Stmts, "codec")
		for n, m := range matchers {
			if !codecShadowed && !slices.Contains(f.ParList.Names, n) && !declaresLocal(f.Stmts, n) {
				gf.matchers[n] = m
			}
		}
		for n, keys := range sets {
			// A set the function shadows (a parameter or local of the same
			// name) is not the set.
			if !slices.Contains(f.ParList.Names, n) && !declaresLocal(f.Stmts, n) {
				gf.sets[n] = keys
			}
		}
		var conds []Cond
		switch s := f.Stmts[0].(type) {
		case *ast.IfStmt:
			// if C then return false end: C false is necessary.
			if len(s.Then) == 1 && isReturnFalse(s.Then[0]) {
				conds = gf.need(s.Condition, false)
			}
		case *ast.ReturnStmt:
			// return C: C true is necessary.
			if len(s.Exprs) == 1 {
				conds = gf.need(s.Exprs[0], true)
			}
		}
		if len(conds) > 0 {
			gf.markStrict(conds)
			out[name] = &Guard{Conds: conds}
		}
	}
	return out
}

func isReturnFalse(st ast.Stmt) bool {
	r, ok := st.(*ast.ReturnStmt)
	if !ok || len(r.Exprs) != 1 {
		return false
	}
	_, ok = r.Exprs[0].(*ast.FalseExpr)
	return ok
}

// need returns conditions that must all hold for e to evaluate to truth
// (truthy when truth, falsy otherwise), or nil.
func (gf *guardFinder) need(e ast.Expr, truth bool) []Cond {
	switch x := e.(type) {
	case *ast.UnaryNotOpExpr:
		return gf.need(x.Expr, !truth)
	case *ast.FuncCallExpr:
		// X:test(field) truthy: the field holds one of X's needles.
		if c, ok := gf.matcherTest(x); ok && truth {
			return []Cond{c}
		}
		return nil
	case *ast.AttrGetExpr:
		// SET[event.f] truthy: f is one of the set's keys.
		if truth {
			if c, ok := gf.setLookup(x); ok {
				return []Cond{c}
			}
		}
		return nil
	case *ast.RelationalOpExpr:
		if x.Operator != "==" && x.Operator != "~=" {
			return gf.compare(x, truth)
		}
		equal := (x.Operator == "==") == truth // the outcome says the two are equal
		for _, pair := range [][2]ast.Expr{{x.Lhs, x.Rhs}, {x.Rhs, x.Lhs}} {
			if equal {
				if path := gf.fieldPath(pair[0]); path != nil {
					switch lit := pair[1].(type) {
					case *ast.StringExpr: // event.f == "lit" holds: f is "lit".
						return []Cond{{Path: path, Kind: StringIn, Values: []string{lit.Value}}}
					case *ast.NumberExpr: // event.f == 404
						if f, ok := luaNumber(lit.Value); ok {
							return []Cond{{Path: path, Kind: NumberIn, Nums: []float64{f}}}
						}
					case *ast.TrueExpr:
						return []Cond{{Path: path, Kind: BoolIs, Bool: true}}
					case *ast.FalseExpr:
						return []Cond{{Path: path, Kind: BoolIs, Bool: false}}
					}
				}
			}
			// SET[event.f] ~= nil (or == true) holds: f is a key of SET.
			if idx, ok := pair[0].(*ast.AttrGetExpr); ok {
				_, isNil := pair[1].(*ast.NilExpr)
				_, isTrue := pair[1].(*ast.TrueExpr)
				if (isNil && !equal) || (isTrue && equal) {
					if c, ok := gf.setLookup(idx); ok {
						return []Cond{c}
					}
				}
			}
		}
		return nil
	case *ast.LogicalOpExpr:
		l, r := gf.need(x.Lhs, truth), gf.need(x.Rhs, truth)
		if x.Operator == "and" && truth || x.Operator == "or" && !truth {
			// Both sides take the outcome: all their conditions hold. The
			// right side's only count when the left side cannot fail or
			// act (a helper call there could raise an error the skipped
			// call would have reported).
			if gf.pure(x.Lhs) {
				return append(l, r...)
			}
			// A comparison of a field with a number fails only when the
			// field is not a number; a NumberCmp on that same field leaves
			// exactly those values to Lua, so it may follow.
			if path := gf.numberComparison(x.Lhs); path != nil {
				for _, c := range r {
					if c.Kind == NumberCmp && slices.Equal(c.Path, path) {
						l = append(l, c)
					}
				}
			}
			return l
		}
		// One side or the other: a condition only when each side is one
		// condition; on the same field, of a kind whose values add up, it
		// is one condition, else it is either of them (AnyOf).
		if len(l) != 1 || len(r) != 1 {
			return nil
		}
		return []Cond{anyOf(append(alternatives(l[0]), alternatives(r[0])...))}
	}
	return nil
}

func alternatives(c Cond) []Cond {
	if c.Kind == AnyOf {
		return c.Sub
	}
	return []Cond{c}
}

// anyOf is the disjunction of alts, with the alternatives on one field
// and of one kind (StringIn, NumberIn) merged.
func anyOf(alts []Cond) Cond {
	var out []Cond
	for _, a := range alts {
		merged := false
		for i := range out {
			o := &out[i]
			if !slices.Equal(o.Path, a.Path) || o.Kind != a.Kind {
				continue
			}
			switch a.Kind {
			case StringIn:
				o.Values = append(slices.Clone(o.Values), a.Values...)
				slices.Sort(o.Values)
				o.Values = slices.Compact(o.Values)
				merged = true
			case NumberIn:
				o.Nums = append(slices.Clone(o.Nums), a.Nums...)
				slices.Sort(o.Nums)
				o.Nums = slices.Compact(o.Nums)
				merged = true
			}
			if merged {
				break
			}
		}
		if !merged {
			out = append(out, a)
		}
	}
	if len(out) == 1 {
		return out[0]
	}
	return Cond{Kind: AnyOf, Sub: out}
}

// compare reads `field OP number` (or `number OP field`, or `(field or N)
// OP number`), OP one of < <= > >=, as a NumberCmp that must hold (truth)
// or fail (not truth: for numbers, the opposite comparison holds).
func (gf *guardFinder) compare(x *ast.RelationalOpExpr, truth bool) []Cond {
	op := x.Operator
	field, lit := x.Lhs, x.Rhs
	if _, ok := field.(*ast.NumberExpr); ok {
		field, lit = lit, field
		op = map[string]string{"<": ">", "<=": ">=", ">": "<", ">=": "<="}[op]
	}
	n, ok := lit.(*ast.NumberExpr)
	if !ok {
		return nil
	}
	k, ok := luaNumber(n.Value)
	if !ok {
		return nil
	}
	c := Cond{Kind: NumberCmp, Nums: []float64{k}}
	if or, ok := field.(*ast.LogicalOpExpr); ok && or.Operator == "or" {
		d, ok := or.Rhs.(*ast.NumberExpr)
		if !ok {
			return nil
		}
		if c.Default, ok = luaNumber(d.Value); !ok {
			return nil
		}
		c.HasDefault = true
		field = or.Lhs
	}
	if c.Path = gf.fieldPath(field); c.Path == nil {
		return nil
	}
	if !truth {
		op = map[string]string{"<": ">=", "<=": ">", ">": "<=", ">=": "<"}[op]
	}
	if op == "" {
		return nil
	}
	c.Op = op
	return []Cond{c}
}

// numberComparison returns the field of e when e is a comparison (or
// and/or of comparisons) of one field with numbers whose only failure is
// that field not being a number, else nil.
func (gf *guardFinder) numberComparison(e ast.Expr) []string {
	switch x := e.(type) {
	case *ast.RelationalOpExpr:
		cs := gf.compare(x, true)
		if len(cs) == 1 {
			return cs[0].Path
		}
	case *ast.LogicalOpExpr:
		l, r := gf.numberComparison(x.Lhs), gf.numberComparison(x.Rhs)
		if l != nil && slices.Equal(l, r) {
			return l
		}
	}
	return nil
}

// luaNumber reads a Lua number literal.
func luaNumber(s string) (float64, bool) {
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		return f, true
	}
	if i, err := strconv.ParseInt(s, 0, 64); err == nil {
		return float64(i), true
	}
	return 0, false
}

// pure reports whether evaluating e can neither fail nor act: literals,
// event fields, constant set lookups, comparisons, not, and, or.
func (gf *guardFinder) pure(e ast.Expr) bool {
	switch x := e.(type) {
	case *ast.StringExpr, *ast.NumberExpr, *ast.NilExpr, *ast.TrueExpr, *ast.FalseExpr:
		return true
	case *ast.UnaryNotOpExpr:
		return gf.pure(x.Expr)
	case *ast.LogicalOpExpr:
		return gf.pure(x.Lhs) && gf.pure(x.Rhs)
	case *ast.RelationalOpExpr:
		return (x.Operator == "==" || x.Operator == "~=") && gf.pure(x.Lhs) && gf.pure(x.Rhs)
	case *ast.AttrGetExpr:
		if gf.fieldPath(x) != nil {
			return true
		}
		_, ok := gf.setLookup(x)
		return ok
	case *ast.FuncCallExpr:
		if c, ok := gf.matcherTest(x); ok {
			// X:test(...) neither fails nor acts; match.literals(list)
			// may fail on a bad list.
			return c.contains.live == nil
		}
		return gf.fieldPath(x) != nil // event:get(...)
	}
	return false
}

// setLookup matches SET[event.f] (or SET[event.f or ""]) with SET a
// constant set table.
func (gf *guardFinder) setLookup(x *ast.AttrGetExpr) (Cond, bool) {
	id, ok := x.Object.(*ast.IdentExpr)
	if !ok {
		return Cond{}, false
	}
	keys, ok := gf.sets[id.Value]
	if !ok {
		return Cond{}, false
	}
	key := x.Key
	if or, ok := key.(*ast.LogicalOpExpr); ok && or.Operator == "or" {
		// event.f or "default": the default counts only if it is a key.
		if s, ok := or.Rhs.(*ast.StringExpr); !ok || keys[s.Value] {
			return Cond{}, false
		}
		key = or.Lhs
	}
	path := gf.fieldPath(key)
	if path == nil {
		return Cond{}, false
	}
	vals := make([]string, 0, len(keys))
	for k := range keys {
		vals = append(vals, k)
	}
	slices.Sort(vals)
	return Cond{Path: path, Kind: StringIn, Values: vals}, true
}

// fieldPath matches `param.a.b` (or param["a"], param:get("a", "b")).
func (gf *guardFinder) fieldPath(e ast.Expr) []string {
	switch x := e.(type) {
	case *ast.AttrGetExpr:
		key, ok := x.Key.(*ast.StringExpr)
		if !ok {
			return nil
		}
		if id, ok := x.Object.(*ast.IdentExpr); ok {
			if id.Value != gf.param {
				return nil
			}
			return []string{key.Value}
		}
		base := gf.fieldPath(x.Object)
		if base == nil {
			return nil
		}
		path := append(base, key.Value)
		gf.strict[strings.Join(path, "\x00")] = true
		return path
	case *ast.FuncCallExpr:
		recv, ok := x.Receiver.(*ast.IdentExpr)
		if !ok || recv.Value != gf.param || x.Method != "get" || len(x.Args) == 0 {
			return nil
		}
		var path []string
		for _, a := range x.Args {
			s, ok := a.(*ast.StringExpr)
			if !ok {
				return nil
			}
			path = append(path, s.Value)
		}
		return path
	}
	return nil
}

// markStrict sets Strict on the conditions whose paths some expression
// reads by indexing (the same path through event:get too: strict, which
// only costs a skipped guard).
func (gf *guardFinder) markStrict(conds []Cond) {
	for i := range conds {
		c := &conds[i]
		switch c.Kind {
		case AnyOf:
			gf.markStrict(c.Sub)
		case Contains:
			c.contains.strict = make([]bool, len(c.contains.chain))
			for j, p := range c.contains.chain {
				c.contains.strict[j] = gf.strict[strings.Join(p, "\x00")]
			}
		default:
			c.Strict = gf.strict[strings.Join(c.Path, "\x00")]
		}
	}
}

// constantSets finds top-level `local NAME = { key = true, ["k"] = "x", ... }`
// tables of string keys and truthy constant values that nothing in the
// chunk can change: NAME is declared once and only ever indexed for reading.
func constantSets(stmts []ast.Stmt) map[string]map[string]bool {
	cands := map[string]map[string]bool{}
	declared := map[string]int{}
	for _, st := range stmts {
		s, ok := st.(*ast.LocalAssignStmt)
		if !ok {
			continue
		}
		for i, n := range s.Names {
			declared[n]++
			if i >= len(s.Exprs) {
				continue
			}
			t, ok := s.Exprs[i].(*ast.TableExpr)
			if !ok {
				continue
			}
			keys := map[string]bool{}
			good := len(t.Fields) > 0
			for _, f := range t.Fields {
				k, ok := f.Key.(*ast.StringExpr)
				if !ok || !truthyConstant(f.Value) {
					good = false
					break
				}
				keys[k.Value] = true
			}
			if good {
				cands[n] = keys
			}
		}
	}
	for n := range cands {
		if declared[n] != 1 || !onlyIndexed(stmts, n) {
			delete(cands, n)
		}
	}
	return cands
}

func truthyConstant(e ast.Expr) bool {
	switch e.(type) {
	case *ast.TrueExpr, *ast.StringExpr, *ast.NumberExpr:
		return true
	}
	return false
}

// onlyIndexed reports whether name appears, apart from its declaration,
// only as the table of an index read (name[k], name.k), never assigned,
// indexed for writing, passed or returned.
func onlyIndexed(stmts []ast.Stmt, name string) bool {
	ok := true
	stmt := func(st ast.Stmt) {
		if a, isAssign := st.(*ast.AssignStmt); isAssign {
			for _, l := range a.Lhs {
				if t, isIdx := l.(*ast.AttrGetExpr); isIdx {
					if id, isID := t.Object.(*ast.IdentExpr); isID && id.Value == name {
						ok = false // name[k] = v
					}
				}
			}
		}
	}
	walkAll(stmts, stmt, func(e ast.Expr, walk func(ast.Expr)) bool {
		switch x := e.(type) {
		case *ast.IdentExpr:
			ok = ok && x.Value != name
			return true
		case *ast.AttrGetExpr:
			if id, isID := x.Object.(*ast.IdentExpr); isID && id.Value == name {
				walk(x.Key) // name[k]: a read
				return true
			}
		}
		return false
	})
	return ok
}

// declaresLocal reports whether a body declares a local (or loop variable)
// named name anywhere outside nested functions.
func declaresLocal(stmts []ast.Stmt, name string) bool {
	found := false
	eachStmt(stmts, func(st ast.Stmt) {
		switch s := st.(type) {
		case *ast.LocalAssignStmt:
			found = found || slices.Contains(s.Names, name)
		case *ast.NumberForStmt:
			found = found || s.Name == name
		case *ast.GenericForStmt:
			found = found || slices.Contains(s.Names, name)
		}
	})
	return found
}

// writesName reports whether a function body assigns name (the event
// parameter): then a field test on it proves nothing.
func writesName(stmts []ast.Stmt, name string) bool {
	found := false
	eachStmt(stmts, func(st ast.Stmt) {
		if a, ok := st.(*ast.AssignStmt); ok {
			for _, l := range a.Lhs {
				if id, ok := l.(*ast.IdentExpr); ok && id.Value == name {
					found = true
				}
			}
		}
	})
	return found
}

// EventOf returns the event behind the userdata NewEvent made.
func EventOf(ud *lua.LUserData) *event.Event {
	if r, ok := ud.Value.(*rootProxy); ok {
		return r.ev
	}
	return nil
}
