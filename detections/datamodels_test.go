package detections_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"panther/cmd"
	"panther/engine"
	"panther/parsers"
	"panther/parsers/classifier"
	"panther/parsers/logtypes"
	"panther/parsers/parsertest"
)

// Every declared log type has its Standard data model, and each of the
// model's names reads a value from at least one of the type's fixture
// events (parsers/logtypes/testdata): a mistyped path or a method that
// fails would read nothing, or raise.
func TestDeclaredDataModels(t *testing.T) {
	types, err := logtypes.Declared()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, lt := range types {
		names = append(names, lt.Name)
	}
	// A probe rule over every declared type: its alert context is the
	// value of every name of the event's data model.
	shipped := engine.Load(cmd.ShippedSources(), engine.LoadOptions{Registry: logtypes.Default()})
	var table strings.Builder
	for _, name := range names {
		model, ok := shipped.DataModelFor(name)
		if !ok {
			continue
		}
		fmt.Fprintf(&table, "  [%q] = {", name)
		for _, m := range model.Mappings {
			fmt.Fprintf(&table, "%q, ", m.Name)
		}
		table.WriteString("},\n")
	}
	probe := fstest.MapFS{
		"probe.yml": {Data: []byte(fmt.Sprintf("AnalysisType: rule\nRuleID: Test.UDMProbe\nFilename: probe.lua\nLogTypes: [%s]\nSeverity: Info\n", strings.Join(names, ", ")))},
		"probe.lua": {Data: []byte("local NAMES = {\n" + table.String() + "}\n" + `
function rule(event) return true end
function alert_context(event)
  local out = {}
  for _, name in ipairs(NAMES[event.p_log_type] or {}) do
    out[name] = event:udm(name)
  end
  return out
end
`)},
	}
	set := engine.Load(append(cmd.ShippedSources(), engine.Source{FS: probe, Root: ".", Display: "probe"}), engine.LoadOptions{Registry: logtypes.Default()})
	for _, d := range set.Diagnostics {
		t.Errorf("%s", d)
	}
	probeRule, ok := set.Detection("Test.UDMProbe")
	if !ok {
		t.Fatal("probe rule not loaded")
	}
	reg := logtypes.Default()
	for _, lt := range types {
		model, ok := set.DataModelFor(lt.Name)
		if !ok || model.ID != "Standard."+lt.Name {
			t.Errorf("%s: no data model Standard.%s", lt.Name, lt.Name)
			continue
		}
		ev := engine.NewEvaluator(set, engine.EvalOptions{})
		found := map[string]bool{}
		c := classifier.NewFixed(reg, lt)
		data, err := os.ReadFile(filepath.Join("..", "parsers", "logtypes", "testdata", lt.Name+".jsonl"))
		if err != nil {
			t.Fatal(err)
		}
		for i, rec := range strings.Split(strings.TrimSpace(string(data)), "\n") {
			e, _, err := c.Classify([]byte(rec))
			if err != nil || e == nil {
				continue
			}
			if err := reg.Normalise(lt, e, parsers.Source{File: "fixture"}, int64(i), parsertest.ParseTime); err != nil {
				t.Fatal(err)
			}
			m := ev.Evaluate(probeRule, e)
			if m.Err != nil || len(m.AuxErrors) > 0 {
				t.Errorf("%s record %d: %v %v", lt.Name, i+1, m.Err, m.AuxErrors)
			}
			var ctx map[string]any
			_ = json.Unmarshal(m.AlertContext, &ctx)
			for k, v := range ctx {
				if v != nil && v != "" {
					found[k] = true
				}
			}
			e.Release()
		}
		ev.Close()
		for _, m := range model.Mappings {
			if !found[m.Name] {
				src := m.Method
				if m.Path != nil {
					src = m.Path.String()
				}
				t.Errorf("%s: %s (%s) reads nothing from any fixture event", model.ID, m.Name, src)
			}
		}
	}
}
