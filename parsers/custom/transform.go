package custom

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/valyala/fastjson"

	"panther/parsers"
	"panther/parsers/event"
)

// This file is the reshaping of JSON records (KeyCase, From, Collect,
// Coerce) and the reading of their time: what runs as the log type's
// Transform, after Detect and before Normalise reads time and indicators.
// Detect sees records as written, so the classifier shares one parse among
// JSON types; it checks every spelling that Transform would make canonical
// (see alternatives).

// move is a field taken from elsewhere when the record lacks it.
type move struct {
	to   string
	from [][]string // plain key paths, tried in order
}

// coercion is the part of a declared type that Coerce converts: scalars
// (kind bigint, double, boolean or string), and the structs and arrays
// that hold one. A struct is walked by the keys the record has, not by
// the fields declared, so a wide declaration (Windows' event data) costs
// what the record holds.
type coercion struct {
	kind   string               // bigint double boolean string struct array
	fields map[string]*coercion // struct
	elem   *coercion            // array
}

// coercionOf compiles t, or returns nil when nothing in it converts.
func coercionOf(t *parsers.Type) *coercion {
	switch t.Kind {
	case "bigint", "double", "boolean", "string":
		return &coercion{kind: t.Kind}
	case "array":
		if e := coercionOf(t.Elem); e != nil {
			return &coercion{kind: "array", elem: e}
		}
	case "struct":
		c := &coercion{kind: "struct", fields: map[string]*coercion{}}
		for _, f := range t.Fields {
			if fc := coercionOf(f.Type); fc != nil {
				c.fields[f.Name] = fc
			}
		}
		if len(c.fields) > 0 {
			return c
		}
	}
	return nil
}

func (d *decoder) buildReshape(s *spec, c *compiled) {
	switch s.keyCase.s {
	case "", "exact":
	case "fold":
		c.fold = map[string]string{}
		for _, f := range c.fields {
			l := strings.ToLower(f.name)
			if prev, dup := c.fold[l]; dup {
				d.errorf(s.keyCase.line, "KeyCase: fold: fields %s and %s differ only in case", prev, f.name)
			}
			c.fold[l] = f.name
		}
	default:
		d.errorf(s.keyCase.line, "KeyCase %q: exact (the default) or fold (top-level keys that differ from a field only in case take the field's name)", s.keyCase.s)
	}
	for _, fs := range s.fields {
		f := c.byName[fs.name.s]
		if f == nil || !fs.name.set() {
			continue
		}
		if len(fs.from) > 0 {
			m := move{to: f.name}
			for _, src := range fs.from {
				p, err := event.ParsePath(src.s)
				keys, plain := p.Keys()
				switch {
				case err != nil:
					d.errorf(src.line, "field %s: From: %v", f.name, err)
				case !plain:
					d.errorf(src.line, "field %s: From %s: name a field by keys (a.b.c), without indexes or wildcards", f.name, src.s)
				case keys[0] == f.name:
					d.errorf(src.line, "field %s: From %s: a field is not moved into itself", f.name, src.s)
				default:
					m.from = append(m.from, keys)
				}
			}
			c.moves = append(c.moves, m)
		}
		if fs.collect.v {
			switch {
			case c.collect != "":
				d.errorf(fs.collect.line, "field %s: Collect: only one field collects (%s does already)", f.name, c.collect)
			case f.kind != "json" && f.kind != "struct":
				d.errorf(fs.collect.line, "field %s: Collect gathers keys into an object: its Type is json or struct<...>", f.name)
			default:
				c.collect = f.name
			}
		}
		if s.coerce.v {
			if fc := coercionOf(f.typ); fc != nil {
				if c.coerce == nil {
					c.coerce = &coercion{kind: "struct", fields: map[string]*coercion{}}
				}
				c.coerce.fields[f.name] = fc
			}
		}
	}
}

func (d *decoder) buildTime(s *spec, c *compiled, lt *parsers.LogType) {
	if len(s.timeFormats) > 0 && len(s.timeFields) == 0 {
		d.errorf(s.timeFormatLine, "TimeFormat without TimeField: name the field that holds the time")
	}
	if len(s.timeFields) == 0 {
		return
	}
	names := []string{"rfc3339"}
	if len(s.timeFormats) > 0 {
		names = names[:0]
		for _, f := range s.timeFormats {
			tf, err := parsers.ParseTimeFormat(f.s)
			if err != nil {
				d.errorf(f.line, "TimeFormat: %v", err)
				continue
			}
			names = append(names, f.s)
			c.timeFormats = append(c.timeFormats, tf)
		}
	} else {
		tf, _ := parsers.ParseTimeFormat("rfc3339")
		c.timeFormats = append(c.timeFormats, tf)
	}
	c.timeName = strings.Join(names, " or ")
	for _, f := range s.timeFields {
		p, ok := d.path(c, f, "TimeField")
		if !ok {
			continue
		}
		c.timePaths = append(c.timePaths, p)
		for _, name := range names {
			lt.TimeFields = append(lt.TimeFields, parsers.TimeField{Path: f.s, Format: name})
		}
	}
}

// transform is the log type's Transform: fold key case, move fields to
// their names, collect, coerce, then read the time.
func (c *compiled) transform(e *event.Event) error {
	if c.fold != nil || len(c.moves) > 0 || c.collect != "" || c.coerce != nil {
		o, err := e.Fields.Object()
		if err != nil {
			return err
		}
		if c.fold != nil {
			c.foldKeys(o)
		}
		for i := range c.moves {
			c.moves[i].apply(o)
		}
		if c.collect != "" && o.Get(c.collect) == nil {
			c.gather(e, o)
		}
		if c.coerce != nil {
			c.coerce.object(e.Arena(), o)
		}
	}
	return c.readTime(e)
}

// foldKeys renames the top-level keys that equal a field's name but for
// case; when both spellings are there, the field's is kept and the other
// left as it is.
func (c *compiled) foldKeys(o *fastjson.Object) {
	var renames [][2]string
	o.Visit(func(k []byte, _ *fastjson.Value) {
		if c.byName[b2s(k)] != nil || len(k) > 128 {
			return
		}
		var buf [128]byte
		l := buf[:len(k)]
		for i, ch := range k {
			if ch >= 'A' && ch <= 'Z' {
				ch += 'a' - 'A'
			}
			l[i] = ch
		}
		if name, ok := c.fold[string(l)]; ok {
			renames = append(renames, [2]string{string(k), name})
		}
	})
	for _, r := range renames {
		if o.Get(r[1]) != nil {
			continue
		}
		v := o.Get(r[0])
		o.Del(r[0])
		o.Set(r[1], v)
	}
}

// apply moves the first source present into the field, when the record
// lacks the field. The value is moved, not copied: the event holds it once.
func (m *move) apply(o *fastjson.Object) {
	if v := o.Get(m.to); v != nil && v.Type() != fastjson.TypeNull {
		return
	}
	for _, keys := range m.from {
		parent := o
		for _, k := range keys[:len(keys)-1] {
			v := parent.Get(k)
			if v == nil || v.Type() != fastjson.TypeObject {
				parent = nil
				break
			}
			parent, _ = v.Object()
		}
		if parent == nil {
			continue
		}
		last := keys[len(keys)-1]
		v := parent.Get(last)
		if v == nil || v.Type() == fastjson.TypeNull {
			continue
		}
		parent.Del(last)
		o.Set(m.to, v)
		return
	}
}

// gather moves the top-level keys that are not declared fields into a new
// object under the Collect field (the flat records of shippers that write
// a record's own data beside its envelope). p_ keys stay where they are.
func (c *compiled) gather(e *event.Event, o *fastjson.Object) {
	// Keys are views of the parsed record, which the event keeps until
	// it is released, as fastjson's own keys are.
	var keys []string
	o.Visit(func(k []byte, _ *fastjson.Value) {
		if c.byName[b2s(k)] == nil && !strings.HasPrefix(b2s(k), "p_") {
			keys = append(keys, b2s(k))
		}
	})
	if len(keys) == 0 {
		return
	}
	obj := e.Arena().NewObject()
	dst, _ := obj.Object()
	for _, k := range keys {
		dst.Set(k, o.Get(k))
		o.Del(k)
	}
	o.Set(c.collect, obj)
}

// convert returns the value that replaces v when v is a string standing
// for the bigint, double or boolean declared, or a number or boolean where
// a string is declared; nil when v stays. Objects and arrays are converted
// in place.
func (c *coercion) convert(a *fastjson.Arena, v *fastjson.Value) *fastjson.Value {
	switch c.kind {
	case "bigint", "double", "boolean":
		if v.Type() != fastjson.TypeString {
			return nil
		}
		b, _ := v.StringBytes()
		return scalarOf(a, c.kind, strings.TrimSpace(b2s(b)))
	case "string":
		switch v.Type() {
		case fastjson.TypeNumber, fastjson.TypeTrue, fastjson.TypeFalse:
			return event.NewString(a, event.Text(v))
		}
	case "struct":
		if o, err := v.Object(); err == nil {
			c.object(a, o)
		}
	case "array":
		if v.Type() == fastjson.TypeArray {
			arr, _ := v.Array()
			for i, x := range arr {
				if nx := c.elem.convert(a, x); nx != nil {
					arr[i] = nx
				}
			}
		}
	}
	return nil
}

// object converts the members of o that the struct c declares.
func (c *coercion) object(a *fastjson.Arena, o *fastjson.Object) {
	var buf [8]struct {
		k string
		v *fastjson.Value
	}
	changes := buf[:0]
	o.Visit(func(k []byte, v *fastjson.Value) {
		if fc := c.fields[b2s(k)]; fc != nil {
			if nv := fc.convert(a, v); nv != nil {
				changes = append(changes, struct {
					k string
					v *fastjson.Value
				}{b2s(k), nv})
			}
		}
	})
	for _, ch := range changes {
		o.Set(ch.k, ch.v)
	}
}

// scalarOf reads s as kind; nil when it does not read, so that the string
// stays as written (the lake keeps it in p_extra).
func scalarOf(a *fastjson.Arena, kind, s string) *fastjson.Value {
	switch kind {
	case "bigint":
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return nil
		}
		return a.NewNumberString(strconv.FormatInt(n, 10))
	case "double":
		x, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsInf(x, 0) || math.IsNaN(x) {
			return nil
		}
		return a.NewNumberFloat64(x)
	case "boolean":
		switch strings.ToLower(s) {
		case "true":
			return a.NewTrue()
		case "false":
			return a.NewFalse()
		}
	}
	return nil
}

// readTime sets e.Time from the first TimeField present; a value there
// that reads in none of the TimeFormats is an error for the record.
func (c *compiled) readTime(e *event.Event) error {
	for _, p := range c.timePaths {
		v := p.Get(e.Fields)
		if v == nil {
			continue
		}
		for _, f := range c.timeFormats {
			if t, ok := f(v); ok {
				e.Time = t
				return nil
			}
		}
		return fmt.Errorf("field %s: %s is not a time in the format %s", p, clip(v.MarshalTo(nil)), c.timeName)
	}
	return nil
}

// test is one check of Detect: one of alts is present (and, with values,
// holds one of them, compared as text; a value ending in '*' is a prefix,
// compared in any case).
type test struct {
	alts     []event.Path
	values   []string
	prefixes []string // lower-cased
}

func (t *test) addValue(v string) {
	if p, ok := strings.CutSuffix(v, "*"); ok {
		t.prefixes = append(t.prefixes, strings.ToLower(p))
		return
	}
	t.values = append(t.values, v)
}

func (d *decoder) matchTest(c *compiled, m matchSpec, p event.Path) test {
	t := test{alts: d.alternatives(c, m.path.s, p)}
	for _, v := range m.values {
		t.addValue(v.s)
	}
	return t
}

// detector passes an event when every test of all passes, none of none
// does and, when anyOf is not empty, one of anyOf does.
func detector(all, anyOf, none []test) func(e *event.Event) bool {
	return func(e *event.Event) bool {
		for i := range all {
			if !all[i].pass(e.Fields) {
				return false
			}
		}
		for i := range none {
			if none[i].pass(e.Fields) {
				return false
			}
		}
		for i := range anyOf {
			if anyOf[i].pass(e.Fields) {
				return true
			}
		}
		return len(anyOf) == 0
	}
}

func (t *test) pass(root *fastjson.Value) bool {
	for _, p := range t.alts {
		v := p.Get(root)
		if v == nil {
			continue
		}
		if t.values == nil && t.prefixes == nil {
			return true
		}
		s := event.View(v)
		for _, want := range t.values {
			if s == want {
				return true
			}
		}
		for _, p := range t.prefixes {
			if len(s) >= len(p) && strings.EqualFold(s[:len(p)], p) {
				return true
			}
		}
	}
	return false
}

// alternatives are the spellings of path p (written as src) in a record
// before Transform: as declared, with its first key in lower case when
// KeyCase is fold, under each From of its first field, and, when its first
// field is the Collect field, without it (at the top level).
func (d *decoder) alternatives(c *compiled, src string, p event.Path) []event.Path {
	out := []event.Path{p}
	root, rest := splitRoot(src)
	add := func(newRoot []string) {
		s := quoteKeys(newRoot) + rest
		if q, err := event.ParsePath(s); err == nil {
			out = append(out, q)
		}
	}
	if c.fold != nil {
		if l := strings.ToLower(root); l != root {
			add([]string{l})
		}
	}
	for _, m := range c.moves {
		if m.to == root {
			for _, keys := range m.from {
				add(keys)
			}
		}
	}
	if c.collect == root && rest != "" {
		// Collect gathers the record's own top-level keys into root.
		if q, err := event.ParsePath(strings.TrimPrefix(rest, ".")); err == nil {
			out = append(out, q)
		}
	}
	return out
}

// splitRoot cuts a path into its first key and the rest as written.
func splitRoot(src string) (root, rest string) {
	s := strings.TrimSpace(src)
	if strings.HasPrefix(s, "$") {
		s = strings.TrimPrefix(s[1:], ".")
	}
	root = rootKey(s)
	if strings.HasPrefix(s, "[") {
		return root, s[strings.IndexByte(s, ']')+1:]
	}
	return root, s[len(root):]
}

// quoteKeys writes keys as a path that any key survives: ["a"]["b"].
func quoteKeys(keys []string) string {
	var b strings.Builder
	for _, k := range keys {
		q := `"`
		if strings.Contains(k, `"`) {
			q = `'`
		}
		b.WriteString("[" + q + k + q + "]")
	}
	return b.String()
}
