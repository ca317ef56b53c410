package correlate

import (
	"slices"
	"sort"
	"time"
)

// A Sequence's steps are linked by transitions: step i's outgoing key (the
// From fields of transition i) must equal step i+1's incoming key (its To
// fields), and step i+1 must happen within the transition's
// WithinTimeFrameMinutes after step i, not before it. A step with
// MinMatchCount n happens when n of its matches share its keys; the
// transition into it is timed to the first of them, the one out of it from
// the last. The whole chain fits in LookbackWindowMinutes. A last step with
// Absence (or MaxMatchCount) is decided when the window of the transition
// into it has closed.

// occ is one occurrence of a step: the matches that make it.
type occ struct {
	recs        []*rec
	first, last time.Time
}

// addSequence looks for a chain through r, a match of step (held already).
func (e *Engine) addSequence(rs *ruleState, step int, r *rec) {
	n := len(rs.steps)
	absent := rs.c.IsAbsenceLast()
	if absent && step == n-1 {
		return // decided when a pending window closes
	}
	end := n - 1
	if absent {
		end = n - 2
	}
	for _, o := range e.occurrences(rs, step, r) {
		var back []link
		if step > 0 {
			var ok bool
			back, ok = e.backward(rs, step-1, o.recs[0].in, o.first)
			if !ok {
				continue
			}
		}
		var fwd []link
		var lastOut []string
		lastT := o.last
		if step < end {
			var ok bool
			fwd, lastOut, lastT, ok = e.forward(rs, step+1, end, o.recs[len(o.recs)-1].out, o.last)
			if !ok {
				continue
			}
		} else {
			lastOut = o.recs[len(o.recs)-1].out
		}
		chain := append(back, stepLinks(rs, step, o.recs)...)
		chain = append(chain, fwd...)
		start := chain[0].r.t
		for _, l := range chain {
			if l.r.t.Before(start) {
				start = l.r.t
			}
		}
		if lastT.Sub(start) > rs.c.Lookback {
			continue
		}
		if absent {
			w := rs.c.Transitions[n-2].Within
			for _, k := range lastOut {
				e.schedule(rs, &pending{deadline: lastT.Add(w), from: lastT, key: k, chain: chain})
			}
			return
		}
		e.fire(rs, chain, chainKey(chain))
		return
	}
}

func stepLinks(rs *ruleState, step int, recs []*rec) []link {
	out := make([]link, len(recs))
	for i, r := range recs {
		out[i] = link{rs.steps[step].ID, r}
	}
	return out
}

// chainKey is the key an alert of the chain shows: the distinct keys of
// its matches, in order.
func chainKey(chain []link) string {
	var ks []string
	for _, l := range chain {
		for _, k := range [][]string{l.r.in, l.r.out} {
			if len(k) > 0 && k[0] != "" && (len(ks) == 0 || ks[len(ks)-1] != k[0]) && !contains(ks, k[0]) {
				ks = append(ks, k[0])
			}
		}
	}
	out := ""
	for i, k := range ks {
		if i > 0 {
			out += " / "
		}
		out += k
	}
	return out
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// occurrences are the ways r can make its step happen: r alone, or r
// among MinMatchCount matches with the same keys within the lookback.
func (e *Engine) occurrences(rs *ruleState, step int, r *rec) []occ {
	min := rs.steps[step].MinMatchCount
	if min <= 1 {
		// r alone: in scratch, as most arrivals make no chain (a chain
		// copies what it keeps).
		e.one[0] = r
		e.occ[0] = occ{recs: e.one[:], first: r.t, last: r.t}
		return e.occ[:]
	}
	var src []*rec
	if step < len(rs.steps)-1 {
		src = rs.list(step, true, r.out[0])
	} else {
		src = rs.list(step, false, r.in[0])
	}
	// An occurrence through r spans at most a lookback: only the matches
	// within one either side of it, and of those only the min-1 nearest
	// with its keys on each side, can be in one. (Scanning the whole key
	// for every arrival cost most of a dense replay's correlation time.)
	L := rs.c.Lookback
	src = within(src, r.t.Add(-L), r.t.Add(L))
	pos := -1
	for i := sort.Search(len(src), func(i int) bool { return !src[i].t.Before(r.t) }); i < len(src) && src[i].t.Equal(r.t); i++ {
		if src[i] == r {
			pos = i
			break
		}
	}
	if pos < 0 {
		return nil
	}
	same := e.same[:0]
	for i := pos - 1; i >= 0 && len(same) < min-1; i-- {
		if sameKeys(src[i], r) {
			same = append(same, src[i])
		}
	}
	slices.Reverse(same)
	idx := len(same)
	same = append(same, r)
	for i, n := pos+1, 0; i < len(src) && n < min-1; i++ {
		if sameKeys(src[i], r) {
			same = append(same, src[i])
			n++
		}
	}
	e.same = same
	var out []occ
	for s := max(0, idx-min+1); s <= idx && s+min <= len(same); s++ {
		w := same[s : s+min]
		if w[len(w)-1].t.Sub(w[0].t) > rs.c.Lookback {
			continue
		}
		out = append(out, occ{recs: w, first: w[0].t, last: w[len(w)-1].t})
	}
	// The latest occurrence first: it leaves the most time for what follows.
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out
}

func sameKeys(a, b *rec) bool {
	return eqFirst(a.in, b.in) && eqFirst(a.out, b.out)
}

func eqFirst(a, b []string) bool {
	if len(a) == 0 || len(b) == 0 {
		return len(a) == len(b)
	}
	return a[0] == b[0]
}

// backward finds the chain of steps 0..i ending at step i with an
// outgoing key in needs, no later than before and within the transition
// i → i+1's time frame. It prefers the latest candidates.
func (e *Engine) backward(rs *ruleState, i int, needs []string, before time.Time) ([]link, bool) {
	w := rs.c.Transitions[i].Within
	min := rs.steps[i].MinMatchCount
	for _, k := range needs {
		l := rs.list(i, true, k)
		// The candidates no later than before, the latest first.
		for j := sort.Search(len(l), func(j int) bool { return l[j].t.After(before) }) - 1; j >= 0; j-- {
			c := l[j]
			if before.Sub(c.t) > w {
				break
			}
			recs := []*rec{c}
			if min > 1 {
				recs = nil
				for x := j; x >= 0 && len(recs) < min; x-- {
					if sameKeys(l[x], c) && c.t.Sub(l[x].t) <= rs.c.Lookback {
						recs = append([]*rec{l[x]}, recs...)
					}
				}
				if len(recs) < min {
					continue
				}
			}
			if i == 0 {
				return stepLinks(rs, i, recs), true
			}
			if prev, ok := e.backward(rs, i-1, recs[0].in, recs[0].t); ok {
				return append(prev, stepLinks(rs, i, recs)...), true
			}
		}
	}
	return nil, false
}

// forward finds the chain of steps i..end starting at step i with an
// incoming key in needs, not before after and within the time frame of
// the transition i-1 → i. It prefers the earliest candidates. It returns
// the chain, the outgoing keys and the time of its last step.
func (e *Engine) forward(rs *ruleState, i, end int, needs []string, after time.Time) ([]link, []string, time.Time, bool) {
	w := rs.c.Transitions[i-1].Within
	min := rs.steps[i].MinMatchCount
	for _, k := range needs {
		l := rs.list(i, false, k)
		// The candidates not before after, the earliest first.
		for j := sort.Search(len(l), func(j int) bool { return !l[j].t.Before(after) }); j < len(l); j++ {
			c := l[j]
			if c.t.Sub(after) > w {
				break
			}
			recs := []*rec{c}
			if min > 1 {
				recs = nil
				for x := j; x < len(l) && len(recs) < min; x++ {
					if sameKeys(l[x], c) && l[x].t.Sub(c.t) <= rs.c.Lookback {
						recs = append(recs, l[x])
					}
				}
				if len(recs) < min {
					continue
				}
			}
			last := recs[len(recs)-1]
			if i == end {
				return stepLinks(rs, i, recs), last.out, last.t, true
			}
			if next, out, t, ok := e.forward(rs, i+1, end, last.out, last.t); ok {
				return append(stepLinks(rs, i, recs), next...), out, t, true
			}
		}
	}
	return nil, nil, time.Time{}, false
}
