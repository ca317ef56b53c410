package live

import (
	"bytes"
	"fmt"
	"io"
	"time"

	"panther/ingest"
	"panther/parsers"
	"panther/parsers/decode"
	"panther/parsers/event"
	"panther/parsers/input"
)

// BadRecord is a record that could not be parsed, for the dead letters.
type BadRecord struct {
	Seq     uint64    `json:"seq"`
	Input   string    `json:"input"`
	Source  string    `json:"source"`
	Line    int       `json:"line,omitempty"`
	Reason  string    `json:"reason"`
	Data    []byte    `json:"-"`
	Size    int64     `json:"size,omitempty"`
	LogType string    `json:"log_type,omitempty"`
	Time    time.Time `json:"time"`
}

// maxOrdinal bounds the records of one entry: p_row_id is made of the
// entry's sequence number and the record's place in it (see rowOrdinal).
const maxOrdinal = 1<<24 - 1

// rowOrdinal is the ordinal p_row_id is made of: unique over the whole
// log, the same whenever the entry is decoded again.
func rowOrdinal(seq uint64, ordinal int64) int64 { return int64(seq)<<24 | ordinal }

// decoder turns entries into normalised events through parsers/decode,
// the one decode step replay, parse and the tests use: an entry of records
// (syslog lines, Kafka records) goes record by record through
// Source.Record, an entry that is a whole body (an HTTP request) through a
// Stream. One per worker.
type decoder struct {
	maxRecord int
	reg       *parsers.Registry
	// templates are never-used sources, one per forced log type ("" for
	// the classifier) of reg: each entry's source continues from one, so
	// the classifier is built once, and every entry starts from the same
	// order whichever worker decodes it (the output does not depend on
	// the order entries reach the workers).
	templates map[string]*decode.Source
	now       time.Time // the receive time of the entry being decoded
}

// source returns the decode source of an entry: its name, label, forced
// log type, receive time, and the offset base that makes p_row_id unique
// over the whole log.
func (d *decoder) source(reg *parsers.Registry, lt *parsers.LogType, e *ingest.Entry) *decode.Source {
	if reg != d.reg || d.templates == nil {
		d.reg, d.templates = reg, map[string]*decode.Source{} // one registry at a time
	}
	opts := decode.Options{Registry: reg, LogType: lt, Label: e.Label, MaxRecordBytes: d.maxRecord,
		Now: func() time.Time { return d.now }, KeepBadRecords: true, OffsetBase: rowOrdinal(e.Seq, 0)}
	key := ""
	if lt != nil {
		key = lt.Name
	}
	t := d.templates[key]
	if t == nil {
		t = decode.New(opts).Source("")
		d.templates[key] = t
	}
	return decode.New(opts).Continue(t, e.Source)
}

// decode calls emit with each event of e (in record order) and bad with
// each record that could not be parsed.
func (d *decoder) decode(reg *parsers.Registry, e *ingest.Entry, emit func(*event.Event), bad func(BadRecord)) error {
	var lt *parsers.LogType
	if e.LogType != "" {
		var ok bool
		if lt, ok = reg.Lookup(e.LogType); !ok {
			bad(BadRecord{Reason: fmt.Sprintf("unknown log type %q", e.LogType)})
			return nil
		}
	}
	d.now = e.Received
	src := d.source(reg, lt, e)
	one := func(it decode.Item) {
		switch {
		case it.Bad != nil:
			bad(BadRecord{Line: it.Bad.Line, Reason: it.Bad.Reason, Data: it.Bad.Data, Size: it.Bad.Size})
		case it.Event != nil:
			emit(it.Event)
		}
	}
	switch e.Kind {
	case ingest.Records:
		var line int
		return ingest.EachRecord(e.Data, func(rec []byte) error {
			line++
			switch {
			case line > maxOrdinal:
				bad(BadRecord{Line: line, Reason: fmt.Sprintf("more than %d records in one entry", maxOrdinal), Size: int64(len(rec))})
			case d.maxRecord > 0 && len(rec) > d.maxRecord:
				bad(BadRecord{Line: line, Reason: fmt.Sprintf("record of %d bytes exceeds the %s limit", len(rec), input.FormatSize(int64(d.maxRecord))), Size: int64(len(rec))})
			default:
				one(src.Record(rec, line, rowOrdinal(e.Seq, int64(line))))
			}
			return nil
		})
	case ingest.Stream:
		body := e.Data
		if e.Plain != nil {
			body = e.Plain
		}
		st, err := src.NewStream(bytes.NewReader(body))
		if err != nil {
			bad(BadRecord{Reason: err.Error()})
			return nil
		}
		defer st.Close()
		for {
			it, err := st.Next()
			if err == io.EOF {
				return nil
			}
			if err != nil {
				bad(BadRecord{Reason: err.Error()})
				return nil
			}
			one(it)
		}
	}
	return fmt.Errorf("entry %d: unknown kind %d", e.Seq, e.Kind)
}
