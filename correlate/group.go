package correlate

import (
	"slices"
	"time"
)

// A Group fires when, for one key (the values of its MatchCriteria
// fields), every group that is not an Absence has MinMatchCount matches
// (distinct values of the distinct field, for a Sigma value_count) within
// one LookbackWindowMinutes, in any order. With Absence groups it waits
// until the window after the first match has closed, and fires if none of
// them matched the key within a window either side of it.

// addGroup looks for a complete group through r, a match of step (held
// already).
func (e *Engine) addGroup(rs *ruleState, step int, r *rec) {
	if rs.steps[step].Absence {
		return
	}
	w := rs.c.Lookback
	waits := false
	for _, s := range rs.steps {
		waits = waits || s.Absence || s.MaxMatchCount > 0
	}
	for _, k := range r.in {
		if !waits && rs.quiet(k, r.t) {
			rs.stats.Refires++
			continue // fired for this key within a window: no search
		}
		if !e.mayComplete(rs, k, r.t.Add(-w), r.t.Add(w)) {
			continue // some group falls short even over both windows: no search
		}
		// Candidate windows [s, s+w] holding r: s from the present groups'
		// matches in [r.t-w, r.t], earliest first.
		starts := e.starts[:0]
		for i, s := range rs.steps {
			if s.Absence {
				continue
			}
			for _, x := range within(rs.list(i, false, k), r.t.Add(-w), r.t) {
				starts = append(starts, x.t)
			}
		}
		sortTimes(starts)
		e.starts = starts
		for _, s := range starts {
			chain, ok := e.groupWindow(rs, k, s, s.Add(w))
			if !ok {
				continue
			}
			if waits {
				e.schedule(rs, &pending{deadline: s.Add(w), from: s.Add(-w), key: k, chain: chain})
			} else {
				e.fire(rs, chain, k)
			}
			return
		}
	}
}

// groupWindow collects, for key k, MinMatchCount matches of every present
// group within [from, to]; false when one falls short.
func (e *Engine) groupWindow(rs *ruleState, k string, from, to time.Time) ([]link, bool) {
	var chain []link
	for i, s := range rs.steps {
		if s.Absence {
			continue
		}
		n := 0
		var seen map[string]bool
		if rs.distinct != nil {
			seen = map[string]bool{}
		}
		for _, x := range within(rs.list(i, false, k), from, to) {
			if seen != nil {
				if seen[x.val] {
					continue
				}
				seen[x.val] = true
			}
			chain = append(chain, link{s.ID, x})
			n++
			if n >= s.MinMatchCount {
				break
			}
		}
		if n < s.MinMatchCount {
			return nil, false
		}
	}
	return chain, true
}

func sortTimes(ts []time.Time) {
	slices.SortFunc(ts, func(a, b time.Time) int { return a.Compare(b) })
}

// mayComplete is a quick bound: whether every present group has
// MinMatchCount matches (distinct values) of key k within [from, to] at
// all. When one does not, no window inside can complete, and the search
// (a window per candidate start) is skipped: most arrivals of a busy rule
// are in that case.
func (e *Engine) mayComplete(rs *ruleState, k string, from, to time.Time) bool {
	for i, s := range rs.steps {
		if s.Absence {
			continue
		}
		l := within(rs.list(i, false, k), from, to)
		if len(l) < s.MinMatchCount {
			return false
		}
		if rs.distinct == nil {
			continue // every match counts
		}
		n := 0
		if e.seen == nil {
			e.seen = map[string]struct{}{}
		}
		seen := e.seen
		clear(seen)
		for _, x := range l {
			if _, dup := seen[x.val]; dup {
				continue
			}
			seen[x.val] = struct{}{}
			if n++; n >= s.MinMatchCount {
				break
			}
		}
		if n < s.MinMatchCount {
			return false
		}
	}
	return true
}
