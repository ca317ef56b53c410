package packs

import (
	"bytes"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// Change says what changed in one detection between two versions of a
// pack: what a reviewer of an upload's dry run wants to see before it goes
// live.
type Change struct {
	ID string `json:"id"`
	// SpecKeys are the spec's keys whose value changed, was added or was
	// removed (Tests aside).
	SpecKeys []string `json:"spec_keys,omitempty"`
	// LuaAdded and LuaRemoved count the lines of the Lua file.
	LuaAdded   int `json:"lua_lines_added"`
	LuaRemoved int `json:"lua_lines_removed"`
	// Tests by name.
	TestsAdded   []string `json:"tests_added,omitempty"`
	TestsRemoved []string `json:"tests_removed,omitempty"`
	TestsChanged []string `json:"tests_changed,omitempty"`
	// Note says what could not be compared.
	Note string `json:"note,omitempty"`
}

// String is the change on one line.
func (c Change) String() string {
	if c.Note != "" {
		return c.Note
	}
	var parts []string
	if len(c.SpecKeys) > 0 {
		parts = append(parts, "spec "+strings.Join(c.SpecKeys, ", "))
	}
	if c.LuaAdded+c.LuaRemoved > 0 {
		parts = append(parts, fmt.Sprintf("Lua +%d -%d lines", c.LuaAdded, c.LuaRemoved))
	}
	for _, t := range []struct {
		what  string
		names []string
	}{{"tests added", c.TestsAdded}, {"tests removed", c.TestsRemoved}, {"tests changed", c.TestsChanged}} {
		if len(t.names) > 0 {
			parts = append(parts, fmt.Sprintf("%s: %s", t.what, strings.Join(quoteAll(t.names), ", ")))
		}
	}
	if len(parts) == 0 {
		return "files other than its spec and Lua (fixtures, helpers it requires)"
	}
	return strings.Join(parts, "; ")
}

func quoteAll(l []string) []string {
	out := make([]string, len(l))
	for i, s := range l {
		out[i] = fmt.Sprintf("%q", s)
	}
	return out
}

// Changes compares the detections ids in two pack archives.
func Changes(old, now *Archive, ids []string) ([]Change, error) {
	oldSpecs, err := detectionSpecs(old.FS())
	if err != nil {
		return nil, err
	}
	newSpecs, err := detectionSpecs(now.FS())
	if err != nil {
		return nil, err
	}
	var out []Change
	for _, id := range ids {
		o, n := oldSpecs[id], newSpecs[id]
		if o == nil || n == nil {
			out = append(out, Change{ID: id, Note: "not in both versions"})
			continue
		}
		out = append(out, compareDetection(id, old.FS(), o, now.FS(), n))
	}
	return out, nil
}

// specOf is a detection's spec in an archive.
type specOf struct {
	file string
	keys map[string]*yaml.Node
	lua  string // the Lua file's path in the archive
}

// detectionSpecs finds the rules and policies of an archive by ID.
func detectionSpecs(fsys fs.FS) (map[string]*specOf, error) {
	out := map[string]*specOf{}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || (path.Ext(p) != ".yml" && path.Ext(p) != ".yaml") {
			return err
		}
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		var doc yaml.Node
		if yaml.Unmarshal(data, &doc) != nil || len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
			return nil
		}
		keys := map[string]*yaml.Node{}
		m := doc.Content[0]
		for i := 0; i+1 < len(m.Content); i += 2 {
			keys[m.Content[i].Value] = m.Content[i+1]
		}
		id := ""
		switch scalar(keys["AnalysisType"]) {
		case "rule", "scheduled_rule":
			id = scalar(keys["RuleID"])
		case "policy":
			id = scalar(keys["PolicyID"])
		}
		if id != "" {
			out[id] = &specOf{file: p, keys: keys, lua: path.Join(path.Dir(p), scalar(keys["Filename"]))}
		}
		return nil
	})
	return out, err
}

func scalar(n *yaml.Node) string {
	if n == nil || n.Kind != yaml.ScalarNode {
		return ""
	}
	return n.Value
}

// text is a YAML value as text, to compare values whatever their layout.
func text(n *yaml.Node) string {
	if n == nil {
		return ""
	}
	b, err := yaml.Marshal(n)
	if err != nil {
		return ""
	}
	return string(b)
}

func compareDetection(id string, oldFS fs.FS, o *specOf, newFS fs.FS, n *specOf) Change {
	c := Change{ID: id}
	var keys []string
	for k := range o.keys {
		keys = append(keys, k)
	}
	for k := range n.keys {
		if _, ok := o.keys[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		if k != "Tests" && text(o.keys[k]) != text(n.keys[k]) {
			c.SpecKeys = append(c.SpecKeys, k)
		}
	}
	c.TestsAdded, c.TestsRemoved, c.TestsChanged = compareTests(o.keys["Tests"], n.keys["Tests"])
	oldLua, _ := fs.ReadFile(oldFS, o.lua)
	newLua, _ := fs.ReadFile(newFS, n.lua)
	c.LuaAdded, c.LuaRemoved = lineDiffStat(oldLua, newLua)
	return c
}

// compareTests compares two Tests lists by test name.
func compareTests(old, now *yaml.Node) (added, removed, changed []string) {
	byName := func(n *yaml.Node) map[string]string {
		out := map[string]string{}
		if n == nil || n.Kind != yaml.SequenceNode {
			return out
		}
		for _, t := range n.Content {
			name := ""
			for i := 0; t.Kind == yaml.MappingNode && i+1 < len(t.Content); i += 2 {
				if t.Content[i].Value == "Name" {
					name = t.Content[i+1].Value
				}
			}
			out[name] = text(t)
		}
		return out
	}
	o, n := byName(old), byName(now)
	for name, t := range n {
		switch ot, ok := o[name]; {
		case !ok:
			added = append(added, name)
		case ot != t:
			changed = append(changed, name)
		}
	}
	for name := range o {
		if _, ok := n[name]; !ok {
			removed = append(removed, name)
		}
	}
	slices.Sort(added)
	slices.Sort(removed)
	slices.Sort(changed)
	return added, removed, changed
}

// lineDiffStat counts the lines added and removed from a to b: the lines
// outside their longest common subsequence (files too large for that are
// counted as multisets).
func lineDiffStat(a, b []byte) (added, removed int) {
	al := bytes.Split(a, []byte("\n"))
	bl := bytes.Split(b, []byte("\n"))
	if len(al)*len(bl) > 4_000_000 {
		count := map[string]int{}
		for _, l := range al {
			count[string(l)]++
		}
		for _, l := range bl {
			if count[string(l)] > 0 {
				count[string(l)]--
			} else {
				added++
			}
		}
		for _, n := range count {
			removed += n
		}
		return added, removed
	}
	prev := make([]int, len(bl)+1)
	cur := make([]int, len(bl)+1)
	for i := range al {
		for j := range bl {
			if bytes.Equal(al[i], bl[j]) {
				cur[j+1] = prev[j] + 1
			} else {
				cur[j+1] = max(prev[j+1], cur[j])
			}
		}
		prev, cur = cur, prev
	}
	common := prev[len(bl)]
	return len(bl) - common, len(al) - common
}
