// Package format rewrites detection specs and Lua files in their canonical
// form, for panther fmt.
//
// A spec is rewritten as text, not re-emitted from a parsed tree: yaml.v3
// would drop blank lines, re-fold long strings and move comments, and a
// formatter that rewrites a whole library on first use is one nobody runs.
// What changes: the keys of a spec and of its known nested mappings (Tests,
// Expect, Mocks, Fixtures, Mappings, ...) take the order of the schema,
// each with the comments written above it; single-quoted strings become
// double-quoted where that needs no escape; line ends, trailing spaces,
// runs of blank lines and the final newline are made regular. Everything
// else is left as written. The result is checked before it is returned: it
// must decode to the same values, or the file is left alone with an error.
//
// A Lua file is re-indented by its block structure (two spaces a level;
// continuation lines keep their offset from the line they continue) and
// trailing spaces go; its tokens are checked to be unchanged (lua.go).
//
// Both are idempotent: formatting a formatted file changes nothing
// (TestIdempotent on the shipped library).
package format

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"panther/schema"
)

// Order gives, for a spec, the canonical key order of the mapping at path
// (key names from the top, list items crossed): nil leaves it as written.
type Order func(kind string, path []string) []string

// SchemaOrder orders keys by the schemas of kinds.
func SchemaOrder(kinds []schema.Kind) Order {
	byName := map[string]*schema.Kind{}
	for i := range kinds {
		byName[kinds[i].Name] = &kinds[i]
	}
	return func(kind string, path []string) []string {
		k := byName[kind]
		if k == nil {
			return nil
		}
		keys := k.Keys
		if len(path) > 0 {
			key := k.Lookup(path...)
			if key == nil {
				return nil
			}
			if key.Items != nil {
				key = key.Items
			}
			if key.Values != nil || key.AsWritten {
				return nil // free keys (Reports), or no order (Indicators): as written
			}
			keys = key.Keys
		}
		if len(keys) == 0 {
			return nil
		}
		return schema.Names(keys)
	}
}

// ErrNotSpec is returned for YAML that is not a panther spec (no
// AnalysisType): such files are not formatted.
var ErrNotSpec = fmt.Errorf("not a panther spec")

// YAML returns the canonical form of a spec. Unknown kinds and keys stay
// where they are (after the known ones).
func YAML(src []byte, order Order) ([]byte, error) {
	text := strings.ReplaceAll(string(src), "\r\n", "\n")
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(text), &doc); err != nil {
		return nil, err
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, ErrNotSpec
	}
	root := doc.Content[0]
	kind := ""
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == "AnalysisType" {
			kind = root.Content[i+1].Value
		}
	}
	if kind == "" {
		return nil, ErrNotSpec
	}
	lines := strings.Split(text, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	f := &yamlFile{lines: lines, kind: kind, order: order}
	f.requote(root)
	out := f.mapping(root, nil, 0, len(lines), false)
	out = regular(out)
	res := []byte(strings.Join(out, "\n") + "\n")
	if err := sameYAML([]byte(text), res); err != nil {
		// A step moved something it should not have: keep the order and
		// quotes, make only the spacing regular, and check that.
		plain := []byte(strings.Join(regular(lines), "\n") + "\n")
		if sameYAML([]byte(text), plain) == nil {
			return plain, fmt.Errorf("keys left in place: %v", err)
		}
		return src, fmt.Errorf("left as written: %v", err)
	}
	return res, nil
}

type yamlFile struct {
	lines []string
	kind  string
	order Order
}

type entry struct {
	name  string
	lines []string
	gap   []string // the blank lines after it
}

// mapping returns the lines [start, end) of the block mapping n, its keys
// in canonical order and its known children formatted. item says n is a
// list item, whose first line starts with "- ".
func (f *yamlFile) mapping(n *yaml.Node, path []string, start, end int, item bool) []string {
	src := slices.Clone(f.lines[start:end])
	if n.Style&yaml.FlowStyle != 0 || len(n.Content) == 0 {
		return src
	}
	// Keys on one line each, in increasing lines, else leave it.
	for i := 2; i < len(n.Content); i += 2 {
		if n.Content[i].Line <= n.Content[i-2].Line {
			return src
		}
	}
	first := n.Content[0].Line - 1
	col := n.Content[0].Column - 1
	if first < start || first >= end {
		return src
	}
	head := slices.Clone(f.lines[start:first]) // comments above the first key
	dash := ""
	if item {
		dash = f.lines[first][:col]
		if !strings.HasSuffix(strings.TrimRight(dash, " "), "-") {
			return src
		}
	}
	var entries []entry
	for i := 0; i < len(n.Content); i += 2 {
		from := n.Content[i].Line - 1
		to := end
		if i+2 < len(n.Content) {
			to = n.Content[i+2].Line - 1
		}
		if from < start || to > end || from >= to {
			return src
		}
		body := f.child(n.Content[i].Value, n.Content[i+1], path, from, to)
		entries = append(entries, entry{name: n.Content[i].Value, lines: body})
	}
	// Comments right above a key (at its column) belong to it.
	for i := 1; i < len(entries); i++ {
		prev := &entries[i-1]
		k := len(prev.lines)
		for k > 1 && isComment(prev.lines[k-1]) && indent(prev.lines[k-1]) == col {
			k--
		}
		if k < len(prev.lines) {
			entries[i].lines = append(slices.Clone(prev.lines[k:]), entries[i].lines...)
			prev.lines = prev.lines[:k]
		}
	}
	for i := range entries {
		e := &entries[i]
		k := len(e.lines)
		for k > 1 && strings.TrimSpace(e.lines[k-1]) == "" {
			k--
		}
		e.gap, e.lines = e.lines[k:], e.lines[:k]
	}
	// Comments below the last key, left of it, are about what follows.
	last := &entries[len(entries)-1]
	k := len(last.lines)
	for k > 1 && (isComment(last.lines[k-1]) && indent(last.lines[k-1]) < col || strings.TrimSpace(last.lines[k-1]) == "") {
		k--
	}
	tail := append(slices.Clone(last.lines[k:]), last.gap...)
	last.lines, last.gap = last.lines[:k], nil
	if item {
		// The dash leaves the first key; it goes to the new first one.
		entries[0].lines[0] = strings.Repeat(" ", col) + entries[0].lines[0][col:]
	}
	want := f.order(f.kind, path)
	if want != nil {
		rank := func(name string) int {
			if i := slices.Index(want, name); i >= 0 {
				return i
			}
			return len(want)
		}
		slices.SortStableFunc(entries, func(a, b entry) int { return rank(a.name) - rank(b.name) })
	}
	out := head
	for i, e := range entries {
		lines := slices.Clone(e.lines)
		if item && i == 0 {
			// The first line that is the key (comments above it stay above the item).
			j := 0
			for j < len(lines) && isComment(lines[j]) {
				j++
			}
			if j > 0 {
				out = append(out, lines[:j]...)
				lines = lines[j:]
			}
			lines[0] = dash + lines[0][col:]
		}
		out = append(out, lines...)
		if i < len(entries)-1 {
			out = append(out, e.gap...)
		}
	}
	return append(out, tail...)
}

// child formats the lines of one key and its value.
func (f *yamlFile) child(key string, v *yaml.Node, path []string, from, to int) []string {
	if v.Kind == yaml.AliasNode {
		return slices.Clone(f.lines[from:to])
	}
	sub := append(slices.Clone(path), key)
	if f.order(f.kind, sub) == nil {
		return slices.Clone(f.lines[from:to])
	}
	switch v.Kind {
	case yaml.MappingNode:
		if v.Line-1 <= from {
			return slices.Clone(f.lines[from:to])
		}
		return append([]string{f.lines[from]}, f.mapping(v, sub, from+1, to, false)...)
	case yaml.SequenceNode:
		if v.Style&yaml.FlowStyle != 0 || v.Line-1 <= from || len(v.Content) == 0 {
			return slices.Clone(f.lines[from:to])
		}
		out := slices.Clone(f.lines[from : v.Content[0].Line-1])
		for i, it := range v.Content {
			s := it.Line - 1
			e := to
			if i+1 < len(v.Content) {
				e = v.Content[i+1].Line - 1
			}
			if it.Kind != yaml.MappingNode || s < from || e > to || s >= e {
				out = append(out, f.lines[s:e]...)
				continue
			}
			out = append(out, f.mapping(it, sub, s, e, true)...)
		}
		return out
	}
	return slices.Clone(f.lines[from:to])
}

// requote turns single-quoted one-line scalars into double-quoted ones
// where the text needs no escape there, unless a single-quoted scalar
// that needs its quotes shares the line (a flow mapping stays uniform).
func (f *yamlFile) requote(root *yaml.Node) {
	var singles []*yaml.Node
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n.Kind == yaml.ScalarNode && n.Style == yaml.SingleQuotedStyle {
			singles = append(singles, n)
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(root)
	keep := map[int]bool{}
	for _, n := range singles {
		if !convertible(n) {
			keep[n.Line] = true
		}
	}
	// Right to left on a line, so that columns stay valid.
	slices.SortFunc(singles, func(a, b *yaml.Node) int {
		if a.Line != b.Line {
			return a.Line - b.Line
		}
		return b.Column - a.Column
	})
	for _, n := range singles {
		if keep[n.Line] || !convertible(n) {
			continue
		}
		l, c := n.Line-1, n.Column-1
		if l >= len(f.lines) || c >= len(f.lines[l]) || f.lines[l][c] != '\'' {
			continue
		}
		line := f.lines[l]
		quoted := "'" + strings.ReplaceAll(n.Value, "'", "''") + "'"
		if strings.HasPrefix(line[c:], quoted) {
			f.lines[l] = line[:c] + `"` + n.Value + `"` + line[c+len(quoted):]
		}
	}
}

func convertible(n *yaml.Node) bool {
	return !strings.ContainsAny(n.Value, "\\\"\n") && isPrintable(n.Value)
}

func isPrintable(s string) bool {
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return false
		}
	}
	return true
}

// regular makes spacing regular: no trailing spaces, no blank lines at the
// start or the end, at most one blank line in a row.
func regular(lines []string) []string {
	out := make([]string, 0, len(lines))
	for _, l := range lines {
		l = strings.TrimRight(l, " \t")
		if l == "" && (len(out) == 0 || out[len(out)-1] == "") {
			continue
		}
		out = append(out, l)
	}
	for len(out) > 0 && out[len(out)-1] == "" {
		out = out[:len(out)-1]
	}
	return out
}

func isComment(l string) bool { return strings.HasPrefix(strings.TrimSpace(l), "#") }

func indent(l string) int { return len(l) - len(strings.TrimLeft(l, " ")) }

// sameYAML checks that two documents hold the same values (mapping order
// aside, which carries no meaning in a spec outside test events, and
// those are never reordered).
func sameYAML(a, b []byte) error {
	var x, y yaml.Node
	if err := yaml.Unmarshal(a, &x); err != nil {
		return err
	}
	if err := yaml.Unmarshal(b, &y); err != nil {
		return fmt.Errorf("the result does not parse: %v", err)
	}
	return sameNode(&x, &y, "")
}

func sameNode(x, y *yaml.Node, at string) error {
	for x.Kind == yaml.AliasNode {
		x = x.Alias
	}
	for y.Kind == yaml.AliasNode {
		y = y.Alias
	}
	if x.Kind != y.Kind {
		return fmt.Errorf("%s: changed shape", at)
	}
	switch x.Kind {
	case yaml.ScalarNode:
		if x.Value != y.Value || x.ShortTag() != y.ShortTag() {
			return fmt.Errorf("%s: %q became %q", at, x.Value, y.Value)
		}
		return nil
	case yaml.MappingNode:
		if len(x.Content) != len(y.Content) {
			return fmt.Errorf("%s: keys changed", at)
		}
		for i := 0; i < len(x.Content); i += 2 {
			k := x.Content[i].Value
			found := false
			for j := 0; j < len(y.Content); j += 2 {
				if y.Content[j].Value == k {
					if err := sameNode(x.Content[i+1], y.Content[j+1], at+"."+k); err != nil {
						return err
					}
					found = true
					break
				}
			}
			if !found {
				return fmt.Errorf("%s: key %s lost", at, k)
			}
		}
		return nil
	}
	if len(x.Content) != len(y.Content) {
		return fmt.Errorf("%s: length changed", at)
	}
	for i := range x.Content {
		if err := sameNode(x.Content[i], y.Content[i], fmt.Sprintf("%s[%d]", at, i)); err != nil {
			return err
		}
	}
	return nil
}

// Equal reports whether formatting changed nothing.
func Equal(a, b []byte) bool { return bytes.Equal(a, b) }

// ErrSkip is returned by File for files panther fmt does not format.
var ErrSkip = fmt.Errorf("not a spec or a Lua file")

// File formats one file by its name: a .yml/.yaml spec or a .lua file.
// Other files, and YAML that is no spec, give ErrSkip.
func File(name string, data []byte, order Order) ([]byte, error) {
	switch {
	case strings.HasSuffix(name, ".lua"):
		return Lua(data)
	case strings.HasSuffix(name, ".yml"), strings.HasSuffix(name, ".yaml"):
		out, err := YAML(data, order)
		if err == ErrNotSpec {
			return nil, ErrSkip
		}
		return out, err
	}
	return nil, ErrSkip
}
