package query

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/duckdb/duckdb-go/v2"

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
	// MemoryLimit is DuckDB's memory_limit ("4GB"; "": DuckDB's default,
	// 80% of RAM). Beyond it DuckDB spills to a private temporary directory.
	MemoryLimit string
}

// Engine is an in-process DuckDB over one lake, read-only. It holds the
// process's one *sql.DB; Close releases it. An Engine serves one goroutine.
type Engine struct {
	db     *sql.DB
	opts   Options
	lake   string
	tmpDir string
	views  map[string]*view
	names  []string // table names, in discovery order
}

// view is the DuckDB view of one table, created when a query first needs it.
type view struct {
	Table
	parts   []Partition
	files   []string
	used    bool // a query has needed it
	created bool
	// noTimeColumn: the files lack the time column, so only the
	// partitions bound the range.
	noTimeColumn bool
}

// Open discovers the tables of the lake and opens DuckDB locked down:
// no extension install or autoload, file access only under the lake (and a
// private spill directory), and the configuration locked so a query cannot
// undo any of it. Views are created lazily, per table a query names.
func Open(ctx context.Context, opts Options) (*Engine, error) {
	tables, err := DiscoverTables(opts.Lake)
	if err != nil {
		return nil, err
	}
	e := &Engine{opts: opts, views: map[string]*view{}}
	for _, t := range tables {
		parts, err := t.Partitions(opts.Range)
		if err != nil {
			return nil, &LakeError{Dir: opts.Lake, Err: err}
		}
		v := &view{Table: t, parts: parts}
		for _, p := range parts {
			v.files = append(v.files, p.Files...)
		}
		e.views[t.Name] = v
		e.names = append(e.names, t.Name)
	}
	if e.lake, err = filepath.Abs(opts.Lake); err != nil {
		return nil, &LakeError{Dir: opts.Lake, Err: err}
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
	e.db = sql.OpenDB(connector)
	// One connection: the views and the interrupt of a cancelled query
	// belong to it, and DuckDB parallelises each query itself.
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
	if opts.MemoryLimit != "" {
		setup = append(setup, "SET memory_limit = "+sqlString(opts.MemoryLimit))
	}
	setup = append(setup, "SET lock_configuration = true")
	for _, s := range setup {
		if _, err := e.db.ExecContext(ctx, s); err != nil {
			e.Close()
			return nil, fmt.Errorf("setting up DuckDB (%s): %w", s, classify(ctx, err))
		}
	}
	return e, nil
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

// ensureViews creates the views of the named tables that do not exist yet.
// Names that are not lake tables are ignored (CTE names, DuckDB's own).
func (e *Engine) ensureViews(ctx context.Context, names []string) error {
	for _, n := range names {
		v, ok := e.views[n]
		if !ok || v.created {
			continue
		}
		v.used = true
		if err := e.createView(ctx, v); err != nil {
			return err
		}
	}
	return nil
}

func (e *Engine) createView(ctx context.Context, v *view) error {
	for {
		_, err := e.db.ExecContext(ctx, e.viewSQL(v))
		if err == nil {
			v.created = true
			return nil
		}
		err = classify(ctx, err)
		var se *SQLError
		if v.Kind != KindLogs && !v.noTimeColumn && errors.As(err, &se) && strings.Contains(se.Msg, timeColumn(v.Kind)) {
			// alerts and rule_matches are written with the schema of
			// their writer: without a p_event_time column, the
			// partitions alone bound the range (to the hour).
			v.noTimeColumn = true
			continue
		}
		if !e.dropBadFile(err) {
			return err
		}
	}
}

// dropBadFile handles a FileError when SkipBadFiles is set: the file is
// removed from the views that read it (to be re-created) and a warning
// goes out. It reports whether the caller should retry.
func (e *Engine) dropBadFile(err error) bool {
	var fe *FileError
	if !e.opts.SkipBadFiles || !errors.As(err, &fe) {
		return false
	}
	dropped := false
	for _, n := range e.names {
		v := e.views[n]
		if i := slices.Index(v.files, fe.Path); i >= 0 {
			v.files = slices.Delete(v.files, i, i+1)
			v.created = false
			dropped = true
		}
	}
	if dropped && e.opts.Warn != nil {
		e.opts.Warn(fmt.Sprintf("skipped %s: %s", fe.Path, fe.Msg))
	}
	return dropped
}

// recreateViews re-creates the views that dropBadFile invalidated.
func (e *Engine) recreateViews(ctx context.Context) error {
	for _, n := range e.names {
		if v := e.views[n]; v.used && !v.created {
			if err := e.createView(ctx, v); err != nil {
				return err
			}
		}
	}
	return nil
}

// hive_types keeps the partition columns integers whatever their padding.
const hiveTypes = "{'year': INTEGER, 'month': INTEGER, 'day': INTEGER, 'hour': INTEGER}"

// viewSQL is the view of one table: the files of the partitions in range,
// read with union_by_name (schemas drift as log types grow), and a
// predicate on the time column for the ends of the range that fall inside
// an hour partition.
func (e *Engine) viewSQL(v *view) string {
	var b strings.Builder
	b.WriteString("CREATE OR REPLACE VIEW ")
	b.WriteString(quoteIdent(v.Name))
	b.WriteString(" AS ")
	if len(v.files) == 0 {
		b.WriteString(e.emptySelect(v))
		return b.String()
	}
	// Partition columns last, in path order (DuckDB adds them sorted).
	b.WriteString("SELECT * EXCLUDE (year, month, day, hour), year, month, day, hour FROM read_parquet([")
	for i, f := range v.files {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(sqlString(f))
	}
	b.WriteString("], hive_partitioning = true, union_by_name = true, hive_types = ")
	b.WriteString(hiveTypes)
	b.WriteString(")")
	if !v.noTimeColumn {
		b.WriteString(timePredicate(timeColumn(v.Kind), e.opts.Range))
	}
	return b.String()
}

// timeColumn is the column a table is partitioned by.
func timeColumn(TableKind) string { return "p_event_time" }

func timePredicate(col string, r TimeRange) string {
	var conds []string
	if !r.From.IsZero() {
		conds = append(conds, quoteIdent(col)+" >= "+sqlTimestamp(r.From))
	}
	if !r.To.IsZero() {
		conds = append(conds, quoteIdent(col)+" < "+sqlTimestamp(r.To))
	}
	if len(conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(conds, " AND ")
}

// emptySelect is a typed relation with no rows, for a table with no file
// in range: its columns are what the files would have held.
func (e *Engine) emptySelect(v *view) string {
	cols := e.knownColumns(v.Table)
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

func sqlTimestamp(t time.Time) string {
	return "TIMESTAMP '" + t.UTC().Format("2006-01-02 15:04:05.999999") + "'"
}
