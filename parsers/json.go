package parsers

import (
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
