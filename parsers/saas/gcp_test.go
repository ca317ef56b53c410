package saas

import (
	"testing"

	"panther/parsers/event"
	"panther/parsers/parsertest"
)

func TestGCPGolden(t *testing.T) {
	t.Parallel()
	reg := parsertest.Registry(t, GCP)
	res := parsertest.Golden(t, reg, GCP, "testdata/gcp/basic.jsonl", "testdata/gcp/basic.golden.jsonl")
	if len(res.Events) != 6 || len(res.Errors) != 2 {
		t.Fatalf("want 6 events and 2 errors, got %d and %d: %v", len(res.Events), len(res.Errors), res.Errors)
	}
	checks := []struct {
		event int
		field string
		want  any
	}{
		{0, "p_event_time", "2024-03-01T12:00:00.123456Z"},
		{0, "p_any_ip_addresses", []string{"198.51.100.7"}},
		{0, "p_any_emails", []string{"alice@example.com"}},
		// "gce-internal-ip" is no IP; delegation emails count.
		{1, "p_any_ip_addresses", nil},
		{1, "p_any_emails", []string{"etl-runner@example-project.iam.gserviceaccount.com", "scheduler@system.gserviceaccount.com"}},
		{1, "p_any_trace_ids", []string{"projects/example-project/traces/06796866738c859f2f19b7cfb3214824"}},
		{2, "p_any_ip_addresses", nil}, // "private"
		{3, "p_event_time", "2024-03-01T15:00:00.123456789Z"},
		{3, "p_any_ip_addresses", []string{"2001:db8::42"}},
		{4, "p_event_time", "2024-03-01T16:00:00.5Z"},
		{4, "p_any_ip_addresses", []string{"203.0.113.5"}}, // callerIP, as Panther exports it
		{5, "p_event_time", "2024-03-01T17:00:00Z"},        // receiveTimestamp when timestamp is junk
		{5, "p_any_emails", nil},
	}
	for _, c := range checks {
		checkField(t, res, c.event, c.field, c.want)
	}
}

func TestGCPDetect(t *testing.T) {
	t.Parallel()
	cases := []struct {
		rec  string
		want bool
	}{
		{`{"logName":"projects/p/logs/x","protoPayload":{"@type":"type.googleapis.com/google.cloud.audit.AuditLog"}}`, true},
		{`{"logName":"projects/p/logs/cloudaudit.googleapis.com%2Factivity","protoPayload":{}}`, true},
		{`{"logName":"projects/p/logs/requests","protoPayload":{"@type":"type.googleapis.com/google.appengine.logging.v1.RequestLog"}}`, false},
		{`{"logName":"projects/p/logs/requests","httpRequest":{},"jsonPayload":{}}`, false}, // a load balancer log
		{`{"protoPayload":{"@type":"type.googleapis.com/google.cloud.audit.AuditLog"}}`, false},
	}
	for _, c := range cases {
		e := event.New()
		if err := e.ParseJSON([]byte(c.rec)); err != nil {
			t.Fatal(err)
		}
		if got := GCP.Detect(e); got != c.want {
			t.Errorf("Detect(%s) = %v, want %v", c.rec, got, c.want)
		}
		e.Release()
	}
}

func FuzzGCP(f *testing.F) {
	reg := parsertest.Registry(f, GCP)
	parsertest.Fuzz(f, reg, GCP, parsertest.SeedLines(f, "testdata/gcp/basic.jsonl")...)
}

func TestGCPPantherAnalysisEvents(t *testing.T) {
	t.Parallel()
	misplaced := "requestMetadata moved into metadata, Panther's p_any_ip_addresses kept"
	checkPantherAnalysis(t, GCP, "GCP.AuditLog.tests.jsonl.gz", map[string]string{
		"GCP.Access.Attempts.Violating.VPC.Service.Controls/VPC control violation":    "timestamp changed, Panther's p_event_time kept",
		"GCP.Destructive.Queries/TableDeletion":                                       misplaced,
		"GCP.Logging.Settings.Modified/Other Event":                                   misplaced,
		"GCP.Permissions.Granted.to.Create.or.Manage.Service.Account.Key/other event": misplaced,
		"GCP.User.Added.to.IAP.Protected.Service/other":                               misplaced,
	})
}

func BenchmarkGCP(b *testing.B) {
	reg := parsertest.Registry(b, GCP)
	parsertest.Bench(b, reg, GCP, parsertest.SeedLines(b, "testdata/gcp/basic.jsonl")[:4])
}
