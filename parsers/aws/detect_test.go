package aws

import (
	"testing"

	"panther/parsers"
	"panther/parsers/event"
	"panther/parsers/parsertest"
)

// accepts reports whether lt would claim the records in the classifier: a
// fresh parser (one source) takes them in order, and the last must parse
// into an event that Detect accepts.
func accepts(lt *parsers.LogType, recs ...string) bool {
	p := lt.NewParser()
	for i, r := range recs {
		e := event.New()
		ok, err := p.Parse([]byte(r), e)
		last := i == len(recs)-1
		claimed := last && ok && err == nil && (lt.Detect == nil || lt.Detect(e))
		e.Release()
		if last {
			return claimed
		}
	}
	return false
}

// Each type claims its own lines and no other format's: the classifier
// tries every type on every line it has not placed yet.
func TestCrossRejection(t *testing.T) {
	t.Parallel()
	samples := []struct {
		format string
		recs   []string // a header (if any) then the line
	}{
		{"vpcflow", []string{VPCFlow.Sample}},
		{"vpcflow", []string{
			"version vpc-id subnet-id instance-id srcaddr dstaddr srcport dstport protocol start end action log-status flow-direction",
			"5 vpc-0123456789abcdef0 subnet-0123456789abcdef0 i-0123456789abcdef0 10.0.1.5 10.0.2.9 34512 5432 6 1709298000 1709298060 ACCEPT OK egress",
		}},
		{"vpcflow", []string{"2 123456789012 eni-0a1b2c3d4e5f67890 - - - - - - - 1709294500 1709294560 - NODATA"}},
		{"alb", []string{ALB.Sample}},
		{"alb", []string{`http 2016-08-10T20:00:00.000000Z app/legacy/0123456789abcdef 192.0.2.77:2817 10.0.0.1:80 0.000 0.001 0.000 200 200 34 366 "GET http://legacy.example.com:80/ HTTP/1.1" "curl/7.46.0" - - arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/legacy/73e2d6bc24d8a067 "Root=1-57ab87d0-0123456789abcdef0123456d"`}},
		{"s3", []string{S3ServerAccess.Sample}},
		{"s3", []string{`79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be old-bucket [06/Feb/2012:00:00:38 +0000] 192.0.2.3 - 3E57427F3EXAMPLE REST.GET.VERSIONING - "GET /old-bucket?versioning HTTP/1.1" 200 - 113 - 7 - "-" "S3Console/0.4" -`}},
		{"guardduty", []string{GuardDuty.Sample}},
		{"guardduty", []string{`{"version":"0","id":"c8a1","detail-type":"GuardDuty Finding","source":"aws.guardduty","account":"123456789012","detail":` + GuardDuty.Sample + `}`}},
		{"cloudtrail", []string{CloudTrail.Sample}},
		// Formats of other families.
		{"apache", []string{`192.0.2.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326 "http://www.example.com/start.html" "Mozilla/4.08 [en] (Win98; I ;Nav)"`}},
		{"apache", []string{`192.0.2.1 - - [01/Mar/2024:12:00:00 +0000] "GET /a HTTP/1.1" 200 5 "-" "curl/8.5.0" 0.001 0.002 - - - - - - - - - - - - -`}},
		{"classic-elb", []string{`2015-05-13T23:39:43.945958Z my-loadbalancer 192.168.131.39:2817 10.0.0.1:80 0.000073 0.001048 0.000057 200 200 0 29 "GET http://www.example.com:80/ HTTP/1.1" "curl/7.38.0" - -`}},
		{"nlb", []string{`tls 2.0 2024-03-01T12:00:00 net/my-nlb/c6e77e28c25b2234 g3d4b5e8bb8464cd 72.21.218.154:51341 172.100.100.185:443 5 2 98 246 - arn:aws:acm:us-east-2:671290407336:certificate/2a108f19-aded-46b0-8493-c63eb1ef4a99 - ECDHE-RSA-AES128-SHA tlsv12 - my-network-loadbalancer-c6e77e28c25b2234.elb.us-east-2.amazonaws.com - - - 2024-03-01T11:59:59`}},
		{"cloudfront", []string{"2024-03-01\t12:00:00\tSEA19-C1\t2390\t192.0.2.100\tGET\td111111abcdef8.cloudfront.net\t/index.html\t200\t-\tMozilla/5.0\t-\t-\tHit\tSOX4xwn4XV6Q4rgb7XiVGOHms_BGlTAC4KyHmureZmBNrjGdRLiNIQ==\td111111abcdef8.cloudfront.net\thttps\t23\t0.001"}},
		{"zeek-tsv", []string{"1521911721.255387\tC8DRTq362Fz4ht9m2\t10.47.1.1\t51005\t10.47.1.100\t53\tudp\t27488\t-\twww.example.com\t1\tC_INTERNET\t1\tA\t0\tNOERROR\tF\tF\tT\tT\t0\t10.47.1.10\t60.000000\tF"}},
		{"syslog-5424", []string{`<165>1 2024-03-01T12:00:00.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"] An application event log entry`}},
		{"syslog-3164", []string{`<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8`}},
		{"suricata", []string{`{"timestamp":"2024-03-01T12:00:00.000000+0000","flow_id":1,"event_type":"alert","src_ip":"10.0.0.1","src_port":1,"dest_ip":"10.0.0.2","dest_port":80,"proto":"TCP","alert":{"signature_id":1,"signature":"x","severity":2}}`}},
		{"asff", []string{`{"SchemaVersion":"2018-10-08","Id":"x","ProductArn":"arn:aws:securityhub:eu-west-1::product/aws/guardduty","AwsAccountId":"123456789012","Types":["TTPs"],"Severity":{"Label":"HIGH"},"CreatedAt":"2024-03-01T12:00:00Z","UpdatedAt":"2024-03-01T12:00:00Z","Title":"t","Description":"d","Resources":[]}`}},
		{"eventbridge", []string{`{"version":"0","id":"x","detail-type":"AWS API Call via CloudTrail","source":"aws.s3","account":"123456789012","time":"2024-03-01T12:00:00Z","region":"eu-west-1","resources":[],"detail":{"eventName":"PutObject"}}`}},
		{"csv", []string{"2024-03-01,12:00:00,alice,login,success,198.51.100.7,,,,,,,,,,,,,,,"}},
		{"words", []string{"version account-id interface-id srcaddr dstaddr"}},
	}
	owner := map[string]*parsers.LogType{"vpcflow": VPCFlow, "alb": ALB, "s3": S3ServerAccess, "guardduty": GuardDuty, "cloudtrail": CloudTrail}
	types := []*parsers.LogType{VPCFlow, ALB, S3ServerAccess, GuardDuty, CloudTrail}
	for _, s := range samples {
		for _, lt := range types {
			want := owner[s.format] == lt
			if got := accepts(lt, s.recs...); got != want {
				t.Errorf("%s claims a %s line = %v, want %v: %q", lt.Name, s.format, got, want, s.recs[len(s.recs)-1])
			}
		}
	}
}

// None of the real samples of other formats in ../shared/data is claimed
// by a type of this package.
func TestCrossRejectionRealData(t *testing.T) {
	t.Parallel()
	files := []string{
		"web/apache_combined_10k.log.gz",
		"zeek/wrccdc2018_dns.tsv.log.gz",
		"zeek/wrccdc2018_rdp.tsv.log.gz",
		"zeek/wrccdc2018_notice.json.gz",
		"suricata/wrccdc-2018.eve.json.gz",
		"cloudtrail/otrf_ec2_proxy_s3_exfiltration.json.gz",
	}
	for _, f := range files {
		path := parsertest.SharedData(t, f)
		lines := parsertest.GzLines(t, path)
		if len(lines) > 20000 {
			lines = lines[:20000]
		}
		for _, lt := range []*parsers.LogType{VPCFlow, ALB, S3ServerAccess, GuardDuty} {
			p := lt.NewParser() // one source: a VPC header in it would stick
			n := 0
			for _, l := range lines {
				e := event.New()
				ok, err := p.Parse(l, e)
				if ok && err == nil && lt.Detect(e) {
					if n++; n <= 3 {
						t.Errorf("%s claims a line of %s: %.200s", lt.Name, f, l)
					}
				}
				e.Release()
			}
		}
	}
}

// BenchmarkReject measures what a miss costs the classifier: each text
// parser of this package on four lines of other formats (ns/op is for the
// four).
func BenchmarkReject(b *testing.B) {
	others := [][]byte{
		[]byte(CloudTrail.Sample),
		[]byte(`192.0.2.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326 "http://www.example.com/start.html" "Mozilla/4.08 [en] (Win98; I ;Nav)"`),
		[]byte(ALB.Sample),
		[]byte(S3ServerAccess.Sample),
		[]byte(VPCFlow.Sample),
	}
	for _, lt := range []*parsers.LogType{VPCFlow, ALB, S3ServerAccess} {
		var misses [][]byte
		for _, r := range others {
			if string(r) != lt.Sample {
				misses = append(misses, r)
			}
		}
		b.Run(lt.Name, func(b *testing.B) {
			b.ReportAllocs()
			p := lt.NewParser()
			for b.Loop() {
				for _, r := range misses {
					e := event.New()
					p.Parse(r, e)
					e.Release()
				}
			}
		})
	}
}
