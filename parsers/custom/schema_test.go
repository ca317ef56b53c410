package custom

import (
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"panther/parsers"
	"panther/schema"
	"panther/schema/schematest"
)

// TestSchemaAgrees: the schema describes exactly the keys the decoder
// knows, at every level.
func TestSchemaAgrees(t *testing.T) {
	k := Schema()
	for _, c := range []struct {
		what          string
		schema, known []string
	}{
		{"top", schema.Names(k.Keys), topKeys},
		{"CSV", schema.Names(k.Lookup("CSV").Keys), csvKeys},
		{"Fields", schema.Names(k.Lookup("Fields").Items.Keys), fieldKeys},
		{"Indicators", schema.Names(k.Lookup("Indicators").Keys), parsers.IndicatorKinds()},
	} {
		x, y := slices.Sorted(slices.Values(c.schema)), slices.Sorted(slices.Values(c.known))
		if !slices.Equal(x, y) {
			t.Errorf("%s: schema %v, decoder %v", c.what, x, y)
		}
	}
	for _, key := range k.Keys {
		if key.Doc == "" {
			t.Errorf("%s has no description", key.Name)
		}
	}
}

// TestSchemaValidatesShipped: the declared log types shipped in the binary
// and the examples are valid for the JSON Schema, and each mutation is
// refused by both the schema and the decoder.
func TestSchemaValidatesShipped(t *testing.T) {
	t.Parallel()
	sch := schematest.Compile(t, []schema.Kind{Schema()})
	files := map[string]bool{}
	for _, dir := range []string{"../logtypes/declared", "testdata"} {
		_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && strings.HasSuffix(p, ".yml") {
				files[p] = strings.HasPrefix(p, "../")
			}
			return nil
		})
	}
	checked := 0
	for file, shipped := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		decode := Decode
		if shipped {
			decode = DecodeShipped
		}
		if _, err := decode(data, file); err != nil {
			continue // testdata of refusals
		}
		checked++
		var doc yaml.Node
		if err := yaml.Unmarshal(data, &doc); err != nil {
			t.Fatal(err)
		}
		if err := schematest.Validate(sch, &doc); err != nil {
			t.Errorf("%s: the schema refuses it: %v", file, err)
			continue
		}
		for _, m := range logTypeMutations(doc.Content[0]) {
			c := schematest.Clone(&doc)
			m.apply(c.Content[0])
			out, err := yaml.Marshal(c)
			if err != nil {
				t.Fatal(err)
			}
			_, decErr := decode(out, file)
			sErr := schematest.Validate(sch, c)
			if decErr == nil || sErr == nil {
				t.Errorf("%s, %s: decoder error: %v; schema error: %v", file, m.name, decErr, sErr)
			}
		}
	}
	if checked < 40 {
		t.Errorf("only %d log types checked", checked)
	}
}

type mutation struct {
	name  string
	apply func(*yaml.Node)
}

func get(n *yaml.Node, key string) *yaml.Node {
	for i := 0; n != nil && i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

func logTypeMutations(root *yaml.Node) []mutation {
	out := []mutation{
		{"typo top", func(r *yaml.Node) { r.Content[2].Value += "s" }},
		{"field typo", func(r *yaml.Node) {
			f := get(r, "Fields").Content[0]
			f.Content[0].Value = "Nmae"
		}},
		{"Format: xml", func(r *yaml.Node) { *get(r, "Format") = yaml.Node{Kind: yaml.ScalarNode, Value: "xml"} }},
	}
	for _, req := range []string{"LogType", "Format", "Fields"} {
		out = append(out, mutation{"without " + req, func(r *yaml.Node) {
			for i := 0; i < len(r.Content); i += 2 {
				if r.Content[i].Value == req {
					r.Content = slices.Delete(r.Content, i, i+2)
					return
				}
			}
		}})
	}
	if get(root, "Indicators") != nil {
		out = append(out, mutation{"indicator kind typo", func(r *yaml.Node) { get(r, "Indicators").Content[0].Value = "ipp" }})
	}
	if get(root, "KeyCase") != nil {
		out = append(out, mutation{"KeyCase: lower", func(r *yaml.Node) { *get(r, "KeyCase") = yaml.Node{Kind: yaml.ScalarNode, Value: "lower"} }})
	}
	if get(root, "CSV") != nil {
		out = append(out, mutation{"CSV typo", func(r *yaml.Node) { get(r, "CSV").Content[0].Value = "Delimter" }})
	}
	return out
}
