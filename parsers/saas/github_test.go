package saas

import (
	"testing"

	"panther/parsers/event"
	"panther/parsers/parsertest"
)

func TestGitHubGolden(t *testing.T) {
	t.Parallel()
	reg := parsertest.Registry(t, GitHub)
	res := parsertest.Golden(t, reg, GitHub, "testdata/github/basic.jsonl", "testdata/github/basic.golden.jsonl")
	if len(res.Events) != 6 || len(res.Errors) != 2 {
		t.Fatalf("want 6 events and 2 errors, got %d and %d: %v", len(res.Events), len(res.Errors), res.Errors)
	}
	checks := []struct {
		event int
		field string
		want  any
	}{
		{0, "p_event_time", "2024-03-01T12:00:00.123Z"},
		{0, "p_any_usernames", []string{"monalisa", "octocat"}},
		{1, "p_event_time", "2024-03-01T12:01:00Z"},
		{1, "p_any_ip_addresses", []string{"198.51.100.7"}},
		{1, "p_any_usernames", []string{"deploy-bot[bot]"}},
		{1, "p_any_trace_ids", []string{"C4E1:2A3B:1F00EXAMPLE:0001"}},
		{2, "p_event_time", "2024-03-01T12:10:00Z"}, // ISO 8601 created_at
		{2, "p_any_ip_addresses", []string{"2001:db8::1"}},
		{2, "p_any_domain_names", []string{"hooks.example.net"}},
		{3, "p_event_time", "2024-03-01T12:30:00Z"}, // created_at in ms, no @timestamp
		{3, "p_any_emails", []string{"carol@example.com"}},
		{3, "p_any_usernames", []string{"carol", "carol-ex", "octocat"}},
		{4, "p_event_time", "2024-03-01T12:30:00.123Z"},
		{5, "p_event_time", parsertest.ParseTime.Format("2006-01-02T15:04:05Z07:00")},
		{5, "p_any_ip_addresses", nil},
	}
	for _, c := range checks {
		checkField(t, res, c.event, c.field, c.want)
	}
}

func TestGitHubDetect(t *testing.T) {
	t.Parallel()
	cases := []struct {
		rec  string
		want bool
	}{
		{`{"action":"repo.create","actor":"a","created_at":1}`, true},
		{`{"action":"repo.create","@timestamp":1,"_document_id":"x"}`, true},
		{`{"action":"repo.create","actor":"a"}`, false},                          // no time
		{`{"action":"created","actor":"a","created_at":1}`, false},               // webhook-style action
		{`{"action":"opened","sender":{"login":"a"},"repository":{}}`, false},    // a webhook payload
		{`{"action":".x","actor":"a","created_at":1}`, false},                    // not category.operation
		{`{"action":"repo.create","created_at":1,"actor":{"login":"a"}}`, false}, // actor is not a login
	}
	for _, c := range cases {
		e := event.New()
		if err := e.ParseJSON([]byte(c.rec)); err != nil {
			t.Fatal(err)
		}
		if got := GitHub.Detect(e); got != c.want {
			t.Errorf("Detect(%s) = %v, want %v", c.rec, got, c.want)
		}
		e.Release()
	}
}

func FuzzGitHub(f *testing.F) {
	reg := parsertest.Registry(f, GitHub)
	parsertest.Fuzz(f, reg, GitHub, parsertest.SeedLines(f, "testdata/github/basic.jsonl")...)
}

func TestGitHubPantherAnalysisEvents(t *testing.T) {
	t.Parallel()
	checkPantherAnalysis(t, GitHub, "GitHub.Audit.tests.jsonl.gz", nil)
}

func BenchmarkGitHub(b *testing.B) {
	reg := parsertest.Registry(b, GitHub)
	parsertest.Bench(b, reg, GitHub, parsertest.SeedLines(b, "testdata/github/basic.jsonl")[:5])
}
