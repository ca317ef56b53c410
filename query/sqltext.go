package query

import (
	"strings"
)

// A small SQL lexer: enough to find statement boundaries, the first
// keyword of a statement and a trailing semicolon, for messages and for
// wrapping a query. It is never what makes a statement safe to run: the
// read-only guard asks DuckDB's own parser (see guard.go).

type tokKind uint8

const (
	tokSpace tokKind = iota
	tokComment
	tokString // '...', E'...', $tag$...$tag$
	tokIdent  // "..."
	tokWord
	tokSemi
	tokOther
)

type token struct {
	kind       tokKind
	start, end int
}

func lexSQL(s string) []token {
	var out []token
	i := 0
	for i < len(s) {
		start := i
		c := s[i]
		kind := tokOther
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			for i < len(s) && strings.IndexByte(" \t\n\r\f\v", s[i]) >= 0 {
				i++
			}
			kind = tokSpace
		case c == '-' && i+1 < len(s) && s[i+1] == '-':
			for i < len(s) && s[i] != '\n' {
				i++
			}
			kind = tokComment
		case c == '/' && i+1 < len(s) && s[i+1] == '*':
			depth := 0
			for i < len(s) {
				if s[i] == '/' && i+1 < len(s) && s[i+1] == '*' {
					depth++
					i += 2
				} else if s[i] == '*' && i+1 < len(s) && s[i+1] == '/' {
					depth--
					i += 2
					if depth == 0 {
						break
					}
				} else {
					i++
				}
			}
			kind = tokComment
		case c == '\'':
			i = skipQuoted(s, i, '\'', false)
			kind = tokString
		case (c == 'e' || c == 'E') && i+1 < len(s) && s[i+1] == '\'':
			i = skipQuoted(s, i+1, '\'', true)
			kind = tokString
		case c == '"':
			i = skipQuoted(s, i, '"', false)
			kind = tokIdent
		case c == '$':
			j := i + 1
			for j < len(s) && (isWordByte(s[j]) && !(s[j] >= '0' && s[j] <= '9' && j == i+1)) {
				j++
			}
			if j < len(s) && s[j] == '$' {
				tag := s[i : j+1]
				if k := strings.Index(s[j+1:], tag); k >= 0 {
					i = j + 1 + k + len(tag)
				} else {
					i = len(s)
				}
				kind = tokString
			} else {
				i++
			}
		case c == ';':
			i++
			kind = tokSemi
		case isWordByte(c):
			for i < len(s) && isWordByte(s[i]) {
				i++
			}
			kind = tokWord
		default:
			i++
		}
		out = append(out, token{kind: kind, start: start, end: i})
	}
	return out
}

func isWordByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80
}

// skipQuoted returns the index after the quoted text starting at s[i].
// A doubled quote is an escaped quote; backslash escapes when bs.
func skipQuoted(s string, i int, q byte, bs bool) int {
	i++
	for i < len(s) {
		switch {
		case bs && s[i] == '\\':
			i += 2
		case s[i] == q && i+1 < len(s) && s[i+1] == q:
			i += 2
		case s[i] == q:
			return i + 1
		default:
			i++
		}
	}
	return len(s)
}

// statement is one statement of a SQL text, as the lexer splits it.
type statement struct {
	text    string
	keyword string // first word, upper-cased ("SELECT", "COPY"); "" if none
}

// splitStatements splits s at top-level semicolons, dropping empty
// statements (only space and comments).
func splitStatements(s string) []statement {
	var out []statement
	toks := lexSQL(s)
	begin := 0
	kw := ""
	hasCode := false
	flush := func(end int) {
		if hasCode {
			out = append(out, statement{text: strings.TrimSpace(s[begin:end]), keyword: kw})
		}
		kw, hasCode = "", false
	}
	for _, t := range toks {
		switch t.kind {
		case tokSpace, tokComment:
		case tokSemi:
			flush(t.start)
			begin = t.end
		default:
			if !hasCode {
				hasCode = true
				if t.kind == tokWord {
					kw = strings.ToUpper(s[t.start:t.end])
				} else if s[t.start:t.end] == "(" {
					kw = "("
				}
			}
		}
	}
	flush(len(s))
	return out
}

// stripWord removes the leading word w (case-insensitive), with the space
// and comments before it, and says whether it was there.
func stripWord(s, w string) (string, bool) {
	for _, t := range lexSQL(s) {
		if t.kind == tokSpace || t.kind == tokComment {
			continue
		}
		if t.kind == tokWord && strings.EqualFold(s[t.start:t.end], w) {
			return s[t.end:], true
		}
		break
	}
	return s, false
}

// trimStatement drops what follows the last token of code (semicolons,
// space, comments), so that the text can be wrapped in a subquery. Comments
// inside stay: the wrapper closes on a new line.
func trimStatement(s string) string {
	end := 0
	for _, t := range lexSQL(s) {
		if t.kind != tokSpace && t.kind != tokComment && t.kind != tokSemi {
			end = t.end
		}
	}
	return s[:end]
}
