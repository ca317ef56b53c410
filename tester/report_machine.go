package tester

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	"panther/engine"
)

// The reporters for machines: JSON, JUnit XML, GitHub Actions annotations.

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

// JSON writes the results as one JSON document, once they are all in.
type JSON struct{ W io.Writer }

// Report writes the document.
func (j JSON) Report(r *Results) error {
	rep := r.Collect()
	w, ds := j.W, r.Diagnostics
	doc := struct {
		Passed       int            `json:"passed"`
		Failed       int            `json:"failed"`
		Detections   int            `json:"detections"`
		PerLogType   map[string]int `json:"tests_per_log_type"`
		BelowMinimum []string       `json:"below_minimum_tests"`
		Diagnostics  []jsonDiag     `json:"diagnostics"`
		Results      []jsonResult   `json:"results"`
	}{rep.Passed, rep.Failed, len(rep.Detections), r.TestsByLogType(), rep.BelowMinimum, diagsJSON(ds), []jsonResult{}}
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

// DiagnosticsReport writes the result of `panther validate` in a --format:
// the problems, and for json what was loaded (counts by kind); pretty
// writes the problems only (the command adds its summary line).
func DiagnosticsReport(out io.Writer, format string, ds engine.Diagnostics, loaded map[string]int, color bool) error {
	switch format {
	case "json":
		return diagnosticsJSON(out, ds, loaded)
	case "junit":
		return JUnit{W: out}.Report((&Report{Diagnostics: ds}).Stream())
	case "github":
		w := &errWriter{w: out}
		writeGitHubDiagnostics(w, ds)
		return w.err
	}
	return Diagnostics(out, ds, color)
}

func diagnosticsJSON(w io.Writer, ds engine.Diagnostics, stats map[string]int) error {
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

// JUnit writes JUnit XML once the results are all in: a suite per
// detection, a case per test; load errors are a suite of their own so CI
// shows them.
type JUnit struct{ W io.Writer }

// Report writes the document.
func (j JUnit) Report(r *Results) error {
	rep := r.Collect()
	w, ds := j.W, r.Diagnostics
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
	byDet := group(rep.Results)
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

// GitHub writes GitHub Actions workflow commands as the results come: an
// annotation per failure and problem, then the summary line.
type GitHub struct{ W io.Writer }

// Report writes the annotations.
func (g GitHub) Report(res *Results) error {
	w := &errWriter{w: g.W}
	writeGitHubDiagnostics(w, res.Diagnostics)
	for r := range res.All() {
		if r.Passed {
			continue
		}
		msg := strings.Join(r.Failures, "\n")
		if r.Diff != "" {
			msg += "\n" + r.Diff
		}
		fmt.Fprintf(w, "::error file=%s,line=%d,title=%s::%s\n", escProp(r.File), r.Line, escProp(r.Detection.ID+" / "+r.Test), escData(msg))
	}
	for _, b := range res.BelowMinimum {
		fmt.Fprintf(w, "::error title=minimum tests::%s\n", escData(b))
	}
	fmt.Fprintln(w, Summary(res))
	return w.err
}

func writeGitHubDiagnostics(w io.Writer, ds engine.Diagnostics) {
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
