package engine

import (
	"slices"
	"strings"

	"panther/engine/luavm"
)

// FileCoverage is the line coverage of one Lua file of a Set loaded with
// LoadOptions.Coverage: what its detections' tests (unit and fixture)
// ran of it.
type FileCoverage struct {
	luavm.LineCoverage
	// IDs are the detections, helpers or data models whose Filename it is.
	IDs  []string
	Kind Kind // TypeRule, TypeGlobal, TypeDataModel, ...
}

// Coverage returns the coverage of every Lua file of the set so far,
// sorted by file; nil when the set was loaded without coverage. Specs
// sharing a file add up their counts.
func (s *Set) Coverage() []FileCoverage {
	byFile := map[string]*FileCoverage{}
	add := func(id string, kind Kind, c *luavm.Chunk) {
		if c == nil {
			return
		}
		lc := c.Coverage()
		if lc == nil {
			return
		}
		f := byFile[lc.File]
		if f == nil {
			byFile[lc.File] = &FileCoverage{LineCoverage: *lc, IDs: []string{id}, Kind: kind}
			return
		}
		f.IDs = append(f.IDs, id)
		for i := range f.Hits {
			f.Hits[i] += lc.Hits[i]
		}
	}
	for _, d := range s.Detections {
		add(d.ID, d.Kind, d.lua.chunkOrNil())
	}
	for _, g := range s.Globals {
		add(g.ID, TypeGlobal, g.lua.chunkOrNil())
	}
	for _, m := range s.DataModels {
		add(m.ID, TypeDataModel, m.lua.chunkOrNil())
	}
	if len(byFile) == 0 {
		return nil
	}
	out := make([]FileCoverage, 0, len(byFile))
	for _, f := range byFile {
		slices.Sort(f.IDs)
		out = append(out, *f)
	}
	slices.SortFunc(out, func(a, b FileCoverage) int { return strings.Compare(a.File, b.File) })
	return out
}
