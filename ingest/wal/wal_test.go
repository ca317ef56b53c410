package wal

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

func appendN(t *testing.T, w *WAL, from, n int) uint64 {
	t.Helper()
	var last uint64
	for i := from; i < from+n; i++ {
		seq, err := w.Append([]byte(fmt.Sprintf("record %d", i)))
		if err != nil {
			t.Fatal(err)
		}
		last = seq
		if err := w.Sync(last); err != nil {
			t.Fatal(err)
		}
	}
	return last
}

func readAll(t *testing.T, w *WAL, after uint64) []string {
	t.Helper()
	var out []string
	if err := w.Replay(after, func(r Record) error {
		out = append(out, fmt.Sprintf("%d:%s", r.Seq, r.Payload))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestAppendReplayReopen(t *testing.T) {
	dir := t.TempDir()
	w, err := Open(dir, Options{SegmentBytes: 200})
	if err != nil {
		t.Fatal(err)
	}
	last := appendN(t, w, 0, 50)
	if last != 50 {
		t.Fatalf("last seq %d", last)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	w, err = Open(dir, Options{SegmentBytes: 200})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	got := readAll(t, w, 40)
	if len(got) != 10 || got[0] != "41:record 40" || got[9] != "50:record 49" {
		t.Fatalf("replay after 40: %v", got)
	}
	if seq, _ := w.Append([]byte("next")); seq != 51 {
		t.Fatalf("after reopening, the next seq is %d, want 51", seq)
	}
	if st := w.Stats(); st.Segments < 5 {
		t.Fatalf("segments %d: 200-byte segments should have rotated", st.Segments)
	}
}

// TestTornTail cuts the last segment in the middle of a record, and
// appends garbage to it: Open keeps every whole record before the cut,
// drops the rest, and appends after them.
func TestTornTail(t *testing.T) {
	for _, tc := range []struct {
		name string
		tear func(path string, size int64) error
	}{
		{"cut in a payload", func(p string, size int64) error { return os.Truncate(p, size-3) }},
		{"cut in a header", func(p string, size int64) error { return os.Truncate(p, size-int64(len("record 9"))-headerSize+5) }},
		{"garbage appended", func(p string, size int64) error {
			f, err := os.OpenFile(p, os.O_WRONLY|os.O_APPEND, 0)
			if err != nil {
				return err
			}
			defer f.Close()
			_, err = f.Write([]byte("\x05\x00\x00\x00garbagegarbage!!"))
			return err
		}},
		{"flipped byte", func(p string, size int64) error {
			f, err := os.OpenFile(p, os.O_WRONLY, 0)
			if err != nil {
				return err
			}
			defer f.Close()
			_, err = f.WriteAt([]byte{'X'}, size-1)
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			w, err := Open(dir, Options{})
			if err != nil {
				t.Fatal(err)
			}
			appendN(t, w, 0, 10)
			w.Abandon()
			segs, _ := listSegments(dir)
			lastSeg := segs[len(segs)-1].fileName
			st, _ := os.Stat(lastSeg)
			if err := tc.tear(lastSeg, st.Size()); err != nil {
				t.Fatal(err)
			}
			w, err = Open(dir, Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer w.Close()
			got := readAll(t, w, 0)
			want := 9
			if tc.name == "garbage appended" {
				want = 10
			}
			if len(got) != want {
				t.Fatalf("%d records after repair, want %d: %v", len(got), want, got)
			}
			seq, err := w.Append([]byte("after"))
			if err != nil || seq != uint64(want+1) {
				t.Fatalf("append after repair: seq %d, %v", seq, err)
			}
			if err := w.Sync(seq); err != nil {
				t.Fatal(err)
			}
			if got := readAll(t, w, uint64(want)); len(got) != 1 || got[0] != fmt.Sprintf("%d:after", want+1) {
				t.Fatalf("read after repair: %v", got)
			}
		})
	}
}

// TestCorruptionBeforeTail: a bad record in a segment that is not the last
// is acknowledged data damaged: Open refuses, naming file and offset.
func TestCorruptionBeforeTail(t *testing.T) {
	dir := t.TempDir()
	w, err := Open(dir, Options{SegmentBytes: 100})
	if err != nil {
		t.Fatal(err)
	}
	appendN(t, w, 0, 20)
	w.Close()
	first := filepath.Join(dir, segName(1))
	f, err := os.OpenFile(first, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteAt([]byte{'Z'}, headerSize+2)
	f.Close()
	_, err = Open(dir, Options{SegmentBytes: 100})
	var ce *CorruptError
	if !errors.As(err, &ce) || ce.File != first || ce.Offset != 0 {
		t.Fatalf("want a CorruptError at %s:0, got %v", first, err)
	}
}

func TestTruncate(t *testing.T) {
	dir := t.TempDir()
	w, err := Open(dir, Options{SegmentBytes: 100})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	appendN(t, w, 0, 30)
	before := w.Stats().Segments
	if err := w.Truncate(15); err != nil {
		t.Fatal(err)
	}
	after := w.Stats().Segments
	if after >= before {
		t.Fatalf("segments %d -> %d", before, after)
	}
	got := readAll(t, w, 15)
	if len(got) != 15 || got[0] != "16:record 15" {
		t.Fatalf("records after 15 must all survive: %v", got)
	}
}

// TestGroupCommit: concurrent appenders share fsyncs.
func TestGroupCommit(t *testing.T) {
	w, err := Open(t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	var wg sync.WaitGroup
	const writers, each = 16, 50
	for g := 0; g < writers; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				seq, err := w.Append([]byte("x"))
				if err == nil {
					err = w.Sync(seq)
				}
				if err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	st := w.Stats()
	if st.Synced != writers*each {
		t.Fatalf("synced %d", st.Synced)
	}
	if st.Syncs >= writers*each {
		t.Fatalf("%d fsyncs for %d appends: no grouping", st.Syncs, writers*each)
	}
}

func BenchmarkAppendSync(b *testing.B) {
	for _, conc := range []int{1, 64} {
		b.Run(fmt.Sprintf("writers=%d", conc), func(b *testing.B) {
			w, err := Open(b.TempDir(), Options{})
			if err != nil {
				b.Fatal(err)
			}
			defer w.Close()
			payload := make([]byte, 1500)
			b.SetBytes(int64(len(payload)))
			b.SetParallelism(conc)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					seq, err := w.Append(payload)
					if err == nil {
						err = w.Sync(seq)
					}
					if err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}

// TestLargeRecordsAcrossSegments: records over joinBelow (written part by
// part) from concurrent writers, in segments that rotate every few
// records (their last records synced by the syncer, not the appender):
// each comes back whole after a reopen, and no segment file is left open.
func TestLargeRecordsAcrossSegments(t *testing.T) {
	dir := t.TempDir()
	fds := func() int {
		ents, err := os.ReadDir("/proc/self/fd")
		if err != nil {
			t.Skip("no /proc/self/fd")
		}
		return len(ents)
	}
	before := fds()
	w, err := Open(dir, Options{SegmentBytes: 3 * joinBelow})
	if err != nil {
		t.Fatal(err)
	}
	const writers, each = 4, 10
	payload := func(seq uint64) []byte {
		b := make([]byte, joinBelow+int(seq)*7)
		for i := range b {
			b[i] = byte(int(seq) + i)
		}
		return b
	}
	var mu sync.Mutex
	want := map[uint64][]byte{}
	var wg sync.WaitGroup
	for g := 0; g < writers; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				mu.Lock() // the payload depends on the seq it gets
				seq, err := w.AppendParts([]byte("head-"), payload(w.Last()+1))
				want[seq] = append([]byte("head-"), payload(seq)...)
				mu.Unlock()
				if err == nil {
					err = w.Sync(seq)
				}
				if err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if st := w.Stats(); st.Segments < writers*each/3 || st.Synced != writers*each {
		t.Fatalf("segments %d, synced %d", st.Segments, st.Synced)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if n := fds(); n != before {
		t.Errorf("%d file descriptors open after Close, %d before", n, before)
	}
	w, err = Open(dir, Options{SegmentBytes: 3 * joinBelow})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	n := 0
	if err := w.Replay(0, func(r Record) error {
		n++
		if string(r.Payload) != string(want[r.Seq]) {
			t.Errorf("record %d: %d bytes differ from the %d appended", r.Seq, len(r.Payload), len(want[r.Seq]))
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if n != writers*each {
		t.Fatalf("%d records read back, want %d", n, writers*each)
	}
}
