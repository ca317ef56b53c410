// Package explain tells what panther makes of one raw log line: the log
// type chosen and why (every family tried before it, and why each passed
// the line over), the normalised event, and every enabled rule of that log
// type with its guard (the opening test the engine checks in Go before
// calling Lua), rule()'s value, the auxiliary functions' outputs, what it
// printed, and its errors. It is the authoring companion of replay (panther
// explain), as CrowdSec's explain is to its parsers.
//
// Every rule runs with its outputs kept, as panther debug runs a test: the
// guard is reported, not used to skip rule(), so a rule whose guard fails
// still shows what rule() returns (false, unless the guard is wrong).
package explain

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"time"

	"panther/engine"
	"panther/engine/luavm"
	"panther/parsers"
	"panther/parsers/classifier"
	"panther/parsers/event"
)

// MaxLine bounds the record explained (a line of a log, not a file).
const MaxLine = 1 << 20

// Options configure Explain.
type Options struct {
	// LogType names the type: the line is parsed with it only, no
	// classification (as replay --log-type).
	LogType string
	// Now is the parse time of the event (p_parse_time, the year of a
	// year-less syslog timestamp); zero means time.Now().
	Now time.Time
	// Year is the year of year-less timestamps (replay --year); 0 guesses.
	Year int
	// Source names the line's origin in p_source_file.
	Source parsers.Source
	// Eval configures the evaluator (Budget, Now); KeepOutputs is always
	// set and Print is captured per rule.
	Eval engine.EvalOptions
}

// Report is what Explain found.
type Report struct {
	// Attempts are the families tried, in order, the last the one chosen
	// (empty when Options.LogType named the type).
	Attempts []classifier.Attempt
	// LogType is the type chosen ("" when none took the line, or it was a
	// header).
	LogType string
	// Header is set when a parser consumed the line as a header (a Zeek
	// "#fields" line, a CSV column line): no event, no rule runs.
	Header bool
	// Err says why there is no event: no type took the line, the named
	// type's parser refused it, or normalisation failed.
	Err error
	// Event is the normalised event as JSON, with its p_ fields.
	Event []byte
	// Rules are the enabled rules of LogType, by ID.
	Rules []Rule
}

// Rule is one rule's verdict on the event.
type Rule struct {
	ID, File, LuaFile string
	// Guard is rule()'s opening test as the engine reads it; nil when the
	// rule has none the engine can check.
	Guard *Guard
	// Match holds rule()'s verdict (Matched, Err), the alert fields with
	// defaults applied, AuxErrors, and every function's raw output in
	// Outputs (JSON, or "error: ...").
	Match engine.Match
	// Prints is what the rule's Lua printed.
	Prints string
}

// Guard is a rule's guard on the event.
type Guard struct {
	Pass  bool   `json:"pass"`
	Conds []Cond `json:"conditions"`
}

// Cond is one condition of a guard: the field at Field (dotted) must be a
// string among Values.
type Cond struct {
	Field string `json:"field"`
	// Test is the condition as text (field=[values], a comparison, a
	// matcher's needles, alternatives in parentheses).
	Test    string   `json:"test"`
	Values  []string `json:"values,omitempty"` // the strings a string test accepts
	Value   string   `json:"value,omitempty"`  // the event's, when Present
	Present bool     `json:"present"`          // the field is there
	Holds   bool     `json:"holds"`
}

// Explain classifies line with reg (the set's registry, custom log types
// included), normalises it and runs the set's rules of its type on it.
func Explain(set *engine.Set, reg *parsers.Registry, line []byte, opts Options) (*Report, error) {
	if len(line) > MaxLine {
		return nil, fmt.Errorf("the line is %d bytes; explain takes one record of at most %d", len(line), MaxLine)
	}
	line = bytes.TrimRight(line, "\r\n")
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	var c *classifier.Classifier
	if opts.LogType != "" {
		lt, ok := reg.Lookup(opts.LogType)
		if !ok {
			hint := ""
			if n := reg.Nearest(opts.LogType); n != "" {
				hint = "; did you mean " + n + "?"
			}
			return nil, fmt.Errorf("unknown log type %q%s", opts.LogType, hint)
		}
		c = classifier.NewFixed(reg, lt)
	} else {
		c = classifier.New(reg)
	}
	c.Now = func() time.Time { return now }
	c.SetYear(opts.Year)
	attempts, e, lt := c.Explain(line)
	rep := &Report{}
	if opts.LogType == "" {
		rep.Attempts = attempts
	}
	switch {
	case e == nil && len(attempts) > 0 && attempts[len(attempts)-1].Outcome == "header":
		rep.Header = true
		return rep, nil
	case e == nil:
		rep.Err = noType(attempts, opts.LogType)
		return rep, nil
	}
	defer e.Release()
	if err := reg.Normalise(lt, e, opts.Source, 1, now); err != nil {
		rep.Err = err
		return rep, nil
	}
	rep.LogType = e.LogType
	rep.Event = e.AppendJSON(nil)

	var prints bytes.Buffer
	eo := opts.Eval
	eo.KeepOutputs, eo.Print = true, &prints
	ev := engine.NewEvaluator(set, eo)
	defer ev.Close()
	for _, d := range set.RulesFor(rep.LogType) {
		prints.Reset()
		r := Rule{ID: d.ID, File: d.File, LuaFile: d.LuaFile, Guard: guardOf(d, e)}
		r.Match = ev.Evaluate(d, e)
		r.Match.Detection = nil
		r.Prints = prints.String()
		rep.Rules = append(rep.Rules, r)
	}
	return rep, nil
}

func noType(attempts []classifier.Attempt, named string) error {
	if named != "" && len(attempts) == 1 && attempts[0].Err != nil {
		return fmt.Errorf("%s: %w", named, attempts[0].Err)
	}
	if named != "" {
		return fmt.Errorf("%s: the parser took nothing from the line", named)
	}
	return errors.New("no log type takes the line")
}

// guardOf checks d's guard on e condition by condition (Guard.Pass stops
// at the first that fails; explain shows them all).
func guardOf(d *engine.Detection, e *event.Event) *Guard {
	g := d.ChunkGuard()
	if g == nil {
		return nil
	}
	out := &Guard{Pass: true}
	for i := range g.Conds {
		c := &g.Conds[i]
		cr := Cond{Field: strings.Join(c.Path, "."), Test: c.String(), Holds: c.HoldsOn(e)}
		if c.Kind == luavm.StringIn {
			cr.Values = c.Values
		}
		if v := c.Value(e); v != nil {
			cr.Present = true
			if b, err := v.StringBytes(); err == nil {
				cr.Value = string(b)
			} else {
				cr.Value = v.String()
			}
		}
		out.Pass = out.Pass && cr.Holds
		out.Conds = append(out.Conds, cr)
	}
	return out
}
