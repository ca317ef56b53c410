package cmd

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"panther/parsers"
	"panther/parsers/classifier"
	"panther/parsers/input"
)

func init() { register(newParseCmd) }

// parseOptions are the settings of `panther parse`.
type parseOptions struct {
	LogType        string
	Label          string
	MaxRecordBytes int
	DeadLetter     string
	Quiet          bool
	Summary        bool
	Schemas        []string
	Year           int
}

func newParseCmd(app *App) *cobra.Command {
	var opts parseOptions
	c := &cobra.Command{
		Use:   "parse [FILE|DIR|GLOB|-]...",
		Short: "Parse raw logs into normalised events (one JSON object a line)",
		Long: `Read raw logs, find their log type (or use --log-type), normalise them and
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
record: {"file", "line", "reason", "record"} where record is the raw record
as text; "record_base64" replaces it when the record is not valid UTF-8, and
"size" replaces it when the record was too large to keep. Extract them with
  jq -r .record FILE | panther parse --log-type T

Exit codes: 0 every record parsed; 1 some records were rejected (including a
malformed JSON file, whose rest is rejected); 2 usage error (unknown log
type, bad flag); 3 an input could not be read (missing or unreadable file,
truncated or corrupt gzip/zstd/bzip2 data).`,
		Example: `  panther parse cloudtrail/2024/*.json.gz
  zcat app.log.gz | panther parse --log-type Syslog.RFC5424 --label prod
  panther parse logs/ --quiet --summary --dead-letter bad.jsonl > events.jsonl`,
		RunE: func(c *cobra.Command, args []string) error {
			size, err := parseSize(app.cfg.String(c, "max-record-bytes", "max_record_bytes", "16MiB"))
			if err != nil {
				return usageErr("--max-record-bytes: %v", err)
			}
			opts.MaxRecordBytes = size
			if err := checkYear(opts.Year); err != nil {
				return err
			}
			return runParse(c.Context(), app, opts, args)
		},
	}
	f := c.Flags()
	f.StringVar(&opts.LogType, "log-type", "", "log type of every record (default: detect each record's type)")
	f.StringVar(&opts.Label, "label", "", "p_source_label of the events")
	f.String("max-record-bytes", "16MiB", "largest record; larger ones are rejected (bytes, or with KiB, MiB, GiB)")
	f.StringVar(&opts.DeadLetter, "dead-letter", "", "write rejected records to this file (JSON Lines)")
	f.BoolVarP(&opts.Quiet, "quiet", "q", false, "do not report each rejected record, only the totals")
	f.BoolVar(&opts.Summary, "summary", false, "print counts per log type on stderr at the end")
	schemaFlag(c, &opts.Schemas)
	yearFlag(f, &opts.Year)
	return c
}

// parseSize reads a byte count: 1048576, 512KiB, 16MiB, 1GiB (K, M, G are
// binary too; KB, MB, GB decimal).
func parseSize(s string) (int, error) {
	s = strings.TrimSpace(s)
	num := strings.TrimRightFunc(s, func(r rune) bool { return r < '0' || r > '9' })
	unit := strings.TrimSpace(s[len(num):])
	n, err := strconv.ParseInt(num, 10, 64)
	mult := map[string]int64{"": 1, "B": 1, "K": 1 << 10, "KiB": 1 << 10, "M": 1 << 20, "MiB": 1 << 20, "G": 1 << 30, "GiB": 1 << 30,
		"KB": 1e3, "MB": 1e6, "GB": 1e9}[unit]
	if err != nil || mult == 0 || n <= 0 || n > (1<<31-1)/mult {
		return 0, fmt.Errorf("%q is not a size between 1 byte and 2 GiB (like 16MiB)", s)
	}
	return int(n * mult), nil
}

// parseRun is one `panther parse`: its output and its counts.
type parseRun struct {
	app    *App
	opts   parseOptions
	reg    *parsers.Registry
	out    *bufio.Writer
	dead   *bufio.Writer
	buf    []byte
	counts map[string]int64 // events per log type

	records, events, headers, rejected int64
	inputs, badInputs                  int
}

func runParse(ctx context.Context, app *App, opts parseOptions, args []string) error {
	reg, err := registryWith(opts.Schemas)
	if err != nil {
		return err
	}
	var fixed *parsers.LogType
	if opts.LogType != "" {
		lt, ok := reg.Lookup(opts.LogType)
		if !ok {
			return unknownLogType(reg, opts.LogType)
		}
		fixed = lt
	}
	if len(args) == 0 {
		args = []string{"-"}
	}
	p := &parseRun{app: app, opts: opts, reg: reg, counts: map[string]int64{},
		out: bufio.NewWriterSize(app.IO.Out, 256<<10)}
	if opts.DeadLetter != "" {
		f, err := os.Create(opts.DeadLetter)
		if err != nil {
			return opErr(fmt.Errorf("--dead-letter: %w", err))
		}
		defer f.Close()
		p.dead = bufio.NewWriterSize(f, 64<<10)
	}

	srcs, errs := input.Expand(args)
	for _, err := range errs {
		p.badInputs++
		p.sourceError(err)
	}
	var cls *classifier.Classifier
	for _, src := range srcs {
		p.inputs++
		switch {
		case fixed != nil:
			cls = classifier.NewFixed(reg, fixed)
			cls.SetYear(opts.Year)
		case cls == nil:
			cls = classifier.New(reg)
			cls.SetYear(opts.Year)
		default:
			cls = cls.Fork() // keep the order learned on the previous files
		}
		if err := p.source(ctx, src.Path, cls); err != nil {
			p.out.Flush()
			return err
		}
	}
	if err := p.out.Flush(); err != nil {
		return opErr(fmt.Errorf("writing events: %w", err))
	}
	if p.dead != nil {
		if err := p.dead.Flush(); err != nil {
			return opErr(fmt.Errorf("--dead-letter: %w", err))
		}
	}
	if opts.Summary {
		p.summary()
	}
	var msgs []string
	if p.badInputs > 0 {
		msgs = append(msgs, fmt.Sprintf("%d of %d inputs could not be read (completely)", p.badInputs, p.inputs+len(errs)))
	}
	if p.rejected > 0 {
		msgs = append(msgs, fmt.Sprintf("%d of %d records rejected", p.rejected, p.records))
	}
	switch {
	case p.badInputs > 0:
		return &ExitError{Code: ExitOperational, Err: errors.New(strings.Join(msgs, "; "))}
	case p.rejected > 0:
		return &ExitError{Code: ExitFindings, Err: errors.New(strings.Join(msgs, "; "))}
	}
	return nil
}

// source parses one input to its end. Only a failure to write the output,
// or an interruption, is returned: problems of the input are reported and
// counted.
func (p *parseRun) source(ctx context.Context, path string, cls *classifier.Classifier) error {
	var s *input.Stream
	var err error
	if path == "-" {
		s, err = input.NewStream("-", p.app.IO.In)
	} else {
		s, err = input.Open(path)
	}
	if err != nil {
		p.badInputs++
		p.sourceError(err)
		return nil
	}
	defer s.Close()
	r := input.NewReader(s, input.Options{MaxRecordBytes: p.opts.MaxRecordBytes})
	src := parsers.Source{File: path, Label: p.opts.Label}
	for n := 0; ; n++ {
		if n&255 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		rec, err := r.Next()
		if err != nil {
			if err == io.EOF || p.readError(path, err) {
				break
			}
			continue
		}
		p.records++
		e, lt, err := cls.Classify(rec.Data)
		if err == nil && e == nil {
			p.headers++
			continue
		}
		if err == nil {
			e.Line = rec.Line
			err = p.reg.Normalise(lt, e, src, rec.Ordinal, p.app.Now())
		}
		if err != nil {
			if e != nil {
				e.Release()
			}
			p.reject(path, rec.Line, err, rec.Data, 0)
			continue
		}
		p.events++
		p.counts[e.LogType]++
		p.buf = e.AppendJSON(p.buf[:0])
		p.buf = append(p.buf, '\n')
		e.Release()
		if _, err := p.out.Write(p.buf); err != nil {
			return opErr(fmt.Errorf("writing events: %w", err))
		}
	}
	return nil
}

// readError handles an error of the reader: a rejected record (go on), or
// the end of the source (stop: true), counted as a rejection when the
// source is malformed JSON and as an unreadable input otherwise.
func (p *parseRun) readError(path string, err error) (stop bool) {
	var re *input.RecordError
	var se *input.SourceError
	switch {
	case errors.As(err, &re):
		p.records++
		p.reject(path, re.Line, re.Err, nil, re.Size)
		return false
	case errors.Is(err, input.ErrMalformedJSON) && errors.As(err, &se):
		// The rest of the file is lost: a rejection, not an I/O error.
		p.records++
		p.rejected++
		p.reportf("%v", err)
		p.deadLetter(path, se.Line, se.Err, nil, 0)
	default:
		p.badInputs++
		p.sourceError(err)
	}
	return true
}

// reject reports one rejected record and writes its dead letter.
func (p *parseRun) reject(file string, line int, reason error, raw []byte, size int64) {
	p.rejected++
	if !p.opts.Quiet {
		p.reportf("%s:%d: %v", file, line, reason)
	}
	p.deadLetter(file, line, reason, raw, size)
}

func (p *parseRun) sourceError(err error) {
	p.reportf("%v", err)
}

// reportf writes one line on stderr. Reasons may quote log data: control
// characters and invalid UTF-8 are escaped, so a hostile log line cannot
// drive the terminal (escape sequences) or forge report lines.
func (p *parseRun) reportf(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	fmt.Fprintln(p.app.IO.ErrOut, printable(msg))
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

// deadLetter writes one rejected record to --dead-letter.
func (p *parseRun) deadLetter(file string, line int, reason error, raw []byte, size int64) {
	if p.dead == nil {
		return
	}
	p.buf = appendDeadLetter(p.buf[:0], file, line, reason.Error(), raw, size)
	p.dead.Write(p.buf) // a write error shows at the final Flush
}

func (p *parseRun) summary() {
	w := p.app.IO.ErrOut
	fmt.Fprintf(w, "%d inputs, %d records: %d events, %d headers, %d rejected\n",
		p.inputs, p.records, p.events, p.headers, p.rejected)
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
