package scan

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"panther/engine"
	"panther/parsers/logtypes"
)

// testPolicies writes a detections tree of small policies and loads it.
func testPolicies(t *testing.T) *engine.Set {
	t.Helper()
	dir := t.TempDir()
	write := func(name, body string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	spec := func(id, file, types, sev, extra string) string {
		return fmt.Sprintf("AnalysisType: policy\nPolicyID: %s\nDisplayName: %s policy\nEnabled: true\nFilename: %s\nResourceTypes: [%s]\nSeverity: %s\n%s",
			id, id, file, types, sev, extra)
	}
	write("versioning.yml", spec("Test.Versioning", "versioning.lua", "AWS.S3.Bucket", "Low", "Suppressions: [\"arn:aws:s3:::scratch-*\"]\n"))
	write("versioning.lua", `function policy(r) return r.Versioning == "Enabled" end
function title(r) return "bucket " .. r.Name .. " unversioned" end`)
	write("public.yml", spec("Test.Public", "public.lua", "AWS.S3.Bucket", "High", ""))
	write("public.lua", `function policy(r) return r.Public ~= true end
function severity(r) if r.Name == "crown-jewels" then return "CRITICAL" end return "DEFAULT" end
function dedup(r) return "public:" .. r.Name end`)
	write("broken.yml", spec("Test.Broken", "broken.lua", "AWS.EC2.VPC", "Medium", ""))
	write("broken.lua", `function policy(r) if r.VpcId == "vpc-err" then error("boom") end return r.VpcId ~= "vpc-nil" and true or nil end`)
	write("off.yml", "AnalysisType: policy\nPolicyID: Test.Disabled\nEnabled: false\nFilename: off.lua\nResourceTypes: [AWS.S3.Bucket]\nSeverity: Info\n")
	write("off.lua", `function policy(r) return false end`)
	set := engine.Load([]engine.Source{engine.DirSource(dir)}, engine.LoadOptions{Registry: logtypes.Default(), ResourceTypes: TypeNames()})
	for _, d := range set.Diagnostics {
		t.Fatalf("%s", d)
	}
	return set
}

func res(typ, id, js string) *Resource {
	return &Resource{Type: typ, ID: id, Source: "test.json", Format: "panther", Time: testNow, JSON: []byte(js)}
}

func run(t *testing.T, sc *Scanner, rs []*Resource) []Evaluated {
	t.Helper()
	var out []Evaluated
	err := sc.Run(context.Background(), func(feed Emit) error {
		for _, r := range rs {
			if err := feed(r); err != nil {
				return err
			}
		}
		return nil
	}, func(ev Evaluated) error { out = append(out, ev); return nil })
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestScannerVerdicts(t *testing.T) {
	sc := NewScanner(testPolicies(t), Options{Workers: 2})
	ids := []string{}
	for _, d := range sc.Policies() {
		ids = append(ids, d.ID)
	}
	if strings.Join(ids, ",") != "Test.Broken,Test.Public,Test.Versioning" {
		t.Fatalf("policies: %v (disabled ones do not run)", ids)
	}
	evs := run(t, sc, []*Resource{
		res("AWS.S3.Bucket", "arn:aws:s3:::logs", `{"ResourceId": "arn:aws:s3:::logs", "Name": "logs", "Versioning": "Enabled"}`),
		res("AWS.S3.Bucket", "arn:aws:s3:::crown-jewels", `{"ResourceId": "arn:aws:s3:::crown-jewels", "Name": "crown-jewels", "Public": true}`),
		res("AWS.S3.Bucket", "arn:aws:s3:::scratch-1", `{"ResourceId": "arn:aws:s3:::scratch-1", "Name": "scratch-1"}`),
		res("AWS.EC2.VPC", "vpc-err", `{"VpcId": "vpc-err"}`),
		res("AWS.EC2.VPC", "vpc-nil", `{"VpcId": "vpc-nil"}`),
		res("AWS.EC2.Volume", "vol-1", `{}`),
		res("AWS.EC2.VPC", "vpc-bad", `[1]`),
	})
	got := []string{}
	for _, ev := range evs {
		for _, r := range ev.Results {
			s := fmt.Sprintf("%s %s %s %s", r.Policy.ID, r.Resource.ID, r.Status, r.Severity)
			if r.Status == Fail {
				s += fmt.Sprintf(" title=%q dedup=%q", r.Title, r.Dedup)
			}
			if r.Status == Error {
				s += " err=" + strings.SplitN(r.Err, "\n", 2)[0]
			}
			got = append(got, s)
		}
		for _, d := range ev.Suppressed {
			got = append(got, d.ID+" "+ev.Resource.ID+" suppressed")
		}
		if len(ev.Results) == 0 && len(ev.Suppressed) == 0 {
			got = append(got, ev.Resource.ID+" unchecked")
		}
	}
	want := []string{
		"Test.Public arn:aws:s3:::logs pass HIGH",
		"Test.Versioning arn:aws:s3:::logs pass LOW",
		`Test.Public arn:aws:s3:::crown-jewels fail CRITICAL title="Test.Public policy" dedup="public:crown-jewels"`,
		`Test.Versioning arn:aws:s3:::crown-jewels fail LOW title="bucket crown-jewels unversioned" dedup="arn:aws:s3:::crown-jewels"`,
		"Test.Public arn:aws:s3:::scratch-1 pass HIGH",
		"Test.Versioning arn:aws:s3:::scratch-1 suppressed",
		"Test.Broken vpc-err error MEDIUM err=",
		"Test.Broken vpc-nil error MEDIUM err=policy() returned nil; return true (compliant) or false",
		"vol-1 unchecked",
		"Test.Broken vpc-bad error MEDIUM err=the resource is not a JSON object: expected a JSON object, got array",
	}
	if len(got) != len(want) {
		t.Fatalf("got\n%s", strings.Join(got, "\n"))
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("got  %s\nwant %s", got[i], want[i])
		}
	}
	if !strings.Contains(got[6], "boom") {
		t.Errorf("a Lua error says what: %s", got[6])
	}
}

// Results come out in input order whatever the number of workers.
func TestScannerOrder(t *testing.T) {
	sc := NewScanner(testPolicies(t), Options{Workers: 4})
	var rs []*Resource
	for i := range 2000 {
		name := fmt.Sprintf("b%04d", i)
		v := "Enabled"
		if i%7 == 0 {
			v = "Suspended"
		}
		rs = append(rs, res("AWS.S3.Bucket", "arn:aws:s3:::"+name, fmt.Sprintf(`{"ResourceId": "arn:aws:s3:::%s", "Name": %q, "Versioning": %q}`, name, name, v)))
	}
	evs := run(t, sc, rs)
	if len(evs) != len(rs) {
		t.Fatalf("%d results for %d resources", len(evs), len(rs))
	}
	for i, ev := range evs {
		if ev.Resource != rs[i] {
			t.Fatalf("result %d is for %s", i, ev.Resource.ID)
		}
		want := Pass
		if i%7 == 0 {
			want = Fail
		}
		if ev.Results[1].Status != want {
			t.Fatalf("%s: %s", ev.Resource.ID, ev.Results[1].Status)
		}
	}
}

func TestScannerStopsOnSinkError(t *testing.T) {
	sc := NewScanner(testPolicies(t), Options{Workers: 2})
	stop := errors.New("disk full")
	n := 0
	err := sc.Run(context.Background(), func(feed Emit) error {
		for i := range 10000 {
			if err := feed(res("AWS.S3.Bucket", fmt.Sprint(i), `{"Name": "x"}`)); err != nil {
				return err
			}
		}
		return nil
	}, func(Evaluated) error {
		n++
		if n == 10 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || n != 10 {
		t.Fatalf("err %v after %d results", err, n)
	}
}

func TestGlobMatch(t *testing.T) {
	cases := []struct {
		p, s string
		want bool
	}{
		{"arn:aws:s3:::scratch-*", "arn:aws:s3:::scratch-1", true},
		{"arn:aws:s3:::scratch-*", "arn:aws:s3:::prod", false},
		{"*:role/admin*", "arn:aws:iam::1:role/admin/x", true},
		{"vol-?", "vol-1", true},
		{"vol-?", "vol-12", false},
		{"exact", "exact", true},
		{"*", "", true},
		{"a*b*c", "aXbYbc", true},
		{"a*b*c", "aXbY", false},
	}
	for _, c := range cases {
		if got := globMatch(c.p, c.s); got != c.want {
			t.Errorf("globMatch(%q, %q) = %v", c.p, c.s, got)
		}
	}
}

// report runs a scan through a reporter.
func report(t *testing.T, format string, rs []*Resource) string {
	t.Helper()
	sc := NewScanner(testPolicies(t), Options{Workers: 2})
	var buf bytes.Buffer
	rep, err := NewReporter(format, &buf, ReportOptions{ToolVersion: "test"})
	if err != nil {
		t.Fatal(err)
	}
	sum := NewSummary()
	sum.Policies = len(sc.Policies())
	rep.Start(sc.Policies())
	for _, ev := range run(t, sc, rs) {
		sum.Add(ev)
		if err := rep.Add(ev); err != nil {
			t.Fatal(err)
		}
	}
	if err := rep.End(sum); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func reportResources() []*Resource {
	tf := res("AWS.S3.Bucket", "aws_s3_bucket.exports", `{"Name": "exports", "Public": true}`)
	tf.Address = "aws_s3_bucket.exports"
	tf.Location = &Location{File: "infra/main.tf", Line: 9}
	return []*Resource{
		res("AWS.S3.Bucket", "arn:aws:s3:::logs", `{"Name": "logs", "Versioning": "Enabled"}`),
		tf,
		res("AWS.EC2.VPC", "vpc-err", `{"VpcId": "vpc-err"}`),
	}
}

func TestReportPretty(t *testing.T) {
	out := report(t, "pretty", reportResources())
	// Highest severity first, each failing resource under its policy.
	i, j := strings.Index(out, "FAIL [HIGH] Test.Public"), strings.Index(out, "FAIL [LOW] Test.Versioning")
	if i < 0 || j < 0 || i > j {
		t.Fatalf("grouping:\n%s", out)
	}
	for _, want := range []string{
		"  - aws_s3_bucket.exports  infra/main.tf:9",
		"ERROR policies that failed to run (an error is never a pass):",
		"Test.Broken on vpc-err",
		"3 resources in 2 types, 3 policies: 5 checks, 2 passed, 2 failed (1 high, 1 low), 1 errors",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
}

func TestReportJSON(t *testing.T) {
	out := report(t, "json", reportResources())
	var doc struct {
		Policies []struct{ ID string }
		Results  []JSONResult
		Summary  map[string]any
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(doc.Policies) != 3 || len(doc.Results) != 5 || doc.Summary["failed"] != float64(2) || doc.Summary["errors"] != float64(1) {
		t.Fatalf("%+v", doc)
	}
	r := doc.Results[2]
	if r.Policy != "Test.Public" || r.Status != "fail" || r.Address != "aws_s3_bucket.exports" || r.File != "infra/main.tf" || r.Line != 9 {
		t.Fatalf("%+v", r)
	}
}

func TestReportJUnit(t *testing.T) {
	out := report(t, "junit", reportResources())
	var doc junitSuites
	if err := xml.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if doc.Tests != 5 || doc.Failures != 2 || doc.Errors != 1 || len(doc.Suites) != 3 {
		t.Fatalf("%+v", doc)
	}
}

func TestReportSARIF(t *testing.T) {
	out := report(t, "sarif", reportResources())
	var doc struct {
		Version string
		Runs    []struct {
			Tool struct {
				Driver struct {
					Rules []struct {
						ID         string
						Properties map[string]any
					}
				}
			}
			Results []struct {
				RuleID    string
				RuleIndex int
				Level     string
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct{ URI string }
						Region           struct{ StartLine int }
					}
					LogicalLocations []struct{ FullyQualifiedName, Kind string }
				}
			}
		}
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	run := doc.Runs[0]
	if doc.Version != "2.1.0" || len(run.Tool.Driver.Rules) != 3 || len(run.Results) != 3 {
		t.Fatalf("%s", out)
	}
	var found bool
	for _, r := range run.Results {
		if r.RuleID != "Test.Public" {
			continue
		}
		found = true
		loc := r.Locations[0]
		if r.Level != "error" || run.Tool.Driver.Rules[r.RuleIndex].ID != "Test.Public" ||
			loc.PhysicalLocation.ArtifactLocation.URI != "infra/main.tf" || loc.PhysicalLocation.Region.StartLine != 9 ||
			loc.LogicalLocations[0].FullyQualifiedName != "aws_s3_bucket.exports" {
			t.Fatalf("%+v", r)
		}
	}
	if !found {
		t.Fatal("no Test.Public result")
	}
}

func TestFailedAtOrAbove(t *testing.T) {
	s := NewSummary()
	s.FailedBySeverity = map[string]int{"LOW": 2, "HIGH": 1}
	for sev, want := range map[string]int{"INFO": 3, "LOW": 3, "MEDIUM": 1, "HIGH": 1, "CRITICAL": 0} {
		if got := s.FailedAtOrAbove(sev); got != want {
			t.Errorf("%s: %d, want %d", sev, got, want)
		}
	}
}
