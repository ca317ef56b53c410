package parsers

import (
	"testing"
	"time"

	"github.com/valyala/fastjson"
)

func TestFromEpochExact(t *testing.T) {
	cases := []struct {
		f    float64
		unit time.Duration
		want string
	}{
		{1709294400123, time.Millisecond, "2024-03-01T12:00:00.123Z"},
		{1709294400123456, time.Microsecond, "2024-03-01T12:00:00.123456Z"},
		{1709294400123456789, time.Nanosecond, "2024-03-01T12:00:00.123456768Z"}, // float64 holds no more
		{1709294400.25, time.Second, "2024-03-01T12:00:00.25Z"},
		{1521911721.123456, time.Second, "2018-03-24T17:15:21.123456Z"},
		{-1.5, time.Second, "1969-12-31T23:59:58.5Z"},
	}
	for _, c := range cases {
		got, ok := FromEpoch(c.f, c.unit)
		if !ok || got.Format(time.RFC3339Nano) != c.want {
			t.Errorf("FromEpoch(%v, %v) = %s, want %s", c.f, c.unit, got.Format(time.RFC3339Nano), c.want)
		}
	}
	if _, ok := FromEpoch(1e300, time.Millisecond); ok {
		t.Error("an absurd count converts")
	}
}

func TestTimeFormats(t *testing.T) {
	var a fastjson.Arena
	for _, c := range []struct {
		format string
		v      *fastjson.Value
		want   string
	}{
		{"rfc3339", a.NewString("2024-03-01T12:00:00+02:00"), "2024-03-01T10:00:00Z"},
		{"rfc3339", a.NewString("2024-03-01 12:00:00.5"), "2024-03-01T12:00:00.5Z"},
		{"unix_ms", a.NewNumberString("1709294400123"), "2024-03-01T12:00:00.123Z"},
		{"unix", a.NewString("1709294400"), "2024-03-01T12:00:00Z"},
		{"auto", a.NewNumberString("1709294400123"), "2024-03-01T12:00:00.123Z"},
		{"%d/%b/%Y:%H:%M:%S %z", a.NewString("10/Oct/2000:13:55:36 -0700"), "2000-10-10T20:55:36Z"},
	} {
		f, err := ParseTimeFormat(c.format)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := f(c.v)
		if !ok || got.Format(time.RFC3339Nano) != c.want {
			t.Errorf("%s %s = %v %v, want %s", c.format, c.v, got, ok, c.want)
		}
	}
	if _, err := ParseTimeFormat("yyyy-mm-dd"); err == nil {
		t.Error("a bad format compiles")
	}
}

// Every shape ParseRFC3339ish takes gives the same time whichever layout
// it tries first.
func TestParseRFC3339ishShapes(t *testing.T) {
	t.Parallel()
	want := time.Date(2024, 3, 5, 8, 2, 11, 0, time.UTC)
	for _, s := range []string{
		"2024-03-05T08:02:11Z", "2024-03-05T08:02:11.000Z", "2024-03-05T10:02:11+02:00", "2024-03-05T08:02:11",
		"2024-03-05T10:02:11+0200", "2024-03-05 08:02:11", "2024-03-05 08:02:11.000", "2024-03-05 08:02:11Z",
		"2024-03-05 10:02:11+02:00", "2024-03-05 10:02:11+0200", "2024-03-05 08:02:11 +0000", "2024-03-05 00:02:11.000 -0800",
		"2024-03-05 08:02:11 UTC", "2024-03-05 08:02:11.000000000",
	} {
		got, ok := ParseRFC3339ish(s)
		if !ok || !got.Equal(want) {
			t.Errorf("%q: %v %v", s, got, ok)
		}
	}
	for _, s := range []string{"", "2024-03-05", "2024-03-05 08:02", "2024-03-05 08:02:11 nope", "2024-03-05X08:02:11Z", "2023-09-20T23:00:000.000000Z"} {
		if got, ok := ParseRFC3339ish(s); ok {
			t.Errorf("%q reads as %v", s, got)
		}
	}
}
