package tester

import "testing"

// With SlowRule, each passing unit test's event is timed and a detection
// over the limit is listed with its costliest test; a failing test is not
// timed, and without SlowRule nothing is.
func TestSlowDetections(t *testing.T) {
	spec := func(id string, expect bool) string {
		e := "false"
		if expect {
			e = "true"
		}
		return "AnalysisType: rule\nRuleID: " + id + "\nFilename: r.lua\nLogTypes: [AWS.CloudTrail]\nSeverity: Low\n" +
			"Tests:\n  - Name: t1\n    ExpectedResult: " + e + "\n    Log: {eventName: X}\n"
	}
	set := load(t, tree(t, map[string]string{
		"a/a.yml": spec("Passing", false),
		"a/r.lua": "function rule(e) return e.eventName == 'Y' end",
		"b/b.yml": spec("Failing", true),
		"b/r.lua": "function rule(e) return e.eventName == 'Y' end",
	}))
	res := Run(t.Context(), set, Options{SlowRule: 1})
	for r := range res.All() {
		if r.Detection.ID == "Passing" && r.Cost <= 0 {
			t.Errorf("the passing test was not timed")
		}
		if r.Detection.ID == "Failing" && r.Cost != 0 {
			t.Errorf("the failing test was timed")
		}
	}
	slow := res.Slow()
	if len(slow) != 1 || slow[0].Detection.ID != "Passing" || slow[0].Test != "t1" || slow[0].Cost <= 0 {
		t.Errorf("slow: %+v", slow)
	}
	res = Run(t.Context(), set, Options{})
	for r := range res.All() {
		if r.Cost != 0 {
			t.Errorf("%s timed without SlowRule", r.Detection.ID)
		}
	}
	if len(res.Slow()) != 0 {
		t.Errorf("slow without SlowRule: %+v", res.Slow())
	}
}
