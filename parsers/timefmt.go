package parsers

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/valyala/fastjson"

	"panther/parsers/event"
)

// TimeFormat reads a time from a JSON value.
type TimeFormat func(v *fastjson.Value) (time.Time, bool)

type compiledTime struct {
	path   event.Path
	format TimeFormat
}

// ParseTimeFormat compiles a time format name:
//
//	rfc3339   2006-01-02T15:04:05Z07:00, fractions optional; also a space for
//	          the T and no zone (read as UTC)
//	unix      seconds since the epoch (number or string, fractions allowed)
//	unix_ms   milliseconds; unix_us microseconds; unix_ns nanoseconds
//	auto      rfc3339, or a number whose size says its unit
//	a Go layout containing 2006 ("02/Jan/2006:15:04:05 -0700"), or a
//	strftime pattern containing % ("%d/%b/%Y:%H:%M:%S %z")
func ParseTimeFormat(name string) (TimeFormat, error) {
	switch name {
	case "rfc3339", "":
		return stringTime(ParseRFC3339ish), nil
	case "unix":
		return epochTime(time.Second), nil
	case "unix_ms":
		return epochTime(time.Millisecond), nil
	case "unix_us":
		return epochTime(time.Microsecond), nil
	case "unix_ns":
		return epochTime(time.Nanosecond), nil
	case "auto":
		return autoTime, nil
	}
	layout := name
	if strings.Contains(name, "%") {
		l, err := StrftimeToLayout(name)
		if err != nil {
			return nil, err
		}
		layout = l
	}
	if !strings.Contains(layout, "2006") && !strings.Contains(layout, "06") {
		return nil, fmt.Errorf("unknown time format %q (rfc3339, unix, unix_ms, unix_us, unix_ns, auto, a Go layout or a strftime pattern)", name)
	}
	return stringTime(func(s string) (time.Time, bool) {
		t, err := time.Parse(layout, s)
		return t.UTC(), err == nil
	}), nil
}

func stringTime(parse func(string) (time.Time, bool)) TimeFormat {
	return func(v *fastjson.Value) (time.Time, bool) {
		if v.Type() != fastjson.TypeString {
			return time.Time{}, false
		}
		b, _ := v.StringBytes()
		return parse(string(b))
	}
}

func epochTime(unit time.Duration) TimeFormat {
	return func(v *fastjson.Value) (time.Time, bool) {
		f, ok := number(v)
		if !ok {
			return time.Time{}, false
		}
		return FromEpoch(f, unit)
	}
}

// FromEpoch converts a count of units since the epoch to UTC time. The
// whole and fractional parts are converted apart, so a millisecond count
// such as 1709294400123 gives exactly .123 s (a float64 product would not).
func FromEpoch(f float64, unit time.Duration) (time.Time, bool) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return time.Time{}, false
	}
	whole, frac := math.Modf(f)
	ns := whole * float64(unit)
	if ns > math.MaxInt64/2 || ns < math.MinInt64/2 {
		return time.Time{}, false
	}
	perUnit := int64(unit)
	sec := int64(whole) / (int64(time.Second) / perUnit)
	rem := int64(whole) % (int64(time.Second) / perUnit) * perUnit
	if unit > time.Second {
		sec, rem = int64(whole)*int64(unit/time.Second), 0
	}
	// The fraction of a unit, rounded to the microsecond for seconds (what
	// float64 seconds hold exactly) and to the nanosecond otherwise.
	fracNS := frac * float64(unit)
	if unit == time.Second {
		fracNS = math.Round(frac*1e6) * 1000
	} else {
		fracNS = math.Round(fracNS)
	}
	return time.Unix(sec, rem+int64(fracNS)).UTC(), true
}

func number(v *fastjson.Value) (float64, bool) {
	switch v.Type() {
	case fastjson.TypeNumber:
		f, err := v.Float64()
		return f, err == nil
	case fastjson.TypeString:
		b, _ := v.StringBytes()
		f, err := strconv.ParseFloat(string(b), 64)
		return f, err == nil
	}
	return 0, false
}

func autoTime(v *fastjson.Value) (time.Time, bool) {
	if v.Type() == fastjson.TypeString {
		b, _ := v.StringBytes()
		// A number written as a string (FDR's "1709739001342") is not
		// RFC 3339: spare the failed parses.
		if !numeric(b) {
			if t, ok := ParseRFC3339ish(string(b)); ok {
				return t, true
			}
		}
	}
	f, ok := number(v)
	if !ok {
		return time.Time{}, false
	}
	a := math.Abs(f)
	switch {
	case a < 1e11:
		return FromEpoch(f, time.Second)
	case a < 1e14:
		return FromEpoch(f, time.Millisecond)
	case a < 1e17:
		return FromEpoch(f, time.Microsecond)
	}
	return FromEpoch(f, time.Nanosecond)
}

// numeric tells text made of digits and at most one dot.
func numeric(b []byte) bool {
	dots := 0
	for _, c := range b {
		switch {
		case c == '.':
			dots++
		case c < '0' || c > '9':
			return false
		}
	}
	return len(b) > 0 && dots <= 1
}

// ParseRFC3339ish parses RFC 3339 and its common relaxations: a space for
// the T, no zone (UTC), fractions of any length, "+0000" zones.
//
// The layout is chosen from the text's shape before time.Parse is tried:
// each failed time.Parse allocates its error, and logs that write
// "2006-01-02 15:04:05 +0000" used to pay for six of them an event. The
// shapes' layouts accept disjoint texts, so the order changes no result.
func ParseRFC3339ish(s string) (time.Time, bool) {
	if len(s) > 10 && s[10] == ' ' {
		first := spaceLayout(s)
		if t, err := time.Parse(spaceLayouts[first], s); err == nil {
			return t.UTC(), true
		}
		for i, layout := range spaceLayouts {
			if i == first {
				continue
			}
			if t, err := time.Parse(layout, s); err == nil {
				return t.UTC(), true
			}
		}
		return time.Time{}, false
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), true
	}
	for _, layout := range tLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

var tLayouts = []string{
	"2006-01-02T15:04:05.999999999",
	"2006-01-02T15:04:05.999999999Z0700",
}

var spaceLayouts = []string{
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02 15:04:05.999999999Z0700",
	"2006-01-02 15:04:05.999999999 Z0700",
	"2006-01-02 15:04:05.999999999 MST",
}

// spaceLayout guesses which of spaceLayouts fits a time written with a
// space for the T, from what follows the seconds.
func spaceLayout(s string) int {
	if len(s) < 20 {
		return 1
	}
	tail := s[19:]
	for len(tail) > 0 && (tail[0] == '.' || tail[0] >= '0' && tail[0] <= '9') {
		tail = tail[1:]
	}
	switch {
	case tail == "":
		return 1
	case tail[0] == ' ' && len(tail) > 1 && (tail[1] == '+' || tail[1] == '-' || tail[1] == 'Z'):
		return 3
	case tail[0] == ' ':
		return 4
	case strings.Contains(tail, ":") || tail == "Z":
		return 0
	}
	return 2
}

var strftime = map[byte]string{
	'Y': "2006", 'y': "06", 'm': "01", 'd': "02", 'e': "_2", 'H': "15", 'I': "03", 'M': "04",
	'S': "05", 'f': "999999999", 'L': "000", 'p': "PM", 'b': "Jan", 'h': "Jan", 'B': "January",
	'a': "Mon", 'A': "Monday", 'z': "-0700", 'Z': "MST", 'j': "002", 'T': "15:04:05",
	'F': "2006-01-02", 'D': "01/02/06", '%': "%",
}

// StrftimeToLayout converts a strftime pattern to a Go time layout.
func StrftimeToLayout(p string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		if p[i] != '%' {
			b.WriteByte(p[i])
			continue
		}
		if i+1 >= len(p) {
			return "", fmt.Errorf("time format %q ends with %%", p)
		}
		i++
		l, ok := strftime[p[i]]
		if !ok {
			return "", fmt.Errorf("time format %q: %%%c is not supported", p, p[i])
		}
		if p[i] == 'f' && b.Len() > 0 && strings.HasSuffix(b.String(), ".") {
			// %f after a dot: Go wants the dot inside the fraction element.
			s := b.String()
			b.Reset()
			b.WriteString(s[:len(s)-1])
			l = ".999999999"
		}
		b.WriteString(l)
	}
	return b.String(), nil
}
