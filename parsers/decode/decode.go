// Package decode is the one step from raw log bytes to normalised events:
// open → split into records → classify (or parse as the forced log type) →
// skip headers → normalise (the p_ fields) → hand over the event, or a
// BadRecord that says where and why. Every reader of logs goes through it:
// `panther replay` (engine/replay), `panther parse`, fixture tests (through
// replay), unit test events (JSON), the parser test harness
// (parsers/parsertest) and the live inputs of `panther serve`. What a header
// is, what counts as rejected and what a bad record carries are decided
// here, once.
//
// # Two ways in
//
// A whole stream — a file, standard input, an HTTP body — goes through a
// Stream: decompression (gzip, zstd, bzip2 by their magic bytes) and
// splitting (lines, NDJSON, JSON arrays, {"Records": [...]}) come from
// package input.
//
//	dec := decode.New(decode.Options{Registry: reg, Label: "prod"})
//	st, err := dec.Source("cloudtrail.json.gz").Open("cloudtrail.json.gz")
//	if err != nil { ... }           // an *input.SourceError
//	defer st.Close()
//	for {
//		it, err := st.Next()
//		if err == io.EOF { break }
//		if err != nil { ... }       // the source broke off (*input.SourceError)
//		if it.Bad != nil { ... }    // a rejected record: report it, go on
//		use(it.Event); it.Event.Release()
//	}
//
// Records that arrive one at a time — a syslog line off a TCP connection,
// a Kafka record — go through Source.Record, with the position the caller
// knows (a line or frame number, an offset):
//
//	src := dec.Source("syslog://10.0.0.5:514")   // one per connection/partition
//	it := src.Record(frame, n, offset)
//
// A live input makes one Decoder per listener (its forced log type or the
// classifier, its source label, its limits) and one Source per connection,
// partition or request; nothing else is needed to read records the way
// replay reads files.
//
// A Source keeps what must stay per source: the parsers' state (a Zeek
// file's #fields header, a VPC flow log's column line) and what the
// classifier learned (the log type that won last is tried first). It is
// not safe for concurrent use: one per goroutine, as records of one source
// arrive in order anyway. A Decoder holds only settings and may be shared.
//
// # What is rejected, and what a bad record carries
//
// A record is rejected when the reader refuses it (over MaxRecordBytes), no
// log type accepts it (or the forced one refuses it), or its event cannot
// be normalised. A malformed JSON document (a JSON array file broken in the
// middle) is one rejected record too — the rest of the file, from the line
// where it breaks — and ends the stream: inside a JSON document there is no
// place to start again. A BadRecord names the source, the line, the offset
// (the record's ordinal in its source, or the caller's offset) and the
// reason, and carries the raw bytes when Options.KeepBadRecords asks for
// them, or the size of a record too large to keep. AppendJSON writes the
// dead-letter line that `parse` and `replay` share.
//
// An input that cannot be opened, read or decompressed is not a bad record
// but a source error (*input.SourceError): the records before the damage
// were delivered.
//
// A header is a record a parser consumes for its own state and that
// yields no event (Zeek's "#fields" lines, a CSV or VPC flow log's column
// line); Stats counts them apart.
//
// # Row ids
//
// Each event's p_row_id is a hash of the source name and the record's
// offset: a replay of the same input gives the same ids, which is what
// makes the lake's writes idempotent. Live inputs give an offset that is
// stable across a restart (a WAL position, a Kafka offset).
package decode

import (
	"bytes"
	"errors"
	"io"
	"time"

	"panther/parsers"
	"panther/parsers/classifier"
	"panther/parsers/event"
	"panther/parsers/input"
)

// Options are the settings every source of a Decoder shares.
type Options struct {
	// Registry holds the log types (required).
	Registry *parsers.Registry
	// LogType, when set, parses every record as that type: no
	// classification, and its Detect is not applied.
	LogType *parsers.LogType
	// Label is the p_source_label of the events.
	Label string
	// MaxRecordBytes is the largest record a Stream accepts (0:
	// input.DefaultMaxRecordBytes).
	MaxRecordBytes int
	// Mode forces how a Stream splits its data (default: sniffed).
	Mode input.Mode
	// Now gives the parse time (default time.Now). It is read once every
	// 256 events of a source, and by parsers that must guess a missing year.
	Now func() time.Time
	// KeepBadRecords copies the raw bytes of rejected records into
	// BadRecord.Data (for a dead-letter file).
	KeepBadRecords bool
	// OffsetBase is added to the ordinal of each record of a Stream to
	// make its offset (and so its p_row_id): a live input that decodes
	// entry n of its log as a stream gives n<<24, so that offsets are
	// unique over the whole log and the same whenever the entry is decoded
	// again.
	OffsetBase int64
	// Year, when set, is the year of each source's first year-less
	// timestamp (RFC 3164 syslog; parsers.YearSetter); 0 lets the parsers
	// guess it from the parse time.
	Year int
}

// Decoder makes Sources. It holds settings only: share it between
// goroutines, give each source its own Source.
type Decoder struct {
	opts Options
}

// New returns a decoder. A nil Options.Registry panics at the first use:
// there is no default registry here, the caller chooses it.
func New(opts Options) *Decoder {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Decoder{opts: opts}
}

// Options returns the decoder's settings.
func (d *Decoder) Options() Options { return d.opts }

// nowEvery is how many events share one reading of the clock.
const nowEvery = 256

// Source decodes the records of one source, in order.
type Source struct {
	dec   *Decoder
	src   parsers.Source
	cls   *classifier.Classifier
	now   time.Time
	clock int // events since the clock was read
	stats Stats
}

// Stats count what a source saw.
type Stats struct {
	Records  int64 // records read (headers and rejected ones included)
	Events   int64
	Headers  int64
	Rejected int64
}

// Add sums two counts.
func (s Stats) Add(o Stats) Stats {
	return Stats{Records: s.Records + o.Records, Events: s.Events + o.Events, Headers: s.Headers + o.Headers, Rejected: s.Rejected + o.Rejected}
}

// Source starts a source named name: its p_source_file, and the name its
// bad records carry.
func (d *Decoder) Source(name string) *Source {
	var cls *classifier.Classifier
	if d.opts.LogType != nil {
		cls = classifier.NewFixed(d.opts.Registry, d.opts.LogType)
	} else {
		cls = classifier.New(d.opts.Registry)
	}
	cls.Now = d.opts.Now
	cls.SetYear(d.opts.Year)
	return &Source{dec: d, src: parsers.Source{File: name, Label: d.opts.Label}, cls: cls}
}

// Fork starts the next source of a sequential run: fresh parser state, but
// the classifier keeps the order learned on s, so a folder of files of one
// type does not relearn it on each. Use it only where sources are decoded
// one after the other (their order then decides the learning); concurrent
// sources each start from Decoder.Source, so that the result does not
// depend on scheduling.
func (s *Source) Fork(name string) *Source {
	n := &Source{dec: s.dec, src: parsers.Source{File: name, Label: s.src.Label}, cls: s.cls.Fork()}
	n.cls.SetYear(s.dec.opts.Year)
	return n
}

// Continue starts a source of d that keeps the classifier order learned
// on from (a source of another decoder of the same registry): a live
// input decodes each entry with the entry's label and clock, yet need not
// relearn the log type of a connection on each.
func (d *Decoder) Continue(from *Source, name string) *Source {
	if from == nil {
		return d.Source(name)
	}
	cls := from.cls.Fork()
	cls.Now = d.opts.Now
	cls.SetYear(d.opts.Year)
	return &Source{dec: d, src: parsers.Source{File: name, Label: d.opts.Label}, cls: cls}
}

// Name is the source's name.
func (s *Source) Name() string { return s.src.File }

// Stats returns the counts so far.
func (s *Source) Stats() Stats { return s.stats }

// Item is one decoded record: an event, or a bad record.
type Item struct {
	// Event is the normalised event; the caller releases it. Nil for a bad
	// record.
	Event   *event.Event
	LogType *parsers.LogType
	// Bad is the rejected record, or nil.
	Bad *BadRecord
	// Size is the record's size in bytes.
	Size int
}

// Record decodes one record that arrived on its own. line is where it is
// in its source (a line or frame number; 0 when none), offset its stable
// position (p_row_id is made of it and the source name). The result holds
// an event, or a bad record, or neither for a header. data is not kept.
func (s *Source) Record(data []byte, line int, offset int64) Item {
	s.stats.Records++
	return s.record(data, line, offset)
}

func (s *Source) record(data []byte, line int, offset int64) Item {
	e, lt, err := s.cls.Classify(data)
	if err != nil {
		return Item{Bad: s.reject(line, offset, err.Error(), data, 0), Size: len(data)}
	}
	if e == nil {
		s.stats.Headers++
		return Item{Size: len(data)}
	}
	if s.clock%nowEvery == 0 {
		s.now = s.dec.opts.Now()
	}
	s.clock++
	e.Line = line
	if err := s.dec.opts.Registry.Normalise(lt, e, s.src, offset, s.now); err != nil {
		e.Release()
		return Item{Bad: s.reject(line, offset, err.Error(), data, 0), Size: len(data)}
	}
	s.stats.Events++
	return Item{Event: e, LogType: lt, Size: len(data)}
}

// reject counts and describes a rejected record.
func (s *Source) reject(line int, offset int64, reason string, data []byte, size int64) *BadRecord {
	s.stats.Rejected++
	b := &BadRecord{Source: s.src.File, Line: line, Offset: offset, Reason: reason, Size: size}
	if data != nil {
		b.Size = int64(len(data))
		if s.dec.opts.KeepBadRecords {
			b.Data = bytes.Clone(data)
		}
	}
	return b
}

// Stream decodes a whole stream: a file, standard input, a request body.
type Stream struct {
	*Source
	in   *input.Stream
	rd   *input.Reader
	done bool
}

// Open opens the file at path (decompressing by content) as the stream of
// s. A file that cannot be opened is an *input.SourceError.
func (s *Source) Open(path string) (*Stream, error) {
	in, err := input.Open(path)
	if err != nil {
		return nil, err
	}
	return s.stream(in), nil
}

// NewStream reads r (which Close does not close) as the stream of s. A
// compressed header that is damaged is an *input.SourceError.
func (s *Source) NewStream(r io.Reader) (*Stream, error) {
	in, err := input.NewStream(s.src.File, r)
	if err != nil {
		return nil, err
	}
	return s.stream(in), nil
}

func (s *Source) stream(in *input.Stream) *Stream {
	opts := s.dec.opts
	return &Stream{Source: s, in: in, rd: input.NewReader(in, input.Options{MaxRecordBytes: opts.MaxRecordBytes, Mode: opts.Mode})}
}

// Next returns the next event or bad record, skipping headers. It returns
// io.EOF at the end, and an *input.SourceError when the source broke off
// (a read error, damaged compression): the stream is over then too.
func (st *Stream) Next() (Item, error) {
	for {
		if st.done {
			return Item{}, io.EOF
		}
		rec, err := st.rd.Next()
		if err != nil {
			return st.readError(err)
		}
		st.stats.Records++
		it := st.record(rec.Data, rec.Line, st.dec.opts.OffsetBase+rec.Ordinal)
		if it.Event != nil || it.Bad != nil {
			return it, nil
		}
	}
}

// readError sorts the reader's errors: a record refused (a bad record, go
// on), malformed JSON (a bad record that ends the stream), the end, or a
// source error.
func (st *Stream) readError(err error) (Item, error) {
	var re *input.RecordError
	var se *input.SourceError
	switch {
	case err == io.EOF:
		st.done = true
		return Item{}, io.EOF
	case errors.As(err, &re):
		st.stats.Records++
		return Item{Bad: st.reject(re.Line, st.dec.opts.OffsetBase+re.Ordinal, re.Err.Error(), nil, re.Size)}, nil
	case errors.Is(err, input.ErrMalformedJSON) && errors.As(err, &se):
		st.done = true
		st.stats.Records++
		return Item{Bad: st.reject(se.Line, 0, se.Err.Error(), nil, 0)}, nil
	}
	st.done = true
	return Item{}, err
}

// RawBytes is how many bytes were read from the underlying reader so far
// (compressed bytes for a compressed stream); safe from another goroutine,
// for progress reports.
func (st *Stream) RawBytes() int64 { return st.in.RawBytes() }

// Close releases the decompressor and the file Open opened.
func (st *Stream) Close() error { return st.in.Close() }

// Each reads every item of the stream, calling fn for each (fn owns the
// event): a convenience for callers that need no control between records.
// It stops at the first error fn returns, or at a source error, and
// returns it (nil at the end).
func (st *Stream) Each(fn func(Item) error) error {
	for {
		it, err := st.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if err := fn(it); err != nil {
			return err
		}
	}
}
