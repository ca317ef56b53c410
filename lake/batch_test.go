package lake

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"panther/parsers/event"
)

// Rows written through batches (encoded ahead, then WriteBatch) make the
// same files, byte for byte, as the same events given to WriteEvent, with
// batches cut anywhere (across sources and hours), commits in between and
// a source that fails half way. With tiny row groups and files, whose
// limits then fall inside batches (a batch's rows go to a partition
// together), every partition still gets the same rows in the same order.
func TestBatchSameAsWriteEvent(t *testing.T) {
	t.Parallel()
	reg := testRegistry(t)
	start := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	srcs := cloudTrailSources(t, reg, 7, 12, 150, start, 5*time.Second) // 12 sources, 2.5 hours
	defer release(srcs)
	const failed = 5 // this source breaks off
	now := func() time.Time { return start }

	// write replays srcs into a new lake, with WriteEvent or batches.
	write := func(opts Options, batched bool) string {
		dir := t.TempDir()
		w := mustOpen(t, dir, reg, opts)
		b := w.NewBatch()
		for i, s := range srcs {
			for k := 0; k < len(s.events); {
				n := min(37+k%50, len(s.events)-k) // batches of uneven sizes
				for _, e := range s.events[k : k+n] {
					if !batched {
						if err := w.WriteEvent(e); err != nil {
							t.Fatal(err)
						}
						continue
					}
					b.Add(e)
				}
				if batched {
					if b.Rows() != n {
						t.Fatalf("batch holds %d rows, want %d", b.Rows(), n)
					}
					if err := w.WriteBatch(b); err != nil {
						t.Fatal(err)
					}
					if b.Rows() != 0 {
						t.Fatalf("WriteBatch left %d rows", b.Rows())
					}
				}
				k += n
			}
			info := s.info
			info.Failed = i == failed
			if err := w.SourceDone(info); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		return dir
	}

	opts := Options{CommitBytes: 300 << 10, Now: now}
	a, b := lakeFiles(t, write(opts, false)), lakeFiles(t, write(opts, true))
	if len(a) < 4 {
		t.Fatalf("only %d files: the test wants several partitions and commits", len(a))
	}
	if len(a) != len(b) {
		t.Fatalf("WriteEvent made %d files, batches %d:\n%v\n%v", len(a), len(b), keys(a), keys(b))
	}
	for name, data := range a {
		if !bytes.Equal(data, b[name]) {
			t.Errorf("%s differs", name)
		}
	}

	opts = Options{rowGroupRows: 64, FileBytes: 200 << 10, CommitBytes: 300 << 10, Now: now}
	one, batched := write(opts, false), write(opts, true)
	db := openDuck(t)
	order := func(dir string) string {
		var s string
		q := `SELECT string_agg(hour || ':' || p_row_id, ',' ORDER BY hour, filename, file_row_number)
			FROM ` + strings.Replace(readAll(dir, "aws_cloudtrail"), ")", ", filename=true, file_row_number=true)", 1)
		if err := db.QueryRow(q).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	if order(one) != order(batched) {
		t.Error("with small row groups and files, partitions got other rows or another order through batches")
	}
	if got, want := countRows(t, batched, "aws_cloudtrail"), int64(11*150); got != want {
		t.Errorf("rows: got %d, want %d (the failed source's rows dropped)", got, want)
	}
}

var runID = regexp.MustCompile(`[0-9]{8}T[0-9]{6}Z?-[0-9a-f]{8}`)

// lakeFiles reads the visible Parquet files of a lake, by path with the
// run id taken out.
func lakeFiles(t *testing.T, dir string) map[string][]byte {
	out := map[string][]byte{}
	for _, rel := range visibleFiles(t, dir) {
		if !strings.HasSuffix(rel, ".parquet") {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, rel))
		if err != nil {
			t.Fatal(err)
		}
		out[runID.ReplaceAllString(filepath.ToSlash(rel), "RUN")] = data
	}
	return out
}

func keys(m map[string][]byte) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// An event WriteEvent refuses makes WriteBatch fail, naming it.
func TestBatchErrors(t *testing.T) {
	t.Parallel()
	reg := testRegistry(t)
	w := mustOpen(t, t.TempDir(), reg, Options{})
	defer w.Abort()
	e := event.New()
	defer e.Release()
	e.LogType = "No.Such"
	b := w.NewBatch()
	b.Add(e)
	if err := w.WriteBatch(b); err == nil || !strings.Contains(err.Error(), `"No.Such"`) {
		t.Errorf("unknown log type: %v", err)
	}
	e.LogType = "Test.Flat"
	b.Add(e)
	if err := w.WriteBatch(b); err == nil || !strings.Contains(err.Error(), "normalised") {
		t.Errorf("event without times: %v", err)
	}
}
