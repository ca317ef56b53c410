package luavm

import (
	"context"
	"errors"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"time"
)

// The time budget.
//
// gopher-lua checks a context on every VM instruction once one is set
// (LState.SetContext). The obvious use, a context.WithTimeout per call,
// costs a timer and a goroutine hand-off per call — about a microsecond,
// more than a simple rule. So each VM gets one long-lived budget context
// whose Done channel is a plain field, and a single watchdog goroutine
// checks every VM's call start time a few times per budget and closes the
// channel of a call that has run too long. A call costs two atomic stores.
// The watchdog ticks every budget/8, at most every 50 ms, and the
// built-ins written in Go check the same cancellation (limits.go), so a
// call ends within about one tick of its budget. (A 10 ms tick was tried:
// on a loaded machine most ticks then come "late" and do not count, and a
// 1 s budget stretched to several seconds.)
// The same watchdog bounds memory: when the Go heap passes the limit while
// calls are running, the calls that have run for more than one tick are
// cancelled, and their garbage is collected. See BenchmarkBudget for the
// cost of each choice.

// ErrTimeout and ErrMemory are the causes of a cancelled call.
var (
	ErrTimeout = errors.New("time budget exceeded")
	ErrMemory  = errors.New("memory limit exceeded")
)

// budgetCtx is a context.Context that the watchdog cancels.
type budgetCtx struct {
	done chan struct{}
	once sync.Once
	err  atomic.Value // error
}

func newBudgetCtx() *budgetCtx { return &budgetCtx{done: make(chan struct{})} }

func (c *budgetCtx) Deadline() (time.Time, bool) { return time.Time{}, false }
func (c *budgetCtx) Done() <-chan struct{}       { return c.done }
func (c *budgetCtx) Value(any) any               { return nil }
func (c *budgetCtx) Err() error {
	if e, ok := c.err.Load().(error); ok {
		return e
	}
	return nil
}
func (c *budgetCtx) cancel(err error) {
	c.once.Do(func() {
		c.err.Store(err)
		close(c.done)
	})
}

var _ context.Context = (*budgetCtx)(nil)

// guard is the per-VM state the watchdog reads. A call only bumps seq
// (odd while running): no clock read on the hot path. The watchdog counts
// the ticks during which it sees the same odd seq.
type guard struct {
	seq     atomic.Uint64
	ctx     atomic.Pointer[budgetCtx]
	budget  time.Duration
	cancels atomic.Int64

	// owned by the watchdog
	lastSeq uint64
	ticks   int
}

type watchdog struct {
	mu       sync.Mutex
	guards   map[*guard]struct{}
	tick     time.Duration
	memLimit atomic.Uint64 // bytes of live heap objects; 0 = no limit
	running  bool
	stop     chan struct{}
}

var dog = &watchdog{guards: map[*guard]struct{}{}}

// SetMemoryLimit sets the heap size past which long-running Lua calls are
// cancelled (0 disables the check). It is process-wide.
func SetMemoryLimit(bytes uint64) { dog.memLimit.Store(bytes) }

func init() { SetMemoryLimit(1 << 30) }

func (w *watchdog) add(g *guard) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.guards[g] = struct{}{}
	tick := min(max(g.budget/8, time.Millisecond), 50*time.Millisecond)
	if w.running && tick >= w.tick {
		return
	}
	if w.running {
		close(w.stop) // restart at the finer tick
	}
	w.tick, w.running, w.stop = tick, true, make(chan struct{})
	go w.loop(w.tick, w.stop)
}

func (w *watchdog) remove(g *guard) {
	w.mu.Lock()
	defer w.mu.Unlock()
	delete(w.guards, g)
	if len(w.guards) == 0 && w.running {
		close(w.stop)
		w.running = false
		w.tick = 0
	}
}

func (w *watchdog) loop(tick time.Duration, stop chan struct{}) {
	t := time.NewTicker(tick)
	defer t.Stop()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	last := time.Now()
	for {
		select {
		case <-stop:
			return
		case now := <-t.C:
			// A tick that comes late means the machine is overloaded: the
			// calls did not get their share of it either, so it does not
			// count against their budget.
			late := now.Sub(last) > 3*tick
			last = now
			w.check(tick, sample, late)
		}
	}
}

func (w *watchdog) check(tick time.Duration, sample []metrics.Sample, late bool) {
	over := false
	if limit := w.memLimit.Load(); limit > 0 {
		metrics.Read(sample)
		if sample[0].Value.Kind() == metrics.KindUint64 && sample[0].Value.Uint64() > limit {
			over = true
		}
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	for g := range w.guards {
		s := g.seq.Load()
		if s&1 == 0 {
			g.ticks = 0
			continue
		}
		if s != g.lastSeq {
			g.lastSeq, g.ticks = s, 0
		}
		if !late || g.ticks == 0 {
			g.ticks++
		}
		// The call has run at least (ticks-1) whole ticks.
		ran := time.Duration(g.ticks-1) * tick
		switch {
		case ran >= g.budget:
			g.ctx.Load().cancel(ErrTimeout)
			g.cancels.Add(1)
		case over && g.ticks >= 2:
			g.ctx.Load().cancel(ErrMemory)
			g.cancels.Add(1)
		}
	}
}
