package rules

import (
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Selector is a compiled condition over an alert or event.
type Selector interface {
	eval(c *evalCtx) bool
}

type evalCtx struct {
	in  *Input
	now time.Time
	// captures of the last match selector that held, for {match.N}
	caps  []string
	capRe *regexp.Regexp
	// the earliest end of the active windows consulted in this rule
	expires time.Time
}

type matchSel struct {
	field string
	re    *regexp.Regexp
}

func (s *matchSel) eval(c *evalCtx) bool {
	v, ok := c.in.Get(s.field)
	if !ok {
		return false
	}
	m := s.re.FindStringSubmatch(v)
	if m == nil {
		return false
	}
	c.caps, c.capRe = m, s.re
	return true
}

type stringOp int

const (
	opEquals stringOp = iota
	opStartsWith
	opEndsWith
)

type stringSel struct {
	op     stringOp
	field  string
	values []string
}

func (s *stringSel) eval(c *evalCtx) bool {
	v, ok := c.in.Get(s.field)
	if !ok {
		return false
	}
	for _, want := range s.values {
		switch s.op {
		case opEquals:
			if v == want {
				return true
			}
		case opStartsWith:
			if strings.HasPrefix(v, want) {
				return true
			}
		case opEndsWith:
			if strings.HasSuffix(v, want) {
				return true
			}
		}
	}
	return false
}

type existsSel struct {
	fields []string
	want   bool // true: field_exists; false: field_missing
}

func (s *existsSel) eval(c *evalCtx) bool {
	for _, f := range s.fields {
		v, ok := c.in.Get(f)
		if (ok && v != "") != s.want {
			return false
		}
	}
	return true
}

// cmpSel compares a field with a number, or with a severity by rank.
type cmpSel struct {
	field    string
	less     bool
	num      float64
	severity bool // num is a severity rank
}

func (s *cmpSel) eval(c *evalCtx) bool {
	v, ok := c.in.Get(s.field)
	if !ok {
		return false
	}
	var x float64
	if s.severity {
		r := SeverityRank(v)
		if r < 0 {
			_, rr, ok := ParseSeverity(v)
			if !ok {
				return false
			}
			r = rr
		}
		x = float64(r)
	} else {
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil {
			return false
		}
		x = f
	}
	if s.less {
		return x < s.num
	}
	return x > s.num
}

type scheduleSel struct {
	name string
	line int
	s    *Schedule // linked by NewSet
}

func (s *scheduleSel) eval(c *evalCtx) bool {
	if s.s == nil {
		return false
	}
	active, end := s.s.Active(c.now)
	if active && (c.expires.IsZero() || end.Before(c.expires)) {
		c.expires = end
	}
	return active
}

type combSel struct {
	kind string // all, any, none
	subs []Selector
}

func (s *combSel) eval(c *evalCtx) bool {
	switch s.kind {
	case "all":
		for _, x := range s.subs {
			if !x.eval(c) {
				return false
			}
		}
		return true
	case "any":
		for _, x := range s.subs {
			if x.eval(c) {
				return true
			}
		}
		return false
	default: // none
		for _, x := range s.subs {
			if x.eval(c) {
				return false
			}
		}
		return true
	}
}

// walk calls f on s and every selector inside it.
func walk(s Selector, f func(Selector)) {
	if s == nil {
		return
	}
	f(s)
	if cs, ok := s.(*combSel); ok {
		for _, x := range cs.subs {
			walk(x, f)
		}
	}
}
