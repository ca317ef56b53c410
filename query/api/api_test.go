package api

import (
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"panther/auth"
	"panther/query/querytest"
)

const (
	readTok   = "read/rita:fedcba9876543210fedc"
	ingestTok = "ingest:ingest-secret-0123456789"
)

var start = time.Date(2026, 11, 10, 8, 0, 0, 0, time.UTC)

func setup(t *testing.T) *httptest.Server {
	t.Helper()
	lake := t.TempDir()
	querytest.WriteT(t, lake, "logs/aws_cloudtrail", querytest.CloudTrailSQL(200, start, 4*time.Hour))
	tk, err := auth.ParseTokens([]string{readTok, ingestTok})
	if err != nil {
		t.Fatal(err)
	}
	a := New(Options{Lake: lake, Tokens: tk, Now: func() time.Time { return start.Add(24 * time.Hour) },
		Queries: func() []SavedQuery {
			return []SavedQuery{{Name: "Errors", SQL: "SELECT count(*) AS n FROM aws_cloudtrail WHERE errorCode IS NOT NULL", Lookback: "7d"}}
		}})
	mux := http.NewServeMux()
	a.Mount(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func get(t *testing.T, srv *httptest.Server, token, path string, out any) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", srv.URL+path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return send(t, req, out)
}

func send(t *testing.T, req *http.Request, out any) (int, string) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if out != nil && resp.StatusCode < 300 {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s: %v", b, err)
		}
	}
	return resp.StatusCode, string(b)
}

func secret(spec string) string { return spec[strings.LastIndex(spec, ":")+1:] }

func TestSearchSQLAndIndicator(t *testing.T) {
	t.Parallel()
	srv := setup(t)
	tok := secret(readTok)
	var res Result
	code, body := get(t, srv, tok, "/api/v1/search?"+url.Values{"sql": {"SELECT eventName, count(*) AS n FROM aws_cloudtrail GROUP BY 1 ORDER BY 2 DESC, 1"}, "limit": {"3"}}.Encode(), &res)
	if code != 200 || len(res.Rows) != 3 || !res.Truncated || res.Columns[0].Name != "eventName" || res.Columns[1].Type != "BIGINT" {
		t.Fatalf("%d %s", code, body)
	}
	// POST, with a time range: two of the four hours.
	req, _ := http.NewRequest("POST", srv.URL+"/api/v1/search", strings.NewReader(`{"sql":"SELECT count(*) AS n FROM aws_cloudtrail","from":"2026-11-10T08:00:00Z","to":"2026-11-10T10:00:00Z"}`))
	req.Header.Set("X-API-Key", tok)
	res = Result{}
	if code, body := send(t, req, &res); code != 200 || len(res.Rows) != 1 || res.Rows[0][0] != float64(100) {
		t.Fatalf("range: %d %s", code, body)
	}
	// An indicator across tables.
	var ir IndicatorResult
	ip := querytest.IPOf(7)
	code, body = get(t, srv, tok, "/api/v1/search?kind=ip&value="+ip, &ir)
	if code != 200 || len(ir.Tables) != 1 || ir.Tables[0].Count < 1 || len(ir.Tables[0].Rows) < 1 {
		t.Fatalf("indicator: %d %s", code, body)
	}
	// A saved query.
	res = Result{}
	if code, body := get(t, srv, tok, "/api/v1/search?query=Errors", &res); code != 200 || res.Rows[0][0] != float64(4) {
		t.Fatalf("saved: %d %s", code, body)
	}
	var qs []SavedQuery
	if code, _ := get(t, srv, tok, "/api/v1/search/queries", &qs); code != 200 || len(qs) != 1 || qs[0].Name != "Errors" {
		t.Fatalf("queries: %v", qs)
	}
	var tables []TableColumns
	code, body = get(t, srv, tok, "/api/v1/search/tables", &tables)
	if code != 200 || len(tables) != 1 || tables[0].Table != "aws_cloudtrail" || len(tables[0].Columns) < 20 {
		t.Fatalf("tables: %d %.300s", code, body)
	}
}

func TestSearchCSVDownload(t *testing.T) {
	t.Parallel()
	srv := setup(t)
	req, _ := http.NewRequest("GET", srv.URL+"/api/v1/search?"+url.Values{"sql": {"SELECT eventName, sourceIPAddress FROM aws_cloudtrail ORDER BY p_event_time"}, "format": {"csv"}, "limit": {"5"}}.Encode(), nil)
	req.Header.Set("X-API-Key", secret(readTok))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if cd := resp.Header.Get("Content-Disposition"); resp.StatusCode != 200 || !strings.Contains(cd, "search.csv") {
		t.Fatalf("%d %q", resp.StatusCode, cd)
	}
	recs, err := csv.NewReader(resp.Body).ReadAll()
	if err != nil || len(recs) != 6 || recs[0][0] != "eventName" || recs[1][1] != querytest.IPOf(0) {
		t.Fatalf("%v %v", recs, err)
	}
}

func TestSearchRefusals(t *testing.T) {
	t.Parallel()
	srv := setup(t)
	tok := secret(readTok)
	for _, c := range []struct {
		token, query string
		code         int
		want         string
	}{
		{"", "sql=SELECT+1", 401, "unauthenticated"},
		{secret(ingestTok), "sql=SELECT+1", 403, "forbidden"},
		{tok, "", 400, "one of"},
		{tok, "sql=SELECT+1&kind=ip&value=1.2.3.4", 400, "one of"},
		{tok, "sql=SELECT+1&limit=20000", 400, "limit"},
		{tok, "sql=SELECT+1&timeout=1h", 400, "timeout"},
		{tok, "sql=SELECT+1&colour=red", 400, "unknown parameter"},
		{tok, "kind=ip&value=nope", 400, "not an IP"},
		{tok, "query=Nope", 404, "no saved query"},
		{tok, "sql=" + url.QueryEscape("DELETE FROM aws_cloudtrail"), 400, "refused"},
		{tok, "sql=" + url.QueryEscape("COPY aws_cloudtrail TO '/tmp/x.csv'"), 400, "refused"},
		{tok, "sql=" + url.QueryEscape("SELECT * FROM nosuch"), 400, "nosuch"},
		{tok, "sql=" + url.QueryEscape(strings.Repeat("x", MaxSQL+1)), 400, "over"},
	} {
		code, body := get(t, srv, c.token, "/api/v1/search?"+c.query, nil)
		if code != c.code || !strings.Contains(body, c.want) {
			t.Errorf("%.60s: %d %s, want %d %q", c.query, code, body, c.code, c.want)
		}
	}
}

func TestSearchErrorPosition(t *testing.T) {
	t.Parallel()
	srv := setup(t)
	sql := "SELECT eventName,\n  count(*)\nFROM aws_cloudtrail\nGROUP BY eventNme"
	code, body := get(t, srv, secret(readTok), "/api/v1/search?"+url.Values{"sql": {sql}}.Encode(), nil)
	var eb errorBody
	_ = json.Unmarshal([]byte(body), &eb)
	if code != 400 || eb.Error.Code != "sql" || eb.Error.Line != 4 || eb.Error.Column != 10 {
		t.Fatalf("%d %s: line %d column %d, want 4:10", code, body, eb.Error.Line, eb.Error.Column)
	}
}
