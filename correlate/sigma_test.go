package correlate

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"panther/engine"
	"panther/parsers/event"
	"panther/parsers/logtypes"
)

// sigmaMatch is a match of rule id at t0+min minutes whose event is js.
func sigmaMatch(id string, min float64, js string) *Input {
	e := event.New()
	if err := e.ParseJSON([]byte(js)); err != nil {
		panic(err)
	}
	tm := t0.Add(time.Duration(min * float64(time.Minute)))
	e.Time, e.LogType = tm, "Okta.SystemLog"
	e.RowID = fmt.Sprintf("%s-%v-%d", id, min, len(js))
	return &Input{RuleID: id, Time: tm, RowID: e.RowID, LogType: e.LogType, Title: id, Dedup: id, Event: e,
		AlertContext: []byte(`{"who":` + string(e.Fields.Get("user").MarshalTo(nil)) + `}`)}
}

// sigmaRun loads rules A, B, C and one Sigma correlation document and
// feeds it the inputs; it returns the dedup of each alert.
func sigmaRun(t *testing.T, doc string, ins ...*Input) []string {
	t.Helper()
	set := tree(t, with(rules(), map[string]string{"corr/sigma.yml": doc}))
	d, ok := set.Detection("sigma_corr")
	if !ok || d.Kind != engine.TypeCorrelationRule {
		t.Fatalf("the Sigma document is not a correlation rule: %+v", d)
	}
	r := newRun(t, set, Options{}).feed(ins...).flush()
	var out []string
	for _, a := range r.alerts {
		if a.RuleID != "sigma_corr" || a.Title != "Sigma correlation" || a.Severity != "HIGH" {
			t.Errorf("alert %s %q %s", a.RuleID, a.Title, a.Severity)
		}
		out = append(out, a.Dedup)
	}
	return out
}

func sigmaDoc(corr string) string {
	return "title: Sigma correlation\nid: 5bd2bc61-3e5b-4b8c-9b4e-0c7c3e1f2a10\nname: sigma_corr\nlevel: high\nstatus: test\ncorrelation:\n" + corr
}

func u(user string) string { return `{"user":"` + user + `","ip":"203.0.113.9"}` }

func TestSigmaEventCount(t *testing.T) {
	doc := sigmaDoc("  type: event_count\n  rules: [A, B]\n  group-by: [user]\n  timespan: 10m\n  condition: {gte: 3}\n")
	for _, c := range []struct {
		name string
		ins  []*Input
		want string
	}{
		{"three of A and B within 10m", []*Input{sigmaMatch("A", 0, u("bob")), sigmaMatch("B", 4, u("bob")), sigmaMatch("A", 9, u("bob"))}, "bob"},
		{"two", []*Input{sigmaMatch("A", 0, u("bob")), sigmaMatch("A", 4, u("bob"))}, ""},
		{"three over 20m", []*Input{sigmaMatch("A", 0, u("bob")), sigmaMatch("A", 10.5, u("bob")), sigmaMatch("A", 20, u("bob"))}, ""},
		{"three of two users", []*Input{sigmaMatch("A", 0, u("bob")), sigmaMatch("A", 1, u("alice")), sigmaMatch("A", 2, u("bob"))}, ""},
		{"C is not counted", []*Input{sigmaMatch("A", 0, u("bob")), sigmaMatch("C", 1, u("bob")), sigmaMatch("B", 2, u("bob"))}, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := strings.Join(sigmaRun(t, doc, c.ins...), " "); got != c.want {
				t.Errorf("alerts %q, want %q", got, c.want)
			}
		})
	}
}

func TestSigmaValueCount(t *testing.T) {
	// One address failing against 3 different users; gt 2 is gte 3.
	doc := sigmaDoc("  type: value_count\n  rules: A\n  group-by: [ip]\n  timespan: 1h\n  condition:\n    gt: 2\n    field: user\n")
	spray := sigmaRun(t, doc, sigmaMatch("A", 0, u("bob")), sigmaMatch("A", 1, u("alice")), sigmaMatch("A", 2, u("bob")), sigmaMatch("A", 30, u("carol")))
	if strings.Join(spray, " ") != "203.0.113.9" {
		t.Errorf("three users from one address: alerts %q", spray)
	}
	var same []*Input
	for i := 0; i < 10; i++ {
		same = append(same, sigmaMatch("A", float64(i), u("bob")))
	}
	if got := sigmaRun(t, doc, same...); len(got) != 0 {
		t.Errorf("ten failures of one user: alerts %q", got)
	}
}

func TestSigmaTemporal(t *testing.T) {
	// user is the event's field for A and B, the alert context's for C.
	doc := sigmaDoc("  type: temporal\n  rules: [A, B, C]\n  group-by: [who]\n  timespan: 10m\n  aliases:\n    who: {A: user, B: user, C: p_alert_context.who}\n")
	if got := sigmaRun(t, doc, sigmaMatch("C", 0, u("bob")), sigmaMatch("A", 3, u("bob")), sigmaMatch("B", 8, u("bob"))); strings.Join(got, " ") != "bob" {
		t.Errorf("all three, any order: alerts %q", got)
	}
	if got := sigmaRun(t, doc, sigmaMatch("C", 0, u("bob")), sigmaMatch("A", 3, u("bob")), sigmaMatch("B", 11, u("bob"))); len(got) != 0 {
		t.Errorf("B after the timespan: alerts %q", got)
	}
	if got := sigmaRun(t, doc, sigmaMatch("C", 0, u("bob")), sigmaMatch("A", 3, u("bob")), sigmaMatch("B", 4, u("alice"))); len(got) != 0 {
		t.Errorf("B by another user: alerts %q", got)
	}
}

func TestSigmaTemporalOrdered(t *testing.T) {
	doc := sigmaDoc("  type: temporal_ordered\n  rules: [A, B, C]\n  group-by: [user]\n  timespan: 10m\n")
	if got := sigmaRun(t, doc, sigmaMatch("A", 0, u("bob")), sigmaMatch("B", 3, u("bob")), sigmaMatch("C", 8, u("bob"))); strings.Join(got, " ") != "bob" {
		t.Errorf("in order: alerts %q", got)
	}
	if got := sigmaRun(t, doc, sigmaMatch("C", 0, u("bob")), sigmaMatch("B", 3, u("bob")), sigmaMatch("A", 8, u("bob"))); len(got) != 0 {
		t.Errorf("reversed: alerts %q", got)
	}
	// Arrival order does not matter, event time does.
	if got := sigmaRun(t, doc, sigmaMatch("C", 8, u("bob")), sigmaMatch("A", 0, u("bob")), sigmaMatch("B", 3, u("bob"))); strings.Join(got, " ") != "bob" {
		t.Errorf("in order, arrived out of order: alerts %q", got)
	}
}

// A Sigma document is decoded strictly: each mistake is an error naming
// the file and line.
func TestSigmaRefused(t *testing.T) {
	for _, c := range []struct{ corr, want string }{
		{"  type: temporal_orderd\n  rules: [A, B]\n  timespan: 1h\n", `sigma.yml:7:9: error: correlation.type "temporal_orderd" is not a Sigma correlation type (did you mean temporal_ordered?)`},
		{"  type: event_count\n  rules: [A]\n  group_by: [user]\n  timespan: 1h\n  condition: {gte: 2}\n", "sigma.yml:9:3: error: unknown key correlation.group_by (did you mean correlation.group-by?)"},
		{"  type: event_count\n  rules: [A]\n  timespan: 1h\n  condition: {lt: 2}\n", "sigma.yml:10:15: error: correlation.condition.lt is not supported (a correlation fires when a count is reached: write gte or gt)"},
		{"  type: event_count\n  rules: [A]\n  timespan: soon\n  condition: {gte: 2}\n", `sigma.yml:9:13: error: correlation.timespan "soon" is not a timespan`},
		{"  type: event_count\n  rules: [A]\n  condition: {gte: 2}\n", "sigma.yml:7:3: error: correlation without timespan"},
		{"  type: value_count\n  rules: [A]\n  timespan: 1h\n  condition: {gte: 2}\n", "sigma.yml:10:14: error: value_count without condition.field"},
		{"  type: temporal\n  rules: [A, B]\n  timespan: 1h\n  condition: {gte: 2}\n", "sigma.yml:10:14: error: correlation.condition is for event_count and value_count"},
		{"  type: temporal\n  rules: [A]\n  timespan: 1h\n", "sigma.yml:8:10: error: correlation.rules: 1 rule(s) for temporal"},
		{"  type: temporal\n  rules: [A, B]\n  group-by: [who]\n  timespan: 1h\n  aliases:\n    who: {A: user}\n", `sigma.yml:12:10: error: correlation.aliases.who: no field for rule "B"`},
		{"  type: temporal\n  rules: [A, Bee]\n  timespan: 1h\n", `sigma.yml:8: error: correlation sigma_corr: step Bee names rule "Bee", which does not exist (did you mean B?)`},
	} {
		set := engine.Load([]engine.Source{{FS: mapFS(with(rules(), map[string]string{"corr/sigma.yml": sigmaDoc(c.corr)})), Root: "."}}, engine.LoadOptions{Registry: logtypes.Default()})
		var msgs []string
		for _, d := range set.Diagnostics {
			msgs = append(msgs, d.String())
		}
		got := strings.Join(msgs, "\n")
		if set.Diagnostics.Errors() == 0 || !strings.Contains(got, c.want) {
			t.Errorf("%s\ngot:\n%s\nwant: %s", c.corr, got, c.want)
		}
	}
	// level, like every key, is checked.
	set := engine.Load([]engine.Source{{FS: mapFS(with(rules(), map[string]string{"corr/sigma.yml": strings.Replace(sigmaDoc("  type: temporal\n  rules: [A, B]\n  timespan: 1h\n"), "level: high", "level: severe", 1)})), Root: "."}}, engine.LoadOptions{Registry: logtypes.Default()})
	if set.Diagnostics.Errors() != 1 || !strings.Contains(set.Diagnostics[0].String(), `sigma.yml:4:8: error: unknown level "severe"`) {
		t.Errorf("%v", set.Diagnostics)
	}
}
