package scan

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"panther/engine"
	"panther/parsers/event"
)

// Status is a policy's verdict on a resource.
type Status uint8

// The statuses. A Lua error, a timeout, or a policy() that does not return
// a boolean is an Error, never a Pass.
const (
	Pass Status = iota
	Fail
	Error
)

func (s Status) String() string {
	switch s {
	case Fail:
		return "fail"
	case Error:
		return "error"
	}
	return "pass"
}

// Result is one policy's verdict on one resource.
type Result struct {
	Policy   *engine.Detection
	Resource *Resource
	Status   Status
	// Severity is the policy's, or what severity() returned.
	Severity string
	// For failures: the alert fields (title defaults to the policy's
	// DisplayName, dedup to the ResourceId: one alert per policy and
	// resource).
	Title, Dedup string
	AlertContext []byte
	// Err is the error of an Error; AuxErrors the failures of title(),
	// dedup()... on a failure (their defaults are used).
	Err       string
	AuxErrors []string
}

// Evaluated is everything the scan made of one resource.
type Evaluated struct {
	Resource *Resource
	Results  []Result
	// Suppressed lists the policies that did not run because one of their
	// Suppressions matches the ResourceId.
	Suppressed []*engine.Detection
}

// Options configure a Scanner.
type Options struct {
	// Policies are the policies to run; nil means every enabled policy of
	// the set.
	Policies []*engine.Detection
	// Workers evaluate in parallel (default GOMAXPROCS); results come out
	// in input order whatever their number.
	Workers int
	// Budget bounds each Lua call (default luavm's).
	Budget time.Duration
}

// Scanner runs policies on resources. It is safe for concurrent use: each
// Run has its own Lua VMs.
type Scanner struct {
	set      *engine.Set
	opts     Options
	policies []*engine.Detection
	byType   map[string][]*policy
}

type policy struct {
	d     *engine.Detection
	supps []string
}

// NewScanner prepares the policies of set.
func NewScanner(set *engine.Set, opts Options) *Scanner {
	sc := &Scanner{set: set, opts: opts, byType: map[string][]*policy{}}
	pols := opts.Policies
	if pols == nil {
		for _, d := range set.Detections {
			if d.Kind == engine.TypePolicy && d.Enabled {
				pols = append(pols, d)
			}
		}
	}
	for _, d := range pols {
		if d.Kind != engine.TypePolicy {
			continue
		}
		sc.policies = append(sc.policies, d)
		p := &policy{d: d, supps: d.Spec.Suppressions}
		for _, rt := range d.LogTypes {
			sc.byType[rt] = append(sc.byType[rt], p)
		}
	}
	for _, ps := range sc.byType {
		slices.SortFunc(ps, func(a, b *policy) int { return strings.Compare(a.d.ID, b.d.ID) })
	}
	return sc
}

// Policies are the policies the scanner runs, sorted by ID.
func (sc *Scanner) Policies() []*engine.Detection {
	out := slices.Clone(sc.policies)
	slices.SortFunc(out, func(a, b *engine.Detection) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// PoliciesFor are the policies of a resource type.
func (sc *Scanner) PoliciesFor(typ string) int { return len(sc.byType[typ]) }

// Suppressed reports whether a Suppressions pattern of d matches id. A
// pattern is the whole id with * for any run of characters and ? for one
// (Panther's resource id patterns).
func Suppressed(d *engine.Detection, id string) bool {
	for _, p := range d.Spec.Suppressions {
		if globMatch(p, id) {
			return true
		}
	}
	return false
}

// globMatch matches s against a pattern of literals, * and ?.
func globMatch(p, s string) bool {
	star, sStar := -1, 0
	i, j := 0, 0
	for j < len(s) {
		switch {
		case i < len(p) && (p[i] == '?' || p[i] == s[j]):
			i++
			j++
		case i < len(p) && p[i] == '*':
			star, sStar = i, j
			i++
		case star >= 0:
			i = star + 1
			sStar++
			j = sStar
		default:
			return false
		}
	}
	for i < len(p) && p[i] == '*' {
		i++
	}
	return i == len(p)
}

// worker evaluates resources in its own VM.
type worker struct {
	sc  *Scanner
	ev  *engine.Evaluator
	now time.Time // the clock of time.now() in the policies
}

func (sc *Scanner) newWorker() *worker {
	w := &worker{sc: sc}
	w.ev = engine.NewEvaluator(sc.set, engine.EvalOptions{Budget: sc.opts.Budget, Now: func() time.Time { return w.now }})
	return w
}

func (w *worker) evaluate(r *Resource) Evaluated {
	out := Evaluated{Resource: r}
	ps := w.sc.byType[r.Type]
	if len(ps) == 0 {
		return out
	}
	e := event.New()
	defer e.Release()
	if err := e.ParseJSON(r.JSON); err != nil {
		for _, p := range ps {
			out.Results = append(out.Results, Result{Policy: p.d, Resource: r, Status: Error, Severity: p.d.Severity,
				Err: "the resource is not a JSON object: " + err.Error()})
		}
		return out
	}
	e.LogType = r.Type
	w.now = r.Time
	ud := w.ev.NewEvent(e)
	var m engine.Match
	for _, p := range ps {
		if len(p.supps) > 0 && Suppressed(p.d, r.ID) {
			out.Suppressed = append(out.Suppressed, p.d)
			continue
		}
		w.ev.EvaluateInto(p.d, ud, &m)
		res := Result{Policy: p.d, Resource: r, Severity: p.d.Severity}
		switch {
		case m.Err != nil:
			res.Status = Error
			res.Err = m.Err.Error()
		case m.Matched:
			res.Status = Fail
			res.Severity = m.Severity
			res.Title = m.Title
			res.Dedup = m.Dedup
			res.AlertContext = m.AlertContext
			for _, ae := range m.AuxErrors {
				res.AuxErrors = append(res.AuxErrors, ae.Error())
			}
		default:
			res.Status = Pass
		}
		out.Results = append(out.Results, res)
	}
	return out
}

func (w *worker) close() { w.ev.Close() }

// EvaluateOne runs the policies on one resource (tests, serve's single
// resources).
func (sc *Scanner) EvaluateOne(r *Resource) Evaluated {
	w := sc.newWorker()
	defer w.close()
	return w.evaluate(r)
}

// Sink receives each resource's results, in the order the resources were
// fed; an error stops the run.
type Sink func(Evaluated) error

// ErrStopped is returned by feed after the run stopped (a sink error or a
// cancelled context); Run returns the reason.
var ErrStopped = errors.New("scan stopped")

// Run evaluates what produce feeds, in parallel, and hands the results to
// sink in feed order. produce runs on the calling goroutine; its feed
// function blocks while the workers are busy, so memory stays bounded by
// the resources in flight.
func (sc *Scanner) Run(ctx context.Context, produce func(feed Emit) error, sink Sink) error {
	workers := sc.opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type job struct {
		seq int
		r   *Resource
	}
	type done struct {
		seq int
		ev  Evaluated
	}
	jobs := make(chan job, workers*32)
	results := make(chan done, workers*32)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := sc.newWorker()
			defer w.close()
			for j := range jobs {
				select {
				case results <- done{j.seq, w.evaluate(j.r)}:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	// The sink takes results in feed order.
	sinkErr := make(chan error, 1)
	go func() {
		pending := map[int]Evaluated{}
		next := 0
		var err error
		for d := range results {
			if err != nil {
				continue
			}
			pending[d.seq] = d.ev
			for {
				ev, ok := pending[next]
				if !ok {
					break
				}
				delete(pending, next)
				next++
				if err = sink(ev); err != nil {
					cancel()
					break
				}
			}
		}
		sinkErr <- err
	}()
	seq := 0
	feed := func(r *Resource) error {
		select {
		case jobs <- job{seq, r}:
			seq++
			return nil
		case <-ctx.Done():
			return ErrStopped
		}
	}
	perr := produce(feed)
	close(jobs)
	wg.Wait()
	close(results)
	serr := <-sinkErr
	switch {
	case serr != nil:
		return serr
	case perr != nil && !errors.Is(perr, ErrStopped):
		return perr
	case ctx.Err() != nil:
		if err := context.Cause(ctx); err != nil && !errors.Is(err, context.Canceled) {
			return err
		}
		return ctx.Err()
	}
	return nil
}

// String names a result for messages: "POLICY on RESOURCE".
func (r *Result) String() string {
	return fmt.Sprintf("%s on %s", r.Policy.ID, r.Resource.ID)
}
