package alerts

import (
	"context"
	"time"
)

// StatsOptions select the alerts a summary counts: those seen in
// [From, To) (last_seen from From, first_seen before To).
type StatsOptions struct {
	From, To time.Time
	// Bucket is the width of the time series (it is widened so that the
	// range has at most MaxBuckets buckets).
	Bucket time.Duration
	// Top bounds the rule and entity lists (default 10, at most 1,000).
	Top int
}

// MaxBuckets bounds a time series.
const MaxBuckets = 240

// Stats summarise the alerts of a range: the console's dashboard.
type Stats struct {
	From   time.Time `json:"from"`
	To     time.Time `json:"to"`
	Bucket string    `json:"bucket"`
	// Series counts alerts by the bucket of their first_seen and severity.
	Series   []Bucket           `json:"series"`
	ByStatus map[Status]int64   `json:"by_status"`
	BySev    map[Severity]int64 `json:"by_severity"`
	Total    int64              `json:"total"`
	// MTTA and MTTR: mean seconds from an alert's creation in the store to
	// its first acknowledgement, and to its first RESOLVED (or CLOSED)
	// status; with how many alerts each mean is of.
	MTTASeconds float64 `json:"mtta_seconds"`
	Acked       int64   `json:"acked"`
	MTTRSeconds float64 `json:"mttr_seconds"`
	Resolved    int64   `json:"resolved"`
	// Rules are the noisiest detections; Entities the nodes (events) and
	// dedup strings (detections) with the most alerts.
	Rules    []RuleStat   `json:"rules"`
	Entities []EntityStat `json:"entities"`
}

// Bucket is one step of the time series.
type Bucket struct {
	At     time.Time `json:"at"`
	Counts [5]int64  `json:"counts"` // by severity rank, INFO..CRITICAL
}

// RuleStat is a detection's share.
type RuleStat struct {
	RuleID   string    `json:"rule_id"`
	Alerts   int64     `json:"alerts"`
	Tally    int64     `json:"tally"`
	Open     int64     `json:"open"`
	LastSeen time.Time `json:"last_seen"`
}

// EntityStat is an entity's share.
type EntityStat struct {
	Entity string `json:"entity"`
	Alerts int64  `json:"alerts"`
}

// Stats summarises the alerts of a range.
func (s *Store) Stats(ctx context.Context, o StatsOptions) (*Stats, error) {
	if o.To.IsZero() {
		o.To = s.now()
	}
	if o.From.IsZero() || !o.From.Before(o.To) {
		o.From = o.To.Add(-7 * 24 * time.Hour)
	}
	span := o.To.Sub(o.From)
	if o.Bucket <= 0 {
		o.Bucket = time.Hour
	}
	for span/o.Bucket > MaxBuckets {
		o.Bucket *= 2
	}
	if o.Top <= 0 {
		o.Top = 10
	}
	o.Top = min(o.Top, 1000)
	from, to, step := ms(o.From), ms(o.To), o.Bucket.Milliseconds()
	out := &Stats{From: o.From, To: o.To, Bucket: o.Bucket.String(), Series: []Bucket{}, ByStatus: map[Status]int64{},
		BySev: map[Severity]int64{}, Rules: []RuleStat{}, Entities: []EntityStat{}}
	const in = " FROM alerts WHERE last_seen >= ? AND first_seen < ?"

	rows, err := s.rdb.QueryContext(ctx, "SELECT ((max(first_seen, ?) - ?) / ?) AS b, severity, status, count(*)"+in+" GROUP BY 1, 2, 3 ORDER BY 1",
		from, from, step, from, to)
	if err != nil {
		return nil, err
	}
	n := int(span/o.Bucket) + 1
	buckets := make([]Bucket, n)
	for i := range buckets {
		buckets[i].At = o.From.Add(time.Duration(i) * o.Bucket)
	}
	for rows.Next() {
		var b, c int64
		var sev Severity
		var st Status
		if err := rows.Scan(&b, &sev, &st, &c); err != nil {
			rows.Close()
			return nil, err
		}
		if b >= 0 && int(b) < n && sev >= 0 && sev <= SevCritical {
			buckets[b].Counts[sev] += c
		}
		out.ByStatus[st] += c
		out.BySev[sev] += c
		out.Total += c
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for len(buckets) > 1 && !buckets[len(buckets)-1].At.Before(o.To) {
		buckets = buckets[:len(buckets)-1]
	}
	out.Series = buckets

	var mtta, mttr *float64
	if err := s.rdb.QueryRowContext(ctx, "SELECT avg(ack_at - created_at) / 1000.0, count(ack_at)"+in+" AND ack_at IS NOT NULL", from, to).Scan(&mtta, &out.Acked); err != nil {
		return nil, err
	}
	if err := s.rdb.QueryRowContext(ctx, `SELECT avg(r - created_at) / 1000.0, count(*) FROM (
		SELECT a.created_at, (SELECT min(h.at) FROM history h WHERE h.alert_id = a.id AND h.what = 'status' AND h.to_v IN ('RESOLVED', 'CLOSED')) AS r
		FROM alerts a WHERE a.last_seen >= ? AND a.first_seen < ?) WHERE r IS NOT NULL`, from, to).Scan(&mttr, &out.Resolved); err != nil {
		return nil, err
	}
	if mtta != nil {
		out.MTTASeconds = *mtta
	}
	if mttr != nil {
		out.MTTRSeconds = *mttr
	}

	rows, err = s.rdb.QueryContext(ctx, "SELECT rule_id, count(*), sum(tally), sum(status IN ('OPEN', 'TRIAGED')), max(last_seen)"+in+
		" AND kind = 'detection' GROUP BY rule_id ORDER BY 2 DESC, 3 DESC, 1 LIMIT ?", from, to, o.Top)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var r RuleStat
		var last int64
		if err := rows.Scan(&r.RuleID, &r.Alerts, &r.Tally, &r.Open, &last); err != nil {
			rows.Close()
			return nil, err
		}
		r.LastSeen = fromMS(last)
		out.Rules = append(out.Rules, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}

	rows, err = s.rdb.QueryContext(ctx, `SELECT CASE WHEN kind = 'event' THEN node ELSE substr(dedup_key, instr(dedup_key, char(31)) + 1) END AS e, count(*)`+in+
		" GROUP BY 1 HAVING e <> '' ORDER BY 2 DESC, 1 LIMIT ?", from, to, o.Top)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var e EntityStat
		if err := rows.Scan(&e.Entity, &e.Alerts); err != nil {
			return nil, err
		}
		out.Entities = append(out.Entities, e)
	}
	return out, rows.Err()
}
