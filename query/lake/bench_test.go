package lake

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"panther/parsers/aws"
	"panther/parsers/event"
)

// benchEvents are parsed once per process: 40,000 distinct synthetic
// CloudTrail events (about 62 MB of records) spread over four hours.
var (
	benchOnce sync.Once
	benchEvs  []*event.Event
	benchSize int64
)

func benchEvents(tb testing.TB) ([]*event.Event, int64) {
	benchOnce.Do(func() {
		reg := testRegistry(tb)
		g := newCloudTrailGen(7, time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC), 360*time.Millisecond)
		recs := make([][]byte, 40000)
		for i := range recs {
			recs[i] = g.next()
			benchSize += int64(len(recs[i])) + 1
		}
		benchEvs = parseCloudTrail(tb, reg, "s3://bucket/AWSLogs/cloudtrail.json.gz", recs)
	})
	if benchEvs == nil {
		tb.Fatal("no benchmark events")
	}
	return benchEvs, benchSize
}

// BenchmarkWriteCloudTrail measures WriteEvent + Close of CloudTrail events
// end to end: staging, DuckDB conversion to ZSTD Parquet, commit. One op is
// one event. Besides ns/op (wall, Close included) it reports:
//
//	cpu-ns/op   process CPU time per event, DuckDB's threads included
//	write-ns/op time spent inside WriteEvent per event (what the pipeline's
//	            goroutine pays; the rest runs in the background)
//	B/event     Parquet bytes per event
func BenchmarkWriteCloudTrail(b *testing.B) {
	for _, bc := range []struct {
		name string
		opts Options
	}{
		{"zstd1-1thread", Options{}},
		{"zstd3-1thread", Options{CompressionLevel: 3}},
		{"zstd1-2threads", Options{Threads: 2}},
	} {
		b.Run(bc.name, func(b *testing.B) { benchWrite(b, bc.opts) })
	}
}

func benchWrite(b *testing.B, opts Options) {
	evs, size := benchEvents(b)
	reg := testRegistry(b)
	dir := b.TempDir()
	b.SetBytes(size / int64(len(evs)))
	b.ReportAllocs()
	cpu0 := processCPU()
	b.ResetTimer()
	w, err := Open(context.Background(), dir, reg, opts)
	if err != nil {
		b.Fatal(err)
	}
	var inWrite time.Duration
	const batch = 1000
	for i := 0; i < b.N; i += batch {
		t0 := time.Now()
		for j := i; j < min(i+batch, b.N); j++ {
			if err := w.WriteEvent(evs[j%len(evs)]); err != nil {
				b.Fatal(err)
			}
		}
		inWrite += time.Since(t0)
	}
	if err := w.SourceDone(SourceInfo{Digest: "bench", File: evs[0].SourceFile}); err != nil {
		b.Fatal(err)
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	cpu := processCPU() - cpu0
	var out int64
	filepath.WalkDir(filepath.Join(dir, "logs"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if info, err := d.Info(); err == nil {
				out += info.Size()
			}
		}
		return nil
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
	b.ReportMetric(float64(inWrite.Nanoseconds())/float64(b.N), "write-ns/op")
	b.ReportMetric(float64(out)/float64(b.N), "B/event")
}

// BenchmarkEncodeCloudTrail measures the row encoder alone (the part of
// WriteEvent that is not I/O).
func BenchmarkEncodeCloudTrail(b *testing.B) {
	evs, size := benchEvents(b)
	t, err := logTable(aws.CloudTrail)
	if err != nil {
		b.Fatal(err)
	}
	var enc encoder
	var dst []byte
	b.SetBytes(size / int64(len(evs)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		dst = enc.encodeEvent(dst[:0], t, evs[i%len(evs)])
	}
}
