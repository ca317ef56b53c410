package saas

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"panther/parsers"
	"panther/parsers/event"
	"panther/parsers/osquery"
	"panther/parsers/parsertest"
)

// crossCheck runs the Detect of types over every event of Panther's public
// detection tests: a type may accept an event only if the event is of that
// type (its p_log_type, else the single log type of its rule). This is what
// keeps the classifier from filing one vendor's events under another.
func crossCheck(t *testing.T, types ...*parsers.LogType) {
	dir := filepath.Dir(parsertest.SharedData(t, "panther-analysis-tests/Okta.SystemLog.tests.jsonl.gz"))
	files, err := filepath.Glob(filepath.Join(dir, "*.tests.jsonl.gz"))
	if err != nil || len(files) < 10 {
		t.Fatalf("test files: %v %v", files, err)
	}
	checked := 0
	for _, f := range files {
		for i, rec := range parsertest.GzLines(t, f) {
			var line struct {
				LogTypes []string `json:"log_types"`
				Log      map[string]any
			}
			if err := json.Unmarshal(rec, &line); err != nil {
				t.Fatalf("%s:%d: %v", f, i+1, err)
			}
			actual, _ := line.Log["p_log_type"].(string)
			if actual == "" && len(line.LogTypes) == 1 {
				actual = line.LogTypes[0]
			}
			for k := range line.Log {
				if strings.HasPrefix(k, "p_") {
					delete(line.Log, k)
				}
			}
			raw, _ := json.Marshal(line.Log)
			for _, lt := range types {
				if actual == "" && slices.Contains(line.LogTypes, lt.Name) {
					continue // a rule of several types; the event may be ours
				}
				e := event.New()
				ok, err := lt.NewParser().Parse(raw, e)
				if ok && err == nil && actual != lt.Name && (e.LogType == "" || e.LogType == lt.Name) && lt.Detect(e) {
					t.Errorf("%s:%d: %s accepts an event of %q: %.160s", filepath.Base(f), i+1, lt.Name, actual, raw)
				}
				checked++
				e.Release()
			}
		}
	}
	t.Logf("%d checks over %d files", checked, len(files))
}

// The osquery types are checked here too, so that the helper lives in one
// place until parsertest offers one.
func TestDetectRejectsOtherTypes(t *testing.T) {
	t.Parallel()
	crossCheck(t, Okta, GitHub, GCP, osquery.Differential, osquery.Snapshot, osquery.Batch)
}
