package alerts

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The store of the numbers: 1,000,000 alerts and 5,000,000
// history rows, built once into $TMPDIR/panther-bench-alerts (never by
// make test: benchmarks only) and reused by later runs.
const (
	benchAlerts  = 1_000_000
	benchHistory = 5 // per alert
	benchRules   = 200
)

var benchT0 = time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)

func benchStorePath(b *testing.B) string {
	dir := filepath.Join(os.TempDir(), "panther-bench-alerts")
	// Built at the schema version of its day; Open migrates it (which
	// measures a migration of a million alerts too).
	path := filepath.Join(dir, fmt.Sprintf("alerts-%d.db", benchAlerts))
	if _, err := os.Stat(path + ".done"); err == nil {
		return path
	}
	os.MkdirAll(dir, 0o755)
	os.Remove(path)
	os.Remove(path + "-wal")
	start := time.Now()
	if err := buildBenchStore(path); err != nil {
		b.Fatal(err)
	}
	os.WriteFile(path+".done", nil, 0o644)
	b.Logf("built %s in %s", path, time.Since(start).Round(time.Second))
	return path
}

// buildBenchStore writes the alerts directly (the raise path would take
// an hour for a million): 90 days of alerts, a tenth of them OPEN or
// TRIAGED, the rest RESOLVED or CLOSED, 200 rules, 50 people, 20 groups.
func buildBenchStore(path string) error {
	db, err := sql.Open(DefaultDriver.Name, DefaultDriver.DSN(path))
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	for _, p := range []string{"PRAGMA journal_mode=OFF", "PRAGMA synchronous=OFF", "PRAGMA cache_size=-262144"} {
		if _, err := db.Exec(p); err != nil {
			return err
		}
	}
	if err := migrate(context.Background(), db); err != nil {
		return err
	}
	r := rand.New(rand.NewPCG(1, 2))
	tx, err := db.Begin()
	if err != nil {
		return err
	}
	ins, err := tx.Prepare(`INSERT INTO alerts (id, kind, dedup_key, status, severity, title, rule_id, node, tag, tally,
		first_seen, last_seen, created_at, updated_at, dedup_ms, acked, ack_by, assignee, grp, owner, detail)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 3600000, ?, ?, ?, ?, '', ?)`)
	if err != nil {
		return err
	}
	hist, err := tx.Prepare(`INSERT INTO history (alert_id, at, who, by_kind, what, from_v, to_v, text) VALUES (?, ?, ?, ?, ?, ?, ?, '')`)
	if err != nil {
		return err
	}
	span := int64(90 * 24 * time.Hour / time.Millisecond)
	for id := int64(1); id <= benchAlerts; id++ {
		first := benchT0.UnixMilli() + r.Int64N(span)
		last := first + r.Int64N(int64(6*time.Hour/time.Millisecond))
		var status string
		switch x := r.IntN(100); {
		case x < 7:
			status = "OPEN"
		case x < 10:
			status = "TRIAGED"
		case x < 45:
			status = "RESOLVED"
		default:
			status = "CLOSED"
		}
		sev := []int{0, 1, 1, 2, 2, 2, 3, 3, 4}[r.IntN(9)]
		kind, rule, node, tag := "detection", fmt.Sprintf("Rule.%03d", r.IntN(benchRules)), "", ""
		title := fmt.Sprintf("Suspicious activity %d by user%d from 198.51.100.%d", id, r.IntN(5000), r.IntN(256))
		if r.IntN(10) < 3 {
			kind, rule, node, tag = "event", "", fmt.Sprintf("host-%04d", r.IntN(2000)), "disk"
			title = fmt.Sprintf("disk /var %d%% full on host", 80+r.IntN(20))
		}
		acked, ackBy, assignee, grp := 0, "", "", fmt.Sprintf("group-%02d", r.IntN(20))
		if status != "OPEN" || r.IntN(3) == 0 {
			acked, ackBy = 1, fmt.Sprintf("person-%02d", r.IntN(50))
			assignee = ackBy
		}
		if _, err := ins.Exec(id, kind, fmt.Sprintf("%s\x1f%d", rule+node, id), status, sev, title, rule, node, tag, 1+r.IntN(50),
			first, last, first, last, acked, ackBy, assignee, grp, `{"dedup":"x"}`); err != nil {
			return err
		}
		at := first
		for h := 0; h < benchHistory; h++ {
			at += r.Int64N(600_000)
			what, from, to := "note", "", ""
			switch h {
			case 0:
				what, to = "created", "OPEN"
			case 1:
				what, to = "ack", ackBy
			case 2:
				what, from, to = "assignee", "", assignee
			case 3:
				what, from, to = "status", "OPEN", status
			}
			if _, err := hist.Exec(id, at, "person-01", "person", what, from, to); err != nil {
				return err
			}
		}
		if id%100_000 == 0 {
			if err := tx.Commit(); err != nil {
				return err
			}
			if tx, err = db.Begin(); err != nil {
				return err
			}
			ins, _ = tx.Prepare(`INSERT INTO alerts (id, kind, dedup_key, status, severity, title, rule_id, node, tag, tally,
				first_seen, last_seen, created_at, updated_at, dedup_ms, acked, ack_by, assignee, grp, owner, detail)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 3600000, ?, ?, ?, ?, '', ?)`)
			hist, _ = tx.Prepare(`INSERT INTO history (alert_id, at, who, by_kind, what, from_v, to_v, text) VALUES (?, ?, ?, ?, ?, ?, ?, '')`)
		}
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	_, err = db.Exec("ANALYZE")
	return err
}

// benchStoreAt returns a copy of the bench store for this schema
// version: Open migrates the copy, and the store other branches' code
// opens (at its own version) stays as it was.
func benchStoreAt(b *testing.B, base string) string {
	path := strings.TrimSuffix(base, ".db") + fmt.Sprintf("-v%d.db", SchemaVersion)
	if _, err := os.Stat(path + ".done"); err == nil {
		return path
	}
	os.Remove(path + "-wal")
	if err := exec.Command("cp", base, path).Run(); err != nil {
		b.Fatal(err)
	}
	s, err := Open(context.Background(), Options{Path: path})
	if err != nil {
		b.Fatal(err)
	}
	s.Close()
	os.WriteFile(path+".done", nil, 0o644)
	return path
}

func openBench(b *testing.B, o ...Options) *Store {
	start := time.Now()
	var opts Options
	if len(o) > 0 {
		opts = o[0]
	}
	opts.Path = benchStoreAt(b, benchStorePath(b))
	s, err := Open(context.Background(), opts)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("opened (and migrated) in %s", time.Since(start).Round(time.Millisecond))
	b.Cleanup(func() { s.Close() })
	return s
}

// BenchmarkStore1M: a filtered, sorted first page of 50 (target ≤ 50 ms),
// a status change (≤ 5 ms) and tally increments (≥ 20,000/s) on the
// million-alert store.
func BenchmarkStore1M(b *testing.B) {
	s := openBench(b)
	ctx := context.Background()
	high, medium := SevHigh, SevMedium
	pages := []struct {
		name string
		f    Filter
		p    Page
	}{
		{"open-high-newest", Filter{Status: []Status{StatusOpen, StatusTriaged}, MinSeverity: &high}, Page{Limit: 50}},
		{"rule-newest", Filter{RuleID: []string{"Rule.017"}}, Page{Limit: 50}},
		{"assignee-unacked", Filter{Assignee: "person-07", Status: []Status{StatusOpen}}, Page{Limit: 50}},
		{"group-open-by-severity", Filter{Group: "group-03", Status: []Status{StatusOpen}}, Page{Sort: "-severity", Limit: 50}},
		{"open-by-tally", Filter{Status: []Status{StatusOpen}, MinSeverity: &medium}, Page{Sort: "-tally", Limit: 50}},
		{"last-7-days-medium", Filter{MinSeverity: &medium, From: benchT0.Add(83 * 24 * time.Hour)}, Page{Limit: 50}},
		{"text", Filter{Text: "user4242 ", Status: []Status{StatusOpen}}, Page{Limit: 50}},
		// Every sort, and text search by rare and common words, with
		// the console's usual filters.
		{"open-triaged-by-tally", Filter{Status: []Status{StatusOpen, StatusTriaged}}, Page{Sort: "-tally", Limit: 50}},
		{"all-by-tally", Filter{}, Page{Sort: "-tally", Limit: 50}},
		{"group-open-triaged-by-tally", Filter{Group: "group-03", Status: []Status{StatusOpen, StatusTriaged}}, Page{Sort: "-tally", Limit: 50}},
		{"open-oldest-first-seen", Filter{Status: []Status{StatusOpen}}, Page{Sort: "first_seen", Limit: 50}},
		{"open-triaged-by-first-seen", Filter{Status: []Status{StatusOpen, StatusTriaged}, MinSeverity: &high}, Page{Sort: "-first_seen", Limit: 50}},
		{"recently-updated", Filter{}, Page{Sort: "-updated_at", Limit: 50}},
		{"open-recently-updated", Filter{Status: []Status{StatusOpen}}, Page{Sort: "-updated_at", Limit: 50}},
		{"all-by-severity", Filter{}, Page{Sort: "-severity", Limit: 50}},
		{"node-newest", Filter{Node: "host-0042"}, Page{Limit: 50}},
		{"rule-by-tally", Filter{RuleID: []string{"Rule.017"}}, Page{Sort: "-tally", Limit: 50}},
		{"unassigned-unacked-by-id", Filter{Assignee: "-", Unacknowledged: true}, Page{Sort: "id", Limit: 50}},
		{"text-rare-any-status", Filter{Text: "user4242"}, Page{Limit: 50}},
		{"text-ip-by-tally", Filter{Text: "198.51.100.77"}, Page{Sort: "-tally", Limit: 50}},
		{"text-common-open", Filter{Text: "disk", Status: []Status{StatusOpen}}, Page{Limit: 50}},
		{"text-common-by-severity", Filter{Text: "suspicious activity", MinSeverity: &high}, Page{Sort: "-severity", Limit: 50}},
		{"text-common-rare-filter", Filter{Text: "disk", Node: "host-0042", Status: []Status{StatusClosed}}, Page{Limit: 50}},
	}
	for _, pg := range pages {
		b.Run("page/"+pg.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := s.List(ctx, pg.f, pg.p); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("page/open-high-page-20", func(b *testing.B) {
		res, _ := s.List(ctx, pages[0].f, Page{Limit: 50 * 19})
		cursor := encodeCursor(res.Alerts[len(res.Alerts)-1], Sorts["last_seen"])
		for b.Loop() {
			if _, err := s.List(ctx, pages[0].f, Page{Limit: 50, Cursor: cursor}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("status-change", func(b *testing.B) {
		res, err := s.List(ctx, Filter{Status: []Status{StatusOpen}}, Page{Limit: 500})
		if err != nil || len(res.Alerts) < 500 {
			b.Fatal(err)
		}
		i := 0
		for b.Loop() {
			a := res.Alerts[i%len(res.Alerts)]
			st := StatusTriaged
			if (i/len(res.Alerts))%2 == 1 {
				st = StatusOpen
			}
			if _, err := s.Update(ctx, a.ID, Patch{Status: &st}, Actor{Name: "bench"}); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
	benchTally(b, s)
}

// BenchmarkStore1MPowerSafe: the tally increments of BenchmarkStore1M
// with every commit synced to the disk (DurablePower).
func BenchmarkStore1MPowerSafe(b *testing.B) {
	benchTally(b, openBench(b, Options{Durability: DurablePower}))
}

func benchTally(b *testing.B, s *Store) {
	ctx := context.Background()
	for _, c := range []struct{ senders, keys int64 }{{8, 1000}, {64, 1000}, {64, 10}} {
		// 1,000 alerts repeating at random; 10: an event storm. Senders
		// are concurrent callers (HTTP requests, pipeline workers): a
		// commit holds the writes of all the callers waiting on it.
		senders, keys := c.senders, c.keys
		b.Run(fmt.Sprintf("tally-%d-senders-%d-alerts", senders, keys), func(b *testing.B) {
			ev := func(i int64) ConsoleEvent {
				return ConsoleEvent{Node: fmt.Sprintf("bench-host-%d", i%keys), Summary: "disk full", Severity: SevHigh}
			}
			for i := range keys {
				s.RaiseEvent(ctx, ev(i))
			}
			raiseConcurrently(b, s, senders, ev)
		})
	}
}
