package query

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A statement whose file vanished starts over, waiting a little longer
// each time, up to maxRelists times; then it fails with a ChurnError
// that says the lake kept changing, not that the file is bad. A file
// that is there but unreadable is not started over. A cancelled
// statement stops waiting.
func TestRelistBoundsAndSays(t *testing.T) {
	dir := t.TempDir()
	e, err := Open(context.Background(), Options{Lake: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	gone := &FileError{Path: filepath.Join(dir, "t", "gone.parquet"), Msg: "No such file or directory"}
	ctx := context.Background()

	n := 0
	start := time.Now()
	for i := 0; i < maxRelists; i++ {
		again, err := e.relist(ctx, gone, &n)
		if !again || err != nil {
			t.Fatalf("start-over %d: %v, %v", i+1, again, err)
		}
	}
	// The pauses: 5 ms, 10 ms, ... at most 100 ms, after the first.
	var want time.Duration
	for i := 1; i < maxRelists; i++ {
		want += min(time.Duration(i)*relistPause, maxRelistPause)
	}
	if took := time.Since(start); took < want {
		t.Errorf("%d start-overs took %v, less than their pauses (%v)", maxRelists, took, want)
	}
	again, err := e.relist(ctx, gone, &n)
	var ce *ChurnError
	if again || !errors.As(err, &ce) || ce.Tries != maxRelists || ce.Path != gone.Path {
		t.Fatalf("past the bound: %v, %v", again, err)
	}
	if msg := err.Error(); !strings.Contains(msg, "changed under the statement 30 times") || strings.Contains(msg, "skip-bad-files") {
		t.Errorf("message: %s", msg)
	}

	// A file that is there: a bad file, not a vanished one.
	n = 0
	there := &FileError{Path: dir, Msg: "not a Parquet file"}
	if again, err := e.relist(ctx, there, &n); again || err != nil || n != 0 {
		t.Errorf("a file that is there: %v, %v, %d start-overs", again, err, n)
	}

	// Cancelled while waiting.
	n = 3
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if again, err := e.relist(cctx, gone, &n); again || !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v, %v", again, err)
	}
}
