package correlate

import (
	"container/heap"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/valyala/fastjson"

	"panther/engine"
	"panther/parsers/event"
)

// Input is one rule match, as the stream hands it over.
type Input struct {
	RuleID       string
	Time         time.Time // the event's p_event_time
	RowID        string
	LogType      string
	Title, Dedup string
	AlertContext []byte // JSON object, or nil
	// Event is the matched event; it is read during Add only.
	Event *event.Event
	// Fresh is replay's: from a source the lake did not have yet.
	Fresh bool
	// Source is the match's source (p_source_file; empty: the Event's).
	// A correlation alert lists the sources of its matches (Alert.Sources).
	Source string
}

// Options configure an Engine.
type Options struct {
	Set *engine.Set
	// Rules are the correlation rules to run (Kind TypeCorrelationRule).
	Rules []*engine.Detection
	// MaxKeys caps the keys a rule holds (0: DefaultMaxKeys).
	MaxKeys int
	// MaxPerKey caps the matches held under one key (0: DefaultMaxPerKey).
	MaxPerKey int
	// MaxHeld caps the matches a rule holds in all (0: DefaultMaxHeld):
	// past it, the least recently touched keys are dropped.
	MaxHeld int
	// Lateness is how far behind the watermark a match may still arrive
	// and count; absences are decided that long after their window (0:
	// DefaultLateness; negative: none).
	Lateness time.Duration
	// Retention is how long past the lookback window held matches stay
	// for a late match to join them (0: the lateness). Absences are
	// decided by Lateness alone, so serve keeps them prompt while still
	// joining matches that arrive out of order.
	Retention time.Duration
	// Budget bounds each Lua call.
	Budget time.Duration
	// Emit receives each correlation alert; EmitError each group of errors
	// of the rules' Lua functions.
	Emit      func(*engine.Alert)
	EmitError func(*engine.Alert)
}

// Defaults of Options.
const (
	DefaultMaxKeys   = 10000
	DefaultMaxPerKey = 1024
	DefaultMaxHeld   = 50000
	DefaultLateness  = time.Hour
)

// Engine runs correlation rules. It is fed by one goroutine, in a
// deterministic order; it is not safe for concurrent use.
type Engine struct {
	opts  Options
	rules []*ruleState
	// byRule is, by rule ID, what the engine does with the rule's
	// matches: one map lookup a match.
	byRule map[string]*input
	// pools hold the rules' matches (pool.go), in the order of the
	// rules that first use them.
	pools    []*pool
	poolByID map[string]*pool
	agg      *engine.Aggregator
	ev       *engine.Evaluator
	seq      uint64
	wm       time.Time // the watermark: the latest event time seen
	lastWM   time.Time // when pending absences and expiry last ran
	chains   map[string][]engine.ChainLink
	// sources are the sources of the matches of each alert not yet
	// emitted (Alert.Sources), by alert ID.
	sources map[string][]string
	fields  fieldCache
	starts  []time.Time         // addGroup's scratch
	seen    map[string]struct{} // mayComplete's scratch
	one     [1]*rec             // occurrences' scratch
	gaps    []int               // shown's scratch
	same    []*rec              // occurrences' scratch
	firing  []engine.ChainLink  // the chain of the firing being added (SetRaise)
	occ     [1]occ
	errs    []error
}

// fieldCache holds the values of each list of fields the rules read, for
// the match being added: rules and steps reading the same fields (the
// same key, the same distinct field) share one computation and one slice.
type fieldCache struct {
	sigs  map[string]int // a list of fields (their sources) -> its slot
	slots []fieldSlot
	gen   uint64 // the match being added
	// ctx is the match's alert context, parsed once for every field that
	// reads it (ctxGen: the match it is of; ctxParser owns it).
	ctx       *fastjson.Value
	ctxGen    uint64
	ctxParser fastjson.Parser
}

// context is the alert context of the match being added, parsed (nil:
// none, or not JSON).
func (c *fieldCache) context(in *Input) *fastjson.Value {
	if c.ctxGen != c.gen {
		c.ctxGen, c.ctx = c.gen, nil
		if len(in.AlertContext) > 0 {
			if v, err := c.ctxParser.ParseBytes(in.AlertContext); err == nil {
				c.ctx = v
			}
		}
	}
	return c.ctx
}

type fieldSlot struct {
	gen  uint64
	vals []string
}

// sig numbers a list of fields.
func (c *fieldCache) sig(refs []engine.FieldRef, raw bool) int {
	var b strings.Builder
	if raw {
		b.WriteString("raw\x00")
	}
	for _, f := range refs {
		b.WriteString(f.String())
		b.WriteByte(0)
	}
	k := b.String()
	if i, ok := c.sigs[k]; ok {
		return i
	}
	if c.sigs == nil {
		c.sigs = map[string]int{}
	}
	c.sigs[k] = len(c.slots)
	c.slots = append(c.slots, fieldSlot{})
	return len(c.slots) - 1
}

// of is keys(refs, in) (computed once a match).
func (c *fieldCache) of(sig int, refs []engine.FieldRef, in *Input) []string {
	s := &c.slots[sig]
	if s.gen != c.gen {
		s.gen, s.vals = c.gen, keys(refs, in, c)
	}
	return s.vals
}

// values is f's values in in, as they come (computed once a match).
func (c *fieldCache) values(sig int, f engine.FieldRef, in *Input) []string {
	s := &c.slots[sig]
	if s.gen != c.gen {
		s.gen, s.vals = c.gen, c.valuesOf(f, in)
	}
	return s.vals
}

// valuesOf is f's values in the match being added.
func (c *fieldCache) valuesOf(f engine.FieldRef, in *Input) []string {
	if f.IsContext() {
		return f.ValuesParsed(nil, in.Event, c.context(in))
	}
	return f.Values(nil, in.Event, nil)
}

// New compiles the rules. An error names a rule whose fields do not
// compile (load has refused those already; this is for hand-built rules).
func New(opts Options) (*Engine, error) {
	if opts.MaxKeys <= 0 {
		opts.MaxKeys = DefaultMaxKeys
	}
	if opts.MaxPerKey <= 0 {
		opts.MaxPerKey = DefaultMaxPerKey
	}
	if opts.MaxHeld <= 0 {
		opts.MaxHeld = DefaultMaxHeld
	}
	switch {
	case opts.Lateness == 0:
		opts.Lateness = DefaultLateness
	case opts.Lateness < 0:
		opts.Lateness = 0
	}
	e := &Engine{opts: opts, byRule: map[string]*input{}, chains: map[string][]engine.ChainLink{}, sources: map[string][]string{},
		poolByID: map[string]*pool{}}
	for _, d := range opts.Rules {
		rs, err := compile(d)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", d.ID, err)
		}
		for i := range rs.steps {
			id := poolID(rs, i)
			p, ok := e.poolByID[id]
			if !ok {
				p = newPool(id, rs, i, &e.fields, opts)
				e.poolByID[id] = p
				e.pools = append(e.pools, p)
			}
			p.use(rs, i)
			rs.pools = append(rs.pools, p)
		}
		e.rules = append(e.rules, rs)
		for id, steps := range rs.byRule {
			in := e.byRule[id]
			if in == nil {
				in = &input{}
				e.byRule[id] = in
			}
			in.takers = append(in.takers, taker{rs, steps})
		}
	}
	e.agg = engine.NewAggregator(e.emit, opts.EmitError)
	return e, nil
}

func compile(d *engine.Detection) (*ruleState, error) {
	c := d.Correlation
	if c == nil {
		return nil, fmt.Errorf("not a correlation rule")
	}
	rs := &ruleState{d: d, c: c, byRule: map[string][]int{}, fired: map[string]span{}, waiting: map[pendingKey]struct{}{}}
	ref := func(s string) (engine.FieldRef, error) {
		f, err := engine.ParseFieldRef(s)
		if err != nil {
			return f, fmt.Errorf("field %q: %w", s, err)
		}
		return f, nil
	}
	if len(c.Sequence) > 0 {
		rs.steps = c.Sequence
		rs.inRefs = make([][]engine.FieldRef, len(c.Sequence))
		rs.outRefs = make([][]engine.FieldRef, len(c.Sequence))
		for i, t := range c.Transitions {
			for _, p := range t.Match {
				from, err := ref(p.From)
				if err != nil {
					return nil, err
				}
				to, err := ref(p.To)
				if err != nil {
					return nil, err
				}
				rs.outRefs[i] = append(rs.outRefs[i], from)
				rs.inRefs[i+1] = append(rs.inRefs[i+1], to)
			}
		}
	} else {
		rs.steps = c.Group
		rs.inRefs = make([][]engine.FieldRef, len(c.Group))
		for _, cr := range c.MatchCriteria {
			for i, g := range c.Group {
				f, err := ref(cr.Fields[g.ID])
				if err != nil {
					return nil, err
				}
				rs.inRefs[i] = append(rs.inRefs[i], f)
			}
		}
		if c.DistinctField != "" {
			f, err := ref(c.DistinctField)
			if err != nil {
				return nil, err
			}
			rs.distinct = &f
		}
	}
	for i, s := range rs.steps {
		for _, id := range s.RuleIDs() {
			rs.byRule[id] = append(rs.byRule[id], i)
		}
	}
	return rs, nil
}

// Adopt takes over, from engines being replaced (serve's hot swap of the
// active packs), the state of every rule that is here with the same
// definition: its absences waiting for their window, when each key last
// fired, its counters, and the watermark; and the matches held by every
// pool that is here with the same identity (the same rules' matches on
// the same fields: pool.go), whichever rules use it. Chains in progress
// then survive an activation that keeps their rule. A rule whose
// definition changed starts afresh (its keys may mean something else).
// The old engines must not be used afterwards, but for Flush and Close.
func (e *Engine) Adopt(olds ...*Engine) {
	for _, old := range olds {
		if old.wm.After(e.wm) {
			e.wm, e.lastWM = old.wm, old.lastWM
		}
		e.seq = max(e.seq, old.seq)
		for _, p := range e.pools {
			if o, ok := old.poolByID[p.id]; ok && o.entries.len() > 0 {
				p.adopt(o)
			}
		}
		for _, rs := range e.rules {
			for j, o := range old.rules {
				if o.d.ID != rs.d.ID || !reflect.DeepEqual(o.c, rs.c) {
					continue
				}
				rs.pending, rs.waiting, rs.fired, rs.stats, rs.expired = o.pending, o.waiting, o.fired, o.stats, o.expired
				// The old rule is left empty: its Flush decides nothing
				// that moved here.
				old.rules[j] = &ruleState{d: o.d, c: o.c, byRule: o.byRule, pools: o.pools, fired: map[string]span{}, waiting: map[pendingKey]struct{}{}}
			}
		}
	}
}

// SetEmit replaces Options.Emit and Options.EmitError (a caller that
// builds its outputs after the engine).
func (e *Engine) SetEmit(emit, emitError func(*engine.Alert)) {
	e.opts.Emit = emit
	e.agg.EmitError = emitError
}

// SetRaise makes the engine hand each correlation alert to raise as soon
// as it fires (serve's alert store), besides Emit at its window's close.
func (e *Engine) SetRaise(raise func(*engine.Alert)) {
	e.agg.Raise = func(a *engine.Alert) {
		if a.Chain == nil {
			if ch, ok := e.chains[a.ID]; ok {
				a.Chain = ch
			} else {
				a.Chain = e.firing // raised by the firing's AddFrom: its chain is not filed yet
			}
		}
		raise(a)
	}
}

// RuleIDs are the rules whose matches the engine takes.
func (e *Engine) RuleIDs() []string {
	out := make([]string, 0, len(e.byRule))
	for id := range e.byRule {
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}

// Wants reports whether a rule's matches feed a correlation.
func (e *Engine) Wants(ruleID string) bool { return e.byRule[ruleID] != nil }

// input is what the engine does with one rule's matches.
type input struct {
	// takers are the correlation rules, in order, and their steps that
	// take the matches.
	takers []taker
	// title is the last title the rule's matches held: they mostly
	// share one (its DisplayName, or a title function's few), and then
	// share the string (title).
	title string
}

type taker struct {
	rs    *ruleState
	steps []int
}

// Observe moves the watermark to t if it is later: call it for every
// event of the stream (matches or not), so absences can be decided.
func (e *Engine) Observe(t time.Time) {
	if t.After(e.wm) {
		e.wm = t
		if e.wm.Sub(e.lastWM) >= time.Minute {
			e.advance(false)
		}
	}
}

// AdvanceTo moves the watermark to t (serve: by the wall clock once no
// event has come for a while) and decides what it can.
func (e *Engine) AdvanceTo(t time.Time) {
	if t.After(e.wm) {
		e.wm = t
	}
	e.advance(false)
	e.agg.Advance(t)
}

// title is in.Title, or the equal string an earlier match of its rule
// holds already.
func (ir *input) titleOf(in *Input) string {
	if ir.title != in.Title {
		ir.title = in.Title
	}
	return ir.title
}

// Add takes one rule match.
func (e *Engine) Add(in *Input) {
	ir := e.byRule[in.RuleID]
	if ir == nil {
		return
	}
	// Keys are computed once a match for every pool whose fields are
	// the same (fields.of), the match is held once a pool (pool.take)
	// and its data shared by the pools.
	e.fields.gen++
	var m *matchData
	for _, t := range ir.takers {
		rs := t.rs
		rs.stats.Matches++
		for _, step := range t.steps {
			r := rs.pools[step].take(e, in, ir, &m)
			if r == nil {
				continue // no key: this match cannot link
			}
			if len(rs.c.Sequence) > 0 {
				e.addSequence(rs, step, r)
			} else {
				e.addGroup(rs, step, r)
			}
		}
	}
}

// advance decides the absences whose window has closed and expires old
// matches. final decides every absence (the end of the input).
func (e *Engine) advance(final bool) {
	e.lastWM = e.wm
	cut := e.wm.Add(-e.opts.Lateness)
	keep := max(e.opts.Lateness, e.opts.Retention)
	for _, rs := range e.rules {
		for rs.pending.Len() > 0 {
			p := rs.pending[0]
			if !final && !p.deadline.Before(cut) {
				break
			}
			heap.Pop(&rs.pending)
			delete(rs.waiting, pendingKey{p.key, p.deadline.UnixNano()})
			e.decide(rs, p)
		}
		rs.stats.Pending = rs.pending.Len()
		// Firings are forgotten once the horizon has moved by an eighth
		// of the lookback (at least a minute).
		if h := e.wm.Add(-keep - rs.c.Lookback); !final && h.Sub(rs.expired) >= max(time.Minute, rs.c.Lookback/8) {
			rs.forget(h)
			rs.expired = h
		}
	}
	if !final {
		for _, p := range e.pools {
			p.advance(e.wm, keep)
		}
	}
}

// Flush decides every pending absence and emits every open alert: call it
// at the end of the input.
func (e *Engine) Flush() {
	e.advance(true)
	e.agg.Flush()
}

// Close releases the Lua VM.
func (e *Engine) Close() {
	if e.ev != nil {
		e.ev.Close()
		e.ev = nil
	}
}

// Stats returns the counters per correlation rule ID: a rule's own, and
// the state of the pools it owns (a pool shared by several rules counts
// under the first of them).
func (e *Engine) Stats() map[string]RuleStats {
	out := make(map[string]RuleStats, len(e.rules))
	for _, rs := range e.rules {
		out[rs.d.ID] = rs.stats
	}
	for _, p := range e.pools {
		s := out[p.owner.d.ID]
		s.OpenKeys += p.stats.OpenKeys
		s.PeakKeys += p.stats.PeakKeys
		s.Held += p.stats.Held
		s.DroppedKeys += p.stats.DroppedKeys
		s.DroppedMatch += p.stats.DroppedMatch
		s.StateBytes += p.stats.StateBytes
		s.PeakStateBytes += p.stats.PeakStateBytes
		out[p.owner.d.ID] = s
	}
	return out
}

// Totals sums the counters of every rule.
func (e *Engine) Totals() RuleStats {
	var t RuleStats
	for _, s := range e.Stats() {
		t.Matches += s.Matches
		t.Firings += s.Firings
		t.OpenKeys += s.OpenKeys
		t.PeakKeys += s.PeakKeys
		t.Held += s.Held
		t.DroppedKeys += s.DroppedKeys
		t.DroppedMatch += s.DroppedMatch
		t.Pending += s.Pending
		t.Errors += s.Errors
		t.Refires += s.Refires
		t.StateBytes += s.StateBytes
		t.PeakStateBytes += s.PeakStateBytes // an upper bound of the peak of the sum
	}
	return t
}

// StateBytes is Totals().StateBytes without building the per-rule map:
// what the engine holds now, cheap enough to ask after every batch.
func (e *Engine) StateBytes() int64 {
	var n int64
	for _, rs := range e.rules {
		n += rs.stats.StateBytes
	}
	for _, p := range e.pools {
		n += p.stats.StateBytes
	}
	return n
}

// PerRule counts the alerts emitted per correlation rule.
func (e *Engine) PerRule() map[string]int { return e.agg.PerRule }

// link is one rec of a chain with the step it stands for.
type link struct {
	step string
	r    *rec
}

// fire turns a complete chain into a match of the correlation rule.
func (e *Engine) fire(rs *ruleState, chain []link, key string) {
	sort.SliceStable(chain, func(i, j int) bool { return chain[i].r.before(chain[j].r) })
	last := chain[len(chain)-1].r
	if rs.quiet(key, last.t) {
		rs.stats.Refires++
		return
	}
	rs.firedAt(key, last.t, e.opts.MaxKeys)
	rs.stats.Firings++
	fresh := false
	for _, l := range chain {
		fresh = fresh || l.r.fresh
	}
	shown, gaps := e.shown(rs, chain)
	var b []byte
	b = append(b, `{"rule_id":`...)
	b = event.AppendString(b, rs.d.ID)
	b = append(b, `,"key":`...)
	b = event.AppendString(b, showKey(key))
	b = append(b, `,"matches":[`...)
	links := make([]engine.ChainLink, 0, len(shown))
	for i, l := range shown {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendMatch(b, l, gaps[i])
		links = append(links, engine.ChainLink{Step: l.step, RuleID: l.r.ruleID, Time: l.r.t, RowID: l.r.rowID(), LogType: l.r.logType, Title: l.r.title, Omitted: gaps[i]})
	}
	b = append(b, `],"steps":{`...)
	first := true
	for _, s := range rs.steps {
		n := 0
		for i, l := range shown {
			if l.step != s.ID {
				continue
			}
			if n == 0 {
				if !first {
					b = append(b, ',')
				}
				first = false
				b = event.AppendString(b, s.ID)
				b = append(b, ":["...)
			} else {
				b = append(b, ',')
			}
			b = appendMatch(b, l, gaps[i])
			n++
		}
		if n > 0 {
			b = append(b, ']')
		}
	}
	b = append(b, '}')
	if len(shown) < len(chain) {
		// Some matches were left out: the count of each step's.
		b = append(b, `,"counts":{`...)
		first = true
		for _, s := range rs.steps {
			n := 0
			for _, l := range chain {
				if l.step == s.ID {
					n++
				}
			}
			if n == 0 {
				continue
			}
			if !first {
				b = append(b, ',')
			}
			first = false
			b = event.AppendString(b, s.ID)
			b = append(b, ':')
			b = strconv.AppendInt(b, int64(n), 10)
		}
		b = append(b, '}')
	}
	b = append(b, '}')
	ce := event.New()
	defer ce.Release()
	if err := ce.ParseJSON(b); err != nil {
		e.errs = append(e.errs, err) // cannot happen: we wrote it
		return
	}
	ce.Time = last.t
	ce.RowID = last.rowID()
	ce.LogType = "Correlation"
	m := e.evaluate(rs.d, ce, showKey(key))
	if m.Err != nil || len(m.AuxErrors) > 0 {
		rs.stats.Errors++
		if m.Err == nil {
			m.Err = m.AuxErrors[0]
		}
		m.Matched = false
	}
	e.firing = links
	id := e.agg.AddFrom(&m, ce, fresh)
	e.firing = nil
	if !m.Matched || id == "" {
		return
	}
	if _, has := e.chains[id]; !has {
		e.chains[id] = links
	}
	srcs := e.sources[id]
	for _, l := range chain {
		if l.r.src == "" {
			continue
		}
		if i, found := slices.BinarySearch(srcs, l.r.src); !found {
			srcs = slices.Insert(srcs, i, l.r.src)
		}
	}
	if srcs != nil {
		e.sources[id] = srcs
	}
}

// maxShown is how many matches of one step a correlation object and an
// alert's chain list: a step with more (a count reached: 500 requests
// from one address) shows its first and last maxShown/2, and the match
// before the gap says how many were left out. Without it, a firing
// of a count of 500 built, parsed and sampled an object of 500 matches
// (about 150 kB), which cost more than the rest of the correlation work
// on the 1 GB benchmark archive.
const maxShown = 20

// shown is the part of chain (sorted by time) that a correlation object
// lists, and, for each of its links, how many matches of the same step
// were left out right after it.
func (e *Engine) shown(rs *ruleState, chain []link) ([]link, []int) {
	gaps := e.gaps[:0]
	if len(chain) <= maxShown {
		for range chain {
			gaps = append(gaps, 0)
		}
		e.gaps = gaps
		return chain, gaps
	}
	counts := make(map[string]int, len(rs.steps))
	for _, l := range chain {
		counts[l.step]++
	}
	seen := make(map[string]int, len(rs.steps))
	var out []link
	for _, l := range chain {
		n, i := counts[l.step], seen[l.step]
		seen[l.step]++
		if n > maxShown && i >= maxShown/2 && i < n-maxShown/2 {
			if i == maxShown/2 {
				// The first left out: the match before it (the last
				// kept of this step) carries the count.
				for j := len(out) - 1; j >= 0; j-- {
					if out[j].step == l.step {
						gaps[j] = n - maxShown
						break
					}
				}
			}
			continue
		}
		out = append(out, l)
		gaps = append(gaps, 0)
	}
	e.gaps = gaps
	return out, gaps
}

func appendMatch(b []byte, l link, omitted int) []byte {
	r := l.r
	b = append(b, `{"step":`...)
	b = event.AppendString(b, l.step)
	b = append(b, `,"rule_id":`...)
	b = event.AppendString(b, r.ruleID)
	b = append(b, `,"p_event_time":"`...)
	b = r.t.UTC().AppendFormat(b, event.TimeLayout)
	b = append(b, `","p_row_id":`...)
	b = event.AppendString(b, r.rowID())
	if r.logType != "" {
		b = append(b, `,"p_log_type":`...)
		b = event.AppendString(b, r.logType)
	}
	b = append(b, `,"title":`...)
	b = event.AppendString(b, r.title)
	b = append(b, `,"dedup":`...)
	b = event.AppendString(b, r.dedup())
	if k := recKey(r); k != "" {
		b = append(b, `,"key":`...)
		b = event.AppendString(b, showKey(k))
	}
	if r.val != "" {
		b = append(b, `,"value":`...)
		b = event.AppendString(b, r.val)
	}
	if ctx := r.ctx(); ctx != "" {
		b = append(b, `,"alert_context":`...)
		b = append(b, ctx...)
	}
	if omitted > 0 {
		b = append(b, `,"omitted_after":`...)
		b = strconv.AppendInt(b, int64(omitted), 10)
	}
	return append(b, '}')
}

// recKey is the key a match linked on: its incoming key, else its
// outgoing one (a first step).
func recKey(r *rec) string {
	if len(r.in) > 0 && r.in[0] != "" {
		return r.in[0]
	}
	if len(r.out) > 0 {
		return r.out[0]
	}
	return ""
}

func (e *Engine) evaluate(d *engine.Detection, ce *event.Event, key string) engine.Match {
	if e.ev == nil {
		e.ev = engine.NewEvaluator(e.opts.Set, engine.EvalOptions{Budget: e.opts.Budget})
	}
	return e.ev.EvaluateCorrelation(d, ce, key)
}

func (e *Engine) emit(a *engine.Alert) {
	if ch, ok := e.chains[a.ID]; ok {
		a.Chain = ch
		delete(e.chains, a.ID)
	}
	if srcs, ok := e.sources[a.ID]; ok {
		a.Sources = srcs
		delete(e.sources, a.ID)
	}
	var lts []string
	for _, l := range a.Chain {
		if l.LogType != "" && !slices.Contains(lts, l.LogType) {
			lts = append(lts, l.LogType)
		}
	}
	slices.Sort(lts)
	if len(lts) > 0 {
		a.LogTypes = lts
	}
	if e.opts.Emit != nil {
		e.opts.Emit(a)
	}
}

// pending is a chain that waits for its absence window to close.
type pending struct {
	deadline time.Time
	from     time.Time // the window of the absent step or groups: [from, deadline]
	key      string
	chain    []link
	seq      uint64
}

type pendingHeap []*pending

func (h pendingHeap) Len() int { return len(h) }
func (h pendingHeap) Less(i, j int) bool {
	if !h[i].deadline.Equal(h[j].deadline) {
		return h[i].deadline.Before(h[j].deadline)
	}
	return h[i].seq < h[j].seq
}
func (h pendingHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *pendingHeap) Push(x any)   { *h = append(*h, x.(*pending)) }
func (h *pendingHeap) Pop() any {
	old := *h
	p := old[len(old)-1]
	*h = old[:len(old)-1]
	return p
}

// schedule adds a pending absence, unless one for the same key and
// window is waiting already.
func (e *Engine) schedule(rs *ruleState, p *pending) {
	pk := pendingKey{p.key, p.deadline.UnixNano()}
	if _, dup := rs.waiting[pk]; dup {
		return
	}
	if rs.pending.Len() >= e.opts.MaxKeys {
		rs.stats.DroppedKeys++
		return
	}
	e.seq++
	p.seq = e.seq
	heap.Push(&rs.pending, p)
	rs.waiting[pk] = struct{}{}
	rs.stats.Pending = rs.pending.Len()
}

// pendingKey identifies a pending absence: its key and window.
type pendingKey struct {
	key      string
	deadline int64
}

// decide fires a pending chain whose absent step did not match (or
// matched within MinMatchCount..MaxMatchCount) in its window.
func (e *Engine) decide(rs *ruleState, p *pending) {
	for i, s := range rs.steps {
		if !s.Absence && s.MaxMatchCount == 0 {
			continue
		}
		n := len(within(rs.list(i, false, p.key), p.from, p.deadline))
		if s.Absence && n > 0 {
			return
		}
		if !s.Absence && (n < s.MinMatchCount || n > s.MaxMatchCount) {
			return
		}
	}
	e.fire(rs, p.chain, p.key)
}

// String is for debugging.
func (l link) String() string {
	return fmt.Sprintf("%s@%s", l.step, l.r.t.Format(time.RFC3339))
}
