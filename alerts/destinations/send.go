package destinations

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"panther/alerts"
)

// PagerDutyEventsURL is PagerDuty's Events API v2.
const PagerDutyEventsURL = "https://events.pagerduty.com/v2/enqueue"

// Sender sends an alert to one destination.
type Sender interface {
	Send(ctx context.Context, a *alerts.Alert, d alerts.Delivery) error
}

// SendError is a failed attempt: the status the destination answered (0:
// none) and whether trying again can help.
type SendError struct {
	Status    int
	Permanent bool
	Err       error
}

func (e *SendError) Error() string {
	if e.Status != 0 {
		return fmt.Sprintf("status %d: %v", e.Status, e.Err)
	}
	return e.Err.Error()
}

func (e *SendError) Unwrap() error { return e.Err }

// Payload is the JSON body of a webhook: the alert as the store has it
// (without samples), why it is sent, and a link.
type Payload struct {
	DeliveryID int64             `json:"delivery_id"`
	Reason     string            `json:"reason"`
	ID         int64             `json:"id"`
	Kind       alerts.Kind       `json:"kind"`
	Status     alerts.Status     `json:"status"`
	Severity   alerts.Severity   `json:"severity"`
	Title      string            `json:"title"`
	RuleID     string            `json:"rule_id,omitempty"`
	Node       string            `json:"node,omitempty"`
	Tag        string            `json:"tag,omitempty"`
	Tally      int64             `json:"tally"`
	FirstSeen  time.Time         `json:"first_seen"`
	LastSeen   time.Time         `json:"last_seen"`
	LogTypes   []string          `json:"log_types,omitempty"`
	Context    json.RawMessage   `json:"alert_context,omitempty"`
	Fields     map[string]string `json:"fields,omitempty"`
	Runbook    string            `json:"runbook,omitempty"`
	Assignee   string            `json:"assignee,omitempty"`
	Group      string            `json:"group,omitempty"`
	URL        string            `json:"url,omitempty"`
}

func payload(a *alerts.Alert, d alerts.Delivery, console string) Payload {
	p := Payload{DeliveryID: d.ID, Reason: d.Reason, ID: a.ID, Kind: a.Kind, Status: a.Status, Severity: a.Severity,
		Title: a.Title, RuleID: a.RuleID, Node: a.Node, Tag: a.Tag, Tally: a.Tally, FirstSeen: a.FirstSeen,
		LastSeen: a.LastSeen, LogTypes: a.LogTypes, Context: a.AlertContext, Fields: a.Fields, Runbook: a.Runbook,
		Assignee: a.Assignee, Group: a.Group}
	if console != "" {
		p.URL = console + "/alerts/" + strconv.FormatInt(a.ID, 10)
	}
	return p
}

// headline is the one-line text of an alert: "[HIGH] title (rule, tally 3)".
func headline(a *alerts.Alert) string {
	what := a.RuleID
	if a.Kind == alerts.KindEvent {
		what = a.Node
	}
	s := fmt.Sprintf("[%s] %s (%s", a.Severity, a.Title, what)
	if a.Tally > 1 {
		s += fmt.Sprintf(", %d times", a.Tally)
	}
	return s + ")"
}

// post sends a JSON body and classifies the answer.
func post(ctx context.Context, hc *http.Client, url string, body []byte, h http.Header) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return &SendError{Permanent: true, Err: err}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "panther-alerts")
	for k, v := range h {
		req.Header[k] = v
	}
	resp, err := hc.Do(req)
	if err != nil {
		return &SendError{Err: err}
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil
	}
	// 4xx will not get better by asking again, except these.
	permanent := resp.StatusCode >= 400 && resp.StatusCode < 500 &&
		resp.StatusCode != http.StatusRequestTimeout && resp.StatusCode != http.StatusTooEarly && resp.StatusCode != http.StatusTooManyRequests
	return &SendError{Status: resp.StatusCode, Permanent: permanent, Err: errors.New(strings.TrimSpace(string(msg)))}
}

// Webhook posts the Payload as JSON, signed: X-Panther-Timestamp is the
// Unix time of the attempt and X-Panther-Signature is
// "v1=" + hex(HMAC-SHA256(secret, timestamp + "." + body)). A receiver
// checks the signature (VerifyWebhook) and refuses a timestamp too far
// from its clock, so a captured request cannot be replayed later.
// X-Panther-Delivery is the delivery's id: the same alert sent again
// after a lost answer carries the same id.
type Webhook struct {
	URL, Secret, ConsoleURL string
	HTTP                    *http.Client
	Now                     func() time.Time
}

// Send implements Sender.
func (w *Webhook) Send(ctx context.Context, a *alerts.Alert, d alerts.Delivery) error {
	body, err := json.Marshal(payload(a, d, w.ConsoleURL))
	if err != nil {
		return &SendError{Permanent: true, Err: err}
	}
	now := time.Now
	if w.Now != nil {
		now = w.Now
	}
	ts := strconv.FormatInt(now().Unix(), 10)
	h := http.Header{}
	h.Set("X-Panther-Timestamp", ts)
	h.Set("X-Panther-Signature", Sign(w.Secret, ts, body))
	h.Set("X-Panther-Delivery", strconv.FormatInt(d.ID, 10))
	return post(ctx, w.HTTP, w.URL, body, h)
}

// Sign computes a webhook signature.
func Sign(secret, timestamp string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(timestamp))
	m.Write([]byte{'.'})
	m.Write(body)
	return "v1=" + hex.EncodeToString(m.Sum(nil))
}

// VerifyWebhook checks a webhook request's signature and that its
// timestamp is within tolerance of now (what a receiver should do).
func VerifyWebhook(secret string, h http.Header, body []byte, now time.Time, tolerance time.Duration) error {
	ts := h.Get("X-Panther-Timestamp")
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return errors.New("no timestamp")
	}
	if d := now.Sub(time.Unix(sec, 0)); d > tolerance || d < -tolerance {
		return fmt.Errorf("timestamp %s is %s away from now: a replay?", ts, d.Round(time.Second))
	}
	if !hmac.Equal([]byte(h.Get("X-Panther-Signature")), []byte(Sign(secret, ts, body))) {
		return errors.New("bad signature")
	}
	return nil
}

// Slack posts to an incoming webhook. Slack reads <, > and & as markup,
// so the alert's text (which came from logs) is escaped.
type Slack struct {
	URL, ConsoleURL string
	HTTP            *http.Client
}

var slackEscape = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// Send implements Sender.
func (s *Slack) Send(ctx context.Context, a *alerts.Alert, d alerts.Delivery) error {
	text := slackEscape.Replace(headline(a))
	if s.ConsoleURL != "" {
		text += fmt.Sprintf(" <%s/alerts/%d|open>", s.ConsoleURL, a.ID)
	}
	body, _ := json.Marshal(map[string]any{
		"text":   text,
		"blocks": []any{map[string]any{"type": "section", "text": map[string]any{"type": "mrkdwn", "text": text}}},
	})
	return post(ctx, s.HTTP, s.URL, body, nil)
}

// Teams posts an Adaptive Card to a Microsoft Teams incoming webhook (or
// a Workflows URL). Text blocks are plain (no markdown), so nothing from
// a log is read as markup.
type Teams struct {
	URL, ConsoleURL string
	HTTP            *http.Client
}

// Send implements Sender.
func (t *Teams) Send(ctx context.Context, a *alerts.Alert, d alerts.Delivery) error {
	facts := []any{
		map[string]string{"title": "Severity", "value": a.Severity.String()},
		map[string]string{"title": "Status", "value": string(a.Status)},
		map[string]string{"title": "Tally", "value": strconv.FormatInt(a.Tally, 10)},
		map[string]string{"title": "Last seen", "value": a.LastSeen.Format(time.RFC3339)},
	}
	card := map[string]any{
		"$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
		"type":    "AdaptiveCard",
		"version": "1.4",
		"body": []any{
			map[string]any{"type": "TextBlock", "text": headline(a), "weight": "Bolder", "wrap": true},
			map[string]any{"type": "FactSet", "facts": facts},
		},
	}
	if t.ConsoleURL != "" {
		card["actions"] = []any{map[string]string{"type": "Action.OpenUrl", "title": "Open", "url": fmt.Sprintf("%s/alerts/%d", t.ConsoleURL, a.ID)}}
	}
	body, _ := json.Marshal(map[string]any{
		"type":        "message",
		"attachments": []any{map[string]any{"contentType": "application/vnd.microsoft.card.adaptive", "content": card}},
	})
	return post(ctx, t.HTTP, t.URL, body, nil)
}

// PagerDuty triggers an incident through the Events API v2. The dedup key
// is the alert's id, so a resend or a repeat updates the same incident.
type PagerDuty struct {
	URL, RoutingKey, ConsoleURL string
	HTTP                        *http.Client
}

var pdSeverity = map[alerts.Severity]string{alerts.SevInfo: "info", alerts.SevLow: "warning", alerts.SevMedium: "warning",
	alerts.SevHigh: "error", alerts.SevCritical: "critical"}

// Send implements Sender.
func (p *PagerDuty) Send(ctx context.Context, a *alerts.Alert, d alerts.Delivery) error {
	source := a.Node
	if source == "" {
		source = a.RuleID
	}
	ev := map[string]any{
		"routing_key":  p.RoutingKey,
		"event_action": "trigger",
		"dedup_key":    "panther-alert-" + strconv.FormatInt(a.ID, 10),
		"payload": map[string]any{
			"summary":        truncate(headline(a), 1024),
			"source":         truncate(source, 255),
			"severity":       pdSeverity[a.Severity],
			"timestamp":      a.LastSeen.Format(time.RFC3339),
			"component":      a.RuleID,
			"class":          string(a.Kind),
			"custom_details": payload(a, d, p.ConsoleURL),
		},
	}
	if p.ConsoleURL != "" {
		ev["links"] = []any{map[string]string{"href": fmt.Sprintf("%s/alerts/%d", p.ConsoleURL, a.ID), "text": "panther"}}
	}
	body, _ := json.Marshal(ev)
	return post(ctx, p.HTTP, p.URL, body, nil)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}
