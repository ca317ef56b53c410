package input

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/valyala/fastjson"
)

// DefaultMaxRecordBytes is the default largest record: 16 MiB.
const DefaultMaxRecordBytes = 16 << 20

// initialBufferSize is the reader's buffer before any record needs more.
const initialBufferSize = 256 << 10

// sniffLimit bounds how much of a source is looked at to choose its mode.
const sniffLimit = 1 << 20

// Mode is how a source is split into records.
type Mode uint8

// The modes. ModeAuto chooses ModeLines or ModeJSON from the first bytes.
const (
	ModeAuto Mode = iota
	// ModeLines: one record a line (\n, with a trailing \r removed); blank
	// lines are skipped. Text logs and NDJSON.
	ModeLines
	// ModeJSON: a stream of JSON values. Each value is a record, except a
	// top-level array, whose elements are, and an object whose first key is
	// "Records" or "records" holding an array (CloudTrail's S3 files, Azure
	// diagnostic logs), whose array elements are.
	ModeJSON
)

func (m Mode) String() string {
	switch m {
	case ModeLines:
		return "lines"
	case ModeJSON:
		return "json"
	}
	return "auto"
}

// Options tune a Reader.
type Options struct {
	// Name is the source's name in errors (default: the Stream's name, or
	// "input").
	Name string
	// MaxRecordBytes is the largest record; a larger one is reported as a
	// *RecordError and skipped without being held in memory. Default
	// DefaultMaxRecordBytes.
	MaxRecordBytes int
	// Mode forces a mode; ModeAuto (the default) sniffs it.
	Mode Mode
}

// Record is one record of a source. Data is only valid until the next call
// of Next: the reader reuses its buffer, so a consumer parses or copies the
// record before asking for the next one.
type Record struct {
	Data []byte
	// Line is the 1-based line of the (decompressed) source where the record
	// starts.
	Line int
	// Ordinal is the 1-based position of the record in its source, counting
	// the records the reader rejected (too large) too, so that it depends
	// on the input only. With the source name it makes p_row_id.
	Ordinal int64
}

// RecordError is one rejected record; the reader goes on with the next.
type RecordError struct {
	File    string
	Line    int
	Ordinal int64
	// Size is the record's size in bytes, when that is the problem.
	Size int64
	Err  error
}

func (e *RecordError) Error() string { return position(e.File, e.Line) + e.Err.Error() }
func (e *RecordError) Unwrap() error { return e.Err }

// SourceError ends a source: it could not be opened, read or decompressed,
// or its JSON is malformed beyond the point where records can be told
// apart. Records before it were delivered. Line is the line of the
// decompressed data where reading stopped (0 when none was read).
type SourceError struct {
	File string
	Line int
	Err  error
}

func (e *SourceError) Error() string { return position(e.File, e.Line) + e.Err.Error() }
func (e *SourceError) Unwrap() error { return e.Err }

func position(file string, line int) string {
	if line > 0 {
		return file + ":" + strconv.Itoa(line) + ": "
	}
	return file + ": "
}

// ErrTooLarge is the Err of a RecordError for a record over the limit.
var ErrTooLarge = errors.New("record too large")

type tooLargeError struct{ size, limit int64 }

func (e *tooLargeError) Error() string {
	return "record of " + strconv.FormatInt(e.size, 10) + " bytes exceeds the " + FormatSize(e.limit) + " limit"
}
func (e *tooLargeError) Is(target error) bool { return target == ErrTooLarge }

// FormatSize writes a byte count the way people set it: "16 MiB", "512 KiB",
// "1000 bytes".
func FormatSize(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return strconv.FormatInt(n>>30, 10) + " GiB"
	case n >= 1<<20 && n%(1<<20) == 0:
		return strconv.FormatInt(n>>20, 10) + " MiB"
	case n >= 1<<10 && n%(1<<10) == 0:
		return strconv.FormatInt(n>>10, 10) + " KiB"
	}
	return strconv.FormatInt(n, 10) + " bytes"
}

// Reader splits one source into records, streaming: its memory is bounded
// by the largest record it keeps (MaxRecordBytes), whatever the source's
// size. It is not safe for concurrent use.
type Reader struct {
	r    io.Reader
	name string
	max  int
	mode Mode

	buf      []byte
	pos, end int  // unread data is buf[pos:end]
	maxBuf   int  // the buffer never grows past this
	eof      bool // r is exhausted (rerr says whether cleanly)
	rerr     error
	line     int // lines mode: lines consumed; JSON mode: line at buf[linePos]
	linePos  int
	ordinal  int64
	started  bool
	err      error // sticky: the reader is done
	js       jsonState
}

// NewReader returns a reader over r (a *Stream, or any decompressed data).
func NewReader(r io.Reader, opts Options) *Reader {
	name := opts.Name
	if name == "" {
		if s, ok := r.(*Stream); ok {
			name = s.Name()
		} else {
			name = "input"
		}
	}
	max := opts.MaxRecordBytes
	if max <= 0 {
		max = DefaultMaxRecordBytes
	}
	// Room for a record of max bytes, its \r\n, and the read after it.
	maxBuf := max + 2
	if maxBuf < initialBufferSize {
		maxBuf = initialBufferSize
	}
	return &Reader{r: r, name: name, max: max, mode: opts.Mode, maxBuf: maxBuf,
		buf: make([]byte, min(initialBufferSize, maxBuf))}
}

// Mode is the mode in use; ModeAuto until the first call of Next.
func (r *Reader) Mode() Mode { return r.mode }

// Next returns the next record. At the end it returns io.EOF. A
// *RecordError is one rejected record: report it and call Next again. A
// *SourceError ends the source (later calls return io.EOF).
func (r *Reader) Next() (Record, error) {
	if r.err != nil {
		return Record{}, io.EOF
	}
	if !r.started {
		r.started = true
		if err := r.sniff(); err != nil {
			return r.fail(err)
		}
	}
	if r.mode == ModeJSON {
		return r.nextJSON()
	}
	return r.nextLine()
}

// fail ends the reader with err (a *SourceError unless it is io.EOF).
func (r *Reader) fail(err error) (Record, error) {
	r.err = err
	return Record{}, err
}

// sourceErr makes a *SourceError at line.
func (r *Reader) sourceErr(line int, err error) *SourceError {
	return &SourceError{File: r.name, Line: line, Err: err}
}

// fill reads more data after discarding buf[:keep] (moving the rest to the
// front, and counting the lines in JSON mode). It returns how far the data
// moved (callers adjust their offsets) and false when no byte was read: at
// the end of the input, on a read error, or when the buffer is at its
// largest and full.
func (r *Reader) fill(keep int) (int, bool) {
	if keep > 0 {
		if r.mode == ModeJSON && keep > r.linePos {
			r.line += bytes.Count(r.buf[r.linePos:keep], nl)
			r.linePos = keep
		}
		copy(r.buf, r.buf[keep:r.end])
		r.end -= keep
		r.pos -= keep
		r.linePos -= keep
	}
	if r.eof {
		return keep, false
	}
	if free := len(r.buf) - r.end; free < len(r.buf)/8 && len(r.buf) < r.maxBuf {
		nb := make([]byte, min(2*len(r.buf), r.maxBuf))
		copy(nb, r.buf[:r.end])
		r.buf = nb
	}
	if r.end == len(r.buf) {
		return keep, false
	}
	for empty := 0; ; empty++ {
		n, err := r.r.Read(r.buf[r.end:])
		r.end += n
		if err != nil {
			r.eof = true
			if err != io.EOF {
				r.rerr = err
			}
			return keep, n > 0
		}
		if n > 0 {
			return keep, true
		}
		if empty == 100 {
			r.eof, r.rerr = true, io.ErrNoProgress
			return keep, false
		}
	}
}

var nl = []byte{'\n'}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// sniff chooses the mode from the first bytes (after a UTF-8 byte order
// mark, which it drops):
//
//   - `[` then `{`, `[`, `"` or `]` (or a whole first line that is valid
//     JSON): a JSON array, ModeJSON. Text logs that start with a bracket
//     ("[Wed Oct 11 ...] [error]", dmesg's "[    0.000000]") stay lines.
//   - `{` then `"Records": [` (or "records"): a wrapper object, ModeJSON.
//   - `{` and a first line that is a complete JSON value: NDJSON,
//     ModeLines, so a broken line costs one record, not the rest of the
//     file. Likewise when one of the next lines is a complete object (the
//     first line of an NDJSON file is the one that is broken).
//   - `{` otherwise: pretty-printed or concatenated JSON values, ModeJSON.
//   - anything else: ModeLines.
func (r *Reader) sniff() error {
	// Drop a byte order mark, then fill until the first non-space byte.
	first := r.pos
	for {
		if r.pos == 0 && bytes.HasPrefix(r.buf[:r.end], bom) {
			r.pos = len(bom)
		}
		first = r.pos
		for first < r.end && isSpace(r.buf[first]) {
			first++
		}
		short := r.pos == 0 && r.end < len(bom) && bytes.HasPrefix(bom, r.buf[:r.end])
		if first < r.end && !short {
			break
		}
		if _, ok := r.fill(0); !ok {
			if r.rerr != nil {
				return r.sourceErr(0, r.rerr)
			}
			if first < r.end || r.eof {
				break
			}
			// Only spaces so far and the buffer is full: lines will do.
			return r.setMode(ModeLines)
		}
	}
	if r.mode != ModeAuto {
		return r.setMode(r.mode)
	}
	if first == r.end || (r.buf[first] != '[' && r.buf[first] != '{') {
		return r.setMode(ModeLines)
	}
	// Buffer enough to decide: a few lines, or sniffLimit bytes.
	limit := min(sniffLimit, r.maxBuf)
	for bytes.Count(r.buf[first:r.end], nl) < 5 && r.end-r.pos < limit {
		if _, ok := r.fill(0); !ok {
			break
		}
	}
	data := r.buf[first:r.end]
	firstLine, rest, found := bytes.Cut(data, nl)
	complete := found || r.eof // the first line is all there
	if data[0] == '[' {
		j := 1
		for j < len(data) && isSpace(data[j]) {
			j++
		}
		if j < len(data) && bytes.IndexByte([]byte(`{["]`), data[j]) >= 0 {
			return r.setMode(ModeJSON)
		}
		if complete && fastjson.ValidateBytes(firstLine) == nil {
			return r.setMode(ModeJSON)
		}
		return r.setMode(ModeLines)
	}
	if n, _ := wrapperAt(data); n > 0 {
		return r.setMode(ModeJSON)
	}
	if complete && fastjson.ValidateBytes(firstLine) == nil {
		return r.setMode(ModeLines) // NDJSON
	}
	for i := 0; i < 3 && len(rest) > 0; i++ {
		var l []byte
		l, rest, found = bytes.Cut(rest, nl)
		if !found && !r.eof {
			break
		}
		l = bytes.TrimSpace(l)
		if len(l) > 2 && l[0] == '{' && fastjson.ValidateBytes(l) == nil {
			return r.setMode(ModeLines) // NDJSON whose first line is broken
		}
	}
	return r.setMode(ModeJSON)
}

var bom = []byte("\xef\xbb\xbf")

func (r *Reader) setMode(m Mode) error {
	r.mode = m
	if m == ModeJSON {
		r.linePos = r.pos
		r.line = 1
	}
	return nil
}

// nextLine is Next in ModeLines.
func (r *Reader) nextLine() (Record, error) {
	for {
		if i := bytes.IndexByte(r.buf[r.pos:r.end], '\n'); i >= 0 {
			start := r.pos
			r.pos += i + 1
			r.line++
			if rec, err := r.lineRecord(r.buf[start : start+i]); err != nil || rec.Data != nil {
				return rec, err
			}
			continue
		}
		if r.end-r.pos > r.max+1 {
			// Longer than any record may be, even without its \r: skip to
			// the end of the line without keeping it.
			if rec, done, err := r.skipLine(); done {
				return rec, err
			}
			continue
		}
		if _, ok := r.fill(r.pos); ok {
			continue
		}
		if r.rerr != nil {
			// The last line is cut by the damage: do not deliver a part.
			return r.fail(r.sourceErr(r.line+1, r.rerr))
		}
		if !r.eof {
			// Full buffer: only possible past the limit, handled above.
			if rec, done, err := r.skipLine(); done {
				return rec, err
			}
			continue
		}
		if r.pos < r.end {
			start := r.pos
			r.pos = r.end
			r.line++
			if rec, err := r.lineRecord(r.buf[start:r.end]); err != nil || rec.Data != nil {
				return rec, err
			}
		}
		return r.fail(io.EOF)
	}
}

// lineRecord makes the record of line r.line: none (nil Data) for a blank
// line, an error for a line over the limit.
func (r *Reader) lineRecord(b []byte) (Record, error) {
	if n := len(b); n > 0 && b[n-1] == '\r' {
		b = b[:n-1]
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return Record{}, nil
	}
	r.ordinal++
	if len(b) > r.max {
		return Record{}, r.tooLarge(int64(len(b)))
	}
	return Record{Data: b, Line: r.line, Ordinal: r.ordinal}, nil
}

func (r *Reader) tooLarge(size int64) error {
	return &RecordError{File: r.name, Line: r.line, Ordinal: r.ordinal, Size: size,
		Err: &tooLargeError{size: size, limit: int64(r.max)}}
}

// skipLine discards the rest of an over-long line, streaming, and reports
// it; a line of spaces only is blank, whatever its length, and skipped
// without a report (done is false then).
func (r *Reader) skipLine() (rec Record, done bool, err error) {
	size := int64(0)
	cr := false // the last byte skipped is a \r
	blank := true
	r.line++
	for {
		if i := bytes.IndexByte(r.buf[r.pos:r.end], '\n'); i >= 0 {
			blank = blank && len(bytes.TrimSpace(r.buf[r.pos:r.pos+i])) == 0
			size += int64(i)
			if i > 0 && r.buf[r.pos+i-1] == '\r' || i == 0 && cr {
				size--
			}
			r.pos += i + 1
			break
		}
		blank = blank && len(bytes.TrimSpace(r.buf[r.pos:r.end])) == 0
		size += int64(r.end - r.pos)
		cr = r.end > r.pos && r.buf[r.end-1] == '\r'
		r.pos = r.end
		if _, ok := r.fill(r.pos); !ok && r.eof {
			if r.rerr != nil {
				rec, err = r.fail(r.sourceErr(r.line, r.rerr))
				return rec, true, err
			}
			break
		}
	}
	if blank {
		return Record{}, false, nil
	}
	r.ordinal++
	return Record{}, true, &RecordError{File: r.name, Line: r.line, Ordinal: r.ordinal, Size: size,
		Err: &tooLargeError{size: size, limit: int64(r.max)}}
}

// Name is the source's name used in errors.
func (r *Reader) Name() string { return r.name }

// String describes the reader for debugging.
func (r *Reader) String() string {
	return fmt.Sprintf("input.Reader(%s, %s)", r.name, r.mode)
}
