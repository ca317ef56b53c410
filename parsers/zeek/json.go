package zeek

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/valyala/fastjson"

	"panther/parsers"
	"panther/parsers/event"
)

// pathKeys name a record's log, in the order they are looked for:
// json-streaming-logs' and Corelight's _path, and the @stream of pipelines
// that write @stream, @system and @proc.
var pathKeys = [...]string{"_path", "@stream"}

// parseJSON reads one record of Zeek's JSON format, as Zeek writes it or as
// other pipelines pass it on (see the package doc): the log comes from the
// record's path key, else from its field names.
func (p *parser) parseJSON(rec []byte, e *event.Event) (bool, error) {
	if err := e.ParseJSON(rec); err != nil {
		return false, err
	}
	obj, _ := e.Fields.Object()
	path, hasPath := recordPath(obj)
	if !hasPath {
		if inner, name, ok := tagged(obj); ok {
			e.Fields, obj, path, hasPath = inner, mustObject(inner), name, true
		}
	}
	if d := byPath[path]; hasPath && d != nil {
		return p.accept(d, e, obj, false)
	}
	// No path, or one we do not know (a log of a Zeek package): the fields
	// tell.
	indexOnce.Do(buildIndex)
	p.m = matcher{}
	variant := false
	obj.Visit(func(k []byte, v *fastjson.Value) { variant = p.addKey(b2s(k), v) || variant })
	d := pick(p.m.best(), p.named)
	if d == nil {
		if hasPath {
			return false, unknownPathError(path)
		}
		return false, p.notZeek()
	}
	if variant {
		var err error
		if obj, err = p.rewrite(e, obj); err != nil {
			return false, err
		}
	}
	return p.accept(d, e, obj, true)
}

// recordPath returns the value of the record's path key, if it has one.
func recordPath(obj *fastjson.Object) (string, bool) {
	for _, k := range pathKeys {
		if v := obj.Get(k); v != nil && v.Type() == fastjson.TypeString {
			b, _ := v.StringBytes()
			return string(b), true
		}
	}
	return "", false
}

// tagged unwraps a record that the Kafka writer's tag_json option wrapped
// in its log's path: {"conn": {"ts": ...}}.
func tagged(obj *fastjson.Object) (*fastjson.Value, string, bool) {
	if obj.Len() != 1 {
		return nil, "", false
	}
	var inner *fastjson.Value
	name := ""
	obj.Visit(func(k []byte, v *fastjson.Value) {
		if v.Type() == fastjson.TypeObject && byPath[b2s(k)] != nil {
			inner, name = v, string(k)
		}
	})
	return inner, name, inner != nil
}

func mustObject(v *fastjson.Value) *fastjson.Object {
	o, _ := v.Object()
	return o
}

// addKey adds a key of a record without path to the field-set match, under
// its Zeek name; it reports whether the key is written another way than
// Zeek's (a flattened or nested name).
func (p *parser) addKey(k string, v *fastjson.Value) bool {
	// Zeek writes no object values: an object is a nested record.
	if v.Type() == fastjson.TypeObject && prefixes[k] {
		o, _ := v.Object()
		o.Visit(func(sub []byte, sv *fastjson.Value) { p.addKey(k+"."+b2s(sub), sv) })
		return true
	}
	if isShipperKey(k) {
		return false
	}
	if ft, ok := fieldIndex[k]; ok {
		p.m.addTypes(ft)
		return false
	}
	if name, ok := flatNames[k]; ok {
		p.m.addTypes(fieldIndex[name])
		return true
	}
	p.m.addTypes(nil)
	return false
}

// The way a source writes Zeek's dotted field names, learnt from its first
// record that tells: as Zeek does ("id.orig_h"), or another way (flattened
// with another scope separator, "id_orig_h", or nested, {"id": {...}}), in
// which case every record of the source is rewritten to Zeek's names.
const (
	namesUnknown = iota
	namesZeek
	namesOther
)

// accept checks a record of type d and puts it in canonical form.
// byFields says the type was read off the field names, which asks for
// values of the right kinds in the required fields as well.
func (p *parser) accept(d *logDef, e *event.Event, obj *fastjson.Object, byFields bool) (bool, error) {
	if !byFields {
		if p.names == namesUnknown {
			p.names = learnNames(obj)
		}
		if p.names == namesOther {
			var err error
			if obj, err = p.rewrite(e, obj); err != nil {
				return false, err
			}
		}
	}
	if missing := d.missing(obj); len(missing) > 0 {
		return false, p.nearMiss(d, obj, fmt.Errorf("required field%s %s %s missing (every %s.log record has %s)",
			plural(len(missing), "", "s"), strings.Join(missing, ", "), plural(len(missing), "is", "are"), d.path, strings.Join(d.required, ", ")))
	}
	p.canonJSON(d, e, obj)
	if d.hasTS && e.Time.IsZero() {
		return false, p.nearMiss(d, obj, fmt.Errorf("field ts: %s is not a Zeek time", truncate(obj.Get("ts").MarshalTo(nil))))
	}
	if byFields {
		if err := d.plausible(obj); err != nil {
			return false, p.nearMiss(d, obj, err)
		}
	}
	e.LogType = d.lt.Name
	return true, nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// learnNames tells how a source writes dotted names from one record, or
// namesUnknown when the record has no dotted field.
func learnNames(obj *fastjson.Object) int {
	names := namesUnknown
	obj.Visit(func(k []byte, v *fastjson.Value) {
		if names != namesUnknown {
			return
		}
		key := b2s(k)
		switch {
		case strings.IndexByte(key, '.') >= 0 && allNames[key]:
			names = namesZeek
		case v.Type() == fastjson.TypeObject && prefixes[key]:
			names = namesOther
		case strings.IndexByte(key, '_') >= 0 && !allNames[key] && flatNames[key] != "":
			names = namesOther
		}
	})
	return names
}

// maxRewrite bounds the fields of a record that rewrite renames: adding a
// key to an object costs a look at every key already there, and a Zeek
// record has fewer than 100.
const maxRewrite = 1024

// rewrite returns the record with Zeek's names: nested records flattened
// ({"id": {"orig_h": x}} is "id.orig_h": x) and names flattened with
// another scope separator renamed ("id_orig_h" is "id.orig_h"), in the
// order of the record; e.Fields is the new object.
func (p *parser) rewrite(e *event.Event, obj *fastjson.Object) (*fastjson.Object, error) {
	if n := countKeys(obj); n > maxRewrite {
		return nil, fmt.Errorf("Zeek record with %d fields (more than %d): not a Zeek log", n, maxRewrite)
	}
	a := e.Arena()
	out := a.NewObject()
	var put func(prefix string, o *fastjson.Object)
	put = func(prefix string, o *fastjson.Object) {
		o.Visit(func(k []byte, v *fastjson.Value) {
			key := prefix + string(k)
			if v.Type() == fastjson.TypeObject && prefixes[key] {
				sub, _ := v.Object()
				put(key+".", sub)
				return
			}
			if !allNames[key] {
				if name, ok := flatNames[key]; ok {
					key = name
				}
			}
			out.Set(key, v)
		})
	}
	put("", obj)
	e.Fields = out
	return mustObject(out), nil
}

// countKeys counts the keys of obj and of the objects in it.
func countKeys(obj *fastjson.Object) int {
	n := 0
	obj.Visit(func(_ []byte, v *fastjson.Value) {
		n++
		if v.Type() == fastjson.TypeObject {
			o, _ := v.Object()
			n += o.Len()
		}
	})
	return n
}

// missing returns the required fields of d that obj lacks (or holds null).
// (Get, unlike Visit, does not unescape every key of the record first: a
// walk over the keys cost twice as much.)
func (d *logDef) missing(obj *fastjson.Object) []string {
	var out []string
	for _, name := range d.required {
		if v := obj.Get(name); v == nil || v.Type() == fastjson.TypeNull {
			out = append(out, name)
		}
	}
	return out
}

// nearMiss wraps why a record of Zeek shape is not a record of d.
func (p *parser) nearMiss(d *logDef, obj *fastjson.Object, err error) error {
	n, have := 0, 0
	obj.Visit(func(k []byte, _ *fastjson.Value) {
		if !isShipperKey(b2s(k)) {
			n++
			if d.declared[b2s(k)] {
				have++
			}
		}
	})
	fit := 1.0
	if n > 0 {
		fit = float64(have) / float64(n)
	}
	return &parsers.NearMissError{LogType: d.lt.Name, Fit: fit, Err: err}
}

// notZeek explains a record without path whose fields are those of no Zeek
// log: a near miss of the closest log when there is one.
func (p *parser) notZeek() error {
	d, fit := p.m.closest()
	if d == nil {
		return errNotZeek
	}
	return &parsers.NearMissError{LogType: d.lt.Name, Fit: fit,
		Err: fmt.Errorf("not a complete %s.log record: it has %d of the %d fields every %s.log record has (%s), and no _path or @stream",
			d.path, p.m.req[d.idx], d.nreq, d.path, strings.Join(d.required, ", "))}
}

var errNotZeek = errors.New("not a Zeek record: no _path or @stream, and its fields are those of no Zeek log")

// plausible checks the values of the required fields against their Zeek
// types, so that a field set shared by chance with another log (a "ts" and
// a "host" that is a name, not an address) does not make it a Zeek log.
func (d *logDef) plausible(obj *fastjson.Object) error {
	for i := range d.fields {
		f := &d.fields[i]
		if !f.required {
			continue
		}
		v := obj.Get(f.name)
		if v == nil {
			return fmt.Errorf("required field %s is missing", f.name)
		}
		bad := func() error {
			return fmt.Errorf("field %s: %s is not a Zeek %s", f.name, truncate(v.MarshalTo(nil)), f.zeekType)
		}
		t := v.Type()
		if f.container {
			if t != fastjson.TypeArray {
				return bad()
			}
			continue
		}
		switch f.kind {
		case kCount, kInt, kDouble:
			if t != fastjson.TypeNumber {
				return bad()
			}
		case kBool:
			if t != fastjson.TypeTrue && t != fastjson.TypeFalse {
				return bad()
			}
		case kString:
			if t != fastjson.TypeString {
				return bad()
			}
			b, _ := v.StringBytes()
			if f.zeekType == "addr" {
				if _, err := netip.ParseAddr(b2s(b)); err != nil {
					return bad()
				}
			}
			if prefix, ok := d.enums[f.name]; ok && !strings.HasPrefix(b2s(b), prefix) {
				return fmt.Errorf("field %s: %q is not a %s value", f.name, b, strings.TrimSuffix(prefix, "::"))
			}
		}
	}
	return nil
}

// A numEdit replaces a number of the record with its canonical spelling,
// held in one string per record (a fastjson number does not copy its text).
type numEdit struct {
	obj        *fastjson.Object // set obj[key], or
	arr        *fastjson.Value  // set arr[i]
	key        string
	i          int
	start, end int
}

// canonJSON rewrites the time, interval and double fields d declares to
// their canonical forms and sets e.Time from ts.
func (p *parser) canonJSON(d *logDef, e *event.Event, obj *fastjson.Object) {
	a := e.Arena()
	p.edits = p.edits[:0]
	nums := p.nums[:0]
	for i := range d.special {
		f := &d.special[i]
		v := obj.Get(f.name)
		if v == nil {
			continue
		}
		if f.container {
			items, err := v.Array()
			if err != nil {
				continue
			}
			for j, x := range items {
				if f.kind == kTime {
					if nv, _, ok := p.canonTime(a, x); ok && nv != nil {
						v.SetArrayItem(j, nv)
					}
					continue
				}
				if n, ok := p.canonNumber(nums, x); ok {
					p.edits = append(p.edits, numEdit{arr: v, i: j, start: len(nums), end: len(n)})
					nums = n
				}
			}
			continue
		}
		if f.kind == kTime {
			nv, us, ok := p.canonTime(a, v)
			if !ok {
				continue
			}
			if nv != nil {
				obj.Set(f.name, nv)
			}
			if f.name == "ts" {
				e.Time = time.UnixMicro(us).UTC()
			}
			continue
		}
		if n, ok := p.canonNumber(nums, v); ok {
			p.edits = append(p.edits, numEdit{obj: obj, key: f.name, start: len(nums), end: len(n)})
			nums = n
		}
	}
	p.nums = nums
	if len(p.edits) == 0 {
		return
	}
	s := string(nums)
	for _, ed := range p.edits {
		nv := a.NewNumberString(s[ed.start:ed.end])
		if ed.arr != nil {
			ed.arr.SetArrayItem(ed.i, nv)
		} else {
			ed.obj.Set(ed.key, nv)
		}
	}
}

// canonNumber appends the canonical spelling of a double to nums when it
// differs from v's; ok is false when v needs no change.
func (p *parser) canonNumber(nums []byte, v *fastjson.Value) ([]byte, bool) {
	if v.Type() != fastjson.TypeNumber {
		return nums, false
	}
	raw := v.MarshalTo(p.tmp[:0])
	p.tmp = raw
	start := len(nums)
	out, ok := appendDouble(nums, b2s(raw))
	if !ok || string(out[start:]) == string(raw) {
		return nums, false
	}
	if string(out[start:]) == "null" {
		return nums, false // keep an out-of-range number as written
	}
	return out, true
}

// canonTime reads a time value (ISO 8601 string, epoch seconds or
// milliseconds) and returns its canonical string value, or nil when v
// already is canonical, and the time in microseconds.
func (p *parser) canonTime(a *fastjson.Arena, v *fastjson.Value) (*fastjson.Value, int64, bool) {
	switch v.Type() {
	case fastjson.TypeString:
		b, _ := v.StringBytes()
		if us, ok := canonTimeMicros(b); ok {
			return nil, us, true
		}
		if len(b) > 0 && isDigit(b[0]) && plainDecimal(b2s(b)) {
			// Epoch seconds in a string, as some pipelines pass numbers.
			if us, ok := epochMicros(b2s(b)); ok {
				return p.timeValue(a, us), us, true
			}
		}
		t, ok := parsers.ParseRFC3339ish(string(b))
		if !ok {
			return nil, 0, false
		}
		us := t.Round(time.Microsecond).UnixMicro()
		return p.timeValue(a, us), us, true
	case fastjson.TypeNumber:
		raw := v.MarshalTo(p.tmp[:0])
		p.tmp = raw
		var us int64
		if isMillis(raw) {
			ms, err := strconv.ParseInt(b2s(raw), 10, 64)
			if err != nil || ms > 1e15 || ms < -1e15 {
				return nil, 0, false
			}
			us = ms * 1000
		} else {
			var ok bool
			if us, ok = epochMicros(b2s(raw)); !ok {
				return nil, 0, false
			}
		}
		return p.timeValue(a, us), us, true
	}
	return nil, 0, false
}

func (p *parser) timeValue(a *fastjson.Arena, us int64) *fastjson.Value {
	p.tmp = appendTime(p.tmp[:0], us)
	return a.NewString(b2s(p.tmp[1 : len(p.tmp)-1]))
}

// isMillis tells JSON::TS_MILLIS times (an integer count of milliseconds)
// from epoch seconds: a plain integer of 12 digits or more cannot be
// seconds before the year 5138.
func isMillis(raw []byte) bool {
	n := 0
	for _, c := range raw {
		if !isDigit(c) && c != '-' {
			return false
		}
		if isDigit(c) {
			n++
		}
	}
	return n >= 12
}

// canonTimeMicros parses a time already in the canonical form
// "2006-01-02T15:04:05.000000Z" without the cost of time.Parse.
func canonTimeMicros(b []byte) (int64, bool) {
	if len(b) != 27 || b[4] != '-' || b[7] != '-' || b[10] != 'T' || b[13] != ':' || b[16] != ':' || b[19] != '.' || b[26] != 'Z' {
		return 0, false
	}
	num := func(s []byte) (int, bool) {
		n := 0
		for _, c := range s {
			if !isDigit(c) {
				return 0, false
			}
			n = n*10 + int(c-'0')
		}
		return n, true
	}
	y, ok1 := num(b[0:4])
	mo, ok2 := num(b[5:7])
	d, ok3 := num(b[8:10])
	h, ok4 := num(b[11:13])
	mi, ok5 := num(b[14:16])
	s, ok6 := num(b[17:19])
	us, ok7 := num(b[20:26])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6 && ok7) || mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo) || h > 23 || mi > 59 || s > 59 {
		return 0, false
	}
	days := daysFromCivil(y, mo, d)
	return ((days*24+int64(h))*60+int64(mi))*60*1e6 + int64(s)*1e6 + int64(us), true
}

func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// daysFromCivil is the number of days from 1970-01-01 to y-m-d in the
// proleptic Gregorian calendar (Howard Hinnant's algorithm).
func daysFromCivil(y, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era--
	}
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int64(era)*146097 + int64(doe) - 719468
}
