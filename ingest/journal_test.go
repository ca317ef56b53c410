package ingest

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// TestRecoverInChunks: entries after the mark come back in order, a chunk
// at a time, before anything appended after the restart.
func TestRecoverInChunks(t *testing.T) {
	defer func(old int64) { recoverChunk = old }(recoverChunk)
	recoverChunk = 600 // a few entries a chunk
	dir := t.TempDir()
	j, err := OpenJournal(dir, JournalOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for i := 0; i < 20; i++ {
		e := &Entry{Input: "http", Source: "s", Received: time.Now(), Kind: Stream, Data: []byte(fmt.Sprintf("entry %d", i))}
		seq, err := j.Append(ctx, e, true)
		if err != nil {
			t.Fatal(err)
		}
		j.Wait(seq)
	}
	j.Close()
	j, err = OpenJournal(dir, JournalOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	n, err := j.Recover(5)
	if err != nil || n != 15 {
		t.Fatalf("recover: %d, %v", n, err)
	}
	seq, err := j.Append(ctx, &Entry{Input: "http", Source: "s", Kind: Stream, Data: []byte("new")}, true)
	if err != nil || seq != 21 {
		t.Fatalf("append after recover: %d %v", seq, err)
	}
	if d, _ := j.Depth(); d != 16 {
		t.Fatalf("depth %d, want 16", d)
	}
	for want := uint64(6); want <= 21; want++ {
		e := j.TryNext()
		if e == nil || e.Seq != want {
			t.Fatalf("want entry %d, got %+v", want, e)
		}
		if want <= 20 && string(e.Data) != fmt.Sprintf("entry %d", want-1) {
			t.Fatalf("entry %d holds %q", want, e.Data)
		}
		if len(j.recovered) > 4 {
			t.Fatalf("%d entries read back at once: not chunked", len(j.recovered))
		}
		j.Done(e)
	}
	if e := j.TryNext(); e != nil {
		t.Fatalf("extra entry %d", e.Seq)
	}
	if _, b := j.Depth(); b != 0 {
		t.Fatalf("%d bytes still counted", b)
	}
}
