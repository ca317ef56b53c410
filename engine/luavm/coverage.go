package luavm

import (
	"slices"
	"strconv"
	"sync/atomic"

	lua "github.com/yuin/gopher-lua"
	"github.com/yuin/gopher-lua/ast"
)

// Line coverage of Lua files (panther test --coverage).
//
// gopher-lua has no line hook (no debug.sethook, and its VM loop has no
// callback per instruction), so coverage is compiled in: CompileWith
// (Coverage: true) puts a probe, a call of the hidden built-in coverName
// with the probe's number, before every statement of every block — the
// chunk's top level, function bodies, the branches of if, loop bodies —
// and the Chunk counts the probes that ran. A line is covered when every
// statement that starts on it ran: `if x then return 1 end` on one line is
// not covered by an event where x is false, and a one-line function is not
// covered by the chunk's load alone.
//
// Coverage off costs nothing: Compile builds the chunk without probes, as
// before (BenchmarkCoverage runs the same rule both ways). An instrumented
// chunk has no guards either, so that rule() runs for every event and its
// opening test counts as run.

const coverName = "__panther_cover"

// CompileOptions choose how a chunk is compiled.
type CompileOptions struct {
	// Coverage instruments the chunk to count the statements that run.
	Coverage bool
}

// coverage is what an instrumented chunk counts: per probe, its line and
// how many times it ran (shared by every VM that runs the chunk).
type coverage struct {
	lines []int
	hits  []atomic.Uint64
}

// LineCoverage is the coverage of one Lua file.
type LineCoverage struct {
	File string
	// Lines are the lines holding statements, ascending; Hits[i] is how
	// many times every statement of Lines[i] ran (the least of them).
	Lines []int
	Hits  []uint64
}

// Covered counts the lines whose statements all ran.
func (c *LineCoverage) Covered() int {
	n := 0
	for _, h := range c.Hits {
		if h > 0 {
			n++
		}
	}
	return n
}

// Coverage returns the lines of an instrumented chunk and their counts so
// far; nil when the chunk was compiled without coverage.
func (c *Chunk) Coverage() *LineCoverage {
	if c.cover == nil {
		return nil
	}
	byLine := map[int]uint64{}
	for i, l := range c.cover.lines {
		h := c.cover.hits[i].Load()
		if old, seen := byLine[l]; !seen || h < old {
			byLine[l] = h
		}
	}
	out := &LineCoverage{File: c.Name}
	for l := range byLine {
		out.Lines = append(out.Lines, l)
	}
	slices.Sort(out.Lines)
	for _, l := range out.Lines {
		out.Hits = append(out.Hits, byLine[l])
	}
	return out
}

// coverFunc is the probe built-in of an environment of chunk c.
func (c *coverage) fn(L *lua.LState) int {
	if i := L.CheckInt(1); i >= 0 && i < len(c.hits) {
		c.hits[i].Add(1)
	}
	return 0
}

// instrument puts a probe before every statement of stmts, nested blocks
// and function bodies included, and returns the probes' lines.
func instrument(stmts []ast.Stmt) ([]ast.Stmt, []int) {
	var lines []int
	var block func([]ast.Stmt) []ast.Stmt
	var expr func(ast.Expr)
	expr = func(e ast.Expr) {
		if e == nil {
			return
		}
		if f, ok := e.(*ast.FunctionExpr); ok {
			f.Stmts = block(f.Stmts)
			return
		}
		subExprs(e, expr)
	}
	block = func(ss []ast.Stmt) []ast.Stmt {
		out := make([]ast.Stmt, 0, 2*len(ss))
		for _, st := range ss {
			switch s := st.(type) {
			case *ast.DoBlockStmt:
				s.Stmts = block(s.Stmts)
			case *ast.WhileStmt:
				expr(s.Condition)
				s.Stmts = block(s.Stmts)
			case *ast.RepeatStmt:
				s.Stmts = block(s.Stmts)
				expr(s.Condition)
			case *ast.IfStmt:
				expr(s.Condition)
				s.Then = block(s.Then)
				s.Else = block(s.Else)
			case *ast.NumberForStmt:
				expr(s.Init)
				expr(s.Limit)
				expr(s.Step)
				s.Stmts = block(s.Stmts)
			case *ast.GenericForStmt:
				for _, e := range s.Exprs {
					expr(e)
				}
				s.Stmts = block(s.Stmts)
			default:
				stmtParts(st, expr, func([]ast.Stmt) {})
			}
			if _, label := st.(*ast.LabelStmt); !label {
				out = append(out, probe(len(lines), st.Line()))
				lines = append(lines, st.Line())
			}
			out = append(out, st)
		}
		return out
	}
	return block(stmts), lines
}

func probe(id, line int) ast.Stmt {
	fn := &ast.IdentExpr{Value: coverName}
	fn.SetLine(line)
	fn.SetLastLine(line)
	num := &ast.NumberExpr{Value: strconv.Itoa(id)}
	num.SetLine(line)
	num.SetLastLine(line)
	call := &ast.FuncCallExpr{Func: fn, Args: []ast.Expr{num}}
	call.SetLine(line)
	call.SetLastLine(line)
	st := &ast.FuncCallStmt{Expr: call}
	st.SetLine(line)
	st.SetLastLine(line)
	return st
}
