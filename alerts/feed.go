package alerts

import (
	"sync"
	"time"
)

// Event is one change of the store, as the change feed (server-sent
// events for the console's live list) carries it.
type Event struct {
	// Seq orders events; a client resumes after the last Seq it saw.
	Seq     int64     `json:"seq"`
	AlertID int64     `json:"id"`
	Action  string    `json:"action"` // created, tallied, reopened, updated, note, delivery
	Version int64     `json:"version"`
	Status  Status    `json:"status,omitempty"`
	At      time.Time `json:"at"`
}

// feed fans events out to subscribers and keeps the last few for those
// that reconnect.
type feed struct {
	mu     sync.Mutex
	seq    int64
	ring   []Event
	next   int
	full   bool
	subs   map[*Subscription]struct{}
	closed bool
}

// Subscription receives events on C. C is closed when the subscriber fell
// too far behind (it should reconnect and resume) or the store closed.
type Subscription struct {
	C    chan Event
	f    *feed
	once sync.Once
}

func newFeed(keep int) *feed {
	return &feed{ring: make([]Event, keep), subs: map[*Subscription]struct{}{}}
}

func (f *feed) publish(e Event) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return
	}
	f.seq++
	e.Seq = f.seq
	f.ring[f.next] = e
	f.next = (f.next + 1) % len(f.ring)
	if f.next == 0 {
		f.full = true
	}
	for s := range f.subs {
		select {
		case s.C <- e:
		default:
			// Too slow: drop it, it resumes from its last Seq.
			delete(f.subs, s)
			close(s.C)
		}
	}
}

// since returns the kept events after seq, and whether none was lost.
func (f *feed) since(seq int64) ([]Event, bool) {
	var out []Event
	n := f.next
	if f.full {
		n = len(f.ring)
	}
	start := 0
	if f.full {
		start = f.next
	}
	for i := 0; i < n; i++ {
		e := f.ring[(start+i)%len(f.ring)]
		if e.Seq > seq {
			out = append(out, e)
		}
	}
	complete := len(out) == 0 && seq >= f.seq || len(out) > 0 && out[0].Seq == seq+1
	if seq > f.seq {
		complete = false // a sequence from before a restart
	}
	return out, complete
}

func (f *feed) close() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.closed = true
	for s := range f.subs {
		delete(f.subs, s)
		close(s.C)
	}
}

// Subscribe starts receiving changes. With after > 0 the events after
// that Seq that the store still keeps come first; complete is false when
// some were lost (the client should reload its list).
func (s *Store) Subscribe(after int64, buffer int) (sub *Subscription, backlog []Event, complete bool) {
	f := s.feed
	f.mu.Lock()
	defer f.mu.Unlock()
	sub = &Subscription{C: make(chan Event, buffer), f: f}
	if f.closed {
		close(sub.C)
		return sub, nil, false
	}
	complete = true
	if after > 0 {
		backlog, complete = f.since(after)
	}
	f.subs[sub] = struct{}{}
	return sub, backlog, complete
}

// Cancel stops a subscription.
func (sub *Subscription) Cancel() {
	sub.once.Do(func() {
		sub.f.mu.Lock()
		defer sub.f.mu.Unlock()
		if _, ok := sub.f.subs[sub]; ok {
			delete(sub.f.subs, sub)
			close(sub.C)
		}
	})
}

// LastSeq is the Seq of the latest event.
func (s *Store) LastSeq() int64 {
	s.feed.mu.Lock()
	defer s.feed.mu.Unlock()
	return s.feed.seq
}
