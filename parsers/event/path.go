package event

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/valyala/fastjson"
)

// Path addresses values inside an event: `userIdentity.arn`,
// `$.resources[0].ARN`, `resources[*].ARN`, `a["key.with.dots"]`. A leading
// `$` or `$.` is accepted so JSONPath-style paths from Panther data models
// work unchanged. `[*]` (or `*` as a whole segment) visits every element of an
// array or every value of an object.
type Path struct {
	src  string
	segs []seg
}

type seg struct {
	key   string
	index int // >= 0: array index
	any   bool
}

// ParsePath compiles a path; the error says where it is wrong.
func ParsePath(s string) (Path, error) {
	p := Path{src: s}
	rest := strings.TrimSpace(s)
	if rest == "" {
		return p, fmt.Errorf("empty path")
	}
	if rest[0] == '$' {
		rest = rest[1:]
		rest = strings.TrimPrefix(rest, ".")
	}
	expectKey := true
	for len(rest) > 0 {
		switch {
		case rest[0] == '[':
			end := strings.IndexByte(rest, ']')
			if end < 0 {
				return p, fmt.Errorf("path %q: missing ]", s)
			}
			inner := strings.TrimSpace(rest[1:end])
			switch {
			case inner == "*":
				p.segs = append(p.segs, seg{any: true, index: -1})
			case len(inner) >= 2 && (inner[0] == '"' || inner[0] == '\'') && inner[len(inner)-1] == inner[0]:
				p.segs = append(p.segs, seg{key: inner[1 : len(inner)-1], index: -1})
			default:
				n, err := strconv.Atoi(inner)
				if err != nil || n < 0 {
					return p, fmt.Errorf("path %q: %q is not an index, '*' or a quoted key", s, inner)
				}
				p.segs = append(p.segs, seg{index: n})
			}
			rest = rest[end+1:]
			expectKey = false
		case rest[0] == '.':
			if expectKey {
				return p, fmt.Errorf("path %q: empty segment", s)
			}
			rest = rest[1:]
			expectKey = true
			if rest == "" {
				return p, fmt.Errorf("path %q: ends with '.'", s)
			}
		default:
			if !expectKey {
				return p, fmt.Errorf("path %q: expected '.' or '[' before %q", s, rest)
			}
			end := strings.IndexAny(rest, ".[")
			if end < 0 {
				end = len(rest)
			}
			key := rest[:end]
			if key == "*" {
				p.segs = append(p.segs, seg{any: true, index: -1})
			} else {
				p.segs = append(p.segs, seg{key: key, index: -1})
			}
			rest = rest[end:]
			expectKey = false
		}
	}
	return p, nil
}

// MustPath is ParsePath for paths written in code; it panics on error.
func MustPath(s string) Path {
	p, err := ParsePath(s)
	if err != nil {
		panic(err)
	}
	return p
}

// String is the path as written.
func (p Path) String() string { return p.src }

// Keys returns the path as plain keys when it has no index or wildcard.
func (p Path) Keys() ([]string, bool) {
	out := make([]string, len(p.segs))
	for i, s := range p.segs {
		if s.any || s.index >= 0 {
			return nil, false
		}
		out[i] = s.key
	}
	return out, true
}

// Get returns the first value the path reaches from v, or nil.
func (p Path) Get(v *fastjson.Value) *fastjson.Value {
	var found *fastjson.Value
	p.walk(v, 0, func(x *fastjson.Value) bool { found = x; return false })
	return found
}

// Each calls fn for every value the path reaches from v (many with
// wildcards), until fn returns false.
func (p Path) Each(v *fastjson.Value, fn func(*fastjson.Value) bool) {
	p.walk(v, 0, fn)
}

func (p Path) walk(v *fastjson.Value, i int, fn func(*fastjson.Value) bool) bool {
	for ; i < len(p.segs); i++ {
		if v == nil {
			return true
		}
		s := p.segs[i]
		switch {
		case s.any:
			switch v.Type() {
			case fastjson.TypeArray:
				a, _ := v.Array()
				for _, x := range a {
					if !p.walk(x, i+1, fn) {
						return false
					}
				}
			case fastjson.TypeObject:
				o, _ := v.Object()
				cont := true
				o.Visit(func(_ []byte, x *fastjson.Value) {
					if cont {
						cont = p.walk(x, i+1, fn)
					}
				})
				return cont
			}
			return true
		case s.index >= 0:
			if v.Type() != fastjson.TypeArray {
				return true
			}
			a, _ := v.Array()
			if s.index >= len(a) {
				return true
			}
			v = a[s.index]
		default:
			if v.Type() != fastjson.TypeObject {
				return true
			}
			o, _ := v.Object()
			v = o.Get(s.key)
		}
	}
	if v == nil || v.Type() == fastjson.TypeNull {
		return true
	}
	return fn(v)
}

// View is Text without the copy for strings: the result shares the
// event's buffers, so it is valid only while the event is (until Release).
// The normaliser reads indicators with it; anything kept longer uses Text.
func View(v *fastjson.Value) string {
	if v != nil && v.Type() == fastjson.TypeString {
		b, _ := v.StringBytes()
		return b2s(b)
	}
	return Text(v)
}

// Text returns a scalar value as text: strings unquoted, numbers and booleans
// as written. Objects, arrays and null give "".
func Text(v *fastjson.Value) string {
	if v == nil {
		return ""
	}
	switch v.Type() {
	case fastjson.TypeString:
		b, _ := v.StringBytes()
		return string(b)
	case fastjson.TypeNumber:
		return string(v.MarshalTo(nil))
	case fastjson.TypeTrue:
		return "true"
	case fastjson.TypeFalse:
		return "false"
	}
	return ""
}
