// Package schema describes the keys of panther's YAML specs and writes the
// description as JSON Schema, for editors (the YAML language server
// completes keys, enums and descriptions from it) and for `panther fmt`
// (the canonical key order).
//
// The descriptions are not written apart from the decoders: each decoding
// package (engine for detections, parsers/custom for log types, ...) builds
// its []Kind from the very key lists its strict decoder checks keys
// against, and its tests hold the two together (every key the decoder
// knows is described, nothing else is, and a shipped spec or a mutated one
// is accepted by the decoder exactly when the JSON Schema accepts it).
// This package is a leaf: it knows JSON Schema, not specs.
//
// The JSON Schema is draft-07, the draft the YAML language server and
// VS Code read best. One document holds every kind: each kind is a
// definition, chosen by an if/then on AnalysisType.
package schema

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// Type is the JSON type of a value.
type Type string

// The JSON types; Any is any YAML value.
const (
	Any     Type = ""
	String  Type = "string"
	Integer Type = "integer"
	Number  Type = "number"
	Boolean Type = "boolean"
	Object  Type = "object"
	Array   Type = "array"
)

// Key is one key of a spec (or one item of a list): what it holds and what
// it means.
type Key struct {
	Name string
	Doc  string
	Type Type
	// OneOrList: a single value of Type, or a list of them.
	OneOrList bool
	// Enum lists the values allowed (strings); Open lets other values
	// matching Pattern through as well (an enum for completion, a
	// pattern for what the decoder accepts beyond it).
	Enum    []string
	Open    bool
	Pattern string
	Min     *int64
	Max     *int64
	// Items describes the items of an Array.
	Items *Key
	// Keys are the keys of an Object, in their canonical order; Required
	// names those that must be there. Values, when not nil, describes the
	// value of any key (an Object whose keys are free, like Reports).
	Keys     []Key
	Required []string
	Values   *Key
	// AnyRequired: at least one of these keys must be there.
	AnyRequired []string
	// AsWritten: the order of Keys is no canonical order (panther fmt
	// leaves the keys of this mapping as written).
	AsWritten bool
	// AnyOf: the value is one of these (Type and the rest unused).
	AnyOf []Key
	// Ref names a definition of the kind (Kind.Defs), for recursive
	// shapes such as an alert rule's selectors.
	Ref string
	// MinKeys: an Object has at least this many keys.
	MinKeys int
}

// Kind is one kind of spec, named by its AnalysisType.
type Kind struct {
	Name  string // the AnalysisType
	Title string
	Doc   string
	// Keys of the spec in canonical order, AnalysisType first.
	Keys     []Key
	Required []string
	// Defs are shapes that keys refer to by name (Key.Ref).
	Defs []Key
}

// Range returns a pointer to n, for Key.Min and Key.Max.
func Range(n int64) *int64 { return &n }

// Names returns the names of keys, in order.
func Names(keys []Key) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = k.Name
	}
	return out
}

// Find returns the key named name, or nil.
func Find(keys []Key, name string) *Key {
	for i := range keys {
		if keys[i].Name == name {
			return &keys[i]
		}
	}
	return nil
}

// Lookup returns the key of kind k at path (its names from the top, list
// items crossed silently: Tests, Mocks, objectName), or nil.
func (k *Kind) Lookup(path ...string) *Key {
	keys := k.Keys
	var cur *Key
	for _, name := range path {
		cur = Find(keys, name)
		if cur == nil {
			return nil
		}
		keys = cur.Keys
		if cur.Items != nil {
			keys = cur.Items.Keys
		}
	}
	return cur
}

// Document returns the JSON Schema of the kinds: one document that chooses
// the kind by AnalysisType. With one kind, the document is that kind.
func Document(id, title string, kinds []Kind) ([]byte, error) {
	doc := obj{
		{"$schema", "http://json-schema.org/draft-07/schema#"},
	}
	if id != "" {
		doc = append(doc, member{"$id", id})
	}
	doc = append(doc, member{"title", title})
	if len(kinds) == 1 {
		k := kinds[0]
		doc = append(doc, member{"description", k.Doc})
		doc = append(doc, kindBody(k)...)
		if len(k.Defs) > 0 {
			doc = append(doc, member{"definitions", kindDefs(k)})
		}
		return marshal(doc)
	}
	names := make([]string, len(kinds))
	defs := obj{}
	for _, k := range kinds {
		defs = append(defs, kindDefs(k)...)
	}
	var branches []any
	for i, k := range kinds {
		names[i] = k.Name
		defs = append(defs, member{k.Name, append(obj{{"title", k.Title}, {"description", k.Doc}}, kindBody(k)...)})
		branches = append(branches, obj{
			{"if", obj{{"required", []string{"AnalysisType"}}, {"properties", obj{{"AnalysisType", obj{{"const", k.Name}}}}}}},
			{"then", obj{{"$ref", "#/definitions/" + k.Name}}},
		})
	}
	doc = append(doc,
		member{"description", "A panther spec: its AnalysisType says which kind (" + strings.Join(names, ", ") + ")."},
		member{"type", "object"},
		member{"required", []string{"AnalysisType"}},
		member{"properties", obj{{"AnalysisType", obj{
			{"description", "What the spec is: " + strings.Join(names, ", ") + "."},
			{"type", "string"},
			{"enum", names},
		}}}},
		member{"allOf", branches},
		member{"definitions", defs},
	)
	return marshal(doc)
}

func kindDefs(k Kind) obj {
	var out obj
	for _, d := range k.Defs {
		out = append(out, member{k.Name + "." + d.Name, keySchema(d, k.Name)})
	}
	return out
}

func kindBody(k Kind) obj {
	props := obj{}
	for _, key := range k.Keys {
		if key.Name == "AnalysisType" {
			props = append(props, member{key.Name, obj{{"description", key.Doc}, {"const", k.Name}}})
			continue
		}
		props = append(props, member{key.Name, keySchema(key, k.Name)})
	}
	body := obj{{"type", "object"}}
	if len(k.Required) > 0 {
		body = append(body, member{"required", k.Required})
	}
	return append(body, member{"properties", props}, member{"additionalProperties", false})
}

func keySchema(k Key, kind string) obj {
	o := obj{}
	if k.Doc != "" {
		o = append(o, member{"description", k.Doc})
	}
	if k.Ref != "" {
		// $ref's siblings are ignored in draft-07: the description stays
		// outside, the reference inside an allOf.
		return append(o, member{"allOf", []any{obj{{"$ref", "#/definitions/" + kind + "." + k.Ref}}}})
	}
	if len(k.AnyOf) > 0 {
		var alts []any
		for _, a := range k.AnyOf {
			alts = append(alts, keySchema(a, kind))
		}
		return append(o, member{"anyOf", alts})
	}
	one := typeSchema(k, kind)
	if !k.OneOrList {
		return append(o, one...)
	}
	return append(o, member{"anyOf", []any{one, obj{{"type", "array"}, {"items", one}}}})
}

func typeSchema(k Key, kind string) obj {
	o := obj{}
	switch {
	case len(k.Enum) > 0 && k.Open:
		alt := obj{{"type", string(k.Type)}}
		if k.Pattern != "" {
			alt = append(alt, member{"pattern", k.Pattern})
		}
		return append(o, member{"anyOf", []any{obj{{"type", string(k.Type)}, {"enum", k.Enum}}, alt}})
	case k.Type != Any:
		o = append(o, member{"type", string(k.Type)})
	}
	if len(k.Enum) > 0 {
		o = append(o, member{"enum", k.Enum})
	}
	if k.Pattern != "" {
		o = append(o, member{"pattern", k.Pattern})
	}
	if k.Min != nil {
		o = append(o, member{"minimum", *k.Min})
	}
	if k.Max != nil {
		o = append(o, member{"maximum", *k.Max})
	}
	if k.Items != nil {
		o = append(o, member{"items", keySchema(*k.Items, kind)})
	}
	if k.MinKeys > 0 {
		o = append(o, member{"minProperties", k.MinKeys})
	}
	if k.Type == Object && (len(k.Keys) > 0 || k.Values != nil) {
		if len(k.Required) > 0 {
			o = append(o, member{"required", k.Required})
		}
		if len(k.AnyRequired) > 0 {
			var alts []any
			for _, r := range k.AnyRequired {
				alts = append(alts, obj{{"required", []string{r}}})
			}
			o = append(o, member{"anyOf", alts})
		}
		if len(k.Keys) > 0 {
			props := obj{}
			for _, sub := range k.Keys {
				props = append(props, member{sub.Name, keySchema(sub, kind)})
			}
			o = append(o, member{"properties", props})
		}
		if k.Values != nil {
			o = append(o, member{"additionalProperties", keySchema(*k.Values, kind)})
		} else {
			o = append(o, member{"additionalProperties", false})
		}
	}
	return o
}

// obj is a JSON object that keeps its members in order: the schema lists
// keys in their canonical order, which editors show.
type obj []member

type member struct {
	k string
	v any
}

func (o obj) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, m := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(m.k)
		b.Write(k)
		b.WriteByte(':')
		v, err := json.Marshal(m.v)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", m.k, err)
		}
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

func marshal(doc obj) ([]byte, error) {
	raw, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	if err := json.Indent(&out, raw, "", "  "); err != nil {
		return nil, err
	}
	out.WriteByte('\n')
	return out.Bytes(), nil
}

// Sorted returns a sorted copy of names, for enums built from maps.
func Sorted(names []string) []string {
	out := slices.Clone(names)
	slices.Sort(out)
	return slices.Compact(out)
}
