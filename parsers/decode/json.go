package decode

import (
	"time"

	"panther/parsers"
	"panther/parsers/event"
)

// JSONEvent decodes an event written as JSON rather than in its log type's
// raw format: a unit test's Log, an event an agent posts. Its fields are
// kept as written. Its log type is its p_log_type, else logType; when reg
// knows that type, the type's standard fields are filled in (event time,
// indicators, row id from src and offset) — p_ fields written in the JSON
// win, so tests written for Panther keep working. With a nil reg, or a
// type reg does not know (a policy's resource type), the event only gets
// its log type. The caller releases the event.
func JSONEvent(reg *parsers.Registry, logType string, data []byte, src parsers.Source, offset int64, now time.Time) (*event.Event, error) {
	e := event.New()
	if err := e.ParseJSON(data); err != nil {
		e.Release()
		return nil, err
	}
	if v := e.Fields.GetStringBytes(event.FieldLogType); v != nil {
		logType = string(v)
	}
	if reg != nil && logType != "" {
		if lt, ok := reg.Lookup(logType); ok {
			e.LogType = lt.Name
			if err := reg.Normalise(lt, e, src, offset, now); err != nil {
				e.Release()
				return nil, err
			}
			return e, nil
		}
	}
	e.LogType = logType
	return e, nil
}
