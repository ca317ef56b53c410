package cmd

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The output of a replay with correlations on is the same for any number
// of workers: alerts, their chains and samples, and the correlation
// and first-seen counters of the summary. The samples hold chains across sources and log
// types (Okta then GitHub, Zeek then auth.log), read by several workers at
// once.
func TestReplayCorrelationsSameForAnyWorkers(t *testing.T) {
	t.Parallel()
	samples, err := filepath.Abs(filepath.Join("..", "testdata", "samples"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(samples); err != nil {
		t.Fatalf("the samples are missing (%v): regenerate them with go run ./testdata/samplegen", err)
	}
	// The parse time is the clock's, not the input's.
	parseTime := regexp.MustCompile(`"p_parse_time":"[^"]*"`)
	var first, firstCorr, firstSeen string
	for _, w := range []string{"1", "4"} {
		stdout, stderr, code := runB(t, t.TempDir(), "replay", samples, "--format", "jsonl", "--workers", w)
		if code != 0 {
			t.Fatalf("workers=%s: exit %d\n%s", w, code, stderr)
		}
		out := parseTime.ReplaceAllString(stdout, `"p_parse_time":""`)
		corr, seen := "", ""
		for _, l := range strings.Split(stderr, "\n") {
			if strings.HasPrefix(l, "correlations:") {
				corr = l
			}
			if strings.HasPrefix(l, "first seen:") {
				seen = l // the FirstSeen rules' counters
			}
		}
		if !strings.Contains(seen, "2 rule(s)") {
			t.Fatalf("workers=%s: first-seen summary %q", w, seen)
		}
		if n := strings.Count(out, `"chain":[`); n < 11 || corr == "" {
			t.Fatalf("workers=%s: %d alerts with a chain, summary %q: the samples' correlations did not run", w, n, corr)
		}
		if first == "" {
			first, firstCorr, firstSeen = out, corr, seen
			continue
		}
		if out != first {
			a, b := strings.Split(first, "\n"), strings.Split(out, "\n")
			for i := range min(len(a), len(b)) {
				if a[i] != b[i] {
					t.Fatalf("workers=%s: alert %d differs from workers=1:\n%s\nvs\n%s", w, i+1, b[i], a[i])
				}
			}
			t.Fatalf("workers=%s: %d alert lines, workers=1: %d", w, len(b), len(a))
		}
		if corr != firstCorr || seen != firstSeen {
			t.Errorf("workers=%s: %s\n%s\nworkers=1: %s\n%s", w, corr, seen, firstCorr, firstSeen)
		}
	}
}
