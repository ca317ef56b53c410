package lake

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// dictLakes are two lakes of the same 200,000 synthetic CloudTrail events
// (a day, 50 sources of 4,000), written with dictionary pages for the
// string columns and without (Options.PlainStrings), made once a process.
var dictLakes = sync.OnceValues(func() (map[string]string, error) {
	root, err := os.MkdirTemp("", "panther-dict-bench-")
	if err != nil {
		return nil, err
	}
	reg, err := newTestRegistry()
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, mode := range []string{"dictionary", "plain"} {
		dir := filepath.Join(root, mode)
		w, err := Open(context.Background(), dir, reg, Options{PlainStrings: mode == "plain"})
		if err != nil {
			return nil, err
		}
		g := newCloudTrailGen(42, time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC), 432*time.Millisecond)
		for s := 0; s < 50; s++ {
			recs := make([][]byte, 4000)
			for i := range recs {
				recs[i] = g.next()
			}
			file := fmt.Sprintf("s3://trail/%03d.json.gz", s)
			evs, err := parseRecords(reg, reg.All()[0], file, recs)
			if err != nil {
				return nil, err
			}
			for _, e := range evs {
				if err := w.WriteEvent(e); err != nil {
					return nil, err
				}
				e.Release()
			}
			if err := w.SourceDone(SourceInfo{Digest: file, File: file}); err != nil {
				return nil, err
			}
		}
		if err := w.Close(); err != nil {
			return nil, err
		}
		out[mode] = dir
	}
	return out, nil
})

// BenchmarkDictionarySearch measures what dictionary pages for string
// columns do to a lake: its size (B/event) and DuckDB's time on three
// searches over it, against the same events written PLAIN: a GROUP BY of
// a string column, an equality filter on two, and an indicator search
// (list_contains over p_any_* lists). Each iteration runs the query on
// both lakes, one after the other, so that the machine's load hits both;
// the metrics are the CPU time of the process (DuckDB's threads included)
// per query on each, which a busy machine distorts less than wall time.
//
//	go test -run '^$' -bench DictionarySearch -benchtime 20x -count 3 ./lake/
func BenchmarkDictionarySearch(b *testing.B) {
	lakes, err := dictLakes()
	if err != nil {
		b.Fatal(err)
	}
	modes := []string{"dictionary", "plain"}
	for _, mode := range modes {
		var size int64
		for _, f := range visibleFiles(b, lakes[mode]) {
			if info, err := os.Stat(filepath.Join(lakes[mode], f)); err == nil {
				size += info.Size()
			}
		}
		b.Logf("%s: %.1f bytes an event", mode, float64(size)/200000)
	}
	queries := []struct{ name, sql string }{
		{"group-by", "SELECT eventName, count(*) FROM %s GROUP BY 1 ORDER BY 2 DESC"},
		{"equality", "SELECT count(*) FROM %s WHERE userAgent = 'ec2.amazonaws.com' AND awsRegion = 'eu-west-1'"},
		{"indicator", "SELECT count(*) FROM %s WHERE list_contains(p_any_ip_addresses, '10.1.2.3') OR list_contains(p_any_usernames, 'mallory')"},
	}
	db := openDuck(b)
	if _, err := db.Exec("SET threads = 2"); err != nil {
		b.Fatal(err)
	}
	for _, q := range queries {
		b.Run(q.name, func(b *testing.B) {
			cpu := map[string]time.Duration{}
			for i := 0; i < b.N; i++ {
				for _, mode := range modes {
					c0 := processCPU()
					rows, err := db.Query(fmt.Sprintf(q.sql, readAll(lakes[mode], "aws_cloudtrail")))
					if err != nil {
						b.Fatal(err)
					}
					for rows.Next() {
					}
					rows.Close()
					cpu[mode] += processCPU() - c0
				}
			}
			for _, mode := range modes {
				b.ReportMetric(float64(cpu[mode].Microseconds())/1000/float64(b.N), mode+"-cpu-ms/op")
			}
			b.ReportMetric(float64(cpu["dictionary"])/float64(cpu["plain"]), "dict/plain")
		})
	}
}
