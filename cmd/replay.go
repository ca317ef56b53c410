package cmd

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"slices"
	"sort"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"panther/engine"
	"panther/engine/replay"
	"panther/parsers/decode"
	"panther/parsers/input"
	"panther/tester"
)

func init() { register(func(app *App) *cobra.Command { return newCmdReplay(app, nil) }) }

// maxShownBadRecords bounds the bad records printed on stderr; all of them
// go to --dead-letter.
const maxShownBadRecords = 20

// replayOptions are the settings of `panther replay`.
type replayOptions struct {
	IO     *IOStreams
	Now    func() time.Time
	Ctx    context.Context
	Load   func(paths []string) (*engine.Set, error)
	Budget time.Duration

	Inputs         []string
	Paths          []string // detections
	LogType        string
	Rules          []string
	Filters        []string
	Since, Until   time.Time
	Workers        int
	Format         string
	AlertsFile     string
	LakeDir        string
	DeadLetter     string
	Label          string
	MaxRecordBytes int
	FailOnAlert    bool
	FailOnError    bool
	Quiet          bool
	ProfileRules   bool // --profile-rules: each detection's cost after the summary
	Year           int
	Push           string // --push: a backend's URL
	APIToken       string // the token --push sends
}

const replayLong = `Replay raw logs through the detections, as live would have seen them: files,
directories (recursive), globs or - for stdin; gzip, zstd and bzip2 are
recognised by content; whole-file JSON arrays and {"Records":[...]} files are
split into events. Without --log-type each source's records are classified.

Alerts are computed in event time: matches with one dedup string join an
alert while within DedupPeriodMinutes of its first event, and the alert is
raised once it holds Threshold events (docs/replay.md). Output
is the same for any --workers.

--since and --until take a time (2024-03-01T12:00:00Z), a date (2024-03-01;
as --until: through that day) or a duration ago (24h, 7d), as in search.

With --lake, every event is written to the hive-partitioned Parquet lake
(plus alerts and rule_matches) that panther search reads. A source already in
the lake (same content digest) is not written twice.

Exit codes: 0 ok; 1 with --fail-on-alert and alerts, or --fail-on-error and
rule errors or unparsed records; 3 when a source could not be read, an output
file could not be written or the lake failed; 130 interrupted (nothing
partial is left in the lake).`

func newCmdReplay(app *App, runF func(*replayOptions) error) *cobra.Command {
	opts := &replayOptions{IO: app.IO, Now: app.Now}
	var since, until, maxRecord string
	c := &cobra.Command{
		Use:   "replay [PATH...|-]",
		Short: "Stream log archives through the detections: alerts, and a Parquet lake",
		Long:  replayLong,
		Example: `  panther replay logs/2024/ --lake ./lake
  panther replay 'cloudtrail/*.json.gz' --rule AWS.CloudTrail.Stopped --since 2024-03-01 --format jsonl
  zcat app.log.gz | panther replay - --log-type Syslog.RFC3164`,
		RunE: func(c *cobra.Command, args []string) error {
			s := app.settings()
			opts.Ctx, opts.Inputs, opts.Load, opts.Budget = c.Context(), args, app.loadDetectionsLazily, s.LuaTimeout
			opts.Paths, opts.Filters, opts.Workers, opts.LakeDir = s.Detections, s.Filter, s.Workers, s.Lake
			opts.APIToken = s.APIToken
			if opts.Format != "pretty" && opts.Format != "jsonl" {
				return usageErr("--format %q: pretty or jsonl", opts.Format)
			}
			if len(args) == 0 {
				return usageErr("give the logs to replay (files, folders, globs, or - for stdin); try: panther replay testdata/samples")
			}
			r, err := timeRange(since, until, app.now())
			if err != nil {
				return err
			}
			opts.Since, opts.Until = r.From, r.To
			if err := checkYear(opts.Year); err != nil {
				return err
			}
			if maxRecord != "" {
				if err := sizeFlag("max-record-bytes", maxRecord, &opts.MaxRecordBytes); err != nil {
					return err
				}
			}
			if runF != nil {
				return runF(opts)
			}
			return replayRun(opts)
		},
	}
	replayFlags(app, c, opts, &since, &until, &maxRecord)
	luaTimeoutFlag(c)
	return c
}

// replayFlags adds the flags of `panther replay`.
func replayFlags(app *App, c *cobra.Command, opts *replayOptions, since, until, maxRecord *string) {
	f := c.Flags()
	f.StringVar(&opts.LogType, "log-type", "", "parse every record as this log type (default: classify each source)")
	detectionsFlag(c)
	f.StringArrayVar(&opts.Rules, "rule", nil, "run only this detection, even if disabled (repeatable)")
	f.StringArray("filter", nil, "run only detections matching Key=V1,V2 or Key!=V (repeatable, as panther test; setting filter)")
	f.StringVar(since, "since", "", "skip events before this time (a time, a date, or a duration ago like 24h, 7d)")
	f.StringVar(until, "until", "", "skip events at or after this time (a date: after that day)")
	f.Int("workers", 0, "parallel workers (default: all cores; setting workers)")
	f.StringVar(&opts.Format, "format", "pretty", "alerts on stdout: pretty or jsonl")
	f.StringVar(&opts.AlertsFile, "alerts", "", "also write the alerts to this file (JSON lines)")
	f.StringVar(&opts.Push, "push", "", "send the alerts to the alert store of this backend URL (token: PANTHER_API_TOKEN); pushing the same replay again adds nothing")
	f.String("lake", "", "write every event, alert and rule match to the Parquet lake in this folder (setting lake)")
	f.StringVar(&opts.DeadLetter, "dead-letter", "", "write the records that did not parse to this file (JSON lines: file, line, offset, reason, record)")
	f.StringVar(&opts.Label, "label", "", "p_source_label of the events")
	f.StringVar(maxRecord, "max-record-bytes", "", "largest record accepted (default 16MiB; bytes, or with KiB, MiB, GiB)")
	f.BoolVar(&opts.FailOnAlert, "fail-on-alert", false, "exit 1 when any alert is raised")
	f.BoolVar(&opts.FailOnError, "fail-on-error", false, "exit 1 on rule errors or unparsed records")
	f.BoolVarP(&opts.Quiet, "quiet", "q", false, "no progress bar, no per-record errors, no summary")
	f.BoolVar(&opts.ProfileRules, "profile-rules", false, "print each detection's calls, matches, errors and CPU time per event, the costliest first")
	yearFlag(f, &opts.Year)
	bindSetting(c, "filter", "filter")
	bindSetting(c, "workers", "workers")
	bindSetting(c, "lake", "lake")
	_ = c.RegisterFlagCompletionFunc("rule", completeRuleIDs(app))
	_ = c.RegisterFlagCompletionFunc("log-type", completeLogTypes)
}

// replayRun is one replay: its outputs, the lake, the run, the summary.
type replayer struct {
	opts       *replayOptions
	out        *output
	alerts     *output
	dead       *output
	ruleErrors map[string][]string
	shown      int // bad records seen (the first maxShownBadRecords shown)
	failed     int // sources that could not be read
	pushed     []*engine.Alert
}

func replayRun(opts *replayOptions) (err error) {
	set, err := opts.Load(opts.Paths)
	if err != nil {
		return err
	}
	ro, err := replayOptionsOf(opts, set)
	if err != nil {
		return err
	}
	r := &replayer{opts: opts, ruleErrors: map[string][]string{}, out: newOutput("alerts to stdout", opts.IO.Out)}
	defer func() { err = firstErr(err, r.closeOutputs()) }()
	if err := r.openOutputs(&ro); err != nil {
		return err
	}
	sources, expandErrs := input.Expand(opts.Inputs)
	r.failed = len(expandErrs)
	for _, e := range expandErrs {
		fmt.Fprintln(opts.IO.ErrOut, "panther: "+printable(e.Error()))
	}
	ro.Sources = sources
	bar := r.progress(&ro, sources)
	var lw *lakeWriter
	if opts.LakeDir != "" {
		if lw, err = openLake(opts.Ctx, opts.LakeDir, set.Registry, opts.Now); err != nil {
			return opErr(err)
		}
		lw.label = opts.Label
		ro.Lake = lw
	}
	ro.MemoryLimit = tuneGC()
	st, runErr := replay.Run(opts.Ctx, ro)
	if bar != nil {
		bar.Finish()
	}
	lakeStats := ""
	if lw != nil {
		lakeStats, runErr = lw.finish(runErr)
	}
	if err := r.out.Close(); err != nil && runErr == nil {
		runErr = err
	}
	if !opts.Quiet || runErr != nil {
		printReplaySummary(opts.IO.ErrOut, st, r.ruleErrors, r.shown, lakeStats, opts.LakeDir)
	}
	if opts.ProfileRules && st != nil {
		printRuleProfile(opts.IO.ErrOut, st)
	}
	if runErr == nil && opts.Push != "" {
		if err := pushAlerts(opts.Ctx, opts.IO.ErrOut, opts.Push, opts.APIToken, set, r.pushed); err != nil {
			return err
		}
	}
	return r.exit(st, runErr)
}

// replayOptionsOf turns the command's options into the pipeline's.
func replayOptionsOf(opts *replayOptions, set *engine.Set) (replay.Options, error) {
	if n := set.Diagnostics.Errors(); n > 0 {
		for _, d := range set.Diagnostics {
			if d.Level == engine.LevelError {
				fmt.Fprintln(opts.IO.ErrOut, d.String())
			}
		}
		fmt.Fprintf(opts.IO.ErrOut, "panther: %d problem(s) in the detections; the rest run\n", n)
	}
	ro := replay.Options{Set: set, Registry: set.Registry, Budget: opts.Budget, Label: opts.Label, Workers: opts.Workers,
		MaxRecordBytes: opts.MaxRecordBytes, Now: opts.Now, Stdin: opts.IO.In, Since: opts.Since, Until: opts.Until, Year: opts.Year,
		ProfileRules: opts.ProfileRules}
	if opts.LogType != "" {
		lt, ok := set.Registry.Lookup(opts.LogType)
		if !ok {
			return ro, unknownLogType(set.Registry, opts.LogType)
		}
		ro.LogType = lt
	}
	var err error
	ro.Rules, err = selectRules(set, opts.Rules, opts.Filters)
	return ro, err
}

// openOutputs opens --alerts and --dead-letter and sets the callbacks that
// write them.
func (r *replayer) openOutputs(ro *replay.Options) error {
	opts := r.opts
	var err error
	if opts.AlertsFile != "" {
		if r.alerts, err = createOutput("alerts", opts.AlertsFile); err != nil {
			return err
		}
	}
	if opts.DeadLetter != "" {
		if r.dead, err = createOutput("dead-letter", opts.DeadLetter); err != nil {
			return err
		}
		ro.KeepBadRecords = true
	}
	ro.OnAlert = r.alert
	ro.OnRuleError = func(a *engine.Alert) {
		if len(r.ruleErrors[a.RuleID]) < 3 {
			r.ruleErrors[a.RuleID] = append(r.ruleErrors[a.RuleID], a.Error)
		}
	}
	ro.OnBadRecord = func(b *decode.BadRecord) {
		if r.dead != nil {
			r.dead.Write(b.AppendJSON(nil))
		}
		if !opts.Quiet && r.shown < maxShownBadRecords {
			fmt.Fprintln(opts.IO.ErrOut, printable(b.String()))
		}
		r.shown++
	}
	ro.OnSourceError = func(err error) {
		r.failed++
		fmt.Fprintln(opts.IO.ErrOut, "panther: "+printable(err.Error()))
	}
	return nil
}

func (r *replayer) alert(a *engine.Alert) {
	if r.opts.Push != "" {
		r.pushed = append(r.pushed, a)
	}
	row := replay.AlertRow(a)
	if len(a.Chain) > 0 {
		// A correlation alert carries the matches that made it.
		if chain, err := json.Marshal(a.Chain); err == nil {
			row = append(append(append(row[:len(row)-1:len(row)-1], `,"chain":`...), chain...), '}')
		}
	}
	if r.alerts != nil {
		r.alerts.Write(append(row, '\n'))
	}
	if r.opts.Format == "jsonl" {
		r.out.Write(append(row, '\n'))
	} else {
		printAlert(r.out, a, r.opts.IO.Color)
	}
}

// closeOutputs closes the files, returning the first failure.
func (r *replayer) closeOutputs() error {
	var err error
	for _, o := range []*output{r.out, r.alerts, r.dead} {
		if o != nil {
			err = firstErr(err, o.Close())
		}
	}
	return err
}

// progress starts the progress bar on a terminal.
func (r *replayer) progress(ro *replay.Options, sources []input.Source) *progressbar.ProgressBar {
	if !r.opts.IO.ErrTTY || r.opts.Quiet {
		return nil
	}
	var total int64
	for _, s := range sources {
		total += max(s.Size, 0)
	}
	bar := progressbar.NewOptions64(total, progressbar.OptionSetWriter(r.opts.IO.ErrOut), progressbar.OptionShowBytes(true),
		progressbar.OptionThrottle(200*time.Millisecond), progressbar.OptionSetWidth(30),
		progressbar.OptionClearOnFinish(), progressbar.OptionSetPredictTime(true))
	ro.OnProgress = func(p replay.Progress) {
		rate := float64(p.Events) / max(p.Elapsed.Seconds(), 0.001)
		bar.Describe(fmt.Sprintf("%s events (%s/s), %d alerts", human(float64(p.Events)), human(rate), p.Alerts))
		bar.Set64(p.BytesDone)
	}
	return bar
}

// tuneGC: replay allocates many short-lived objects at a steady rate: a
// less eager collector saves about 10% of CPU (GOGC 100 vs 400,
// BenchmarkReplayCloudTrail), and the soft memory limit keeps the peak
// under the 500 MB the replay issue sets; replay.Run raises it by what
// the correlation state holds (replay.Options.MemoryLimit). GOGC and
// GOMEMLIMIT in the environment still win. It returns the limit it set
// (0: GOMEMLIMIT's is left alone).
func tuneGC() int64 {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(replayMemoryLimit)
		return replayMemoryLimit
	}
	return 0
}

// replayMemoryLimit is replay's soft memory limit (tuneGC).
const replayMemoryLimit = 256 << 20

// exit is the replay's outcome.
func (r *replayer) exit(st *replay.Stats, runErr error) error {
	if runErr != nil {
		if errors.Is(runErr, context.Canceled) {
			return runErr
		}
		return opErr(runErr)
	}
	if err := r.closeOutputs(); err != nil {
		return err
	}
	if r.failed > 0 {
		return &ExitError{Code: ExitOperational, Err: fmt.Errorf("%d source(s) could not be read", r.failed)}
	}
	if r.opts.FailOnAlert && st.Alerts > 0 {
		return findings()
	}
	rerrs := 0
	for _, n := range st.ErrorsPerRule {
		rerrs += n
	}
	if r.opts.FailOnError && (rerrs > 0 || st.Unparsed > 0) {
		return findings()
	}
	return nil
}

// selectRules applies --rule and --filter; nil means every enabled rule.
func selectRules(set *engine.Set, ids, filters []string) ([]*engine.Detection, error) {
	if len(ids) == 0 && len(filters) == 0 {
		return nil, nil
	}
	flts, err := tester.ParseFilters(filters)
	if err != nil {
		return nil, usageErr("%v", err)
	}
	out, err := tester.Select(set, tester.Selection{Kinds: []engine.Kind{engine.TypeRule, engine.TypeCorrelationRule}, IDs: ids, Filters: flts})
	if err != nil {
		return nil, usageErr("--rule: %v", err)
	}
	if len(out) == 0 {
		return nil, usageErr("no rule matches --rule/--filter")
	}
	return out, nil
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
	printRuleErrors(w, st, ruleErrors)
	printCorrelations(w, st)
	printFirstSeen(w, st)
	if lakeStats != "" {
		fmt.Fprintf(w, "lake %s: %s\n", lakeDir, lakeStats)
	}
	if st.LakeSkipped > 0 {
		fmt.Fprintf(w, "  %d source(s) already in the lake were not written again\n", st.LakeSkipped)
	}
}

// printRuleErrors lists the rule errors per detection, with the first
// messages.
func printRuleErrors(w io.Writer, st *replay.Stats, ruleErrors map[string][]string) {
	if len(st.ErrorsPerRule) == 0 {
		return
	}
	ids := make([]string, 0, len(st.ErrorsPerRule))
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
			fmt.Fprintf(w, "      %s\n", printable(msg))
		}
	}
}

// printCorrelations says what the correlation rules did and hold.
func printCorrelations(w io.Writer, st *replay.Stats) {
	if len(st.Correlations) == 0 {
		return
	}
	var held, keys, peak int
	var dropped, firings, bytes, peakBytes int64
	for _, c := range st.Correlations {
		held += c.Held
		keys += c.OpenKeys
		peak += c.PeakKeys
		dropped += c.DroppedKeys + c.DroppedMatch
		firings += c.Firings
		bytes += c.StateBytes
		peakBytes += c.PeakStateBytes
	}
	fmt.Fprintf(w, "correlations: %d rule(s), %d chain(s) completed; at the end %d match(es) held under %d key(s) (peak %d keys); dropped by the caps: %d; state %.1f MB (peak at most %.1f MB)\n",
		len(st.Correlations), firings, held, keys, peak, dropped, float64(bytes)/1e6, float64(peakBytes)/1e6)
}

// printFirstSeen says what the FirstSeen rules let through and hold.
func printFirstSeen(w io.Writer, st *replay.Stats) {
	if len(st.FirstSeen) == 0 {
		return
	}
	var t engine.FirstSeenStats
	for _, f := range st.FirstSeen {
		t.New += f.New
		t.Seen += f.Seen
		t.Learning += f.Learning + f.Missing
		t.Keys += f.Keys
		t.Values += f.Values
		t.DroppedKeys += f.DroppedKeys
		t.DroppedValues += f.DroppedValues
		t.StateBytes += f.StateBytes
	}
	fmt.Fprintf(w, "first seen: %d rule(s), %d new value(s) matched, %d match(es) suppressed as seen, %d while learning or without a value; %d value(s) held under %d key(s); dropped by the caps: %d key(s), %d value(s); state %.1f MB\n",
		len(st.FirstSeen), t.New, t.Seen, t.Learning, t.Values, t.Keys, t.DroppedKeys, t.DroppedValues, float64(t.StateBytes)/1e6)
}

// printRuleProfile is the table of --profile-rules: what each detection
// cost, the costliest first.
func printRuleProfile(w io.Writer, st *replay.Stats) {
	var total time.Duration
	for _, p := range st.Profile {
		total += p.CPU
	}
	events := st.TotalEvents()
	fmt.Fprintf(w, "\ndetections: %.2fs CPU in all", total.Seconds())
	if events > 0 {
		fmt.Fprintf(w, ", %.2f µs per event replayed", float64(total.Microseconds())/float64(events))
	}
	fmt.Fprintln(w, " (the costliest first; guard: events rejected in Go before Lua ran)")
	fmt.Fprintf(w, "  %-44s %10s %7s %10s %8s %7s %11s %7s\n", "detection", "events", "guard", "calls", "matches", "errors", "µs/event", "share")
	for _, p := range st.Profile {
		guard := "-"
		if p.Events > 0 && p.Skipped > 0 {
			guard = fmt.Sprintf("%.0f%%", 100*float64(p.Skipped)/float64(p.Events))
		}
		share := 0.0
		if total > 0 {
			share = 100 * float64(p.CPU) / float64(total)
		}
		fmt.Fprintf(w, "  %-44s %10d %7s %10d %8d %7d %11.2f %6.1f%%\n", p.ID, p.Events, guard, p.Calls(), p.Matches, p.Errors,
			float64(p.PerEvent().Nanoseconds())/1e3, share)
	}
}
