package cmd

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"panther/query/querytest"
)

// searchStart is the first event of the search test lake: 48 CloudTrail
// events, one every 5 minutes (event i from querytest.IPOf(i)).
var searchStart = time.Date(2024, 3, 1, 10, 0, 0, 0, time.UTC)

var searchLake struct {
	once sync.Once
	dir  string
}

func testSearchLake(t *testing.T) string {
	t.Helper()
	searchLake.once.Do(func() {
		dir, err := os.MkdirTemp("", "panther-search-cmd-")
		if err != nil {
			t.Fatal(err)
		}
		if err := querytest.Write(dir, "logs/aws_cloudtrail", querytest.CloudTrailSQL(48, searchStart, 4*time.Hour)); err != nil {
			t.Fatal(err)
		}
		searchLake.dir = dir
	})
	if searchLake.dir == "" {
		t.Fatal("the search test lake could not be built")
	}
	return searchLake.dir
}

type searchResult struct {
	code     int
	out, err string
}

// search runs panther with args, "now" an hour after the lake's last event.
func search(t *testing.T, ctx context.Context, stdin string, args ...string) searchResult {
	t.Helper()
	var out, errb bytes.Buffer
	app := &App{
		IO:        TestIO(strings.NewReader(stdin), &out, &errb),
		Now:       func() time.Time { return searchStart.Add(5 * time.Hour) },
		Getenv:    func(string) string { return "" },
		WorkDir:   t.TempDir(),
		ConfigDir: t.TempDir(),
	}
	code := Execute(ctx, app, args)
	return searchResult{code, out.String(), errb.String()}
}

func TestSearchSQLFormats(t *testing.T) {
	t.Parallel()
	lake := testSearchLake(t)
	const q = "SELECT eventName, count(*) AS n, min(p_event_time) AS first FROM aws_cloudtrail WHERE eventName LIKE 'Get%' GROUP BY 1 ORDER BY 1"
	tests := []struct {
		args []string
		want string
	}{
		{args: []string{"search", "--lake", lake, q}, want: `{"eventName":"GetBucketPolicy","n":1,"first":"2024-03-01T11:45:00Z"}
{"eventName":"GetCallerIdentity","n":2,"first":"2024-03-01T10:30:00Z"}
{"eventName":"GetObject","n":2,"first":"2024-03-01T10:00:00Z"}
{"eventName":"GetParameter","n":1,"first":"2024-03-01T12:10:00Z"}
{"eventName":"GetSecretValue","n":2,"first":"2024-03-01T11:25:00Z"}
{"eventName":"GetUser","n":1,"first":"2024-03-01T12:25:00Z"}
`},
		{args: []string{"search", "--lake", lake, "--format", "csv", "--limit", "2", q}, want: `eventName,n,first
GetBucketPolicy,1,2024-03-01T11:45:00Z
GetCallerIdentity,2,2024-03-01T10:30:00Z
`},
		{args: []string{"search", "--lake", lake, "--format", "json", "--limit", "2", q}, want: `[
{"eventName":"GetBucketPolicy","n":1,"first":"2024-03-01T11:45:00Z"},
{"eventName":"GetCallerIdentity","n":2,"first":"2024-03-01T10:30:00Z"}
]
`},
		{args: []string{"search", "--lake", lake, "--format", "table", q}, want: `eventName          n  first
─────────────────  ─  ───────────────────
GetBucketPolicy    1  2024-03-01 11:45:00
GetCallerIdentity  2  2024-03-01 10:30:00
GetObject          2  2024-03-01 10:00:00
GetParameter       1  2024-03-01 12:10:00
GetSecretValue     2  2024-03-01 11:25:00
GetUser            1  2024-03-01 12:25:00
(6 rows)
`},
		{args: []string{"search", "--lake", lake, "--format", "table", "--limit", "1", q}, want: `eventName        n  first
───────────────  ─  ───────────────────
GetBucketPolicy  1  2024-03-01 11:45:00
(1 row shown; more not shown: raise --limit, or --limit 0 for all)
`},
		// now is 15:00: the last 3h hold the events from 12:00 on.
		{args: []string{"search", "--lake", lake, "--since", "3h", "SELECT count(*) AS n, min(p_event_time) AS first FROM aws_cloudtrail"},
			want: `{"n":24,"first":"2024-03-01T12:00:00Z"}` + "\n"},
		{args: []string{"search", "--lake", lake, "--from", "2024-03-01T10:30:00Z", "--to", "2024-03-01T11:00:00Z", "SELECT count(*) AS n FROM aws_cloudtrail"},
			want: `{"n":6}` + "\n"},
	}
	for _, tt := range tests {
		r := search(t, context.Background(), "", tt.args...)
		if r.code != 0 || r.out != tt.want {
			t.Errorf("%q: exit %d, stderr %q, stdout:\n%s\nwant:\n%s", tt.args, r.code, r.err, r.out, tt.want)
		}
	}
	r := search(t, context.Background(), "", "search", "--lake", lake, "--format", "csv", "--limit", "2", q)
	if r.err != "panther: warning: output cut at 2 rows (--limit); --limit 0 prints all\n" {
		t.Errorf("no truncation warning on stderr: %q", r.err)
	}
	r = search(t, context.Background(), "SELECT 40 + 2 AS answer;\n", "search", "--lake", lake, "-")
	if r.code != 0 || r.out != `{"answer":42}`+"\n" {
		t.Errorf("SQL from stdin: exit %d, %q %q", r.code, r.out, r.err)
	}
}

func TestSearchIndicatorsOutput(t *testing.T) {
	t.Parallel()
	lake := testSearchLake(t)
	ip := querytest.IPOf(7) // event 7, at 10:35
	r := search(t, context.Background(), "", "search", "--lake", lake, "--ip", ip, "--format", "jsonl")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.err)
	}
	lines := strings.Split(strings.TrimSpace(r.out), "\n")
	if len(lines) != 1 {
		t.Fatalf("jsonl: %d lines, want 1:\n%s", len(lines), r.out)
	}
	var row map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &row); err != nil {
		t.Fatal(err)
	}
	if row["p_table"] != "aws_cloudtrail" || row["sourceIPAddress"] != ip || row["p_event_time"] != "2024-03-01T10:35:00Z" {
		t.Errorf("jsonl row: %v", row)
	}
	if !strings.HasPrefix(lines[0], `{"p_table":"aws_cloudtrail","p_log_type":"AWS.CloudTrail","p_event_time":"2024-03-01T10:35:00Z",`) {
		t.Errorf("jsonl row does not start with the table and p_ columns in order: %.120s", lines[0])
	}

	r = search(t, context.Background(), "", "search", "--lake", lake, "--user", "user0", "--user", "user17", "--format", "json", "--limit", "1")
	var doc struct {
		Tables []struct {
			Table   string           `json:"table"`
			Matches int              `json:"matches"`
			Rows    []map[string]any `json:"rows"`
		} `json:"tables"`
	}
	if err := json.Unmarshal([]byte(r.out), &doc); err != nil || r.code != 0 {
		t.Fatalf("json: exit %d, %v:\n%s", r.code, err, r.out)
	}
	if len(doc.Tables) != 1 || doc.Tables[0].Matches != 2 || len(doc.Tables[0].Rows) != 1 || doc.Tables[0].Rows[0]["p_event_time"] != "2024-03-01T10:05:00Z" {
		t.Errorf("json: %+v", doc)
	}

	r = search(t, context.Background(), "", "search", "--lake", lake, "--ip", ip, "--format", "table")
	event := `{"eventVersion":"1.08","userIdentity":{"accessKeyId":"AKIA1C342970B968DA77","accountId":"123456789009",` +
		`"arn":"arn:aws:iam::123456789009:user/user119","principalId":"AIDADB9ED813F4BFE56C","type":"IAMUser","userName":"user119"},` +
		`"eventTime":"2024-03-01T10:35:00Z","eventSource":"ec2.amazonaws.com","eventName":"CreateUser","awsRegion":"eu-west-1",` +
		`"sourceIPAddress":"10.1.83.129","userAgent":"terraform/1.7","requestParameters":{"bucketName":"bucket-7","key":"obj/7"},` +
		`"requestID":"01ac4588e2b3f3fb3fff0b98c58e51e4","eventID":"2d097f00a463d03b14d4ef2ec413b343","readOnly":true,` +
		`"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"123456789009","eventCategory":"Management"}`
	want := `table           matches
──────────────  ───────
aws_cloudtrail        1

aws_cloudtrail: 1 match
p_event_time         p_log_type      event
───────────────────  ──────────────  ` + strings.Repeat("─", len(event)) + `
2024-03-01 10:35:00  AWS.CloudTrail  ` + event + "\n"
	if r.code != 0 || r.out != want {
		t.Errorf("table: exit %d, stderr %q:\n%s\nwant prefix:\n%s", r.code, r.err, r.out, want)
	}

	r = search(t, context.Background(), "", "search", "--lake", lake, "--ip", "203.0.113.9", "--format", "table")
	if r.code != 0 || r.out != "table           matches\n──────────────  ───────\naws_cloudtrail        0\n(no matches)\n" {
		t.Errorf("no match: exit %d:\n%s", r.code, r.out)
	}
	r = search(t, context.Background(), "", "search", "--lake", lake, "--ip", "203.0.113.9", "--format", "csv")
	if r.code != 0 || r.out != "p_table,p_event_time,p_log_type,p_row_id,event\n" {
		t.Errorf("no match, csv: exit %d:\n%s", r.code, r.out)
	}
}

func TestSearchTablesAndDescribe(t *testing.T) {
	t.Parallel()
	lake := testSearchLake(t)
	r := search(t, context.Background(), "", "search", "tables", "--lake", lake, "--since", "2h")
	var got map[string]any
	if err := json.Unmarshal([]byte(r.out), &got); err != nil || r.code != 0 {
		t.Fatalf("tables: exit %d, %v: %s %s", r.code, err, r.out, r.err)
	}
	// now is 15:00, the last event 13:55: one partition in the last 2h.
	if got["table"] != "aws_cloudtrail" || got["kind"] != "logs" || got["partitions"] != 1.0 || got["files"] != 1.0 ||
		got["first_hour"] != "2024-03-01T13Z" || got["last_hour"] != "2024-03-01T13Z" || got["bytes"].(float64) <= 0 {
		t.Errorf("tables: %v", got)
	}

	r = search(t, context.Background(), "", "search", "describe", "aws_cloudtrail", "--lake", lake, "--format", "csv")
	lines := strings.Split(r.out, "\n")
	if r.code != 0 || len(lines) < 4 || lines[0] != "column,type,description" || lines[1] != "p_log_type,VARCHAR,log type" ||
		lines[2] != "p_event_time,TIMESTAMP,\"event time, UTC\"" {
		t.Errorf("describe: exit %d:\n%s", r.code, r.out)
	}
	if !strings.Contains(r.out, "\nhour,INTEGER,partition (UTC hour of p_event_time)\n") {
		t.Errorf("describe does not list the partition columns:\n%s", r.out)
	}

	r = search(t, context.Background(), "", "search", "tables", "--lake", t.TempDir())
	if r.code != 0 || r.out != "" || !strings.Contains(r.err, "no tables in lake") {
		t.Errorf("empty lake: exit %d, %q, %q", r.code, r.out, r.err)
	}
}

func TestSearchDDL(t *testing.T) {
	t.Parallel()
	lake := testSearchLake(t)
	r := search(t, context.Background(), "", "search", "ddl", "--engine", "athena", "--location", "s3://b/lake", "--lake", lake)
	if r.code != 0 || !strings.HasPrefix(r.out, "-- athena external tables for the panther lake at s3://b/lake\nCREATE DATABASE IF NOT EXISTS `panther`;\n\nCREATE EXTERNAL TABLE IF NOT EXISTS `panther`.`aws_cloudtrail` (\n") ||
		!strings.Contains(r.out, "LOCATION 's3://b/lake/logs/aws_cloudtrail/'") {
		t.Errorf("ddl: exit %d, %s\n%s", r.code, r.err, r.out)
	}
}

func TestSearchErrors(t *testing.T) {
	t.Parallel()
	lake := testSearchLake(t)
	missing := filepath.Join(t.TempDir(), "nope")
	tests := []struct {
		name string
		args []string
		code int
		err  string // stderr, exactly (or its start and end, split by …)
	}{
		{name: "no lake", args: []string{"search", "SELECT 1"}, code: 2,
			err: "panther: no lake: pass --lake DIR, or set PANTHER_LAKE or lake: in .panther.yml\n"},
		{name: "missing lake", args: []string{"search", "--lake", missing, "SELECT 1"}, code: 2,
			err: "panther: lake " + missing + ": no such directory (pass the directory that `panther replay` wrote its lake to)\n"},
		{name: "nothing to search", args: []string{"search", "--lake", lake}, code: 2,
			err: "panther: nothing to search: give SQL (or - to read it from stdin), an indicator flag such as --ip, --query NAME or --scheduled\nRun 'panther search --help' for usage.\n"},
		{name: "sql and indicators", args: []string{"search", "--lake", lake, "--ip", "1.2.3.4", "SELECT 1"}, code: 2,
			err: "panther: give one of: SQL, indicator flags, --query or --scheduled\n"},
		{name: "bad ip", args: []string{"search", "--lake", lake, "--ip", "1.2.3"}, code: 2,
			err: "panther: --ip: ip \"1.2.3\": not an IP address\n"},
		{name: "bad since", args: []string{"search", "--lake", lake, "--since", "yesterday", "SELECT 1"}, code: 2,
			err: "panther: --since \"yesterday\": give a time (2024-03-01T12:00:00Z), a date (2024-03-01) or a duration ago (24h, 7d)\n"},
		{name: "bad format", args: []string{"search", "--lake", lake, "--format", "xml", "SELECT 1"}, code: 2,
			err: "panther: --format: unknown format \"xml\" (one of table, csv, json, jsonl)\n"},
		{name: "syntax error", args: []string{"search", "--lake", lake, "SELECT count(*)\nFROM aws_cloudtrail\nWHERE eventName = = 'x'"}, code: 2,
			err: "panther: Parser Error: syntax error at or near \"=\"\n\nLINE 3: WHERE eventName = = 'x'\n                          ^\n"},
		{name: "unknown column", args: []string{"search", "--lake", lake, "SELECT nope FROM aws_cloudtrail"}, code: 2,
			err: "panther: Binder Error: Referenced column \"nope\" not found in FROM clause!\n…\n\nLINE 1: SELECT nope FROM aws_cloudtrail\n               ^\n"},
		{name: "refused", args: []string{"search", "--lake", lake, "SELECT 1; COPY aws_cloudtrail TO 'x.csv'"}, code: 2,
			err: "panther: refused: COPY statements are not allowed (statement 2 of 2); search only reads the lake (SELECT, WITH, FROM, VALUES, DESCRIBE, SHOW, SUMMARIZE, PIVOT, EXPLAIN)\n"},
		{name: "describe unknown", args: []string{"search", "describe", "nope", "--lake", lake}, code: 2,
			err: "panther: table \"nope\" is not in the lake (tables: aws_cloudtrail)\n"},
		{name: "ddl without engine", args: []string{"search", "ddl", "--lake", lake}, code: 2,
			err: "panther: ddl needs --engine (one of athena, trino, spark)\n"},
		{name: "bad memory limit", args: []string{"search", "--lake", lake, "--memory-limit", "lots", "SELECT 1"}, code: 2,
			err: "panther: --memory-limit: size \"lots\": a number and a unit (B, KB, MB, GB, TB, KiB, MiB, GiB, TiB), e.g. 2GB\n"},
		{name: "over the memory limit", args: []string{"search", "--lake", lake, "--memory-limit", "64MB", "--temp-limit", "16MB",
			"SELECT length(string_agg(repeat('x', 4000), '')) FROM range(100000)"}, code: 3,
			err: "panther: the query needs more memory than search may use (memory limit 64MB, temporary files 16MB): narrow the time range (--since, --from/--to), read fewer columns or rows, or raise --memory-limit or --temp-limit (DuckDB: Out of Memory Error: …)\n"},
		{name: "timeout", args: []string{"search", "--lake", lake, "--timeout", "200ms", "SELECT sum(a.range * b.range) FROM range(100000000) a, range(100000) b"}, code: 3,
			err: "panther: query cancelled after --timeout 200ms: narrow the time range (--since, --until) or raise --timeout\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := search(t, context.Background(), "", tt.args...)
			head, tail, cut := strings.Cut(tt.err, "…")
			match := r.err == tt.err || cut && strings.HasPrefix(r.err, head) && strings.HasSuffix(r.err, tail)
			if r.code != tt.code || !match || r.out != "" {
				t.Errorf("exit %d (want %d)\nstderr:\n%s\nwant:\n%s\nstdout: %q", r.code, tt.code, r.err, tt.err, r.out)
			}
		})
	}
}

func TestSearchBadFilesAndInterrupt(t *testing.T) {
	t.Parallel()
	lake := t.TempDir()
	querytest.WriteT(t, lake, "logs/aws_cloudtrail", querytest.CloudTrailSQL(48, searchStart, 4*time.Hour))
	bad := filepath.Join(querytest.HourDir(lake, "logs/aws_cloudtrail", searchStart), "bad.parquet")
	querytest.Corrupt(t, bad)

	r := search(t, context.Background(), "", "search", "--lake", lake, "SELECT count(*) AS n FROM aws_cloudtrail")
	if r.code != 3 || !strings.HasPrefix(r.err, "panther: cannot read "+bad+": ") || !strings.HasSuffix(r.err, "(move the file out of the lake, or pass --skip-bad-files to search without it)\n") {
		t.Errorf("corrupt file: exit %d, %q", r.code, r.err)
	}
	r = search(t, context.Background(), "", "search", "--lake", lake, "--skip-bad-files", "SELECT count(*) AS n FROM aws_cloudtrail")
	if r.code != 0 || r.out != `{"n":48}`+"\n" || !strings.HasPrefix(r.err, "panther: warning: skipped "+bad+": ") {
		t.Errorf("--skip-bad-files: exit %d, %q, %q", r.code, r.out, r.err)
	}
	// The bad file is in the first hour: a range after it never opens it.
	r = search(t, context.Background(), "", "search", "--lake", lake, "--from", "2024-03-01T11:00:00Z", "SELECT count(*) AS n FROM aws_cloudtrail")
	if r.code != 0 || r.out != `{"n":36}`+"\n" || r.err != "" {
		t.Errorf("bad file out of range: exit %d, %q, %q", r.code, r.out, r.err)
	}

	// Ctrl-C: main cancels the context of Execute.
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(300*time.Millisecond, cancel)
	began := time.Now()
	r = search(t, ctx, "", "search", "--lake", lake, "SELECT sum(a.range * b.range) FROM range(100000000) a, range(100000) b")
	if r.code != ExitInterrupted || r.err != "panther: interrupted\n" {
		t.Errorf("interrupt: exit %d, %q", r.code, r.err)
	}
	if d := time.Since(began); d > 10*time.Second {
		t.Errorf("the interrupted query ran %v", d)
	}
}

func TestSearchSavedAndScheduled(t *testing.T) {
	t.Parallel()
	lake := testSearchLake(t)
	dets := t.TempDir()
	for name, body := range map[string]string{
		"services.yml": `AnalysisType: scheduled_query
QueryName: events_per_service
Query: SELECT eventSource, count(*) AS n, max(p_event_time) AS p_event_time FROM aws_cloudtrail GROUP BY 1 ORDER BY 1
Schedule: {RateMinutes: 60}
`,
		"saved.yml": `AnalysisType: saved_query
QueryName: Busy services
Query: SELECT eventSource, count(*) AS n FROM aws_cloudtrail GROUP BY 1 ORDER BY 1 LIMIT 2
`,
		"busy.yml": `AnalysisType: scheduled_rule
RuleID: Busy.Service
Filename: busy.lua
ScheduledQueries: [events_per_service]
Severity: Low
`,
		"busy.lua": `function rule(event) return event.n >= 4 and event.eventSource ~= "kms.amazonaws.com" end
function title(event) return "busy " .. event.eventSource end
function dedup(event) return event.eventSource end
`,
	} {
		if err := os.WriteFile(filepath.Join(dets, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	r := search(t, context.Background(), "", "search", "--lake", lake, "--detections", dets, "--query", "Busy services")
	if r.code != 0 || r.out != `{"eventSource":"cloudtrail.amazonaws.com","n":8}`+"\n"+`{"eventSource":"ec2.amazonaws.com","n":8}`+"\n" {
		t.Errorf("--query: exit %d, %q, %q", r.code, r.out, r.err)
	}
	r = search(t, context.Background(), "", "search", "--lake", lake, "--detections", dets, "--query", "Busy service")
	if r.code != 2 || r.err != "panther: --query: no saved or scheduled query named \"Busy service\"; close ones: \"Busy services\"\n" {
		t.Errorf("unknown query: exit %d, %q", r.code, r.err)
	}

	r = search(t, context.Background(), "", "search", "--lake", lake, "--detections", dets, "--scheduled", "--format", "table")
	// The last event of each service; kms is left out by the rule.
	want := `first_event_time     rule_id       severity  title                          dedup                     events  last_event_time
───────────────────  ────────────  ────────  ─────────────────────────────  ────────────────────────  ──────  ───────────────────
2024-03-01 13:30:00  Busy.Service  LOW       busy s3.amazonaws.com          s3.amazonaws.com               1  2024-03-01 13:30:00
2024-03-01 13:35:00  Busy.Service  LOW       busy ec2.amazonaws.com         ec2.amazonaws.com              1  2024-03-01 13:35:00
2024-03-01 13:40:00  Busy.Service  LOW       busy iam.amazonaws.com         iam.amazonaws.com              1  2024-03-01 13:40:00
2024-03-01 13:45:00  Busy.Service  LOW       busy sts.amazonaws.com         sts.amazonaws.com              1  2024-03-01 13:45:00
2024-03-01 13:55:00  Busy.Service  LOW       busy cloudtrail.amazonaws.com  cloudtrail.amazonaws.com       1  2024-03-01 13:55:00
`
	if r.code != 0 || r.out != want || r.err != "scheduled rules: 1, queries: 1, rows: 6, alerts: 5, rule errors: 0\n" {
		t.Errorf("--scheduled: exit %d, stderr %q, stdout:\n%s\nwant:\n%s", r.code, r.err, r.out, want)
	}
	// From 12:00 each service has 4 events: still 5 alerts, and exit 1.
	r = search(t, context.Background(), "", "search", "--lake", lake, "--detections", dets, "--scheduled", "--fail-on-alert", "--from", "2024-03-01T12:00:00Z")
	if r.code != 1 || strings.Count(r.out, "\n") != 5 || !strings.HasPrefix(r.out, `{"p_event_time":"2024-03-01T13:30:00Z","alert_id":`) ||
		!strings.Contains(r.out, `"rule_id":"Busy.Service","severity":"LOW","title":"busy s3.amazonaws.com","dedup":"s3.amazonaws.com",`) {
		t.Errorf("--scheduled --fail-on-alert --from: exit %d, %q, %q", r.code, r.out, r.err)
	}
	// In the last 90 minutes each service has one event: no alert.
	r = search(t, context.Background(), "", "search", "--lake", lake, "--detections", dets, "--scheduled", "--fail-on-alert", "--since", "1h30m")
	if r.code != 0 || r.out != "" || r.err != "scheduled rules: 1, queries: 1, rows: 6, alerts: 0, rule errors: 0\n" {
		t.Errorf("--scheduled --since: exit %d, %q, %q", r.code, r.out, r.err)
	}
	r = search(t, context.Background(), "", "search", "--lake", lake, "--detections", dets, "--scheduled", "--rule", "Busy.Servic")
	if r.code != 2 || r.err != "panther: --rule: no scheduled rule \"Busy.Servic\" (did you mean Busy.Service?)\n" {
		t.Errorf("unknown rule: exit %d, %q", r.code, r.err)
	}
	r = search(t, context.Background(), "", "search", "--lake", lake, "--detections", dets, "--scheduled", "--ip", "1.2.3.4")
	if r.code != 2 || r.err != "panther: give one of: SQL, indicator flags, --query or --scheduled\n" {
		t.Errorf("two modes: exit %d, %q", r.code, r.err)
	}
}

// TestSearchTerminal: on a terminal the default format is the table, fitted
// to the width (COLUMNS when the size cannot be asked).
func TestSearchTerminal(t *testing.T) {
	t.Parallel()
	lake := testSearchLake(t)
	var out, errb bytes.Buffer
	io := TestIO(strings.NewReader(""), &out, &errb)
	io.OutTTY = true
	app := &App{IO: io, Now: func() time.Time { return searchStart }, WorkDir: t.TempDir(), ConfigDir: t.TempDir(),
		Getenv: func(k string) string {
			if k == "COLUMNS" {
				return "50"
			}
			return ""
		}}
	code := Execute(context.Background(), app, []string{"search", "--lake", lake, "--limit", "2",
		"SELECT p_event_time, eventName, userIdentity.arn AS arn, readOnly FROM aws_cloudtrail ORDER BY p_event_time"})
	want := `p_event_time         eventName  arn       readOnly
───────────────────  ─────────  ────────  ────────
2024-03-01 10:00:00  GetObject  arn:aws…  false
2024-03-01 10:05:00  PutObject  arn:aws…  true
(2 rows shown; more not shown: raise --limit, or --limit 0 for all)
`
	if code != 0 || out.String() != want {
		t.Errorf("exit %d, stderr %q, stdout:\n%s\nwant:\n%s", code, errb.String(), out.String(), want)
	}
}

func TestSearchLakeFromEnvironment(t *testing.T) {
	lake := testSearchLake(t)
	t.Setenv("PANTHER_LAKE", lake)
	t.Setenv("PANTHER_SEARCH_FORMAT", "csv")
	var out, errb bytes.Buffer
	app := &App{IO: TestIO(strings.NewReader(""), &out, &errb), Now: func() time.Time { return searchStart },
		WorkDir: t.TempDir(), ConfigDir: t.TempDir()}
	code := Execute(context.Background(), app, []string{"search", "SELECT count(*) AS n FROM aws_cloudtrail"})
	if code != 0 || out.String() != "n\n48\n" {
		t.Errorf("exit %d, %q, %q", code, out.String(), errb.String())
	}
}
