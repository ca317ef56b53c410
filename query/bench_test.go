package query

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"panther/query/querytest"
)

// The benchmark lake: 5,000,000 CloudTrail events over the 30 days before
// benchEnd, one file per hour partition (720), built once with DuckDB's
// COPY into $TMPDIR/panther-bench-lake and reused (delete it to rebuild).
// Its files hold the same columns and types as the lake writer's, not the
// same row order or file sizes.
const (
	benchEvents  = 5_000_000
	benchVersion = "v1 5000000 events 30 days to 2024-04-01" // in the marker: a change rebuilds
)

var benchEnd = time.Date(2024, 4, 1, 0, 0, 0, 0, time.UTC)

var bench struct {
	lakeOnce, binOnce sync.Once
	lake, bin         string
	err, binErr       error
}

func benchLake(b *testing.B) string {
	b.Helper()
	bench.lakeOnce.Do(func() {
		dir := filepath.Join(os.TempDir(), "panther-bench-lake")
		marker := filepath.Join(dir, "_bench")
		if got, err := os.ReadFile(marker); err == nil && string(got) == benchVersion {
			bench.lake = dir
			return
		}
		tmp := dir + fmt.Sprintf(".tmp-%d", os.Getpid())
		os.RemoveAll(tmp)
		began := time.Now()
		sqlText := querytest.CloudTrailSQL(benchEvents, benchEnd.Add(-30*24*time.Hour), 30*24*time.Hour)
		if bench.err = querytest.Write(tmp, "logs/aws_cloudtrail", sqlText); bench.err != nil {
			return
		}
		if bench.err = os.WriteFile(filepath.Join(tmp, "_bench"), []byte(benchVersion), 0o644); bench.err != nil {
			return
		}
		os.RemoveAll(dir)
		if bench.err = os.Rename(tmp, dir); bench.err != nil {
			return
		}
		fmt.Fprintf(os.Stderr, "built the benchmark lake %s in %v\n", dir, time.Since(began).Round(time.Second))
		bench.lake = dir
	})
	if bench.err != nil {
		b.Fatalf("building the benchmark lake: %v", bench.err)
	}
	return bench.lake
}

// benchBinary builds cmd/panther once, for benchmarks that include the
// start of the process.
func benchBinary(b *testing.B) string {
	b.Helper()
	bench.binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "panther-bench-bin-")
		if err != nil {
			bench.binErr = err
			return
		}
		bin := filepath.Join(dir, "panther")
		out, err := exec.Command("go", "build", "-o", bin, "panther/cmd/panther").CombinedOutput()
		if err != nil {
			bench.binErr = fmt.Errorf("go build: %v\n%s", err, out)
			return
		}
		bench.bin = bin
	})
	if bench.binErr != nil {
		b.Fatal(bench.binErr)
	}
	return bench.bin
}

func lakeBytes(b *testing.B, dir string) int64 {
	var n int64
	filepath.Walk(dir, func(_ string, info os.FileInfo, err error) error {
		if err == nil && strings.HasSuffix(info.Name(), ".parquet") {
			n += info.Size()
		}
		return nil
	})
	return n
}

func runCLI(b *testing.B, bin string, args ...string) string {
	b.Helper()
	cmd := exec.Command(bin, args...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		b.Fatalf("panther %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return string(out)
}

// BenchmarkSearchIndicator is `panther search --ip X` over the lake's last
// 24 hours, process start included. The range is given as --from/--to the
// lake's last day (what --since 24h means when the lake ends now) so that
// the cached lake stays valid; X occurs in that day.
func BenchmarkSearchIndicator(b *testing.B) {
	lake, bin := benchLake(b), benchBinary(b)
	ip := querytest.IPOf(benchEvents - 100)
	from := benchEnd.Add(-24 * time.Hour).Format(time.RFC3339)
	to := benchEnd.Format(time.RFC3339)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		out := runCLI(b, bin, "search", "--lake", lake, "--from", from, "--to", to, "--ip", ip, "--format", "jsonl")
		if !strings.Contains(out, `"sourceIPAddress":"`+ip+`"`) {
			b.Fatalf("no match for %s in the last day:\n%.500s", ip, out)
		}
	}
}

// groupBy is the aggregation over all 30 days.
const groupBy = "SELECT eventName, count(*) AS n FROM aws_cloudtrail GROUP BY 1 ORDER BY 2 DESC, 1"

// BenchmarkSearchGroupBy runs groupBy through the binary (process start
// included), through the Engine in-process, and with DuckDB called
// directly on the same files (read_parquet of the glob, hive_partitioning,
// union_by_name), each iteration from a fresh database, in the same run.
func BenchmarkSearchGroupBy(b *testing.B) {
	lake := benchLake(b)
	size := lakeBytes(b, lake)
	b.Run("panther-cli", func(b *testing.B) {
		bin := benchBinary(b)
		b.SetBytes(size)
		b.ReportAllocs()
		for b.Loop() {
			if out := runCLI(b, bin, "search", "--lake", lake, "--format", "csv", groupBy); strings.Count(out, "\n") != 31 {
				b.Fatalf("want 30 event names:\n%s", out)
			}
		}
	})
	b.Run("panther-engine", func(b *testing.B) {
		b.SetBytes(size)
		b.ReportAllocs()
		for b.Loop() {
			e, err := Open(context.Background(), Options{Lake: lake})
			if err != nil {
				b.Fatal(err)
			}
			var c collect
			if _, err := e.Query(context.Background(), groupBy, 0, &c); err != nil || len(c.rows) != 30 {
				b.Fatalf("%v, %d rows", err, len(c.rows))
			}
			e.Close()
		}
	})
	b.Run("duckdb-direct", func(b *testing.B) {
		glob := filepath.Join(lake, "logs", "aws_cloudtrail", "*", "*", "*", "*", "*.parquet")
		q := strings.Replace(groupBy, "FROM aws_cloudtrail",
			"FROM read_parquet('"+glob+"', hive_partitioning = true, union_by_name = true)", 1)
		b.SetBytes(size)
		b.ReportAllocs()
		for b.Loop() {
			db, err := sql.Open("duckdb", "")
			if err != nil {
				b.Fatal(err)
			}
			rows, err := db.Query(q)
			if err != nil {
				b.Fatal(err)
			}
			n := 0
			for rows.Next() {
				n++
			}
			rows.Close()
			db.Close()
			if n != 30 {
				b.Fatalf("%d rows", n)
			}
		}
	})
}

// BenchmarkViewStyles counts one day of the lake three ways: the Engine's
// explicit file list of the day's partitions, and DuckDB's hive filter
// pushdown on the glob, with and without union_by_name.
func BenchmarkViewStyles(b *testing.B) {
	lake := benchLake(b)
	day := TimeRange{From: benchEnd.Add(-24 * time.Hour), To: benchEnd}
	const want = benchEvents / 30
	b.Run("explicit-files", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			e, err := Open(context.Background(), Options{Lake: lake, Range: day})
			if err != nil {
				b.Fatal(err)
			}
			var c collect
			if _, err := e.Query(context.Background(), "SELECT count(*) FROM aws_cloudtrail", 0, &c); err != nil {
				b.Fatal(err)
			}
			e.Close()
			if n := c.rows[0][0].(int64); n < want-1 || n > want+1 {
				b.Fatalf("count %d, want about %d", n, want)
			}
		}
	})
	glob := filepath.Join(lake, "logs", "aws_cloudtrail", "*", "*", "*", "*", "*.parquet")
	pred := fmt.Sprintf("WHERE year = %d AND month = %d AND day = %d AND p_event_time >= TIMESTAMP '%s' AND p_event_time < TIMESTAMP '%s'",
		day.From.Year(), day.From.Month(), day.From.Day(), day.From.Format("2006-01-02 15:04:05"), day.To.Format("2006-01-02 15:04:05"))
	for _, union := range []bool{true, false} {
		b.Run(fmt.Sprintf("hive-pushdown/union_by_name=%v", union), func(b *testing.B) {
			q := fmt.Sprintf("SELECT count(*) FROM read_parquet('%s', hive_partitioning = true, union_by_name = %v) %s", glob, union, pred)
			b.ReportAllocs()
			for b.Loop() {
				db, err := sql.Open("duckdb", "")
				if err != nil {
					b.Fatal(err)
				}
				var n int64
				if err := db.QueryRow(q).Scan(&n); err != nil {
					b.Fatal(err)
				}
				db.Close()
				if n < want-1 || n > want+1 {
					b.Fatalf("count %d, want about %d", n, want)
				}
			}
		})
	}
}
