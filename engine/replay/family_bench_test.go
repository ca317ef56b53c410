package replay_test

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
	"time"

	"panther/engine"
	"panther/engine/enginetest"
	"panther/engine/replay"
	"panther/parsers/input"
)

// familyInputs are the realistic inputs of BenchmarkFamily, 200,000 events
// each, generated (engine/enginetest) so that a clone without
// ../shared/data measures the same thing.
var familyInputs = []struct {
	name string
	gen  func(dir string) error
}{
	{"web", func(dir string) error { // Apache combined, ~4% attack lines
		return writeFile(filepath.Join(dir, "access.log"), func(f *os.File) error { return enginetest.WebLog(f, 200000, 1, 1) })
	}},
	{"suricata", func(dir string) error {
		return writeFile(filepath.Join(dir, "eve.json"), func(f *os.File) error { return enginetest.SuricataEVE(f, 200000, 1) })
	}},
	{"zeek", func(dir string) error { return enginetest.ZeekJSON(dir, 200000, 1) }},
	{"syslog", func(dir string) error { return enginetest.AuthLog(dir, 200000, 1) }},
	{"cloudtrail", func(dir string) error {
		_, err := enginetest.CloudTrail(enginetest.CloudTrailOptions{Dir: dir, Events: 200000, Days: 3, Seed: 1})
		return err
	}},
}

func writeFile(p string, f func(*os.File) error) error {
	out, err := os.Create(p)
	if err != nil {
		return err
	}
	if err := f(out); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// BenchmarkFamily replays each family's input on one core (GOMAXPROCS=1,
// one worker) twice: parse, classify and normalise only ("parse"), then
// with every shipped detection of the family on ("detect"). events/s is
// wall time; events/cpu-s counts the process's CPU time (user + system,
// the garbage collector's included), the number to read on a busy machine.
func BenchmarkFamily(b *testing.B) {
	set := shipped(b)
	for _, fam := range familyInputs {
		b.Run(fam.name, func(b *testing.B) {
			dir := b.TempDir()
			if err := fam.gen(dir); err != nil {
				b.Fatal(err)
			}
			srcs, errs := input.Expand([]string{dir})
			if len(errs) > 0 {
				b.Fatal(errs)
			}
			benchFamily(b, set, srcs)
		})
	}
}

func benchFamily(b *testing.B, set *engine.Set, srcs []input.Source) {
	for _, mode := range []string{"parse", "detect"} {
		b.Run(mode, func(b *testing.B) {
			var rules []*engine.Detection
			if mode == "parse" {
				rules = []*engine.Detection{}
			}
			defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
			var events int64
			var cpu time.Duration
			var size int64
			for _, s := range srcs {
				size += s.Size
			}
			b.SetBytes(size)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				before := cpuTime()
				st, err := replay.Run(context.Background(), replay.Options{Sources: srcs, Set: set, Rules: rules, Workers: 1})
				if err != nil {
					b.Fatal(err)
				}
				cpu += cpuTime() - before
				if st.Unparsed > 0 {
					b.Fatalf("%d unparsed records", st.Unparsed)
				}
				events += st.TotalEvents()
			}
			b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
			b.ReportMetric(float64(events)/cpu.Seconds(), "events/cpu-s")
		})
	}
}

// cpuTime is the CPU time the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
