package tester

import (
	"strings"
	"testing"

	"panther/engine"
)

// A test's Log is checked against its log type's schema: an unknown key is
// a warning with the nearest field (an error with strict), a key of the
// test indented under Log an error.
func TestCheckTestLogs(t *testing.T) {
	t.Parallel()
	set := load(t, tree(t, map[string]string{
		"r.yml": `AnalysisType: rule
RuleID: R
Filename: r.lua
LogTypes: [AWS.CloudTrail]
Severity: Low
Tests:
  - Name: typo
    ExpectedResult: true
    Log: {eventname: StopLogging, eventSource: cloudtrail.amazonaws.com, p_any_ip_addresses: [1.2.3.4]}
  - Name: indented
    ExpectedResult: false
    Log:
      eventName: Other
      ExpectedResult: true
  - Name: fine
    ExpectedResult: false
    Log: {eventName: Other, p_log_type: AWS.CloudTrail}
  - Name: folded keys of a data lake export
    ExpectedResult: false
    Log: {eventname: Other, eventsource: s3.amazonaws.com}
  - Name: an event's own Name field
    ExpectedResult: false
    Log: {Name: x, eventName: Other}
`,
		"r.lua": `function rule(e) return e.eventName == "StopLogging" end`,
	}))
	if n := set.Diagnostics.Errors(); n > 0 {
		t.Fatal(diagStrings(set))
	}
	got := func(strict bool) []string {
		var out []string
		for _, d := range CheckTestLogs(set, strict) {
			out = append(out, d.String())
		}
		return out
	}
	ds := got(false)
	if len(ds) != 3 {
		t.Fatalf("diagnostics: %q", ds)
	}
	// Name may be an event's field: a field the schema lacks, not a test
	// key indented under Log.
	if !strings.Contains(ds[2], `warning: test "an event's own Name field": Log key Name is not a field`) {
		t.Errorf("Name: %s", ds[2])
	}
	if !strings.Contains(ds[0], `r.yml:7: warning: test "typo": Log key eventname is not a field of AWS.CloudTrail (did you mean eventName?)`) {
		t.Errorf("typo: %s", ds[0])
	}
	if !strings.Contains(ds[1], `r.yml:10: error: test "indented": ExpectedResult is indented under Log`) {
		t.Errorf("indented: %s", ds[1])
	}
	if strict := got(true); !strings.Contains(strict[0], ": error: test \"typo\"") {
		t.Errorf("strict: %s", strict[0])
	}
	if ds := CheckTestLogs(set, false); ds[0].Level != engine.LevelWarning || ds[1].Level != engine.LevelError {
		t.Errorf("levels: %v %v", ds[0].Level, ds[1].Level)
	}
}
