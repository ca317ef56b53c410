package lake

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"panther/parsers"
	"panther/parsers/aws"
	"panther/parsers/event"
)

// cloudTrailGen makes synthetic CloudTrail records shaped like real ones
// (the mix of a busy account: data events, STS, EC2, console logins,
// errors), 0.7 to 2.5 KB each, deterministic for a seed. Times advance by
// step from start, so a run covers several hourly partitions.
type cloudTrailGen struct {
	r     *rand.Rand
	t     time.Time
	step  time.Duration
	n     int
	extra bool // add fields the schema does not declare
}

func newCloudTrailGen(seed uint64, start time.Time, step time.Duration) *cloudTrailGen {
	return &cloudTrailGen{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), t: start, step: step}
}

var (
	genUsers   = []string{"alice", "bob", "carol", "deploy-bot", "terraform", "svc-backup", "mallory"}
	genRoles   = []string{"Admin", "ReadOnly", "LambdaExec", "EKSNode", "OrganizationAccountAccessRole"}
	genRegions = []string{"us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2"}
	genAgents  = []string{
		"aws-cli/2.15.0 Python/3.11.6 Linux/6.1.0 exe/x86_64.debian.12 prompt/off command/s3.cp",
		"Boto3/1.34.11 md/Botocore#1.34.11 ua/2.0 os/linux#6.5.0 md/arch#x86_64 lang/python#3.12.1 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.11",
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
		"terraform-provider-aws/5.31.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.24.0 os/linux lang/go#1.21.5",
		"ec2.amazonaws.com", "s3.amazonaws.com",
	}
)

func (g *cloudTrailGen) hex(n int) string {
	const digits = "0123456789abcdef"
	b := make([]byte, n)
	for i := range b {
		b[i] = digits[g.r.IntN(16)]
	}
	return string(b)
}

func (g *cloudTrailGen) uuid() string {
	return g.hex(8) + "-" + g.hex(4) + "-4" + g.hex(3) + "-a" + g.hex(3) + "-" + g.hex(12)
}

func (g *cloudTrailGen) ip() string {
	return fmt.Sprintf("%d.%d.%d.%d", 1+g.r.IntN(223), g.r.IntN(256), g.r.IntN(256), 1+g.r.IntN(254))
}

func pick[T any](g *cloudTrailGen, l []T) T { return l[g.r.IntN(len(l))] }

// next returns one CloudTrail record as a JSON line.
func (g *cloudTrailGen) next() []byte {
	g.n++
	g.t = g.t.Add(g.step)
	acct := "1234567890" + strconv.Itoa(10+g.r.IntN(5))
	region := pick(g, genRegions)
	var identity string
	if g.r.IntN(3) == 0 {
		user := pick(g, genUsers)
		identity = fmt.Sprintf(`{"type":"IAMUser","principalId":"AIDA%s","arn":"arn:aws:iam::%s:user/%s","accountId":"%s","accessKeyId":"AKIA%s","userName":"%s"}`,
			g.hex(16), acct, user, acct, g.hex(16), user)
	} else {
		role := pick(g, genRoles)
		sess := pick(g, genUsers) + "-" + g.hex(6)
		identity = fmt.Sprintf(`{"type":"AssumedRole","principalId":"AROA%s:%s","arn":"arn:aws:sts::%s:assumed-role/%s/%s","accountId":"%s","accessKeyId":"ASIA%s","sessionContext":{"sessionIssuer":{"type":"Role","principalId":"AROA%s","arn":"arn:aws:iam::%s:role/%s","accountId":"%s","userName":"%s"},"webIdFederationData":{},"attributes":{"creationDate":"%s","mfaAuthenticated":"false"}}}`,
			g.hex(16), sess, acct, role, sess, acct, g.hex(16), g.hex(16), acct, role, acct, role, g.t.Add(-time.Hour).Format(time.RFC3339))
	}
	ts := g.t.UTC().Format("2006-01-02T15:04:05Z")
	ip := g.ip()
	agent := pick(g, genAgents)
	common := fmt.Sprintf(`"eventVersion":"1.09","userIdentity":%s,"eventTime":"%s","awsRegion":"%s","sourceIPAddress":"%s","userAgent":"%s","requestID":"%s","eventID":"%s","recipientAccountId":"%s"`,
		identity, ts, region, ip, agent, g.uuid(), g.uuid(), acct)
	tls := fmt.Sprintf(`"tlsDetails":{"tlsVersion":"TLSv1.3","cipherSuite":"TLS_AES_128_GCM_SHA256","clientProvidedHostHeader":"%%s"}`)
	var body string
	switch k := g.r.IntN(10); {
	case k < 4: // S3 data event
		bucket := "corp-data-" + pick(g, []string{"logs", "backups", "exports", "ml"})
		key := fmt.Sprintf("year=2024/month=03/part-%s.snappy.parquet", g.hex(20))
		name := pick(g, []string{"GetObject", "PutObject", "HeadObject", "ListObjects"})
		body = fmt.Sprintf(`"eventSource":"s3.amazonaws.com","eventName":"%s","requestParameters":{"bucketName":"%s","Host":"%s.s3.%s.amazonaws.com","key":"%s","x-amz-request-payer":"requester"},"responseElements":null,"additionalEventData":{"SignatureVersion":"SigV4","CipherSuite":"TLS_AES_128_GCM_SHA256","bytesTransferredIn":0,"AuthenticationMethod":"AuthHeader","x-amz-id-2":"%s","bytesTransferredOut":%d},"readOnly":%v,"resources":[{"type":"AWS::S3::Object","ARN":"arn:aws:s3:::%s/%s"},{"accountId":"%s","type":"AWS::S3::Bucket","ARN":"arn:aws:s3:::%s"}],"eventType":"AwsApiCall","managementEvent":false,"eventCategory":"Data",`+fmt.Sprintf(tls, bucket+".s3.amazonaws.com"),
			name, bucket, bucket, region, key, g.hex(60), g.r.IntN(1<<24), name != "PutObject", bucket, key, acct, bucket)
	case k < 6: // STS
		body = fmt.Sprintf(`"eventSource":"sts.amazonaws.com","eventName":"AssumeRole","requestParameters":{"roleArn":"arn:aws:iam::%s:role/%s","roleSessionName":"%s","durationSeconds":3600},"responseElements":{"credentials":{"accessKeyId":"ASIA%s","sessionToken":"%s","expiration":"%s"},"assumedRoleUser":{"assumedRoleId":"AROA%s:s","arn":"arn:aws:sts::%s:assumed-role/%s/s"}},"readOnly":true,"resources":[{"accountId":"%s","type":"AWS::IAM::Role","ARN":"arn:aws:iam::%s:role/%s"}],"eventType":"AwsApiCall","managementEvent":true,"eventCategory":"Management","sharedEventID":"%s"`,
			acct, pick(g, genRoles), pick(g, genUsers), g.hex(16), g.hex(180), g.t.Add(time.Hour).Format("Jan 2, 2006, 3:04:05 PM"), g.hex(16), acct, pick(g, genRoles), acct, acct, pick(g, genRoles), g.uuid())
	case k < 8: // EC2
		inst := "i-0" + g.hex(16)
		if g.r.IntN(2) == 0 {
			body = fmt.Sprintf(`"eventSource":"ec2.amazonaws.com","eventName":"DescribeInstances","requestParameters":{"instancesSet":{"items":[{"instanceId":"%s"}]},"filterSet":{}},"responseElements":null,"readOnly":true,"eventType":"AwsApiCall","managementEvent":true,"eventCategory":"Management",`+fmt.Sprintf(tls, "ec2."+region+".amazonaws.com"), inst)
		} else {
			body = fmt.Sprintf(`"eventSource":"ec2.amazonaws.com","eventName":"RunInstances","requestParameters":{"instancesSet":{"items":[{"imageId":"ami-%s","minCount":1,"maxCount":1,"keyName":"ops"}]},"instanceType":"t3.large","blockDeviceMapping":{},"monitoring":{"enabled":false},"disableApiTermination":false},"responseElements":{"requestId":"%s","reservationId":"r-%s","ownerId":"%s","instancesSet":{"items":[{"instanceId":"%s","imageId":"ami-%s","instanceState":{"code":0,"name":"pending"},"privateIpAddress":"10.%d.%d.%d","launchTime":%d}]}},"readOnly":false,"eventType":"AwsApiCall","managementEvent":true,"eventCategory":"Management",`+fmt.Sprintf(tls, "ec2."+region+".amazonaws.com"),
				g.hex(17), g.uuid(), g.hex(17), acct, inst, g.hex(17), g.r.IntN(256), g.r.IntN(256), g.r.IntN(256), g.t.UnixMilli())
		}
	case k < 9: // console login
		body = fmt.Sprintf(`"eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","requestParameters":null,"responseElements":{"ConsoleLogin":"%s"},"additionalEventData":{"LoginTo":"https://console.aws.amazon.com/console/home?state=hashArgs","MobileVersion":"No","MFAUsed":"%s"},"readOnly":false,"eventType":"AwsConsoleSignIn","managementEvent":true,"eventCategory":"Management"`,
			pick(g, []string{"Success", "Failure"}), pick(g, []string{"Yes", "No"}))
	default: // an error
		body = fmt.Sprintf(`"eventSource":"iam.amazonaws.com","eventName":"CreateAccessKey","errorCode":"AccessDenied","errorMessage":"User: arn:aws:sts::%s:assumed-role/ReadOnly/x is not authorized to perform: iam:CreateAccessKey on resource: user %s because no identity-based policy allows the iam:CreateAccessKey action","requestParameters":{"userName":"%s"},"responseElements":null,"readOnly":false,"eventType":"AwsApiCall","managementEvent":true,"eventCategory":"Management"`,
			acct, pick(g, genUsers), pick(g, genUsers))
	}
	rec := "{" + common + "," + body
	if g.extra {
		rec += fmt.Sprintf(`,"undeclaredField":{"n":%d},"readOnlyText":"yes"`, g.n)
	}
	return []byte(rec + "}")
}

// parseCloudTrail turns records into normalised events through the
// CloudTrail parser, as the pipeline does; the caller releases them.
func parseCloudTrail(t testing.TB, reg *parsers.Registry, file string, recs [][]byte) []*event.Event {
	t.Helper()
	return parseAs(t, reg, aws.CloudTrail, file, recs)
}

// parseAs parses and normalises records of one log type.
func parseAs(t testing.TB, reg *parsers.Registry, lt *parsers.LogType, file string, recs [][]byte) []*event.Event {
	t.Helper()
	evs, err := parseRecords(reg, lt, file, recs)
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

// parseRecords parses and normalises records of one log type, as the
// pipeline does; the caller releases the events.
func parseRecords(reg *parsers.Registry, lt *parsers.LogType, file string, recs [][]byte) ([]*event.Event, error) {
	lt, ok := reg.Lookup(lt.Name) // the registry's compiled copy
	if !ok {
		return nil, fmt.Errorf("log type %s is not in the registry", lt.Name)
	}
	p := lt.NewParser()
	out := make([]*event.Event, 0, len(recs))
	for i, r := range recs {
		e := event.New()
		ok, err := p.Parse(r, e)
		if err != nil || !ok {
			return nil, fmt.Errorf("record %d: ok=%v err=%v: %s", i+1, ok, err, r)
		}
		if err := reg.Normalise(lt, e, parsers.Source{File: file}, int64(i+1), testNow); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

// testNow is the parse time of the test events.
var testNow = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)

// testTyped has a column of every type, and the cases of typedCases
// exercise how values that do not fit them go into p_extra.
var testTyped = &parsers.LogType{
	Name:       "Test.Typed",
	NewParser:  parsers.JSONParser,
	TimeFields: []parsers.TimeField{{Path: "ts", Format: "unix_ms"}},
	Indicators: []parsers.Indicator{{Path: "ip", Kind: "ip"}, {Path: "user.name", Kind: "username"}},
	Schema: []parsers.Column{
		{Name: "case", Type: "string"},
		{Name: "ts", Type: "timestamp"},
		{Name: "n", Type: "bigint"},
		{Name: "f", Type: "double"},
		{Name: "ok", Type: "boolean"},
		{Name: "at", Type: "timestamp"},
		{Name: "doc", Type: "json"},
		{Name: "tags", Type: "array<string>"},
		{Name: "user", Type: "struct<name:string,id:bigint,meta:json,inner:struct<x:bigint>>"},
		{Name: "items", Type: "array<struct<k:string,v:bigint>>"},
		{Name: "ip", Type: "string"},
		{Name: "msg", Type: "string"},
		{Name: "Year", Type: "bigint"}, // a Hive partition key: kept in p_extra
	},
}

// testFlat is a plain log type whose events the round trip generates.
var testFlat = &parsers.LogType{
	Name:       "Test.Flat",
	NewParser:  parsers.JSONParser,
	TimeFields: []parsers.TimeField{{Path: "time", Format: "rfc3339"}},
	Indicators: []parsers.Indicator{{Path: "host", Kind: "hostname"}},
	Schema: []parsers.Column{
		{Name: "time", Type: "timestamp"},
		{Name: "host", Type: "string"},
		{Name: "bytes", Type: "bigint"},
		{Name: "ratio", Type: "double"},
	},
}

// testRegistry holds CloudTrail and the test log types of this package.
func testRegistry(tb testing.TB) *parsers.Registry {
	tb.Helper()
	reg, err := newTestRegistry()
	if err != nil {
		tb.Fatal(err)
	}
	return reg
}

// newTestRegistry compiles copies of the test log types: NewRegistry
// writes its compiled form into the LogType it is given, so parallel tests
// must not share one. The originals are never compiled here, so the copies
// share no slice either.
func newTestRegistry() (*parsers.Registry, error) {
	ct, typed, flat := *aws.CloudTrail, *testTyped, *testFlat
	return parsers.NewRegistry(&ct, &typed, &flat)
}
