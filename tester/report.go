package tester

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"panther/engine"
)

// Reporter writes the results of a run as they come. Report reads them to
// the end and returns the first write error: a report that could not be
// written whole is an error, never a silent success.
type Reporter interface {
	Report(*Results) error
}

// NewReporter returns the reporter of a --format: pretty, json, junit or
// github. pretty's settings come from p.
func NewReporter(format string, w io.Writer, p Pretty) (Reporter, error) {
	switch format {
	case "pretty", "":
		p.W = w
		return p, nil
	case "json":
		return JSON{W: w}, nil
	case "junit":
		return JUnit{W: w}, nil
	case "github":
		return GitHub{W: w}, nil
	}
	return nil, fmt.Errorf("format %q: one of %s", format, strings.Join(Formats, ", "))
}

// errWriter keeps the first write error, so reporters write freely and
// return it once.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	if err != nil {
		e.err = err
	}
	return n, err
}

// Formats lists the output formats of test and validate.
var Formats = []string{"pretty", "json", "junit", "github"}

// Pretty is the report for people: a line per detection (failures in
// full), then the tests per log type and the summary line.
type Pretty struct {
	W                io.Writer
	Color            bool
	ShowFailuresOnly bool
	// Verbose lists passing tests one by one (else a line per detection).
	Verbose bool
	// Origin, when set, names the detections that ran, on a line before
	// the summary ("detections: rules (12 detections)").
	Origin string
}

const (
	green = "\x1b[32m"
	red   = "\x1b[31m"
	dim   = "\x1b[2m"
	bold  = "\x1b[1m"
	reset = "\x1b[0m"
)

func paint(on bool, code, s string) string {
	if !on {
		return s
	}
	return code + s + reset
}

// Diagnostics writes load and validation problems, one a line, and
// returns the first write error.
func Diagnostics(out io.Writer, ds engine.Diagnostics, color bool) error {
	w := &errWriter{w: out}
	writeDiagnostics(w, ds, color)
	return w.err
}

func writeDiagnostics(w io.Writer, ds engine.Diagnostics, color bool) {
	for _, d := range ds {
		level := paint(color, red, "error")
		if d.Level == engine.LevelWarning {
			level = paint(color, bold, "warning")
		}
		loc := d.File
		if d.Line > 0 {
			loc = fmt.Sprintf("%s:%d", d.File, d.Line)
			if d.Column > 0 {
				loc = fmt.Sprintf("%s:%d", loc, d.Column)
			}
		}
		line := fmt.Sprintf("%s: %s: %s", loc, level, d.Message)
		if d.Hint != "" {
			line += paint(color, dim, " ("+d.Hint+")")
		}
		fmt.Fprintln(w, line)
	}
}

// Report writes the results for people, a detection at a time as its
// results arrive.
func (p Pretty) Report(r *Results) error {
	w := &errWriter{w: p.W}
	writeDiagnostics(w, r.Diagnostics, p.Color)
	if len(r.Diagnostics) > 0 {
		fmt.Fprintln(w)
	}
	var peek *Result
	for _, d := range r.Detections {
		var results []Result
		for {
			if peek == nil {
				res, ok := r.Next()
				if !ok {
					break
				}
				peek = &res
			}
			if peek.Detection != d {
				break
			}
			results = append(results, *peek)
			peek = nil
		}
		p.detection(w, d, results)
	}
	for range r.All() {
		// Results of detections not listed cannot happen; read them all
		// anyway so that the counts are final.
	}
	if len(r.BelowMinimum) > 0 {
		fmt.Fprintln(w)
		fmt.Fprintf(w, "%s\n", paint(p.Color, red, "Detections below --minimum-tests:"))
		for _, b := range r.BelowMinimum {
			fmt.Fprintf(w, "    %s\n", b)
		}
	}
	if counts := r.TestsByLogType(); len(counts) > 0 {
		keys := make([]string, 0, len(counts))
		for k := range counts {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = fmt.Sprintf("%s %d", k, counts[k])
		}
		fmt.Fprintln(w)
		fmt.Fprintf(w, "Tests per log type: %s\n", strings.Join(parts, ", "))
	}
	if p.Origin != "" {
		fmt.Fprintf(w, "detections: %s\n", p.Origin)
	}
	fmt.Fprintf(w, "%s\n", Summary(r))
	return w.err
}

func (p Pretty) detection(w io.Writer, d *engine.Detection, results []Result) {
	failed := 0
	for _, r := range results {
		if !r.Passed {
			failed++
		}
	}
	if failed == 0 && p.ShowFailuresOnly {
		return
	}
	if failed == 0 && !p.Verbose {
		fmt.Fprintf(w, "%s %s %s\n", paint(p.Color, green, "PASS"), d.ID, paint(p.Color, dim, plural(len(results), "test")))
		return
	}
	status := paint(p.Color, green, "PASS")
	if failed > 0 {
		status = paint(p.Color, red, "FAIL")
	}
	fmt.Fprintf(w, "%s %s %s\n", status, d.ID, paint(p.Color, dim, d.File))
	for _, r := range results {
		if r.Passed {
			if !p.ShowFailuresOnly {
				fmt.Fprintf(w, "    %s %s\n", paint(p.Color, green, "[PASS]"), r.Test)
			}
			continue
		}
		fmt.Fprintf(w, "    %s %s %s\n", paint(p.Color, red, "[FAIL]"), r.Test, paint(p.Color, dim, fmt.Sprintf("(%s:%d)", r.File, r.Line)))
		for _, f := range r.Failures {
			fmt.Fprintf(w, "        %s\n", indent(f, "        "))
		}
		if r.Diff != "" {
			fmt.Fprintf(w, "        %s\n", indent(strings.TrimRight(r.Diff, "\n"), "        "))
		}
		if r.Prints != "" {
			fmt.Fprintf(w, "        print output:\n")
			for _, l := range strings.Split(strings.TrimRight(r.Prints, "\n"), "\n") {
				fmt.Fprintf(w, "          | %s\n", l)
			}
		}
	}
}

// Summary is the last line of a run: "N passed, N failed" (tests).
func Summary(r *Results) string {
	return fmt.Sprintf("%d passed, %d failed", r.Passed(), r.Failed())
}

func plural(n int, what string) string {
	if n == 1 {
		return fmt.Sprintf("(1 %s)", what)
	}
	return fmt.Sprintf("(%d %ss)", n, what)
}

func indent(s, pad string) string { return strings.ReplaceAll(s, "\n", "\n"+pad) }

func group(results []Result) map[*engine.Detection][]Result {
	m := map[*engine.Detection][]Result{}
	for _, r := range results {
		m[r.Detection] = append(m[r.Detection], r)
	}
	return m
}
