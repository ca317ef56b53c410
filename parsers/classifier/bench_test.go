package classifier

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"panther/parsers"
	"panther/parsers/event"
	"panther/parsers/logtypes"
)

// cloudTrailLines are n CloudTrail-shaped events (about 1 KB each).
func cloudTrailLines(n int) [][]byte {
	out := make([][]byte, n)
	for i := range out {
		out[i] = fmt.Appendf(nil, `{"eventVersion":"1.08","userIdentity":{"type":"AssumedRole","principalId":"AROAEXAMPLE:s-%d","arn":"arn:aws:sts::123456789012:assumed-role/Admin/s-%d","accountId":"123456789012","sessionContext":{"sessionIssuer":{"type":"Role","arn":"arn:aws:iam::123456789012:role/Admin","accountId":"123456789012","userName":"Admin"}}},"eventTime":"2024-03-01T12:%02d:%02dZ","eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"eu-west-1","sourceIPAddress":"198.51.100.%d","userAgent":"aws-cli/2.15.0","requestParameters":{"bucketName":"logs","key":"a/b/%d.json.gz"},"responseElements":null,"requestID":"REQ%08d","eventID":"9d0c1a2e-0000-4000-8000-%012d","readOnly":true,"resources":[{"type":"AWS::S3::Object","ARN":"arn:aws:s3:::logs/a/b/%d.json.gz"}],"eventType":"AwsApiCall","managementEvent":false,"recipientAccountId":"123456789012","eventCategory":"Data"}`,
			i, i, i/60%60, i%60, i%250, i, i, i, i)
	}
	return out
}

// fullRegistry is the default registry plus stand-ins for the types other
// packages will add (40 JSON types named to sort before AWS.*, so that an
// unlearned order tries them first, and 4 text families), so the numbers
// reflect a registry of Panther's size whatever has landed.
func fullRegistry(b testing.TB) *parsers.Registry {
	reg := logtypes.Default().Clone()
	for i := range 40 {
		lt := jsonType(fmt.Sprintf("AAA.Json%02d", i), 0, fmt.Sprintf("field%da", i), fmt.Sprintf("field%db", i))
		lt.TimeFields = []parsers.TimeField{{Path: "time", Format: "rfc3339"}}
		if err := reg.Add(lt); err != nil {
			b.Fatal(err)
		}
	}
	for i := range 4 {
		prefix := fmt.Sprintf("kv%d ", i)
		lt := &parsers.LogType{Name: fmt.Sprintf("AAA.Text%d", i), NewParser: func() parsers.Parser { return prefixKV(prefix) }}
		if err := reg.Add(lt); err != nil {
			b.Fatal(err)
		}
	}
	return reg
}

// prefixKV accepts "<prefix>k=v ..." lines, like a text format whose lines
// start with a fixed marker.
type prefixKV string

func (p prefixKV) Parse(rec []byte, e *event.Event) (bool, error) {
	s, ok := strings.CutPrefix(string(rec), string(p))
	if !ok {
		return false, fmt.Errorf("no %q prefix", string(p))
	}
	return kvParser{}.Parse([]byte(s), e)
}

// Every record of a CloudTrail file is classified as AWS.CloudTrail with the
// default registry, with stand-ins for other types present.
func TestDefaultRegistryCloudTrail(t *testing.T) {
	t.Parallel()
	reg := fullRegistry(t)
	c := New(reg)
	lines := cloudTrailLines(50)
	var strs []string
	for _, l := range lines {
		strs = append(strs, string(l))
	}
	got := run(t, reg, c, strs[:1]...)
	first := c.Stats().Parses
	got = append(got, run(t, reg, c, strs[1:]...)...)
	for i, g := range got {
		if g != "AWS.CloudTrail" {
			t.Fatalf("line %d: %s", i+1, g)
		}
	}
	// After the first record, one parse per record: the learned order tries
	// CloudTrail first (behind higher-priority JSON types, which share the
	// parse and cost a Detect).
	if st := c.Stats(); st.Parses-first != 49 {
		t.Errorf("%d parses for the 49 records after the first, want 49", st.Parses-first)
	}
}

func benchClassify(b *testing.B, reg *parsers.Registry, newC func() *Classifier, records [][]byte) {
	var size int64
	for _, r := range records {
		size += int64(len(r)) + 1
	}
	b.SetBytes(size)
	b.ReportAllocs()
	now := time.Now()
	src := parsers.Source{File: "bench"}
	var parses, recs int64
	for b.Loop() {
		c := newC()
		for j, r := range records {
			e, lt, err := c.Classify(r)
			if err != nil {
				b.Fatalf("record %d: %v", j, err)
			}
			if e == nil {
				continue
			}
			if err := reg.Normalise(lt, e, src, int64(j), now); err != nil {
				b.Fatal(err)
			}
			e.Release()
		}
		st := c.Stats()
		parses += st.Parses
		recs += st.Records
	}
	b.ReportMetric(float64(recs)/b.Elapsed().Seconds(), "records/s")
	b.ReportMetric(float64(parses)/float64(recs), "parses/record")
}

// BenchmarkClassify measures classification + normalisation:
//
//   - fixed: --log-type AWS.CloudTrail, the baseline;
//   - one-type: a CloudTrail file, every type registered;
//   - mix3-roundrobin: CloudTrail, another JSON type and a text type in
//     turn, the worst case for learning;
//   - mix3-runs: the same three in runs of 100, as merged files are.
func BenchmarkClassify(b *testing.B) {
	reg := fullRegistry(b)
	ct, _ := reg.Lookup("AWS.CloudTrail")
	trail := cloudTrailLines(1000)
	var mixRR, mixRuns [][]byte
	for i, l := range trail {
		mixRR = append(mixRR, l)
		switch i % 3 {
		case 1:
			mixRR[i] = fmt.Appendf(nil, `{"time":"2024-03-01T12:00:00Z","field7a":"x%d","field7b":{"n":%d},"msg":"a JSON type of the mix"}`, i, i)
		case 2:
			mixRR[i] = fmt.Appendf(nil, "kv2 user=u%d action=login src=198.51.100.%d", i, i%250)
		}
	}
	for i := range mixRR {
		// Runs of 100 of each kind.
		run, k := i/100, i%100
		mixRuns = append(mixRuns, mixRR[(run%3)+3*((run/3*100+k)%333)])
	}
	b.Run("fixed", func(b *testing.B) {
		benchClassify(b, reg, func() *Classifier { return NewFixed(reg, ct) }, trail)
	})
	b.Run("one-type", func(b *testing.B) {
		benchClassify(b, reg, func() *Classifier { return New(reg) }, trail)
	})
	b.Run("mix3-roundrobin", func(b *testing.B) {
		benchClassify(b, reg, func() *Classifier { return New(reg) }, mixRR)
	})
	b.Run("mix3-runs", func(b *testing.B) {
		benchClassify(b, reg, func() *Classifier { return New(reg) }, mixRuns)
	})
	// A syslog file (RFC 3164, rsyslog's layout), named and classified:
	// syslog is the family tried last (Priority -10), so before deciding a
	// source, every record paid a parse of every higher family.
	rfc3164, _ := reg.Lookup("Syslog.RFC3164")
	auth := syslogLines(1000)
	b.Run("syslog-fixed", func(b *testing.B) {
		benchClassify(b, reg, func() *Classifier { return NewFixed(reg, rfc3164) }, auth)
	})
	b.Run("syslog", func(b *testing.B) {
		benchClassify(b, reg, func() *Classifier { return New(reg) }, auth)
	})
}

// syslogLines are n lines of an auth.log: sshd, sudo and cron.
func syslogLines(n int) [][]byte {
	out := make([][]byte, n)
	for i := range out {
		ts := fmt.Sprintf("Mar %2d %02d:%02d:%02d", 1+i/3600%28, i/60%24, i%60, i*7%60)
		switch i % 5 {
		case 0:
			out[i] = fmt.Appendf(nil, "%s bastion sshd[%d]: Failed password for root from 203.0.113.%d port %d ssh2", ts, 4000+i, i%250, 30000+i)
		case 1:
			out[i] = fmt.Appendf(nil, "%s bastion sshd[%d]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=203.0.113.%d  user=root", ts, 4000+i, i%250)
		case 2:
			out[i] = fmt.Appendf(nil, "%s bastion sudo:    alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/systemctl restart nginx", ts)
		case 3:
			out[i] = fmt.Appendf(nil, "%s bastion CRON[%d]: pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)", ts, 9000+i)
		default:
			out[i] = fmt.Appendf(nil, "%s bastion sshd[%d]: Connection closed by authenticating user root 203.0.113.%d port %d [preauth]", ts, 4000+i, i%250, 30000+i)
		}
	}
	return out
}
