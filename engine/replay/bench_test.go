package replay_test

import (
	"context"
	"runtime"
	"slices"
	"strconv"
	"syscall"
	"testing"
	"time"

	"panther/detections"
	"panther/engine"
	"panther/engine/enginetest"
	"panther/engine/replay"
	"panther/parsers"
	"panther/parsers/input"
	"panther/parsers/logtypes"
)

// corpus returns the generated CloudTrail archive (PANTHER_BENCH_GZ_MB
// megabytes of gzip, default 64), cached in $TMPDIR across runs.
func corpus(b *testing.B) string {
	dir, err := enginetest.CachedCloudTrail(enginetest.BenchCorpusMB(64))
	if err != nil {
		b.Fatal(err)
	}
	return dir
}

// corpusSources is the generated archive's files, as replay reads them.
func corpusSources(b *testing.B) []input.Source {
	srcs, errs := input.Expand([]string{corpus(b)})
	if len(errs) > 0 {
		b.Fatal(errs)
	}
	return srcs
}

func shipped(b *testing.B) *engine.Set {
	set := engine.Load([]engine.Source{{FS: detections.FS, Root: ".", Display: "detections"}}, engine.LoadOptions{Registry: logtypes.Default()})
	if set.Diagnostics.Errors() > 0 {
		b.Fatal(set.Diagnostics)
	}
	return set
}

// BenchmarkReplayCloudTrail replays the generated archive with every
// shipped CloudTrail detection: decompress, split, parse, normalise,
// evaluate, dedup. events/s is per run; divide by the workers for per core.
func BenchmarkReplayCloudTrail(b *testing.B) {
	set, srcs := shipped(b), corpusSources(b)
	var size int64
	for _, s := range srcs {
		size += s.Size
	}
	for _, workers := range []int{1, 2, runtime.GOMAXPROCS(0)} {
		b.Run("workers="+strconv.Itoa(workers), func(b *testing.B) {
			b.SetBytes(size)
			var events int64
			for i := 0; i < b.N; i++ {
				st, err := replay.Run(context.Background(), replay.Options{Sources: srcs, Set: set, Workers: workers})
				if err != nil {
					b.Fatal(err)
				}
				events += st.TotalEvents()
			}
			b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
			b.ReportMetric(float64(len(set.RulesFor("AWS.CloudTrail"))), "rules")
		})
	}
}

func parsersSource(f string) parsers.Source { return parsers.Source{File: f} }

// BenchmarkReplayBatch replays the generated archive with every shipped
// detection (correlations included) twice an iteration, in turn (a
// pair): batches closing at 1 MiB of records (before) and at
// DefaultBatchBytes, no lake. Smaller batches keep a batch's parsed
// events in the cache for the evaluator that reads them (replay.go says
// why, and why a replay into a lake keeps the large batches). It
// reports each one's CPU seconds a replay and their ratio, pair by pair
// (the median of the pairs' ratios).
func BenchmarkReplayBatch(b *testing.B) {
	set, srcs := shipped(b), corpusSources(b)
	cpu := func() time.Duration {
		var ru syscall.Rusage
		syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
		return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	run := func(size int) time.Duration {
		runtime.GC()
		t := cpu()
		if _, err := replay.Run(context.Background(), replay.Options{Sources: srcs, Set: set, Workers: 2, BatchBytes: size}); err != nil {
			b.Fatal(err)
		}
		return cpu() - t
	}
	var old, cur time.Duration
	var ratios []float64
	for i := 0; i < b.N; i++ {
		o, c := run(replay.LakeBatchBytes), run(replay.DefaultBatchBytes)
		old, cur = old+o, cur+c
		ratios = append(ratios, c.Seconds()/o.Seconds())
	}
	slices.Sort(ratios)
	b.ReportMetric(old.Seconds()/float64(b.N), "cpu_s_1MiB")
	b.ReportMetric(cur.Seconds()/float64(b.N), "cpu_s_default")
	b.ReportMetric(ratios[len(ratios)/2], "cpu_ratio")
}
