package parsers

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/valyala/fastjson"

	"panther/parsers/event"
)

// jsonObject parses records that are one JSON object each. It accepts any
// object: telling one JSON log type from another is the job of the type's
// Detect, which only the classifier applies, so that hand-written and
// partial events still parse when the log type is given.
type jsonObject struct{}

// JSONParser is the NewParser of log types whose records are JSON objects.
func JSONParser() Parser { return jsonObject{} }

func (jsonObject) Parse(rec []byte, e *event.Event) (bool, error) {
	if err := e.ParseJSON(rec); err != nil {
		return false, err
	}
	return true, nil
}

// HasAll is a Detect that accepts events where every path is present (and
// not null); it panics on a bad path, as those are written in code.
func HasAll(paths ...string) func(e *event.Event) bool {
	ps := make([]event.Path, len(paths))
	for i, p := range paths {
		ps[i] = event.MustPath(p)
	}
	return func(e *event.Event) bool {
		for _, p := range ps {
			if p.Get(e.Fields) == nil {
				return false
			}
		}
		return true
	}
}

// JSONExport wraps the parser of a text format (a VPC flow log, an S3
// access log line) so that a record that is a JSON object is read as the
// event itself when every top-level key of it, p_ keys aside, is one of
// columns but for case: the same log type exported by a data lake
// (Panther's own, whose warehouse folds keys to lower case, or this
// one's) and read back. Keys are renamed to their column's spelling. Any
// other JSON object is an error, so the classifier does not file other
// JSON logs under a text type; text records go to the wrapped parser as
// before.
func JSONExport(columns []Column, next func() Parser) func() Parser {
	exact := make(map[string]bool, len(columns))
	lower := make(map[string]string, len(columns))
	for _, c := range columns {
		exact[c.Name] = true
		lower[strings.ToLower(c.Name)] = c.Name
	}
	return func() Parser { return &jsonExport{exact: exact, lower: lower, next: next()} }
}

type jsonExport struct {
	exact map[string]bool   // the columns
	lower map[string]string // lower-cased name -> column
	next  Parser
}

func (p *jsonExport) Parse(rec []byte, e *event.Event) (bool, error) {
	if !IsJSONObject(rec) {
		return p.next.Parse(rec, e)
	}
	// The classifier offers every JSON record to this parser: refuse
	// another type's records by their first key, before parsing them.
	if k, ok := firstKey(rec); ok && !p.exact[string(k)] && !bytes.HasPrefix(k, []byte("p_")) {
		if _, ok := p.lower[strings.ToLower(string(k))]; !ok {
			return false, fmt.Errorf("a JSON record with key %q, which is not a column of this log type", clip(string(k)))
		}
	}
	if err := e.ParseJSON(rec); err != nil {
		return false, err
	}
	o, _ := e.Fields.Object()
	var bad string
	var renames [][2]string
	o.Visit(func(k []byte, _ *fastjson.Value) {
		if bad != "" || p.exact[string(k)] || bytes.HasPrefix(k, []byte("p_")) {
			return
		}
		col, ok := p.lower[strings.ToLower(string(k))]
		switch {
		case !ok:
			bad = string(k)
		case col != string(k):
			renames = append(renames, [2]string{string(k), col})
		}
	})
	if bad != "" {
		return false, fmt.Errorf("a JSON record with key %q, which is not a column of this log type", clip(bad))
	}
	if o.Len() == 0 || onlyStandard(o) {
		return false, fmt.Errorf("an empty JSON record")
	}
	for _, r := range renames {
		if o.Get(r[1]) == nil {
			v := o.Get(r[0])
			o.Del(r[0])
			o.Set(r[1], v)
		}
	}
	return true, nil
}

// firstKey returns the first key of a JSON object when it is written
// without escapes; ok is false otherwise (the caller parses the record).
func firstKey(rec []byte) (key []byte, ok bool) {
	i := bytes.IndexByte(rec, '{') + 1
	for i < len(rec) && (rec[i] == ' ' || rec[i] == '\t' || rec[i] == '\r' || rec[i] == '\n') {
		i++
	}
	if i >= len(rec) || rec[i] != '"' {
		return nil, false
	}
	end := bytes.IndexByte(rec[i+1:], '"')
	if end < 0 {
		return nil, false
	}
	key = rec[i+1 : i+1+end]
	if bytes.IndexByte(key, '\\') >= 0 {
		return nil, false
	}
	return key, true
}

// onlyStandard tells an object whose keys are all p_ fields.
func onlyStandard(o *fastjson.Object) bool {
	only := true
	o.Visit(func(k []byte, _ *fastjson.Value) {
		only = only && bytes.HasPrefix(k, []byte("p_"))
	})
	return only
}

// IsJSONObject tells a record whose first byte other than white space is
// '{'.
func IsJSONObject(rec []byte) bool {
	for _, b := range rec {
		switch b {
		case ' ', '\t', '\r', '\n':
			continue
		}
		return b == '{'
	}
	return false
}

func clip(s string) string {
	if len(s) > 64 {
		return s[:64] + "..."
	}
	return s
}
