package cmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"panther/parsers"
	"panther/parsers/decode"
	"panther/parsers/input"
)

func init() { register(func(app *App) *cobra.Command { return newCmdParse(app, nil) }) }

// parseOptions are the settings of `panther parse`.
type parseOptions struct {
	IO  *IOStreams
	Now func() time.Time
	Ctx context.Context

	Inputs         []string
	LogType        string
	Label          string
	MaxRecordBytes int
	DeadLetter     string
	Quiet          bool
	Summary        bool
	Schemas        []string
	Year           int
}

const parseLong = `Read raw logs, find their log type (or use --log-type), normalise them and
print one JSON object per event on stdout, with the standard p_ fields.

Inputs are files, directories (read recursively in name order, hidden files
skipped), glob patterns ('logs/*.gz') or - for standard input (the default).
gzip, zstd and bzip2 are recognised by their content, whatever the name. A
file is read as lines (text logs, NDJSON) unless it is a JSON array, a
{"Records": [...]} file (CloudTrail) or pretty-printed JSON documents, whose
elements or documents are the records.

Without --log-type each record goes to the first log type that accepts it,
the last one that matched being tried first. A record that cannot be
parsed is reported on stderr as file:line: reason, and the rest goes on.

Dead letters (--dead-letter FILE) are JSON Lines, one object per rejected
record: {"file", "line", "offset", "reason", "record"} where offset is the
record's position in its file (counting rejected records) and record the raw
record as text; "record_base64" replaces it when the record is not valid
UTF-8, and "size" replaces it when the record was too large to keep. Extract
them with
  jq -r .record FILE | panther parse --log-type T

Exit codes: 0 every record parsed; 1 some records were rejected (including a
malformed JSON file, whose rest is rejected); 2 usage error (unknown log
type, bad flag); 3 an input could not be read (missing or unreadable file,
truncated or corrupt gzip/zstd/bzip2 data).`

func newCmdParse(app *App, runF func(*parseOptions) error) *cobra.Command {
	opts := &parseOptions{IO: app.IO, Now: app.Now}
	c := &cobra.Command{
		Use:   "parse [FILE|DIR|GLOB|-]...",
		Short: "Parse raw logs into normalised events (one JSON object a line)",
		Long:  parseLong,
		Example: `  panther parse cloudtrail/2024/*.json.gz
  zcat app.log.gz | panther parse --log-type Syslog.RFC5424 --label prod
  panther parse logs/ --quiet --summary --dead-letter bad.jsonl > events.jsonl`,
		RunE: func(c *cobra.Command, args []string) error {
			opts.Ctx, opts.Inputs = c.Context(), args
			if len(opts.Inputs) == 0 {
				opts.Inputs = []string{"-"}
			}
			if err := sizeFlag("max-record-bytes", app.settings().MaxRecordBytes, &opts.MaxRecordBytes); err != nil {
				return err
			}
			if err := checkYear(opts.Year); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return parseRun(opts)
		},
	}
	f := c.Flags()
	f.StringVar(&opts.LogType, "log-type", "", "log type of every record (default: detect each record's type)")
	f.StringVar(&opts.Label, "label", "", "p_source_label of the events")
	f.String("max-record-bytes", "16MiB", "largest record; larger ones are rejected (bytes, or with KiB, MiB, GiB)")
	f.StringVar(&opts.DeadLetter, "dead-letter", "", "write rejected records to this file (JSON Lines)")
	f.BoolVarP(&opts.Quiet, "quiet", "q", false, "do not report each rejected record, only the totals")
	f.BoolVar(&opts.Summary, "summary", false, "print counts per log type on stderr at the end")
	bindSetting(c, "max-record-bytes", "max_record_bytes")
	schemaFlag(c, &opts.Schemas)
	yearFlag(f, &opts.Year)
	_ = c.RegisterFlagCompletionFunc("log-type", completeLogTypes)
	return c
}

// parser is one `panther parse`: its outputs and its counts.
type parser struct {
	opts   *parseOptions
	out    *output
	dead   *output
	buf    []byte
	counts map[string]int64 // events per log type
	stats  decode.Stats

	inputs, badInputs int
}

func parseRun(opts *parseOptions) (err error) {
	reg, err := registryWith(opts.Schemas)
	if err != nil {
		return err
	}
	dopts := decode.Options{Registry: reg, Label: opts.Label, MaxRecordBytes: opts.MaxRecordBytes, Now: opts.Now, Year: opts.Year}
	if opts.LogType != "" {
		lt, ok := reg.Lookup(opts.LogType)
		if !ok {
			return unknownLogType(reg, opts.LogType)
		}
		dopts.LogType = lt
	}
	p := &parser{opts: opts, counts: map[string]int64{}, out: newOutput("events to stdout", opts.IO.Out)}
	defer func() { err = firstErr(err, p.out.Close()) }()
	if opts.DeadLetter != "" {
		if p.dead, err = createOutput("dead-letter", opts.DeadLetter); err != nil {
			return err
		}
		defer func() { err = firstErr(err, p.dead.Close()) }()
		dopts.KeepBadRecords = true
	}
	srcs, errs := input.Expand(opts.Inputs)
	for _, err := range errs {
		p.badInputs++
		p.reportf("%v", err)
	}
	if err := p.sources(decode.New(dopts), srcs); err != nil {
		return err
	}
	if opts.Summary {
		p.summary()
	}
	return p.exit(len(errs))
}

// firstErr is the error a command ends with, of two: the first, unless
// the second is an operational failure (an output that could not be
// written) and the first only findings (exit 1): a full disk must not hide
// behind rejected records.
func firstErr(a, b error) error {
	var ea, eb *ExitError
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	case errors.As(a, &ea) && ea.Code == ExitFindings && errors.As(b, &eb) && eb.Code == ExitOperational:
		return b
	}
	return a
}

// sources parses each source in turn, the classifier keeping what it
// learned from one file to the next.
func (p *parser) sources(dec *decode.Decoder, srcs []input.Source) error {
	var src *decode.Source
	for _, in := range srcs {
		p.inputs++
		if src == nil {
			src = dec.Source(in.Path)
		} else {
			src = src.Fork(in.Path)
		}
		err := p.source(src)
		p.stats = p.stats.Add(src.Stats())
		if err != nil {
			return err
		}
	}
	return nil
}

// exit is the command's outcome: 3 when an input could not be read, 1 when
// records were rejected.
func (p *parser) exit(expandErrs int) error {
	var msgs []string
	if p.badInputs > 0 {
		msgs = append(msgs, fmt.Sprintf("%d of %d inputs could not be read (completely)", p.badInputs, p.inputs+expandErrs))
	}
	if p.stats.Rejected > 0 {
		msgs = append(msgs, fmt.Sprintf("%d of %d records rejected", p.stats.Rejected, p.stats.Records))
	}
	switch {
	case p.badInputs > 0:
		return &ExitError{Code: ExitOperational, Err: errors.New(strings.Join(msgs, "; "))}
	case p.stats.Rejected > 0:
		return &ExitError{Code: ExitFindings, Err: errors.New(strings.Join(msgs, "; "))}
	}
	return nil
}

// source parses one input to its end. Only a failure to write the output,
// or an interruption, is returned: problems of the input are reported and
// counted.
func (p *parser) source(src *decode.Source) error {
	var st *decode.Stream
	var err error
	if src.Name() == "-" {
		st, err = src.NewStream(p.opts.IO.In)
	} else {
		st, err = src.Open(src.Name())
	}
	if err != nil {
		p.badInputs++
		p.reportf("%v", err)
		return nil
	}
	defer st.Close()
	for n := 0; ; n++ {
		if n&255 == 0 && p.opts.Ctx.Err() != nil {
			return p.opts.Ctx.Err()
		}
		it, err := st.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			p.badInputs++
			p.reportf("%v", err)
			return nil
		}
		if it.Bad != nil {
			p.reject(it.Bad)
			continue
		}
		e := it.Event
		p.counts[e.LogType]++
		p.buf = e.AppendJSON(p.buf[:0])
		p.buf = append(p.buf, '\n')
		e.Release()
		if _, err := p.out.Write(p.buf); err != nil {
			return p.out.Err()
		}
	}
}

// reject reports one rejected record and writes its dead letter.
func (p *parser) reject(b *decode.BadRecord) {
	if !p.opts.Quiet {
		p.reportf("%s", b)
	}
	if p.dead != nil {
		p.buf = b.AppendJSON(p.buf[:0])
		p.dead.Write(p.buf) // a write error shows at Close
	}
}

// reportf writes one line on stderr. Reasons may quote log data: control
// characters and invalid UTF-8 are escaped, so a hostile log line cannot
// drive the terminal (escape sequences) or forge report lines.
func (p *parser) reportf(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	fmt.Fprintln(p.opts.IO.ErrOut, printable(msg))
}

// printable escapes control characters (but tab) and invalid UTF-8 as Go
// escapes (\x1b, \xff), leaving the rest as it is.
func printable(s string) string {
	if utf8.ValidString(s) && !strings.ContainsFunc(s, isControl) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, "\\x%02x", s[i])
		case isControl(r):
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

func isControl(r rune) bool { return r < 0x20 && r != '\t' || r >= 0x7f && r < 0xa0 }

func (p *parser) summary() {
	w := p.opts.IO.ErrOut
	fmt.Fprintf(w, "%d inputs, %d records: %d events, %d headers, %d rejected\n",
		p.inputs, p.stats.Records, p.stats.Events, p.stats.Headers, p.stats.Rejected)
	names := make([]string, 0, len(p.counts))
	width := 0
	for k := range p.counts {
		names = append(names, k)
		width = max(width, len(k))
	}
	slices.Sort(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-*s %10d\n", width, n, p.counts[n])
	}
}

// unknownLogType is the usage error for a log type name not in reg.
func unknownLogType(reg *parsers.Registry, name string) error {
	hint := ""
	if n := reg.Nearest(name); n != "" {
		hint = " (did you mean " + n + "?)"
	}
	return usageErr("unknown log type %q%s; 'panther logtypes' lists them", name, hint)
}
