package lake

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"panther/parsers"
	"panther/parsers/aws"
	"panther/parsers/event"
)

// benchRecords are 40,000 distinct synthetic CloudTrail records (about 62
// MB, 1.5 KB each on average) spread over four hours, made once a process.
var benchRecords = sync.OnceValues(func() ([][]byte, int64) {
	g := newCloudTrailGen(7, time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC), 360*time.Millisecond)
	recs := make([][]byte, 40000)
	var size int64
	for i := range recs {
		recs[i] = g.next()
		size += int64(len(recs[i])) + 1
	}
	return recs, size
})

// BenchmarkWriteCloudTrail measures what --lake adds to a replay: each op
// is one CloudTrail record parsed and normalised as the pipeline does
// (parse-only), then also written with WriteEvent, and the run ends with
// Close (conversion to ZSTD Parquet and commit included); a source is 1000
// records, with SourceDone after each. Run it with
// -benchtime 40000x: beyond, records repeat and compress better than real
// data. Besides ns/op it reports:
//
//	cpu-ns/op   process CPU time per record, DuckDB's threads included
//	write-ns/op time spent in WriteEvent per record: what the pipeline's
//	            goroutine pays; conversions run in the background
//	B/event     Parquet bytes per event
func BenchmarkWriteCloudTrail(b *testing.B) {
	for _, bc := range []struct {
		name string
		lake bool
		opts Options
	}{
		{"parse-only", false, Options{}},
		{"lake", true, Options{}},
		{"lake-zstd3", true, Options{CompressionLevel: 3}},
		{"lake-2threads", true, Options{Threads: 2}},
	} {
		b.Run(bc.name, func(b *testing.B) { benchWrite(b, bc.lake, bc.opts) })
	}
}

func benchWrite(b *testing.B, lake bool, opts Options) {
	recs, size := benchRecords()
	reg := testRegistry(b)
	lt, _ := reg.Lookup(aws.CloudTrail.Name)
	dir := b.TempDir()
	var src parsers.Source
	now := time.Now()
	b.SetBytes(size / int64(len(recs)))
	b.ReportAllocs()
	runtime.GC()
	cpu0 := processCPU()
	b.ResetTimer()
	var w *Writer
	if lake {
		var err error
		if w, err = Open(context.Background(), dir, reg, opts); err != nil {
			b.Fatal(err)
		}
	}
	var inWrite time.Duration
	p := lt.NewParser()
	for i := 0; i < b.N; i++ {
		if i%1000 == 0 { // a source is a CloudTrail file of 1000 records
			src.File = fmt.Sprintf("s3://bucket/AWSLogs/123456789012/CloudTrail/us-east-1/2024/03/01/%06d.json.gz", i/1000)
		}
		e := event.New()
		if ok, err := p.Parse(recs[i%len(recs)], e); !ok || err != nil {
			b.Fatal(err)
		}
		if err := reg.Normalise(lt, e, src, int64(i%1000+1), now); err != nil {
			b.Fatal(err)
		}
		if w != nil {
			t0 := time.Now()
			if err := w.WriteEvent(e); err != nil {
				b.Fatal(err)
			}
			if i%1000 == 999 || i == b.N-1 {
				if err := w.SourceDone(SourceInfo{Digest: src.File, File: src.File}); err != nil {
					b.Fatal(err)
				}
			}
			inWrite += time.Since(t0)
		}
		e.Release()
	}
	if w != nil {
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(ms.Sys>>20), "go-sys-MB")
	cpu := processCPU() - cpu0
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
	if w != nil {
		var out int64
		filepath.WalkDir(filepath.Join(dir, "logs"), func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				if info, err := d.Info(); err == nil {
					out += info.Size()
				}
			}
			return nil
		})
		b.ReportMetric(float64(inWrite.Nanoseconds())/float64(b.N), "write-ns/op")
		b.ReportMetric(float64(out)/float64(b.N), "B/event")
	}
}

// BenchmarkEncodeCloudTrail measures the row encoder alone, the CPU work
// of WriteEvent, on events that are in cache as they are in the pipeline
// right after parsing. cpu-ns/op is the CPU time of the benchmark's thread.
func BenchmarkEncodeCloudTrail(b *testing.B) {
	recs, _ := benchRecords()
	reg := testRegistry(b)
	evs := parseCloudTrail(b, reg, "s3://bucket/trail.json.gz", recs[:64])
	defer release([]source{{events: evs}})
	var size int64
	for _, r := range recs[:64] {
		size += int64(len(r)) + 1
	}
	t, err := logTable(aws.CloudTrail)
	if err != nil {
		b.Fatal(err)
	}
	var enc encoder
	var dst []byte
	b.SetBytes(size / 64)
	b.ReportAllocs()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	cpu0 := threadCPU()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		dst = enc.encodeEvent(dst[:0], t, evs[i%len(evs)])
	}
	b.StopTimer()
	b.ReportMetric(float64((threadCPU()-cpu0).Nanoseconds())/float64(b.N), "cpu-ns/op")
}
