package custom

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"panther/parsers"
)

// Error is one problem of a log type file, at a line of it.
type Error struct {
	File string
	Line int
	Msg  string
}

func (e *Error) Error() string { return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg) }

// maxErrors caps the problems reported for one file: past a few, the rest
// are usually echoes of the first.
const maxErrors = 20

// Decode reads one custom log type from YAML. file names the source in
// errors. Every problem found is reported, each as an *Error with its
// file:line, joined into one error.
func Decode(data []byte, file string) (*parsers.LogType, error) {
	return decode(data, file, false)
}

// DecodeShipped reads one of the log type declarations shipped in the
// binary (parsers/logtypes): the same language as Decode, but the type is
// named after its vendor (Microsoft365.Audit.Exchange), as Panther names
// it, rather than Custom.Name.
func DecodeShipped(data []byte, file string) (*parsers.LogType, error) {
	return decode(data, file, true)
}

func decode(data []byte, file string, shipped bool) (*parsers.LogType, error) {
	d := &decoder{file: file, shipped: shipped}
	root := d.document(data)
	if root == nil {
		return nil, d.err()
	}
	s := d.spec(root)
	if err := d.err(); err != nil {
		return nil, err
	}
	lt := d.build(s)
	if err := d.err(); err != nil {
		return nil, err
	}
	return lt, nil
}

// DecodeFile reads a custom log type from a file.
func DecodeFile(path string) (*parsers.LogType, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("custom log type: %w", err)
	}
	return Decode(data, path)
}

type decoder struct {
	file    string
	shipped bool // a declaration of the binary: vendor names allowed
	errs    []error
}

func (d *decoder) errorf(line int, format string, args ...any) {
	if len(d.errs) < maxErrors {
		d.errs = append(d.errs, &Error{File: d.file, Line: max(line, 1), Msg: fmt.Sprintf(format, args...)})
	}
}

func (d *decoder) err() error { return errors.Join(d.errs...) }

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): `)

// document parses data and returns its one mapping, or nil after an error.
func (d *decoder) document(data []byte) *yaml.Node {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if err == io.EOF {
			d.errorf(1, "empty file: a log type starts with AnalysisType: log_type")
			return nil
		}
		msg, line := err.Error(), 1
		if m := yamlLine.FindStringSubmatch(msg); m != nil {
			line, _ = strconv.Atoi(m[1])
			msg = msg[len(m[0]):]
		}
		d.errorf(line, "invalid YAML: %s", strings.TrimPrefix(msg, "yaml: "))
		return nil
	}
	var next yaml.Node
	if err := dec.Decode(&next); err != io.EOF {
		line := next.Line
		if len(next.Content) > 0 {
			line = next.Content[0].Line
		}
		d.errorf(line, "a file holds one log type: remove the second YAML document (---)")
		return nil
	}
	root := resolve(&doc)
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = resolve(root.Content[0])
	}
	if root.Kind != yaml.MappingNode {
		d.errorf(root.Line, "a log type is a YAML mapping (AnalysisType: log_type, LogType: Custom.Name, ...)")
		return nil
	}
	return root
}

// resolve follows aliases (a bounded number of steps: cycles are possible
// in hostile YAML).
func resolve(n *yaml.Node) *yaml.Node {
	for i := 0; i < 16 && n.Kind == yaml.AliasNode && n.Alias != nil; i++ {
		n = n.Alias
	}
	return n
}

// scalar is a string value with the line it came from; line 0 is unset.
type scalar struct {
	s    string
	line int
}

func (v scalar) set() bool { return v.line > 0 }

type fieldSpec struct {
	name, typ, description scalar
	from                   []scalar // paths the value is moved from when the field is absent
	collect                boolSpec // gather the undeclared top-level keys here
	line                   int
}

// boolSpec is a true/false value with its line; line 0 is unset.
type boolSpec struct {
	v    bool
	line int
}

// matchSpec is one entry of Match: the values a path may hold.
type matchSpec struct {
	path   scalar
	values []scalar
}

type indicatorSpec struct {
	kind scalar
	path scalar
}

type csvSpec struct {
	line       int
	delimiter  scalar
	header     bool
	columns    []scalar
	minColumns scalar
}

// spec is a log type file as written, with lines.
type spec struct {
	analysisType, logType, description, reference scalar
	format, regex, sample                         scalar
	timeFields, timeFormats                       []scalar // TimeField, TimeFormat: one or a list
	timeFieldLine, timeFormatLine                 int
	keyCase, priority                             scalar
	coerce, acceptJSON                            boolSpec
	match, matchAny, exclude                      []matchSpec
	matchLine, matchAnyLine, excludeLine          int
	classify                                      boolSpec
	csv                                           *csvSpec
	fields                                        []fieldSpec
	fieldsLine                                    int
	indicators                                    []indicatorSpec
	indicatorsLine                                int
	required                                      []scalar
	requiredLine                                  int
	emptyValues                                   []scalar
	emptyValuesLine                               int
}

var topKeys = []string{
	"AnalysisType", "LogType", "Description", "Reference", "Format", "Regex", "CSV",
	"TimeField", "TimeFormat", "Indicators", "Fields", "Required", "EmptyValues", "Sample",
	"Match", "MatchAny", "Exclude", "Classify", "Priority", "KeyCase", "Coerce", "AcceptJSON",
}

var (
	csvKeys   = []string{"Delimiter", "Header", "Columns", "MinColumns"}
	fieldKeys = []string{"Name", "Type", "Description", "From", "Collect"}
)

// mapping calls fn for each key of the mapping n, after checking that the
// key is one of keys and appears once.
func (d *decoder) mapping(n *yaml.Node, what string, keys []string, fn func(key string, k, v *yaml.Node)) {
	n = resolve(n)
	if n.Kind != yaml.MappingNode {
		d.errorf(n.Line, "%s must be a mapping (Key: value, ...)", what)
		return
	}
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := resolve(n.Content[i]), resolve(n.Content[i+1])
		if k.Kind != yaml.ScalarNode {
			d.errorf(k.Line, "%s: keys must be plain names", what)
			continue
		}
		if first, dup := seen[k.Value]; dup {
			d.errorf(k.Line, "%s: key %s repeated (first at line %d)", what, k.Value, first)
			continue
		}
		seen[k.Value] = k.Line
		known := false
		for _, x := range keys {
			known = known || x == k.Value
		}
		if !known {
			if near := parsers.Nearest(k.Value, keys); near != "" {
				d.errorf(k.Line, "%s: unknown key %q (did you mean %s?)", what, k.Value, near)
			} else {
				d.errorf(k.Line, "%s: unknown key %q (valid keys: %s)", what, k.Value, strings.Join(keys, ", "))
			}
			continue
		}
		fn(k.Value, k, v)
	}
}

// str reads a scalar as text (numbers and booleans as written).
func (d *decoder) str(n *yaml.Node, what string) scalar {
	n = resolve(n)
	if n.Kind != yaml.ScalarNode || n.ShortTag() == "!!null" {
		d.errorf(n.Line, "%s must be a text value", what)
		return scalar{}
	}
	return scalar{s: n.Value, line: n.Line}
}

// list reads a sequence of scalars; a single scalar is a list of one.
func (d *decoder) list(n *yaml.Node, what string) []scalar {
	n = resolve(n)
	if n.Kind == yaml.ScalarNode && n.ShortTag() != "!!null" {
		return []scalar{{s: n.Value, line: n.Line}}
	}
	if n.Kind != yaml.SequenceNode {
		d.errorf(n.Line, "%s must be a list, like [a, b]", what)
		return nil
	}
	out := make([]scalar, 0, len(n.Content))
	for _, c := range n.Content {
		if v := d.str(c, what+" item"); v.set() {
			out = append(out, v)
		}
	}
	return out
}

func (d *decoder) spec(root *yaml.Node) *spec {
	s := &spec{}
	d.mapping(root, "log type", topKeys, func(key string, k, v *yaml.Node) {
		switch key {
		case "AnalysisType":
			s.analysisType = d.str(v, key)
		case "LogType":
			s.logType = d.str(v, key)
		case "Description":
			s.description = d.str(v, key)
		case "Reference":
			s.reference = d.str(v, key)
		case "Format":
			s.format = d.str(v, key)
		case "Regex":
			s.regex = d.str(v, key)
		case "TimeField":
			s.timeFieldLine = k.Line
			s.timeFields = d.list(v, key)
		case "TimeFormat":
			s.timeFormatLine = k.Line
			s.timeFormats = d.list(v, key)
		case "Match":
			s.matchLine = k.Line
			s.match = d.matches(v, key)
		case "MatchAny":
			s.matchAnyLine = k.Line
			s.matchAny = d.matches(v, key)
		case "Exclude":
			s.excludeLine = k.Line
			s.exclude = d.matches(v, key)
		case "Classify":
			s.classify = d.boolean(v, key)
		case "Priority":
			s.priority = d.str(v, key)
		case "KeyCase":
			s.keyCase = d.str(v, key)
		case "Coerce":
			s.coerce = d.boolean(v, key)
		case "AcceptJSON":
			s.acceptJSON = d.boolean(v, key)
		case "Sample":
			s.sample = d.str(v, key)
		case "CSV":
			s.csv = d.csv(k, v)
		case "Fields":
			s.fieldsLine = k.Line
			s.fields = d.fields(v)
		case "Indicators":
			s.indicatorsLine = k.Line
			s.indicators = d.indicators(v)
		case "Required":
			s.requiredLine = k.Line
			s.required = d.list(v, key)
		case "EmptyValues":
			s.emptyValuesLine = k.Line
			s.emptyValues = d.list(v, key)
		}
	})
	return s
}

func (d *decoder) csv(k, v *yaml.Node) *csvSpec {
	c := &csvSpec{line: k.Line}
	d.mapping(v, "CSV", csvKeys, func(key string, _, v *yaml.Node) {
		switch key {
		case "Delimiter":
			c.delimiter = d.str(v, "CSV Delimiter")
		case "Header":
			c.header = d.boolean(v, "CSV Header").v
		case "Columns":
			c.columns = d.list(v, "CSV Columns")
		case "MinColumns":
			c.minColumns = d.str(v, "CSV MinColumns")
		}
	})
	return c
}

func (d *decoder) fields(n *yaml.Node) []fieldSpec {
	n = resolve(n)
	if n.Kind != yaml.SequenceNode {
		d.errorf(n.Line, "Fields must be a list of {Name: ..., Type: ...}")
		return nil
	}
	var out []fieldSpec
	for _, item := range n.Content {
		f := fieldSpec{line: resolve(item).Line}
		d.mapping(item, "field", fieldKeys, func(key string, _, v *yaml.Node) {
			switch key {
			case "Name":
				f.name = d.str(v, "field Name")
			case "Type":
				f.typ = d.str(v, "field Type")
			case "Description":
				f.description = d.str(v, "field Description")
			case "From":
				f.from = d.list(v, "field From")
			case "Collect":
				f.collect = d.boolean(v, "field Collect")
			}
		})
		out = append(out, f)
	}
	return out
}

// boolean reads true or false.
func (d *decoder) boolean(n *yaml.Node, what string) boolSpec {
	n = resolve(n)
	var b bool
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" || n.Decode(&b) != nil {
		d.errorf(n.Line, "%s must be true or false", what)
		return boolSpec{}
	}
	return boolSpec{v: b, line: n.Line}
}

// matches reads Match: a mapping of field paths to a value or a list of
// values. Paths are keys here, so mapping() cannot check them against a
// list: build does.
func (d *decoder) matches(n *yaml.Node, what string) []matchSpec {
	n = resolve(n)
	if n.Kind != yaml.MappingNode {
		d.errorf(n.Line, "%s must be a mapping of field path to values, like {Workload: [Exchange]}", what)
		return nil
	}
	var out []matchSpec
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := resolve(n.Content[i]), resolve(n.Content[i+1])
		if k.Kind != yaml.ScalarNode {
			d.errorf(k.Line, "%s: keys are field paths", what)
			continue
		}
		if first, dup := seen[k.Value]; dup {
			d.errorf(k.Line, "%s: %s repeated (first at line %d)", what, k.Value, first)
			continue
		}
		seen[k.Value] = k.Line
		vals := d.list(v, what+" "+k.Value)
		if len(vals) == 0 && v.Kind == yaml.SequenceNode {
			d.errorf(v.Line, "%s %s: list the values the field may hold", what, k.Value)
		}
		out = append(out, matchSpec{path: scalar{s: k.Value, line: k.Line}, values: vals})
	}
	return out
}

func (d *decoder) indicators(n *yaml.Node) []indicatorSpec {
	n = resolve(n)
	if n.Kind != yaml.MappingNode {
		d.errorf(n.Line, "Indicators must be a mapping of kind to field paths, like {ip: [client_ip]}")
		return nil
	}
	var out []indicatorSpec
	kinds := parsers.IndicatorKinds()
	// Keys here are indicator kinds, checked in build; mapping() checks
	// shape and repeats.
	d.mapping(n, "Indicators", kinds, func(key string, k, v *yaml.Node) {
		for _, p := range d.list(v, "Indicators "+key) {
			out = append(out, indicatorSpec{kind: scalar{s: key, line: k.Line}, path: p})
		}
	})
	return out
}
