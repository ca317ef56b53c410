package alerts

import (
	"context"
	"time"

	"panther/alerts/rules"
)

// Hit counts live in the rule set (atomic counters, no write per hit) and
// are written to rule_hits at most every hitsEvery, and at Close, so that
// they survive a restart.
const hitsEvery = 5 * time.Second

func (s *Store) storedHits(ctx context.Context) ([]rules.Hit, error) {
	rows, err := s.rdb.QueryContext(ctx, "SELECT rule_id, hits, last_hit FROM rule_hits")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []rules.Hit
	for rows.Next() {
		var h rules.Hit
		var last int64
		if err := rows.Scan(&h.RuleID, &h.Hits, &last); err != nil {
			return nil, err
		}
		h.LastHit = fromMS(last)
		out = append(out, h)
	}
	return out, rows.Err()
}

// RuleHits returns the hit counts of the alert rules in use, and of rules
// no longer in use that the database remembers.
func (s *Store) RuleHits(ctx context.Context) ([]rules.Hit, error) {
	set := s.rules.Load()
	var out []rules.Hit
	inSet := map[string]bool{}
	if set != nil {
		out = set.Hits()
		for _, h := range out {
			inSet[h.RuleID] = true
		}
	}
	stored, err := s.storedHits(ctx)
	if err != nil {
		return nil, err
	}
	for _, h := range stored {
		if !inSet[h.RuleID] {
			out = append(out, h)
		}
	}
	return out, nil
}

var lastHitsFlush = func() func(now time.Time) bool {
	var last time.Time
	return func(now time.Time) bool {
		if now.Sub(last) < hitsEvery {
			return false
		}
		last = now
		return true
	}
}

func (s *Store) maybeFlushHits(ctx context.Context) {
	s.hitsMu.Lock()
	due := s.hitsDue == nil
	if due {
		s.hitsDue = lastHitsFlush()
	}
	due = s.hitsDue(s.now())
	s.hitsMu.Unlock()
	if due {
		s.flushHits(ctx)
	}
}

// flushHits writes the counts that changed since the last flush.
func (s *Store) flushHits(ctx context.Context) {
	set := s.rules.Load()
	if set == nil {
		return
	}
	s.hitsMu.Lock()
	var changed []rules.Hit
	for _, h := range set.Hits() {
		if h.Hits != s.hitsSent[h.RuleID] {
			changed = append(changed, h)
			s.hitsSent[h.RuleID] = h.Hits
		}
	}
	s.hitsMu.Unlock()
	if len(changed) == 0 {
		return
	}
	write := func(tx *wtx) error {
		for _, h := range changed {
			if _, err := tx.Exec(`INSERT INTO rule_hits (rule_id, hits, last_hit) VALUES (?, ?, ?)
				ON CONFLICT (rule_id) DO UPDATE SET hits = excluded.hits, last_hit = excluded.last_hit`,
				h.RuleID, h.Hits, ms(h.LastHit)); err != nil {
				return err
			}
		}
		return nil
	}
	select {
	case <-s.closed:
		// The writer has stopped: write directly.
		sqltx, err := s.wdb.BeginTx(ctx, nil)
		if err != nil {
			return
		}
		if write(&wtx{Tx: sqltx, s: s}) != nil {
			sqltx.Rollback()
			return
		}
		sqltx.Commit()
	default:
		if err := s.writeKind(ctx, opNoAlerts, func(tx *wtx, _ *writeOp) error { return write(tx) }); err != nil {
			s.log.Warn("alert rule hit counts not saved", "error", err.Error())
		}
	}
}
