package luavm

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"

	lua "github.com/yuin/gopher-lua"
	"github.com/yuin/gopher-lua/parse"
)

// Chunk is a compiled Lua file. It is immutable and shared by every VM.
type Chunk struct {
	Name   string // the file, as shown in errors
	proto  *lua.FunctionProto
	guards map[string]*Guard
	// cover counts the statements run, when compiled with coverage
	// (coverage.go): the one part of a Chunk that changes.
	cover *coverage
}

// SyntaxError is a Lua file that does not compile.
type SyntaxError struct {
	File    string
	Line    int
	Column  int
	Message string
}

func (e *SyntaxError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Message)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Message)
}

var lineColRe = regexp.MustCompile(`line:(\d+)\(column:(\d+)\)`)

// rewriteConcats is off only in BenchmarkConcat, to measure what the
// rewrite costs.
var rewriteConcats = true

// Compile parses and compiles Lua source once.
func Compile(name string, src []byte) (*Chunk, error) {
	return CompileWith(name, src, CompileOptions{})
}

// CompileWith is Compile with options.
func CompileWith(name string, src []byte, opts CompileOptions) (*Chunk, error) {
	stmts, err := parse.Parse(strings.NewReader(string(src)), name)
	if err != nil {
		return nil, syntaxError(name, err, src)
	}
	if errs := checkGlobalWrites(name, stmts); len(errs) > 0 {
		return nil, errs[0]
	}
	guards := findGuards(stmts)
	var cover *coverage
	if opts.Coverage {
		var lines []int
		stmts, lines = instrument(stmts)
		cover = &coverage{lines: lines, hits: make([]atomic.Uint64, len(lines))}
		guards = nil // rule() runs for every event, its opening test counted
	}
	if rewriteConcats {
		rewriteConcat(stmts) // .. under the allocation limit (concat.go)
	}
	proto, err := lua.Compile(stmts, name)
	if err != nil {
		return nil, syntaxError(name, err, src)
	}
	return &Chunk{Name: name, proto: proto, guards: guards, cover: cover}, nil
}

// syntaxError turns gopher-lua's parse errors ("name line:3(column:5) near
// 'x':   syntax error") into file:line errors.
func syntaxError(name string, err error, src []byte) error {
	msg := err.Error()
	se := &SyntaxError{File: name, Message: msg}
	if pe, ok := err.(*parse.Error); ok {
		se.Message = strings.TrimSpace(pe.Message)
		if pe.Pos.Line == parse.EOF {
			se.Line = bytesLines(src)
			se.Message += " at end of file (a missing 'end' or closing bracket?)"
			return se
		}
		se.Line, se.Column = pe.Pos.Line, pe.Pos.Column
		if pe.Token != "" {
			se.Message = fmt.Sprintf("near %q: %s", pe.Token, se.Message)
		}
		return se
	}
	if ce, ok := err.(*lua.CompileError); ok {
		se.Line, se.Message = ce.Line, ce.Message
		return se
	}
	if m := lineColRe.FindStringSubmatch(msg); m != nil {
		se.Line, _ = strconv.Atoi(m[1])
		se.Column, _ = strconv.Atoi(m[2])
		rest := msg[strings.Index(msg, m[0])+len(m[0]):]
		se.Message = strings.TrimSpace(strings.Join(strings.Fields(rest), " "))
	}
	return se
}

func bytesLines(src []byte) int {
	n := strings.Count(string(src), "\n")
	if len(src) > 0 && src[len(src)-1] != '\n' {
		n++
	}
	return max(n, 1)
}
