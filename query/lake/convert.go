package lake

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"

	// The DuckDB driver: it reads the staged rows and writes the Parquet.
	_ "github.com/duckdb/duckdb-go/v2"
)

// job is a conversion: one staged file of one partition, or (grouped)
// the small staged files of several partitions of a log table, which
// DuckDB partitions itself in one statement.
type job struct {
	ins     []string // staged files
	out     string   // the Parquet file, or the folder of a grouped job
	grouped bool
	hour    int64 // the partition of a job that is not grouped
	table   *table
	rows    int64
	size    int64 // bytes staged
	maxRow  int
	exclude []string // sources whose rows are left out
}

// output is one Parquet file a job made.
type output struct {
	path       string
	part       string // "year=2024/month=03/day=01/hour=12"
	rows, size int64
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

// submit converts j in the background and calls done with the files it
// made, or the error.
func (c *converter) submit(j *job, done func([]output, error)) {
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		select {
		case c.sem <- struct{}{}:
		case <-c.ctx.Done():
			done(nil, c.ctx.Err())
			return
		}
		outs, err := c.convert(j)
		<-c.sem
		done(outs, err)
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

func (c *converter) convert(j *job) ([]output, error) {
	what := j.ins[0]
	if len(j.ins) > 1 {
		what = fmt.Sprintf("%d files of %s", len(j.ins), filepath.Dir(j.ins[0]))
	}
	if c.fault != nil {
		if err := c.fault("convert", j.out); err != nil {
			return nil, fmt.Errorf("lake: converting %s to Parquet: %w", what, err)
		}
	}
	// read_json refuses rows longer than maximum_object_size (16 MiB by
	// default); the writer knows the longest row it staged.
	maxObj := 16 << 20
	for maxObj <= j.maxRow {
		maxObj *= 2
	}
	ins := make([]string, len(j.ins))
	for i, in := range j.ins {
		ins[i] = sqlString(in)
	}
	from := fmt.Sprintf("read_json([%s], columns=%s, format='newline_delimited', maximum_object_size=%d)%s",
		strings.Join(ins, ", "), j.table.duckColumns, maxObj, excludeSources(j.exclude))
	opts := fmt.Sprintf("FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL %d, ROW_GROUP_SIZE %d", c.opts.CompressionLevel, rowGroupSize(j.size, j.rows))
	fail := func(err error) ([]output, error) {
		return nil, fmt.Errorf("lake: converting %s (%d rows of table %s) to Parquet: %w", what, j.rows, j.table.name, err)
	}
	var outs []output
	if !j.grouped {
		res, err := c.db.ExecContext(c.ctx, fmt.Sprintf("COPY (SELECT %s FROM %s) TO %s (%s)", j.table.selectList, from, sqlString(j.out), opts))
		if err != nil {
			return fail(err)
		}
		rows, err := res.RowsAffected()
		if err != nil {
			return fail(err)
		}
		st, err := os.Stat(j.out)
		if err != nil {
			return fail(err)
		}
		h := time.Unix(j.hour*3600, 0).UTC()
		outs = append(outs, output{path: j.out, rows: rows, size: st.Size(),
			part: fmt.Sprintf("year=%04d/month=%02d/day=%02d/hour=%02d", h.Year(), h.Month(), h.Day(), h.Hour())})
	} else {
		// Grouped: DuckDB writes <out>/year=.../hour=.../part<i>.parquet
		// and returns each file with its row count.
		tc := fmt.Sprintf("%q", j.table.timeColumn)
		q := fmt.Sprintf(`COPY (SELECT %s, strftime(%s, '%%Y') AS year, strftime(%s, '%%m') AS month,
	strftime(%s, '%%d') AS day, strftime(%s, '%%H') AS hour FROM %s)
TO %s (%s, PARTITION_BY (year, month, day, hour), FILENAME_PATTERN 'part{i}', RETURN_STATS true)`,
			j.table.selectList, tc, tc, tc, tc, from, sqlString(j.out), opts)
		rows, err := c.db.QueryContext(c.ctx, q)
		if err != nil {
			return fail(err)
		}
		defer rows.Close()
		cols, err := rows.Columns()
		if err != nil {
			return fail(err)
		}
		for rows.Next() {
			var o output
			vals := make([]any, len(cols))
			for i := range vals {
				vals[i] = new(any)
			}
			ptr := map[string]any{"filename": &o.path, "count": &o.rows, "file_size_bytes": &o.size}
			for i, c := range cols {
				if p, ok := ptr[c]; ok {
					vals[i] = p
				}
			}
			if err := rows.Scan(vals...); err != nil {
				return fail(err)
			}
			rel, err := filepath.Rel(j.out, filepath.Dir(o.path))
			if err != nil || !partRE.MatchString(filepath.ToSlash(rel)) {
				return fail(fmt.Errorf("DuckDB wrote %s, which is not a partition of %s", o.path, j.out))
			}
			o.part = filepath.ToSlash(rel)
			outs = append(outs, o)
		}
		if err := rows.Err(); err != nil {
			return fail(err)
		}
	}
	for _, in := range j.ins {
		if err := os.Remove(in); err != nil {
			return nil, fmt.Errorf("lake: removing staged rows %s: %w", in, err)
		}
	}
	return outs, nil
}

var partRE = regexp.MustCompile(`^year=\d{4}/month=\d{2}/day=\d{2}/hour=\d{2}$`)

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
// duckMemory bounds DuckDB's own memory while it converts: without it DuckDB
// takes up to 80% of the machine, and a replay's peak RSS must stay flat
// whatever the input size. Conversions spill to temp_directory beyond it.
const duckMemory = "160MB"

func openDuckDB(stage string, threads int) (*sql.DB, error) {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return nil, fmt.Errorf("opening DuckDB: %w", err)
	}
	// A grouped conversion writes many partitions at once: DuckDB keeps a
	// writer with its buffers per open partition, so bound how many.
	settings := fmt.Sprintf("SET threads=%d; SET memory_limit='%s'; SET partitioned_write_max_open_files=8; SET preserve_insertion_order=false; SET temp_directory=%s",
		threads, duckMemory, sqlString(stage+string(os.PathSeparator)+"duckdb.tmp"))
	if _, err := db.Exec(settings); err != nil {
		db.Close()
		return nil, fmt.Errorf("configuring DuckDB: %w", err)
	}
	return db, nil
}
