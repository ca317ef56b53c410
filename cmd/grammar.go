package cmd

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"panther/query"
)

// One grammar for the values the same kind of flag takes, in every
// command: times (--since, --until), sizes (--max-record-bytes, serve's
// limits).

// parseSize reads a byte count: 1048576, 512KiB, 16MiB, 1GiB (K, M, G are
// binary too; KB, MB, GB decimal).
func parseSize(s string) (int, error) {
	s = strings.TrimSpace(s)
	num := strings.TrimRightFunc(s, func(r rune) bool { return r < '0' || r > '9' })
	unit := strings.TrimSpace(s[len(num):])
	n, err := strconv.ParseInt(num, 10, 64)
	mult := map[string]int64{"": 1, "B": 1, "K": 1 << 10, "KiB": 1 << 10, "M": 1 << 20, "MiB": 1 << 20, "G": 1 << 30, "GiB": 1 << 30,
		"KB": 1e3, "MB": 1e6, "GB": 1e9}[unit]
	if err != nil || mult == 0 || n <= 0 || n > (1<<31-1)/mult {
		return 0, fmt.Errorf("%q is not a size between 1 byte and 2 GiB (like 16MiB)", s)
	}
	return int(n * mult), nil
}

// sizeFlag reads a size flag's value into *dst, as a usage error naming
// the flag.
func sizeFlag(flag, s string, dst *int) error {
	n, err := parseSize(s)
	if err != nil {
		return usageErr("--%s: %v", flag, err)
	}
	*dst = n
	return nil
}

// when reads a point in time: an RFC 3339 time, a date (UTC), or a
// duration before now (24h, 90m, 7d, 2w). A date as the end of a range
// (end) means through that day.
func when(flag, s string, now time.Time, end bool) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	if t, dateOnly, err := query.ParseTime(s); err == nil {
		if dateOnly && end {
			t = t.AddDate(0, 0, 1)
		}
		return t.UTC(), nil
	}
	if d, err := query.ParseSince(s); err == nil {
		return now.Add(-d).UTC(), nil
	}
	return time.Time{}, usageErr("--%s %q: give a time (2024-03-01T12:00:00Z), a date (2024-03-01) or a duration ago (24h, 7d)", flag, s)
}

// timeRange reads --since and --until (and their other names, --from and
// --to): the events at or after since and before until.
func timeRange(since, until string, now time.Time) (query.TimeRange, error) {
	var r query.TimeRange
	var err error
	if r.From, err = when("since", since, now, false); err != nil {
		return r, err
	}
	if r.To, err = when("until", until, now, true); err != nil {
		return r, err
	}
	if !r.From.IsZero() && !r.To.IsZero() && !r.From.Before(r.To) {
		return r, usageErr("--since %s is not before --until %s", since, until)
	}
	return r, nil
}

// oneOf returns the one of two synonymous flags that is set, or a usage
// error when both are.
func oneOf(a, aName, b, bName string) (string, error) {
	if a != "" && b != "" {
		return "", usageErr("--%s and --%s are the same flag: give one", aName, bName)
	}
	return a + b, nil
}

// yearFlag adds --year (replay, parse).
func yearFlag(f *pflag.FlagSet, year *int) {
	f.IntVar(year, "year", 0, "year of each source's first year-less timestamp (RFC 3164 syslog), later ones following in order "+
		"(default: the year that puts it in the last 12 months)")
}

func checkYear(year int) error {
	if year != 0 && (year < 1970 || year > 9999) {
		return usageErr("--year %d: give a year from 1970 to 9999", year)
	}
	return nil
}
