package alerts

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"panther/alerts/rules"
)

// Status is where an alert is in its lifecycle (see lifecycle.go).
type Status string

// Statuses.
const (
	StatusOpen     Status = "OPEN"
	StatusTriaged  Status = "TRIAGED"
	StatusResolved Status = "RESOLVED"
	StatusClosed   Status = "CLOSED"
)

// Statuses lists every status, in lifecycle order.
var Statuses = []Status{StatusOpen, StatusTriaged, StatusResolved, StatusClosed}

// Kind says where an alert came from.
type Kind string

// Kinds.
const (
	KindDetection Kind = "detection" // a detection matched events (RaiseDetection)
	KindEvent     Kind = "event"     // an agent sent an event of interest (RaiseEvent)
)

// Severity is Info..Critical as a rank, 0..4 (rules.Severities).
type Severity int

// Severities.
const (
	SevInfo Severity = iota
	SevLow
	SevMedium
	SevHigh
	SevCritical
)

func (s Severity) String() string {
	if s < 0 || int(s) >= len(rules.Severities) {
		return "INFO"
	}
	return rules.Severities[s]
}

// MarshalText writes the name.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads a name or the console's 0–5 (rules.ParseSeverity).
func (s *Severity) UnmarshalText(b []byte) error {
	_, r, ok := rules.ParseSeverity(string(b))
	if !ok {
		return &FieldError{Field: "severity", Message: "not a severity: use Info, Low, Medium, High, Critical or 0-5"}
	}
	*s = Severity(r)
	return nil
}

// ParseSeverity reads a severity name or the console's 0–5.
func ParseSeverity(s string) (Severity, bool) {
	_, r, ok := rules.ParseSeverity(s)
	return Severity(r), ok
}

// ParseConsoleSeverity reads what an agent sends as a severity: the
// rank, and the console's own number 0–5 — the number given, or the one
// of a console name (clear 0, indeterminate 1, warning 2, minor 3, major
// 4, critical 5), or for our names the number they map from (INFO is 1).
func ParseConsoleSeverity(s string) (Severity, int, bool) {
	sev, ok := ParseSeverity(s)
	if !ok {
		return 0, 0, false
	}
	t := strings.ToLower(strings.TrimSpace(s))
	if n, err := strconv.Atoi(t); err == nil {
		return sev, n, true
	}
	if t == "clear" {
		return sev, 0, true
	}
	return sev, consoleNumber(sev), true
}

// consoleNumber is the console's number of a rank: INFO is 1
// (indeterminate), LOW 2, ... CRITICAL 5.
func consoleNumber(s Severity) int { return int(s) + 1 }

// Alert is one alert of the store: a detection's alert or a console event,
// with its lifecycle.
type Alert struct {
	ID       int64    `json:"id"`
	Kind     Kind     `json:"kind"`
	Status   Status   `json:"status"`
	Severity Severity `json:"severity"`
	// Title is the detection's title or the event's summary.
	Title string `json:"title"`
	// Key is what repeats are counted by: rule and dedup, or the event's
	// identifier (node:severity:summary by default).
	Key       string    `json:"key"`
	Tally     int64     `json:"tally"`
	FirstSeen time.Time `json:"first_seen"`
	LastSeen  time.Time `json:"last_seen"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	// DedupPeriod is how long after FirstSeen a repeat reopens the alert
	// once RESOLVED.
	DedupPeriod time.Duration `json:"dedup_period_ns"`

	Acknowledged bool       `json:"acknowledged"`
	AckBy        string     `json:"ack_by,omitempty"`
	AckAt        *time.Time `json:"ack_at,omitempty"`
	Assignee     string     `json:"assignee,omitempty"`
	Group        string     `json:"group,omitempty"`
	Owner        string     `json:"owner,omitempty"`
	// Version grows with every change (an ETag for the console).
	Version int64 `json:"version"`

	// Detection alerts.
	RuleID       string            `json:"rule_id,omitempty"`
	PackVersion  string            `json:"pack_version,omitempty"`
	Dedup        string            `json:"dedup,omitempty"`
	LogTypes     []string          `json:"log_types,omitempty"`
	AlertContext json.RawMessage   `json:"alert_context,omitempty"`
	Samples      []json.RawMessage `json:"samples,omitempty"`
	RowIDs       []string          `json:"row_ids,omitempty"`
	FirstEvent   *time.Time        `json:"first_event,omitempty"`
	LastEvent    *time.Time        `json:"last_event,omitempty"`
	Description  string            `json:"description,omitempty"`
	Runbook      string            `json:"runbook,omitempty"`
	Reference    string            `json:"reference,omitempty"`

	// Console events.
	Node string `json:"node,omitempty"`
	Tag  string `json:"tag,omitempty"`
	// Fields are the event's other string fields, and fields alert rules set.
	Fields map[string]string `json:"fields,omitempty"`

	// Destinations the alert was routed to.
	Destinations []string `json:"destinations,omitempty"`
	// Rules are the alert rules that applied when it was last raised.
	Rules []string `json:"rules,omitempty"`
	// RulesExpire is when a schedule the rules relied on ends: the rules
	// are applied again then.
	RulesExpire *time.Time `json:"rules_expire,omitempty"`
	// Notes, History and Deliveries are filled by Get.
	Notes      []Note     `json:"notes,omitempty"`
	History    []Change   `json:"history,omitempty"`
	Deliveries []Delivery `json:"deliveries,omitempty"`

	// The row's own sort columns, without the staged increments
	// (tallies.go): lists are ordered by them, so cursors hold them.
	rawTally, rawFirst, rawLast, rawUpdated int64
	// rawKey is the key as stored (and indexed for text search).
	rawKey string
}

// Note is a comment on an alert.
type Note struct {
	ID      int64     `json:"id"`
	AlertID int64     `json:"alert_id"`
	At      time.Time `json:"at"`
	Author  string    `json:"author"`
	Text    string    `json:"text"`
}

// By says what made a change.
type By string

// Who changes alerts.
const (
	ByPerson By = "person" // through the API, the CLI or the console: Who is the token's name
	ByRule   By = "rule"   // an alert rule: Who is its ID
	BySystem By = "system" // the store itself: a repeat, a reopen, an escalation
)

// Change is one entry of an alert's history.
type Change struct {
	ID      int64     `json:"id"`
	AlertID int64     `json:"alert_id"`
	At      time.Time `json:"at"`
	Who     string    `json:"who"`
	By      By        `json:"by"`
	// What changed: created, status, severity, ack, assignee, group,
	// owner, note, reopen, field:<name>, destinations.
	What string `json:"what"`
	From string `json:"from,omitempty"`
	To   string `json:"to,omitempty"`
	// Text says why, when there is more to say.
	Text string `json:"text,omitempty"`
}

// Delivery is the sending of an alert to one destination.
type Delivery struct {
	ID          int64      `json:"id"`
	AlertID     int64      `json:"alert_id"`
	Destination string     `json:"destination"`
	Reason      string     `json:"reason"` // created, reopened, escalated, resend
	Status      string     `json:"status"` // pending, sent, dead
	Attempts    int        `json:"attempts"`
	LastStatus  int        `json:"last_status,omitempty"` // HTTP status or SMTP code
	LastError   string     `json:"last_error,omitempty"`
	NextAt      *time.Time `json:"next_at,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
	SentAt      *time.Time `json:"sent_at,omitempty"`
}

// Delivery statuses.
const (
	DeliveryPending = "pending"
	DeliverySent    = "sent"
	DeliveryDead    = "dead"
)

// DetectionAlert is what the live pipeline (or `panther replay --push`)
// raises: an alert group of the engine (engine.Alert) as it stands.
type DetectionAlert struct {
	// GroupID identifies the engine's alert group (engine.Alert.ID:
	// deterministic from rule, dedup and first event), so the same group
	// raised again — a later threshold, a replay pushed twice — adds only
	// its new events.
	GroupID     string
	RuleID      string
	PackVersion string
	Title       string
	Dedup       string
	Severity    Severity
	// DedupPeriod of the detection (default 60 minutes).
	DedupPeriod  time.Duration
	EventCount   int64 // events of the group so far
	FirstEvent   time.Time
	LastEvent    time.Time
	LogTypes     []string
	AlertContext json.RawMessage
	Samples      []json.RawMessage
	RowIDs       []string
	Description  string
	Runbook      string
	Reference    string
	// Destinations returned by the detection's destinations(); when
	// DestinationsSet they decide the routing (an empty list: none).
	Destinations    []string
	DestinationsSet bool
}

// ConsoleEvent is an event of interest an agent sends (the ITSM shape).
type ConsoleEvent struct {
	Node     string
	Summary  string
	Severity Severity
	Tag      string
	// ConsoleSeverity is the severity as the console numbers it, 0–5
	// (0 clear, 1 indeterminate, ... 5 critical), when the sender gave
	// one (a number or a console name: ParseConsoleSeverity); nil takes
	// it from Severity (INFO is 1, indeterminate). The default key uses
	// it, so that clear (0) and indeterminate (1), both INFO, stay apart.
	ConsoleSeverity *int
	// Identifier, when set, is the dedup key; else
	// node:console severity:summary.
	Identifier string
	// Fields are the other string fields.
	Fields map[string]string
	// Time of the event; zero: now.
	Time time.Time
}

// Result is what a raise did.
type Result struct {
	// AlertID is 0 when an alert rule discarded the input.
	AlertID int64 `json:"id,omitempty"`
	// Action: created, tallied, reopened, unchanged (a group already
	// counted), discarded.
	Action    string   `json:"action"`
	Tally     int64    `json:"tally,omitempty"`
	Discarded string   `json:"discarded_by,omitempty"`
	Rules     []string `json:"rules,omitempty"`
}

// FieldError is bad input: which field, and what is wrong.
type FieldError struct {
	Field   string
	Message string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Message }
