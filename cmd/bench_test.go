package cmd

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"panther/engine/enginetest"
)

// corpus writes the 900-detection, 3,600-test repository once per run.
func corpus(b *testing.B) (string, int) {
	b.Helper()
	dir := b.TempDir()
	n, err := enginetest.Corpus(dir, 900)
	if err != nil {
		b.Fatal(err)
	}
	return dir, n
}

// BenchmarkTestCorpus is `panther test` over 900 detections x 4 tests,
// in-process: load, compile, run, report.
func BenchmarkTestCorpus(b *testing.B) {
	dir, n := corpus(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		out, errOut, code := runB(b, dir, "test", dir)
		if code != 0 || !strings.Contains(out, "3600 passed, 0 failed") {
			b.Fatalf("exit %d\n%s\n%s", code, tail(out), errOut)
		}
	}
	b.ReportMetric(float64(n), "tests")
}

// BenchmarkTestCorpusBinary is the same through the built binary, process
// start included: the number a CI job sees.
func BenchmarkTestCorpusBinary(b *testing.B) {
	dir, _ := corpus(b)
	bin := filepath.Join(b.TempDir(), "panther")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Dir = filepath.Join("..", "cmd", "panther")
	if out, err := build.CombinedOutput(); err != nil {
		b.Fatalf("build: %v\n%s", err, out)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		cmd := exec.Command(bin, "test", dir)
		cmd.Env = append(os.Environ(), "NO_COLOR=1")
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "3600 passed, 0 failed") {
			b.Fatalf("%v\n%s", err, tail(string(out)))
		}
	}
}

func tail(s string) string {
	if len(s) > 3000 {
		return s[len(s)-3000:]
	}
	return s
}
