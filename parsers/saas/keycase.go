package saas

import (
	"github.com/valyala/fastjson"

	"panther/parsers"
	"panther/parsers/event"
)

// keyCase restores the case of top-level keys that a data warehouse folded:
// events exported from Snowflake (Panther's own lake among them) have their
// columns in lower case ("eventtype", "protopayload"), while detections,
// time fields and indicators use the vendor's names ("eventType",
// "protoPayload"). A key that equals a schema column but for case is renamed
// to the column; a key that is already a column, or matches none, is left as
// it is. Nested keys keep the case the vendor wrote, which warehouses keep
// too.
type keyCase struct {
	exact map[string]bool
	lower map[string]string
}

func newKeyCase(cols []parsers.Column) *keyCase {
	kc := &keyCase{exact: map[string]bool{}, lower: map[string]string{}}
	for _, c := range cols {
		kc.exact[c.Name] = true
		kc.lower[lower(c.Name)] = c.Name
	}
	return kc
}

// fix renames the folded keys of the object v. It costs one map lookup per
// top-level key when there is nothing to do.
func (kc *keyCase) fix(v *fastjson.Value) {
	o, err := v.Object()
	if err != nil {
		return
	}
	var renames [][2]string
	o.Visit(func(k []byte, _ *fastjson.Value) {
		if kc.exact[string(k)] || len(k) > 64 {
			return
		}
		var buf [64]byte
		l := buf[:len(k)]
		for i, c := range k {
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			l[i] = c
		}
		if name, ok := kc.lower[string(l)]; ok {
			renames = append(renames, [2]string{string(k), name})
		}
	})
	for _, r := range renames {
		if o.Get(r[1]) != nil {
			continue // both spellings: keep the vendor's, leave the other
		}
		x := o.Get(r[0])
		o.Del(r[0])
		o.Set(r[1], x)
	}
}

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// jsonParser is the parser of a JSON log type whose folded keys are
// restored, with an optional hook for what declarations cannot say.
type jsonParser struct {
	keys  *keyCase
	after func(e *event.Event)
}

func (p jsonParser) Parse(rec []byte, e *event.Event) (bool, error) {
	if err := e.ParseJSON(rec); err != nil {
		return false, err
	}
	p.keys.fix(e.Fields)
	if p.after != nil {
		p.after(e)
	}
	return true, nil
}
