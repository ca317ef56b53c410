package engine

import (
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// FirstSeen ("new terms"): a rule option that makes a rule match only when
// the value of some fields was never seen before for a key — an address
// never seen for the account, a country never seen for the user, a process
// never seen on the host.
//
//	FirstSeen: {Fields: [sourceIPAddress], By: [recipientAccountId], HistoryMinutes: 43200, LearnMinutes: 1440}
//
// It is not part of rule() (the evaluator knows nothing of it): the history
// is a property of the stream, so it is applied where the stream is in one
// order — the sinks of replay and of serve's pipeline, beside the alert
// Aggregator (FirstSeenState, firstseen_state.go) — and the output is the
// same for any number of workers. docs/detections.md states the semantics.

// Bounds of the option's minutes: a year and a day.
const (
	MaxFirstSeenMinutes         = 366 * 24 * 60
	defaultFirstSeenHistoryMins = 30 * 24 * 60
	defaultFirstSeenLearnMins   = 24 * 60
)

// FirstSeenSpec is a rule's FirstSeen option as written.
type FirstSeenSpec struct {
	Fields         []string
	By             []string
	HistoryMinutes int // 0: the default
	LearnMinutes   *int
	Line           int
}

var firstSeenKeys = []string{"Fields", "By", "HistoryMinutes", "LearnMinutes"}

func decodeFirstSeen(file string, n *yaml.Node, diags *diagList) (*FirstSeenSpec, bool) {
	if n.Kind != yaml.MappingNode {
		diags.errorf(file, n.Line, n.Column, "FirstSeen: {Fields: [sourceIPAddress], By: [recipientAccountId]}", "FirstSeen: expected a mapping, found %s", kindName(n))
		return nil, false
	}
	if !checkKeys(file, n, firstSeenKeys, diags, "FirstSeen.") {
		return nil, false
	}
	fs := &FirstSeenSpec{Line: n.Line}
	ok := true
	fields := func(key string, required bool) []string {
		v := mapGet(n, key)
		if v == nil {
			if required {
				diags.errorf(file, n.Line, n.Column, "Fields: [sourceIPAddress]: the fields whose values must be new", "FirstSeen without Fields")
				ok = false
			}
			return nil
		}
		var out []string
		if v.Kind != yaml.SequenceNode {
			diags.errorf(file, v.Line, v.Column, "a list of field paths, like [sourceIPAddress]", "FirstSeen.%s: expected a list, found %s", key, kindName(v))
			ok = false
			return nil
		}
		for _, item := range v.Content {
			if item.Kind != yaml.ScalarNode || item.Value == "" {
				diags.errorf(file, item.Line, item.Column, "a field path, like userIdentity.arn", "FirstSeen.%s: expected a field path, found %s", key, kindName(item))
				ok = false
				continue
			}
			if _, err := ParseFieldRef(item.Value); err != nil {
				diags.errorf(file, item.Line, item.Column, "a field path (sourceIPAddress, userIdentity.arn), a p_any_* list or p_alert_context.<path>", "FirstSeen.%s: %v", key, err)
				ok = false
				continue
			}
			out = append(out, item.Value)
		}
		if required && len(out) == 0 && ok {
			diags.errorf(file, v.Line, v.Column, "name at least one field", "FirstSeen.Fields is empty")
			ok = false
		}
		return out
	}
	fs.Fields = fields("Fields", true)
	fs.By = fields("By", false)
	minutes := func(key string, min int) *int {
		v := mapGet(n, key)
		if v == nil {
			return nil
		}
		m, err := strconv.Atoi(v.Value)
		if v.Kind != yaml.ScalarNode || v.Tag != "!!int" || err != nil {
			diags.errorf(file, v.Line, v.Column, "a whole number of minutes", "FirstSeen.%s: expected a number, found %s", key, kindName(v))
			ok = false
			return nil
		}
		if m < min || m > MaxFirstSeenMinutes {
			diags.errorf(file, v.Line, v.Column, "between "+strconv.Itoa(min)+" and "+strconv.Itoa(MaxFirstSeenMinutes)+" (a year and a day)",
				"FirstSeen.%s %d is out of range", key, m)
			ok = false
			return nil
		}
		return &m
	}
	if h := minutes("HistoryMinutes", 1); h != nil {
		fs.HistoryMinutes = *h
	}
	fs.LearnMinutes = minutes("LearnMinutes", 0)
	return fs, ok
}

// firstSeenRule is a rule's FirstSeen, compiled.
type firstSeenRule struct {
	fields, by []FieldRef
	history    time.Duration
	learn      time.Duration
	// sig identifies the definition: a rule whose option changed (an
	// activation in serve) starts a new history.
	sig string
}

func compileFirstSeen(s *FirstSeenSpec) *firstSeenRule {
	if s == nil {
		return nil
	}
	r := &firstSeenRule{history: defaultFirstSeenHistoryMins * time.Minute, learn: defaultFirstSeenLearnMins * time.Minute}
	if s.HistoryMinutes > 0 {
		r.history = time.Duration(s.HistoryMinutes) * time.Minute
	}
	if s.LearnMinutes != nil {
		r.learn = time.Duration(*s.LearnMinutes) * time.Minute
	}
	for _, f := range s.Fields {
		if ref, err := ParseFieldRef(f); err == nil {
			r.fields = append(r.fields, ref)
		}
	}
	for _, f := range s.By {
		if ref, err := ParseFieldRef(f); err == nil {
			r.by = append(r.by, ref)
		}
	}
	r.sig = strings.Join(s.Fields, ",") + "|" + strings.Join(s.By, ",") + "|" + r.history.String() + "|" + r.learn.String()
	return r
}

// HasFirstSeen reports whether the detection has the FirstSeen option.
func (d *Detection) HasFirstSeen() bool { return d.firstSeen != nil }

// decodeHistory decodes a unit test's History: the events before its Log,
// for a rule with FirstSeen.
func decodeHistory(file string, n *yaml.Node, s *Spec, test string, diags *diagList) ([][]byte, bool) {
	if s.FirstSeen == nil {
		diags.errorf(file, n.Line, n.Column, "History makes values seen for FirstSeen: add FirstSeen to the rule, or drop History", "test %q: History in a rule without FirstSeen", test)
		return nil, false
	}
	if n.Kind != yaml.SequenceNode {
		diags.errorf(file, n.Line, n.Column, "a list of events, the oldest first", "test %q: History: expected a list, found %s", test, kindName(n))
		return nil, false
	}
	if len(n.Content) > maxTestHistory {
		diags.errorf(file, n.Line, n.Column, "a few events make the point; a fixture test replays a file", "test %q: History holds %d events, more than %d", test, len(n.Content), maxTestHistory)
		return nil, false
	}
	var out [][]byte
	ok := true
	for _, item := range n.Content {
		if item.Kind != yaml.MappingNode {
			diags.errorf(file, item.Line, item.Column, "", "test %q: a History event must be a mapping, found %s", test, kindName(item))
			ok = false
			continue
		}
		js, err := nodeJSON(nil, item)
		if err != nil {
			diags.errorf(file, item.Line, item.Column, "", "test %q: %v", test, err)
			ok = false
			continue
		}
		out = append(out, js)
	}
	return out, ok
}

// maxTestHistory bounds a unit test's History.
const maxTestHistory = 1000
