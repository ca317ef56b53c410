package serve_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"

	"panther/alerts"
	"panther/serve"
)

// policyPack holds one policy: S3 buckets must have versioning on.
var policyPack = fstest.MapFS{
	"pack.yml": {Data: []byte("AnalysisType: pack\nPackID: Pol\nPackDefinition:\n  IDs: [Test.S3.Versioning]\n")},
	"policy.yml": {Data: []byte(`AnalysisType: policy
PolicyID: Test.S3.Versioning
DisplayName: S3 bucket versioning is off
Enabled: true
Filename: policy.lua
ResourceTypes: [AWS.S3.Bucket]
Severity: High
Tests:
  - Name: on
    ExpectedResult: true
    Resource: {ResourceType: AWS.S3.Bucket, ResourceId: "arn:aws:s3:::a", Versioning: Enabled}
  - Name: off
    ExpectedResult: false
    Resource: {ResourceType: AWS.S3.Bucket, ResourceId: "arn:aws:s3:::a", Versioning: Suspended}
`)},
	"policy.lua": {Data: []byte(`function policy(r) return r.Versioning == "Enabled" end
function title(r) return "versioning is off on " .. (r.Name or r.ResourceId) end
`)},
}

func buckets(exports string) string {
	return fmt.Sprintf(`[{"ResourceType":"AWS.S3.Bucket","ResourceId":"arn:aws:s3:::logs","Name":"logs","AccountId":"123456789012","Region":"eu-west-1","Versioning":"Enabled"},
{"ResourceType":"AWS.S3.Bucket","ResourceId":"arn:aws:s3:::exports","Name":"exports","AccountId":"123456789012","Region":"eu-west-1","Versioning":%q}]`, exports)
}

func complianceRows(t *testing.T, lakeDir string) []string {
	t.Helper()
	glob := filepath.Join(lakeDir, "compliance", "*", "*", "*", "*", "*.parquet")
	if m, _ := filepath.Glob(glob); len(m) == 0 {
		return nil
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(fmt.Sprintf(`SELECT policy_id || ' ' || resource_id || ' ' || status || ' ' || source FROM read_parquet('%s', union_by_name=true) ORDER BY scan_time, resource_id`, glob))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		rows.Scan(&s)
		out = append(out, s)
	}
	return out
}

// TestIngestResources: a snapshot sent to serve's ingest API is scanned
// with the active pack's policy: every check is a row of the lake's
// compliance table once the request is answered, a bucket that starts
// failing raises an alert in the alert store (once), and passing again
// resolves it; refusals are clear.
func TestIngestResources(t *testing.T) {
	data := t.TempDir()
	st, err := alerts.Open(context.Background(), alerts.Options{Path: filepath.Join(t.TempDir(), "alerts.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	v := start(t, data, func(o *serve.Options) {
		o.Resources = serve.ResourceOptions{Alerts: alerts.ScanAlerts{Store: st}, MaxBody: 64 << 10}
	})
	post := func(token, body string) (int, serve.ResourcesResult, string) {
		t.Helper()
		code, out := v.do("POST", "/api/v1/ingest/resources?name=s3-snapshot", token, strings.NewReader(body))
		var res serve.ResourcesResult
		if code == http.StatusOK {
			if err := json.Unmarshal([]byte(out), &res); err != nil {
				t.Fatalf("%s: %v", out, err)
			}
		}
		return code, res, out
	}
	// No policy active yet.
	if code, _, out := post(ingestToken, buckets("Suspended")); code != http.StatusConflict || !strings.Contains(out, "no active pack holds an enabled policy") {
		t.Fatalf("%d %s", code, out)
	}
	v.upload(policyPack)
	var res serve.ResourcesResult
	deadline := time.Now().Add(10 * time.Second)
	for {
		code, r, out := post(ingestToken, buckets("Suspended"))
		if code == http.StatusOK {
			res = r
			break
		}
		if code != http.StatusConflict || time.Now().After(deadline) {
			t.Fatalf("%d %s", code, out)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if res.Resources != 2 || res.Checks != 2 || res.Pass != 1 || res.Fail != 1 || res.LakeRows != 2 || res.Raised != 1 || len(res.Packs) != 1 || res.Packs[0] != "Pol@1" {
		t.Fatalf("%+v", res)
	}
	lakeDir := filepath.Join(data, "lake")
	if got := complianceRows(t, lakeDir); len(got) != 2 || got[0] != "Test.S3.Versioning arn:aws:s3:::exports fail s3-snapshot" {
		t.Fatalf("compliance rows once answered: %q", got)
	}
	list, err := st.List(context.Background(), alerts.Filter{RuleID: []string{"Test.S3.Versioning"}}, alerts.Page{})
	if err != nil || len(list.Alerts) != 1 {
		t.Fatalf("%v %+v", err, list)
	}
	a := list.Alerts[0]
	if a.Status != alerts.StatusOpen || a.Severity != alerts.SevHigh || a.Title != "versioning is off on exports" || a.Key != "Test.S3.Versioning:arn:aws:s3:::exports" {
		t.Fatalf("%+v", a)
	}
	// Still failing: no new alert, no repeat.
	if code, r, out := post(ingestToken, buckets("Suspended")); code != http.StatusOK || r.Raised != 0 || r.Resolved != 0 || r.LakeRows != 2 {
		t.Fatalf("%d %+v %s", code, r, out)
	}
	// Fixed: resolved by the system, with history.
	if code, r, out := post(ingestToken, buckets("Enabled")); code != http.StatusOK || r.Resolved != 1 || r.Fail != 0 {
		t.Fatalf("%d %+v %s", code, r, out)
	}
	got, err := st.Get(context.Background(), a.ID, alerts.GetAll)
	if err != nil || got.Status != alerts.StatusResolved {
		t.Fatalf("%v %+v", err, got)
	}
	if h := got.History[len(got.History)-1]; h.By != alerts.BySystem || h.To != string(alerts.StatusResolved) {
		t.Fatalf("%+v", h)
	}
	// Failing again within the dedup window: the same alert, reopened.
	if code, r, out := post(ingestToken, buckets("Suspended")); code != http.StatusOK || r.Reopened != 1 || r.Raised != 0 {
		t.Fatalf("%d %+v %s", code, r, out)
	}
	if got := complianceRows(t, lakeDir); len(got) != 8 {
		t.Fatalf("%d compliance rows after 4 scans of 2 buckets", len(got))
	}
	// Refusals.
	for _, c := range []struct {
		token, body string
		code        int
		want        string
	}{
		{"", buckets("Enabled"), http.StatusUnauthorized, ""},
		{readToken, buckets("Enabled"), http.StatusForbidden, ""},
		{pinnedToken, buckets("Enabled"), http.StatusForbidden, "pinned to log type Syslog.RFC3164"},
		{ingestToken, strings.Repeat(" ", 65<<10) + "[]", http.StatusRequestEntityTooLarge, "limit"},
		{ingestToken, `{"hello": "world"}`, http.StatusBadRequest, "not an input panther scan reads"},
		{ingestToken, `{"ResourceType": "AWS.S3.Bukket", "ResourceId": "x"}`, http.StatusBadRequest, "did you mean AWS.S3.Bucket"},
	} {
		code, _, out := post(c.token, c.body)
		if code != c.code || !strings.Contains(out, c.want) {
			t.Errorf("%q: %d %s, want %d %q", c.token, code, out, c.code, c.want)
		}
	}
}
