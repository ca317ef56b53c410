package rules

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"time"
)

// Rule is one compiled alert rule.
type Rule struct {
	ID          string
	File        string
	Line        int // of the ID
	Description string
	Enabled     bool
	Priority    int
	When        Selector // nil: every alert and event
	Unless      Selector // nil: no exception
	Actions     []Action
	Tests       []Test
	// Schedules are the schedules this rule's file declares.
	Schedules []*Schedule

	hits    atomic.Int64
	lastHit atomic.Int64 // unix nanoseconds
}

// Input is the alert or event the rules see: its fields by name, and a
// lookup for fields not held in the map (such as alert_context.user).
// Apply writes the fields its actions change into Fields.
type Input struct {
	Fields map[string]string
	Lookup func(name string) (string, bool)
}

// Get returns a field.
func (in *Input) Get(name string) (string, bool) {
	if v, ok := in.Fields[name]; ok {
		return v, true
	}
	if in.Lookup != nil {
		return in.Lookup(name)
	}
	return "", false
}

// Outcome is what the rules decided.
type Outcome struct {
	// Discarded: store nothing. DiscardedBy is the rule that said so.
	Discarded   bool
	DiscardedBy string
	// Matched lists the rules that applied, in order.
	Matched []string
	// Destinations, when DestinationsSet, replace the routing by severity.
	Destinations    []string
	DestinationsSet bool
	// Expires is when a window a matching rule relied on ends (zero:
	// never): the rules must then be applied again.
	Expires time.Time
}

// Set is the alert rules of a repository or of the active packs, in the
// order they run, with the schedules they share.
type Set struct {
	Rules     []*Rule
	Schedules map[string]*Schedule
}

// NewSet links rules into a set: schedule names are resolved, duplicate
// IDs and schedule names are problems; the rules are ordered by Priority,
// then ID.
func NewSet(rules []*Rule) (*Set, Problems) {
	s := &Set{Schedules: map[string]*Schedule{}}
	var probs Problems
	seen := map[string]*Rule{}
	for _, r := range rules {
		if first, dup := seen[r.ID]; dup {
			probs = append(probs, Problem{File: r.File, Line: r.Line, Message: fmt.Sprintf("duplicate AlertRuleID %s", r.ID),
				Hint: fmt.Sprintf("IDs must be unique; first defined in %s:%d", first.File, first.Line)})
			continue
		}
		seen[r.ID] = r
		s.Rules = append(s.Rules, r)
		for _, sc := range r.Schedules {
			if first, dup := s.Schedules[sc.Name]; dup {
				probs = append(probs, Problem{File: sc.File, Line: sc.Line, Message: fmt.Sprintf("duplicate schedule %q", sc.Name),
					Hint: fmt.Sprintf("schedule names are shared by every alert rule; first defined in %s:%d", first.File, first.Line)})
				continue
			}
			s.Schedules[sc.Name] = sc
		}
	}
	names := make([]string, 0, len(s.Schedules))
	for n := range s.Schedules {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, r := range s.Rules {
		for _, sel := range []Selector{r.When, r.Unless} {
			walk(sel, func(x Selector) {
				ss, ok := x.(*scheduleSel)
				if !ok {
					return
				}
				if ss.s = s.Schedules[ss.name]; ss.s == nil {
					hint := "declare it under Schedules: in an alert rule spec"
					if len(names) > 0 {
						hint += "; known: " + strings.Join(names, ", ")
					}
					probs = append(probs, Problem{File: r.File, Line: ss.line, Message: fmt.Sprintf("alert rule %s: unknown schedule %q", r.ID, ss.name), Hint: hint})
				}
			})
		}
	}
	slices.SortStableFunc(s.Rules, func(a, b *Rule) int {
		return cmp.Or(cmp.Compare(a.Priority, b.Priority), strings.Compare(a.ID, b.ID))
	})
	return s, probs
}

// Rule finds a rule by ID.
func (s *Set) Rule(id string) (*Rule, bool) {
	for _, r := range s.Rules {
		if r.ID == id {
			return r, true
		}
	}
	return nil, false
}

// Hit is the hit count of one rule.
type Hit struct {
	RuleID  string    `json:"rule_id"`
	Hits    int64     `json:"hits"`
	LastHit time.Time `json:"last_hit,omitzero"`
}

// Hits returns every rule's hit count since the set was built (plus what
// AddHits restored), in rule order.
func (s *Set) Hits() []Hit {
	out := make([]Hit, 0, len(s.Rules))
	for _, r := range s.Rules {
		h := Hit{RuleID: r.ID, Hits: r.hits.Load()}
		if ns := r.lastHit.Load(); ns != 0 {
			h.LastHit = time.Unix(0, ns).UTC()
		}
		out = append(out, h)
	}
	return out
}

// AddHits adds counts kept elsewhere (the store keeps them across
// restarts) to the rules of the set.
func (s *Set) AddHits(hits []Hit) {
	for _, h := range hits {
		if r, ok := s.Rule(h.RuleID); ok {
			r.hits.Add(h.Hits)
			if ns := h.LastHit.UnixNano(); !h.LastHit.IsZero() && ns > r.lastHit.Load() {
				r.lastHit.Store(ns)
			}
		}
	}
}

// Apply runs the enabled rules over in at time now, in order, changing
// in.Fields, and says what else they decided.
func (s *Set) Apply(in *Input, now time.Time) Outcome {
	var out Outcome
	if s == nil {
		return out
	}
	c := evalCtx{in: in, now: now}
	for _, r := range s.Rules {
		if !r.Enabled {
			continue
		}
		done, stop := r.apply(&c, &out, true)
		if done || stop {
			break
		}
	}
	return out
}

// apply runs one rule: whether it discarded, and whether it stopped the
// chain.
func (r *Rule) apply(c *evalCtx, out *Outcome, count bool) (discarded, stop bool) {
	c.caps, c.capRe, c.expires = nil, nil, time.Time{}
	if r.When != nil && !r.When.eval(c) {
		return false, false
	}
	ruleExpires := c.expires
	if r.Unless != nil && r.Unless.eval(c) {
		return false, false
	}
	if count {
		r.hits.Add(1)
		r.lastHit.Store(c.now.UnixNano())
	}
	out.Matched = append(out.Matched, r.ID)
	if !ruleExpires.IsZero() && (out.Expires.IsZero() || ruleExpires.Before(out.Expires)) {
		out.Expires = ruleExpires
	}
	for _, a := range r.Actions {
		switch a.kind {
		case actDiscard:
			out.Discarded, out.DiscardedBy = true, r.ID
			return true, true
		case actStop:
			stop = true
		case actDestinations:
			out.Destinations, out.DestinationsSet = a.names, true
		default:
			a.run(c)
		}
	}
	return false, stop
}
