package lake

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	// DuckDB copies a file without the rows of failed sources.
	_ "github.com/duckdb/duckdb-go/v2"
)

// filter copies the Parquet file in to out without the rows whose
// p_source_file is one of drop, and returns the rows kept and out's size.
// It runs on the committer's goroutine, only when a source failed after
// some of its rows were written with other sources' (a rare path), so it
// uses DuckDB, opened the first time, rather than a Parquet reader of our
// own.
func (w *Writer) filter(in, out string, drop []string) (rows, size int64, err error) {
	fail := func(err error) (int64, int64, error) {
		return 0, 0, fmt.Errorf("lake: removing the rows of failed sources from %s: %w", in, err)
	}
	if err := w.faultAt("rewrite", out); err != nil {
		return fail(err)
	}
	if w.duck == nil {
		if w.duck, err = openDuckDB(w.stage); err != nil {
			return fail(err)
		}
	}
	q := make([]string, len(drop))
	for i, f := range drop {
		q[i] = sqlString(f)
	}
	// Not w.ctx: a commit is not cancelled half way.
	res, err := w.duck.Exec(fmt.Sprintf(`COPY (SELECT * FROM read_parquet(%s) WHERE p_source_file IS NULL OR p_source_file NOT IN (%s))
		TO %s (FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL %d)`,
		sqlString(in), strings.Join(q, ", "), sqlString(out), w.opts.CompressionLevel))
	if err == nil {
		rows, err = res.RowsAffected()
	}
	if err != nil {
		return fail(err)
	}
	st, err := os.Stat(out)
	if err != nil {
		return fail(err)
	}
	return rows, st.Size(), nil
}

// openDuckDB opens the in-memory DuckDB that filters files: one thread,
// and its memory bounded (it spills to the staging directory beyond), so
// that a replay's peak memory stays flat.
func openDuckDB(stage string) (*sql.DB, error) {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return nil, fmt.Errorf("opening DuckDB: %w", err)
	}
	settings := fmt.Sprintf("SET threads=1; SET memory_limit='160MB'; SET preserve_insertion_order=false; SET temp_directory=%s",
		sqlString(filepath.Join(stage, "duckdb.tmp")))
	if _, err := db.Exec(settings); err != nil {
		db.Close()
		return nil, fmt.Errorf("configuring DuckDB: %w", err)
	}
	return db, nil
}

// sqlString quotes s as a SQL string literal.
func sqlString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
