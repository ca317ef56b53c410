// Package packstest writes pack repositories for the tests and benchmarks
// of packs, packs/server and the pack commands.
package packstest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"panther/engine/enginetest"
)

// CorpusPack is the PackID of the pack Corpus writes.
const CorpusPack = "Bench.All"

// Corpus writes enginetest.Corpus(dir, n) — n CloudTrail detections with 4
// tests each, helpers and a data model — and a pack spec (pack.yml) naming
// every detection. It returns the number of tests.
func Corpus(dir string, n int) (int, error) {
	tests, err := enginetest.Corpus(dir, n)
	if err != nil {
		return 0, err
	}
	var spec strings.Builder
	fmt.Fprintf(&spec, "AnalysisType: pack\nPackID: %s\nDisplayName: All %d bench rules\nPackDefinition:\n  IDs:\n", CorpusPack, n)
	for i := 0; i < n; i++ {
		fmt.Fprintf(&spec, "    - Bench.Rule.%04d\n", i)
	}
	return tests, os.WriteFile(filepath.Join(dir, "pack.yml"), []byte(spec.String()), 0o644)
}
