package cmd

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"testing"
	"time"

	"panther/scan/scantest"
)

// BenchmarkScanBinary is `panther scan` through the built binary on a
// generated AWS Config corpus of PANTHER_BENCH_RESOURCES items (default
// 100,000, the scan issue's number) with every shipped policy, process
// start included: once as one snapshot file, once as ten. Seconds per
// scan and CPU seconds per scan, and the peak resident memory (maxRSS_MB),
// which should follow the largest file, not the total.
func BenchmarkScanBinary(b *testing.B) {
	n := 100_000
	if v, err := strconv.Atoi(os.Getenv("PANTHER_BENCH_RESOURCES")); err == nil && v > 0 {
		n = v
	}
	bin := buildBinary(b)
	for _, files := range []int{1, 10} {
		dir, err := scantest.Cached(n, files)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("files=%d", files), func(b *testing.B) {
			var rss, secs, cpu float64
			for range b.N {
				cmd := exec.Command(bin, "scan", dir, "--fail-on", "none")
				cmd.Env = append(os.Environ(), "NO_COLOR=1")
				start := time.Now()
				out, err := cmd.CombinedOutput()
				secs += time.Since(start).Seconds()
				if err != nil {
					b.Fatalf("%v\n%s", err, out[max(0, len(out)-2000):])
				}
				if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
					rss = max(rss, float64(ru.Maxrss)/1024)
				}
				cpu += (cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()).Seconds()
			}
			b.ReportMetric(secs/float64(b.N), "s/scan")
			b.ReportMetric(float64(n)*float64(b.N)/secs, "resources/s")
			b.ReportMetric(rss, "maxRSS_MB")
			// CPU time: on the shared machine, wall time follows the
			// others' load; two idle cores take about half of it.
			b.ReportMetric(cpu/float64(b.N), "cpu_s/scan")
		})
	}
}
