package main

import (
	"bytes"
	"encoding/json"
)

// obj is a JSON object that keeps its keys in the order given, as the
// vendors write them (encoding/json would sort a map's keys).
type obj []kv

type kv struct {
	k string
	v any
}

// none, as a value given to o, leaves the key out.
type noneT struct{}

var none = noneT{}

// o builds an obj from key, value pairs; a none value leaves its key out.
func o(pairs ...any) obj {
	out := make(obj, 0, len(pairs)/2)
	for i := 0; i+1 < len(pairs); i += 2 {
		if _, skip := pairs[i+1].(noneT); skip {
			continue
		}
		out = append(out, kv{pairs[i].(string), pairs[i+1]})
	}
	return out
}

// with returns a copy of x with more pairs appended.
func (x obj) with(pairs ...any) obj {
	y := append(obj{}, x...)
	return append(y, o(pairs...)...)
}

// get returns the value of key k, or nil.
func (x obj) get(k string) any {
	for _, p := range x {
		if p.k == k {
			return p.v
		}
	}
	return nil
}

func (x obj) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, p := range x {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(marshal(p.k))
		b.WriteByte(':')
		b.Write(marshal(p.v))
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// marshal encodes v without HTML escaping ("<bob@example>" stays as is)
// and without a trailing newline.
func marshal(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(err)
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

// list is a JSON array literal.
func list(v ...any) []any { return v }
