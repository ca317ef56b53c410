package alerts

import (
	"context"
	"encoding/json"
	"maps"
	"strings"
	"time"

	"panther/alerts/rules"
)

// Run does the store's work that no request starts, until ctx is done:
// it applies the alert rules again to alerts whose window has ended
// (ReapplyExpired) — at the window's end, with no event needed — and
// saves rule hit counts. Call it once, in its own goroutine.
func (s *Store) Run(ctx context.Context) {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	lastHits := s.now()
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.closed:
			return
		case <-tick.C:
		}
		now := s.now()
		if _, err := s.ReapplyExpired(ctx, now); err != nil && ctx.Err() == nil {
			s.log.Warn("alert rules not applied again at a window's end", "error", err.Error())
		}
		if now.Sub(lastHits) >= hitsEvery {
			s.flushHits(ctx)
			lastHits = now
		}
	}
}

// ReapplyExpired applies the rules again, at now, to the alerts (not
// CLOSED) whose rules relied on a window that has ended by now, and
// returns how many changed. A column the rules had set and nobody changed
// since takes its new value, with a history entry by the rule system; a
// severity that rises is routed again (reason escalated).
func (s *Store) ReapplyExpired(ctx context.Context, now time.Time) (int, error) {
	rows, err := s.rdb.QueryContext(ctx, `SELECT id FROM alerts WHERE rules_expire IS NOT NULL AND rules_expire <= ? LIMIT 1000`, ms(now))
	if err != nil {
		return 0, err
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return 0, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	changed := 0
	for _, id := range ids {
		did := false
		err := s.write(ctx, func(tx *wtx, op *writeOp) error {
			var err error
			did, err = s.reapply(tx, op, id, now)
			return err
		})
		if err != nil {
			return changed, err
		}
		if did {
			changed++
		}
	}
	return changed, nil
}

func (s *Store) reapply(tx *wtx, op *writeOp, id int64, now time.Time) (bool, error) {
	tx.forget()
	a, raw, err := scanAlert(tx.QueryRow("SELECT "+alertCols+", detail FROM alerts WHERE id = ?", id), true)
	if err != nil {
		return false, err
	}
	if a.RulesExpire == nil || a.RulesExpire.After(now) {
		return false, nil // changed meanwhile
	}
	var d detail
	if err := json.Unmarshal([]byte(raw), &d); err != nil {
		return false, err
	}
	clear := func() error {
		_, err := tx.Exec("UPDATE alerts SET rules_expire = NULL WHERE id = ?", id)
		return err
	}
	if a.Status == StatusClosed || d.Input == nil {
		return false, clear()
	}
	in := &rules.Input{Fields: maps.Clone(d.Input)}
	ctxJSON := d.AlertContext
	in.Lookup = func(name string) (string, bool) { return contextField(ctxJSON, name) }
	set := s.rules.Load()
	out := set.Apply(in, now)
	f := in.Fields
	cur := map[string]string{"title": a.Title, "severity": a.Severity.String(), "group": a.Group, "owner": a.Owner, "assignee": a.Assignee}
	titleKey := "title"
	if a.Kind == KindEvent {
		titleKey = "summary"
	}
	next := map[string]string{"title": clip(f[titleKey]), "severity": f["severity"], "group": f["group"], "owner": f["owner"], "assignee": f["assignee"]}
	if _, ok := ParseSeverity(next["severity"]); !ok {
		next["severity"] = d.Input["severity"]
	}
	who := "window ended"
	if len(out.Matched) > 0 {
		who = strings.Join(out.Matched, ",")
	}
	var sets []string
	var args []any
	applied := map[string]string{}
	escalated := false
	for _, k := range []string{"title", "severity", "group", "owner", "assignee"} {
		applied[k] = next[k]
		if d.Applied != nil && cur[k] != d.Applied[k] {
			applied[k] = cur[k]
			continue // a person or a repeat changed it since: theirs stands
		}
		if cur[k] == next[k] {
			continue
		}
		col, val := k, any(next[k])
		switch k {
		case "group":
			col = "grp"
		case "severity":
			sv, _ := ParseSeverity(next[k])
			val = int(sv)
			escalated = sv > a.Severity
		}
		sets, args = append(sets, col+" = ?"), append(args, val)
		if err := addHistory(tx, id, now, who, ByRule, k, cur[k], next[k], "the window the alert rules relied on ended"); err != nil {
			return false, err
		}
	}
	d.Applied, d.Rules = applied, out.Matched
	if routeSet, route := route(d.RouteSet, d.Route, out); escalated {
		sev, _ := ParseSeverity(next["severity"])
		if err := s.queueDeliveries(tx, op, id, s.destinations(routeSet, route, sev), "escalated", now); err != nil {
			return false, err
		}
	}
	b, err := json.Marshal(&d)
	if err != nil {
		return false, err
	}
	var expires any
	if !out.Expires.IsZero() && out.Expires.After(now) {
		expires = ms(out.Expires)
	}
	sets = append(sets, "detail = ?", "rules_expire = ?", "updated_at = ?", "version = version + 1")
	args = append(args, string(b), expires, ms(now), id)
	if _, err := tx.Exec("UPDATE alerts SET "+strings.Join(sets, ", ")+" WHERE id = ?", args...); err != nil {
		return false, err
	}
	op.post = append(op.post, Event{AlertID: id, Action: "updated", Version: a.Version + 1, Status: a.Status, At: now})
	return true, nil
}
