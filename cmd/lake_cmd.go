package cmd

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"panther/lake"
	"panther/query"
)

func init() { register(newCmdLake) }

// newCmdLake is the lake's maintenance: compaction and retention.
func newCmdLake(app *App) *cobra.Command {
	c := &cobra.Command{
		Use:   "lake",
		Short: "Maintain the Parquet lake: compact small files, prune old partitions",
		Long: `The lake that panther replay --lake and panther serve write, and panther search
reads. Both commands take the lake's lock: a lake that panther serve is
writing is maintained by serve itself (lake.Live's Compact and Prune).
Searches running meanwhile see the lake before or after each change, never
between.`,
	}
	c.AddCommand(newCmdLakeCompact(app, nil), newCmdLakePrune(app, nil))
	return c
}

// lakeCompactOptions are the settings of `panther lake compact`.
type lakeCompactOptions struct {
	IO        *IOStreams
	Ctx       context.Context
	Now       func() time.Time
	Lake      string
	Table     string
	OlderThan time.Duration
}

func newCmdLakeCompact(app *App, runF func(*lakeCompactOptions) error) *cobra.Command {
	opts := &lakeCompactOptions{IO: app.IO, Now: app.Now}
	var olderThan string
	c := &cobra.Command{
		Use:   "compact",
		Short: "Merge each partition's small files into one",
		Long: `Merge the Parquet files of each hour partition into one (per schema), so that
a lake fed by many small commits or runs is read as fast as one written in
one go. Each partition's merge is atomic (a search sees the old files or the
new one) and safe to interrupt; compacting again does nothing.

Exit codes: 0 ok; 2 usage; 3 the lake could not be read or written (or is
locked by a writer).`,
		Example: `  panther lake compact --lake ./lake
  panther lake compact --lake ./lake --table aws_cloudtrail --older-than 2h`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			var err error
			opts.Ctx = ctxOf(c)
			if opts.Lake, err = lakeSetting(app); err != nil {
				return err
			}
			if olderThan != "" {
				if opts.OlderThan, err = durationFlag("--older-than", olderThan); err != nil {
					return err
				}
			}
			if runF != nil {
				return runF(opts)
			}
			return lakeCompactRun(opts)
		},
	}
	lakeFlag(c)
	c.Flags().StringVar(&opts.Table, "table", "", "only this table (aws_cloudtrail, alerts...)")
	c.Flags().StringVar(&olderThan, "older-than", "", "only partitions whose hour ended this long ago: 2h, 7d (default: all)")
	return c
}

func lakeCompactRun(opts *lakeCompactOptions) error {
	st, err := lake.Compact(opts.Ctx, opts.Lake, lake.CompactOptions{Table: opts.Table, OlderThan: opts.OlderThan, Now: opts.Now})
	if err != nil {
		return lakeErr(err)
	}
	if st.Partitions == 0 {
		fmt.Fprintln(opts.IO.Out, "nothing to compact: every partition has one file")
		return nil
	}
	fmt.Fprintf(opts.IO.Out, "compacted %d partitions: %d files into %d, %s into %s, %d rows\n", st.Partitions,
		st.FilesBefore, st.FilesAfter, humanBytes(st.BytesBefore), humanBytes(st.BytesAfter), st.Rows)
	return nil
}

// lakePruneOptions are the settings of `panther lake prune`.
type lakePruneOptions struct {
	IO        *IOStreams
	Ctx       context.Context
	Now       func() time.Time
	Lake      string
	Table     string
	OlderThan time.Duration
	DryRun    bool
}

func newCmdLakePrune(app *App, runF func(*lakePruneOptions) error) *cobra.Command {
	opts := &lakePruneOptions{IO: app.IO, Now: app.Now}
	var olderThan string
	c := &cobra.Command{
		Use:   "prune --older-than DURATION",
		Short: "Remove the partitions older than a retention",
		Long: `Remove every hour partition (events, alerts, rule matches) whose hour ended
more than --older-than ago, in one atomic change, with the folders it
empties. The source ledger keeps its entries: replaying an archive of pruned
days does not write them back.

Exit codes: 0 ok; 2 usage; 3 the lake could not be read or written (or is
locked by a writer).`,
		Example: `  panther lake prune --lake ./lake --older-than 90d
  panther lake prune --lake ./lake --older-than 30d --table zeek_conn --dry-run`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			var err error
			opts.Ctx = ctxOf(c)
			if opts.Lake, err = lakeSetting(app); err != nil {
				return err
			}
			if olderThan == "" {
				return usageErr("prune needs --older-than, the retention: e.g. --older-than 90d")
			}
			if opts.OlderThan, err = durationFlag("--older-than", olderThan); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return lakePruneRun(opts)
		},
	}
	lakeFlag(c)
	c.Flags().StringVar(&opts.Table, "table", "", "only this table")
	c.Flags().StringVar(&olderThan, "older-than", "", "the retention: remove partitions whose hour ended this long ago (90d, 2w, 36h)")
	c.Flags().BoolVar(&opts.DryRun, "dry-run", false, "say what would be removed, remove nothing")
	return c
}

func lakePruneRun(opts *lakePruneOptions) error {
	st, err := lake.Prune(opts.Ctx, opts.Lake, lake.PruneOptions{Table: opts.Table, OlderThan: opts.OlderThan, DryRun: opts.DryRun, Now: opts.Now})
	if err != nil {
		return lakeErr(err)
	}
	verb := "removed"
	if opts.DryRun {
		verb = "would remove"
	}
	if st.Partitions == 0 {
		fmt.Fprintln(opts.IO.Out, "nothing to prune: no partition ended before the retention")
		return nil
	}
	fmt.Fprintf(opts.IO.Out, "%s %d partitions (%d files, %s) from %s to %s\n", verb, st.Partitions, st.Files, humanBytes(st.Bytes),
		st.Oldest.Format("2006-01-02T15Z"), st.Newest.Format("2006-01-02T15Z"))
	return nil
}

// lakeFlag adds --lake, bound to the lake setting.
func lakeFlag(c *cobra.Command) {
	c.Flags().String("lake", "", "lake directory (setting lake, PANTHER_LAKE)")
	bindSetting(c, "lake", "lake")
}

// lakeSetting is the lake directory of --lake or the lake setting.
func lakeSetting(app *App) (string, error) {
	dir := app.settings().Lake
	if dir == "" {
		return "", usageErr("no lake: pass --lake DIR, or set PANTHER_LAKE or lake: in .panther.yml")
	}
	return dir, nil
}

// durationFlag parses a duration with days and weeks (7d, 2w, 36h).
func durationFlag(flag, s string) (time.Duration, error) {
	d, err := query.ParseSince(s)
	if err != nil || d <= 0 {
		return 0, usageErr("%s %q: want a duration like 36h, 7d or 2w", flag, s)
	}
	return d, nil
}

// lakeErr maps the lake's errors to exit codes: a missing lake is a usage
// error, the rest operational.
func lakeErr(err error) error {
	var le *lake.LakeError
	if errors.As(err, &le) {
		return &ExitError{Code: ExitUsage, Err: err}
	}
	if errors.Is(err, context.Canceled) {
		return err
	}
	return opErr(err)
}

// humanBytes prints a size for people.
func humanBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
