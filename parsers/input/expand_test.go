package input

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestExpand(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	files := []string{
		"logs/b.gz", "logs/a.gz", "logs/sub/c.log", "logs/sub/.hidden.log",
		"logs/.git/config", "logs/z.txt", "other.log",
	}
	for _, f := range files {
		p := filepath.Join(dir, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(f), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(filepath.Join(dir, "other.log"), filepath.Join(dir, "logs", "link.log")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(dir, "logs", "sub"), filepath.Join(dir, "logs", "linkdir")); err != nil {
		t.Fatal(err)
	}
	in := func(s ...string) []string {
		for i := range s {
			if s[i] != "-" {
				s[i] = filepath.Join(dir, s[i])
			}
		}
		return s
	}
	tests := []struct {
		name     string
		args     []string
		want     []string
		wantErrs []string
	}{
		{"directory, recursive and sorted, hidden skipped, symlinked file followed, symlinked dir not",
			in("logs"), in("logs/a.gz", "logs/b.gz", "logs/link.log", "logs/sub/c.log", "logs/z.txt"), nil},
		{"glob", in("logs/*.gz"), in("logs/a.gz", "logs/b.gz"), nil},
		{"argument order kept, duplicates once", in("other.log", "logs/*.gz", "logs/a.gz", "-", "-"),
			in("other.log", "logs/a.gz", "logs/b.gz", "-"), nil},
		{"a hidden file named explicitly is read", in("logs/sub/.hidden.log"), in("logs/sub/.hidden.log"), nil},
		{"missing file and empty glob are errors, the rest goes on", in("nope.log", "logs/*.zst", "other.log"),
			in("other.log"), []string{"nope.log: stat: no such file or directory", "*.zst: no file matches this pattern"}},
		{"bad pattern", in("logs/[.gz"), nil, []string{"bad pattern"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srcs, errs := Expand(tt.args)
			var got []string
			for _, s := range srcs {
				got = append(got, s.Path)
				if s.Path == "-" && s.Size != -1 || s.Path != "-" && s.Size <= 0 {
					t.Errorf("%s: size %d", s.Path, s.Size)
				}
			}
			if !equal(got, tt.want) {
				t.Errorf("got %q\nwant %q", got, tt.want)
			}
			if len(errs) != len(tt.wantErrs) {
				t.Fatalf("errors %v, want %d", errs, len(tt.wantErrs))
			}
			for i, e := range errs {
				if !strings.Contains(e.Error(), tt.wantErrs[i]) {
					t.Errorf("error %q, want it to contain %q", e, tt.wantErrs[i])
				}
			}
		})
	}
}

func TestExpandUnreadableDirectory(t *testing.T) {
	if os.Getuid() == 0 {
		t.Skip("root reads every directory")
	}
	t.Parallel()
	dir := t.TempDir()
	locked := filepath.Join(dir, "locked")
	if err := os.MkdirAll(locked, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "ok.log"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(locked, 0o000); err != nil {
		t.Fatal(err)
	}
	defer os.Chmod(locked, 0o755)
	srcs, errs := Expand([]string{dir})
	if len(srcs) != 1 || len(errs) != 1 || !strings.Contains(errs[0].Error(), "locked") {
		t.Errorf("got %v and %v", srcs, errs)
	}
}
