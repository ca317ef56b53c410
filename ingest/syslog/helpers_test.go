package syslog_test

import (
	"testing"

	"panther/ingest"
)

// testutilCount sums every series of a counter family.
func testutilCount(t *testing.T, m *ingest.Metrics, name string) float64 {
	t.Helper()
	fams, err := m.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var n float64
	for _, f := range fams {
		if f.GetName() != name {
			continue
		}
		for _, s := range f.GetMetric() {
			n += s.GetCounter().GetValue()
		}
	}
	return n
}
