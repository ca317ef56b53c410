package luavm

import (
	"strings"

	"panther/parsers/event"
)

// Shared scans: the web rules' guards search the same few fields (the
// request target, the user agent, the referer) for their needles, each
// guard its own, so a request's target was read, decoded and scanned once
// per rule. The matcher tests of every guard loaded in a VM (VM.ShareScans)
// that read the same input the same way — the same fields joined by `or`,
// default, decoding, and lower-cased — form one group: one automaton of all
// their needles, each needle marked with its test's bit, run once per
// event; each test then reads its bit. Only lower-cased tests are grouped
// (case-folding and case-sensitive needles do not mix in one automaton),
// and a value that is not ASCII goes the way of each test alone, as
// lower-casing it is Unicode's there. TestSharedScansAgree compares the
// two ways.

// scans is a VM's shared scans.
type scans struct {
	byCond map[*containsCond]scanRef
	groups []*scanGroup
	dirty  bool // a test was added since the automata were built
	// The event the cached results are for, and its number (an event may
	// be freed and reused at the same address).
	cur *event.Event
	seq uint64
}

type scanRef struct {
	group int
	bit   uint64
}

// scanGroup is the tests that read one input.
type scanGroup struct {
	key     string
	members []*containsCond
	// The automaton of every member's needles (lower-cased, folding
	// ASCII case) as a table premultiplied by the number of classes, with
	// hasOut set on the states that complete a needle, and the members'
	// bits of each state.
	classes   [256]uint8
	nclass    int32
	next      []int32
	stateBits []uint64
	all       uint64
	// For the current event (seq): the bits of the tests that hold; none
	// when the input is not a string; fallback when it is not ASCII.
	seq      uint64
	bits     uint64
	none     bool
	fallback bool
}

// hasOut marks, in scanGroup.next, a state where a needle ends.
const hasOut = 1 << 30

// maxGroup is the number of tests a group holds (the bits of a uint64).
const maxGroup = 64

// ShareScans adds the matcher tests of g to the VM's shared scans: from
// the next event on, HoldsIn answers them from one scan of each input.
func (vm *VM) ShareScans(g *Guard) {
	if g == nil {
		return
	}
	var add func(cs []Cond)
	add = func(cs []Cond) {
		for i := range cs {
			c := &cs[i]
			switch c.Kind {
			case AnyOf:
				add(c.Sub)
			case Contains:
				vm.shareScan(c.contains)
			}
		}
	}
	add(g.Conds)
}

func (vm *VM) shareScan(c *containsCond) {
	if c.live != nil || c.m == nil || !c.lower(c.m) {
		return
	}
	if vm.scans == nil {
		vm.scans = &scans{byCond: map[*containsCond]scanRef{}}
	}
	s := vm.scans
	if _, ok := s.byCond[c]; ok {
		return
	}
	key := c.inputKey()
	gi := -1
	for i, g := range s.groups {
		if g.key == key && len(g.members) < maxGroup {
			gi = i
			break
		}
	}
	if gi < 0 {
		gi = len(s.groups)
		s.groups = append(s.groups, &scanGroup{key: key})
	}
	g := s.groups[gi]
	s.byCond[c] = scanRef{group: gi, bit: 1 << len(g.members)}
	g.members = append(g.members, c)
	s.dirty = true
}

// inputKey says what the test searches: two tests with one key search
// the same string.
func (c *containsCond) inputKey() string {
	var b strings.Builder
	for _, p := range c.chain {
		b.WriteString(strings.Join(p, "\x01"))
		b.WriteByte(0)
	}
	if c.hasDef {
		b.WriteString("\x02" + c.def)
	}
	b.WriteByte(byte('0' + c.decode))
	return b.String()
}

// build makes each group's automaton.
func (s *scans) build() {
	for _, g := range s.groups {
		var needles []string
		var bits []uint64
		for i, c := range g.members {
			for _, l := range []*literals{c.m.exact, c.m.folded} {
				if l == nil {
					continue
				}
				for _, n := range l.needles {
					needles = append(needles, strings.ToLower(n))
					bits = append(bits, 1<<i)
				}
			}
		}
		a := newFoldingAutomaton(needles)
		g.classes, g.nclass = a.classes, int32(a.nclass)
		g.stateBits = make([]uint64, len(a.out))
		for st, ids := range a.out {
			for _, id := range ids {
				g.stateBits[st] |= bits[id]
			}
		}
		g.next = make([]int32, len(a.trans))
		for i, st := range a.trans {
			g.next[i] = st * g.nclass
			if g.stateBits[st] != 0 {
				g.next[i] |= hasOut
			}
		}
		g.all = 1<<len(g.members) - 1
		if len(g.members) == maxGroup {
			g.all = ^uint64(0)
		}
		g.seq = 0
	}
	s.dirty = false
}

// newEvent starts the results of e.
func (s *scans) newEvent(e *event.Event) {
	s.cur = e
	s.seq++
}

// holds answers c on e from its group's scan; ok is false when it cannot
// (c is in no group, e is not the current event, the input is not ASCII).
func (s *scans) holds(c *containsCond, e *event.Event, dec func(string, bool) string) (holds, ok bool) {
	ref, in := s.byCond[c]
	if !in || e != s.cur {
		return false, false
	}
	if s.dirty {
		s.build()
	}
	g := s.groups[ref.group]
	if g.seq != s.seq {
		g.scan(c, e, dec, s.seq)
	}
	switch {
	case g.none:
		return false, true
	case g.fallback:
		return false, false
	}
	return g.bits&ref.bit != 0, true
}

// scan computes g's results on e; c is any of its members (they read the
// same input).
func (g *scanGroup) scan(c *containsCond, e *event.Event, dec func(string, bool) string, seq uint64) {
	g.seq, g.bits, g.none, g.fallback = seq, 0, false, false
	in, ok := c.input(e, dec)
	if !ok {
		g.none = true
		return
	}
	if !isASCII(in) {
		g.fallback = true
		return
	}
	st := int32(0)
	var bits uint64
	for i := 0; i < len(in); i++ {
		st = g.next[st+int32(g.classes[in[i]])]
		if st&hasOut != 0 {
			st &^= hasOut
			bits |= g.stateBits[st/g.nclass]
			if bits == g.all {
				break
			}
		}
	}
	g.bits = bits
}
