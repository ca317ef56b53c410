package classifier

import (
	"errors"

	"panther/parsers"
	"panther/parsers/event"
)

// Attempt is one family the classifier tried for a record and what came
// of it (panther explain shows them).
type Attempt struct {
	Family   string
	Priority int
	// Outcome: "chosen", "parse error" (Err says why), "not detected"
	// (the parser took the record, no type's Detect accepted the event),
	// "header" (consumed as a header line: no event).
	Outcome string
	LogType string // the type chosen
	Err     error
}

// Explain classifies one record the way Classify does on a fresh source
// (families by Priority, then name; nothing learned) and tells, family by
// family, why each was passed over until one took it. The event, when
// one family took the record, belongs to the caller (normalise it, then
// release it). c is not changed: it should be new (New), so that its
// parsers have no state from other records.
func (c *Classifier) Explain(rec []byte) ([]Attempt, *event.Event, *parsers.LogType) {
	var out []Attempt
	var jsonEv *event.Event
	var jsonErr error
	defer func() {
		if jsonEv != nil {
			jsonEv.Release()
		}
	}()
	for _, cand := range c.cands {
		a := Attempt{Family: cand.family, Priority: cand.priority()}
		var e *event.Event
		if cand.json && !c.fixed {
			if jsonEv == nil && jsonErr == nil {
				jsonEv = c.newEvent()
				if jsonErr = jsonEv.ParseJSON(rec); jsonErr != nil {
					jsonEv.Release()
					jsonEv = nil
				}
			}
			if jsonErr != nil {
				a.Outcome, a.Err = "parse error", jsonErr
				out = append(out, a)
				continue
			}
			if lt := cand.detect(jsonEv); lt != nil {
				e, jsonEv = jsonEv, nil
				a.Outcome, a.LogType = "chosen", lt.Name
				return append(out, a), e, lt
			}
			a.Outcome, a.Err = "not detected", errNotDetected{cand.family}
			out = append(out, a)
			continue
		}
		p := cand.parser
		if p == nil {
			p = cand.types[0].NewParser()
		}
		e = c.newEvent()
		ok, err := parse(p, rec, e)
		switch {
		case err != nil:
			e.Release()
			a.Outcome, a.Err = "parse error", err
			var nm *parsers.NearMissError
			if errors.As(err, &nm) {
				a.Err = nm.Err
				a.LogType = nm.LogType
			}
		case !ok:
			e.Release()
			a.Outcome = "header"
			return append(out, a), nil, nil
		default:
			lt := cand.types[0]
			if !c.fixed {
				lt = cand.detect(e)
			}
			if lt != nil {
				a.Outcome, a.LogType = "chosen", lt.Name
				return append(out, a), e, lt
			}
			e.Release()
			a.Outcome, a.Err = "not detected", errNotDetected{cand.family}
		}
		out = append(out, a)
	}
	return out, nil, nil
}
