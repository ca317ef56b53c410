package alerts

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/valyala/fastjson"

	"panther/alerts/rules"
)

// Limits on what a raise may carry.
const (
	MaxSamples      = 10 // sample events kept per alert
	MaxSampleBytes  = 64 << 10
	MaxContextBytes = 200 << 10
	MaxFieldLen     = 4096 // a console event's field value, a title, a summary
	MaxFields       = 64   // extra fields of a console event
	MaxFieldNameLen = 128
	DefaultDedup    = time.Hour
)

// detail holds what is not filtered on: stored as JSON beside the columns.
type detail struct {
	PackVersion  string            `json:"pack_version,omitempty"`
	Dedup        string            `json:"dedup,omitempty"`
	LogTypes     []string          `json:"log_types,omitempty"`
	AlertContext json.RawMessage   `json:"alert_context,omitempty"`
	Samples      []json.RawMessage `json:"samples,omitempty"`
	RowIDs       []string          `json:"row_ids,omitempty"`
	Description  string            `json:"description,omitempty"`
	Runbook      string            `json:"runbook,omitempty"`
	Reference    string            `json:"reference,omitempty"`
	Fields       map[string]string `json:"fields,omitempty"`
	Destinations []string          `json:"destinations,omitempty"`
	Rules        []string          `json:"rules,omitempty"`
	// Input is the alert's fields before the alert rules, to apply them
	// again when a window they relied on ends; RouteSet and Route are
	// the detection's own routing.
	Input map[string]string `json:"input,omitempty"`
	// Applied are the values the rules gave the columns (title,
	// severity, group, owner, assignee) when the alert was created: a
	// later re-evaluation changes only those nobody changed since.
	Applied  map[string]string `json:"applied,omitempty"`
	RouteSet bool              `json:"route_set,omitempty"`
	Route    []string          `json:"route,omitempty"`
}

// raise is a detection alert or a console event after the rules, ready
// to be stored.
type raise struct {
	kind     Kind
	key      string
	groupID  string
	count    int64
	title    string
	severity Severity
	first    time.Time
	seen     time.Time
	dedup    time.Duration
	ruleID   string
	node     string
	tag      string
	group    string
	owner    string
	assignee string
	det      detail
	matched  []string
	expires  time.Time
	routeSet bool
	route    []string
	// ruleChanges describes what the rules changed, for history.
	ruleChanges string
	who         string
}

// known fields: what a rule setting them changes in the columns.
var detectionFields = []string{"kind", "rule_id", "title", "dedup", "severity", "pack_version", "log_types", "description", "runbook", "reference", "group", "owner", "assignee"}
var eventFields = []string{"kind", "node", "summary", "severity", "tag", "identifier", "group", "owner", "assignee"}

// RaiseDetection stores an alert of the live pipeline (or of a pushed
// replay): the alert rules run first (they may change it or discard it);
// then it opens a new alert, adds to the tally of the OPEN or TRIAGED
// alert of the same rule and dedup, or reopens a RESOLVED one within its
// dedup window. The same GroupID raised again adds only its new events.
func (s *Store) RaiseDetection(ctx context.Context, d DetectionAlert) (Result, error) {
	r, res, err := s.prepareDetection(d)
	if r == nil {
		return res, err
	}
	return s.raise(ctx, r)
}

// RaiseDetections raises many detection alerts in one transaction (what
// the pipeline and `replay --push` send in batches): one commit for all,
// and the same semantics as RaiseDetection for each, in order. A bad
// alert fails the call before anything is stored.
func (s *Store) RaiseDetections(ctx context.Context, list []DetectionAlert) ([]Result, error) {
	out := make([]Result, len(list))
	prepared := make([]*raise, len(list))
	for i, d := range list {
		r, res, err := s.prepareDetection(d)
		if err != nil {
			if fe, ok := err.(*FieldError); ok {
				return nil, &FieldError{Field: fmt.Sprintf("alerts[%d].%s", i, fe.Field), Message: fe.Message}
			}
			return nil, err
		}
		prepared[i], out[i] = r, res
	}
	err := s.writeKind(ctx, opRaise, func(tx *wtx, op *writeOp) error {
		for i, r := range prepared {
			if r == nil {
				continue // discarded by a rule
			}
			res, err := s.raiseTx(tx, op, r)
			if err != nil {
				return err
			}
			out[i] = res
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.maybeFlushHits(ctx)
	return out, nil
}

// prepareDetection checks d and applies the rules: the raise to store, or
// (nil) the result of a discard, or an error.
func (s *Store) prepareDetection(d DetectionAlert) (*raise, Result, error) {
	if err := checkDetection(&d); err != nil {
		return nil, Result{}, err
	}
	in := &rules.Input{Fields: map[string]string{
		"kind": string(KindDetection), "rule_id": d.RuleID, "title": d.Title, "dedup": d.Dedup,
		"severity": d.Severity.String(), "pack_version": d.PackVersion, "log_types": strings.Join(d.LogTypes, ","),
		"description": d.Description, "runbook": d.Runbook, "reference": d.Reference,
	}}
	ctxJSON := d.AlertContext
	in.Lookup = func(name string) (string, bool) { return contextField(ctxJSON, name) }
	input := maps.Clone(in.Fields)
	now := s.now()
	set := s.rules.Load()
	out := set.Apply(in, now)
	if out.Discarded {
		return nil, Result{Action: "discarded", Discarded: out.DiscardedBy, Rules: out.Matched}, nil
	}
	f := in.Fields
	sev, _ := ParseSeverity(f["severity"])
	r := &raise{
		kind: KindDetection, key: d.RuleID + "\x1f" + d.Dedup, groupID: d.GroupID, count: d.EventCount,
		title: clip(f["title"]), severity: sev, first: d.FirstEvent, seen: d.LastEvent, dedup: d.DedupPeriod,
		ruleID: d.RuleID, group: f["group"], owner: f["owner"], assignee: f["assignee"],
		matched: out.Matched, expires: out.Expires, who: d.RuleID,
		det: detail{PackVersion: d.PackVersion, Dedup: d.Dedup, LogTypes: d.LogTypes, AlertContext: d.AlertContext,
			Samples: d.Samples, RowIDs: d.RowIDs, Description: f["description"], Runbook: f["runbook"], Reference: f["reference"],
			Fields: extraFields(f, detectionFields), Rules: out.Matched, Input: input, RouteSet: d.DestinationsSet, Route: d.Destinations},
	}
	r.routeSet, r.route = route(d.DestinationsSet, d.Destinations, out)
	r.ruleChanges = describeChanges(input, f)
	return r, Result{}, nil
}

func route(detSet bool, det []string, out rules.Outcome) (bool, []string) {
	if detSet {
		return true, det
	}
	if out.DestinationsSet {
		return true, out.Destinations
	}
	return false, nil
}

func checkDetection(d *DetectionAlert) error {
	switch {
	case d.RuleID == "":
		return &FieldError{Field: "rule_id", Message: "missing"}
	case d.Severity < SevInfo || d.Severity > SevCritical:
		return &FieldError{Field: "severity", Message: "out of range"}
	case len(d.AlertContext) > MaxContextBytes:
		return &FieldError{Field: "alert_context", Message: fmt.Sprintf("over %d bytes", MaxContextBytes)}
	case len(d.Title) > 64<<10 || len(d.Dedup) > 64<<10:
		return &FieldError{Field: "title", Message: "too long"}
	}
	if len(d.AlertContext) > 0 && !json.Valid(d.AlertContext) {
		return &FieldError{Field: "alert_context", Message: "not JSON"}
	}
	if d.EventCount <= 0 {
		d.EventCount = 1
	}
	if d.DedupPeriod <= 0 {
		d.DedupPeriod = DefaultDedup
	}
	if d.FirstEvent.IsZero() && d.LastEvent.IsZero() {
		return &FieldError{Field: "first_event", Message: "missing"}
	}
	if d.FirstEvent.IsZero() {
		d.FirstEvent = d.LastEvent
	}
	if d.LastEvent.Before(d.FirstEvent) {
		d.LastEvent = d.FirstEvent
	}
	if d.Title == "" {
		d.Title = d.RuleID
	}
	if len(d.Samples) > MaxSamples {
		d.Samples = d.Samples[:MaxSamples]
	}
	for i, smp := range d.Samples {
		if len(smp) > MaxSampleBytes || !json.Valid(smp) {
			return &FieldError{Field: fmt.Sprintf("samples[%d]", i), Message: "not JSON or over 64 KiB"}
		}
	}
	if len(d.RowIDs) == 0 {
		for _, smp := range d.Samples {
			if id := fastjson.GetString(smp, "p_row_id"); id != "" {
				d.RowIDs = append(d.RowIDs, id)
			}
		}
	}
	return nil
}

// RaiseEvent stores a console event (the ITSM shape): the alert rules run
// first; then it is tallied by its Identifier, else by
// node:severity:summary (the console severity 0–5 the sender gave, so
// clear and indeterminate, both INFO, are two alerts), like a detection
// alert.
func (s *Store) RaiseEvent(ctx context.Context, e ConsoleEvent) (Result, error) {
	if err := checkEvent(&e, s.now()); err != nil {
		return Result{}, err
	}
	f := make(map[string]string, len(e.Fields)+6)
	for k, v := range e.Fields {
		f[k] = v
	}
	f["kind"], f["node"], f["summary"], f["severity"] = string(KindEvent), e.Node, e.Summary, e.Severity.String()
	if e.Tag != "" {
		f["tag"] = e.Tag
	}
	if e.Identifier != "" {
		f["identifier"] = e.Identifier
	}
	input := maps.Clone(f)
	in := &rules.Input{Fields: f}
	out := s.rules.Load().Apply(in, s.now())
	if out.Discarded {
		return Result{Action: "discarded", Discarded: out.DiscardedBy, Rules: out.Matched}, nil
	}
	sev, _ := ParseSeverity(f["severity"])
	key := f["identifier"]
	if key == "" {
		cs := consoleNumber(e.Severity)
		if e.ConsoleSeverity != nil {
			cs = *e.ConsoleSeverity
		}
		key = f["node"] + ":" + strconv.Itoa(cs) + ":" + f["summary"]
	}
	r := &raise{
		kind: KindEvent, key: "event\x1f" + key, count: 1, title: clip(f["summary"]), severity: sev,
		first: e.Time, seen: e.Time, dedup: s.opts.EventDedupPeriod, node: clip(f["node"]), tag: clip(f["tag"]),
		group: f["group"], owner: f["owner"], assignee: f["assignee"], matched: out.Matched, expires: out.Expires,
		who: e.Node,
		det: detail{Fields: extraFields(f, eventFields), Rules: out.Matched, Input: input},
	}
	if id := f["identifier"]; id != "" {
		r.det.Fields = setField(r.det.Fields, "identifier", id)
	}
	r.routeSet, r.route = route(false, nil, out)
	r.ruleChanges = describeChanges(input, f)
	return s.raise(ctx, r)
}

func setField(m map[string]string, k, v string) map[string]string {
	if m == nil {
		m = map[string]string{}
	}
	m[k] = v
	return m
}

func checkEvent(e *ConsoleEvent, now time.Time) error {
	e.Node, e.Summary = strings.TrimSpace(e.Node), strings.TrimSpace(e.Summary)
	switch {
	case e.Node == "":
		return &FieldError{Field: "node", Message: "missing: the host or service the event is about"}
	case e.Summary == "":
		return &FieldError{Field: "summary", Message: "missing: what happened, in a line"}
	case len(e.Node) > MaxFieldLen || len(e.Summary) > MaxFieldLen || len(e.Tag) > MaxFieldLen || len(e.Identifier) > MaxFieldLen:
		return &FieldError{Field: "summary", Message: fmt.Sprintf("node, summary, tag and identifier are at most %d bytes", MaxFieldLen)}
	case e.Severity < SevInfo || e.Severity > SevCritical:
		return &FieldError{Field: "severity", Message: "out of range"}
	case e.ConsoleSeverity != nil && (*e.ConsoleSeverity < 0 || *e.ConsoleSeverity > 5):
		return &FieldError{Field: "severity", Message: "the console's severity is 0 to 5"}
	case len(e.Fields) > MaxFields:
		return &FieldError{Field: "fields", Message: fmt.Sprintf("at most %d extra fields", MaxFields)}
	}
	for k, v := range e.Fields {
		if k == "" || len(k) > MaxFieldNameLen {
			return &FieldError{Field: k, Message: fmt.Sprintf("a field name is 1 to %d bytes", MaxFieldNameLen)}
		}
		if len(v) > MaxFieldLen {
			return &FieldError{Field: k, Message: fmt.Sprintf("over %d bytes", MaxFieldLen)}
		}
	}
	if e.Time.IsZero() {
		e.Time = now
	}
	return nil
}

// extraFields are the fields that are not columns.
func extraFields(f map[string]string, known []string) map[string]string {
	var out map[string]string
	for k, v := range f {
		if slices.Contains(known, k) {
			continue
		}
		if out == nil {
			out = map[string]string{}
		}
		out[k] = v
	}
	return out
}

// describeChanges says what the rules changed: "severity CRITICAL → INFO; group → dba".
func describeChanges(before, after map[string]string) string {
	var keys []string
	for k, v := range after {
		if before[k] != v {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	var parts []string
	for _, k := range keys {
		if b := before[k]; b != "" {
			parts = append(parts, fmt.Sprintf("%s %s → %s", k, b, after[k]))
		} else {
			parts = append(parts, fmt.Sprintf("%s → %s", k, after[k]))
		}
	}
	return strings.Join(parts, "; ")
}

func clip(s string) string {
	if len(s) <= MaxFieldLen {
		return s
	}
	cut := MaxFieldLen
	for cut > 0 && s[cut]&0xC0 == 0x80 {
		cut--
	}
	return s[:cut] + " [truncated]"
}

// contextField reads alert_context.a.b from an alert context.
func contextField(ctx json.RawMessage, name string) (string, bool) {
	rest, ok := strings.CutPrefix(name, "alert_context.")
	if !ok || len(ctx) == 0 {
		return "", false
	}
	v, err := fastjson.ParseBytes(ctx)
	if err != nil {
		return "", false
	}
	x := v.Get(strings.Split(rest, ".")...)
	if x == nil {
		return "", false
	}
	if x.Type() == fastjson.TypeString {
		return string(x.GetStringBytes()), true
	}
	return x.String(), true
}

type current struct {
	id       int64
	status   Status
	severity Severity
	tally    int64
	first    int64
	last     int64
	dedup    int64
	version  int64
}

// raise stores r in one write.
func (s *Store) raise(ctx context.Context, r *raise) (Result, error) {
	var res Result
	err := s.writeKind(ctx, opRaise, func(tx *wtx, op *writeOp) error {
		var err error
		res, err = s.raiseTx(tx, op, r)
		return err
	})
	if err == nil {
		s.maybeFlushHits(ctx)
	}
	return res, err
}

// raiseTx stores a raise in the writer's transaction.
func (s *Store) raiseTx(tx *wtx, op *writeOp, r *raise) (Result, error) {
	res := Result{Rules: r.matched}
	err := func() error {
		now := s.now()
		delta := r.count
		newGroup := true
		if r.groupID != "" {
			var aid, events int64
			err := tx.QueryRow("SELECT alert_id, events FROM sources WHERE group_id = ?", r.groupID).Scan(&aid, &events)
			switch {
			case err == nil:
				newGroup = false
				delta = r.count - events
				if delta <= 0 {
					res.AlertID, res.Action = aid, "unchanged"
					return nil
				}
			case !errors.Is(err, sql.ErrNoRows):
				return err
			}
		}
		var c current
		found := false
		if cached, ok := s.keys[r.key]; ok {
			c, found = *cached, true
		} else {
			// The alert as it stands: its row plus what is staged for it.
			var p staged
			err := tx.QueryRow(`SELECT id, status, severity, tally, first_seen, last_seen, dedup_ms, version, updated_at`+stagedCols+`
				FROM alerts`+stagedJoin+` WHERE dedup_key = ? ORDER BY id DESC LIMIT 1`, r.key).
				Scan(&c.id, &c.status, &c.severity, &c.tally, &c.first, &c.last, &c.dedup, &c.version, new(int64),
					&p.delta, &p.n, &p.first, &p.last, &p.at)
			found = err == nil
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return err
			}
			if q := tx.pending[c.id]; found && q != nil {
				p.add(*q)
			}
			if found && p.n > 0 {
				c.tally += p.delta
				c.version += p.n
				c.first, c.last = min(c.first, p.first), max(c.last, p.last)
			}
		}
		var err error
		switch {
		case found && active(c.status) && r.severity <= c.severity && !(newGroup && r.kind == KindDetection && len(r.det.Samples) > 0):
			// A plain repeat: counted at the end of the batch.
			tx.addTally(c.id, delta, ms(r.first), ms(r.seen), ms(now))
			c.first, c.last = min(c.first, ms(r.first)), max(c.last, ms(r.seen))
			c.version++
			op.post = append(op.post, Event{AlertID: c.id, Action: "tallied", Version: c.version, Status: c.status, At: now})
			res.Action = "tallied"
		case found && active(c.status):
			// Staged increments of c stay staged: the UPDATE of tally
			// adds to the row, the fold adds them later.
			err = s.tally(tx, op, r, &c, delta, newGroup, now, false)
			res.Action = "tallied"
		case found && c.status == StatusResolved && r.seen.Sub(fromMS(c.first)) < time.Duration(c.dedup)*time.Millisecond:
			err = s.tally(tx, op, r, &c, delta, newGroup, now, true)
			res.Action = "reopened"
		default:
			c = current{status: StatusOpen, severity: r.severity, first: ms(r.first), last: ms(r.seen), dedup: r.dedup.Milliseconds(), version: 1}
			c.id, err = s.create(tx, op, r, delta, now)
			c.tally = 0
			res.Action = "created"
		}
		if err != nil {
			return err
		}
		c.tally += delta
		res.AlertID, res.Tally = c.id, c.tally
		cached := c
		s.keys[r.key] = &cached
		if r.groupID != "" {
			if _, err := tx.Exec(`INSERT INTO sources (group_id, alert_id, events) VALUES (?, ?, ?)
				ON CONFLICT (group_id) DO UPDATE SET events = excluded.events`, r.groupID, c.id, r.count); err != nil {
				return err
			}
		}
		return nil
	}()
	return res, err
}

func (s *Store) create(tx *wtx, op *writeOp, r *raise, count int64, now time.Time) (int64, error) {
	dests := s.destinations(r.routeSet, r.route, r.severity)
	if len(r.matched) > 0 {
		r.det.Applied = map[string]string{"title": r.title, "severity": r.severity.String(), "group": r.group, "owner": r.owner, "assignee": r.assignee}
	}
	r.det.Destinations = dests
	det, err := json.Marshal(&r.det)
	if err != nil {
		return 0, err
	}
	var expires any
	if !r.expires.IsZero() {
		expires = ms(r.expires)
	}
	res, err := tx.Exec(`INSERT INTO alerts (kind, dedup_key, status, severity, title, rule_id, node, tag, tally,
		first_seen, last_seen, created_at, updated_at, dedup_ms, assignee, grp, owner, detail, rules_expire)
		VALUES (?, ?, 'OPEN', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		string(r.kind), r.key, int(r.severity), r.title, r.ruleID, r.node, r.tag, count,
		ms(r.first), ms(r.seen), ms(now), ms(now), r.dedup.Milliseconds(), r.assignee, r.group, r.owner, string(det), expires)
	if err != nil {
		return 0, err
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, err
	}
	text := "raised by detection " + r.ruleID
	if r.kind == KindEvent {
		text = "event from " + r.node
	}
	if err := addHistory(tx, id, now, r.who, BySystem, "created", "", string(StatusOpen), text); err != nil {
		return 0, err
	}
	if len(r.matched) > 0 {
		if err := addHistory(tx, id, now, strings.Join(r.matched, ","), ByRule, "rules", "", "", r.ruleChanges); err != nil {
			return 0, err
		}
	}
	if err := s.queueDeliveries(tx, op, id, dests, "created", now); err != nil {
		return 0, err
	}
	op.post = append(op.post, Event{AlertID: id, Action: "created", Version: 1, Status: StatusOpen, At: now})
	return id, nil
}

// tally adds a repeat to an alert (reopening a RESOLVED one).
func (s *Store) tally(tx *wtx, op *writeOp, r *raise, c *current, delta int64, newGroup bool, now time.Time, reopen bool) error {
	first := min(c.first, ms(r.first))
	last := max(c.last, ms(r.seen))
	sev := c.severity
	escalated := r.severity > c.severity
	if escalated {
		sev = r.severity
	}
	status := c.status
	if reopen {
		status = StatusOpen
	}
	q := `UPDATE alerts SET tally = tally + ?, first_seen = ?, last_seen = ?, severity = ?, status = ?, updated_at = ?, version = version + 1`
	args := []any{delta, first, last, int(sev), string(status), ms(now)}
	if reopen {
		q += `, acked = 0, ack_by = '', ack_at = NULL`
	}
	if newGroup && r.kind == KindDetection && len(r.det.Samples) > 0 {
		var raw string
		if err := tx.QueryRow("SELECT detail FROM alerts WHERE id = ?", c.id).Scan(&raw); err != nil {
			return err
		}
		var d detail
		if err := json.Unmarshal([]byte(raw), &d); err != nil {
			return err
		}
		if len(d.Samples) < MaxSamples {
			n := min(MaxSamples-len(d.Samples), len(r.det.Samples))
			d.Samples = append(d.Samples, r.det.Samples[:n]...)
			d.RowIDs = append(d.RowIDs, r.det.RowIDs[:min(n, len(r.det.RowIDs))]...)
			for _, lt := range r.det.LogTypes {
				if !slices.Contains(d.LogTypes, lt) {
					d.LogTypes = append(d.LogTypes, lt)
				}
			}
			b, err := json.Marshal(&d)
			if err != nil {
				return err
			}
			q += `, detail = ?`
			args = append(args, string(b))
		}
	}
	q += ` WHERE id = ?`
	args = append(args, c.id)
	if _, err := tx.Exec(q, args...); err != nil {
		return err
	}
	c.version++
	oldSev := c.severity
	c.first, c.last, c.severity, c.status = first, last, sev, status
	action := "tallied"
	if reopen {
		action = "reopened"
		if err := addHistory(tx, c.id, now, r.who, BySystem, "status", string(StatusResolved), string(StatusOpen),
			"reopened: a repeat within the dedup window"); err != nil {
			return err
		}
		if err := s.queueDeliveries(tx, op, c.id, s.destinations(r.routeSet, r.route, sev), "reopened", now); err != nil {
			return err
		}
	}
	if escalated {
		if err := addHistory(tx, c.id, now, r.who, BySystem, "severity", oldSev.String(), sev.String(),
			"a repeat with a higher severity"); err != nil {
			return err
		}
		if !reopen {
			if err := s.queueDeliveries(tx, op, c.id, s.destinations(r.routeSet, r.route, sev), "escalated", now); err != nil {
				return err
			}
		}
	}
	op.post = append(op.post, Event{AlertID: c.id, Action: action, Version: c.version, Status: status, At: now})
	return nil
}

// destinations routes an alert: the detection's or a rule's choice,
// else the defaults of its severity.
func (s *Store) destinations(set bool, chosen []string, sev Severity) []string {
	if set {
		return chosen
	}
	return s.opts.Routing.BySeverity[sev]
}

func addHistory(tx *wtx, id int64, at time.Time, who string, by By, what, from, to, text string) error {
	_, err := tx.Exec(`INSERT INTO history (alert_id, at, who, by_kind, what, from_v, to_v, text) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		id, ms(at), who, string(by), what, from, to, text)
	return err
}
