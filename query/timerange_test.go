package query

import (
	"testing"
	"time"
)

func TestParseSince(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want time.Duration
		bad  bool
	}{
		{in: "24h", want: 24 * time.Hour},
		{in: "90m", want: 90 * time.Minute},
		{in: "7d", want: 7 * 24 * time.Hour},
		{in: "2w", want: 14 * 24 * time.Hour},
		{in: "1d12h", want: 36 * time.Hour},
		{in: "1.5d", want: 36 * time.Hour},
		{in: " 30s ", want: 30 * time.Second},
		{in: "", bad: true},
		{in: "d", bad: true},
		{in: "7", bad: true},
		{in: "7x", bad: true},
		{in: "0h", bad: true},
		{in: "-1h", bad: true},
	}
	for _, tt := range tests {
		got, err := ParseSince(tt.in)
		if tt.bad {
			if err == nil {
				t.Errorf("ParseSince(%q) = %v, want an error", tt.in, got)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseSince(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

func TestRangeFlagsResolve(t *testing.T) {
	t.Parallel()
	now := time.Date(2024, 3, 10, 12, 30, 0, 0, time.UTC)
	d := func(s string) time.Time {
		tm, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	tests := []struct {
		name string
		in   RangeFlags
		want TimeRange
		bad  bool
	}{
		{name: "none", in: RangeFlags{}, want: TimeRange{}},
		{name: "since", in: RangeFlags{Since: "24h"}, want: TimeRange{From: d("2024-03-09T12:30:00Z")}},
		{name: "dates", in: RangeFlags{From: "2024-03-01", To: "2024-03-02"}, want: TimeRange{From: d("2024-03-01T00:00:00Z"), To: d("2024-03-03T00:00:00Z")}},
		{name: "rfc3339 with zone", in: RangeFlags{From: "2024-03-01T02:00:00+02:00", To: "2024-03-01T05:00:00Z"}, want: TimeRange{From: d("2024-03-01T00:00:00Z"), To: d("2024-03-01T05:00:00Z")}},
		{name: "no zone is UTC", in: RangeFlags{From: "2024-03-01 06:00"}, want: TimeRange{From: d("2024-03-01T06:00:00Z")}},
		{name: "since and from", in: RangeFlags{Since: "1h", From: "2024-03-01"}, bad: true},
		{name: "from after to", in: RangeFlags{From: "2024-03-05", To: "2024-03-01"}, bad: true},
		{name: "not a time", in: RangeFlags{From: "yesterday"}, bad: true},
	}
	for _, tt := range tests {
		got, err := tt.in.Resolve(now)
		if tt.bad {
			if err == nil {
				t.Errorf("%s: got %v, want an error", tt.name, got)
			}
			continue
		}
		if err != nil || !got.From.Equal(tt.want.From) || !got.To.Equal(tt.want.To) {
			t.Errorf("%s: got %v, %v; want %v", tt.name, got, err, tt.want)
		}
	}
}
