package decode

import (
	"encoding/base64"
	"strconv"
	"unicode/utf8"

	"panther/parsers/event"
)

// BadRecord is a record that was rejected.
type BadRecord struct {
	Source string // the source's name (p_source_file)
	Line   int    // where the record starts in its source; 0 when unknown
	// Offset is the record's position in its source: its ordinal in a
	// stream (counting rejected records), or the offset its caller gave.
	// 0 when unknown (malformed JSON).
	Offset int64
	Reason string
	// Data is a copy of the raw record when Options.KeepBadRecords is set
	// (nil when too large to keep).
	Data []byte
	// Size is the record's size in bytes (of what was read, for a record
	// too large to keep).
	Size int64
}

// String is the report line: source:line: reason.
func (b *BadRecord) String() string {
	if b.Line > 0 {
		return b.Source + ":" + strconv.Itoa(b.Line) + ": " + b.Reason
	}
	return b.Source + ": " + b.Reason
}

// AppendJSON appends the record's dead-letter line, the format parse,
// replay and serve share: {"file","line","offset","reason"} and the record
// as "record" (text), "record_base64" (when it is not valid UTF-8) or
// "size" (when it was not kept), then a newline. Feed the records back
// with: jq -r .record FILE | panther parse.
func (b *BadRecord) AppendJSON(dst []byte) []byte {
	dst = append(dst, `{"file":`...)
	dst = event.AppendString(dst, b.Source)
	dst = append(dst, `,"line":`...)
	dst = strconv.AppendInt(dst, int64(b.Line), 10)
	if b.Offset > 0 {
		dst = append(dst, `,"offset":`...)
		dst = strconv.AppendInt(dst, b.Offset, 10)
	}
	dst = append(dst, `,"reason":`...)
	dst = event.AppendString(dst, b.Reason)
	switch {
	case b.Data != nil && utf8.Valid(b.Data):
		dst = append(dst, `,"record":`...)
		dst = event.AppendString(dst, string(b.Data))
	case b.Data != nil:
		dst = append(dst, `,"record_base64":"`...)
		dst = base64.StdEncoding.AppendEncode(dst, b.Data)
		dst = append(dst, '"')
	case b.Size > 0:
		dst = append(dst, `,"size":`...)
		dst = strconv.AppendInt(dst, b.Size, 10)
	}
	return append(dst, "}\n"...)
}
