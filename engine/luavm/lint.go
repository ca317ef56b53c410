package luavm

import (
	"fmt"

	"github.com/yuin/gopher-lua/ast"
)

// Detections keep no state between events: a function may not assign a
// global (only the top level of a file defines them). This is checked on
// the syntax tree when a file is compiled, so the error names the line at
// validation time, and it lets an environment be a plain table — one
// lookup per global read — while the VM still refuses new globals at run
// time and _G is read-only.

// GlobalWriteError is an assignment to a global inside a function.
type GlobalWriteError struct {
	File, Name, Func string
	Line             int
}

// Position is where the assignment is.
func (e *GlobalWriteError) Position() (string, int) { return e.File, e.Line }

func (e *GlobalWriteError) Error() string {
	in := "a function"
	if e.Func != "" {
		in = e.Func + "()"
	}
	return fmt.Sprintf("%s:%d: assignment to global %q in %s: detections keep no state between events (declare it local, or set it at the top of the file)", e.File, e.Line, e.Name, in)
}

// SwapError is a multiple assignment that reads a local it assigns earlier
// in the same statement (a, b = b, a). gopher-lua assigns locals left to
// right without temporaries, so the read sees the new value
// (yuin/gopher-lua#440): refused at compile time rather than computed
// wrong.
type SwapError struct {
	File, Name string
	Line       int
}

// Position is where the assignment is.
func (e *SwapError) Position() (string, int) { return e.File, e.Line }

func (e *SwapError) Error() string {
	return fmt.Sprintf("%s:%d: this assignment reads local %q after assigning it in the same statement, which gopher-lua evaluates wrongly (a, b = b, a gives b, b): copy the value first (local old = %s)", e.File, e.Line, e.Name, e.Name)
}

type scope struct {
	names  map[string]bool
	parent *scope
}

func (s *scope) declared(n string) bool {
	for ; s != nil; s = s.parent {
		if s.names[n] {
			return true
		}
	}
	return false
}

func (s *scope) child() *scope { return &scope{names: map[string]bool{}, parent: s} }

type linter struct {
	file string
	errs []error
}

// checkGlobalWrites walks a chunk and reports assignments to globals made
// inside functions.
func checkGlobalWrites(file string, stmts []ast.Stmt) []error {
	l := &linter{file: file}
	l.block(stmts, &scope{names: map[string]bool{}}, 0, "")
	return l.errs
}

func (l *linter) block(stmts []ast.Stmt, sc *scope, depth int, fn string) {
	for _, st := range stmts {
		l.stmt(st, sc, depth, fn)
	}
}

func (l *linter) assign(name string, line int, sc *scope, depth int, fn string) {
	if depth > 0 && !sc.declared(name) {
		l.errs = append(l.errs, &GlobalWriteError{File: l.file, Name: name, Func: fn, Line: line})
	}
}

func (l *linter) stmt(st ast.Stmt, sc *scope, depth int, fn string) {
	switch s := st.(type) {
	case *ast.AssignStmt:
		l.swaps(s, sc)
		for _, e := range s.Lhs {
			if id, ok := e.(*ast.IdentExpr); ok {
				l.assign(id.Value, s.Line(), sc, depth, fn)
			} else {
				l.expr(e, sc, depth, fn)
			}
		}
		l.exprs(s.Rhs, sc, depth, fn)
	case *ast.LocalAssignStmt:
		for _, n := range s.Names {
			sc.names[n] = true
		}
		l.exprs(s.Exprs, sc, depth, fn)
	case *ast.FuncCallStmt:
		l.expr(s.Expr, sc, depth, fn)
	case *ast.DoBlockStmt:
		l.block(s.Stmts, sc.child(), depth, fn)
	case *ast.WhileStmt:
		l.expr(s.Condition, sc, depth, fn)
		l.block(s.Stmts, sc.child(), depth, fn)
	case *ast.RepeatStmt:
		inner := sc.child()
		l.block(s.Stmts, inner, depth, fn)
		l.expr(s.Condition, inner, depth, fn)
	case *ast.IfStmt:
		l.expr(s.Condition, sc, depth, fn)
		l.block(s.Then, sc.child(), depth, fn)
		l.block(s.Else, sc.child(), depth, fn)
	case *ast.NumberForStmt:
		l.expr(s.Init, sc, depth, fn)
		l.expr(s.Limit, sc, depth, fn)
		if s.Step != nil {
			l.expr(s.Step, sc, depth, fn)
		}
		inner := sc.child()
		inner.names[s.Name] = true
		l.block(s.Stmts, inner, depth, fn)
	case *ast.GenericForStmt:
		l.exprs(s.Exprs, sc, depth, fn)
		inner := sc.child()
		for _, n := range s.Names {
			inner.names[n] = true
		}
		l.block(s.Stmts, inner, depth, fn)
	case *ast.FuncDefStmt:
		name := ""
		if id, ok := s.Name.Func.(*ast.IdentExpr); ok && s.Name.Receiver == nil {
			// function name() ... end assigns the global name.
			l.assign(id.Value, s.Line(), sc, depth, fn)
			name = id.Value
		} else if s.Name.Func != nil {
			l.expr(s.Name.Func, sc, depth, fn)
		}
		if s.Name.Receiver != nil {
			l.expr(s.Name.Receiver, sc, depth, fn)
			name = s.Name.Method
		}
		l.function(s.Func, sc, depth, name)
	case *ast.ReturnStmt:
		l.exprs(s.Exprs, sc, depth, fn)
	}
}

func (l *linter) function(f *ast.FunctionExpr, sc *scope, depth int, name string) {
	inner := sc.child()
	if f.ParList != nil {
		for _, n := range f.ParList.Names {
			inner.names[n] = true
		}
	}
	l.block(f.Stmts, inner, depth+1, name)
}

func (l *linter) exprs(es []ast.Expr, sc *scope, depth int, fn string) {
	for _, e := range es {
		l.expr(e, sc, depth, fn)
	}
}

func (l *linter) expr(e ast.Expr, sc *scope, depth int, fn string) {
	if f, ok := e.(*ast.FunctionExpr); ok {
		l.function(f, sc, depth, fn)
		return
	}
	subExprs(e, func(c ast.Expr) { l.expr(c, sc, depth, fn) })
}

// swaps reports a multiple assignment whose right side reads a local that
// an earlier target of the same statement assigns.
func (l *linter) swaps(s *ast.AssignStmt, sc *scope) {
	if len(s.Lhs) < 2 {
		return
	}
	for j := 1; j < len(s.Rhs) && j < len(s.Lhs); j++ {
		reads := map[string]bool{}
		identsRead(s.Rhs[j], reads)
		for i := 0; i < j; i++ {
			id, ok := s.Lhs[i].(*ast.IdentExpr)
			if ok && reads[id.Value] && sc.declared(id.Value) {
				l.errs = append(l.errs, &SwapError{File: l.file, Name: id.Value, Line: s.Line()})
				return
			}
		}
	}
}

// identsRead collects the names an expression reads, outside of nested
// function bodies (which run later).
func identsRead(e ast.Expr, out map[string]bool) {
	switch x := e.(type) {
	case *ast.IdentExpr:
		out[x.Value] = true
	case *ast.FunctionExpr:
		return
	}
	subExprs(e, func(c ast.Expr) { identsRead(c, out) })
}
