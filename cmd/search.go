package cmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"panther/parsers/logtypes"
	"panther/query"
	"panther/query/format"
)

func init() { register(newSearchCmd) }

// searchOptions are the settings every search command shares.
type searchOptions struct {
	Lake         string
	Range        query.RangeFlags
	Format       format.Format
	Limit        int
	Timeout      time.Duration
	SkipBadFiles bool
	// MemoryLimit and TempLimit bound DuckDB (query.Options).
	MemoryLimit, TempLimit string
}

// indicatorFlags are the indicator flags: flag name, kind, help.
var indicatorFlags = []struct{ flag, kind, help string }{
	{"ip", "ip", "IP address"},
	{"domain", "domain", "domain name"},
	{"user", "username", "user name"},
	{"email", "email", "email address"},
	{"hash", "hash", "MD5, SHA-1 or SHA-256 digest"},
	{"aws-account", "aws_account_id", "AWS account id"},
	{"arn", "aws_arn", "AWS ARN"},
	{"instance-id", "aws_instance_id", "EC2 instance id"},
	{"trace-id", "trace_id", "trace or request id"},
}

func newSearchCmd(app *App) *cobra.Command {
	c := &cobra.Command{
		Use:   "search [SQL | -]",
		Short: "Search the Parquet lake with SQL or by indicator (DuckDB, read-only)",
		Long: `Search the Parquet lake that replay writes, with DuckDB in-process.

Every table of the lake is queried by its name: one per log type
(aws_cloudtrail, zeek_dns, ...), plus alerts and rule_matches when present.
A table reads its Parquet files with union_by_name, so columns added over
time read as NULL in older files, and has the partition columns year,
month, day and hour. SQL is one read-only statement (SELECT, WITH, FROM,
VALUES, DESCRIBE, SHOW, SUMMARIZE, EXPLAIN, PIVOT with an IN list); "-"
reads it from stdin. Anything that writes or changes settings is refused.

Time flags (--since 24h, 7d, 2w; --from/--to RFC 3339 or YYYY-MM-DD, UTC;
--to is exclusive, a bare date means through that day) limit every table to
the hour partitions in range, so files outside it are never opened, and to
the events with p_event_time in range.

Indicator flags search every table's p_any_* columns at once and print the
number of matches per table, then the matching rows (newest first). Values
of all flags are ORed; repeat a flag or separate values with commas.

--query NAME runs a saved_query or scheduled_query of the detections (its
LookbackWindowSeconds is the time range when no time flag is given).
--scheduled runs every enabled scheduled_rule (or those of --rule): each
query of its ScheduledQueries runs, each row goes to the rule's Lua as an
event (p_event_time, else now, is its time), and matches become alerts
with the rule's dedup period and threshold, printed like replay's.

Output: --format table (the default on a terminal: fitted to its width,
long cells cut with …), csv, json (an array) or jsonl (the default when
stdout is not a terminal). Times are UTC.

A Parquet file that cannot be read fails the search with its name (exit 3);
--skip-bad-files leaves it out with a warning instead.

Exit codes: 0 ok; 1 alerts with --scheduled --fail-on-alert; 2 usage: bad
flags, a lake that does not exist, a SQL error (shown with its position), a
refused statement, an unknown query or rule; 3 operational: an unreadable
file, --timeout reached; 130 interrupted (Ctrl-C).`,
		Example: `  panther search --lake ./lake "SELECT eventName, count(*) FROM aws_cloudtrail GROUP BY 1 ORDER BY 2 DESC"
  panther search --lake ./lake --since 7d --ip 203.0.113.9
  panther search --lake ./lake --from 2024-03-01 --to 2024-03-02 --user alice --format jsonl
  panther search --lake ./lake --query "AWS Root Activity" --since 30d
  panther search --lake ./lake --scheduled --detections ./rules --fail-on-alert
  panther search tables --lake ./lake
  panther search describe aws_cloudtrail --lake ./lake
  panther search ddl --engine athena --location s3://bucket/lake --lake ./lake`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			o, err := app.searchFlags(c)
			if err != nil {
				return err
			}
			inds, err := indicatorsFrom(c)
			if err != nil {
				return err
			}
			tables, _ := c.Flags().GetStringSlice("table")
			savedName, _ := c.Flags().GetString("query")
			sched, _ := c.Flags().GetBool("scheduled")
			modes := 0
			for _, on := range []bool{len(args) > 0, len(inds) > 0, savedName != "", sched} {
				if on {
					modes++
				}
			}
			switch {
			case modes > 1:
				return usageErr("give one of: SQL, indicator flags, --query or --scheduled")
			case sched:
				return app.runScheduled(c, o)
			case savedName != "":
				return app.runSavedQuery(c, o, savedName)
			case len(inds) > 0:
				return app.withEngine(c, o, func(ctx context.Context, e *query.Engine) error {
					return app.searchIndicators(ctx, e, o, inds, tables)
				})
			case len(args) == 0:
				return usageErr("nothing to search: give SQL (or - to read it from stdin), an indicator flag such as --ip, --query NAME or --scheduled\nRun 'panther search --help' for usage.")
			}
			text := args[0]
			if text == "-" {
				b, err := io.ReadAll(app.IO.In)
				if err != nil {
					return opErr(fmt.Errorf("reading SQL from stdin: %w", err))
				}
				text = string(b)
			}
			return app.withEngine(c, o, func(ctx context.Context, e *query.Engine) error {
				return app.runSQL(ctx, e, o, text)
			})
		},
	}
	pf := c.PersistentFlags()
	pf.String("lake", "", "lake directory (setting lake, PANTHER_LAKE)")
	pf.String("since", "", "only the last DURATION: 24h, 90m, 7d, 2w")
	pf.String("from", "", "only events at or after this time (RFC 3339 or YYYY-MM-DD, UTC)")
	pf.String("to", "", "only events before this time (a bare date: through that day)")
	pf.String("format", "", "output: "+strings.Join(format.Names, ", ")+" (default table on a terminal, else jsonl)")
	pf.Int("limit", 1000, "print at most N rows (per table for indicators); 0 prints all")
	pf.Duration("timeout", 0, "cancel a query running longer than this, e.g. 30s (setting search_timeout; 0: none)")
	pf.Bool("skip-bad-files", false, "leave out unreadable Parquet files with a warning instead of failing")
	pf.String("memory-limit", "", "memory DuckDB may use, e.g. 4GB (setting search_memory_limit; default "+query.DefaultMemoryLimit+")")
	pf.String("temp-limit", "", "disk DuckDB may spill to beyond it (setting search_temp_limit; default "+query.DefaultTempLimit+")")
	for _, f := range indicatorFlags {
		c.Flags().StringSlice(f.flag, nil, "find events with this "+f.help+" in any table")
	}
	c.Flags().StringSlice("table", nil, "limit an indicator search to these tables")
	c.Flags().String("query", "", "run the saved or scheduled query of this QueryName")
	c.Flags().Bool("scheduled", false, "run the scheduled rules on their scheduled queries and print the alerts")
	c.Flags().StringArray("rule", nil, "with --scheduled: run only this scheduled rule (repeatable)")
	c.Flags().StringArray("detections", nil, "detection trees for --query and --scheduled (default: the detections setting, else the shipped set)")
	c.Flags().Bool("fail-on-alert", false, "with --scheduled: exit 1 when any alert is raised")
	luaTimeoutFlag(c)
	c.AddCommand(newSearchTablesCmd(app), newSearchDescribeCmd(app), newSearchDDLCmd(app))
	return c
}

func newSearchTablesCmd(app *App) *cobra.Command {
	return &cobra.Command{
		Use:   "tables",
		Short: "List the lake's tables with their partitions, files and size (within the time flags)",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			o, err := app.searchFlags(c)
			if err != nil {
				return err
			}
			return app.withEngine(c, o, func(ctx context.Context, e *query.Engine) error {
				cols := []query.Column{{Name: "table", Type: "VARCHAR"}, {Name: "kind", Type: "VARCHAR"},
					{Name: "partitions", Type: "BIGINT"}, {Name: "files", Type: "BIGINT"}, {Name: "bytes", Type: "BIGINT"},
					{Name: "first_hour", Type: "VARCHAR"}, {Name: "last_hour", Type: "VARCHAR"}}
				var rows [][]any
				for _, t := range e.Tables() {
					rows = append(rows, []any{t.Name, string(t.Kind), int64(t.Partitions), int64(t.Files), t.Bytes, nullable(t.First), nullable(t.Last)})
				}
				if len(rows) == 0 {
					app.warnf("no tables in lake %s (expected logs/<table>/year=YYYY/month=MM/day=DD/hour=HH/*.parquet)", e.Lake())
				}
				return app.writeRows(o, cols, rows)
			})
		},
	}
}

func newSearchDescribeCmd(app *App) *cobra.Command {
	return &cobra.Command{
		Use:   "describe TABLE",
		Short: "List the columns of a table as its files hold them, with their descriptions",
		Args:  cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			o, err := app.searchFlags(c)
			if err != nil {
				return err
			}
			return app.withEngine(c, o, func(ctx context.Context, e *query.Engine) error {
				infos, err := e.Describe(ctx, args[0])
				if err != nil {
					return err
				}
				cols := []query.Column{{Name: "column", Type: "VARCHAR"}, {Name: "type", Type: "VARCHAR"}, {Name: "description", Type: "VARCHAR"}}
				rows := make([][]any, len(infos))
				for i, ci := range infos {
					rows[i] = []any{ci.Name, ci.Type, ci.Description}
				}
				return app.writeRows(o, cols, rows)
			})
		},
	}
}

func newSearchDDLCmd(app *App) *cobra.Command {
	c := &cobra.Command{
		Use:   "ddl --engine athena|trino|spark",
		Short: "Print the external-table statements that let Athena, Trino or Spark read the lake",
		Long: `Print CREATE statements for every table of the lake, as external Parquet
tables partitioned by year, month, day and hour: Athena with partition
projection (no crawler or MSCK needed), Trino's Hive connector followed by
sync_partition_metadata, Spark followed by MSCK REPAIR TABLE.

--location is where the engine sees the lake (s3://bucket/prefix after
copying the lake there); by default the local lake directory.`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			o, err := app.searchFlags(c)
			if err != nil {
				return err
			}
			eng, _ := c.Flags().GetString("engine")
			loc, _ := c.Flags().GetString("location")
			dbName, _ := c.Flags().GetString("database")
			if eng == "" {
				return usageErr("ddl needs --engine (one of %s)", strings.Join(query.DDLEngines, ", "))
			}
			return app.withEngine(c, o, func(ctx context.Context, e *query.Engine) error {
				s, err := e.DDL(ctx, query.DDLOptions{Engine: eng, Location: loc, Database: dbName})
				if err != nil {
					return err
				}
				_, err = io.WriteString(app.IO.Out, s)
				return err
			})
		},
	}
	c.Flags().String("engine", "", "athena, trino or spark")
	c.Flags().String("location", "", "the lake's URI for the engine, e.g. s3://bucket/lake (default: the local lake)")
	c.Flags().String("database", "panther", "database (schema) to create the tables in")
	return c
}

// searchFlags resolves the shared flags and settings.
func (app *App) searchFlags(c *cobra.Command) (searchOptions, error) {
	var o searchOptions
	o.Lake = app.cfg.String(c, "lake", "lake", "")
	if o.Lake == "" {
		return o, usageErr("no lake: pass --lake DIR, or set PANTHER_LAKE or lake: in .panther.yml")
	}
	o.Range.Since, _ = c.Flags().GetString("since")
	o.Range.From, _ = c.Flags().GetString("from")
	o.Range.To, _ = c.Flags().GetString("to")
	f := app.cfg.String(c, "format", "search_format", "")
	if f == "" {
		f = string(format.JSONL)
		if app.IO.OutTTY {
			f = string(format.Table)
		}
	}
	var err error
	if o.Format, err = format.Parse(f); err != nil {
		return o, usageErr("--format: %v", err)
	}
	if o.Limit, err = c.Flags().GetInt("limit"); err != nil || o.Limit < 0 {
		return o, usageErr("--limit must be 0 (all rows) or more")
	}
	if o.Timeout, err = app.cfg.Duration(c, "timeout", "search_timeout", 0); err != nil {
		return o, err
	}
	o.SkipBadFiles, _ = c.Flags().GetBool("skip-bad-files")
	o.MemoryLimit = app.cfg.String(c, "memory-limit", "search_memory_limit", "")
	o.TempLimit = app.cfg.String(c, "temp-limit", "search_temp_limit", "")
	for flag, v := range map[string]string{"--memory-limit": o.MemoryLimit, "--temp-limit": o.TempLimit} {
		if v != "" {
			if err := query.CheckSize(v); err != nil {
				return o, usageErr("%s: %v", flag, err)
			}
		}
	}
	return o, nil
}

func indicatorsFrom(c *cobra.Command) ([]query.Indicator, error) {
	var out []query.Indicator
	for _, f := range indicatorFlags {
		vals, _ := c.Flags().GetStringSlice(f.flag)
		for _, v := range vals {
			in, err := query.ParseIndicator(f.kind, v)
			if err != nil {
				return nil, usageErr("--%s: %v", f.flag, err)
			}
			out = append(out, in)
		}
	}
	return out, nil
}

// withEngine opens the engine for the flags, runs f under --timeout, and
// maps the errors to exit codes.
func (app *App) withEngine(c *cobra.Command, o searchOptions, f func(context.Context, *query.Engine) error) error {
	now := time.Now
	if app.Now != nil {
		now = app.Now
	}
	r, err := o.Range.Resolve(now())
	if err != nil {
		return usageErr("%v", err)
	}
	ctx := c.Context()
	if ctx == nil {
		ctx = context.Background()
	}
	if o.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, o.Timeout)
		defer cancel()
	}
	e, err := query.Open(ctx, query.Options{
		Lake: o.Lake, Range: r, Registry: logtypes.Default(),
		SkipBadFiles: o.SkipBadFiles, Warn: func(s string) { app.warnf("%s", s) },
		MemoryLimit: o.MemoryLimit, TempLimit: o.TempLimit,
	})
	if err != nil {
		return searchErr(err, o)
	}
	defer e.Close()
	return searchErr(f(ctx, e), o)
}

// searchErr maps the query package's errors to exit codes.
func searchErr(err error, o searchOptions) error {
	if err == nil {
		return nil
	}
	var (
		le *query.LakeError
		se *query.SQLError
		re *query.RefusedError
		te *query.TableError
		ee *ExitError
	)
	switch {
	case errors.As(err, &ee):
		return err
	case errors.Is(err, context.DeadlineExceeded):
		return &ExitError{Code: ExitOperational, Err: fmt.Errorf("query cancelled after --timeout %s: narrow the time range (--since, --from/--to) or raise --timeout", o.Timeout)}
	case errors.Is(err, context.Canceled):
		return err
	case errors.As(err, &le), errors.As(err, &se), errors.As(err, &re), errors.As(err, &te):
		return &ExitError{Code: ExitUsage, Err: err}
	}
	return opErr(err)
}

func (app *App) runSQL(ctx context.Context, e *query.Engine, o searchOptions, text string) error {
	w := format.New(o.Format, app.IO.Out, format.Options{Width: app.tableWidth(o)})
	st, err := e.Query(ctx, text, o.Limit, w)
	if err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return opErr(err)
	}
	app.footer(o, st.Rows, st.Truncated)
	return nil
}

// footer tells a person how many rows there were; machine formats get a
// warning on stderr only when rows were cut.
func (app *App) footer(o searchOptions, n int, truncated bool) {
	if o.Format == format.Table {
		s := "s"
		if n == 1 {
			s = ""
		}
		if truncated {
			fmt.Fprintf(app.IO.Out, "(%d row%s shown; more not shown: raise --limit, or --limit 0 for all)\n", n, s)
		} else {
			fmt.Fprintf(app.IO.Out, "(%d row%s)\n", n, s)
		}
		return
	}
	if truncated {
		app.warnf("output cut at %d rows (--limit); --limit 0 prints all", n)
	}
}

func (app *App) searchIndicators(ctx context.Context, e *query.Engine, o searchOptions, inds []query.Indicator, tables []string) error {
	res, err := e.SearchIndicators(ctx, inds, tables, o.Limit)
	if err != nil {
		return err
	}
	switch o.Format {
	case format.JSON:
		return opErr(format.WriteIndicatorJSON(app.IO.Out, res))
	case format.JSONL, format.CSV:
		return opErr(format.WriteIndicatorRows(app.IO.Out, o.Format, res))
	}
	// table: the counts, then per table its rows.
	counts := [][]any{}
	var total int64
	for _, m := range res {
		counts = append(counts, []any{m.Table, m.Count})
		total += m.Count
	}
	if err := app.writeRows(o, []query.Column{{Name: "table", Type: "VARCHAR"}, {Name: "matches", Type: "BIGINT"}}, counts); err != nil {
		return err
	}
	for _, m := range res {
		if m.Count == 0 {
			continue
		}
		fmt.Fprintf(app.IO.Out, "\n%s: %d match", m.Table, m.Count)
		if m.Count != 1 {
			fmt.Fprint(app.IO.Out, "es")
		}
		if int64(len(m.Rows)) < m.Count {
			fmt.Fprintf(app.IO.Out, ", newest %d shown (--limit)", len(m.Rows))
		}
		fmt.Fprintln(app.IO.Out)
		cols, rows := format.Summary(m)
		w := format.New(format.Table, app.IO.Out, format.Options{Width: app.tableWidth(o)})
		if err := w.Columns(cols); err != nil {
			return err
		}
		for _, r := range rows {
			if err := w.Row(r); err != nil {
				return err
			}
		}
		if err := w.Close(); err != nil {
			return opErr(err)
		}
	}
	if total == 0 {
		fmt.Fprintln(app.IO.Out, "(no matches)")
	}
	return nil
}

// writeRows writes a small result in the chosen format.
func (app *App) writeRows(o searchOptions, cols []query.Column, rows [][]any) error {
	w := format.New(o.Format, app.IO.Out, format.Options{Width: app.tableWidth(o)})
	if err := w.Columns(cols); err != nil {
		return opErr(err)
	}
	for _, r := range rows {
		if err := w.Row(r); err != nil {
			return opErr(err)
		}
	}
	return opErr(w.Close())
}

// tableWidth is the width a table must fit: the terminal's, else COLUMNS,
// else none (a table piped to a file keeps every cell whole).
func (app *App) tableWidth(o searchOptions) int {
	if o.Format != format.Table || !app.IO.OutTTY {
		return 0
	}
	if f, ok := app.IO.Out.(*os.File); ok {
		if w, _, err := term.GetSize(int(f.Fd())); err == nil && w > 0 {
			return w
		}
	}
	if app.Getenv != nil {
		var n int
		if _, err := fmt.Sscan(app.Getenv("COLUMNS"), &n); err == nil && n > 0 {
			return n
		}
	}
	return 100
}

func (app *App) warnf(f string, args ...any) {
	fmt.Fprintf(app.IO.ErrOut, "panther: warning: "+f+"\n", args...)
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}
