package cmd

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"time"

	"github.com/spf13/cobra"

	"panther/engine"
	"panther/engine/explain"
	"panther/parsers"
)

func init() { register(func(app *App) *cobra.Command { return newCmdExplain(app, nil) }) }

// explainOptions are the settings of `panther explain`.
type explainOptions struct {
	IO  *IOStreams
	Now func() time.Time

	Record  string // the record, when given as the argument
	File    string // else read from this file ("-" or "": stdin)
	Line    int    // the line of the input to explain (0: the only one)
	LogType string
	Rules   []string
	Format  string
	Verbose bool
	Year    int
	Paths   []string

	// Load loads the detections (set by the command from the settings)
	// and returns the Lua time budget.
	Load func() (*engine.Set, time.Duration, error)
}

func newCmdExplain(app *App, runF func(*explainOptions) error) *cobra.Command {
	opts := &explainOptions{IO: app.IO, Now: app.Now}
	c := &cobra.Command{
		Use:   "explain [RECORD]",
		Short: "Show what panther makes of one raw log line: its log type and why, the event, every rule's verdict",
		Long: `Explain one raw record (a log line) as replay would see it: the log type
families tried in order and why each passed the record over, the type
chosen, the normalised event (with its p_ fields), then every enabled rule
of that log type: its guard (the opening test the engine checks before
calling Lua) condition by condition, what rule() returned, the output of
every other function (title, dedup, severity, alert_context, ...), what it
printed, and its errors.

The record is the argument, or one line of --file (- for stdin, the
default): the only line, or the --line N-th. --log-type names the type and
skips classification, as in replay. Everything from the log is shown as
text, quoted when it holds control characters.

Exit codes: 0 explained; 1 no log type took the record, or a rule erred.`,
		Example: `  panther explain '{"eventSource":"cloudtrail.amazonaws.com","eventName":"StopLogging",...}'
  zcat CloudTrail.json.gz | jq -c '.Records[3]' | panther explain
  panther explain --file /var/log/auth.log --line 120 --log-type Syslog.RFC3164
  panther explain --file sample.jsonl --detections ./rules --rule My.Rule --format json`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			if len(args) == 1 {
				if opts.File != "" {
					return usageErr("give the RECORD or --file, not both")
				}
				opts.Record = args[0]
			}
			if opts.Format != "text" && opts.Format != "json" {
				return usageErr("--format %q: text or json", opts.Format)
			}
			if opts.Line < 0 {
				return usageErr("--line %d: lines count from 1", opts.Line)
			}
			if err := checkYear(opts.Year); err != nil {
				return err
			}
			opts.Load = func() (*engine.Set, time.Duration, error) {
				set, err := app.loadDetections(opts.Paths)
				return set, app.settings().LuaTimeout, err
			}
			if runF != nil {
				return runF(opts)
			}
			return explainRun(opts)
		},
	}
	f := c.Flags()
	f.StringVar(&opts.File, "file", "", "read the record from this file (- for stdin; the default without RECORD)")
	f.IntVar(&opts.Line, "line", 0, "explain this line of the input (from 1; default: the input's only line)")
	f.StringVar(&opts.LogType, "log-type", "", "the record's log type (default: classify it)")
	f.StringArrayVar(&opts.Rules, "rule", nil, "show only this rule (repeatable)")
	f.StringVar(&opts.Format, "format", "text", "text or json")
	f.BoolVarP(&opts.Verbose, "verbose", "v", false, "give each family tried its reason (text)")
	yearFlag(f, &opts.Year)
	detectionsFlag(c)
	luaTimeoutFlag(c)
	return c
}

// explainRecord reads the record to explain.
func explainRecord(opts *explainOptions) ([]byte, error) {
	if opts.Record != "" {
		return []byte(opts.Record), nil
	}
	var r io.Reader = opts.IO.In
	name := "stdin"
	if opts.File != "" && opts.File != "-" {
		f, err := os.Open(opts.File)
		if err != nil {
			return nil, usageErr("--file: %v", err)
		}
		defer f.Close()
		r, name = f, opts.File
	}
	// A line of a log, not a file: read no more than a record's bound past
	// the line wanted.
	data, err := io.ReadAll(io.LimitReader(r, int64(max(opts.Line, 1)+1)*explain.MaxLine))
	if err != nil {
		return nil, opErr(err)
	}
	lines := bytes.Split(bytes.TrimRight(data, "\r\n"), []byte("\n"))
	if opts.Line > 0 {
		if opts.Line > len(lines) {
			return nil, usageErr("--line %d: %s has %d lines", opts.Line, name, len(lines))
		}
		return lines[opts.Line-1], nil
	}
	var nonEmpty [][]byte
	for _, l := range lines {
		if len(bytes.TrimSpace(l)) > 0 {
			nonEmpty = append(nonEmpty, l)
		}
	}
	switch len(nonEmpty) {
	case 0:
		return nil, usageErr("%s is empty: give the record as the argument, or a line of --file", name)
	case 1:
		return nonEmpty[0], nil
	}
	return nil, usageErr("%s has %d lines: explain takes one record; pick one with --line N", name, len(nonEmpty))
}

func explainRun(opts *explainOptions) error {
	rec, err := explainRecord(opts)
	if err != nil {
		return err
	}
	set, budget, err := opts.Load()
	if err != nil {
		return err
	}
	// A broken detection is left out of the set; say so, as test does.
	for _, d := range set.Diagnostics {
		if d.Level == engine.LevelError {
			fmt.Fprintln(opts.IO.ErrOut, d.String())
		}
	}
	src := parsers.Source{File: "-"}
	switch {
	case opts.Record != "":
		src.File = "explain"
	case opts.File != "":
		src.File = opts.File
	}
	rep, err := explain.Explain(set, set.Registry, rec, explain.Options{LogType: opts.LogType, Now: opts.Now(), Year: opts.Year,
		Source: src, Eval: engine.EvalOptions{Budget: budget}})
	if err != nil {
		return usageErr("%v", err)
	}
	if len(opts.Rules) > 0 {
		var kept []explain.Rule
		for _, r := range rep.Rules {
			if slices.Contains(opts.Rules, r.ID) {
				kept = append(kept, r)
			}
		}
		for _, id := range opts.Rules {
			if !slices.ContainsFunc(kept, func(r explain.Rule) bool { return r.ID == id }) {
				fmt.Fprintf(opts.IO.ErrOut, "panther: %s is not an enabled rule of %s\n", id, orNone(rep.LogType))
			}
		}
		rep.Rules = kept
	}
	if opts.Format == "json" {
		b, err := json.MarshalIndent(rep, "", "  ")
		if err != nil {
			return opErr(err)
		}
		if _, err := opts.IO.Out.Write(append(b, '\n')); err != nil {
			return opErr(err)
		}
	} else if err := rep.WriteText(opts.IO.Out, opts.Verbose); err != nil {
		return opErr(err)
	}
	if rep.LogType == "" && !rep.Header || rep.Counts().Errors > 0 {
		return findings()
	}
	return nil
}

func orNone(s string) string {
	if s == "" {
		return "any log type (none took the record)"
	}
	return s
}
