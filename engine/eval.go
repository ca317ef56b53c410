package engine

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/valyala/fastjson"
	lua "github.com/yuin/gopher-lua"

	"panther/engine/luavm"
	"panther/parsers/event"
)

// Limits on what detections return, as Panther sets them.
const (
	MaxStringLen       = 1000
	MaxAlertContext    = 200 * 1024
	MaxDestinations    = 10
	truncatedMarker    = " [truncated]"
	severityDefaultStr = "DEFAULT"
)

// auxFuncs are the optional functions of a detection, in the order they run.
var auxFuncs = []string{"title", "dedup", "severity", "alert_context", "description", "reference", "runbook", "destinations"}

// auxField is each auxiliary function's AlertFields bit.
var auxField = map[string]AlertFields{"title": FieldTitle, "dedup": FieldDedup, "severity": FieldSeverity,
	"alert_context": FieldAlertContext, "description": FieldDescription, "reference": FieldReference,
	"runbook": FieldRunbook, "destinations": FieldDestinations}

// Match is what a detection made of one event.
type Match struct {
	Detection *Detection
	Matched   bool
	// Skipped says that rule()'s opening test, checked in Go (a guard),
	// rejected the event: Lua was not called.
	Skipped bool
	// Err is a rule error: rule() (or policy()) failed or timed out.
	Err error
	// The alert fields, when Matched, with defaults applied.
	Title, Dedup, Severity          string
	Description, Reference, Runbook string
	AlertContext                    []byte // JSON object, or nil
	Destinations                    []string
	// Suppressed is set when destinations() returned an empty list.
	Suppressed bool
	// AuxErrors are failures of the auxiliary functions; the alert then
	// uses the default for that field. They are rule errors of the
	// detection (the Aggregator reports them, replay counts their
	// timeouts).
	AuxErrors []FuncError
	// Outputs holds each function's raw result as JSON (debug only).
	Outputs map[string]string
}

// TimedOut reports whether rule() or any auxiliary function ran out of its
// time budget (what turns a detection off in a replay).
func (m *Match) TimedOut() bool {
	if m.Err != nil {
		return luavm.IsTimeout(m.Err)
	}
	for _, fe := range m.AuxErrors {
		if luavm.IsTimeout(fe.Err) {
			return true
		}
	}
	return false
}

// AlertFields selects auxiliary functions of a detection (EvalOptions.Fields).
type AlertFields uint16

// The auxiliary functions, as AlertFields bits.
const (
	FieldTitle AlertFields = 1 << iota
	FieldDedup
	FieldSeverity
	FieldAlertContext
	FieldDescription
	FieldReference
	FieldRunbook
	FieldDestinations

	AllFields AlertFields = 1<<iota - 1
)

// SignalReaders say what reads the matches of a rule in a run (replay or
// a generation of serve's detections), for SignalFields.
type SignalReaders struct {
	// FeedOnly: the rule runs only because a correlation names it.
	FeedOnly bool
	// MatchRows: its matches become rule_matches rows (title, dedup,
	// severity).
	MatchRows bool
	// Correlated: a correlation of the run names it. Its held matches
	// keep title, dedup and alert_context: the chain shows them, and the
	// correlation's keys and Lua functions may read the context.
	Correlated bool
}

// SignalFields says which auxiliary functions a match of d runs: all for a
// rule that raises alerts; for a signal (CreateAlert: false, or
// r.FeedOnly) only those whose results something reads — r's readers,
// and FirstSeen's values (alert_context: its Fields and By may read
// p_alert_context). A signal that feeds nothing runs none. Replay and
// serve both decide with it, so a signal costs the same in both.
func SignalFields(d *Detection, r SignalReaders) AlertFields {
	if !d.NoAlert && !r.FeedOnly {
		return AllFields
	}
	var f AlertFields
	if r.MatchRows {
		f |= FieldTitle | FieldDedup | FieldSeverity
	}
	if r.Correlated {
		f |= FieldTitle | FieldDedup | FieldAlertContext
	}
	if d.HasFirstSeen() {
		f |= FieldAlertContext
	}
	return f
}

// FuncError is a failed auxiliary function.
type FuncError struct {
	Func string
	Err  error
}

func (f FuncError) Error() string { return f.Func + "(): " + f.Err.Error() }

// instance is a detection loaded in a VM.
type instance struct {
	det   *Detection
	env   *luavm.Env
	main  *lua.LFunction // rule or policy
	funcs map[string]*lua.LFunction
	guard *luavm.Guard // rule()'s opening test, when it has one
	// fields are the auxiliary functions a match runs (EvalOptions.Fields).
	fields AlertFields
	slots  []int // each condition's field in the evaluator's per-event cache
}

// EvalOptions configure an Evaluator.
type EvalOptions struct {
	Budget time.Duration // per call; 0 = luavm.DefaultBudget
	Print  io.Writer     // print() output; nil discards it
	// KeepOutputs records every function's raw output (panther debug).
	KeepOutputs bool
	// NoGuards calls rule() for every event, even when its opening test
	// (luavm.Guard) already says it cannot match (for tests of guards).
	NoGuards bool
	// Now is the clock of Lua's time.now(); nil means time.Now. A policy
	// scan sets it to each resource's capture time.
	Now func() time.Time
	// Fields, when set, says which auxiliary functions to run on a match
	// of d (asked once per detection, and again by SetFields); nil runs
	// them all. Replay and serve run on a signal's matches (CreateAlert:
	// false) only the functions something reads (SignalFields): the
	// lake's rule_matches rows (title, dedup, severity), a correlation
	// (title, dedup, alert_context). A field
	// left out keeps its default (title: DisplayName or RuleID; dedup: the
	// title or GroupBy; severity: the spec's), and its function's errors
	// go unseen.
	Fields func(d *Detection) AlertFields
}

// Evaluator runs the detections of a Set in one Lua VM. It is not safe for
// concurrent use: give each worker its own.
type Evaluator struct {
	set    *Set
	vm     *luavm.VM
	req    *luavm.Requirer
	opts   EvalOptions
	inst   map[*Detection]*instance
	broken map[*Detection]error
	models map[*DataModel]*modelInstance
	udm    luavm.UDM

	guardPaths map[string]int
	guardEvent *event.Event
	guardVals  []*fastjson.Value // per slot, read once per event
	guardHave  []bool
}

// NewEvaluator makes an evaluator; detections load on first use.
func NewEvaluator(set *Set, opts EvalOptions) *Evaluator {
	vm := luavm.New(luavm.Options{Budget: opts.Budget, Print: opts.Print, Now: opts.Now, Internal: set.Internal})
	ev := &Evaluator{set: set, vm: vm, opts: opts,
		inst: map[*Detection]*instance{}, broken: map[*Detection]error{}, models: map[*DataModel]*modelInstance{},
		guardPaths: map[string]int{}}
	ev.req = vm.NewRequirer(set.chunkOf)
	ev.udm = ev.resolveUDM
	return ev
}

// SetFields replaces EvalOptions.Fields and asks it again for every
// detection loaded, keeping the VM and what the detections hold in it
// (serve: a new generation of the active packs may read a signal that the
// last one did not).
func (ev *Evaluator) SetFields(f func(d *Detection) AlertFields) {
	ev.opts.Fields = f
	for d, in := range ev.inst {
		in.fields = AllFields
		if f != nil && !ev.opts.KeepOutputs {
			in.fields = f(d)
		}
	}
}

// Close releases the VM.
func (ev *Evaluator) Close() { ev.vm.Close() }

// VM exposes the Lua state (tests, debug).
func (ev *Evaluator) VM() *luavm.VM { return ev.vm }

// Reset forgets every loaded detection and helper: the next use loads them
// afresh, as a test needs.
func (ev *Evaluator) Reset() {
	clear(ev.inst)
	clear(ev.broken)
	clear(ev.models)
	ev.req = ev.vm.NewRequirer(ev.set.chunkOf)
}

func (ev *Evaluator) instance(d *Detection) (*instance, error) {
	if in, ok := ev.inst[d]; ok {
		return in, nil
	}
	if err, ok := ev.broken[d]; ok {
		return nil, err
	}
	in, err := ev.load(d)
	if err != nil {
		ev.broken[d] = err
		return nil, err
	}
	ev.inst[d] = in
	return in, nil
}

func (ev *Evaluator) load(d *Detection) (*instance, error) {
	chunk, err := d.lua.compiled()
	if err != nil {
		return nil, err // compiled on first use (LoadOptions.LazyLua): file:line: what is wrong
	}
	if chunk == nil {
		return nil, fmt.Errorf("%s did not compile", d.LuaFile)
	}
	env, err := ev.vm.Load(chunk, ev.req)
	if err != nil {
		return nil, fmt.Errorf("loading %s: %w", d.LuaFile, err)
	}
	in := &instance{det: d, env: env, funcs: map[string]*lua.LFunction{}, fields: AllFields}
	if ev.opts.Fields != nil && !ev.opts.KeepOutputs {
		in.fields = ev.opts.Fields(d)
	}
	mainName := "rule"
	if d.Kind == TypePolicy {
		mainName = "policy"
	}
	in.main = env.Func(mainName)
	if in.main == nil && d.Kind != TypeCorrelationRule {
		return nil, fmt.Errorf("%s defines no %s(event) function", d.LuaFile, mainName)
	}
	for _, name := range auxFuncs {
		if f := env.Func(name); f != nil {
			in.funcs[name] = f
		}
	}
	if d.Kind == TypeRule && !ev.opts.NoGuards && !ev.opts.KeepOutputs {
		if in.guard = chunk.Guard("rule"); in.guard != nil {
			ev.vm.ShareScans(in.guard)
			for _, c := range in.guard.Conds {
				slot := -1 // AnyOf, Contains: read each time
				if c.Kind != luavm.AnyOf && c.Kind != luavm.Contains {
					slot = ev.guardSlot(c.Path)
				}
				in.slots = append(in.slots, slot)
			}
		}
	}
	return in, nil
}

// NewEvent wraps e for this evaluator's VM, for EvaluateEvent.
func (ev *Evaluator) NewEvent(e *event.Event) *lua.LUserData {
	// Guards of many rules read the same few fields (eventSource,
	// eventName): read each once per event.
	ev.guardEvent = e
	clear(ev.guardHave)
	return ev.vm.NewEvent(e, ev.udm)
}

// guardSlot numbers a guard's field path for the per-event cache.
func (ev *Evaluator) guardSlot(path []string) int {
	key := strings.Join(path, "\x00")
	if i, ok := ev.guardPaths[key]; ok {
		return i
	}
	i := len(ev.guardPaths)
	ev.guardPaths[key] = i
	ev.guardVals = append(ev.guardVals, nil)
	ev.guardHave = append(ev.guardHave, false)
	return i
}

// guardPasses checks in's guard on the current event.
func (ev *Evaluator) guardPasses(in *instance, e *event.Event) bool {
	if e != ev.guardEvent {
		return in.guard.Pass(e)
	}
	for i := range in.guard.Conds {
		c, slot := &in.guard.Conds[i], in.slots[i]
		if slot < 0 {
			if c.GivesWay(e, nil) {
				return true // reading the fields raises in Lua: let it
			}
			if !c.HoldsIn(ev.vm, in.main, e) {
				return false
			}
			continue
		}
		if !ev.guardHave[slot] {
			ev.guardVals[slot] = c.Value(e)
			ev.guardHave[slot] = true
		}
		v := ev.guardVals[slot]
		if c.Strict && c.GivesWay(e, v) {
			return true
		}
		if !c.Holds(v) {
			return false
		}
	}
	return true
}

// Evaluate runs d on e, with every auxiliary function when it matches.
func (ev *Evaluator) Evaluate(d *Detection, e *event.Event) Match {
	var m Match
	ev.EvaluateInto(d, ev.NewEvent(e), &m)
	return m
}

// EvaluateInto runs d on the wrapped event ud and fills m. It is the hot
// path of replay: one wrapped event serves every rule of its log type.
func (ev *Evaluator) EvaluateInto(d *Detection, ud *lua.LUserData, m *Match) {
	*m = Match{Detection: d}
	in, err := ev.instance(d)
	if err != nil {
		m.Err = err
		return
	}
	if in.guard != nil {
		if e := luavm.EventOf(ud); e != nil && !ev.guardPasses(in, e) {
			m.Skipped = true
			return // rule() would return false at its first statement
		}
	}
	ret, err := ev.vm.Call(in.main, ud)
	if ev.opts.KeepOutputs {
		m.output("rule", ev.vm, ret, err)
	}
	if err != nil {
		m.Err = err
		return
	}
	matched, err := ruleResult(d, ret)
	if err != nil {
		m.Err = err
		return
	}
	m.Matched = matched
	if matched {
		ev.alertFields(in, ud, m)
	}
}

// EvaluateCorrelation computes the alert fields of a correlation rule's
// firing: its optional Lua functions (title, dedup, severity,
// alert_context, ...) each receive the correlation c, an object that
// package correlate builds (the key, the matches of each step). Without a
// Lua file the defaults apply: title = DisplayName or RuleID, dedup = key.
func (ev *Evaluator) EvaluateCorrelation(d *Detection, c *event.Event, key string) Match {
	m := Match{Detection: d, Matched: true, Title: d.Title(), Dedup: key, Severity: d.Severity}
	if d.lua == nil {
		return m
	}
	in, err := ev.instance(d)
	if err != nil {
		m.Err = err
		return m
	}
	ud := ev.vm.NewEvent(c, nil)
	ev.alertFields(in, ud, &m)
	if in.funcs["dedup"] == nil {
		m.Dedup = key // the title is the same for every key
	}
	return m
}

func ruleResult(d *Detection, v lua.LValue) (bool, error) {
	name := "rule"
	if d.Kind == TypePolicy {
		name = "policy"
	}
	switch x := v.(type) {
	case lua.LBool:
		if d.Kind == TypePolicy {
			return !bool(x), nil // a policy returns true when compliant
		}
		return bool(x), nil
	case *lua.LNilType:
		if d.Kind == TypePolicy {
			return false, fmt.Errorf("policy() returned nil; return true (compliant) or false")
		}
		return false, nil
	}
	return false, fmt.Errorf("%s() returned a %s; return true or false", name, v.Type())
}

// alertFields runs the auxiliary functions of a match.
func (ev *Evaluator) alertFields(in *instance, ud *lua.LUserData, m *Match) {
	d := in.det
	m.Title = d.Title()
	m.Severity = d.Severity
	want := in.fields
	if want&FieldDedup != 0 && in.funcs["dedup"] == nil && len(d.groupBy) == 0 {
		want |= FieldTitle // the dedup string is the title
	}
	call := func(name string) (lua.LValue, bool) {
		f := in.funcs[name]
		if f == nil || want&auxField[name] == 0 {
			return lua.LNil, false
		}
		v, err := ev.vm.Call(f, ud)
		if ev.opts.KeepOutputs {
			m.output(name, ev.vm, v, err)
		}
		if err != nil {
			m.AuxErrors = append(m.AuxErrors, FuncError{name, err})
			return lua.LNil, false
		}
		return v, v != lua.LNil
	}
	str := func(name string, dst *string) {
		v, ok := call(name)
		if !ok {
			return
		}
		switch x := v.(type) {
		case lua.LString:
			*dst = truncate(string(x))
		case lua.LNumber:
			*dst = truncate(x.String())
		default:
			m.AuxErrors = append(m.AuxErrors, FuncError{name, fmt.Errorf("returned a %s; return a string", v.Type())})
		}
	}
	str("title", &m.Title)
	m.Dedup = m.Title
	if d.Kind == TypePolicy {
		// A policy's alerts are per resource (Panther's default).
		if e := luavm.EventOf(ud); e != nil && e.Fields != nil {
			if id := e.Fields.GetStringBytes("ResourceId"); len(id) > 0 {
				m.Dedup = string(id)
			}
		}
	}
	if len(d.groupBy) > 0 {
		// GroupBy: the alert groups by these fields' values, not the title.
		e := luavm.EventOf(ud)
		var parts, vals []string
		for _, g := range d.groupBy {
			vals = g.Values(vals[:0], e, nil)
			parts = append(parts, strings.Join(vals, ","))
		}
		m.Dedup = strings.Join(parts, ":")
	}
	str("dedup", &m.Dedup)
	var sev string
	str("severity", &sev)
	if sev != "" {
		if s, ok := NormalizeSeverity(sev); ok {
			m.Severity = s
		} else if !strings.EqualFold(sev, severityDefaultStr) {
			m.AuxErrors = append(m.AuxErrors, FuncError{"severity", fmt.Errorf("returned %q; return one of INFO, LOW, MEDIUM, HIGH, CRITICAL or DEFAULT", sev)})
		}
	}
	if v, ok := call("alert_context"); ok {
		if _, isTable := v.(*lua.LTable); !isTable {
			m.AuxErrors = append(m.AuxErrors, FuncError{"alert_context", fmt.Errorf("returned a %s; return a table", v.Type())})
		} else if js, err := ev.vm.ToJSONLimit(nil, v, MaxAlertContext); errors.Is(err, luavm.ErrTooLarge) {
			m.AuxErrors = append(m.AuxErrors, FuncError{"alert_context", fmt.Errorf("result over the %d byte limit", MaxAlertContext)})
		} else if err != nil {
			m.AuxErrors = append(m.AuxErrors, FuncError{"alert_context", err})
		} else {
			if len(js) > 0 && js[0] == '[' {
				m.AuxErrors = append(m.AuxErrors, FuncError{"alert_context", errors.New("returned a list; return a table of named values")})
			} else {
				m.AlertContext = js
			}
		}
	}
	str("description", &m.Description)
	str("reference", &m.Reference)
	str("runbook", &m.Runbook)
	if v, ok := call("destinations"); ok {
		t, isTable := v.(*lua.LTable)
		if !isTable {
			m.AuxErrors = append(m.AuxErrors, FuncError{"destinations", fmt.Errorf("returned a %s; return a list of names", v.Type())})
		} else {
			var dests []string
			bad := false
			t.ForEach(func(_, x lua.LValue) {
				if s, ok := x.(lua.LString); ok {
					dests = append(dests, string(s))
				} else {
					bad = true
				}
			})
			switch {
			case bad:
				m.AuxErrors = append(m.AuxErrors, FuncError{"destinations", errors.New("the list holds something other than strings")})
			case len(dests) > MaxDestinations:
				m.AuxErrors = append(m.AuxErrors, FuncError{"destinations", fmt.Errorf("%d destinations; at most %d", len(dests), MaxDestinations)})
			case len(dests) == 0:
				m.Suppressed = true
				m.Destinations = []string{}
			default:
				m.Destinations = dests
			}
		}
	}
}

func (m *Match) output(name string, vm *luavm.VM, v lua.LValue, err error) {
	if m.Outputs == nil {
		m.Outputs = map[string]string{}
	}
	if err != nil {
		m.Outputs[name] = "error: " + err.Error()
		return
	}
	js, jerr := vm.ToJSON(nil, v)
	if jerr != nil {
		m.Outputs[name] = fmt.Sprintf("<%s>", v.Type())
		return
	}
	m.Outputs[name] = string(js)
}

// truncate cuts s to MaxStringLen bytes (on a rune boundary) with a marker.
func truncate(s string) string {
	if len(s) <= MaxStringLen {
		return s
	}
	cut := MaxStringLen - len(truncatedMarker)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + truncatedMarker
}
