package api

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"panther/alerts"
)

func TestStatsAndSeq(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	now := time.Now().UTC()
	for i := range 3 {
		if _, err := e.Store.RaiseDetection(ctx, alerts.DetectionAlert{GroupID: fmt.Sprint(i), RuleID: "R", Dedup: fmt.Sprint("h", i), Title: "t",
			Severity: alerts.SevHigh, EventCount: 1, FirstEvent: now.Add(-time.Hour), LastEvent: now.Add(-time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	code, body, _ := e.do(t, "GET", "/api/v1/alerts/stats?from=24h&bucket=1h&top=5", readToken, "")
	var st alerts.Stats
	if err := json.Unmarshal(body, &st); code != 200 || err != nil {
		t.Fatalf("%d %s", code, body)
	}
	if st.Total != 3 || len(st.Rules) != 1 || st.Rules[0].RuleID != "R" || st.BySev[alerts.SevHigh] != 3 || len(st.Series) != 24 {
		t.Errorf("stats %+v", st)
	}
	for _, bad := range []string{"?bucket=1s", "?top=0", "?from=yesterday", "?nope=1"} {
		if code, body, _ := e.do(t, "GET", "/api/v1/alerts/stats"+bad, readToken, ""); code != 400 {
			t.Errorf("%s: %d %s", bad, code, body)
		}
	}
	if code, _, _ := e.do(t, "GET", "/api/v1/alerts/stats", "", ""); code != 401 {
		t.Errorf("no token: %d", code)
	}
	if code, _, _ := e.do(t, "GET", "/api/v1/alerts/stats", ingestToken, ""); code != 403 {
		t.Errorf("ingest token: %d", code)
	}
	// The list says where the change feed was when it was read.
	_, _, h := e.do(t, "GET", "/api/v1/alerts", readToken, "")
	if h.Get("X-Alert-Seq") != fmt.Sprint(e.Store.LastSeq()) || e.Store.LastSeq() == 0 {
		t.Errorf("X-Alert-Seq %q, feed at %d", h.Get("X-Alert-Seq"), e.Store.LastSeq())
	}
}
