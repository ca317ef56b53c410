package detections_test

import (
	"context"
	"strings"
	"testing"

	"panther/cmd"
	"panther/engine"
	"panther/parsers/logtypes"
	"panther/tester"
)

// The shipped library meets the bar of the detections issue: it loads
// without a warning, every test passes, and every detection carries what a
// responder needs.
func TestShippedLibrary(t *testing.T) {
	set := engine.Load(cmd.ShippedSources(), engine.LoadOptions{Registry: logtypes.Default()})
	for _, d := range set.Diagnostics {
		t.Errorf("%s", d)
	}
	rep := tester.Run(context.Background(), set, tester.Options{MinimumTests: 2}).Collect()
	for _, r := range rep.Results {
		if !r.Passed {
			t.Errorf("%s / %s: %s %s", r.Detection.ID, r.Test, strings.Join(r.Failures, "; "), r.Diff)
		}
	}
	for _, b := range rep.BelowMinimum {
		t.Errorf("below 2 tests: %s", b)
	}
	for _, d := range set.Detections {
		s := d.Spec
		missing := func(what string) { t.Errorf("%s (%s): no %s", d.ID, d.File, what) }
		if strings.TrimSpace(s.Description) == "" {
			missing("Description")
		}
		if !strings.Contains(s.Runbook, "1.") {
			missing("Runbook with numbered steps")
		}
		if !strings.HasPrefix(s.Reference, "https://") {
			missing("Reference URL")
		}
		if d.Kind == engine.TypePolicy {
			// A policy names the benchmark control it implements, or, for
			// the few CIS does not cover, the technique it guards against.
			if len(s.Reports["CIS"]) == 0 && len(s.Reports["MITRE ATT&CK"]) == 0 {
				missing("CIS (or MITRE ATT&CK) in Reports")
			}
		} else {
			if len(s.Reports["MITRE ATT&CK"]) == 0 {
				missing("MITRE ATT&CK in Reports")
			}
			if len(s.SummaryAttributes) == 0 && d.Kind != engine.TypeCorrelationRule {
				missing("SummaryAttributes")
			}
		}
		if d.Spec.DisplayName == "" {
			missing("DisplayName")
		}
		// A test that raises an alert (a rule's true test, a policy's false
		// one: the resource is not compliant) must Expect its Title and Dedup.
		var pos, neg int
		for _, tc := range d.Tests {
			alerts := tc.ExpectedResult != (d.Kind == engine.TypePolicy)
			if tc.ExpectedResult {
				pos++
			} else {
				neg++
			}
			if alerts && (tc.Expect == nil || tc.Expect.Title == nil || tc.Expect.Dedup == nil) {
				t.Errorf("%s / %s: a test that raises an alert must Expect its Title and Dedup", d.ID, tc.Name)
			}
		}
		if pos == 0 || neg == 0 {
			t.Errorf("%s: needs a true and a false test (has %d and %d)", d.ID, pos, neg)
		}
		if d.Kind == engine.TypeCorrelationRule && len(s.Fixtures) == 0 {
			t.Errorf("%s: a correlation rule needs a fixture test over raw logs that fires its chain", d.ID)
		}
		if (d.Threshold > 1 || d.DedupPeriod.Minutes() != 60) && len(s.Fixtures) == 0 {
			t.Errorf("%s: Threshold %d / DedupPeriodMinutes %.0f: needs a fixture test proving the counting", d.ID, d.Threshold, d.DedupPeriod.Minutes())
		}
	}
	for _, p := range set.Packs {
		if len(p.IDs) == 0 {
			t.Errorf("pack %s is empty", p.ID)
		}
	}
}
