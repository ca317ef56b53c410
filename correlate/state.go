package correlate

import (
	"container/list"
	"slices"
	"strings"
	"time"

	"panther/engine"
)

// rec is one rule match held for a correlation rule.
type rec struct {
	step    int // index of the step or group
	t       time.Time
	seq     uint64 // arrival order: ties in time are broken by it
	ruleID  string
	rowID   string
	logType string
	title   string
	dedup   string
	ctx     []byte
	in, out []string // key strings: incoming / outgoing transition (sequence), key (group)
	val     string   // the distinct field's value (Sigma value_count)
	fresh   bool
	src     string // the match's source (p_source_file)
}

// before orders recs by time, then arrival.
func (r *rec) before(o *rec) bool {
	if !r.t.Equal(o.t) {
		return r.t.Before(o.t)
	}
	return r.seq < o.seq
}

type entryKey struct {
	step int
	out  bool
	key  string
}

// entry is the matches of one step under one key, sorted by time.
type entry struct {
	k    entryKey
	recs []*rec
	elem *list.Element
}

// ruleState is what one correlation rule holds.
type ruleState struct {
	d     *engine.Detection
	c     *engine.Correlation
	steps []engine.CorrelationStep
	// inRefs are, per step, the fields of its incoming key (the To side of
	// the transition into it; a group's MatchCriteria fields); outRefs the
	// From side of the transition out of it.
	inRefs  [][]engine.FieldRef
	outRefs [][]engine.FieldRef
	// byRule maps a rule ID to the steps that take its matches.
	byRule   map[string][]int
	distinct *engine.FieldRef
	// perKey is the cap on matches a key holds: the engine's, or more for
	// a step that counts more.
	perKey int

	entries map[entryKey]*entry
	lru     *list.List // of *entry, most recently touched at the front
	pending pendingHeap

	stats RuleStats
}

// RuleStats are the counters of one correlation rule.
type RuleStats struct {
	Matches      int64 // rule matches taken
	Firings      int64 // complete chains
	OpenKeys     int   // keys held now
	PeakKeys     int   // most keys held at once
	Held         int   // matches held now
	DroppedKeys  int64 // keys dropped by the LRU cap
	DroppedMatch int64 // matches dropped by the per-key cap
	Pending      int   // absences waiting for their window to close
	Errors       int64 // errors of the rule's Lua functions
}

func (rs *ruleState) touch(k entryKey, now *Engine) *entry {
	if en, ok := rs.entries[k]; ok {
		rs.lru.MoveToFront(en.elem)
		return en
	}
	en := &entry{k: k}
	en.elem = rs.lru.PushFront(en)
	rs.entries[k] = en
	if len(rs.entries) > now.opts.MaxKeys {
		old := rs.lru.Back().Value.(*entry)
		rs.drop(old)
		rs.stats.DroppedKeys++
	}
	rs.stats.OpenKeys = len(rs.entries)
	rs.stats.PeakKeys = max(rs.stats.PeakKeys, rs.stats.OpenKeys)
	return en
}

func (rs *ruleState) drop(en *entry) {
	rs.lru.Remove(en.elem)
	delete(rs.entries, en.k)
	rs.stats.Held -= len(en.recs)
	rs.stats.OpenKeys = len(rs.entries)
}

// insert adds r to an entry, in time order, within the per-key cap.
func (rs *ruleState) insert(en *entry, r *rec, maxPer int) {
	i := len(en.recs)
	for i > 0 && r.before(en.recs[i-1]) {
		i--
	}
	en.recs = slices.Insert(en.recs, i, r)
	rs.stats.Held++
	if len(en.recs) > maxPer {
		en.recs = slices.Delete(en.recs, 0, 1)
		rs.stats.Held--
		rs.stats.DroppedMatch++
	}
}

func (rs *ruleState) list(step int, out bool, key string) []*rec {
	if en, ok := rs.entries[entryKey{step, out, key}]; ok {
		return en.recs
	}
	return nil
}

// expire drops the matches older than horizon, and keys left empty.
func (rs *ruleState) expire(horizon time.Time) {
	for el := rs.lru.Back(); el != nil; {
		prev := el.Prev()
		en := el.Value.(*entry)
		n := 0
		for n < len(en.recs) && en.recs[n].t.Before(horizon) {
			n++
		}
		if n > 0 {
			en.recs = slices.Delete(en.recs, 0, n)
			rs.stats.Held -= n
		}
		if len(en.recs) == 0 {
			rs.drop(en)
		}
		el = prev
	}
}

// keys computes the key strings of a match for a list of field pairs'
// sides: each field's values, every combination (capped), joined.
func keys(refs []engine.FieldRef, in *Input, scratch []string) []string {
	if len(refs) == 0 {
		return []string{""}
	}
	combos := []string{""}
	for i, f := range refs {
		vals := f.Values(scratch[:0], in.Event, in.AlertContext)
		if len(vals) == 0 {
			return nil // the match has no key for this side
		}
		slices.Sort(vals)
		vals = slices.Compact(vals)
		var next []string
		for _, c := range combos {
			for _, v := range vals {
				if len(next) >= maxCombos {
					break
				}
				if i > 0 {
					next = append(next, c+"\x1f"+v)
				} else {
					next = append(next, v)
				}
			}
		}
		combos = next
	}
	return combos
}

// maxCombos bounds the keys one match may have (list fields multiply).
const maxCombos = 16

// showKey is a key as people read it.
func showKey(k string) string { return strings.ReplaceAll(k, "\x1f", ", ") }
