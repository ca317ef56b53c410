package engine

import (
	"testing"

	"panther/parsers/event"
)

// TestSignalFields: the functions a signal's match runs are those its
// readers read; a rule that raises alerts runs them all.
func TestSignalFields(t *testing.T) {
	set := load(t, tree(t, map[string]string{
		"a.yml": "AnalysisType: rule\nRuleID: Alerting\nFilename: a.lua\nLogTypes: [AWS.CloudTrail]\nSeverity: Low\n",
		"a.lua": `function rule(e) return true end`,
		"s.yml": "AnalysisType: rule\nRuleID: Signal\nCreateAlert: false\nFilename: s.lua\nLogTypes: [AWS.CloudTrail]\nSeverity: Low\n",
		"s.lua": `function rule(e) return true end`,
		"f.yml": "AnalysisType: rule\nRuleID: New\nCreateAlert: false\nFilename: f.lua\nLogTypes: [AWS.CloudTrail]\nSeverity: Low\n" +
			"FirstSeen: {Fields: [sourceIPAddress]}\n",
		"f.lua": `function rule(e) return true end`,
	}))
	if n := set.Diagnostics.Errors(); n > 0 {
		t.Fatalf("%d errors:\n%s", n, set.Diagnostics)
	}
	det := func(id string) *Detection {
		d, ok := set.Detection(id)
		if !ok {
			t.Fatalf("no %s", id)
		}
		return d
	}
	const rows, corr = FieldTitle | FieldDedup | FieldSeverity, FieldTitle | FieldDedup | FieldAlertContext
	for _, c := range []struct {
		id   string
		r    SignalReaders
		want AlertFields
	}{
		{"Alerting", SignalReaders{}, AllFields},
		{"Alerting", SignalReaders{FeedOnly: true}, 0},
		{"Alerting", SignalReaders{FeedOnly: true, Correlated: true}, corr},
		{"Signal", SignalReaders{}, 0},
		{"Signal", SignalReaders{MatchRows: true}, rows},
		{"Signal", SignalReaders{Correlated: true}, corr},
		{"Signal", SignalReaders{MatchRows: true, Correlated: true}, rows | corr},
		{"New", SignalReaders{}, FieldAlertContext},
		{"New", SignalReaders{MatchRows: true}, rows | FieldAlertContext},
	} {
		if got := SignalFields(det(c.id), c.r); got != c.want {
			t.Errorf("%s %+v: %b, want %b", c.id, c.r, got, c.want)
		}
	}
}

// TestSetFields: an evaluator asked again keeps its loaded detections and
// runs the functions of the new answer from the next match on.
func TestSetFields(t *testing.T) {
	set := load(t, tree(t, map[string]string{
		"s.yml": "AnalysisType: rule\nRuleID: Signal\nCreateAlert: false\nFilename: s.lua\nLogTypes: [AWS.CloudTrail]\nSeverity: Low\n",
		"s.lua": `local n = 0
function rule(e) n = n + 1; return true end
function title(e) return "call " .. n end
`,
	}))
	if n := set.Diagnostics.Errors(); n > 0 {
		t.Fatalf("%d errors:\n%s", n, set.Diagnostics)
	}
	d, _ := set.Detection("Signal")
	none := func(*Detection) AlertFields { return 0 }
	ev := NewEvaluator(set, EvalOptions{Fields: none})
	defer ev.Close()
	e := event.New()
	defer e.Release()
	if err := e.ParseJSON([]byte(`{"eventName":"X"}`)); err != nil {
		t.Fatal(err)
	}
	titles := func() string { return ev.Evaluate(d, e).Title }
	if got := titles(); got != "Signal" {
		t.Fatalf("title %q: title() ran though nothing reads it", got)
	}
	ev.SetFields(func(*Detection) AlertFields { return FieldTitle })
	if got := titles(); got != "call 2" { // the same VM: rule() ran twice
		t.Fatalf("title %q after SetFields, want call 2", got)
	}
	ev.SetFields(none)
	if got := titles(); got != "Signal" {
		t.Fatalf("title %q after SetFields(none)", got)
	}
	ev.SetFields(nil)
	if got := titles(); got != "call 4" {
		t.Fatalf("title %q after SetFields(nil), want call 4 (all functions)", got)
	}
}
