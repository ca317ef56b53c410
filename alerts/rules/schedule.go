package rules

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Schedule is a named set of recurring windows in one time zone.
type Schedule struct {
	Name    string
	Loc     *time.Location
	Windows []Window
	File    string
	Line    int
}

// Window is a recurring interval: on each of Days (empty: every day), from
// From to To, in minutes after local midnight. When To is not after From
// the window wraps past midnight and ends on the next day (From == To: a
// whole day). Days are the days a window starts on.
type Window struct {
	Days     []time.Weekday
	From, To int
}

// maxChain bounds how many adjacent windows Active follows to find where
// a run of windows ends.
const maxChain = 32

// Active reports whether t is inside one of the windows and, if so, when
// the run of windows holding t ends (adjacent or overlapping windows
// count as one).
func (s *Schedule) Active(t time.Time) (bool, time.Time) {
	end, ok := s.activeEnd(t)
	if !ok {
		return false, time.Time{}
	}
	for i := 0; i < maxChain; i++ {
		next, ok := s.activeEnd(end)
		if !ok || !next.After(end) {
			break
		}
		end = next
	}
	return true, end
}

// activeEnd returns the latest end of the windows active at t.
func (s *Schedule) activeEnd(t time.Time) (time.Time, bool) {
	lt := t.In(s.Loc)
	y, mo, d := lt.Date()
	today := time.Date(y, mo, d, 0, 0, 0, 0, s.Loc)
	yesterday := time.Date(y, mo, d-1, 0, 0, 0, 0, s.Loc)
	var best time.Time
	found := false
	for _, w := range s.Windows {
		// A window starting today, and one that started yesterday and
		// wraps past midnight.
		for _, day := range []time.Time{yesterday, today} {
			if len(w.Days) > 0 && !slices.Contains(w.Days, day.Weekday()) {
				continue
			}
			dy, dm, dd := day.Date()
			start := time.Date(dy, dm, dd, w.From/60, w.From%60, 0, 0, s.Loc)
			endDay := dd
			if w.To <= w.From {
				endDay++
			}
			end := time.Date(dy, dm, endDay, w.To/60, w.To%60, 0, 0, s.Loc)
			if !t.Before(start) && t.Before(end) {
				if !found || end.After(best) {
					best = end
				}
				found = true
			}
		}
	}
	return best, found
}

var dayNames = map[string]time.Weekday{
	"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday,
}

// parseDays reads day names (Mon, monday, ...) and ranges (Mon-Fri, Fri-Mon).
func parseDays(list []string) ([]time.Weekday, error) {
	var out []time.Weekday
	day := func(s string) (time.Weekday, error) {
		k := strings.ToLower(strings.TrimSpace(s))
		if len(k) >= 3 {
			if d, ok := dayNames[k[:3]]; ok && (len(k) == 3 || strings.HasPrefix(strings.ToLower(d.String()), k)) {
				return d, nil
			}
		}
		return 0, fmt.Errorf("%q is not a day (Mon, Tue, ... or Monday, ...)", s)
	}
	for _, item := range list {
		switch strings.ToLower(strings.TrimSpace(item)) {
		case "daily", "every day":
			return nil, nil
		case "weekdays":
			out = append(out, time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday)
			continue
		case "weekend", "weekends":
			out = append(out, time.Saturday, time.Sunday)
			continue
		}
		a, b, isRange := strings.Cut(item, "-")
		first, err := day(a)
		if err != nil {
			return nil, err
		}
		if !isRange {
			out = append(out, first)
			continue
		}
		last, err := day(b)
		if err != nil {
			return nil, err
		}
		for d := first; ; d = (d + 1) % 7 {
			out = append(out, d)
			if d == last {
				break
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// parseClock reads HH:MM (00:00 to 24:00).
func parseClock(s string) (int, error) {
	h, m, ok := strings.Cut(strings.TrimSpace(s), ":")
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if !ok || err1 != nil || err2 != nil || len(m) != 2 || hh < 0 || mm < 0 || mm > 59 || hh > 24 || (hh == 24 && mm != 0) {
		return 0, fmt.Errorf("%q is not a time of day: write HH:MM, like 22:30", s)
	}
	return hh*60 + mm, nil
}
