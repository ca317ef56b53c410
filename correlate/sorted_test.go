package correlate

import (
	"container/list"
	"slices"
	"time"
)

// sortedState is how a rule held its matches before the deque and the
// ages heap (state.go), kept for BenchmarkHeld and TestHeldSameAsSorted:
// each key's matches in a sorted slice (an insert and the per-key cap
// move the slice), and expiry walking every key.
type sortedState struct {
	entries         map[entryKey]*sortedEntry
	lru             *list.List
	maxKeys, maxPer int
	maxHeld, held   int
}

type sortedEntry struct {
	k    entryKey
	recs []*rec
	elem *list.Element
}

func newSortedState(maxKeys, maxPer, maxHeld int) *sortedState {
	return &sortedState{entries: map[entryKey]*sortedEntry{}, lru: list.New(), maxKeys: maxKeys, maxPer: maxPer, maxHeld: maxHeld}
}

func (s *sortedState) touch(k entryKey) *sortedEntry {
	if en, ok := s.entries[k]; ok {
		s.lru.MoveToFront(en.elem)
		return en
	}
	en := &sortedEntry{k: k}
	en.elem = s.lru.PushFront(en)
	s.entries[k] = en
	if len(s.entries) > s.maxKeys {
		s.drop(s.lru.Back().Value.(*sortedEntry))
	}
	return en
}

func (s *sortedState) drop(en *sortedEntry) {
	s.lru.Remove(en.elem)
	delete(s.entries, en.k)
	s.held -= len(en.recs)
}

func (s *sortedState) insert(en *sortedEntry, r *rec) {
	i := len(en.recs)
	for i > 0 && r.before(en.recs[i-1]) {
		i--
	}
	en.recs = slices.Insert(en.recs, i, r)
	s.held++
	if len(en.recs) > s.maxPer {
		en.recs = slices.Delete(en.recs, 0, 1)
		s.held--
	}
	for s.held > s.maxHeld {
		old := s.lru.Back().Value.(*sortedEntry)
		if old == en {
			break
		}
		s.drop(old)
	}
}

func (s *sortedState) expire(horizon time.Time) {
	for el := s.lru.Back(); el != nil; {
		prev := el.Prev()
		en := el.Value.(*sortedEntry)
		n := 0
		for n < len(en.recs) && en.recs[n].t.Before(horizon) {
			n++
		}
		if n > 0 {
			en.recs = slices.Delete(en.recs, 0, n)
			s.held -= n
		}
		if len(en.recs) == 0 {
			s.drop(en)
		}
		el = prev
	}
}

func (s *sortedState) list(k entryKey) []*rec {
	if en, ok := s.entries[k]; ok {
		return en.recs
	}
	return nil
}
