package luavm

import (
	"slices"
	"unsafe"

	lua "github.com/yuin/gopher-lua"
	"github.com/yuin/gopher-lua/ast"

	"panther/parsers/event"
)

// Guards: most rules open with a test on a field of the event —
//
//	if event.eventSource ~= "cloudtrail.amazonaws.com" then return false end
//	return event.eventName == "ConsoleLogin" and ...
//
// — and in a replay almost every event fails it. When the first statement
// of rule() is such a test, we read it off the syntax tree once, and the
// engine checks it in Go before calling Lua: an event that fails it cannot
// match (the function would return false before doing anything else), so
// the call is skipped. Only tests whose outcome is certain are taken: a
// field compared with string literals, combined with and/or/not as their
// truth allows; anything else leaves the rule without a guard. A
// differential test (TestGuardsChangeNothing in engine/replay) runs the
// shipped rules with and without guards over real-shaped events.

// Guard says that rule() can only return true when the field at Path is a
// string equal to one of Values.
type Guard struct {
	Path   []string
	Values []string
}

// Pass reports whether e may match.
func (g *Guard) Pass(e *event.Event) bool {
	v, ok := g.Value(e)
	return ok && slices.Contains(g.Values, v)
}

// Value is the string at the guard's path (valid while e is), if any.
func (g *Guard) Value(e *event.Event) (string, bool) {
	if e.Fields == nil {
		return "", false
	}
	v := e.Fields.Get(g.Path...)
	if v == nil {
		return "", false
	}
	b, err := v.StringBytes()
	if err != nil {
		return "", false
	}
	return unsafe.String(unsafe.SliceData(b), len(b)), true
}

// Guard returns the guard of the global function name, or nil.
func (c *Chunk) Guard(name string) *Guard { return c.guards[name] }

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
	out := map[string]*Guard{}
	for name, f := range defs {
		if assigned[name] != 1 || f.ParList == nil || len(f.ParList.Names) == 0 || len(f.Stmts) == 0 {
			continue
		}
		param := f.ParList.Names[0]
		if writesName(f.Stmts, param) {
			continue
		}
		var g *Guard
		switch s := f.Stmts[0].(type) {
		case *ast.IfStmt:
			// if C then return false end: C false is necessary.
			if len(s.Then) == 1 && isReturnFalse(s.Then[0]) {
				g = need(s.Condition, false, param)
			}
		case *ast.ReturnStmt:
			// return C: C true is necessary.
			if len(s.Exprs) == 1 {
				g = need(s.Exprs[0], true, param)
			}
		}
		if g != nil {
			out[name] = g
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

// need returns a guard that must hold for e to evaluate to truth, or nil.
func need(e ast.Expr, truth bool, param string) *Guard {
	switch x := e.(type) {
	case *ast.UnaryNotOpExpr:
		return need(x.Expr, !truth, param)
	case *ast.RelationalOpExpr:
		if (x.Operator == "==") != truth || (x.Operator != "==" && x.Operator != "~=") {
			return nil // a "not equal" outcome constrains nothing we use
		}
		path, lit, ok := fieldAndLiteral(x.Lhs, x.Rhs, param)
		if !ok {
			path, lit, ok = fieldAndLiteral(x.Rhs, x.Lhs, param)
		}
		if !ok {
			return nil
		}
		return &Guard{Path: path, Values: []string{lit}}
	case *ast.LogicalOpExpr:
		both := x.Operator == "and" && truth || x.Operator == "or" && !truth
		l, r := need(x.Lhs, truth, param), need(x.Rhs, truth, param)
		if both {
			// Both sides take the outcome: either side's guard holds.
			if l != nil {
				return l
			}
			return r
		}
		// One side or the other: a guard only when both constrain the
		// same field, then to either's values.
		if l == nil || r == nil || !slices.Equal(l.Path, r.Path) {
			return nil
		}
		vals := append(slices.Clone(l.Values), r.Values...)
		slices.Sort(vals)
		return &Guard{Path: l.Path, Values: slices.Compact(vals)}
	}
	return nil
}

// fieldAndLiteral matches `param.a.b` (or param["a"], param:get("a", "b"))
// against a string literal.
func fieldAndLiteral(f, lit ast.Expr, param string) ([]string, string, bool) {
	s, ok := lit.(*ast.StringExpr)
	if !ok {
		return nil, "", false
	}
	path := fieldPath(f, param)
	if path == nil {
		return nil, "", false
	}
	return path, s.Value, true
}

func fieldPath(e ast.Expr, param string) []string {
	switch x := e.(type) {
	case *ast.AttrGetExpr:
		key, ok := x.Key.(*ast.StringExpr)
		if !ok {
			return nil
		}
		if id, ok := x.Object.(*ast.IdentExpr); ok {
			if id.Value != param {
				return nil
			}
			return []string{key.Value}
		}
		base := fieldPath(x.Object, param)
		if base == nil {
			return nil
		}
		return append(base, key.Value)
	case *ast.FuncCallExpr:
		recv, ok := x.Receiver.(*ast.IdentExpr)
		if !ok || recv.Value != param || x.Method != "get" || len(x.Args) == 0 {
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

// writesName reports whether a function body assigns name (the event
// parameter): then a field test on it proves nothing.
func writesName(stmts []ast.Stmt, name string) bool {
	found := false
	var walk func([]ast.Stmt)
	walk = func(ss []ast.Stmt) {
		for _, st := range ss {
			switch s := st.(type) {
			case *ast.AssignStmt:
				for _, l := range s.Lhs {
					if id, ok := l.(*ast.IdentExpr); ok && id.Value == name {
						found = true
					}
				}
			case *ast.DoBlockStmt:
				walk(s.Stmts)
			case *ast.WhileStmt:
				walk(s.Stmts)
			case *ast.RepeatStmt:
				walk(s.Stmts)
			case *ast.IfStmt:
				walk(s.Then)
				walk(s.Else)
			case *ast.NumberForStmt:
				walk(s.Stmts)
			case *ast.GenericForStmt:
				walk(s.Stmts)
			}
		}
	}
	walk(stmts)
	return found
}

// EventOf returns the event behind the userdata NewEvent made.
func EventOf(ud *lua.LUserData) *event.Event {
	if r, ok := ud.Value.(*rootProxy); ok {
		return r.ev
	}
	return nil
}
