package input

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

func gzipped(t testing.TB, parts ...string) []byte {
	t.Helper()
	var b bytes.Buffer
	for _, p := range parts { // one gzip member each
		w := gzip.NewWriter(&b)
		if _, err := w.Write([]byte(p)); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
	}
	return b.Bytes()
}

func zstded(t testing.TB, s string) []byte {
	t.Helper()
	var b bytes.Buffer
	w, err := zstd.NewWriter(&b)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// lines makes n NDJSON-ish lines, enough for the damage to land mid-file.
func lines(n int) string {
	var b strings.Builder
	for i := range n {
		b.WriteString(`{"n":`)
		b.WriteString(strings.Repeat("7", i%50+1))
		b.WriteString("}\n")
	}
	return b.String()
}

func TestOpenCompression(t *testing.T) {
	t.Parallel()
	text := lines(2000)
	bz, err := os.ReadFile("testdata/events.jsonl.bz2")
	if err != nil {
		t.Fatal(err)
	}
	bzText, err := os.ReadFile("testdata/events.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	tests := []struct {
		name string
		data []byte
		comp Compression
		want string
	}{
		{"plain", []byte(text), Plain, text},
		{"gzip", gzipped(t, text), Gzip, text},
		{"gzip multi-member", gzipped(t, text[:1000], text[1000:]), Gzip, text},
		{"zstd", zstded(t, text), Zstd, text},
		{"bzip2", bz, Bzip2, string(bzText)},
		{"empty", nil, Plain, ""},
		{"one byte", []byte{0x1f}, Plain, "\x1f"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			// The name says nothing: content decides.
			path := filepath.Join(dir, strings.ReplaceAll(tt.name, " ", "_")+".log")
			if err := os.WriteFile(path, tt.data, 0o644); err != nil {
				t.Fatal(err)
			}
			s, err := Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if s.Compression() != tt.comp {
				t.Errorf("compression %s, want %s", s.Compression(), tt.comp)
			}
			got, err := io.ReadAll(s)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("read %d bytes, want %d", len(got), len(tt.want))
			}
			if s.RawBytes() != int64(len(tt.data)) {
				t.Errorf("RawBytes %d, want %d", s.RawBytes(), len(tt.data))
			}
		})
	}
}

// A damaged compressed file yields the records before the damage, then a
// SourceError that names the file and says what is wrong.
func TestOpenDamaged(t *testing.T) {
	t.Parallel()
	text := lines(20000)
	gz := gzipped(t, text)
	zs := zstded(t, text)
	bz, err := os.ReadFile("testdata/events.jsonl.bz2")
	if err != nil {
		t.Fatal(err)
	}
	corrupt := bytes.Clone(gz)
	for i := len(corrupt) / 2; i < len(corrupt)/2+64; i++ {
		corrupt[i] ^= 0x5a
	}
	dir := t.TempDir()
	tests := []struct {
		name    string
		data    []byte
		wantErr string
		some    bool // some records come before the damage
		all     bool // every record comes before the damage
	}{
		{"truncated gzip", gz[:len(gz)/2], "truncated gzip stream", true, false},
		{"truncated gzip header", gz[:5], "truncated gzip stream", false, false},
		{"corrupt gzip", corrupt, "corrupt gzip stream", true, false},
		{"gzip with trailing garbage", append(bytes.Clone(gz), "this is not a gzip member"...), "corrupt gzip stream", false, true},
		{"truncated zstd", zs[:len(zs)/2], "truncated zstd stream", true, false},
		{"truncated bzip2", bz[:len(bz)-10], "bzip2 stream", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(dir, strings.ReplaceAll(tt.name, " ", "_"))
			if err := os.WriteFile(path, tt.data, 0o644); err != nil {
				t.Fatal(err)
			}
			n, err := countRecords(path)
			var se *SourceError
			if !errors.As(err, &se) {
				t.Fatalf("want a SourceError, got %v", err)
			}
			if se.File != path || !strings.Contains(err.Error(), tt.wantErr) || !strings.HasPrefix(err.Error(), path+":") {
				t.Errorf("error %q: want the file name and %q", err, tt.wantErr)
			}
			if tt.some && (n == 0 || n >= 20000) {
				t.Errorf("%d records before the damage, want some but not all", n)
			}
			if tt.all && n != 20000 {
				t.Errorf("%d records before the damage, want all 20000", n)
			}
			if tt.some && se.Line != n+1 {
				t.Errorf("error at line %d after %d records, want line %d", se.Line, n, n+1)
			}
		})
	}
}

// A damaged bzip2 block is reported as a corrupt bzip2 stream, and none of
// its garbage comes out as records (it came out as thousands of malformed
// JSON lines): the blocks before it come out whole.
func TestDamagedBzip2Block(t *testing.T) {
	t.Parallel()
	// 8000 CloudTrail-shaped lines, bzip2 -1 (100 KB blocks), 32 bytes
	// flipped in the middle of the file.
	path := "testdata/damaged-block.jsonl.bz2"
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	r := NewReader(s, Options{})
	n, bad := 0, 0
	for {
		rec, err2 := r.Next()
		var re *RecordError
		if errors.As(err2, &re) {
			bad++
			continue
		}
		if err = err2; err != nil {
			break
		}
		if !json.Valid(rec.Data) {
			bad++
			continue
		}
		n++
	}
	if !strings.Contains(fmt.Sprint(err), "corrupt bzip2 stream") {
		t.Errorf("want a corrupt bzip2 stream, got %v", err)
	}
	if bad != 0 || n == 0 || n >= 8000 {
		t.Errorf("%d records and %d malformed ones before the damage; want the records of the good blocks only", n, bad)
	}
}

// countRecords reads path to its end; it returns the records read and the
// first error that is not a RecordError.
func countRecords(path string) (int, error) {
	s, err := Open(path)
	if err != nil {
		return 0, err
	}
	defer s.Close()
	r := NewReader(s, Options{})
	n := 0
	for {
		_, err := r.Next()
		if err == io.EOF {
			return n, nil
		}
		var re *RecordError
		if errors.As(err, &re) {
			continue
		}
		if err != nil {
			return n, err
		}
		n++
	}
}

func TestOpenErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	_, err := Open(filepath.Join(dir, "missing.log"))
	var se *SourceError
	if !errors.As(err, &se) || !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), "missing.log: open: no such file") {
		t.Errorf("missing file: %v", err)
	}
	_, err = Open(dir)
	if !errors.As(err, &se) || !strings.Contains(err.Error(), "is a directory") {
		t.Errorf("directory: %v", err)
	}
	if os.Getuid() != 0 {
		p := filepath.Join(dir, "secret.log")
		if err := os.WriteFile(p, []byte("x\n"), 0o000); err != nil {
			t.Fatal(err)
		}
		if _, err := Open(p); !errors.Is(err, os.ErrPermission) {
			t.Errorf("unreadable file: %v", err)
		}
	}
}

func TestNewStreamStdin(t *testing.T) {
	t.Parallel()
	s, err := NewStream("-", bytes.NewReader(gzipped(t, "a\nb\n")))
	if err != nil {
		t.Fatal(err)
	}
	got := collect(t, NewReader(s, Options{}))
	if !equal(got, []string{"1#1 a", "2#2 b"}) || s.Name() != "-" {
		t.Errorf("got %q from %s", got, s.Name())
	}
	if err := s.Close(); err != nil {
		t.Error(err)
	}
}
