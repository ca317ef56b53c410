package alerts

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// queueDeliveries adds a pending delivery per destination, due now.
func (s *Store) queueDeliveries(tx *wtx, op *writeOp, alertID int64, dests []string, reason string, now time.Time) error {
	for _, d := range dests {
		if _, err := tx.Exec(`INSERT INTO deliveries (alert_id, destination, reason, status, next_at, created_at, updated_at)
			VALUES (?, ?, ?, 'pending', ?, ?, ?)`, alertID, d, reason, ms(now), ms(now), ms(now)); err != nil {
			return err
		}
		op.wake = true
	}
	return nil
}

const deliveryCols = `id, alert_id, destination, reason, status, attempts, last_status, last_error, next_at, created_at, updated_at, sent_at`

func scanDelivery(sc interface{ Scan(...any) error }) (Delivery, error) {
	var d Delivery
	var next, sent sql.NullInt64
	var created, updated int64
	err := sc.Scan(&d.ID, &d.AlertID, &d.Destination, &d.Reason, &d.Status, &d.Attempts, &d.LastStatus, &d.LastError,
		&next, &created, &updated, &sent)
	d.NextAt, d.SentAt = fromNullMS(next), fromNullMS(sent)
	d.CreatedAt, d.UpdatedAt = fromMS(created), fromMS(updated)
	return d, err
}

func (s *Store) deliveries(ctx context.Context, q string, args ...any) ([]Delivery, error) {
	rows, err := s.rdb.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Delivery
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// Deliveries returns the deliveries of an alert, oldest first.
func (s *Store) Deliveries(ctx context.Context, alertID int64) ([]Delivery, error) {
	return s.deliveries(ctx, "SELECT "+deliveryCols+" FROM deliveries WHERE alert_id = ? ORDER BY id", alertID)
}

// DeadLetters returns the deliveries that gave up, newest first.
func (s *Store) DeadLetters(ctx context.Context, limit int) ([]Delivery, error) {
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	return s.deliveries(ctx, "SELECT "+deliveryCols+" FROM deliveries WHERE status = 'dead' ORDER BY updated_at DESC, id DESC LIMIT ?", limit)
}

// Job is a claimed delivery with the alert to send.
type Job struct {
	Delivery Delivery
	Alert    *Alert
}

// Claim takes up to limit due deliveries of a destination: each is
// leased until now+lease (a crashed sender's deliveries are taken again
// after that), and comes with its alert.
func (s *Store) Claim(ctx context.Context, destination string, limit int, lease time.Duration) ([]Job, error) {
	var ids []int64
	err := s.writeKind(ctx, opNoAlerts, func(tx *wtx, _ *writeOp) error {
		ids = ids[:0]
		now := s.now()
		rows, err := tx.Query(`SELECT id FROM deliveries WHERE destination = ? AND status = 'pending' AND next_at <= ?
			ORDER BY next_at, id LIMIT ?`, destination, ms(now), limit)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, id := range ids {
			if _, err := tx.Exec("UPDATE deliveries SET next_at = ? WHERE id = ?", ms(now.Add(lease)), id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	jobs := make([]Job, 0, len(ids))
	for _, id := range ids {
		d, err := scanDelivery(s.rdb.QueryRowContext(ctx, "SELECT "+deliveryCols+" FROM deliveries WHERE id = ?", id))
		if err != nil {
			return nil, err
		}
		a, err := s.Get(ctx, d.AlertID, GetOptions{})
		if err != nil {
			return nil, err
		}
		jobs = append(jobs, Job{Delivery: d, Alert: a})
	}
	return jobs, nil
}

// Attempt is the outcome of one try of a delivery.
type Attempt struct {
	OK     bool
	Status int // HTTP status or SMTP reply code (0: none)
	Err    string
	// Retry, when not OK, is when to try again; zero gives up (dead).
	Retry time.Time
}

// RecordAttempt records a try of a delivery: sent, due again at
// a.Retry, or dead.
func (s *Store) RecordAttempt(ctx context.Context, id int64, a Attempt) error {
	return s.writeKind(ctx, opNoAlerts, func(tx *wtx, op *writeOp) error {
		now := s.now()
		var alertID int64
		var status string
		if err := tx.QueryRow("SELECT alert_id, status FROM deliveries WHERE id = ?", id).Scan(&alertID, &status); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return ErrNotFound
			}
			return err
		}
		if status != DeliveryPending {
			return nil // recorded already (a lease that ran out, then both finished)
		}
		var err error
		switch {
		case a.OK:
			_, err = tx.Exec(`UPDATE deliveries SET status = 'sent', attempts = attempts + 1, last_status = ?, last_error = '',
				next_at = NULL, updated_at = ?, sent_at = ? WHERE id = ?`, a.Status, ms(now), ms(now), id)
		case a.Retry.IsZero():
			_, err = tx.Exec(`UPDATE deliveries SET status = 'dead', attempts = attempts + 1, last_status = ?, last_error = ?,
				next_at = NULL, updated_at = ? WHERE id = ?`, a.Status, clip(a.Err), ms(now), id)
		default:
			_, err = tx.Exec(`UPDATE deliveries SET attempts = attempts + 1, last_status = ?, last_error = ?,
				next_at = ?, updated_at = ? WHERE id = ?`, a.Status, clip(a.Err), ms(a.Retry), ms(now), id)
		}
		if err != nil {
			return err
		}
		op.post = append(op.post, Event{AlertID: alertID, Action: "delivery", At: now})
		return nil
	})
}

// Resend queues a dead (or sent) delivery again, as a new delivery with
// reason resend, and records who asked in the alert's history.
func (s *Store) Resend(ctx context.Context, id int64, actor Actor) (Delivery, error) {
	var newID int64
	err := s.writeKind(ctx, opNoAlerts, func(tx *wtx, op *writeOp) error {
		now := s.now()
		var alertID int64
		var dest, status string
		if err := tx.QueryRow("SELECT alert_id, destination, status FROM deliveries WHERE id = ?", id).Scan(&alertID, &dest, &status); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return ErrNotFound
			}
			return err
		}
		if status == DeliveryPending {
			return &FieldError{Field: "delivery", Message: fmt.Sprintf("delivery %d is still pending", id)}
		}
		res, err := tx.Exec(`INSERT INTO deliveries (alert_id, destination, reason, status, next_at, created_at, updated_at)
			VALUES (?, ?, 'resend', 'pending', ?, ?, ?)`, alertID, dest, ms(now), ms(now), ms(now))
		if err != nil {
			return err
		}
		newID, _ = res.LastInsertId()
		op.wake = true
		if err := addHistory(tx, alertID, now, actor.Name, actor.by(), "delivery", status, DeliveryPending,
			fmt.Sprintf("resend of delivery %d to %s", id, dest)); err != nil {
			return err
		}
		op.post = append(op.post, Event{AlertID: alertID, Action: "delivery", At: now})
		return nil
	})
	if err != nil {
		return Delivery{}, err
	}
	return scanDelivery(s.rdb.QueryRowContext(ctx, "SELECT "+deliveryCols+" FROM deliveries WHERE id = ?", newID))
}

// AbandonUnknown marks dead the pending deliveries to destinations that
// are not configured (a detection or rule naming one that does not
// exist), so they show in the dead-letter list instead of waiting forever.
func (s *Store) AbandonUnknown(ctx context.Context, known []string) (int64, error) {
	var n int64
	err := s.writeKind(ctx, opNoAlerts, func(tx *wtx, _ *writeOp) error {
		q := "UPDATE deliveries SET status = 'dead', last_error = 'no destination of this name is configured', next_at = NULL, updated_at = ? WHERE status = 'pending'"
		args := []any{ms(s.now())}
		if len(known) > 0 {
			q += " AND destination NOT IN (" + strings.TrimSuffix(strings.Repeat("?,", len(known)), ",") + ")"
			for _, k := range known {
				args = append(args, k)
			}
		}
		res, err := tx.Exec(q, args...)
		if err != nil {
			return err
		}
		n, _ = res.RowsAffected()
		return nil
	})
	return n, err
}

// NextDue returns when the earliest pending delivery of a destination is
// due (false: none).
func (s *Store) NextDue(ctx context.Context, destination string) (time.Time, bool, error) {
	var next sql.NullInt64
	err := s.rdb.QueryRowContext(ctx, "SELECT min(next_at) FROM deliveries WHERE destination = ? AND status = 'pending'", destination).Scan(&next)
	if err != nil || !next.Valid {
		return time.Time{}, false, err
	}
	return fromMS(next.Int64), true, nil
}

// DeliveryCounts counts the deliveries by status (pending, sent, dead).
func (s *Store) DeliveryCounts(ctx context.Context) (map[string]int64, error) {
	rows, err := s.rdb.QueryContext(ctx, "SELECT status, count(*) FROM deliveries GROUP BY status")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var st string
		var n int64
		if err := rows.Scan(&st, &n); err != nil {
			return nil, err
		}
		out[st] = n
	}
	return out, rows.Err()
}
