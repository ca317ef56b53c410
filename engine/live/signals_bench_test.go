package live_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/valyala/fastjson"

	"panther/detections"
	"panther/engine"
	"panther/engine/enginetest"
	"panther/engine/live"
	"panther/engine/live/livetest"
	"panther/ingest"
	"panther/lake"
	"panther/packs/packstest"
	"panther/parsers/logtypes"
)

// BenchmarkSignals: a signal-heavy CloudTrail stream through the live
// pipeline — the shipped CloudTrail detections as one active pack, their
// signals (CreateAlert: false; AWS.IAM.UserActivity and
// AWS.CloudTrail.NewSourceIP match 39% and 65% of the generated events)
// with no correlation active — run by two pipelines side by side: one
// with every alert function of every match (all: as before
// Generation.Fields), one with only those something reads (read). Each
// iteration sends the same 20,000 events to one, then the other (in turn
// first), so both meet the same machine load; the CPU time of the whole process during
// each one's turn is its cost. One worker each; the lake (on or off) does
// not commit during the run, so that no commit of one pipeline falls in
// the other's turn. Reports CPU µs an event of each and their ratio.
func BenchmarkSignals(b *testing.B) {
	batches := cloudTrailNDJSON(b, 20_000, 1000)
	pack := cloudTrailPack(b)
	for _, withLake := range []bool{true, false} {
		b.Run(fmt.Sprintf("lake=%t", withLake), func(b *testing.B) {
			all := startSignals(b, pack, withLake, true)
			read := startSignals(b, pack, withLake, false)
			all.send(batches) // warm: every rule's Lua loaded in the worker's VM
			read.send(batches)
			var cpuAll, cpuRead time.Duration
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if i%2 == 0 {
					cpuAll += all.send(batches)
					cpuRead += read.send(batches)
				} else {
					cpuRead += read.send(batches)
					cpuAll += all.send(batches)
				}
			}
			b.StopTimer()
			n := all.p.Status().Events - all.warm
			if m := read.p.Status().Events - read.warm; m != n || n == 0 {
				b.Fatalf("the pipelines processed %d and %d events", n, m)
			}
			b.ReportMetric(cpuAll.Seconds()/float64(n)*1e6, "all-cpu-µs/event")
			b.ReportMetric(cpuRead.Seconds()/float64(n)*1e6, "read-cpu-µs/event")
			b.ReportMetric(cpuRead.Seconds()/cpuAll.Seconds(), "read/all")
			all.stop()
			read.stop()
		})
	}
}

// signalsPipe is one pipeline of BenchmarkSignals.
type signalsPipe struct {
	b    *testing.B
	j    *ingest.Journal
	p    *live.Pipeline
	done chan error
	seq  uint64
	warm int64 // events of the warm-up
}

func startSignals(b *testing.B, pack fs.FS, withLake, allFields bool) *signalsPipe {
	dir := b.TempDir()
	j, err := ingest.OpenJournal(dir+"/wal", ingest.JournalOptions{})
	if err != nil {
		b.Fatal(err)
	}
	reg := logtypes.Default()
	packs := livetest.NewPacks()
	packs.Activate("CT", 1, pack)
	opts := live.Options{Journal: j, Registry: reg, Packs: packs, Alerts: &alertLog{}, Workers: 1,
		CommitInterval: time.Hour, Load: engine.LoadOptions{Registry: reg}}
	if withLake {
		if opts.Lake, err = live.OpenLake(context.Background(), dir+"/lake", reg, lake.Options{}); err != nil {
			b.Fatal(err)
		}
	}
	if allFields {
		live.RunAllFields(&opts)
	}
	s := &signalsPipe{b: b, j: j, done: make(chan error, 1)}
	if s.p, err = live.New(context.Background(), opts); err != nil {
		b.Fatal(err)
	}
	if st := s.p.Status(); st.Rules == 0 || st.Packs[0].Error != "" {
		b.Fatalf("the pack does not run: %+v", st.Packs)
	}
	go func() { s.done <- s.p.Run(context.Background()) }()
	return s
}

// send appends the batches to the journal, waits until the pipeline has
// processed them, collects the garbage (so that each turn pays for its
// own) and returns the process's CPU time meanwhile.
func (s *signalsPipe) send(batches [][]byte) time.Duration {
	cpu0 := packstest.CPUTime()
	for _, body := range batches {
		e := &ingest.Entry{Input: "http", Source: "http/bench", LogType: "AWS.CloudTrail", Received: time.Now(),
			Kind: ingest.Stream, Data: body}
		var err error
		if s.seq, err = s.j.Append(context.Background(), e, false); err != nil {
			s.b.Fatal(err)
		}
	}
	for s.p.Status().Processed < s.seq {
		time.Sleep(time.Millisecond)
	}
	if s.warm == 0 {
		s.warm = s.p.Status().Events
	}
	runtime.GC()
	return packstest.CPUTime() - cpu0
}

func (s *signalsPipe) stop() {
	s.j.Stop()
	if err := <-s.done; err != nil {
		s.b.Fatal(err)
	}
	s.j.Close()
}

// cloudTrailPack is the shipped CloudTrail rules with the helpers and data
// models they need, as one pack (no correlation rule: none is shipped in
// a pack).
func cloudTrailPack(b *testing.B) fs.FS {
	out := fstest.MapFS{}
	err := fs.WalkDir(detections.FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		for _, dir := range []string{"rules/aws_cloudtrail/", "helpers/", "datamodels/"} {
			if strings.HasPrefix(path, dir) {
				data, err := fs.ReadFile(detections.FS, path)
				if err != nil {
					return err
				}
				out[path] = &fstest.MapFile{Data: data}
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return out
}

// cloudTrailNDJSON generates n CloudTrail events (cached in $TMPDIR) as
// NDJSON bodies of per events, as the HTTP input receives them.
func cloudTrailNDJSON(b *testing.B, n, per int) [][]byte {
	dir := filepath.Join(os.TempDir(), fmt.Sprintf("panther-bench-live-ct-%d", n))
	if _, err := os.Stat(filepath.Join(dir, "done")); err != nil {
		os.RemoveAll(dir)
		if _, err := enginetest.CloudTrail(enginetest.CloudTrailOptions{Dir: dir, Events: int64(n), Days: 1, Seed: 7}); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "done"), nil, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	var lines [][]byte
	var p fastjson.Parser
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(path) != ".gz" {
			return err
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		zr, err := gzip.NewReader(f)
		if err != nil {
			return err
		}
		raw, err := io.ReadAll(zr)
		if err != nil {
			return err
		}
		v, err := p.ParseBytes(raw)
		if err != nil {
			return err
		}
		for _, r := range v.GetArray("Records") {
			lines = append(lines, r.MarshalTo(nil))
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	var out [][]byte
	for i := 0; i < len(lines); i += per {
		var buf bytes.Buffer
		for _, l := range lines[i:min(i+per, len(lines))] {
			buf.Write(l)
			buf.WriteByte('\n')
		}
		out = append(out, buf.Bytes())
	}
	return out
}
