package cmd

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

var updateSamples = flag.Bool("update-samples", false,
	"rewrite testdata/samples.golden.jsonl from a replay of testdata/samples (read the diff before committing it)")

const samplesGolden = "../testdata/samples.golden.jsonl"

// sampleAlert is what the golden file keeps of an alert: what a responder
// reads in the list. Samples and alert_context change with every tweak of
// a detection's context and are left out.
type sampleAlert struct {
	RuleID         string `json:"rule_id"`
	Severity       string `json:"severity"`
	Title          string `json:"title"`
	Dedup          string `json:"dedup"`
	EventCount     int    `json:"event_count"`
	FirstEventTime string `json:"first_event_time"`
	LastEventTime  string `json:"last_event_time"`
}

// sampleSummary is the golden file's first line: the replay summary.
type sampleSummary struct {
	Sources  int            `json:"sources"`
	Unparsed int            `json:"unparsed"`
	Events   map[string]int `json:"events_per_log_type"`
}

// TestSamplesGolden replays testdata/samples — the logs `make run` shows —
// through the shipped detections, in-process, and holds the alerts and the
// replay summary to testdata/samples.golden.jsonl. It fails when a parser
// stops reading a sample, a shipped detection stops firing on the story
// (or starts firing on its benign part), or a title or dedup changes.
// After an intended change:
//
//	go test ./cmd -run TestSamplesGolden -update-samples
//
// and read the diff of the golden file before committing it.
// testdata/samplegen writes the samples themselves.
func TestSamplesGolden(t *testing.T) {
	t.Parallel()
	samples, err := filepath.Abs(filepath.Join("..", "testdata", "samples"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(samples); err != nil {
		t.Fatalf("the samples are missing (%v): regenerate them with go run ./testdata/samplegen", err)
	}
	stdout, stderr, code := runB(t, t.TempDir(), "replay", samples, "--format", "jsonl")
	if code != 0 {
		t.Fatalf("replay exit %d\nstderr:\n%s", code, stderr)
	}
	if strings.Contains(stderr, "rule errors:") {
		t.Errorf("shipped detections raised rule errors on the samples:\n%s", stderr)
	}
	summary, err := parseReplaySummary(stderr)
	if err != nil {
		t.Fatalf("%v\nstderr:\n%s", err, stderr)
	}
	if summary.Unparsed != 0 {
		t.Errorf("%d sample records did not parse: every sample must classify\n%s", summary.Unparsed, stderr)
	}

	got := []string{string(mustJSON(t, summary))}
	sc := bufio.NewScanner(strings.NewReader(stdout))
	sc.Buffer(nil, 16<<20)
	for sc.Scan() {
		var a sampleAlert
		if err := json.Unmarshal(sc.Bytes(), &a); err != nil {
			t.Fatalf("alert line is not JSON: %v\n%s", err, sc.Text())
		}
		got = append(got, string(mustJSON(t, a)))
	}
	if len(got) == 1 {
		t.Fatalf("the samples raised no alert at all\nstderr:\n%s", stderr)
	}

	if *updateSamples {
		if err := os.WriteFile(samplesGolden, []byte(strings.Join(got, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s: %d alerts; read its diff before committing it", samplesGolden, len(got)-1)
		return
	}
	data, err := os.ReadFile(samplesGolden)
	if err != nil {
		t.Fatalf("%v (create it with -update-samples)", err)
	}
	want := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	if d := lineDiff(want, got); d != "" {
		t.Errorf("replay of testdata/samples differs from %s (- golden, + now).\n"+
			"If the change is intended: go test ./cmd -run TestSamplesGolden -update-samples, then read the diff.\n%s",
			samplesGolden, d)
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

var (
	summarySources  = regexp.MustCompile(`(?m)^replayed (\d+) source\(s\)`)
	summaryType     = regexp.MustCompile(`(?m)^  (\S+)\s+(\d+) events$`)
	summaryUnparsed = regexp.MustCompile(`(?m)^  unparsed records: (\d+)`)
)

// parseReplaySummary reads the counts of the summary replay prints on
// stderr (printReplaySummary).
func parseReplaySummary(stderr string) (sampleSummary, error) {
	s := sampleSummary{Events: map[string]int{}}
	m := summarySources.FindStringSubmatch(stderr)
	if m == nil {
		return s, fmt.Errorf("no \"replayed N source(s)\" line in the replay summary")
	}
	s.Sources, _ = strconv.Atoi(m[1])
	for _, m := range summaryType.FindAllStringSubmatch(stderr, -1) {
		n, _ := strconv.Atoi(m[2])
		s.Events[m[1]] = n
	}
	if len(s.Events) == 0 {
		return s, fmt.Errorf("no per-log-type event counts in the replay summary")
	}
	if m := summaryUnparsed.FindStringSubmatch(stderr); m != nil {
		s.Unparsed, _ = strconv.Atoi(m[1])
	}
	return s, nil
}

// lineDiff lists the lines only in want (-) and only in got (+), in order;
// "" when both hold the same lines in the same order.
func lineDiff(want, got []string) string {
	if strings.Join(want, "\n") == strings.Join(got, "\n") {
		return ""
	}
	count := func(lines []string) map[string]int {
		m := map[string]int{}
		for _, l := range lines {
			m[l]++
		}
		return m
	}
	w, g := count(want), count(got)
	var b strings.Builder
	for _, l := range want {
		if g[l] > 0 {
			g[l]--
			continue
		}
		b.WriteString("- " + l + "\n")
	}
	for _, l := range got {
		if w[l] > 0 {
			w[l]--
			continue
		}
		b.WriteString("+ " + l + "\n")
	}
	if b.Len() == 0 {
		b.WriteString("the same lines in another order (the replay's alert order must be deterministic)\n")
	}
	return b.String()
}
