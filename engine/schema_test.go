package engine

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"panther/parsers/logtypes"
	"panther/schema"
	"panther/schema/schematest"
)

// TestSchemaAgrees holds the schema's tables to the decoder's key lists:
// a key added to one and not the other fails here.
func TestSchemaAgrees(t *testing.T) {
	docs := specDocs(SchemaOptions{})
	used := map[string]bool{}
	for typ, keys := range specKeys {
		order, ok := kindOrder[typ]
		if !ok {
			t.Errorf("%s: no canonical order in kindOrder", typ)
			continue
		}
		if !sameSet(order, keys) {
			t.Errorf("%s: kindOrder %v, decoder %v", typ, order, keys)
		}
		for _, k := range keys {
			used[k] = true
			if _, ok := docs[k]; !ok {
				t.Errorf("%s: key %s undocumented", typ, k)
			}
		}
		for _, r := range requiredKeys[typ] {
			if !slices.Contains(keys, r) {
				t.Errorf("%s: required %s is not a key", typ, r)
			}
		}
	}
	for typ := range kindOrder {
		if _, ok := specKeys[typ]; !ok {
			t.Errorf("kindOrder has %s, which the decoder does not decode", typ)
		}
	}
	for path, keys := range decoderNested() {
		if !sameSet(nestedOrder[path], keys) {
			t.Errorf("%s: nestedOrder %v, decoder %v", path, nestedOrder[path], keys)
		}
		for _, k := range keys {
			used[path+"."+k] = true
			if _, ok := docs[path+"."+k]; !ok {
				t.Errorf("key %s.%s undocumented", path, k)
			}
		}
	}
	for k, d := range docs {
		if !used[k] {
			t.Errorf("documented key %s is not one the decoder knows", k)
		}
		if d.Doc == "" {
			t.Errorf("key %s has no description", k)
		}
	}
	// The Go types the decoder decodes into agree with the schema's.
	st := reflect.TypeFor[Spec]()
	for i := range st.NumField() {
		f := st.Field(i)
		tag := f.Tag.Get("yaml")
		d, ok := docs[tag]
		if tag == "" || tag == "-" || !ok {
			continue
		}
		if want := jsonType(f.Type); want != d.Type {
			t.Errorf("key %s: Go %s is JSON %q, the schema says %q", tag, f.Type, want, d.Type)
		}
	}
}

func sameSet(a, b []string) bool {
	x, y := slices.Clone(a), slices.Clone(b)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(x, y)
}

func jsonType(t reflect.Type) schema.Type {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return schema.String
	case reflect.Bool:
		return schema.Boolean
	case reflect.Int, reflect.Int64:
		return schema.Integer
	case reflect.Slice:
		return schema.Array
	case reflect.Map, reflect.Struct:
		return schema.Object
	}
	return schema.Any
}

func decoderAccepts(file string, data []byte) (bool, string) {
	var diags diagList
	s, _ := decodeSpec(file, data, &diags, newLoadBudget())
	return s != nil && diags.ds.Errors() == 0, diagText(diags.ds)
}

func diagText(ds Diagnostics) string {
	var b strings.Builder
	for _, d := range ds {
		b.WriteString(d.String() + "\n")
	}
	return b.String()
}

// shippedSpecs reads every spec of the repository's content: detections,
// packs and the init template.
func shippedSpecs(t testing.TB) map[string][]byte {
	out := map[string][]byte{}
	for _, dir := range []string{"../detections", "../packs", "../cmd/initrepo"} {
		err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, ".yml") || strings.Contains(p, "/fixtures/") || strings.Contains(p, "/github/") {
				return err
			}
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			if bytes.Contains(data, []byte("AnalysisType:")) {
				out[p] = data
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(out) < 300 {
		t.Fatalf("found %d shipped specs: the walk is wrong", len(out))
	}
	return out
}

// TestSchemaValidatesShipped: every shipped spec is valid for the JSON
// Schema (checked by an independent validator), and each of its mutations
// (a typo'd key at the top or nested, a missing required key, a bad enum
// or range) is refused by both the schema and the decoder.
func TestSchemaValidatesShipped(t *testing.T) {
	t.Parallel()
	sch := schematest.Compile(t, Schemas(SchemaOptions{LogTypes: logtypes.Default().Names()}))
	mutated := 0
	for file, data := range shippedSpecs(t) {
		var doc yaml.Node
		if err := yaml.Unmarshal(data, &doc); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		root := doc.Content[0]
		if typ := mapGet(root, "AnalysisType").Value; typ == string(TypeLogType) || typ == string(TypeAlertRule) {
			continue // decoded, and tested, by parsers/custom and alerts/rules
		}
		if ok, diags := decoderAccepts(file, data); !ok {
			t.Fatalf("%s: the decoder refuses a shipped spec:\n%s", file, diags)
		}
		if err := schematest.Validate(sch, root); err != nil {
			t.Errorf("%s: the schema refuses a shipped spec: %v", file, err)
			continue
		}
		for _, m := range mutations(root) {
			mutated++
			copyDoc := schematest.Clone(&doc)
			m.apply(copyDoc.Content[0])
			out, err := yaml.Marshal(copyDoc)
			if err != nil {
				t.Fatal(err)
			}
			dec, diags := decoderAccepts(file, out)
			sErr := schematest.Validate(sch, copyDoc.Content[0])
			if dec || sErr == nil {
				t.Errorf("%s, %s: decoder accepts: %v (%s), schema accepts: %v", file, m.name, dec, strings.TrimSpace(diags), sErr == nil)
			}
		}
	}
	if mutated < 1000 {
		t.Errorf("only %d mutations tried", mutated)
	}
}

type mutation struct {
	name  string
	apply func(root *yaml.Node)
}

// mutations lists what breaks a spec, each to be refused by both.
func mutations(root *yaml.Node) []mutation {
	var out []mutation
	typo := func(path string, at func(*yaml.Node) *yaml.Node) {
		n := at(root)
		if n == nil || n.Kind != yaml.MappingNode {
			return
		}
		for i := 0; i < len(n.Content); i += 2 {
			key := n.Content[i].Value
			if key == "AnalysisType" {
				continue
			}
			idx := i
			out = append(out, mutation{"typo " + path + key, func(r *yaml.Node) {
				at(r).Content[idx].Value = key + "s"
			}})
			break // one per mapping is enough; every key is covered across files
		}
	}
	typo("", func(r *yaml.Node) *yaml.Node { return r })
	first := func(key string) func(*yaml.Node) *yaml.Node {
		return func(r *yaml.Node) *yaml.Node {
			l := mapGet(r, key)
			if l == nil || l.Kind != yaml.SequenceNode || len(l.Content) == 0 {
				return nil
			}
			return l.Content[0]
		}
	}
	typo("Tests.", first("Tests"))
	typo("Fixtures.", first("Fixtures"))
	typo("Mappings.", first("Mappings"))
	typo("Tests.Expect.", func(r *yaml.Node) *yaml.Node { return mapGet(first("Tests")(r), "Expect") })
	typo("Tests.Mocks.", func(r *yaml.Node) *yaml.Node {
		m := mapGet(first("Tests")(r), "Mocks")
		if m == nil || len(m.Content) == 0 {
			return nil
		}
		return m.Content[0]
	})
	typo("PackDefinition.", func(r *yaml.Node) *yaml.Node { return mapGet(r, "PackDefinition") })
	// The kind's last key moved under another name: a key unknown to every kind.
	out = append(out, mutation{"unknown key", func(r *yaml.Node) {
		r.Content = append(r.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: "Sevrity"}, &yaml.Node{Kind: yaml.ScalarNode, Value: "High"})
	}})
	typ := mapGet(root, "AnalysisType").Value
	for _, req := range requiredKeys[Kind(typ)] {
		out = append(out, mutation{"without " + req, func(r *yaml.Node) {
			for i := 0; i < len(r.Content); i += 2 {
				if r.Content[i].Value == req {
					r.Content = slices.Delete(r.Content, i, i+2)
					return
				}
			}
		}})
	}
	set := func(key, value, tag string) {
		if mapGet(root, key) == nil {
			return
		}
		out = append(out, mutation{key + ": " + value, func(r *yaml.Node) {
			*mapGet(r, key) = yaml.Node{Kind: yaml.ScalarNode, Value: value, Tag: tag}
		}})
	}
	set("Severity", "Severe", "!!str")
	set("Threshold", "0", "!!int")
	set("DedupPeriodMinutes", "20000", "!!int")
	set("Enabled", "yes please", "!!str")
	set("LogTypes", "AWS.CloudTrail", "!!str")
	if first("Tests")(root) != nil {
		out = append(out, mutation{"ExpectedResult: maybe", func(r *yaml.Node) {
			*mapGet(first("Tests")(r), "ExpectedResult") = yaml.Node{Kind: yaml.ScalarNode, Value: "maybe", Tag: "!!str"}
		}})
	}
	return out
}
