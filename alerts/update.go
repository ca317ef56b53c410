package alerts

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Actor is who makes a change: a person (a token's name) or the system.
type Actor struct {
	Name string
	By   By // default ByPerson
}

func (a Actor) by() By {
	if a.By == "" {
		return ByPerson
	}
	return a.By
}

// Patch is a change of an alert by a person. Nil fields do not change.
type Patch struct {
	Status *Status `json:"status,omitempty"`
	// Ack true acknowledges (who and when are recorded); false takes the
	// acknowledgement back.
	Ack      *bool     `json:"ack,omitempty"`
	Assignee *string   `json:"assignee,omitempty"`
	Severity *Severity `json:"severity,omitempty"`
	Group    *string   `json:"group,omitempty"`
	Owner    *string   `json:"owner,omitempty"`
	// IfVersion, when set, refuses the change (ConflictError) unless the
	// alert is at that version.
	IfVersion int64 `json:"if_version,omitempty"`
}

// Empty says whether the patch changes nothing.
func (p Patch) Empty() bool {
	return p.Status == nil && p.Ack == nil && p.Assignee == nil && p.Severity == nil && p.Group == nil && p.Owner == nil
}

// MaxNameLen bounds an assignee, group or owner; MaxNoteLen a note.
const (
	MaxNameLen = 256
	MaxNoteLen = 64 << 10
)

func (p Patch) check() error {
	if p.Empty() {
		return &FieldError{Field: "patch", Message: "nothing to change: give status, ack, assignee, severity, group or owner"}
	}
	for name, v := range map[string]*string{"assignee": p.Assignee, "group": p.Group, "owner": p.Owner} {
		if v != nil && (len(*v) > MaxNameLen || !utf8.ValidString(*v) || strings.ContainsAny(*v, "\x00\r\n")) {
			return &FieldError{Field: name, Message: fmt.Sprintf("at most %d bytes of text on one line", MaxNameLen)}
		}
	}
	if p.Severity != nil && (*p.Severity < SevInfo || *p.Severity > SevCritical) {
		return &FieldError{Field: "severity", Message: "out of range"}
	}
	return nil
}

// Update applies a patch to an alert, recording each change in its
// history with who made it. Changes that change nothing are not recorded.
func (s *Store) Update(ctx context.Context, id int64, p Patch, actor Actor) (*Alert, error) {
	if err := p.check(); err != nil {
		return nil, err
	}
	err := s.write(ctx, func(tx *wtx, op *writeOp) error { return s.update(tx, op, id, p, actor) })
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, id, GetOptions{})
}

func (s *Store) update(tx *wtx, op *writeOp, id int64, p Patch, actor Actor) error {
	tx.forget()
	now := s.now()
	a, _, err := scanAlert(tx.QueryRow("SELECT "+alertCols+" FROM alerts WHERE id = ?", id), false)
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	if err != nil {
		return err
	}
	if p.IfVersion != 0 && p.IfVersion != a.Version {
		return &ConflictError{Have: a.Version, Want: p.IfVersion}
	}
	var sets []string
	var args []any
	hist := func(what, from, to, text string) error {
		return addHistory(tx, id, now, actor.Name, actor.by(), what, from, to, text)
	}
	status := a.Status
	if p.Status != nil && *p.Status != a.Status {
		if err := CanTransition(a.Status, *p.Status, actor.by()); err != nil {
			return err
		}
		status = *p.Status
		sets, args = append(sets, "status = ?"), append(args, string(status))
		if err := hist("status", string(a.Status), string(status), ""); err != nil {
			return err
		}
		if a.Status == StatusResolved && status == StatusOpen && a.Acknowledged && p.Ack == nil {
			sets = append(sets, "acked = 0, ack_by = '', ack_at = NULL")
			if err := hist("ack", a.AckBy, "", "reopened"); err != nil {
				return err
			}
		}
	}
	if p.Ack != nil && *p.Ack != a.Acknowledged {
		if *p.Ack {
			sets, args = append(sets, "acked = 1, ack_by = ?, ack_at = ?"), append(args, actor.Name, ms(now))
			err = hist("ack", "", actor.Name, "")
		} else {
			sets = append(sets, "acked = 0, ack_by = '', ack_at = NULL")
			err = hist("ack", a.AckBy, "", "unacknowledged")
		}
		if err != nil {
			return err
		}
	}
	for _, f := range []struct {
		what, col string
		v         *string
		old       string
	}{{"assignee", "assignee", p.Assignee, a.Assignee}, {"group", "grp", p.Group, a.Group}, {"owner", "owner", p.Owner, a.Owner}} {
		if f.v == nil || *f.v == f.old {
			continue
		}
		sets, args = append(sets, f.col+" = ?"), append(args, *f.v)
		if err := hist(f.what, f.old, *f.v, ""); err != nil {
			return err
		}
	}
	if p.Severity != nil && *p.Severity != a.Severity {
		sets, args = append(sets, "severity = ?"), append(args, int(*p.Severity))
		if err := hist("severity", a.Severity.String(), p.Severity.String(), ""); err != nil {
			return err
		}
	}
	if len(sets) == 0 {
		return nil
	}
	sets = append(sets, "updated_at = ?", "version = version + 1")
	args = append(args, ms(now), id)
	if _, err := tx.Exec("UPDATE alerts SET "+strings.Join(sets, ", ")+" WHERE id = ?", args...); err != nil {
		return err
	}
	op.post = append(op.post, Event{AlertID: id, Action: "updated", Version: a.Version + 1, Status: status, At: now})
	return nil
}

// AddNote adds a note to an alert (and a history entry).
func (s *Store) AddNote(ctx context.Context, id int64, text string, actor Actor) (Note, error) {
	text = strings.TrimSpace(text)
	if text == "" || len(text) > MaxNoteLen || !utf8.ValidString(text) {
		return Note{}, &FieldError{Field: "text", Message: fmt.Sprintf("a note is 1 to %d bytes of UTF-8 text", MaxNoteLen)}
	}
	var n Note
	err := s.write(ctx, func(tx *wtx, op *writeOp) error {
		now := s.now()
		var version int64
		if err := tx.QueryRow("SELECT version FROM alerts WHERE id = ?", id).Scan(&version); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return ErrNotFound
			}
			return err
		}
		res, err := tx.Exec("INSERT INTO notes (alert_id, at, author, text) VALUES (?, ?, ?, ?)", id, ms(now), actor.Name, text)
		if err != nil {
			return err
		}
		nid, _ := res.LastInsertId()
		n = Note{ID: nid, AlertID: id, At: now.UTC().Truncate(time.Millisecond), Author: actor.Name, Text: text}
		if err := addHistory(tx, id, now, actor.Name, actor.by(), "note", "", "", firstLine(text, 200)); err != nil {
			return err
		}
		if _, err := tx.Exec("UPDATE alerts SET updated_at = ?, version = version + 1 WHERE id = ?", ms(now), id); err != nil {
			return err
		}
		op.post = append(op.post, Event{AlertID: id, Action: "note", Version: version + 1, At: now})
		return nil
	})
	return n, err
}

func firstLine(s string, n int) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i] + " …"
	}
	if len(s) > n {
		cut := n
		for cut > 0 && s[cut]&0xC0 == 0x80 {
			cut--
		}
		s = s[:cut] + " …"
	}
	return s
}

// BulkResult says what a bulk change did to each alert.
type BulkResult struct {
	Changed int               `json:"changed"`
	Failed  map[string]string `json:"failed,omitempty"` // alert id → why
	IDs     []int64           `json:"ids"`
	Errors  map[int64]error   `json:"-"`
}

// MaxBulk bounds the alerts of one bulk change.
const MaxBulk = 10000

// Bulk applies a patch to the alerts of ids, or (ids empty) to those the
// filter selects (at most MaxBulk). Each alert is changed on its own: one
// the lifecycle refuses is reported and the others change.
func (s *Store) Bulk(ctx context.Context, ids []int64, f *Filter, p Patch, actor Actor) (BulkResult, error) {
	if err := p.check(); err != nil {
		return BulkResult{}, err
	}
	p.IfVersion = 0
	if len(ids) == 0 {
		if f == nil {
			return BulkResult{}, &FieldError{Field: "ids", Message: "give ids or a filter"}
		}
		n, err := s.Count(ctx, *f)
		if err != nil {
			return BulkResult{}, err
		}
		if n > MaxBulk {
			return BulkResult{}, &FieldError{Field: "filter", Message: fmt.Sprintf("selects %d alerts; a bulk change takes at most %d: narrow the filter", n, MaxBulk)}
		}
		where, args := f.where()
		rows, err := s.rdb.QueryContext(ctx, "SELECT id FROM alerts WHERE "+where+" ORDER BY id", args...)
		if err != nil {
			return BulkResult{}, err
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return BulkResult{}, err
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return BulkResult{}, err
		}
	}
	if len(ids) > MaxBulk {
		return BulkResult{}, &FieldError{Field: "ids", Message: fmt.Sprintf("at most %d ids", MaxBulk)}
	}
	res := BulkResult{IDs: ids, Errors: map[int64]error{}}
	// Each alert is one write: the writer commits them in batches.
	type outcome struct {
		id  int64
		err error
	}
	done := make(chan outcome, len(ids))
	sem := make(chan struct{}, 64)
	for _, id := range ids {
		sem <- struct{}{}
		go func(id int64) {
			defer func() { <-sem }()
			err := s.write(ctx, func(tx *wtx, op *writeOp) error { return s.update(tx, op, id, p, actor) })
			done <- outcome{id, err}
		}(id)
	}
	for range ids {
		o := <-done
		if o.err != nil {
			res.Errors[o.id] = o.err
			continue
		}
		res.Changed++
	}
	if len(res.Errors) > 0 {
		res.Failed = map[string]string{}
		for id, err := range res.Errors {
			if errors.Is(err, ErrNotFound) {
				res.Failed[fmt.Sprint(id)] = "no such alert"
			} else {
				res.Failed[fmt.Sprint(id)] = err.Error()
			}
		}
	}
	return res, ctx.Err()
}
