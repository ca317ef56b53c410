package input

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestTimeKey(t *testing.T) {
	for _, tt := range []struct{ path, want string }{
		{"AWSLogs/111122223333/CloudTrail/eu-west-1/2024/01/02/111122223333_CloudTrail_eu-west-1_20240102T0305Z_abc.json.gz", "20240102030500"},
		{"flow/123_vpcflowlogs_us-east-1_fl-0a_20240102T030512Z_1.log.gz", "20240102030512"},
		{"zeek/2024-01-02/conn.03:00:00-04:00:00.log.gz", "20240102000000"},
		{"gcp/audit-2024-01-02.jsonl", "20240102000000"},
		{"gcp/audit-2024-01-02T07:30.jsonl", "20240102073000"},
		{"gcs/2024/01/02/07/part-0001.json", "20240102070000"},
		{"s3/2024/01/02/part-0001.json", "20240102000000"},
		{"logs/auth.log", ""},
		{"logs/auth.log.1", ""},
		{"AWSLogs/123456789012/part.json", ""},
		{"x/2024/13/02/a.json", ""},               // month 13
		{"x/20241302T0000Z.json", ""},             // month 13
		{"x/2024-01-02-25.log", "20240102000000"}, // hour 25 is not an hour: the date alone
		{"x/id-120240102T0305Z.json", ""},         // digits run on: not a date
	} {
		if got := timeKey(tt.path); got != tt.want {
			t.Errorf("timeKey(%q) = %q, want %q", tt.path, got, tt.want)
		}
	}
}

// An archive of two regions is read in time order, not region by region;
// undated files come first, and equal times keep their lexical order.
func TestExpandTimeOrder(t *testing.T) {
	dir := t.TempDir()
	files := []string{
		"AWSLogs/1/CloudTrail/eu-west-1/2024/01/01/1_CloudTrail_eu-west-1_20240101T0100Z_a.json",
		"AWSLogs/1/CloudTrail/eu-west-1/2024/01/02/1_CloudTrail_eu-west-1_20240102T0100Z_a.json",
		"AWSLogs/1/CloudTrail/us-east-1/2024/01/01/1_CloudTrail_us-east-1_20240101T0200Z_b.json",
		"AWSLogs/1/CloudTrail/us-east-1/2024/01/01/1_CloudTrail_us-east-1_20240101T0100Z_c.json",
		"notes/readme.txt",
	}
	for _, f := range files {
		p := filepath.Join(dir, filepath.FromSlash(f))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("{}\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	srcs, errs := Expand([]string{dir})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	var got []string
	for _, s := range srcs {
		rel, _ := filepath.Rel(dir, s.Path)
		got = append(got, filepath.ToSlash(rel))
	}
	want := []string{files[4], files[0], files[3], files[2], files[1]}
	if !slices.Equal(got, want) {
		t.Errorf("order:\n got %q\nwant %q", got, want)
	}
	// A glob's matches are ordered the same way.
	srcs, errs = Expand([]string{filepath.Join(dir, "AWSLogs", "1", "CloudTrail", "*")})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	got = got[:0]
	for _, s := range srcs {
		rel, _ := filepath.Rel(dir, s.Path)
		got = append(got, filepath.ToSlash(rel))
	}
	if !slices.Equal(got, want[1:]) {
		t.Errorf("glob order:\n got %q\nwant %q", got, want[1:])
	}
}
