package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"panther/alerts"
	"panther/auth"
)

// eventKeys are the console event's own keys; every other key is an extra
// string field.
var eventKeys = []string{"node", "summary", "severity", "tag", "identifier"}

// parseEvent reads a console event: node and summary (strings,
// required), severity (0-5 or a name; default 1, indeterminate → INFO),
// tag and identifier (strings), and any other string fields.
func parseEvent(raw map[string]json.RawMessage, prefix string) (alerts.ConsoleEvent, error) {
	var ev alerts.ConsoleEvent
	str := func(k string) (string, error) {
		v, ok := raw[k]
		if !ok || string(v) == "null" {
			return "", nil
		}
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			return "", badRequest("every field of an event is a string (severity may be a number)", "%s%s: expected a string, found %s", prefix, k, kindOf(v))
		}
		return s, nil
	}
	var err error
	if ev.Node, err = str("node"); err != nil {
		return ev, err
	}
	if ev.Summary, err = str("summary"); err != nil {
		return ev, err
	}
	if ev.Tag, err = str("tag"); err != nil {
		return ev, err
	}
	if ev.Identifier, err = str("identifier"); err != nil {
		return ev, err
	}
	ev.Severity = alerts.SevInfo
	if v, ok := raw["severity"]; ok {
		var n json.Number
		var s string
		switch {
		case json.Unmarshal(v, &n) == nil:
			s = n.String()
		case json.Unmarshal(v, &s) == nil:
		default:
			return ev, badRequest("0-5 or a name", "%sseverity: expected a number or a name, found %s", prefix, kindOf(v))
		}
		sev, cs, ok := alerts.ParseConsoleSeverity(s)
		if !ok {
			return ev, badRequest("0 clear, 1 indeterminate, 2 warning, 3 minor, 4 major, 5 critical, or Info..Critical", "%sseverity %q is not a severity", prefix, s)
		}
		ev.Severity, ev.ConsoleSeverity = sev, &cs
	}
	keys := make([]string, 0, len(raw))
	for k := range raw {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if slices.Contains(eventKeys, k) {
			continue
		}
		s, err := str(k)
		if err != nil {
			return ev, err
		}
		if ev.Fields == nil {
			ev.Fields = map[string]string{}
		}
		ev.Fields[k] = s
	}
	if ev.Node == "" || ev.Summary == "" {
		return ev, badRequest(`{"node": "db1", "summary": "disk full", "severity": 4}`, "%snode and summary are required", prefix)
	}
	return ev, nil
}

func kindOf(v json.RawMessage) string {
	s := strings.TrimSpace(string(v))
	switch {
	case s == "":
		return "nothing"
	case s[0] == '{':
		return "an object"
	case s[0] == '[':
		return "a list"
	case s[0] == '"':
		return "a string"
	case s == "true" || s == "false":
		return "a boolean"
	case s == "null":
		return "null"
	}
	return "a number"
}

func (a *API) event(w http.ResponseWriter, r *http.Request, _ auth.Identity) {
	var raw map[string]json.RawMessage
	if err := decode(w, r, a.opts.MaxBody, &raw); err != nil {
		a.fail(w, r, err)
		return
	}
	a.raiseEvent(w, r, raw, "")
}

// eventCompat is the ITSM console agents' endpoint: {"event": {...}},
// with the token in X-Api-Token (auth reads it).
func (a *API) eventCompat(w http.ResponseWriter, r *http.Request, _ auth.Identity) {
	var body struct {
		Event map[string]json.RawMessage `json:"event"`
	}
	if err := decode(w, r, a.opts.MaxBody, &body); err != nil {
		a.fail(w, r, err)
		return
	}
	if body.Event == nil {
		a.fail(w, r, badRequest(`{"event": {"node": "db1", "summary": "disk full", "severity": 4}}`, "no event object"))
		return
	}
	a.raiseEvent(w, r, body.Event, "event.")
}

func (a *API) raiseEvent(w http.ResponseWriter, r *http.Request, raw map[string]json.RawMessage, prefix string) {
	ev, err := parseEvent(raw, prefix)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	res, err := a.store.RaiseEvent(r.Context(), ev)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	status := http.StatusOK
	if res.Action == "created" {
		status = http.StatusCreated
	}
	writeJSON(w, status, res)
}

// DetectionAlert is a detection alert as POST /api/v1/alerts/raise takes
// it (what `panther replay --push` sends).
type DetectionAlert struct {
	GroupID            string            `json:"group_id"`
	RuleID             string            `json:"rule_id"`
	PackVersion        string            `json:"pack_version,omitempty"`
	Title              string            `json:"title,omitempty"`
	Dedup              string            `json:"dedup,omitempty"`
	Severity           string            `json:"severity"`
	DedupPeriodMinutes int               `json:"dedup_period_minutes,omitempty"`
	EventCount         int64             `json:"event_count"`
	FirstEvent         time.Time         `json:"first_event"`
	LastEvent          time.Time         `json:"last_event"`
	LogTypes           []string          `json:"log_types,omitempty"`
	AlertContext       json.RawMessage   `json:"alert_context,omitempty"`
	Samples            []json.RawMessage `json:"samples,omitempty"`
	RowIDs             []string          `json:"row_ids,omitempty"`
	Description        string            `json:"description,omitempty"`
	Runbook            string            `json:"runbook,omitempty"`
	Reference          string            `json:"reference,omitempty"`
	// Destinations, when present (even empty), are the detection's routing.
	Destinations *[]string `json:"destinations,omitempty"`
}

// RaiseRequest is a batch of detection alerts.
type RaiseRequest struct {
	Alerts []DetectionAlert `json:"alerts"`
}

// RaiseResponse says what each alert of a batch did, in order.
type RaiseResponse struct {
	Results []alerts.Result `json:"results"`
}

// MaxRaise bounds the alerts of one raise request.
const MaxRaise = 1000

func (d DetectionAlert) alert(i int) (alerts.DetectionAlert, error) {
	sev, ok := alerts.ParseSeverity(d.Severity)
	if !ok {
		return alerts.DetectionAlert{}, badRequest("Info, Low, Medium, High or Critical", "alerts[%d].severity %q is not a severity", i, d.Severity)
	}
	if d.GroupID == "" {
		return alerts.DetectionAlert{}, badRequest("the engine's alert id: raising it again adds only new events", "alerts[%d].group_id is required", i)
	}
	if len(d.LogTypes) > 64 || len(d.RowIDs) > 1000 {
		return alerts.DetectionAlert{}, badRequest("", "alerts[%d]: at most 64 log types and 1000 row ids", i)
	}
	out := alerts.DetectionAlert{GroupID: d.GroupID, RuleID: d.RuleID, PackVersion: d.PackVersion, Title: d.Title, Dedup: d.Dedup,
		Severity: sev, DedupPeriod: time.Duration(d.DedupPeriodMinutes) * time.Minute, EventCount: d.EventCount,
		FirstEvent: d.FirstEvent, LastEvent: d.LastEvent, LogTypes: d.LogTypes, AlertContext: d.AlertContext,
		Samples: d.Samples, RowIDs: d.RowIDs, Description: d.Description, Runbook: d.Runbook, Reference: d.Reference}
	if d.Destinations != nil {
		out.Destinations, out.DestinationsSet = *d.Destinations, true
	}
	return out, nil
}

func (a *API) raise(w http.ResponseWriter, r *http.Request, _ auth.Identity) {
	var req RaiseRequest
	if err := decode(w, r, 32*a.opts.MaxBody, &req); err != nil {
		a.fail(w, r, err)
		return
	}
	if len(req.Alerts) > MaxRaise {
		a.fail(w, r, badRequest(fmt.Sprintf("send at most %d alerts a request", MaxRaise), "%d alerts in one request", len(req.Alerts)))
		return
	}
	list := make([]alerts.DetectionAlert, len(req.Alerts))
	for i, d := range req.Alerts {
		al, err := d.alert(i)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		list[i] = al
	}
	results, err := a.store.RaiseDetections(r.Context(), list)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	res := RaiseResponse{Results: results}
	writeJSON(w, http.StatusOK, res)
}

// Wire is the JSON form of a detection alert, to send with Client.Raise.
func Wire(d alerts.DetectionAlert) DetectionAlert {
	w := DetectionAlert{GroupID: d.GroupID, RuleID: d.RuleID, PackVersion: d.PackVersion, Title: d.Title, Dedup: d.Dedup,
		Severity: d.Severity.String(), DedupPeriodMinutes: int(d.DedupPeriod.Minutes()), EventCount: d.EventCount,
		FirstEvent: d.FirstEvent, LastEvent: d.LastEvent, LogTypes: d.LogTypes, AlertContext: d.AlertContext,
		Samples: d.Samples, RowIDs: d.RowIDs, Description: d.Description, Runbook: d.Runbook, Reference: d.Reference}
	if d.DestinationsSet {
		ds := d.Destinations
		if ds == nil {
			ds = []string{}
		}
		w.Destinations = &ds
	}
	return w
}
