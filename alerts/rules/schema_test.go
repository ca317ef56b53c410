package rules

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"gopkg.in/yaml.v3"

	"panther/schema"
	"panther/schema/schematest"
)

// TestSchemaAgrees: the schema describes exactly the keys and operators
// the decoder knows.
func TestSchemaAgrees(t *testing.T) {
	k := Schema()
	sel := k.Defs[0]
	for _, c := range []struct {
		what          string
		schema, known []string
	}{
		{"top", schema.Names(k.Keys), ruleKeys},
		{"Schedules", schema.Names(k.Lookup("Schedules").Items.Keys), scheduleKeys},
		{"Windows", schema.Names(k.Lookup("Schedules", "Windows").Items.Keys), windowKeys},
		{"Tests", schema.Names(k.Lookup("Tests").Items.Keys), testKeys},
		{"selectors", schema.Names(sel.Keys), selectorOps},
		{"actions", schema.Names(k.Lookup("Then").Items.Keys), actionOps},
		{"replace", schema.Names(k.Lookup("Then", "replace").Keys), replaceKeys},
	} {
		if !slices.Equal(slices.Sorted(slices.Values(c.schema)), slices.Sorted(slices.Values(c.known))) {
			t.Errorf("%s: schema %v, decoder %v", c.what, c.schema, c.known)
		}
	}
}

// TestSchemaValidatesShipped: the shipped alert rules are valid for the
// JSON Schema, and each mutation is refused by both.
func TestSchemaValidatesShipped(t *testing.T) {
	sch := schematest.Compile(t, []schema.Kind{Schema()})
	files, _ := filepath.Glob("../../detections/alert_rules/*.yml")
	if len(files) < 4 {
		t.Fatalf("found %d alert rules", len(files))
	}
	set := func(key, value, tag string) func(*yaml.Node) {
		return func(r *yaml.Node) { *get(r, key) = yaml.Node{Kind: yaml.ScalarNode, Value: value, Tag: tag} }
	}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if _, probs := Decode(file, data); len(probs) > 0 {
			t.Fatalf("%s: %v", file, probs)
		}
		var doc yaml.Node
		if err := yaml.Unmarshal(data, &doc); err != nil {
			t.Fatal(err)
		}
		if err := schematest.Validate(sch, &doc); err != nil {
			t.Errorf("%s: the schema refuses it: %v", file, err)
			continue
		}
		muts := map[string]func(*yaml.Node){
			"typo top":     func(r *yaml.Node) { r.Content[2].Value += "s" },
			"without Then": func(r *yaml.Node) { del(r, "Then") },
			"action typo":  func(r *yaml.Node) { get(r, "Then").Content[0].Content[0].Value += "x" },
			"When typo": func(r *yaml.Node) {
				w := get(r, "When")
				if w == nil {
					r.Content = append(r.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: "When"}, &yaml.Node{Kind: yaml.MappingNode})
					w = r.Content[len(r.Content)-1]
					w.Content = []*yaml.Node{{Kind: yaml.ScalarNode, Value: "equals"}, {Kind: yaml.MappingNode, Content: []*yaml.Node{{Kind: yaml.ScalarNode, Value: "node"}, {Kind: yaml.ScalarNode, Value: "a"}}}}
				}
				w.Content[0].Value = "equalz"
			},
		}
		if get(doc.Content[0], "Priority") != nil {
			muts["Priority: high"] = set("Priority", "high", "!!str")
		}
		if get(doc.Content[0], "Tests") != nil {
			muts["test typo"] = func(r *yaml.Node) { get(r, "Tests").Content[0].Content[0].Value = "Nmae" }
		}
		for name, m := range muts {
			c := schematest.Clone(&doc)
			m(c.Content[0])
			out, err := yaml.Marshal(c)
			if err != nil {
				t.Fatal(err)
			}
			_, probs := Decode(file, out)
			sErr := schematest.Validate(sch, c)
			if len(probs) == 0 || sErr == nil {
				t.Errorf("%s, %s: decoder problems %v; schema error %v", file, name, probs, sErr)
			}
		}
	}
}

func del(r *yaml.Node, key string) {
	for i := 0; i+1 < len(r.Content); i += 2 {
		if r.Content[i].Value == key {
			r.Content = slices.Delete(r.Content, i, i+2)
			return
		}
	}
}
