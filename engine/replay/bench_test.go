package replay_test

import (
	"context"
	"runtime"
	"strconv"
	"testing"

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
	dir := corpus(b)
	set := shipped(b)
	srcs, errs := input.Expand([]string{dir})
	if len(errs) > 0 {
		b.Fatal(errs)
	}
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
