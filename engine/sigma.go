package engine

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"panther/parsers"
)

// Sigma v2 correlation documents are read as correlation rules: a YAML
// file without AnalysisType whose top level has `correlation:` is one.
//
//	title: Password spray from one address
//	name: okta_password_spray          # the RuleID (else id)
//	level: high                        # the severity (default medium)
//	correlation:
//	  type: value_count                # event_count | value_count | temporal | temporal_ordered
//	  rules: [Okta.SignIn.Failed]      # RuleIDs of the tree (Sigma: names or ids of the rules)
//	  group-by: [client.ipAddress]
//	  timespan: 10m                    # s, m, h, d, w
//	  condition: {gte: 20, field: actor.alternateId}
//	  aliases:                         # one name for fields that differ per rule
//	    user: {Okta.MFA.PushAccepted: actor.alternateId, GitHub.Repo.MassClone: actor}
//
// They map onto the engine's two shapes: event_count and value_count are a
// Group of one group that takes the matches of every rule named (counted
// together; value_count counts distinct values of condition.field), with
// MinMatchCount from the condition; temporal is a Group of one group per
// rule; temporal_ordered a Sequence of the rules in order, each step within
// the timespan of the previous one. group-by fields (through aliases) are
// the key. A correlation fires when a count is reached, so the condition
// is gte or gt; Sigma's lt, lte, eq and range are refused with that reason.
// One correlation document per file; Sigma's detection rules are not read
// (our rules are Lua).

var (
	sigmaKeys = []string{"title", "id", "name", "status", "description", "author", "date", "modified",
		"references", "tags", "level", "falsepositives", "fields", "correlation", "license", "related", "taxonomy", "scope"}
	sigmaCorrelationKeys = []string{"type", "rules", "group-by", "timespan", "condition", "aliases", "generate"}
	sigmaTypes           = []string{"event_count", "value_count", "temporal", "temporal_ordered"}
	sigmaLevels          = map[string]string{"informational": "Info", "low": "Low", "medium": "Medium", "high": "High", "critical": "Critical"}
	sigmaTimespan        = regexp.MustCompile(`^([0-9]{1,9})([smhdw])$`)
)

// isSigmaCorrelation reports whether a spec without AnalysisType is a
// Sigma correlation document.
func isSigmaCorrelation(root *yaml.Node) bool {
	return mapGet(root, "correlation") != nil && mapGet(root, "AnalysisType") == nil
}

// decodeSigma decodes a Sigma v2 correlation document strictly into a
// correlation rule's spec. Problems go to diags with file and line.
func decodeSigma(file string, root *yaml.Node, diags *diagList) (*Spec, *yaml.Node) {
	ok := checkKeys(file, root, sigmaKeys, diags, "")
	scalar := func(parent *yaml.Node, key, where string) (string, *yaml.Node) {
		n := mapGet(parent, key)
		if n == nil {
			return "", nil
		}
		if n.Kind != yaml.ScalarNode {
			diags.errorf(file, n.Line, n.Column, "", "%s%s: expected a string, found %s", where, key, kindName(n))
			ok = false
			return "", nil
		}
		return n.Value, n
	}
	strList := func(parent *yaml.Node, key, where string) ([]string, *yaml.Node) {
		n := mapGet(parent, key)
		if n == nil {
			return nil, nil
		}
		if n.Kind == yaml.ScalarNode && n.Value != "" {
			return []string{n.Value}, n
		}
		if n.Kind != yaml.SequenceNode {
			diags.errorf(file, n.Line, n.Column, "", "%s%s: expected a list of strings, found %s", where, key, kindName(n))
			ok = false
			return nil, n
		}
		var out []string
		for _, it := range n.Content {
			if it.Kind != yaml.ScalarNode || it.Value == "" {
				diags.errorf(file, it.Line, it.Column, "", "%s%s: expected a string, found %s", where, key, kindName(it))
				ok = false
				continue
			}
			out = append(out, it.Value)
		}
		return out, n
	}

	s := &Spec{AnalysisType: TypeCorrelationRule}
	title, _ := scalar(root, "title", "")
	if title == "" {
		diags.errorf(file, root.Line, root.Column, "a Sigma document has a title", "Sigma correlation without title")
		ok = false
	}
	s.DisplayName = title
	s.RuleID, _ = scalar(root, "name", "")
	if s.RuleID == "" {
		s.RuleID, _ = scalar(root, "id", "")
	}
	if s.RuleID == "" {
		diags.errorf(file, root.Line, root.Column, "add name: (the rule's ID here) or id:", "Sigma correlation without name or id")
		ok = false
	}
	s.Description, _ = scalar(root, "description", "")
	if refs, _ := strList(root, "references", ""); len(refs) > 0 {
		s.Reference = refs[0]
	}
	s.Tags, _ = strList(root, "tags", "")
	s.Severity = "Medium"
	if lv, n := scalar(root, "level", ""); n != nil {
		sev, known := sigmaLevels[lv]
		if !known {
			diags.errorf(file, n.Line, n.Column, "one of informational, low, medium, high, critical", "unknown level %q", lv)
			ok = false
		}
		s.Severity = sev
	}
	if st, _ := scalar(root, "status", ""); st == "deprecated" || st == "unsupported" {
		off := false
		s.Enabled = &off
	}

	cn := mapGet(root, "correlation")
	if !checkKeys(file, cn, sigmaCorrelationKeys, diags, "correlation.") {
		return nil, root
	}
	const where = "correlation."
	typ, tn := scalar(cn, "type", where)
	if !slices.Contains(sigmaTypes, typ) {
		hint := "one of " + strings.Join(sigmaTypes, ", ")
		if near := parsers.Nearest(typ, sigmaTypes); near != "" {
			hint = "did you mean " + near + "?"
		}
		line, col := cn.Line, cn.Column
		if tn != nil {
			line, col = tn.Line, tn.Column
		}
		diags.errorf(file, line, col, hint, "correlation.type %q is not a Sigma correlation type", typ)
		return nil, root
	}
	rules, rn := strList(cn, "rules", where)
	temporal := strings.HasPrefix(typ, "temporal")
	switch {
	case rn == nil || len(rules) == 0:
		diags.errorf(file, cn.Line, cn.Column, "name the rules (their RuleIDs) whose matches are correlated", "correlation without rules")
		return nil, root
	case temporal && len(rules) < 2:
		diags.errorf(file, rn.Line, rn.Column, "a temporal correlation joins two rules or more", "correlation.rules: %d rule(s) for %s", len(rules), typ)
		return nil, root
	}
	for i, r := range rules {
		if slices.Index(rules, r) != i {
			diags.errorf(file, rn.Line, rn.Column, "name each rule once", "correlation.rules: %q twice", r)
			return nil, root
		}
	}
	groupBy, _ := strList(cn, "group-by", where)
	for _, f := range groupBy {
		if err := checkField(f); err != nil {
			gn := mapGet(cn, "group-by")
			diags.errorf(file, gn.Line, gn.Column, "field paths such as client.ipAddress or p_alert_context.user, or alias names", "correlation.group-by: %v", err)
			ok = false
		}
	}
	// aliases: name -> rule -> field.
	aliases := map[string]map[string]string{}
	if an := mapGet(cn, "aliases"); an != nil {
		if !temporal {
			diags.errorf(file, an.Line, an.Column, "write the field itself in group-by: the rules of a count are counted together, with one key", "correlation.aliases are for temporal correlations")
			ok = false
		} else if an.Kind != yaml.MappingNode {
			diags.errorf(file, an.Line, an.Column, "a mapping of alias names to {rule: field}", "correlation.aliases: expected a mapping, found %s", kindName(an))
			ok = false
		} else {
			for i := 0; i+1 < len(an.Content); i += 2 {
				k, v := an.Content[i], an.Content[i+1]
				if !checkKeys(file, v, rules, diags, "correlation.aliases."+k.Value+".") {
					ok = false
					continue
				}
				m := map[string]string{}
				for j := 0; j+1 < len(v.Content); j += 2 {
					f := v.Content[j+1]
					if err := checkField(f.Value); f.Kind != yaml.ScalarNode || err != nil {
						diags.errorf(file, f.Line, f.Column, "a field path such as actor.alternateId", "correlation.aliases.%s.%s: not a field", k.Value, v.Content[j].Value)
						ok = false
					}
					m[v.Content[j].Value] = f.Value
				}
				for _, r := range rules {
					if _, has := m[r]; !has {
						diags.errorf(file, v.Line, v.Column, "name the field of every rule, so each match has a key", "correlation.aliases.%s: no field for rule %q", k.Value, r)
						ok = false
					}
				}
				if !slices.Contains(groupBy, k.Value) {
					diags.warnf(file, k.Line, k.Column, "add it to group-by, or remove it", "correlation.aliases.%s is not in group-by", k.Value)
				}
				aliases[k.Value] = m
			}
		}
	}
	field := func(rule, f string) string {
		if m, has := aliases[f]; has {
			return m[rule]
		}
		return f
	}
	var span time.Duration
	if ts, n := scalar(cn, "timespan", where); n == nil {
		diags.errorf(file, cn.Line, cn.Column, "how long the window is: 30s, 10m, 1h, 2d, 1w", "correlation without timespan")
		ok = false
	} else if m := sigmaTimespan.FindStringSubmatch(ts); m == nil {
		diags.errorf(file, n.Line, n.Column, "a number and a unit: 30s, 10m, 1h, 2d, 1w", "correlation.timespan %q is not a timespan", ts)
		ok = false
	} else {
		v, _ := strconv.Atoi(m[1])
		unit := map[string]time.Duration{"s": time.Second, "m": time.Minute, "h": time.Hour, "d": 24 * time.Hour, "w": 7 * 24 * time.Hour}[m[2]]
		span = time.Duration(v) * unit
		if span <= 0 || span > 90*24*time.Hour {
			diags.errorf(file, n.Line, n.Column, "from 1s to 90d", "correlation.timespan %q is out of range", ts)
			ok = false
		}
	}
	if g := mapGet(cn, "generate"); g != nil && g.Tag != "!!bool" {
		diags.errorf(file, g.Line, g.Column, "", "correlation.generate must be true or false")
		ok = false
	}

	c := &Correlation{Lookback: span, Sigma: typ, Line: cn.Line}
	condN := mapGet(cn, "condition")
	if temporal {
		if condN != nil {
			diags.errorf(file, condN.Line, condN.Column, "a temporal correlation fires when every rule matched: remove the condition", "correlation.condition is for event_count and value_count")
			ok = false
		}
		if typ == "temporal" {
			for _, r := range rules {
				c.Group = append(c.Group, CorrelationStep{ID: r, RuleID: r, MinMatchCount: 1, Line: rn.Line})
			}
			for _, f := range groupBy {
				cr := Criterion{Name: f, Fields: map[string]string{}, Line: rn.Line}
				for _, r := range rules {
					cr.Fields[r] = field(r, f)
				}
				c.MatchCriteria = append(c.MatchCriteria, cr)
			}
			slices.SortFunc(c.MatchCriteria, func(a, b Criterion) int { return strings.Compare(a.Name, b.Name) })
		} else {
			for i, r := range rules {
				c.Sequence = append(c.Sequence, CorrelationStep{ID: r, RuleID: r, MinMatchCount: 1, Line: rn.Line})
				if i == 0 {
					continue
				}
				t := Transition{ID: rules[i-1] + " then " + r, From: rules[i-1], To: r, Within: span, Line: rn.Line}
				for _, f := range groupBy {
					t.Match = append(t.Match, FieldPair{field(rules[i-1], f), field(r, f)})
				}
				c.Transitions = append(c.Transitions, t)
			}
		}
	} else {
		count, distinct := sigmaCondition(file, condN, cn, typ, diags)
		if count == 0 {
			ok = false
		}
		step := CorrelationStep{ID: "events", RuleID: rules[0], MoreRuleIDs: rules[1:], MinMatchCount: count, Line: rn.Line}
		c.Group = []CorrelationStep{step}
		c.DistinctField = distinct
		for _, f := range groupBy {
			c.MatchCriteria = append(c.MatchCriteria, Criterion{Name: f, Fields: map[string]string{"events": f}, Line: rn.Line})
		}
		slices.SortFunc(c.MatchCriteria, func(a, b Criterion) int { return strings.Compare(a.Name, b.Name) })
	}
	s.Correlation = c
	if !ok {
		return nil, root
	}
	return s, root
}

// sigmaCondition reads the condition of a count: the count to reach (0 on
// an error) and, for value_count, the field whose distinct values count.
func sigmaCondition(file string, n, parent *yaml.Node, typ string, diags *diagList) (int, string) {
	if n == nil {
		diags.errorf(file, parent.Line, parent.Column, "add condition: {gte: N}", "%s without condition", typ)
		return 0, ""
	}
	keys := []string{"gte", "gt", "lt", "lte", "eq", "neq", "range"}
	if typ == "value_count" {
		keys = append(keys, "field")
	}
	if !checkKeys(file, n, keys, diags, "correlation.condition.") {
		return 0, ""
	}
	count := 0
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		switch k.Value {
		case "gte", "gt":
			x, err := strconv.Atoi(v.Value)
			if err != nil || v.Kind != yaml.ScalarNode || x < 0 || x > 9999 {
				diags.errorf(file, v.Line, v.Column, "a count from 1 to 10000", "correlation.condition.%s %q is not a count", k.Value, v.Value)
				return 0, ""
			}
			if k.Value == "gt" {
				x++
			}
			if x < 1 {
				x = 1
			}
			if count != 0 {
				diags.errorf(file, k.Line, k.Column, "write one of gte and gt", "correlation.condition has both gte and gt")
				return 0, ""
			}
			count = x
		case "field":
		default:
			diags.errorf(file, k.Line, k.Column, "a correlation fires when a count is reached: write gte or gt",
				"correlation.condition.%s is not supported", k.Value)
			return 0, ""
		}
	}
	if count == 0 {
		diags.errorf(file, n.Line, n.Column, "add gte: N (or gt: N)", "correlation.condition without gte or gt")
		return 0, ""
	}
	distinct := ""
	if typ == "value_count" {
		fn := mapGet(n, "field")
		if fn == nil || fn.Kind != yaml.ScalarNode || fn.Value == "" {
			diags.errorf(file, n.Line, n.Column, "name the field whose distinct values count: field: user.name", "value_count without condition.field")
			return 0, ""
		}
		if err := checkField(fn.Value); err != nil {
			diags.errorf(file, fn.Line, fn.Column, "a field path such as user.name or p_any_usernames", "correlation.condition.field: %v", err)
			return 0, ""
		}
		distinct = fn.Value
	}
	return count, distinct
}
