package luavm

import "github.com/yuin/gopher-lua/ast"

// Walking gopher-lua syntax trees: the checks of lint.go and guard.go share
// these two visitors rather than each spelling out every node type.

// subExprs calls fn for each direct sub-expression of e (not the
// statements of a function body).
func subExprs(e ast.Expr, fn func(ast.Expr)) {
	switch x := e.(type) {
	case *ast.AttrGetExpr:
		fn(x.Object)
		fn(x.Key)
	case *ast.TableExpr:
		for _, f := range x.Fields {
			if f.Key != nil {
				fn(f.Key)
			}
			fn(f.Value)
		}
	case *ast.FuncCallExpr:
		if x.Func != nil {
			fn(x.Func)
		}
		if x.Receiver != nil {
			fn(x.Receiver)
		}
		for _, a := range x.Args {
			fn(a)
		}
	case *ast.LogicalOpExpr:
		fn(x.Lhs)
		fn(x.Rhs)
	case *ast.RelationalOpExpr:
		fn(x.Lhs)
		fn(x.Rhs)
	case *ast.StringConcatOpExpr:
		fn(x.Lhs)
		fn(x.Rhs)
	case *ast.ArithmeticOpExpr:
		fn(x.Lhs)
		fn(x.Rhs)
	case *ast.UnaryMinusOpExpr:
		fn(x.Expr)
	case *ast.UnaryNotOpExpr:
		fn(x.Expr)
	case *ast.UnaryLenOpExpr:
		fn(x.Expr)
	}
}

// stmtParts calls expr for each expression a statement holds (assignment
// targets included) and block for each statement list nested in it (not
// function bodies: a FuncDefStmt's body comes through its FunctionExpr).
func stmtParts(st ast.Stmt, expr func(ast.Expr), block func([]ast.Stmt)) {
	switch s := st.(type) {
	case *ast.AssignStmt:
		for _, e := range s.Lhs {
			expr(e)
		}
		for _, e := range s.Rhs {
			expr(e)
		}
	case *ast.LocalAssignStmt:
		for _, e := range s.Exprs {
			expr(e)
		}
	case *ast.FuncCallStmt:
		expr(s.Expr)
	case *ast.DoBlockStmt:
		block(s.Stmts)
	case *ast.WhileStmt:
		expr(s.Condition)
		block(s.Stmts)
	case *ast.RepeatStmt:
		block(s.Stmts)
		expr(s.Condition)
	case *ast.IfStmt:
		expr(s.Condition)
		block(s.Then)
		block(s.Else)
	case *ast.NumberForStmt:
		expr(s.Init)
		expr(s.Limit)
		if s.Step != nil {
			expr(s.Step)
		}
		block(s.Stmts)
	case *ast.GenericForStmt:
		for _, e := range s.Exprs {
			expr(e)
		}
		block(s.Stmts)
	case *ast.FuncDefStmt:
		if s.Name.Func != nil {
			expr(s.Name.Func)
		}
		if s.Name.Receiver != nil {
			expr(s.Name.Receiver)
		}
		expr(s.Func)
	case *ast.ReturnStmt:
		for _, e := range s.Exprs {
			expr(e)
		}
	}
}

// walkAll visits every statement and expression of stmts, function bodies
// included. stmt, when not nil, sees each statement before its parts; expr
// sees each expression and returns true when it has dealt with it
// (visiting what it wants of its parts through walk), false to let walkAll
// go on into its parts.
func walkAll(stmts []ast.Stmt, stmt func(ast.Stmt), expr func(e ast.Expr, walk func(ast.Expr)) bool) {
	var walk func(ast.Expr)
	var block func([]ast.Stmt)
	walk = func(e ast.Expr) {
		if expr(e, walk) {
			return
		}
		if f, ok := e.(*ast.FunctionExpr); ok {
			block(f.Stmts)
			return
		}
		subExprs(e, walk)
	}
	block = func(ss []ast.Stmt) {
		for _, st := range ss {
			if stmt != nil {
				stmt(st)
			}
			stmtParts(st, walk, block)
		}
	}
	block(stmts)
}

// eachStmt calls fn for every statement of a body, nested blocks included,
// function bodies not.
func eachStmt(stmts []ast.Stmt, fn func(ast.Stmt)) {
	var block func([]ast.Stmt)
	block = func(ss []ast.Stmt) {
		for _, st := range ss {
			fn(st)
			stmtParts(st, func(ast.Expr) {}, block)
		}
	}
	block(stmts)
}
