package saas

import (
	"testing"
	"time"

	"github.com/valyala/fastjson"
)

func TestEpochAndAutoTime(t *testing.T) {
	t.Parallel()
	ms := time.Date(2024, 3, 1, 12, 0, 0, 123e6, time.UTC)
	cases := []struct {
		json   string
		millis bool // read with epochMillis, else autoTime
		want   time.Time
		ok     bool
	}{
		{`1709294400123`, true, ms, true},
		{`"1709294400123"`, true, ms, true},
		{`1709294400123.0`, true, ms, true},
		{`1709294400123.5`, true, ms.Add(500 * time.Microsecond), true},
		{`1.709294400123e12`, true, ms, true},
		{`"soon"`, true, time.Time{}, false},
		{`null`, true, time.Time{}, false},
		{`1e300`, true, time.Time{}, false},
		{`9223372036854775807`, true, time.Time{}, false}, // past year 2262
		{`1709294400123`, false, ms, true},
		{`1709294400`, false, ms.Truncate(time.Second), true}, // seconds by size
		{`1709294400.25`, false, ms.Truncate(time.Second).Add(250 * time.Millisecond), true},
		{`"2024-03-01T12:00:00.123Z"`, false, ms, true},
		{`"2024-03-01 12:00:00.123"`, false, ms, true},
		{`"2024-12-17 00:00:00000000"`, false, time.Time{}, false},
		{`true`, false, time.Time{}, false},
	}
	for _, c := range cases {
		v := fastjson.MustParse(c.json)
		f := autoTime
		if c.millis {
			f = epochMillis
		}
		got, ok := f(v)
		if ok != c.ok || !got.Equal(c.want) {
			t.Errorf("%s (millis=%v) = %v, %v; want %v, %v", c.json, c.millis, got, ok, c.want, c.ok)
		}
	}
}
