package tester

import (
	"fmt"
	"regexp"

	"panther/engine"
)

// alertRuleResults runs the tests of the alert rules of set (plain Go, no
// Lua: they run before the Lua tests start) and returns, for each alert
// rule kept by the filters and the --run expression, a Detection of Kind
// TypeAlertRule standing for it, its results, and the rules below the
// minimum number of tests.
func alertRuleResults(set *engine.Set, opts Options) (dets []*engine.Detection, results [][]Result, below []string) {
	if set.AlertRuleSet == nil {
		return nil, nil, nil
	}
	for _, ar := range set.AlertRules {
		d := &engine.Detection{Kind: engine.TypeAlertRule, ID: ar.ID, File: ar.File, Line: ar.Line, Enabled: ar.Rule.Enabled,
			Spec: &engine.Spec{AnalysisType: engine.TypeAlertRule, RuleID: ar.ID, Description: ar.Rule.Description}}
		if !keep(d, opts.Filters) {
			continue
		}
		idMatch := opts.Run == nil || opts.Run.MatchString(ar.ID)
		var out []Result
		for _, r := range set.AlertRuleSet.RunTests(ar.Rule) {
			if !idMatch && !matches(opts.Run, r.Test.Name) {
				continue
			}
			out = append(out, Result{Detection: d, Test: r.Test.Name, File: ar.File, Line: r.Test.Line,
				Passed: r.Passed(), Failures: r.Failures})
		}
		if !idMatch && len(out) == 0 {
			continue
		}
		dets = append(dets, d)
		results = append(results, out)
		if opts.MinimumTests > 0 && len(ar.Rule.Tests) < opts.MinimumTests {
			below = append(below, fmt.Sprintf("%s (%s): %d test(s), at least %d required", ar.ID, ar.File, len(ar.Rule.Tests), opts.MinimumTests))
		}
	}
	return dets, results, below
}

func keep(d *engine.Detection, filters []Filter) bool {
	for _, f := range filters {
		if !f.Match(d) {
			return false
		}
	}
	return true
}

func matches(re *regexp.Regexp, s string) bool { return re == nil || re.MatchString(s) }
