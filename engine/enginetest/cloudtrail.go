package enginetest

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/klauspost/compress/gzip"
)

// CloudTrailOptions shape a generated CloudTrail corpus.
type CloudTrailOptions struct {
	Dir           string
	TargetGzBytes int64     // stop once this many compressed bytes are written
	EventsPerFile int       // default 2000, as CloudTrail's 5-minute files hold
	Start         time.Time // default 2024-01-01
	Days          int       // events spread over this many days (default 30)
	// Events, when set, is the number of events to write (instead of
	// TargetGzBytes), spread evenly over Days.
	Events int64
	Seed   uint64
}

// CloudTrailStats describe what was written.
type CloudTrailStats struct {
	Files   int
	Events  int64
	GzBytes int64
	RawEst  int64 // uncompressed bytes
}

// CloudTrail writes a realistic CloudTrail archive: files of
// {"Records":[...]}, gzip-compressed, in AWS's folder layout, with events
// whose ids, times, principals, source IPs, regions, user agents and
// request shapes vary as in a real account. Most calls are reads; a small
// share are the sensitive calls detections look for (console logins with
// and without MFA, failures, IAM and trail changes), so a replay raises
// alerts at a realistic rate. The same options give the same files.
func CloudTrail(o CloudTrailOptions) (CloudTrailStats, error) {
	if o.EventsPerFile <= 0 {
		o.EventsPerFile = 2000
	}
	if o.Start.IsZero() {
		o.Start = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	if o.Days <= 0 {
		o.Days = 30
	}
	rng := rand.New(rand.NewPCG(o.Seed, 0x9e3779b97f4a7c15))
	g := &ctGen{rng: rng}
	var st CloudTrailStats
	span := time.Duration(o.Days) * 24 * time.Hour
	// Estimate the events needed to spread times evenly: ~95 bytes gz each.
	total := o.TargetGzBytes/95 + 1
	if o.Events > 0 {
		total = o.Events
	}
	step := span / time.Duration(total)
	now := o.Start
	more := func() bool {
		if o.Events > 0 {
			return st.Events < o.Events
		}
		return st.GzBytes < o.TargetGzBytes
	}
	for more() {
		account := accounts[st.Files%len(accounts)]
		region := regions[rng.IntN(len(regions))]
		dir := filepath.Join(o.Dir, "AWSLogs", account, "CloudTrail", region, now.Format("2006/01/02"))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return st, err
		}
		name := fmt.Sprintf("%s_CloudTrail_%s_%sZ_%08x.json.gz", account, region, now.Format("20060102T1504"), rng.Uint32())
		path := filepath.Join(dir, name)
		f, err := os.Create(path)
		if err != nil {
			return st, err
		}
		zw, _ := gzip.NewWriterLevel(f, gzip.BestSpeed)
		cw := &countWriter{w: zw}
		w := bufio.NewWriterSize(cw, 256<<10)
		w.WriteString(`{"Records":[`)
		for i := 0; i < o.EventsPerFile && (o.Events == 0 || st.Events < o.Events); i++ {
			if i > 0 {
				w.WriteByte(',')
			}
			g.event(w, now, account, region)
			now = now.Add(step)
			st.Events++
		}
		w.WriteString("]}\n")
		if err := w.Flush(); err != nil {
			f.Close()
			return st, err
		}
		if err := zw.Close(); err != nil {
			f.Close()
			return st, err
		}
		info, _ := f.Stat()
		f.Close()
		st.Files++
		st.GzBytes += info.Size()
		st.RawEst += cw.n
	}
	return st, nil
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

var (
	accounts = []string{"111122223333", "444455556666", "777788889999"}
	regions  = []string{"us-east-1", "us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2"}
	users    = []string{"alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy", "ci-deployer", "terraform", "backup-svc"}
	roles    = []string{"Admin", "ReadOnly", "Developer", "OrganizationAccountAccessRole", "AWSServiceRoleForConfig", "eks-node-role", "lambda-exec", "SecurityAudit"}
	agents   = []string{
		"aws-cli/2.15.30 Python/3.11.8 Linux/6.1.0 exe/x86_64.debian.12 prompt/off command/ec2.describe-instances",
		"Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux#5.10.0 md/arch#x86_64 lang/python#3.12.2",
		"aws-sdk-go-v2/1.26.1 os/linux lang/go#1.22.1 md/GOOS#linux md/GOARCH#amd64 api/s3#1.53.0",
		"Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.43.0",
		"console.amazonaws.com",
		"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/123.0.0.0 Safari/537.36",
		"ec2.amazonaws.com", "config.amazonaws.com", "lambda.amazonaws.com",
	}
)

type call struct {
	source, name string
	weight       int
	params       func(g *ctGen, w *bufio.Writer)
}

var calls = []call{
	{"ec2.amazonaws.com", "DescribeInstances", 300, func(g *ctGen, w *bufio.Writer) {
		fmt.Fprintf(w, `{"instancesSet":{},"filterSet":{"items":[{"name":"tag:env","valueSet":{"items":[{"value":"prod"}]}}]}}`)
	}},
	{"s3.amazonaws.com", "GetObject", 250, func(g *ctGen, w *bufio.Writer) {
		fmt.Fprintf(w, `{"bucketName":"data-%d","Host":"data-%d.s3.amazonaws.com","key":"exports/2024/part-%05d.parquet"}`, g.rng.IntN(20), g.rng.IntN(20), g.rng.IntN(99999))
	}},
	{"s3.amazonaws.com", "ListObjects", 80, func(g *ctGen, w *bufio.Writer) {
		fmt.Fprintf(w, `{"bucketName":"logs-%d","prefix":"app/","list-type":"2"}`, g.rng.IntN(5))
	}},
	{"sts.amazonaws.com", "AssumeRole", 120, func(g *ctGen, w *bufio.Writer) {
		fmt.Fprintf(w, `{"roleArn":"arn:aws:iam::%s:role/%s","roleSessionName":"session-%d","durationSeconds":3600}`, g.account, roles[g.rng.IntN(len(roles))], g.rng.IntN(100000))
	}},
	{"sts.amazonaws.com", "GetCallerIdentity", 60, nil},
	{"iam.amazonaws.com", "ListRoles", 40, nil},
	{"iam.amazonaws.com", "GetPolicyVersion", 30, func(g *ctGen, w *bufio.Writer) {
		fmt.Fprintf(w, `{"policyArn":"arn:aws:iam::%s:policy/app-%d","versionId":"v%d"}`, g.account, g.rng.IntN(30), 1+g.rng.IntN(5))
	}},
	{"kms.amazonaws.com", "Decrypt", 150, func(g *ctGen, w *bufio.Writer) {
		fmt.Fprintf(w, `{"encryptionAlgorithm":"SYMMETRIC_DEFAULT","encryptionContext":{"aws:s3:arn":"arn:aws:s3:::data-%d"}}`, g.rng.IntN(20))
	}},
	{"lambda.amazonaws.com", "Invoke", 50, func(g *ctGen, w *bufio.Writer) {
		fmt.Fprintf(w, `{"functionName":"arn:aws:lambda:%s:%s:function:worker-%d"}`, g.region, g.account, g.rng.IntN(12))
	}},
	{"logs.amazonaws.com", "PutLogEvents", 80, nil},
	{"cloudtrail.amazonaws.com", "LookupEvents", 10, nil},
	{"ec2.amazonaws.com", "AuthorizeSecurityGroupIngress", 4, func(g *ctGen, w *bufio.Writer) {
		cidr := "10.0.0.0/8"
		if g.rng.IntN(4) == 0 {
			cidr = "0.0.0.0/0"
		}
		fmt.Fprintf(w, `{"groupId":"sg-%08x","ipPermissions":{"items":[{"ipProtocol":"tcp","fromPort":22,"toPort":22,"ipRanges":{"items":[{"cidrIp":%q}]}}]}}`, g.rng.Uint32(), cidr)
	}},
	{"signin.amazonaws.com", "ConsoleLogin", 8, nil},
	{"iam.amazonaws.com", "CreateAccessKey", 2, func(g *ctGen, w *bufio.Writer) {
		fmt.Fprintf(w, `{"userName":%q}`, users[g.rng.IntN(len(users))])
	}},
	{"iam.amazonaws.com", "AttachUserPolicy", 1, func(g *ctGen, w *bufio.Writer) {
		fmt.Fprintf(w, `{"userName":%q,"policyArn":"arn:aws:iam::aws:policy/AdministratorAccess"}`, users[g.rng.IntN(len(users))])
	}},
	{"cloudtrail.amazonaws.com", "StopLogging", 1, func(g *ctGen, w *bufio.Writer) {
		fmt.Fprintf(w, `{"name":"arn:aws:cloudtrail:%s:%s:trail/main"}`, g.region, g.account)
	}},
	{"s3.amazonaws.com", "PutBucketPolicy", 1, func(g *ctGen, w *bufio.Writer) {
		fmt.Fprintf(w, `{"bucketName":"share-%d","bucketPolicy":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::share-%d/*"}]}}`, g.rng.IntN(5), g.rng.IntN(5))
	}},
	{"kms.amazonaws.com", "ScheduleKeyDeletion", 1, func(g *ctGen, w *bufio.Writer) {
		fmt.Fprintf(w, `{"keyId":"arn:aws:kms:%s:%s:key/%08x-0000-4000-8000-000000000000","pendingWindowInDays":7}`, g.region, g.account, g.rng.Uint32())
	}},
}

var callTotal = func() int {
	n := 0
	for _, c := range calls {
		n += c.weight
	}
	return n
}()

type ctGen struct {
	rng             *rand.Rand
	account, region string
}

func (g *ctGen) pick() *call {
	n := g.rng.IntN(callTotal)
	for i := range calls {
		if n < calls[i].weight {
			return &calls[i]
		}
		n -= calls[i].weight
	}
	return &calls[0]
}

func (g *ctGen) uuid() string {
	return fmt.Sprintf("%08x-%04x-4%03x-%04x-%012x", g.rng.Uint32(), g.rng.Uint32()&0xffff, g.rng.Uint32()&0xfff, 0x8000|g.rng.Uint32()&0x3fff, g.rng.Uint64()&0xffffffffffff)
}

func (g *ctGen) ip() string {
	if g.rng.IntN(3) == 0 {
		return fmt.Sprintf("10.%d.%d.%d", g.rng.IntN(256), g.rng.IntN(256), 1+g.rng.IntN(254))
	}
	return fmt.Sprintf("%d.%d.%d.%d", 1+g.rng.IntN(222), g.rng.IntN(256), g.rng.IntN(256), 1+g.rng.IntN(254))
}

func (g *ctGen) event(w *bufio.Writer, t time.Time, account, region string) {
	g.account, g.region = account, region
	c := g.pick()
	ua := agents[g.rng.IntN(len(agents))]
	w.WriteString(`{"eventVersion":"1.09","userIdentity":`)
	user := users[g.rng.IntN(len(users))]
	switch g.rng.IntN(10) {
	case 0, 1, 2, 3:
		fmt.Fprintf(w, `{"type":"IAMUser","principalId":"AIDA%012X","arn":"arn:aws:iam::%s:user/%s","accountId":%q,"accessKeyId":"AKIA%012X","userName":%q}`,
			g.rng.Uint64()&0xffffffffffff, account, user, account, g.rng.Uint64()&0xffffffffffff, user)
	case 9:
		if c.name == "ConsoleLogin" || g.rng.IntN(50) == 0 {
			fmt.Fprintf(w, `{"type":"Root","principalId":%q,"arn":"arn:aws:iam::%s:root","accountId":%q}`, account, account, account)
			break
		}
		fallthrough
	default:
		role := roles[g.rng.IntN(len(roles))]
		fmt.Fprintf(w, `{"type":"AssumedRole","principalId":"AROA%012X:%s","arn":"arn:aws:sts::%s:assumed-role/%s/%s","accountId":%q,"accessKeyId":"ASIA%012X","sessionContext":{"sessionIssuer":{"type":"Role","principalId":"AROA%012X","arn":"arn:aws:iam::%s:role/%s","accountId":%q,"userName":%q},"attributes":{"creationDate":%q,"mfaAuthenticated":"false"}}}`,
			g.rng.Uint64()&0xffffffffffff, user, account, role, user, account, g.rng.Uint64()&0xffffffffffff, g.rng.Uint64()&0xffffffffffff, account, role, account, role, t.Add(-time.Hour).Format(time.RFC3339))
	}
	fmt.Fprintf(w, `,"eventTime":%q,"eventSource":%q,"eventName":%q,"awsRegion":%q,"sourceIPAddress":%q,"userAgent":%q`,
		t.Format(time.RFC3339), c.source, c.name, region, g.ip(), ua)
	failed := g.rng.IntN(40) == 0
	if failed {
		w.WriteString(`,"errorCode":"AccessDenied","errorMessage":"User is not authorized to perform this operation"`)
	}
	w.WriteString(`,"requestParameters":`)
	if c.params != nil {
		c.params(g, w)
	} else {
		w.WriteString("null")
	}
	if c.name == "ConsoleLogin" {
		result := "Success"
		if g.rng.IntN(4) == 0 {
			result = "Failure"
		}
		mfa := "Yes"
		if g.rng.IntN(3) == 0 {
			mfa = "No"
		}
		fmt.Fprintf(w, `,"responseElements":{"ConsoleLogin":%q},"additionalEventData":{"LoginTo":"https://console.aws.amazon.com/console/home","MobileVersion":"No","MFAUsed":%q}`, result, mfa)
	} else {
		w.WriteString(`,"responseElements":null`)
	}
	readOnly := c.weight >= 30
	eventType := "AwsApiCall"
	if c.name == "ConsoleLogin" {
		eventType = "AwsConsoleSignIn"
	}
	fmt.Fprintf(w, `,"requestID":%q,"eventID":%q,"readOnly":%s,"eventType":%q,"managementEvent":true,"recipientAccountId":%q,"eventCategory":"Management","tlsDetails":{"tlsVersion":"TLSv1.3","cipherSuite":"TLS_AES_128_GCM_SHA256","clientProvidedHostHeader":"%s.%s.amazonaws.com"}}`,
		g.uuid(), g.uuid(), strconv.FormatBool(readOnly), eventType, account, c.source[:len(c.source)-len(".amazonaws.com")], region)
}

// CachedCloudTrail returns a CloudTrail archive of about mb megabytes of
// gzip, generated once into $TMPDIR/panther-bench-cloudtrail-<mb>mb and
// reused by later runs (benchmarks only: it is large).
func CachedCloudTrail(mb int64) (string, error) {
	dir := filepath.Join(os.TempDir(), "panther-bench-cloudtrail-"+strconv.FormatInt(mb, 10)+"mb")
	done := filepath.Join(dir, ".done")
	if _, err := os.Stat(done); err == nil {
		return dir, nil
	}
	if err := os.RemoveAll(dir); err != nil {
		return "", err
	}
	if _, err := CloudTrail(CloudTrailOptions{Dir: dir, TargetGzBytes: mb << 20}); err != nil {
		return "", err
	}
	return dir, os.WriteFile(done, nil, 0o644)
}

// BenchCorpusMB is the size of the benchmark archive: PANTHER_BENCH_GZ_MB,
// default def.
func BenchCorpusMB(def int64) int64 {
	if s := os.Getenv("PANTHER_BENCH_GZ_MB"); s != "" {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil && n > 0 {
			return n
		}
	}
	return def
}
