package cmd

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
)

// Flag parsing apart from behaviour, as the GitHub CLI tests it: each
// command is built with a runF that keeps the options it was given.

var flagNow = time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)

// parseCmd parses args for the command newCmd builds (under a root that
// loads the settings as panther's does), in the work folder dir, and
// returns the options runF received.
func parseCmd[T any](t *testing.T, dir string, newCmd func(*App, func(*T) error) *cobra.Command, args ...string) (*T, error) {
	t.Helper()
	var got *T
	app := &App{IO: TestIO(strings.NewReader(""), io.Discard, io.Discard), Now: func() time.Time { return flagNow },
		WorkDir: dir, ConfigDir: filepath.Join(dir, ".no-user-config")}
	root := &cobra.Command{Use: "panther", SilenceUsage: true, SilenceErrors: true}
	root.PersistentFlags().String("config", "", "")
	root.PersistentFlags().String("cpuprofile", "", "")
	root.PersistentPreRunE = func(c *cobra.Command, _ []string) error { return app.prepare(c) }
	root.AddCommand(newCmd(app, func(o *T) error { got = o; return nil }))
	usageErrors(root)
	root.SetArgs(args)
	root.SetOut(io.Discard)
	root.SetErr(io.Discard)
	err := root.Execute()
	return got, err
}

func exitCode(err error) int {
	var ee *ExitError
	if errors.As(err, &ee) {
		return ee.Code
	}
	if err != nil {
		return -1
	}
	return 0
}

func TestTestFlags(t *testing.T) {
	t.Parallel()
	dir := writeTree(t, map[string]string{".panther.yml": "filter: [Severity=High]\nminimum_tests: 2\nparallel: 3\n"})
	o, err := parseCmd(t, dir, newCmdTest, "test", "rules", "other", "--format", "junit", "--run", "Root|MFA", "-v", "--strict", "--parallel", "5")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(o.Paths, ",") != "rules,other" || o.Format != "junit" || o.Run.String() != "Root|MFA" || !o.Verbose || !o.Strict {
		t.Errorf("options %+v", o)
	}
	// The file's settings, and the flag over the file.
	if len(o.Filters) != 1 || o.Filters[0].Key != "Severity" || o.MinimumTests != 2 || o.Parallel != 5 {
		t.Errorf("settings: filters %+v, minimum %d, parallel %d", o.Filters, o.MinimumTests, o.Parallel)
	}
	for _, args := range [][]string{{"test", "--format", "xml"}, {"test", "--run", "("}, {"test", "--filter", "Severty=High"}, {"test", "--parallel", "-1"}, {"test", "--bogus"}} {
		if _, err := parseCmd(t, dir, newCmdTest, args...); exitCode(err) != ExitUsage {
			t.Errorf("%v: %v, want a usage error", args, err)
		}
	}
}

func TestReplayFlags(t *testing.T) {
	t.Parallel()
	dir := writeTree(t, map[string]string{".panther.yml": "workers: 3\nlake: lake\n"})
	o, err := parseCmd(t, dir, newCmdReplay, "replay", "logs/", "-", "--since", "2024-03-01", "--until", "2024-03-02",
		"--max-record-bytes", "1MiB", "--rule", "A", "--rule", "B", "--format", "jsonl", "--dead-letter", "bad.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	if !o.Since.Equal(time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)) || !o.Until.Equal(time.Date(2024, 3, 3, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("since %v until %v (a date as --until: through that day)", o.Since, o.Until)
	}
	if o.MaxRecordBytes != 1<<20 || strings.Join(o.Rules, ",") != "A,B" || o.Format != "jsonl" || o.DeadLetter != "bad.jsonl" ||
		strings.Join(o.Inputs, ",") != "logs/,-" {
		t.Errorf("options %+v", o)
	}
	if o.Workers != 3 || o.LakeDir != filepath.Join(dir, "lake") {
		t.Errorf("settings from the file: workers %d, lake %s (relative to the file)", o.Workers, o.LakeDir)
	}
	o, _ = parseCmd(t, dir, newCmdReplay, "replay", "x", "--since", "7d", "--workers", "1")
	if !o.Since.Equal(flagNow.Add(-7*24*time.Hour)) || o.Workers != 1 {
		t.Errorf("--since 7d: %v; --workers over the file: %d", o.Since, o.Workers)
	}
	for _, args := range [][]string{{"replay"}, {"replay", "x", "--format", "csv"}, {"replay", "x", "--since", "yesterday"},
		{"replay", "x", "--max-record-bytes", "12 parsecs"}, {"replay", "x", "--since", "2024-03-02", "--until", "2024-03-01"}} {
		if _, err := parseCmd(t, dir, newCmdReplay, args...); exitCode(err) != ExitUsage {
			t.Errorf("%v: %v, want a usage error", args, err)
		}
	}
}

func TestParseFlags(t *testing.T) {
	t.Parallel()
	dir := writeTree(t, map[string]string{".panther.yml": "max_record_bytes: 2KiB\n"})
	o, err := parseCmd(t, dir, newCmdParse, "parse", "--log-type", "AWS.CloudTrail", "--label", "prod", "-q", "--summary")
	if err != nil {
		t.Fatal(err)
	}
	if o.MaxRecordBytes != 2048 || o.LogType != "AWS.CloudTrail" || o.Label != "prod" || !o.Quiet || !o.Summary || strings.Join(o.Inputs, ",") != "-" {
		t.Errorf("options %+v", o)
	}
}

func TestSearchFlags(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	o, err := parseCmd(t, dir, newCmdSearch, "search", "--lake", "l", "--since", "2024-03-01", "--to", "2024-03-01", "--ip", "1.2.3.4,5.6.7.8", "--format", "csv", "--limit", "0")
	if err != nil {
		t.Fatal(err)
	}
	day := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	if !o.Range.From.Equal(day) || !o.Range.To.Equal(day.AddDate(0, 0, 1)) || !o.RangeGiven || len(o.Indicators) != 2 || o.Format != "csv" || o.Limit != 0 {
		t.Errorf("options %+v", o)
	}
	for _, args := range [][]string{
		{"search", "--lake", "l", "--since", "1d", "--from", "2024-01-01", "SELECT 1"},
		{"search", "--lake", "l", "SELECT 1", "--ip", "1.2.3.4"},
		{"search", "--lake", "l"},
		{"search", "SELECT 1"},
		{"search", "--lake", "l", "--ip", "not-an-ip"},
	} {
		if _, err := parseCmd(t, dir, newCmdSearch, args...); exitCode(err) != ExitUsage {
			t.Errorf("%v: %v, want a usage error", args, err)
		}
	}
}

func TestUploadFlags(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	zip := filepath.Join(dir, "p.zip")
	os.WriteFile(zip, []byte("PK"), 0o644)
	o, err := parseCmd(t, dir, newCmdUpload, "upload", "--pack", "P1", "--pack", "P2", "--dry-run", "--expect-active", "3", "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(o.IDs, ",") != "P1,P2" || len(o.Files) != 0 || !o.DryRun || o.Expect != 3 || o.Format != "json" {
		t.Errorf("options %+v", o)
	}
	o, _ = parseCmd(t, dir, newCmdUpload, "upload", zip, "--pack", "x.zip")
	if strings.Join(o.Files, ",") != zip+",x.zip" || len(o.IDs) != 0 {
		t.Errorf("zips: %+v", o)
	}
	if _, err := parseCmd(t, dir, newCmdUpload, "upload", zip, "--pack", "P1"); exitCode(err) != ExitUsage {
		t.Errorf("zips and IDs: %v", err)
	}
}

func TestDebugAndPackFlags(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	d, err := parseCmd(t, dir, newCmdDebug, "debug", "R", "fixture: f", "--detections", "rules")
	if err != nil || d.RuleID != "R" || d.Test != "fixture: f" || strings.Join(d.Paths, ",") != "rules" {
		t.Errorf("debug: %+v %v", d, err)
	}
	if _, err := parseCmd(t, dir, newCmdDebug, "debug", "R", "T", "--event", "e.json"); exitCode(err) != ExitUsage {
		t.Errorf("debug TEST and --event: %v", err)
	}
	if _, err := parseCmd(t, dir, newCmdDebug, "debug"); exitCode(err) != ExitUsage {
		t.Errorf("debug without RULE_ID: %v", err)
	}
	b, err := parseCmd(t, dir, newCmdPackBuild, "build", "rules", "--pack", "A,B", "-o", "out", "--skip-tests")
	if err != nil || strings.Join(b.IDs, ",") != "A,B" || b.OutDir != "out" || !b.SkipTests || strings.Join(b.Paths, ",") != "rules" {
		t.Errorf("pack build: %+v %v", b, err)
	}
	r, err := parseCmd(t, dir, newCmdRemoteActivate, "activate", "P", "3")
	if err != nil || r.Pack != "P" || r.Version != 3 {
		t.Errorf("remote activate: %+v %v", r, err)
	}
	if _, err := parseCmd(t, dir, newCmdRemoteActivate, "activate", "P", "three"); exitCode(err) != ExitUsage {
		t.Errorf("a version that is not a number: %v", err)
	}
}

// serve --retention: a duration of at least 2h, into the live options;
// bad values are usage errors naming the flag.
func TestServeRetentionFlag(t *testing.T) {
	dir := t.TempDir()
	o, err := parseCmd(t, dir, newCmdServe, "serve", "--data", dir, "--retention", "90d")
	if err != nil {
		t.Fatal(err)
	}
	live, err := liveOptions(o)
	if err != nil || live.Retention != 90*24*time.Hour {
		t.Fatalf("retention %v, %v", live.Retention, err)
	}
	o, _ = parseCmd(t, dir, newCmdServe, "serve", "--data", dir)
	if live, err := liveOptions(o); err != nil || live.Retention != 0 {
		t.Fatalf("default retention %v, %v", live.Retention, err)
	}
	for _, bad := range []string{"30m", "soon", "-5d"} {
		o, _ := parseCmd(t, dir, newCmdServe, "serve", "--data", dir, "--retention", bad)
		if _, err := liveOptions(o); exitCode(err) != ExitUsage || !strings.Contains(err.Error(), "--retention") {
			t.Errorf("--retention %s: %v", bad, err)
		}
	}
}
