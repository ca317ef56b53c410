package lake

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/valyala/fastjson"

	"panther/parsers"
	"panther/parsers/event"
)

// openDuck opens an in-memory DuckDB for reading a lake back.
func openDuck(t testing.TB) *sql.DB {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func queryInt(t testing.TB, db *sql.DB, q string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := db.QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// readAll reads a table of the lake with DuckDB the way search does.
func readAll(dir, table string) string {
	glob := filepath.Join(dir, "logs", table, "*", "*", "*", "*", "*.parquet")
	if table == "alerts" || table == "rule_matches" {
		glob = filepath.Join(dir, table, "*", "*", "*", "*", "*.parquet")
	}
	return fmt.Sprintf("read_parquet(%s, hive_partitioning=true, union_by_name=true)", sqlString(glob))
}

// source is one input of a simulated replay: its events, already parsed.
type source struct {
	info   SourceInfo
	events []*event.Event
}

// replay writes sources the way the replay pipeline does: skip a source
// the lake has, else write its events and report it done.
func replay(t testing.TB, w *Writer, srcs []source) (skipped int) {
	t.Helper()
	for _, s := range srcs {
		if w.HasSource(s.info.Digest) {
			skipped++
			continue
		}
		for _, e := range s.events {
			if err := w.WriteEvent(e); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.SourceDone(s.info); err != nil {
			t.Fatal(err)
		}
	}
	return skipped
}

func release(srcs []source) {
	for _, s := range srcs {
		for _, e := range s.events {
			e.Release()
		}
	}
}

// cloudTrailSources makes n sources of per events each, consecutive in
// time from start.
func cloudTrailSources(t testing.TB, reg *parsers.Registry, seed uint64, n, per int, start time.Time, step time.Duration) []source {
	g := newCloudTrailGen(seed, start, step)
	var out []source
	for i := 0; i < n; i++ {
		recs := make([][]byte, per)
		for j := range recs {
			recs[j] = g.next()
		}
		file := fmt.Sprintf("s3://trail/%d/%03d.json.gz", seed, i)
		out = append(out, source{
			info:   SourceInfo{Digest: fmt.Sprintf("sha-%d-%d", seed, i), File: file},
			events: parseCloudTrail(t, reg, file, recs),
		})
	}
	return out
}

// typedCases are events of Test.Typed with what DuckDB must read back:
// to_json of each column (null when NULL) and p_extra as text.
var typedCases = []struct {
	line  string
	want  map[string]string
	extra string
}{
	{
		line: `{"case":"full","ts":1709294400123,"n":42,"f":1.5,"ok":true,"at":"2024-03-01 12:00:00","doc":{"a":[1,"x"],"big":123456789012345678901234567890},` +
			`"tags":["a","b"],"user":{"name":"alice","id":7,"meta":{"k":"v"},"inner":{"x":1}},"items":[{"k":"a","v":1},{"k":"b"}],"ip":"10.0.0.1","msg":"hello"}`,
		want: map[string]string{
			"ts": `"2024-03-01 12:00:00.123"`, "n": `42`, "f": `1.5`, "ok": `true`, "at": `"2024-03-01 12:00:00"`,
			"doc": `{"a":[1,"x"],"big":123456789012345678901234567890}`, "tags": `["a","b"]`,
			"user":  `{"name":"alice","id":7,"meta":{"k":"v"},"inner":{"x":1}}`,
			"items": `[{"k":"a","v":1},{"k":"b","v":null}]`, "ip": `"10.0.0.1"`, "msg": `"hello"`,
			"p_any_ip_addresses": `["10.0.0.1"]`, "p_any_usernames": `["alice"]`,
			"p_event_time": `"2024-03-01 12:00:00.123"`,
		},
	},
	{
		line: `{"case":"misfit","ts":1709298000000,"n":"42","f":"x","ok":"yes","at":"never","doc":"plain","tags":["a",2],` +
			`"user":{"name":"bob","id":"seven","extra":1,"inner":{"x":2,"y":3}},"items":[{"k":"a","v":1,"w":2}],"Year":1999,"unknown":{"deep":[1]}}`,
		want: map[string]string{
			"n": "null", "f": "null", "ok": "null", "at": "null", "doc": `"plain"`, "tags": "null",
			"user": `{"name":"bob","id":null,"meta":null,"inner":{"x":2}}`, "items": "null",
			"p_any_usernames": `["bob"]`, "p_event_time": `"2024-03-01 13:00:00"`,
		},
		extra: `{"n":"42","f":"x","ok":"yes","at":"never","tags":["a",2],"user":{"id":"seven","extra":1,"inner":{"y":3}},` +
			`"items":[{"k":"a","v":1,"w":2}],"Year":1999,"unknown":{"deep":[1]}}`,
	},
	{
		line: `{"case":"sparse","ts":1709301600000,"msg":"nul\u0000 and \"quotes\" and \ud83d\ude00","n":nan,"user":null}`,
		want: map[string]string{
			"msg": `"nul\u0000 and \"quotes\" and 😀"`, "n": "null", "user": "null", "doc": "null", "p_any_ip_addresses": "null",
			"p_event_time": `"2024-03-01 14:00:00"`,
		},
		extra: `{"n":"nan"}`,
	},
	{
		// No event time: partitioned by the parse time.
		line:  `{"case":"no-time","ts":"not a time"}`,
		want:  map[string]string{"ts": "null", "p_event_time": `"2030-01-01 00:00:00"`},
		extra: `{"ts":"not a time"}`,
	},
}

// Events of three log types over several hours go in; DuckDB reads back
// the same rows, in the right partitions, with typed columns, p_extra and
// indicator lists.
func TestRoundTrip(t *testing.T) {
	t.Parallel()
	reg := testRegistry(t)
	dir := t.TempDir()
	start := time.Date(2024, 3, 1, 10, 0, 0, 0, time.UTC)
	trail := cloudTrailSources(t, reg, 1, 3, 1000, start, 5*time.Second) // 4h10m
	defer release(trail)
	var flatRecs [][]byte
	for i := 0; i < 500; i++ {
		ts := start.Add(time.Duration(i) * 17 * time.Second)
		flatRecs = append(flatRecs, fmt.Appendf(nil, `{"time":%q,"host":"web-%d.example.com","bytes":%d,"ratio":%g}`, ts.Format(time.RFC3339Nano), i%7, i*100, float64(i)/3))
	}
	var typedRecs [][]byte
	for _, c := range typedCases {
		typedRecs = append(typedRecs, []byte(c.line))
	}
	srcs := append(trail,
		source{info: SourceInfo{Digest: "flat", File: "flat.log"}, events: parseAs(t, reg, testFlat, "flat.log", flatRecs)},
		source{info: SourceInfo{Digest: "typed", File: "typed.log"}, events: parseAs(t, reg, testTyped, "typed.log", typedRecs)},
	)
	defer release(srcs[len(trail):])

	w, err := Open(context.Background(), dir, reg, Options{FileBytes: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	replay(t, w, srcs)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}

	// Row counts per table and partition, from the events themselves.
	want := map[string]map[time.Time]int64{}
	for _, s := range srcs {
		for _, e := range s.events {
			tb := parsers.TableName(e.LogType)
			if want[tb] == nil {
				want[tb] = map[time.Time]int64{}
			}
			want[tb][e.Time.Truncate(time.Hour)]++
		}
	}
	tables, err := List(dir)
	if err != nil {
		t.Fatal(err)
	}
	db := openDuck(t)
	st := w.Stats()
	var names []string
	for _, tb := range tables {
		names = append(names, tb.Name)
		if !tb.Logs {
			t.Errorf("table %s is not a log table", tb.Name)
		}
		var total int64
		for _, p := range tb.Partitions {
			n := queryInt(t, db, fmt.Sprintf("SELECT count(*) FROM read_parquet(%s)", sqlList(p.Files)))
			if n != want[tb.Name][p.Hour] {
				t.Errorf("%s %v: %d rows, want %d", tb.Name, p.Hour, n, want[tb.Name][p.Hour])
			}
			total += n
		}
		if len(tb.Partitions) != len(want[tb.Name]) {
			t.Errorf("%s: %d partitions, want %d", tb.Name, len(tb.Partitions), len(want[tb.Name]))
		}
		if s := st.Tables[tb.Name]; s.Rows != total || s.CommittedRows != total || s.Files < int64(len(tb.Partitions)) {
			t.Errorf("%s: stats %+v, %d rows read", tb.Name, s, total)
		}
		// Every row is in the partition of its p_event_time.
		if n := queryInt(t, db, fmt.Sprintf(`SELECT count(*) FROM %s
			WHERE make_timestamp(year::BIGINT, month::BIGINT, day::BIGINT, hour::BIGINT, 0, 0) != date_trunc('hour', p_event_time)`, readAll(dir, tb.Name))); n != 0 {
			t.Errorf("%s: %d rows outside their partition", tb.Name, n)
		}
	}
	if !slices.Equal(names, []string{"aws_cloudtrail", "test_flat", "test_typed"}) {
		t.Errorf("tables %v", names)
	}

	t.Run("cloudtrail", func(t *testing.T) { checkCloudTrail(t, db, dir, trail) })
	t.Run("typed", func(t *testing.T) { checkTyped(t, db, dir) })
	t.Run("flat", func(t *testing.T) {
		var host string
		var bytes int64
		var ratio float64
		var ts time.Time
		q := fmt.Sprintf(`SELECT host, bytes, ratio, time FROM %s WHERE bytes = 300`, readAll(dir, "test_flat"))
		if err := db.QueryRow(q).Scan(&host, &bytes, &ratio, &ts); err != nil {
			t.Fatal(err)
		}
		if host != "web-3.example.com" || ratio != 1 || !ts.Equal(start.Add(51*time.Second)) {
			t.Errorf("got %s %d %g %v", host, bytes, ratio, ts)
		}
	})
	// The lake holds nothing else: no staging leftovers, one ledger file.
	ents, _ := os.ReadDir(filepath.Join(dir, stagingDir))
	if len(ents) != 0 {
		t.Errorf("staging not empty after Close: %v", ents)
	}
}

func sqlList(files []string) string {
	q := make([]string, len(files))
	for i, f := range files {
		q[i] = sqlString(f)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// checkCloudTrail compares every CloudTrail row with its event.
func checkCloudTrail(t *testing.T, db *sql.DB, dir string, srcs []source) {
	rows, err := db.Query(fmt.Sprintf(`SELECT p_row_id, eventName, eventTime, p_event_time, readOnly, userIdentity.arn,
		requestParameters::VARCHAR, resources[1].ARN, to_json(p_any_aws_arns)::VARCHAR, p_source_file, p_log_type, p_extra::VARCHAR,
		json_valid(responseElements::VARCHAR) IS NOT false
		FROM %s`, readAll(dir, "aws_cloudtrail")))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	byID := map[string]*event.Event{}
	for _, s := range srcs {
		for _, e := range s.events {
			byID[e.RowID] = e
		}
	}
	n := 0
	for rows.Next() {
		var id, name, arns, file, lt string
		var userArn, params, resARN, extra sql.NullString
		var et, pt time.Time
		var ro, validJSON bool
		if err := rows.Scan(&id, &name, &et, &pt, &ro, &userArn, &params, &resARN, &arns, &file, &lt, &extra, &validJSON); err != nil {
			t.Fatal(err)
		}
		e := byID[id]
		if e == nil {
			t.Fatalf("row %s is no event of the input", id)
		}
		delete(byID, id) // a second row with this id fails above
		n++
		f := e.Fields
		wantParams := f.Get("requestParameters")
		if name != string(f.GetStringBytes("eventName")) || !et.Equal(e.Time) || !pt.Equal(e.Time) ||
			ro != f.GetBool("readOnly") || userArn.String != string(f.GetStringBytes("userIdentity", "arn")) ||
			resARN.String != string(f.GetStringBytes("resources", "0", "ARN")) || file != e.SourceFile || lt != "AWS.CloudTrail" || !validJSON {
			t.Fatalf("row %s differs from its event %s", id, e)
		}
		if wantParams == nil || wantParams.Type() == fastjson.TypeNull {
			if params.Valid {
				t.Fatalf("requestParameters %s, want NULL", params.String)
			}
		} else if !jsonEqual(params.String, string(wantParams.MarshalTo(nil))) {
			t.Fatalf("requestParameters %s, want %s", params.String, wantParams.MarshalTo(nil))
		}
		wantArns, _ := json.Marshal(e.Indicators[event.AWSARN])
		if arns != string(wantArns) {
			t.Fatalf("p_any_aws_arns %s, want %s", arns, wantArns)
		}
		// The generator's events fit the schema but for members of
		// userIdentity's sessionContext... which is json: nothing extra.
		if extra.Valid {
			t.Fatalf("p_extra %s for an event that fits the schema", extra.String)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(byID) != 0 {
		t.Errorf("%d events missing from the lake (read %d)", len(byID), n)
	}
}

func jsonEqual(a, b string) bool {
	var x, y any
	if json.Unmarshal([]byte(a), &x) != nil || json.Unmarshal([]byte(b), &y) != nil {
		return false
	}
	xs, _ := json.Marshal(x)
	ys, _ := json.Marshal(y)
	return string(xs) == string(ys)
}

// checkTyped compares the Test.Typed rows with typedCases.
func checkTyped(t *testing.T, db *sql.DB, dir string) {
	cols := []string{"ts", "n", "f", "ok", "at", "doc", "tags", "user", "items", "ip", "msg", "p_any_ip_addresses", "p_any_usernames", "p_event_time"}
	var sel []string
	for _, c := range cols {
		sel = append(sel, fmt.Sprintf("coalesce(to_json(%q)::VARCHAR, 'null')", c))
	}
	q := fmt.Sprintf(`SELECT "case", %s, coalesce(p_extra::VARCHAR, '') FROM %s`, strings.Join(sel, ", "), readAll(dir, "test_typed"))
	rows, err := db.Query(q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	seen := 0
	for rows.Next() {
		vals := make([]string, len(cols)+2)
		ptrs := make([]any, len(vals))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		var c = -1
		for i, tc := range typedCases {
			if strings.Contains(tc.line, `"case":"`+vals[0]+`"`) {
				c = i
			}
		}
		if c < 0 {
			t.Fatalf("unexpected row %v", vals)
		}
		seen++
		tc := typedCases[c]
		for i, col := range cols {
			if want, ok := tc.want[col]; ok && vals[i+1] != want {
				t.Errorf("case %s: %s = %s, want %s", vals[0], col, vals[i+1], want)
			}
		}
		if got := vals[len(vals)-1]; got != tc.extra {
			t.Errorf("case %s: p_extra = %s, want %s", vals[0], got, tc.extra)
		}
		if extra := vals[len(vals)-1]; extra != "" && !json.Valid([]byte(extra)) {
			t.Errorf("case %s: p_extra is not valid JSON: %s", vals[0], extra)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if seen != len(typedCases) {
		t.Errorf("read %d typed rows, want %d", seen, len(typedCases))
	}
}
