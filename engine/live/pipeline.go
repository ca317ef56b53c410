// Package live is the pipeline of `panther serve`: the entries the inputs
// wrote to the journal (package ingest) → decode (the replay's decode
// step: classify or the given log type, parse, normalise) → the
// detections of the active pack versions → alerts in event time → the
// alert sink and the lake's rule_matches → every event to the lake.
//
// It is the replay's pipeline fed by an unbounded source, and it reuses
// the replay's parts rather than copying them: the decode step, the
// engine's Evaluator, the engine's Aggregator (replay's dedup and
// threshold semantics in event time) and replay's lake rows. What live
// adds:
//
//   - Order and parallelism: a dispatcher takes entries in journal order;
//     Workers goroutines decode and evaluate them (one Lua VM per set per
//     worker); one sink goroutine consumes the results back in journal
//     order, so dedup state, lake rows and the commit mark follow the
//     journal exactly.
//   - Hot swap: the active pack versions are polled (PollPacks, 250 ms);
//     a change builds a new Generation (packs already loaded are reused)
//     that the dispatcher attaches to every entry from then on. Each entry
//     is evaluated by exactly one generation, so no event is dropped or
//     evaluated twice across a swap. Dedup state is keyed by rule ID and
//     dedup string, not by generation, so the open alerts of a rule that
//     survives the swap keep counting.
//   - Raised at the threshold: the Aggregator's Raise hands an alert to
//     the AlertSink when a match brings it to its threshold, and again on
//     each later match of its window; the alerts table of the lake gets
//     the alert when its window closes, as in replay.
//   - Time passes without events: while events flow, windows close as in
//     replay (by event time: the aggregator's sweep). When no event has
//     come for a second, the sink advances the aggregator to an event-time
//     clock — the latest event time seen plus the wall time elapsed since
//     it was seen — every second. A real-time stream's clock is the wall
//     clock; a backfill sent through the live inputs keeps its own time. A
//     window closes (is written to the lake's alerts) once that clock is
//     two dedup periods past its first event, the sweep's rule: until
//     then a late event may still join it, as in replay.
//   - Signals run only what is read: a match of a rule that raises no
//     alert (CreateAlert: false, or run only because a correlation names
//     it) runs only the alert functions whose results the sink reads —
//     the lake's rule_matches (title, dedup, severity), a correlation of
//     the same generation naming it (title, dedup, alert_context), its
//     FirstSeen (alert_context) — decided per generation
//     (Generation.Fields, engine.SignalFields: replay's rule). A worker
//     meeting a new generation gives its VMs the new answer
//     (Evaluator.SetFields), so activating a correlation that names a
//     signal runs its functions from the next entry on.
//   - Commits: every CommitInterval the lake commits what was written with
//     a mark, the last journal entry it holds; the journal then drops the
//     segments below it. On start, entries after the mark are read back
//     from the journal and processed again; their p_row_id (from the
//     entry's sequence number and the record's place in it) are the same,
//     and the lake had none of their rows, so nothing is written twice.
package live

import (
	"context"
	"fmt"
	"log/slog"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	lua "github.com/yuin/gopher-lua"

	"panther/correlate"
	"panther/engine"
	"panther/engine/luavm"
	"panther/engine/replay"
	"panther/ingest"
	"panther/lake"
	"panther/parsers"
	"panther/parsers/event"
)

// DetectionAlert is an alert as the pipeline raises it.
type DetectionAlert struct {
	engine.Alert
	// PackVersion is the pack version ("Pack@N") of the detection whose
	// match raised it (the last match).
	PackVersion string
	// DedupPeriod is the detection's dedup window.
	DedupPeriod time.Duration
	// First is set when this call reached the threshold; later calls
	// (at most one a second per alert while matches come, and one when
	// its window closes) give its count and last event since.
	First bool
	// Raised is when the pipeline raised it.
	Raised time.Time
}

// AlertSink receives the alerts (the alert store of `panther serve`).
type AlertSink interface {
	RaiseDetection(ctx context.Context, a DetectionAlert) error
}

// Options configure a Pipeline.
type Options struct {
	Journal  *ingest.Journal
	Registry *parsers.Registry // built-in log types (and custom ones of the configuration)
	Packs    PackSource
	Load     engine.LoadOptions
	// Budget is each Lua call's time budget.
	Budget  time.Duration
	Workers int // default GOMAXPROCS
	// Lake receives every event (nil: none is kept).
	Lake *Lake
	// CommitInterval: how often the lake commits (default 10 s).
	CommitInterval time.Duration
	Alerts         AlertSink
	DeadLetters    *DeadLetters
	MaxRecordBytes int
	Metrics        *ingest.Metrics
	Logger         *slog.Logger
	// PollPacks: how often the active versions are checked (default 250 ms).
	PollPacks time.Duration
	// Tick: how often time is advanced without events (default 1 s).
	Tick time.Duration
	Now  func() time.Time
	// allFields runs every alert function of every match, as before
	// Generation.Fields (the benchmark's baseline; export_test.go).
	allFields bool
}

// Pipeline runs the live detections.
type Pipeline struct {
	opts    Options
	batches chan *lake.Batch // lake batches the sink wrote, for the workers to fill again
	log     *slog.Logger
	loader  *loader
	gen     atomic.Pointer[Generation]

	processed atomic.Uint64 // last entry the sink finished
	committed atomic.Uint64 // last entry the lake holds
	recovered int
	events    atomic.Int64
	alerts    atomic.Int64
	lastLag   atomic.Int64 // ns
	genErr    atomic.Pointer[string]
	// timeouts counts the timeouts of each loaded detection; past
	// DisableAfterTimeouts it is turned off until a new version of it
	// loads (as replay does, so that one runaway rule cannot stall the
	// pipeline a second an event).
	timeouts sync.Map // *engine.Detection -> *atomic.Int64
	// extReqs are rows from outside the journal (rows.go); sinkDone is
	// closed when the sink stops.
	extReqs  chan *extRequest
	sinkDone chan struct{}
}

// New loads the active detections and reads back from the journal what
// the lake does not hold. Call it before the inputs start.
func New(ctx context.Context, opts Options) (*Pipeline, error) {
	if opts.Workers <= 0 {
		opts.Workers = runtime.GOMAXPROCS(0)
	}
	if opts.CommitInterval <= 0 {
		opts.CommitInterval = 10 * time.Second
	}
	if opts.PollPacks <= 0 {
		opts.PollPacks = 250 * time.Millisecond
	}
	if opts.Tick <= 0 {
		opts.Tick = time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Metrics == nil {
		opts.Metrics = ingest.NewMetrics()
	}
	p := &Pipeline{opts: opts, log: opts.Logger, extReqs: make(chan *extRequest), sinkDone: make(chan struct{}),
		batches: make(chan *lake.Batch, 4*opts.Workers+4)}
	if p.log == nil {
		p.log = slog.New(slog.DiscardHandler)
	}
	p.loader = &loader{src: opts.Packs, base: opts.Registry, opts: opts.Load, cache: map[PackRef]*loadedPack{},
		matchRows: opts.Lake != nil, allFields: opts.allFields}
	if err := p.refresh(ctx); err != nil {
		return nil, err
	}
	// Where to resume: the lake's mark, found among the entries the
	// journal holds (and its checkpoint).
	j := opts.Journal
	cp := j.Checkpoint()
	last := j.WAL().Last()
	mark := cp
	if opts.Lake != nil && last > cp {
		mark = opts.Lake.Mark(cp, last)
	}
	n, err := j.Recover(mark)
	if err != nil {
		return nil, err
	}
	p.recovered = n
	p.committed.Store(mark)
	p.processed.Store(mark)
	if n > 0 {
		p.log.Info("recovering entries the lake does not hold", "entries", n, "after", mark)
	}
	return p, nil
}

// Recovered is the number of entries read back from the journal at start.
func (p *Pipeline) Recovered() int { return p.recovered }

// Generation is the detections running now.
func (p *Pipeline) Generation() *Generation { return p.gen.Load() }

// refresh loads a new generation if the active versions changed.
func (p *Pipeline) refresh(ctx context.Context) error {
	g, err := p.loader.next(ctx, p.gen.Load())
	if err != nil {
		msg := err.Error()
		p.genErr.Store(&msg)
		return err
	}
	p.genErr.Store(nil)
	if g == nil {
		return nil
	}
	p.gen.Store(g)
	p.opts.Metrics.Generation.Set(float64(g.N))
	p.opts.Metrics.ActiveRules.Set(float64(g.Rules()))
	var names []string
	for _, pk := range g.packs {
		names = append(names, pk.ref.String())
		if pk.err != "" {
			p.log.Error("an active pack version cannot run", "pack", pk.ref.String(), "error", pk.err)
		}
	}
	p.log.Info("detections", "generation", g.N, "packs", names, "rules", g.Rules())
	for _, s := range g.Shadowed {
		p.log.Warn("a detection is in two active packs", "detection", s)
	}
	return nil
}

type job struct {
	e       *ingest.Entry
	gen     *Generation
	events  []*event.Event
	matches [][]engine.Match
	bad     []BadRecord
	err     error
	done    chan struct{}
	// batch holds the events encoded for the lake by the worker (nil
	// without a lake): the sink only appends it (see batch.go).
	batch *lake.Batch
}

// Run processes the journal's entries until the journal is stopped and
// drained (graceful shutdown: the lake then commits everything), or until
// ctx is done (abort: what is not committed stays in the journal for the
// next start).
func (p *Pipeline) Run(ctx context.Context) error {
	pollCtx, stopPoll := context.WithCancel(ctx)
	defer stopPoll()
	go func() {
		t := time.NewTicker(p.opts.PollPacks)
		defer t.Stop()
		for {
			select {
			case <-pollCtx.Done():
				return
			case <-t.C:
				if err := p.refresh(pollCtx); err != nil && pollCtx.Err() == nil {
					p.log.Warn("reading the active packs", "error", err.Error())
				}
			}
		}
	}()

	jobs := make(chan *job, p.opts.Workers)
	order := make(chan *job, 2*p.opts.Workers)
	go func() {
		defer close(jobs)
		defer close(order)
		for {
			e := p.opts.Journal.Next(ctx)
			if e == nil {
				return
			}
			j := &job{e: e, gen: p.gen.Load(), done: make(chan struct{})}
			select {
			case order <- j:
			case <-ctx.Done():
				return
			}
			jobs <- j
		}
	}()
	var wg sync.WaitGroup
	for w := 0; w < p.opts.Workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p.worker(ctx, jobs)
		}()
	}
	err := p.sink(ctx, order)
	// Let the dispatcher and workers end.
	for j := range order {
		<-j.done
		releaseJob(j)
	}
	wg.Wait()
	return err
}

func releaseJob(j *job) {
	for _, e := range j.events {
		e.Release()
	}
	j.events = nil
}

// worker decodes and evaluates entries.
type workerState struct {
	dec   decoder
	gen   *Generation
	evals map[*engine.Set]*engine.Evaluator
}

func (p *Pipeline) worker(ctx context.Context, jobs <-chan *job) {
	st := &workerState{dec: decoder{maxRecord: p.opts.MaxRecordBytes}, evals: map[*engine.Set]*engine.Evaluator{}}
	defer func() {
		for _, ev := range st.evals {
			ev.Close()
		}
	}()
	for j := range jobs {
		if ctx.Err() == nil {
			p.work(st, j)
		}
		close(j.done)
	}
}

func (p *Pipeline) work(st *workerState, j *job) {
	if j.gen != st.gen {
		// A new generation: drop the VMs of sets it no longer runs.
		keep := map[*engine.Set]bool{}
		for _, pk := range j.gen.packs {
			if pk.set != nil {
				keep[pk.set] = true
			}
		}
		for set, ev := range st.evals {
			if !keep[set] {
				ev.Close()
				delete(st.evals, set)
				continue
			}
			ev.SetFields(j.gen.Fields) // what the new generation reads of its signals
		}
		st.gen = j.gen
	}
	e := j.e
	if p.opts.Lake != nil {
		j.batch = p.getBatch()
	}
	j.err = st.dec.decode(j.gen.reg, e, func(ev *event.Event) {
		j.events = append(j.events, ev)
		if j.batch != nil {
			j.batch.Add(ev) // now, while the event is in this core's cache
		}
	}, func(b BadRecord) {
		b.Seq, b.Input, b.Source, b.LogType, b.Time = e.Seq, e.Input, e.Source, e.LogType, e.Received
		if b.Data != nil {
			b.Data = append([]byte(nil), b.Data...)
		}
		j.bad = append(j.bad, b)
	})
	if len(j.events) == 0 {
		return
	}
	j.matches = make([][]engine.Match, len(j.events))
	var m engine.Match
	for i, ev := range j.events {
		rules := j.gen.byType[ev.LogType]
		if len(rules) == 0 {
			continue
		}
		var cur *engine.Set
		var evaluator *engine.Evaluator
		var ud *lua.LUserData
		for _, r := range rules {
			if r.set != cur {
				cur = r.set
				evaluator = st.evals[cur]
				if evaluator == nil {
					evaluator = engine.NewEvaluator(cur, engine.EvalOptions{Budget: p.opts.Budget, Fields: j.gen.Fields})
					st.evals[cur] = evaluator
				}
				ud = evaluator.NewEvent(ev)
			}
			if p.disabled(r.det) {
				continue
			}
			evaluator.EvaluateInto(r.det, ud, &m)
			if m.Err != nil && luavm.IsTimeout(m.Err) {
				p.timedOut(r.det)
			}
			if m.Matched || m.Err != nil {
				j.matches[i] = append(j.matches[i], m)
			}
		}
	}
}

// disableAfter is how many timeouts turn a detection off.
const disableAfter = 10

func (p *Pipeline) disabled(d *engine.Detection) bool {
	n, ok := p.timeouts.Load(d)
	return ok && n.(*atomic.Int64).Load() >= disableAfter
}

func (p *Pipeline) timedOut(d *engine.Detection) {
	n, _ := p.timeouts.LoadOrStore(d, new(atomic.Int64))
	if n.(*atomic.Int64).Add(1) == disableAfter {
		p.log.Error("detection turned off after repeated timeouts; upload a fixed version to run it again", "rule", d.ID, "timeouts", disableAfter)
	}
}

// Disabled lists the detections turned off after timeouts.
func (p *Pipeline) Disabled() []string {
	var out []string
	p.timeouts.Range(func(k, v any) bool {
		if v.(*atomic.Int64).Load() >= disableAfter {
			out = append(out, k.(*engine.Detection).ID)
		}
		return true
	})
	slices.Sort(out)
	return out
}

// sink consumes the jobs in journal order.
func (p *Pipeline) sink(ctx context.Context, order <-chan *job) error {
	defer close(p.sinkDone)
	o := p.opts
	// Waiters for the commit of rows written from outside (rows.go).
	var extWaiting []chan error
	met := o.Metrics
	var cur *job // the job whose matches are being added (for Raise)
	var curDet *engine.Detection
	// raised are the alerts raised and not closed yet. Later matches of
	// an alert mark it dirty; its state goes to the sink once a tick (and
	// when its window closes) rather than once a match, which bounds the
	// alert store's writes by the number of alerts, not of matches.
	type raisedAlert struct {
		alert   *engine.Alert
		version string
		period  time.Duration
		dirty   bool
	}
	raised := map[string]*raisedAlert{}
	send := func(r *raisedAlert, first bool) {
		da := DetectionAlert{Alert: *r.alert, PackVersion: r.version, DedupPeriod: r.period, First: first, Raised: o.Now()}
		da.Samples = append([][]byte(nil), r.alert.Samples...)
		da.LogTypes = append([]string(nil), r.alert.LogTypes...)
		r.dirty = false
		if o.Alerts != nil {
			if err := o.Alerts.RaiseDetection(ctx, da); err != nil {
				p.log.Error("alert sink", "rule", r.alert.RuleID, "error", err.Error())
			}
		}
	}
	flushDirty := func() {
		for _, r := range raised {
			if r.dirty {
				send(r, false)
			}
		}
	}
	agg := engine.NewAggregator(func(a *engine.Alert) {
		version := ""
		if r := raised[a.ID]; r != nil {
			if r.dirty {
				send(r, false)
			}
			version = r.version
			delete(raised, a.ID)
		}
		if o.Lake != nil {
			row := replay.AlertRow(a)
			if version != "" {
				row = append(row[:len(row)-1], `,"pack_version":"`+version+`"}`...)
			}
			if err := o.Lake.WriteRow("alerts", replay.AlertSchema, a.FirstEvent, row); err != nil {
				p.log.Error("lake: writing an alert", "error", err.Error())
			}
		}
	}, func(a *engine.Alert) {
		p.log.Warn("rule errors", "rule", a.RuleID, "error", a.Error, "events", a.EventCount)
	})
	agg.Raise = func(a *engine.Alert) {
		if r := raised[a.ID]; r != nil {
			r.dirty = true
			return
		}
		met.Alerts.WithLabelValues(a.RuleID).Inc()
		p.alerts.Add(1)
		r := &raisedAlert{alert: a, version: cur.gen.VersionOf(curDet.ID), period: curDet.DedupPeriod}
		raised[a.ID] = r
		send(r, true)
	}
	// Correlation rules: one engine per pack set of the generation; a new
	// generation's engines adopt the state of the rules that keep their
	// definition (chains in progress survive an activation), the others
	// start afresh.
	var corrGen *Generation
	corrs := map[*engine.Set]*correlate.Engine{}
	closeCorrs := func() {
		for _, c := range corrs {
			c.Flush()
			c.Close()
		}
		clear(corrs)
	}
	defer closeCorrs()
	useGen := func(g *Generation) {
		if g == corrGen {
			return
		}
		olds := make([]*correlate.Engine, 0, len(corrs))
		for _, c := range corrs {
			olds = append(olds, c)
		}
		defer func() {
			for _, c := range olds {
				c.Flush() // what did not move: open alerts, rules gone or changed
				c.Close()
			}
		}()
		clear(corrs)
		corrGen = g
		for set, ds := range g.corrs {
			c, err := correlate.New(correlate.Options{Set: set, Rules: ds, Budget: o.Budget, Lateness: CorrelationLateness,
				Retention: replay.ReplayLateness,
				Emit:      agg.Emit, EmitError: agg.EmitError})
			if err != nil {
				p.log.Error("correlation rules", "error", err.Error())
				continue
			}
			c.SetRaise(func(a *engine.Alert) {
				for _, d := range ds {
					if d.ID == a.RuleID {
						curDet = d
					}
				}
				agg.Raise(a)
			})
			c.Adopt(olds...)
			corrs[set] = c
		}
	}
	// The history of the rules with FirstSeen: the sink's, for the
	// pipeline's life, so it survives activations (a rule whose FirstSeen
	// changed starts afresh); in memory, so a restart learns again.
	firstSeen := engine.NewFirstSeenState(engine.FirstSeenOptions{})
	// reportCorrs puts the correlation and first-seen state in the metrics
	// (once a tick: the engines are the sink's alone).
	reportCorrs := func() {
		fst := firstSeen.Totals()
		met.FirstSeenValues.Set(float64(fst.Values))
		met.FirstSeenDropped.Set(float64(fst.DroppedKeys + fst.DroppedValues))
		var t correlate.RuleStats
		for _, c := range corrs {
			s := c.Totals()
			t.Held += s.Held
			t.OpenKeys += s.OpenKeys
			t.StateBytes += s.StateBytes
			t.DroppedKeys += s.DroppedKeys + s.DroppedMatch
		}
		met.CorrelationHeld.Set(float64(t.Held))
		met.CorrelationKeys.Set(float64(t.OpenKeys))
		met.CorrelationBytes.Set(float64(t.StateBytes))
		met.CorrelationDropped.Set(float64(t.DroppedKeys))
	}
	tick := time.NewTicker(o.Tick)
	defer tick.Stop()
	lastCommit := time.Now()
	var maxEvent, maxEventWall, lastEventWall time.Time
	matchRow := make([]lake.Value, len(replay.MatchSchema))
	var js []byte
	var cs counters
	var fatal error
	commit := func() {
		if o.DeadLetters != nil {
			if err := o.DeadLetters.Flush(); err != nil {
				p.log.Warn("dead letters", "error", err.Error())
			}
		}
		seq := p.processed.Load()
		if o.Lake == nil {
			if seq > p.committed.Load() {
				p.committed.Store(seq)
				_ = o.Journal.SaveCheckpoint(seq)
				_ = o.Journal.Truncate(seq)
			}
			return
		}
		start := time.Now()
		if err := o.Lake.Commit(seq, p.gen.Load().reg); err != nil {
			fatal = fmt.Errorf("lake commit: %w", err)
			for _, w := range extWaiting {
				w <- fatal
			}
			extWaiting = nil
			return
		}
		for _, w := range extWaiting {
			w <- nil
		}
		extWaiting = nil
		met.Commits.Observe(time.Since(start).Seconds())
		p.committed.Store(seq)
		if err := o.Journal.SaveCheckpoint(seq); err != nil {
			p.log.Warn("journal checkpoint", "error", err.Error())
		}
		if err := o.Journal.Truncate(seq); err != nil {
			p.log.Warn("journal truncate", "error", err.Error())
		}
	}
	for fatal == nil {
		var j *job
		var ok bool
		select {
		case <-ctx.Done():
			if o.Lake != nil {
				o.Lake.Abort()
			}
			return ctx.Err()
		case <-tick.C:
			// Idle for a tick: time passes by the clock. (While events
			// flow, windows close as in replay: by event time, swept as
			// matches accumulate.)
			if !maxEvent.IsZero() && time.Since(lastEventWall) >= o.Tick {
				agg.Advance(maxEvent.Add(time.Since(maxEventWall)))
				for _, c := range corrs {
					c.AdvanceTo(maxEvent.Add(time.Since(maxEventWall)))
				}
			}
			reportCorrs()
			flushDirty()
			if time.Since(lastCommit) >= o.CommitInterval {
				commit()
				lastCommit = time.Now()
			}
			continue
		case r := <-p.extReqs:
			if o.Lake == nil {
				r.done <- ErrNoLake
				continue
			}
			var err error
			for _, row := range r.rows {
				if err = o.Lake.WriteRow(r.table, r.schema, row.Time, row.JSON); err != nil {
					fatal = fmt.Errorf("lake: %w", err)
					break
				}
			}
			if err != nil || !r.wait {
				r.done <- err
				continue
			}
			extWaiting = append(extWaiting, r.done)
			commit()
			lastCommit = time.Now()
			continue
		case j, ok = <-order:
		}
		if !ok {
			break
		}
		<-j.done
		if ctx.Err() != nil {
			releaseJob(j)
			continue
		}
		cur = j
		useGen(j.gen)
		e := j.e
		for _, b := range j.bad {
			met.Rejected.WithLabelValues(e.Input).Inc()
			if o.DeadLetters != nil {
				o.DeadLetters.Add(b)
			}
		}
		if j.err != nil {
			p.log.Error("decoding an entry", "seq", e.Seq, "error", j.err.Error())
		}
		if j.batch != nil {
			if err := o.Lake.writeBatch(j.batch); err != nil {
				fatal = fmt.Errorf("lake: %w", err)
			}
			p.putBatch(j.batch)
			j.batch = nil
		}
		var lastType string
		var parsed *counter
		for i, ev := range j.events {
			if ev.LogType != lastType || parsed == nil {
				lastType = ev.LogType
				parsed = cs.get(e.Input, ev.LogType)
			}
			parsed.n++
			if ev.Time.After(maxEvent) {
				maxEvent, maxEventWall = ev.Time, time.Now()
			}
			for _, c := range corrs {
				c.Observe(ev.Time)
			}
			firstSeen.Observe(ev.Time)
			if j.matches != nil {
				for k := range j.matches[i] {
					m := &j.matches[i][k]
					firstSeen.Filter(m, ev) // a value seen before: no longer a match
					if m.Err != nil {
						met.RuleErrors.WithLabelValues(m.Detection.ID).Inc()
					}
					curDet = m.Detection
					id := ""
					if !j.gen.feedOnly[m.Detection] || m.Err != nil {
						id = agg.AddFrom(m, ev, true)
					}
					if m.Matched {
						for _, c := range corrs {
							if c.Wants(m.Detection.ID) {
								cin := correlate.Input{RuleID: m.Detection.ID, Time: ev.Time, RowID: ev.RowID, LogType: ev.LogType,
									Title: m.Title, Dedup: m.Dedup, AlertContext: m.AlertContext, Event: ev, Fresh: true}
								c.Add(&cin)
							}
						}
					}
					if o.Lake != nil && m.Matched {
						js = replay.MatchValues(matchRow, js, m, id, ev)
						if err := o.Lake.WriteValues("rule_matches", replay.MatchSchema, ev.Time, matchRow); err != nil {
							fatal = fmt.Errorf("lake: %w", err)
						}
					}
				}
			}
		}
		cs.flush(met)
		if len(j.events) > 0 {
			lastEventWall = time.Now()
		}
		p.events.Add(int64(len(j.events)))
		releaseJob(j)
		p.processed.Store(e.Seq)
		lag := time.Since(e.Received)
		p.lastLag.Store(int64(lag))
		met.Lag.Set(lag.Seconds())
		o.Journal.Done(e)
		if time.Since(lastCommit) >= o.CommitInterval {
			commit()
			lastCommit = time.Now()
		}
	}
	if fatal != nil {
		if o.Lake != nil {
			o.Lake.Abort()
		}
		return fatal
	}
	// Drained: close the windows that the clock has passed, commit.
	if !maxEvent.IsZero() {
		agg.Advance(maxEvent.Add(time.Since(maxEventWall)))
		for _, c := range corrs {
			c.AdvanceTo(maxEvent.Add(time.Since(maxEventWall)))
		}
	}
	reportCorrs()
	flushDirty()
	if o.Lake != nil {
		seq := p.processed.Load()
		if err := o.Lake.Close(seq); err != nil {
			return fmt.Errorf("lake: %w", err)
		}
		p.committed.Store(seq)
		_ = o.Journal.SaveCheckpoint(seq)
		_ = o.Journal.Truncate(seq)
	} else {
		commit()
	}
	return nil
}

// CorrelationLateness is how long after its window an absence is decided
// live (by event time, or by the clock when no event comes). Matches are
// held as long as in replay, so those that arrive out of order still join.
const CorrelationLateness = 5 * time.Minute

// counter batches the increments of one label pair within an entry.
type counter struct {
	input, logType string
	n              int
}

type counters []*counter

func (cs *counters) get(input, logType string) *counter {
	for _, c := range *cs {
		if c.input == input && c.logType == logType {
			return c
		}
	}
	c := &counter{input: input, logType: logType}
	*cs = append(*cs, c)
	return c
}

func (cs *counters) flush(m *ingest.Metrics) {
	for _, c := range *cs {
		if c.n > 0 {
			m.Parsed.WithLabelValues(c.input, c.logType).Add(float64(c.n))
		}
	}
	*cs = (*cs)[:0]
}

// Status is what GET /api/v1/status says about the pipeline.
type Status struct {
	Generation int          `json:"generation"`
	Loaded     time.Time    `json:"loaded"`
	Packs      []PackStatus `json:"packs"`
	Rules      int          `json:"rules"`
	Shadowed   []string     `json:"shadowed,omitempty"`
	Disabled   []string     `json:"disabled_after_timeouts,omitempty"`
	PackError  string       `json:"pack_error,omitempty"`
	Processed  uint64       `json:"processed_seq"`
	Committed  uint64       `json:"committed_seq"`
	Recovered  int          `json:"recovered_entries"`
	Events     int64        `json:"events"`
	Alerts     int64        `json:"alerts"`
	LagSeconds float64      `json:"lag_seconds"`
}

// Status reports the running detections and the pipeline's progress.
func (p *Pipeline) Status() Status {
	g := p.gen.Load()
	st := Status{Generation: g.N, Loaded: g.Loaded, Packs: g.Packs(), Rules: g.Rules(), Shadowed: g.Shadowed,
		Processed: p.processed.Load(), Committed: p.committed.Load(), Recovered: p.recovered,
		Events: p.events.Load(), Alerts: p.alerts.Load(), LagSeconds: time.Duration(p.lastLag.Load()).Seconds(),
		Disabled: p.Disabled()}
	if e := p.genErr.Load(); e != nil {
		st.PackError = *e
	}
	return st
}
