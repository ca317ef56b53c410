package zeek

import (
	"math/rand/v2"
	"testing"
	"time"
)

// The hand-written time formatting agrees with the time package over the
// whole range it handles, including leap days and times before 1970.
func TestAppendTimeMatchesTimePackage(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(1, 2))
	cases := []int64{0, -1, 1, 951782400000000, 951868799999999, 1521911725396014, -62135596800000000, 253402300799999999}
	for range 100000 {
		cases = append(cases, r.Int64N(253402300799999999+62135596800000000)-62135596800000000)
	}
	for _, us := range cases {
		want := `"` + time.UnixMicro(us).UTC().Format(timeLayout) + `"`
		if got := string(appendTime(nil, us)); got != want {
			t.Fatalf("appendTime(%d) = %s, want %s", us, got, want)
		}
		if back, ok := canonTimeMicros([]byte(want[1 : len(want)-1])); !ok || back != us {
			t.Fatalf("canonTimeMicros(%s) = %d %v, want %d", want, back, ok, us)
		}
	}
}
