package query

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// TimeRange bounds p_event_time: From inclusive, To exclusive. A zero bound
// is open.
type TimeRange struct {
	From, To time.Time
}

// IsZero says the range is unbounded on both sides.
func (r TimeRange) IsZero() bool { return r.From.IsZero() && r.To.IsZero() }

// overlapsHour says whether the hour starting at h (UTC) holds times of r.
func (r TimeRange) overlapsHour(h time.Time) bool {
	if !r.To.IsZero() && !h.Before(r.To) {
		return false
	}
	if !r.From.IsZero() && !h.Add(time.Hour).After(r.From) {
		return false
	}
	return true
}

// String renders r for messages.
func (r TimeRange) String() string {
	f := func(t time.Time) string {
		if t.IsZero() {
			return "…"
		}
		return t.UTC().Format(time.RFC3339)
	}
	return "[" + f(r.From) + ", " + f(r.To) + ")"
}

// RangeFlags are the user's time flags, as typed.
type RangeFlags struct {
	Since, From, To string
}

// Resolve turns the flags into a range, relative to now for Since. Since
// excludes From and To. A bare date in To means "through that day".
func (f RangeFlags) Resolve(now time.Time) (TimeRange, error) {
	var r TimeRange
	if f.Since != "" {
		if f.From != "" || f.To != "" {
			return r, fmt.Errorf("--since cannot be combined with --from or --to: use one or the other")
		}
		d, err := ParseSince(f.Since)
		if err != nil {
			return r, err
		}
		return TimeRange{From: now.UTC().Add(-d)}, nil
	}
	if f.From != "" {
		t, _, err := ParseTime(f.From)
		if err != nil {
			return r, fmt.Errorf("--from: %w", err)
		}
		r.From = t
	}
	if f.To != "" {
		t, dateOnly, err := ParseTime(f.To)
		if err != nil {
			return r, fmt.Errorf("--to: %w", err)
		}
		if dateOnly {
			t = t.AddDate(0, 0, 1)
		}
		r.To = t
	}
	if !r.From.IsZero() && !r.To.IsZero() && !r.From.Before(r.To) {
		return r, fmt.Errorf("--from %s is not before --to %s", f.From, f.To)
	}
	return r, nil
}

// ParseSince parses a look-back duration: Go durations ("90m", "1h30m")
// plus days and weeks ("7d", "2w", "1d12h").
func ParseSince(s string) (time.Duration, error) {
	in := strings.TrimSpace(s)
	bad := fmt.Errorf("--since %q: want a duration like 24h, 90m, 7d or 2w", s)
	if in == "" {
		return 0, bad
	}
	var total time.Duration
	rest := in
	for rest != "" {
		i := 0
		for i < len(rest) && (rest[i] >= '0' && rest[i] <= '9' || rest[i] == '.') {
			i++
		}
		if i == 0 {
			return 0, bad
		}
		j := i
		for j < len(rest) && (rest[j] < '0' || rest[j] > '9') && rest[j] != '.' {
			j++
		}
		num, unit := rest[:i], rest[i:j]
		rest = rest[j:]
		var d time.Duration
		switch unit {
		case "d", "w":
			n, err := strconv.ParseFloat(num, 64)
			if err != nil {
				return 0, bad
			}
			day := 24 * time.Hour
			if unit == "w" {
				day *= 7
			}
			d = time.Duration(n * float64(day))
		default:
			var err error
			if d, err = time.ParseDuration(num + unit); err != nil {
				return 0, bad
			}
		}
		total += d
	}
	if total <= 0 {
		return 0, fmt.Errorf("--since %q: must be more than zero", s)
	}
	return total, nil
}

// ParseTime parses an RFC 3339 time, a time without zone (UTC), or a date
// (YYYY-MM-DD, midnight UTC; dateOnly is then true).
func ParseTime(s string) (t time.Time, dateOnly bool, err error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02T15:04", "2006-01-02 15:04"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), false, nil
		}
	}
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t, true, nil
	}
	return time.Time{}, false, fmt.Errorf("%q is not a time: use RFC 3339 (2024-03-01T12:00:00Z) or a date (2024-03-01)", s)
}
