package parsers

import (
	"bytes"
	"fmt"

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
// columns: the same log type exported by a data lake (Panther's own, or
// this one's) and read back. Any other JSON object is an error, so the
// classifier does not file other JSON logs under a text type; text
// records go to the wrapped parser as before.
func JSONExport(columns []Column, next func() Parser) func() Parser {
	names := make(map[string]bool, len(columns))
	for _, c := range columns {
		names[c.Name] = true
	}
	return func() Parser { return &jsonExport{columns: names, next: next()} }
}

type jsonExport struct {
	columns map[string]bool
	next    Parser
}

func (p *jsonExport) Parse(rec []byte, e *event.Event) (bool, error) {
	if !IsJSONObject(rec) {
		return p.next.Parse(rec, e)
	}
	if err := e.ParseJSON(rec); err != nil {
		return false, err
	}
	o, _ := e.Fields.Object()
	var bad string
	o.Visit(func(k []byte, _ *fastjson.Value) {
		if bad == "" && !p.columns[string(k)] && !bytes.HasPrefix(k, []byte("p_")) {
			bad = string(k)
		}
	})
	if bad != "" {
		return false, fmt.Errorf("a JSON record with key %q, which is not a column of this log type", clip(bad))
	}
	return true, nil
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
