package ingest

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
)

func TestBodyClass(t *testing.T) {
	for _, c := range []struct{ n, class int }{
		{0, -1}, {32 << 10, -1}, {32<<10 + 1, 0}, {64 << 10, 0}, {64<<10 + 1, 1},
		{1 << 20, 4}, {1<<20 + 1, 5}, {64 << 20, 10}, {64<<20 + 1, -1},
	} {
		if got := bodyClass(c.n); got != c.class {
			t.Errorf("bodyClass(%d) = %d, want %d", c.n, got, c.class)
		}
	}
}

// TestReadBodyPooled: a body of known length is read whole into a pooled
// buffer; one longer than it said is read on (so the limit applies) into
// a buffer of its own.
func TestReadBodyPooled(t *testing.T) {
	body := strings.Repeat("x", 100<<10)
	got, pooled, err := readBody(strings.NewReader(body), int64(len(body)))
	if err != nil || !pooled || string(got) != body || cap(got) != 128<<10 {
		t.Fatalf("read %d bytes (cap %d), pooled %v, %v", len(got), cap(got), pooled, err)
	}
	putBody(got)
	got, pooled, err = readBody(strings.NewReader(body+"more"), int64(len(body)))
	if err != nil || pooled || string(got) != body+"more" {
		t.Fatalf("longer body: %d bytes, pooled %v, %v", len(got), pooled, err)
	}
	if _, _, err := readBody(strings.NewReader(body[:10]), int64(len(body))); err == nil {
		t.Fatal("a body shorter than its length read without error")
	}
}

// TestPooledEntryGivenBack: the journal gives a pooled body back when the
// pipeline is done with its entry, not before: the data the pipeline
// reads is the body's.
func TestPooledEntryGivenBack(t *testing.T) {
	j, err := OpenJournal(t.TempDir(), JournalOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	body := bytes.Repeat([]byte("y"), 200<<10)
	buf, pooled := getBody(len(body))
	copy(buf, body)
	e := &Entry{Input: "http", Source: "s", Received: time.Now(), Kind: Stream, Data: buf, pooled: pooled}
	if _, err := j.Append(context.Background(), e, false); err != nil {
		t.Fatal(err)
	}
	got := j.TryNext()
	if got != e || !bytes.Equal(got.Data, body) {
		t.Fatal("the queued entry does not hold the body")
	}
	j.Done(got)
	if e.Data != nil || e.pooled {
		t.Fatal("the body was not given back on Done")
	}
}
