package scan

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"

	"panther/parsers/input"
)

var testNow = time.Date(2026, 11, 10, 14, 0, 0, 0, time.UTC)

// readAll reads documents (name -> content) through ReadSources and
// returns the resources and the problems reported.
func readAll(t *testing.T, opts ReadOptions, docs ...[2]string) ([]*Resource, []error) {
	t.Helper()
	dir := t.TempDir()
	var srcs []input.Source
	for _, d := range docs {
		p := filepath.Join(dir, d[0])
		if err := os.WriteFile(p, []byte(d[1]), 0o644); err != nil {
			t.Fatal(err)
		}
		srcs = append(srcs, input.Source{Path: p})
	}
	var problems []error
	opts.OnError = func(err error) { problems = append(problems, err) }
	if opts.Now == nil {
		opts.Now = func() time.Time { return testNow }
	}
	rd := NewReader(opts)
	var out []*Resource
	if err := rd.ReadSources(context.Background(), srcs, func(r *Resource) error { out = append(out, r); return nil }); err != nil {
		t.Fatal(err)
	}
	return out, problems
}

// field reads a top-level field of a resource's JSON.
func field(t *testing.T, r *Resource, path ...string) any {
	t.Helper()
	var m any
	if err := json.Unmarshal(r.JSON, &m); err != nil {
		t.Fatalf("%s: %v", r.ID, err)
	}
	for _, p := range path {
		mm, ok := m.(map[string]any)
		if !ok {
			return nil
		}
		m = mm[p]
	}
	return m
}

func byID(rs []*Resource, id string) *Resource {
	for _, r := range rs {
		if r.ID == id {
			return r
		}
	}
	return nil
}

func TestConfigAPIShapes(t *testing.T) {
	// get-resource-config-history: accountId, arn, and configuration and
	// supplementaryConfiguration values as JSON strings.
	history := `{"configurationItems": [{"version": "1.3", "accountId": "111122223333", "configurationItemCaptureTime": "2026-11-01T10:00:00.000000+00:00",
	  "configurationItemStatus": "OK", "arn": "arn:aws:s3:::hr-archive", "resourceType": "AWS::S3::Bucket", "resourceId": "hr-archive", "resourceName": "hr-archive",
	  "awsRegion": "eu-west-1", "tags": {"owner": "hr"},
	  "configuration": "{\"name\":\"hr-archive\",\"creationDate\":\"2024-01-01T00:00:00.000Z\"}",
	  "supplementaryConfiguration": {"BucketVersioningConfiguration": "{\"status\":\"Enabled\",\"isMfaDeleteEnabled\":true}",
	    "PublicAccessBlockConfiguration": "{\"blockPublicAcls\":true,\"ignorePublicAcls\":true,\"blockPublicPolicy\":true,\"restrictPublicBuckets\":false}",
	    "BucketPolicy": "{\"policyText\":\"{\\\"Statement\\\":[]}\"}"}}]}`
	// select-resource-config: each result a JSON string, tags as a list.
	selected := `{"Results": ["{\"accountId\":\"111122223333\",\"arn\":\"arn:aws:ec2:eu-west-1:111122223333:volume/vol-0aa\",\"awsRegion\":\"eu-west-1\",\"resourceType\":\"AWS::EC2::Volume\",\"resourceId\":\"vol-0aa\",\"resourceName\":\"vol-0aa\",\"tags\":[{\"key\":\"Name\",\"value\":\"scratch\"}],\"configuration\":{\"volumeId\":\"vol-0aa\",\"encrypted\":false,\"state\":{\"value\":\"available\"}},\"configurationItemCaptureTime\":\"2026-11-02T00:00:00.000Z\"}"],
	  "QueryInfo": {"SelectFields": [{"Name": "*"}]}}`
	// A change notification, as SNS and EventBridge deliver it.
	notification := `{"configurationItemDiff": {"changeType": "UPDATE"}, "messageType": "ConfigurationItemChangeNotification", "recordVersion": "1.3",
	  "configurationItem": {"configurationItemCaptureTime": "2026-11-03T00:00:00.000Z", "awsAccountId": "111122223333", "configurationItemStatus": "OK",
	    "resourceType": "AWS::EC2::VPC", "resourceId": "vpc-0bb", "ARN": "arn:aws:ec2:eu-west-1:111122223333:vpc/vpc-0bb", "awsRegion": "eu-west-1",
	    "configuration": {"vpcId": "vpc-0bb", "cidrBlock": "10.1.0.0/16", "state": {"value": "available"}, "isDefault": false}}}`
	rs, problems := readAll(t, ReadOptions{}, [2]string{"history.json", history}, [2]string{"select.json", selected}, [2]string{"notification.json", notification})
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	if len(rs) != 3 {
		t.Fatalf("%d resources", len(rs))
	}
	b := byID(rs, "arn:aws:s3:::hr-archive")
	if b == nil || b.Account != "111122223333" || b.Region != "eu-west-1" || !b.Time.Equal(time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)) {
		t.Fatalf("bucket: %+v", b)
	}
	if got := field(t, b, "Versioning"); got != "Enabled" {
		t.Errorf("Versioning %v", got)
	}
	if got := field(t, b, "MFADelete"); got != "Enabled" {
		t.Errorf("MFADelete %v", got)
	}
	if got := field(t, b, "PublicAccessBlockConfiguration", "RestrictPublicBuckets"); got != false {
		t.Errorf("PublicAccessBlockConfiguration.RestrictPublicBuckets %v", got)
	}
	if got := field(t, b, "Policy"); got != `{"Statement":[]}` {
		t.Errorf("Policy %v", got)
	}
	if got := field(t, b, "Tags", "owner"); got != "hr" {
		t.Errorf("Tags %v", got)
	}
	v := byID(rs, "arn:aws:ec2:eu-west-1:111122223333:volume/vol-0aa")
	if v == nil || field(t, v, "State") != "available" || field(t, v, "Encrypted") != false || v.Name != "scratch" {
		t.Fatalf("volume: %v %s", v, v.JSON)
	}
	if got := field(t, v, "Tags", "Name"); got != "scratch" {
		t.Errorf("Tags from a list: %v", got)
	}
	vpc := byID(rs, "arn:aws:ec2:eu-west-1:111122223333:vpc/vpc-0bb")
	if vpc == nil || field(t, vpc, "CidrBlock") != "10.1.0.0/16" || field(t, vpc, "FlowLogs") != nil {
		t.Fatalf("vpc: %s", vpc.JSON)
	}
}

func TestConfigDeletedAndOtherTypesAreSkipped(t *testing.T) {
	doc := `{"configurationItems": [
	  {"resourceType": "AWS::S3::Bucket", "resourceId": "gone", "configurationItemStatus": "ResourceDeleted", "configurationItemCaptureTime": "2026-11-01T00:00:00Z"},
	  {"resourceType": "AWS::EC2::Subnet", "resourceId": "subnet-1", "configurationItemStatus": "OK", "configuration": {}},
	  {"resourceType": "AWS::EC2::Instance", "resourceId": "i-1", "configurationItemStatus": "OK", "configuration": "not json"}]}`
	rd := NewReader(ReadOptions{Now: func() time.Time { return testNow }})
	var problems []error
	rd.opts.OnError = func(err error) { problems = append(problems, err) }
	n := 0
	if err := rd.ReadBytes("snap.json", []byte(doc), func(*Resource) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	if n != 0 || rd.Stats().Skipped != 2 {
		t.Fatalf("%d resources, %d skipped", n, rd.Stats().Skipped)
	}
	// The instance's configuration is a string that is not JSON: an
	// error naming the file and the item.
	if len(problems) != 1 || !strings.Contains(problems[0].Error(), "snap.json: configurationItems[2]: AWS::EC2::Instance item without a configuration object") {
		t.Fatalf("problems: %v", problems)
	}
}

func TestNativeResources(t *testing.T) {
	nd := `{"ResourceType": "AWS.S3.Bucket", "ResourceId": "arn:aws:s3:::a", "AccountId": "111122223333", "Region": "eu-west-1", "Name": "a"}
{"ResourceType": "aws.s3.bucket", "ResourceId": "arn:aws:s3:::b"}

{"ResourceType": "AWS.S3.Buckets", "ResourceId": "arn:aws:s3:::c"}
not json
`
	rs, problems := readAll(t, ReadOptions{}, [2]string{"resources.jsonl", nd})
	if len(rs) != 2 || rs[0].Account != "111122223333" || rs[1].Type != "AWS.S3.Bucket" {
		t.Fatalf("%+v", rs)
	}
	if got := field(t, rs[1], "ResourceType"); got != "AWS.S3.Bucket" {
		t.Errorf("the type is canonicalised in the JSON too: %v", got)
	}
	if len(problems) != 2 || !strings.Contains(problems[0].Error(), `line 4: unknown ResourceType "AWS.S3.Buckets" (did you mean AWS.S3.Bucket?)`) ||
		!strings.Contains(problems[1].Error(), "line 5: not JSON") {
		t.Fatalf("problems: %v", problems)
	}
}

func TestInputErrors(t *testing.T) {
	cases := []struct{ name, data, want string }{
		{"empty", "  \n", "empty input"},
		{"unknown shape", `{"Buckets": [{"Name": "a"}]}`, `not an input panther scan reads (keys "Buckets")`},
		{"not json", `<xml/>`, "not JSON"},
		{"scalar", `42`, "expected a JSON object, found number"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, problems := readAll(t, ReadOptions{}, [2]string{"in.json", c.data})
			if len(problems) != 1 || !strings.Contains(problems[0].Error(), c.want) {
				t.Fatalf("got %v, want %q", problems, c.want)
			}
			var ie *InputError
			if !errors.As(problems[0], &ie) || !strings.HasSuffix(ie.File, "in.json") {
				t.Fatalf("not an InputError naming the file: %#v", problems[0])
			}
		})
	}
}

func TestMaxFileBytes(t *testing.T) {
	big := `{"ResourceType": "AWS.S3.Bucket", "ResourceId": "arn:aws:s3:::` + strings.Repeat("a", 2000) + `"}`
	rs, problems := readAll(t, ReadOptions{MaxFileBytes: 1000}, [2]string{"big.json", big}, [2]string{"small.json", `{"ResourceType": "AWS.S3.Bucket", "ResourceId": "x"}`})
	if len(rs) != 1 || rs[0].ID != "x" {
		t.Fatalf("the small input must still be read: %v", rs)
	}
	if len(problems) != 1 || !errors.Is(problems[0], ErrTooLarge) || !strings.Contains(problems[0].Error(), "big.json") {
		t.Fatalf("problems: %v", problems)
	}
}

func TestCompressedAndStdin(t *testing.T) {
	doc := `{"ResourceType": "AWS.EC2.VPC", "ResourceId": "vpc-1", "VpcId": "vpc-1"}`
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(doc))
	zw.Close()
	dir := t.TempDir()
	p := filepath.Join(dir, "vpc.json.gz")
	os.WriteFile(p, gz.Bytes(), 0o644)
	var out []*Resource
	rd := NewReader(ReadOptions{Stdin: strings.NewReader(`{"ResourceType": "AWS.EC2.VPC", "ResourceId": "vpc-2"}`)})
	err := rd.ReadSources(context.Background(), []input.Source{{Path: p}, {Path: "-"}}, func(r *Resource) error { out = append(out, r); return nil })
	if err != nil || len(out) != 2 || out[0].ID != "vpc-1" || out[1].ID != "vpc-2" || out[1].Source != "-" {
		t.Fatalf("%v %v", err, out)
	}
}

// The inputs that complete others (credential reports, flow logs,
// snapshot attributes...) are read first whatever their place in the
// arguments: the resources come out the same in any order.
func TestCompletingInputsInAnyOrder(t *testing.T) {
	vpcs := `{"Vpcs": [{"VpcId": "vpc-1", "OwnerId": "111122223333", "CidrBlock": "10.0.0.0/16"}]}`
	flows := `{"FlowLogs": [{"FlowLogId": "fl-1", "ResourceId": "vpc-1", "TrafficType": "REJECT", "FlowLogStatus": "ACTIVE"}]}`
	users := `{"UserDetailList": [{"UserName": "bob", "Arn": "arn:aws:iam::111122223333:user/bob", "UserId": "AIDA1"}]}`
	csv := "user,arn,user_creation_time,password_enabled,mfa_active\nbob,arn:aws:iam::111122223333:user/bob,2025-01-01T00:00:00+00:00,true,false\n"
	report := `{"Content": "` + b64(csv) + `", "ReportFormat": "text/csv"}`
	for _, order := range [][][2]string{
		{{"vpcs.json", vpcs}, {"flows.json", flows}, {"users.json", users}, {"report.json", report}},
		{{"report.json", report}, {"flows.json", flows}, {"users.json", users}, {"vpcs.json", vpcs}},
	} {
		rs, problems := readAll(t, ReadOptions{Region: "eu-west-1"}, order...)
		if len(problems) > 0 {
			t.Fatal(problems)
		}
		vpc := byID(rs, "arn:aws:ec2:eu-west-1:111122223333:vpc/vpc-1")
		if vpc == nil || field(t, vpc, "FlowLogs") == nil {
			t.Fatalf("the VPC without its flow log: %v", rs)
		}
		bob := byID(rs, "arn:aws:iam::111122223333:user/bob")
		if bob == nil || field(t, bob, "CredentialReport", "PasswordEnabled") != true || field(t, bob, "CredentialReport", "MfaActive") != false {
			t.Fatalf("bob without his report row: %s", bob.JSON)
		}
		n := 0
		for _, r := range rs {
			if r.Type == "AWS.IAM.User" {
				n++
			}
		}
		if n != 1 {
			t.Fatalf("bob emitted %d times", n)
		}
	}
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// CLI output that does not say its account or region takes --account and
// --region, or the one account the other inputs name.
func TestAccountAndRegionDefaults(t *testing.T) {
	pp := `{"PasswordPolicy": {"MinimumPasswordLength": 14}}`
	rs, problems := readAll(t, ReadOptions{}, [2]string{"pp.json", pp})
	if len(rs) != 0 || len(problems) != 1 || !strings.Contains(problems[0].Error(), "pass --account") {
		t.Fatalf("without an account: %v %v", rs, problems)
	}
	rs, problems = readAll(t, ReadOptions{Account: "111122223333"}, [2]string{"pp.json", pp})
	if len(problems) > 0 || len(rs) != 1 || rs[0].ID != "111122223333::AWS.PasswordPolicy" {
		t.Fatalf("with --account: %v %v", rs, problems)
	}
	trails := `{"trailList": [{"Name": "main", "TrailARN": "arn:aws:cloudtrail:us-east-1:444455556666:trail/main", "IsMultiRegionTrail": true}]}`
	rs, problems = readAll(t, ReadOptions{}, [2]string{"pp.json", pp}, [2]string{"trails.json", trails})
	if len(problems) > 0 || byID(rs, "444455556666::AWS.PasswordPolicy") == nil {
		t.Fatalf("the account of the other inputs: %v %v", rs, problems)
	}
}

func TestTopKeys(t *testing.T) {
	cases := map[string]string{
		`{"a": 1, "b": [1, {"c": "}"}], "d": "x\"y"}`: "a,b,d",
		` {"FlowLogs": [ {"ResourceId": "vpc-1"`:      "FlowLogs",
		`[{"a": 1}]`:                                  "",
		`{"a`:                                         "",
		`{"a": "unterminated`:                         "a",
	}
	for in, want := range cases {
		if got := strings.Join(topKeys([]byte(in)), ","); got != want {
			t.Errorf("topKeys(%q) = %q, want %q", in, got, want)
		}
	}
}
