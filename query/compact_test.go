package query

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"panther/lake"
	"panther/parsers"
	"panther/parsers/logtypes"
)

// Compaction concurrent with searches: a writer commits 37 rows at a time
// over four hour partitions and compacts them after each commit, while
// searches count the rows, 1,000 counts in all. No count misses a row or
// sees one twice: each is 180 plus a multiple of 37, as many as the
// distinct ids, and never less than the count before it. Searches that
// listed a file the compaction then removed list again and start over.
func TestCompactionUnderSearch(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	l, err := lake.OpenLive(context.Background(), dir, logtypes.Default(), lake.LiveOptions{CommitInterval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	schema := []parsers.Column{{Name: "id", Type: "string"}}
	start := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	next := 0
	commit := func(rows int) {
		for i := 0; i < rows; i++ {
			row := fmt.Sprintf(`{"id":"r%06d"}`, next)
			if err := l.WriteRow("t", schema, start.Add(time.Duration(next%4)*time.Hour), []byte(row)); err != nil {
				t.Fatal(err)
			}
			next++
		}
		if err := l.Sync(); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 6; i++ {
		commit(30) // 180 rows, six files an hour
	}
	const base, k, counts = 180, 37, 1000
	var done atomic.Int64
	var relists atomic.Int64
	var wg sync.WaitGroup
	for r := 0; r < 3; r++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e, err := Open(context.Background(), Options{Lake: dir, Threads: 1})
			if err != nil {
				t.Error(err)
				return
			}
			defer func() {
				relists.Add(int64(e.relists))
				e.Close()
			}()
			prev := int64(0)
			for done.Add(1) <= counts {
				if err := e.Refresh(context.Background()); err != nil {
					t.Error(err)
					return
				}
				var c collect
				if _, err := e.Query(context.Background(), "SELECT count(*), count(DISTINCT id) FROM t", 0, &c); err != nil {
					t.Error(err)
					return
				}
				n, distinct := c.rows[0][0].(int64), c.rows[0][1].(int64)
				if n != distinct || (n-base)%k != 0 || n < prev {
					t.Errorf("a search counted %d rows (%d distinct) after %d: a row missing or doubled", n, distinct, prev)
					return
				}
				prev = n
			}
		}()
	}
	stop := make(chan struct{})
	go func() { wg.Wait(); close(stop) }()
	rounds := 0
	for running := true; running; rounds++ {
		select {
		case <-stop:
			running = false
			continue
		default:
		}
		commit(k)
		if _, err := l.Compact(context.Background(), lake.CompactOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("%d commits and compactions during %d counts; %d statements started over", rounds, counts, relists.Load())
	if rounds < 3 {
		t.Errorf("only %d compactions ran during the counts", rounds)
	}
}
