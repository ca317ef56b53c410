package scan

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"panther/engine"
)

// --- pretty ------------------------------------------------------------

// prettyReporter prints the failures grouped by policy, highest severity
// first, each with the resources it failed on; then the errors, then the
// summary line. Only failures and errors are kept until the end.
type prettyReporter struct {
	w        io.Writer
	opts     ReportOptions
	policies []*engine.Detection
	fails    map[*engine.Detection][]Result
	errs     []Result
	passed   map[*engine.Detection]int
}

func (p *prettyReporter) Start(policies []*engine.Detection) error {
	p.policies = policies
	p.fails = map[*engine.Detection][]Result{}
	p.passed = map[*engine.Detection]int{}
	return nil
}

func (p *prettyReporter) Add(ev Evaluated) error {
	for _, r := range ev.Results {
		switch r.Status {
		case Fail:
			p.fails[r.Policy] = append(p.fails[r.Policy], r)
		case Error:
			p.errs = append(p.errs, r)
		default:
			p.passed[r.Policy]++
		}
	}
	return nil
}

func (p *prettyReporter) color(code, s string) string {
	if !p.opts.Color {
		return s
	}
	return "\x1b[" + code + "m" + s + "\x1b[0m"
}

// controls names the benchmark controls of a policy: "CIS 2.1.4".
func controls(d *engine.Detection) string {
	var parts []string
	for _, k := range []string{"CIS", "AWS FSBP"} {
		if ids := d.Spec.Reports[k]; len(ids) > 0 {
			parts = append(parts, k+" "+strings.Join(ids, ", "))
		}
	}
	return strings.Join(parts, "; ")
}

func resourceLine(r *Resource) string {
	var b strings.Builder
	b.WriteString(r.ID)
	var ctx []string
	if r.Account != "" {
		ctx = append(ctx, r.Account)
	}
	if r.Region != "" {
		ctx = append(ctx, r.Region)
	}
	if len(ctx) > 0 {
		b.WriteString("  (" + strings.Join(ctx, " ") + ")")
	}
	b.WriteString("  ")
	if r.Location != nil {
		b.WriteString(r.Location.File)
		if r.Location.Line > 0 {
			b.WriteString(":" + strconv.Itoa(r.Location.Line))
		}
	} else {
		b.WriteString(r.Where())
	}
	return b.String()
}

func (p *prettyReporter) End(s *Summary) error {
	w := bufio.NewWriter(p.w)
	var failing []*engine.Detection
	for d := range p.fails {
		failing = append(failing, d)
	}
	slices.SortFunc(failing, func(a, b *engine.Detection) int {
		if x, y := severityRank(a.Severity), severityRank(b.Severity); x != y {
			return x - y
		}
		return strings.Compare(a.ID, b.ID)
	})
	max := p.opts.MaxPerPolicy
	if max == 0 {
		max = 20
	}
	sevColor := map[string]string{"CRITICAL": "1;31", "HIGH": "31", "MEDIUM": "33", "LOW": "36", "INFO": "2"}
	for _, d := range failing {
		rs := p.fails[d]
		head := fmt.Sprintf("%s %s %s", p.color("1;31", "FAIL"), p.color(sevColor[d.Severity], "["+d.Severity+"]"), d.ID)
		if t := d.Spec.DisplayName; t != "" {
			head += ": " + t
		}
		if c := controls(d); c != "" {
			head += "  (" + c + ")"
		}
		fmt.Fprintf(w, "%s\n", head)
		fmt.Fprintf(w, "  %d of %d resources fail\n", len(rs), len(rs)+p.passed[d])
		for i, r := range rs {
			if max > 0 && i == max {
				fmt.Fprintf(w, "  ... and %d more (--max-per-policy -1, or --format json, lists them all)\n", len(rs)-max)
				break
			}
			line := "  - " + resourceLine(r.Resource)
			if r.Severity != d.Severity {
				line += "  [" + r.Severity + "]"
			}
			if r.Title != "" && r.Title != d.Spec.DisplayName && r.Title != d.ID {
				line += "\n      " + r.Title
			}
			for _, ae := range r.AuxErrors {
				line += "\n      " + p.color("33", "warning: "+ae)
			}
			fmt.Fprintln(w, line)
		}
		fmt.Fprintln(w)
	}
	if len(p.errs) > 0 {
		fmt.Fprintf(w, "%s policies that failed to run (an error is never a pass):\n", p.color("1;33", "ERROR"))
		for _, r := range p.errs {
			fmt.Fprintf(w, "  - %s on %s: %s\n", r.Policy.ID, resourceLine(r.Resource), r.Err)
		}
		fmt.Fprintln(w)
	}
	if p.opts.Verbose {
		for _, d := range p.policies {
			if n := p.passed[d]; n > 0 {
				fmt.Fprintf(w, "%s %s: %d resources\n", p.color("32", "PASS"), d.ID, n)
			}
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w, s.Line())
	return w.Flush()
}

// --- json --------------------------------------------------------------

// jsonReporter streams one JSON document: the policies, every result (in
// input order), then the summary.
type jsonReporter struct {
	w     *bufio.Writer
	raw   io.Writer
	first bool
}

type jsonPolicy struct {
	ID            string              `json:"id"`
	DisplayName   string              `json:"display_name,omitempty"`
	Severity      string              `json:"severity"`
	ResourceTypes []string            `json:"resource_types"`
	Reports       map[string][]string `json:"reports,omitempty"`
	File          string              `json:"file"`
}

// JSONResult is one result as the json format and the lake write it.
type JSONResult struct {
	Policy       string          `json:"policy_id"`
	Status       string          `json:"status"`
	Severity     string          `json:"severity"`
	ResourceID   string          `json:"resource_id"`
	ResourceType string          `json:"resource_type"`
	Account      string          `json:"account_id,omitempty"`
	Region       string          `json:"region,omitempty"`
	Title        string          `json:"title,omitempty"`
	Dedup        string          `json:"dedup,omitempty"`
	Error        string          `json:"error,omitempty"`
	AuxErrors    []string        `json:"aux_errors,omitempty"`
	AlertContext json.RawMessage `json:"alert_context,omitempty"`
	Source       string          `json:"source"`
	Item         string          `json:"item,omitempty"`
	Address      string          `json:"address,omitempty"`
	File         string          `json:"file,omitempty"`
	Line         int             `json:"line,omitempty"`
	Time         time.Time       `json:"time"`
}

// ToJSON is the result's JSON shape.
func (r *Result) ToJSON() JSONResult {
	res := r.Resource
	j := JSONResult{Policy: r.Policy.ID, Status: r.Status.String(), Severity: r.Severity, ResourceID: res.ID, ResourceType: res.Type,
		Account: res.Account, Region: res.Region, Title: r.Title, Dedup: r.Dedup, Error: r.Err, AuxErrors: r.AuxErrors,
		AlertContext: r.AlertContext, Source: res.Source, Item: res.Item, Address: res.Address, Time: res.Time.UTC()}
	if res.Location != nil {
		j.File, j.Line = res.Location.File, res.Location.Line
	}
	return j
}

func (j *jsonReporter) Start(policies []*engine.Detection) error {
	if j.w == nil {
		j.w = bufio.NewWriter(j.raw)
	}
	var ps []jsonPolicy
	for _, d := range policies {
		ps = append(ps, jsonPolicy{ID: d.ID, DisplayName: d.Spec.DisplayName, Severity: d.Severity, ResourceTypes: d.LogTypes,
			Reports: d.Spec.Reports, File: d.File})
	}
	b, err := json.Marshal(ps)
	if err != nil {
		return err
	}
	if ps == nil {
		b = []byte("[]")
	}
	j.first = true
	_, err = fmt.Fprintf(j.w, "{\"policies\":%s,\n\"results\":[", b)
	return err
}

func (j *jsonReporter) Add(ev Evaluated) error {
	for i := range ev.Results {
		b, err := json.Marshal(ev.Results[i].ToJSON())
		if err != nil {
			return err
		}
		if !j.first {
			j.w.WriteString(",")
		}
		j.first = false
		j.w.WriteString("\n")
		j.w.Write(b)
	}
	return nil
}

func (j *jsonReporter) End(s *Summary) error {
	b, err := json.Marshal(map[string]any{
		"resources": s.Resources, "resources_by_type": s.ByType, "policies": s.Policies, "checks": s.Checks,
		"passed": s.Passed, "failed": s.Failed, "errors": s.Errors, "suppressed": s.Suppressed,
		"failed_by_severity": s.FailedBySeverity, "uncovered_resources": s.Uncovered,
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(j.w, "],\n\"summary\":%s}\n", b)
	return j.w.Flush()
}

// --- junit -------------------------------------------------------------

// junitReporter writes one test suite per policy and one test case per
// resource it checked (so it keeps every result until the end).
type junitReporter struct {
	w        io.Writer
	policies []*engine.Detection
	cases    map[*engine.Detection][]junitCase
}

type junitCase struct {
	XMLName   xml.Name      `xml:"testcase"`
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Failure   *junitMessage `xml:"failure,omitempty"`
	Error     *junitMessage `xml:"error,omitempty"`
}

type junitMessage struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Text    string `xml:",chardata"`
}

type junitSuite struct {
	XMLName  xml.Name    `xml:"testsuite"`
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

func (j *junitReporter) Start(policies []*engine.Detection) error {
	j.policies = policies
	j.cases = map[*engine.Detection][]junitCase{}
	return nil
}

func (j *junitReporter) Add(ev Evaluated) error {
	for _, r := range ev.Results {
		c := junitCase{Name: r.Resource.ID, Classname: r.Resource.Type}
		where := resourceLine(r.Resource)
		switch r.Status {
		case Fail:
			msg := r.Title
			if msg == "" {
				msg = r.Policy.ID
			}
			c.Failure = &junitMessage{Message: msg, Type: r.Severity, Text: where}
		case Error:
			c.Error = &junitMessage{Message: r.Err, Text: where}
		}
		j.cases[r.Policy] = append(j.cases[r.Policy], c)
	}
	return nil
}

func (j *junitReporter) End(s *Summary) error {
	out := junitSuites{Name: "panther scan"}
	for _, d := range j.policies {
		cs := j.cases[d]
		if len(cs) == 0 {
			continue
		}
		su := junitSuite{Name: d.ID, Tests: len(cs), Cases: cs}
		for _, c := range cs {
			if c.Failure != nil {
				su.Failures++
			}
			if c.Error != nil {
				su.Errors++
			}
		}
		out.Tests += su.Tests
		out.Failures += su.Failures
		out.Errors += su.Errors
		out.Suites = append(out.Suites, su)
	}
	w := bufio.NewWriter(j.w)
	w.WriteString(xml.Header)
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(out); err != nil {
		return err
	}
	w.WriteString("\n")
	return w.Flush()
}

// --- SARIF -------------------------------------------------------------

// sarifReporter writes SARIF 2.1.0 for code scanning: one rule per
// policy, one result per failure (and per error, as a note), located at
// the Terraform resource's .tf line when known, else at its input file,
// with the resource address (or id) as the logical location.
type sarifReporter struct {
	w        io.Writer
	version  string
	policies []*engine.Detection
	index    map[*engine.Detection]int
	results  []sarifResult
}

type sarifResult struct {
	RuleID       string            `json:"ruleId"`
	RuleIndex    int               `json:"ruleIndex"`
	Level        string            `json:"level"`
	Message      sarifText         `json:"message"`
	Locations    []sarifLocation   `json:"locations"`
	Fingerprints map[string]string `json:"partialFingerprints"`
}

type sarifText struct {
	Text string `json:"text"`
}

type sarifLocation struct {
	Physical sarifPhysical  `json:"physicalLocation"`
	Logical  []sarifLogical `json:"logicalLocations,omitempty"`
}

type sarifPhysical struct {
	Artifact struct {
		URI string `json:"uri"`
	} `json:"artifactLocation"`
	Region struct {
		StartLine int `json:"startLine"`
	} `json:"region"`
}

type sarifLogical struct {
	FullyQualifiedName string `json:"fullyQualifiedName"`
	Kind               string `json:"kind"`
}

func sarifLevel(sev string) string {
	switch sev {
	case "CRITICAL", "HIGH":
		return "error"
	case "MEDIUM":
		return "warning"
	}
	return "note"
}

// securitySeverity is GitHub's numeric severity for a policy severity.
var securitySeverity = map[string]string{"CRITICAL": "9.5", "HIGH": "8.0", "MEDIUM": "5.5", "LOW": "3.0", "INFO": "1.0"}

func (s *sarifReporter) Start(policies []*engine.Detection) error {
	s.policies = policies
	s.index = map[*engine.Detection]int{}
	for i, d := range policies {
		s.index[d] = i
	}
	return nil
}

func (s *sarifReporter) Add(ev Evaluated) error {
	for _, r := range ev.Results {
		if r.Status == Pass {
			continue
		}
		res := r.Resource
		msg := r.Title
		if msg == "" || msg == r.Policy.Spec.DisplayName {
			msg = firstNonEmpty(r.Policy.Spec.DisplayName, r.Policy.ID) + ": " + firstNonEmpty(res.Address, res.ID)
		}
		level := sarifLevel(r.Severity)
		if r.Status == Error {
			level = "note"
			msg = "policy error on " + firstNonEmpty(res.Address, res.ID) + ": " + r.Err
		}
		var loc sarifLocation
		if res.Location != nil {
			loc.Physical.Artifact.URI = filepath.ToSlash(res.Location.File)
			loc.Physical.Region.StartLine = max(res.Location.Line, 1)
		} else {
			loc.Physical.Artifact.URI = filepath.ToSlash(res.Source)
			loc.Physical.Region.StartLine = 1
		}
		loc.Logical = []sarifLogical{{FullyQualifiedName: firstNonEmpty(res.Address, res.ID), Kind: "resource"}}
		sum := sha256.Sum256([]byte(r.Policy.ID + "\x00" + res.Type + "\x00" + firstNonEmpty(res.Address, res.ID)))
		s.results = append(s.results, sarifResult{RuleID: r.Policy.ID, RuleIndex: s.index[r.Policy], Level: level,
			Message: sarifText{msg}, Locations: []sarifLocation{loc},
			Fingerprints: map[string]string{"pantherPolicyResource/v1": hex.EncodeToString(sum[:16])}})
	}
	return nil
}

func (s *sarifReporter) End(*Summary) error {
	type rule struct {
		ID       string         `json:"id"`
		Name     string         `json:"name"`
		Short    sarifText      `json:"shortDescription"`
		Full     sarifText      `json:"fullDescription"`
		HelpURI  string         `json:"helpUri,omitempty"`
		Help     sarifText      `json:"help"`
		Default  map[string]any `json:"defaultConfiguration"`
		Property map[string]any `json:"properties"`
	}
	var rules []rule
	for _, d := range s.policies {
		sp := d.Spec
		tags := slices.Clone(sp.Tags)
		if c := controls(d); c != "" {
			tags = append(tags, c)
		}
		if tags == nil {
			tags = []string{}
		}
		rules = append(rules, rule{ID: d.ID, Name: strings.ReplaceAll(d.ID, ".", ""),
			Short: sarifText{firstNonEmpty(sp.DisplayName, d.ID)}, Full: sarifText{firstNonEmpty(strings.TrimSpace(sp.Description), sp.DisplayName, d.ID)},
			HelpURI: sp.Reference, Help: sarifText{firstNonEmpty(strings.TrimSpace(sp.Runbook), strings.TrimSpace(sp.Description), d.ID)},
			Default:  map[string]any{"level": sarifLevel(d.Severity)},
			Property: map[string]any{"tags": tags, "security-severity": securitySeverity[d.Severity]}})
	}
	if rules == nil {
		rules = []rule{}
	}
	results := s.results
	if results == nil {
		results = []sarifResult{}
	}
	doc := map[string]any{
		"$schema": "https://json.schemastore.org/sarif-2.1.0.json",
		"version": "2.1.0",
		"runs": []any{map[string]any{
			"tool": map[string]any{"driver": map[string]any{
				"name": "panther", "version": firstNonEmpty(s.version, "dev"), "informationUri": "https://github.com/panther-labs/panther-analysis",
				"rules": rules,
			}},
			"results": results,
		}},
	}
	enc := json.NewEncoder(s.w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}
