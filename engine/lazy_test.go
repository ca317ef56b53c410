package engine

import (
	"io/fs"
	"reflect"
	"strings"
	"testing"
	"time"

	"panther/detections"
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

// TestWithoutTests: every shipped spec decodes without its Tests to the
// same spec, Tests aside, with its keys on the same lines.
func TestWithoutTests(t *testing.T) {
	n := 0
	err := fs.WalkDir(detections.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".yml") {
			return err
		}
		data, err := fs.ReadFile(detections.FS, p)
		if err != nil {
			return err
		}
		short, ok := withoutTests(data)
		if !ok {
			return nil
		}
		var d1, d2 diagList
		full, root1 := decodeSpec(p, data, &d1, newLoadBudget())
		spec, root2 := decodeSpec(p, short, &d2, newLoadBudget())
		if full == nil || spec == nil {
			t.Errorf("%s: %v / %v", p, d1.ds, d2.ds)
			return nil
		}
		if len(spec.Tests) != 0 || mapGet(root2, "Tests") != nil {
			t.Errorf("%s: Tests left", p)
		}
		full.Tests = nil
		if !reflect.DeepEqual(full, spec) {
			t.Errorf("%s: the spec differs without its Tests:\n%+v\n%+v", p, full, spec)
		}
		for i := 0; i+1 < len(root1.Content); i += 2 {
			k := root1.Content[i]
			if k.Value == "Tests" {
				continue
			}
			if k2 := mapGet(root2, k.Value); k2 == nil || k2.Line != root1.Content[i+1].Line {
				t.Errorf("%s: key %s moved", p, k.Value)
			}
		}
		n++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 200 {
		t.Errorf("only %d specs had Tests to leave out", n)
	}
	for _, c := range []struct{ in, want string }{
		{"A: 1\nTests:\n  - Name: x\n    Log: {a: 1}\n\n# c\nB: 2\n", "A: 1\n\n\n\n\n\nB: 2\n"},
		{"Tests:\n- Name: x\n  Log: |\n    text\n\n    more\n---\nX: 1", "\n\n\n\n\n\n---\nX: 1"},
		{"A: 1\nTests: []\n", ""},
		{"A: 1\nTests: # the tests\n  - Name: y\n", "A: 1\n\n\n"},
		{"Tests:\n  - a\nTests:\n  - b\n", ""},
		{"A: 1\n", ""},
	} {
		got, ok := withoutTests([]byte(c.in))
		if string(got) != c.want || ok != (c.want != "") {
			t.Errorf("withoutTests(%q) = %q, %v; want %q", c.in, got, ok, c.want)
		}
	}
}
