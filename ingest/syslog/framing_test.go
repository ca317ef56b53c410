package syslog

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
)

func frames(t testing.TB, in string, framing Framing, max int) (out []string, errs []string) {
	f := NewFramer(bufio.NewReaderSize(strings.NewReader(in), 16), framing, max)
	for {
		b, err := f.Next()
		if err == io.EOF {
			return
		}
		var tl *TooLargeError
		if errors.As(err, &tl) {
			errs = append(errs, fmt.Sprintf("too large %d", tl.Size))
			continue
		}
		if err != nil {
			errs = append(errs, err.Error())
			return
		}
		out = append(out, string(b))
	}
}

func TestFramer(t *testing.T) {
	for _, tc := range []struct {
		name    string
		in      string
		framing Framing
		want    []string
		errs    []string
	}{
		{"lines", "<34>1 a\n<34>1 b\r\n\n<13>c", FramingAuto, []string{"<34>1 a", "<34>1 b", "<13>c"}, nil},
		{"octets", "7 <34>1 a8 <34>1 b\n9 <34>1 c\nd", FramingAuto, []string{"<34>1 a", "<34>1 b\n", "<34>1 c\nd"}, nil},
		{"mixed", "7 <34>1 a\n<1>x\n3 abc", FramingAuto, []string{"<34>1 a", "<1>x", "abc"}, nil},
		{"digits then no space is a line", "2024-01-01 host app: hi\n", FramingAuto, []string{"2024-01-01 host app: hi"}, nil},
		{"a long octet frame is skipped", "30 0123456789012345678901234567894 okay", FramingAuto, []string{"okay"}, []string{"too large 30"}},
		{"a long line is skipped", strings.Repeat("x", 100) + "\n<1>next\n", FramingLF, []string{"<1>next"}, []string{"too large 101"}},
		{"forced octets refuse a line", "<1>x\n", FramingOctets, nil, []string{"bad octet-counting frame: the frame starts with '<', not a length"}},
		{"cut short", "10 abc", FramingOctets, nil, []string{"unexpected EOF"}},
		{"forced octets, LF after frames", "3 abc\n3 def", FramingOctets, []string{"abc", "def"}, nil},
		{"lf framing keeps digits", "5 abc\n", FramingLF, []string{"5 abc"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, errs := frames(t, tc.in, tc.framing, 25)
			if fmt.Sprint(got) != fmt.Sprint(tc.want) || fmt.Sprint(errs) != fmt.Sprint(tc.errs) {
				t.Fatalf("got %q %q, want %q %q", got, errs, tc.want, tc.errs)
			}
		})
	}
}

// FuzzFramer: any input frames without panicking; frames re-encoded with
// octet counting frame back to themselves.
func FuzzFramer(f *testing.F) {
	for _, s := range []string{"<34>1 a\n", "7 <34>1 a", "3 abc\n<1>x", "99999999999 x", "0 \n", "1 ", "\r\n\r\n", "12345678901 a"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		var got [][]byte
		fr := NewFramer(bufio.NewReaderSize(bytes.NewReader(in), 16), FramingAuto, 1024)
		for i := 0; i < len(in)+1; i++ {
			b, err := fr.Next()
			var tl *TooLargeError
			if errors.As(err, &tl) {
				continue
			}
			if err != nil {
				break
			}
			if len(b) > 1024 {
				t.Fatalf("frame of %d bytes over the limit", len(b))
			}
			got = append(got, bytes.Clone(b))
		}
		var enc []byte
		for _, b := range got {
			enc = fmt.Appendf(enc, "%d %s", len(b), b)
		}
		fr = NewFramer(bufio.NewReaderSize(bytes.NewReader(enc), 16), FramingOctets, 1024)
		for i, want := range got {
			b, err := fr.Next()
			if err != nil || !bytes.Equal(b, want) {
				t.Fatalf("frame %d: %q %v, want %q", i, b, err, want)
			}
		}
	})
}

func BenchmarkFramer(b *testing.B) {
	line := "<34>1 2026-11-10T10:00:00.000Z bastion sshd 4242 - - Failed password for invalid user admin from 203.0.113.9 port 52113 ssh2"
	for _, tc := range []struct {
		name    string
		framing Framing
		enc     func(string) string
	}{
		{"lf", FramingAuto, func(s string) string { return s + "\n" }},
		{"octets", FramingAuto, func(s string) string { return fmt.Sprintf("%d %s", len(s), s) }},
	} {
		b.Run(tc.name, func(b *testing.B) {
			var buf bytes.Buffer
			for i := 0; i < 1000; i++ {
				buf.WriteString(tc.enc(line))
			}
			data := buf.Bytes()
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				fr := NewFramer(bufio.NewReaderSize(bytes.NewReader(data), 64<<10), tc.framing, 64<<10)
				n := 0
				for {
					if _, err := fr.Next(); err != nil {
						break
					}
					n++
				}
				if n != 1000 {
					b.Fatal(n)
				}
			}
		})
	}
}
