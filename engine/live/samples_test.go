package live_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"panther/detections"
	"panther/engine/live"
	"panther/engine/live/livetest"
	"panther/ingest"
	"panther/parsers/input"
	"panther/parsers/logtypes"
)

// TestSamplesAsReplay sends the sample logs of `make run`, one request
// body a file in the order replay reads them, through the live pipeline
// with the shipped detections, and holds the alerts to replay's golden
// file: the same alerts (rule, dedup, title, severity, event count, first
// and last event), raised at their threshold instead of at the end.
func TestSamplesAsReplay(t *testing.T) {
	samples := filepath.Join("..", "..", "testdata", "samples")
	srcs, errs := input.Expand([]string{samples})
	if len(errs) > 0 || len(srcs) == 0 {
		t.Fatalf("samples: %v", errs)
	}
	j, err := ingest.OpenJournal(t.TempDir(), ingest.JournalOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	packs := livetest.NewPacks()
	packs.Activate("Shipped", 1, detections.FS)
	var mu sync.Mutex
	final := map[string]live.DetectionAlert{}
	sink := sinkFunc(func(a live.DetectionAlert) {
		mu.Lock()
		final[a.ID] = a
		mu.Unlock()
	})
	met := ingest.NewMetrics()
	p, err := live.New(context.Background(), live.Options{Journal: j, Registry: logtypes.Default(), Packs: packs, Alerts: sink, Metrics: met})
	if err != nil {
		t.Fatal(err)
	}
	if st := p.Status(); st.Rules < 100 || len(st.Packs) != 1 || st.Packs[0].Error != "" {
		t.Fatalf("shipped detections not loaded: %+v", st)
	}
	done := make(chan error, 1)
	go func() { done <- p.Run(context.Background()) }()
	for _, s := range srcs {
		data, err := os.ReadFile(s.Path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := j.Append(context.Background(), &ingest.Entry{Input: "http", Source: s.Path, Received: time.Now(), Kind: ingest.Stream, Data: data}, true); err != nil {
			t.Fatal(err)
		}
	}
	j.Stop()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	// The correlation rules' state is in the metrics (/metrics of serve).
	gauge := func(name string) float64 {
		mfs, err := met.Registry.Gather()
		if err != nil {
			t.Fatal(err)
		}
		for _, mf := range mfs {
			if mf.GetName() == name && len(mf.GetMetric()) == 1 {
				return mf.GetMetric()[0].GetGauge().GetValue()
			}
		}
		t.Fatalf("no metric %s", name)
		return 0
	}
	held, keys, bytes := gauge("panther_correlation_matches_held"), gauge("panther_correlation_keys"), gauge("panther_correlation_state_bytes")
	if held < 1 || keys < 1 || bytes < held*200 || bytes > held*4096 {
		t.Errorf("correlation metrics: %v matches held under %v keys, %v bytes", held, keys, bytes)
	}
	// So is the history of the FirstSeen rules (the accounts' addresses,
	// the organisation's countries), none of it dropped.
	if v, d := gauge("panther_first_seen_values"), gauge("panther_first_seen_dropped"); v < 5 || d != 0 {
		t.Errorf("first-seen metrics: %v values held, %v dropped", v, d)
	}
	type row struct {
		RuleID, Severity, Title, Dedup string
		EventCount                     int
		First, Last                    string
	}
	var got []row
	for _, a := range final {
		got = append(got, row{a.RuleID, a.Severity, a.Title, a.Dedup, a.EventCount,
			a.FirstEvent.UTC().Format(time.RFC3339Nano), a.LastEvent.UTC().Format(time.RFC3339Nano)})
	}
	f, err := os.Open(filepath.Join("..", "..", "testdata", "samples.golden.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var want []row
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	sc.Scan() // the summary
	for sc.Scan() {
		var a struct {
			RuleID         string `json:"rule_id"`
			Severity       string `json:"severity"`
			Title          string `json:"title"`
			Dedup          string `json:"dedup"`
			EventCount     int    `json:"event_count"`
			FirstEventTime string `json:"first_event_time"`
			LastEventTime  string `json:"last_event_time"`
		}
		if err := json.Unmarshal(sc.Bytes(), &a); err != nil {
			t.Fatal(err)
		}
		first, _ := time.Parse(time.RFC3339Nano, a.FirstEventTime)
		last, _ := time.Parse(time.RFC3339Nano, a.LastEventTime)
		want = append(want, row{a.RuleID, a.Severity, a.Title, a.Dedup, a.EventCount,
			first.UTC().Format(time.RFC3339Nano), last.UTC().Format(time.RFC3339Nano)})
	}
	key := func(r row) string { return fmt.Sprintf("%+v", r) }
	sortRows := func(rs []row) {
		slices.SortFunc(rs, func(a, b row) int {
			if key(a) < key(b) {
				return -1
			}
			if key(a) > key(b) {
				return 1
			}
			return 0
		})
	}
	sortRows(got)
	sortRows(want)
	if len(got) != len(want) {
		t.Errorf("%d alerts live, %d in replay's golden file", len(got), len(want))
	}
	for i := 0; i < max(len(got), len(want)); i++ {
		var g, w string
		if i < len(got) {
			g = key(got[i])
		}
		if i < len(want) {
			w = key(want[i])
		}
		if g != w {
			t.Fatalf("first difference at %d:\nlive   %s\nreplay %s", i, g, w)
		}
	}
}

type sinkFunc func(live.DetectionAlert)

func (f sinkFunc) RaiseDetection(_ context.Context, a live.DetectionAlert) error {
	f(a)
	return nil
}
