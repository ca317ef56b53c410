package query

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"panther/parsers/event"
	"panther/query/querytest"
)

func TestParseIndicator(t *testing.T) {
	t.Parallel()
	tests := []struct {
		kind, in string
		want     Indicator
		bad      bool
	}{
		{kind: "ip", in: "10.1.0.0", want: Indicator{event.IP, "10.1.0.0"}},
		{kind: "ip", in: "::ffff:10.1.0.0", want: Indicator{event.IP, "10.1.0.0"}},
		{kind: "ip", in: "[2001:DB8::1]", want: Indicator{event.IP, "2001:db8::1"}},
		{kind: "ip", in: "10.1.0", bad: true},
		{kind: "domain", in: "Evil.Example.COM.", want: Indicator{event.Domain, "evil.example.com"}},
		{kind: "email", in: "Alice@Example.com", want: Indicator{event.Email, "alice@example.com"}},
		{kind: "email", in: "alice", bad: true},
		{kind: "aws_account_id", in: "123456789012", want: Indicator{event.AWSAccountID, "123456789012"}},
		{kind: "aws_account_id", in: "12345", bad: true},
		{kind: "aws_arn", in: "arn:aws:iam::123456789012:user/alice", want: Indicator{event.AWSARN, "arn:aws:iam::123456789012:user/alice"}},
		{kind: "aws_arn", in: "alice", bad: true},
		{kind: "hash", in: "D41D8CD98F00B204E9800998ECF8427E", want: Indicator{event.MD5, "d41d8cd98f00b204e9800998ecf8427e"}},
		{kind: "hash", in: "da39a3ee5e6b4b0d3255bfef95601890afd80709", want: Indicator{event.SHA1, "da39a3ee5e6b4b0d3255bfef95601890afd80709"}},
		{kind: "hash", in: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", want: Indicator{event.SHA256, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}},
		{kind: "hash", in: "abc", bad: true},
		{kind: "hash", in: "zz1d8cd98f00b204e9800998ecf8427e", bad: true},
		{kind: "username", in: " alice ", want: Indicator{event.Username, "alice"}},
		{kind: "username", in: " ", bad: true},
		{kind: "colour", in: "red", bad: true},
	}
	for _, tt := range tests {
		got, err := ParseIndicator(tt.kind, tt.in)
		if tt.bad != (err != nil) || !tt.bad && got != tt.want {
			t.Errorf("ParseIndicator(%s, %q) = %v, %v; want %v (error: %v)", tt.kind, tt.in, got, err, tt.want, tt.bad)
		}
	}
}

type tableCount struct {
	table string
	count int64
	rows  int
}

func counts(res []TableMatches) []tableCount {
	var out []tableCount
	for _, m := range res {
		out = append(out, tableCount{m.Table, m.Count, len(m.Rows)})
	}
	return out
}

func TestSearchIndicators(t *testing.T) {
	t.Parallel()
	lake := testLake(t)
	ind := func(kind, v string) Indicator {
		in, err := ParseIndicator(kind, v)
		if err != nil {
			t.Fatal(err)
		}
		return in
	}
	day1 := TimeRange{From: start, To: start.Add(24 * time.Hour)}
	tests := []struct {
		name  string
		r     TimeRange
		inds  []Indicator
		limit int
		want  []tableCount
	}{
		{name: "ip in two tables", inds: []Indicator{ind("ip", "10.1.0.0")}, limit: 10,
			want: []tableCount{{"aws_cloudtrail", 1, 1}, {"zeek_dns", 4, 4}, {"alerts", 0, 0}, {"rule_matches", 0, 0}}},
		{name: "values are ORed", inds: []Indicator{ind("ip", querytest.IPOf(17)), ind("ip", "192.0.2.99"), ind("domain", "EVIL.example.com")}, limit: 10,
			want: []tableCount{{"aws_cloudtrail", 1, 1}, {"zeek_dns", 5, 5}, {"alerts", 0, 0}, {"rule_matches", 0, 0}}},
		{name: "limit cuts rows, not counts", inds: []Indicator{ind("username", "user17")}, limit: 2,
			want: []tableCount{{"aws_cloudtrail", 1, 1}, {"zeek_dns", 0, 0}, {"alerts", 0, 0}, {"rule_matches", 0, 0}}},
		{name: "account", inds: []Indicator{ind("aws_account_id", "123456789007")}, limit: 5,
			want: []tableCount{{"aws_cloudtrail", 24, 5}, {"zeek_dns", 0, 0}, {"alerts", 0, 0}, {"rule_matches", 0, 0}}},
		{name: "time range", r: day1, inds: []Indicator{ind("aws_account_id", "123456789007")}, limit: 0,
			want: []tableCount{{"aws_cloudtrail", 12, 12}, {"zeek_dns", 0, 0}, {"alerts", 0, 0}, {"rule_matches", 0, 0}}},
		{name: "nothing", inds: []Indicator{ind("ip", "203.0.113.1")}, limit: 10,
			want: []tableCount{{"aws_cloudtrail", 0, 0}, {"zeek_dns", 0, 0}, {"alerts", 0, 0}, {"rule_matches", 0, 0}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := openT(t, Options{Lake: lake, Range: tt.r})
			res, err := e.SearchIndicators(context.Background(), tt.inds, nil, tt.limit)
			if err != nil {
				t.Fatal(err)
			}
			if got := counts(res); !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestSearchIndicatorRows(t *testing.T) {
	t.Parallel()
	e := openT(t, Options{Lake: testLake(t)})
	in, _ := ParseIndicator("aws_account_id", "123456789007")
	res, err := e.SearchIndicators(context.Background(), []Indicator{in}, []string{"AWS_CLOUDTRAIL"}, 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 1 || res[0].Table != "aws_cloudtrail" {
		t.Fatalf("tables: %v", counts(res))
	}
	// Newest first: the account is that of events i with 7i = 7 (mod 20).
	idx := slices.IndexFunc(res[0].Columns, func(c Column) bool { return c.Name == "p_event_time" })
	var got []string
	for _, r := range res[0].Rows {
		got = append(got, r[idx].(time.Time).Format("01-02T15:04"))
	}
	want := []string{}
	for i := int64(479); len(want) < 3; i-- {
		if i*7%20 == 7 {
			want = append(want, start.Add(time.Duration(i)*6*time.Minute).Format("01-02T15:04"))
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("rows at %q, want %q", got, want)
	}
	var te *TableError
	if _, err := e.SearchIndicators(context.Background(), []Indicator{in}, []string{"nope"}, 3); !errors.As(err, &te) {
		t.Errorf("unknown table: %v, want *TableError", err)
	}
}

func TestIndicatorPredicate(t *testing.T) {
	t.Parallel()
	inds := []Indicator{{event.IP, "1.2.3.4"}, {event.Domain, "a.example"}, {event.IP, "5.6.7.8"}, {event.IP, "1.2.3.4"}, {event.Email, "x@y.z"}}
	got := indicatorPredicate(inds, []string{"p_any_ip_addresses", "p_any_domain_names"})
	want := `list_has_any("p_any_ip_addresses", ['1.2.3.4', '5.6.7.8']) OR list_has_any("p_any_domain_names", ['a.example'])`
	if got != want {
		t.Errorf("predicate\n got %s\nwant %s", got, want)
	}
	if got := indicatorPredicate(inds, []string{"rule_id"}); got != "" {
		t.Errorf("a table without p_any columns: %q", got)
	}
}

// TestSearchIndicatorsMisfiledEvent: pass 2 reads only the partitions of
// the hours with matches; an event filed under another hour (its time is
// 10:00, its partition 05) is still found by the fallback to the range.
func TestSearchIndicatorsMisfiledEvent(t *testing.T) {
	t.Parallel()
	lake := t.TempDir()
	querytest.WriteT(t, lake, "logs/aws_cloudtrail", querytest.CloudTrailSQL(48, start, 24*time.Hour))
	if err := querytest.WritePartitioned(lake, "logs/aws_cloudtrail", `SELECT 'AWS.CloudTrail' AS p_log_type,
		TIMESTAMP '2024-03-01 10:07:00' AS p_event_time, ['198.51.100.1'] AS p_any_ip_addresses, 'misfiled' AS eventName`,
		"TIMESTAMP '2024-03-01 05:00:00'"); err != nil {
		t.Fatal(err)
	}
	e := openT(t, Options{Lake: lake})
	in, _ := ParseIndicator("ip", "198.51.100.1")
	res, err := e.SearchIndicators(context.Background(), []Indicator{in}, nil, 10)
	if err != nil {
		t.Fatal(err)
	}
	if got := counts(res); !slices.Equal(got, []tableCount{{"aws_cloudtrail", 1, 1}}) {
		t.Fatalf("got %v", got)
	}
	idx := slices.IndexFunc(res[0].Columns, func(c Column) bool { return c.Name == "eventName" })
	if res[0].Rows[0][idx] != "misfiled" {
		t.Errorf("row %v", res[0].Rows[0])
	}
}

func TestMatchedFiles(t *testing.T) {
	t.Parallel()
	h := func(n int) time.Time { return start.Add(time.Duration(n) * time.Hour) }
	tb := &table{parts: []Partition{
		{Hour: h(0), Files: []string{"a0"}}, {Hour: h(1), Files: []string{"a1", "b1"}},
		{Hour: h(2), Files: []string{"a2"}}, {Hour: h(3), Files: []string{"a3"}},
	}}
	tb.files = []string{"a0", "a1", "b1", "a2", "a3"}
	tests := []struct {
		name  string
		hours map[time.Time]int64
		limit int
		want  []string
	}{
		{name: "newest hours first, enough for the limit", hours: map[time.Time]int64{h(0): 5, h(1): 2, h(3): 1}, limit: 3, want: []string{"a3", "a1", "b1"}},
		{name: "no limit: every hour with matches", hours: map[time.Time]int64{h(0): 5, h(3): 1}, limit: 0, want: []string{"a3", "a0"}},
		{name: "a match without time: all files", hours: map[time.Time]int64{{}: 1, h(3): 1}, limit: 1, want: tb.files},
	}
	for _, tt := range tests {
		if got := matchedFiles(tb, tt.hours, tt.limit); !slices.Equal(got, tt.want) {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}
