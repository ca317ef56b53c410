// Package classifier finds the log type of records when the user did not
// name it.
//
// A Classifier serves one source (file or stream) on one goroutine. For
// each record it tries candidate parsers, one per log type family, and
// takes the first that accepts the record and whose log type's Detect (if
// any) accepts the event. Families are tried by Priority (highest first),
// then name, and the classifier learns: the last winner is tried first
// among the families of its priority, so on a file of one type every
// record after the first costs one parse (plus the Detect of any
// higher-priority JSON type), and on a mix the types of the mix move to the
// front (most recently used first). Learning never moves a family ahead of
// a higher-priority one: Priority declares "my Detect is a special case of
// another's", and the learned order must not break that.
//
// Two things keep the cost down when many JSON types are registered:
//
//   - The candidates whose parser is parsers.JSONParser (stateless, it only
//     parses the object) share one parse of the record: trying the next
//     JSON type costs its Detect, not another parse.
//   - A record that a candidate consumes as a header (Parse returns false
//     and no error: Zeek's "#fields", a VPC flow log's column line) is
//     given to every other family's parser too, so each stateful parser
//     keeps the state it would have had on a file of its own, and the
//     family that took it moves to the front.
//
// Deciding a source. A family of low Priority is tried after all the others
// (syslog: an RFC 3164 header is a loose test), so on a file of its own every
// record would pay a failed parse of every other family. Once such a family
// has won 16 records of a source in a row, the classifier decides the source
// is of that family and tries it first; the others are tried only for
// records it rejects, and the first record another family takes puts the
// priorities back. The price: in a source decided as syslog, a line that a
// family of higher priority would also take (a custom type over some
// program's lines inside a syslog file) goes to syslog once syslog has
// taken 16 lines in a row; name such lines' type with --log-type on a file
// of their own.
//
// What it costs (BenchmarkClassify: classify + normalise 1000 records, the
// default registry plus 40 JSON and 4 text stand-in types so the registry
// is Panther-sized; best of 3 on a shared, loaded 2-core machine):
//
//	--log-type AWS.CloudTrail (no classification)   175 MB/s  1.000 parses/record
//	a CloudTrail file, every type registered         156 MB/s  1.005 parses/record
//	3 types in runs of 100                   141k records/s  1.015 parses/record
//	3 types in turn (worst case for learning) 191k records/s  2.005 parses/record
//
// The second parse of the worst case is a miss that fails on the first
// byte (a text parser on JSON or the reverse), hence the records/s. On a
// syslog file (RFC 3164, 1000 lines), the family tried last: 1.256 parses a
// record, the first 16 records trying all 17 families before the source is
// decided (17 a record before deciding sources existed); end to end, a
// classified replay of a syslog file costs what --log-type Syslog.RFC3164
// does, 4x before (docs/real-logs.md).
//
//	go test -run '^$' -bench Classify -benchmem -count 3 ./parsers/classifier/
package classifier

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"

	"panther/parsers"
	"panther/parsers/event"
)

// candidate is one family: a parser instance for this source and the
// family's log types in the order their Detect is tried.
type candidate struct {
	family string
	types  []*parsers.LogType // by Priority (desc), then name
	parser parsers.Parser     // nil when json
	json   bool               // the parser is parsers.JSONParser: share one parse
	wins   int64
}

// Stats count what a classifier saw.
type Stats struct {
	Records      int64            // records given to Classify
	Events       map[string]int64 // events per log type
	Headers      int64            // records consumed as headers, no event
	Unclassified int64            // records no log type accepted
	// Parses is how many times a parser ran (a shared JSON parse counts
	// once): Parses/Records is the cost of classification.
	Parses int64
}

// Classifier picks the log type of each record of one source.
type Classifier struct {
	// Now, when set, gives the parse time every new event carries while it
	// is parsed: parsers that must guess a missing year (RFC 3164 syslog)
	// read it, so a replay with a fixed clock parses the same way any day.
	Now func() time.Time

	reg   *parsers.Registry
	year  int          // SetYear's, for Fork
	cands []*candidate // in the order they are tried
	// streakOf has won the last streak records in a row; committed says
	// it was put ahead of higher priorities (see commit).
	streakOf  *candidate
	streak    int
	committed bool
	last      *candidate // the last winner: its reason is the one reported
	fixed     bool
	stats     Stats
	tried     []string // scratch: names of the families tried
}

// New returns a classifier over every log type of reg.
func New(reg *parsers.Registry) *Classifier {
	return newClassifier(reg, reg.All(), false)
}

// NewFixed returns a classifier that only parses with lt: the user named the
// log type, so its Detect is not applied and partial events still parse.
func NewFixed(reg *parsers.Registry, lt *parsers.LogType) *Classifier {
	return newClassifier(reg, []*parsers.LogType{lt}, true)
}

func newClassifier(reg *parsers.Registry, types []*parsers.LogType, fixed bool) *Classifier {
	byFamily := map[string]*candidate{}
	var cands []*candidate
	for _, lt := range types {
		f := lt.FamilyName()
		c := byFamily[f]
		if c == nil {
			c = &candidate{family: f}
			byFamily[f] = c
			cands = append(cands, c)
		}
		c.types = append(c.types, lt)
	}
	for _, c := range cands {
		slices.SortStableFunc(c.types, byPriority)
	}
	// Families by their best type's priority, then name.
	slices.SortStableFunc(cands, func(a, b *candidate) int { return byPriority(a.types[0], b.types[0]) })
	for _, c := range cands {
		c.json = !fixed && isJSONParser(c.types[0].NewParser)
		if !c.json {
			c.parser = c.types[0].NewParser()
		}
	}
	return &Classifier{reg: reg, cands: cands, fixed: fixed, stats: Stats{Events: map[string]int64{}}}
}

func byPriority(a, b *parsers.LogType) int {
	if a.Priority != b.Priority {
		return b.Priority - a.Priority
	}
	return strings.Compare(a.Name, b.Name)
}

var jsonParserPC = reflect.ValueOf(parsers.JSONParser).Pointer()

// isJSONParser tells whether f is parsers.JSONParser itself, whose parsers
// hold no state and only parse the object, so one parse serves them all.
func isJSONParser(f func() parsers.Parser) bool {
	return f != nil && reflect.ValueOf(f).Pointer() == jsonParserPC
}

// Fork returns a classifier for another source of the same run: fresh
// parsers (no header state carries over) but the order c has learned, so a
// directory of files of one type does not relearn it on every file.
func (c *Classifier) Fork() *Classifier {
	types := make([]*parsers.LogType, 0, len(c.cands))
	for _, cand := range c.cands {
		types = append(types, cand.types...)
	}
	n := newClassifier(c.reg, types, c.fixed)
	// newClassifier sorts by priority: restore c's order within each
	// priority (a new source is not decided yet, whatever c decided).
	pos := map[string]int{}
	for i, cand := range c.cands {
		pos[cand.family] = i
	}
	slices.SortStableFunc(n.cands, func(a, b *candidate) int {
		if a.priority() != b.priority() {
			return b.priority() - a.priority()
		}
		return pos[a.family] - pos[b.family]
	})
	n.Now = c.Now
	n.SetYear(c.year)
	return n
}

// SetYear gives the year of the source's first year-less timestamp to the
// parsers that read such timestamps (parsers.YearSetter); 0 leaves them to
// guess it from the parse time.
func (c *Classifier) SetYear(year int) {
	c.year = year
	if year == 0 {
		return
	}
	for _, cand := range c.cands {
		if ys, ok := cand.parser.(parsers.YearSetter); ok {
			ys.SetYear(year)
		}
	}
}

// Stats returns the counts so far (a copy).
func (c *Classifier) Stats() Stats {
	s := c.stats
	s.Events = make(map[string]int64, len(c.stats.Events))
	for k, v := range c.stats.Events {
		s.Events[k] = v
	}
	return s
}

// Order is the names of the families in the order they are tried now.
func (c *Classifier) Order() []string {
	out := make([]string, len(c.cands))
	for i, cand := range c.cands {
		out[i] = cand.family
	}
	return out
}

// NoMatchError says that no log type accepted a record.
type NoMatchError struct {
	Tried []string // the families tried, in order
	// Likely is the log type or family the record most likely belongs to,
	// and Why the reason it did not take the record: the type a parser
	// found the record closest to (a parsers.NearMissError: the Zeek
	// parser on a conn record without its conn id), else the family of the
	// last winner of the source (on a file of one type, the reason the
	// user wants to read), else the first family tried.
	Likely string
	Why    error
}

func (e *NoMatchError) Error() string {
	var b strings.Builder
	b.WriteString("no log type matches")
	if len(e.Tried) == 1 {
		fmt.Fprintf(&b, "; tried %s", e.Tried[0])
	} else if len(e.Tried) > 1 {
		fmt.Fprintf(&b, "; tried %d types", len(e.Tried))
	}
	if e.Why != nil {
		fmt.Fprintf(&b, " (%s: %v)", e.Likely, e.Why)
	}
	return b.String()
}

// errNotDetected is why a family whose parser took the record is not it.
type errNotDetected struct{ family string }

func (e errNotDetected) Error() string { return "not a " + e.family + " event" }

// Classify parses one record. It returns the event and its log type (the
// caller normalises it with reg.Normalise and releases it), or a nil event
// and nil error for a header, or an error: the parser's own for a fixed
// log type, else a *NoMatchError. Errors do not say where the record is.
// rec is not kept.
func (c *Classifier) Classify(rec []byte) (*event.Event, *parsers.LogType, error) {
	c.stats.Records++
	if c.fixed {
		return c.classifyFixed(rec)
	}
	var (
		jsonEv  *event.Event // the shared JSON parse, if done
		jsonErr error
		why     error    // why the likeliest candidate did not take it
		likely  = c.last // the last winner, else the first tried
		near    *parsers.NearMissError
	)
	if likely == nil {
		likely = c.cands[0]
	}
	c.tried = c.tried[:0]
	defer func() {
		if jsonEv != nil {
			jsonEv.Release()
		}
	}()
	for i, cand := range c.cands {
		c.tried = append(c.tried, cand.family)
		var e *event.Event
		if cand.json {
			if jsonEv == nil && jsonErr == nil {
				c.stats.Parses++
				jsonEv = c.newEvent()
				if jsonErr = jsonEv.ParseJSON(rec); jsonErr != nil {
					jsonEv.Release()
					jsonEv = nil
				}
			}
			if jsonErr != nil {
				if cand == likely {
					why = jsonErr
				}
				continue
			}
			if lt := cand.detect(jsonEv); lt != nil {
				e, jsonEv = jsonEv, nil // the caller owns it now
				return c.won(i, e, lt)
			}
			if cand == likely {
				why = errNotDetected{cand.family}
			}
			continue
		}
		c.stats.Parses++
		e = c.newEvent()
		ok, err := parse(cand.parser, rec, e)
		switch {
		case err != nil:
			e.Release()
			if cand == likely {
				why = err
			}
			var nm *parsers.NearMissError
			if errors.As(err, &nm) && (near == nil || nm.Fit > near.Fit) {
				near = nm
			}
		case !ok:
			e.Release()
			c.header(i, rec)
			return nil, nil, nil
		default:
			if lt := cand.detect(e); lt != nil {
				return c.won(i, e, lt)
			}
			e.Release()
			if cand == likely {
				why = errNotDetected{cand.family}
			}
		}
	}
	c.stats.Unclassified++
	nomatch := &NoMatchError{Tried: slices.Clone(c.tried), Likely: likely.family, Why: why}
	// A near miss of the likeliest family wins ties.
	if ln := (*parsers.NearMissError)(nil); errors.As(why, &ln) && (near == nil || ln.Fit >= near.Fit) {
		near = ln
	}
	if near != nil {
		nomatch.Likely, nomatch.Why = near.LogType, near.Err
	}
	return nil, nil, nomatch
}

func (c *Classifier) classifyFixed(rec []byte) (*event.Event, *parsers.LogType, error) {
	cand := c.cands[0]
	c.stats.Parses++
	e := c.newEvent()
	ok, err := parse(cand.parser, rec, e)
	if err != nil || !ok {
		e.Release()
		if err == nil {
			c.stats.Headers++
		} else {
			c.stats.Unclassified++
		}
		return nil, nil, err
	}
	lt := cand.types[0]
	c.count(e, lt)
	return e, lt, nil
}

// detect returns the family's log type of an event its parser accepted, or
// nil when no type's Detect accepts it. A parser that set e.LogType to a
// type of its family chose it; else the family's types are tried in order.
func (cand *candidate) detect(e *event.Event) *parsers.LogType {
	if e.LogType != "" {
		for _, lt := range cand.types {
			if lt.Name == e.LogType {
				if lt.Detect == nil || lt.Detect(e) {
					return lt
				}
				return nil
			}
		}
		// A type outside the family: Normalise will refuse it with a clear
		// error, so let the family's first type carry it there.
		return cand.types[0]
	}
	for _, lt := range cand.types {
		if lt.Detect == nil || lt.Detect(e) {
			return lt
		}
	}
	return nil
}

// won moves the winner to the front and counts the event.
func (c *Classifier) won(i int, e *event.Event, lt *parsers.LogType) (*event.Event, *parsers.LogType, error) {
	w := c.cands[i]
	c.last = w
	if w == c.streakOf {
		c.streak++
	} else {
		c.streakOf, c.streak = w, 1
		if c.committed {
			c.uncommit()
			i = slices.Index(c.cands, w)
		}
	}
	c.promote(i)
	if !c.committed && c.streak >= commitAfter && w.priority() < c.cands[0].priority() {
		c.commit(w)
	}
	c.count(e, lt)
	return e, lt, nil
}

// commitAfter is how many records in a row a family of low Priority must
// win for the classifier to decide the source is of that family.
const commitAfter = 16

// commit puts w ahead of the families of higher Priority: the source is of
// w's family (see the package doc: deciding a source).
func (c *Classifier) commit(w *candidate) {
	i := slices.Index(c.cands, w)
	copy(c.cands[1:i+1], c.cands[:i])
	c.cands[0] = w
	c.committed = true
}

// uncommit puts the families back in Priority order, keeping the order
// learnt within each Priority.
func (c *Classifier) uncommit() {
	slices.SortStableFunc(c.cands, func(a, b *candidate) int { return b.priority() - a.priority() })
	c.committed = false
}

func (c *Classifier) count(e *event.Event, lt *parsers.LogType) {
	name := lt.Name
	if e.LogType != "" {
		name = e.LogType
	}
	c.stats.Events[name]++
}

// promote moves candidate i to the front of its priority tier: learning
// reorders families of equal priority only, so that a type declared as a
// special case of another (higher Priority) is still tried before it.
func (c *Classifier) promote(i int) {
	w := c.cands[i]
	w.wins++
	j := i
	for j > 0 && c.cands[j-1].priority() == w.priority() && !(c.committed && j-1 == 0) {
		j--
	}
	if j < i {
		copy(c.cands[j+1:i+1], c.cands[j:i])
		c.cands[j] = w
	}
}

// priority is the family's: that of its first (highest) type.
func (cand *candidate) priority() int { return cand.types[0].Priority }

// header handles a record candidate i consumed as a header: every other
// stateful parser sees it too, and candidate i moves to the front.
func (c *Classifier) header(i int, rec []byte) {
	c.stats.Headers++
	// The candidates before i have seen it already.
	for _, cand := range c.cands[i+1:] {
		if cand.json {
			continue
		}
		c.stats.Parses++
		e := c.newEvent()
		parse(cand.parser, rec, e) // for its state only
		e.Release()
	}
	c.last = c.cands[i]
	c.promote(i)
}

// parse runs p, turning a panic (a parser bug on some input) into an error
// for this record, so that one bad line cannot end a replay of millions.
func parse(p parsers.Parser, rec []byte, e *event.Event) (ok bool, err error) {
	defer func() {
		if v := recover(); v != nil {
			ok, err = false, fmt.Errorf("parser panic (a bug; please report it with the record): %v", v)
		}
	}()
	return p.Parse(rec, e)
}

func (c *Classifier) newEvent() *event.Event {
	e := event.New()
	if c.Now != nil {
		e.ParseTime = c.Now()
	}
	return e
}
