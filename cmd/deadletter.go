package cmd

import (
	"encoding/base64"
	"strconv"
	"unicode/utf8"

	"panther/parsers/event"
)

// appendDeadLetter appends one dead-letter line, the format parse and
// replay share: {"file","line","reason"} and the record as "record" (text),
// "record_base64" (when it is not valid UTF-8) or "size" (when it was too
// large to keep).
func appendDeadLetter(b []byte, file string, line int, reason string, raw []byte, size int64) []byte {
	b = append(b, `{"file":`...)
	b = event.AppendString(b, file)
	b = append(b, `,"line":`...)
	b = strconv.AppendInt(b, int64(line), 10)
	b = append(b, `,"reason":`...)
	b = event.AppendString(b, reason)
	switch {
	case raw != nil && utf8.Valid(raw):
		b = append(b, `,"record":`...)
		b = event.AppendString(b, string(raw))
	case raw != nil:
		b = append(b, `,"record_base64":"`...)
		b = base64.StdEncoding.AppendEncode(b, raw)
		b = append(b, '"')
	case size > 0:
		b = append(b, `,"size":`...)
		b = strconv.AppendInt(b, size, 10)
	}
	return append(b, "}\n"...)
}
