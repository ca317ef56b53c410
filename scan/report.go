package scan

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"panther/engine"
)

// Summary counts a scan's results.
type Summary struct {
	Resources  int
	ByType     map[string]int
	Checks     int // results: passes + failures + errors
	Passed     int
	Failed     int
	Errors     int
	Suppressed int
	// FailedBySeverity counts failures by severity (INFO ... CRITICAL).
	FailedBySeverity map[string]int
	// Uncovered counts the resources of types no selected policy checks.
	Uncovered int
	Policies  int
	Elapsed   time.Duration
}

// NewSummary returns an empty summary.
func NewSummary() *Summary {
	return &Summary{ByType: map[string]int{}, FailedBySeverity: map[string]int{}}
}

// Add counts one resource's results.
func (s *Summary) Add(ev Evaluated) {
	s.Resources++
	s.ByType[ev.Resource.Type]++
	if len(ev.Results) == 0 && len(ev.Suppressed) == 0 {
		s.Uncovered++
	}
	s.Suppressed += len(ev.Suppressed)
	for _, r := range ev.Results {
		s.Checks++
		switch r.Status {
		case Pass:
			s.Passed++
		case Fail:
			s.Failed++
			s.FailedBySeverity[r.Severity]++
		case Error:
			s.Errors++
		}
	}
}

// FailedAtOrAbove counts failures of severity sev or higher.
func (s *Summary) FailedAtOrAbove(sev string) int {
	i := slices.Index(engine.Severities, sev)
	if i < 0 {
		return 0
	}
	n := 0
	for _, x := range engine.Severities[i:] {
		n += s.FailedBySeverity[x]
	}
	return n
}

// Line is the summary's last line: counts for people.
func (s *Summary) Line() string {
	var b strings.Builder
	types := len(s.ByType)
	fmt.Fprintf(&b, "%s in %s, %s: %s, %d passed, %d failed",
		plural(s.Resources, "resource"), plural(types, "type"), plural(s.Policies, "policy"), plural(s.Checks, "check"), s.Passed, s.Failed)
	if s.Failed > 0 {
		var parts []string
		for i := len(engine.Severities) - 1; i >= 0; i-- {
			if n := s.FailedBySeverity[engine.Severities[i]]; n > 0 {
				parts = append(parts, fmt.Sprintf("%d %s", n, strings.ToLower(engine.Severities[i])))
			}
		}
		fmt.Fprintf(&b, " (%s)", strings.Join(parts, ", "))
	}
	fmt.Fprintf(&b, ", %d errors", s.Errors)
	if s.Suppressed > 0 {
		fmt.Fprintf(&b, ", %d suppressed", s.Suppressed)
	}
	return b.String()
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	if strings.HasSuffix(word, "y") {
		return fmt.Sprintf("%d %sies", n, word[:len(word)-1])
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// Reporter writes a scan's results in one format. Start comes first with
// the policies that run, Add once per resource in input order, End last.
type Reporter interface {
	Start(policies []*engine.Detection) error
	Add(ev Evaluated) error
	End(s *Summary) error
}

// Formats are the output formats of NewReporter.
var Formats = []string{"pretty", "json", "junit", "sarif"}

// ReportOptions tune the reporters.
type ReportOptions struct {
	Color bool
	// Verbose lists the passing checks too (pretty).
	Verbose bool
	// MaxPerPolicy bounds the resources listed under each failing policy
	// (pretty; 0 means 20, -1 all).
	MaxPerPolicy int
	// ToolVersion goes into SARIF.
	ToolVersion string
}

// NewReporter makes the reporter of a format (one of Formats).
func NewReporter(format string, w io.Writer, opts ReportOptions) (Reporter, error) {
	switch format {
	case "pretty", "":
		return &prettyReporter{w: w, opts: opts}, nil
	case "json":
		return &jsonReporter{raw: w}, nil
	case "junit":
		return &junitReporter{w: w}, nil
	case "sarif":
		return &sarifReporter{w: w, version: opts.ToolVersion}, nil
	}
	return nil, fmt.Errorf("unknown format %q: one of %s", format, strings.Join(Formats, ", "))
}

// severityRank orders severities, highest first.
func severityRank(s string) int {
	i := slices.Index(engine.Severities, s)
	return len(engine.Severities) - i
}
