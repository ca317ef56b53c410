package lake

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"panther/parsers"
)

// smallFilesLake writes n commits of events into the lake at dir, each
// spread over the same four hours, so that every partition holds n files;
// plus an alerts row per commit. It returns the events' count.
func smallFilesLake(t *testing.T, dir string, n int) int64 {
	t.Helper()
	reg := testRegistry(t)
	l, err := OpenLive(context.Background(), dir, reg, LiveOptions{CommitInterval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	var total int64
	schema := []parsers.Column{{Name: "id", Type: "string"}}
	for i := 0; i < n; i++ {
		evs := liveEvents(t, reg, uint64(100+i), 40, time.Date(2024, 3, 1, 8, 0, 0, 0, time.UTC).Add(time.Duration(i)*time.Second))[0].events
		// 40 events 30 s apart cover 20 minutes: stretch them over 4 hours.
		for j, e := range evs {
			e.Time = e.Time.Add(time.Duration(j%4) * time.Hour)
		}
		if err := l.Write("wal", int64(40*(i+1)), evs...); err != nil {
			t.Fatal(err)
		}
		release([]source{{events: evs}})
		if err := l.WriteRow("alerts", schema, time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC), []byte(`{"id":"a`+string(rune('a'+i))+`"}`)); err != nil {
			t.Fatal(err)
		}
		if err := l.Sync(); err != nil {
			t.Fatal(err)
		}
		total += 40
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	return total
}

// lakeContent is every row of a table as a search reads it (Snapshot),
// sorted, as JSON lines.
func lakeContent(t *testing.T, dir, table string) []string {
	t.Helper()
	snap, err := Snapshot(dir, time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tf := range snap {
		if tf.Name != table || len(tf.Files()) == 0 {
			continue
		}
		rows, err := openDuck(t).Query("SELECT to_json(t)::VARCHAR FROM read_parquet(" + sqlList(tf.Files()) + ", union_by_name = false) t ORDER BY 1")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var s string
			rows.Scan(&s)
			out = append(out, s)
		}
		return out
	}
	return nil
}

func fileCount(t *testing.T, dir string) map[string]int {
	t.Helper()
	snap, err := Snapshot(dir, time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, tf := range snap {
		out[tf.Name] = len(tf.Files())
	}
	return out
}

// Compact merges a partition's files into one that holds the same rows,
// read the same way (no union_by_name: the merged file keeps the
// fingerprint and the types); compacting again does nothing; OlderThan
// and Table choose what is merged.
func TestCompact(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	total := smallFilesLake(t, dir, 5)
	before := lakeContent(t, dir, "aws_cloudtrail")
	alerts := lakeContent(t, dir, "alerts")
	if int64(len(before)) != total || len(alerts) != 5 {
		t.Fatalf("%d events and %d alerts before, want %d and 5", len(before), len(alerts), total)
	}
	if fc := fileCount(t, dir); fc["aws_cloudtrail"] != 20 || fc["alerts"] != 5 {
		t.Fatalf("files before: %v, want 20 and 5", fc)
	}
	now := func() time.Time { return time.Date(2024, 3, 1, 12, 30, 0, 0, time.UTC) }
	// Only the hours that ended two hours ago or more: 08:00 and 09:00.
	st, err := Compact(context.Background(), dir, CompactOptions{Table: "aws_cloudtrail", OlderThan: 2 * time.Hour, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if st.Partitions != 2 || st.FilesBefore != 10 || st.FilesAfter != 2 || st.Rows != total/2 {
		t.Errorf("first compaction: %+v", st)
	}
	if fc := fileCount(t, dir); fc["aws_cloudtrail"] != 12 || fc["alerts"] != 5 {
		t.Errorf("files after the first compaction: %v, want 12 and 5", fc)
	}
	st, err = Compact(context.Background(), dir, CompactOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if st.Partitions != 3 || st.FilesBefore != 15 {
		t.Errorf("second compaction (10:00, 11:00 and the alerts): %+v", st)
	}
	if fc := fileCount(t, dir); fc["aws_cloudtrail"] != 4 || fc["alerts"] != 1 {
		t.Errorf("files after: %v, want 4 and 1", fc)
	}
	if after := lakeContent(t, dir, "aws_cloudtrail"); strings.Join(after, "\n") != strings.Join(before, "\n") {
		t.Errorf("the rows changed: %d rows, want %d", len(after), len(before))
	}
	if after := lakeContent(t, dir, "alerts"); strings.Join(after, "\n") != strings.Join(alerts, "\n") {
		t.Errorf("the alerts changed: %q, want %q", after, alerts)
	}
	for _, f := range visibleFiles(t, dir) {
		if _, ok := FileFingerprint(f); !ok {
			t.Errorf("%s has no fingerprint", f)
		}
	}
	st, err = Compact(context.Background(), dir, CompactOptions{})
	if err != nil || st.Partitions != 0 {
		t.Errorf("compacting again: %+v, %v; want nothing done", st, err)
	}
	if _, err := Compact(context.Background(), dir, CompactOptions{Table: "nope"}); err == nil {
		t.Error("an unknown table: no error")
	}
	// The writer's files and the merged ones read together, and a
	// writer still opens the lake and appends.
	reg := testRegistry(t)
	l, err := OpenLive(context.Background(), dir, reg, LiveOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if p := l.Position("wal"); p != total {
		t.Errorf("position %d after compaction, want %d", p, total)
	}
	evs := liveEvents(t, reg, 99, 10, time.Date(2024, 3, 1, 8, 10, 0, 0, time.UTC))[0].events
	if err := l.Write("wal", total+10, evs...); err != nil {
		t.Fatal(err)
	}
	release([]source{{events: evs}})
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if got := lakeContent(t, dir, "aws_cloudtrail"); int64(len(got)) != total+10 {
		t.Errorf("%d rows after another write, want %d", len(got), total+10)
	}
}

// A compaction that stops at any step (a crash: the step fails and
// nothing after it runs) leaves every row visible once, before and after
// the next writer completes or drops it; compacting again finishes the
// job.
func TestCompactInterrupted(t *testing.T) {
	t.Parallel()
	base := t.TempDir()
	total := smallFilesLake(t, base, 3)
	want := lakeContent(t, base, "aws_cloudtrail")
	for _, step := range []string{"merge", "sync", "manifest", "rename", "remove", "generation", "done"} {
		t.Run(step, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "lake")
			if err := os.CopyFS(dir, os.DirFS(base)); err != nil {
				t.Fatal(err)
			}
			os.Remove(filepath.Join(dir, ".lock"))
			crash := errors.New("crash")
			calls := 0
			_, err := Compact(context.Background(), dir, CompactOptions{fault: func(op, path string) error {
				if op == step {
					if calls++; calls == 2 { // the second file of the first partition
						return crash
					}
				}
				return nil
			}})
			if !errors.Is(err, crash) {
				t.Fatalf("err = %v, want the crash", err)
			}
			if got := lakeContent(t, dir, "aws_cloudtrail"); strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("after the crash a search sees %d rows, want %d", len(got), total)
			}
			if _, err := Compact(context.Background(), dir, CompactOptions{}); err != nil {
				t.Fatal(err)
			}
			if got := lakeContent(t, dir, "aws_cloudtrail"); strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("after compacting again a search sees %d rows, want %d", len(got), total)
			}
			if fc := fileCount(t, dir); fc["aws_cloudtrail"] != 4 {
				t.Errorf("files after compacting again: %v, want 4", fc)
			}
			if ents, _ := os.ReadDir(filepath.Join(dir, stagingDir)); len(ents) != 0 {
				t.Errorf("staging holds %d entries", len(ents))
			}
		})
	}
}

// Prune removes the partitions that ended before the retention, all at
// once, with their empty folders; a dry run counts them; the ledger keeps
// its entries.
func TestPrune(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	total := smallFilesLake(t, dir, 2)
	now := func() time.Time { return time.Date(2024, 3, 1, 12, 30, 0, 0, time.UTC) }
	opts := PruneOptions{OlderThan: 2*time.Hour + 30*time.Minute, Now: now, DryRun: true}
	st, err := Prune(context.Background(), dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	// 08:00 and 09:00 ended by 10:00; alerts at 09:00 too.
	if st.Partitions != 3 || st.Files != 6 || !st.Oldest.Equal(time.Date(2024, 3, 1, 8, 0, 0, 0, time.UTC)) || !st.Newest.Equal(time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC)) {
		t.Errorf("dry run: %+v", st)
	}
	if got := int64(len(lakeContent(t, dir, "aws_cloudtrail"))); got != total {
		t.Fatalf("the dry run removed rows: %d left of %d", got, total)
	}
	opts.DryRun = false
	if _, err := Prune(context.Background(), dir, opts); err != nil {
		t.Fatal(err)
	}
	if got := int64(len(lakeContent(t, dir, "aws_cloudtrail"))); got != total/2 {
		t.Errorf("%d rows left, want %d", got, total/2)
	}
	if fc := fileCount(t, dir); fc["alerts"] != 0 {
		t.Errorf("alerts files left: %v", fc)
	}
	for _, gone := range []string{"logs/aws_cloudtrail/year=2024/month=03/day=01/hour=08", "alerts/year=2024"} {
		if _, err := os.Stat(filepath.Join(dir, gone)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s is still there (%v)", gone, err)
		}
	}
	led, _, err := readLedger(dir)
	if err != nil || led.streams["wal"] != total {
		t.Errorf("the ledger lost the stream: %v %v", led, err)
	}
	if _, err := Prune(context.Background(), dir, PruneOptions{}); err == nil {
		t.Error("a prune without retention: no error")
	}
}
