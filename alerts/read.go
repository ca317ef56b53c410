package alerts

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

const alertCols = `id, kind, dedup_key, status, severity, title, rule_id, node, tag, tally, first_seen, last_seen,
	created_at, updated_at, dedup_ms, acked, ack_by, ack_at, assignee, grp, owner, version, rules_expire`

// scanAlert reads a row of alertCols (then, withStaged, of stagedCols;
// then, withDetail, the detail).
func scanAlert(sc interface{ Scan(...any) error }, withDetail bool, withStaged ...bool) (*Alert, string, error) {
	a := &Alert{}
	var first, last, created, updated, dedupMS int64
	var ackAt, expire sql.NullInt64
	var raw string
	var p staged
	dst := []any{&a.ID, &a.Kind, &a.Key, &a.Status, &a.Severity, &a.Title, &a.RuleID, &a.Node, &a.Tag, &a.Tally,
		&first, &last, &created, &updated, &dedupMS, &a.Acknowledged, &a.AckBy, &ackAt, &a.Assignee, &a.Group, &a.Owner,
		&a.Version, &expire}
	if len(withStaged) > 0 && withStaged[0] {
		dst = append(dst, &p.delta, &p.n, &p.first, &p.last, &p.at)
	}
	if withDetail {
		dst = append(dst, &raw)
	}
	if err := sc.Scan(dst...); err != nil {
		return nil, "", err
	}
	a.rawKey = a.Key
	defer a.overlay(p)
	a.FirstSeen, a.LastSeen, a.CreatedAt, a.UpdatedAt = fromMS(first), fromMS(last), fromMS(created), fromMS(updated)
	a.DedupPeriod = time.Duration(dedupMS) * time.Millisecond
	a.AckAt, a.RulesExpire = fromNullMS(ackAt), fromNullMS(expire)
	if a.Kind == KindDetection {
		a.Key = strings.Replace(a.Key, "\x1f", ":", 1)
		f, l := a.FirstSeen, a.LastSeen
		a.FirstEvent, a.LastEvent = &f, &l
	} else {
		a.Key = strings.TrimPrefix(a.Key, "event\x1f")
	}
	return a, raw, nil
}

func (a *Alert) setDetail(raw string) error {
	if raw == "" {
		return nil
	}
	var d detail
	if err := json.Unmarshal([]byte(raw), &d); err != nil {
		return fmt.Errorf("alert %d: detail: %w", a.ID, err)
	}
	a.PackVersion, a.Dedup, a.LogTypes, a.AlertContext = d.PackVersion, d.Dedup, d.LogTypes, d.AlertContext
	a.Samples, a.RowIDs, a.Description, a.Runbook, a.Reference = d.Samples, d.RowIDs, d.Description, d.Runbook, d.Reference
	a.Fields, a.Destinations, a.Rules = d.Fields, d.Destinations, d.Rules
	return nil
}

// GetOptions say what Get adds to the alert.
type GetOptions struct {
	Notes, History, Deliveries bool
}

// GetAll is every part of an alert.
var GetAll = GetOptions{Notes: true, History: true, Deliveries: true}

// Get returns one alert.
func (s *Store) Get(ctx context.Context, id int64, o GetOptions) (*Alert, error) {
	a, raw, err := scanAlert(s.rdb.QueryRowContext(ctx, "SELECT "+alertCols+stagedCols+", detail FROM alerts"+stagedJoin+" WHERE id = ?", id), true, true)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	if err := a.setDetail(raw); err != nil {
		return nil, err
	}
	if o.Notes {
		if a.Notes, err = s.Notes(ctx, id); err != nil {
			return nil, err
		}
	}
	if o.History {
		if a.History, err = s.History(ctx, id); err != nil {
			return nil, err
		}
	}
	if o.Deliveries {
		if a.Deliveries, err = s.Deliveries(ctx, id); err != nil {
			return nil, err
		}
	}
	return a, nil
}

// History returns the changes of an alert, oldest first.
func (s *Store) History(ctx context.Context, id int64) ([]Change, error) {
	rows, err := s.rdb.QueryContext(ctx, `SELECT id, alert_id, at, who, by_kind, what, from_v, to_v, text
		FROM history WHERE alert_id = ? ORDER BY id`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Change{}
	for rows.Next() {
		var c Change
		var at int64
		if err := rows.Scan(&c.ID, &c.AlertID, &at, &c.Who, &c.By, &c.What, &c.From, &c.To, &c.Text); err != nil {
			return nil, err
		}
		c.At = fromMS(at)
		out = append(out, c)
	}
	return out, rows.Err()
}

// Notes returns the notes of an alert, oldest first.
func (s *Store) Notes(ctx context.Context, id int64) ([]Note, error) {
	rows, err := s.rdb.QueryContext(ctx, `SELECT id, alert_id, at, author, text FROM notes WHERE alert_id = ? ORDER BY id`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Note{}
	for rows.Next() {
		var n Note
		var at int64
		if err := rows.Scan(&n.ID, &n.AlertID, &at, &n.Author, &n.Text); err != nil {
			return nil, err
		}
		n.At = fromMS(at)
		out = append(out, n)
	}
	return out, rows.Err()
}

// Filter selects alerts. Zero fields select everything.
type Filter struct {
	IDs    []int64
	Status []Status
	// MinSeverity keeps alerts at least this severe (nil: any).
	MinSeverity *Severity
	Kind        Kind
	RuleID      []string
	Node        string
	Group       string
	// Assignee keeps alerts assigned to this name ("-": unassigned).
	Assignee       string
	Unacknowledged bool
	// Text is searched in the title, node, rule and key (case-insensitive
	// for ASCII letters).
	Text string
	// From and To bound last_seen (from inclusive, to exclusive).
	From, To time.Time

	// likes is the sieve of a text search that walks (text.go).
	likes []string
}

// where builds the SQL condition of a filter.
func (f *Filter) where() (string, []any) {
	var conds []string
	var args []any
	in := func(col string, n int) string {
		return col + " IN (" + strings.TrimSuffix(strings.Repeat("?,", n), ",") + ")"
	}
	if len(f.IDs) > 0 {
		conds = append(conds, in("id", len(f.IDs)))
		for _, id := range f.IDs {
			args = append(args, id)
		}
	}
	if len(f.Status) > 0 {
		conds = append(conds, in("status", len(f.Status)))
		for _, st := range f.Status {
			args = append(args, string(st))
		}
	}
	if f.MinSeverity != nil {
		conds = append(conds, "severity >= ?")
		args = append(args, int(*f.MinSeverity))
	}
	if f.Kind != "" {
		conds = append(conds, "kind = ?")
		args = append(args, string(f.Kind))
	}
	if len(f.RuleID) > 0 {
		conds = append(conds, in("rule_id", len(f.RuleID)))
		for _, r := range f.RuleID {
			args = append(args, r)
		}
	}
	for col, v := range map[string]string{"node": f.Node, "grp": f.Group} {
		if v != "" {
			conds = append(conds, col+" = ?")
			args = append(args, v)
		}
	}
	switch f.Assignee {
	case "":
	case "-":
		conds = append(conds, "assignee = ''")
	default:
		conds = append(conds, "assignee = ?")
		args = append(args, f.Assignee)
	}
	if f.Unacknowledged {
		conds = append(conds, "acked = 0")
	}
	if f.Text != "" {
		// Through the full-text index (text.go).
		if q := parseText(f.Text); len(q) == 0 {
			conds = append(conds, "0")
		} else {
			conds = append(conds, textCond)
			args = append(args, q.match())
		}
	}
	for _, l := range f.likes {
		conds = append(conds, "(title LIKE ? OR node LIKE ? OR rule_id LIKE ? OR dedup_key LIKE ?)")
		args = append(args, l, l, l, l)
	}
	if !f.From.IsZero() {
		conds = append(conds, "last_seen >= ?")
		args = append(args, ms(f.From))
	}
	if !f.To.IsZero() {
		conds = append(conds, "last_seen < ?")
		args = append(args, ms(f.To))
	}
	if len(conds) == 0 {
		return "1", nil
	}
	return strings.Join(conds, " AND "), args
}

// index chooses the index of a page, instead of SQLite's planner: with
// statistics, the planner prefers the index that narrows the WHERE most
// (status and severity, say) and then sorts every row it found, where
// walking the index of the sort key newest first stops after 50 rows
// (BenchmarkStore1M: 1 s against 2 ms on a million alerts). The choice:
// a filter on one rule, node or assignee (a few thousand alerts at most:
// found through its index, then sorted, or in order for last_seen); else
// an index whose leading column is the one status filtered on and whose
// next is the sort key; else the sort key's own index, walked in order
// (schema.go, migration 7: there is one for every sort). Text search
// plans apart (text.go).
func (f *Filter) index(sortCol string) string {
	oneStatus := len(f.Status) == 1
	narrow := ""
	switch {
	case len(f.IDs) > 0 || f.Text != "":
		return ""
	case len(f.RuleID) == 1 && sortCol == "last_seen" && !oneStatus:
		// A rule's newest of any status (or some): in order.
		return " INDEXED BY alerts_rule_seen"
	case len(f.RuleID) == 1:
		narrow = " INDEXED BY alerts_rule"
	case f.Node != "":
		narrow = " INDEXED BY alerts_node"
	case f.Assignee != "" && f.Assignee != "-":
		narrow = " INDEXED BY alerts_assignee"
	}
	switch sortCol {
	case "last_seen":
		switch {
		case narrow != "":
			return narrow
		case f.Group != "":
			return " INDEXED BY alerts_group"
		case oneStatus && f.MinSeverity == nil:
			return " INDEXED BY alerts_status"
		}
		return " INDEXED BY alerts_last_seen"
	case "severity":
		// Open alerts by severity: walk them worst first, whatever else
		// filters (a group): 50 hits come after a few thousand rows at
		// worst.
		switch {
		case narrow != "":
			return narrow
		case oneStatus:
			return " INDEXED BY alerts_status_severity"
		}
		return " INDEXED BY alerts_severity"
	case "tally", "first_seen", "updated_at":
		name := map[string]string{"tally": "tally", "first_seen": "first_seen", "updated_at": "updated"}[sortCol]
		switch {
		case narrow != "":
			return narrow
		case f.Group != "" && !oneStatus && sortCol == "tally":
			return " INDEXED BY alerts_group_tally" // in order
		case f.Group != "" && !oneStatus:
			// A group's alerts of some statuses: a few thousand, sorted
			// (walking the sort order reads 1 row in 200).
			return " INDEXED BY alerts_group"
		case oneStatus:
			return " INDEXED BY alerts_status_" + name
		}
		return " INDEXED BY alerts_" + name
	case "id":
		if narrow != "" {
			return narrow
		}
		return " NOT INDEXED" // the rows in id order
	}
	return ""
}

// Sorts are the orders List offers; each is a key of columns, the last
// one the id, so that a cursor names one position exactly.
var Sorts = map[string][]string{
	"last_seen":  {"last_seen", "id"},
	"first_seen": {"first_seen", "id"},
	"severity":   {"severity", "last_seen", "id"},
	"tally":      {"tally", "id"},
	"id":         {"id"},
	"updated_at": {"updated_at", "id"},
}

// SortNames lists the sorts, for messages.
func SortNames() []string {
	var out []string
	for k := range Sorts {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// Page is a page request: a sort ("-last_seen", the default: newest
// first; "severity" ascending), a size, and the cursor of the previous
// page.
type Page struct {
	Sort   string
	Limit  int
	Cursor string
}

// MaxPage bounds a page.
const MaxPage = 500

// ListResult is a page of alerts; Next is the cursor of the next page
// ("" at the end).
type ListResult struct {
	Alerts []*Alert `json:"alerts"`
	Next   string   `json:"next,omitempty"`
}

func parseSort(s string) ([]string, bool, error) {
	if s == "" {
		s = "-last_seen"
	}
	desc := strings.HasPrefix(s, "-")
	cols, ok := Sorts[strings.TrimPrefix(s, "-")]
	if !ok {
		return nil, false, &FieldError{Field: "sort", Message: fmt.Sprintf("%q: sort by one of %s (a leading - for descending)", s, strings.Join(SortNames(), ", "))}
	}
	return cols, desc, nil
}

// List returns a page of the alerts a filter selects. Pages are keyset
// pages: a cursor holds the sort key of the last alert seen, so a page
// costs the same at any depth and alerts arriving meanwhile neither
// repeat nor skip rows.
func (s *Store) List(ctx context.Context, f Filter, p Page) (ListResult, error) {
	cols, desc, err := parseSort(p.Sort)
	if err != nil {
		return ListResult{}, err
	}
	limit := p.Limit
	if limit <= 0 {
		limit = 50
	}
	if limit > MaxPage {
		limit = MaxPage
	}
	var cursor []int64
	if p.Cursor != "" {
		if cursor, err = decodeCursor(p.Cursor, len(cols)); err != nil {
			return ListResult{}, err
		}
	}
	if q := parseText(f.Text); len(q) > 0 {
		// A common word: walk the sort order and match in Go (text.go).
		walk, err := s.walkText(ctx, q)
		if err != nil {
			return ListResult{}, err
		}
		if walk {
			wf := f
			wf.Text, wf.likes = "", q.likes()
			res := ListResult{Alerts: []*Alert{}}
			if _, err := s.listRows(ctx, &wf, cols, desc, cursor, wf.index(cols[0]), -1, func(a *Alert) bool {
				if q.matches(a.Title, a.Node, a.RuleID, a.rawKey) {
					res.Alerts = append(res.Alerts, a)
				}
				return len(res.Alerts) <= limit
			}); err != nil {
				return ListResult{}, err
			}
			return res.page(limit, cols), nil
		}
	}
	hint := f.index(cols[0])
	if f.Text != "" {
		hint = " NOT INDEXED" // the candidates of the index, by id
	}
	res := ListResult{Alerts: []*Alert{}}
	if _, err := s.listRows(ctx, &f, cols, desc, cursor, hint, limit+1, func(a *Alert) bool {
		res.Alerts = append(res.Alerts, a)
		return true
	}); err != nil {
		return ListResult{}, err
	}
	return res.page(limit, cols), nil
}

// page cuts a result read one row past the limit, with the cursor of the
// next page.
func (res ListResult) page(limit int, cols []string) ListResult {
	if len(res.Alerts) > limit {
		res.Alerts = res.Alerts[:limit]
		res.Next = encodeCursor(res.Alerts[limit-1], cols)
	}
	return res
}

// listRows reads up to max alerts of f in the order of cols, after
// cursor, through the index hint, handing each to each until it returns
// false. It returns how many rows it read.
func (s *Store) listRows(ctx context.Context, f *Filter, cols []string, desc bool, cursor []int64, hint string, max int, each func(*Alert) bool) (int, error) {
	where, args := f.where()
	cmp, dir := ">", "ASC"
	if desc {
		cmp, dir = "<", "DESC"
	}
	if cursor != nil {
		where += " AND (" + strings.Join(cols, ", ") + ") " + cmp + " (" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
		for _, v := range cursor {
			args = append(args, v)
		}
	}
	order := make([]string, len(cols))
	for i, c := range cols {
		order[i] = c + " " + dir
	}
	q := "SELECT " + alertCols + stagedCols + " FROM alerts" + hint + stagedJoin + " WHERE " + where + " ORDER BY " + strings.Join(order, ", ") + " LIMIT " + strconv.Itoa(max) // -1: no limit
	rows, err := s.rdb.QueryContext(ctx, q, args...)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		n++
		a, _, err := scanAlert(rows, false, true)
		if err != nil {
			return n, err
		}
		if !each(a) {
			return n, nil
		}
	}
	return n, rows.Err()
}

func encodeCursor(a *Alert, cols []string) string {
	var parts []string
	for _, c := range cols {
		var v int64
		switch c {
		case "last_seen":
			v = a.rawLast
		case "first_seen":
			v = a.rawFirst
		case "updated_at":
			v = a.rawUpdated
		case "severity":
			v = int64(a.Severity)
		case "tally":
			v = a.rawTally
		case "id":
			v = a.ID
		}
		parts = append(parts, strconv.FormatInt(v, 10))
	}
	return base64.RawURLEncoding.EncodeToString([]byte(strings.Join(parts, ",")))
}

func decodeCursor(c string, n int) ([]int64, error) {
	bad := &FieldError{Field: "cursor", Message: "not a cursor of this sort: start again without it"}
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || len(b) > 200 {
		return nil, bad
	}
	parts := strings.Split(string(b), ",")
	if len(parts) != n {
		return nil, bad
	}
	out := make([]int64, n)
	for i, p := range parts {
		if out[i], err = strconv.ParseInt(p, 10, 64); err != nil {
			return nil, bad
		}
	}
	return out, nil
}

// Count returns how many alerts a filter selects.
func (s *Store) Count(ctx context.Context, f Filter) (int64, error) {
	where, args := f.where()
	var n int64
	err := s.rdb.QueryRowContext(ctx, "SELECT count(*) FROM alerts WHERE "+where, args...).Scan(&n)
	return n, err
}
