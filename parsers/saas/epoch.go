package saas

import (
	"math"
	"strconv"
	"time"

	"github.com/valyala/fastjson"

	"panther/parsers"
)

// maxMillis keeps epoch milliseconds within what time.Time holds as
// nanoseconds since 1970 (years 1678-2262), as parsers.FromEpoch does.
const maxMillis = math.MaxInt64 / int64(time.Millisecond)

// epochMillis reads epoch milliseconds (a JSON number or a numeric string)
// exactly. parsers' unix_ms and auto formats multiply a float64 by 1e6,
// which rounds today's millisecond times to the nearest 64 ns
// (1709294400123 ms gives .123000064 s); GitHub's times are integers of
// milliseconds, so they are read as integers.
func epochMillis(v *fastjson.Value) (time.Time, bool) {
	n, frac, ok := epochNumber(v)
	if !ok || n > maxMillis || n < -maxMillis {
		return time.Time{}, false
	}
	return time.UnixMilli(n).Add(time.Duration(math.Round(frac * 1e6))).UTC(), true
}

// epochNumber splits a JSON number or numeric string into its integer part
// and fraction, reading integers without going through float64.
func epochNumber(v *fastjson.Value) (n int64, frac float64, ok bool) {
	switch v.Type() {
	case fastjson.TypeNumber:
		if n, err := v.Int64(); err == nil {
			return n, 0, true
		}
		f, err := v.Float64()
		return splitFloat(f, err == nil)
	case fastjson.TypeString:
		b, _ := v.StringBytes()
		s := string(b)
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return n, 0, true
		}
		f, err := strconv.ParseFloat(s, 64)
		return splitFloat(f, err == nil)
	}
	return 0, 0, false
}

func splitFloat(f float64, ok bool) (int64, float64, bool) {
	if !ok || math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) >= math.MaxInt64 {
		return 0, 0, false
	}
	i, frac := math.Modf(f)
	return int64(i), frac, true
}

// autoTime reads RFC 3339 (and its relaxations), or epoch seconds or
// milliseconds told apart by size as parsers' auto format does.
func autoTime(v *fastjson.Value) (time.Time, bool) {
	if v.Type() == fastjson.TypeString {
		b, _ := v.StringBytes()
		if t, ok := parsers.ParseRFC3339ish(string(b)); ok {
			return t, true
		}
	}
	n, frac, ok := epochNumber(v)
	if !ok {
		return time.Time{}, false
	}
	if n < 1e11 && n > -1e11 {
		return time.Unix(n, int64(math.Round(frac*1e9))).UTC(), true
	}
	return epochMillis(v)
}
