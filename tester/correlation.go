package tester

import (
	"fmt"
	"time"

	"panther/correlate"
	"panther/engine"
)

// runCorrelationTest runs a unit test of a correlation rule: its
// RuleOutputs go through the correlation engine (correlate.RunTest) and
// the alerts raised are checked against ExpectedResult and Expect, the
// first alert standing for the rule's match.
func runCorrelationTest(set *engine.Set, d *engine.Detection, t *engine.TestSpec, budget time.Duration) (res Result) {
	start := time.Now()
	res = Result{Detection: d, Test: t.Name, File: d.File, Line: t.Line}
	defer func() {
		res.Duration = time.Since(start)
		res.Passed = len(res.Failures) == 0
	}()
	fail := func(format string, args ...any) { res.Failures = append(res.Failures, fmt.Sprintf(format, args...)) }
	alerts, luaErrs, err := correlate.RunTest(set, d, t, budget)
	if err != nil {
		fail("%v", err)
		return res
	}
	for _, e := range luaErrs {
		fail("error in the rule's Lua functions: %s", e)
	}
	got := len(alerts) > 0
	if got != t.ExpectedResult {
		fail("the correlation raised %d alert(s), expected %v", len(alerts), t.ExpectedResult)
	}
	if t.Expect == nil {
		return res
	}
	if !got {
		fail("Expect is checked on alerts, but this test raised none")
		return res
	}
	a := alerts[0]
	m := &engine.Match{Detection: d, Matched: true, Title: a.Title, Dedup: a.Dedup, Severity: a.Severity,
		Description: a.Description, Reference: a.Reference, Runbook: a.Runbook, AlertContext: a.AlertContext,
		Destinations: a.Destinations}
	res.Match = m
	checkExpect(t.Expect, m, fail)
	return res
}
