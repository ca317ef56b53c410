package scan_test

import (
	"context"
	"os"
	"strconv"
	"syscall"
	"testing"
	"time"

	"panther/parsers/input"
	"panther/scan"
	"panther/scan/scantest"
)

// benchResources is the size of the benchmark corpus: PANTHER_BENCH_RESOURCES,
// default 100,000 (the scan issue's number).
func benchResources() int {
	if n, err := strconv.Atoi(os.Getenv("PANTHER_BENCH_RESOURCES")); err == nil && n > 0 {
		return n
	}
	return 100_000
}

// BenchmarkScan reads a generated AWS Config corpus (benchResources items
// in 10 gzip'd snapshot files, cached in $TMPDIR) and runs every shipped
// policy on it, in-process, on all cores: the reader alone, then reader and
// policies. resources/s and checks/s per run; one op is the whole corpus.
func BenchmarkScan(b *testing.B) {
	n := benchResources()
	dir, err := scantest.Cached(n, 10)
	if err != nil {
		b.Fatal(err)
	}
	srcs, errs := input.Expand([]string{dir})
	if len(errs) > 0 {
		b.Fatal(errs)
	}
	set := shipped(b)
	now := func() time.Time { return time.Date(2026, 11, 10, 14, 0, 0, 0, time.UTC) }
	b.Run("read", func(b *testing.B) {
		cpu0 := cpuSeconds()
		for range b.N {
			rd := scan.NewReader(scan.ReadOptions{Now: now})
			count := 0
			if err := rd.ReadSources(context.Background(), srcs, func(*scan.Resource) error { count++; return nil }); err != nil {
				b.Fatal(err)
			}
			if count < n {
				b.Fatalf("%d resources", count)
			}
		}
		b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "resources/s")
		b.ReportMetric((cpuSeconds()-cpu0)/float64(b.N), "cpu_s/op")
	})
	b.Run("read+policies", func(b *testing.B) {
		sc := scan.NewScanner(set, scan.Options{})
		checks := 0
		cpu0 := cpuSeconds()
		for range b.N {
			rd := scan.NewReader(scan.ReadOptions{Now: now})
			err := sc.Run(context.Background(), func(feed scan.Emit) error {
				return rd.ReadSources(context.Background(), srcs, feed)
			}, func(ev scan.Evaluated) error { checks += len(ev.Results); return nil })
			if err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "resources/s")
		b.ReportMetric(float64(checks)/b.Elapsed().Seconds(), "checks/s")
		b.ReportMetric(float64(checks)/float64(b.N), "checks")
		b.ReportMetric(float64(len(sc.Policies())), "policies")
		b.ReportMetric((cpuSeconds()-cpu0)/float64(b.N), "cpu_s/op")
	})
}

// cpuSeconds is the process's CPU time (user + system): on the shared
// machine the benchmarks run on, wall time follows the others' load.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return float64(ru.Utime.Sec+ru.Stime.Sec) + float64(ru.Utime.Usec+ru.Stime.Usec)/1e6
}
