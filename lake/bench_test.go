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

	"panther/lake/internal/parquet"
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
// Close (the last row groups, the commit); a source is 1000 records, with
// SourceDone after each. Run it with -benchtime 40000x: beyond, records
// repeat and compress better than real data. Besides ns/op it reports:
//
//	cpu-ns/op      process CPU time per record, every goroutine included
//	lake-us/event  time spent in WriteEvent, SourceDone and Close per
//	               record: what the lake costs the pipeline's goroutine
//	               (all of the Parquet encoding; the committer's fsyncs
//	               and renames run beside it)
//	B/event        Parquet bytes per event
func BenchmarkWriteCloudTrail(b *testing.B) {
	for _, bc := range []struct {
		name string
		lake bool
		opts Options
	}{
		{"parse-only", false, Options{}},
		{"lake", true, Options{}},
		{"lake-zstd3", true, Options{CompressionLevel: 3}},
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
		t0 := time.Now()
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
		inWrite += time.Since(t0)
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
		b.ReportMetric(float64(inWrite.Nanoseconds())/float64(b.N)/1000, "lake-us/event")
		b.ReportMetric(float64(out)/float64(b.N), "B/event")
	}
}

// BenchmarkEncodeCloudTrail measures the row encoder alone, the CPU work
// of WriteEvent: events (in cache, as they are in the pipeline right after
// parsing) appended to the column buffers of their partition, emptied
// every 16Ki rows as a row group would be, but not written. cpu-ns/op is
// the CPU time of the benchmark's thread.
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
	r := newRowBuf(t, newChunkPool())
	b.SetBytes(size / 64)
	b.ReportAllocs()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	cpu0 := threadCPU()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		enc.appendEvent(r, t, evs[i%len(evs)])
		if r.rows == 16<<10 {
			r.reset()
		}
	}
	b.StopTimer()
	b.ReportMetric(float64((threadCPU()-cpu0).Nanoseconds())/float64(b.N), "cpu-ns/op")
}

// BenchmarkWriteCache measures what the CPU's cache does to WriteEvent: a
// source (1000 CloudTrail records) parsed, then its events written, as
// the replay's single writing goroutine meets them ("source-later");
// each event written right after it was parsed ("after-parse"); and each
// event encoded into a Batch right after it was parsed, the batch written
// every 256 events, as the replay does ("batch"). write-us/event is the
// time in WriteEvent, or in Batch.Add and WriteBatch.
func BenchmarkWriteCache(b *testing.B) {
	for _, mode := range []string{"source-later", "after-parse", "batch"} {
		b.Run(mode, func(b *testing.B) {
			recs, _ := benchRecords()
			reg := testRegistry(b)
			lt, _ := reg.Lookup(aws.CloudTrail.Name)
			w, err := Open(context.Background(), b.TempDir(), reg, Options{})
			if err != nil {
				b.Fatal(err)
			}
			var src parsers.Source
			now := time.Now()
			p := lt.NewParser()
			var inWrite time.Duration
			evs := make([]*event.Event, 0, 1000)
			batch := w.NewBatch()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if i%1000 == 0 {
					src.File = fmt.Sprintf("s3://bucket/%06d.json.gz", i/1000)
				}
				e := event.New()
				if ok, err := p.Parse(recs[i%len(recs)], e); !ok || err != nil {
					b.Fatal(err)
				}
				if err := reg.Normalise(lt, e, src, int64(i%1000+1), now); err != nil {
					b.Fatal(err)
				}
				t0 := time.Now()
				switch mode {
				case "after-parse":
					if err := w.WriteEvent(e); err != nil {
						b.Fatal(err)
					}
					e.Release()
				case "batch":
					batch.Add(e)
					e.Release()
					if batch.Rows() == 256 || i == b.N-1 {
						if err := w.WriteBatch(batch); err != nil {
							b.Fatal(err)
						}
					}
				case "source-later":
					evs = append(evs, e)
					if len(evs) == 1000 || i == b.N-1 {
						for _, e := range evs {
							if err := w.WriteEvent(e); err != nil {
								b.Fatal(err)
							}
							e.Release()
						}
						evs = evs[:0]
					}
				}
				inWrite += time.Since(t0)
			}
			b.StopTimer()
			if err := w.Close(); err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(inWrite.Nanoseconds())/float64(b.N)/1000, "write-us/event")
		})
	}
}

// BenchmarkRowGroupEncoding measures the file writer's part alone: a row
// group of 16,384 CloudTrail events (shredded beforehand) split into
// pages, encoded (PLAIN, or with dictionaries for the string columns),
// compressed and written; ns/op is per event.
func BenchmarkRowGroupEncoding(b *testing.B) {
	recs, _ := benchRecords()
	reg := testRegistry(b)
	evs := parseCloudTrail(b, reg, "s3://bucket/trail.json.gz", recs[:16384])
	defer release([]source{{events: evs}})
	t, err := logTable(aws.CloudTrail)
	if err != nil {
		b.Fatal(err)
	}
	var enc encoder
	r := newRowBuf(t, newChunkPool())
	for _, e := range evs {
		enc.appendEvent(r, t, e)
	}
	for _, plain := range []bool{false, true} {
		name := "dictionary"
		if plain {
			name = "plain"
		}
		b.Run(name, func(b *testing.B) {
			pw, err := parquet.NewEncoder(parquet.Options{CreatedBy: createdBy("bench"), PlainStrings: plain})
			if err != nil {
				b.Fatal(err)
			}
			defer pw.Close()
			dir := b.TempDir()
			cols := r.columns()
			b.ResetTimer()
			for i := 0; i < b.N; i += r.rows {
				f := parquet.NewFile(filepath.Join(dir, fmt.Sprintf("%d.parquet", i)), t.schema)
				if err := pw.WriteRowGroup(f, r.rows, cols); err != nil {
					b.Fatal(err)
				}
				if _, err := pw.Finish(f); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
