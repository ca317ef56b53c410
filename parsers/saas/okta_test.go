package saas

import (
	"testing"

	"panther/parsers/parsertest"
)

func TestOktaGolden(t *testing.T) {
	t.Parallel()
	reg := parsertest.Registry(t, Okta)
	res := parsertest.Golden(t, reg, Okta, "testdata/okta/basic.jsonl", "testdata/okta/basic.golden.jsonl")
	if len(res.Events) != 6 || len(res.Errors) != 2 {
		t.Fatalf("want 6 events and 2 errors, got %d and %d: %v", len(res.Events), len(res.Errors), res.Errors)
	}
	checks := []struct {
		event int
		field string
		want  any
	}{
		{0, "p_event_time", "2024-03-01T12:00:00.123Z"},
		{0, "p_any_ip_addresses", []string{"198.51.100.7", "2001:db8::7"}},
		{0, "p_any_emails", []string{"alice@example.com"}},
		{0, "p_any_usernames", []string{"Alice@Example.com"}},
		{0, "p_any_domain_names", []string{"example-isp.net"}},
		{0, "p_any_trace_ids", []string{"102EXAMPLEsession1", "ZeEXAMPLEtx0001"}},
		{1, "p_any_usernames", []string{"alice@example.com"}}, // "unknown" of a non-user target is not one
		{1, "p_any_ip_addresses", []string{"203.0.113.9"}},
		// An app actor's client id is no username; a User target's is.
		{2, "p_any_usernames", []string{"bob"}},
		{2, "p_any_domain_names", []string{"app.example.com"}},
		{3, "p_event_time", "2024-03-01T14:00:00Z"},
		{3, "p_any_usernames", nil},
		{3, "p_any_emails", []string{"system@okta.com"}},
		{4, "p_event_time", parsertest.ParseTime.Format("2006-01-02T15:04:05Z07:00")},
		{4, "p_any_ip_addresses", nil},
		// Keys folded by a warehouse export are restored (see keyCase).
		{5, "p_event_time", "2024-03-01T15:00:00Z"},
		{5, "severity", "INFO"},
		{5, "SEVERITY", nil},
		{5, "securityContext", map[string]any{"domain": "example.org", "isProxy": false}},
		{5, "p_any_domain_names", []string{"example.org", "login.example.org"}},
		{5, "eventType", "kept: both spellings present"},
		{5, "eventtype", "user.session.start"},
	}
	for _, c := range checks {
		checkField(t, res, c.event, c.field, c.want)
	}
}

func FuzzOkta(f *testing.F) {
	reg := parsertest.Registry(f, Okta)
	parsertest.Fuzz(f, reg, Okta, parsertest.SeedLines(f, "testdata/okta/basic.jsonl")...)
}

func TestOktaPantherAnalysisEvents(t *testing.T) {
	t.Parallel()
	checkPantherAnalysis(t, Okta, "Okta.SystemLog.tests.jsonl.gz", nil)
}

func BenchmarkOkta(b *testing.B) {
	reg := parsertest.Registry(b, Okta)
	parsertest.Bench(b, reg, Okta, parsertest.SeedLines(b, "testdata/okta/basic.jsonl")[:4])
}
