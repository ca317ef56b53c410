package tester

import (
	"strings"
	"testing"

	"panther/engine"
)

func selectionSet(t *testing.T) *engine.Set {
	return load(t, tree(t, map[string]string{
		"a.yml": "AnalysisType: rule\nRuleID: A.On\nFilename: r.lua\nLogTypes: [AWS.CloudTrail]\nSeverity: High\nTags: [x]\n",
		"b.yml": "AnalysisType: rule\nRuleID: B.Off\nEnabled: false\nFilename: r.lua\nLogTypes: [AWS.CloudTrail]\nSeverity: Low\n",
		"c.yml": "AnalysisType: scheduled_rule\nRuleID: C.Sched\nFilename: r.lua\nScheduledQueries: [q]\nSeverity: Low\n",
		"q.yml": "AnalysisType: scheduled_query\nQueryName: q\nQuery: SELECT 1\nSchedule: {RateMinutes: 60, TimeoutMinutes: 1}\n",
		"r.lua": "function rule(e) return true end",
		"d.yml": "AnalysisType: rule\nRuleID: D.On\nFilename: r.lua\nLogTypes: [Okta.SystemLog]\nSeverity: Medium\n",
		"p.yml": "AnalysisType: policy\nPolicyID: P.Pol\nFilename: p.lua\nResourceTypes: [AWS.S3.Bucket]\nSeverity: Low\n",
		"p.lua": "function policy(r) return true end",
	}))
}

func ids(ds []*engine.Detection) string {
	var out []string
	for _, d := range ds {
		out = append(out, d.ID)
	}
	return strings.Join(out, ",")
}

func TestSelect(t *testing.T) {
	t.Parallel()
	set := selectionSet(t)
	if n := set.Diagnostics.Errors(); n > 0 {
		t.Fatal(diagStrings(set))
	}
	rules := []engine.Kind{engine.TypeRule}
	f := func(s string) Filter {
		flt, err := ParseFilter(s)
		if err != nil {
			t.Fatal(err)
		}
		return flt
	}
	cases := []struct {
		name string
		sel  Selection
		want string
		err  string
	}{
		{"enabled rules by default", Selection{Kinds: rules}, "A.On,D.On", ""},
		{"a rule named explicitly runs even if disabled", Selection{Kinds: rules, IDs: []string{"B.Off"}}, "B.Off", ""},
		{"named and filtered", Selection{Kinds: rules, IDs: []string{"A.On", "B.Off"}, Filters: []Filter{f("Severity=high")}}, "A.On", ""},
		{"filters", Selection{Kinds: rules, Filters: []Filter{f("LogTypes=okta.systemlog")}}, "D.On", ""},
		{"negated filter, disabled kept", Selection{Kinds: rules, Filters: []Filter{f("Tags!=x")}, Disabled: true}, "B.Off,D.On", ""},
		{"every kind", Selection{Disabled: true}, "A.On,B.Off,C.Sched,D.On,P.Pol", ""},
		{"scheduled rules", Selection{Kinds: []engine.Kind{engine.TypeScheduledRule}}, "C.Sched", ""},
		{"unknown ID", Selection{Kinds: rules, IDs: []string{"A.Of"}}, "", `no rule "A.Of" (did you mean A.On?)`},
		{"an ID of another kind", Selection{Kinds: []engine.Kind{engine.TypeScheduledRule}, IDs: []string{"A.On"}}, "", `A.On is a rule, not a scheduled rule`},
		{"nothing matches: empty, no error", Selection{Kinds: rules, Filters: []Filter{f("Severity=Critical")}}, "", ""},
	}
	for _, c := range cases {
		got, err := Select(set, c.sel)
		if c.err != "" {
			if err == nil || err.Error() != c.err {
				t.Errorf("%s: error %v, want %q", c.name, err, c.err)
			}
			continue
		}
		if err != nil || ids(got) != c.want {
			t.Errorf("%s: %s, %v; want %s", c.name, ids(got), err, c.want)
		}
	}
}

func TestParseFilter(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"Severty=High": "did you mean Severity?",
		"Severity":     "write Key=Value",
		"Severity= , ": "no value",
	} {
		if _, err := ParseFilter(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v", in, err)
		}
	}
	if f, err := ParseFilter(" Tags != a, b "); err != nil || !f.Negate || f.Key != "Tags" || len(f.Values) != 2 {
		t.Errorf("%+v %v", f, err)
	}
}
