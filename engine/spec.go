package engine

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"panther/parsers"
	"panther/parsers/event"
)

// Kind is what a spec is: its AnalysisType.
type Kind string

// Analysis types.
const (
	TypeRule           Kind = "rule"
	TypeScheduledRule  Kind = "scheduled_rule"
	TypePolicy         Kind = "policy"
	TypeGlobal         Kind = "global"
	TypeDataModel      Kind = "datamodel"
	TypePack           Kind = "pack"
	TypeSavedQuery     Kind = "saved_query"
	TypeScheduledQuery Kind = "scheduled_query"
	TypeLogType        Kind = "log_type"
	// TypeAlertRule is an alert rule of the alert store (package
	// alerts/rules decodes it).
	TypeAlertRule Kind = "alert_rule"
)

var analysisTypes = []string{string(TypeRule), string(TypeScheduledRule), string(TypePolicy), string(TypeGlobal),
	string(TypeDataModel), string(TypePack), string(TypeSavedQuery), string(TypeScheduledQuery), string(TypeLogType),
	string(TypeCorrelationRule), string(TypeAlertRule)}

// Spec is a decoded YAML spec. One struct serves every analysis type; the
// keys each type allows are in specKeys, and decoding refuses the others.
type Spec struct {
	AnalysisType       Kind                `yaml:"AnalysisType"`
	RuleID             string              `yaml:"RuleID"`
	PolicyID           string              `yaml:"PolicyID"`
	GlobalID           string              `yaml:"GlobalID"`
	DataModelID        string              `yaml:"DataModelID"`
	PackID             string              `yaml:"PackID"`
	QueryName          string              `yaml:"QueryName"`
	DisplayName        string              `yaml:"DisplayName"`
	Enabled            *bool               `yaml:"Enabled"`
	Filename           string              `yaml:"Filename"`
	LogTypes           []string            `yaml:"LogTypes"`
	ResourceTypes      []string            `yaml:"ResourceTypes"`
	ScheduledQueries   []string            `yaml:"ScheduledQueries"`
	Severity           string              `yaml:"Severity"`
	Description        string              `yaml:"Description"`
	Runbook            string              `yaml:"Runbook"`
	Reference          string              `yaml:"Reference"`
	Tags               []string            `yaml:"Tags"`
	Reports            map[string][]string `yaml:"Reports"`
	SummaryAttributes  []string            `yaml:"SummaryAttributes"`
	DedupPeriodMinutes *int                `yaml:"DedupPeriodMinutes"`
	Threshold          *int                `yaml:"Threshold"`
	OutputIds          []string            `yaml:"OutputIds"`
	CreateAlert        *bool               `yaml:"CreateAlert"`
	Suppressions       []string            `yaml:"Suppressions"`
	Mappings           []MappingSpec       `yaml:"Mappings"`
	PackDefinition     struct {
		IDs []string `yaml:"IDs"`
	} `yaml:"PackDefinition"`
	PackDefinitionType string        `yaml:"PackDefinitionType"`
	Query              string        `yaml:"Query"`
	Schedule           *ScheduleSpec `yaml:"Schedule"`
	Lookback           *bool         `yaml:"Lookback"`
	LookbackWindowSecs *int          `yaml:"LookbackWindowSeconds"`
	Tests              []TestSpec    `yaml:"-"`
	Fixtures           []FixtureSpec `yaml:"-"`
	// ThresholdDistinct makes Threshold count distinct values of this field
	// path (or p_any_* list) among an alert's events, not events.
	ThresholdDistinct string `yaml:"ThresholdDistinct"`
	// GroupBy: field paths whose values make the default dedup string.
	GroupBy []string `yaml:"GroupBy"`
	// FirstSeen makes the rule match only values new for their key
	// (firstseen.go).
	FirstSeen *FirstSeenSpec `yaml:"-"`
	// Correlation is the Detection of a correlation rule.
	Correlation *Correlation `yaml:"-"`
}

// MappingSpec is one data model mapping: a name and a Path or a Method.
type MappingSpec struct {
	Name   string `yaml:"Name"`
	Path   string `yaml:"Path"`
	Method string `yaml:"Method"`
	Line   int    `yaml:"-"`
}

// ScheduleSpec is when a scheduled query runs.
type ScheduleSpec struct {
	RateMinutes    int    `yaml:"RateMinutes"`
	CronExpression string `yaml:"CronExpression"`
	TimeoutMinutes int    `yaml:"TimeoutMinutes"`
}

// TestSpec is one unit test of a detection.
type TestSpec struct {
	Name           string
	ExpectedResult bool
	// Log is the event (rules) or resource (policies) as JSON.
	Log []byte
	// History are the events before Log, as JSON, for a rule with
	// FirstSeen (ours): they make the values seen.
	History [][]byte
	Mocks   []MockSpec
	// Expect asserts the outputs of the auxiliary functions (ours).
	Expect *ExpectSpec
	// RuleOutputs are the matches a correlation test feeds (Panther's).
	RuleOutputs []RuleOutput
	Line        int // where the test starts in its YAML file
}

// MockSpec replaces a global (or a helper module's field) for one test.
type MockSpec struct {
	ObjectName  string
	ReturnValue any // any YAML value
	Line        int
}

// ExpectSpec holds the expected outputs of a matching test. A nil field is
// not checked. AlertContext is matched as a subset.
type ExpectSpec struct {
	Title        *string
	Dedup        *string
	Severity     *string
	Description  *string
	Reference    *string
	Runbook      *string
	AlertContext any
	Destinations *[]string
}

// FixtureSpec names a fixture test (raw logs through the replay path).
type FixtureSpec struct {
	Name     string `yaml:"Name"`
	Input    string `yaml:"Input"`
	LogType  string `yaml:"LogType"`
	Expected string `yaml:"Expected"`
	Line     int    `yaml:"-"`
}

var (
	ruleKeys = []string{"AnalysisType", "RuleID", "DisplayName", "Enabled", "Filename", "LogTypes",
		"Severity", "Description", "Runbook", "Reference", "Tags", "Reports", "SummaryAttributes",
		"DedupPeriodMinutes", "Threshold", "OutputIds", "CreateAlert", "Tests", "Fixtures", "ThresholdDistinct", "GroupBy",
		"FirstSeen"}
	specKeys = map[Kind][]string{
		TypeRule: ruleKeys,
		TypeScheduledRule: append(slices.DeleteFunc(slices.Clone(ruleKeys), func(k string) bool {
			return k == "LogTypes" || k == "ThresholdDistinct" || k == "GroupBy" || k == "FirstSeen"
		}), "ScheduledQueries"),
		TypeCorrelationRule: correlationKeys,
		TypePolicy: {"AnalysisType", "PolicyID", "DisplayName", "Enabled", "Filename", "ResourceTypes",
			"Severity", "Description", "Runbook", "Reference", "Tags", "Reports", "Suppressions",
			"OutputIds", "Tests"},
		TypeGlobal:    {"AnalysisType", "GlobalID", "Filename", "Description", "Tags"},
		TypeDataModel: {"AnalysisType", "DataModelID", "DisplayName", "Enabled", "Filename", "LogTypes", "Mappings", "Description"},
		TypePack:      {"AnalysisType", "PackID", "DisplayName", "Description", "PackDefinition", "PackDefinitionType", "Tags"},
		TypeSavedQuery: {"AnalysisType", "QueryName", "Query", "Description", "Tags", "DisplayName",
			"Lookback", "LookbackWindowSeconds"},
		TypeScheduledQuery: {"AnalysisType", "QueryName", "Query", "Description", "Tags", "DisplayName",
			"Enabled", "Schedule", "Lookback", "LookbackWindowSeconds"},
	}
	requiredKeys = map[Kind][]string{
		TypeRule:            {"RuleID", "Filename", "LogTypes", "Severity"},
		TypeScheduledRule:   {"RuleID", "Filename", "ScheduledQueries", "Severity"},
		TypePolicy:          {"PolicyID", "Filename", "ResourceTypes", "Severity"},
		TypeGlobal:          {"GlobalID", "Filename"},
		TypeDataModel:       {"DataModelID", "LogTypes", "Mappings"},
		TypePack:            {"PackID", "PackDefinition"},
		TypeSavedQuery:      {"QueryName", "Query"},
		TypeScheduledQuery:  {"QueryName", "Query", "Schedule"},
		TypeCorrelationRule: {"RuleID", "Severity", "Detection"},
	}
	testKeys     = []string{"Name", "ExpectedResult", "Log", "Resource", "Mocks", "Expect", "RuleOutputs", "History"}
	mockKeys     = []string{"objectName", "returnValue"}
	expectKeys   = []string{"Title", "Dedup", "Severity", "Description", "Reference", "Runbook", "AlertContext", "Destinations"}
	mappingKeys  = []string{"Name", "Path", "Method"}
	fixtureKeys  = []string{"Name", "Input", "LogType", "Expected"}
	scheduleKeys = []string{"RateMinutes", "CronExpression", "TimeoutMinutes"}
	packDefKeys  = []string{"IDs"}
	// keys of Panther's format that we knowingly do not support, with why.
	unsupportedKeys = map[string]string{
		"Detection":            "YAML-only (simple) detections are not supported: write the logic in Lua",
		"InlineFilters":        "inline filters are not supported: put the condition in rule()",
		"DynamicSeverities":    "write a severity() function in Lua instead",
		"AlertTitle":           "write a title() function in Lua instead",
		"AlertContext":         "write an alert_context() function in Lua instead",
		"OnlyUseBaseRiskScore": "risk scores are not supported",
	}
)

// Severities, in order.
var Severities = []string{"INFO", "LOW", "MEDIUM", "HIGH", "CRITICAL"}

// NormalizeSeverity returns the canonical upper-case severity, or false.
func NormalizeSeverity(s string) (string, bool) {
	u := strings.ToUpper(strings.TrimSpace(s))
	if slices.Contains(Severities, u) {
		return u, true
	}
	return "", false
}

var mitreRe = regexp.MustCompile(`^TA\d{4}(:T\d{4}(\.\d{3})?)?$`)

// decodeSpec decodes one YAML document strictly. Problems go to diags;
// the spec is returned when it is usable despite warnings.
func decodeSpec(file string, data []byte, diags *diagList, budget *loadBudget) (*Spec, *yaml.Node) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		line, msg := yamlErrorLine(err)
		diags.errorf(file, line, 0, "fix the YAML syntax", "%s", msg)
		return nil, nil
	}
	// Nothing converts the tree (expanding its aliases) before its size
	// is known (yamlsize.go).
	size, line, fits := ExpandedSize(&doc, MaxSpecExpanded)
	if !fits {
		diags.errorf(file, line, 0, "write the values out, or split the file", "the spec expands to more than %d MiB with its aliases expanded (an alias bomb?)", MaxSpecExpanded>>20)
		return nil, nil
	}
	if !budget.take(size) {
		diags.errorf(file, 0, 0, "split the pack or the folder", "the specs loaded together expand to more than %d MiB in all", MaxLoadYAML>>20)
		return nil, nil
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		diags.errorf(file, 0, 0, "", "empty YAML file")
		return nil, nil
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		diags.errorf(file, root.Line, root.Column, "a spec is a mapping of keys such as AnalysisType and RuleID", "expected a mapping, found %s", kindName(root))
		return nil, nil
	}
	if isSigmaCorrelation(root) {
		return decodeSigma(file, root, diags)
	}
	at := mapGet(root, "AnalysisType")
	if at == nil {
		hint := "add AnalysisType: rule (or policy, global, datamodel, pack, saved_query, ...)"
		for i := 0; i < len(root.Content); i += 2 {
			if k := root.Content[i].Value; parsers.Nearest(k, []string{"AnalysisType"}) != "" {
				diags.errorf(file, root.Content[i].Line, root.Content[i].Column, "did you mean AnalysisType?", "unknown key %q", k)
				return nil, nil
			}
		}
		// Other YAML (a CI file, a compose file) may live in the tree: say
		// it is skipped rather than fail the run.
		diags.warnf(file, root.Line, root.Column, hint+" if it is one", "not a panther spec (no AnalysisType): skipped")
		return nil, nil
	}
	typ := Kind(at.Value)
	if !slices.Contains(analysisTypes, at.Value) {
		hint := "one of " + strings.Join(analysisTypes, ", ")
		if n := parsers.Nearest(at.Value, analysisTypes); n != "" {
			hint = "did you mean " + n + "?"
		}
		diags.errorf(file, at.Line, at.Column, hint, "unknown AnalysisType %q", typ)
		return nil, nil
	}
	if typ == TypeLogType || typ == TypeAlertRule {
		return &Spec{AnalysisType: typ}, root // decoded by their own packages
	}
	ok := checkKeys(file, root, specKeys[typ], diags, "")
	for _, req := range requiredKeys[typ] {
		if n := mapGet(root, req); n == nil || (n.Kind == yaml.ScalarNode && n.Value == "" && n.Tag != "!!str") {
			diags.errorf(file, root.Line, root.Column, "", "missing required key %s for AnalysisType %s", req, typ)
			ok = false
		}
	}
	// Decode everything but Tests and Fixtures, which we walk ourselves to
	// keep line numbers and YAML values exact.
	stripped := &yaml.Node{Kind: yaml.MappingNode, Tag: root.Tag, Line: root.Line, Column: root.Column}
	for i := 0; i+1 < len(root.Content); i += 2 {
		switch root.Content[i].Value {
		case "Tests", "Fixtures", "Mappings", "PackDefinition", "Schedule", "Detection", "FirstSeen":
			continue
		}
		stripped.Content = append(stripped.Content, root.Content[i], root.Content[i+1])
	}
	s := &Spec{}
	if err := stripped.Decode(s); err != nil {
		reportDecodeError(file, err, diags)
		ok = false
	}
	if n := mapGet(root, "Mappings"); n != nil {
		ok = decodeMappings(file, n, s, diags) && ok
	}
	if n := mapGet(root, "PackDefinition"); n != nil {
		if checkKeys(file, n, packDefKeys, diags, "PackDefinition.") {
			if err := n.Decode(&s.PackDefinition); err != nil {
				reportDecodeError(file, err, diags)
				ok = false
			}
		} else {
			ok = false
		}
	}
	if n := mapGet(root, "Schedule"); n != nil {
		s.Schedule = &ScheduleSpec{}
		if !checkKeys(file, n, scheduleKeys, diags, "Schedule.") {
			ok = false
		} else if err := n.Decode(s.Schedule); err != nil {
			reportDecodeError(file, err, diags)
			ok = false
		}
	}
	if n := mapGet(root, "Detection"); n != nil && typ == TypeCorrelationRule {
		c, good := decodeCorrelation(file, n, diags)
		s.Correlation, ok = c, ok && good
	}
	if n := mapGet(root, "FirstSeen"); n != nil && typ == TypeRule {
		fs, good := decodeFirstSeen(file, n, diags)
		s.FirstSeen, ok = fs, ok && good
	}
	if n := mapGet(root, "Tests"); n != nil {
		ok = decodeTests(file, n, s, typ, diags) && ok
	}
	if n := mapGet(root, "Fixtures"); n != nil {
		ok = decodeFixtures(file, n, s, diags) && ok
	}
	ok = checkValues(file, root, s, diags) && ok
	if !ok {
		return nil, root
	}
	return s, root
}

// checkKeys reports unknown and duplicate keys of a mapping node.
func checkKeys(file string, n *yaml.Node, known []string, diags *diagList, prefix string) bool {
	if n.Kind != yaml.MappingNode {
		diags.errorf(file, n.Line, n.Column, "", "%sexpected a mapping, found %s", prefix, kindName(n))
		return false
	}
	ok := true
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if first, dup := seen[k.Value]; dup {
			diags.errorf(file, k.Line, k.Column, fmt.Sprintf("first at line %d", first), "duplicate key %s%s", prefix, k.Value)
			ok = false
			continue
		}
		seen[k.Value] = k.Line
		if slices.Contains(known, k.Value) {
			continue
		}
		ok = false
		if why, has := unsupportedKeys[k.Value]; has && prefix == "" {
			diags.errorf(file, k.Line, k.Column, why, "unsupported key %s", k.Value)
			continue
		}
		hint := "valid keys: " + strings.Join(known, ", ")
		if near := parsers.Nearest(k.Value, known); near != "" {
			hint = "did you mean " + prefix + near + "?"
		}
		diags.errorf(file, k.Line, k.Column, hint, "unknown key %s%s", prefix, k.Value)
	}
	return ok
}

func decodeMappings(file string, n *yaml.Node, s *Spec, diags *diagList) bool {
	if n.Kind != yaml.SequenceNode {
		diags.errorf(file, n.Line, n.Column, "a list of {Name, Path} or {Name, Method}", "Mappings: expected a list, found %s", kindName(n))
		return false
	}
	ok := true
	for _, item := range n.Content {
		if !checkKeys(file, item, mappingKeys, diags, "Mappings.") {
			ok = false
			continue
		}
		var m MappingSpec
		if err := item.Decode(&m); err != nil {
			reportDecodeError(file, err, diags)
			ok = false
			continue
		}
		m.Line = item.Line
		switch {
		case m.Name == "":
			diags.errorf(file, item.Line, item.Column, "", "mapping without a Name")
			ok = false
		case (m.Path == "") == (m.Method == ""):
			diags.errorf(file, item.Line, item.Column, "give exactly one of Path or Method", "mapping %s: needs a Path or a Method", m.Name)
			ok = false
		}
		s.Mappings = append(s.Mappings, m)
	}
	return ok
}

func decodeTests(file string, n *yaml.Node, s *Spec, typ Kind, diags *diagList) bool {
	if n.Kind != yaml.SequenceNode {
		diags.errorf(file, n.Line, n.Column, "", "Tests: expected a list, found %s", kindName(n))
		return false
	}
	ok := true
	names := map[string]int{}
	for _, item := range n.Content {
		if !checkKeys(file, item, testKeys, diags, "Tests.") {
			ok = false
			continue
		}
		t := TestSpec{Line: item.Line}
		nameNode := mapGet(item, "Name")
		if nameNode == nil || nameNode.Value == "" {
			diags.errorf(file, item.Line, item.Column, "", "test without a Name")
			ok = false
			continue
		}
		t.Name = nameNode.Value
		if first, dup := names[t.Name]; dup {
			diags.errorf(file, nameNode.Line, nameNode.Column, fmt.Sprintf("first at line %d", first), "duplicate test name %q", t.Name)
			ok = false
		}
		names[t.Name] = nameNode.Line
		er := mapGet(item, "ExpectedResult")
		if er == nil {
			diags.errorf(file, item.Line, item.Column, "add ExpectedResult: true or false", "test %q: missing ExpectedResult", t.Name)
			ok = false
		} else if err := er.Decode(&t.ExpectedResult); err != nil || er.Tag != "!!bool" {
			diags.errorf(file, er.Line, er.Column, "", "test %q: ExpectedResult must be true or false, not %q", t.Name, er.Value)
			ok = false
		}
		if ro := mapGet(item, "RuleOutputs"); typ == TypeCorrelationRule || ro != nil {
			if typ != TypeCorrelationRule {
				diags.errorf(file, ro.Line, ro.Column, "RuleOutputs are for correlation rules; a rule's test has a Log", "test %q: RuleOutputs in a %s", t.Name, typ)
				ok = false
			} else if ro == nil {
				t.RuleOutputs = []RuleOutput{} // no match at all
			} else {
				outs, good := decodeRuleOutputs(file, ro, t.Name, diags)
				t.RuleOutputs, ok = outs, ok && good
			}
			if l := mapGet(item, "Log"); l != nil && typ == TypeCorrelationRule {
				diags.errorf(file, l.Line, l.Column, "a correlation test lists RuleOutputs: the matches of its steps", "test %q: Log in a correlation test", t.Name)
				ok = false
			}
			if e := mapGet(item, "Expect"); e != nil && checkKeys(file, e, expectKeys, diags, "Expect.") {
				ex, err := decodeExpect(e)
				if err != nil {
					diags.errorf(file, e.Line, e.Column, "", "test %q: Expect: %v", t.Name, err)
					ok = false
				}
				t.Expect = ex
			} else if e != nil {
				ok = false
			}
			if m := mapGet(item, "Mocks"); m != nil {
				diags.errorf(file, m.Line, m.Column, "", "test %q: Mocks are not supported in correlation tests", t.Name)
				ok = false
			}
			if h := mapGet(item, "History"); h != nil {
				diags.errorf(file, h.Line, h.Column, "History is for the tests of rules with FirstSeen", "test %q: History in a correlation test", t.Name)
				ok = false
			}
			s.Tests = append(s.Tests, t)
			continue
		}
		logNode := mapGet(item, "Log")
		if typ == TypePolicy {
			if r := mapGet(item, "Resource"); r != nil {
				logNode = r
			}
		}
		if logNode == nil {
			want := "Log"
			if typ == TypePolicy {
				want = "Resource"
			}
			diags.errorf(file, item.Line, item.Column, "add the event under "+want, "test %q: missing %s", t.Name, want)
			ok = false
		} else if logNode.Kind != yaml.MappingNode {
			diags.errorf(file, logNode.Line, logNode.Column, "", "test %q: the event must be a mapping, found %s", t.Name, kindName(logNode))
			ok = false
		} else {
			js, err := nodeJSON(nil, logNode)
			if err != nil {
				diags.errorf(file, logNode.Line, logNode.Column, "", "test %q: %v", t.Name, err)
				ok = false
			}
			t.Log = js
		}
		if h := mapGet(item, "History"); h != nil {
			hist, good := decodeHistory(file, h, s, t.Name, diags)
			t.History, ok = hist, ok && good
		}
		if m := mapGet(item, "Mocks"); m != nil {
			if m.Kind != yaml.SequenceNode {
				diags.errorf(file, m.Line, m.Column, "", "test %q: Mocks must be a list", t.Name)
				ok = false
			} else {
				for _, mi := range m.Content {
					if !checkKeys(file, mi, mockKeys, diags, "Mocks.") {
						ok = false
						continue
					}
					on := mapGet(mi, "objectName")
					if on == nil || on.Value == "" {
						diags.errorf(file, mi.Line, mi.Column, "", "test %q: mock without objectName", t.Name)
						ok = false
						continue
					}
					var rv any
					if rvn := mapGet(mi, "returnValue"); rvn != nil {
						v, err := nodeValue(rvn)
						if err != nil {
							diags.errorf(file, rvn.Line, rvn.Column, "", "test %q: %v", t.Name, err)
							ok = false
						}
						rv = v
					}
					t.Mocks = append(t.Mocks, MockSpec{ObjectName: on.Value, ReturnValue: rv, Line: mi.Line})
				}
			}
		}
		if e := mapGet(item, "Expect"); e != nil {
			if !checkKeys(file, e, expectKeys, diags, "Expect.") {
				ok = false
			} else {
				ex, err := decodeExpect(e)
				if err != nil {
					diags.errorf(file, e.Line, e.Column, "", "test %q: Expect: %v", t.Name, err)
					ok = false
				}
				if ex != nil && ex.Severity != nil {
					if _, valid := NormalizeSeverity(*ex.Severity); !valid {
						diags.errorf(file, e.Line, e.Column, "one of Info, Low, Medium, High, Critical", "test %q: Expect.Severity %q is not a severity", t.Name, *ex.Severity)
						ok = false
					}
				}
				t.Expect = ex
			}
		}
		s.Tests = append(s.Tests, t)
	}
	return ok
}

func decodeExpect(n *yaml.Node) (*ExpectSpec, error) {
	ex := &ExpectSpec{}
	str := func(key string, dst **string) error {
		v := mapGet(n, key)
		if v == nil {
			return nil
		}
		if v.Kind != yaml.ScalarNode {
			return fmt.Errorf("line %d: %s must be a string", v.Line, key)
		}
		s := v.Value
		*dst = &s
		return nil
	}
	for key, dst := range map[string]**string{"Title": &ex.Title, "Dedup": &ex.Dedup, "Severity": &ex.Severity,
		"Description": &ex.Description, "Reference": &ex.Reference, "Runbook": &ex.Runbook} {
		if err := str(key, dst); err != nil {
			return nil, err
		}
	}
	if v := mapGet(n, "AlertContext"); v != nil {
		val, err := nodeValue(v)
		if err != nil {
			return nil, err
		}
		ex.AlertContext = val
	}
	if v := mapGet(n, "Destinations"); v != nil {
		var d []string
		if err := v.Decode(&d); err != nil {
			return nil, fmt.Errorf("line %d: Destinations must be a list of strings", v.Line)
		}
		ex.Destinations = &d
	}
	return ex, nil
}

func decodeFixtures(file string, n *yaml.Node, s *Spec, diags *diagList) bool {
	if n.Kind != yaml.SequenceNode {
		diags.errorf(file, n.Line, n.Column, "", "Fixtures: expected a list, found %s", kindName(n))
		return false
	}
	ok := true
	for _, item := range n.Content {
		if !checkKeys(file, item, fixtureKeys, diags, "Fixtures.") {
			ok = false
			continue
		}
		var f FixtureSpec
		if err := item.Decode(&f); err != nil {
			reportDecodeError(file, err, diags)
			ok = false
			continue
		}
		f.Line = item.Line
		if f.Input == "" {
			diags.errorf(file, item.Line, item.Column, "Input: the raw log file, relative to this spec", "fixture without an Input")
			ok = false
			continue
		}
		if f.Name == "" {
			f.Name = f.Input
		}
		s.Fixtures = append(s.Fixtures, f)
	}
	return ok
}

// checkValues validates values the struct types cannot: severities,
// thresholds, MITRE ids.
func checkValues(file string, root *yaml.Node, s *Spec, diags *diagList) bool {
	ok := true
	at := func(key string) (int, int) {
		if v := mapGet(root, key); v != nil {
			return v.Line, v.Column
		}
		return root.Line, root.Column
	}
	if s.Severity != "" {
		if _, valid := NormalizeSeverity(s.Severity); !valid {
			l, c := at("Severity")
			diags.errorf(file, l, c, "one of Info, Low, Medium, High, Critical", "Severity %q is not a severity", s.Severity)
			ok = false
		}
	}
	if s.Threshold != nil && (*s.Threshold < 1 || *s.Threshold > 1_000_000) {
		l, c := at("Threshold")
		diags.errorf(file, l, c, "Threshold is the number of matching events that raise an alert: 1 or more", "Threshold %d is out of range", *s.Threshold)
		ok = false
	}
	if s.ThresholdDistinct != "" {
		if _, err := event.ParsePath(s.ThresholdDistinct); err != nil {
			l, c := at("ThresholdDistinct")
			diags.errorf(file, l, c, "a field path (sourceIPAddress, userIdentity.arn) or a p_any_* list", "ThresholdDistinct: %v", err)
			ok = false
		}
	}
	for _, g := range s.GroupBy {
		if _, err := event.ParsePath(g); err != nil {
			l, c := at("GroupBy")
			diags.errorf(file, l, c, "field paths such as sourceIPAddress or userIdentity.arn", "GroupBy: %v", err)
			ok = false
		}
	}
	if s.DedupPeriodMinutes != nil && (*s.DedupPeriodMinutes < 1 || *s.DedupPeriodMinutes > 7*24*60) {
		l, c := at("DedupPeriodMinutes")
		diags.errorf(file, l, c, "between 1 and 10080 (a week)", "DedupPeriodMinutes %d is out of range", *s.DedupPeriodMinutes)
		ok = false
	}
	for framework, ids := range s.Reports {
		if !strings.EqualFold(framework, "MITRE ATT&CK") {
			continue
		}
		for _, id := range ids {
			if !mitreRe.MatchString(id) {
				l, c := at("Reports")
				diags.errorf(file, l, c, "write tactic:technique, like TA0005:T1562.008", "MITRE ATT&CK id %q is malformed", id)
				ok = false
			}
		}
	}
	if s.AnalysisType == TypePack {
		if err := CheckPackID(s.PackID); err != nil {
			l, c := at("PackID")
			diags.errorf(file, l, c, "a PackID is 1 to 256 printable characters without / or \\", "PackID %q: %v", s.PackID, err)
			ok = false
		}
	}
	if strings.HasSuffix(s.Filename, ".py") {
		l, c := at("Filename")
		diags.errorf(file, l, c, "panther detections are Lua: port the Python file to a .lua file", "Filename %s is a Python file", s.Filename)
		ok = false
	}
	return ok
}

func mapGet(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return fmt.Sprintf("the value %q", n.Value)
	case yaml.AliasNode:
		return "an alias"
	}
	return "nothing"
}

var yamlLineRe = regexp.MustCompile(`line (\d+):? ?`)

// yamlErrorLine extracts the line of a yaml.v3 error.
func yamlErrorLine(err error) (int, string) {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	if m := yamlLineRe.FindStringSubmatchIndex(msg); m != nil {
		line, _ := strconv.Atoi(msg[m[2]:m[3]])
		return line, strings.TrimSpace(msg[:m[0]] + msg[m[1]:])
	}
	return 0, msg
}

func reportDecodeError(file string, err error, diags *diagList) {
	if te, ok := err.(*yaml.TypeError); ok {
		for _, e := range te.Errors {
			line, msg := yamlErrorLine(fmt.Errorf("%s", e))
			msg = strings.Replace(msg, "cannot unmarshal", "wrong type:", 1)
			diags.errorf(file, line, 0, "", "%s", msg)
		}
		return
	}
	line, msg := yamlErrorLine(err)
	diags.errorf(file, line, 0, "", "%s", msg)
}

// nodeValue converts a YAML node to plain Go values (map[string]any,
// []any, string, int64, float64, bool, nil). Timestamps stay strings:
// events hold times as text.
func nodeValue(n *yaml.Node) (any, error) {
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return nodeValue(n.Content[0])
	case yaml.AliasNode:
		return nodeValue(n.Alias)
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if k.Kind != yaml.ScalarNode {
				return nil, fmt.Errorf("line %d: keys must be strings", k.Line)
			}
			v, err := nodeValue(n.Content[i+1])
			if err != nil {
				return nil, err
			}
			m[k.Value] = v
		}
		return m, nil
	case yaml.SequenceNode:
		l := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			v, err := nodeValue(c)
			if err != nil {
				return nil, err
			}
			l = append(l, v)
		}
		return l, nil
	}
	switch n.ShortTag() {
	case "!!null":
		return nil, nil
	case "!!bool":
		var b bool
		if err := n.Decode(&b); err != nil {
			return nil, fmt.Errorf("line %d: %v", n.Line, err)
		}
		return b, nil
	case "!!int":
		var i int64
		if err := n.Decode(&i); err != nil {
			var f float64
			if n.Decode(&f) == nil {
				return f, nil
			}
			return nil, fmt.Errorf("line %d: %v", n.Line, err)
		}
		return i, nil
	case "!!float":
		var f float64
		if err := n.Decode(&f); err != nil {
			return nil, fmt.Errorf("line %d: %v", n.Line, err)
		}
		if math.IsInf(f, 0) || math.IsNaN(f) {
			return nil, fmt.Errorf("line %d: %s has no JSON form", n.Line, n.Value)
		}
		return f, nil
	}
	return n.Value, nil
}

// nodeJSON appends the JSON of a YAML node, keeping the key order.
func nodeJSON(dst []byte, n *yaml.Node) ([]byte, error) {
	switch n.Kind {
	case yaml.AliasNode:
		return nodeJSON(dst, n.Alias)
	case yaml.MappingNode:
		dst = append(dst, '{')
		for i := 0; i+1 < len(n.Content); i += 2 {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = event.AppendString(dst, n.Content[i].Value)
			dst = append(dst, ':')
			var err error
			if dst, err = nodeJSON(dst, n.Content[i+1]); err != nil {
				return dst, err
			}
		}
		return append(dst, '}'), nil
	case yaml.SequenceNode:
		dst = append(dst, '[')
		for i, c := range n.Content {
			if i > 0 {
				dst = append(dst, ',')
			}
			var err error
			if dst, err = nodeJSON(dst, c); err != nil {
				return dst, err
			}
		}
		return append(dst, ']'), nil
	}
	v, err := nodeValue(n)
	if err != nil {
		return dst, err
	}
	switch x := v.(type) {
	case nil:
		return append(dst, "null"...), nil
	case bool:
		return strconv.AppendBool(dst, x), nil
	case int64:
		return strconv.AppendInt(dst, x, 10), nil
	case float64:
		return strconv.AppendFloat(dst, x, 'g', -1, 64), nil
	case string:
		return event.AppendString(dst, x), nil
	}
	return dst, fmt.Errorf("line %d: unsupported value", n.Line)
}
