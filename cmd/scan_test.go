package cmd

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Flags go into ScanOptions apart from running anything.
func TestScanFlags(t *testing.T) {
	var got *ScanOptions
	app := &App{IO: TestIO(strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{}), Now: time.Now, Getenv: func(string) string { return "" },
		WorkDir: t.TempDir(), ConfigDir: t.TempDir()}
	root := NewRootCmd(app)
	for _, c := range root.Commands() {
		if c.Name() == "scan" {
			root.RemoveCommand(c)
		}
	}
	root.AddCommand(NewCmdScan(app, func(o *ScanOptions) error { got = o; return nil }))
	root.SetArgs([]string{"scan", "a.json", "plan.json", "--format", "sarif", "--fail-on", "High", "--account", "111122223333",
		"--region", "eu-west-1", "--policy", "AWS.S3.Bucket.PublicRead", "--filter", "Severity=High", "--max-file-size", "64MiB",
		"--terraform-dir", "infra", "--lake", "lk"})
	if err := root.Execute(); err != nil {
		t.Fatal(err)
	}
	if got == nil || strings.Join(got.Inputs, ",") != "a.json,plan.json" || got.Format != "sarif" || got.FailOn != "HIGH" ||
		got.Account != "111122223333" || got.Region != "eu-west-1" || got.Policies[0] != "AWS.S3.Bucket.PublicRead" ||
		got.Filters[0] != "Severity=High" || got.MaxFileBytes != 64<<20 || got.TerraformDir != "infra" || got.Lake != "lk" {
		t.Fatalf("%+v", got)
	}
	for _, bad := range [][]string{
		{"scan"},
		{"scan", "x", "--format", "xml"},
		{"scan", "x", "--fail-on", "urgent"},
		{"scan", "x", "--max-file-size", "lots"},
	} {
		if _, _, code := run(t, t.TempDir(), bad...); code != ExitUsage {
			t.Errorf("%v: exit %d, want %d", bad, code, ExitUsage)
		}
	}
}

func TestScanFixturesExitCodes(t *testing.T) {
	snap := filepath.Join("..", "testdata", "scan", "config-snapshot", "inputs")
	out, errOut, code := run(t, t.TempDir(), "scan", snap)
	if code != ExitFindings {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	if !strings.Contains(out, "FAIL [CRITICAL] AWS.S3.Bucket.PublicPolicy") || !strings.Contains(out, "29 resources in 19 types") {
		t.Fatalf("%s", out)
	}
	// --fail-on critical: the snapshot has critical failures; --fail-on
	// none never fails on findings.
	if _, _, code := run(t, t.TempDir(), "scan", snap, "--fail-on", "critical"); code != ExitFindings {
		t.Errorf("--fail-on critical: exit %d", code)
	}
	if _, _, code := run(t, t.TempDir(), "scan", snap, "--fail-on", "none"); code != ExitOK {
		t.Errorf("--fail-on none: exit %d", code)
	}
	// Only low policies selected: nothing at or above high fails.
	if _, errOut, code := run(t, t.TempDir(), "scan", snap, "--filter", "Severity=Low", "--fail-on", "high"); code != ExitOK {
		t.Errorf("low policies, --fail-on high: exit %d %s", code, errOut)
	}
	// An input that cannot be read is exit 3, after the others are scanned.
	out, errOut, code = run(t, t.TempDir(), "scan", snap, "/does/not/exist.json", "--fail-on", "none")
	if code != ExitOperational || !strings.Contains(errOut, "/does/not/exist.json") || !strings.Contains(out, "29 resources") {
		t.Errorf("missing input: exit %d\n%s\n%s", code, out, errOut)
	}
}

func TestScanSARIFForAPlan(t *testing.T) {
	plan := filepath.Join("..", "testdata", "scan", "terraform-plan", "plan.json")
	out, errOut, code := run(t, t.TempDir(), "scan", plan, "--format", "sarif", "--account", "314159265358")
	if code != ExitFindings {
		t.Fatalf("exit %d %s", code, errOut)
	}
	var doc struct {
		Runs []struct {
			Results []struct {
				RuleID    string
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct{ URI string }
						Region           struct{ StartLine int }
					}
					LogicalLocations []struct{ FullyQualifiedName string }
				}
			}
		}
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range doc.Runs[0].Results {
		loc := r.Locations[0]
		if r.RuleID == "AWS.EC2.Volume.Encryption" {
			found = true
			if !strings.HasSuffix(loc.PhysicalLocation.ArtifactLocation.URI, "terraform-plan/modules/network/main.tf") ||
				loc.PhysicalLocation.Region.StartLine != 16 || loc.LogicalLocations[0].FullyQualifiedName != "module.network.aws_ebs_volume.scratch" {
				t.Errorf("%+v", loc)
			}
		}
	}
	if !found {
		t.Fatalf("no EBS result:\n%s", out)
	}
	if !strings.Contains(errOut, "16 resources in 14 types") {
		t.Errorf("the summary goes to stderr with --format sarif: %s", errOut)
	}
}

// --lake writes the compliance table that search reads, once per input.
func TestScanLake(t *testing.T) {
	dir := t.TempDir()
	lake := filepath.Join(dir, "lake")
	snap := filepath.Join("..", "testdata", "scan", "config-snapshot", "inputs")
	_, errOut, code := run(t, dir, "scan", snap, "--lake", lake, "--fail-on", "none")
	if code != ExitOK || !strings.Contains(errOut, "compliance rows") {
		t.Fatalf("exit %d %s", code, errOut)
	}
	q := "SELECT status, count(*) FROM compliance GROUP BY 1 ORDER BY 1"
	out, errOut, code := run(t, dir, "search", "--lake", lake, "--format", "csv", q)
	if code != ExitOK {
		t.Fatalf("search: exit %d %s", code, errOut)
	}
	want := "status,count_star()\nfail,22\npass,64\n"
	if out != want {
		t.Fatalf("got\n%s\nwant\n%s", out, want)
	}
	// When did the bucket become public: its rows, with the capture time.
	out, _, _ = run(t, dir, "search", "--lake", lake, "--format", "csv",
		"SELECT p_event_time, policy_id, status FROM compliance WHERE resource_id = 'arn:aws:s3:::fernhill-customer-exports' AND policy_id = 'AWS.S3.Bucket.PublicPolicy'")
	if !strings.Contains(out, "2026-11-10T12:00:00Z,AWS.S3.Bucket.PublicPolicy,fail") {
		t.Fatalf("%s", out)
	}
	// The same snapshot again: its rows are not written twice (the Meta
	// resources, derived from the scan, are).
	_, errOut, _ = run(t, dir, "scan", snap, "--lake", lake, "--fail-on", "none")
	if !strings.Contains(errOut, "lake "+lake+": 3 compliance rows (83 checks of inputs already in the lake not written again)") {
		t.Fatalf("second run: %s", errOut)
	}
	out, _, _ = run(t, dir, "search", "--lake", lake, "--format", "csv", "SELECT count(*) FROM compliance")
	if out != "count_star()\n89\n" {
		t.Fatalf("rows after the second run: %s", out)
	}
}

func TestResourceTypes(t *testing.T) {
	out, _, code := run(t, t.TempDir(), "resourcetypes")
	if code != ExitOK || !strings.Contains(out, "AWS.S3.Bucket ") || !strings.Contains(out, "AWS.EC2.Snapshot ") {
		t.Fatalf("exit %d\n%s", code, out)
	}
	out, _, _ = run(t, t.TempDir(), "resourcetypes", "aws.iam.user")
	if !strings.Contains(out, "CredentialReport") || !strings.Contains(out, "AWS Config:  AWS::IAM::User") {
		t.Fatalf("%s", out)
	}
	out, _, _ = run(t, t.TempDir(), "resourcetypes", "--format", "json")
	var all []struct{ Name string }
	if err := json.Unmarshal([]byte(out), &all); err != nil || len(all) < 20 {
		t.Fatalf("%v %d", err, len(all))
	}
	if _, errOut, code := run(t, t.TempDir(), "resourcetypes", "AWS.S3.Buckett"); code != ExitUsage || !strings.Contains(errOut, "did you mean AWS.S3.Bucket?") {
		t.Fatalf("exit %d %s", code, errOut)
	}
}

// A policy naming a resource type that does not exist is an error of
// validate, with the nearest name.
func TestValidateResourceTypes(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"p.yml": "AnalysisType: policy\nPolicyID: P\nFilename: p.lua\nResourceTypes: [AWS.S3.Buckets]\nSeverity: Low\n",
		"p.lua": "function policy(r) return true end",
	})
	out, _, code := run(t, dir, "validate", dir)
	if code != ExitFindings || !strings.Contains(out, `unknown resource type "AWS.S3.Buckets"`) || !strings.Contains(out, "did you mean AWS.S3.Bucket?") {
		t.Fatalf("exit %d\n%s", code, out)
	}
}
