package scan

import (
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/valyala/fastjson"

	"panther/parsers"
	"panther/parsers/event"
)

// builder makes resource objects in one arena, reusing values of the
// source's parsed tree where they need no change. One builder serves one
// source on one goroutine (fastjson values are not safe for concurrent use),
// and lives as long as the source's tree.
type builder struct {
	a       fastjson.Arena
	parsers []*fastjson.Parser // embedded JSON documents, alive with the tree
	buf     []byte
}

func (b *builder) reset() {
	b.a.Reset()
	b.parsers = b.parsers[:0]
}

func (b *builder) object() *fastjson.Value { return b.a.NewObject() }
func (b *builder) array() *fastjson.Value  { return b.a.NewArray() }
func (b *builder) null() *fastjson.Value   { return b.a.NewNull() }

// str is a string value; "" is null, as Panther writes absent strings.
func (b *builder) str(s string) *fastjson.Value {
	if s == "" {
		return b.a.NewNull()
	}
	return event.NewString(&b.a, s)
}

func (b *builder) boolean(v bool) *fastjson.Value {
	if v {
		return b.a.NewTrue()
	}
	return b.a.NewFalse()
}

func (b *builder) number(f float64) *fastjson.Value { return b.a.NewNumberFloat64(f) }

// strings is a list of strings (null for none).
func (b *builder) strings(l []string) *fastjson.Value {
	if l == nil {
		return b.a.NewNull()
	}
	arr := b.a.NewArray()
	for i, s := range l {
		arr.SetArrayItem(i, event.NewString(&b.a, s))
	}
	return arr
}

// list makes an array of vs (an empty array for none).
func (b *builder) list(vs []*fastjson.Value) *fastjson.Value {
	arr := b.a.NewArray()
	for i, v := range vs {
		arr.SetArrayItem(i, v)
	}
	return arr
}

// timeValue writes t in RFC 3339 (null for the zero time).
func (b *builder) timeValue(t time.Time) *fastjson.Value {
	if t.IsZero() {
		return b.a.NewNull()
	}
	return b.a.NewString(t.UTC().Format(time.RFC3339))
}

// parseEmbedded parses a JSON document held in a string (Config's API
// output, IAM policy documents); the value lives as long as the builder's
// source. URL-encoded documents (IAM's) are decoded first.
func (b *builder) parseEmbedded(s string) (*fastjson.Value, error) {
	t := strings.TrimSpace(s)
	if strings.HasPrefix(t, "%7B") || strings.HasPrefix(t, "%7b") {
		if d, err := url.QueryUnescape(t); err == nil {
			t = d
		}
	}
	p := new(fastjson.Parser)
	v, err := p.Parse(t)
	if err != nil {
		return nil, err
	}
	b.parsers = append(b.parsers, p)
	return v, nil
}

// embedded returns v as a value: v itself unless it is a string holding a
// JSON object or array, which is parsed.
func (b *builder) embedded(v *fastjson.Value) *fastjson.Value {
	if v == nil || v.Type() != fastjson.TypeString {
		return v
	}
	s := stringOf(v)
	t := strings.TrimSpace(s)
	if t == "" || t[0] != '{' && t[0] != '[' && !strings.HasPrefix(t, "%7B") && !strings.HasPrefix(t, "%7b") {
		return v
	}
	if p, err := b.parseEmbedded(t); err == nil {
		return p
	}
	return v
}

// document returns a policy document as Panther keeps them: a JSON string.
// An object is marshalled; a URL-encoded string (IAM's) is decoded.
func (b *builder) document(v *fastjson.Value) *fastjson.Value {
	if v == nil || v.Type() == fastjson.TypeNull {
		return b.a.NewNull()
	}
	switch v.Type() {
	case fastjson.TypeString:
		s := stringOf(v)
		t := strings.TrimSpace(s)
		if strings.HasPrefix(t, "%7B") || strings.HasPrefix(t, "%7b") {
			if d, err := url.QueryUnescape(t); err == nil {
				return event.NewString(&b.a, d)
			}
		}
		return v
	case fastjson.TypeObject, fastjson.TypeArray:
		return event.NewString(&b.a, string(v.MarshalTo(nil)))
	}
	return b.a.NewNull()
}

// pascal copies v with every object key's first letter upper-cased: AWS
// Config writes the API's fields in camelCase (ipPermissions), the API and
// Panther in PascalCase (IpPermissions). Maps whose keys are data (tags,
// environment variables) are kept as they are.
func (b *builder) pascal(v *fastjson.Value) *fastjson.Value {
	if v == nil {
		return nil
	}
	switch v.Type() {
	case fastjson.TypeObject:
		o, _ := v.Object()
		out := b.a.NewObject()
		o.Visit(func(k []byte, x *fastjson.Value) {
			key := string(k)
			if dataMapKeys[key] {
				out.Set(pascalKey(key), x)
				return
			}
			out.Set(pascalKey(key), b.pascal(x))
		})
		return out
	case fastjson.TypeArray:
		items, _ := v.Array()
		if !needsPascal(items) {
			return v
		}
		out := b.a.NewArray()
		for i, x := range items {
			out.SetArrayItem(i, b.pascal(x))
		}
		return out
	}
	return v
}

// dataMapKeys hold maps whose keys are data, not field names.
var dataMapKeys = map[string]bool{"variables": true, "Variables": true}

func needsPascal(items []*fastjson.Value) bool {
	for _, x := range items {
		if t := x.Type(); t == fastjson.TypeObject || t == fastjson.TypeArray {
			return true
		}
	}
	return false
}

// pascalKey upper-cases the first letter: ipPermissions -> IpPermissions,
// dBInstanceIdentifier -> DBInstanceIdentifier.
func pascalKey(k string) string {
	r, n := utf8.DecodeRuneInString(k)
	if n == 0 || unicode.IsUpper(r) || !unicode.IsLetter(r) {
		return k
	}
	return string(unicode.ToUpper(r)) + k[n:]
}

// get is a nil-safe deep get of object fields.
func get(v *fastjson.Value, keys ...string) *fastjson.Value {
	if v == nil {
		return nil
	}
	return v.Get(keys...)
}

// stringOf returns a string value's text, a number's or a bool's text, and
// "" for anything else.
func stringOf(v *fastjson.Value) string {
	if v == nil {
		return ""
	}
	switch v.Type() {
	case fastjson.TypeString:
		s, _ := v.StringBytes()
		return string(s)
	case fastjson.TypeNumber:
		return string(v.MarshalTo(nil))
	case fastjson.TypeTrue:
		return "true"
	case fastjson.TypeFalse:
		return "false"
	}
	return ""
}

// str is stringOf of a deep get.
func str(v *fastjson.Value, keys ...string) string { return stringOf(get(v, keys...)) }

// firstStr returns the first non-empty string among the paths (each a
// single key).
func firstStr(v *fastjson.Value, keys ...string) string {
	for _, k := range keys {
		if s := stringOf(get(v, k)); s != "" {
			return s
		}
	}
	return ""
}

// boolOf reads a JSON bool, or a string "true"/"false" (the AWS CLI's text
// and Config's supplementary strings); ok is false for anything else.
func boolOf(v *fastjson.Value) (val, ok bool) {
	if v == nil {
		return false, false
	}
	switch v.Type() {
	case fastjson.TypeTrue:
		return true, true
	case fastjson.TypeFalse:
		return false, true
	case fastjson.TypeString:
		b, err := strconv.ParseBool(stringOf(v))
		return b, err == nil
	}
	return false, false
}

// numberOf reads a JSON number, or a string holding one.
func numberOf(v *fastjson.Value) (float64, bool) {
	if v == nil {
		return 0, false
	}
	switch v.Type() {
	case fastjson.TypeNumber:
		f, err := v.Float64()
		return f, err == nil
	case fastjson.TypeString:
		f, err := strconv.ParseFloat(stringOf(v), 64)
		return f, err == nil
	}
	return 0, false
}

// isNull is true for a missing value and JSON null.
func isNull(v *fastjson.Value) bool { return v == nil || v.Type() == fastjson.TypeNull }

// arrayOf returns v's items (none when v is not an array).
func arrayOf(v *fastjson.Value) []*fastjson.Value {
	if v == nil || v.Type() != fastjson.TypeArray {
		return nil
	}
	a, _ := v.Array()
	return a
}

// keysOf lists an object's keys (none when v is not one).
func keysOf(v *fastjson.Value) []string {
	if v == nil {
		return nil
	}
	o, err := v.Object()
	if err != nil {
		return nil
	}
	var out []string
	o.Visit(func(k []byte, _ *fastjson.Value) { out = append(out, string(k)) })
	return out
}

// parseTime reads AWS's time formats (RFC 3339, with or without fraction
// and zone, and epoch numbers).
func parseTime(v *fastjson.Value) time.Time {
	if v == nil {
		return time.Time{}
	}
	if v.Type() == fastjson.TypeNumber {
		f, _ := v.Float64()
		t, _ := parsers.FromEpoch(f, time.Second)
		return t
	}
	s := stringOf(v)
	if s == "" {
		return time.Time{}
	}
	t, ok := parsers.ParseRFC3339ish(s)
	if !ok {
		// Lambda's LastModified: 2024-09-13T15:23:51.000+0000
		if t2, err := time.Parse("2006-01-02T15:04:05.000-0700", s); err == nil {
			return t2.UTC()
		}
		return time.Time{}
	}
	return t
}

// tagsFromList turns [{Key|key, Value|value}] into a map object (null for
// none).
func (b *builder) tagsFromList(v *fastjson.Value) *fastjson.Value {
	items := arrayOf(v)
	if len(items) == 0 {
		return b.null()
	}
	o := b.object()
	for _, it := range items {
		k := firstStr(it, "Key", "key")
		if k == "" {
			continue
		}
		o.Set(k, b.strOrEmpty(firstStr(it, "Value", "value")))
	}
	return o
}

// tags reads tags given as a map, a list of key/value pairs, or null.
func (b *builder) tags(v *fastjson.Value) *fastjson.Value {
	switch {
	case v == nil || v.Type() == fastjson.TypeNull:
		return b.null()
	case v.Type() == fastjson.TypeArray:
		return b.tagsFromList(v)
	case v.Type() == fastjson.TypeObject:
		o, _ := v.Object()
		if o.Len() == 0 {
			return b.null()
		}
		return v
	}
	return b.null()
}

// strOrEmpty is a string value, "" included (tag values may be empty).
func (b *builder) strOrEmpty(s string) *fastjson.Value { return event.NewString(&b.a, s) }
