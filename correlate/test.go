package correlate

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"panther/engine"
	"panther/parsers/event"
)

// RunTest runs one unit test of a correlation rule, as Panther writes
// them: each RuleOutputs entry names a step (or group) and the times at
// which its rule matched with a field holding a value. The matches go
// through a fresh Engine in time order (ties in the order written), the
// input ends, and the test passes when an alert was raised exactly when
// ExpectedResult says so; Expect (ours) checks the first alert's title,
// dedup, severity and alert_context.
//
// A field written p_alert_context.x is set in the match's alert context,
// any other in its event. An integer time is minutes after
// engine.OutputBase.
func RunTest(set *engine.Set, d *engine.Detection, t *engine.TestSpec, budget time.Duration) engine.TestResult {
	start := time.Now()
	res := engine.TestResult{Detection: d, Test: t.Name, File: d.File, Line: t.Line}
	defer func() {
		res.Duration = time.Since(start)
		res.Passed = len(res.Failures) == 0
	}()
	fail := func(format string, args ...any) { res.Failures = append(res.Failures, fmt.Sprintf(format, args...)) }
	if d.Correlation == nil {
		fail("%s has no Detection", d.ID)
		return res
	}
	var alerts []*engine.Alert
	var errs []string
	eng, err := New(Options{Set: set, Rules: []*engine.Detection{d}, Budget: budget,
		Emit:      func(a *engine.Alert) { alerts = append(alerts, a) },
		EmitError: func(a *engine.Alert) { errs = append(errs, a.Error) }})
	if err != nil {
		fail("%v", err)
		return res
	}
	defer eng.Close()
	inputs, err := testInputs(d, t)
	if err != nil {
		fail("%v", err)
		return res
	}
	for _, in := range inputs {
		eng.Observe(in.Time)
		eng.Add(in)
		in.Event.Release()
	}
	eng.Flush()
	for _, e := range errs {
		fail("error in the rule's Lua functions: %s", e)
	}
	got := len(alerts) > 0
	if got != t.ExpectedResult {
		fail("the correlation raised %d alert(s), expected %v", len(alerts), t.ExpectedResult)
	}
	if t.Expect != nil {
		if !got {
			fail("Expect is checked on alerts, but this test raised none")
		} else {
			a := alerts[0]
			m := &engine.Match{Detection: d, Matched: true, Title: a.Title, Dedup: a.Dedup, Severity: a.Severity,
				Description: a.Description, Reference: a.Reference, Runbook: a.Runbook, AlertContext: a.AlertContext,
				Destinations: a.Destinations}
			for _, f := range engine.CheckExpect(t.Expect, m) {
				fail("%s", f)
			}
		}
	}
	return res
}

// testInputs turns RuleOutputs into matches, sorted by time.
func testInputs(d *engine.Detection, t *engine.TestSpec) ([]*Input, error) {
	c := d.Correlation
	steps := append(slices.Clone(c.Sequence), c.Group...)
	var out []*Input
	for _, ro := range t.RuleOutputs {
		i := slices.IndexFunc(steps, func(s engine.CorrelationStep) bool { return s.ID == ro.ID })
		if i < 0 {
			return nil, fmt.Errorf("RuleOutputs: no step or group %q", ro.ID)
		}
		for _, om := range ro.Matches {
			for _, tm := range om.Times {
				in := &Input{RuleID: steps[i].RuleID, Time: tm, LogType: "Test",
					RowID: fmt.Sprintf("%s-%d", ro.ID, len(out)+1), Title: ro.ID, Dedup: om.Value, Event: event.New()}
				ctxField, inCtx := strings.CutPrefix(om.Field, "p_alert_context.")
				if inCtx {
					in.AlertContext = nested(ctxField, om.Value)
					_ = in.Event.ParseJSON([]byte("{}"))
				} else if err := in.Event.ParseJSON(nested(om.Field, om.Value)); err != nil {
					return nil, err
				}
				in.Event.Time = tm
				in.Event.RowID = in.RowID
				in.Event.LogType = in.LogType
				out = append(out, in)
			}
		}
	}
	slices.SortStableFunc(out, func(a, b *Input) int { return a.Time.Compare(b.Time) })
	return out, nil
}

// nested is the JSON object that holds value at a dotted path.
func nested(path, value string) []byte {
	parts := strings.Split(path, ".")
	var b []byte
	for _, p := range parts {
		b = append(b, '{')
		b = event.AppendString(b, p)
		b = append(b, ':')
	}
	b = event.AppendString(b, value)
	for range parts {
		b = append(b, '}')
	}
	return b
}
