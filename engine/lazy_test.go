package engine

import (
	"strings"
	"testing"
	"time"

	"panther/parsers/event"
	"panther/parsers/logtypes"
)

// TestLazyLua: with LazyLua a Lua file compiles when an event first needs
// it; one that does not compile (its own, or its helper's) is the rule
// error of those events, with file and line, instead of a load
// diagnostic; the strict load (validate, test) still reports it up front.
func TestLazyLua(t *testing.T) {
	dir := tree(t, with(map[string]string{
		"bad/bad.yml": "AnalysisType: rule\nRuleID: Bad.Syntax\nFilename: bad.lua\nLogTypes: [AWS.CloudTrail]\nSeverity: Low\n",
		"bad/bad.lua": "function rule(e)\n  return e.x ==\nend\n",
		"h/h.yml":     "AnalysisType: global\nGlobalID: brokenhelper\nFilename: h.lua\n",
		"h/h.lua":     "local M = {}\nfunction M.f( return M\n",
		"uses/u.yml":  "AnalysisType: rule\nRuleID: Uses.Helper\nFilename: u.lua\nLogTypes: [AWS.CloudTrail]\nSeverity: Low\n",
		"uses/u.lua":  "local h = require(\"brokenhelper\")\nfunction rule(e) return true end\n",
		"other/o.yml": "AnalysisType: rule\nRuleID: Other.Type\nFilename: o.lua\nLogTypes: [Okta.SystemLog]\nSeverity: Low\n",
		"other/o.lua": "function rule(e) return true end\n",
	}))
	strict := load(t, dir)
	var strictErrs []string
	for _, d := range strict.Diagnostics {
		strictErrs = append(strictErrs, d.String())
	}
	joined := strings.Join(strictErrs, "\n")
	for _, want := range []string{"bad.lua:3", "h.lua:2"} {
		if !strings.Contains(joined, want) {
			t.Errorf("strict load: no diagnostic at %s in\n%s", want, joined)
		}
	}

	lazy := Load([]Source{DirSource(dir)}, LoadOptions{Budget: 200 * time.Millisecond, Registry: logtypes.Default(), LazyLua: true})
	if n := lazy.Diagnostics.Errors(); n != 0 {
		t.Errorf("lazy load: %d errors before any event: %v", n, lazy.Diagnostics)
	}
	for _, d := range lazy.Detections {
		if d.lua != nil && d.lua.chunk != nil {
			t.Errorf("%s compiled before any event", d.ID)
		}
	}
	ev := NewEvaluator(lazy, EvalOptions{})
	defer ev.Close()
	e := event.New()
	defer e.Release()
	if err := e.ParseJSON([]byte(`{"eventName":"ConsoleLogin"}`)); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"Good.Rule": "", "Bad.Syntax": "bad.lua:3", "Uses.Helper": "h.lua:2"}
	for _, d := range lazy.Detections {
		w, ok := want[d.ID]
		if !ok {
			continue
		}
		m := ev.Evaluate(d, e)
		switch {
		case w == "" && (m.Err != nil || !m.Matched):
			t.Errorf("%s: %+v", d.ID, m)
		case w != "" && (m.Err == nil || !strings.Contains(m.Err.Error(), w)):
			t.Errorf("%s: error %v, want one at %s", d.ID, m.Err, w)
		}
	}
	for _, d := range lazy.Detections {
		if d.ID == "Other.Type" && d.lua.chunk != nil {
			t.Errorf("%s compiled without an event of its log type", d.ID)
		}
	}
}
