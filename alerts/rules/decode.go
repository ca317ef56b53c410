package rules

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"panther/parsers"
)

// Spec keys of an alert rule.
var (
	ruleKeys     = []string{"AnalysisType", "AlertRuleID", "Description", "Enabled", "Priority", "Tags", "Schedules", "When", "Unless", "Then", "Tests"}
	scheduleKeys = []string{"Name", "TimeZone", "Windows"}
	windowKeys   = []string{"Days", "From", "To"}
	testKeys     = []string{"Name", "Input", "Time", "Expect", "Discarded", "Matches"}
	selectorOps  = []string{"match", "equals", "starts_with", "ends_with", "field_exists", "field_missing",
		"less_than", "greater_than", "schedule", "all", "any", "none"}
	actionOps = []string{"set", "replace", "discard", "stop", "group", "owner", "assignee", "severity", "destinations"}
	// replaceKeys are the keys of a replace action.
	replaceKeys = []string{"field", "pattern", "with"}
)

// MaxRegexLen bounds a pattern of a rule (RE2 is linear in the input, but
// a huge pattern is a huge program).
const MaxRegexLen = 4096

// DefaultTestTime is the time of a test without Time: Monday 5 January
// 2026, 12:00 UTC, so that tests of schedules do not depend on the clock.
var DefaultTestTime = time.Date(2026, 1, 5, 12, 0, 0, 0, time.UTC)

type decoder struct {
	file  string
	probs Problems
}

func (d *decoder) errorf(n *yaml.Node, hint, format string, args ...any) {
	p := Problem{File: d.file, Message: fmt.Sprintf(format, args...), Hint: hint}
	if n != nil {
		p.Line, p.Column = n.Line, n.Column
	}
	d.probs = append(d.probs, p)
}

// Decode reads one alert rule spec (YAML), strictly: an unknown key, a
// bad value, a regular expression that does not compile is a Problem
// naming the file and line, with the nearest valid key where one is
// close. Schedules are resolved by NewSet.
func Decode(file string, data []byte) (*Rule, Problems) {
	d := &decoder{file: file}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		d.probs = append(d.probs, Problem{File: file, Message: strings.TrimPrefix(err.Error(), "yaml: "), Hint: "fix the YAML syntax"})
		return nil, d.probs
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		d.errorf(nil, "", "an alert rule is a mapping of keys such as AnalysisType and AlertRuleID")
		return nil, d.probs
	}
	root := doc.Content[0]
	d.checkKeys(root, ruleKeys, "")
	r := &Rule{File: file, Enabled: true, Priority: 100}
	if n := get(root, "AnalysisType"); n == nil || n.Value != "alert_rule" {
		d.errorf(root, "", "AnalysisType must be alert_rule")
	}
	if n := get(root, "AlertRuleID"); n == nil || n.Kind != yaml.ScalarNode || strings.TrimSpace(n.Value) == "" {
		d.errorf(root, "add AlertRuleID: a unique name, like Maintenance.DB.Nightly", "missing required key AlertRuleID")
	} else {
		r.ID, r.Line = strings.TrimSpace(n.Value), n.Line
	}
	if n := get(root, "Description"); n != nil {
		r.Description = d.scalar(n, "Description")
	}
	if n := get(root, "Enabled"); n != nil {
		if err := n.Decode(&r.Enabled); err != nil || n.Tag != "!!bool" {
			d.errorf(n, "", "Enabled must be true or false, not %q", n.Value)
		}
	}
	if n := get(root, "Priority"); n != nil {
		if err := n.Decode(&r.Priority); err != nil || n.Tag != "!!int" {
			d.errorf(n, "rules run by Priority, lower first (default 100)", "Priority must be a whole number, not %q", n.Value)
		}
	}
	if n := get(root, "Tags"); n != nil && n.Kind != yaml.SequenceNode {
		d.errorf(n, "", "Tags must be a list")
	}
	if n := get(root, "Schedules"); n != nil {
		r.Schedules = d.schedules(n)
	}
	if n := get(root, "When"); n != nil {
		r.When = d.selector(n, "When")
	}
	if n := get(root, "Unless"); n != nil {
		r.Unless = d.selector(n, "Unless")
	}
	then := get(root, "Then")
	if then == nil {
		d.errorf(root, "add Then: a list of actions (set, severity, group, discard, ...)", "missing required key Then")
	} else {
		r.Actions = d.actions(then)
	}
	if n := get(root, "Tests"); n != nil {
		r.Tests = d.tests(n)
	}
	if len(d.probs) > 0 {
		return nil, d.probs
	}
	return r, nil
}

func get(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

func (d *decoder) checkKeys(n *yaml.Node, known []string, prefix string) bool {
	if n.Kind != yaml.MappingNode {
		d.errorf(n, "", "%sexpected a mapping, found %s", prefix, kindName(n))
		return false
	}
	ok := true
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if first, dup := seen[k.Value]; dup {
			d.errorf(k, fmt.Sprintf("first at line %d", first), "duplicate key %s%s", prefix, k.Value)
			ok = false
			continue
		}
		seen[k.Value] = k.Line
		if slices.Contains(known, k.Value) {
			continue
		}
		ok = false
		hint := "valid keys: " + strings.Join(known, ", ")
		if near := parsers.Nearest(k.Value, known); near != "" {
			hint = "did you mean " + prefix + near + "?"
		}
		d.errorf(k, hint, "unknown key %s%s", prefix, k.Value)
	}
	return ok
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return fmt.Sprintf("the value %q", n.Value)
	}
	return "nothing"
}

func (d *decoder) scalar(n *yaml.Node, what string) string {
	if n.Kind != yaml.ScalarNode {
		d.errorf(n, "", "%s must be a string, found %s", what, kindName(n))
		return ""
	}
	return n.Value
}

// strings reads a scalar or a list of scalars.
func (d *decoder) strs(n *yaml.Node, what string) []string {
	switch n.Kind {
	case yaml.ScalarNode:
		return []string{n.Value}
	case yaml.SequenceNode:
		var out []string
		for _, c := range n.Content {
			if c.Kind != yaml.ScalarNode {
				d.errorf(c, "", "%s: expected a string, found %s", what, kindName(c))
				continue
			}
			out = append(out, c.Value)
		}
		if len(out) == 0 {
			d.errorf(n, "", "%s: empty list", what)
		}
		return out
	}
	d.errorf(n, "", "%s: expected a string or a list of strings, found %s", what, kindName(n))
	return nil
}

func (d *decoder) schedules(n *yaml.Node) []*Schedule {
	if n.Kind != yaml.SequenceNode {
		d.errorf(n, "", "Schedules: expected a list, found %s", kindName(n))
		return nil
	}
	var out []*Schedule
	for _, item := range n.Content {
		if !d.checkKeys(item, scheduleKeys, "Schedules.") {
			continue
		}
		s := &Schedule{File: d.file, Line: item.Line, Loc: time.UTC}
		if nn := get(item, "Name"); nn == nil || strings.TrimSpace(nn.Value) == "" {
			d.errorf(item, "", "schedule without a Name")
			continue
		} else {
			s.Name = strings.TrimSpace(nn.Value)
		}
		if tz := get(item, "TimeZone"); tz != nil {
			loc, err := time.LoadLocation(d.scalar(tz, "TimeZone"))
			if err != nil {
				d.errorf(tz, "an IANA name, like Europe/London or UTC", "schedule %s: unknown time zone %q", s.Name, tz.Value)
			} else {
				s.Loc = loc
			}
		}
		ws := get(item, "Windows")
		if ws == nil || ws.Kind != yaml.SequenceNode || len(ws.Content) == 0 {
			d.errorf(item, "Windows: [{Days: [Mon-Fri], From: \"22:00\", To: \"02:00\"}]", "schedule %s: needs a list of Windows", s.Name)
			continue
		}
		for _, w := range ws.Content {
			if !d.checkKeys(w, windowKeys, "Windows.") {
				continue
			}
			var win Window
			if days := get(w, "Days"); days != nil {
				ds, err := parseDays(d.strs(days, "Days"))
				if err != nil {
					d.errorf(days, "", "schedule %s: %v", s.Name, err)
				}
				win.Days = ds
			}
			for key, dst := range map[string]*int{"From": &win.From, "To": &win.To} {
				v := get(w, key)
				if v == nil {
					d.errorf(w, "write From: \"22:00\" and To: \"02:00\" (quoted)", "schedule %s: window without %s", s.Name, key)
					continue
				}
				m, err := parseClock(v.Value)
				if err != nil {
					d.errorf(v, "", "schedule %s: %s: %v", s.Name, key, err)
				}
				*dst = m
			}
			s.Windows = append(s.Windows, win)
		}
		out = append(out, s)
	}
	return out
}

func (d *decoder) selector(n *yaml.Node, where string) Selector {
	if n.Kind != yaml.MappingNode || len(n.Content) == 0 {
		d.errorf(n, "a selector is a mapping such as {equals: {node: db1}} or {all: [...]}", "%s: expected a selector, found %s", where, kindName(n))
		return nil
	}
	if !d.checkKeys(n, selectorOps, "") {
		return nil
	}
	var subs []Selector
	for i := 0; i+1 < len(n.Content); i += 2 {
		op, v := n.Content[i].Value, n.Content[i+1]
		if s := d.selectorOp(op, v, where+"."+op); s != nil {
			subs = append(subs, s)
		}
	}
	if len(subs) == 1 {
		return subs[0]
	}
	return &combSel{kind: "all", subs: subs}
}

func (d *decoder) selectorOp(op string, v *yaml.Node, where string) Selector {
	switch op {
	case "all", "any", "none":
		if v.Kind != yaml.SequenceNode || len(v.Content) == 0 {
			d.errorf(v, "", "%s: expected a list of selectors, found %s", where, kindName(v))
			return nil
		}
		c := &combSel{kind: op}
		for _, item := range v.Content {
			if s := d.selector(item, where); s != nil {
				c.subs = append(c.subs, s)
			}
		}
		return c
	case "schedule":
		name := d.scalar(v, where)
		return &scheduleSel{name: name, line: v.Line}
	case "field_exists", "field_missing":
		return &existsSel{fields: d.strs(v, where), want: op == "field_exists"}
	}
	// the field-keyed operators: {field: value}
	if v.Kind != yaml.MappingNode || len(v.Content) == 0 {
		d.errorf(v, "write "+op+": {field: value}", "%s: expected a mapping of field to value, found %s", where, kindName(v))
		return nil
	}
	var subs []Selector
	for i := 0; i+1 < len(v.Content); i += 2 {
		field, val := v.Content[i].Value, v.Content[i+1]
		switch op {
		case "match":
			pat := d.scalar(val, where)
			if len(pat) > MaxRegexLen {
				d.errorf(val, "", "%s: the pattern is longer than %d bytes", where, MaxRegexLen)
				continue
			}
			re, err := regexp.Compile(pat)
			if err != nil {
				d.errorf(val, "Go regular expression syntax (RE2)", "%s: %v", where, err)
				continue
			}
			subs = append(subs, &matchSel{field: field, re: re})
		case "equals", "starts_with", "ends_with":
			so := map[string]stringOp{"equals": opEquals, "starts_with": opStartsWith, "ends_with": opEndsWith}[op]
			subs = append(subs, &stringSel{op: so, field: field, values: d.strs(val, where)})
		case "less_than", "greater_than":
			s := &cmpSel{field: field, less: op == "less_than"}
			raw := d.scalar(val, where)
			if f, err := strconv.ParseFloat(raw, 64); err == nil && val.Tag != "!!str" {
				s.num = f
				if field == "severity" {
					// the console's 0-5 scale, compared by rank
					_, rank, ok := ParseSeverity(raw)
					if !ok {
						d.errorf(val, "0 to 5, or Info, Low, Medium, High, Critical", "%s: %q is not a severity", where, raw)
						continue
					}
					s.num, s.severity = float64(rank), true
				}
			} else if _, rank, ok := ParseSeverity(raw); ok && !isNumber(raw) {
				s.num, s.severity = float64(rank), true
			} else {
				d.errorf(val, "a number, or a severity (Info, Low, Medium, High, Critical)", "%s: %q is not a number", where, raw)
				continue
			}
			subs = append(subs, s)
		}
	}
	if len(subs) == 1 {
		return subs[0]
	}
	return &combSel{kind: "all", subs: subs}
}

func isNumber(s string) bool {
	_, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	return err == nil
}

func (d *decoder) actions(n *yaml.Node) []Action {
	if n.Kind != yaml.SequenceNode || len(n.Content) == 0 {
		d.errorf(n, "Then: [{set: {group: dba}}, {severity: Low}]", "Then: expected a list of actions, found %s", kindName(n))
		return nil
	}
	var out []Action
	for _, item := range n.Content {
		if !d.checkKeys(item, actionOps, "") {
			continue
		}
		for i := 0; i+1 < len(item.Content); i += 2 {
			op, v := item.Content[i].Value, item.Content[i+1]
			out = append(out, d.action(op, v)...)
		}
	}
	return out
}

func (d *decoder) tpl(n *yaml.Node, what string) template {
	t, err := parseTemplate(d.scalar(n, what))
	if err != nil {
		d.errorf(n, "templates name fields as {field} and captures as {match.1}", "%s: %v", what, err)
	}
	return t
}

func (d *decoder) action(op string, v *yaml.Node) []Action {
	switch op {
	case "discard", "stop":
		var b bool
		if err := v.Decode(&b); err != nil || v.Tag != "!!bool" {
			d.errorf(v, "", "%s must be true or false, not %q", op, v.Value)
			return nil
		}
		if !b {
			return nil
		}
		if op == "discard" {
			return []Action{{kind: actDiscard, line: v.Line}}
		}
		return []Action{{kind: actStop, line: v.Line}}
	case "group", "owner", "assignee":
		return []Action{{kind: actSet, field: op, tpl: d.tpl(v, op), line: v.Line}}
	case "severity":
		name, _, ok := ParseSeverity(d.scalar(v, op))
		if !ok {
			d.errorf(v, "Info, Low, Medium, High, Critical (or 0-5)", "severity %q is not a severity", v.Value)
			return nil
		}
		return []Action{{kind: actSeverity, tpl: template{lit: name}, line: v.Line}}
	case "destinations":
		names := d.strs(v, op)
		if len(names) > 10 {
			d.errorf(v, "", "destinations: at most 10")
		}
		return []Action{{kind: actDestinations, names: names, line: v.Line}}
	case "set":
		if v.Kind != yaml.MappingNode || len(v.Content) == 0 {
			d.errorf(v, "set: {summary: \"Disk {match.1} full on {node}\"}", "set: expected a mapping of field to template, found %s", kindName(v))
			return nil
		}
		var out []Action
		for i := 0; i+1 < len(v.Content); i += 2 {
			field := v.Content[i].Value
			if field == "severity" {
				out = append(out, d.action("severity", v.Content[i+1])...)
				continue
			}
			out = append(out, Action{kind: actSet, field: field, tpl: d.tpl(v.Content[i+1], "set."+field), line: v.Line})
		}
		return out
	case "replace":
		if !d.checkKeys(v, replaceKeys, "replace.") {
			return nil
		}
		f, p, w := get(v, "field"), get(v, "pattern"), get(v, "with")
		if f == nil || p == nil || w == nil {
			d.errorf(v, "replace: {field: summary, pattern: 'host-(\\d+)', with: 'h$1'}", "replace needs field, pattern and with")
			return nil
		}
		re, err := regexp.Compile(d.scalar(p, "replace.pattern"))
		if err != nil {
			d.errorf(p, "Go regular expression syntax (RE2)", "replace.pattern: %v", err)
			return nil
		}
		return []Action{{kind: actReplace, field: d.scalar(f, "replace.field"), re: re, tpl: d.tpl(w, "replace.with"), line: v.Line}}
	}
	return nil
}
