package scan

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/valyala/fastjson"
)

// Each reader has a fuzz target; its seed corpus (the fixtures of
// testdata/scan and the cases below) runs in every go test. Whatever the
// input, a reader must not panic, and each resource it emits must be a JSON
// object whose ResourceType and ResourceId are the Resource's.
//
//	go test ./scan -run '^$' -fuzz FuzzConfigReader -fuzztime 1m

func fuzzRead(t *testing.T, data []byte) {
	rd := NewReader(ReadOptions{Now: func() time.Time { return testNow }, Account: "111122223333", Region: "eu-west-1", MaxFileBytes: 1 << 20})
	var p fastjson.Parser
	check := func(r *Resource) error {
		v, err := p.ParseBytes(r.JSON)
		if err != nil {
			t.Fatalf("%s: resource JSON does not parse: %v\n%s", r.Where(), err, r.JSON)
		}
		if v.Type() != fastjson.TypeObject {
			t.Fatalf("%s: resource is a %s", r.Where(), v.Type())
		}
		if got := string(v.GetStringBytes("ResourceType")); got != r.Type {
			t.Fatalf("%s: ResourceType %q, Resource.Type %q", r.Where(), got, r.Type)
		}
		if got := string(v.GetStringBytes("ResourceId")); got != r.ID || r.ID == "" {
			t.Fatalf("%s: ResourceId %q, Resource.ID %q", r.Where(), got, r.ID)
		}
		if _, ok := LookupType(r.Type); !ok {
			t.Fatalf("%s: unknown type %q", r.Where(), r.Type)
		}
		return nil
	}
	if err := rd.ReadBytes("fuzz.json", data, check); err != nil {
		t.Fatal(err)
	}
	if err := rd.Finish(check); err != nil {
		t.Fatal(err)
	}
}

func addFiles(f *testing.F, pattern string) {
	files, _ := filepath.Glob(pattern)
	if len(files) == 0 {
		f.Fatalf("no seed matches %s", pattern)
	}
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

func FuzzConfigReader(f *testing.F) {
	addFiles(f, "../testdata/scan/config-snapshot/inputs/*.json")
	for _, s := range []string{
		`{"configurationItems": []}`,
		`{"configurationItems": [null, 1, "x", {}]}`,
		`{"configurationItems": [{"resourceType": "AWS::S3::Bucket", "configuration": {}}]}`,
		`{"configurationItems": [{"resourceType": "AWS::S3::Bucket", "resourceId": "b", "configuration": "{\"name\":\"b\"}", "supplementaryConfiguration": {"AccessControlList": "{\"grantList\":[{\"grantee\":\"AllUsers\",\"permission\":\"Read\"}]}"}}]}`,
		`{"configurationItems": [{"resourceType": "AWS::EC2::SecurityGroup", "ARN": "arn:x", "configuration": {"ipPermissions": [{"ipv4Ranges": 5}]}}]}`,
		`{"configurationItems": [{"resourceType": "AWS::EC2::FlowLog", "configuration": {"resourceId": "vpc-1"}}, {"resourceType": "AWS::EC2::VPC", "resourceId": "vpc-1", "ARN": "arn:v", "configuration": {}}]}`,
		`{"baseConfigurationItems": [{"resourceType": "AWS::KMS::Key", "arn": "arn:k", "configuration": "{}", "supplementaryConfiguration": {"KeyRotationStatus": "true"}}]}`,
		`{"Results": ["{\"resourceType\":\"AWS::IAM::User\",\"arn\":\"arn:u\",\"configuration\":{\"userPolicyList\":[{\"policyName\":\"p\",\"policyDocument\":\"%7B%7D\"}]}}", 7], "QueryInfo": {}}`,
		`{"configurationItem": {"resourceType": "AWS::RDS::DBSnapshot", "ARN": "arn:s", "configuration": {"dBInstanceIdentifier": "db"}, "supplementaryConfiguration": {"DBSnapshotAttributes": [{"attributeName": "restore"}]}}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(fuzzRead)
}

func FuzzTerraformReader(f *testing.F) {
	addFiles(f, "../testdata/scan/terraform-plan/plan.json")
	for _, s := range []string{
		`{"format_version": "1.2", "planned_values": {}, "resource_changes": []}`,
		`{"resource_changes": [{"mode": "managed", "type": "aws_s3_bucket", "address": "aws_s3_bucket.b", "name": "b", "change": {"actions": ["create"], "after": {}}}]}`,
		`{"resource_changes": [{"mode": "managed", "type": "aws_s3_bucket_versioning", "address": "aws_s3_bucket_versioning.v", "change": {"actions": ["create"], "after": {"bucket": 5}}}], "configuration": {"root_module": {"resources": [{"type": "aws_s3_bucket_versioning", "name": "v", "expressions": {"bucket": {"references": ["aws_s3_bucket", "x"]}}}], "module_calls": {"m": {}}}}}`,
		`{"resource_changes": [{"mode": "managed", "type": "aws_security_group", "address": "aws_security_group.s", "index": 0, "change": {"actions": ["update"], "after": {"ingress": [{"protocol": "-1", "cidr_blocks": ["0.0.0.0/0"]}, 1]}}}]}`,
		`{"resource_changes": [{"mode": "managed", "type": "aws_lambda_permission", "address": "aws_lambda_permission.p", "change": {"actions": ["create"], "after": {"function_name": "f", "principal": "*"}}}, {"mode": "managed", "type": "aws_lambda_function", "address": "aws_lambda_function.f", "change": {"actions": ["create"], "after": {"function_name": "f"}}}]}`,
		`{"resource_changes": "x", "configuration": []}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(fuzzRead)
}

func FuzzCLIReader(f *testing.F) {
	addFiles(f, "../testdata/scan/aws-cli/inputs/*.json")
	for _, s := range []string{
		`{"Content": "dXNlcixhcm4KYm9iLGFybjphd3M6aWFtOjoxOnVzZXIvYm9iCg==", "ReportFormat": "text/csv"}`,
		`{"Content": "not base64, not csv \"", "ReportFormat": "text/csv"}`,
		`{"Reservations": [{"Instances": [null, {"InstanceId": 5}]}]}`,
		`{"SecurityGroups": [{"GroupId": "sg-1", "IpPermissions": "x"}]}`,
		`{"Policy": "{\"Statement\":[{\"Resource\":\"arn:aws:lambda:r:1:function:f:alias\"}]}", "RevisionId": "x"}`,
		`{"Policy": "{", "RevisionId": "x"}`,
		`{"KeyRotationEnabled": true, "KeyId": "arn:aws:kms:r:1:key/k"}`,
		`{"DetectorIds": ["d1", 2]}`,
		`{"ConfigurationRecordersStatus": [{}], "ConfigurationRecorders": [{"name": "default"}]}`,
		`[{"Vpcs": [{"VpcId": "v"}]}, {"FlowLogs": [{"ResourceId": "v"}]}]`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(fuzzRead)
}

func FuzzNativeReader(f *testing.F) {
	for _, s := range []string{
		`{"ResourceType": "AWS.S3.Bucket", "ResourceId": "arn:aws:s3:::b"}`,
		"{\"ResourceType\": \"AWS.S3.Bucket\", \"ResourceId\": \"a\"}\n{\"ResourceType\": \"x\", \"ResourceId\": \"b\"}\n{",
		`[{"ResourceType": "aws.ec2.vpc", "ResourceId": "v"}, {"ResourceType": "AWS.EC2.VPC", "ResourceId": ""}]`,
		`{"ResourceType": 5, "ResourceId": {}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(fuzzRead)
}
