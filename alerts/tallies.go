package alerts

import (
	"context"
	"time"
)

// Tally increments, staged and folded.
//
// A plain repeat (an OPEN or TRIAGED alert's key again, no worse
// severity, no new samples) changes four columns of one alert row:
// tally, last_seen (first_seen), updated_at and version. Written straight
// into the alert, each of those UPDATEs also moves the alert in every
// index that holds last_seen, tally or updated_at — about ten index
// entries, each on its own page — and a commit writes every page it
// dirtied to the WAL. At a few thousand repeats a second over a thousand
// alerts that is most of the writer's time (BenchmarkStore1M/tally).
//
// So repeats are staged: the writer's transaction adds each alert's
// increments of the batch to one row of the small `tallies` table (one
// upsert per alert per batch, a page or two per commit), in the same
// transaction as the rest of the batch: what is acknowledged is
// committed, exactly as durable as any other write (see the package
// doc, Durability). Every FoldEvery (and before any write other than a
// raise, and at Open and Close) the writer folds the staged rows into
// their alerts, in one transaction, and empties the table: a thousand
// hot alerts cost a thousand UPDATEs a second, not one per repeat.
//
// Reads see the exact values: Get, List and the writer's own lookups
// join `tallies` and add what is staged. Only the order and the range
// filters of a list (sort by tally or last_seen, from/to) use the folded
// columns, which lag by at most FoldEvery.

// DefaultFoldEvery is how often staged tally increments are folded into
// their alerts.
const DefaultFoldEvery = time.Second

// maxStaged bounds the alerts with staged increments: past it the batch
// folds whatever the time.
const maxStaged = 20_000

// maxKeyCache bounds the writer's cache of alerts by dedup key.
const maxKeyCache = 100_000

// Columns of a tally staged for an alert, joined by readers (the
// alerts LEFT JOIN tallies of stagedJoin).
const (
	stagedJoin = ` LEFT JOIN tallies tl ON tl.alert_id = alerts.id`
	stagedCols = `, coalesce(tl.delta, 0), coalesce(tl.n_raises, 0), coalesce(tl.min_seen, 0), coalesce(tl.max_seen, 0), coalesce(tl.at_ms, 0)`
)

// staged is what the tallies table holds for an alert (or what a
// transaction has yet to write there).
type staged struct {
	delta, n, first, last, at int64
}

func (p *staged) add(q staged) {
	if p.n == 0 {
		*p = q
		return
	}
	p.delta += q.delta
	p.n += q.n
	p.first, p.last, p.at = min(p.first, q.first), max(p.last, q.last), max(p.at, q.at)
}

// overlay adds what is staged for an alert to the values read from its
// row.
func (a *Alert) overlay(p staged) {
	a.rawTally, a.rawLast, a.rawFirst, a.rawUpdated = a.Tally, ms(a.LastSeen), ms(a.FirstSeen), ms(a.UpdatedAt)
	if p.n == 0 {
		return
	}
	a.Tally += p.delta
	a.Version += p.n
	if f := fromMS(p.first); f.Before(a.FirstSeen) {
		a.FirstSeen = f
	}
	if l := fromMS(p.last); l.After(a.LastSeen) {
		a.LastSeen = l
	}
	if u := fromMS(p.at); u.After(a.UpdatedAt) {
		a.UpdatedAt = u
	}
	if a.Kind == KindDetection {
		f, l := a.FirstSeen, a.LastSeen
		a.FirstEvent, a.LastEvent = &f, &l
	}
}

// addTally queues a tally increment of alert id, written to `tallies`
// at the end of the batch (stage).
func (tx *wtx) addTally(id, delta, first, last, now int64) {
	tx.writes++
	if tx.pending == nil {
		tx.pending = map[int64]*staged{}
	}
	p := tx.pending[id]
	if p == nil {
		p = &staged{}
		tx.pending[id] = p
	}
	p.add(staged{delta: delta, n: 1, first: first, last: last, at: now})
}

// stage writes the transaction's queued increments into `tallies`.
func (tx *wtx) stage() error {
	for id, p := range tx.pending {
		if _, err := tx.Exec(`INSERT INTO tallies (alert_id, delta, n_raises, min_seen, max_seen, at_ms) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (alert_id) DO UPDATE SET delta = delta + excluded.delta, n_raises = n_raises + excluded.n_raises,
			min_seen = min(min_seen, excluded.min_seen), max_seen = max(max_seen, excluded.max_seen), at_ms = max(at_ms, excluded.at_ms)`,
			id, p.delta, p.n, p.first, p.last, p.at); err != nil {
			return err
		}
		tx.s.stagedIDs[id] = struct{}{}
		tx.staged = true
		delete(tx.pending, id)
	}
	return nil
}

// fold stages the transaction's increments, then moves every staged
// tally into its alert and empties `tallies`.
func (tx *wtx) fold() error {
	if err := tx.stage(); err != nil {
		return err
	}
	if len(tx.s.stagedIDs) == 0 && !tx.s.mayHaveStaged {
		return nil
	}
	rows, err := tx.Query(`SELECT alert_id, delta, n_raises, min_seen, max_seen, at_ms FROM tallies`)
	if err != nil {
		return err
	}
	var all []struct {
		id int64
		staged
	}
	for rows.Next() {
		var r struct {
			id int64
			staged
		}
		if err := rows.Scan(&r.id, &r.delta, &r.n, &r.first, &r.last, &r.at); err != nil {
			rows.Close()
			return err
		}
		all = append(all, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, r := range all {
		if _, err := tx.Exec(`UPDATE alerts SET tally = tally + ?, first_seen = min(first_seen, ?), last_seen = max(last_seen, ?),
			updated_at = max(updated_at, ?), version = version + ? WHERE id = ?`, r.delta, r.first, r.last, r.at, r.n, r.id); err != nil {
			return err
		}
	}
	if len(all) > 0 {
		if _, err := tx.Exec(`DELETE FROM tallies`); err != nil {
			return err
		}
	}
	clear(tx.s.stagedIDs)
	tx.folded = true
	return nil
}

// foldDue says whether the batch that ends should fold.
func (s *Store) foldDue(now time.Time) bool {
	if len(s.stagedIDs) == 0 && !s.mayHaveStaged {
		return false
	}
	return now.Sub(s.lastFold) >= s.opts.FoldEvery || len(s.stagedIDs) >= maxStaged
}

// foldNow folds on the writer's connection outside the writer (Open,
// after a crash left staged rows; Close, after the writer stopped).
func (s *Store) foldNow() error {
	sqltx, err := s.wdb.BeginTx(context.Background(), nil)
	if err != nil {
		return err
	}
	s.mayHaveStaged = true
	tx := &wtx{Tx: sqltx, s: s}
	if err := tx.fold(); err != nil {
		sqltx.Rollback()
		return err
	}
	if err := sqltx.Commit(); err != nil {
		return err
	}
	s.mayHaveStaged = false
	s.lastFold = time.Now()
	return nil
}
