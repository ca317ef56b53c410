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

	"panther/engine"
	"panther/parsers/logtypes"
	"panther/query"
	"panther/query/format"
)

func init() { register(func(app *App) *cobra.Command { return newCmdSearch(app, nil) }) }

// searchOptions are the settings of `panther search` and its subcommands.
type searchOptions struct {
	IO     *IOStreams
	Now    func() time.Time
	Ctx    context.Context
	Getenv func(string) string
	Load   func(paths []string) (*engine.Set, error)
	Budget time.Duration

	Lake         string
	Range        query.TimeRange
	RangeGiven   bool // a time flag was given (else saved queries use their lookback)
	Format       format.Format
	Limit        int
	Timeout      time.Duration
	SkipBadFiles bool
	// MemoryLimit and TempLimit bound DuckDB (query.Options).
	MemoryLimit, TempLimit string

	// The main command's modes: one of them.
	SQL         string // or "-" for stdin
	Indicators  []query.Indicator
	Tables      []string
	Query       string // a saved query's name
	Scheduled   bool
	Rules       []string // --scheduled --rule
	FailOnAlert bool
	Paths       []string // detections
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

const searchLong = `Search the Parquet lake that replay writes, with DuckDB in-process.

Every table of the lake is queried by its name: one per log type
(aws_cloudtrail, zeek_dns, ...), plus alerts and rule_matches when present.
A table reads its Parquet files with union_by_name, so columns added over
time read as NULL in older files, and has the partition columns year,
month, day and hour. SQL is one read-only statement (SELECT, WITH, FROM,
VALUES, DESCRIBE, SHOW, SUMMARIZE, EXPLAIN, PIVOT with an IN list); "-"
reads it from stdin. Anything that writes or changes settings is refused.

Time flags --since and --until (also spelt --from and --to) take a time
(RFC 3339), a date (UTC; as --until: through that day) or a duration ago
(24h, 90m, 7d, 2w), as in replay. They limit every table to the hour
partitions in range, so files outside it are never opened, and to the
events with p_event_time in range (--until is exclusive).

Indicator flags search every table's p_any_* columns at once and print the
number of matches per table, then the matching rows (newest first). Values
of all flags are ORed; repeat a flag or separate values with commas.

--query NAME runs a saved_query or scheduled_query of the detections (its
LookbackWindowSeconds is the time range when no time flag is given); an
unknown name lists the close ones.
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
file, --timeout reached; 130 interrupted (Ctrl-C).`

func newCmdSearch(app *App, runF func(*searchOptions) error) *cobra.Command {
	opts := &searchOptions{IO: app.IO, Now: app.Now, Getenv: app.Getenv}
	c := &cobra.Command{
		Use:   "search [SQL | -]",
		Short: "Search the Parquet lake with SQL or by indicator (DuckDB, read-only)",
		Long:  searchLong,
		Example: `  panther search --lake ./lake "SELECT eventName, count(*) FROM aws_cloudtrail GROUP BY 1 ORDER BY 2 DESC"
  panther search --lake ./lake --since 7d --ip 203.0.113.9
  panther search --lake ./lake --since 2024-03-01 --until 2024-03-01 --user alice --format jsonl
  panther search --lake ./lake --query "AWS Root Activity" --since 30d
  panther search --lake ./lake --scheduled --detections ./rules --fail-on-alert
  panther search tables --lake ./lake
  panther search describe aws_cloudtrail --lake ./lake
  panther search ddl --engine athena --location s3://bucket/lake --lake ./lake`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			if err := searchFlags(app, c, opts); err != nil {
				return err
			}
			if len(args) > 0 {
				opts.SQL = args[0]
			}
			if err := searchModes(c, opts); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return searchRun(opts)
		},
	}
	pf := c.PersistentFlags()
	pf.String("lake", "", "lake directory (setting lake, PANTHER_LAKE)")
	pf.String("since", "", "only events at or after this time: a time, a date, or a duration ago (24h, 7d)")
	pf.String("until", "", "only events before this time (a date: through that day)")
	pf.String("from", "", "the same as --since")
	pf.String("to", "", "the same as --until")
	pf.String("format", "", "output: "+strings.Join(format.Names, ", ")+" (default table on a terminal, else jsonl)")
	pf.Int("limit", 1000, "print at most N rows (per table for indicators); 0 prints all")
	pf.Duration("timeout", 0, "cancel a query running longer than this, e.g. 30s (setting search_timeout; 0: none)")
	pf.Bool("skip-bad-files", false, "leave out unreadable Parquet files with a warning instead of failing")
	bindSetting(c, "lake", "lake")
	bindSetting(c, "format", "search_format")
	pf.String("memory-limit", "", "memory DuckDB may use, e.g. 4GB (setting search_memory_limit; default "+query.DefaultMemoryLimit+")")
	pf.String("temp-limit", "", "disk DuckDB may spill to beyond it (setting search_temp_limit; default "+query.DefaultTempLimit+")")
	bindSetting(c, "timeout", "search_timeout")
	bindSetting(c, "memory-limit", "search_memory_limit")
	bindSetting(c, "temp-limit", "search_temp_limit")
	for _, f := range indicatorFlags {
		c.Flags().StringSlice(f.flag, nil, "find events with this "+f.help+" in any table")
	}
	c.Flags().StringSliceVar(&opts.Tables, "table", nil, "limit an indicator search to these tables")
	c.Flags().StringVar(&opts.Query, "query", "", "run the saved or scheduled query of this QueryName")
	c.Flags().BoolVar(&opts.Scheduled, "scheduled", false, "run the scheduled rules on their scheduled queries and print the alerts")
	c.Flags().StringArrayVar(&opts.Rules, "rule", nil, "with --scheduled: run only this scheduled rule, even if disabled (repeatable)")
	detectionsFlag(c)
	c.Flags().BoolVar(&opts.FailOnAlert, "fail-on-alert", false, "with --scheduled: exit 1 when any alert is raised")
	_ = c.RegisterFlagCompletionFunc("query", completeQueryNames(app))
	_ = c.RegisterFlagCompletionFunc("rule", completeRuleIDs(app))
	luaTimeoutFlag(c)
	c.AddCommand(newCmdSearchTables(app, nil), newCmdSearchDescribe(app, nil), newCmdSearchDDL(app, nil))
	return c
}

// searchFlags resolves the flags and settings every search command shares.
func searchFlags(app *App, c *cobra.Command, o *searchOptions) error {
	s := app.settings()
	o.Ctx, o.Load, o.Budget, o.Paths = ctxOf(c), app.loadDetections, s.LuaTimeout, s.Detections
	if o.Lake = s.Lake; o.Lake == "" {
		return usageErr("no lake: pass --lake DIR, or set PANTHER_LAKE or lake: in .panther.yml")
	}
	get := func(name string) string { v, _ := c.Flags().GetString(name); return v }
	since, err := oneOf(get("since"), "since", get("from"), "from")
	if err != nil {
		return err
	}
	until, err := oneOf(get("until"), "until", get("to"), "to")
	if err != nil {
		return err
	}
	o.RangeGiven = since != "" || until != ""
	if o.Range, err = timeRange(since, until, app.now()); err != nil {
		return err
	}
	f := s.SearchFormat
	if f == "" {
		f = string(format.JSONL)
		if app.IO.OutTTY {
			f = string(format.Table)
		}
	}
	if o.Format, err = format.Parse(f); err != nil {
		return usageErr("--format: %v", err)
	}
	if o.Limit, err = c.Flags().GetInt("limit"); err != nil || o.Limit < 0 {
		return usageErr("--limit must be 0 (all rows) or more")
	}
	o.Timeout = s.SearchTimeout
	o.SkipBadFiles, _ = c.Flags().GetBool("skip-bad-files")
	o.MemoryLimit, o.TempLimit = s.SearchMemLimit, s.SearchTempLimit
	for flag, v := range map[string]string{"--memory-limit": o.MemoryLimit, "--temp-limit": o.TempLimit} {
		if v != "" {
			if err := query.CheckSize(v); err != nil {
				return usageErr("%s: %v", flag, err)
			}
		}
	}
	return nil
}

// searchModes reads the indicator flags and checks that one mode is asked
// for.
func searchModes(c *cobra.Command, o *searchOptions) error {
	for _, f := range indicatorFlags {
		vals, _ := c.Flags().GetStringSlice(f.flag)
		for _, v := range vals {
			in, err := query.ParseIndicator(f.kind, v)
			if err != nil {
				return usageErr("--%s: %v", f.flag, err)
			}
			o.Indicators = append(o.Indicators, in)
		}
	}
	modes := 0
	for _, on := range []bool{o.SQL != "", len(o.Indicators) > 0, o.Query != "", o.Scheduled} {
		if on {
			modes++
		}
	}
	switch {
	case modes > 1:
		return usageErr("give one of: SQL, indicator flags, --query or --scheduled")
	case modes == 0:
		return usageErr("nothing to search: give SQL (or - to read it from stdin), an indicator flag such as --ip, --query NAME or --scheduled\nRun 'panther search --help' for usage.")
	}
	return nil
}

func searchRun(o *searchOptions) error {
	switch {
	case o.Scheduled:
		return runScheduled(o)
	case o.Query != "":
		return runSavedQuery(o)
	case len(o.Indicators) > 0:
		return withEngine(o, func(ctx context.Context, e *query.Engine) error { return searchIndicators(ctx, e, o) })
	}
	text := o.SQL
	if text == "-" {
		b, err := io.ReadAll(o.IO.In)
		if err != nil {
			return opErr(fmt.Errorf("reading SQL from stdin: %w", err))
		}
		text = string(b)
	}
	return withEngine(o, func(ctx context.Context, e *query.Engine) error { return runSQL(ctx, e, o, text) })
}

// newSearchSub builds a subcommand of search, which shares its flags.
func newSearchSub(app *App, c *cobra.Command, runF, run func(*searchOptions) error, args func(*searchOptions, []string)) *cobra.Command {
	opts := &searchOptions{IO: app.IO, Now: app.Now, Getenv: app.Getenv}
	c.RunE = func(cmd *cobra.Command, a []string) error {
		if err := searchFlags(app, cmd, opts); err != nil {
			return err
		}
		if args != nil {
			args(opts, a)
		}
		if runF != nil {
			return runF(opts)
		}
		return run(opts)
	}
	return c
}

func newCmdSearchTables(app *App, runF func(*searchOptions) error) *cobra.Command {
	return newSearchSub(app, &cobra.Command{
		Use:   "tables",
		Short: "List the lake's tables with their partitions, files and size (within the time flags)",
		Args:  cobra.NoArgs,
	}, runF, searchTablesRun, nil)
}

func searchTablesRun(o *searchOptions) error {
	return withEngine(o, func(ctx context.Context, e *query.Engine) error {
		cols := []query.Column{{Name: "table", Type: "VARCHAR"}, {Name: "kind", Type: "VARCHAR"},
			{Name: "partitions", Type: "BIGINT"}, {Name: "files", Type: "BIGINT"}, {Name: "bytes", Type: "BIGINT"},
			{Name: "first_hour", Type: "VARCHAR"}, {Name: "last_hour", Type: "VARCHAR"}}
		var rows [][]any
		for _, t := range e.Tables() {
			rows = append(rows, []any{t.Name, string(t.Kind), int64(t.Partitions), int64(t.Files), t.Bytes, nullable(t.First), nullable(t.Last)})
		}
		if len(rows) == 0 {
			o.warnf("no tables in lake %s (expected logs/<table>/year=YYYY/month=MM/day=DD/hour=HH/*.parquet)", e.Lake())
		}
		return writeRows(o, cols, rows)
	})
}

func newCmdSearchDescribe(app *App, runF func(*searchOptions) error) *cobra.Command {
	return newSearchSub(app, &cobra.Command{
		Use:   "describe TABLE",
		Short: "List the columns of a table as its files hold them, with their descriptions",
		Args:  cobra.ExactArgs(1),
	}, runF, searchDescribeRun, func(o *searchOptions, args []string) { o.Tables = args })
}

func searchDescribeRun(o *searchOptions) error {
	return withEngine(o, func(ctx context.Context, e *query.Engine) error {
		infos, err := e.Describe(ctx, o.Tables[0])
		if err != nil {
			return err
		}
		cols := []query.Column{{Name: "column", Type: "VARCHAR"}, {Name: "type", Type: "VARCHAR"}, {Name: "description", Type: "VARCHAR"}}
		rows := make([][]any, len(infos))
		for i, ci := range infos {
			rows[i] = []any{ci.Name, ci.Type, ci.Description}
		}
		return writeRows(o, cols, rows)
	})
}

// ddlOptions are the DDL's flags, beside the search's.
type ddlOptions struct{ engine, location, database string }

func newCmdSearchDDL(app *App, runF func(*searchOptions) error) *cobra.Command {
	var d ddlOptions
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
	}
	c.Flags().StringVar(&d.engine, "engine", "", "athena, trino or spark")
	c.Flags().StringVar(&d.location, "location", "", "the lake's URI for the engine, e.g. s3://bucket/lake (default: the local lake)")
	c.Flags().StringVar(&d.database, "database", "panther", "database (schema) to create the tables in")
	run := func(o *searchOptions) error {
		if d.engine == "" {
			return usageErr("ddl needs --engine (one of %s)", strings.Join(query.DDLEngines, ", "))
		}
		return withEngine(o, func(ctx context.Context, e *query.Engine) error {
			s, err := e.DDL(ctx, query.DDLOptions{Engine: d.engine, Location: d.location, Database: d.database})
			if err != nil {
				return err
			}
			_, err = io.WriteString(o.IO.Out, s)
			return opErr(err)
		})
	}
	return newSearchSub(app, c, runF, run, nil)
}

// withEngine opens the engine for the options, runs f under --timeout, and
// maps the errors to exit codes.
func withEngine(o *searchOptions, f func(context.Context, *query.Engine) error) error {
	ctx := o.Ctx
	if ctx == nil {
		ctx = context.Background()
	}
	if o.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, o.Timeout)
		defer cancel()
	}
	e, err := query.Open(ctx, query.Options{
		Lake: o.Lake, Range: o.Range, Registry: logtypes.Default(),
		SkipBadFiles: o.SkipBadFiles, Warn: func(s string) { o.warnf("%s", s) },
		MemoryLimit: o.MemoryLimit, TempLimit: o.TempLimit,
	})
	if err != nil {
		return searchErr(err, o)
	}
	defer e.Close()
	return searchErr(f(ctx, e), o)
}

// searchErr maps the query package's errors to exit codes.
func searchErr(err error, o *searchOptions) error {
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
		return &ExitError{Code: ExitOperational, Err: fmt.Errorf("query cancelled after --timeout %s: narrow the time range (--since, --until) or raise --timeout", o.Timeout)}
	case errors.Is(err, context.Canceled):
		return err
	case errors.As(err, &le), errors.As(err, &se), errors.As(err, &re), errors.As(err, &te):
		return &ExitError{Code: ExitUsage, Err: err}
	}
	return opErr(err)
}

func runSQL(ctx context.Context, e *query.Engine, o *searchOptions, text string) error {
	w := format.New(o.Format, o.IO.Out, format.Options{Width: o.tableWidth()})
	st, err := e.Query(ctx, text, o.Limit, w)
	if err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return opErr(err)
	}
	o.footer(st.Rows, st.Truncated)
	return nil
}

// footer tells a person how many rows there were; machine formats get a
// warning on stderr only when rows were cut.
func (o *searchOptions) footer(n int, truncated bool) {
	if o.Format == format.Table {
		s := "s"
		if n == 1 {
			s = ""
		}
		if truncated {
			fmt.Fprintf(o.IO.Out, "(%d row%s shown; more not shown: raise --limit, or --limit 0 for all)\n", n, s)
		} else {
			fmt.Fprintf(o.IO.Out, "(%d row%s)\n", n, s)
		}
		return
	}
	if truncated {
		o.warnf("output cut at %d rows (--limit); --limit 0 prints all", n)
	}
}

func searchIndicators(ctx context.Context, e *query.Engine, o *searchOptions) error {
	res, err := e.SearchIndicators(ctx, o.Indicators, o.Tables, o.Limit)
	if err != nil {
		return err
	}
	switch o.Format {
	case format.JSON:
		return opErr(format.WriteIndicatorJSON(o.IO.Out, res))
	case format.JSONL, format.CSV:
		return opErr(format.WriteIndicatorRows(o.IO.Out, o.Format, res))
	}
	// table: the counts, then per table its rows.
	counts := [][]any{}
	var total int64
	for _, m := range res {
		counts = append(counts, []any{m.Table, m.Count})
		total += m.Count
	}
	if err := writeRows(o, []query.Column{{Name: "table", Type: "VARCHAR"}, {Name: "matches", Type: "BIGINT"}}, counts); err != nil {
		return err
	}
	for _, m := range res {
		if m.Count == 0 {
			continue
		}
		fmt.Fprintf(o.IO.Out, "\n%s: %d match", m.Table, m.Count)
		if m.Count != 1 {
			fmt.Fprint(o.IO.Out, "es")
		}
		if int64(len(m.Rows)) < m.Count {
			fmt.Fprintf(o.IO.Out, ", newest %d shown (--limit)", len(m.Rows))
		}
		fmt.Fprintln(o.IO.Out)
		cols, rows := format.Summary(m)
		w := format.New(format.Table, o.IO.Out, format.Options{Width: o.tableWidth()})
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
		fmt.Fprintln(o.IO.Out, "(no matches)")
	}
	return nil
}

// writeRows writes a small result in the chosen format.
func writeRows(o *searchOptions, cols []query.Column, rows [][]any) error {
	w := format.New(o.Format, o.IO.Out, format.Options{Width: o.tableWidth()})
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
func (o *searchOptions) tableWidth() int {
	if o.Format != format.Table || !o.IO.OutTTY {
		return 0
	}
	if f, ok := o.IO.Out.(*os.File); ok {
		if w, _, err := term.GetSize(int(f.Fd())); err == nil && w > 0 {
			return w
		}
	}
	if o.Getenv != nil {
		var n int
		if _, err := fmt.Sscan(o.Getenv("COLUMNS"), &n); err == nil && n > 0 {
			return n
		}
	}
	return 100
}

func (o *searchOptions) warnf(f string, args ...any) {
	fmt.Fprintf(o.IO.ErrOut, "panther: warning: "+f+"\n", args...)
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}
