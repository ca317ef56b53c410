package luavm

import (
	"strings"

	lua "github.com/yuin/gopher-lua"
	"github.com/yuin/gopher-lua/ast"
)

// The .. operator under the allocation limit.
//
// gopher-lua runs `a .. b` as one VM instruction that allocates the whole
// result: `s = s .. s` ten times over a 16 MiB string asks for gigabytes,
// a few instructions apart, faster than the memory watchdog can stop the
// call (the process reached 2 GB). So at compile time every chain of ..
// becomes one call of a hidden built-in, concatName(a, b, c), that
// charges its result to the call (limits.go) before building it. A chain
// is one call, as it was one instruction, so `a .. ":" .. b` still builds
// one string.

const concatName = "__panther_concat"

// rewriteConcat replaces every .. chain in stmts by a call of concatName.
func rewriteConcat(stmts []ast.Stmt) {
	var expr func(e ast.Expr) ast.Expr
	var block func(ss []ast.Stmt)
	exprs := func(es []ast.Expr) {
		for i, e := range es {
			es[i] = expr(e)
		}
	}
	expr = func(e ast.Expr) ast.Expr {
		switch x := e.(type) {
		case *ast.StringConcatOpExpr:
			var args []ast.Expr
			var flatten func(e ast.Expr)
			flatten = func(e ast.Expr) {
				if c, ok := e.(*ast.StringConcatOpExpr); ok {
					flatten(c.Lhs)
					flatten(c.Rhs)
					return
				}
				e = expr(e)
				// An operand is one value, as in `"x" .. f()`.
				switch v := e.(type) {
				case *ast.FuncCallExpr:
					v.AdjustRet = true
				case *ast.Comma3Expr:
					v.AdjustRet = true
				}
				args = append(args, e)
			}
			flatten(x)
			fn := &ast.IdentExpr{Value: concatName}
			fn.SetLine(x.Line())
			fn.SetLastLine(x.LastLine())
			call := &ast.FuncCallExpr{Func: fn, Args: args}
			call.SetLine(x.Line())
			call.SetLastLine(x.LastLine())
			return call
		case *ast.AttrGetExpr:
			x.Object, x.Key = expr(x.Object), expr(x.Key)
		case *ast.TableExpr:
			for _, f := range x.Fields {
				if f.Key != nil {
					f.Key = expr(f.Key)
				}
				f.Value = expr(f.Value)
			}
		case *ast.FuncCallExpr:
			if x.Func != nil {
				x.Func = expr(x.Func)
			}
			if x.Receiver != nil {
				x.Receiver = expr(x.Receiver)
			}
			exprs(x.Args)
		case *ast.LogicalOpExpr:
			x.Lhs, x.Rhs = expr(x.Lhs), expr(x.Rhs)
		case *ast.RelationalOpExpr:
			x.Lhs, x.Rhs = expr(x.Lhs), expr(x.Rhs)
		case *ast.ArithmeticOpExpr:
			x.Lhs, x.Rhs = expr(x.Lhs), expr(x.Rhs)
		case *ast.UnaryMinusOpExpr:
			x.Expr = expr(x.Expr)
		case *ast.UnaryNotOpExpr:
			x.Expr = expr(x.Expr)
		case *ast.UnaryLenOpExpr:
			x.Expr = expr(x.Expr)
		case *ast.FunctionExpr:
			block(x.Stmts)
		}
		return e
	}
	block = func(ss []ast.Stmt) {
		for _, st := range ss {
			switch s := st.(type) {
			case *ast.AssignStmt:
				exprs(s.Lhs)
				exprs(s.Rhs)
			case *ast.LocalAssignStmt:
				exprs(s.Exprs)
			case *ast.FuncCallStmt:
				s.Expr = expr(s.Expr)
			case *ast.DoBlockStmt:
				block(s.Stmts)
			case *ast.WhileStmt:
				s.Condition = expr(s.Condition)
				block(s.Stmts)
			case *ast.RepeatStmt:
				block(s.Stmts)
				s.Condition = expr(s.Condition)
			case *ast.IfStmt:
				s.Condition = expr(s.Condition)
				block(s.Then)
				block(s.Else)
			case *ast.NumberForStmt:
				s.Init, s.Limit = expr(s.Init), expr(s.Limit)
				if s.Step != nil {
					s.Step = expr(s.Step)
				}
				block(s.Stmts)
			case *ast.GenericForStmt:
				exprs(s.Exprs)
				block(s.Stmts)
			case *ast.FuncDefStmt:
				block(s.Func.Stmts)
			case *ast.ReturnStmt:
				exprs(s.Exprs)
			}
		}
	}
	block(stmts)
}

// luaConcat is concatName: Lua's .., charged to the call. Strings and
// numbers join in one allocation; anything else goes through __concat
// metamethods right to left, as Lua does.
func (vm *VM) luaConcat(L *lua.LState) int {
	n := L.GetTop()
	total := int64(0)
	plain := true
	for i := 1; i <= n; i++ {
		switch v := L.Get(i).(type) {
		case lua.LString:
			total += int64(len(v))
		case lua.LNumber:
			total += 24
		default:
			plain = false
		}
	}
	if plain {
		vm.chargeResult(L, "..", total)
		var b strings.Builder
		b.Grow(int(total))
		for i := 1; i <= n; i++ {
			b.WriteString(lua.LVAsString(L.Get(i)))
		}
		L.Push(lua.LString(b.String()))
		return 1
	}
	rhs := L.Get(n)
	for i := n - 1; i >= 1; i-- {
		lhs := L.Get(i)
		if lua.LVCanConvToString(lhs) && lua.LVCanConvToString(rhs) {
			l, r := lua.LVAsString(lhs), lua.LVAsString(rhs)
			vm.chargeResult(L, "..", int64(len(l)+len(r)))
			rhs = lua.LString(l + r)
			continue
		}
		mm := L.GetMetaField(lhs, "__concat")
		if mm == lua.LNil {
			mm = L.GetMetaField(rhs, "__concat")
		}
		f, ok := mm.(*lua.LFunction)
		if !ok {
			L.RaiseError("cannot perform concat operation between %v and %v", lhs.Type().String(), rhs.Type().String())
		}
		L.Push(f)
		L.Push(lhs)
		L.Push(rhs)
		L.Call(2, 1)
		rhs = L.Get(-1)
		L.Pop(1)
	}
	L.Push(rhs)
	return 1
}
