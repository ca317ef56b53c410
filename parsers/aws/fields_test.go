package aws

import (
	"math/rand/v2"
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
