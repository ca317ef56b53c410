package lake

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"strings"
	"sync"

	// The DuckDB driver: it reads the staged rows and writes the Parquet.
	_ "github.com/duckdb/duckdb-go/v2"
)

// job is one staged file to convert.
type job struct {
	in, out string
	table   *table
	rows    int64
	size    int64 // bytes staged
	maxRow  int
	exclude []string // sources whose rows are left out
}

// converter runs conversions in the background, Options.Workers at a
// time, so that the pipeline never waits for DuckDB.
type converter struct {
	ctx   context.Context
	db    *sql.DB
	opts  Options
	sem   chan struct{}
	wg    sync.WaitGroup
	fault func(op, path string) error
}

func newConverter(ctx context.Context, db *sql.DB, opts Options) *converter {
	return &converter{ctx: ctx, db: db, opts: opts, sem: make(chan struct{}, opts.Workers), fault: opts.fault}
}

// submit converts j in the background and calls done with the rows and
// size of the Parquet file, or the error.
func (c *converter) submit(j *job, done func(rows, size int64, err error)) {
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		select {
		case c.sem <- struct{}{}:
		case <-c.ctx.Done():
			done(0, 0, c.ctx.Err())
			return
		}
		rows, size, err := c.convert(j)
		<-c.sem
		done(rows, size, err)
	}()
}

func (c *converter) close() { c.wg.Wait() }

// A Parquet row group holds rowGroupRows rows (DuckDB's default), or fewer
// when rows are large: DuckDB holds a row group in memory while it writes
// it, so a row group is kept to about rowGroupBytes of staged rows.
const (
	rowGroupRows  = 122880
	rowGroupBytes = 48 << 20
)

// rowGroupSize is the row group size for a file of size bytes and rows rows.
func rowGroupSize(size, rows int64) int64 {
	if rows <= 0 || size <= 0 {
		return rowGroupRows
	}
	n := rowGroupBytes / max(size/rows, 1)
	return min(max(n, 1024), rowGroupRows)
}

func (c *converter) convert(j *job) (rows, size int64, err error) {
	if c.fault != nil {
		if err := c.fault("convert", j.out); err != nil {
			return 0, 0, fmt.Errorf("lake: converting %s to Parquet: %w", j.in, err)
		}
	}
	// read_json refuses rows longer than maximum_object_size (16 MiB by
	// default); the writer knows the longest row it staged.
	maxObj := 16 << 20
	for maxObj <= j.maxRow {
		maxObj *= 2
	}
	q := fmt.Sprintf(`COPY (SELECT * FROM read_json(%s, columns=%s, format='newline_delimited', maximum_object_size=%d)%s)
TO %s (FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL %d, ROW_GROUP_SIZE %d)`,
		sqlString(j.in), j.table.duckColumns, maxObj, excludeSources(j.exclude), sqlString(j.out), c.opts.CompressionLevel, rowGroupSize(j.size, j.rows))
	res, err := c.db.ExecContext(c.ctx, q)
	if err == nil {
		rows, err = res.RowsAffected()
	}
	if err != nil {
		return 0, 0, fmt.Errorf("lake: converting %s (%d rows of table %s) to Parquet: %w", j.in, j.rows, j.table.name, err)
	}
	st, err := os.Stat(j.out)
	if err != nil {
		return 0, 0, fmt.Errorf("lake: converting %s: %w", j.in, err)
	}
	if err := os.Remove(j.in); err != nil {
		return 0, 0, fmt.Errorf("lake: removing staged rows %s: %w", j.in, err)
	}
	return rows, st.Size(), nil
}

// filter copies the Parquet file in to out without the rows of the sources
// drop.
func (c *converter) filter(in, out string, drop []string) (rows, size int64, err error) {
	q := fmt.Sprintf(`COPY (SELECT * FROM read_parquet(%s)%s) TO %s (FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL %d)`,
		sqlString(in), excludeSources(drop), sqlString(out), c.opts.CompressionLevel)
	// Not c.ctx: a commit is not cancelled half way.
	res, err := c.db.Exec(q)
	if err == nil {
		rows, err = res.RowsAffected()
	}
	if err != nil {
		return 0, 0, fmt.Errorf("lake: removing the rows of failed sources from %s: %w", in, err)
	}
	st, err := os.Stat(out)
	if err != nil {
		return 0, 0, fmt.Errorf("lake: removing the rows of failed sources from %s: %w", in, err)
	}
	return rows, st.Size(), nil
}

// excludeSources is the WHERE clause that leaves out the rows of sources.
func excludeSources(files []string) string {
	if len(files) == 0 {
		return ""
	}
	q := make([]string, len(files))
	for i, f := range files {
		q[i] = sqlString(f)
	}
	return " WHERE p_source_file IS NULL OR p_source_file NOT IN (" + strings.Join(q, ", ") + ")"
}

// openDuckDB opens the private in-memory DuckDB of a writer, limited to
// threads threads, spilling to tmp.
func openDuckDB(stage string, threads int) (*sql.DB, error) {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return nil, fmt.Errorf("opening DuckDB: %w", err)
	}
	settings := fmt.Sprintf("SET threads=%d; SET temp_directory=%s", threads, sqlString(stage+string(os.PathSeparator)+"duckdb.tmp"))
	if _, err := db.Exec(settings); err != nil {
		db.Close()
		return nil, fmt.Errorf("configuring DuckDB: %w", err)
	}
	return db, nil
}
