package query

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// Column is one column of a result.
type Column struct {
	Name string
	Type string // DuckDB's type name: VARCHAR, TIMESTAMP, VARCHAR[], STRUCT(...), JSON
}

// RowWriter receives a result: the columns once, then each row. The
// values are the driver's: nil, bool, integers, float64, string, []byte,
// time.Time, []any (lists), map[string]any (structs, JSON objects),
// duckdb.OrderedMap, duckdb.Decimal, duckdb.Interval, *big.Int. A row's
// slice is reused: copy what you keep.
type RowWriter interface {
	Columns(cols []Column) error
	Row(vals []any) error
}

// Stats describe a run.
type Stats struct {
	Rows int
	// Truncated is set when the result had more rows than the limit.
	Truncated bool
}

// Query runs one read-only statement and writes at most limit rows to w
// (limit <= 0: all rows). Errors are *SQLError (the statement's fault),
// *RefusedError (not read-only), *FileError (a bad Parquet file),
// *LakeError, context.Canceled or context.DeadlineExceeded, or an
// operational error.
func (e *Engine) Query(ctx context.Context, text string, limit int, w RowWriter) (Stats, error) {
	c, err := e.check(ctx, text)
	if err != nil {
		return Stats{}, err
	}
	run := c.body
	if limit > 0 && !c.explain {
		// limit+1 rows tell whether there were more. DuckDB turns the
		// wrapped ORDER BY ... LIMIT into a top-N.
		run = fmt.Sprintf("SELECT * FROM (\n%s\n) LIMIT %d", c.body, limit+1)
		if _, err := e.analyse(ctx, run); err != nil {
			return Stats{}, err
		}
	}
	rows, err := e.open(ctx, c, run)
	if err != nil {
		return Stats{}, err
	}
	defer rows.Close()
	return e.write(ctx, rows, limit, w)
}

// open starts the statement, skipping bad files when asked (DuckDB
// materialises the result here, so a retry never repeats rows already
// written).
func (e *Engine) open(ctx context.Context, c *checked, run string) (*sql.Rows, error) {
	relists := 0
	for {
		if c.all {
			if err := e.ensureViews(ctx); err != nil {
				return nil, err
			}
		}
		clear(e.touched)
		rows, err := e.db.QueryContext(ctx, run)
		if err == nil {
			return rows, nil
		}
		err = e.limits(e.blame(ctx, classify(ctx, err)))
		if relisted, rerr := e.relist(ctx, err, &relists); rerr != nil {
			return nil, rerr
		} else if relisted {
			continue
		}
		if e.dropBadFile(err) {
			if err := e.sync(ctx); err != nil {
				return nil, err
			}
			continue
		}
		var se *SQLError
		if errors.As(err, &se) && run != c.body {
			// The message points into the wrapper: bind the user's own
			// statement for a position in their text. Preparing one
			// statement runs nothing.
			if st, perr := e.db.PrepareContext(ctx, c.body); perr != nil {
				if pe := classify(ctx, perr); errors.As(pe, &se) {
					return nil, pe
				}
			} else {
				st.Close()
			}
		}
		return nil, err
	}
}

func (e *Engine) write(ctx context.Context, rows *sql.Rows, limit int, w RowWriter) (Stats, error) {
	var st Stats
	cts, err := rows.ColumnTypes()
	if err != nil {
		return st, classify(ctx, err)
	}
	cols := make([]Column, len(cts))
	for i, ct := range cts {
		cols[i] = Column{Name: ct.Name(), Type: ct.DatabaseTypeName()}
	}
	if err := w.Columns(cols); err != nil {
		return st, err
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if limit > 0 && st.Rows == limit {
			st.Truncated = true
			break
		}
		if err := rows.Scan(ptrs...); err != nil {
			return st, classify(ctx, err)
		}
		if err := w.Row(vals); err != nil {
			return st, err
		}
		st.Rows++
	}
	if err := rows.Err(); err != nil {
		return st, classify(ctx, err)
	}
	return st, nil
}

// ColumnInfo describes a column of a table.
type ColumnInfo struct {
	Name, Type, Description string
}

// Describe lists the columns of a table as the files in range have them
// (the union of their schemas), with the declared descriptions.
func (e *Engine) Describe(ctx context.Context, table string) ([]ColumnInfo, error) {
	v, ok := e.tables[strings.ToLower(table)]
	if !ok {
		return nil, &TableError{Table: table, Known: e.names}
	}
	desc := map[string]string{}
	for _, c := range e.knownColumns(v.Table) {
		desc[c.Name] = c.Description
	}
	for _, p := range []string{"year", "month", "day", "hour"} {
		desc[p] = "partition (UTC " + p + " of " + timeColumn(v.Kind) + ")"
	}
	var out []ColumnInfo
	err := e.retry(ctx, func() error {
		out = out[:0]
		rows, err := e.db.QueryContext(ctx, "SELECT column_name, column_type FROM (DESCRIBE "+quoteIdent(v.Name)+")")
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var c ColumnInfo
			if err := rows.Scan(&c.Name, &c.Type); err != nil {
				return err
			}
			c.Description = desc[c.Name]
			out = append(out, c)
		}
		return rows.Err()
	})
	return out, err
}

// TableInfo summarises a table from its directories, without opening a file.
type TableInfo struct {
	Name       string
	Kind       TableKind
	Dir        string
	Partitions int
	Files      int
	Bytes      int64
	// First and Last are the first and last hour partitions in range
	// (zero when there is none).
	First, Last string
}

// Tables summarises every table of the lake, within the range.
func (e *Engine) Tables() []TableInfo {
	out := make([]TableInfo, 0, len(e.names))
	for _, n := range e.names {
		v := e.tables[n]
		ti := TableInfo{Name: n, Kind: v.Kind, Dir: v.Dir, Partitions: len(v.parts), Files: len(v.files)}
		for _, p := range v.parts {
			ti.Bytes += p.Bytes
		}
		if len(v.parts) > 0 {
			ti.First = v.parts[0].Hour.Format("2006-01-02T15Z")
			ti.Last = v.parts[len(v.parts)-1].Hour.Format("2006-01-02T15Z")
		}
		out = append(out, ti)
	}
	return out
}
