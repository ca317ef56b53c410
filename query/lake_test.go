package query

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// touch creates empty files: Partitions never opens them.
func touch(t *testing.T, root string, rels ...string) {
	t.Helper()
	for _, r := range rels {
		p := filepath.Join(root, filepath.FromSlash(r))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestDiscoverAndPartitions(t *testing.T) {
	t.Parallel()
	lake := t.TempDir()
	touch(t, lake,
		"logs/aws_cloudtrail/year=2024/month=02/day=29/hour=23/a.parquet",
		"logs/aws_cloudtrail/year=2024/month=03/day=01/hour=00/a.parquet",
		"logs/aws_cloudtrail/year=2024/month=03/day=01/hour=00/b.parquet",
		"logs/aws_cloudtrail/year=2024/month=03/day=01/hour=00/.tmp-c.parquet", // in flight
		"logs/aws_cloudtrail/year=2024/month=03/day=01/hour=00/notes.txt",
		"logs/aws_cloudtrail/year=2024/month=03/day=01/hour=01/a.parquet",
		"logs/aws_cloudtrail/year=2024/month=3/day=2/hour=5/a.parquet",    // unpadded is read too
		"logs/aws_cloudtrail/year=2024/month=03/day=01/hour=99/a.parquet", // not an hour
		"logs/aws_cloudtrail/misc/a.parquet",                              // not the layout
		"logs/zeek_dns/year=2024/month=03/day=01/hour=00/a.parquet",
		"logs/Bad-Name/year=2024/month=03/day=01/hour=00/a.parquet",
		"alerts/year=2024/month=03/day=01/hour=00/a.parquet",
	)
	tables, err := DiscoverTables(lake)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tb := range tables {
		names = append(names, tb.Name+":"+string(tb.Kind))
	}
	if want := []string{"aws_cloudtrail:logs", "zeek_dns:logs", "alerts:alerts"}; !slices.Equal(names, want) {
		t.Fatalf("tables = %q, want %q", names, want)
	}
	ct := tables[0]
	at := func(s string) time.Time {
		tm, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	tests := []struct {
		name  string
		r     TimeRange
		hours []string
		files int
	}{
		{name: "all", r: TimeRange{}, hours: []string{"2024-02-29T23", "2024-03-01T00", "2024-03-01T01", "2024-03-02T05"}, files: 5},
		{name: "from inside an hour keeps it", r: TimeRange{From: at("2024-03-01T00:59:59Z")}, hours: []string{"2024-03-01T00", "2024-03-01T01", "2024-03-02T05"}, files: 4},
		{name: "to is exclusive", r: TimeRange{To: at("2024-03-01T01:00:00Z")}, hours: []string{"2024-02-29T23", "2024-03-01T00"}, files: 3},
		{name: "one hour", r: TimeRange{From: at("2024-03-01T01:00:00Z"), To: at("2024-03-01T01:30:00Z")}, hours: []string{"2024-03-01T01"}, files: 1},
		{name: "month boundary", r: TimeRange{From: at("2024-02-29T23:30:00Z"), To: at("2024-03-01T00:00:01Z")}, hours: []string{"2024-02-29T23", "2024-03-01T00"}, files: 3},
		{name: "nothing", r: TimeRange{From: at("2025-01-01T00:00:00Z")}, hours: nil, files: 0},
	}
	for _, tt := range tests {
		parts, err := ct.Partitions(tt.r)
		if err != nil {
			t.Fatal(err)
		}
		var hours []string
		files := 0
		for _, p := range parts {
			hours = append(hours, p.Hour.Format("2006-01-02T15"))
			files += len(p.Files)
		}
		if !slices.Equal(hours, tt.hours) || files != tt.files {
			t.Errorf("%s: hours %q (%d files), want %q (%d files)", tt.name, hours, files, tt.hours, tt.files)
		}
	}
}

func TestDiscoverBadLake(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var le *LakeError
	if _, err := DiscoverTables(filepath.Join(dir, "nope")); !errors.As(err, &le) {
		t.Errorf("missing lake: err = %v, want a *LakeError", err)
	}
	f := filepath.Join(dir, "file")
	touch(t, dir, "file")
	if _, err := DiscoverTables(f); !errors.As(err, &le) {
		t.Errorf("file as lake: err = %v, want a *LakeError", err)
	}
	tables, err := DiscoverTables(dir)
	if err != nil || len(tables) != 0 {
		t.Errorf("empty lake: %v, %v; want no tables and no error", tables, err)
	}
}
