// Package report writes the results of `panther validate` and `panther
// test` for people (pretty) and for machines (JSON, JUnit XML, GitHub
// Actions annotations). Reporters write to the io.Writer they are given;
// the command decides which and where.
package report

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"slices"
	"strings"

	"panther/engine"
)

// Formats lists the output formats of test and validate.
var Formats = []string{"pretty", "json", "junit", "github"}

// Options shape the pretty output.
type Options struct {
	Color            bool
	ShowFailuresOnly bool
	// Verbose lists passing tests one by one (else a line per detection).
	Verbose bool
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

// Diagnostics writes load and validation problems, one a line.
func Diagnostics(w io.Writer, ds engine.Diagnostics, color bool) {
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

// Pretty writes a test report for people.
func Pretty(w io.Writer, rep *engine.TestReport, ds engine.Diagnostics, o Options) {
	Diagnostics(w, ds, o.Color)
	if len(ds) > 0 {
		fmt.Fprintln(w)
	}
	byDet := group(rep)
	for _, d := range rep.Detections {
		results := byDet[d]
		failed := 0
		for _, r := range results {
			if !r.Passed {
				failed++
			}
		}
		if failed == 0 && o.ShowFailuresOnly {
			continue
		}
		if failed == 0 && !o.Verbose {
			fmt.Fprintf(w, "%s %s %s\n", paint(o.Color, green, "PASS"), d.ID, paint(o.Color, dim, plural(len(results), "test")))
			continue
		}
		status := paint(o.Color, green, "PASS")
		if failed > 0 {
			status = paint(o.Color, red, "FAIL")
		}
		fmt.Fprintf(w, "%s %s %s\n", status, d.ID, paint(o.Color, dim, d.File))
		for _, r := range results {
			if r.Passed {
				if !o.ShowFailuresOnly {
					fmt.Fprintf(w, "    %s %s\n", paint(o.Color, green, "[PASS]"), r.Test)
				}
				continue
			}
			fmt.Fprintf(w, "    %s %s %s\n", paint(o.Color, red, "[FAIL]"), r.Test, paint(o.Color, dim, fmt.Sprintf("(%s:%d)", r.File, r.Line)))
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
	if len(rep.BelowMinimum) > 0 {
		fmt.Fprintln(w)
		fmt.Fprintf(w, "%s\n", paint(o.Color, red, "Detections below --minimum-tests:"))
		for _, b := range rep.BelowMinimum {
			fmt.Fprintf(w, "    %s\n", b)
		}
	}
	if counts := rep.TestsByLogType(); len(counts) > 0 {
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
	fmt.Fprintf(w, "%s\n", Summary(rep))
}

// Summary is the last line of a run: "N passed, N failed" (tests).
func Summary(rep *engine.TestReport) string {
	return fmt.Sprintf("%d passed, %d failed", rep.Passed, rep.Failed)
}

func plural(n int, what string) string {
	if n == 1 {
		return fmt.Sprintf("(1 %s)", what)
	}
	return fmt.Sprintf("(%d %ss)", n, what)
}

func indent(s, pad string) string { return strings.ReplaceAll(s, "\n", "\n"+pad) }

func group(rep *engine.TestReport) map[*engine.Detection][]engine.TestResult {
	m := map[*engine.Detection][]engine.TestResult{}
	for _, r := range rep.Results {
		m[r.Detection] = append(m[r.Detection], r)
	}
	return m
}

type jsonResult struct {
	Detection string   `json:"detection"`
	Test      string   `json:"test"`
	Fixture   bool     `json:"fixture,omitempty"`
	File      string   `json:"file"`
	Line      int      `json:"line"`
	Passed    bool     `json:"passed"`
	Failures  []string `json:"failures,omitempty"`
	Diff      string   `json:"diff,omitempty"`
	Prints    string   `json:"prints,omitempty"`
	Seconds   float64  `json:"seconds"`
}

type jsonDiag struct {
	File    string `json:"file"`
	Line    int    `json:"line,omitempty"`
	Column  int    `json:"column,omitempty"`
	Level   string `json:"level"`
	Message string `json:"message"`
	Hint    string `json:"hint,omitempty"`
}

func diagsJSON(ds engine.Diagnostics) []jsonDiag {
	out := make([]jsonDiag, 0, len(ds))
	for _, d := range ds {
		out = append(out, jsonDiag{d.File, d.Line, d.Column, d.Level.String(), d.Message, d.Hint})
	}
	return out
}

// JSON writes the report as one JSON document.
func JSON(w io.Writer, rep *engine.TestReport, ds engine.Diagnostics) error {
	doc := struct {
		Passed       int            `json:"passed"`
		Failed       int            `json:"failed"`
		Detections   int            `json:"detections"`
		PerLogType   map[string]int `json:"tests_per_log_type"`
		BelowMinimum []string       `json:"below_minimum_tests"`
		Diagnostics  []jsonDiag     `json:"diagnostics"`
		Results      []jsonResult   `json:"results"`
	}{rep.Passed, rep.Failed, len(rep.Detections), rep.TestsByLogType(), rep.BelowMinimum, diagsJSON(ds), []jsonResult{}}
	if doc.BelowMinimum == nil {
		doc.BelowMinimum = []string{}
	}
	for _, r := range rep.Results {
		doc.Results = append(doc.Results, jsonResult{r.Detection.ID, r.Test, r.Fixture, r.File, r.Line, r.Passed,
			r.Failures, r.Diff, r.Prints, r.Duration.Seconds()})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

// DiagnosticsJSON writes validation results as JSON.
func DiagnosticsJSON(w io.Writer, ds engine.Diagnostics, stats map[string]int) error {
	doc := struct {
		Errors      int            `json:"errors"`
		Warnings    int            `json:"warnings"`
		Loaded      map[string]int `json:"loaded"`
		Diagnostics []jsonDiag     `json:"diagnostics"`
	}{ds.Errors(), len(ds) - ds.Errors(), stats, diagsJSON(ds)}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

// JUnit writes JUnit XML: a suite per detection, a case per test; load
// errors are a suite of their own so CI shows them.
func JUnit(w io.Writer, rep *engine.TestReport, ds engine.Diagnostics) error {
	type failure struct {
		Message string `xml:"message,attr"`
		Body    string `xml:",chardata"`
	}
	type testcase struct {
		Name      string   `xml:"name,attr"`
		Classname string   `xml:"classname,attr"`
		File      string   `xml:"file,attr,omitempty"`
		Line      int      `xml:"line,attr,omitempty"`
		Time      string   `xml:"time,attr"`
		Failure   *failure `xml:"failure,omitempty"`
		SystemOut string   `xml:"system-out,omitempty"`
	}
	type suite struct {
		Name     string     `xml:"name,attr"`
		Tests    int        `xml:"tests,attr"`
		Failures int        `xml:"failures,attr"`
		Cases    []testcase `xml:"testcase"`
	}
	type suites struct {
		XMLName  xml.Name `xml:"testsuites"`
		Name     string   `xml:"name,attr"`
		Tests    int      `xml:"tests,attr"`
		Failures int      `xml:"failures,attr"`
		Suites   []suite  `xml:"testsuite"`
	}
	doc := suites{Name: "panther test", Tests: rep.Passed + rep.Failed, Failures: rep.Failed}
	if errs := ds.Errors(); errs > 0 {
		s := suite{Name: "load", Tests: errs, Failures: errs}
		for _, d := range ds {
			if d.Level != engine.LevelError {
				continue
			}
			s.Cases = append(s.Cases, testcase{Name: fmt.Sprintf("%s:%d", d.File, d.Line), Classname: "load", File: d.File, Line: d.Line, Time: "0",
				Failure: &failure{Message: d.Message, Body: d.String()}})
		}
		doc.Suites = append(doc.Suites, s)
		doc.Tests += errs
		doc.Failures += errs
	}
	byDet := group(rep)
	for _, d := range rep.Detections {
		s := suite{Name: d.ID}
		for _, r := range byDet[d] {
			c := testcase{Name: r.Test, Classname: d.ID, File: r.File, Line: r.Line, Time: fmt.Sprintf("%.6f", r.Duration.Seconds()), SystemOut: r.Prints}
			if !r.Passed {
				s.Failures++
				body := strings.Join(r.Failures, "\n")
				if r.Diff != "" {
					body += "\n" + r.Diff
				}
				c.Failure = &failure{Message: firstLine(r.Failures), Body: body}
			}
			s.Tests++
			s.Cases = append(s.Cases, c)
		}
		doc.Suites = append(doc.Suites, s)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

func firstLine(l []string) string {
	if len(l) == 0 {
		return "failed"
	}
	return l[0]
}

// GitHub writes GitHub Actions workflow commands: an annotation per
// failure and problem, then the summary line.
func GitHub(w io.Writer, rep *engine.TestReport, ds engine.Diagnostics) {
	GitHubDiagnostics(w, ds)
	for _, r := range rep.Results {
		if r.Passed {
			continue
		}
		msg := strings.Join(r.Failures, "\n")
		if r.Diff != "" {
			msg += "\n" + r.Diff
		}
		fmt.Fprintf(w, "::error file=%s,line=%d,title=%s::%s\n", escProp(r.File), r.Line, escProp(r.Detection.ID+" / "+r.Test), escData(msg))
	}
	for _, b := range rep.BelowMinimum {
		fmt.Fprintf(w, "::error title=minimum tests::%s\n", escData(b))
	}
	fmt.Fprintln(w, Summary(rep))
}

// GitHubDiagnostics writes load problems as annotations.
func GitHubDiagnostics(w io.Writer, ds engine.Diagnostics) {
	for _, d := range ds {
		kind := "error"
		if d.Level == engine.LevelWarning {
			kind = "warning"
		}
		msg := d.Message
		if d.Hint != "" {
			msg += " (" + d.Hint + ")"
		}
		fmt.Fprintf(w, "::%s file=%s,line=%d::%s\n", kind, escProp(d.File), max(d.Line, 1), escData(msg))
	}
}

func escData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

func escProp(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}
