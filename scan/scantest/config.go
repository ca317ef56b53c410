// Package scantest generates AWS Config snapshots for the benchmarks of
// panther scan: realistic items (the shapes of testdata/scan's snapshot)
// over the resource types an account holds most of, a few in every
// hundred misconfigured, ids and names that vary. Deterministic for a
// given size.
package scantest

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"strconv"

	"github.com/klauspost/compress/gzip"
)

// mix is how many of every 100 resources are of each kind.
var mix = []struct {
	kind string
	n    int
}{
	{"sg", 18}, {"instance", 14}, {"volume", 18}, {"bucket", 9}, {"user", 4}, {"role", 8}, {"policy", 3},
	{"vpc", 2}, {"key", 4}, {"db", 3}, {"dbsnap", 3}, {"lambda", 8}, {"trail", 1}, {"nacl", 5},
}

// Options size a generated corpus.
type Options struct {
	Dir       string
	Resources int // configuration items in all
	Files     int // snapshot files (one per account and region, as Config delivers)
}

// Generate writes Files gzip'd snapshot files holding Resources items, and
// returns their total uncompressed size.
func Generate(o Options) (int64, error) {
	if o.Files <= 0 {
		o.Files = 1
	}
	if err := os.MkdirAll(o.Dir, 0o755); err != nil {
		return 0, err
	}
	rng := rand.New(rand.NewPCG(uint64(o.Resources), 42))
	var kinds []string
	for _, m := range mix {
		for range m.n {
			kinds = append(kinds, m.kind)
		}
	}
	var total int64
	per := (o.Resources + o.Files - 1) / o.Files
	n := 0
	for f := 0; f < o.Files; f++ {
		account := fmt.Sprintf("%012d", 314159265358+int64(f/5))
		region := []string{"eu-west-1", "us-east-1", "eu-central-1", "us-west-2", "ap-southeast-2"}[f%5]
		name := filepath.Join(o.Dir, fmt.Sprintf("%s_Config_%s_ConfigSnapshot_20261110T120000Z_%04d.json.gz", account, region, f))
		fh, err := os.Create(name)
		if err != nil {
			return total, err
		}
		zw, _ := gzip.NewWriterLevel(fh, gzip.BestSpeed)
		w := bufio.NewWriterSize(zw, 1<<20)
		cw := &counter{w: w}
		fmt.Fprintf(cw, `{"fileVersion":"1.0","configSnapshotId":"bench-%04d","configurationItems":[`, f)
		for i := 0; i < per && n < o.Resources; i++ {
			if i > 0 {
				cw.Write([]byte{',', '\n'})
			}
			item := gen(rng, kinds[rng.IntN(len(kinds))], n, account, region)
			b, err := json.Marshal(item)
			if err != nil {
				return total, err
			}
			cw.Write(b)
			n++
		}
		cw.Write([]byte("]}\n"))
		if err := w.Flush(); err != nil {
			return total, err
		}
		if err := zw.Close(); err != nil {
			return total, err
		}
		if err := fh.Close(); err != nil {
			return total, err
		}
		total += cw.n
	}
	return total, nil
}

type counter struct {
	w *bufio.Writer
	n int64
}

func (c *counter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	return c.w.Write(p)
}

// Cached generates a corpus once into the system's temporary folder and
// returns its folder.
func Cached(resources, files int) (string, error) {
	dir := filepath.Join(os.TempDir(), "panther-bench-config-"+strconv.Itoa(resources)+"x"+strconv.Itoa(files))
	done := filepath.Join(dir, ".done")
	if _, err := os.Stat(done); err == nil {
		return dir, nil
	}
	if err := os.RemoveAll(dir); err != nil {
		return "", err
	}
	if _, err := Generate(Options{Dir: dir, Resources: resources, Files: files}); err != nil {
		return "", err
	}
	return dir, os.WriteFile(done, nil, 0o644)
}

type m = map[string]any

func item(typ, id, name, arn, account, region string, conf, supp m, tags m) m {
	if tags == nil {
		tags = m{}
	}
	return m{"configurationItemVersion": "1.3", "configurationItemCaptureTime": "2026-11-10T12:00:00.000Z", "configurationStateId": 1762776000000,
		"awsAccountId": account, "configurationItemStatus": "OK", "resourceType": typ, "resourceId": id, "resourceName": name, "ARN": arn,
		"awsRegion": region, "availabilityZone": "Not Applicable", "resourceCreationTime": "2025-03-02T09:14:00.000Z", "tags": tags,
		"relatedEvents": []any{}, "relationships": []any{}, "configuration": conf, "supplementaryConfiguration": supp}
}

func hexID(rng *rand.Rand, n int) string {
	const digits = "0123456789abcdef"
	b := make([]byte, n)
	for i := range b {
		b[i] = digits[rng.IntN(16)]
	}
	return string(b)
}

var teams = []string{"payments", "web", "data", "platform", "security", "ml", "search", "mobile"}

func enc(doc m) string {
	b, _ := json.Marshal(doc)
	return url.QueryEscape(string(b))
}

func gen(rng *rand.Rand, kind string, n int, account, region string) m {
	team := teams[rng.IntN(len(teams))]
	bad := rng.IntN(100) < 4 // a few in a hundred are misconfigured
	tags := m{"team": team, "env": []string{"prod", "staging", "dev"}[rng.IntN(3)], "Name": fmt.Sprintf("%s-%d", team, n)}
	switch kind {
	case "sg":
		id := "sg-0" + hexID(rng, 16)
		cidr := "10.0.0.0/8"
		if bad {
			cidr = "0.0.0.0/0"
		}
		perms := []any{
			m{"fromPort": 443, "toPort": 443, "ipProtocol": "tcp", "ipv4Ranges": []any{m{"cidrIp": "0.0.0.0/0"}}, "ipRanges": []any{"0.0.0.0/0"}, "ipv6Ranges": []any{}, "prefixListIds": []any{}, "userIdGroupPairs": []any{}},
			m{"fromPort": 22, "toPort": 22, "ipProtocol": "tcp", "ipv4Ranges": []any{m{"cidrIp": cidr}}, "ipRanges": []any{cidr}, "ipv6Ranges": []any{}, "prefixListIds": []any{}, "userIdGroupPairs": []any{}},
			m{"fromPort": 5432, "toPort": 5432, "ipProtocol": "tcp", "ipv4Ranges": []any{}, "ipRanges": []any{}, "ipv6Ranges": []any{}, "prefixListIds": []any{},
				"userIdGroupPairs": []any{m{"groupId": "sg-0" + hexID(rng, 16), "userId": account}}},
		}
		return item("AWS::EC2::SecurityGroup", id, team, "arn:aws:ec2:"+region+":"+account+":security-group/"+id, account, region,
			m{"description": team + " tier", "groupName": fmt.Sprintf("%s-%d", team, n), "ipPermissions": perms, "ownerId": account, "groupId": id,
				"ipPermissionsEgress": []any{m{"ipProtocol": "-1", "ipv4Ranges": []any{m{"cidrIp": "0.0.0.0/0"}}, "ipRanges": []any{"0.0.0.0/0"}, "ipv6Ranges": []any{}, "prefixListIds": []any{}, "userIdGroupPairs": []any{}}},
				"tags":                []any{m{"key": "team", "value": team}}, "vpcId": "vpc-0" + hexID(rng, 16)}, m{}, tags)
	case "instance":
		id := "i-0" + hexID(rng, 16)
		tokens := "required"
		if bad {
			tokens = "optional"
		}
		return item("AWS::EC2::Instance", id, id, "arn:aws:ec2:"+region+":"+account+":instance/"+id, account, region,
			m{"amiLaunchIndex": 0, "imageId": "ami-0" + hexID(rng, 16), "instanceId": id, "instanceType": []string{"t3.small", "m6i.large", "c6g.xlarge"}[rng.IntN(3)],
				"launchTime": "2026-10-01T07:00:00.000Z", "monitoring": m{"state": "disabled"}, "placement": m{"availabilityZone": region + "a", "tenancy": "default"},
				"privateIpAddress": fmt.Sprintf("10.%d.%d.%d", rng.IntN(256), rng.IntN(256), rng.IntN(256)), "state": m{"code": 16, "name": "running"},
				"subnetId": "subnet-0" + hexID(rng, 16), "vpcId": "vpc-0" + hexID(rng, 16), "architecture": "x86_64",
				"blockDeviceMappings": []any{m{"deviceName": "/dev/xvda", "ebs": m{"attachTime": "2026-10-01T07:00:05.000Z", "deleteOnTermination": true, "status": "attached", "volumeId": "vol-0" + hexID(rng, 16)}}},
				"ebsOptimized":        true, "securityGroups": []any{m{"groupName": team, "groupId": "sg-0" + hexID(rng, 16)}},
				"metadataOptions": m{"state": "applied", "httpTokens": tokens, "httpPutResponseHopLimit": 2, "httpEndpoint": "enabled"},
				"tags":            []any{m{"key": "Name", "value": tags["Name"]}}}, m{}, tags)
	case "volume":
		id := "vol-0" + hexID(rng, 16)
		return item("AWS::EC2::Volume", id, id, "arn:aws:ec2:"+region+":"+account+":volume/"+id, account, region,
			m{"attachments": []any{m{"attachTime": "2026-10-01T07:00:05.000Z", "device": "/dev/xvda", "instanceId": "i-0" + hexID(rng, 16), "state": "attached", "volumeId": id, "deleteOnTermination": true}},
				"availabilityZone": region + "a", "createTime": "2026-10-01T07:00:00.000Z", "encrypted": !bad, "size": 8 << rng.IntN(6),
				"snapshotId": "snap-0" + hexID(rng, 16), "state": m{"value": "in-use"}, "volumeId": id, "iops": 3000, "volumeType": "gp3"}, m{}, tags)
	case "bucket":
		name := fmt.Sprintf("fernhill-%s-%d-%s", team, n, hexID(rng, 6))
		supp := m{
			"AccessControlList":                 `{"grantSet":null,"grantList":[{"grantee":{"id":"5e1b7a2c9d4f60318a7e2b9c4d1f6a3e","displayName":null},"permission":"FullControl","referenceTypes":null}],"owner":{"displayName":null,"id":"5e1b7a2c9d4f60318a7e2b9c4d1f6a3e"},"isRequesterCharged":false}`,
			"BucketLoggingConfiguration":        m{"destinationBucketName": "fernhill-access-logs", "logFilePrefix": name + "/"},
			"BucketPolicy":                      m{"policyText": `{"Version":"2012-10-17","Statement":[{"Sid":"DenyInsecureTransport","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::` + name + `","arn:aws:s3:::` + name + `/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`},
			"BucketVersioningConfiguration":     m{"status": "Enabled", "isMfaDeleteEnabled": nil},
			"IsRequesterPaysEnabled":            false,
			"ServerSideEncryptionConfiguration": m{"rules": []any{m{"applyServerSideEncryptionByDefault": m{"sseAlgorithm": "AES256", "kmsMasterKeyID": nil}, "bucketKeyEnabled": false}}},
		}
		if !bad {
			supp["PublicAccessBlockConfiguration"] = m{"blockPublicAcls": true, "ignorePublicAcls": true, "blockPublicPolicy": true, "restrictPublicBuckets": true}
		}
		return item("AWS::S3::Bucket", name, name, "arn:aws:s3:::"+name, account, region, m{"name": name, "creationDate": "2025-03-02T09:14:00.000Z"}, supp, tags)
	case "user":
		name := fmt.Sprintf("%s.%d", team, n)
		var managed []any
		if bad {
			managed = []any{m{"policyName": "AdministratorAccess", "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}}
		}
		return item("AWS::IAM::User", "AIDA"+hexID(rng, 16), name, "arn:aws:iam::"+account+":user/"+name, account, "global",
			m{"path": "/", "userName": name, "userId": "AIDA" + hexID(rng, 16), "arn": "arn:aws:iam::" + account + ":user/" + name, "createDate": "2025-01-20T10:00:00.000Z",
				"userPolicyList": []any{}, "groupList": []any{team}, "attachedManagedPolicies": managed, "permissionsBoundary": nil, "tags": []any{}}, m{}, nil)
	case "role":
		name := fmt.Sprintf("%s-service-%d", team, n)
		principal := any(m{"Service": "lambda.amazonaws.com"})
		if bad && rng.IntN(4) == 0 {
			principal = m{"AWS": "*"}
		}
		return item("AWS::IAM::Role", "AROA"+hexID(rng, 16), name, "arn:aws:iam::"+account+":role/"+name, account, "global",
			m{"path": "/", "roleName": name, "roleId": "AROA" + hexID(rng, 16), "arn": "arn:aws:iam::" + account + ":role/" + name, "createDate": "2025-01-20T10:00:00.000Z",
				"assumeRolePolicyDocument": enc(m{"Version": "2012-10-17", "Statement": []any{m{"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}}}),
				"instanceProfileList":      []any{}, "rolePolicyList": []any{m{"policyName": "inline", "policyDocument": enc(m{"Version": "2012-10-17", "Statement": []any{m{"Effect": "Allow", "Action": []any{"s3:GetObject", "dynamodb:GetItem"}, "Resource": "*"}}})}},
				"attachedManagedPolicies": []any{m{"policyName": "AWSLambdaBasicExecutionRole", "policyArn": "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"}},
				"permissionsBoundary":     nil, "tags": []any{}, "roleLastUsed": nil}, m{}, nil)
	case "policy":
		name := fmt.Sprintf("%s-policy-%d", team, n)
		action := any([]any{"s3:GetObject", "s3:PutObject"})
		if bad {
			action = "*"
		}
		return item("AWS::IAM::Policy", "ANPA"+hexID(rng, 16), name, "arn:aws:iam::"+account+":policy/"+name, account, "global",
			m{"policyName": name, "policyId": "ANPA" + hexID(rng, 16), "arn": "arn:aws:iam::" + account + ":policy/" + name, "path": "/", "defaultVersionId": "v1",
				"attachmentCount": 1, "isAttachable": true, "createDate": "2025-06-01T08:00:00.000Z", "updateDate": "2025-06-01T08:00:00.000Z",
				"policyVersionList": []any{m{"document": enc(m{"Version": "2012-10-17", "Statement": []any{m{"Effect": "Allow", "Action": action, "Resource": "*"}}}), "versionId": "v1", "isDefaultVersion": true}}}, m{}, nil)
	case "vpc":
		id := "vpc-0" + hexID(rng, 16)
		return item("AWS::EC2::VPC", id, id, "arn:aws:ec2:"+region+":"+account+":vpc/"+id, account, region,
			m{"cidrBlock": "10.0.0.0/16", "dhcpOptionsId": "dopt-0" + hexID(rng, 16), "state": m{"value": "available"}, "vpcId": id, "ownerId": account,
				"instanceTenancy": "default", "isDefault": false, "tags": []any{}}, m{}, tags)
	case "key":
		id := fmt.Sprintf("%s-%s-4%s-8%s-%s", hexID(rng, 8), hexID(rng, 4), hexID(rng, 3), hexID(rng, 3), hexID(rng, 12))
		arn := "arn:aws:kms:" + region + ":" + account + ":key/" + id
		return item("AWS::KMS::Key", id, id, arn, account, region,
			m{"keyId": id, "arn": arn, "creationDate": "2025-02-01T10:00:00.000Z", "enabled": true, "description": team + " data", "keyUsage": "ENCRYPT_DECRYPT",
				"keyState": "Enabled", "origin": "AWS_KMS", "keyManager": "CUSTOMER", "keySpec": "SYMMETRIC_DEFAULT", "multiRegion": false, "awsaccountId": account},
			m{"KeyRotationStatus": !bad}, tags)
	case "db":
		id := fmt.Sprintf("%s-db-%d", team, n)
		arn := "arn:aws:rds:" + region + ":" + account + ":db:" + id
		return item("AWS::RDS::DBInstance", "db-"+hexID(rng, 26), id, arn, account, region,
			m{"dBInstanceIdentifier": id, "dBInstanceClass": "db.t4g.medium", "engine": "postgres", "engineVersion": "16.4", "dBInstanceStatus": "available",
				"endpoint": m{"address": id + ".c9akciq32." + region + ".rds.amazonaws.com", "port": 5432}, "allocatedStorage": 100, "backupRetentionPeriod": 7,
				"multiAZ": rng.IntN(2) == 0, "autoMinorVersionUpgrade": true, "publiclyAccessible": bad, "storageEncrypted": true, "dBInstanceArn": arn,
				"deletionProtection": true, "vpcSecurityGroups": []any{m{"vpcSecurityGroupId": "sg-0" + hexID(rng, 16), "status": "active"}}}, m{}, tags)
	case "dbsnap":
		id := fmt.Sprintf("%s-db-%d-manual", team, n)
		arn := "arn:aws:rds:" + region + ":" + account + ":snapshot:" + id
		vals := []any{}
		if bad {
			vals = []any{"all"}
		}
		return item("AWS::RDS::DBSnapshot", id, id, arn, account, region,
			m{"dBSnapshotIdentifier": id, "dBInstanceIdentifier": fmt.Sprintf("%s-db-%d", team, n), "engine": "postgres", "status": "available",
				"snapshotType": "manual", "encrypted": true, "dBSnapshotArn": arn}, m{"DBSnapshotAttributes": []any{m{"attributeName": "restore", "attributeValues": vals}}}, tags)
	case "lambda":
		name := fmt.Sprintf("%s-fn-%d", team, n)
		arn := "arn:aws:lambda:" + region + ":" + account + ":function:" + name
		return item("AWS::Lambda::Function", name, name, arn, account, region,
			m{"functionName": name, "functionArn": arn, "runtime": "python3.12", "role": "arn:aws:iam::" + account + ":role/" + name, "handler": "app.handler",
				"codeSize": 48211, "timeout": 30, "memorySize": 256, "lastModified": "2026-09-15T12:00:00.000+0000", "version": "$LATEST",
				"tracingConfig": m{"mode": "PassThrough"}, "revisionId": hexID(rng, 8), "state": m{"value": "Active"}, "packageType": "Zip"}, m{}, tags)
	case "trail":
		name := fmt.Sprintf("trail-%d", n)
		arn := "arn:aws:cloudtrail:" + region + ":" + account + ":trail/" + name
		return item("AWS::CloudTrail::Trail", name, name, arn, account, region,
			m{"name": name, "s3BucketName": "fernhill-cloudtrail", "includeGlobalServiceEvents": true, "isMultiRegionTrail": !bad, "homeRegion": region,
				"trailARN": arn, "logFileValidationEnabled": true, "kmsKeyId": "arn:aws:kms:" + region + ":" + account + ":key/k"}, m{}, nil)
	default: // nacl
		id := "acl-0" + hexID(rng, 16)
		entries := []any{
			m{"ruleNumber": 100, "ruleAction": "allow", "egress": false, "protocol": "6", "cidrBlock": "10.0.0.0/8", "portRange": m{"from": 22, "to": 22}},
			m{"ruleNumber": 110, "ruleAction": "allow", "egress": false, "protocol": "6", "cidrBlock": "0.0.0.0/0", "portRange": m{"from": 443, "to": 443}},
			m{"ruleNumber": 32767, "ruleAction": "deny", "egress": false, "protocol": "-1", "cidrBlock": "0.0.0.0/0"},
		}
		return item("AWS::EC2::NetworkAcl", id, id, "arn:aws:ec2:"+region+":"+account+":network-acl/"+id, account, region,
			m{"networkAclId": id, "vpcId": "vpc-0" + hexID(rng, 16), "isDefault": false, "ownerId": account, "entries": entries, "associations": []any{}}, m{}, tags)
	}
}
