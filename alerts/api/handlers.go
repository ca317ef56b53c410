package api

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"panther/alerts"
	"panther/auth"
)

// FilterSpec is a filter as the API takes it: query parameters of GET
// /api/v1/alerts, or the "filter" object of a bulk change.
type FilterSpec struct {
	Status []string `json:"status,omitempty"`
	// Severity keeps alerts at least this severe.
	Severity       string   `json:"severity,omitempty"`
	Rule           []string `json:"rule,omitempty"`
	Kind           string   `json:"kind,omitempty"`
	Node           string   `json:"node,omitempty"`
	Group          string   `json:"group,omitempty"`
	Assignee       string   `json:"assignee,omitempty"`
	Mine           bool     `json:"mine,omitempty"`
	Unacknowledged bool     `json:"unacknowledged,omitempty"`
	Q              string   `json:"q,omitempty"`
	// From and To: RFC 3339 times, or durations ago ("24h", "7d").
	From string `json:"from,omitempty"`
	To   string `json:"to,omitempty"`
}

// Values returns the spec as query parameters.
func (f FilterSpec) Values() url.Values {
	v := url.Values{}
	if len(f.Status) > 0 {
		v.Set("status", strings.Join(f.Status, ","))
	}
	if len(f.Rule) > 0 {
		v.Set("rule", strings.Join(f.Rule, ","))
	}
	for k, s := range map[string]string{"severity": f.Severity, "kind": f.Kind, "node": f.Node, "group": f.Group,
		"assignee": f.Assignee, "q": f.Q, "from": f.From, "to": f.To} {
		if s != "" {
			v.Set(k, s)
		}
	}
	if f.Mine {
		v.Set("mine", "true")
	}
	if f.Unacknowledged {
		v.Set("unacknowledged", "true")
	}
	return v
}

var filterParams = map[string]bool{"status": true, "severity": true, "rule": true, "kind": true, "node": true, "group": true,
	"assignee": true, "mine": true, "unacknowledged": true, "q": true, "from": true, "to": true}

func specFromQuery(q url.Values) (FilterSpec, error) {
	var f FilterSpec
	split := func(s string) []string {
		var out []string
		for _, x := range strings.Split(s, ",") {
			if x = strings.TrimSpace(x); x != "" {
				out = append(out, x)
			}
		}
		return out
	}
	f.Status, f.Rule = split(q.Get("status")), split(q.Get("rule"))
	f.Severity, f.Kind, f.Node, f.Group, f.Assignee = q.Get("severity"), q.Get("kind"), q.Get("node"), q.Get("group"), q.Get("assignee")
	f.Q, f.From, f.To = q.Get("q"), q.Get("from"), q.Get("to")
	for name, dst := range map[string]*bool{"mine": &f.Mine, "unacknowledged": &f.Unacknowledged} {
		if s := q.Get(name); s != "" {
			b, err := strconv.ParseBool(s)
			if err != nil {
				return f, badRequest("true or false", "%s=%q", name, s)
			}
			*dst = b
		}
	}
	return f, nil
}

// filter turns a spec into the store's filter; mine is the caller's name.
func (f FilterSpec) filter(id auth.Identity, now time.Time) (alerts.Filter, error) {
	out := alerts.Filter{RuleID: f.Rule, Node: f.Node, Group: f.Group, Assignee: f.Assignee, Unacknowledged: f.Unacknowledged, Text: f.Q}
	for _, s := range f.Status {
		st := alerts.Status(strings.ToUpper(s))
		if err := alerts.CanTransition(st, st, alerts.ByPerson); err != nil {
			return out, badRequest("OPEN, TRIAGED, RESOLVED or CLOSED, comma-separated", "status %q is not a status", s)
		}
		out.Status = append(out.Status, st)
	}
	if f.Severity != "" {
		sev, ok := alerts.ParseSeverity(f.Severity)
		if !ok {
			return out, badRequest("Info, Low, Medium, High, Critical or 0-5: alerts at least this severe", "severity %q is not a severity", f.Severity)
		}
		out.MinSeverity = &sev
	}
	switch strings.ToLower(f.Kind) {
	case "":
	case "detection", "event":
		out.Kind = alerts.Kind(strings.ToLower(f.Kind))
	default:
		return out, badRequest("detection or event", "kind %q", f.Kind)
	}
	if f.Mine {
		if f.Assignee != "" && f.Assignee != id.Name {
			return out, badRequest("give mine or assignee", "mine=true and assignee=%q disagree", f.Assignee)
		}
		out.Assignee = id.Name
	}
	var err error
	if out.From, err = parseWhen(f.From, "from", now); err != nil {
		return out, err
	}
	if out.To, err = parseWhen(f.To, "to", now); err != nil {
		return out, err
	}
	if len(f.Q) > 256 {
		return out, badRequest("", "q is at most 256 bytes")
	}
	return out, nil
}

// parseWhen reads an RFC 3339 time, a date, or a duration ago (30m, 24h, 7d).
func parseWhen(s, name string, now time.Time) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t, nil
	}
	if d, ok := strings.CutSuffix(s, "d"); ok {
		if n, err := strconv.Atoi(d); err == nil && n >= 0 {
			return now.Add(-time.Duration(n) * 24 * time.Hour), nil
		}
	}
	if d, err := time.ParseDuration(s); err == nil && d >= 0 {
		return now.Add(-d), nil
	}
	return time.Time{}, badRequest("an RFC 3339 time, a date (2026-11-10) or a duration ago (30m, 24h, 7d)", "%s=%q", name, s)
}

func (a *API) list(w http.ResponseWriter, r *http.Request, id auth.Identity) {
	q := r.URL.Query()
	for k := range q {
		if !filterParams[k] && k != "sort" && k != "limit" && k != "cursor" {
			a.fail(w, r, badRequest("parameters: status, severity, rule, kind, node, group, assignee, mine, unacknowledged, q, from, to, sort, limit, cursor", "unknown parameter %q", k))
			return
		}
	}
	spec, err := specFromQuery(q)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	f, err := spec.filter(id, a.opts.Now())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	p := alerts.Page{Sort: q.Get("sort"), Cursor: q.Get("cursor")}
	if s := q.Get("limit"); s != "" {
		if p.Limit, err = strconv.Atoi(s); err != nil || p.Limit < 1 || p.Limit > alerts.MaxPage {
			a.fail(w, r, badRequest("", "limit is 1 to %d", alerts.MaxPage))
			return
		}
	}
	// The change feed's position before the list is read: a client that
	// follows the stream from it (?after=) misses no change to the list.
	seq := a.store.LastSeq()
	res, err := a.store.List(r.Context(), f, p)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("X-Alert-Seq", strconv.FormatInt(seq, 10))
	writeJSON(w, http.StatusOK, res)
}

func (a *API) get(w http.ResponseWriter, r *http.Request, _ auth.Identity) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	al, err := a.store.Get(r.Context(), id, alerts.GetAll)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("ETag", `"`+strconv.FormatInt(al.Version, 10)+`"`)
	writeJSON(w, http.StatusOK, al)
}

// PatchRequest is the body of PATCH /api/v1/alerts/{id} and of a bulk
// change: the fields to change.
type PatchRequest struct {
	Status   *string `json:"status,omitempty"`
	Ack      *bool   `json:"ack,omitempty"`
	Assignee *string `json:"assignee,omitempty"`
	Severity *string `json:"severity,omitempty"`
	Group    *string `json:"group,omitempty"`
	Owner    *string `json:"owner,omitempty"`
}

func (p PatchRequest) patch() (alerts.Patch, error) {
	out := alerts.Patch{Ack: p.Ack, Assignee: p.Assignee, Group: p.Group, Owner: p.Owner}
	if p.Status != nil {
		st := alerts.Status(strings.ToUpper(*p.Status))
		out.Status = &st
	}
	if p.Severity != nil {
		sev, ok := alerts.ParseSeverity(*p.Severity)
		if !ok {
			return out, badRequest("Info, Low, Medium, High, Critical or 0-5", "severity %q is not a severity", *p.Severity)
		}
		out.Severity = &sev
	}
	return out, nil
}

func (a *API) patch(w http.ResponseWriter, r *http.Request, who auth.Identity) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var req PatchRequest
	if err := decode(w, r, a.opts.MaxBody, &req); err != nil {
		a.fail(w, r, err)
		return
	}
	p, err := req.patch()
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if h := strings.TrimSpace(r.Header.Get("If-Match")); h != "" && h != "*" {
		v, err := strconv.ParseInt(strings.Trim(strings.TrimPrefix(h, "W/"), `"`), 10, 64)
		if err != nil || v < 1 {
			a.fail(w, r, badRequest(`If-Match is the alert's ETag, like "3"`, "bad If-Match %q", h))
			return
		}
		p.IfVersion = v
	}
	al, err := a.store.Update(r.Context(), id, p, actor(who))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("ETag", `"`+strconv.FormatInt(al.Version, 10)+`"`)
	writeJSON(w, http.StatusOK, al)
}

func (a *API) history(w http.ResponseWriter, r *http.Request, _ auth.Identity) {
	a.sub(w, r, func(id int64) (any, error) { return a.store.History(r.Context(), id) })
}

func (a *API) notes(w http.ResponseWriter, r *http.Request, _ auth.Identity) {
	a.sub(w, r, func(id int64) (any, error) { return a.store.Notes(r.Context(), id) })
}

func (a *API) deliveries(w http.ResponseWriter, r *http.Request, _ auth.Identity) {
	a.sub(w, r, func(id int64) (any, error) {
		ds, err := a.store.Deliveries(r.Context(), id)
		if ds == nil {
			ds = []alerts.Delivery{}
		}
		return ds, err
	})
}

// sub answers a list that belongs to an alert (404 for an unknown alert).
func (a *API) sub(w http.ResponseWriter, r *http.Request, f func(id int64) (any, error)) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if _, err := a.store.Get(r.Context(), id, alerts.GetOptions{}); err != nil {
		a.fail(w, r, err)
		return
	}
	out, err := f(id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// NoteRequest is the body of POST /api/v1/alerts/{id}/notes.
type NoteRequest struct {
	Text string `json:"text"`
}

func (a *API) addNote(w http.ResponseWriter, r *http.Request, who auth.Identity) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var req NoteRequest
	if err := decode(w, r, a.opts.MaxBody, &req); err != nil {
		a.fail(w, r, err)
		return
	}
	n, err := a.store.AddNote(r.Context(), id, req.Text, actor(who))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, n)
}

// BulkRequest changes many alerts: by ids, or by a filter.
type BulkRequest struct {
	IDs    []int64     `json:"ids,omitempty"`
	Filter *FilterSpec `json:"filter,omitempty"`
	PatchRequest
}

func (a *API) bulk(w http.ResponseWriter, r *http.Request, who auth.Identity) {
	var req BulkRequest
	if err := decode(w, r, a.opts.MaxBody, &req); err != nil {
		a.fail(w, r, err)
		return
	}
	if (len(req.IDs) == 0) == (req.Filter == nil) {
		a.fail(w, r, badRequest(`{"ids": [1, 2], "status": "RESOLVED"} or {"filter": {"rule": ["X"]}, "ack": true}`, "give ids or a filter, not both"))
		return
	}
	p, err := req.patch()
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var f *alerts.Filter
	if req.Filter != nil {
		ff, err := req.Filter.filter(who, a.opts.Now())
		if err != nil {
			a.fail(w, r, err)
			return
		}
		f = &ff
	}
	res, err := a.store.Bulk(r.Context(), req.IDs, f, p, actor(who))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

func (a *API) dead(w http.ResponseWriter, r *http.Request, _ auth.Identity) {
	limit := 100
	if s := r.URL.Query().Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 1000 {
			a.fail(w, r, badRequest("", "limit is 1 to 1000"))
			return
		}
		limit = n
	}
	ds, err := a.store.DeadLetters(r.Context(), limit)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if ds == nil {
		ds = []alerts.Delivery{}
	}
	writeJSON(w, http.StatusOK, ds)
}

func (a *API) resend(w http.ResponseWriter, r *http.Request, who auth.Identity) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	d, err := a.store.Resend(r.Context(), id, actor(who))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, d)
}

// RuleInfo is an alert rule and its hit count.
type RuleInfo struct {
	ID          string    `json:"id"`
	File        string    `json:"file,omitempty"`
	Description string    `json:"description,omitempty"`
	Enabled     bool      `json:"enabled"`
	Priority    int       `json:"priority"`
	InUse       bool      `json:"in_use"`
	Hits        int64     `json:"hits"`
	LastHit     time.Time `json:"last_hit,omitzero"`
}

func (a *API) rules(w http.ResponseWriter, r *http.Request, _ auth.Identity) {
	hits, err := a.store.RuleHits(r.Context())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	set := a.store.Rules()
	out := []RuleInfo{}
	for _, h := range hits {
		info := RuleInfo{ID: h.RuleID, Hits: h.Hits, LastHit: h.LastHit}
		if set != nil {
			if rl, ok := set.Rule(h.RuleID); ok {
				info.File, info.Description, info.Enabled, info.Priority, info.InUse = rl.File, rl.Description, rl.Enabled, rl.Priority, true
			}
		}
		out = append(out, info)
	}
	writeJSON(w, http.StatusOK, out)
}

// stats is GET /api/v1/alerts/stats: the console's dashboard. from and
// to as the list's (default: the last 7 days), bucket a duration (default
// 1h, widened to at most alerts.MaxBuckets buckets), top (1–1,000).
func (a *API) stats(w http.ResponseWriter, r *http.Request, _ auth.Identity) {
	q := r.URL.Query()
	for k := range q {
		if k != "from" && k != "to" && k != "bucket" && k != "top" {
			a.fail(w, r, badRequest("parameters: from, to, bucket, top", "unknown parameter %q", k))
			return
		}
	}
	now := a.opts.Now()
	var o alerts.StatsOptions
	var err error
	if o.From, err = parseWhen(q.Get("from"), "from", now); err != nil {
		a.fail(w, r, err)
		return
	}
	if o.To, err = parseWhen(q.Get("to"), "to", now); err != nil {
		a.fail(w, r, err)
		return
	}
	if o.To.IsZero() {
		o.To = now
	}
	if s := q.Get("bucket"); s != "" {
		if o.Bucket, err = time.ParseDuration(s); err != nil || o.Bucket < time.Minute {
			a.fail(w, r, badRequest("a duration of at least 1m: 5m, 1h, 24h", "bucket=%q", s))
			return
		}
	}
	if s := q.Get("top"); s != "" {
		if o.Top, err = strconv.Atoi(s); err != nil || o.Top < 1 || o.Top > 1000 {
			a.fail(w, r, badRequest("", "top is 1 to 1000"))
			return
		}
	}
	st, err := a.store.Stats(r.Context(), o)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, st)
}
