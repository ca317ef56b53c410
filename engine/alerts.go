package engine

import (
	"encoding/hex"
	"slices"
	"strings"
	"time"

	"github.com/zeebo/xxh3"

	"panther/parsers/event"
)

// MaxSamples is how many events an alert keeps as samples.
const MaxSamples = 5

// Alert is a group of matches of one detection with one dedup string, as
// docs/replay.md defines it: a match joins the open alert of its (detection,
// dedup) while its event time is within DedupPeriodMinutes of the alert's
// first event; a later match opens a new alert. The alert is emitted once
// its count reaches the detection's Threshold.
type Alert struct {
	ID           string // deterministic: detection, dedup and first event
	RuleID       string
	Severity     string
	Title        string
	Dedup        string
	Description  string
	Reference    string
	Runbook      string
	Destinations []string
	AlertContext []byte // JSON object from the first match, or nil
	FirstEvent   time.Time
	LastEvent    time.Time
	EventCount   int
	LogTypes     []string
	Samples      [][]byte // a few events, as JSON
	// Error is set for a rule-error group: the error message.
	Error string
	// SourceFile is the source of the first event.
	SourceFile string
	// Fresh is set when a match was added with fresh=true (replay: from a
	// source the lake did not have yet), so a re-run does not store the
	// alert twice.
	Fresh bool
	// Chain holds, for a correlation rule's alert, the rule matches that
	// made it (of its first firing), in event time.
	Chain []ChainLink
	// Sources are, for a correlation rule's alert, the sources
	// (p_source_file) of every match of every firing that joined it,
	// sorted: replay stores the alert in the lake only once each of them
	// was read whole, so a source that broke off takes the correlation
	// alerts it fed along, as it takes its events and matches.
	Sources []string
}

// ChainLink is one rule match of a correlation alert.
type ChainLink struct {
	Step    string    `json:"step"`
	RuleID  string    `json:"rule_id"`
	Time    time.Time `json:"time"`
	RowID   string    `json:"p_row_id"`
	LogType string    `json:"p_log_type,omitempty"`
	Title   string    `json:"title,omitempty"`
	// Omitted counts the matches of the same step left out of the chain
	// right after this one: a step of more than 20 matches (a count
	// reached) shows its first and last ten.
	Omitted int `json:"omitted_after,omitempty"`
}

// AlertID is the deterministic id of an alert group.
func AlertID(ruleID, dedup, firstRowID string) string {
	h := xxh3.Hash128([]byte(ruleID + "\x00" + dedup + "\x00" + firstRowID)).Bytes()
	return hex.EncodeToString(h[:])
}

type groupKey struct {
	rule  string
	dedup string
}

type group struct {
	alert     *Alert
	start     time.Time // window start: the first event's time
	period    time.Duration
	threshold int
	seq       int64 // order of creation, for a stable emission order
	// distinct holds the values of ThresholdDistinct seen (up to the
	// threshold), when the rule counts distinct values.
	distinct map[string]struct{}
}

// count is what the threshold compares with: events, or distinct values.
func (g *group) count() int {
	if g.distinct != nil {
		return len(g.distinct)
	}
	return g.alert.EventCount
}

// Aggregator turns matches into alerts, in event time. It is fed in a
// deterministic order by one goroutine; the alerts it emits (to Emit) then
// come out in a deterministic order too.
type Aggregator struct {
	// Emit receives each alert that reached its threshold, when its window
	// closes (or at Flush).
	Emit func(*Alert)
	// EmitError receives each group of rule errors.
	EmitError func(*Alert)
	// Raise, when set, receives an alert as soon as a match brings it to
	// its threshold, and again with each later match of its window (the
	// live service raises alerts then rather than when the window
	// closes; Emit still gets it at the close).
	Raise func(*Alert)

	open   map[groupKey]*group
	errors map[groupKey]*group
	seq    int64
	maxT   time.Time
	added  int64
	vals   []string
	// PerRule counts emitted alerts per detection.
	PerRule map[string]int
	// ErrorsPerRule counts rule errors (events) per detection.
	ErrorsPerRule map[string]int
}

// NewAggregator returns an empty aggregator.
func NewAggregator(emit, emitError func(*Alert)) *Aggregator {
	return &Aggregator{Emit: emit, EmitError: emitError, open: map[groupKey]*group{}, errors: map[groupKey]*group{},
		PerRule: map[string]int{}, ErrorsPerRule: map[string]int{}}
}

// sweepEvery is how many additions pass between closing windows that the
// stream has moved well past, which bounds the memory of open groups.
const sweepEvery = 4096

// Add records one match (m.Matched) or rule error (m.Err) of event e and
// returns the id of the group it joined.
func (a *Aggregator) Add(m *Match, e *event.Event) string { return a.AddFrom(m, e, true) }

// AddFrom is Add that also says whether the event is fresh (see Alert.Fresh).
func (a *Aggregator) AddFrom(m *Match, e *event.Event, fresh bool) string {
	d := m.Detection
	t := e.Time
	if t.After(a.maxT) {
		a.maxT = t
	}
	var id string
	ruleError := func(msg string) string {
		return a.join(a.errors, groupKey{d.ID, msg}, d, t, e, fresh, func(al *Alert) {
			al.Title = "rule error in " + d.ID
			al.Dedup = msg
			al.Error = msg
			al.Severity = d.Severity
		}, 1)
	}
	if m.Err != nil {
		a.ErrorsPerRule[d.ID]++
		id = ruleError(m.Err.Error())
	} else if m.Matched && len(m.AuxErrors) > 0 {
		// A failed title, dedup, alert_context... is a rule error too
		// (the alert, if any, goes on with that field's default).
		a.ErrorsPerRule[d.ID]++
		for _, fe := range m.AuxErrors {
			id = ruleError(fe.Error())
		}
	}
	if m.Err == nil && m.Matched && !m.Suppressed && !d.NoAlert {
		id = a.join(a.open, groupKey{d.ID, m.Dedup}, d, t, e, fresh, func(al *Alert) {
			al.Title, al.Dedup, al.Severity = m.Title, m.Dedup, m.Severity
			al.Description, al.Reference, al.Runbook = m.Description, m.Reference, m.Runbook
			al.Destinations = m.Destinations
			al.AlertContext = m.AlertContext
		}, d.Threshold)
	}
	a.added++
	if a.added%sweepEvery == 0 {
		a.sweep(false)
	}
	return id
}

func (a *Aggregator) join(groups map[groupKey]*group, k groupKey, d *Detection, t time.Time, e *event.Event, fresh bool, fill func(*Alert), threshold int) string {
	g := groups[k]
	if g != nil && !within(g, t) {
		a.close(groups, k, g)
		g = nil
	}
	if g == nil {
		a.seq++
		al := &Alert{ID: AlertID(d.ID, k.dedup, e.RowID), RuleID: d.ID, FirstEvent: t, LastEvent: t, SourceFile: e.SourceFile}
		if d.Spec != nil && d.Spec.DisplayName != "" && al.Title == "" {
			al.Title = d.Spec.DisplayName
		}
		fill(al)
		if al.Severity == "" {
			al.Severity = d.Severity
		}
		g = &group{alert: al, start: t, period: d.DedupPeriod, threshold: threshold, seq: a.seq}
		if d.distinct != nil && al.Error == "" {
			g.distinct = map[string]struct{}{}
		}
		groups[k] = g
	}
	if g.distinct != nil && len(g.distinct) < g.threshold {
		a.vals = d.distinct.ref.Values(a.vals[:0], e, nil)
		for _, v := range a.vals {
			if len(g.distinct) < g.threshold {
				g.distinct[v] = struct{}{}
			}
		}
	}
	al := g.alert
	al.EventCount++
	al.Fresh = al.Fresh || fresh
	if t.Before(al.FirstEvent) {
		al.FirstEvent = t
	}
	if t.After(al.LastEvent) {
		al.LastEvent = t
	}
	if !slices.Contains(al.LogTypes, e.LogType) {
		al.LogTypes = append(al.LogTypes, e.LogType)
		slices.Sort(al.LogTypes)
	}
	if len(al.Samples) < MaxSamples {
		al.Samples = append(al.Samples, e.AppendJSON(nil))
	}
	if a.Raise != nil && al.Error == "" && g.count() >= g.threshold {
		a.Raise(al)
	}
	return al.ID
}

// within reports whether t belongs to g's window: within the dedup period
// of its first event (either side, for inputs not sorted by time).
func within(g *group, t time.Time) bool {
	d := t.Sub(g.start)
	if d < 0 {
		d = -d
	}
	return d < g.period
}

func (a *Aggregator) close(groups map[groupKey]*group, k groupKey, g *group) {
	delete(groups, k)
	a.emit(g)
}

func (a *Aggregator) emit(g *group) {
	if isErrors(g) {
		if a.EmitError != nil {
			a.EmitError(g.alert)
		}
		return
	}
	if g.count() < g.threshold {
		return
	}
	a.PerRule[g.alert.RuleID]++
	if a.Emit != nil {
		a.Emit(g.alert)
	}
}

func isErrors(g *group) bool { return g.alert.Error != "" }

// sweep closes the windows that ended more than one dedup period before
// the latest event time seen (all of them when final), in creation order.
func (a *Aggregator) sweep(final bool) {
	for _, groups := range []map[groupKey]*group{a.open, a.errors} {
		var done []*group
		var keys []groupKey
		for k, g := range groups {
			if final || a.maxT.Sub(g.start) > 2*g.period {
				done = append(done, g)
				keys = append(keys, k)
			}
		}
		for _, k := range keys {
			delete(groups, k)
		}
		slices.SortFunc(done, func(x, y *group) int { return int(x.seq - y.seq) })
		for _, g := range done {
			a.emit(g)
		}
	}
}

// Advance closes, in creation order, the windows that no event at or
// after t could join any more — those whose first event is more than two
// dedup periods before t, the rule of the sweep that replay runs as event
// time advances (a match joins a window within one period of its first
// event on either side, so a late event may still join until then). The
// live service calls it with its event-time clock when time passes
// without events.
func (a *Aggregator) Advance(t time.Time) {
	for _, groups := range []map[groupKey]*group{a.open, a.errors} {
		var done []*group
		for k, g := range groups {
			if t.Sub(g.start) > 2*g.period {
				done = append(done, g)
				delete(groups, k)
			}
		}
		slices.SortFunc(done, func(x, y *group) int { return int(x.seq - y.seq) })
		for _, g := range done {
			a.emit(g)
		}
	}
}

// Flush closes every open window: call it at the end of the input.
func (a *Aggregator) Flush() { a.sweep(true) }

// OpenGroups is the number of windows still open (tests, memory checks).
func (a *Aggregator) OpenGroups() int { return len(a.open) + len(a.errors) }

// SortAlerts orders alerts by first event time, rule and dedup: the order
// of an alerts file.
func SortAlerts(as []*Alert) {
	slices.SortStableFunc(as, func(x, y *Alert) int {
		if c := x.FirstEvent.Compare(y.FirstEvent); c != 0 {
			return c
		}
		if c := strings.Compare(x.RuleID, y.RuleID); c != 0 {
			return c
		}
		return strings.Compare(x.Dedup, y.Dedup)
	})
}
