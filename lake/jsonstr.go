package lake

import (
	"github.com/valyala/fastjson"

	"panther/parsers/event"
)

// The lake writes values taken from logs (json columns, p_extra) with the
// tool's one canonical JSON encoding, event.AppendValue: strings of valid
// UTF-8, numbers outside JSON's grammar or a double's range as strings.

func appendString(dst []byte, s string) []byte { return event.AppendString(dst, s) }

func appendJSON(dst []byte, v *fastjson.Value) []byte { return event.AppendValue(dst, v) }

func appendValue(dst []byte, v *fastjson.Value) []byte { return event.AppendValue(dst, v) }
