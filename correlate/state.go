package correlate

import (
	"slices"
	"sort"
	"strings"
	"time"

	"panther/engine"
)

// rec is one rule match held in a pool (below), under its keys, for the
// steps of every rule that take it. What the match says is shared by
// every pool taking it (one allocation a match, not one a rule).
//
// A held match is few objects, as the collector marks every held match
// at every collection (BenchmarkHeldHeap: 2.4 objects and 417 bytes of
// heap a match, where a struct of strings was 9.6 and 492): its texts are
// one string (matchData.data), its first rec and its matchData are one
// allocation (firstRec), and a match's one key (the common case) is held
// in the rec's own array as the string its entry is filed under.
type rec struct {
	t   time.Time
	seq uint64 // arrival order: ties in time are broken by it
	*matchData
	in, out []string // key strings: incoming / outgoing transition (sequence), key (group)
	val     string   // the distinct field's value (Sigma value_count)
	size    int32    // recBytes, once computed (0: not yet)
	// in1 and out1 hold in and out when they are one key.
	in1, out1 [1]string
}

// matchData is one rule match as the correlations keep it.
type matchData struct {
	ruleID  string // the rule's (shared by its matches)
	logType string // the log type's (shared)
	src     string // the match's source (p_source_file; shared by the source's matches)
	title   string // shared by the rule's matches while it does not change (input.titleOf)
	// data is the row ID, the dedup string and the alert context, in
	// one string: one object, with no pointers for the collector to
	// follow. rowEnd and dedupEnd are where the first two end.
	data             string
	rowEnd, dedupEnd uint32
	fresh            bool
}

// fill makes m in as the correlations keep it, with title (in.Title, or
// an equal string shared with the rule's earlier matches).
func (m *matchData) fill(in *Input, title string) {
	var b strings.Builder
	b.Grow(len(in.RowID) + len(in.Dedup) + len(in.AlertContext))
	b.WriteString(in.RowID)
	b.WriteString(in.Dedup)
	b.Write(in.AlertContext)
	*m = matchData{ruleID: in.RuleID, logType: in.LogType, src: in.Source, title: title, data: b.String(),
		rowEnd: uint32(len(in.RowID)), dedupEnd: uint32(len(in.RowID) + len(in.Dedup)), fresh: in.Fresh}
	if m.src == "" && in.Event != nil {
		m.src = in.Event.SourceFile
	}
}

// firstRec is a match's first rec and its matchData, allocated together
// (pool.take): one heap object a held match fewer for the collector to
// visit at every collection (BenchmarkHeldHeap: 2.4 objects a held match,
// not 3.6). Other pools' recs of the match point into it, which keeps it
// whole while any of them is held. (Its data inline as well, in a few
// fixed sizes, made 1.2 objects but 513 bytes a match, not 417, and
// collections no faster: not kept.)
type firstRec struct {
	rec
	md matchData
}

func (m *matchData) rowID() string { return m.data[:m.rowEnd] }
func (m *matchData) dedup() string { return m.data[m.rowEnd:m.dedupEnd] }

// ctx is the alert context, JSON ("": none).
func (m *matchData) ctx() string { return m.data[m.dedupEnd:] }

// keep is keys as a rec holds them: one key (the common case) in arr,
// the rec's own array, so the rec needs no slice of its own.
func keep(arr *[1]string, keys []string) []string {
	if len(keys) != 1 {
		return keys
	}
	arr[0] = keys[0]
	return arr[:1:1]
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

// entry is the matches of one step under one key, sorted by time. They
// are buf[head:]: in-order arrivals append, and the oldest leave by
// moving head (the per-key cap, expiry), so neither moves the others;
// the live part is moved down only when an append would grow buf.
type entry struct {
	k     entryKey
	buf   []*rec
	head  int
	bytes int64 // the recBytes of its live matches
	// prev and next link the entries in their rule's LRU ring
	// (ruleState.lru, the sentinel): nil once the entry is dropped.
	prev, next *entry
	ver        uint32 // the version of its current item in ruleState.ages
}

// newLRU is an empty LRU ring: its sentinel.
func newLRU() *entry {
	s := &entry{}
	s.prev, s.next = s, s
	return s
}

// lruFront moves en (linked or not) to the front of the ring.
func (p *pool) lruFront(en *entry) {
	s := p.lru
	if s.next == en {
		return
	}
	if en.next != nil {
		en.prev.next, en.next.prev = en.next, en.prev
	}
	en.prev, en.next = s, s.next
	s.next.prev = en
	s.next = en
}

// lruBack is the least recently touched entry (nil: none).
func (p *pool) lruBack() *entry {
	if p.lru.prev == p.lru {
		return nil
	}
	return p.lru.prev
}

// recs are the matches held, oldest first.
func (en *entry) recs() []*rec { return en.buf[en.head:] }

// add inserts r at i of the live part.
func (en *entry) add(i int, r *rec) {
	live := len(en.buf) - en.head
	if len(en.buf) == cap(en.buf) && en.head > 0 && en.head >= live/2 {
		// Room at the front: move the live part down rather than grow.
		n := copy(en.buf, en.buf[en.head:])
		clear(en.buf[n:])
		en.buf, en.head = en.buf[:n], 0
	}
	if i == live {
		en.buf = append(en.buf, r)
		return
	}
	en.buf = slices.Insert(en.buf, en.head+i, r)
}

// trim drops the n oldest matches.
func (en *entry) trim(n int) {
	for _, r := range en.buf[en.head : en.head+n] {
		en.bytes -= r.bytes()
	}
	clear(en.buf[en.head : en.head+n])
	en.head += n
	if en.head == len(en.buf) {
		en.buf, en.head = en.buf[:0], 0
	}
}

// ages orders the entries by their oldest match, for expiry: a min-heap
// of items (a time, an entry, the entry's version when pushed). It is
// lazy, so that keeping it costs little: an item's time is at most its
// entry's oldest match (an entry whose oldest match left keeps its item;
// one that gets an older match gets a new item and a new version), and
// items of dropped entries or older versions are skipped when they come
// up. Expiry pops the items older than the horizon and pushes back the
// entries that keep a match; every entry holding a match older than the
// horizon has a current item no later than it, so none is missed.
type ages struct {
	items []ageItem
}

type ageItem struct {
	sec  int64 // the time, as t.Unix() and t.Nanosecond(): exact, cheap to compare
	nsec int32
	ver  uint32
	en   *entry
}

func ageOf(t time.Time) (int64, int32) { return t.Unix(), int32(t.Nanosecond()) }

func (it *ageItem) before(sec int64, nsec int32) bool {
	return it.sec < sec || it.sec == sec && it.nsec < nsec
}

func (a *ages) less(i, j int) bool { return a.items[i].before(a.items[j].sec, a.items[j].nsec) }

// push adds an item for en's oldest match.
func (a *ages) push(en *entry) {
	en.ver++
	sec, nsec := ageOf(en.buf[en.head].t)
	a.items = append(a.items, ageItem{sec, nsec, en.ver, en})
	for i := len(a.items) - 1; i > 0; {
		p := (i - 1) / 2
		if !a.less(i, p) {
			break
		}
		a.items[i], a.items[p] = a.items[p], a.items[i]
		i = p
	}
}

// pop removes the earliest item.
func (a *ages) pop() ageItem {
	top := a.items[0]
	n := len(a.items) - 1
	a.items[0] = a.items[n]
	a.items[n] = ageItem{}
	a.items = a.items[:n]
	a.down(0)
	return top
}

func (a *ages) down(i int) {
	n := len(a.items)
	for {
		l := 2*i + 1
		if l >= n {
			return
		}
		m := l
		if r := l + 1; r < n && a.less(r, l) {
			m = r
		}
		if !a.less(m, i) {
			return
		}
		a.items[i], a.items[m] = a.items[m], a.items[i]
		i = m
	}
}

// live reports whether an item is its entry's current one.
func (it *ageItem) live() bool { return it.en.ver == it.ver && it.en.next != nil }

// compact drops the stale items once they outnumber the live ones, so
// the heap stays within twice the entries.
func (a *ages) compact(entries int) {
	if len(a.items) <= 2*entries+1024 {
		return
	}
	keep := a.items[:0]
	for _, it := range a.items {
		if it.live() {
			keep = append(keep, it)
		}
	}
	clear(a.items[len(keep):])
	a.items = keep
	for i := len(keep)/2 - 1; i >= 0; i-- {
		a.down(i)
	}
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
	// pools are, per step, where its matches are held (pool.go).
	pools []*pool

	pending pendingHeap
	waiting map[pendingKey]struct{} // the pending absences, for schedule's check
	expired time.Time               // the horizon of the last forget
	// fired is, per key, the span of its firings (the time of each
	// firing's last match): a key fires at most once a lookback window
	// (see quiet).
	fired map[string]span

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
	Refires      int64 // chains completed again for a key within a lookback window of its firing: not fired
	// StateBytes estimates the memory the rule holds: its keys and the
	// matches under them (a match held under two keys counts twice, so
	// the estimate errs high). Bounded by the caps on keys and matches.
	// OpenKeys, PeakKeys, Held, DroppedKeys, DroppedMatch and StateBytes
	// count the pools the rule owns: a pool shared by several rules is
	// counted once, under the first of them (pool.go).
	StateBytes int64
	// PeakStateBytes is the most StateBytes has been.
	PeakStateBytes int64
}

// Sizes, for StateBytes: a rec (with its matchData, its place in its
// entry and the entry's slack: BenchmarkHeldHeap measures 417 bytes of
// heap a held match where this estimates 415), an entry with its map and
// list cells, a firing.
const (
	recOverhead   = 280
	entryOverhead = 160
	firedOverhead = 64
)

// entries are a pool's entries by key: a map of key strings per step
// and side (a string-keyed map is the runtime's fast case; entryKey, a
// struct, hashed field by field, cost twice as much a lookup).
type entries struct {
	m []map[string]*entry // by 2*step+side
	n int
}

func (es *entries) slot(k entryKey) int {
	i := 2 * k.step
	if k.out {
		i++
	}
	return i
}

func (es *entries) get(k entryKey) (*entry, bool) {
	if i := es.slot(k); i < len(es.m) && es.m[i] != nil {
		en, ok := es.m[i][k.key]
		return en, ok
	}
	return nil, false
}

func (es *entries) put(en *entry) {
	i := es.slot(en.k)
	for len(es.m) <= i {
		es.m = append(es.m, nil)
	}
	if es.m[i] == nil {
		es.m[i] = map[string]*entry{}
	}
	es.m[i][en.k.key] = en
	es.n++
}

func (es *entries) del(k entryKey) {
	i := es.slot(k)
	if _, ok := es.m[i][k.key]; ok {
		delete(es.m[i], k.key)
		es.n--
	}
}

// len is the number of entries.
func (es *entries) len() int { return es.n }

// bytes is recBytes(r), computed once.
func (r *rec) bytes() int64 {
	if r.size == 0 {
		r.size = int32(recBytes(r))
	}
	return int64(r.size)
}

// recBytes estimates what a held match costs (its reference included).
func recBytes(r *rec) int64 {
	n := recOverhead + len(r.data) + len(r.val)
	for _, k := range r.in {
		n += 16 + len(k)
	}
	for _, k := range r.out {
		n += 16 + len(k)
	}
	return int64(n)
}

func (p *pool) touch(k entryKey) *entry {
	if en, ok := p.entries.get(k); ok {
		p.lruFront(en)
		return en
	}
	en := &entry{k: k}
	p.lruFront(en)
	p.entries.put(en)
	p.stats.StateBytes += entryOverhead + int64(len(k.key))
	if p.entries.len() > p.maxKeys {
		p.drop(p.lruBack())
		p.stats.DroppedKeys++
	}
	p.stats.OpenKeys = p.entries.len()
	p.stats.PeakKeys = max(p.stats.PeakKeys, p.stats.OpenKeys)
	return en
}

func (p *pool) drop(en *entry) {
	en.prev.next, en.next.prev = en.next, en.prev
	en.prev, en.next = nil, nil // its items in ages are stale
	p.entries.del(en.k)
	p.stats.Held -= len(en.recs())
	p.stats.StateBytes -= entryOverhead + int64(len(en.k.key)) + en.bytes
	p.stats.OpenKeys = p.entries.len()
}

// insert adds r to an entry, in time order, within the per-key cap and
// the pool's cap on matches held (past it, the least recently touched
// keys go).
func (p *pool) insert(en *entry, r *rec, maxPer int) {
	recs := en.recs()
	i := len(recs)
	for i > 0 && r.before(recs[i-1]) {
		i--
	}
	en.add(i, r)
	// A new entry, or an older match than its oldest: a new item in ages.
	// (The oldest leaving, below, leaves the item early: it is fixed when
	// it comes up.)
	if i == 0 {
		p.ages.push(en)
		p.ages.compact(p.entries.len())
	}
	p.stats.Held++
	en.bytes += r.bytes()
	p.stats.StateBytes += r.bytes()
	p.stats.PeakStateBytes = max(p.stats.PeakStateBytes, p.stats.StateBytes)
	if len(en.buf)-en.head > maxPer {
		p.stats.StateBytes -= en.buf[en.head].bytes()
		en.trim(1)
		p.stats.Held--
		p.stats.DroppedMatch++
	}
	for p.stats.Held > p.maxHeld {
		old := p.lruBack()
		if old == en {
			break
		}
		p.drop(old)
		p.stats.DroppedKeys++
	}
}

// within is the part of l (sorted by time) in [from, to].
func within(l []*rec, from, to time.Time) []*rec {
	i := sort.Search(len(l), func(i int) bool { return !l[i].t.Before(from) })
	l = l[i:]
	return l[:sort.Search(len(l), func(i int) bool { return l[i].t.After(to) })]
}

// list is what step holds under key (out: its outgoing key).
func (rs *ruleState) list(step int, out bool, key string) []*rec {
	return rs.pools[step].list(out, key)
}

func (p *pool) list(out bool, key string) []*rec {
	if en, ok := p.entries.get(entryKey{0, out, key}); ok {
		return en.recs()
	}
	return nil
}

// quiet reports whether key fired within a lookback window of t (either
// side: inputs are not in time order). A chain that completes again then
// is the same incident, not a new firing: without this, every match
// after a count is reached (a value_count, a group with MinMatchCount)
// would fire again and run the correlation's alert logic.
// A chain that completes before the first firing (it arrived late) does
// fire, so the alert's first event is the earliest whatever the arrival
// order.
func (rs *ruleState) quiet(key string, t time.Time) bool {
	sp, ok := rs.fired[key]
	return ok && !t.Before(sp.lo) && t.Sub(sp.hi) < rs.c.Lookback
}

// span is the first and last firing of a key.
type span struct{ lo, hi time.Time }

// firedAt records a firing of key at t.
func (rs *ruleState) firedAt(key string, t time.Time, maxKeys int) {
	sp, ok := rs.fired[key]
	if !ok {
		if len(rs.fired) >= maxKeys {
			return // bounded like the keys; a key not recorded may fire again
		}
		rs.stats.StateBytes += firedOverhead + int64(len(key))
		sp = span{t, t}
	}
	if t.Before(sp.lo) {
		sp.lo = t
	}
	if t.After(sp.hi) {
		sp.hi = t
	}
	rs.fired[key] = sp
}

// forget drops the firings older than horizon by a lookback.
func (rs *ruleState) forget(horizon time.Time) {
	for k, sp := range rs.fired {
		if sp.hi.Add(rs.c.Lookback).Before(horizon) {
			delete(rs.fired, k)
			rs.stats.StateBytes -= firedOverhead + int64(len(k))
		}
	}
}

// expire drops the matches older than horizon, and keys left empty.
func (p *pool) expire(horizon time.Time) {
	// The entries holding a match older than horizon have their items
	// at the top of ages: only they are visited.
	hs, hn := ageOf(horizon)
	for len(p.ages.items) > 0 && p.ages.items[0].before(hs, hn) {
		it := p.ages.pop()
		if !it.live() {
			continue
		}
		en := it.en
		recs := en.recs()
		n := 0
		for n < len(recs) && recs[n].t.Before(horizon) {
			n++
		}
		if n == len(recs) {
			p.drop(en)
			continue
		}
		before := en.bytes
		en.trim(n)
		p.stats.StateBytes -= before - en.bytes
		p.stats.Held -= n
		p.ages.push(en)
	}
	p.ages.compact(p.entries.len())
}

// keys computes the key strings of a match for a list of field pairs'
// sides: each field's values, every combination (capped), joined.
func keys(refs []engine.FieldRef, in *Input, c *fieldCache) []string {
	if len(refs) == 0 {
		return noKey
	}
	if len(refs) == 1 {
		// One field (the common case): its values are the keys.
		vals := c.valuesOf(refs[0], in)
		if len(vals) == 0 {
			return nil
		}
		slices.Sort(vals)
		vals = slices.Compact(vals)
		return vals[:min(len(vals), maxCombos):min(len(vals), maxCombos)]
	}
	combos := []string{""}
	for i, f := range refs {
		vals := c.valuesOf(f, in)
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

// noKey is the keys of a side with no fields: one, empty (shared: keys
// are never written to).
var noKey = []string{""}

// maxCombos bounds the keys one match may have (list fields multiply).
const maxCombos = 16

// showKey is a key as people read it.
func showKey(k string) string { return strings.ReplaceAll(k, "\x1f", ", ") }
