// Package replay streams raw log archives through the detection engine:
// inputs → records → parse/classify → normalise → evaluate the rules of
// the event's log type → alert aggregation → outputs (alerts, rule errors,
// dead letters, the lake).
//
// The pipeline, and why it is shaped so:
//
//	dispatcher ─► readers (one per open source, up to Workers at once):
//	              the decode step (package parsers/decode: decompress,
//	              split, classify, parse, normalise) — in record order,
//	              since parsers keep per-source state (Zeek headers) and
//	              the classifier learns per source
//	          ─► evaluators (Workers goroutines, one Lua VM each): the rules
//	              of each event's log type, batch by batch
//	          ─► sink (one goroutine): takes batches back in source order and
//	              batch order, aggregates alerts in event time, writes the lake
//
// Every queue is bounded: a reader may run at most a few batches ahead of
// the sink, and at most Workers sources are open at once, so memory does
// not depend on the size of the input. Because the sink consumes in input
// order, the alerts (and everything else) are the same for any number of
// workers.
package replay

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"panther/correlate"
	"panther/engine"
	"panther/lake"
	"panther/parsers"
	"panther/parsers/decode"
	"panther/parsers/event"
	"panther/parsers/input"
)

// ReplayLateness is how far out of event-time order a replay lets rule
// matches arrive and still correlate: an archive is read source by source,
// and a whole-day file of one log type may come before the hourly files
// of another. Absences are decided that long after their window, or at
// the end of the input.
const ReplayLateness = 24 * time.Hour

// Lake receives what a replay writes to the Parquet lake. lake's
// writer implements it (through an adapter in the command).
type Lake interface {
	// HasSource reports whether a source with this digest is in the lake
	// already; its events are then not written again.
	HasSource(digest string) bool
	// WriteEvent writes one normalised event (called in order, from one
	// goroutine; the event is released after the call).
	WriteEvent(e *event.Event) error
	// WriteValues writes a typed row of the alerts (AlertSchema) or
	// rule_matches (MatchSchema) table.
	WriteValues(table string, schema []parsers.Column, t time.Time, row []lake.Value) error
	// WriteValuesOnce writes a typed row unless the lake holds one of that
	// table and key already: an alert, by its id, is written once however
	// many replays (incremental ones too) raise it.
	WriteValuesOnce(table, key string, schema []parsers.Column, t time.Time, row []lake.Value) error
	// SourceDone says that every event of a source has been written, or,
	// with failed, that the source broke off and its rows must not stay.
	SourceDone(path, digest string, events int64, failed bool) error
}

// LakeBatcher is a Lake that can encode events ahead of writing them
// (lake's Batch): Run then has the reader of a source encode each
// event right after parsing it, while it is in the CPU's cache, and writes
// each batch with WriteBatch, in order, instead of WriteEvent.
type LakeBatcher interface {
	NewBatch() LakeBatch
	// WriteBatch writes the batch's rows and empties it.
	WriteBatch(LakeBatch) error
}

// LakeBatch holds encoded rows; Add copies what it needs of the event.
type LakeBatch interface {
	Add(e *event.Event)
}

// Progress is a snapshot of a run, for progress bars.
type Progress struct {
	BytesDone  int64 // raw (compressed) bytes read
	BytesTotal int64 // of every source whose size is known
	Events     int64
	Alerts     int64
	Elapsed    time.Duration
}

// Options configure a replay.
type Options struct {
	Sources  []input.Source
	Registry *parsers.Registry
	// LogType, when set, parses every record as that type (no classifier).
	LogType *parsers.LogType
	Set     *engine.Set
	// Rules are the detections to run; nil means every enabled rule and
	// every enabled correlation rule. A correlation rule among them brings
	// the rules it names: they run for it (their matches feed it and
	// rule_matches) but raise no alert unless selected themselves.
	Rules []*engine.Detection
	// NoCorrelations leaves correlation rules out.
	NoCorrelations bool
	// BatchBytes is the records' bytes at which a batch closes (0:
	// DefaultBatchBytes, LakeBatchBytes with a Lake); for benchmarks.
	BatchBytes int
	// Correlate tunes the correlation engine (Set, Rules, Emit are set by
	// Run); zero values are the defaults of package correlate.
	Correlate correlate.Options
	// MemoryLimit is the soft memory limit the caller set for the process
	// (debug.SetMemoryLimit; 0: none, and Run leaves the limit alone).
	// Run raises it as the correlation state grows, and puts it back when
	// it returns: see memLimit.
	MemoryLimit int64
	// FirstSeen bounds the history of rules with FirstSeen.
	FirstSeen      engine.FirstSeenOptions
	Workers        int // 0 = GOMAXPROCS
	Since, Until   time.Time
	MaxRecordBytes int
	Label          string // p_source_label
	Budget         time.Duration
	Lake           Lake
	Now            func() time.Time
	// DisableAfterTimeouts turns off a detection after this many timeouts,
	// so one runaway rule cannot stall a replay (0 = 10; -1 = never).
	DisableAfterTimeouts int
	// Stdin replaces os.Stdin for the source "-".
	Stdin io.Reader
	// Year, when set, is the year of each source's first year-less
	// timestamp (RFC 3164 syslog; see parsers.YearSetter).
	Year int
	// Open, when set, opens sources instead of the file system (fixture
	// tests read the embedded detections this way).
	Open func(path string) (io.ReadCloser, error)

	OnAlert       func(*engine.Alert)
	OnRuleError   func(*engine.Alert)
	OnBadRecord   func(*decode.BadRecord)
	OnSourceError func(error)
	OnProgress    func(Progress)
	// KeepBadRecords copies the raw bad records into decode.BadRecord.Data
	// (for a dead-letter file).
	KeepBadRecords bool
	// ProfileRules measures what each detection costs (Stats.Profile).
	ProfileRules bool
}

// Stats sum up a run.
type Stats struct {
	Sources       int
	SourcesFailed int
	Bytes         int64            // raw bytes read
	Records       int64            // records read
	Events        map[string]int64 // events per log type
	Unparsed      int64            // records rejected
	Filtered      int64            // events outside --since/--until
	Alerts        int
	AlertsPerRule map[string]int
	ErrorsPerRule map[string]int
	Disabled      []string // detections turned off after timeouts
	// Correlations are the counters of each correlation rule run.
	Correlations map[string]correlate.RuleStats
	// FirstSeen are the counters of each rule with FirstSeen.
	FirstSeen   map[string]engine.FirstSeenStats
	LakeSkipped int // sources already in the lake
	Elapsed     time.Duration
	// Profile is each detection's cost, the costliest first
	// (Options.ProfileRules).
	Profile []RuleProfile
}

// TotalEvents sums Events.
func (s *Stats) TotalEvents() int64 {
	var n int64
	for _, v := range s.Events {
		n += v
	}
	return n
}

// A batch closes at batchEvents events or DefaultBatchBytes of records,
// whichever comes first. The bytes bound is for the cache: a reader
// parses a batch, then an evaluator reads its events' fields, often on
// the other core; with batches of up to 1 MiB (about 700 CloudTrail
// events before the 256 cap) the parsed events had left the cache by
// then, and the key comparisons of every field lookup (fastjson's
// Object.Get) were cache misses, a tenth of the replay's CPU. At 48 KiB
// (about 40 CloudTrail events; a batch of 256 short lines, such as web
// or syslog, is smaller than that anyway) the 1 GB CloudTrail replay
// took 0.87x the CPU and 0.92x the wall time (3 pairs), the 64 MB one
// 0.91x to 0.94x CPU (series of 5 to 10 pairs, BenchmarkReplayBatch),
// and the web and Zeek replays were unchanged. With a lake it is not
// used (LakeBatchBytes): there the reader encodes each event for the
// lake as it parses it, the CPU was the same (0.99x) and the wall time
// 1.03x to 1.04x (two series of 4 and 8 pairs, 64 MB), the sink writing
// five times as many lake batches.
const (
	batchEvents       = 256
	DefaultBatchBytes = 48 << 10
	LakeBatchBytes    = 1 << 20
	aheadPerSrc       = 4 // batches a reader may run ahead of the sink
)

type batch struct {
	src      int
	events   []*event.Event
	matches  [][]engine.Match // per event: the matches and rule errors
	bad      []*decode.BadRecord
	filtered int
	records  int64 // records read for the batch (bad ones and headers included)
	rawBytes int64 // bytes of the source read when the batch closed
	last     bool
	srcErr   error
	digest   string
	skipLake bool
	lake     LakeBatch // the events encoded for the lake (LakeBatcher)
	done     chan struct{}
}

type job struct {
	idx   int
	order chan *batch
}

// Run replays the sources. It returns the statistics and an error only for
// what stops the whole run (cancellation, a lake write failure); problems
// with one source or record go to the callbacks and the run goes on.
func Run(ctx context.Context, opts Options) (*Stats, error) {
	start := time.Now()
	if opts.Workers <= 0 {
		opts.Workers = runtime.GOMAXPROCS(0)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Registry == nil {
		opts.Registry = opts.Set.Registry
	}
	if opts.Registry == nil || len(opts.Registry.All()) == 0 {
		return nil, errors.New("replay: no log types (Options.Registry and the set's registry are nil or empty)")
	}
	if opts.DisableAfterTimeouts == 0 {
		opts.DisableAfterTimeouts = 10
	}
	if opts.BatchBytes <= 0 {
		opts.BatchBytes = DefaultBatchBytes
		if opts.Lake != nil {
			opts.BatchBytes = LakeBatchBytes
		}
	}
	rules, corrs, feedOnly := splitRules(opts)
	var corr *correlate.Engine
	if len(corrs) > 0 {
		co := opts.Correlate
		co.Set, co.Rules, co.Budget = opts.Set, corrs, opts.Budget
		if co.Lateness == 0 {
			co.Lateness = ReplayLateness
		}
		var err error
		if corr, err = correlate.New(co); err != nil {
			return nil, err
		}
		defer corr.Close()
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	r := &run{opts: opts, byType: map[string][]ruleRef{}, corr: corr, feedOnly: feedOnly, stats: &Stats{Events: map[string]int64{}, Sources: len(opts.Sources)},
		timeouts: map[*engine.Detection]*atomic.Int64{}, disabled: map[*engine.Detection]*atomic.Bool{}}
	if engine.NeedsFirstSeen(rules) {
		r.firstSeen = engine.NewFirstSeenState(opts.FirstSeen)
	}
	r.batcher, _ = opts.Lake.(LakeBatcher)
	if opts.ProfileRules {
		r.prof = &profiler{rules: map[*engine.Detection]*RuleProfile{}}
	}
	r.dec = decode.New(decode.Options{Registry: opts.Registry, LogType: opts.LogType, Label: opts.Label,
		MaxRecordBytes: opts.MaxRecordBytes, Now: opts.Now, KeepBadRecords: opts.KeepBadRecords, Year: opts.Year})
	r.signalFields = map[*engine.Detection]engine.AlertFields{}
	for _, d := range rules {
		r.timeouts[d] = new(atomic.Int64)
		r.disabled[d] = new(atomic.Bool)
		if f := r.signalFieldsOf(d); f != engine.AllFields {
			r.signalFields[d] = f
		}
		for _, lt := range d.LogTypes {
			r.byType[lt] = append(r.byType[lt], ruleRef{d, r.disabled[d], r.timeouts[d]})
		}
	}
	for _, s := range opts.Sources {
		if s.Size > 0 {
			r.totalBytes += s.Size
		}
	}

	sinkQ := make(chan job, opts.Workers)
	jobs := make(chan job)
	evalQ := make(chan *batch, 2*opts.Workers)

	// Dispatcher: sources in order, each with its ordered batch channel.
	go func() {
		defer close(sinkQ)
		defer close(jobs)
		for i := range opts.Sources {
			j := job{idx: i, order: make(chan *batch, aheadPerSrc)}
			select {
			case sinkQ <- j:
			case <-ctx.Done():
				return
			}
			select {
			case jobs <- j:
			case <-ctx.Done():
				close(j.order)
				return
			}
		}
	}()
	var readers sync.WaitGroup
	for w := 0; w < opts.Workers; w++ {
		readers.Add(1)
		go func() {
			defer readers.Done()
			for j := range jobs {
				r.read(ctx, j, evalQ)
			}
		}()
	}
	var evals sync.WaitGroup
	for w := 0; w < opts.Workers; w++ {
		evals.Add(1)
		go func() {
			defer evals.Done()
			ev := engine.NewEvaluator(opts.Set, engine.EvalOptions{Budget: opts.Budget, Fields: r.fields})
			defer ev.Close()
			var prof *evalProfile
			if r.prof != nil {
				prof = newEvalProfile()
				defer r.prof.merge(prof)
			}
			for b := range evalQ {
				r.evaluate(ctx, ev, b, prof)
				close(b.done)
			}
		}()
	}
	go func() {
		readers.Wait()
		close(evalQ)
	}()

	err := r.sink(ctx, sinkQ, cancel)
	// Drain: let every goroutine finish before returning.
	cancel()
	for j := range sinkQ {
		for b := range j.order {
			<-b.done
			releaseAll(b)
		}
	}
	evals.Wait()
	r.stats.Elapsed = time.Since(start)
	if r.prof != nil {
		r.stats.Profile = r.prof.list()
	}
	for d, dis := range r.disabled {
		if dis.Load() {
			r.stats.Disabled = append(r.stats.Disabled, d.ID)
		}
	}
	if err == nil {
		err = ctx.Err()
		if errors.Is(err, context.Canceled) && r.finished {
			err = nil
		}
	}
	return r.stats, err
}

type run struct {
	opts        Options
	corr        *correlate.Engine
	firstSeen   *engine.FirstSeenState // with rules that have FirstSeen
	feedOnly    map[*engine.Detection]bool
	byType      map[string][]ruleRef
	stats       *Stats
	totalBytes  int64
	doneBytes   atomic.Int64
	timeouts    map[*engine.Detection]*atomic.Int64
	disabled    map[*engine.Detection]*atomic.Bool
	finished    bool
	fatal       error // a lake failure: ends the run
	batcher     LakeBatcher
	lakeBatches sync.Pool // of LakeBatch
	prof        *profiler // with Options.ProfileRules
	// signalFields are the alert functions the signals' matches run.
	signalFields map[*engine.Detection]engine.AlertFields
	dec          *decode.Decoder
}

// ruleRef is a detection to run on the events of a log type, with its
// counters at hand (no map lookups per event and rule).
type ruleRef struct {
	d        *engine.Detection
	disabled *atomic.Bool
	timeouts *atomic.Int64
}

func releaseAll(b *batch) {
	for _, e := range b.events {
		e.Release()
	}
	b.events = nil
}

// read turns one source into batches, in order.
func (r *run) read(ctx context.Context, j job, evalQ chan<- *batch) {
	defer close(j.order)
	src := r.opts.Sources[j.idx]
	cur := &batch{src: j.idx, done: make(chan struct{})}
	send := func(b *batch) bool {
		select {
		case evalQ <- b:
		case <-ctx.Done():
			close(b.done)
			releaseAll(b)
			return false
		}
		select {
		case j.order <- b:
			return true
		case <-ctx.Done():
			return false
		}
	}
	fail := func(err error) {
		cur.last, cur.srcErr = true, err
		send(cur)
	}

	var digest string
	skipLake := false
	if r.opts.Lake != nil && src.Path != "-" && r.opts.Open == nil {
		d, err := fileDigest(src.Path)
		if err != nil {
			fail(&input.SourceError{File: src.Path, Err: err})
			return
		}
		digest = d
		skipLake = r.opts.Lake.HasSource(digest)
	}
	var stream *decode.Stream
	var err error
	var hasher *hashingReader
	dsrc := r.dec.Source(src.Path)
	switch {
	case src.Path == "-":
		in := r.opts.Stdin
		if in == nil {
			in = os.Stdin
		}
		if r.opts.Lake != nil {
			hasher = &hashingReader{r: in, h: sha256.New()}
			in = hasher
		}
		stream, err = dsrc.NewStream(in)
	case r.opts.Open != nil:
		var rc io.ReadCloser
		if rc, err = r.opts.Open(src.Path); err == nil {
			defer rc.Close()
			stream, err = dsrc.NewStream(rc)
		}
	default:
		stream, err = dsrc.Open(src.Path)
	}
	if err != nil {
		var se *input.SourceError
		if !errors.As(err, &se) {
			err = &input.SourceError{File: src.Path, Err: err}
		}
		fail(err)
		return
	}
	defer stream.Close()
	var lastRaw, records int64
	size := 0
	for {
		if ctx.Err() != nil {
			return
		}
		it, err := stream.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			cur.srcErr = err
			break
		}
		if it.Bad != nil {
			cur.bad = append(cur.bad, it.Bad)
			continue
		}
		e := it.Event
		if (!r.opts.Since.IsZero() && e.Time.Before(r.opts.Since)) || (!r.opts.Until.IsZero() && !e.Time.Before(r.opts.Until)) {
			e.Release()
			cur.filtered++
			continue
		}
		cur.events = append(cur.events, e)
		if r.batcher != nil && !skipLake {
			// Encoded now, while the event is in the CPU's cache.
			if cur.lake == nil {
				cur.lake = r.lakeBatch()
			}
			cur.lake.Add(e)
		}
		size += it.Size
		if len(cur.events) >= batchEvents || size >= r.opts.BatchBytes {
			raw := stream.RawBytes()
			cur.rawBytes = raw - lastRaw
			lastRaw = raw
			n := stream.Stats().Records
			cur.records, records = n-records, n
			cur.skipLake = skipLake
			if !send(cur) {
				return
			}
			cur = &batch{src: j.idx, done: make(chan struct{})}
			size = 0
		}
	}
	raw := stream.RawBytes()
	cur.rawBytes = raw - lastRaw
	cur.records = stream.Stats().Records - records
	cur.last = true
	cur.skipLake = skipLake
	if hasher != nil {
		digest = hex.EncodeToString(hasher.h.Sum(nil))
	}
	cur.digest = digest
	send(cur)
}

type hashingReader struct {
	r io.Reader
	h interface {
		io.Writer
		Sum([]byte) []byte
	}
}

func (h *hashingReader) Read(p []byte) (int, error) {
	n, err := h.r.Read(p)
	h.h.Write(p[:n])
	return n, err
}

// lakeBatch returns an empty lake batch, reused if one is free.
func (r *run) lakeBatch() LakeBatch {
	if lb, ok := r.lakeBatches.Get().(LakeBatch); ok {
		return lb
	}
	return r.batcher.NewBatch()
}

// fileDigest is the sha256 of a file's raw bytes: the identity of a source
// in the lake's ledger.
func fileDigest(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// evaluate runs the rules of each event's log type over a batch.
func (r *run) evaluate(ctx context.Context, ev *engine.Evaluator, b *batch, prof *evalProfile) {
	if len(b.events) == 0 || ctx.Err() != nil {
		return
	}
	if prof != nil {
		prof.startBatch()
		defer prof.endBatch()
	}
	b.matches = make([][]engine.Match, len(b.events))
	var m engine.Match
	for i, e := range b.events {
		rules := r.byType[e.LogType]
		if len(rules) == 0 {
			continue
		}
		ud := ev.NewEvent(e)
		for _, rr := range rules {
			d := rr.d
			if rr.disabled.Load() {
				continue
			}
			if prof != nil {
				t0 := time.Now()
				ev.EvaluateInto(d, ud, &m)
				prof.add(d, &m, time.Since(t0))
			} else {
				ev.EvaluateInto(d, ud, &m)
			}
			if m.TimedOut() {
				if n := rr.timeouts.Add(1); r.opts.DisableAfterTimeouts > 0 && n >= int64(r.opts.DisableAfterTimeouts) {
					rr.disabled.Store(true)
				}
			}
			if m.Matched || m.Err != nil {
				b.matches[i] = append(b.matches[i], m)
			}
		}
	}
}

// sink consumes batches in input order.
func (r *run) sink(ctx context.Context, sinkQ <-chan job, cancel func()) error {
	st := r.stats
	var alerts int64
	store := func(a *engine.Alert) {
		if err := r.opts.Lake.WriteValuesOnce("alerts", a.ID, AlertSchema, a.FirstEvent, AlertValues(a)); err != nil {
			r.lakeErr(err)
		}
	}
	// A correlation alert is stored once every source its matches came
	// from was read whole, and not if one broke off: held until then.
	srcs := &sourceStates{state: map[string]sourceState{}}
	emit := func(a *engine.Alert) {
		alerts++
		if r.opts.Lake != nil && a.Fresh {
			if a.Sources == nil {
				store(a)
			} else {
				srcs.hold(a, store)
			}
		}
		if r.opts.OnAlert != nil {
			r.opts.OnAlert(a)
		}
	}
	emitError := func(a *engine.Alert) {
		if r.opts.OnRuleError != nil {
			r.opts.OnRuleError(a)
		}
	}
	agg := engine.NewAggregator(emit, emitError)
	corr := r.corr
	if corr != nil {
		corr.SetEmit(emit, func(a *engine.Alert) {
			agg.ErrorsPerRule[a.RuleID] += a.EventCount
			emitError(a)
		})
	}
	var cin correlate.Input
	limit := memLimit{base: r.opts.MemoryLimit, set: r.opts.MemoryLimit}
	defer limit.restore()
	fs := r.firstSeen
	lastProgress := time.Now()
	start := lastProgress
	row := make([]lake.Value, len(MatchSchema))
	var js []byte
	for j := range sinkQ {
		var srcEvents int64
		for b := range j.order {
			<-b.done
			if err := ctx.Err(); err != nil {
				releaseAll(b)
				continue
			}
			for _, bad := range b.bad {
				st.Unparsed++
				if r.opts.OnBadRecord != nil {
					r.opts.OnBadRecord(bad)
				}
			}
			st.Filtered += int64(b.filtered)
			st.Records += b.records
			st.Bytes += b.rawBytes
			r.doneBytes.Add(b.rawBytes)
			if b.lake != nil {
				if err := r.batcher.WriteBatch(b.lake); err != nil {
					r.lakeErr(err)
				}
				r.lakeBatches.Put(b.lake)
				b.lake = nil
			}
			for i, e := range b.events {
				st.Events[e.LogType]++
				srcEvents++
				if r.opts.Lake != nil && !b.skipLake && r.batcher == nil {
					if err := r.opts.Lake.WriteEvent(e); err != nil {
						r.lakeErr(err)
					}
				}
				if corr != nil {
					corr.Observe(e.Time)
				}
				if fs != nil {
					fs.Observe(e.Time)
				}
				if b.matches != nil {
					for k := range b.matches[i] {
						m := &b.matches[i][k]
						if fs != nil {
							fs.Filter(m, e) // a value seen before: no longer a match
						}
						id := ""
						if !r.feedOnly[m.Detection] || m.Err != nil {
							id = agg.AddFrom(m, e, !b.skipLake)
						}
						if corr != nil && m.Matched { // Add passes over the matches no correlation takes
							cin = correlate.Input{RuleID: m.Detection.ID, Time: e.Time, RowID: e.RowID, LogType: e.LogType,
								Title: m.Title, Dedup: m.Dedup, AlertContext: m.AlertContext, Event: e, Fresh: !b.skipLake}
							corr.Add(&cin)
						}
						if r.opts.Lake != nil && m.Matched && !b.skipLake {
							js = MatchValues(row, js, m, id, e)
							if err := r.opts.Lake.WriteValues("rule_matches", MatchSchema, e.Time, row); err != nil {
								r.lakeErr(err)
							}
						}
					}
				}
				e.Release()
			}
			b.events = nil
			if corr != nil {
				limit.follow(corr.StateBytes())
			}
			if b.last {
				if b.srcErr != nil {
					st.SourcesFailed++
					if r.opts.OnSourceError != nil {
						r.opts.OnSourceError(b.srcErr)
					}
				}
				if r.opts.Lake != nil {
					if b.skipLake {
						st.LakeSkipped++
					} else if err := r.opts.Lake.SourceDone(r.opts.Sources[b.src].Path, b.digest, srcEvents, b.srcErr != nil); err != nil {
						r.lakeErr(err)
					}
					srcs.done(r.opts.Sources[b.src].Path, b.srcErr != nil, store)
				}
			}
			if r.fatal != nil {
				cancel()
			}
			if r.opts.OnProgress != nil && time.Since(lastProgress) > 100*time.Millisecond {
				lastProgress = time.Now()
				r.opts.OnProgress(Progress{BytesDone: r.doneBytes.Load(), BytesTotal: r.totalBytes,
					Events: st.TotalEvents(), Alerts: alerts, Elapsed: time.Since(start)})
			}
		}
	}
	if ctx.Err() == nil {
		agg.Flush()
		if corr != nil {
			corr.Flush()
		}
		r.finished = true
	}
	if fs != nil {
		st.FirstSeen = fs.Stats()
	}
	if corr != nil {
		st.Correlations = corr.Stats()
		for id, n := range corr.PerRule() {
			agg.PerRule[id] += n
		}
	}
	st.Alerts = int(alerts)
	st.AlertsPerRule = agg.PerRule
	st.ErrorsPerRule = agg.ErrorsPerRule
	if r.opts.OnProgress != nil {
		r.opts.OnProgress(Progress{BytesDone: r.doneBytes.Load(), BytesTotal: r.totalBytes,
			Events: st.TotalEvents(), Alerts: alerts, Elapsed: time.Since(start)})
	}
	if r.fatal != nil {
		return r.fatal
	}
	return nil
}

// splitRules sorts the detections to run into rules and correlation
// rules, adding the rules a correlation names that are not selected: they
// run only to feed it (feedOnly).
func splitRules(opts Options) (rules, corrs []*engine.Detection, feedOnly map[*engine.Detection]bool) {
	sel := opts.Rules
	if sel == nil {
		for _, d := range opts.Set.Detections {
			if (d.Kind == engine.TypeRule || d.Kind == engine.TypeCorrelationRule) && d.Enabled {
				sel = append(sel, d)
			}
		}
	}
	feedOnly = map[*engine.Detection]bool{}
	for _, d := range sel {
		switch d.Kind {
		case engine.TypeRule:
			rules = append(rules, d)
		case engine.TypeCorrelationRule:
			if !opts.NoCorrelations && d.Correlation != nil {
				corrs = append(corrs, d)
			}
		}
	}
	for _, c := range corrs {
		for _, id := range c.Correlation.RuleIDs() {
			d, ok := opts.Set.Detection(id)
			if !ok || d.Kind != engine.TypeRule || slices.Contains(rules, d) {
				continue
			}
			rules = append(rules, d)
			feedOnly[d] = true
		}
	}
	return rules, corrs, feedOnly
}

// fields says which alert functions a match of d runs (asked by the
// evaluators; signalFields answers from what Run computed before they
// started).
func (r *run) fields(d *engine.Detection) engine.AlertFields {
	if f, ok := r.signalFields[d]; ok {
		return f
	}
	return engine.AllFields
}

// signalFieldsOf says which alert functions a match of d runs in this
// run (engine.SignalFields: the same decision as serve's).
func (r *run) signalFieldsOf(d *engine.Detection) engine.AlertFields {
	return engine.SignalFields(d, engine.SignalReaders{FeedOnly: r.feedOnly[d], MatchRows: r.opts.Lake != nil,
		Correlated: r.corr != nil && r.corr.Wants(d.ID)})
}

func (r *run) lakeErr(err error) {
	if r.fatal == nil {
		r.fatal = fmt.Errorf("lake: %w", err)
	}
}
