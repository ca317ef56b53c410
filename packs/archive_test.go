package packs

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
)

type entry struct {
	name string
	body string
	mode os.FileMode
	// declared, when set, replaces the uncompressed size in the headers
	// (a lying zip bomb); the entry is stored, not deflated.
	declared uint64
}

func makeZip(t testing.TB, entries []entry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		fh := &zip.FileHeader{Name: e.name, Method: zip.Deflate}
		fh.SetMode(0o644)
		if e.mode != 0 {
			fh.SetMode(e.mode)
		}
		if e.declared != 0 {
			fh.Method = zip.Store
			fh.CRC32 = 0
			fh.CompressedSize64 = uint64(len(e.body))
			fh.UncompressedSize64 = e.declared
			w, err := zw.CreateRaw(fh)
			if err != nil {
				t.Fatal(err)
			}
			w.Write([]byte(e.body))
			continue
		}
		w, err := zw.CreateHeader(fh)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(e.body))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// withManifest returns entries plus a valid manifest of them.
func withManifest(files ...entry) []entry {
	m := &Manifest{Format: FormatVersion, Pack: "P", Detections: []string{}}
	for _, f := range files {
		m.Files = append(m.Files, File{Path: f.name, Size: int64(len(f.body)), SHA256: sha256Hex([]byte(f.body))})
	}
	m.Digest = ComputeDigest(m.Files)
	b, _ := m.encode()
	return append([]entry{{name: ManifestName, body: string(b)}}, files...)
}

func TestOpenArchive(t *testing.T) {
	t.Parallel()
	a := entry{name: "rules/a.yml", body: "AnalysisType: rule\n"}
	b := entry{name: "rules/a.lua", body: "function rule(e) return true end\n"}
	good := withManifest(b, a) // sorted: a.lua, a.yml
	tamper := func(f func(m *Manifest)) []entry {
		es := withManifest(b, a)
		var m Manifest
		json.Unmarshal([]byte(es[0].body), &m)
		f(&m)
		data, _ := m.encode()
		es[0].body = string(data)
		return es
	}
	tests := []struct {
		name    string
		entries []entry
		raw     []byte
		kind    string
		msg     string
	}{
		{name: "valid", entries: good},
		{name: "directory entries are fine", entries: append(withManifest(b, a), entry{name: "rules/"})},
		{name: "not a zip", raw: []byte("hello"), kind: KindNotZip},
		{name: "empty", raw: []byte{}, kind: KindNotZip},
		{name: "no manifest", entries: []entry{a}, kind: KindManifest, msg: "no manifest.json"},
		{name: "manifest not JSON", entries: []entry{{name: ManifestName, body: "{"}}, kind: KindManifest},
		{name: "manifest unknown key", entries: []entry{{name: ManifestName, body: `{"format":1,"pack":"P","digest":"","files":[],"extra":1}`}}, kind: KindManifest, msg: "unknown field"},
		{name: "future format", entries: tamper(func(m *Manifest) { m.Format = 9 }), kind: KindFormatVersion},
		{name: "hash mismatch", entries: tamper(func(m *Manifest) { m.Files[1].SHA256 = strings.Repeat("0", 64) }), kind: KindMismatch, msg: `"rules/a.yml": sha256`},
		{name: "size mismatch", entries: tamper(func(m *Manifest) { m.Files[0].Size++ }), kind: KindMismatch},
		{name: "digest mismatch", entries: tamper(func(m *Manifest) { m.Digest = "sha256:00" }), kind: KindDigest},
		{name: "missing file", entries: tamper(func(m *Manifest) {
			m.Files = append(m.Files, File{Path: "rules/z.lua", SHA256: "x"})
		}), kind: KindMissing},
		{name: "unsorted manifest", entries: tamper(func(m *Manifest) { m.Files[0], m.Files[1] = m.Files[1], m.Files[0] }), kind: KindManifest, msg: "not sorted"},
		{name: "manifest path escapes", entries: tamper(func(m *Manifest) { m.Files[0].Path = "../a.lua" }), kind: KindManifest},
		{name: "unlisted file", entries: append(withManifest(b, a), entry{name: "rules/x.lua", body: "x"}), kind: KindUnlisted},
		{name: "zip slip", entries: append(withManifest(b, a), entry{name: "rules/../../x"}), kind: KindUnsafePath, msg: "leaves the pack"},
		{name: "absolute", entries: append(withManifest(b, a), entry{name: "/x"}), kind: KindUnsafePath},
		{name: "drive letter", entries: append(withManifest(b, a), entry{name: "C:/x"}), kind: KindUnsafePath},
		{name: "backslash", entries: append(withManifest(b, a), entry{name: `a\b`}), kind: KindUnsafePath},
		{name: "dot element", entries: append(withManifest(b, a), entry{name: "./x"}), kind: KindUnsafePath},
		{name: "symlink", entries: append(withManifest(b, a), entry{name: "l", body: "/etc", mode: os.ModeSymlink | 0o777}), kind: KindSymlink},
		{name: "device", entries: append(withManifest(b, a), entry{name: "d", mode: os.ModeDevice | 0o600}), kind: KindUnsupported},
		{name: "duplicate", entries: append(withManifest(b, a), a), kind: KindDuplicate, msg: "appears twice"},
		{name: "case duplicate", entries: append(withManifest(b, a), entry{name: "RULES/A.YML"}), kind: KindDuplicate, msg: "differ only by case"},
		{name: "file and folder", entries: append(withManifest(b, a), entry{name: "rules/a.yml/x"}), kind: KindDuplicate, msg: "both a file and a folder"},
		{name: "declared too large", entries: append(withManifest(b, a), entry{name: "big", body: "x", declared: 2 << 20}), kind: KindTooLarge},
		{name: "lying size", entries: lyingSize(), kind: KindCorrupt},
	}
	lim := Limits{MaxFiles: 10, MaxUncompressed: 1 << 20}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			data := tt.raw
			if data == nil {
				data = makeZip(t, tt.entries)
			}
			arch, err := OpenArchive(bytes.NewReader(data), int64(len(data)), lim)
			if tt.kind == "" {
				if err != nil {
					t.Fatal(err)
				}
				if arch.Manifest.Pack != "P" || len(arch.Manifest.Files) != 2 {
					t.Errorf("%+v", arch.Manifest)
				}
				return
			}
			var ae *ArchiveError
			if !errors.As(err, &ae) || ae.Kind != tt.kind {
				t.Fatalf("got %v, want kind %s", err, tt.kind)
			}
			if !strings.Contains(ae.Error(), tt.msg) {
				t.Errorf("%q lacks %q", ae.Error(), tt.msg)
			}
		})
	}
	many := withManifest()
	for i := 0; i < 11; i++ {
		many = append(many, entry{name: "f" + string(rune('a'+i))})
	}
	data := makeZip(t, many)
	if _, err := OpenArchive(bytes.NewReader(data), int64(len(data)), lim); err == nil || err.(*ArchiveError).Kind != KindTooManyFiles {
		t.Errorf("too many files: %v", err)
	}
}

// lyingSize is an entry whose headers and manifest declare 10 bytes while
// it holds 100: reading must stop at the declared size.
func lyingSize() []entry {
	body := strings.Repeat("x", 100)
	m := &Manifest{Format: FormatVersion, Pack: "P", Files: []File{{Path: "small", Size: 10, SHA256: sha256Hex([]byte(body))}}}
	m.Digest = ComputeDigest(m.Files)
	b, _ := m.encode()
	return []entry{{name: ManifestName, body: string(b)}, {name: "small", body: body, declared: 10}}
}

// FuzzOpenArchive: the server opens uploaded bytes, so nothing may panic,
// and an accepted archive is one whose files match its manifest.
func FuzzOpenArchive(f *testing.F) {
	a := entry{name: "rules/a.yml", body: "AnalysisType: rule\n"}
	f.Add(makeZip(f, withManifest(a)))
	f.Add(makeZip(f, append(withManifest(a), entry{name: "../x"})))
	f.Add(makeZip(f, withManifest(entry{name: "s", body: "xxxxxxxx", declared: 4})))
	f.Add([]byte("PK\x03\x04"))
	f.Fuzz(func(t *testing.T, data []byte) {
		arch, err := OpenArchive(bytes.NewReader(data), int64(len(data)), Limits{MaxFiles: 100, MaxUncompressed: 1 << 20})
		if err != nil {
			var ae *ArchiveError
			if !errors.As(err, &ae) {
				t.Fatalf("not an ArchiveError: %v", err)
			}
			return
		}
		for _, mf := range arch.Manifest.Files {
			rc, err := arch.Zip.Open(mf.Path)
			if err != nil {
				t.Fatalf("accepted archive, listed file %s: %v", mf.Path, err)
			}
			body, err := io.ReadAll(rc)
			rc.Close()
			if err != nil || sha256Hex(body) != mf.SHA256 {
				t.Fatalf("accepted archive, %s does not match", mf.Path)
			}
		}
	})
}
