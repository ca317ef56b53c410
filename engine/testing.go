package engine

import (
	"fmt"
	"strings"
	"time"

	lua "github.com/yuin/gopher-lua"

	"panther/parsers"
	"panther/parsers/decode"
	"panther/parsers/event"
)

// What the test runner (package tester) needs of the engine: a test's
// event, and mocks applied to a fresh evaluator.

// TestEvent builds the event of a unit test: the Log decoded as JSON
// (decode.JSONEvent), with the standard fields of its log type filled in
// for rules (p_ fields written in the Log win, so tests written for
// Panther keep working).
func TestEvent(set *Set, d *Detection, t *TestSpec, now time.Time) (*event.Event, error) {
	logType := ""
	if len(d.LogTypes) > 0 {
		logType = d.LogTypes[0]
	}
	reg := set.Registry
	if d.Kind != TypeRule {
		reg = nil // a policy's resource types are not log types
	}
	return decode.JSONEvent(reg, logType, t.Log, parsers.Source{File: d.File}, int64(t.Line), now)
}

// TestHistory builds the events of a unit test's History (a rule with
// FirstSeen), as TestEvent builds its Log's; release them after use.
func TestHistory(set *Set, d *Detection, t *TestSpec, now time.Time) ([]*event.Event, error) {
	var out []*event.Event
	for i, js := range t.History {
		h := *t
		h.Log = js
		e, err := TestEvent(set, d, &h, now)
		if err != nil {
			for _, o := range out {
				o.Release()
			}
			return nil, fmt.Errorf("History event %d: %w", i+1, err)
		}
		out = append(out, e)
	}
	return out, nil
}

// MockApplied says what a mock replaced.
type MockApplied struct {
	Name string // objectName
	Line int    // of the mock in the spec
	// Where is what was replaced: "global of the detection", "helper aws"
	// (a field of its table, or one of its globals).
	Where string
	// Function tells whether a function was replaced (it now returns the
	// value), rather than a value.
	Function bool
	Value    any // returnValue
}

// ApplyMocks replaces globals for one test; call it on an evaluator just
// Reset, so the mocks die with the test. A plain name replaces a global of
// the detection, or of a helper it requires; "helper.name" replaces a field
// of that helper. A mocked function returns returnValue; a mocked value
// becomes returnValue. It says what each mock replaced.
func (ev *Evaluator) ApplyMocks(d *Detection, mocks []MockSpec) ([]MockApplied, error) {
	if len(mocks) == 0 {
		return nil, nil
	}
	in, err := ev.instance(d)
	if err != nil {
		return nil, nil // reported by the evaluation itself
	}
	vm := ev.vm
	var applied []MockApplied
	for _, mk := range mocks {
		val := vm.FromGo(mk.ReturnValue)
		done := MockApplied{Name: mk.ObjectName, Line: mk.Line, Value: mk.ReturnValue}
		replace := func(old lua.LValue) lua.LValue {
			if _, isFn := old.(*lua.LFunction); isFn {
				done.Function = true
				v := val
				return vm.L.NewFunction(func(L *lua.LState) int { L.Push(v); return 1 })
			}
			return val
		}
		name := mk.ObjectName
		if mod, field, dotted := strings.Cut(name, "."); dotted {
			if _, ok := ev.req.Module(mod); !ok {
				return applied, fmt.Errorf("mock %s (line %d): the detection does not require(%q)", name, mk.Line, mod)
			}
			if err := ev.patchModule(mod, field, replace); err != nil {
				return applied, fmt.Errorf("mock %s (line %d): %v", name, mk.Line, err)
			}
			done.Where = "helper " + mod
			applied = append(applied, done)
			continue
		}
		if old := in.env.Get(name); old != lua.LNil {
			in.env.Set(name, replace(old))
			// Keep the evaluator's function table in step (a mocked title).
			if f, ok := in.env.Get(name).(*lua.LFunction); ok {
				if _, aux := in.funcs[name]; aux {
					in.funcs[name] = f
				}
			}
			done.Where = "global of the detection"
			applied = append(applied, done)
			continue
		}
		var helpers []string
		for _, g := range ev.set.Globals {
			if _, ok := ev.req.Module(g.ID); ok && ev.patchModule(g.ID, name, replace) == nil {
				helpers = append(helpers, g.ID)
			}
		}
		if len(helpers) == 0 {
			return applied, fmt.Errorf("mock %s (line %d): no global named %s in %s or the helpers it requires", name, mk.Line, name, d.LuaFile)
		}
		done.Where = "helper " + strings.Join(helpers, ", ")
		applied = append(applied, done)
	}
	return applied, nil
}

// patchModule replaces field of a required helper: a global of the helper
// (seen through its functions too) or a field of the table it returned.
// Helpers are loaded afresh for each test, so the patch dies with it.
func (ev *Evaluator) patchModule(mod, field string, replace func(lua.LValue) lua.LValue) error {
	menv, _ := ev.req.Module(mod)
	if old := menv.Get(field); old != lua.LNil {
		menv.Set(field, replace(old))
		return nil
	}
	if v, ok := ev.req.Value(mod); ok {
		if t, isTable := v.(*lua.LTable); isTable {
			if old := t.RawGetString(field); old != lua.LNil {
				t.RawSetString(field, replace(old))
				return nil
			}
		}
	}
	return fmt.Errorf("helper %s has no %s", mod, field)
}
