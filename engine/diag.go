package engine

import (
	"fmt"
	"slices"
	"strings"
)

// Level is how bad a diagnostic is.
type Level int

// Levels.
const (
	LevelError Level = iota
	LevelWarning
)

func (l Level) String() string {
	if l == LevelWarning {
		return "warning"
	}
	return "error"
}

// Diagnostic is one problem found while loading or validating detections.
type Diagnostic struct {
	File    string
	Line    int // 1-based; 0 when the problem is about the whole file
	Column  int
	Level   Level
	ID      string // the detection, helper, ... concerned, when known
	Message string
	Hint    string // what to do about it
}

func (d Diagnostic) String() string {
	var b strings.Builder
	b.WriteString(d.File)
	if d.Line > 0 {
		fmt.Fprintf(&b, ":%d", d.Line)
		if d.Column > 0 {
			fmt.Fprintf(&b, ":%d", d.Column)
		}
	}
	fmt.Fprintf(&b, ": %s: %s", d.Level, d.Message)
	if d.Hint != "" {
		b.WriteString(" (" + d.Hint + ")")
	}
	return b.String()
}

// Diagnostics is a list of problems.
type Diagnostics []Diagnostic

// Errors counts the errors (not warnings).
func (ds Diagnostics) Errors() int {
	n := 0
	for _, d := range ds {
		if d.Level == LevelError {
			n++
		}
	}
	return n
}

// Sort orders by file, line, column, message: stable output for any load
// order.
func (ds Diagnostics) Sort() {
	slices.SortStableFunc(ds, func(a, b Diagnostic) int {
		if c := strings.Compare(a.File, b.File); c != 0 {
			return c
		}
		if a.Line != b.Line {
			return a.Line - b.Line
		}
		if a.Column != b.Column {
			return a.Column - b.Column
		}
		return strings.Compare(a.Message, b.Message)
	})
}

type diagList struct{ ds Diagnostics }

func (l *diagList) add(d Diagnostic) { l.ds = append(l.ds, d) }

func (l *diagList) errorf(file string, line, col int, hint, format string, args ...any) {
	l.add(Diagnostic{File: file, Line: line, Column: col, Level: LevelError, Message: fmt.Sprintf(format, args...), Hint: hint})
}

func (l *diagList) warnf(file string, line, col int, hint, format string, args ...any) {
	l.add(Diagnostic{File: file, Line: line, Column: col, Level: LevelWarning, Message: fmt.Sprintf(format, args...), Hint: hint})
}
