package zeek

import (
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/valyala/fastjson"

	"panther/parsers"
	"panther/parsers/event"
)

// parseJSON reads one record of Zeek's JSON format.
func (p *parser) parseJSON(rec []byte, e *event.Event) (bool, error) {
	if err := e.ParseJSON(rec); err != nil {
		return false, err
	}
	obj, _ := e.Fields.Object()
	var d *logDef
	path := ""
	if v := obj.Get("_path"); v != nil && v.Type() == fastjson.TypeString {
		b, _ := v.StringBytes()
		d = byPath[string(b)]
		path = string(b)
	}
	byFields := false
	if d == nil {
		indexOnce.Do(buildIndex)
		p.m = matcher{}
		obj.Visit(func(k []byte, _ *fastjson.Value) { p.m.add(b2s(k)) })
		d = pick(p.m.best(), p.named)
		byFields = d != nil
	}
	if d == nil {
		if path != "" {
			return false, unknownPathError(path)
		}
		// Not recognisably any Zeek log: keep it for the type the user
		// named (hand-written events), and leave e.LogType unset so the
		// classifier does not take it for Zeek.
		p.canonJSON(p.named, e, obj)
		return true, nil
	}
	p.canonJSON(d, e, obj)
	// Named by its fields alone, a record must also hold values of the
	// right kinds in the required fields, and a readable ts.
	if !byFields || (!e.Time.IsZero() && d.plausible(obj)) {
		e.LogType = d.lt.Name
	}
	return true, nil
}

// plausible checks the values of the required fields against their Zeek
// types, so that a field set shared by chance with another log (a "ts" and
// a "host" that is a name, not an address) does not make it a Zeek log.
func (d *logDef) plausible(obj *fastjson.Object) bool {
	for i := range d.fields {
		f := &d.fields[i]
		if !f.required {
			continue
		}
		v := obj.Get(f.name)
		if v == nil {
			return false
		}
		t := v.Type()
		if f.container {
			if t != fastjson.TypeArray {
				return false
			}
			continue
		}
		switch f.kind {
		case kCount, kInt, kDouble:
			if t != fastjson.TypeNumber {
				return false
			}
		case kBool:
			if t != fastjson.TypeTrue && t != fastjson.TypeFalse {
				return false
			}
		case kString:
			if t != fastjson.TypeString {
				return false
			}
			b, _ := v.StringBytes()
			if f.zeekType == "addr" {
				if _, err := netip.ParseAddr(b2s(b)); err != nil {
					return false
				}
			}
			if prefix, ok := d.enums[f.name]; ok && !strings.HasPrefix(b2s(b), prefix) {
				return false
			}
		}
	}
	return true
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
