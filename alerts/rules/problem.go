package rules

import (
	"fmt"
	"strings"
)

// Problem is what is wrong with an alert rule spec, and where.
type Problem struct {
	File    string
	Line    int
	Column  int
	Message string
	Hint    string
}

func (p Problem) Error() string {
	s := p.File
	if p.Line > 0 {
		s += fmt.Sprintf(":%d", p.Line)
	}
	s += ": " + p.Message
	if p.Hint != "" {
		s += " (" + p.Hint + ")"
	}
	return s
}

// Position is where the problem is (engine diagnostics read it).
func (p Problem) Position() (string, int) { return p.File, p.Line }

// Problems are every problem of a load.
type Problems []Problem

func (ps Problems) Error() string {
	var b []string
	for _, p := range ps {
		b = append(b, p.Error())
	}
	return strings.Join(b, "\n")
}

// plainError is an error without a position, placed by its caller.
type plainError string

func (e plainError) Error() string { return string(e) }

func errorf(format string, args ...any) error { return plainError(fmt.Sprintf(format, args...)) }
