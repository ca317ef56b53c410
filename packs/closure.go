package packs

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"panther/engine"
	"panther/parsers"
)

// Contents is what a pack holds: its detections and the closure of what
// they need.
type Contents struct {
	Pack       *engine.Pack
	Detections []*engine.Detection // sorted by ID
	Globals    []*engine.Global    // sorted by ID
	DataModels []*engine.DataModel // sorted by ID
	Queries    []*engine.Query     // sorted by name
	LogTypes   []engine.CustomLogType
	AlertRules []*engine.AlertRule // sorted by ID
	// Files are the files of all of the above, as the set shows them,
	// sorted and unique: specs, Lua files and fixture files.
	Files []string
}

// ClosureError lists every problem found while computing a closure, each
// with file:line where known.
type ClosureError struct {
	Pack     string
	Problems []string
}

func (e *ClosureError) Error() string {
	return fmt.Sprintf("pack %s cannot be built:\n  %s", e.Pack, strings.Join(e.Problems, "\n  "))
}

// Closure computes what pack packID of set needs:
//
//   - the detections, helpers, data models and queries its
//     PackDefinition.IDs name;
//   - the helpers they require, found statically by ScanRequires in each
//     detection's, helper's and data model's Lua, transitively;
//   - the enabled data models whose LogTypes intersect the LogTypes of the
//     pack's rules (event:udm needs them);
//   - the saved or scheduled queries its scheduled rules name;
//   - the custom log types (AnalysisType: log_type) its rules and data
//     models read;
//   - the pack spec itself, and the fixture files the detections' specs
//     name (Input, and Expected or its default Input + ".expected.yml").
//
// A name that cannot be resolved (an unknown helper, a non-literal require)
// is a problem; all of them are returned together.
func Closure(set *engine.Set, packID string) (*Contents, error) {
	p, ok := set.Pack(packID)
	if !ok {
		var ids []string
		for _, q := range set.Packs {
			ids = append(ids, q.ID)
		}
		hint := "packs are specs with AnalysisType: pack; `panther pack list` shows them"
		if n := parsers.Nearest(packID, ids); n != "" {
			hint = "did you mean " + n + "?"
		}
		return nil, fmt.Errorf("no pack %q in the detections (%s)", packID, hint)
	}
	c := &Contents{Pack: p}
	var problems []string
	seenDet := map[string]bool{}
	seenGlobal := map[string]bool{}
	seenModel := map[string]bool{}
	seenQuery := map[string]bool{}
	files := map[string]bool{p.File: true}
	addFile := func(f string) {
		if f != "" {
			files[f] = true
		}
	}

	var pendingLua []luaFile // Lua files whose requires are still to scan
	addGlobal := func(g *engine.Global) {
		if seenGlobal[g.ID] {
			return
		}
		seenGlobal[g.ID] = true
		c.Globals = append(c.Globals, g)
		addFile(g.File)
		if g.LuaFile != "" {
			addFile(g.LuaFile)
			pendingLua = append(pendingLua, luaFile{g.LuaFile, "helper " + g.ID})
		}
	}
	addModel := func(m *engine.DataModel) {
		if seenModel[m.ID] {
			return
		}
		seenModel[m.ID] = true
		c.DataModels = append(c.DataModels, m)
		addFile(m.File)
		if m.LuaFile != "" {
			addFile(m.LuaFile)
			pendingLua = append(pendingLua, luaFile{m.LuaFile, "data model " + m.ID})
		}
	}
	addQuery := func(q *engine.Query) {
		if !seenQuery[q.Name] {
			seenQuery[q.Name] = true
			c.Queries = append(c.Queries, q)
			addFile(q.File)
		}
	}
	for _, id := range p.IDs {
		if d, ok := set.Detection(id); ok {
			if !seenDet[id] {
				seenDet[id] = true
				c.Detections = append(c.Detections, d)
			}
			continue
		}
		if g, ok := set.Global(id); ok {
			addGlobal(g)
			continue
		}
		if m, ok := set.DataModel(id); ok {
			addModel(m)
			continue
		}
		if q, ok := set.Query(id); ok {
			addQuery(q)
			continue
		}
		if ar, ok := set.AlertRule(id); ok {
			if !slices.Contains(c.AlertRules, ar) {
				c.AlertRules = append(c.AlertRules, ar)
				addFile(ar.File)
			}
			continue
		}
		problems = append(problems, fmt.Sprintf("%s: pack %s names %q, which is not a detection, helper, data model, query or alert rule", p.File, p.ID, id))
	}
	if len(c.Detections) == 0 && len(c.AlertRules) == 0 && len(problems) == 0 {
		problems = append(problems, fmt.Sprintf("%s: pack %s names no detection", p.File, p.ID))
	}
	slices.SortFunc(c.Detections, func(a, b *engine.Detection) int { return strings.Compare(a.ID, b.ID) })

	logTypes := map[string]bool{}
	for _, d := range c.Detections {
		addFile(d.File)
		addFile(d.LuaFile)
		if d.LuaFile != "" {
			pendingLua = append(pendingLua, luaFile{d.LuaFile, "detection " + d.ID})
		}
		if d.Kind == engine.TypeRule {
			for _, lt := range d.LogTypes {
				logTypes[lt] = true
			}
		}
		if d.Kind == engine.TypeScheduledRule {
			for _, qn := range d.Spec.ScheduledQueries {
				if q, ok := set.Query(qn); ok {
					addQuery(q)
				} else {
					problems = append(problems, fmt.Sprintf("%s:%d: scheduled rule %s names query %q, which does not exist", d.File, d.Line, d.ID, qn))
				}
			}
		}
		dir := path.Dir(d.File)
		for _, f := range d.Spec.Fixtures {
			in := path.Join(dir, f.Input)
			addFile(in)
			// engine/replay's default expected file is the input's name
			// plus .expected.yml.
			exp := in + ".expected.yml"
			if f.Expected != "" {
				exp = path.Join(dir, f.Expected)
			}
			if _, err := set.ReadFile(exp); err == nil {
				addFile(exp) // a missing one fails the fixture test, with its fix
			}
		}
	}
	for _, m := range set.DataModels {
		if !m.Enabled {
			continue
		}
		for _, lt := range m.LogTypes {
			if logTypes[lt] {
				addModel(m)
				break
			}
		}
	}

	// Requires, transitively: helpers may require helpers.
	for len(pendingLua) > 0 {
		lf := pendingLua[0]
		pendingLua = pendingLua[1:]
		src, err := set.ReadFile(lf.file)
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", lf.file, err))
			continue
		}
		reqs, errs := ScanRequires(lf.file, src)
		for _, e := range errs {
			problems = append(problems, e.Error())
		}
		for _, r := range reqs {
			g, ok := set.Global(r.Name)
			if !ok {
				problems = append(problems, fmt.Sprintf("%s:%d: %s requires %q, but no helper has GlobalID %q", lf.file, r.Line, lf.owner, r.Name, r.Name))
				continue
			}
			addGlobal(g)
		}
	}

	// Custom log types read by the rules and data models.
	for _, m := range c.DataModels {
		for _, lt := range m.LogTypes {
			logTypes[lt] = true
		}
	}
	for _, lt := range set.LogTypes {
		if logTypes[lt.LogType.Name] {
			c.LogTypes = append(c.LogTypes, lt)
			addFile(lt.File)
		}
	}

	slices.SortFunc(c.Globals, func(a, b *engine.Global) int { return strings.Compare(a.ID, b.ID) })
	slices.SortFunc(c.DataModels, func(a, b *engine.DataModel) int { return strings.Compare(a.ID, b.ID) })
	slices.SortFunc(c.Queries, func(a, b *engine.Query) int { return strings.Compare(a.Name, b.Name) })
	slices.SortFunc(c.AlertRules, func(a, b *engine.AlertRule) int { return strings.Compare(a.ID, b.ID) })
	for f := range files {
		c.Files = append(c.Files, f)
	}
	slices.Sort(c.Files)
	if len(problems) > 0 {
		slices.Sort(problems)
		return c, &ClosureError{Pack: p.ID, Problems: slices.Compact(problems)}
	}
	return c, nil
}

type luaFile struct {
	file  string
	owner string // what the file belongs to, for messages
}

// DetectionFiles returns the files a detection's behaviour depends on:
// its spec, its Lua file and the Lua and spec files of the helpers it
// requires, transitively. Files that cannot be read or scanned are left
// out (Closure reports them).
func DetectionFiles(set *engine.Set, d *engine.Detection) []string {
	files := []string{d.File}
	if d.LuaFile == "" {
		return files
	}
	files = append(files, d.LuaFile)
	seen := map[string]bool{}
	queue := []string{d.LuaFile}
	for len(queue) > 0 {
		f := queue[0]
		queue = queue[1:]
		src, err := set.ReadFile(f)
		if err != nil {
			continue
		}
		reqs, _ := ScanRequires(f, src)
		for _, r := range reqs {
			if seen[r.Name] {
				continue
			}
			seen[r.Name] = true
			if g, ok := set.Global(r.Name); ok {
				files = append(files, g.File)
				if g.LuaFile != "" {
					files = append(files, g.LuaFile)
					queue = append(queue, g.LuaFile)
				}
			}
		}
	}
	slices.Sort(files)
	return slices.Compact(files)
}
