package query

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The read-only guard. Search must never write, so before a statement runs:
//
//  1. The lexer (sqltext.go) splits the text. A statement that starts with
//     a keyword that writes or changes state (COPY, ATTACH, INSTALL, SET,
//     ...) is refused with its name, and so is more than one statement (the
//     driver would run all but the last one blindly).
//  2. DuckDB's own parser decides: json_serialize_sql only serialises
//     SELECT statements (DESCRIBE, SHOW, SUMMARIZE, FROM-first queries and
//     a PIVOT with an IN list are SELECTs to it), so anything else is
//     refused, and so is a text it parses as more than one statement.
//     EXPLAIN [ANALYZE] is checked on the statement it explains.
//  3. A SELECT can still call functions with side effects (enable_logging
//     writes log files, checkpoint, query() runs SQL the parser did not
//     see). The guard walks the parse tree and refuses the functions of
//     deniedFunctions; TestTableFunctionsReviewed fails when a DuckDB
//     upgrade brings a table function nobody has reviewed.
//  4. The exact text that runs (wrapped for --limit) is checked again.
//
// Behind the guard, DuckDB itself is locked (engine.go): no extension
// install or load, file access only under the lake, configuration locked.

// writeKeywords start statements that write or change state.
var writeKeywords = map[string]bool{
	"ABORT": true, "ALTER": true, "ANALYZE": true, "ATTACH": true, "BEGIN": true,
	"CALL": true, "CHECKPOINT": true, "COMMENT": true, "COMMIT": true, "COPY": true,
	"CREATE": true, "DEALLOCATE": true, "DELETE": true, "DETACH": true, "DROP": true,
	"END": true, "EXECUTE": true, "EXPORT": true, "FORCE": true, "IMPORT": true,
	"INSERT": true, "INSTALL": true, "LOAD": true, "MERGE": true, "PRAGMA": true,
	"PREPARE": true, "RESET": true, "ROLLBACK": true, "SET": true, "START": true,
	"TRUNCATE": true, "UPDATE": true, "UPSERT": true, "USE": true, "VACUUM": true,
}

// deniedFunctions change DuckDB's state, write files, run SQL text the
// guard has not parsed, or read memory by address.
var deniedFunctions = map[string]string{
	"checkpoint":                  "checkpoints the database",
	"force_checkpoint":            "checkpoints the database",
	"enable_logging":              "writes log files",
	"disable_logging":             "changes the logging settings",
	"truncate_duckdb_logs":        "deletes logs",
	"write_log":                   "writes to the log",
	"enable_profiling":            "writes profiling output",
	"disable_profiling":           "changes the profiling settings",
	"enable_peg_parser":           "changes the parser",
	"disable_peg_parser":          "changes the parser",
	"check_peg_parser":            "changes the parser",
	"query":                       "runs SQL text the guard cannot check",
	"json_execute_serialized_sql": "runs SQL the guard cannot check",
	"arrow_scan":                  "reads memory by address",
	"arrow_scan_dumb":             "reads memory by address",
	"read_duckdb":                 "opens a database file, which may replay its write-ahead log",
}

// allTablesRefs are names whose use lists the tables: every table must
// then be a catalog view.
var allTablesRefs = map[string]bool{
	"tables": true, "__show_tables_expanded": true, "duckdb_tables": true,
	"duckdb_views": true, "duckdb_columns": true, "columns": true, "query_table": true,
}

// checked is a statement the guard accepted.
type checked struct {
	body    string // the statement to run, without trailing ;
	explain bool   // an EXPLAIN: not to be wrapped
	all     bool   // it lists the catalog: every table must be a view
}

// check runs the read-only guard on text.
func (e *Engine) check(ctx context.Context, text string) (*checked, error) {
	stmts := splitStatements(text)
	if len(stmts) == 0 {
		return nil, &SQLError{Msg: "empty query: give one SELECT statement"}
	}
	for i, s := range stmts {
		if writeKeywords[s.keyword] {
			where := ""
			if len(stmts) > 1 {
				where = fmt.Sprintf(" (statement %d of %d)", i+1, len(stmts))
			}
			return nil, &RefusedError{Reason: s.keyword + " statements are not allowed" + where}
		}
	}
	if len(stmts) > 1 {
		return nil, &RefusedError{Reason: fmt.Sprintf("%d statements: run one statement at a time", len(stmts))}
	}
	body := trimStatement(text)
	c := &checked{body: body}
	inner := body
	if rest, ok := stripWord(body, "EXPLAIN"); ok {
		c.explain = true
		if r, ok := stripWord(rest, "ANALYZE"); ok {
			rest = r
		} else if r, ok := stripWord(rest, "ANALYSE"); ok {
			rest = r
		}
		inner = rest
		if s := splitStatements(inner); len(s) == 1 && writeKeywords[s[0].keyword] {
			return nil, &RefusedError{Reason: "EXPLAIN of " + s[0].keyword + " statements is not allowed (EXPLAIN ANALYZE runs them)"}
		}
	}
	offset := len(body) - len(inner) // of inner in text, for error positions
	a, err := e.analyse(ctx, inner)
	if err != nil {
		if se, ok := err.(*syntaxError); ok {
			return nil, &SQLError{Msg: se.render(text, se.pos+offset)}
		}
		return nil, err
	}
	c.all = a.all
	return c, nil
}

// analysis is what the guard learnt from DuckDB's parse tree.
type analysis struct {
	all bool // the statement lists the catalog
}

type syntaxError struct {
	msg string
	pos int
}

func (e *syntaxError) Error() string { return e.msg }

// render shows the error the way DuckDB does: the line and a caret.
func (e *syntaxError) render(text string, pos int) string {
	msg := "Parser Error: " + e.msg
	if pos < 0 || pos > len(text) {
		return msg
	}
	lineNo := strings.Count(text[:pos], "\n") + 1
	start := strings.LastIndexByte(text[:pos], '\n') + 1
	end := strings.IndexByte(text[pos:], '\n')
	if end < 0 {
		end = len(text)
	} else {
		end += pos
	}
	label := fmt.Sprintf("LINE %d: ", lineNo)
	caret := strings.Repeat(" ", len(label)+utf8.RuneCountInString(text[start:pos])) + "^"
	return msg + "\n\n" + label + text[start:end] + "\n" + caret
}

// serialized is json_serialize_sql's answer.
type serialized struct {
	Error      bool              `json:"error"`
	ErrorType  string            `json:"error_type"`
	ErrorMsg   string            `json:"error_message"`
	Position   string            `json:"position"`
	Statements []json.RawMessage `json:"statements"`
}

// analyse asks DuckDB's parser about stmt: it must be exactly one SELECT
// that calls no denied function.
func (e *Engine) analyse(ctx context.Context, stmt string) (*analysis, error) {
	var out string
	if err := e.db.QueryRowContext(ctx, "SELECT json_serialize_sql(?::VARCHAR)::VARCHAR", stmt).Scan(&out); err != nil {
		return nil, classify(ctx, err)
	}
	var s serialized
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		return nil, fmt.Errorf("reading DuckDB's parse tree: %w", err)
	}
	if s.Error {
		if s.ErrorType == "parser" {
			pos, err := strconv.Atoi(s.Position)
			if err != nil {
				pos = -1
			}
			return nil, &syntaxError{msg: s.ErrorMsg, pos: pos}
		}
		if strings.Contains(s.ErrorMsg, "Only SELECT") {
			if hasWord(stmt, "PIVOT") || hasWord(stmt, "UNPIVOT") {
				return nil, &RefusedError{Reason: "a PIVOT without an IN list creates a type before it runs: list the values, as in PIVOT t ON col IN ('a', 'b') USING count(*)"}
			}
			kw := "this"
			if st := splitStatements(stmt); len(st) > 0 && st[0].keyword != "" {
				kw = st[0].keyword
			}
			return nil, &RefusedError{Reason: kw + " statements are not allowed"}
		}
		return nil, &SQLError{Msg: s.ErrorMsg}
	}
	if len(s.Statements) != 1 {
		return nil, &RefusedError{Reason: fmt.Sprintf("%d statements: run one statement at a time", len(s.Statements))}
	}
	var tree any
	if err := json.Unmarshal(s.Statements[0], &tree); err != nil {
		return nil, fmt.Errorf("reading DuckDB's parse tree: %w", err)
	}
	a := &analysis{}
	var bad string
	walkJSON(tree, func(m map[string]any) {
		if fn, ok := m["function_name"].(string); ok {
			if why, denied := deniedFunctions[strings.ToLower(fn)]; denied && bad == "" {
				bad = fmt.Sprintf("function %s is not allowed: it %s", fn, why)
			}
			if allTablesRefs[strings.ToLower(fn)] {
				a.all = true
			}
		}
		typ, _ := m["type"].(string)
		if typ != "BASE_TABLE" && typ != "SHOW_REF" {
			return
		}
		name, _ := m["table_name"].(string)
		schema, _ := m["schema_name"].(string)
		if schema == "information_schema" || schema == "pg_catalog" ||
			typ == "SHOW_REF" && allTablesRefs[strings.ToLower(strings.Trim(name, `"`))] {
			a.all = true
		}
	})
	if bad != "" {
		return nil, &RefusedError{Reason: bad}
	}
	return a, nil
}

func walkJSON(v any, f func(map[string]any)) {
	switch x := v.(type) {
	case map[string]any:
		f(x)
		for _, c := range x {
			walkJSON(c, f)
		}
	case []any:
		for _, c := range x {
			walkJSON(c, f)
		}
	}
}

// hasWord says whether the word w (any case) is a token of s.
func hasWord(s, w string) bool {
	for _, t := range lexSQL(s) {
		if t.kind == tokWord && strings.EqualFold(s[t.start:t.end], w) {
			return true
		}
	}
	return false
}
