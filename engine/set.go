package engine

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"panther/alerts/rules"
	"panther/engine/luavm"
	"panther/parsers"
	"panther/parsers/event"
)

// Detection is a rule, scheduled rule or policy, loaded and compiled.
type Detection struct {
	Kind        Kind // TypeRule, TypeScheduledRule or TypePolicy
	ID          string
	File        string // the YAML spec
	Line        int    // of the ID key
	LuaFile     string
	Spec        *Spec
	Enabled     bool
	Severity    string // canonical: INFO ... CRITICAL
	Threshold   int
	DedupPeriod time.Duration
	LogTypes    []string // rules; ResourceTypes for policies
	Tests       []TestSpec
	// NoAlert is set for a building block rule (CreateAlert: false): its
	// matches feed rule_matches and correlations, but raise no alert.
	NoAlert bool
	// Correlation is the Detection of a correlation rule (Kind
	// TypeCorrelationRule), run by package correlate.
	Correlation *Correlation
	// distinct is ThresholdDistinct compiled; groupBy is GroupBy.
	distinct *distinctField
	groupBy  []FieldRef
	// firstSeen is FirstSeen compiled (applied by FirstSeenState).
	firstSeen *firstSeenRule
	lua       *luaFile
}

// ChunkGuard is rule()'s opening test, when the engine found one (see
// luavm.Guard).
func (d *Detection) ChunkGuard() *luavm.Guard {
	chunk, _ := d.lua.compiled()
	if chunk == nil {
		return nil
	}
	return chunk.Guard("rule")
}

// Title is the detection's default title: DisplayName, else the ID.
func (d *Detection) Title() string {
	if d.Spec.DisplayName != "" {
		return d.Spec.DisplayName
	}
	return d.ID
}

// Global is a Lua helper module (require(GlobalID)).
type Global struct {
	ID      string
	File    string
	LuaFile string
	lua     *luaFile
}

// DataModel maps UDM names to fields or methods for some log types.
type DataModel struct {
	ID       string
	File     string
	LuaFile  string
	Enabled  bool
	LogTypes []string
	Mappings []Mapping
	lua      *luaFile
}

// Mapping is one UDM name of a data model.
type Mapping struct {
	Name   string
	Path   *event.Path // or
	Method string
	Line   int
}

// Pack is a named set of detections.
type Pack struct {
	ID          string
	File        string
	DisplayName string
	Description string
	IDs         []string
	Spec        *Spec
}

// Query is a saved or scheduled query.
type Query struct {
	Name      string
	File      string
	SQL       string
	Scheduled bool
	Spec      *Spec
}

// CustomLogType is a log type declared in the detections tree.
type CustomLogType struct {
	File    string
	LogType *parsers.LogType
}

// AlertRule is an alert rule of the tree (AnalysisType: alert_rule): what
// the alert store applies to alerts and console events (alerts/rules).
type AlertRule struct {
	ID   string
	File string
	Line int
	Rule *rules.Rule
}

// Set is everything loaded from one or more detection trees.
type Set struct {
	Detections []*Detection // sorted by ID
	Globals    []*Global
	DataModels []*DataModel
	Packs      []*Pack
	Queries    []*Query
	LogTypes   []CustomLogType
	AlertRules []*AlertRule
	// AlertRuleSet links the alert rules (shared schedules, order).
	AlertRuleSet *rules.Set
	Registry     *parsers.Registry // built-in and custom log types
	Diagnostics  Diagnostics
	// Files are the spec files read, in order (for pack builds).
	Files []string
	// LoadOptions are the options the set was loaded with: a pack of it
	// is checked with the same (registry, custom log types, budget).
	LoadOptions LoadOptions
	// Origin says where the set came from, for summaries (LoadPaths):
	// "rules (12 detections)", "shipped library (109 detections)".
	Origin string
	// Internal is what net.is_internal calls ours (nil: the private ranges).
	Internal *luavm.Networks

	sources   []Source
	byID      map[string]*Detection
	globals   map[string]*Global
	models    map[string]*DataModel // by log type, enabled only
	modelByID map[string]*DataModel
	queries   map[string]*Query
	packs     map[string]*Pack
	byLogType map[string][]*Detection
	alertRule map[string]*AlertRule
}

func (s *Set) index() {
	s.byID = map[string]*Detection{}
	s.globals = map[string]*Global{}
	s.models = map[string]*DataModel{}
	s.modelByID = map[string]*DataModel{}
	s.queries = map[string]*Query{}
	s.packs = map[string]*Pack{}
	s.byLogType = map[string][]*Detection{}
	s.alertRule = map[string]*AlertRule{}
	slices.SortStableFunc(s.AlertRules, func(a, b *AlertRule) int { return strings.Compare(a.ID, b.ID) })
	for _, r := range s.AlertRules {
		if _, dup := s.alertRule[r.ID]; !dup {
			s.alertRule[r.ID] = r
		}
	}
	slices.SortStableFunc(s.Detections, func(a, b *Detection) int { return strings.Compare(a.ID, b.ID) })
	for _, d := range s.Detections {
		if _, dup := s.byID[d.ID]; !dup {
			s.byID[d.ID] = d
		}
		if d.Kind == TypeRule && d.Enabled {
			for _, lt := range d.LogTypes {
				s.byLogType[lt] = append(s.byLogType[lt], d)
			}
		}
	}
	for _, g := range s.Globals {
		if _, dup := s.globals[g.ID]; !dup {
			s.globals[g.ID] = g
		}
	}
	for _, m := range s.DataModels {
		if _, dup := s.modelByID[m.ID]; !dup {
			s.modelByID[m.ID] = m
		}
		if m.Enabled {
			for _, lt := range m.LogTypes {
				if _, dup := s.models[lt]; !dup {
					s.models[lt] = m
				}
			}
		}
	}
	for _, q := range s.Queries {
		if _, dup := s.queries[q.Name]; !dup {
			s.queries[q.Name] = q
		}
	}
	for _, p := range s.Packs {
		if _, dup := s.packs[p.ID]; !dup {
			s.packs[p.ID] = p
		}
	}
}

// Detection finds a detection by ID.
func (s *Set) Detection(id string) (*Detection, bool) {
	d, ok := s.byID[id]
	return d, ok
}

// AlertRule finds an alert rule by AlertRuleID.
func (s *Set) AlertRule(id string) (*AlertRule, bool) {
	r, ok := s.alertRule[id]
	return r, ok
}

// Global finds a helper by GlobalID.
func (s *Set) Global(id string) (*Global, bool) {
	g, ok := s.globals[id]
	return g, ok
}

// DataModelFor returns the enabled data model of a log type.
func (s *Set) DataModelFor(logType string) (*DataModel, bool) {
	m, ok := s.models[logType]
	return m, ok
}

// DataModel finds a data model by ID.
func (s *Set) DataModel(id string) (*DataModel, bool) {
	m, ok := s.modelByID[id]
	return m, ok
}

// Query finds a saved or scheduled query by name.
func (s *Set) Query(name string) (*Query, bool) {
	q, ok := s.queries[name]
	return q, ok
}

// Pack finds a pack by ID.
func (s *Set) Pack(id string) (*Pack, bool) {
	p, ok := s.packs[id]
	return p, ok
}

// RulesFor returns the enabled rules of a log type, sorted by ID.
func (s *Set) RulesFor(logType string) []*Detection { return s.byLogType[logType] }

// LogTypesInUse lists the log types enabled rules read, sorted.
func (s *Set) LogTypesInUse() []string {
	out := make([]string, 0, len(s.byLogType))
	for lt := range s.byLogType {
		out = append(out, lt)
	}
	slices.Sort(out)
	return out
}

// chunkOf returns the compiled Lua of a helper, for require: nil when
// there is none, an error when it was left to compile on first use and
// does not compile (LoadOptions.LazyLua).
func (s *Set) chunkOf(name string) (*luavm.Chunk, error) {
	g, ok := s.globals[name]
	if !ok {
		return nil, nil
	}
	return g.lua.compiled()
}

// ReadFile reads a file of the set by the path its diagnostics and fields
// (File, LuaFile) show, from the source it was loaded from.
func (s *Set) ReadFile(shown string) ([]byte, error) {
	for _, src := range s.sources {
		rel, ok := src.rel(shown)
		if !ok {
			continue
		}
		data, err := fs.ReadFile(src.FS, rel)
		if err == nil {
			return data, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
	}
	return nil, fmt.Errorf("%s: not a file of the loaded detections", shown)
}

// OSPath returns where a shown path of the set is on disk, for writing;
// false for files of embedded trees.
func (s *Set) OSPath(shown string) (string, bool) {
	for _, src := range s.sources {
		if src.Dir == "" {
			continue
		}
		if rel, ok := src.rel(shown); ok {
			return filepath.Join(src.Dir, filepath.FromSlash(rel)), true
		}
	}
	return "", false
}

// FixtureInputs lists the files a fixture's Input names: the file itself,
// or, for a folder (a chain across log types needs one file per source),
// every file in it, in name order, as replay reads a folder.
func (s *Set) FixtureInputs(shown string) ([]string, error) {
	for _, src := range s.sources {
		rel, ok := src.rel(shown)
		if !ok {
			continue
		}
		st, err := fs.Stat(src.FS, rel)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if !st.IsDir() {
			return []string{shown}, nil
		}
		ents, err := fs.ReadDir(src.FS, rel)
		if err != nil {
			return nil, err
		}
		var out []string
		for _, e := range ents {
			if !e.IsDir() && !strings.HasPrefix(e.Name(), ".") && !strings.HasSuffix(e.Name(), ".expected.yml") {
				out = append(out, shown+"/"+e.Name())
			}
		}
		if len(out) == 0 {
			return nil, fmt.Errorf("%s: a folder without files", shown)
		}
		return out, nil
	}
	return nil, fmt.Errorf("%s: %w", shown, fs.ErrNotExist)
}

// Open opens a shown path of the set for reading (fixture inputs).
func (s *Set) Open(shown string) (io.ReadCloser, error) {
	for _, src := range s.sources {
		rel, ok := src.rel(shown)
		if !ok {
			continue
		}
		f, err := src.FS.Open(rel)
		if err == nil {
			return f, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
	}
	return nil, fmt.Errorf("%s: %w", shown, fs.ErrNotExist)
}
