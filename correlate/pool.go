package correlate

import (
	"slices"
	"strings"
	"time"

	"panther/engine"
)

// A pool holds the matches one step takes: those of the step's rules,
// under the keys of its fields, sorted by time a key. Steps of several
// correlation rules that take the same rules' matches on the same fields
// share one pool, so a busy signal named by ten rules is held once, not
// ten times: holding is most of what a correlation costs (a match is
// keyed, stored, capped and expired), and what a pool holds does not
// depend on which rule reads it. What is a rule's own stays in its
// ruleState: its chains waiting for an absence, when each key fired.
//
// The caps are a pool's (Options.MaxKeys keys in an LRU, MaxPerKey a key
// or more for a step that counts more, MaxHeld in all), so a busy step
// no longer pushes a rare one's matches out of a rule's LRU: before
// pools, the two shared one cap, and a chain waiting on a rare match lost
// it to the busy step's churn. A pool keeps matches as long as its
// longest-lookback rule needs them; the searches check every time bound
// themselves, so a rule never sees more than its own windows allow.
type pool struct {
	id string // its identity (poolID): what it holds
	// owner is the first rule that uses it: the rule whose stats count
	// the pool's state.
	owner    *ruleState
	inRefs   []engine.FieldRef
	outRefs  []engine.FieldRef
	distinct *engine.FieldRef
	// inSig, outSig and distinctSig are the fieldCache slots of the
	// fields (outSig -1: no outgoing side, a group's step).
	inSig, outSig, distinctSig int
	// holdIn and holdOut say under which keys matches are held: a
	// sequence's first step has no incoming key, its last no outgoing one.
	holdIn, holdOut bool
	// perKey is the cap on matches a key holds, maxHeld on matches held
	// in all, maxKeys on keys.
	perKey, maxHeld, maxKeys int
	// lookback is the longest lookback window of the rules using it.
	lookback time.Duration

	entries entries
	lru     *entry // the LRU ring's sentinel: most recently touched next
	ages    ages   // the entries, by their oldest match
	expired time.Time
	// gen and cur are the match being added (Engine.Add) and its rec
	// here, once held (nil: it has no key here).
	gen uint64
	cur *rec

	stats poolStats
}

// poolStats are what a pool holds and dropped (see RuleStats).
type poolStats struct {
	OpenKeys, PeakKeys, Held   int
	DroppedKeys, DroppedMatch  int64
	StateBytes, PeakStateBytes int64
}

// poolID is what a pool of step i of rs holds: its kind (a sequence's
// recs carry an outgoing key, a group's do not), the rules whose matches
// it takes, the fields of its keys and of its distinct value, and under
// which keys it holds them.
func poolID(rs *ruleState, i int) string {
	var b strings.Builder
	seq := len(rs.c.Sequence) > 0
	if seq {
		b.WriteString("seq")
	} else {
		b.WriteString("group")
	}
	ids := slices.Clone(rs.steps[i].RuleIDs())
	slices.Sort(ids)
	for _, id := range ids {
		b.WriteString("\x00r:")
		b.WriteString(id)
	}
	for _, f := range rs.inRefs[i] {
		b.WriteString("\x00in:")
		b.WriteString(f.String())
	}
	if rs.outRefs != nil {
		for _, f := range rs.outRefs[i] {
			b.WriteString("\x00out:")
			b.WriteString(f.String())
		}
	}
	if rs.distinct != nil {
		b.WriteString("\x00distinct:")
		b.WriteString(rs.distinct.String())
	}
	in, out := holds(rs, i)
	if in {
		b.WriteString("\x00holdIn")
	}
	if out {
		b.WriteString("\x00holdOut")
	}
	return b.String()
}

// holds says under which keys step i of rs holds its matches.
func holds(rs *ruleState, i int) (in, out bool) {
	if len(rs.c.Sequence) == 0 {
		return true, false
	}
	return i > 0, i < len(rs.steps)-1
}

// newPool is an empty pool for step i of rs.
func newPool(id string, rs *ruleState, i int, fields *fieldCache, opts Options) *pool {
	p := &pool{id: id, owner: rs, inRefs: rs.inRefs[i], distinct: rs.distinct, outSig: -1,
		perKey: opts.MaxPerKey, maxHeld: opts.MaxHeld, maxKeys: opts.MaxKeys, lru: newLRU()}
	p.holdIn, p.holdOut = holds(rs, i)
	p.inSig = fields.sig(p.inRefs, false)
	if rs.outRefs != nil {
		p.outRefs = rs.outRefs[i]
		p.outSig = fields.sig(p.outRefs, false)
	}
	if p.distinct != nil {
		p.distinctSig = fields.sig([]engine.FieldRef{*p.distinct}, true)
	}
	return p
}

// use adds step i of rs to the pool's readers: its counts and lookback.
func (p *pool) use(rs *ruleState, i int) {
	s := rs.steps[i]
	p.perKey = max(p.perKey, 2*s.MinMatchCount, s.MaxMatchCount+1)
	p.lookback = max(p.lookback, rs.c.Lookback)
}

// take holds the match being added (in, of the rule ir is about; its
// generation e.fields.gen) and returns its rec, once for every step
// reading the pool; nil when the match has no key here.
func (p *pool) take(e *Engine, in *Input, ir *input, m **matchData) *rec {
	if p.gen == e.fields.gen {
		return p.cur
	}
	p.gen, p.cur = e.fields.gen, nil
	keysIn := e.fields.of(p.inSig, p.inRefs, in)
	var keysOut []string
	if p.outSig >= 0 {
		keysOut = e.fields.of(p.outSig, p.outRefs, in)
		if keysOut == nil {
			return nil // no key: this match cannot link
		}
	}
	if keysIn == nil {
		return nil
	}
	var val string
	if p.distinct != nil {
		vals := e.fields.values(p.distinctSig, *p.distinct, in)
		if len(vals) == 0 {
			return nil
		}
		val = vals[0]
	}
	var r *rec
	if *m == nil {
		f := &firstRec{}
		f.md.fill(in, ir.titleOf(in))
		r, *m = &f.rec, &f.md
	} else {
		r = &rec{}
	}
	e.seq++
	*r = rec{t: in.Time, seq: e.seq, matchData: *m, val: val}
	r.in, r.out = keep(&r.in1, keysIn), keep(&r.out1, keysOut)
	if p.holdIn {
		for _, k := range r.in {
			en := p.touch(entryKey{0, false, k})
			if len(r.in) == 1 {
				r.in1[0] = en.k.key // the entry's string: the match's own copy is not kept
			}
			p.insert(en, r, p.perKey)
		}
	}
	if p.holdOut {
		for _, k := range r.out {
			en := p.touch(entryKey{0, true, k})
			if len(r.out) == 1 {
				r.out1[0] = en.k.key
			}
			p.insert(en, r, p.perKey)
		}
	}
	p.cur = r
	return r
}

// reset empties the pool (what Engine.Adopt leaves an old engine).
func (p *pool) reset() {
	p.entries, p.lru, p.ages, p.expired, p.stats, p.cur = entries{}, newLRU(), ages{}, time.Time{}, poolStats{}, nil
}

// adopt takes over old's matches (same identity: the same matches).
func (p *pool) adopt(old *pool) {
	p.entries, p.lru, p.ages, p.expired, p.stats = old.entries, old.lru, old.ages, old.expired, old.stats
	old.reset()
}

// advance expires what the horizon has passed, once it has moved by an
// eighth of the pool's lookback (at least a minute): that holds matches
// that much longer at most.
func (p *pool) advance(wm time.Time, keep time.Duration) {
	h := wm.Add(-keep - p.lookback)
	if h.Sub(p.expired) >= max(time.Minute, p.lookback/8) {
		p.expire(h)
		p.expired = h
	}
}
