package cmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"panther/lake"
	"panther/query"
)

func init() { register(newLakeCmd) }

// newLakeCmd is the lake's maintenance: compaction and retention.
func newLakeCmd(app *App) *cobra.Command {
	c := &cobra.Command{
		Use:   "lake",
		Short: "Maintain the Parquet lake: compact small files, prune old partitions",
		Long: `The lake that panther replay --lake and panther serve write, and panther search
reads. Both commands take the lake's lock: a lake that panther serve is
writing is maintained by serve itself (its compaction and retention
settings). Searches running meanwhile see the lake before or after each
change, never between.`,
	}
	c.PersistentFlags().String("lake", "", "lake directory (setting lake, PANTHER_LAKE)")
	c.AddCommand(NewCmdLakeCompact(app, nil), NewCmdLakePrune(app, nil))
	return c
}

// LakeCompactOptions are the inputs of panther lake compact.
type LakeCompactOptions struct {
	Out       io.Writer
	Lake      string
	Table     string
	OlderThan time.Duration
	Now       func() time.Time
}

// NewCmdLakeCompact builds panther lake compact; runF replaces the run in
// tests of flag parsing.
func NewCmdLakeCompact(app *App, runF func(context.Context, *LakeCompactOptions) error) *cobra.Command {
	o := &LakeCompactOptions{}
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
			if o.Lake, err = app.lakeFlag(c); err != nil {
				return err
			}
			if olderThan != "" {
				if o.OlderThan, err = durationFlag("--older-than", olderThan); err != nil {
					return err
				}
			}
			o.Out, o.Now = app.IO.Out, app.Now
			if runF != nil {
				return runF(c.Context(), o)
			}
			return lakeCompactRun(c.Context(), o)
		},
	}
	c.Flags().StringVar(&o.Table, "table", "", "only this table (aws_cloudtrail, alerts...)")
	c.Flags().StringVar(&olderThan, "older-than", "", "only partitions whose hour ended this long ago: 2h, 7d (default: all)")
	return c
}

func lakeCompactRun(ctx context.Context, o *LakeCompactOptions) error {
	st, err := lake.Compact(ctx, o.Lake, lake.CompactOptions{Table: o.Table, OlderThan: o.OlderThan, Now: o.Now})
	if err != nil {
		return lakeErr(err)
	}
	if st.Partitions == 0 {
		fmt.Fprintln(o.Out, "nothing to compact: every partition has one file")
		return nil
	}
	fmt.Fprintf(o.Out, "compacted %d partitions: %d files into %d, %s into %s, %d rows\n", st.Partitions,
		st.FilesBefore, st.FilesAfter, humanBytes(st.BytesBefore), humanBytes(st.BytesAfter), st.Rows)
	return nil
}

// LakePruneOptions are the inputs of panther lake prune.
type LakePruneOptions struct {
	Out       io.Writer
	Lake      string
	Table     string
	OlderThan time.Duration
	DryRun    bool
	Now       func() time.Time
}

// NewCmdLakePrune builds panther lake prune.
func NewCmdLakePrune(app *App, runF func(context.Context, *LakePruneOptions) error) *cobra.Command {
	o := &LakePruneOptions{}
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
			if o.Lake, err = app.lakeFlag(c); err != nil {
				return err
			}
			if olderThan == "" {
				return usageErr("prune needs --older-than, the retention: e.g. --older-than 90d")
			}
			if o.OlderThan, err = durationFlag("--older-than", olderThan); err != nil {
				return err
			}
			o.Out, o.Now = app.IO.Out, app.Now
			if runF != nil {
				return runF(c.Context(), o)
			}
			return lakePruneRun(c.Context(), o)
		},
	}
	c.Flags().StringVar(&o.Table, "table", "", "only this table")
	c.Flags().StringVar(&olderThan, "older-than", "", "the retention: remove partitions whose hour ended this long ago (90d, 2w, 36h)")
	c.Flags().BoolVar(&o.DryRun, "dry-run", false, "say what would be removed, remove nothing")
	return c
}

func lakePruneRun(ctx context.Context, o *LakePruneOptions) error {
	st, err := lake.Prune(ctx, o.Lake, lake.PruneOptions{Table: o.Table, OlderThan: o.OlderThan, DryRun: o.DryRun, Now: o.Now})
	if err != nil {
		return lakeErr(err)
	}
	verb := "removed"
	if o.DryRun {
		verb = "would remove"
	}
	if st.Partitions == 0 {
		fmt.Fprintln(o.Out, "nothing to prune: no partition ended before the retention")
		return nil
	}
	fmt.Fprintf(o.Out, "%s %d partitions (%d files, %s) from %s to %s\n", verb, st.Partitions, st.Files, humanBytes(st.Bytes),
		st.Oldest.Format("2006-01-02T15Z"), st.Newest.Format("2006-01-02T15Z"))
	return nil
}

// lakeFlag is the lake directory of --lake or the lake setting.
func (app *App) lakeFlag(c *cobra.Command) (string, error) {
	dir := app.cfg.String(c, "lake", "lake", "")
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
