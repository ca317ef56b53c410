package engine

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"panther/alerts/rules"
	"panther/engine/luavm"
	"panther/parsers"
	"panther/parsers/event"
)

// Source is a tree of detections: a folder of a file system.
type Source struct {
	FS   fs.FS
	Root string // a directory or a single spec file inside FS ("." for all)
	// Display is how paths are shown: Display joined with the path in FS.
	Display string
	// Dir is the OS folder of FS when it is one (DirSource), so that tools
	// may write files of the tree (panther test --update).
	Dir string
}

// DirSource is a folder (or a single spec file) of the OS file system.
func DirSource(p string) Source {
	p = filepath.Clean(p)
	if st, err := os.Stat(p); err == nil && !st.IsDir() {
		return Source{FS: os.DirFS(filepath.Dir(p)), Root: filepath.Base(p), Display: filepath.Dir(p), Dir: filepath.Dir(p)}
	}
	return Source{FS: os.DirFS(p), Root: ".", Display: p, Dir: p}
}

func (s Source) show(p string) string {
	if s.Display == "" || s.Display == "." {
		return p
	}
	return path.Join(filepath.ToSlash(s.Display), p)
}

// rel maps a shown path back to a path in s.FS.
func (s Source) rel(shown string) (string, bool) {
	if s.Display == "" || s.Display == "." {
		return shown, fs.ValidPath(shown)
	}
	prefix := filepath.ToSlash(s.Display) + "/"
	if !strings.HasPrefix(shown, prefix) {
		return "", false
	}
	r := strings.TrimPrefix(shown, prefix)
	return r, fs.ValidPath(r)
}

// LoadOptions configure Load.
type LoadOptions struct {
	// Registry holds the log types rules may name (the caller's choice,
	// usually logtypes.Default()); custom log types of the tree are added to
	// a clone of it. Nil is an empty registry: every log type is unknown.
	Registry *parsers.Registry
	// DecodeLogType compiles a custom log type spec (AnalysisType:
	// log_type); nil makes such files an error.
	DecodeLogType func(data []byte, file string) (*parsers.LogType, error)
	// Workers bounds parallel decoding; 0 means GOMAXPROCS.
	Workers int
	// Budget bounds each Lua call of validation; 0 means the default.
	Budget time.Duration
	// Internal is the internal networks setting that net.is_internal reads
	// in every evaluator of the set; nil means the private ranges.
	Internal *luavm.Networks
	// ResourceTypes are the resource types policies may name (package
	// scan's); nil leaves ResourceTypes unchecked.
	ResourceTypes []string
	// Coverage compiles the Lua files to count the lines that run
	// (Set.Coverage); for panther test --coverage only.
	Coverage bool
	// LazyLua leaves each Lua file to compile when an evaluator first
	// needs it (the first event of one of its detection's log types, a
	// require of its helper), once for every evaluator, and skips the
	// validation that loads every file. For a replay, whose input needs
	// the detections of a few log types: what the others cost is reading
	// their specs. A Lua file that does not compile, or fails as it
	// loads, is then not a Diagnostic but the rule error of each event
	// that reaches its detection (file:line and the message). panther
	// validate and panther test load strictly: every file, up front.
	LazyLua bool
	// SkipTests leaves the specs' unit tests (the Tests key) unread: a
	// replay runs none, and they are half of the shipped specs' YAML. A
	// spec whose Tests are wrong then loads (panther test and validate
	// report them).
	SkipTests bool
}

// Load reads every spec under the sources. It never stops at a bad file:
// each problem becomes a Diagnostic and the rest still loads. Validation
// across files (duplicate IDs, unknown log types, missing functions...)
// runs at the end; see Validate.
func Load(sources []Source, opts LoadOptions) *Set {
	reg := opts.Registry
	if reg == nil {
		reg, _ = parsers.NewRegistry()
	}
	type job struct {
		src  Source
		path string
	}
	var jobs []job
	var diags diagList
	for _, src := range sources {
		err := fs.WalkDir(src.FS, src.Root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				diags.errorf(src.show(p), 0, 0, "check the path and its permissions", "cannot read: %v", unwrapPathError(err))
				if d != nil && d.IsDir() {
					return fs.SkipDir
				}
				return nil
			}
			name := d.Name()
			if d.IsDir() {
				if p != src.Root && (strings.HasPrefix(name, ".") || name == "fixtures" || name == "testdata" || name == "node_modules") {
					return fs.SkipDir
				}
				return nil
			}
			if p != src.Root && strings.HasPrefix(name, ".") {
				return nil
			}
			if ext := path.Ext(name); ext == ".yml" || ext == ".yaml" {
				jobs = append(jobs, job{src, p})
			} else if p == src.Root {
				diags.errorf(src.show(p), 0, 0, "give a folder or a .yml spec", "not a YAML spec")
			}
			return nil
		})
		if err != nil {
			diags.errorf(src.show(src.Root), 0, 0, "check the path", "cannot read: %v", unwrapPathError(err))
		}
	}
	results := make([]loaded, len(jobs))
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	budget := newLoadBudget()
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < min(workers, max(len(jobs), 1)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				results[i] = loadFile(jobs[i].src, jobs[i].path, opts, budget)
			}
		}()
	}
	for i := range jobs {
		next <- i
	}
	close(next)
	wg.Wait()

	set := &Set{sources: sources, LoadOptions: opts, Internal: opts.Internal}
	customReg := reg
	for _, r := range results {
		diags.ds = append(diags.ds, r.diags...)
		if r.file != "" {
			set.Files = append(set.Files, r.file)
		}
		switch {
		case r.det != nil:
			set.Detections = append(set.Detections, r.det)
		case r.global != nil:
			set.Globals = append(set.Globals, r.global)
		case r.model != nil:
			set.DataModels = append(set.DataModels, r.model)
		case r.pack != nil:
			set.Packs = append(set.Packs, r.pack)
		case r.query != nil:
			set.Queries = append(set.Queries, r.query)
		case r.alertRule != nil:
			set.AlertRules = append(set.AlertRules, r.alertRule)
		case r.logType != nil:
			if customReg == reg {
				customReg = reg.Clone()
			}
			if err := customReg.Add(r.logType); err != nil {
				diags.errorf(r.file, 0, 0, "", "%v", err)
				continue
			}
			set.LogTypes = append(set.LogTypes, CustomLogType{File: r.file, LogType: r.logType})
		}
	}
	set.Registry = customReg
	// Panther's spellings of our log types name them too.
	canon := func(l []string) {
		for i, lt := range l {
			if c, ok := customReg.Canonical(lt); ok {
				l[i] = c
			}
		}
	}
	for _, d := range set.Detections {
		if d.Kind == TypeRule {
			canon(d.LogTypes)
		}
	}
	for _, m := range set.DataModels {
		canon(m.LogTypes)
	}
	set.Diagnostics = diags.ds
	set.index()
	set.Diagnostics = append(set.Diagnostics, validate(set, opts)...)
	set.Diagnostics.Sort()
	return set
}

func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

type loaded struct {
	file    string
	diags   Diagnostics
	det     *Detection
	global  *Global
	model   *DataModel
	pack    *Pack
	query   *Query
	logType *parsers.LogType
	// alertRule is an alert rule (AnalysisType: alert_rule).
	alertRule *AlertRule
}

func loadFile(src Source, p string, opts LoadOptions, budget *loadBudget) (res loaded) {
	var diags diagList
	shown := src.show(p)
	res.file = shown
	defer func() { res.diags = diags.ds }()
	data, err := readLimited(src.FS, p, MaxSpecBytes)
	var big *tooBigError
	if errors.As(err, &big) {
		diags.errorf(shown, 0, 0, "split it: a spec is at most 2 MiB (the largest shipped one is 14 KB)", "%v", err)
		return res
	}
	if err != nil {
		diags.errorf(shown, 0, 0, "check the file's permissions", "cannot read: %v", unwrapPathError(err))
		return res
	}
	if line, ok := invalidUTF8(data); !ok {
		diags.errorf(shown, line, 0, "save the file as UTF-8", "the file is not valid UTF-8")
		return res
	}
	spec, root := decodeSpecWith(shown, data, &diags, budget, opts.SkipTests)
	if spec == nil {
		return res
	}
	dir := path.Dir(p)
	idLine := func(key string) int {
		if n := mapGet(root, key); n != nil {
			return n.Line
		}
		return 0
	}
	switch spec.AnalysisType {
	case TypeLogType:
		if opts.DecodeLogType == nil {
			diags.errorf(shown, 0, 0, "", "custom log types are not available here")
			return res
		}
		lt, err := opts.DecodeLogType(data, shown)
		if err != nil {
			diags.add(diagFromError(shown, err))
			return res
		}
		res.logType = lt
	case TypeAlertRule:
		r, probs := rules.Decode(shown, data)
		for _, p := range probs {
			diags.add(Diagnostic{File: p.File, Line: p.Line, Column: p.Column, Level: LevelError, Message: p.Message, Hint: p.Hint})
		}
		if r != nil {
			res.alertRule = &AlertRule{ID: r.ID, File: shown, Line: r.Line, Rule: r}
		}
	case TypeRule, TypeScheduledRule, TypePolicy, TypeCorrelationRule:
		d := &Detection{Kind: spec.AnalysisType, ID: spec.RuleID, File: shown, Spec: spec, Enabled: true,
			Threshold: 1, DedupPeriod: 60 * time.Minute, LogTypes: spec.LogTypes, Tests: spec.Tests,
			Correlation: spec.Correlation}
		if spec.CreateAlert != nil {
			d.NoAlert = !*spec.CreateAlert
		}
		if spec.ThresholdDistinct != "" {
			d.distinct = newDistinctField(spec.ThresholdDistinct)
		}
		d.firstSeen = compileFirstSeen(spec.FirstSeen)
		for _, g := range spec.GroupBy {
			if ref, err := ParseFieldRef(g); err == nil {
				d.groupBy = append(d.groupBy, ref)
			}
		}
		d.Line = idLine("RuleID")
		if d.Line == 0 && spec.Correlation != nil && spec.Correlation.Sigma != "" {
			if d.Line = idLine("name"); d.Line == 0 {
				d.Line = idLine("id")
			}
		}
		if spec.AnalysisType == TypePolicy {
			d.ID, d.LogTypes, d.Line = spec.PolicyID, spec.ResourceTypes, idLine("PolicyID")
		}
		if spec.Enabled != nil {
			d.Enabled = *spec.Enabled
		}
		d.Severity, _ = NormalizeSeverity(spec.Severity)
		if spec.Threshold != nil {
			d.Threshold = *spec.Threshold
		}
		if spec.DedupPeriodMinutes != nil {
			d.DedupPeriod = time.Duration(*spec.DedupPeriodMinutes) * time.Minute
		}
		if spec.AnalysisType != TypeCorrelationRule || spec.Filename != "" {
			d.LuaFile, d.lua = loadLua(src, dir, spec.Filename, shown, idLine("Filename"), &diags, opts)
		}
		res.det = d
	case TypeGlobal:
		g := &Global{ID: spec.GlobalID, File: shown}
		g.LuaFile, g.lua = loadLua(src, dir, spec.Filename, shown, idLine("Filename"), &diags, opts)
		res.global = g
	case TypeDataModel:
		m := &DataModel{ID: spec.DataModelID, File: shown, Enabled: true, LogTypes: spec.LogTypes}
		if spec.Enabled != nil {
			m.Enabled = *spec.Enabled
		}
		if spec.Filename != "" {
			m.LuaFile, m.lua = loadLua(src, dir, spec.Filename, shown, idLine("Filename"), &diags, opts)
		}
		for _, ms := range spec.Mappings {
			mp := Mapping{Name: ms.Name, Method: ms.Method, Line: ms.Line}
			if ms.Path != "" {
				pp, err := event.ParsePath(ms.Path)
				if err != nil {
					diags.errorf(shown, ms.Line, 0, "paths look like a.b, $.a.b[0] or a[*].b", "mapping %s: %v", ms.Name, err)
					continue
				}
				mp.Path = &pp
			}
			if ms.Method != "" && spec.Filename == "" {
				diags.errorf(shown, ms.Line, 0, "add a Filename with the Lua functions of the Methods", "mapping %s uses Method %s but the data model has no Filename", ms.Name, ms.Method)
			}
			m.Mappings = append(m.Mappings, mp)
		}
		res.model = m
	case TypePack:
		res.pack = &Pack{ID: spec.PackID, File: shown, DisplayName: spec.DisplayName, Description: spec.Description,
			IDs: spec.PackDefinition.IDs, Spec: spec}
	case TypeSavedQuery, TypeScheduledQuery:
		res.query = &Query{Name: spec.QueryName, File: shown, SQL: spec.Query, Scheduled: spec.AnalysisType == TypeScheduledQuery, Spec: spec}
	}
	return res
}

// luaFile is a Lua file of the tree: compiled when loaded, or on first
// use (LoadOptions.LazyLua), once, whichever evaluator asks first; the
// chunk is then shared by all of them.
type luaFile struct {
	name string
	src  []byte // until compiled
	once sync.Once
	// The compiled file, or why it does not compile.
	chunk *luavm.Chunk
	err   error
}

// compiled returns the chunk of f (nil, nil when f is nil: no file, or
// one that did not compile at load, which a Diagnostic reports).
func (f *luaFile) compiled() (*luavm.Chunk, error) {
	if f == nil {
		return nil, nil
	}
	f.once.Do(func() {
		if f.chunk == nil {
			f.chunk, f.err = luavm.Compile(f.name, f.src)
		}
		f.src = nil
	})
	return f.chunk, f.err
}

// chunkOrNil is the chunk of f when it compiles.
func (f *luaFile) chunkOrNil() *luavm.Chunk {
	c, _ := f.compiled()
	return c
}

// decodeSpecWith is decodeSpec, without the spec's Tests when skipTests
// (withoutTests); a spec that does not decode so is decoded whole.
func decodeSpecWith(file string, data []byte, diags *diagList, budget *loadBudget, skipTests bool) (*Spec, *yaml.Node) {
	if skipTests {
		if short, ok := withoutTests(data); ok {
			var d diagList
			if spec, root := decodeSpec(file, short, &d, budget); spec != nil {
				diags.ds = append(diags.ds, d.ds...)
				return spec, root
			}
		}
	}
	return decodeSpec(file, data, diags, budget)
}

// withoutTests blanks the top-level block `Tests:` of a spec: its lines
// become empty, so that every other line keeps its number. It leaves
// alone (ok false) a spec without one, with two, or with a flow or inline
// value after the key. The block is the lines after the key that are
// blank, indented, comments or block sequence items ("- ").
func withoutTests(data []byte) ([]byte, bool) {
	lines := bytes.SplitAfter(data, []byte("\n"))
	start := -1
	for i, l := range lines {
		if !bytes.HasPrefix(l, []byte("Tests:")) {
			continue
		}
		if rest := bytes.TrimSpace(l[len("Tests:"):]); len(rest) > 0 && rest[0] != '#' || start >= 0 {
			return nil, false
		}
		start = i
	}
	if start < 0 {
		return nil, false
	}
	end := start + 1
	for ; end < len(lines); end++ {
		t := bytes.TrimRight(lines[end], "\r\n")
		if len(t) > 0 && t[0] != ' ' && t[0] != '\t' && t[0] != '#' && !bytes.Equal(t, []byte("-")) && !bytes.HasPrefix(t, []byte("- ")) {
			break
		}
	}
	out := make([]byte, 0, len(data))
	for i, l := range lines {
		if i < start || i >= end {
			out = append(out, l...)
		} else if bytes.HasSuffix(l, []byte("\n")) {
			out = append(out, '\n')
		}
	}
	return out, true
}

// loadLua reads and compiles the Lua file a spec names (or only reads it,
// with LazyLua).
func loadLua(src Source, dir, name, specFile string, line int, diags *diagList, opts LoadOptions) (string, *luaFile) {
	if name == "" {
		diags.errorf(specFile, line, 0, "add Filename: the .lua file beside the spec", "missing Filename")
		return "", nil
	}
	p := path.Clean(path.Join(dir, name))
	shown := src.show(p)
	if path.Ext(p) != ".lua" {
		diags.errorf(specFile, line, 0, "detections are Lua files", "Filename %s is not a .lua file", name)
		return shown, nil
	}
	data, err := readLimited(src.FS, p, MaxLuaBytes)
	if err != nil {
		hint := "the path is relative to the spec's folder"
		if entries, derr := fs.ReadDir(src.FS, dir); derr == nil {
			var names []string
			for _, e := range entries {
				if strings.HasSuffix(e.Name(), ".lua") {
					names = append(names, e.Name())
				}
			}
			if n := parsers.Nearest(path.Base(name), names); n != "" {
				hint = "did you mean " + n + "?"
			}
		}
		diags.errorf(specFile, line, 0, hint, "Filename %s: %v", name, unwrapPathError(err))
		return shown, nil
	}
	if l, ok := invalidUTF8(data); !ok {
		diags.errorf(shown, l, 0, "save the file as UTF-8", "the file is not valid UTF-8")
		return shown, nil
	}
	if opts.LazyLua && !opts.Coverage {
		return shown, &luaFile{name: shown, src: data}
	}
	chunk, err := luavm.CompileWith(shown, data, luavm.CompileOptions{Coverage: opts.Coverage})
	if err != nil {
		diags.add(diagFromError(shown, err))
		return shown, nil
	}
	return shown, &luaFile{name: shown, chunk: chunk}
}

// diagFromError turns an error that may carry a position into a diagnostic.
func diagFromError(file string, err error) Diagnostic {
	var se *luavm.SyntaxError
	if errors.As(err, &se) {
		return Diagnostic{File: se.File, Line: se.Line, Column: se.Column, Level: LevelError, Message: "Lua syntax error: " + se.Message}
	}
	type positioned interface {
		Position() (string, int)
	}
	var pe positioned
	if errors.As(err, &pe) {
		f, l := pe.Position()
		if f == "" {
			f = file
		}
		msg := strings.TrimPrefix(err.Error(), fmt.Sprintf("%s:%d: ", f, l))
		return Diagnostic{File: f, Line: l, Level: LevelError, Message: msg}
	}
	msg := err.Error()
	msg = strings.TrimPrefix(msg, file+":")
	return Diagnostic{File: file, Level: LevelError, Message: strings.TrimSpace(msg)}
}

// invalidUTF8 reports the line of the first invalid UTF-8 byte.
func invalidUTF8(data []byte) (int, bool) {
	if utf8.Valid(data) {
		return 0, true
	}
	line := 1
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size == 1 {
			return line, false
		}
		if data[i] == '\n' {
			line++
		}
		i += size
	}
	return line, false
}
