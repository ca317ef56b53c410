package correlate

import (
	"encoding/json"
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
// through a fresh Engine in time order (ties in the order written) and the
// input ends. RunTest returns the alerts raised and the errors of the
// rule's Lua functions; the test runner (package tester) checks them
// against ExpectedResult and Expect.
//
// A field written p_alert_context.x is set in the match's alert context,
// any other in its event. An integer time is minutes after
// engine.OutputBase.
func RunTest(set *engine.Set, d *engine.Detection, t *engine.TestSpec, budget time.Duration) (alerts []*engine.Alert, luaErrs []string, err error) {
	if d.Correlation == nil {
		return nil, nil, fmt.Errorf("%s has no Detection", d.ID)
	}
	eng, err := New(Options{Set: set, Rules: []*engine.Detection{d}, Budget: budget,
		Emit:      func(a *engine.Alert) { alerts = append(alerts, a) },
		EmitError: func(a *engine.Alert) { luaErrs = append(luaErrs, a.Error) }})
	if err != nil {
		return nil, nil, err
	}
	defer eng.Close()
	inputs, err := testInputs(d, t)
	if err != nil {
		return nil, nil, err
	}
	for _, in := range inputs {
		eng.Observe(in.Time)
		eng.Add(in)
		in.Event.Release()
	}
	eng.Flush()
	return alerts, luaErrs, nil
}

// testInputs turns RuleOutputs into matches, sorted by time. Values of
// different fields at the same time in one output are one match (a step
// whose match carries two keys: the one in, the one out).
func testInputs(d *engine.Detection, t *engine.TestSpec) ([]*Input, error) {
	c := d.Correlation
	steps := append(slices.Clone(c.Sequence), c.Group...)
	type pend struct {
		in     *Input
		fields map[string]any
		ctx    map[string]any
		set    map[string]bool
	}
	var all []*pend
	for _, ro := range t.RuleOutputs {
		i := slices.IndexFunc(steps, func(s engine.CorrelationStep) bool { return s.ID == ro.ID })
		if i < 0 {
			return nil, fmt.Errorf("RuleOutputs: no step or group %q", ro.ID)
		}
		var mine []*pend
		for _, om := range ro.Matches {
			for _, tm := range om.Times {
				var p *pend
				for _, q := range mine {
					if q.in.Time.Equal(tm) && !q.set[om.Field] {
						p = q
						break
					}
				}
				if p == nil {
					n := len(all) + 1
					p = &pend{in: &Input{RuleID: steps[i].RuleID, Time: tm, LogType: "Test", RowID: fmt.Sprintf("%s-%d", ro.ID, n),
						Title: ro.ID, Dedup: om.Value}, fields: map[string]any{}, ctx: map[string]any{}, set: map[string]bool{}}
					mine = append(mine, p)
					all = append(all, p)
				}
				p.set[om.Field] = true
				if f, inCtx := strings.CutPrefix(om.Field, "p_alert_context."); inCtx {
					put(p.ctx, f, om.Value)
				} else {
					put(p.fields, om.Field, om.Value)
				}
			}
		}
	}
	out := make([]*Input, 0, len(all))
	for _, p := range all {
		in := p.in
		js, _ := json.Marshal(p.fields)
		in.Event = event.New()
		if err := in.Event.ParseJSON(js); err != nil {
			return nil, err
		}
		if len(p.ctx) > 0 {
			in.AlertContext, _ = json.Marshal(p.ctx)
		}
		in.Event.Time, in.Event.RowID, in.Event.LogType = in.Time, in.RowID, in.LogType
		out = append(out, in)
	}
	slices.SortStableFunc(out, func(a, b *Input) int { return a.Time.Compare(b.Time) })
	return out, nil
}

// put sets value at a dotted path of m.
func put(m map[string]any, path, value string) {
	parts := strings.Split(path, ".")
	for _, p := range parts[:len(parts)-1] {
		next, ok := m[p].(map[string]any)
		if !ok {
			next = map[string]any{}
			m[p] = next
		}
		m = next
	}
	m[parts[len(parts)-1]] = value
}
