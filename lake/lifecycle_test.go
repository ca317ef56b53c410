package lake

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"panther/parsers"
	"panther/parsers/event"
)

// visibleFiles lists the Parquet files a reader sees, relative to dir.
func visibleFiles(t testing.TB, dir string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p != dir && hidden(d.Name()) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, rel)
		}
		return nil
	})
	slices.Sort(out)
	return out
}

func countRows(t *testing.T, dir, table string) int64 {
	t.Helper()
	if len(visibleFiles(t, dir)) == 0 {
		return 0
	}
	return queryInt(t, openDuck(t), "SELECT count(*) FROM "+readAll(dir, table))
}

func mustOpen(t *testing.T, dir string, reg *parsers.Registry, opts Options) *Writer {
	t.Helper()
	w, err := Open(context.Background(), dir, reg, opts)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// Replaying the same sources into the same lake adds nothing; new sources
// are added; a source given twice in one run is written once; an aborted
// run leaves the lake as after its last commit, and replaying again
// completes it exactly once.
func TestIdempotentReplay(t *testing.T) {
	t.Parallel()
	reg := testRegistry(t)
	dir := t.TempDir()
	start := time.Date(2024, 5, 1, 8, 0, 0, 0, time.UTC)
	a := cloudTrailSources(t, reg, 11, 3, 200, start, 10*time.Second)
	b := cloudTrailSources(t, reg, 12, 2, 200, start.Add(time.Hour), 10*time.Second)
	c := cloudTrailSources(t, reg, 13, 4, 200, start.Add(3*time.Hour), 10*time.Second)
	defer release(a)
	defer release(b)
	defer release(c)

	run := func(opts Options, srcs []source, abort bool) int {
		w := mustOpen(t, dir, reg, opts)
		skipped := replay(t, w, srcs)
		var err error
		if abort {
			err = w.Abort()
		} else {
			err = w.Close()
		}
		if err != nil {
			t.Fatal(err)
		}
		return skipped
	}
	if n := run(Options{}, append(slices.Clone(a), a[0]), false); n != 1 {
		t.Errorf("first run skipped %d sources, want 1 (a source given twice)", n)
	}
	if got := countRows(t, dir, "aws_cloudtrail"); got != 600 {
		t.Fatalf("%d rows after the first run, want 600", got)
	}
	if n := run(Options{}, a, false); n != 3 {
		t.Errorf("second run skipped %d sources, want 3", n)
	}
	if n := run(Options{}, append(slices.Clone(a), b...), false); n != 3 {
		t.Errorf("third run skipped %d sources, want 3", n)
	}
	if got := countRows(t, dir, "aws_cloudtrail"); got != 1000 {
		t.Fatalf("%d rows after adding 2 sources, want 1000", got)
	}
	files := visibleFiles(t, dir)

	// Aborted without a commit: nothing changes.
	run(Options{}, c, true)
	if got := visibleFiles(t, dir); !slices.Equal(got, files) {
		t.Errorf("an aborted run changed the lake: %v", got)
	}
	// Aborted after two commits (one a source): those two stay.
	w := mustOpen(t, dir, reg, Options{CommitBytes: 1})
	replay(t, w, c[:2])
	for w.Stats().Tables["aws_cloudtrail"].CommittedRows < 400 {
		time.Sleep(10 * time.Millisecond) // commits run in the background
	}
	for _, e := range c[2].events[:100] {
		if err := w.WriteEvent(e); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Abort(); err != nil {
		t.Fatal(err)
	}
	if got := countRows(t, dir, "aws_cloudtrail"); got != 1400 {
		t.Errorf("%d rows after an abort with 2 sources committed, want 1400", got)
	}
	if n := run(Options{}, c, false); n != 2 {
		t.Errorf("the run after the abort skipped %d sources, want 2", n)
	}
	db := openDuck(t)
	if n := queryInt(t, db, "SELECT count(DISTINCT p_row_id) FROM "+readAll(dir, "aws_cloudtrail")); n != 1800 {
		t.Errorf("%d distinct rows at the end, want 1800", n)
	}
	if n := queryInt(t, db, "SELECT count(*) FROM "+readAll(dir, "aws_cloudtrail")); n != 1800 {
		t.Errorf("%d rows at the end, want 1800", n)
	}
}

// A table written with an older schema and then a newer one (a column
// added, one retyped, one dropped) reads back whole with union_by_name.
func TestSchemaDrift(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	v1 := &parsers.LogType{Name: "Test.Drift", NewParser: parsers.JSONParser,
		TimeFields: []parsers.TimeField{{Path: "t", Format: "rfc3339"}},
		Schema:     []parsers.Column{{Name: "t", Type: "timestamp"}, {Name: "a", Type: "string"}, {Name: "b", Type: "bigint"}, {Name: "gone", Type: "string"}}}
	v2 := &parsers.LogType{Name: "Test.Drift", NewParser: parsers.JSONParser,
		TimeFields: []parsers.TimeField{{Path: "t", Format: "rfc3339"}},
		Schema:     []parsers.Column{{Name: "t", Type: "timestamp"}, {Name: "a", Type: "string"}, {Name: "b", Type: "string"}, {Name: "c", Type: "double"}}}
	write := func(lt *parsers.LogType, lines ...string) {
		reg, err := parsers.NewRegistry(lt)
		if err != nil {
			t.Fatal(err)
		}
		var recs [][]byte
		for _, l := range lines {
			recs = append(recs, []byte(l))
		}
		evs := parseAs(t, reg, lt, "drift.log", recs)
		defer release([]source{{events: evs}})
		w := mustOpen(t, dir, reg, Options{})
		for _, e := range evs {
			if err := w.WriteEvent(e); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.SourceDone(SourceInfo{File: "drift.log"}); err != nil { // no digest: not recorded
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
	}
	write(v1, `{"t":"2024-01-01T01:00:00Z","a":"old","b":1,"gone":"g"}`, `{"t":"2024-01-01T02:00:00Z","a":"old2","b":2,"c":0.5}`)
	write(v2, `{"t":"2024-01-01T02:30:00Z","a":"new","b":"two","c":2.5}`, `{"t":"2024-01-01T03:00:00Z","a":"new2","b":"3","gone":"g2"}`)
	db := openDuck(t)
	rows, err := db.Query(`SELECT a, b::VARCHAR, c, gone, p_extra::VARCHAR FROM ` + readAll(dir, "test_drift") + ` ORDER BY t`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var a string
		var b, gone, extra *string
		var c *float64
		if err := rows.Scan(&a, &b, &c, &gone, &extra); err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprintf("%s %s %s %s %s", a, str(b), str(c), str(gone), str(extra)))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"old 1 NULL g NULL",
		`old2 2 NULL NULL {"c":0.5}`, // c was not in v1's schema
		"new two 2.5 NULL NULL",
		`new2 3 NULL NULL {"gone":"g2"}`, // gone is not in v2's
	}
	if !slices.Equal(got, want) {
		t.Errorf("read back\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// File names tell the two schemas apart, and the files of one schema
	// have one fingerprint.
	fps := map[string]int{}
	for _, f := range visibleFiles(t, dir) {
		if fp, ok := FileFingerprint(f); ok {
			fps[fp]++
		} else if strings.HasSuffix(f, ".parquet") {
			t.Errorf("%s: no schema fingerprint in the name", f)
		}
	}
	if len(fps) != 2 {
		t.Errorf("fingerprints %v, want 2 (one per schema)", fps)
	}
}

func TestFileFingerprint(t *testing.T) {
	for _, tt := range []struct {
		name, fp string
		ok       bool
	}{
		{"logs/t/year=2024/month=01/day=01/hour=00/20240101T000000Z-0123abcd-000001-89abcdef.parquet", "89abcdef", true},
		{"20240101T000000Z-0123abcd-000001.parquet", "", false}, // before fingerprints: 6 digits
		{"part-0001-89ABCDEF.parquet", "", false},
		{"x-89abcdef.json", "", false},
		{"89abcdef.parquet", "", false},
	} {
		fp, ok := FileFingerprint(tt.name)
		if fp != tt.fp || ok != tt.ok {
			t.Errorf("FileFingerprint(%q) = %q, %v; want %q, %v", tt.name, fp, ok, tt.fp, tt.ok)
		}
	}
}

func str[T any](p *T) string {
	if p == nil {
		return "NULL"
	}
	return fmt.Sprint(*p)
}

// An I/O error at any step is returned with the path and the cause, the
// writer takes nothing more, nothing partial becomes visible, and the lake
// is as after its last commit; a commit that failed after its manifest is
// completed by the next Open.
func TestWriteErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		op      string
		n       int    // fail from the n-th call of op on
		inWrite bool   // the error surfaces in WriteEvent (else Close)
		where   string // part of the path the error names
		later   bool   // the commit is completed by the next Open
	}{
		{op: "write", n: 2, inWrite: true, where: ".parquet"},
		{op: "close", n: 2, inWrite: true, where: ".parquet"},
		{op: "sync", n: 1, where: ".parquet"},
		{op: "manifest", n: 1, where: ".commit.json"},
		{op: "rename", n: 2, where: ".parquet", later: true},
		{op: "ledger", n: 1, where: "_sources", later: true},
	} {
		t.Run(tc.op, func(t *testing.T) {
			t.Parallel()
			reg := testRegistry(t)
			dir := t.TempDir()
			start := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
			srcs := cloudTrailSources(t, reg, 21, 3, 1500, start, 4*time.Second)
			defer release(srcs)
			w := mustOpen(t, dir, reg, Options{})
			replay(t, w, srcs[:1])
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			before := visibleFiles(t, dir)

			calls := 0
			fault := func(op, path string) error {
				if op == tc.op {
					if calls++; calls >= tc.n {
						return syscall.ENOSPC
					}
				}
				return nil
			}
			w = mustOpen(t, dir, reg, Options{FileBytes: 512 << 10, fault: fault})
			var werr error
			for _, s := range srcs[1:] {
				for _, e := range s.events {
					if werr = w.WriteEvent(e); werr != nil {
						break
					}
				}
				if werr != nil {
					break
				}
				if werr = w.SourceDone(s.info); werr != nil {
					break
				}
			}
			if tc.inWrite != (werr != nil) {
				t.Fatalf("WriteEvent error %v, want one: %v", werr, tc.inWrite)
			}
			if werr != nil {
				checkErr(t, werr, tc.where)
				e := srcs[2].events[0]
				if err := w.WriteEvent(e); err == nil {
					t.Error("WriteEvent after an error succeeded")
				}
			}
			cerr := w.Close()
			checkErr(t, cerr, tc.where)
			if tc.later != strings.Contains(cerr.Error(), "next lake.Open completes it") {
				t.Errorf("Close: %v; completed later: %v", cerr, tc.later)
			}
			if err := w.Abort(); err != nil {
				t.Errorf("Abort after Close: %v", err)
			}
			if !tc.later {
				if got := visibleFiles(t, dir); !slices.Equal(got, before) {
					t.Errorf("visible files changed:\n%v\nwant\n%v", got, before)
				}
				if ents, _ := os.ReadDir(filepath.Join(dir, stagingDir)); len(ents) != 0 {
					t.Errorf("staging not cleaned: %v", ents)
				}
			}
			for _, f := range visibleFiles(t, dir) {
				queryInt(t, openDuck(t), "SELECT count(*) FROM read_parquet("+sqlString(filepath.Join(dir, f))+")")
			}
			// The next run: everything is there exactly once.
			w = mustOpen(t, dir, reg, Options{})
			skipped := replay(t, w, srcs)
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			if want := map[bool]int{false: 1, true: 3}[tc.later]; skipped != want {
				t.Errorf("skipped %d sources, want %d", skipped, want)
			}
			if n := countRows(t, dir, "aws_cloudtrail"); n != 4500 {
				t.Errorf("%d rows, want 4500", n)
			}
		})
	}
}

func checkErr(t *testing.T, err error, where string) {
	t.Helper()
	if err == nil {
		t.Fatal("no error")
	}
	t.Logf("error: %v", err)
	if !errors.Is(err, syscall.ENOSPC) || !strings.Contains(err.Error(), where) {
		t.Errorf("error %q: want the cause (%v) and a path with %q", err, syscall.ENOSPC, where)
	}
}

// One writer a lake: a second Open fails and says who holds it.
func TestLock(t *testing.T) {
	t.Parallel()
	reg := testRegistry(t)
	dir := t.TempDir()
	w := mustOpen(t, dir, reg, Options{})
	_, err := Open(context.Background(), dir, reg, Options{})
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("being written by process %d", os.Getpid())) {
		t.Errorf("second Open: %v", err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	w = mustOpen(t, dir, reg, Options{})
	if err := w.Abort(); err != nil {
		t.Fatal(err)
	}
}

// WriteRow tables: rows go to <lake>/<table>/..., undeclared members to
// p_extra; a run keeps one schema a table.
func TestWriteRow(t *testing.T) {
	t.Parallel()
	reg := testRegistry(t)
	dir := t.TempDir()
	schema := []parsers.Column{
		{Name: "alert_id", Type: "string"}, {Name: "rule_id", Type: "string"}, {Name: "severity", Type: "string"},
		{Name: "first_seen", Type: "timestamp"}, {Name: "events", Type: "bigint"}, {Name: "context", Type: "json"},
	}
	w := mustOpen(t, dir, reg, Options{})
	t0 := time.Date(2024, 7, 1, 23, 30, 0, 0, time.UTC)
	for i := 0; i < 10; i++ {
		ts := t0.Add(time.Duration(i) * 10 * time.Minute)
		row := fmt.Sprintf(`{"alert_id":"a%d","rule_id":"R.%d","severity":"HIGH","first_seen":%q,"events":%d,"context":{"ip":"10.0.0.%d"},"note":"x"}`,
			i, i%3, ts.Format(time.RFC3339), i+1, i)
		if err := w.WriteRow("alerts", schema, ts, []byte(row)); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		table string
		sch   []parsers.Column
		row   string
		want  string
	}{
		{"alerts", schema[:2], `{}`, "another schema"},
		{"alerts", schema, `[1]`, "not a JSON object"},
		{"alerts", schema, `{"a":`, "not JSON"},
		{"logs", schema, `{}`, "reserved"},
		{"Alerts", schema, `{}`, "table name"},
	} {
		if err := w.WriteRow(tc.table, tc.sch, t0, []byte(tc.row)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("WriteRow(%s, %s): %v, want an error with %q", tc.table, tc.row, err, tc.want)
		}
	}
	if err := w.Close(); err != nil { // those errors do not stop the writer
		t.Fatal(err)
	}
	tables, err := List(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(tables) != 1 || tables[0].Name != "alerts" || tables[0].Logs || len(tables[0].Partitions) != 3 {
		t.Fatalf("tables %+v", tables)
	}
	db := openDuck(t)
	var n, events int64
	var extra, ctx string
	if err := db.QueryRow(`SELECT count(*), sum(events), any_value(p_extra::VARCHAR), max(context->>'ip') FROM `+readAll(dir, "alerts")).Scan(&n, &events, &extra, &ctx); err != nil {
		t.Fatal(err)
	}
	if n != 10 || events != 55 || extra != `{"note":"x"}` || ctx != "10.0.0.9" {
		t.Errorf("read back %d rows, %d events, p_extra %s, context %s", n, events, extra, ctx)
	}
	rows, err := db.Query("SELECT column_name FROM (DESCRIBE SELECT * FROM read_parquet(" + sqlString(tables[0].Glob()) + ", hive_partitioning=false))")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var cols []string
	for rows.Next() {
		var c string
		rows.Scan(&c)
		cols = append(cols, c)
	}
	if want := []string{"alert_id", "rule_id", "severity", "first_seen", "events", "context", "p_extra"}; !slices.Equal(cols, want) {
		t.Errorf("columns %v, want %v", cols, want)
	}
}

// Events the writer cannot place are refused (and the writer goes on);
// an event time beyond year 9999 falls back to the parse time.
func TestWriteEventErrors(t *testing.T) {
	t.Parallel()
	reg := testRegistry(t)
	dir := t.TempDir()
	w := mustOpen(t, dir, reg, Options{})
	e := event.New()
	defer e.Release()
	e.LogType = "No.Such"
	if err := w.WriteEvent(e); err == nil || !strings.Contains(err.Error(), `"No.Such"`) {
		t.Errorf("unknown log type: %v", err)
	}
	e.LogType = "Test.Flat"
	if err := w.WriteEvent(e); err == nil || !strings.Contains(err.Error(), "normalised") {
		t.Errorf("event without times: %v", err)
	}
	e.Time = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
	e.ParseTime = time.Date(2030, 1, 1, 5, 0, 0, 0, time.UTC)
	if err := w.WriteEvent(e); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if got := visibleFiles(t, dir); len(got) != 1 || !strings.Contains(got[0], "year=2030/month=01/day=01/hour=05") {
		t.Errorf("files %v", got)
	}
	// A log type whose table name search could not use is refused at Open.
	bad := &parsers.LogType{Name: "Custom.my-app", NewParser: parsers.JSONParser}
	reg2, err := parsers.NewRegistry(bad)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Open(context.Background(), t.TempDir(), reg2, Options{}); err == nil || !strings.Contains(err.Error(), "Custom.my-app") {
		t.Errorf("Open with log type Custom.my-app: %v", err)
	}
}

// List finds tables and hour partitions by their folders only, skipping
// what is not the writer's layout.
func TestList(t *testing.T) {
	t.Parallel()
	reg := testRegistry(t)
	dir := t.TempDir()
	start := time.Date(2024, 2, 28, 22, 15, 0, 0, time.UTC)
	srcs := cloudTrailSources(t, reg, 31, 1, 300, start, 30*time.Second) // 22:15 to 00:45
	defer release(srcs)
	w := mustOpen(t, dir, reg, Options{})
	replay(t, w, srcs)
	if err := w.WriteRow("rule_matches", []parsers.Column{{Name: "id", Type: "string"}}, start, []byte(`{"id":"x"}`)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	glob := Table{Dir: filepath.Join(dir, "logs", "aws_cloudtrail")}.Glob()
	if n := queryInt(t, openDuck(t), "SELECT count(*) FROM read_parquet("+sqlString(glob)+")"); n != 300 {
		t.Errorf("Glob reads %d rows, want 300", n)
	}
	for _, junk := range []string{
		"logs/aws_cloudtrail/year=2024/month=13/day=01/hour=00/x.parquet",
		"logs/aws_cloudtrail/year=2024/month=02/day=28/hour=22/.x.parquet",
		"logs/aws_cloudtrail/year=2024/month=02/day=28/hour=22/notes.txt",
		"logs/aws_cloudtrail/other/y.parquet",
		"logs/aws_cloudtrail/year=2024/month=02/day=28/hour=99/x.parquet", // not an hour
		"logs/aws_cloudtrail/year=2024/month=02/day=30/hour=01/x.parquet", // not a day
		"logs/aws_cloudtrail/year=2024/month=3/day=1/hour=5/x.parquet",    // unpadded is read too
		"logs/_hidden/year=2024/month=02/day=28/hour=22/z.parquet",
		"logs/Bad-Name/year=2024/month=02/day=28/hour=22/z.parquet",
		"internal/parquet/x.parquet", // a folder that is not a table
		"empty_dir/readme",
	} {
		p := filepath.Join(dir, filepath.FromSlash(junk))
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte("x"), 0o644)
	}
	tables, err := List(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, tb := range tables {
		for _, p := range tb.Partitions {
			got = append(got, fmt.Sprintf("%s %v %s %d", tb.Name, tb.Logs, p.Hour.Format("2006-01-02T15"), len(p.Files)))
			if p.Bytes <= 0 {
				t.Errorf("%s %v: %d bytes", tb.Name, p.Hour, p.Bytes)
			}
		}
	}
	want := []string{
		"aws_cloudtrail true 2024-02-28T22 1",
		"aws_cloudtrail true 2024-02-28T23 1",
		"aws_cloudtrail true 2024-02-29T00 1",
		"aws_cloudtrail true 2024-03-01T05 1",
		"rule_matches false 2024-02-28T22 1",
	}
	if !slices.Equal(got, want) {
		t.Errorf("List:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	ct := tables[0]
	if n := len(ct.FilesBetween(time.Date(2024, 2, 28, 23, 59, 0, 0, time.UTC), time.Time{})); n != 3 {
		t.Errorf("FilesBetween(23:59, open): %d files, want 3", n)
	}
	for _, c := range []struct {
		from, to time.Time
		hours    int
	}{
		{time.Date(2024, 2, 28, 23, 59, 59, 0, time.UTC), time.Time{}, 3}, // from inside an hour keeps it
		{time.Time{}, time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC), 2},    // to is exclusive
		{time.Date(2024, 2, 28, 23, 0, 0, 0, time.UTC), time.Date(2024, 2, 28, 23, 30, 0, 0, time.UTC), 1},
		{time.Date(2024, 2, 29, 0, 30, 0, 0, time.UTC), time.Date(2024, 3, 1, 5, 0, 1, 0, time.UTC), 2}, // a month boundary
		{time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), time.Time{}, 0},
	} {
		parts, err := ct.Table.Partitions(c.from, c.to)
		if err != nil || len(parts) != c.hours {
			t.Errorf("Partitions(%v, %v): %d hours (%v), want %d", c.from, c.to, len(parts), err, c.hours)
		}
	}
	if n := len(ct.FilesBetween(time.Time{}, time.Date(2024, 2, 28, 23, 0, 0, 0, time.UTC))); n != 1 {
		t.Errorf("FilesBetween(open, 23:00): %d files, want 1", n)
	}
	var le *LakeError
	if _, err := List(filepath.Join(dir, "missing")); !errors.As(err, &le) {
		t.Errorf("List of a missing lake: %v, want a *LakeError", err)
	}
	if _, err := Tables(filepath.Join(dir, "logs", "aws_cloudtrail", "year=2024", "month=02", "day=28", "hour=22", ".x.parquet")); !errors.As(err, &le) {
		t.Errorf("Tables of a file: %v, want a *LakeError", err)
	}
	if tables, err := Tables(t.TempDir()); err != nil || len(tables) != 0 {
		t.Errorf("Tables of an empty lake: %v, %v; want none and no error", tables, err)
	}
}

// The rows of a source that failed, or that was never reported done, are
// not committed, even when some are in files converted before the failure
// (and share them with other sources); commits go on after a failure, and
// a later replay writes those sources whole.
func TestFailedSources(t *testing.T) {
	t.Parallel()
	reg := testRegistry(t)
	start := time.Date(2024, 8, 1, 0, 0, 0, 0, time.UTC)
	var srcs []source // four sources in the same hour, one after the other
	for i := 0; i < 4; i++ {
		s := cloudTrailSources(t, reg, uint64(40+i), 1, 1500, start.Add(time.Duration(i)*time.Second), 2*time.Second)
		srcs = append(srcs, s...)
	}
	defer release(srcs)
	a, b, c, d := srcs[0], srcs[1], srcs[2], srcs[3]
	for _, commitBytes := range []int64{-1, 1} {
		t.Run(fmt.Sprint("commit", commitBytes), func(t *testing.T) {
			dir := t.TempDir()
			w := mustOpen(t, dir, reg, Options{FileBytes: 256 << 10, CommitBytes: commitBytes})
			write := func(s source) {
				for _, e := range s.events {
					if err := w.WriteEvent(e); err != nil {
						t.Fatal(err)
					}
				}
			}
			write(a)
			if err := w.SourceDone(a.info); err != nil {
				t.Fatal(err)
			}
			write(b)
			failed := b.info
			failed.Failed = true
			if err := w.SourceDone(failed); err != nil {
				t.Fatal(err)
			}
			write(c)
			if err := w.SourceDone(c.info); err != nil {
				t.Fatal(err)
			}
			if commitBytes > 0 { // a failed source does not stop commits
				for deadline := time.Now().Add(time.Minute); w.Stats().Tables["aws_cloudtrail"].CommittedRows < 3000; {
					if time.Now().After(deadline) {
						t.Fatalf("no commit after the failed source: %+v", w.Stats())
					}
					time.Sleep(20 * time.Millisecond)
				}
			}
			write(d) // never reported
			if w.HasSource(b.info.Digest) || w.HasSource(d.info.Digest) {
				t.Error("HasSource of a failed or unfinished source")
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			db := openDuck(t)
			rows, err := db.Query("SELECT p_source_file, count(*) FROM " + readAll(dir, "aws_cloudtrail") + " GROUP BY 1 ORDER BY 1")
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for rows.Next() {
				var f string
				var n int
				rows.Scan(&f, &n)
				got = append(got, fmt.Sprintf("%s %d", f, n))
			}
			rows.Close()
			want := []string{a.info.File + " 1500", c.info.File + " 1500"}
			if !slices.Equal(got, want) {
				t.Errorf("lake holds %v, want %v", got, want)
			}
			st := w.Stats()
			if ct := st.Tables["aws_cloudtrail"]; ct.CommittedRows != 3000 || ct.Rows != 6000 || ct.DroppedRows != 3000 {
				t.Errorf("stats %+v", ct)
			}
			if want := []string{b.info.File, d.info.File}; !slices.Equal(st.DroppedSources, want) {
				t.Errorf("dropped sources %v, want %v", st.DroppedSources, want)
			}
			w = mustOpen(t, dir, reg, Options{})
			if skipped := replay(t, w, srcs); skipped != 2 {
				t.Errorf("second run skipped %d sources, want 2", skipped)
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			if n := queryInt(t, db, "SELECT count(DISTINCT p_row_id) FROM "+readAll(dir, "aws_cloudtrail")); n != 6000 {
				t.Errorf("%d distinct rows after the second run, want 6000", n)
			}
			if n := countRows(t, dir, "aws_cloudtrail"); n != 6000 {
				t.Errorf("%d rows after the second run, want 6000", n)
			}
		})
	}
}

// Events in no time order over many hours, with few Parquet files open
// at once: each partition still gets one file with all its rows, whether
// the rows wait in memory (they fit) or go to row groups of files whose
// descriptors are closed and opened again (memory is short).
func TestManyPartitions(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		opts Options
	}{
		{"in memory", Options{MaxOpenFiles: 3}},
		{"evicted", Options{MaxOpenFiles: 3, MemoryBytes: 2 << 20, rowGroupBytes: 64 << 10}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			reg := testRegistry(t)
			dir := t.TempDir()
			srcs := cloudTrailSources(t, reg, 51, 1, 3000, time.Date(2024, 9, 1, 0, 0, 0, 0, time.UTC), 36*time.Second) // 30 hours
			defer release(srcs)
			evs := slices.Clone(srcs[0].events)
			r := rand.New(rand.NewPCG(5, 6))
			r.Shuffle(len(evs), func(i, j int) { evs[i], evs[j] = evs[j], evs[i] })
			w := mustOpen(t, dir, reg, tc.opts)
			maxOpen := 0
			for _, e := range evs {
				if err := w.WriteEvent(e); err != nil {
					t.Fatal(err)
				}
				maxOpen = max(maxOpen, w.openFiles)
			}
			if maxOpen > 3 {
				t.Errorf("%d Parquet files open, want at most 3", maxOpen)
			}
			if tc.opts.MemoryBytes > 0 && w.parks == 0 {
				t.Error("no file parked: the case tests nothing")
			}
			if err := w.SourceDone(srcs[0].info); err != nil {
				t.Fatal(err)
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			t.Logf("%d files parked", w.parks)
			tables, err := List(dir)
			if err != nil {
				t.Fatal(err)
			}
			want := map[time.Time]int64{}
			for _, e := range evs {
				want[e.Time.Truncate(time.Hour)]++
			}
			if len(tables) != 1 || len(tables[0].Partitions) != len(want) || len(want) < 30 {
				t.Fatalf("%d tables, partitions %d, want %d", len(tables), len(tables[0].Partitions), len(want))
			}
			db := openDuck(t)
			for _, p := range tables[0].Partitions {
				n := queryInt(t, db, "SELECT count(*) FROM read_parquet("+sqlList(p.Files)+")")
				if len(p.Files) != 1 || n != want[p.Hour] {
					t.Errorf("%v: %d files, %d rows, want 1 file and %d rows", p.Hour, len(p.Files), n, want[p.Hour])
				}
			}
			if st := w.Stats().Tables["aws_cloudtrail"]; st.CommittedRows != 3000 || st.Files != int64(len(want)) {
				t.Errorf("stats %+v", st)
			}
		})
	}
}

// WriteRowOnce writes a row of a key once per lake: not again in the same
// run, nor in a later one once committed; a keyed row dropped with its
// source leaves no key, so a later run writes it.
func TestWriteRowOnce(t *testing.T) {
	t.Parallel()
	reg := testRegistry(t)
	dir := t.TempDir()
	schema := []parsers.Column{{Name: "id", Type: "string"}, {Name: "p_source_file", Type: "string"}}
	at := time.Date(2024, 3, 1, 10, 0, 0, 0, time.UTC)
	write := func(w *Writer, key, src string) bool {
		t.Helper()
		ok, err := w.WriteRowOnce("alerts", key, schema, at, []byte(`{"id":"`+key+`","p_source_file":"`+src+`"}`))
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	w := mustOpen(t, dir, reg, Options{})
	if !write(w, "a", "s1") || write(w, "a", "s1") || !write(w, "b", "bad") {
		t.Error("first run: a once, b once")
	}
	if err := w.SourceDone(SourceInfo{Digest: "d1", File: "s1"}); err != nil {
		t.Fatal(err)
	}
	if err := w.SourceDone(SourceInfo{Digest: "d2", File: "bad", Failed: true}); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	w = mustOpen(t, dir, reg, Options{})
	if write(w, "a", "s1") {
		t.Error("second run wrote a again")
	}
	if !write(w, "b", "s3") {
		t.Error("second run did not write b, whose first row was dropped with its source")
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if got := queryInt(t, openDuck(t), "SELECT count(*) FROM "+readAll(dir, "alerts")); got != 2 {
		t.Errorf("%d alert rows, want 2", got)
	}
	if _, err := w.WriteRowOnce("alerts", "", schema, at, []byte(`{}`)); err == nil {
		t.Error("WriteRowOnce without a key: no error")
	}
}
