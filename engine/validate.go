package engine

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"panther/alerts/rules"
	"panther/engine/luavm"
	"panther/parsers"
)

// validate runs the checks that span files, and loads every Lua file once
// to find what only running it shows (no rule function, a runtime error at
// load, a misspelled auxiliary function).
func validate(set *Set, opts LoadOptions) Diagnostics {
	var diags diagList
	dupCheck := func(kind, id, file string, line int, seen map[string]string) {
		if id == "" {
			return
		}
		if first, dup := seen[id]; dup {
			diags.errorf(file, line, 0, "IDs must be unique across the whole tree; first defined in "+first, "duplicate %s %s", kind, id)
			return
		}
		seen[id] = file
	}
	seen := map[string]string{}
	for _, d := range set.Detections {
		dupCheck("detection ID", d.ID, d.File, d.Line, seen)
	}
	seen = map[string]string{}
	for _, g := range set.Globals {
		dupCheck("GlobalID", g.ID, g.File, 0, seen)
	}
	seen = map[string]string{}
	for _, m := range set.DataModels {
		dupCheck("DataModelID", m.ID, m.File, 0, seen)
	}
	seen = map[string]string{}
	for _, p := range set.Packs {
		dupCheck("PackID", p.ID, p.File, 0, seen)
	}
	seen = map[string]string{}
	for _, q := range set.Queries {
		dupCheck("QueryName", q.Name, q.File, 0, seen)
	}

	known := set.Registry.Names()
	checkLogType := func(file, what, lt string) {
		if _, ok := set.Registry.Lookup(lt); ok {
			return
		}
		hint := "run `panther logtypes` for the list"
		if n := parsers.Nearest(lt, known); n != "" {
			hint = "did you mean " + n + "?"
		}
		diags.errorf(file, 0, 0, hint, "%s: unknown log type %q", what, lt)
	}
	for _, d := range set.Detections {
		if d.Kind != TypeRule {
			continue
		}
		if len(d.LogTypes) == 0 {
			diags.errorf(d.File, d.Line, 0, "list the log types the rule reads", "rule %s has no LogTypes", d.ID)
		}
		for _, lt := range d.LogTypes {
			checkLogType(d.File, "rule "+d.ID, lt)
		}
	}
	if opts.ResourceTypes != nil {
		for _, d := range set.Detections {
			if d.Kind != TypePolicy {
				continue
			}
			for j, rt := range d.LogTypes {
				if i := slices.IndexFunc(opts.ResourceTypes, func(k string) bool { return strings.EqualFold(k, rt) }); i >= 0 {
					d.LogTypes[j] = opts.ResourceTypes[i] // canonical spelling
					continue
				}
				hint := "run `panther resourcetypes` for the list"
				if n := parsers.Nearest(rt, opts.ResourceTypes); n != "" {
					hint = "did you mean " + n + "?"
				}
				diags.errorf(d.File, d.Line, 0, hint, "policy %s: unknown resource type %q", d.ID, rt)
			}
		}
	}
	owner := map[string]*DataModel{}
	for _, m := range set.DataModels {
		for _, lt := range m.LogTypes {
			checkLogType(m.File, "data model "+m.ID, lt)
			if !m.Enabled {
				continue
			}
			if other, clash := owner[lt]; clash && other.ID != m.ID {
				diags.errorf(m.File, 0, 0, "a log type has one data model; disable or merge one of them", "data models %s and %s both map log type %s", other.ID, m.ID, lt)
				continue
			}
			owner[lt] = m
		}
		names := map[string]bool{}
		for _, mp := range m.Mappings {
			if names[mp.Name] {
				diags.errorf(m.File, mp.Line, 0, "", "data model %s maps %s twice", m.ID, mp.Name)
			}
			names[mp.Name] = true
		}
	}
	for _, d := range set.Detections {
		if d.Kind != TypeScheduledRule {
			continue
		}
		for _, qn := range d.Spec.ScheduledQueries {
			if _, ok := set.Query(qn); !ok {
				hint := "add a scheduled_query with this QueryName"
				var names []string
				for _, q := range set.Queries {
					names = append(names, q.Name)
				}
				if n := parsers.Nearest(qn, names); n != "" {
					hint = "did you mean " + n + "?"
				}
				diags.errorf(d.File, d.Line, 0, hint, "scheduled rule %s: no query named %q", d.ID, qn)
			}
		}
	}
	allIDs := map[string]bool{}
	var idList []string
	add := func(id string) {
		if id != "" && !allIDs[id] {
			allIDs[id] = true
			idList = append(idList, id)
		}
	}
	for _, d := range set.Detections {
		add(d.ID)
	}
	for _, g := range set.Globals {
		add(g.ID)
	}
	for _, m := range set.DataModels {
		add(m.ID)
	}
	for _, q := range set.Queries {
		add(q.Name)
	}
	for _, r := range set.AlertRules {
		add(r.ID)
	}
	for _, p := range set.Packs {
		if len(p.IDs) == 0 {
			diags.errorf(p.File, 0, 0, "list detection IDs under PackDefinition.IDs", "pack %s is empty", p.ID)
		}
		for _, id := range p.IDs {
			if allIDs[id] {
				continue
			}
			hint := "pack IDs name detections, globals, data models, queries or alert rules"
			if n := parsers.Nearest(id, idList); n != "" {
				hint = "did you mean " + n + "?"
			}
			diags.errorf(p.File, 0, 0, hint, "pack %s names %q, which does not exist", p.ID, id)
		}
	}

	validateCorrelations(set, &diags)
	validateAlertRules(set, &diags)

	if opts.LazyLua {
		return diags.ds // the Lua files compile and load when first used
	}
	// Load every Lua file once.
	ev := NewEvaluator(set, EvalOptions{Budget: opts.Budget})
	defer ev.Close()
	for _, g := range set.Globals {
		chunk := g.lua.chunkOrNil()
		if chunk == nil {
			continue
		}
		if _, err := ev.vm.Load(chunk, ev.req); err != nil {
			diags.add(runtimeDiag(g.LuaFile, "loading helper "+g.ID, err))
		}
	}
	for _, d := range set.Detections {
		if d.lua == nil {
			continue
		}
		in, err := ev.instance(d)
		if err != nil {
			diags.add(runtimeDiag(d.LuaFile, "", err))
			continue
		}
		for _, name := range in.env.Globals() {
			if _, isFunc := in.funcs[name]; isFunc || in.env.Func(name) == nil {
				continue
			}
			if n := parsers.Nearest(name, append([]string{"rule", "policy"}, auxFuncs...)); n != "" && n != name {
				diags.warnf(d.LuaFile, 0, 0, "detections call title, dedup, severity, alert_context, description, reference, runbook, destinations", "function %s looks like a misspelled %s and will never be called", name, n)
			}
		}
		if d.Kind == TypePolicy && in.env.Func("rule") != nil && in.env.Func("policy") == nil {
			diags.errorf(d.LuaFile, 0, 0, "policies define policy(resource)", "policy %s defines rule() instead of policy()", d.ID)
		}
	}
	for _, m := range set.DataModels {
		if _, err := ev.modelInstance(m); err != nil {
			diags.add(runtimeDiag(m.LuaFile, "", err))
		}
	}
	return diags.ds
}

// runtimeDiag places a Lua runtime error ("file.lua:3: msg") at its line.
func runtimeDiag(file, prefix string, err error) Diagnostic {
	msg := err.Error()
	line := 0
	re := regexp.MustCompile(regexp.QuoteMeta(file) + `:(\d+):\s*`)
	if m := re.FindStringSubmatchIndex(msg); m != nil {
		line, _ = strconv.Atoi(msg[m[2]:m[3]])
		msg = msg[m[1]:]
	} else {
		msg = strings.TrimPrefix(msg, "loading "+file+": ")
	}
	if prefix == "" {
		prefix = "at load"
	}
	msg = prefix + ": " + msg
	hint := ""
	if luavm.IsTimeout(err) {
		hint = "the file's top level must finish quickly: no loops over unbounded data at load"
	}
	return Diagnostic{File: file, Line: line, Level: LevelError, Message: msg, Hint: hint}
}

// ValidateIDs is a helper for callers that select detections by ID: it
// returns the IDs not in the set, with suggestions.
func (s *Set) ValidateIDs(ids []string) []string {
	var bad []string
	var all []string
	for _, d := range s.Detections {
		all = append(all, d.ID)
	}
	for _, id := range ids {
		if _, ok := s.Detection(id); ok {
			continue
		}
		msg := fmt.Sprintf("no detection %q", id)
		if n := parsers.Nearest(id, all); n != "" {
			msg += " (did you mean " + n + "?)"
		}
		bad = append(bad, msg)
	}
	slices.Sort(bad)
	return bad
}

// validateAlertRules links the alert rules (schedules, duplicate IDs) and
// refuses a rule that applies to none of its tests' inputs.
func validateAlertRules(set *Set, diags *diagList) {
	list := make([]*rules.Rule, 0, len(set.AlertRules))
	for _, r := range set.AlertRules {
		list = append(list, r.Rule)
	}
	rs, probs := rules.NewSet(list)
	for _, p := range probs {
		diags.add(Diagnostic{File: p.File, Line: p.Line, Level: LevelError, Message: p.Message, Hint: p.Hint})
	}
	set.AlertRuleSet = rs
	for _, r := range set.AlertRules {
		if len(r.Rule.Tests) > 0 && rs.Unmatched(r.Rule) {
			diags.errorf(r.File, r.Line, 0, "add a test whose Input the rule applies to, or fix When/Unless",
				"alert rule %s applies to none of its tests' inputs", r.ID)
		}
	}
}

// AlertRuleTestDiagnostics runs the tests of the alert rules (Go, quick)
// and returns each failure as an error at the test's line: `panther
// validate` reports them; `panther test` reports them as test results.
func (s *Set) AlertRuleTestDiagnostics() Diagnostics {
	var out Diagnostics
	if s.AlertRuleSet == nil {
		return nil
	}
	for _, ar := range s.AlertRules {
		for _, res := range s.AlertRuleSet.RunTests(ar.Rule) {
			for _, f := range res.Failures {
				out = append(out, Diagnostic{File: ar.File, Line: res.Test.Line, Level: LevelError,
					Message: fmt.Sprintf("alert rule %s, test %q: %s", ar.ID, res.Test.Name, f)})
			}
		}
	}
	return out
}
