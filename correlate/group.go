package correlate

import (
	"time"
)

// A Group fires when, for one key (the values of its MatchCriteria
// fields), every group that is not an Absence has MinMatchCount matches
// (distinct values of the distinct field, for a Sigma value_count) within
// one LookbackWindowMinutes, in any order. With Absence groups it waits
// until the window after the first match has closed, and fires if none of
// them matched the key within a window either side of it.

// addGroup holds r and looks for a complete group through it.
func (e *Engine) addGroup(rs *ruleState, r *rec) {
	e.hold(rs, r)
	if rs.steps[r.step].Absence {
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
		// Candidate windows [s, s+w] holding r: s from the present groups'
		// matches in [r.t-w, r.t], earliest first.
		var starts []time.Time
		for i, s := range rs.steps {
			if s.Absence {
				continue
			}
			for _, x := range rs.list(i, false, k) {
				if !x.t.After(r.t) && r.t.Sub(x.t) <= w {
					starts = append(starts, x.t)
				}
			}
		}
		sortTimes(starts)
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
		for _, x := range rs.list(i, false, k) {
			if x.t.Before(from) || x.t.After(to) {
				continue
			}
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
	for i := 1; i < len(ts); i++ {
		for j := i; j > 0 && ts[j].Before(ts[j-1]); j-- {
			ts[j], ts[j-1] = ts[j-1], ts[j]
		}
	}
}
