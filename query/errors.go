package query

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/duckdb/duckdb-go/v2"
)

// SQLError is a statement DuckDB rejected: a syntax error, an unknown table
// or column, a bad cast. Msg is DuckDB's message, which shows the position
// (LINE n and a caret) when DuckDB knows it. It is the user's to fix.
type SQLError struct {
	Msg string
}

func (e *SQLError) Error() string { return e.Msg }

// RefusedError is a statement the read-only guard will not run.
type RefusedError struct {
	Reason string
}

func (e *RefusedError) Error() string {
	return "refused: " + e.Reason + "; search only reads the lake (SELECT, WITH, FROM, VALUES, DESCRIBE, SHOW, SUMMARIZE, PIVOT, EXPLAIN)"
}

// FileError is a Parquet file of the lake that DuckDB could not read.
type FileError struct {
	Path string
	Msg  string
}

func (e *FileError) Error() string {
	return fmt.Sprintf("cannot read %s: %s (move the file out of the lake, or pass --skip-bad-files to search without it)", e.Path, e.Msg)
}

// LimitError is a query that needed more memory than search may use,
// spilling to temporary files included (Options.MemoryLimit, TempLimit).
type LimitError struct {
	Msg          string // DuckDB's
	Memory, Temp string // the limits
}

func (e *LimitError) Error() string {
	return fmt.Sprintf("the query needs more memory than search may use (memory limit %s, temporary files %s): narrow the time range (--since, --from/--to), read fewer columns or rows, or raise --memory-limit or --temp-limit (DuckDB: %s)",
		e.Memory, e.Temp, e.Msg)
}

// TableError names a table the query needs that the lake does not have.
type TableError struct {
	Table string
	Known []string
}

func (e *TableError) Error() string {
	if len(e.Known) == 0 {
		return fmt.Sprintf("table %q: the lake has no tables", e.Table)
	}
	return fmt.Sprintf("table %q is not in the lake (tables: %s)", e.Table, strings.Join(e.Known, ", "))
}

// userErrorTypes are DuckDB errors in the statement itself.
var userErrorTypes = map[duckdb.ErrorType]bool{
	duckdb.ErrorTypeParser:               true,
	duckdb.ErrorTypeSyntax:               true,
	duckdb.ErrorTypeBinder:               true,
	duckdb.ErrorTypeCatalog:              true,
	duckdb.ErrorTypeConversion:           true,
	duckdb.ErrorTypeOutOfRange:           true,
	duckdb.ErrorTypeDivideByZero:         true,
	duckdb.ErrorTypeMismatchType:         true,
	duckdb.ErrorTypeInvalidType:          true,
	duckdb.ErrorTypeNotImplemented:       true,
	duckdb.ErrorTypeExpression:           true,
	duckdb.ErrorTypeParameterNotResolved: true,
	duckdb.ErrorTypeParameterNotAllowed:  true,
	duckdb.ErrorTypeMissingExtension:     true,
	duckdb.ErrorTypeAutoLoad:             true,
}

// quotedParquet finds a quoted .parquet path in a DuckDB message.
var quotedParquet = regexp.MustCompile(`['"]([^'"]+\.parquet)['"]`)

// classify turns a driver error into one of this package's errors. A
// cancelled or timed-out ctx wins over DuckDB's "Interrupted" error.
func classify(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	if cerr := ctx.Err(); cerr != nil {
		return cerr
	}
	var de *duckdb.Error
	if !errors.As(err, &de) {
		return err
	}
	msg := strings.TrimSpace(de.Msg)
	switch {
	case de.Type == duckdb.ErrorTypeInterrupt:
		return context.Canceled
	case de.Type == duckdb.ErrorTypePermission:
		return &RefusedError{Reason: firstLine(msg)}
	case de.Type == duckdb.ErrorTypeOutOfMemory:
		return &LimitError{Msg: firstLine(msg)}
	}
	if m := quotedParquet.FindStringSubmatch(msg); m != nil && (de.Type == duckdb.ErrorTypeInvalidInput || de.Type == duckdb.ErrorTypeIO || de.Type == duckdb.ErrorTypeInternal || de.Type == duckdb.ErrorTypeSerialization) {
		return &FileError{Path: m[1], Msg: firstLine(msg)}
	}
	if userErrorTypes[de.Type] {
		return &SQLError{Msg: msg}
	}
	if dataErrorTypes[de.Type] {
		return &DataError{Msg: msg}
	}
	return errors.New(msg)
}

// dataErrorTypes are DuckDB errors that bad data can cause.
var dataErrorTypes = map[duckdb.ErrorType]bool{
	duckdb.ErrorTypeInvalid:       true,
	duckdb.ErrorTypeIO:            true,
	duckdb.ErrorTypeInvalidInput:  true,
	duckdb.ErrorTypeSerialization: true,
	duckdb.ErrorTypeInternal:      true,
}

// DataError is a failure to read the lake that DuckDB did not tie to a
// file (a corrupt page: "TProtocolException: Invalid data"). The engine
// then looks for the file (findBadFile); a DataError that reaches the
// caller is one no single file explains.
type DataError struct {
	Msg string
}

func (e *DataError) Error() string {
	return "reading the lake: " + e.Msg
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return strings.TrimSpace(s[:i])
	}
	return s
}
