package live

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"time"

	"panther/ingest"
	"panther/parsers"
	"panther/parsers/classifier"
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

// decoder turns entries into normalised events: the replay's decode step
// (open → reader → classify → skip header → normalise → bad record) over
// one entry. One per worker.
type decoder struct {
	maxRecord int
	template  map[*parsers.Registry]*classifier.Classifier
}

// decode calls emit with each event of e (in record order) and bad with
// each record that could not be parsed.
func (d *decoder) decode(reg *parsers.Registry, e *ingest.Entry, emit func(*event.Event), bad func(BadRecord)) error {
	var cls *classifier.Classifier
	if e.LogType != "" {
		lt, ok := reg.Lookup(e.LogType)
		if !ok {
			bad(BadRecord{Reason: fmt.Sprintf("unknown log type %q", e.LogType)})
			return nil
		}
		cls = classifier.NewFixed(reg, lt)
	} else {
		if d.template == nil {
			d.template = map[*parsers.Registry]*classifier.Classifier{}
		}
		t := d.template[reg]
		if t == nil {
			clear(d.template) // one registry at a time
			t = classifier.New(reg)
			d.template[reg] = t
		}
		cls = t.Fork()
	}
	now := e.Received
	cls.Now = func() time.Time { return now }
	src := parsers.Source{File: e.Source, Label: e.Label}
	var ordinal int64
	one := func(rec []byte, line int) {
		ordinal++
		if ordinal > maxOrdinal {
			bad(BadRecord{Line: line, Reason: fmt.Sprintf("more than %d records in one entry", maxOrdinal), Size: int64(len(rec))})
			return
		}
		ev, lt, err := cls.Classify(rec)
		if err != nil {
			bad(BadRecord{Line: line, Reason: err.Error(), Data: rec})
			return
		}
		if ev == nil {
			return // a header
		}
		ev.Line = line
		if err := reg.Normalise(lt, ev, src, rowOrdinal(e.Seq, ordinal), now); err != nil {
			ev.Release()
			bad(BadRecord{Line: line, Reason: err.Error(), Data: rec})
			return
		}
		emit(ev)
	}
	switch e.Kind {
	case ingest.Records:
		line := 0
		return ingest.EachRecord(e.Data, func(rec []byte) error {
			line++
			if d.maxRecord > 0 && len(rec) > d.maxRecord {
				ordinal++
				bad(BadRecord{Line: line, Reason: fmt.Sprintf("record of %d bytes exceeds the %s limit", len(rec), input.FormatSize(int64(d.maxRecord))), Size: int64(len(rec))})
				return nil
			}
			one(rec, line)
			return nil
		})
	case ingest.Stream:
		var body io.Reader = bytes.NewReader(e.Data)
		if e.Plain != nil {
			body = bytes.NewReader(e.Plain)
		}
		stream, err := input.NewStream(e.Source, body)
		if err != nil {
			bad(BadRecord{Reason: err.Error()})
			return nil
		}
		defer stream.Close()
		rd := input.NewReader(stream, input.Options{MaxRecordBytes: d.maxRecord})
		for {
			rec, err := rd.Next()
			if err == io.EOF {
				return nil
			}
			if err != nil {
				var re *input.RecordError
				if errors.As(err, &re) {
					ordinal = re.Ordinal
					bad(BadRecord{Line: re.Line, Reason: re.Err.Error(), Size: re.Size})
					continue
				}
				bad(BadRecord{Reason: err.Error()})
				return nil
			}
			ordinal = rec.Ordinal - 1
			one(rec.Data, rec.Line)
		}
	}
	return fmt.Errorf("entry %d: unknown kind %d", e.Seq, e.Kind)
}
