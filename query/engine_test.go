package query

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"panther/parsers/logtypes"
	"panther/query/querytest"
)

// start is the first hour of the fixture lakes.
var start = time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)

var fixture struct {
	once sync.Once
	dir  string
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if fixture.dir != "" {
		os.RemoveAll(fixture.dir)
	}
	os.Exit(code)
}

// testLake is a read-only lake shared by the tests of this package:
//   - aws_cloudtrail: 480 events, one every 6 minutes from start (48 hours,
//     10 a partition), event i from source IP querytest.IPOf(i);
//   - zeek_dns: 4 events on day 1 from 10:00 every 30 minutes, with IPs
//     10.1.0.0 (as CloudTrail's event 0) and 192.0.2.i, then one event on
//     day 2 written later with a drifted schema (id VARCHAR, new rcode);
//   - alerts: one alert; rule_matches: one match.
func testLake(t testing.TB) string {
	t.Helper()
	fixture.once.Do(func() {
		dir, err := os.MkdirTemp("", "panther-query-test-")
		if err != nil {
			fixture.err = err
			return
		}
		fixture.dir = dir
		for _, w := range []struct{ rel, sql string }{
			{"logs/aws_cloudtrail", querytest.CloudTrailSQL(480, start, 48*time.Hour)},
			{"logs/zeek_dns", `SELECT 'Zeek.DNS' AS p_log_type, TIMESTAMP '2024-03-01 10:00:00' + to_minutes(i * 30) AS p_event_time,
				['10.1.0.0', '192.0.2.' || i] AS p_any_ip_addresses, ['evil.example.com'] AS p_any_domain_names,
				'evil.example.com' AS query, i AS id FROM range(4) t(i)`},
			{"logs/zeek_dns", `SELECT 'Zeek.DNS' AS p_log_type, TIMESTAMP '2024-03-02 10:00:00' AS p_event_time,
				['192.0.2.99'] AS p_any_ip_addresses, CAST([] AS VARCHAR[]) AS p_any_domain_names,
				'new.example.com' AS query, 'x7' AS id, 'NXDOMAIN' AS rcode`},
			{"alerts", `SELECT TIMESTAMP '2024-03-01 12:00:00' AS p_event_time, 'AWS.CloudTrail.Stopped' AS rule_id, 3 AS event_count`},
		} {
			if fixture.err = querytest.Write(dir, w.rel, w.sql); fixture.err != nil {
				return
			}
		}
		fixture.err = querytest.Write(dir, "rule_matches",
			`SELECT TIMESTAMP '2024-03-01 12:30:00' AS p_event_time, 'AWS.CloudTrail.Stopped' AS p_rule_id`)
	})
	if fixture.err != nil {
		t.Fatalf("building the test lake: %v", fixture.err)
	}
	return fixture.dir
}

func openT(t testing.TB, o Options) *Engine {
	t.Helper()
	if o.Registry == nil {
		o.Registry = logtypes.Default()
	}
	e, err := Open(context.Background(), o)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

// rowsOf runs q and returns its rows rendered with fmt, one string a row.
func rowsOf(t testing.TB, e *Engine, q string) []string {
	t.Helper()
	out, err := tryRows(e, q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return out
}

func tryRows(e *Engine, q string) ([]string, error) {
	var c collect
	if _, err := e.Query(context.Background(), q, 0, &c); err != nil {
		return nil, err
	}
	var out []string
	for _, r := range c.rows {
		parts := make([]string, len(r))
		for i, v := range r {
			if tm, ok := v.(time.Time); ok {
				v = tm.UTC().Format(time.RFC3339)
			}
			parts[i] = fmt.Sprint(v)
		}
		out = append(out, strings.Join(parts, "|"))
	}
	return out, nil
}

func TestViewsAndTimeRange(t *testing.T) {
	t.Parallel()
	lake := testLake(t)
	at := func(s string) time.Time {
		tm, _ := time.Parse(time.RFC3339, s)
		return tm
	}
	tests := []struct {
		name string
		r    TimeRange
		q    string
		want []string
	}{
		{name: "all", q: "SELECT count(*), min(p_event_time), max(p_event_time) FROM aws_cloudtrail",
			want: []string{"480|2024-03-01T00:00:00Z|2024-03-02T23:54:00Z"}},
		{name: "range inside hours", r: TimeRange{From: at("2024-03-01T10:30:00Z"), To: at("2024-03-01T12:00:00Z")},
			q:    "SELECT count(*), min(p_event_time), max(p_event_time) FROM aws_cloudtrail",
			want: []string{"15|2024-03-01T10:30:00Z|2024-03-01T11:54:00Z"}},
		{name: "partition columns", r: TimeRange{From: at("2024-03-02T23:00:00Z")},
			q:    "SELECT DISTINCT year, month, day, hour FROM aws_cloudtrail",
			want: []string{"2024|3|2|23"}},
		{name: "drifted schema reads as one", q: "SELECT query, id, rcode FROM zeek_dns ORDER BY p_event_time",
			want: []string{"evil.example.com|0|<nil>", "evil.example.com|1|<nil>", "evil.example.com|2|<nil>", "evil.example.com|3|<nil>", "new.example.com|x7|NXDOMAIN"}},
		{name: "alerts view", q: "SELECT rule_id, event_count FROM alerts", want: []string{"AWS.CloudTrail.Stopped|3"}},
		{name: "rule_matches in range", r: TimeRange{From: at("2024-03-01T12:15:00Z")},
			q: "SELECT p_rule_id, hour FROM rule_matches", want: []string{"AWS.CloudTrail.Stopped|12"}},
		{name: "rule_matches, out of range in its hour", r: TimeRange{From: at("2024-03-01T12:45:00Z")},
			q: "SELECT count(*) FROM rule_matches", want: []string{"0"}},
		{name: "identifiers are case-insensitive", q: "SELECT count(*) FROM AWS_CloudTrail WHERE eventName = 'GetObject'", want: []string{"16"}},
		{name: "describe", q: "SELECT count(*) FROM (DESCRIBE aws_cloudtrail) WHERE column_name LIKE 'p_any_%'", want: []string{"11"}},
		{name: "show tables makes every view", q: "SELECT name FROM (SHOW TABLES) ORDER BY 1", want: []string{"alerts", "aws_cloudtrail", "rule_matches", "zeek_dns"}},
		{name: "information_schema", q: "SELECT count(*) FROM information_schema.tables", want: []string{"4"}},
		{name: "pivot", q: "PIVOT (SELECT awsRegion, readOnly FROM aws_cloudtrail) ON readOnly IN (false, true) USING count(*) ORDER BY awsRegion",
			want: []string{"eu-west-1|0|160", "us-east-1|160|0", "us-west-2|0|160"}},
		{name: "cte", q: "WITH x AS (SELECT eventName FROM aws_cloudtrail) SELECT count(DISTINCT eventName) FROM x", want: []string{"30"}},
		{name: "no tables", q: "SELECT 1 + 1;", want: []string{"2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := openT(t, Options{Lake: lake, Range: tt.r})
			if got := rowsOf(t, e, tt.q); !slices.Equal(got, tt.want) {
				t.Errorf("%s\n got %q\nwant %q", tt.q, got, tt.want)
			}
		})
	}
}

func TestEmptyRangeKeepsTheSchema(t *testing.T) {
	t.Parallel()
	e := openT(t, Options{Lake: testLake(t), Range: TimeRange{From: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}})
	if got := rowsOf(t, e, "SELECT count(*), count(eventName) FROM aws_cloudtrail"); !slices.Equal(got, []string{"0|0"}) {
		t.Errorf("empty range: %q", got)
	}
	cols, err := e.Describe(context.Background(), "aws_cloudtrail")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range cols {
		names = append(names, c.Name)
	}
	for _, want := range []string{"p_event_time", "p_any_ip_addresses", "userIdentity", "eventName", "year", "hour"} {
		if !slices.Contains(names, want) {
			t.Errorf("empty view lacks column %s: %q", want, names)
		}
	}
}

func TestLakeErrors(t *testing.T) {
	t.Parallel()
	var le *LakeError
	if _, err := Open(context.Background(), Options{Lake: filepath.Join(t.TempDir(), "missing")}); !errors.As(err, &le) {
		t.Errorf("missing lake: %v, want *LakeError", err)
	}
	e := openT(t, Options{Lake: t.TempDir()})
	if n := len(e.TableNames()); n != 0 {
		t.Errorf("empty lake has %d tables", n)
	}
	if got := rowsOf(t, e, "SELECT 42"); !slices.Equal(got, []string{"42"}) {
		t.Errorf("empty lake, SELECT 42: %q", got)
	}
	_, err := tryRows(e, "SELECT * FROM aws_cloudtrail")
	var se *SQLError
	if !errors.As(err, &se) || !strings.Contains(se.Msg, "aws_cloudtrail does not exist") {
		t.Errorf("empty lake, unknown table: %v, want a *SQLError naming it", err)
	}
}

// TestFilesOutsideTheRangeAreNeverOpened puts a corrupt file in a partition
// outside the range: the query must not notice it. Inside the range, the
// error names the file, and --skip-bad-files leaves it out with a warning.
func TestFilesOutsideTheRangeAreNeverOpened(t *testing.T) {
	t.Parallel()
	lake := t.TempDir()
	querytest.WriteT(t, lake, "logs/aws_cloudtrail", querytest.CloudTrailSQL(720, start, 72*time.Hour))
	bad := filepath.Join(querytest.HourDir(lake, "logs/aws_cloudtrail", start.Add(3*time.Hour)), "corrupt.parquet")
	querytest.Corrupt(t, bad)
	day2 := TimeRange{From: start.Add(24 * time.Hour), To: start.Add(48 * time.Hour)}

	e := openT(t, Options{Lake: lake, Range: day2})
	if got := rowsOf(t, e, "SELECT count(*) FROM aws_cloudtrail"); !slices.Equal(got, []string{"240"}) {
		t.Errorf("day 2 count = %q, want 240", got)
	}
	// DuckDB's own account of the files it read: 24, one a partition.
	plan := strings.Join(rowsOf(t, e, "EXPLAIN ANALYZE SELECT count(*) FROM aws_cloudtrail"), "\n")
	if !strings.Contains(plan, "Total Files Read: 24") {
		t.Errorf("EXPLAIN ANALYZE does not show 24 files read:\n%s", plan)
	}

	all := openT(t, Options{Lake: lake})
	_, err := tryRows(all, "SELECT count(*) FROM aws_cloudtrail")
	var fe *FileError
	if !errors.As(err, &fe) || fe.Path != bad {
		t.Fatalf("corrupt file in range: err = %v, want a *FileError for %s", err, bad)
	}
	if !strings.Contains(err.Error(), "--skip-bad-files") {
		t.Errorf("the error does not say what to do: %v", err)
	}

	var warnings []string
	skip := openT(t, Options{Lake: lake, SkipBadFiles: true, Warn: func(s string) { warnings = append(warnings, s) }})
	if got := rowsOf(t, skip, "SELECT count(*) FROM aws_cloudtrail"); !slices.Equal(got, []string{"720"}) {
		t.Errorf("skipping the bad file: count = %q, want 720", got)
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], bad) {
		t.Errorf("warnings = %q, want one naming %s", warnings, bad)
	}
}

func TestSQLErrorsShowThePosition(t *testing.T) {
	t.Parallel()
	e := openT(t, Options{Lake: testLake(t)})
	tests := []struct {
		q     string
		limit int
		line  int    // the line DuckDB shows
		at    string // where on it the caret points
	}{
		{q: "SELECT * FROM aws_cloudtrail WHER 1", line: 1, at: "1"},
		{q: "SELECT eventName,\n  count(*) FROM aws_cloudtrail GROUP BY 1 ORDER BY", line: 2, at: ""},
		{q: "EXPLAIN SELECT * FORM aws_cloudtrail", line: 1, at: "aws_cloudtrail"},
		// Wrapped for --limit, the error still points into the user's text.
		{q: "SELECT nope FROM aws_cloudtrail", limit: 10, line: 1, at: "nope"},
	}
	for _, tt := range tests {
		_, err := e.Query(context.Background(), tt.q, tt.limit, &collect{})
		var se *SQLError
		if !errors.As(err, &se) {
			t.Errorf("%q: err = %v, want a *SQLError", tt.q, err)
			continue
		}
		line := strings.Split(tt.q, "\n")[tt.line-1]
		col := len(line) // "": the end of the line
		if tt.at != "" {
			col = strings.Index(line, tt.at)
		}
		label := fmt.Sprintf("LINE %d: ", tt.line)
		want := label + line + "\n" + strings.Repeat(" ", len(label)+col) + "^"
		if !strings.HasSuffix(se.Msg, want) {
			t.Errorf("%q: message\n%s\ndoes not end with\n%s", tt.q, se.Msg, want)
		}
	}
}

func TestLimit(t *testing.T) {
	t.Parallel()
	e := openT(t, Options{Lake: testLake(t)})
	var c collect
	st, err := e.Query(context.Background(), "SELECT p_event_time FROM aws_cloudtrail ORDER BY p_event_time DESC", 3, &c)
	if err != nil {
		t.Fatal(err)
	}
	if st.Rows != 3 || !st.Truncated || len(c.rows) != 3 {
		t.Fatalf("stats %+v, %d rows; want 3 rows, truncated", st, len(c.rows))
	}
	if got := c.rows[0][0].(time.Time); !got.Equal(start.Add(479 * 6 * time.Minute)) {
		t.Errorf("the limit lost the order: first row %v", got)
	}
	st, err = e.Query(context.Background(), "SELECT 1 UNION ALL SELECT 2", 2, &collect{})
	if err != nil || st.Truncated || st.Rows != 2 {
		t.Errorf("exactly the limit: %+v, %v; want 2 rows, not truncated", st, err)
	}
}

func TestTimeoutAndCancel(t *testing.T) {
	t.Parallel()
	e := openT(t, Options{Lake: testLake(t)})
	const long = "SELECT sum(a.range * b.range) FROM range(100000000) a, range(100000) b"
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	began := time.Now()
	_, err := e.Query(ctx, long, 0, &collect{})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("timeout: err = %v, want context.DeadlineExceeded", err)
	}
	if d := time.Since(began); d > 10*time.Second {
		t.Errorf("the timed-out query ran %v", d)
	}
	ctx, cancel = context.WithCancel(context.Background())
	time.AfterFunc(300*time.Millisecond, cancel)
	if _, err := e.Query(ctx, long, 0, &collect{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancel: err = %v, want context.Canceled", err)
	}
	// The engine still works after an interrupted query.
	if got := rowsOf(t, e, "SELECT count(*) FROM zeek_dns"); !slices.Equal(got, []string{"5"}) {
		t.Errorf("after cancel: %q", got)
	}
}

// lakeFiles lists every path under dir, to prove nothing was written.
func lakeFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		out = append(out, fmt.Sprintf("%s %d %v", p, info.Size(), info.ModTime().UnixNano()))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestCorruptPageIsBlamedOnItsFile damages the data pages of one file and
// keeps its footer: DuckDB's error then names no file, and the engine
// finds it.
func TestCorruptPageIsBlamedOnItsFile(t *testing.T) {
	t.Parallel()
	lake := t.TempDir()
	querytest.WriteT(t, lake, "logs/aws_cloudtrail", querytest.CloudTrailSQL(480, start, 48*time.Hour))
	parts := openT(t, Options{Lake: lake}).tables["aws_cloudtrail"].parts
	bad := parts[7].Files[0]
	b, err := os.ReadFile(bad)
	if err != nil {
		t.Fatal(err)
	}
	for i := 100; i < len(b)/2; i++ {
		b[i] = b[i]*7 + 13
	}
	if err := os.WriteFile(bad, b, 0o644); err != nil {
		t.Fatal(err)
	}
	const q = "SELECT count(*), count(DISTINCT requestID) FROM aws_cloudtrail"
	_, err = tryRows(openT(t, Options{Lake: lake}), q)
	var fe *FileError
	if !errors.As(err, &fe) || fe.Path != bad {
		t.Fatalf("err = %v, want a *FileError for %s", err, bad)
	}
	var warnings []string
	e := openT(t, Options{Lake: lake, SkipBadFiles: true, Warn: func(s string) { warnings = append(warnings, s) }})
	if got := rowsOf(t, e, q); !slices.Equal(got, []string{"470|470"}) {
		t.Errorf("without the bad file: %q, want 470 events", got)
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], bad) {
		t.Errorf("warnings %q", warnings)
	}
	// The indicator search finds it too.
	in, _ := ParseIndicator("ip", querytest.IPOf(75))
	_, err = openT(t, Options{Lake: lake}).SearchIndicators(context.Background(), []Indicator{in}, nil, 10)
	if !errors.As(err, &fe) || fe.Path != bad {
		t.Errorf("indicator search: err = %v, want a *FileError for %s", err, bad)
	}
}
