package lake

import (
	"context"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"panther/parsers"
	"panther/parsers/aws"
)

// liveEvents are n CloudTrail events, 30 s apart from start (two hours
// a 240), as one flat list: offset i is event i.
func liveEvents(t testing.TB, reg *parsers.Registry, seed uint64, n int, start time.Time) []source {
	return cloudTrailSources(t, reg, seed, 1, n, start, 30*time.Second)
}

// visibleRows counts the rows of aws_cloudtrail a search sees now
// (Snapshot, then DuckDB over the files listed).
func visibleRows(t testing.TB, dir string) int64 {
	t.Helper()
	snap, err := Snapshot(dir, time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tf := range snap {
		if tf.Name == "aws_cloudtrail" && len(tf.Files()) > 0 {
			return queryInt(t, openDuck(t), "SELECT count(*) FROM read_parquet("+sqlList(tf.Files())+")")
		}
	}
	return 0
}

// A Live commits by itself every CommitInterval: search sees the events
// shortly after they were written, Position moves with the commits, and
// OnCommit tells each.
func TestLiveCommitsByInterval(t *testing.T) {
	t.Parallel()
	reg := testRegistry(t)
	dir := t.TempDir()
	var commits atomic.Int64
	var last atomic.Int64
	l, err := OpenLive(context.Background(), dir, reg, LiveOptions{CommitInterval: 50 * time.Millisecond,
		OnCommit: func(c CommitInfo) {
			if c.Err != nil {
				t.Error(c.Err)
			}
			commits.Add(1)
			last.Store(c.Positions["wal"])
		}})
	if err != nil {
		t.Fatal(err)
	}
	evs := liveEvents(t, reg, 1, 300, time.Date(2024, 3, 1, 9, 30, 0, 0, time.UTC))[0].events
	defer release([]source{{events: evs}})
	for i := 0; i < 3; i++ {
		if err := l.Write("wal", int64(100*(i+1)), evs[100*i:100*(i+1)]...); err != nil {
			t.Fatal(err)
		}
		want := int64(100 * (i + 1))
		deadline := time.Now().Add(10 * time.Second)
		for visibleRows(t, dir) != want || l.Position("wal") != want {
			if time.Now().After(deadline) {
				t.Fatalf("after %d events: search sees %d, position %d", want, visibleRows(t, dir), l.Position("wal"))
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if commits.Load() < 3 || last.Load() != 300 {
		t.Errorf("%d commits told, last position %d; want 3 or more and 300", commits.Load(), last.Load())
	}
	if err := l.Write("wal", 400, evs[0]); err == nil {
		t.Error("Write after Close: no error")
	}
}

// A Live stopped without committing (a crash: Abort drops what was not
// committed) is read again from Position on restart: every offset is in
// the lake exactly once, and offsets going back are refused.
func TestLiveRestartFromPosition(t *testing.T) {
	t.Parallel()
	reg := testRegistry(t)
	dir := t.TempDir()
	evs := liveEvents(t, reg, 2, 500, time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC))[0].events
	defer release([]source{{events: evs}})
	l, err := OpenLive(context.Background(), dir, reg, LiveOptions{CommitInterval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Write("wal", 200, evs[:200]...); err != nil {
		t.Fatal(err)
	}
	if err := l.Sync(); err != nil {
		t.Fatal(err)
	}
	if err := l.Write("wal", 350, evs[200:350]...); err != nil {
		t.Fatal(err)
	}
	if err := l.Write("wal", 100, evs[0]); err == nil {
		t.Error("an offset going back was taken")
	}
	if err := l.Abort(); err != nil { // the crash: 200..350 are lost
		t.Fatal(err)
	}
	l, err = OpenLive(context.Background(), dir, reg, LiveOptions{CommitInterval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	pos := l.Position("wal")
	if pos != 200 {
		t.Fatalf("position after the crash %d, want 200", pos)
	}
	for i := pos; i < int64(len(evs)); i += 50 {
		if err := l.Write("wal", i+50, evs[i:i+50]...); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	db := openDuck(t)
	if n, d := queryInt(t, db, "SELECT count(*) FROM "+readAll(dir, "aws_cloudtrail")), queryInt(t, db, "SELECT count(DISTINCT p_row_id) FROM "+readAll(dir, "aws_cloudtrail")); n != 500 || d != 500 {
		t.Errorf("%d rows (%d distinct), want 500", n, d)
	}
	l, err = OpenLive(context.Background(), dir, reg, LiveOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if p := l.Position("wal"); p != 500 {
		t.Errorf("position %d, want 500", p)
	}
}

// Searches running while a Live commits every few milliseconds (epochs of
// 37 events over two hour partitions) see whole commits only: every
// count is a multiple of 37. A listing that a commit finished during is
// made again (the generation changed).
func TestLiveCommitsUnderSearch(t *testing.T) {
	if testing.Short() {
		t.Skip("a second of commits and searches")
	}
	t.Parallel()
	reg := testRegistry(t)
	dir := t.TempDir()
	const k = 37
	evs := liveEvents(t, reg, 3, 40*k, time.Date(2024, 3, 1, 9, 50, 0, 0, time.UTC))[0].events
	defer release([]source{{events: evs}})
	l, err := OpenLive(context.Background(), dir, reg, LiveOptions{CommitInterval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	var reads, bad atomic.Int64
	for r := 0; r < 2; r++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			db := openDuck(t)
			for {
				select {
				case <-stop:
					return
				default:
				}
				snap, err := Snapshot(dir, time.Time{}, time.Time{})
				if err != nil {
					t.Error(err)
					return
				}
				for _, tf := range snap {
					if tf.Name != "aws_cloudtrail" || len(tf.Files()) == 0 {
						continue
					}
					var n int64
					err := db.QueryRow("SELECT count(*) FROM read_parquet(" + sqlList(tf.Files()) + ")").Scan(&n)
					if err != nil {
						continue // a file compacted away: not this test's business
					}
					reads.Add(1)
					if n%k != 0 {
						bad.Add(1)
						t.Errorf("a search saw %d rows: part of a commit", n)
					}
				}
			}
		}()
	}
	for i := 0; i < 40; i++ {
		// 18 events of the first six hours and 19 of the next six: each
		// commit has files in two partitions at least.
		if err := l.Write("", 0, evs[i*18:i*18+18]...); err != nil {
			t.Fatal(err)
		}
		if err := l.Write("", 0, evs[720+i*19:720+i*19+19]...); err != nil {
			t.Fatal(err)
		}
		if err := l.Sync(); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	wg.Wait()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if reads.Load() < 5 {
		t.Errorf("only %d searches ran", reads.Load())
	}
	if got := visibleRows(t, dir); got != 40*k {
		t.Errorf("%d rows at the end, want %d", got, 40*k)
	}
}

// SetRegistry makes new log types writable by a running Live, and gives a
// log type whose schema changed a new table (files with the new
// fingerprint), the old rows staying readable.
func TestLiveSetRegistry(t *testing.T) {
	t.Parallel()
	ct := *aws.CloudTrail
	only, err := parsers.NewRegistry(&ct)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	l, err := OpenLive(context.Background(), dir, only, LiveOptions{CommitInterval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	reg := testRegistry(t)
	lt, _ := reg.Lookup(testFlat.Name)
	evs := parseAs(t, reg, lt, "flat.log", [][]byte{[]byte(`{"ts":1709294400000,"bytes":5}`)})
	if err := l.Write("", 0, evs...); err == nil {
		t.Error("an event of a log type the registry lacks was taken")
	}
	if err := l.SetRegistry(reg); err != nil {
		t.Fatal(err)
	}
	if err := l.Write("", 0, evs...); err != nil {
		t.Fatal(err)
	}
	if err := l.Sync(); err != nil {
		t.Fatal(err)
	}
	// The same log type with one more column: a new table.
	wider := *testFlat
	wider.Schema = append(slices.Clone(testFlat.Schema), parsers.Column{Name: "extra_col", Type: "string"})
	ct2 := *aws.CloudTrail
	reg2, err := parsers.NewRegistry(&ct2, &wider)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.SetRegistry(reg2); err != nil {
		t.Fatal(err)
	}
	lt2, _ := reg2.Lookup(testFlat.Name)
	evs2 := parseAs(t, reg2, lt2, "flat.log", [][]byte{[]byte(`{"ts":1709294400000,"bytes":6,"extra_col":"x"}`)})
	if err := l.Write("", 0, evs2...); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	table := lt.Table()
	fps := map[string]bool{}
	for _, f := range visibleFiles(t, dir) {
		if strings.Contains(f, "/"+table+"/") {
			fp, _ := FileFingerprint(f)
			fps[fp] = true
		}
	}
	if len(fps) != 2 {
		t.Errorf("files of %d schemas, want 2: %v", len(fps), fps)
	}
	if got := queryInt(t, openDuck(t), "SELECT count(*) FROM "+readAll(dir, table)+" WHERE extra_col = 'x' OR extra_col IS NULL"); got != 2 {
		t.Errorf("%d rows read, want 2", got)
	}
}
