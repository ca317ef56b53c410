// Command samplegen writes testdata/samples: the sample logs that `make run`
// replays and that cmd/samples_test.go holds to testdata/samples.golden.jsonl.
//
//	go run ./testdata/samplegen            # from the repository root
//	go run ./testdata/samplegen -out DIR   # somewhere else
//
// The samples are ours: written from the vendors' public format
// documentation, with documentation addresses (RFC 5737: 192.0.2.0/24,
// 198.51.100.0/24, 203.0.113.0/24) and made-up names. They tell one story,
// told in story.go: six hours (08:00-14:00 UTC, Tuesday 10 November 2026)
// of Fernhill, a 40-person company with an AWS production account, Okta,
// GitHub and a GCP analytics project, while an intruder works through it.
//
// The generator is kept (under testdata/, so that `go build ./...` and
// `go vet ./...` leave it alone) because the samples are data that the
// shipped detections and parsers are tested against: when either changes,
// the story is edited here and regenerated, not patched by hand in a
// hundred compressed files. Its output is deterministic (fixed random seed,
// fixed gzip header, single-threaded zstd, bzip2 -9), so regenerating
// without a change gives the same bytes. bzip2 output comes from the
// bzip2 command (the standard library only decompresses bzip2).
package main

import (
	"bytes"
	"compress/gzip"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"time"

	"github.com/klauspost/compress/zstd"
)

func main() {
	out := flag.String("out", "testdata/samples", "folder to (re)write")
	flag.Parse()
	if err := run(*out); err != nil {
		fmt.Fprintln(os.Stderr, "samplegen:", err)
		os.Exit(1)
	}
}

func run(dir string) error {
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	s := newStory()
	s.tell()
	files := s.files()
	sort.Slice(files, func(i, j int) bool { return files[i].path < files[j].path })
	var total int64
	for _, f := range files {
		data, err := compress(f.codec, f.data)
		if err != nil {
			return fmt.Errorf("%s: %w", f.path, err)
		}
		p := filepath.Join(dir, filepath.FromSlash(f.path))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			return err
		}
		total += int64(len(data))
	}
	fmt.Printf("wrote %d files, %d bytes, to %s\n", len(files), total, dir)
	return nil
}

// codec is how a file is stored.
type codec int

const (
	plain codec = iota
	gz
	zst
	bz2
)

// file is one output file, its content uncompressed.
type file struct {
	path  string
	codec codec
	data  []byte
}

func compress(c codec, data []byte) ([]byte, error) {
	var b bytes.Buffer
	switch c {
	case plain:
		return data, nil
	case gz:
		w, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
		w.ModTime = time.Time{} // no time in the header: same input, same bytes
		w.Write(data)
		if err := w.Close(); err != nil {
			return nil, err
		}
	case zst:
		w, err := zstd.NewWriter(&b, zstd.WithEncoderConcurrency(1), zstd.WithEncoderLevel(zstd.SpeedBetterCompression))
		if err != nil {
			return nil, err
		}
		w.Write(data)
		if err := w.Close(); err != nil {
			return nil, err
		}
	case bz2:
		cmd := exec.Command("bzip2", "-9", "-c")
		cmd.Stdin = bytes.NewReader(data)
		cmd.Stdout = &b
		if err := cmd.Run(); err != nil {
			return nil, fmt.Errorf("bzip2 (the command is needed for the .bz2 sample): %w", err)
		}
	}
	return b.Bytes(), nil
}
