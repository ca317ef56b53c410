package query

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/duckdb/duckdb-go/v2"

	"panther/lake"
	"panther/parsers"
)

// Options configure an Engine.
type Options struct {
	// Lake is the lake directory.
	Lake string
	// Range limits every table to the partitions and events in it.
	Range TimeRange
	// Registry gives the schema of empty log tables (no file in range) and
	// column descriptions; nil leaves empty tables with the p_ columns only.
	Registry *parsers.Registry
	// SkipBadFiles leaves out, with a warning, a Parquet file that cannot
	// be read, instead of failing the query.
	SkipBadFiles bool
	// Warn receives warnings (a skipped file); nil drops them.
	Warn func(string)
	// Threads caps DuckDB's threads (0: one per core).
	Threads int
	// MemoryLimit is DuckDB's memory_limit ("4GB", "512MiB"; "":
	// DefaultMemoryLimit). Beyond it DuckDB spills what it can (sorts,
	// aggregates, joins) to a private temporary directory; a query that
	// needs more fails with a *LimitError.
	MemoryLimit string
	// TempLimit bounds that directory (DuckDB's max_temp_directory_size;
	// "": DefaultTempLimit).
	TempLimit string
}

// The defaults of Options.MemoryLimit and Options.TempLimit. DuckDB's own
// are 80% of the machine's memory and 90% of the free disk: one runaway
// string_agg could take a laptop down. Searches of the benchmark lake (5
// million events, GROUP BY over 30 days) use a few hundred MB.
const (
	DefaultMemoryLimit = "2GB"
	DefaultTempLimit   = "8GB"
)

// sizeRE is what the limits accept: a number and a unit DuckDB knows.
var sizeRE = regexp.MustCompile(`^[0-9]+(\.[0-9]+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$`)

// CheckSize checks a memory or temporary space limit ("2GB", "512MiB").
func CheckSize(s string) error {
	if !sizeRE.MatchString(strings.TrimSpace(s)) {
		return fmt.Errorf("size %q: a number and a unit (B, KB, MB, GB, TB, KiB, MiB, GiB, TiB), e.g. 2GB", s)
	}
	return nil
}

// Engine is an in-process DuckDB over one lake, read-only. It holds the
// process's one *sql.DB; Close releases it. An Engine serves one goroutine.
type Engine struct {
	db     *sql.DB
	opts   Options
	lake   string
	tmpDir string
	tables map[string]*table
	names  []string        // table names, in discovery order
	bad    map[string]bool // files left out (SkipBadFiles)
	// touched are the tables the replacement scan served since the last
	// statement began: where to look for the file behind a DataError.
	touched map[string]bool
	// relists counts the statements started over because a file vanished.
	relists int
}

// table is a lake table and the files of it in range. Queries reach it
// through a replacement scan (see replacement); it becomes a catalog view
// only for statements that list the catalog (SHOW TABLES).
type table struct {
	Table
	parts []Partition
	files []string
	empty bool // its empty macro exists
	view  bool // its catalog view exists
	stale bool // the view reads a file since left out
}

// The table macros behind every table: read_parquet of a file list with
// hive partitioning (partition columns last, in path order, typed INTEGER
// whatever their padding) and union_by_name (schemas drift as log types
// grow), and the same cut to a time range.
//
// union_by_name has a price: DuckDB reads the footer of every file when it
// binds the scan, to unite their schemas. The lake writer ends each file
// name with a fingerprint of its schema (lake.FileFingerprint), so a table
// whose files all carry the same one is read by the "same" macros, without
// union_by_name (DuckDB then takes the schema of the first file).
const (
	scanMacro          = "__panther_scan"
	scanRangeMacro     = "__panther_scan_range"
	sameScanMacro      = "__panther_scan_same"
	sameScanRangeMacro = "__panther_scan_same_range"
	scanSelect         = "SELECT * EXCLUDE (year, month, day, hour), year, month, day, hour FROM read_parquet(files, " +
		"hive_partitioning = true, union_by_name = true, " +
		"hive_types = {'year': INTEGER, 'month': INTEGER, 'day': INTEGER, 'hour': INTEGER})"
	rangeWhere = " WHERE p_event_time >= CAST(t_from AS TIMESTAMP) AND p_event_time < CAST(t_to AS TIMESTAMP)"
)

var sameScanSelect = strings.Replace(scanSelect, "union_by_name = true", "union_by_name = false", 1)

// oneSchema reports whether every file's name carries the same schema
// fingerprint.
func oneSchema(files []string) bool {
	first, ok := lake.FileFingerprint(files[0])
	if !ok {
		return false
	}
	for _, f := range files[1:] {
		if fp, ok := lake.FileFingerprint(f); !ok || fp != first {
			return false
		}
	}
	return true
}

// Open lists the tables of the lake and opens DuckDB locked down:
// no extension install or autoload, file access only under the lake (and a
// private spill directory), and the configuration locked so a query cannot
// undo any of it.
func Open(ctx context.Context, opts Options) (*Engine, error) {
	e := &Engine{opts: opts, tables: map[string]*table{}, bad: map[string]bool{}, touched: map[string]bool{}}
	var err error
	if e.lake, err = filepath.Abs(opts.Lake); err != nil {
		return nil, &LakeError{Dir: opts.Lake, Err: err}
	}
	if err := e.list(opts.Range); err != nil {
		return nil, err
	}
	if e.tmpDir, err = os.MkdirTemp("", "panther-search-"); err != nil {
		return nil, fmt.Errorf("temporary directory for DuckDB: %w", err)
	}
	// Startup-only options go in the DSN.
	dsn := "?autoinstall_known_extensions=false&autoload_known_extensions=false" +
		"&allow_community_extensions=false&allow_unsigned_extensions=false"
	connector, err := duckdb.NewConnector(dsn, nil)
	if err != nil {
		os.RemoveAll(e.tmpDir)
		return nil, fmt.Errorf("opening DuckDB: %w", err)
	}
	duckdb.RegisterReplacementScan(connector, e.replacement)
	e.db = sql.OpenDB(connector)
	// One connection: the interrupt of a cancelled query belongs to it,
	// and DuckDB parallelises each query itself.
	e.db.SetMaxOpenConns(1)
	setup := []string{
		"SET TimeZone = 'UTC'",
		"SET parquet_metadata_cache = true",
		"SET temp_directory = " + sqlString(e.tmpDir),
		"SET allowed_directories = [" + sqlString(e.lake+string(os.PathSeparator)) + ", " + sqlString(e.tmpDir+string(os.PathSeparator)) + "]",
		"SET enable_external_access = false",
	}
	if opts.Threads > 0 {
		setup = append(setup, fmt.Sprintf("SET threads = %d", opts.Threads))
	}
	if e.opts.MemoryLimit == "" {
		e.opts.MemoryLimit = DefaultMemoryLimit
	}
	if e.opts.TempLimit == "" {
		e.opts.TempLimit = DefaultTempLimit
	}
	for _, l := range []string{e.opts.MemoryLimit, e.opts.TempLimit} {
		if err := CheckSize(l); err != nil {
			e.Close()
			return nil, err
		}
	}
	setup = append(setup, "SET memory_limit = "+sqlString(strings.TrimSpace(e.opts.MemoryLimit)),
		"SET max_temp_directory_size = "+sqlString(strings.TrimSpace(e.opts.TempLimit)))
	setup = append(setup, "SET lock_configuration = true",
		"CREATE MACRO "+scanMacro+"(files) AS TABLE "+scanSelect,
		"CREATE MACRO "+scanRangeMacro+"(files, t_from, t_to) AS TABLE "+scanSelect+rangeWhere,
		"CREATE MACRO "+sameScanMacro+"(files) AS TABLE "+sameScanSelect,
		"CREATE MACRO "+sameScanRangeMacro+"(files, t_from, t_to) AS TABLE "+sameScanSelect+rangeWhere)
	for _, s := range setup {
		if _, err := e.db.ExecContext(ctx, s); err != nil {
			e.Close()
			return nil, fmt.Errorf("setting up DuckDB (%.60s): %w", s, classify(ctx, err))
		}
	}
	if err := e.sync(ctx); err != nil {
		e.Close()
		return nil, err
	}
	return e, nil
}

// list takes a snapshot of the lake in range r (lake.Snapshot: the files
// of complete commits only) and brings the tables in line with it: a
// table's view, if any, becomes stale (sync drops it), a table that is
// gone keeps no file.
func (e *Engine) list(r TimeRange) error {
	snap, err := lake.Snapshot(e.lake, r.From, r.To)
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, tf := range snap {
		tb := e.tables[tf.Name]
		if tb == nil {
			tb = &table{Table: tableOf(tf.Table)}
			e.tables[tf.Name] = tb
			e.names = append(e.names, tf.Name)
		}
		seen[tf.Name] = true
		tb.parts, tb.files = tf.Partitions, nil
		for _, p := range tf.Partitions {
			for _, f := range p.Files {
				if !e.bad[f] {
					tb.files = append(tb.files, f)
				}
			}
		}
		tb.empty = false
		tb.stale = tb.view
	}
	for _, n := range e.names {
		if tb := e.tables[n]; !seen[n] {
			tb.parts, tb.files, tb.empty, tb.stale = nil, nil, false, tb.view
		}
	}
	return nil
}

// maxRelists bounds how often one statement starts over because a file
// it was to read vanished. A compaction replaces a partition's files in
// well under a second, so a statement that has to start over more than a
// few times is racing a lake that is compacted without pause (the test
// that compacts in a loop while three searchers count saw five in a row
// on a loaded machine); each start-over first waits a little longer
// (relistPause times its number, at most maxRelistPause) so that it stops
// racing in step with the writer.
const (
	maxRelists     = 30
	relistPause    = 5 * time.Millisecond
	maxRelistPause = 100 * time.Millisecond
)

// ChurnError is a statement that started over maxRelists times because
// a compaction replaced, each time, a file it was to read.
type ChurnError struct {
	Tries int
	Path  string // the file that vanished last
}

func (e *ChurnError) Error() string {
	return fmt.Sprintf("the lake changed under the statement %d times (a compaction replaced files it was reading, last %s): run it again, or when the lake is not being compacted", e.Tries, e.Path)
}

// relist handles a statement that failed on a file that is gone: a
// compaction replaced it (lake.Snapshot explains why a listed file may
// vanish), so the lake is listed again and the statement starts over,
// which relist reports (at most maxRelists times a statement, counted in
// *n; then a *ChurnError). DuckDB materialises a result before returning
// its first row, so no row was returned twice.
func (e *Engine) relist(ctx context.Context, err error, n *int) (bool, error) {
	var fe *FileError
	if err == nil || !errors.As(err, &fe) {
		return false, nil
	}
	if _, serr := os.Stat(fe.Path); !errors.Is(serr, fs.ErrNotExist) {
		return false, nil
	}
	if *n >= maxRelists {
		return false, &ChurnError{Tries: *n, Path: fe.Path}
	}
	*n++
	e.relists++
	if *n > 1 {
		t := time.NewTimer(min(time.Duration(*n-1)*relistPause, maxRelistPause))
		select {
		case <-ctx.Done():
			t.Stop()
			return false, ctx.Err()
		case <-t.C:
		}
	}
	return true, e.Refresh(ctx)
}

// limits fills in the engine's limits in a *LimitError.
func (e *Engine) limits(err error) error {
	var le *LimitError
	if errors.As(err, &le) {
		le.Memory, le.Temp = e.opts.MemoryLimit, e.opts.TempLimit
	}
	return err
}

// Refresh lists the lake again: commits and compactions since the last
// listing become visible (a long-lived engine calls it before a query).
func (e *Engine) Refresh(ctx context.Context) error {
	if err := e.list(e.opts.Range); err != nil {
		return err
	}
	return e.sync(ctx)
}

// Range is the engine's time range.
func (e *Engine) Range() TimeRange { return e.opts.Range }

// SetRange changes the time range of every table, listing the partitions
// again (scheduled queries each have their own lookback window).
func (e *Engine) SetRange(ctx context.Context, r TimeRange) error {
	if r.From.Equal(e.opts.Range.From) && r.To.Equal(e.opts.Range.To) {
		return nil
	}
	if err := e.list(r); err != nil {
		return err
	}
	e.opts.Range = r
	return e.sync(ctx)
}

// replacement is DuckDB's replacement scan: a table name DuckDB does not
// know (no CTE, view or table of that name) that is a lake table becomes
// a call of the scan macro with the table's files in range. Unlike a view,
// nothing is bound before a statement uses the table, and it is bound once.
// Other names pass, for DuckDB's own scans and errors.
func (e *Engine) replacement(name string) (string, []any, error) {
	tb, ok := e.tables[strings.ToLower(name)]
	if !ok {
		return "", nil, nil
	}
	e.touched[tb.Name] = true
	fn, args := e.scan(tb)
	return fn, args, nil
}

// scan is the macro call that reads tb.
func (e *Engine) scan(tb *table) (string, []any) {
	if len(tb.files) == 0 {
		return emptyMacro(tb.Name), nil
	}
	plain, ranged := scanMacro, scanRangeMacro
	if oneSchema(tb.files) {
		plain, ranged = sameScanMacro, sameScanRangeMacro
	}
	r := e.opts.Range
	if r.IsZero() {
		return plain, []any{tb.files}
	}
	from, to := "-infinity", "infinity"
	if !r.From.IsZero() {
		from = r.From.UTC().Format("2006-01-02 15:04:05.999999")
	}
	if !r.To.IsZero() {
		to = r.To.UTC().Format("2006-01-02 15:04:05.999999")
	}
	return ranged, []any{tb.files, from, to}
}

func emptyMacro(table string) string { return "__panther_empty_" + table }

// scanSQL is the SQL of the scan of files of tb, in the range.
func (e *Engine) scanSQL(tb *table, files []string) string {
	e.touched[tb.Name] = true
	saved := tb.files
	tb.files = files
	fn, args := e.scan(tb)
	tb.files = saved
	lits := make([]string, len(args))
	for i, a := range args {
		switch x := a.(type) {
		case []string:
			quoted := make([]string, len(x))
			for j, f := range x {
				quoted[j] = sqlString(f)
			}
			lits[i] = "[" + strings.Join(quoted, ", ") + "]"
		case string:
			lits[i] = sqlString(x)
		}
	}
	return quoteIdent(fn) + "(" + strings.Join(lits, ", ") + ")"
}

// sync brings DuckDB in line with the file lists after they changed: the
// empty macro of a table without files, no view that reads a left-out file.
func (e *Engine) sync(ctx context.Context) error {
	for _, n := range e.names {
		tb := e.tables[n]
		if tb.stale {
			if _, err := e.db.ExecContext(ctx, "DROP VIEW IF EXISTS "+quoteIdent(n)); err != nil {
				return classify(ctx, err)
			}
			tb.view, tb.stale = false, false
		}
		if len(tb.files) == 0 && !tb.empty {
			q := "CREATE OR REPLACE MACRO " + quoteIdent(emptyMacro(n)) + "() AS TABLE " + e.emptySelect(tb)
			if _, err := e.db.ExecContext(ctx, q); err != nil {
				return classify(ctx, err)
			}
			tb.empty = true
		}
	}
	return nil
}

// Close closes DuckDB and removes its spill directory.
func (e *Engine) Close() error {
	var err error
	if e.db != nil {
		err = e.db.Close()
		e.db = nil
	}
	if e.tmpDir != "" {
		os.RemoveAll(e.tmpDir)
		e.tmpDir = ""
	}
	return err
}

// Lake is the absolute lake directory.
func (e *Engine) Lake() string { return e.lake }

// TableNames lists the lake's tables in discovery order: logs tables
// sorted by name, then alerts and rule_matches.
func (e *Engine) TableNames() []string { return slices.Clone(e.names) }

// ensureViews makes every table a catalog view, for statements that list
// the catalog (SHOW TABLES, information_schema): a view is bound when it
// is created, so this reads every footer in range once.
func (e *Engine) ensureViews(ctx context.Context) error {
	for _, n := range e.names {
		tb := e.tables[n]
		if tb.view {
			continue
		}
		q := "CREATE OR REPLACE VIEW " + quoteIdent(n) + " AS SELECT * FROM " + e.scanSQL(tb, tb.files)
		err := e.retry(ctx, func() error {
			_, err := e.db.ExecContext(ctx, q)
			return err
		})
		if err != nil {
			return err
		}
		tb.view = true
	}
	return nil
}

// blame turns a DataError into the FileError of the file behind it: each
// file of the tables the failed statement read is read whole (all columns,
// as the statement may have read any) until one fails. It runs only after
// a failure; other errors are returned as they are.
func (e *Engine) blame(ctx context.Context, err error) error {
	var de *DataError
	if !errors.As(err, &de) {
		return err
	}
	for _, n := range e.names {
		if !e.touched[n] {
			continue
		}
		for _, f := range e.tables[n].files {
			rows, qerr := e.db.QueryContext(ctx, "SELECT * FROM read_parquet("+sqlString(f)+")")
			if qerr == nil {
				for rows.Next() {
				}
				qerr = rows.Err()
				rows.Close()
			}
			if qerr == nil {
				continue
			}
			qerr = classify(ctx, qerr)
			var fe *FileError
			if errors.As(qerr, &fe) {
				return qerr
			}
			if errors.As(qerr, &de) {
				return &FileError{Path: f, Msg: firstLine(de.Msg)}
			}
			return qerr // cancelled
		}
	}
	return err
}

// dropBadFile handles a FileError when SkipBadFiles is set: the file is
// left out of its table and a warning goes out. It reports whether the
// caller should sync and retry.
func (e *Engine) dropBadFile(err error) bool {
	var fe *FileError
	if !e.opts.SkipBadFiles || !errors.As(err, &fe) {
		return false
	}
	dropped := false
	e.bad[fe.Path] = true
	for _, n := range e.names {
		tb := e.tables[n]
		if i := slices.Index(tb.files, fe.Path); i >= 0 {
			tb.files = slices.Delete(tb.files, i, i+1)
			tb.stale = tb.view
			dropped = true
		}
	}
	if dropped && e.opts.Warn != nil {
		e.opts.Warn(fmt.Sprintf("skipped %s: %s", fe.Path, fe.Msg))
	}
	return dropped
}

// timeColumn is the column a table is partitioned by: p_event_time for
// every table (alerts: the first event; rule_matches: the event).
func timeColumn(TableKind) string { return "p_event_time" }

// emptySelect is a typed relation with no rows, for a table with no file
// in range: its columns are what the files would have held.
func (e *Engine) emptySelect(tb *table) string {
	cols := e.knownColumns(tb.Table)
	parts := make([]string, 0, len(cols)+4)
	for _, c := range cols {
		t, err := parsers.ParseType(c.Type)
		typ := "VARCHAR"
		if err == nil {
			typ = t.DuckDB()
		}
		parts = append(parts, "CAST(NULL AS "+typ+") AS "+quoteIdent(c.Name))
	}
	for _, p := range []string{"year", "month", "day", "hour"} {
		parts = append(parts, "CAST(NULL AS INTEGER) AS "+p)
	}
	return "SELECT " + strings.Join(parts, ", ") + " WHERE false"
}

// knownColumns are the columns a table is declared to have: the p_ columns
// and, for a log table of a known log type, its schema.
func (e *Engine) knownColumns(t Table) []parsers.Column {
	cols := parsers.StandardColumns()
	if t.Kind == KindLogs && e.opts.Registry != nil {
		if lt := e.logType(t.Name); lt != nil {
			cols = append(cols, lt.Schema...)
		}
	}
	return cols
}

func (e *Engine) logType(table string) *parsers.LogType {
	if e.opts.Registry == nil {
		return nil
	}
	for _, lt := range e.opts.Registry.All() {
		if lt.Table() == table {
			return lt
		}
	}
	return nil
}

func sqlString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
