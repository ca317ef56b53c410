package sqlitebench

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/ncruces/go-sqlite3/driver"
	_ "github.com/ncruces/go-sqlite3/embed"
	_ "modernc.org/sqlite"

	"panther/alerts"
)

var drivers = []*alerts.Driver{
	alerts.DefaultDriver, // mattn/go-sqlite3, cgo
	{Name: "sqlite", DSN: func(p string) string { return "file:" + p + pragmas }},  // modernc.org/sqlite, C translated to Go
	{Name: "ncruces", DSN: func(p string) string { return "file:" + p + pragmas }}, // ncruces/go-sqlite3, SQLite in WebAssembly (wazero)
}

// pragmas are the default driver's per-connection settings (alerts'
// connPragmas), in the DSN form the two other drivers read.
const pragmas = "?_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=cache_size(-32768)" +
	"&_pragma=mmap_size(268435456)&_pragma=temp_store(memory)&_txlock=immediate"

var names = map[string]string{"sqlite3_panther": "mattn", "sqlite": "modernc", "ncruces": "ncruces"}

// prefill is the size of the store the list and status benchmarks run on.
const prefill = 50_000

func open(b *testing.B, d *alerts.Driver) *alerts.Store {
	s, err := alerts.Open(context.Background(), alerts.Options{Path: filepath.Join(b.TempDir(), "a.db"), Driver: d})
	if err != nil && strings.Contains(err.Error(), "no such module: fts4") {
		b.Skipf("%s: its SQLite has no FTS4, which the store's text index needs since schema 7 (alerts/text.go)", names[d.Name])
	}
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

var t0 = time.Date(2026, 11, 10, 0, 0, 0, 0, time.UTC)

func fill(b *testing.B, s *alerts.Store, n int) {
	var wg sync.WaitGroup
	var next atomic.Int64
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1) - 1
				if i >= int64(n) {
					return
				}
				_, err := s.RaiseDetection(context.Background(), alerts.DetectionAlert{
					RuleID: fmt.Sprintf("Rule.%d", i%200), Dedup: fmt.Sprint(i), Title: fmt.Sprintf("alert %d", i),
					Severity: alerts.Severity(i % 5), FirstEvent: t0.Add(time.Duration(i) * time.Second)})
				if err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

func BenchmarkDrivers(b *testing.B) {
	ctx := context.Background()
	for _, d := range drivers {
		name := names[d.Name]
		b.Run(name+"/create", func(b *testing.B) {
			s := open(b, d)
			b.ResetTimer()
			fill(b, s, b.N)
		})
		b.Run(name+"/tally-8-senders", func(b *testing.B) {
			s := open(b, d)
			ev := func(i int64) alerts.ConsoleEvent {
				return alerts.ConsoleEvent{Node: fmt.Sprintf("host%d", i%1000), Summary: "disk full", Severity: alerts.SevHigh}
			}
			for i := range int64(1000) {
				s.RaiseEvent(ctx, ev(i))
			}
			var next atomic.Int64
			b.ResetTimer()
			var wg sync.WaitGroup
			for range 8 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for next.Add(1) <= int64(b.N) {
						if _, err := s.RaiseEvent(ctx, ev(next.Load())); err != nil {
							b.Error(err)
							return
						}
					}
				}()
			}
			wg.Wait()
		})
		b.Run(name+"/status-change", func(b *testing.B) {
			s := open(b, d)
			fill(b, s, prefill)
			b.ResetTimer()
			for i := range b.N {
				st := alerts.StatusTriaged
				if i%2 == 1 {
					st = alerts.StatusOpen
				}
				if _, err := s.Update(ctx, int64(i%prefill+1), alerts.Patch{Status: &st}, alerts.Actor{Name: "bench"}); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(name+"/list-page", func(b *testing.B) {
			s := open(b, d)
			fill(b, s, prefill)
			high := alerts.SevHigh
			b.ResetTimer()
			for range b.N {
				res, err := s.List(ctx, alerts.Filter{Status: []alerts.Status{alerts.StatusOpen}, MinSeverity: &high}, alerts.Page{Limit: 50})
				if err != nil || len(res.Alerts) != 50 {
					b.Fatal(err, len(res.Alerts))
				}
			}
		})
	}
}
