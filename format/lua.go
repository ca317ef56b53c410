package format

import (
	"fmt"
	"slices"
	"strings"
)

// Lua returns the canonical form of a Lua file: each statement indented two
// spaces a block level, lines that continue a statement kept at their
// offset from its first line, trailing spaces removed, at most one blank
// line in a row, one final newline. The text of long strings and long
// comments is left as written. The tokens of the result are checked to be
// those of the source.
func Lua(src []byte) ([]byte, error) {
	text := strings.ReplaceAll(string(src), "\r\n", "\n")
	toks, err := luaTokens(text)
	if err != nil {
		return nil, err
	}
	lines := strings.Split(text, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	// Per line: its tokens; whether it starts inside a long string.
	byLine := make([][]token, len(lines))
	verbatim := make([]bool, len(lines))
	for _, t := range toks {
		if t.line < len(lines) {
			byLine[t.line] = append(byLine[t.line], t)
		}
		for l := t.line + 1; l <= t.endLine && l < len(lines); l++ {
			verbatim[l] = true // inside a multi-line token
		}
	}
	out := make([]string, 0, len(lines))
	depth := 0        // block depth at the start of the line
	var stack []frame // open blocks and brackets
	delta := 0        // indent change of the last statement line, for its continuations
	prevCode := token{}
	for i, line := range lines {
		code := codeTokens(byLine[i])
		trimmed := strings.Trim(line, " \t\r")
		switch {
		case verbatim[i]:
			out = append(out, line)
		case trimmed == "":
			out = append(out, "")
		default:
			old := len(line) - len(strings.TrimLeft(line, " \t"))
			var ind int
			hanging := len(stack) > 0 && stack[len(stack)-1].hanging
			inBracket := len(stack) > 0 && strings.Contains("({[", stack[len(stack)-1].tok)
			cont := len(code) > 0 && prevCode.text != "" && (continues(prevCode) || startsContinuation(code[0]) ||
				prevCode.text == "," && prevCode.kind == tkPunct && !inBracket)
			switch {
			case hanging:
				ind = old + delta
			case len(code) == 0: // a comment line: the level of what follows
				ind = 2 * depth
			case cont && !closes(code[0]):
				ind = old + delta
			default:
				d := depth
				if closes(code[0]) {
					d--
				}
				ind = 2 * max(d, 0)
				delta = ind - old
			}
			out = append(out, strings.Repeat(" ", max(ind, 0))+strings.TrimRight(strings.TrimLeft(line, " \t\r"), " \t\r"))
		}
		// The blocks and brackets this line opens and closes.
		for j, t := range code {
			switch {
			case opens(t):
				hangs := t.kind == tkPunct && j < len(code)-1
				if len(stack) > 0 && stack[len(stack)-1].hanging {
					hangs = true
				}
				stack = append(stack, frame{tok: t.text, hanging: hangs})
				if !hangs {
					depth++
				}
			case t.kind == tkName && t.text == "else":
				// the block of then goes on
			case closes(t):
				if len(stack) > 0 {
					if !stack[len(stack)-1].hanging {
						depth--
					}
					stack = stack[:len(stack)-1]
				}
			}
		}
		if len(code) > 0 {
			prevCode = code[len(code)-1]
		}
	}
	res := []byte(strings.Join(luaRegular(out, verbatim), "\n") + "\n")
	after, err := luaTokens(string(res))
	if err != nil || !sameTokens(toks, after) {
		return src, fmt.Errorf("left as written: re-indenting changed its tokens")
	}
	return res, nil
}

type frame struct {
	tok     string
	hanging bool // a bracket with more on its line: its lines keep their offsets
}

func luaRegular(lines []string, verbatim []bool) []string {
	out := make([]string, 0, len(lines))
	for i, l := range lines {
		if !verbatim[i] && l == "" && (len(out) == 0 || out[len(out)-1] == "") {
			continue
		}
		out = append(out, l)
	}
	for len(out) > 0 && out[len(out)-1] == "" {
		out = out[:len(out)-1]
	}
	return out
}

// opens: a block keyword or an opening bracket. "do" after while/for and
// "then" after if/elseif open the block; function opens its body.
func opens(t token) bool {
	switch t.kind {
	case tkName:
		switch t.text {
		case "function", "do", "then", "repeat":
			return true
		}
	case tkPunct:
		return t.text == "(" || t.text == "{" || t.text == "["
	}
	return false
}

func closes(t token) bool {
	switch t.kind {
	case tkName:
		switch t.text {
		case "end", "until", "else", "elseif":
			return true
		}
	case tkPunct:
		return t.text == ")" || t.text == "}" || t.text == "]"
	}
	return false
}

var binaryOps = []string{"and", "or", "..", "+", "-", "*", "/", "%", "^", "==", "~=", "<", ">", "<=", ">=", "="}

// continues: a line ending in a binary operator (or =) goes on below.
func continues(t token) bool {
	return (t.kind == tkPunct || t.kind == tkName) && slices.Contains(binaryOps, t.text)
}

// startsContinuation: a line starting with a binary operator continues the
// one above ("-" is left out: it may start a statement's expression only
// after "return", which ends a line rarely).
func startsContinuation(t token) bool {
	return (t.kind == tkPunct || t.kind == tkName) && t.text != "-" && t.text != "=" && slices.Contains(binaryOps, t.text)
}

func codeTokens(ts []token) []token {
	out := ts[:0:0]
	for _, t := range ts {
		if t.kind != tkComment {
			out = append(out, t)
		}
	}
	return out
}

func sameTokens(a, b []token) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].kind != b[i].kind || a[i].text != b[i].text && a[i].kind != tkComment {
			return false
		}
		if a[i].kind == tkComment && strings.TrimRight(a[i].text, " \t") != strings.TrimRight(b[i].text, " \t") {
			return false
		}
	}
	return true
}

type tokKind int

const (
	tkName tokKind = iota
	tkNumber
	tkString
	tkComment
	tkPunct
)

type token struct {
	kind          tokKind
	text          string
	line, endLine int // 0-based
}

// luaTokens splits Lua 5.1 source into tokens, with their lines.
func luaTokens(s string) ([]token, error) {
	var out []token
	line := 0
	i := 0
	emit := func(kind tokKind, start int) {
		text := s[start:i]
		n := strings.Count(text, "\n")
		out = append(out, token{kind: kind, text: text, line: line, endLine: line + n})
		line += n
	}
	for i < len(s) {
		c := s[i]
		switch {
		case c == '\n':
			line++
			i++
		case c == ' ' || c == '\t' || c == '\r':
			i++
		case c == '-' && strings.HasPrefix(s[i:], "--"):
			start := i
			i += 2
			if lvl, ok := longOpen(s[i:]); ok {
				end := strings.Index(s[i:], "]"+strings.Repeat("=", lvl)+"]")
				if end < 0 {
					return nil, fmt.Errorf("line %d: unfinished long comment", line+1)
				}
				i += end + lvl + 2
			} else {
				for i < len(s) && s[i] != '\n' {
					i++
				}
			}
			emit(tkComment, start)
		case c == '[':
			if lvl, ok := longOpen(s[i:]); ok {
				start := i
				end := strings.Index(s[i:], "]"+strings.Repeat("=", lvl)+"]")
				if end < 0 {
					return nil, fmt.Errorf("line %d: unfinished long string", line+1)
				}
				i += end + lvl + 2
				emit(tkString, start)
				continue
			}
			i++
			out = append(out, token{kind: tkPunct, text: "[", line: line, endLine: line})
		case c == '"' || c == '\'':
			start := i
			i++
			for i < len(s) && s[i] != c {
				if s[i] == '\\' {
					i++
				} else if s[i] == '\n' {
					return nil, fmt.Errorf("line %d: unfinished string", line+1)
				}
				i++
			}
			if i >= len(s) {
				return nil, fmt.Errorf("line %d: unfinished string", line+1)
			}
			i++
			emit(tkString, start)
		case isNameStart(c):
			start := i
			for i < len(s) && (isNameStart(s[i]) || s[i] >= '0' && s[i] <= '9') {
				i++
			}
			emit(tkName, start)
		case c >= '0' && c <= '9' || c == '.' && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9':
			start := i
			for i < len(s) && (isNameStart(s[i]) || s[i] >= '0' && s[i] <= '9' || s[i] == '.' ||
				(s[i] == '-' || s[i] == '+') && (s[i-1] == 'e' || s[i-1] == 'E') && !strings.HasPrefix(s[start:], "0x")) {
				i++
			}
			emit(tkNumber, start)
		default:
			start := i
			for _, op := range []string{"...", "..", "==", "~=", "<=", ">="} {
				if strings.HasPrefix(s[i:], op) {
					i += len(op)
					break
				}
			}
			if i == start {
				i++
			}
			emit(tkPunct, start)
		}
	}
	return out, nil
}

func isNameStart(c byte) bool { return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// longOpen reports whether s starts a long bracket [[ or [==[, and its level.
func longOpen(s string) (int, bool) {
	if len(s) < 2 || s[0] != '[' {
		return 0, false
	}
	j := 1
	for j < len(s) && s[j] == '=' {
		j++
	}
	if j < len(s) && s[j] == '[' {
		return j - 1, true
	}
	return 0, false
}
