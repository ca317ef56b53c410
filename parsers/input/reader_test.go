package input

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// collect reads every record of r as "line#ordinal data" and every error as
// "ERR message", in order.
func collect(t testing.TB, r *Reader) []string {
	t.Helper()
	var out []string
	for i := 0; ; i++ {
		if i > 1e6 {
			t.Fatal("reader does not end")
		}
		rec, err := r.Next()
		if err == io.EOF {
			break
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
		out = append(out, fmt.Sprintf("%d#%d %s", rec.Line, rec.Ordinal, rec.Data))
	}
	// Done means done.
	if _, err := r.Next(); err != io.EOF {
		t.Fatalf("Next after the end: %v", err)
	}
	return out
}

// chunkings are the ways a source may arrive: the result must not depend
// on them, which exercises every buffer boundary.
var chunkings = map[string]func(io.Reader) io.Reader{
	"whole":   func(r io.Reader) io.Reader { return r },
	"onebyte": iotest.OneByteReader,
	"half":    iotest.HalfReader,
	"dataerr": iotest.DataErrReader,
}

func TestReader(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		max  int
		mode Mode // forced mode; the detected one is checked against want
		want []string
		// wantMode is the mode the sniffer must choose.
		wantMode Mode
	}{
		{name: "empty", in: "", want: nil, wantMode: ModeLines},
		{name: "only spaces", in: " \n\r\n\t", want: nil, wantMode: ModeLines},
		{name: "lines", in: "a\nb\n", want: []string{"1#1 a", "2#2 b"}, wantMode: ModeLines},
		{name: "crlf blank lines no final newline", in: "a\r\n\r\n  \nb", want: []string{"1#1 a", "4#2 b"}, wantMode: ModeLines},
		{name: "spaces kept, only \\r stripped", in: " a \r\n", want: []string{"1#1  a "}, wantMode: ModeLines},
		{name: "byte order mark", in: "\xef\xbb\xbfx\ny", want: []string{"1#1 x", "2#2 y"}, wantMode: ModeLines},
		{name: "ndjson", in: `{"a":1}` + "\n" + `{"b":2}` + "\n", want: []string{`1#1 {"a":1}`, `2#2 {"b":2}`}, wantMode: ModeLines},
		{name: "ndjson broken first line", in: `{"a":1,"b` + "\n" + `{"a":2}` + "\n" + `{"a":3}`,
			want: []string{`1#1 {"a":1,"b`, `2#2 {"a":2}`, `3#3 {"a":3}`}, wantMode: ModeLines},
		{name: "ndjson truncated last line", in: `{"a":1}` + "\n" + `{"a":`, want: []string{`1#1 {"a":1}`, `2#2 {"a":`}, wantMode: ModeLines},
		{name: "apache error log starts with a bracket", in: "[Wed Oct 11 14:32:52 2000] [error] x\n[Wed Oct 11 14:32:53 2000] [error] y\n",
			want: []string{"1#1 [Wed Oct 11 14:32:52 2000] [error] x", "2#2 [Wed Oct 11 14:32:53 2000] [error] y"}, wantMode: ModeLines},
		{name: "dmesg", in: "[    0.000000] Linux version\n", want: []string{"1#1 [    0.000000] Linux version"}, wantMode: ModeLines},
		{name: "too long line", max: 10, in: "short\n0123456789abcdef\r\nnext\n",
			want: []string{"1#1 short", "ERR t:2: record of 16 bytes exceeds the 10 bytes limit", "3#3 next"}, wantMode: ModeLines},
		{name: "line of exactly max, with and without \\r", max: 4, in: "abcd\nabcd\r\nabcde\n",
			want: []string{"1#1 abcd", "2#2 abcd", "ERR t:3: record of 5 bytes exceeds the 4 bytes limit"}, wantMode: ModeLines},
		{name: "long blank line is blank, not too long", max: 1, in: "0\n   \n      \t \nx", want: []string{"1#1 0", "4#2 x"}, wantMode: ModeLines},
		{name: "too long last line", max: 3, in: "ab\nabcdef", want: []string{"1#1 ab", "ERR t:2: record of 6 bytes exceeds the 3 bytes limit"}, wantMode: ModeLines},

		{name: "array", in: `[{"a":1},{"b":2}]`, want: []string{`1#1 {"a":1}`, `1#2 {"b":2}`}, wantMode: ModeJSON},
		{name: "empty array", in: "[ ]\n", want: nil, wantMode: ModeJSON},
		{name: "pretty array", in: "[\n  {\n    \"a\": 1\n  },\n  {\"b\": [2, {}]}\n]\n",
			want: []string{"2#1 {\n    \"a\": 1\n  }", `5#2 {"b": [2, {}]}`}, wantMode: ModeJSON},
		{name: "array of scalars", in: `[1, "x,]", true, -2.5e3,null]`,
			want: []string{"1#1 1", `1#2 "x,]"`, "1#3 true", "1#4 -2.5e3", "1#5 null"}, wantMode: ModeJSON},
		{name: "escapes", in: `["a\\", "b\"c", "\\\"", {"k":"}\\"}]`,
			want: []string{`1#1 "a\\"`, `1#2 "b\"c"`, `1#3 "\\\""`, `1#4 {"k":"}\\"}`}, wantMode: ModeJSON},
		{name: "trailing comma tolerated", in: `[{"a":1},]`, want: []string{`1#1 {"a":1}`}, wantMode: ModeJSON},
		{name: "single-line array of numbers", in: "[1,2]\n", want: []string{"1#1 1", "1#2 2"}, wantMode: ModeJSON},
		{name: "Records wrapper", in: `{"Records":[{"a":1},{"b":2}]}`, want: []string{`1#1 {"a":1}`, `1#2 {"b":2}`}, wantMode: ModeJSON},
		{name: "records wrapper, keys after the array are skipped", in: "{ \"records\" :\n [ {\"a\":1} ], \"x\": {\"y\": [\"]\"]}}\n{\"Records\":[{\"c\":3}]}",
			want: []string{`2#1 {"a":1}`, `3#2 {"c":3}`}, wantMode: ModeJSON},
		{name: "empty Records", in: `{"Records":[]}`, want: nil, wantMode: ModeJSON},
		{name: "other first key is a value", in: "{\"logEvents\":\n[{\"a\":1}]}", want: []string{"1#1 {\"logEvents\":\n[{\"a\":1}]}"}, wantMode: ModeJSON},
		{name: "concatenated pretty objects", in: "{\n \"a\": 1\n}\n\n{\"b\":\n2}", want: []string{"1#1 {\n \"a\": 1\n}", "5#2 {\"b\":\n2}"}, wantMode: ModeJSON},
		{name: "concatenated arrays", in: "[{\"a\":1}]\n[{\"b\":2}]", want: []string{`1#1 {"a":1}`, `2#2 {"b":2}`}, wantMode: ModeJSON},
		{name: "json with byte order mark", in: "\xef\xbb\xbf[{\"a\":1}]", want: []string{`1#1 {"a":1}`}, wantMode: ModeJSON},

		{name: "missing comma stops the file", in: "[{\"a\":1}\n {\"b\":2}]", want: []string{`1#1 {"a":1}`,
			"ERR t:2: malformed JSON: expected , or ] after an array element, found '{'"}, wantMode: ModeJSON},
		{name: "mismatched bracket", in: "[{\"a\":1},\n{\"a\":[1}]", want: []string{`1#1 {"a":1}`, "ERR t:2: malformed JSON: unexpected '}'"}, wantMode: ModeJSON},
		{name: "stray closer at top", in: "{\n\"a\":1}}", want: []string{"1#1 {\n\"a\":1}", "ERR t:2: malformed JSON: unexpected '}'"}, wantMode: ModeJSON},
		{name: "unclosed array", in: "[{\"a\":1},\n{\"b\":2}\n", want: []string{`1#1 {"a":1}`, `2#2 {"b":2}`,
			"ERR t:3: truncated JSON: the array that starts at line 1 is not closed"}, wantMode: ModeJSON},
		{name: "unclosed element", in: "[{\"a\":1},\n{\"b\":", want: []string{`1#1 {"a":1}`,
			"ERR t:2: truncated JSON: the value that starts at line 2 is not closed"}, wantMode: ModeJSON},
		{name: "unclosed string", in: "[\"abc", want: []string{"ERR t:1: truncated JSON: the value that starts at line 1 is not closed"}, wantMode: ModeJSON},
		{name: "unclosed wrapper", in: "{\"Records\":[{\"a\":1}],\n\"b\":2", want: []string{`1#1 {"a":1}`,
			"ERR t:2: truncated JSON: the object that starts at line 1 is not closed"}, wantMode: ModeJSON},
		{name: "too large element is skipped", max: 12, in: "[{\"a\":\"0123456789\"},\n{\"b\":1}]",
			want: []string{"ERR t:1: record of 18 bytes exceeds the 12 bytes limit", `2#2 {"b":1}`}, wantMode: ModeJSON},

		{name: "forced lines on json", mode: ModeLines, in: `[{"a":1},` + "\n" + `{"b":2}]`, want: []string{`1#1 [{"a":1},`, `2#2 {"b":2}]`}, wantMode: ModeLines},
		{name: "forced json on text", mode: ModeJSON, in: "1 2", want: []string{"1#1 1", "1#2 2"}, wantMode: ModeJSON},
	}
	for _, tt := range tests {
		for cname, chunk := range chunkings {
			t.Run(tt.name+"/"+cname, func(t *testing.T) {
				t.Parallel()
				r := NewReader(chunk(strings.NewReader(tt.in)), Options{Name: "t", MaxRecordBytes: tt.max, Mode: tt.mode})
				got := collect(t, r)
				if !equal(got, tt.want) {
					t.Errorf("got\n\t%s\nwant\n\t%s", strings.Join(got, "\n\t"), strings.Join(tt.want, "\n\t"))
				}
				if r.Mode() != tt.wantMode {
					t.Errorf("mode %s, want %s", r.Mode(), tt.wantMode)
				}
			})
		}
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// A line far larger than the limit (and than the buffer) is skipped while
// streaming: the reader never holds it, and the next line reads normally.
func TestReaderHugeLineStreamsPast(t *testing.T) {
	t.Parallel()
	const size = 50 << 20
	const max = 1 << 20
	huge := io.MultiReader(strings.NewReader("before\n"), &repeatReader{b: 'x', n: size},
		strings.NewReader("\r\nafter\n"))
	cr := &capReader{r: huge}
	r := NewReader(cr, Options{Name: "big.log", MaxRecordBytes: max})
	got := collect(t, r)
	want := []string{"1#1 before", "ERR big.log:2: record of 52428800 bytes exceeds the 1 MiB limit", "3#3 after"}
	if !equal(got, want) {
		t.Fatalf("got %q", got)
	}
	if c := cap(r.buf); c > max+initialBufferSize {
		t.Errorf("the buffer grew to %d bytes for a limit of %d", c, max)
	}
	var re *RecordError
	_, err := NewReader(strings.NewReader(strings.Repeat("y", 20)), Options{MaxRecordBytes: 10}).Next()
	if !errors.As(err, &re) || !errors.Is(err, ErrTooLarge) || re.Size != 20 {
		t.Errorf("want a RecordError of 20 bytes that is ErrTooLarge, got %#v", err)
	}
}

// The same for a JSON array element.
func TestReaderHugeElementStreamsPast(t *testing.T) {
	t.Parallel()
	const size = 20 << 20
	const max = 1 << 20
	in := io.MultiReader(strings.NewReader(`[{"a":1},{"big":"`), &repeatReader{b: 'x', n: size},
		strings.NewReader(`\"\\"},`+"\n"+`{"c":3}]`))
	r := NewReader(in, Options{Name: "big.json", MaxRecordBytes: max})
	got := collect(t, r)
	want := []string{`1#1 {"a":1}`, fmt.Sprintf("ERR big.json:1: record of %d bytes exceeds the 1 MiB limit", size+8+6), `2#3 {"c":3}`}
	if !equal(got, want) {
		t.Fatalf("got %q", got)
	}
	if c := cap(r.buf); c > max+initialBufferSize {
		t.Errorf("the buffer grew to %d bytes for a limit of %d", c, max)
	}
}

// A read error ends the source after the complete records before it; the
// partial last line is not delivered.
func TestReaderReadError(t *testing.T) {
	t.Parallel()
	boom := errors.New("boom")
	for _, tt := range []struct {
		in   string
		want []string
	}{
		{"a\nb\npartial", []string{"1#1 a", "2#2 b", "ERR t:3: boom"}},
		{"[{\"a\":1},\n{\"b\"", []string{`1#1 {"a":1}`, "ERR t:2: boom"}},
	} {
		r := NewReader(io.MultiReader(strings.NewReader(tt.in), iotest.ErrReader(boom)), Options{Name: "t"})
		got := collect(t, r)
		if !equal(got, tt.want) {
			t.Errorf("%q: got %q, want %q", tt.in, got, tt.want)
		}
	}
}

// The testdata files, as a user would give them.
func TestReaderFiles(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file string
		want []string
	}{
		{"records.json", []string{
			"3#1 {\n      \"eventVersion\": \"1.08\",\n      \"eventName\": \"AssumeRole\",\n      \"requestParameters\": {\"roleArn\": \"arn:aws:iam::111122223333:role/Deploy\", \"tags\": [\"a]\", \"b}\\\"{\"]}\n    }",
			`8#2 {"eventVersion": "1.08", "eventName": "DeleteTrail", "note": "a \\\"quoted\\\" \\\\ value"}`,
			"10#3 {\n      \"eventVersion\": \"1.08\",\n      \"eventName\": \"StopLogging\"\n    }",
		}},
		{"array.json", []string{`1#1 {"id":1,"msg":"first"}`, `1#2 {"id":2,"msg":"with, comma"}`, `1#3 {"id":3,"msg":"with \"] bracket"}`}},
		{"concat.json", []string{"1#1 {\n  \"id\": 1,\n  \"msg\": \"pretty\"\n}", "5#2 {\n  \"id\": 2,\n  \"nested\": {\"a\": [1, 2, 3]}\n}", `9#3 {"id": 3}`}},
		{"text.log", []string{
			"1#1 <34>Oct 11 22:14:15 mymachine su: su root failed for lonvick on /dev/pts/8",
			"2#2 [Wed Oct 11 14:32:52 2000] [error] [client 127.0.0.1] client denied by server configuration",
			`5#3 192.0.2.10 - - [10/Oct/2000:13:55:36 -0700] "GET /a.gif HTTP/1.0" 200 2326`,
		}},
		{"events.jsonl.bz2", []string{
			`1#1 {"eventVersion":"1.08","eventName":"ConsoleLogin","eventTime":"2024-05-01T10:00:00Z"}`,
			`2#2 {"eventVersion":"1.08","eventName":"GetObject","eventTime":"2024-05-01T10:00:01Z"}`,
			`4#3 {"eventVersion":"1.08","eventName":"PutObject","eventTime":"2024-05-01T10:00:02Z"}`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			s, err := Open("testdata/" + tt.file)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			got := collect(t, NewReader(s, Options{}))
			if !equal(got, tt.want) {
				t.Errorf("got\n\t%s\nwant\n\t%s", strings.Join(got, "\n\t"), strings.Join(tt.want, "\n\t"))
			}
		})
	}
}

// Record data is valid until the next call only: a consumer that keeps it
// must copy. This pins down that the buffer is indeed reused, so the
// documentation is not a dead letter.
func TestReaderReusesBuffer(t *testing.T) {
	t.Parallel()
	var in bytes.Buffer
	for i := range 100000 {
		fmt.Fprintf(&in, "line %d\n", i)
	}
	r := NewReader(&in, Options{})
	first, err := r.Next()
	if err != nil {
		t.Fatal(err)
	}
	keep := first.Data
	for {
		if _, err := r.Next(); err != nil {
			break
		}
	}
	if string(keep) == "line 0" {
		t.Error("the first record's bytes were not reused; the Record doc says they are")
	}
}

func TestFormatSize(t *testing.T) {
	t.Parallel()
	for n, want := range map[int64]string{16 << 20: "16 MiB", 512 << 10: "512 KiB", 1000: "1000 bytes", 2 << 30: "2 GiB", 1<<20 + 1: "1048577 bytes"} {
		if got := FormatSize(n); got != want {
			t.Errorf("FormatSize(%d) = %q, want %q", n, got, want)
		}
	}
}

// repeatReader yields n copies of b.
type repeatReader struct {
	b byte
	n int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.n == 0 {
		return 0, io.EOF
	}
	k := min(len(p), r.n)
	for i := range p[:k] {
		p[i] = r.b
	}
	r.n -= k
	return k, nil
}

// capReader passes reads through; it exists so tests can wrap a source.
type capReader struct{ r io.Reader }

func (c *capReader) Read(p []byte) (int, error) { return c.r.Read(p) }

// Broken JSON is bad content (ErrMalformedJSON); a failing read is not.
func TestMalformedIsContent(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]bool{`[{"a":1} {`: true, `[{"a":1}`: true, `{"Records":[}`: true} {
		r := NewReader(strings.NewReader(in), Options{})
		var err error
		for err == nil {
			_, err = r.Next()
		}
		if errors.Is(err, ErrMalformedJSON) != want {
			t.Errorf("%q: %v", in, err)
		}
	}
	r := NewReader(io.MultiReader(strings.NewReader(`[{"a":1},`), iotest.ErrReader(errors.New("disk on fire"))), Options{})
	r.Next()
	if _, err := r.Next(); errors.Is(err, ErrMalformedJSON) || err == nil {
		t.Errorf("a read error is not malformed JSON: %v", err)
	}
}
