package engine

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"panther/parsers"
	"panther/parsers/event"
)

// TypeCorrelationRule is a correlation rule: Panther's format, run over the
// stream of rule matches in event time by package correlate.
const TypeCorrelationRule Kind = "correlation_rule"

// DefaultLookback is LookbackWindowMinutes when a correlation omits it
// (Panther's default).
const DefaultLookback = 15 * time.Minute

// Correlation is the decoded Detection of a correlation rule: either a
// Sequence (ordered steps linked by Transitions) or a Group (every group
// matched on one key, in any order). Package correlate runs it.
type Correlation struct {
	Sequence    []CorrelationStep
	Transitions []Transition
	Group       []CorrelationStep
	// MatchCriteria link the groups: each criterion names, per group, the
	// field whose value must be equal across them. Sorted by Name.
	MatchCriteria []Criterion
	Lookback      time.Duration
	// DistinctField, when set (a Sigma value_count), makes a group's count
	// the number of distinct values of this field instead of matches.
	DistinctField string
	// Sigma is the Sigma correlation type this was mapped from, if any.
	Sigma string
	Line  int
}

// CorrelationStep is a step of a Sequence or a group of a Group: matches
// of one rule. MaxMatchCount 0 means no maximum; Absence means "no match".
type CorrelationStep struct {
	ID     string
	RuleID string
	// MoreRuleIDs are further rules whose matches the step takes, counted
	// with RuleID's (a Sigma event_count or value_count over several rules).
	MoreRuleIDs   []string
	MinMatchCount int
	MaxMatchCount int
	Absence       bool
	Line          int
}

// RuleIDs are the rules whose matches the step takes.
func (s CorrelationStep) RuleIDs() []string {
	return append([]string{s.RuleID}, s.MoreRuleIDs...)
}

// Transition links two consecutive steps of a Sequence.
type Transition struct {
	ID     string
	From   string
	To     string
	Within time.Duration
	Match  []FieldPair
	Line   int
}

// FieldPair is one Match of a transition: the From step's field must equal
// the To step's field (`On: f` sets both).
type FieldPair struct {
	From, To string
}

// Criterion is one key of MatchCriteria: per group ID, the field.
type Criterion struct {
	Name   string
	Fields map[string]string
	Line   int
}

// RuleOutput is one entry of a correlation test's RuleOutputs, as Panther
// writes them: the matches of a step or group, by field and value.
type RuleOutput struct {
	ID      string
	Matches []OutputMatch
	Line    int
}

// OutputMatch is the matches of one field value at the given times.
type OutputMatch struct {
	Field string
	Value string
	Times []time.Time
}

// OutputBase is the time an integer in RuleOutputs counts minutes from.
var OutputBase = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// IsAbsenceLast reports whether the sequence ends with an absence (or a
// MaxMatchCount) step, decided when its window closes.
func (c *Correlation) IsAbsenceLast() bool {
	if len(c.Sequence) == 0 {
		return false
	}
	last := c.Sequence[len(c.Sequence)-1]
	return last.Absence || last.MaxMatchCount > 0
}

// RuleIDs lists the rules the correlation consumes, sorted, once each.
func (c *Correlation) RuleIDs() []string {
	var out []string
	for _, s := range append(slices.Clone(c.Sequence), c.Group...) {
		for _, id := range s.RuleIDs() {
			if !slices.Contains(out, id) {
				out = append(out, id)
			}
		}
	}
	slices.Sort(out)
	return out
}

var (
	correlationKeys = []string{"AnalysisType", "RuleID", "DisplayName", "Enabled", "Filename", "Severity",
		"Description", "Runbook", "Reference", "Tags", "Reports", "DedupPeriodMinutes", "OutputIds", "Detection",
		"Tests", "Fixtures"}
	detectionKeys  = []string{"Sequence", "Transitions", "Group", "MatchCriteria", "LookbackWindowMinutes", "Schedule", "EventEvaluationOrder"}
	stepKeys       = []string{"ID", "RuleID", "MinMatchCount", "MaxMatchCount", "Absence"}
	transitionKeys = []string{"ID", "From", "To", "WithinTimeFrameMinutes", "Match"}
	pairKeys       = []string{"On", "From", "To"}
	criterionKeys  = []string{"GroupID", "Match"}
	ruleOutputKeys = []string{"ID", "Matches"}
)

// decodeCorrelation decodes the Detection key of a correlation rule. It
// is a list of one item in Panther's files; a mapping is accepted too.
func decodeCorrelation(file string, n *yaml.Node, diags *diagList) (*Correlation, bool) {
	item := n
	if n.Kind == yaml.SequenceNode {
		if len(n.Content) != 1 {
			diags.errorf(file, n.Line, n.Column, "write one item: - Sequence: ... or - Group: ...", "Detection: expected one item, found %d", len(n.Content))
			return nil, false
		}
		item = n.Content[0]
	}
	if !checkKeys(file, item, detectionKeys, diags, "Detection.") {
		return nil, false
	}
	c := &Correlation{Lookback: DefaultLookback, Line: item.Line}
	ok := true
	if v := mapGet(item, "LookbackWindowMinutes"); v != nil {
		m, good := minutes(file, v, "LookbackWindowMinutes", diags)
		ok = ok && good
		c.Lookback = m
	}
	if v := mapGet(item, "EventEvaluationOrder"); v != nil && v.Value != "Chronological" {
		diags.errorf(file, v.Line, v.Column, "matches are always taken in event time: write Chronological or leave it out", "EventEvaluationOrder %q is not supported", v.Value)
		ok = false
	}
	seq, grp := mapGet(item, "Sequence"), mapGet(item, "Group")
	switch {
	case seq != nil && grp != nil:
		diags.errorf(file, grp.Line, grp.Column, "a correlation is a Sequence or a Group", "Detection has both Sequence and Group")
		return nil, false
	case seq == nil && grp == nil:
		diags.errorf(file, item.Line, item.Column, "add Sequence (ordered steps) or Group (any order)", "Detection has neither Sequence nor Group")
		return nil, false
	}
	if seq != nil {
		c.Sequence, ok = decodeSteps(file, seq, "Sequence", diags), ok && seq.Kind == yaml.SequenceNode
		if len(c.Sequence) < 2 {
			diags.errorf(file, seq.Line, seq.Column, "a sequence has two steps or more", "Sequence: %d step(s)", len(c.Sequence))
			return nil, false
		}
		if mapGet(item, "MatchCriteria") != nil {
			diags.errorf(file, seq.Line, seq.Column, "a Sequence links its steps with Transitions", "MatchCriteria belongs to a Group")
			ok = false
		}
		tr := mapGet(item, "Transitions")
		if tr == nil {
			diags.errorf(file, seq.Line, seq.Column, "add Transitions: one per pair of consecutive steps, with From, To and Match", "Sequence without Transitions")
			return nil, false
		}
		trs, good := decodeTransitions(file, tr, c, diags)
		c.Transitions, ok = trs, ok && good
	} else {
		c.Group = decodeSteps(file, grp, "Group", diags)
		if len(c.Group) == 0 {
			return nil, false
		}
		if mapGet(item, "Transitions") != nil {
			diags.errorf(file, grp.Line, grp.Column, "a Group links its groups with MatchCriteria", "Transitions belong to a Sequence")
			ok = false
		}
		present := 0
		for _, g := range c.Group {
			if !g.Absence {
				present++
			}
		}
		if present == 0 {
			diags.errorf(file, grp.Line, grp.Column, "at least one group must be present", "every group is an Absence")
			ok = false
		}
		if mc := mapGet(item, "MatchCriteria"); mc != nil {
			crit, good := decodeCriteria(file, mc, c.Group, diags)
			c.MatchCriteria, ok = crit, ok && good
		}
	}
	return c, ok && !hasStepErrors(c)
}

func hasStepErrors(c *Correlation) bool {
	for _, s := range append(slices.Clone(c.Sequence), c.Group...) {
		if s.ID == "" || s.RuleID == "" {
			return true
		}
	}
	return false
}

func minutes(file string, v *yaml.Node, key string, diags *diagList) (time.Duration, bool) {
	m, err := strconv.Atoi(v.Value)
	if err != nil || v.Kind != yaml.ScalarNode || m < 1 || m > 90*24*60 {
		diags.errorf(file, v.Line, v.Column, "minutes, from 1 to 129600 (90 days)", "%s %q is not a number of minutes", key, v.Value)
		return 0, false
	}
	return time.Duration(m) * time.Minute, true
}

func decodeSteps(file string, n *yaml.Node, what string, diags *diagList) []CorrelationStep {
	if n.Kind != yaml.SequenceNode {
		diags.errorf(file, n.Line, n.Column, "a list of {ID, RuleID}", "%s: expected a list, found %s", what, kindName(n))
		return nil
	}
	var out []CorrelationStep
	seen := map[string]int{}
	for _, it := range n.Content {
		if !checkKeys(file, it, stepKeys, diags, what+".") {
			out = append(out, CorrelationStep{Line: it.Line})
			continue
		}
		s := CorrelationStep{MinMatchCount: 1, Line: it.Line}
		if v := mapGet(it, "ID"); v != nil {
			s.ID = v.Value
		}
		if v := mapGet(it, "RuleID"); v != nil {
			s.RuleID = v.Value
		}
		if s.ID == "" || s.RuleID == "" {
			diags.errorf(file, it.Line, it.Column, "each item has an ID (its name here) and the RuleID of the rule whose matches it takes", "%s item without ID or RuleID", what)
			out = append(out, s)
			continue
		}
		if first, dup := seen[s.ID]; dup {
			diags.errorf(file, it.Line, it.Column, fmt.Sprintf("first at line %d", first), "duplicate %s ID %q", what, s.ID)
			s.ID = ""
		}
		seen[s.ID] = it.Line
		count := func(key string, dst *int, lo int) {
			v := mapGet(it, key)
			if v == nil {
				return
			}
			x, err := strconv.Atoi(v.Value)
			if err != nil || x < lo || x > 10000 {
				diags.errorf(file, v.Line, v.Column, fmt.Sprintf("a count from %d to 10000", lo), "%s %s %q is out of range", what, key, v.Value)
				s.ID = ""
				return
			}
			*dst = x
		}
		count("MinMatchCount", &s.MinMatchCount, 1)
		count("MaxMatchCount", &s.MaxMatchCount, 1)
		if v := mapGet(it, "Absence"); v != nil {
			if v.Tag != "!!bool" {
				diags.errorf(file, v.Line, v.Column, "", "Absence must be true or false")
				s.ID = ""
			} else {
				s.Absence = v.Value == "true"
			}
		}
		if s.MaxMatchCount > 0 && s.MaxMatchCount < s.MinMatchCount {
			diags.errorf(file, it.Line, it.Column, "", "%s %s: MaxMatchCount %d is below MinMatchCount %d", what, s.ID, s.MaxMatchCount, s.MinMatchCount)
			s.ID = ""
		}
		out = append(out, s)
	}
	return out
}

func decodeTransitions(file string, n *yaml.Node, c *Correlation, diags *diagList) ([]Transition, bool) {
	if n.Kind != yaml.SequenceNode {
		diags.errorf(file, n.Line, n.Column, "a list of {ID, From, To, Match}", "Transitions: expected a list, found %s", kindName(n))
		return nil, false
	}
	ok := true
	ids := make([]string, len(c.Sequence))
	for i, s := range c.Sequence {
		ids[i] = s.ID
	}
	var out []Transition
	for _, it := range n.Content {
		if !checkKeys(file, it, transitionKeys, diags, "Transitions.") {
			ok = false
			continue
		}
		t := Transition{Within: c.Lookback, Line: it.Line}
		for key, dst := range map[string]*string{"ID": &t.ID, "From": &t.From, "To": &t.To} {
			if v := mapGet(it, key); v != nil {
				*dst = v.Value
			}
		}
		if v := mapGet(it, "WithinTimeFrameMinutes"); v != nil {
			m, good := minutes(file, v, "WithinTimeFrameMinutes", diags)
			ok = ok && good
			t.Within = m
		}
		fi, ti := slices.Index(ids, t.From), slices.Index(ids, t.To)
		for _, end := range []struct{ key, id string }{{"From", t.From}, {"To", t.To}} {
			if !slices.Contains(ids, end.id) {
				hint := "name a step ID of the Sequence: " + strings.Join(ids, ", ")
				if near := parsers.Nearest(end.id, ids); near != "" {
					hint = "did you mean " + near + "?"
				}
				diags.errorf(file, it.Line, it.Column, hint, "transition %q: %s %q is not a step of the Sequence", t.ID, end.key, end.id)
				ok = false
			}
		}
		if fi >= 0 && ti >= 0 && ti != fi+1 {
			diags.errorf(file, it.Line, it.Column, "a transition links a step to the next one in the Sequence", "transition %q goes from step %d to step %d", t.ID, fi+1, ti+1)
			ok = false
		}
		m := mapGet(it, "Match")
		if m == nil || m.Kind != yaml.SequenceNode || len(m.Content) == 0 {
			diags.errorf(file, it.Line, it.Column, "add Match: [{On: field}] or [{From: field, To: field}]: what the two steps share", "transition %q without Match", t.ID)
			ok = false
			continue
		}
		for _, p := range m.Content {
			if !checkKeys(file, p, pairKeys, diags, "Match.") {
				ok = false
				continue
			}
			on, from, to := mapGet(p, "On"), mapGet(p, "From"), mapGet(p, "To")
			switch {
			case on != nil && from == nil && to == nil:
				t.Match = append(t.Match, FieldPair{on.Value, on.Value})
			case on == nil && from != nil && to != nil:
				t.Match = append(t.Match, FieldPair{from.Value, to.Value})
			default:
				diags.errorf(file, p.Line, p.Column, "write On: field, or From: field and To: field", "transition %q: a Match needs On, or From and To", t.ID)
				ok = false
				continue
			}
			last := t.Match[len(t.Match)-1]
			for _, f := range []string{last.From, last.To} {
				if err := checkField(f); err != nil {
					diags.errorf(file, p.Line, p.Column, "a field path such as user.name, p_alert_context.user or p_any_ip_addresses", "transition %q: %v", t.ID, err)
					ok = false
				}
			}
		}
		out = append(out, t)
	}
	if !ok {
		return out, false
	}
	// One transition per pair of consecutive steps, in order.
	slices.SortFunc(out, func(a, b Transition) int { return slices.Index(ids, a.From) - slices.Index(ids, b.From) })
	for i := 0; i+1 < len(ids); i++ {
		if i >= len(out) || out[i].From != ids[i] {
			diags.errorf(file, n.Line, n.Column, "add a transition From "+ids[i]+" To "+ids[i+1], "no transition from step %q to step %q", ids[i], ids[i+1])
			return out, false
		}
		if i+1 < len(out) && out[i+1].From == ids[i] {
			diags.errorf(file, out[i+1].Line, 0, "one transition per pair of steps", "two transitions from step %q", ids[i])
			return out, false
		}
	}
	for i, s := range c.Sequence {
		last := i == len(c.Sequence)-1
		if (s.Absence || s.MaxMatchCount > 0) && !last {
			diags.errorf(file, s.Line, 0, "an absence (or a MaxMatchCount) is decided when its window closes: make it the last step", "step %q: Absence and MaxMatchCount are allowed on the last step only", s.ID)
			ok = false
		}
	}
	return out, ok
}

func decodeCriteria(file string, n *yaml.Node, groups []CorrelationStep, diags *diagList) ([]Criterion, bool) {
	if n.Kind != yaml.MappingNode {
		diags.errorf(file, n.Line, n.Column, "a mapping of key names to [{GroupID, Match}]", "MatchCriteria: expected a mapping, found %s", kindName(n))
		return nil, false
	}
	var ids []string
	for _, g := range groups {
		ids = append(ids, g.ID)
	}
	ok := true
	var out []Criterion
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		c := Criterion{Name: k.Value, Fields: map[string]string{}, Line: k.Line}
		if v.Kind != yaml.SequenceNode {
			diags.errorf(file, v.Line, v.Column, "a list of {GroupID, Match}", "MatchCriteria.%s: expected a list", k.Value)
			ok = false
			continue
		}
		for _, it := range v.Content {
			if !checkKeys(file, it, criterionKeys, diags, "MatchCriteria."+k.Value+".") {
				ok = false
				continue
			}
			gid, field := mapGet(it, "GroupID"), mapGet(it, "Match")
			if gid == nil || field == nil {
				diags.errorf(file, it.Line, it.Column, "", "MatchCriteria.%s: each item has a GroupID and a Match field", k.Value)
				ok = false
				continue
			}
			if !slices.Contains(ids, gid.Value) {
				hint := "groups: " + strings.Join(ids, ", ")
				if near := parsers.Nearest(gid.Value, ids); near != "" {
					hint = "did you mean " + near + "?"
				}
				diags.errorf(file, gid.Line, gid.Column, hint, "MatchCriteria.%s: no group %q", k.Value, gid.Value)
				ok = false
				continue
			}
			if err := checkField(field.Value); err != nil {
				diags.errorf(file, field.Line, field.Column, "a field path such as user.name or p_alert_context.user", "MatchCriteria.%s: %v", k.Value, err)
				ok = false
			}
			c.Fields[gid.Value] = field.Value
		}
		for _, id := range ids {
			if _, has := c.Fields[id]; !has && ok {
				diags.errorf(file, k.Line, k.Column, "name the field of every group, so each match has a key", "MatchCriteria.%s: no field for group %q", k.Value, id)
				ok = false
			}
		}
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b Criterion) int { return strings.Compare(a.Name, b.Name) })
	return out, ok
}

// checkField checks a field path of a correlation: a path of the event,
// or p_alert_context.<path> for the rule's alert context.
func checkField(f string) error {
	p := strings.TrimPrefix(f, "p_alert_context.")
	if p == "" {
		return fmt.Errorf("empty field")
	}
	if _, err := event.ParsePath(p); err != nil {
		return fmt.Errorf("field %q: %v", f, err)
	}
	return nil
}

// decodeRuleOutputs decodes a correlation test's RuleOutputs.
func decodeRuleOutputs(file string, n *yaml.Node, test string, diags *diagList) ([]RuleOutput, bool) {
	if n.Kind != yaml.SequenceNode {
		diags.errorf(file, n.Line, n.Column, "a list of {ID, Matches}", "test %q: RuleOutputs must be a list", test)
		return nil, false
	}
	ok := true
	var out []RuleOutput
	for _, it := range n.Content {
		if !checkKeys(file, it, ruleOutputKeys, diags, "RuleOutputs.") {
			ok = false
			continue
		}
		ro := RuleOutput{Line: it.Line}
		if v := mapGet(it, "ID"); v != nil {
			ro.ID = v.Value
		}
		ms := mapGet(it, "Matches")
		if ro.ID == "" || ms == nil || ms.Kind != yaml.MappingNode {
			diags.errorf(file, it.Line, it.Column, "ID: a step or group ID; Matches: {field: {value: [times]}}", "test %q: a rule output needs an ID and Matches", test)
			ok = false
			continue
		}
		for i := 0; i+1 < len(ms.Content); i += 2 {
			field, vals := ms.Content[i], ms.Content[i+1]
			if vals.Kind != yaml.MappingNode {
				diags.errorf(file, vals.Line, vals.Column, "write {value: [times]}", "test %q: Matches.%s must map values to times", test, field.Value)
				ok = false
				continue
			}
			for j := 0; j+1 < len(vals.Content); j += 2 {
				val, times := vals.Content[j], vals.Content[j+1]
				om := OutputMatch{Field: field.Value, Value: val.Value}
				items := []*yaml.Node{times}
				if times.Kind == yaml.SequenceNode {
					items = times.Content
				}
				for _, tn := range items {
					t, err := outputTime(tn)
					if err != nil {
						diags.errorf(file, tn.Line, tn.Column, "an RFC 3339 time, or a number of minutes", "test %q: %v", test, err)
						ok = false
						continue
					}
					om.Times = append(om.Times, t)
				}
				ro.Matches = append(ro.Matches, om)
			}
		}
		out = append(out, ro)
	}
	return out, ok
}

// outputTime reads a time of RuleOutputs: RFC 3339, or an integer number
// of minutes after OutputBase (Panther's tests use both).
func outputTime(n *yaml.Node) (time.Time, error) {
	if n.Kind != yaml.ScalarNode {
		return time.Time{}, fmt.Errorf("expected a time, found %s", kindName(n))
	}
	if m, err := strconv.Atoi(n.Value); err == nil {
		return OutputBase.Add(time.Duration(m) * time.Minute), nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05"} {
		if t, err := time.Parse(layout, n.Value); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a time", n.Value)
}

// validateCorrelations checks what spans files: every step names a rule
// of the tree, and a test's RuleOutputs name steps of the rule.
func validateCorrelations(set *Set, diags *diagList) {
	var ruleIDs []string
	for _, d := range set.Detections {
		if d.Kind == TypeRule {
			ruleIDs = append(ruleIDs, d.ID)
		}
	}
	for _, d := range set.Detections {
		c := d.Correlation
		if d.Kind != TypeCorrelationRule || c == nil {
			continue
		}
		var stepIDs []string
		for _, s := range append(slices.Clone(c.Sequence), c.Group...) {
			stepIDs = append(stepIDs, s.ID)
			for _, id := range s.RuleIDs() {
				if other, ok := set.Detection(id); ok && other.Kind == TypeRule {
					continue
				}
				hint := "a step takes the matches of a rule (AnalysisType: rule) of the tree"
				if n := parsers.Nearest(id, ruleIDs); n != "" {
					hint = "did you mean " + n + "?"
				}
				diags.errorf(d.File, s.Line, 0, hint, "correlation %s: step %s names rule %q, which does not exist", d.ID, s.ID, id)
			}
		}
		for _, t := range d.Tests {
			for _, ro := range t.RuleOutputs {
				if !slices.Contains(stepIDs, ro.ID) {
					hint := "RuleOutputs name the ID of a step or group: " + strings.Join(stepIDs, ", ")
					if n := parsers.Nearest(ro.ID, stepIDs); n != "" {
						hint = "did you mean " + n + "?"
					}
					diags.errorf(d.File, ro.Line, 0, hint, "test %q: no step or group %q", t.Name, ro.ID)
				}
			}
		}
	}
}
