package packs

import (
	"bytes"
	"fmt"

	"github.com/yuin/gopher-lua/parse"

	"panther/engine/luavm"
)

// Require is one require("name") call found in a Lua file.
type Require struct {
	Name string
	Line int
}

// RequireError is a require the scanner cannot resolve statically.
type RequireError struct {
	File    string
	Line    int
	Message string
}

func (e *RequireError) Error() string {
	return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Message)
}

// ScanRequires lists the require calls of a Lua source, in order, with the
// names of built-in modules left out. It reads tokens with gopher-lua's own
// lexer, so comments, long strings and escapes are exactly Lua's. Only
// string literal arguments are accepted — require("x"), require "x",
// require [[x]] — because the pack builder must know the helpers a
// detection needs without running it. Any other use of the name require
// (a variable argument, an alias such as local r = require) is an error at
// its line. The error of a source that does not tokenise is returned as
// is; the engine reports Lua syntax errors on its own.
func ScanRequires(file string, src []byte) ([]Require, []*RequireError) {
	sc := parse.NewScanner(bytes.NewReader(src), file)
	lx := &parse.Lexer{}
	var (
		out  []Require
		errs []*RequireError
		prev int // type of the previous token
		toks [4]tokenInfo
	)
	next := func() (tokenInfo, bool) {
		tok, err := sc.Scan(lx)
		if err != nil {
			return tokenInfo{}, false
		}
		lx.PrevTokenType = tok.Type
		return tokenInfo{typ: tok.Type, str: tok.Str, line: tok.Pos.Line}, tok.Type != parse.EOF
	}
	// A small lookahead buffer: require ( "x" ) needs three more tokens.
	n := 0
	fill := func(k int) {
		for n < k {
			t, ok := next()
			if !ok {
				t = tokenInfo{typ: parse.EOF}
			}
			toks[n] = t
			n++
		}
	}
	shift := func() {
		copy(toks[:], toks[1:n])
		n--
	}
	for {
		fill(1)
		t := toks[0]
		if t.typ == parse.EOF {
			break
		}
		if t.typ == parse.TIdent && t.str == "require" && prev != '.' && prev != ':' {
			fill(4)
			a, b, c := toks[1], toks[2], toks[3]
			switch {
			case a.typ == parse.TString:
				out = appendRequire(out, a.str, t.line)
				prev = parse.TString
				shift()
				shift()
				continue
			case a.typ == '(' && b.typ == parse.TString && c.typ == ')':
				out = appendRequire(out, b.str, t.line)
				prev = ')'
				for range 4 {
					shift()
				}
				continue
			case a.typ == '(':
				errs = append(errs, &RequireError{File: file, Line: t.line,
					Message: `require with an argument that is not a string literal: write require("GlobalID") so the pack builder knows which helper to include`})
			default:
				errs = append(errs, &RequireError{File: file, Line: t.line,
					Message: `require used other than as a call: write require("GlobalID") so the pack builder knows which helper to include`})
			}
		}
		prev = t.typ
		shift()
	}
	return out, errs
}

type tokenInfo struct {
	typ  int
	str  string
	line int
}

func appendRequire(out []Require, name string, line int) []Require {
	if luavm.IsBuiltinModule(name) { // what require returns without a helper: not part of a pack
		return out
	}
	return append(out, Require{Name: name, Line: line})
}
