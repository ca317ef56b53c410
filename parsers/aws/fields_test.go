package aws

import (
	"bytes"
	"encoding/csv"
	"math/rand/v2"
	"regexp"
	"testing"
	"time"
)

func TestAppendUnixRFC3339(t *testing.T) {
	t.Parallel()
	secs := []int64{0, 1, 59, 86399, 86400, 951782400, 951868800, 1709294400, 4107542399, 4107542400, maxUnixSeconds}
	r := rand.New(rand.NewPCG(1, 2))
	for range 100000 {
		secs = append(secs, r.Int64N(maxUnixSeconds+1))
	}
	for _, s := range secs {
		want := time.Unix(s, 0).UTC().Format(time.RFC3339)
		if got := string(appendUnixRFC3339(nil, s)); got != want {
			t.Fatalf("%d: got %s, want %s", s, got, want)
		}
	}
}

// albRe is a regular expression in the style of the one AWS documents for
// querying ALB logs with Athena, to compare splitting approaches.
var albRe = regexp.MustCompile(`([^ ]*) ([^ ]*) ([^ ]*) ([^ ]*):([0-9]*) ([^ ]*)[:-]([0-9]*) ([-.0-9]*) ([-.0-9]*) ([-.0-9]*) (|[-0-9]*) (-|[-0-9]*) ([-0-9]*) ([-0-9]*) "([^ ]*) (.*) (- |[^ ]*)" "([^"]*)" ([A-Z0-9-_]+) ([A-Za-z0-9.-]*) ([^ ]*) "([^"]*)" "([^"]*)" "([^"]*)" ([-.0-9]*) ([^ ]*) "([^"]*)" "([^"]*)" "([^ ]*)" "([^\s]+?)" "([^\s]+)" "([^ ]*)" "([^ ]*)" ?([^ ]*)?`)

// BenchmarkSplitALB compares splitFields with encoding/csv (space as the
// separator, lazy quotes) and a regular expression on ALB lines.
func BenchmarkSplitALB(b *testing.B) {
	lines := validLines(b, ALB, "testdata/alb/basic.log")[:6]
	var size int64
	for _, l := range lines {
		size += int64(len(l))
	}
	b.Run("splitFields", func(b *testing.B) {
		b.SetBytes(size)
		var toks []token
		for b.Loop() {
			for _, l := range lines {
				toks, _ = splitFields(l, toks, splitQuotes)
			}
		}
	})
	b.Run("encoding/csv", func(b *testing.B) {
		b.SetBytes(size)
		b.ReportAllocs()
		for b.Loop() {
			for _, l := range lines {
				r := csv.NewReader(bytes.NewReader(l))
				r.Comma = ' '
				r.LazyQuotes = true
				r.ReuseRecord = true
				if _, err := r.Read(); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	b.Run("regexp", func(b *testing.B) {
		var m [][]byte
		var size int64
		for _, l := range lines {
			if albRe.Match(l) {
				m = append(m, l)
				size += int64(len(l))
			}
		}
		b.Logf("%d of %d lines match", len(m), len(lines))
		lines := m
		b.SetBytes(size)
		b.ReportAllocs()
		for b.Loop() {
			for _, l := range lines {
				if albRe.FindSubmatchIndex(l) == nil {
					b.Fatalf("no match: %s", l)
				}
			}
		}
	})
}
