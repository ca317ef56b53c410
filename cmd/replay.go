package cmd

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"panther/engine"
	"panther/engine/replay"
	"panther/parsers/input"
	"panther/query"
)

func init() { register(newReplayCmd) }

// maxShownBadRecords bounds the bad records printed on stderr; all of them
// go to --dead-letter.
const maxShownBadRecords = 20

func newReplayCmd(app *App) *cobra.Command {
	var (
		logType, format, alertsFile, lakeDir, deadLetter, label string
		since, until                                            string
		paths, rules, filters                                   []string
		failOnAlert, failOnError, quiet                         bool
		maxRecord, year                                         int
	)
	var push string // --push URL
	c := &cobra.Command{
		Use:   "replay [PATH...|-]",
		Short: "Stream log archives through the detections: alerts, and a Parquet lake",
		Long: `Replay raw logs through the detections, as live would have seen them: files,
directories (recursive), globs or - for stdin; gzip, zstd and bzip2 are
recognised by content; whole-file JSON arrays and {"Records":[...]} files are
split into events. Without --log-type each source's records are classified.

Alerts follow DESIGN.md in event time: matches with one dedup string join an
alert while within DedupPeriodMinutes of its first event, and the alert is
raised once it holds Threshold events. Output is the same for any --workers.

With --lake, every event is written to the hive-partitioned Parquet lake
(plus alerts and rule_matches) that panther search reads. A source already in
the lake (same content digest) is not written twice.

Exit codes: 0 ok; 1 with --fail-on-alert and alerts, or --fail-on-error and
rule errors or unparsed records; 3 when a source could not be read or the lake
failed; 130 interrupted (nothing partial is left in the lake).`,
		Example: `  panther replay logs/2024/ --lake ./lake
  panther replay 'cloudtrail/*.json.gz' --rule AWS.CloudTrail.Stopped --since 2024-03-01 --format jsonl
  zcat app.log.gz | panther replay - --log-type Syslog.RFC3164`,
		RunE: func(c *cobra.Command, args []string) error {
			ctx := c.Context()
			if format != "pretty" && format != "jsonl" {
				return usageErr("--format %q: pretty or jsonl", format)
			}
			if len(args) == 0 {
				return usageErr("give the logs to replay (files, folders, globs, or - for stdin); try: panther replay testdata/samples")
			}
			srcs, err := app.detectionSources(c, paths)
			if err != nil {
				return err
			}
			lopts, err := app.loadOptions(c)
			if err != nil {
				return err
			}
			set := engine.Load(srcs, lopts)
			errOut := app.IO.ErrOut
			if n := set.Diagnostics.Errors(); n > 0 {
				for _, d := range set.Diagnostics {
					if d.Level == engine.LevelError {
						fmt.Fprintln(errOut, d.String())
					}
				}
				fmt.Fprintf(errOut, "panther: %d problem(s) in the detections; the rest run\n", n)
			}
			if err := checkYear(year); err != nil {
				return err
			}
			opts := replay.Options{Set: set, Registry: set.Registry, Budget: lopts.Budget, Label: label,
				MaxRecordBytes: maxRecord, Now: app.Now, Stdin: app.IO.In, Year: year}
			if opts.Workers, err = app.cfg.Int(c, "workers", "workers", 0); err != nil {
				return err
			}
			if logType != "" {
				lt, ok := set.Registry.Lookup(logType)
				if !ok {
					hint := ""
					if n := set.Registry.Nearest(logType); n != "" {
						hint = " (did you mean " + n + "?)"
					}
					return usageErr("--log-type %q is not a known log type%s; panther logtypes lists them", logType, hint)
				}
				opts.LogType = lt
			}
			now := app.Now()
			if opts.Since, err = timeArg("--since", since, now); err != nil {
				return err
			}
			if opts.Until, err = timeArg("--until", until, now); err != nil {
				return err
			}
			if opts.Rules, err = selectRules(set, rules, filters); err != nil {
				return err
			}

			sources, expandErrs := input.Expand(args)
			failedSources := len(expandErrs)
			for _, e := range expandErrs {
				fmt.Fprintln(errOut, "panther: "+e.Error())
			}
			opts.Sources = sources

			out := bufio.NewWriter(app.IO.Out)
			defer out.Flush()
			var alertsW *bufio.Writer
			var alertsF *os.File
			if alertsFile != "" {
				if alertsF, err = os.Create(alertsFile); err != nil {
					return opErr(fmt.Errorf("--alerts: %w", err))
				}
				defer alertsF.Close()
				alertsW = bufio.NewWriter(alertsF)
				defer alertsW.Flush()
			}
			var pushed []*engine.Alert
			opts.OnAlert = func(a *engine.Alert) {
				if push != "" {
					pushed = append(pushed, a)
				}
				row := replay.AlertRow(a)
				if len(a.Chain) > 0 {
					// A correlation alert carries the matches that made it.
					if chain, err := json.Marshal(a.Chain); err == nil {
						row = append(append(append(row[:len(row)-1:len(row)-1], `,"chain":`...), chain...), '}')
					}
				}
				if alertsW != nil {
					alertsW.Write(row)
					alertsW.WriteByte('\n')
				}
				if format == "jsonl" {
					out.Write(row)
					out.WriteByte('\n')
				} else {
					printAlert(out, a, app.IO.Color)
				}
			}
			ruleErrors := map[string][]string{}
			opts.OnRuleError = func(a *engine.Alert) {
				if len(ruleErrors[a.RuleID]) < 3 {
					ruleErrors[a.RuleID] = append(ruleErrors[a.RuleID], a.Error)
				}
			}
			var dead *bufio.Writer
			if deadLetter != "" {
				f, err := os.Create(deadLetter)
				if err != nil {
					return opErr(fmt.Errorf("--dead-letter: %w", err))
				}
				defer f.Close()
				dead = bufio.NewWriter(f)
				defer dead.Flush()
				opts.KeepBadRecords = true
			}
			shown := 0
			opts.OnBadRecord = func(b replay.BadRecord) {
				if dead != nil {
					writeDeadLetter(dead, b)
				}
				if !quiet && shown < maxShownBadRecords {
					fmt.Fprintf(errOut, "%s:%d: %s\n", b.File, b.Line, b.Reason)
				}
				shown++
			}
			opts.OnSourceError = func(err error) {
				failedSources++
				fmt.Fprintln(errOut, "panther: "+err.Error())
			}
			var bar *progressbar.ProgressBar
			if app.IO.ErrTTY && !quiet {
				var total int64
				for _, s := range sources {
					total += max(s.Size, 0)
				}
				bar = progressbar.NewOptions64(total, progressbar.OptionSetWriter(errOut), progressbar.OptionShowBytes(true),
					progressbar.OptionThrottle(200*time.Millisecond), progressbar.OptionSetWidth(30),
					progressbar.OptionClearOnFinish(), progressbar.OptionSetPredictTime(true))
				opts.OnProgress = func(p replay.Progress) {
					rate := float64(p.Events) / max(p.Elapsed.Seconds(), 0.001)
					bar.Describe(fmt.Sprintf("%s events (%s/s), %d alerts", human(float64(p.Events)), human(rate), p.Alerts))
					bar.Set64(p.BytesDone)
				}
			}

			var lw *lakeWriter
			if lakeDir != "" {
				lw, err = openLake(ctx, lakeDir, set.Registry, app)
				if err != nil {
					return opErr(err)
				}
				lw.label = label
				opts.Lake = lw
			}
			// Replay allocates many short-lived objects at a steady rate: a
			// less eager collector saves about 10% of CPU (GOGC 100 vs 400,
			// BenchmarkReplayCloudTrail), and the soft memory limit keeps
			// the peak under the 500 MB the replay issue sets. GOGC and
			// GOMEMLIMIT in the environment still win.
			if os.Getenv("GOGC") == "" {
				debug.SetGCPercent(400)
			}
			if os.Getenv("GOMEMLIMIT") == "" {
				debug.SetMemoryLimit(256 << 20)
			}
			st, runErr := replay.Run(ctx, opts)
			if bar != nil {
				bar.Finish()
			}
			var lakeStats string
			if lw != nil {
				if runErr != nil {
					lw.w.Abort()
				} else if err := lw.w.Close(); err != nil {
					runErr = fmt.Errorf("lake: %w", err)
				}
				if runErr == nil {
					lakeStats = lw.summary()
				}
			}
			out.Flush()
			if !quiet || runErr != nil {
				printReplaySummary(errOut, st, ruleErrors, shown, lakeStats, lakeDir)
			}
			if runErr != nil {
				if errors.Is(runErr, context.Canceled) {
					return runErr
				}
				return opErr(runErr)
			}
			if push != "" {
				if err := app.pushAlerts(ctx, c, push, set, pushed); err != nil {
					return err
				}
			}
			if failedSources > 0 {
				return &ExitError{Code: ExitOperational, Err: fmt.Errorf("%d source(s) could not be read", failedSources)}
			}
			if failOnAlert && st.Alerts > 0 {
				return findings()
			}
			rerrs := 0
			for _, n := range st.ErrorsPerRule {
				rerrs += n
			}
			if failOnError && (rerrs > 0 || st.Unparsed > 0) {
				return findings()
			}
			return nil
		},
	}
	f := c.Flags()
	f.StringVar(&logType, "log-type", "", "parse every record as this log type (default: classify each source)")
	f.StringArrayVar(&paths, "detections", nil, "detection trees (default: the detections setting, else the shipped set)")
	f.StringArrayVar(&rules, "rule", nil, "run only this detection (repeatable)")
	f.StringArrayVar(&filters, "filter", nil, "run only detections matching Key=V1,V2 or Key!=V (repeatable, as panther test)")
	f.StringVar(&since, "since", "", "skip events before this time (RFC 3339, a date, or a duration ago like 24h, 7d)")
	f.StringVar(&until, "until", "", "skip events at or after this time")
	f.Int("workers", 0, "parallel workers (default: all cores; setting workers)")
	f.StringVar(&format, "format", "pretty", "alerts on stdout: pretty or jsonl")
	f.StringVar(&alertsFile, "alerts", "", "also write the alerts to this file (JSON lines)")
	f.StringVar(&push, "push", "", "send the alerts to the alert store of this backend URL (token: PANTHER_API_TOKEN); pushing the same replay again adds nothing")
	f.StringVar(&lakeDir, "lake", "", "write every event, alert and rule match to the Parquet lake in this folder")
	f.StringVar(&deadLetter, "dead-letter", "", "write the records that did not parse to this file (JSON lines: file, line, reason, record)")
	f.StringVar(&label, "label", "", "p_source_label of the events")
	f.IntVar(&maxRecord, "max-record-bytes", 0, "largest record accepted (default 16 MiB)")
	yearFlag(f, &year)
	f.BoolVar(&failOnAlert, "fail-on-alert", false, "exit 1 when any alert is raised")
	f.BoolVar(&failOnError, "fail-on-error", false, "exit 1 on rule errors or unparsed records")
	f.BoolVarP(&quiet, "quiet", "q", false, "no progress bar, no per-record errors, no summary")
	luaTimeoutFlag(c)
	return c
}

// yearFlag adds --year (replay, parse).
func yearFlag(f *pflag.FlagSet, year *int) {
	f.IntVar(year, "year", 0, "year of each source's first year-less timestamp (RFC 3164 syslog), later ones following in order "+
		"(default: the year that puts it in the last 12 months)")
}

func checkYear(year int) error {
	if year != 0 && (year < 1970 || year > 9999) {
		return usageErr("--year %d: give a year from 1970 to 9999", year)
	}
	return nil
}

// timeArg reads --since/--until: an absolute time, a date, or a duration
// before now.
func timeArg(flag, s string, now time.Time) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, _, err := query.ParseTime(s); err == nil {
		return t, nil
	}
	if d, err := query.ParseSince(s); err == nil {
		return now.Add(-d).UTC(), nil
	}
	return time.Time{}, usageErr("%s %q: give a time (2024-03-01T12:00:00Z), a date (2024-03-01) or a duration ago (24h, 7d)", flag, s)
}

// selectRules applies --rule and --filter; nil means every enabled rule.
func selectRules(set *engine.Set, ids, filters []string) ([]*engine.Detection, error) {
	if len(ids) == 0 && len(filters) == 0 {
		return nil, nil
	}
	if bad := set.ValidateIDs(ids); len(bad) > 0 {
		return nil, usageErr("--rule: %s", strings.Join(bad, "; "))
	}
	var flts []engine.Filter
	for _, f := range filters {
		flt, err := engine.ParseFilter(f)
		if err != nil {
			return nil, usageErr("%v", err)
		}
		flts = append(flts, flt)
	}
	var out []*engine.Detection
	for _, d := range set.Select(flts) {
		if d.Kind != engine.TypeRule && d.Kind != engine.TypeCorrelationRule {
			continue
		}
		if len(ids) > 0 {
			if slices.Contains(ids, d.ID) {
				out = append(out, d) // named explicitly: run even if disabled
			}
			continue
		}
		if d.Enabled {
			out = append(out, d)
		}
	}
	if len(out) == 0 {
		return nil, usageErr("no rule matches --rule/--filter")
	}
	return out, nil
}

func writeDeadLetter(w io.Writer, b replay.BadRecord) {
	w.Write(appendDeadLetter(nil, b.File, b.Line, b.Reason, b.Data, b.Size))
}

var severityColor = map[string]string{"CRITICAL": "\x1b[1;31m", "HIGH": "\x1b[31m", "MEDIUM": "\x1b[33m", "LOW": "\x1b[36m", "INFO": "\x1b[2m"}

func printAlert(w io.Writer, a *engine.Alert, color bool) {
	sev := fmt.Sprintf("%-8s", a.Severity)
	if color {
		sev = severityColor[a.Severity] + sev + "\x1b[0m"
	}
	events := "1 event"
	if a.EventCount != 1 {
		events = fmt.Sprintf("%d events", a.EventCount)
	}
	when := a.FirstEvent.UTC().Format("2006-01-02 15:04:05Z")
	if !a.LastEvent.Equal(a.FirstEvent) {
		when += " .. " + a.LastEvent.UTC().Format("2006-01-02 15:04:05Z")
	}
	fmt.Fprintf(w, "%s %s  %s  (%s, %s)\n", sev, a.RuleID, a.Title, events, when)
}

func human(x float64) string {
	switch {
	case x >= 1e9:
		return fmt.Sprintf("%.1fG", x/1e9)
	case x >= 1e6:
		return fmt.Sprintf("%.1fM", x/1e6)
	case x >= 1e4:
		return fmt.Sprintf("%.0fk", x/1e3)
	}
	return fmt.Sprintf("%.0f", x)
}

func printReplaySummary(w io.Writer, st *replay.Stats, ruleErrors map[string][]string, unparsedShown int, lakeStats, lakeDir string) {
	if st == nil {
		return
	}
	secs := max(st.Elapsed.Seconds(), 1e-9)
	total := st.TotalEvents()
	fmt.Fprintf(w, "\nreplayed %d source(s)", st.Sources)
	if st.SourcesFailed > 0 {
		fmt.Fprintf(w, " (%d failed)", st.SourcesFailed)
	}
	fmt.Fprintf(w, ", %s, %d events in %.2fs: %s events/s, %.1f MB/s\n",
		input.FormatSize(st.Bytes), total, secs, human(float64(total)/secs), float64(st.Bytes)/1e6/secs)
	types := make([]string, 0, len(st.Events))
	for k := range st.Events {
		types = append(types, k)
	}
	sort.Strings(types)
	for _, k := range types {
		fmt.Fprintf(w, "  %-28s %d events\n", k, st.Events[k])
	}
	if st.Unparsed > 0 {
		more := ""
		if unparsedShown > maxShownBadRecords {
			more = fmt.Sprintf(" (the first %d shown above; --dead-letter keeps them all)", maxShownBadRecords)
		}
		fmt.Fprintf(w, "  unparsed records: %d%s\n", st.Unparsed, more)
	}
	if st.Filtered > 0 {
		fmt.Fprintf(w, "  outside --since/--until: %d events\n", st.Filtered)
	}
	fmt.Fprintf(w, "alerts: %d\n", st.Alerts)
	ids := make([]string, 0, len(st.AlertsPerRule))
	for k := range st.AlertsPerRule {
		ids = append(ids, k)
	}
	sort.Strings(ids)
	for _, k := range ids {
		fmt.Fprintf(w, "  %-40s %d\n", k, st.AlertsPerRule[k])
	}
	if len(st.ErrorsPerRule) > 0 {
		ids = ids[:0]
		for k := range st.ErrorsPerRule {
			ids = append(ids, k)
		}
		sort.Strings(ids)
		fmt.Fprintln(w, "rule errors:")
		for _, k := range ids {
			fmt.Fprintf(w, "  %-40s %d events", k, st.ErrorsPerRule[k])
			if slices.Contains(st.Disabled, k) {
				fmt.Fprint(w, " (turned off after repeated timeouts)")
			}
			fmt.Fprintln(w)
			for _, msg := range ruleErrors[k] {
				fmt.Fprintf(w, "      %s\n", msg)
			}
		}
	}
	if len(st.Correlations) > 0 {
		var held, keys, peak int
		var dropped, firings int64
		for _, c := range st.Correlations {
			held += c.Held
			keys += c.OpenKeys
			peak += c.PeakKeys
			dropped += c.DroppedKeys + c.DroppedMatch
			firings += c.Firings
		}
		fmt.Fprintf(w, "correlations: %d rule(s), %d chain(s) completed; at the end %d match(es) held under %d key(s) (peak %d keys); dropped by the caps: %d\n",
			len(st.Correlations), firings, held, keys, peak, dropped)
	}
	if lakeStats != "" {
		fmt.Fprintf(w, "lake %s: %s\n", lakeDir, lakeStats)
	}
	if st.LakeSkipped > 0 {
		fmt.Fprintf(w, "  %d source(s) already in the lake were not written again\n", st.LakeSkipped)
	}
}
