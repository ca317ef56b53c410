package custom

import (
	"bufio"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"panther/parsers"
	"panther/parsers/event"
)

// field is one declared field, compiled.
type field struct {
	name string
	kind string        // the Type's kind: string bigint double boolean timestamp json array struct
	typ  *parsers.Type // nil for the undeclared columns of a CSV header
}

// compiled is everything the parsers of one custom log type share; it is
// read-only once built, so the parsers of many sources may share it.
type compiled struct {
	name   string
	format string
	fields []*field
	byName map[string]*field

	// regex
	re     *regexp.Regexp
	groups []*field // by subexpression index; nil for unnamed groups
	shared []bool   // by subexpression index: the name is also an earlier group's

	// csv
	delim       byte
	header      bool
	columns     []*field // declared columns, nil when they come from the header
	minColumns  int      // a record may stop after this many Columns (a vendor's older versions)
	headerNeeds []string // Header: the Required fields a header line must name

	empty [][]byte // EmptyValues

	acceptJSON bool // regex/csv: a record that is a JSON object is kept as it is

	// Reshaping (json), in the order transform applies it.
	fold    map[string]string // lower-cased field name -> field name; nil: KeyCase exact
	moves   []move
	collect string    // the field that gathers undeclared top-level keys, "" for none
	coerce  *coercion // the top-level fields Coerce converts, nil for none

	timePaths   []event.Path
	timeFormats []parsers.TimeFormat
	timeName    string // TimeFormat as written, for errors
}

var textKinds = map[string]bool{"string": true, "bigint": true, "double": true, "boolean": true, "timestamp": true}

func (d *decoder) build(s *spec) *parsers.LogType {
	c := &compiled{byName: map[string]*field{}}

	// Identity.
	switch {
	case !s.analysisType.set():
		d.errorf(1, "AnalysisType: log_type is missing")
	case s.analysisType.s != "log_type":
		d.errorf(s.analysisType.line, "AnalysisType is %q: a log type file has AnalysisType: log_type", s.analysisType.s)
	}
	c.name = s.logType.s
	switch {
	case !s.logType.set():
		d.errorf(1, "LogType is missing (LogType: Custom.Name)")
	case d.shipped && !validVendorName(c.name):
		d.errorf(s.logType.line, "LogType %q: a shipped log type is named Vendor.Name (letters, digits and _, parts separated by dots)", c.name)
	case !d.shipped && !validName(c.name):
		d.errorf(s.logType.line, "LogType %q: a custom log type is named Custom.Name (letters, digits and _, parts separated by dots)", c.name)
	}

	// Format and its keys.
	c.format = s.format.s
	switch c.format {
	case "json", "regex", "csv":
	case "":
		d.errorf(1, "Format is missing: json, regex or csv")
	default:
		d.errorf(s.format.line, "Format %q: use json, regex or csv", c.format)
	}
	if s.regex.set() && c.format != "regex" {
		d.errorf(s.regex.line, "Regex is only for Format: regex")
	}
	if s.csv != nil && c.format != "csv" {
		d.errorf(s.csv.line, "CSV is only for Format: csv")
	}
	if len(s.emptyValues) > 0 && c.format == "json" {
		d.errorf(s.emptyValuesLine, "EmptyValues is only for Format: regex or csv")
	}
	for _, v := range s.emptyValues {
		c.empty = append(c.empty, []byte(v.s))
	}
	if s.acceptJSON.line > 0 {
		if c.format == "json" {
			d.errorf(s.acceptJSON.line, "AcceptJSON is for Format: regex or csv (json records are JSON already)")
		}
		c.acceptJSON = s.acceptJSON.v
	}
	jsonOnly := func(line int, what string) {
		if line > 0 && c.format != "json" && c.format != "" {
			d.errorf(line, "%s is only for Format: json", what)
		}
	}
	jsonOnly(s.keyCase.line, "KeyCase")
	jsonOnly(s.coerce.line, "Coerce")

	// Fields.
	if len(s.fields) == 0 {
		d.errorf(max(s.fieldsLine, 1), "Fields is missing or empty: declare the fields of a record ({Name: ..., Type: ...})")
	}
	var schema []parsers.Column
	for _, fs := range s.fields {
		name := fs.name.s
		switch {
		case !fs.name.set():
			d.errorf(fs.line, "field without a Name")
			continue
		case strings.HasPrefix(name, "p_"):
			d.errorf(fs.name.line, "field %s: names starting with p_ are reserved for the standard fields", name)
			continue
		case c.byName[name] != nil:
			d.errorf(fs.name.line, "field %s declared twice", name)
			continue
		}
		typ := "string"
		line := fs.line
		if fs.typ.set() {
			typ, line = fs.typ.s, fs.typ.line
		}
		t, err := parsers.ParseType(typ)
		if err != nil {
			d.errorf(line, "field %s: %v", name, err)
			continue
		}
		if c.format != "json" && !textKinds[t.Kind] {
			d.errorf(line, "field %s: a %s field holds text: its Type is string, bigint, double, boolean or timestamp", name, c.format)
			continue
		}
		f := &field{name: name, kind: t.Kind, typ: t}
		c.fields = append(c.fields, f)
		c.byName[name] = f
		schema = append(schema, parsers.Column{Name: name, Type: typ, Description: fs.description.s})
		if len(fs.from) > 0 {
			jsonOnly(fs.from[0].line, "field From")
		}
		jsonOnly(fs.collect.line, "field Collect")
	}
	if c.format == "json" {
		d.buildReshape(s, c)
	}

	switch c.format {
	case "regex":
		d.buildRegex(s, c)
	case "csv":
		d.buildCSV(s, c)
	}

	// Time.
	lt := &parsers.LogType{
		Name:        c.name,
		Description: s.description.s,
		Reference:   s.reference.s,
		Schema:      schema,
		Sample:      s.sample.s,
	}
	d.buildTime(s, c, lt)

	// Indicators.
	for _, ind := range s.indicators {
		if _, ok := d.path(c, ind.path, "Indicators "+ind.kind.s); ok {
			lt.Indicators = append(lt.Indicators, parsers.Indicator{Path: ind.path.s, Kind: ind.kind.s})
		}
	}

	// Required, Match and Priority: what the classifier checks.
	if len(s.required) == 0 && c.format == "json" {
		d.errorf(max(s.requiredLine, 1), "Required is missing: a json log type lists the fields every record has, so that it is not mistaken for other JSON logs")
	}
	var tests []test
	for _, r := range s.required {
		if p, ok := d.path(c, r, "Required"); ok {
			tests = append(tests, test{alts: d.alternatives(c, r.s, p)})
			if c.header && c.columns == nil {
				c.headerNeeds = append(c.headerNeeds, r.s)
			}
		}
	}
	var anyOf []test
	for _, m := range s.match {
		if p, ok := d.path(c, m.path, "Match"); ok {
			tests = append(tests, d.matchTest(c, m, p))
		}
	}
	for _, m := range s.matchAny {
		if p, ok := d.path(c, m.path, "MatchAny"); ok {
			anyOf = append(anyOf, d.matchTest(c, m, p))
		}
	}
	// Exclude names what records of other types have: its paths need not
	// be declared fields.
	var none []test
	for _, m := range s.exclude {
		p, err := event.ParsePath(m.path.s)
		if err != nil {
			d.errorf(m.path.line, "Exclude: %v", err)
			continue
		}
		none = append(none, d.matchTest(c, m, p))
	}
	if s.priority.set() {
		n, err := strconv.Atoi(s.priority.s)
		if err != nil || n < -100 || n > 100 {
			d.errorf(s.priority.line, "Priority %q: a whole number from -100 to 100 (higher is tried first)", s.priority.s)
		}
		lt.Priority = n
	}

	if len(d.errs) > 0 {
		return nil
	}
	switch c.format {
	case "json":
		// The classifier shares one parse among the types whose parser is
		// parsers.JSONParser; the reshaping is Transform's, after Detect.
		lt.NewParser = parsers.JSONParser
	case "regex":
		lt.NewParser = func() parsers.Parser { return &regexParser{c: c} }
	case "csv":
		lt.NewParser = func() parsers.Parser { return newCSVParser(c) }
	}
	if c.acceptJSON {
		lt.NewParser = parsers.JSONExport(schema, lt.NewParser)
	}
	lt.Transform = c.transform
	lt.Detect = detector(tests, anyOf, none)
	// The registry's own checks, as a safety net: they should never fire
	// after the ones above.
	if _, err := parsers.NewRegistry(lt); err != nil {
		d.errorf(s.logType.line, "%v", err)
		return nil
	}
	if s.sample.set() {
		d.checkSample(lt, s.sample)
	}
	if s.classify.line > 0 && !s.classify.v {
		// Named only: the classifier never picks it (the Sample above was
		// still checked against Required and Match).
		lt.Detect = func(*event.Event) bool { return false }
	}
	return lt
}

// validName accepts Custom.A, Custom.A.B_2, ...
func validName(name string) bool {
	return validVendorName(name) && strings.HasPrefix(name, "Custom.")
}

// validVendorName accepts Vendor.A, Vendor.A.B_2, ...
func validVendorName(name string) bool {
	parts := strings.Split(name, ".")
	if len(parts) < 2 {
		return false
	}
	for _, p := range parts {
		if p == "" {
			return false
		}
		for _, r := range p {
			if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
				return false
			}
		}
	}
	return true
}

// path compiles a field path and checks that it starts at a declared
// field; regex and csv records are flat, so there it must be a field name.
func (d *decoder) path(c *compiled, v scalar, what string) (event.Path, bool) {
	p, err := event.ParsePath(v.s)
	if err != nil {
		d.errorf(v.line, "%s: %v", what, err)
		return p, false
	}
	keys, plain := p.Keys()
	root := rootKey(v.s)
	if c.byName[root] == nil {
		names := make([]string, len(c.fields))
		for i, f := range c.fields {
			names[i] = f.name
		}
		if near := parsers.Nearest(root, names); near != "" {
			d.errorf(v.line, "%s: %s is not a declared field (did you mean %s?)", what, v.s, near)
		} else {
			d.errorf(v.line, "%s: %s is not a declared field: add it to Fields", what, v.s)
		}
		return p, false
	}
	if c.format != "json" && (!plain || len(keys) != 1) {
		d.errorf(v.line, "%s: %s: %s records are flat, name a field", what, v.s, c.format)
		return p, false
	}
	return p, true
}

func (d *decoder) buildRegex(s *spec, c *compiled) {
	if !s.regex.set() {
		d.errorf(1, "Regex is missing: Format: regex needs a Regex with named groups, like (?P<user>\\S+)")
		return
	}
	re, err := regexp.Compile(s.regex.s)
	if err != nil {
		d.errorf(s.regex.line, "Regex: %v", err)
		return
	}
	c.re = re
	c.groups = make([]*field, re.NumSubexp()+1)
	c.shared = make([]bool, re.NumSubexp()+1)
	named := map[string]bool{}
	var names []string
	for _, f := range c.fields {
		names = append(names, f.name)
	}
	for i, name := range re.SubexpNames() {
		if name == "" {
			continue
		}
		c.shared[i] = named[name]
		named[name] = true
		f := c.byName[name]
		if f == nil {
			if near := parsers.Nearest(name, names); near != "" {
				d.errorf(s.regex.line, "Regex: group %s is not a declared field (did you mean %s?)", name, near)
			} else {
				d.errorf(s.regex.line, "Regex: group %s is not a declared field: add it to Fields", name)
			}
			continue
		}
		c.groups[i] = f
	}
	if len(named) == 0 {
		d.errorf(s.regex.line, "Regex has no named group: name the parts to keep, like (?P<user>\\S+)")
	}
	for _, fs := range s.fields {
		if fs.name.set() && !named[fs.name.s] && c.byName[fs.name.s] != nil {
			d.errorf(fs.name.line, "field %s is not a named group of Regex", fs.name.s)
		}
	}
}

func (d *decoder) buildCSV(s *spec, c *compiled) {
	if s.csv == nil {
		d.errorf(1, "CSV is missing: Format: csv needs CSV: {Header: true} or CSV: {Columns: [a, b, c]}")
		return
	}
	c.delim = ','
	if dl := s.csv.delimiter; dl.set() {
		v := dl.s
		switch v {
		case `\t`, "tab":
			v = "\t"
		}
		if len(v) != 1 || v[0] >= 0x80 || v[0] == '"' || v[0] == '\r' || v[0] == '\n' {
			d.errorf(dl.line, "CSV Delimiter %q: use one ASCII character other than a quote or a newline (\"\\t\" for tab)", dl.s)
		} else {
			c.delim = v[0]
		}
	}
	c.header = s.csv.header
	if len(s.csv.columns) == 0 {
		if !c.header {
			d.errorf(s.csv.line, "CSV needs Header: true (names from each file's first line) or Columns: [a, b, c]")
		}
		if s.csv.minColumns.set() {
			d.errorf(s.csv.minColumns.line, "CSV MinColumns goes with Columns")
		}
		return
	}
	seen := map[string]bool{}
	var names []string
	for _, f := range c.fields {
		names = append(names, f.name)
	}
	for _, col := range s.csv.columns {
		if seen[col.s] {
			d.errorf(col.line, "CSV Columns: %s listed twice", col.s)
			continue
		}
		seen[col.s] = true
		f := c.byName[col.s]
		if f == nil {
			if near := parsers.Nearest(col.s, names); near != "" {
				d.errorf(col.line, "CSV Columns: %s is not a declared field (did you mean %s?)", col.s, near)
			} else {
				d.errorf(col.line, "CSV Columns: %s is not a declared field: add it to Fields", col.s)
			}
			continue
		}
		c.columns = append(c.columns, f)
	}
	for _, fs := range s.fields {
		if fs.name.set() && !seen[fs.name.s] && c.byName[fs.name.s] != nil {
			d.errorf(fs.name.line, "field %s is not one of the CSV Columns", fs.name.s)
		}
	}
	c.minColumns = len(c.columns)
	if mc := s.csv.minColumns; mc.set() {
		n, err := strconv.Atoi(mc.s)
		if err != nil || n < 1 || n > len(s.csv.columns) {
			d.errorf(mc.line, "CSV MinColumns %q: a number from 1 to the count of Columns (%d)", mc.s, len(s.csv.columns))
		} else {
			c.minColumns = n
		}
	}
}

// checkSample parses the Sample's lines with one parser, as one source:
// none may fail, one at least must give an event, and Detect must accept
// the events.
func (d *decoder) checkSample(lt *parsers.LogType, sample scalar) {
	p := lt.NewParser()
	sc := bufio.NewScanner(strings.NewReader(sample.s))
	sc.Buffer(nil, 1<<20)
	n, events := 0, 0
	for sc.Scan() {
		n++
		rec := slices.Clone(sc.Bytes())
		if strings.TrimSpace(string(rec)) == "" {
			continue
		}
		e := event.New()
		ok, err := p.Parse(rec, e)
		switch {
		case err != nil:
			d.errorf(sample.line, "Sample line %d does not parse: %v", n, err)
		case ok && !lt.Detect(e):
			d.errorf(sample.line, "Sample line %d lacks a Required field or a Match value", n)
		case ok:
			if err := lt.Transform(e); err != nil {
				d.errorf(sample.line, "Sample line %d does not parse: %v", n, err)
			} else {
				events++
			}
		}
		e.Release()
	}
	if err := sc.Err(); err != nil {
		d.errorf(sample.line, "Sample: %v", err)
	} else if events == 0 && len(d.errs) == 0 {
		d.errorf(sample.line, "Sample holds no record (a CSV header alone?)")
	}
}

// rootKey is the first key of a path (see event.ParsePath), "" if it starts
// with an index or a wildcard.
func rootKey(s string) string {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "$") {
		s = strings.TrimPrefix(s[1:], ".")
	}
	if strings.HasPrefix(s, "[") {
		end := strings.IndexByte(s, ']')
		if end < 0 {
			return ""
		}
		in := strings.TrimSpace(s[1:end])
		if len(in) >= 2 && (in[0] == '"' || in[0] == '\'') && in[len(in)-1] == in[0] {
			return in[1 : len(in)-1]
		}
		return ""
	}
	if i := strings.IndexAny(s, ".["); i >= 0 {
		return s[:i]
	}
	return s
}
