package server

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"os"
	"sync"
	"testing"
	"time"

	"panther/engine"
	"panther/packs"
	"panther/packs/packstest"
	"panther/parsers/logtypes"
)

// BenchmarkUpload500 is one upload of a 500-detection pack (2,000 tests)
// over loopback: the body streamed to disk, the archive verified, loaded,
// validated, every test run, the blob written with fsync, the version
// committed and activated. The pack is deleted between iterations (not
// timed) so that each upload stores a new version.
func BenchmarkUpload500(b *testing.B) {
	built := corpusZip(b)
	ts := startServer(b, func(o *Options) { o.Logger = slog.New(slog.NewJSONHandler(io.Discard, nil)) })
	c := ts.client(writeToken)
	ctx := context.Background()
	b.SetBytes(int64(len(built.Zip)))
	b.ReportAllocs()
	b.ResetTimer()
	var cpu time.Duration
	for i := 0; i < b.N; i++ {
		start := packstest.CPUTime()
		res, err := c.Upload(ctx, bytes.NewReader(built.Zip), int64(len(built.Zip)), packs.UploadOptions{})
		if err != nil || res.Status != packs.StatusCreated || res.Tests != 2000 {
			b.Fatalf("%+v %v", res, err)
		}
		b.StopTimer()
		cpu += packstest.CPUTime() - start
		if err := c.Delete(ctx, packstest.CorpusPack, 0); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	// client and server together: they share the process
	b.ReportMetric(float64(cpu.Milliseconds())/float64(b.N), "cpu-ms/op")
}

var corpus struct {
	once  sync.Once
	built *packs.Built
	err   error
}

// corpusZip builds the 500-detection pack once per process: testing runs
// a benchmark function several times to find b.N.
func corpusZip(b *testing.B) *packs.Built {
	corpus.once.Do(func() {
		dir, err := os.MkdirTemp("", "corpus")
		if err != nil {
			corpus.err = err
			return
		}
		defer os.RemoveAll(dir)
		if _, err := packstest.Corpus(dir, 500); err != nil {
			corpus.err = err
			return
		}
		set := engine.Load([]engine.Source{engine.DirSource(dir)}, engine.LoadOptions{Registry: logtypes.Default()})
		corpus.built, corpus.err = packs.Build(set, packstest.CorpusPack, packs.BuildOptions{})
	})
	if corpus.err != nil {
		b.Fatal(corpus.err)
	}
	return corpus.built
}

// BenchmarkGetActiveETag is clients revalidating the active 500-detection
// pack: GET .../download with If-None-Match, answered 304 (token checked,
// request logged), over keep-alive loopback connections from GOMAXPROCS
// goroutines — client and server share the machine's cores.
func BenchmarkGetActiveETag(b *testing.B) {
	// Logs are formatted as in production, then discarded.
	ts := startServer(b, func(o *Options) { o.Logger = slog.New(slog.NewJSONHandler(io.Discard, nil)) })
	built := corpusZip(b)
	if _, err := upload(b, ts.client(writeToken), built.Zip, packs.UploadOptions{}); err != nil {
		b.Fatal(err)
	}
	_, etag, _, err := ts.client(readToken).Download(context.Background(), packstest.CorpusPack, 0, "")
	if err != nil || etag == "" {
		b.Fatal(err)
	}
	url := ts.URL + "/api/v1/packs/" + packstest.CorpusPack + "/download"
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		req, _ := http.NewRequest("GET", url, nil)
		req.Header.Set("Authorization", "Bearer "+readToken)
		req.Header.Set("If-None-Match", etag)
		for pb.Next() {
			resp, err := hc.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusNotModified {
				b.Errorf("status %d", resp.StatusCode)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "req/s")
}
