package lake

import (
	"context"
	"database/sql"
	"fmt"
	"os"
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

// submit converts j in the background and calls done with the size of the
// Parquet file or the error.
func (c *converter) submit(j *job, done func(size int64, err error)) {
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		select {
		case c.sem <- struct{}{}:
		case <-c.ctx.Done():
			done(0, c.ctx.Err())
			return
		}
		size, err := c.convert(j)
		<-c.sem
		done(size, err)
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

func (c *converter) convert(j *job) (int64, error) {
	if c.fault != nil {
		if err := c.fault("convert", j.out); err != nil {
			return 0, fmt.Errorf("lake: converting %s to Parquet: %w", j.in, err)
		}
	}
	// read_json refuses rows longer than maximum_object_size (16 MiB by
	// default); the writer knows the longest row it staged.
	maxObj := 16 << 20
	for maxObj <= j.maxRow {
		maxObj *= 2
	}
	q := fmt.Sprintf(`COPY (SELECT * FROM read_json(%s, columns=%s, format='newline_delimited', maximum_object_size=%d))
TO %s (FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL %d, ROW_GROUP_SIZE %d)`,
		sqlString(j.in), j.table.duckColumns, maxObj, sqlString(j.out), c.opts.CompressionLevel, rowGroupSize(j.size, j.rows))
	if _, err := c.db.ExecContext(c.ctx, q); err != nil {
		return 0, fmt.Errorf("lake: converting %s (%d rows of table %s) to Parquet: %w", j.in, j.rows, j.table.name, err)
	}
	st, err := os.Stat(j.out)
	if err != nil {
		return 0, fmt.Errorf("lake: converting %s: %w", j.in, err)
	}
	if err := os.Remove(j.in); err != nil {
		return 0, fmt.Errorf("lake: removing staged rows %s: %w", j.in, err)
	}
	return st.Size(), nil
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
