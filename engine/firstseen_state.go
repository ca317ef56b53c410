package engine

import (
	"container/list"
	"strings"
	"time"

	"panther/parsers/event"
)

// FirstSeenOptions bound the history of each FirstSeen rule; zero values
// are the defaults.
type FirstSeenOptions struct {
	MaxKeys         int // keys (By values) a rule keeps, least recently touched dropped first (default 10,000)
	MaxValuesPerKey int // values a key keeps, least recently seen dropped first (default 1,000)
	MaxValues       int // values a rule keeps in all (default 200,000)
	// NoLearning turns the learning period off (a unit test's History is
	// all the history there is).
	NoLearning bool
}

// FirstSeenStats are the counters of one FirstSeen rule.
type FirstSeenStats struct {
	New      int64 // matches whose value was new: they pass
	Seen     int64 // matches suppressed: the value was seen for the key
	Learning int64 // matches suppressed: recorded while the stream learns
	Missing  int64 // matches suppressed: a field of Fields had no value
	Keys     int   // keys held
	Values   int   // values held
	// DroppedKeys and DroppedValues count what the caps removed (a
	// dropped value is new again when it comes back).
	DroppedKeys   int64
	DroppedValues int64
	// StateBytes estimates the memory held.
	StateBytes int64
}

// fsValBytes estimates a value's memory besides its text: its list node
// and its map entry.
const fsValBytes = 96

// maxFirstSeenTerms bounds the combinations one event records (Fields
// with lists give each combination of their values).
const maxFirstSeenTerms = 64

// FirstSeenState applies the FirstSeen option of rules to their matches,
// in the order it is fed: the ordered sink of replay and of serve's
// pipeline. Not safe for concurrent use.
//
// A match passes when one of its values (Fields joined; each combination
// when a field is a list) was not among the values recorded for its key
// (By joined) within HistoryMinutes of event time, the match's own event
// excluded: the values are recorded after the check. A match of an event
// within LearnMinutes of the start of the stream (the earliest event time
// Observe saw) only records. A suppressed match is turned into a
// non-match (Matched false): it feeds no alert, no rule_matches row and no
// correlation.
type FirstSeenState struct {
	opts  FirstSeenOptions
	start time.Time
	rules map[string]*fsRule // by rule ID
	terms []string
	vals  []string
	key   strings.Builder
}

type fsRule struct {
	sig    string
	keys   map[string]*list.Element // of *fsKey
	lru    *list.List               // front: most recently touched
	values int
	bytes  int64
	stats  FirstSeenStats
}

type fsKey struct {
	key  string
	seen map[string]*fsVal
	// A list of the values, the most recently seen first: the cap drops
	// from its tail in constant time (a key of high cardinality — every
	// call from another address — drops a value at each new one).
	head, tail *fsVal
}

type fsVal struct {
	v          string
	last       int64 // latest event time seen, Unix ns
	prev, next *fsVal
}

func (k *fsKey) unlink(x *fsVal) {
	if x.prev != nil {
		x.prev.next = x.next
	} else {
		k.head = x.next
	}
	if x.next != nil {
		x.next.prev = x.prev
	} else {
		k.tail = x.prev
	}
	x.prev, x.next = nil, nil
}

func (k *fsKey) pushFront(x *fsVal) {
	x.next = k.head
	if k.head != nil {
		k.head.prev = x
	}
	k.head = x
	if k.tail == nil {
		k.tail = x
	}
}

// NewFirstSeenState returns an empty history.
func NewFirstSeenState(o FirstSeenOptions) *FirstSeenState {
	if o.MaxKeys <= 0 {
		o.MaxKeys = 10_000
	}
	if o.MaxValuesPerKey <= 0 {
		o.MaxValuesPerKey = 1_000
	}
	if o.MaxValues <= 0 {
		o.MaxValues = 200_000
	}
	return &FirstSeenState{opts: o, rules: map[string]*fsRule{}}
}

// Observe notes an event of the stream (every event, matched or not): the
// learning period runs from the earliest event time seen.
func (s *FirstSeenState) Observe(t time.Time) {
	if s.start.IsZero() || t.Before(s.start) {
		s.start = t
	}
}

// Filter applies the detection's FirstSeen to a match of event e: when
// the match is not new it clears m.Matched and returns false. Matches of
// detections without the option, and non-matches, are left alone.
func (s *FirstSeenState) Filter(m *Match, e *event.Event) bool {
	fr := m.Detection.firstSeen
	if fr == nil || !m.Matched || m.Err != nil {
		return m.Matched
	}
	s.Observe(e.Time)
	r := s.rules[m.Detection.ID]
	if r == nil || r.sig != fr.sig {
		// New, or its definition changed (serve's activation): a new history.
		r = &fsRule{sig: fr.sig, keys: map[string]*list.Element{}, lru: list.New()}
		s.rules[m.Detection.ID] = r
	}
	s.terms = s.appendTerms(s.terms[:0], fr, m, e)
	if len(s.terms) == 0 {
		r.stats.Missing++
		m.Matched = false
		return false
	}
	k := s.touch(r, s.keyOf(fr, m, e))
	t := e.Time.UnixNano()
	horizon := t - int64(fr.history)
	isNew := false
	for _, v := range s.terms {
		if x, ok := k.seen[v]; !ok || x.last < horizon {
			isNew = true
		}
	}
	for _, v := range s.terms {
		x, ok := k.seen[v]
		if !ok {
			s.record(r, k, v, t)
			continue
		}
		x.last = max(x.last, t)
		if k.head != x {
			k.unlink(x)
			k.pushFront(x)
		}
	}
	s.bound(r, k, horizon)
	switch {
	case !isNew:
		r.stats.Seen++
	case !s.opts.NoLearning && e.Time.Before(s.start.Add(fr.learn)):
		r.stats.Learning++
		isNew = false
	default:
		r.stats.New++
	}
	if !isNew {
		m.Matched = false
	}
	return isNew
}

// appendTerms appends the values of the match: one field's values, or
// every combination of several fields' values joined with "|" (none when
// a field has no value).
func (s *FirstSeenState) appendTerms(dst []string, fr *firstSeenRule, m *Match, e *event.Event) []string {
	dst = append(dst, "")
	for i, f := range fr.fields {
		s.vals = f.Values(s.vals[:0], e, m.AlertContext)
		if len(s.vals) == 0 {
			return dst[:0]
		}
		n := len(dst)
		for _, prefix := range dst[:n] {
			for _, v := range s.vals {
				if len(dst)-n >= maxFirstSeenTerms {
					break
				}
				if i > 0 {
					v = prefix + "|" + v
				}
				dst = append(dst, v)
			}
		}
		dst = append(dst[:0], dst[n:]...)
	}
	return dst
}

// keyOf is the By values joined (a list field's values with ",").
func (s *FirstSeenState) keyOf(fr *firstSeenRule, m *Match, e *event.Event) string {
	if len(fr.by) == 0 {
		return ""
	}
	s.key.Reset()
	for i, f := range fr.by {
		if i > 0 {
			s.key.WriteByte('|')
		}
		s.vals = f.Values(s.vals[:0], e, m.AlertContext)
		s.key.WriteString(strings.Join(s.vals, ","))
	}
	return s.key.String()
}

// touch returns the key's history, made the most recently touched; a new
// key past the cap drops the least recently touched one.
func (s *FirstSeenState) touch(r *fsRule, key string) *fsKey {
	if el, ok := r.keys[key]; ok {
		r.lru.MoveToFront(el)
		return el.Value.(*fsKey)
	}
	k := &fsKey{key: key, seen: map[string]*fsVal{}}
	r.keys[key] = r.lru.PushFront(k)
	r.bytes += int64(len(key)) + 96
	for len(r.keys) > s.opts.MaxKeys {
		s.dropKey(r)
	}
	return k
}

func (s *FirstSeenState) record(r *fsRule, k *fsKey, v string, t int64) {
	x := &fsVal{v: v, last: t}
	k.seen[v] = x
	k.pushFront(x)
	r.values++
	r.bytes += int64(len(v)) + fsValBytes
}

// bound applies the caps on values after k took new ones.
func (s *FirstSeenState) bound(r *fsRule, k *fsKey, horizon int64) {
	for len(k.seen) > s.opts.MaxValuesPerKey {
		// Drop the least recently seen value (expired ones are the oldest).
		x := k.tail
		k.unlink(x)
		delete(k.seen, x.v)
		r.values--
		r.bytes -= int64(len(x.v)) + fsValBytes
		if x.last >= horizon { // an expired value goes uncounted
			r.stats.DroppedValues++
		}
	}
	for r.values > s.opts.MaxValues && r.lru.Len() > 1 {
		s.dropKey(r)
	}
}

// dropKey drops the least recently touched key and its values.
func (s *FirstSeenState) dropKey(r *fsRule) {
	el := r.lru.Back()
	k := el.Value.(*fsKey)
	r.lru.Remove(el)
	delete(r.keys, k.key)
	r.values -= len(k.seen)
	r.bytes -= int64(len(k.key)) + 96
	for v := range k.seen {
		r.bytes -= int64(len(v)) + fsValBytes
	}
	r.stats.DroppedKeys++
	r.stats.DroppedValues += int64(len(k.seen))
}

// Stats returns the counters of each FirstSeen rule that saw a match.
func (s *FirstSeenState) Stats() map[string]FirstSeenStats {
	out := make(map[string]FirstSeenStats, len(s.rules))
	for id, r := range s.rules {
		st := r.stats
		st.Keys, st.Values, st.StateBytes = len(r.keys), r.values, r.bytes
		out[id] = st
	}
	return out
}

// Totals sums Stats.
func (s *FirstSeenState) Totals() FirstSeenStats {
	var t FirstSeenStats
	for _, st := range s.Stats() {
		t.New += st.New
		t.Seen += st.Seen
		t.Learning += st.Learning
		t.Missing += st.Missing
		t.Keys += st.Keys
		t.Values += st.Values
		t.DroppedKeys += st.DroppedKeys
		t.DroppedValues += st.DroppedValues
		t.StateBytes += st.StateBytes
	}
	return t
}

// NeedsFirstSeen reports whether any of the detections has FirstSeen.
func NeedsFirstSeen(ds []*Detection) bool {
	for _, d := range ds {
		if d.firstSeen != nil {
			return true
		}
	}
	return false
}
