package input

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"testing/iotest"
)

// fuzzRecords reads everything, failing on a non-terminating reader, and
// returns records and errors as strings.
func fuzzRecords(t *testing.T, r *Reader) (recs [][]byte, lines []int, out []string) {
	for i := 0; ; i++ {
		if i > 1<<20 {
			t.Fatal("the reader does not end")
		}
		rec, err := r.Next()
		if err == io.EOF {
			return
		}
		if err != nil {
			var re *RecordError
			var se *SourceError
			if !errors.As(err, &re) && !errors.As(err, &se) {
				t.Fatalf("error of type %T: %v", err, err)
			}
			out = append(out, "ERR "+err.Error())
			continue
		}
		recs = append(recs, bytes.Clone(rec.Data))
		lines = append(lines, rec.Line)
		out = append(out, string(rec.Data))
	}
}

// FuzzReader: whatever the input, the reader ends without panicking; its
// output does not depend on how the input is chunked; lines mode yields no
// record with a newline, none over the limit, in line order; and a valid
// JSON array is split into exactly the elements encoding/json finds.
func FuzzReader(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/*")
	for _, s := range seeds {
		if data, err := os.ReadFile(s); err == nil {
			f.Add(data, uint16(0), uint8(0))
			f.Add(data, uint16(16), uint8(0))
		}
	}
	for _, s := range []string{
		`[{"a":1},{"b":"x\"]"}]`, `{"Records":[{"a":1}],"b":{}}`, "{\n\"a\":1}\n{\"b\":2}",
		`["a\\", "b\"c", 1, true]`, "[Wed Oct 11 14:32:52 2000] x\n", "a\r\n\r\nb", "[{\"a\":1}\n{\"b\"",
	} {
		f.Add([]byte(s), uint16(0), uint8(0))
		f.Add([]byte(s), uint16(5), uint8(2))
	}
	f.Fuzz(func(t *testing.T, data []byte, max uint16, mode uint8) {
		opts := Options{Name: "f", MaxRecordBytes: int(max), Mode: Mode(mode % 3)}
		r := NewReader(bytes.NewReader(data), opts)
		recs, lines, out := fuzzRecords(t, r)
		_, _, out1 := fuzzRecords(t, NewReader(iotest.OneByteReader(bytes.NewReader(data)), opts))
		if !equal(out, out1) {
			t.Fatalf("the output depends on chunking:\n%q\n%q", out, out1)
		}
		limit := int(max)
		if limit == 0 {
			limit = DefaultMaxRecordBytes
		}
		for i, rec := range recs {
			if len(rec) == 0 || len(rec) > limit {
				t.Fatalf("record %q of %d bytes (limit %d)", rec, len(rec), limit)
			}
			if r.Mode() == ModeLines && bytes.IndexByte(rec, '\n') >= 0 {
				t.Fatalf("line record with a newline: %q", rec)
			}
			if i > 0 && lines[i] < lines[i-1] || r.Mode() == ModeLines && i > 0 && lines[i] == lines[i-1] {
				t.Fatalf("lines out of order: %v", lines)
			}
		}
		if r.Mode() == ModeJSON && len(out) == len(recs) && max == 0 {
			trimmed := bytes.TrimLeft(bytes.TrimPrefix(data, bom), " \t\r\n")
			var elems []json.RawMessage
			if len(trimmed) > 0 && trimmed[0] == '[' && json.Unmarshal(data, &elems) == nil && !bytes.HasPrefix(data, bom) {
				if len(elems) != len(recs) {
					t.Fatalf("%d records, encoding/json finds %d elements", len(recs), len(elems))
				}
				for i := range elems {
					if !bytes.Equal(elems[i], recs[i]) {
						t.Fatalf("element %d: %q, encoding/json: %q", i, recs[i], elems[i])
					}
				}
			}
		}
	})
}
