package explain

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"panther/parsers/classifier"
)

// auxOrder is the order the functions run in (engine's), rule first.
var auxOrder = []string{"rule", "title", "dedup", "severity", "alert_context", "description", "reference", "runbook", "destinations"}

// Counts sums up the rules' verdicts.
type Counts struct {
	Rules, Matched, Errors, GuardFailed int
}

// Counts counts the verdicts of r's rules.
func (r *Report) Counts() Counts {
	c := Counts{Rules: len(r.Rules)}
	for _, x := range r.Rules {
		switch {
		case x.Match.Err != nil || len(x.Match.AuxErrors) > 0:
			c.Errors++
		case x.Match.Matched:
			c.Matched++
		}
		if x.Guard != nil && !x.Guard.Pass {
			c.GuardFailed++
		}
	}
	return c
}

// WriteText writes r for a terminal. Everything from the log is quoted
// (strconv.Quote) where it holds control characters, so a line cannot
// write terminal sequences. Without verbose, the families passed over are
// named by outcome on a few lines; with it, each with its reason.
func (r *Report) WriteText(w io.Writer, verbose bool) error {
	var b bytes.Buffer
	if len(r.Attempts) > 0 {
		writeAttempts(&b, r.Attempts, verbose)
	}
	switch {
	case r.Header:
		b.WriteString("a header line: it sets the parser's columns; no event, no rule runs\n")
		_, err := w.Write(b.Bytes())
		return err
	case r.Err != nil:
		fmt.Fprintf(&b, "no event: %s\n", oneLine(r.Err.Error()))
		_, err := w.Write(b.Bytes())
		return err
	}
	fmt.Fprintf(&b, "log type: %s\n", r.LogType)
	b.WriteString("event (normalised):\n  ")
	var ind bytes.Buffer
	if json.Indent(&ind, r.Event, "  ", "  ") == nil {
		b.Write(ind.Bytes())
	} else {
		b.Write(r.Event)
	}
	b.WriteByte('\n')
	c := r.Counts()
	fmt.Fprintf(&b, "rules of %s: %d, %d matched, %d with errors, %d guards failed\n", r.LogType, c.Rules, c.Matched, c.Errors, c.GuardFailed)
	// What needs reading first: errors, then matches, then the rest.
	for pass := 0; pass < 3; pass++ {
		for _, x := range r.Rules {
			m := &x.Match
			bad := m.Err != nil || len(m.AuxErrors) > 0
			if pass == 0 && bad || pass == 1 && !bad && m.Matched || pass == 2 && !bad && !m.Matched {
				writeRule(&b, &x)
			}
		}
	}
	_, err := w.Write(b.Bytes())
	return err
}

func writeRule(b *bytes.Buffer, x *Rule) {
	m := &x.Match
	verdict := "no match"
	switch {
	case m.Err != nil:
		verdict = "RULE ERROR"
	case m.Matched && len(m.AuxErrors) > 0:
		verdict = "MATCH, with errors"
	case m.Matched:
		verdict = "MATCH"
	}
	fmt.Fprintf(b, "\n  %s  %s  (%s)\n", x.ID, verdict, x.File)
	if x.Guard != nil {
		fmt.Fprintf(b, "    guard: %s\n", guardText(x.Guard))
	}
	for _, name := range auxOrder {
		if v, ok := m.Outputs[name]; ok {
			fmt.Fprintf(b, "    %-16s %s\n", name+"()", oneLine(v))
		}
	}
	if m.Err != nil {
		fmt.Fprintf(b, "    error: %s\n", oneLine(m.Err.Error()))
	}
	for _, fe := range m.AuxErrors {
		fmt.Fprintf(b, "    error: %s (the alert uses the default)\n", oneLine(fe.Error()))
	}
	if m.Matched {
		fmt.Fprintf(b, "    alert: severity %s, title %s, dedup %s\n", m.Severity, strconv.Quote(m.Title), strconv.Quote(m.Dedup))
		if m.Suppressed {
			b.WriteString("    destinations() returned an empty list: the alert is suppressed\n")
		}
	}
	if x.Prints != "" {
		b.WriteString("    printed:\n")
		for _, l := range strings.Split(strings.TrimRight(x.Prints, "\n"), "\n") {
			fmt.Fprintf(b, "      | %s\n", oneLine(l))
		}
	}
}

// guardText says which conditions hold.
func guardText(g *Guard) string {
	var parts []string
	for _, c := range g.Conds {
		want := c.Test
		switch {
		case len(c.Values) == 1:
			want = c.Field + " = " + strconv.Quote(c.Values[0])
		case len(c.Values) > 1:
			want = c.Field + " in " + quoteList(c.Values)
		}
		switch {
		case c.Holds:
			parts = append(parts, want+" (holds)")
		case !c.Present:
			parts = append(parts, want+" (fails: no such field)")
		default:
			parts = append(parts, want+" (fails: "+strconv.Quote(c.Value)+")")
		}
	}
	head := "passes"
	if !g.Pass {
		head = "fails, so a replay skips rule()"
	}
	return head + ": " + strings.Join(parts, "; ")
}

func quoteList(vs []string) string {
	const max = 6
	var q []string
	for i, v := range vs {
		if i == max {
			q = append(q, fmt.Sprintf("... %d more", len(vs)-max))
			break
		}
		q = append(q, strconv.Quote(v))
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// oneLine quotes s when it holds anything but printable text on one line.
func oneLine(s string) string {
	for _, r := range s {
		if r < ' ' || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == 0x1b {
			return strconv.Quote(s)
		}
	}
	return s
}

// MarshalJSON writes r for machines (panther explain --format json):
// errors as their text, the event as an object, each rule's outputs.
func (r *Report) MarshalJSON() ([]byte, error) {
	type attempt struct {
		Family   string `json:"family"`
		Priority int    `json:"priority"`
		Outcome  string `json:"outcome"`
		LogType  string `json:"log_type,omitempty"`
		Error    string `json:"error,omitempty"`
	}
	type rule struct {
		ID           string            `json:"id"`
		File         string            `json:"file"`
		Guard        *Guard            `json:"guard,omitempty"`
		Matched      bool              `json:"matched"`
		Error        string            `json:"error,omitempty"`
		AuxErrors    []string          `json:"aux_errors,omitempty"`
		Outputs      map[string]string `json:"outputs"`
		Title        string            `json:"title,omitempty"`
		Dedup        string            `json:"dedup,omitempty"`
		Severity     string            `json:"severity,omitempty"`
		AlertContext json.RawMessage   `json:"alert_context,omitempty"`
		Destinations []string          `json:"destinations,omitempty"`
		Prints       string            `json:"printed,omitempty"`
	}
	out := struct {
		Attempts []attempt       `json:"classification,omitempty"`
		LogType  string          `json:"log_type,omitempty"`
		Header   bool            `json:"header,omitempty"`
		Error    string          `json:"error,omitempty"`
		Event    json.RawMessage `json:"event,omitempty"`
		Rules    []rule          `json:"rules"`
	}{LogType: r.LogType, Header: r.Header, Event: r.Event, Rules: []rule{}}
	if r.Err != nil {
		out.Error = r.Err.Error()
	}
	for _, a := range r.Attempts {
		x := attempt{Family: a.Family, Priority: a.Priority, Outcome: a.Outcome, LogType: a.LogType}
		if a.Err != nil {
			x.Error = a.Err.Error()
		}
		out.Attempts = append(out.Attempts, x)
	}
	for _, x := range r.Rules {
		m := &x.Match
		o := rule{ID: x.ID, File: x.File, Guard: x.Guard, Matched: m.Matched, Outputs: m.Outputs, Prints: x.Prints}
		if m.Err != nil {
			o.Error = m.Err.Error()
		}
		for _, fe := range m.AuxErrors {
			o.AuxErrors = append(o.AuxErrors, fe.Error())
		}
		if m.Matched {
			o.Title, o.Dedup, o.Severity, o.AlertContext, o.Destinations = m.Title, m.Dedup, m.Severity, m.AlertContext, m.Destinations
		}
		out.Rules = append(out.Rules, o)
	}
	return json.Marshal(out)
}

// writeAttempts tells how the type was chosen.
func writeAttempts(b *bytes.Buffer, attempts []classifier.Attempt, verbose bool) {
	last := attempts[len(attempts)-1]
	took := "none took it"
	switch last.Outcome {
	case "chosen":
		took = last.Family + " took it as " + last.LogType
	case "header":
		took = last.Family + " took it as a header line"
	}
	fmt.Fprintf(b, "classification: %d families tried, by priority then name; %s\n", len(attempts), took)
	if verbose {
		for i, a := range attempts {
			fmt.Fprintf(b, "  %2d. %-28s %s", i+1, a.Family, a.Outcome)
			if a.LogType != "" {
				fmt.Fprintf(b, " %s", a.LogType)
			}
			if a.Err != nil {
				fmt.Fprintf(b, ": %s", oneLine(a.Err.Error()))
			}
			b.WriteByte('\n')
		}
		return
	}
	groups := map[string][]string{}
	for _, a := range attempts {
		if a.Outcome == "not detected" || a.Outcome == "parse error" {
			groups[a.Outcome] = append(groups[a.Outcome], a.Family)
		}
	}
	for _, g := range []struct{ outcome, say string }{
		{"parse error", "their parser refused the line"},
		{"not detected", "parsed, but not their kind of event (their Detect said no)"},
	} {
		if names := groups[g.outcome]; len(names) > 0 {
			fmt.Fprintf(b, "  %s (%d): %s\n", g.say, len(names), strings.Join(names, ", "))
		}
	}
	if last.Outcome != "chosen" && last.Outcome != "header" || len(attempts) > 1 {
		b.WriteString("  (--verbose gives each family's reason)\n")
	}
}
