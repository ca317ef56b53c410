package main

import (
	"math/rand/v2"
	"sort"
	"strings"
	"time"
)

// trail is off between StopLogging and StartLogging: CloudTrail records
// nothing then.
var (
	trailStopped   = at(11, 15, 7)
	trailRestarted = at(12, 38, 20)
)

// awsDate is how IAM and STS responses in CloudTrail write times.
const awsDate = "Jan 2, 2006, 3:04:05 PM"

func trailOn(t time.Time) bool { return !t.After(trailStopped) || !t.Before(trailRestarted) }

// ct is one CloudTrail event before it is written.
type ct struct {
	t                    time.Time
	region               string
	id                   obj
	source, name, ip, ua string
	req, resp            any // nil: null
	extra                obj // additionalEventData
	errCode, errMsg      string
	readOnly             bool
	resources            []any
	eventType            string // default AwsApiCall
	console              bool   // sessionCredentialFromConsole
	noTLS                bool
	category             string // default Management
}

func (s *story) put(e ct) {
	if !trailOn(e.t) {
		return
	}
	if e.region == "" {
		e.region = region
	}
	if e.eventType == "" {
		e.eventType = "AwsApiCall"
	}
	if e.category == "" {
		e.category = "Management"
	}
	ev := o("eventVersion", "1.09", "userIdentity", e.id, "eventTime", ts(e.t),
		"eventSource", e.source, "eventName", e.name, "awsRegion", e.region,
		"sourceIPAddress", e.ip, "userAgent", e.ua)
	if e.errCode != "" {
		ev = ev.with("errorCode", e.errCode, "errorMessage", e.errMsg)
	}
	ev = ev.with("requestParameters", e.req, "responseElements", e.resp)
	if e.extra != nil {
		ev = ev.with("additionalEventData", e.extra)
	}
	if e.eventType != "AwsConsoleSignIn" {
		ev = ev.with("requestID", s.uuid())
	}
	ev = ev.with("eventID", s.uuid(), "readOnly", e.readOnly)
	if e.resources != nil {
		ev = ev.with("resources", e.resources)
	}
	ev = ev.with("eventType", e.eventType, "managementEvent", e.category == "Management",
		"recipientAccountId", account, "eventCategory", e.category)
	if !e.noTLS && e.eventType == "AwsApiCall" && !strings.HasSuffix(e.ip, ".amazonaws.com") {
		host := strings.TrimSuffix(e.source, ".amazonaws.com")
		switch host {
		case "iam", "sts", "s3", "ce", "health", "organizations", "route53", "signin":
			if host == "iam" || host == "ce" || host == "organizations" || host == "route53" {
				host += ".amazonaws.com"
			} else {
				host += "." + e.region + ".amazonaws.com"
			}
		default:
			host += "." + e.region + ".amazonaws.com"
		}
		ev = ev.with("tlsDetails", o("tlsVersion", "TLSv1.3", "cipherSuite", "TLS_AES_128_GCM_SHA256", "clientProvidedHostHeader", host))
	}
	if e.console {
		ev = ev.with("sessionCredentialFromConsole", "true")
	}
	s.cloudtrail = append(s.cloudtrail, rec{t: e.t, j: ev, region: e.region})
}

// Identities.

func roleID(name string) string {
	id := strings.ToUpper(strings.NewReplacer("-", "", "_", "").Replace(name))
	for len(id) < 9 {
		id += "X"
	}
	return "AROAUQ4N7XK2" + id[:9]
}

func roleIdentity(role, path, session, key string, created time.Time, mfa bool, ec2 bool) obj {
	id := roleID(role)
	attrs := o("creationDate", ts(created), "mfaAuthenticated", map[bool]string{true: "true", false: "false"}[mfa])
	sc := o("sessionIssuer", o("type", "Role", "principalId", id,
		"arn", "arn:aws:iam::"+account+":role/"+path+role, "accountId", account, "userName", role),
		"attributes", attrs)
	if ec2 {
		sc = sc.with("ec2RoleDelivery", "2.0")
	}
	return o("type", "AssumedRole", "principalId", id+":"+session,
		"arn", "arn:aws:sts::"+account+":assumed-role/"+role+"/"+session,
		"accountId", account, "accessKeyId", orNone(key), "sessionContext", sc)
}

// orNone leaves a key out when its value is empty.
func orNone(v string) any {
	if v == "" {
		return none
	}
	return v
}

var ssoSuffix = map[string]string{
	"AdministratorAccess": "5e2c9a1b7d3f4e60",
	"PowerUserAccess":     "a83d1f0c6b2e9d47",
	"DeveloperReadOnly":   "0f7c3b9e1a5d2c86",
}

func ssoRole(set string) string { return "AWSReservedSSO_" + set + "_" + ssoSuffix[set] }

func (s *story) ssoIdentity(p person, key string, created time.Time) obj {
	return roleIdentity(ssoRole(p.awsSet), "aws-reserved/sso.amazonaws.com/"+region+"/", p.email(), key, created, false, false)
}

func instanceIdentity(h host, key string, created time.Time) obj {
	return roleIdentity(h.role, "", h.id, key, created, false, true)
}

func iamUser(name, principal, key string) obj {
	return o("type", "IAMUser", "principalId", principal, "arn", "arn:aws:iam::"+account+":user/"+name,
		"accountId", account, "accessKeyId", key, "userName", name)
}

func awsService(by string) obj { return o("type", "AWSService", "invokedBy", by) }

// The keys of the day.
const (
	bastionKey   = "ASIAUQ4N7XK2BSTN7Q4M" // bastion-ssm instance credentials (stolen at 10:33)
	webKey       = "ASIAUQ4N7XK2WEBA3H8P"
	sensorKey    = "ASIAUQ4N7XK2SNSR5T2C"
	tfKey        = "AKIAUQ4N7XK2TFCI9LGC" // terraform-ci's static key
	tfPrincipal  = "AIDAUQ4N7XK2TFCI4W7QZ"
	backdoorUser = "svc-backup-sync"
	backdoorPID  = "AIDAUQ4N7XK2SVCB8M3RT"
	backdoorKey  = "AKIAUQ4N7XK2SVCB6D1Y"
	secretTF     = "prod/ci/terraform-ci-access-key"
	secretDB     = "prod/webapp/database"
)

var sensor = host{"sensor-1", "i-0d5a9e3c7b1f2a468", sensorIP, "", "eni-0d5a9e3c7b1f2a469", "sensor", "AIPAUQ4N7XK2SENSOR01"}

const (
	ssmUA       = "aws-sdk-go/1.55.5 (go1.22.7; linux; amd64) amazon-ssm-agent/3.3.987.0"
	terraformUA = "APN/1.0 HashiCorp/1.0 Terraform/1.9.8 (+https://www.terraform.io) terraform-provider-aws/5.74.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.32.3 ua/2.1 os/linux lang/go#1.23.2 md/GOOS#linux md/GOARCH#amd64"
	webappUA    = "aws-sdk-js/3.682.0 ua/2.1 os/linux#6.1.0-26-cloud-amd64 lang/js md/nodejs#20.18.0 api/secrets-manager#3.682.0"
	ghaUA       = "aws-cli/2.18.12 md/awscrt#0.22.0 ua/2.0 os/linux#6.5.0-1025-azure md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.22 md/prompt#off"
	macCLI      = "aws-cli/2.18.5 md/awscrt#0.22.0 ua/2.0 os/macos#23.6.0 md/arch#arm64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#standard md/installer#source md/prompt#off"
	chromeMac   = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36"
	chromeWin   = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36"
	boto3UA     = "Boto3/1.35.54 md/Botocore#1.35.54 ua/2.0 os/linux#6.8.0-47-generic md/arch#x86_64 lang/python#3.12.3 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.35.54"
	s3ConsoleUA = "[S3Console/0.4, aws-internal/3 aws-sdk-java/1.12.770 Linux/5.10.227-198.884.amzn2int.x86_64 OpenJDK_64-Bit_Server_VM/17.0.13+11-LTS java/17.0.13 vendor/Amazon.com_Inc. cfg/retry-mode/standard]"
)

func (s *story) tellAWS() {
	s.awsBackground()
	s.awsHumans()
	s.awsDeploys()
	s.awsIntrusion()
	s.awsResponse()
	s.vpcFlows()
	s.guardDutyFindings()
	s.s3Access()
}

// awsBackground: what machines do all day.
func (s *story) awsBackground() {
	for _, h := range []host{bastion, web, sensor} {
		key := map[string]string{bastion.name: bastionKey, web.name: webKey, sensor.name: sensorKey}[h.name]
		ip := h.eip
		if ip == "" {
			ip = natIP
		}
		created := at(7, 41, 12)
		s.every(dayStart, dayEnd, 5*time.Minute, func(t time.Time) {
			s.put(ct{t: t, id: instanceIdentity(h, key, created), source: "ssm.amazonaws.com", name: "UpdateInstanceInformation",
				ip: ip, ua: ssmUA, req: o("instanceId", h.id, "agentVersion", "3.3.987.0", "agentStatus", "Active",
					"platformType", "Linux", "platformName", "Debian GNU/Linux", "platformVersion", "12",
					"iPAddress", h.ip, "computerName", "ip-"+strings.ReplaceAll(h.ip, ".", "-")+"."+region+".compute.internal",
					"agentName", "amazon-ssm-agent", "availabilityZone", region+"a", "availabilityZoneId", "euw1-az1")})
		})
		s.every(dayStart.Add(2*time.Minute), dayEnd, 30*time.Minute, func(t time.Time) {
			s.put(ct{t: t, id: instanceIdentity(h, key, created), source: "ssm.amazonaws.com", name: "ListInstanceAssociations",
				ip: ip, ua: ssmUA, readOnly: true, req: o("instanceId", h.id, "maxResults", 20)})
		})
		// The instance profile's credentials are refreshed about hourly.
		for _, t := range []time.Time{at(8, 41, 12), at(9, 41, 13), at(10, 41, 12), at(11, 41, 14), at(12, 41, 12), at(13, 41, 13)} {
			t = t.Add(time.Duration(s.intn(50)) * time.Second)
			s.put(ct{t: t, id: awsService("ec2.amazonaws.com"), source: "sts.amazonaws.com", name: "AssumeRole",
				ip: "ec2.amazonaws.com", ua: "ec2.amazonaws.com", readOnly: true,
				req:       o("roleArn", "arn:aws:iam::"+account+":role/"+h.role, "roleSessionName", h.id),
				resp:      o("credentials", o("accessKeyId", "ASIAUQ4N7XK2"+s.chars(upperAlnum, 8), "sessionToken", "IQoJb3JpZ2luX2VjE"+s.chars(alnum, 24), "expiration", t.Add(6*time.Hour).Format(awsDate))),
				resources: list(o("accountId", account, "type", "AWS::IAM::Role", "ARN", "arn:aws:iam::"+account+":role/"+h.role))})
		}
	}
	// The web application reads its database secret when it starts
	// (08:03, and after each deploy).
	for _, t := range []time.Time{at(8, 3, 41), at(9, 17, 2), at(13, 22, 48)} {
		s.put(ct{t: t, id: instanceIdentity(web, webKey, at(7, 41, 12)), source: "secretsmanager.amazonaws.com", name: "GetSecretValue",
			ip: webEIP, ua: webappUA, readOnly: true, req: o("secretId", secretDB)})
		s.put(ct{t: t.Add(80 * time.Millisecond), id: instanceIdentity(web, webKey, at(7, 41, 12)), source: "kms.amazonaws.com", name: "Decrypt",
			ip: "secretsmanager.amazonaws.com", ua: "secretsmanager.amazonaws.com", readOnly: true, noTLS: true,
			req:       o("encryptionContext", o("SecretARN", "arn:aws:secretsmanager:"+region+":"+account+":secret:"+secretDB+"-Qm3TfA", "SecretVersionId", "6f0c2d1e-8a4b-4c3d-9e2f-1a0b9c8d7e6f"), "encryptionAlgorithm", "SYMMETRIC_DEFAULT"),
			resources: list(o("accountId", account, "type", "AWS::KMS::Key", "ARN", "arn:aws:kms:"+region+":"+account+":key/7d1e4c2a-9b3f-4e8d-a6c5-2f1b0e9d8c7a"))})
	}
	// terraform-ci plans the infrastructure from the self-hosted runner at
	// 08:30: read-only calls, one after another.
	t := at(8, 30, 4)
	plan := []struct{ src, name, reg string }{
		{"sts", "GetCallerIdentity", ""}, {"ec2", "DescribeVpcs", ""}, {"ec2", "DescribeSubnets", ""},
		{"ec2", "DescribeSecurityGroups", ""}, {"ec2", "DescribeSecurityGroupRules", ""}, {"ec2", "DescribeRouteTables", ""},
		{"ec2", "DescribeInternetGateways", ""}, {"ec2", "DescribeNatGateways", ""}, {"ec2", "DescribeAddresses", ""},
		{"ec2", "DescribeInstances", ""}, {"ec2", "DescribeInstanceAttribute", ""}, {"ec2", "DescribeVolumes", ""},
		{"ec2", "DescribeFlowLogs", ""}, {"iam", "GetRole", "us-east-1"}, {"iam", "GetRole", "us-east-1"},
		{"iam", "GetRole", "us-east-1"}, {"iam", "ListAttachedRolePolicies", "us-east-1"}, {"iam", "ListRolePolicies", "us-east-1"},
		{"iam", "GetPolicy", "us-east-1"}, {"iam", "GetPolicyVersion", "us-east-1"}, {"iam", "GetInstanceProfile", "us-east-1"},
		{"iam", "GetUser", "us-east-1"}, {"iam", "GetOpenIDConnectProvider", "us-east-1"},
		{"s3", "GetBucketPolicy", ""}, {"s3", "GetBucketAcl", ""}, {"s3", "GetBucketPublicAccessBlock", ""},
		{"s3", "GetBucketVersioning", ""}, {"s3", "GetBucketEncryption", ""}, {"s3", "GetBucketLogging", ""},
		{"s3", "GetBucketOwnershipControls", ""}, {"rds", "DescribeDBInstances", ""}, {"rds", "DescribeDBSubnetGroups", ""},
		{"kms", "DescribeKey", ""}, {"kms", "GetKeyPolicy", ""}, {"kms", "GetKeyRotationStatus", ""},
		{"cloudtrail", "DescribeTrails", ""}, {"cloudtrail", "GetTrailStatus", ""}, {"cloudtrail", "GetEventSelectors", ""},
		{"guardduty", "GetDetector", ""}, {"secretsmanager", "DescribeSecret", ""}, {"route53", "ListHostedZones", "us-east-1"},
		{"route53", "GetHostedZone", "us-east-1"}, {"route53", "ListResourceRecordSets", "us-east-1"}, {"logs", "DescribeLogGroups", ""},
		{"lambda", "GetFunction", ""}, {"events", "DescribeRule", ""},
	}
	for _, c := range plan {
		t = t.Add(time.Duration(300+s.intn(900)) * time.Millisecond)
		req := any(nil)
		switch c.src {
		case "s3":
			req = o("bucketName", exportsB, "Host", exportsB+".s3."+region+".amazonaws.com", strings.TrimPrefix(strings.ToLower(c.name), "getbucket"), "")
		case "iam":
			if c.name == "GetRole" {
				req = o("roleName", s.pick("bastion-ssm", "web-app", "sensor", "gha-deploy", "exports-builder"))
			}
		}
		s.put(ct{t: t, region: c.reg, id: iamUser("terraform-ci", tfPrincipal, tfKey), source: c.src + ".amazonaws.com", name: c.name,
			ip: natIP, ua: terraformUA, readOnly: true, req: req})
	}
}

// awsHumans: people at work in the console and the CLI.
func (s *story) awsHumans() {
	type session struct {
		who      string
		from     time.Time
		to       time.Time
		ip       string
		console  bool
		n        int
		mistakes bool
	}
	sessions := []session{
		{"alice.nguyen", at(8, 14, 0), at(8, 48, 0), officeIP, true, 24, false},
		{"carol.diaz", at(8, 44, 0), at(9, 3, 0), personNamed("carol.diaz").home, true, 14, false},
		{"henry.park", at(9, 27, 0), at(9, 58, 0), officeIP, false, 18, true},
		{"liam.osei", at(10, 5, 0), at(10, 22, 0), officeIP, true, 10, false},
		{"carol.diaz", at(13, 5, 0), at(13, 40, 0), personNamed("carol.diaz").home, true, 16, false},
		{"henry.park", at(13, 31, 0), at(13, 52, 0), officeIP, false, 12, false},
	}
	browse := []struct{ src, name, reg string }{
		{"ec2", "DescribeInstances", ""}, {"ec2", "DescribeInstanceStatus", ""}, {"monitoring", "DescribeAlarms", ""},
		{"monitoring", "GetMetricData", ""}, {"s3", "ListBuckets", ""}, {"logs", "DescribeLogGroups", ""},
		{"logs", "FilterLogEvents", ""}, {"ecr", "DescribeRepositories", ""}, {"ce", "GetCostAndUsage", "us-east-1"},
		{"health", "DescribeEventAggregates", "us-east-1"}, {"ec2", "DescribeSecurityGroups", ""}, {"rds", "DescribeDBInstances", ""},
		{"lambda", "ListFunctions20150331", ""}, {"cloudtrail", "LookupEvents", ""}, {"ssm", "DescribeInstanceInformation", ""},
	}
	for _, se := range sessions {
		p := personNamed(se.who)
		key := "ASIAUQ4N7XK2" + s.chars(upperAlnum, 8)
		id := s.ssoIdentity(p, key, se.from)
		ua := chromeMac
		if !p.mac {
			ua = chromeWin
		}
		if !se.console {
			ua = macCLI
		}
		if se.console {
			s.put(ct{t: se.from, region: "us-east-1", id: s.ssoIdentity(p, "", se.from), source: "signin.amazonaws.com", name: "ConsoleLogin",
				ip: se.ip, ua: ua, eventType: "AwsConsoleSignIn", resp: o("ConsoleLogin", "Success"),
				extra: o("LoginTo", "https://console.aws.amazon.com/console/home?region="+region+"#", "MobileVersion", "No", "MFAUsed", "No")})
		}
		for i := 0; i < se.n; i++ {
			c := browse[s.intn(len(browse))]
			t := s.between(se.from.Add(20*time.Second), se.to)
			s.put(ct{t: t, region: c.reg, id: id, source: c.src + ".amazonaws.com", name: c.name, ip: se.ip, ua: ua,
				readOnly: true, console: se.console})
		}
		if se.mistakes {
			// A read-only developer tries to open a session on the
			// bastion: one refusal, not a pattern.
			t := s.between(se.from, se.to)
			s.put(ct{t: t, id: id, source: "ssm.amazonaws.com", name: "StartSession", ip: se.ip, ua: macCLI,
				errCode: "AccessDenied", errMsg: "User: arn:aws:sts::" + account + ":assumed-role/" + ssoRole(p.awsSet) + "/" + p.email() + " is not authorized to perform: ssm:StartSession on resource: arn:aws:ec2:" + region + ":" + account + ":instance/" + bastion.id + " because no identity-based policy allows the ssm:StartSession action",
				req: o("target", bastion.id)})
		}
	}
	// 08:52 carol opens SSH on the bastion to the whole internet "for a
	// vendor" — the door the intruder walks through.
	carol := personNamed("carol.diaz")
	cid := s.ssoIdentity(carol, "ASIAUQ4N7XK2CRL4V9D2", at(8, 44, 0))
	s.put(ct{t: at(8, 51, 37), id: cid, source: "ec2.amazonaws.com", name: "DescribeSecurityGroupRules", ip: carol.home, ua: chromeWin, readOnly: true, console: true,
		req: o("DescribeSecurityGroupRulesRequest", o("Filter", o("Name", "group-id", "Value", o("content", sgBastion, "tag", 1), "tag", 1)))})
	s.put(ct{t: at(8, 52, 14), id: cid, source: "ec2.amazonaws.com", name: "AuthorizeSecurityGroupIngress", ip: carol.home, ua: chromeWin, console: true,
		req: o("groupId", sgBastion, "ipPermissions", o("items", list(o("ipProtocol", "tcp", "fromPort", 22, "toPort", 22,
			"groups", o(), "ipRanges", o("items", list(o("cidrIp", "0.0.0.0/0", "description", "vendor debug - remove by EOD"))),
			"ipv6Ranges", o(), "prefixListIds", o())))),
		resp: o("requestId", s.uuid(), "_return", true, "securityGroupRuleSet", o("items", list(o("groupOwnerId", account,
			"groupId", sgBastion, "securityGroupRuleId", "sgr-0e4d3c2b1a0f9e8d7", "isEgress", false, "ipProtocol", "tcp",
			"fromPort", 22, "toPort", 22, "cidrIpv4", "0.0.0.0/0", "description", "vendor debug - remove by EOD"))))})
}

// awsDeploys: GitHub Actions deploys the web application at 09:15 and
// 13:20 through its OIDC role.
func (s *story) awsDeploys() {
	for _, start := range []time.Time{at(9, 14, 21), at(13, 19, 55)} {
		run := 11842000 + s.intn(9999)
		ghIP := s.pick("192.0.2.201", "192.0.2.207", "192.0.2.213")
		sub := "repo:fernhill/webapp:ref:refs/heads/main"
		s.put(ct{t: start, id: o("type", "WebIdentityUser", "principalId", "arn:aws:iam::"+account+":oidc-provider/token.actions.githubusercontent.com:sts.amazonaws.com:"+sub,
			"userName", sub, "identityProvider", "arn:aws:iam::"+account+":oidc-provider/token.actions.githubusercontent.com"),
			source: "sts.amazonaws.com", name: "AssumeRoleWithWebIdentity", ip: ghIP, ua: ghaUA, readOnly: true,
			req: o("roleArn", "arn:aws:iam::"+account+":role/gha-deploy", "roleSessionName", sprintf("GitHubActions-%d", run), "durationSeconds", 3600),
			resp: o("credentials", o("accessKeyId", "ASIAUQ4N7XK2GHA"+s.chars(upperAlnum, 5), "expiration", start.Add(time.Hour).Format(awsDate)),
				"subjectFromWebIdentityToken", sub, "assumedRoleUser", o("assumedRoleId", roleID("gha-deploy")+sprintf(":GitHubActions-%d", run),
					"arn", "arn:aws:sts::"+account+sprintf(":assumed-role/gha-deploy/GitHubActions-%d", run)),
				"provider", "arn:aws:iam::"+account+":oidc-provider/token.actions.githubusercontent.com", "audience", "sts.amazonaws.com")})
		id := roleIdentity("gha-deploy", "", sprintf("GitHubActions-%d", run), "ASIAUQ4N7XK2GHA"+s.chars(upperAlnum, 5), start, false, false)
		t := start
		for _, c := range []struct{ src, name string }{
			{"ecr", "GetAuthorizationToken"}, {"ecr", "BatchCheckLayerAvailability"}, {"ecr", "InitiateLayerUpload"},
			{"ecr", "UploadLayerPart"}, {"ecr", "CompleteLayerUpload"}, {"ecr", "PutImage"}, {"ssm", "SendCommand"},
			{"ssm", "GetCommandInvocation"}, {"ssm", "GetCommandInvocation"}, {"ssm", "GetCommandInvocation"},
		} {
			t = t.Add(time.Duration(2+s.intn(20)) * time.Second)
			var req any
			switch c.name {
			case "SendCommand":
				req = o("instanceIds", list(web.id), "documentName", "AWS-RunShellScript",
					"parameters", "HIDDEN_DUE_TO_SECURITY_REASONS", "comment", sprintf("deploy webapp run %d", run))
			case "PutImage":
				req = o("repositoryName", "webapp", "imageTag", sprintf("main-%s", s.hex(7)))
			case "GetCommandInvocation":
				req = o("instanceId", web.id, "commandId", s.uuid())
			}
			s.put(ct{t: t, id: id, source: c.src + ".amazonaws.com", name: c.name, ip: ghIP, ua: ghaUA,
				readOnly: strings.HasPrefix(c.name, "Get") || strings.HasPrefix(c.name, "Batch"), req: req})
		}
	}
}

// awsIntrusion: the bastion's stolen role credentials, then terraform-ci's
// key, then a backdoor user of the intruder's own.
func (s *story) awsIntrusion() {
	stolen := instanceIdentity(bastion, bastionKey, at(7, 41, 12))
	t := at(10, 34, 2)
	cli := func(cmd string) string { return kaliCLI + " md/command#" + cmd }
	s.put(ct{t: t, id: stolen, source: "sts.amazonaws.com", name: "GetCallerIdentity", ip: attackerIP, ua: cli("sts.get-caller-identity"), readOnly: true})
	denied := []struct{ src, name, cmd, reg string }{
		{"iam", "ListUsers", "iam.list-users", "us-east-1"}, {"iam", "ListRoles", "iam.list-roles", "us-east-1"},
		{"iam", "ListPolicies", "iam.list-policies", "us-east-1"}, {"iam", "ListGroups", "iam.list-groups", "us-east-1"},
		{"iam", "GetAccountAuthorizationDetails", "iam.get-account-authorization-details", "us-east-1"},
		{"iam", "ListAttachedRolePolicies", "iam.list-attached-role-policies", "us-east-1"},
		{"iam", "ListAccessKeys", "iam.list-access-keys", "us-east-1"},
		{"s3", "ListBuckets", "s3.ls", ""}, {"ec2", "DescribeInstances", "ec2.describe-instances", ""},
		{"ec2", "DescribeSecurityGroups", "ec2.describe-security-groups", ""}, {"ec2", "DescribeVpcs", "ec2.describe-vpcs", ""},
		{"ec2", "DescribeSnapshots", "ec2.describe-snapshots", ""},
		{"rds", "DescribeDBInstances", "rds.describe-db-instances", ""}, {"rds", "DescribeDBSnapshots", "rds.describe-db-snapshots", ""},
		{"lambda", "ListFunctions20150331", "lambda.list-functions", ""}, {"dynamodb", "ListTables", "dynamodb.list-tables", ""},
		{"kms", "ListKeys", "kms.list-keys", ""}, {"organizations", "DescribeOrganization", "organizations.describe-organization", "us-east-1"},
		{"guardduty", "ListDetectors", "guardduty.list-detectors", ""}, {"cloudtrail", "DescribeTrails", "cloudtrail.describe-trails", ""},
		{"logs", "DescribeLogGroups", "logs.describe-log-groups", ""}, {"eks", "ListClusters", "eks.list-clusters", ""},
		{"ecr", "DescribeRepositories", "ecr.describe-repositories", ""}, {"sns", "ListTopics", "sns.list-topics", ""},
	}
	for _, d := range denied {
		t = t.Add(time.Duration(4+s.intn(25)) * time.Second)
		code := "AccessDenied"
		if d.src == "ec2" {
			code = "Client.UnauthorizedOperation"
		} else if d.src != "iam" && d.src != "s3" && d.src != "sts" {
			code = "AccessDeniedException"
		}
		action := d.src + ":" + strings.TrimSuffix(d.name, "20150331")
		msg := "User: arn:aws:sts::" + account + ":assumed-role/bastion-ssm/" + bastion.id + " is not authorized to perform: " + action + " because no identity-based policy allows the " + action + " action"
		if d.src == "ec2" {
			msg = "You are not authorized to perform this operation. User: arn:aws:sts::" + account + ":assumed-role/bastion-ssm/" + bastion.id + " is not authorized to perform: " + action + " because no identity-based policy allows the " + action + " action"
		}
		s.put(ct{t: t, region: d.reg, id: stolen, source: d.src + ".amazonaws.com", name: d.name, ip: attackerIP, ua: cli(d.cmd),
			readOnly: true, errCode: code, errMsg: msg})
	}
	// The role may read secrets under prod/ (a wildcard meant for
	// prod/bastion/): it lists them and reads terraform-ci's key.
	t = t.Add(41 * time.Second)
	s.put(ct{t: t, id: stolen, source: "secretsmanager.amazonaws.com", name: "ListSecrets", ip: attackerIP, ua: cli("secretsmanager.list-secrets"), readOnly: true})
	t = t.Add(63 * time.Second)
	s.put(ct{t: t, id: stolen, source: "secretsmanager.amazonaws.com", name: "GetSecretValue", ip: attackerIP, ua: cli("secretsmanager.get-secret-value"), readOnly: true,
		req: o("secretId", secretTF)})
	s.put(ct{t: t.Add(90 * time.Millisecond), id: stolen, source: "kms.amazonaws.com", name: "Decrypt", ip: "secretsmanager.amazonaws.com",
		ua: "secretsmanager.amazonaws.com", readOnly: true, noTLS: true,
		req: o("encryptionContext", o("SecretARN", "arn:aws:secretsmanager:"+region+":"+account+":secret:"+secretTF+"-b7YkPz", "SecretVersionId", "0d9c8b7a-6e5f-4d3c-8b2a-1f0e9d8c7b6a"), "encryptionAlgorithm", "SYMMETRIC_DEFAULT")})

	// 10:48 as terraform-ci, whose policy has iam:* "for bootstrapping".
	tf := iamUser("terraform-ci", tfPrincipal, tfKey)
	t = at(10, 48, 9)
	s.put(ct{t: t, id: tf, source: "sts.amazonaws.com", name: "GetCallerIdentity", ip: attackerIP, ua: cli("sts.get-caller-identity"), readOnly: true})
	t = t.Add(37 * time.Second)
	s.put(ct{t: t, region: "us-east-1", id: tf, source: "iam.amazonaws.com", name: "ListUsers", ip: attackerIP, ua: cli("iam.list-users"), readOnly: true})
	t = t.Add(52 * time.Second)
	s.put(ct{t: t, region: "us-east-1", id: tf, source: "iam.amazonaws.com", name: "CreateUser", ip: attackerIP, ua: cli("iam.create-user"),
		req:  o("userName", backdoorUser, "path", "/"),
		resp: o("user", o("path", "/", "userName", backdoorUser, "userId", backdoorPID, "arn", "arn:aws:iam::"+account+":user/"+backdoorUser, "createDate", t.Format(awsDate)))})
	t = t.Add(21 * time.Second)
	s.put(ct{t: t, region: "us-east-1", id: tf, source: "iam.amazonaws.com", name: "AttachUserPolicy", ip: attackerIP, ua: cli("iam.attach-user-policy"),
		req: o("userName", backdoorUser, "policyArn", "arn:aws:iam::aws:policy/AdministratorAccess")})
	t = t.Add(34 * time.Second)
	s.put(ct{t: t, region: "us-east-1", id: tf, source: "iam.amazonaws.com", name: "CreateLoginProfile", ip: attackerIP, ua: cli("iam.create-login-profile"),
		req:  o("userName", backdoorUser, "passwordResetRequired", false),
		resp: o("loginProfile", o("userName", backdoorUser, "createDate", t.Format(awsDate), "passwordResetRequired", false))})
	t = t.Add(29 * time.Second)
	s.put(ct{t: t, region: "us-east-1", id: tf, source: "iam.amazonaws.com", name: "CreateAccessKey", ip: attackerIP, ua: cli("iam.create-access-key"),
		req:  o("userName", backdoorUser),
		resp: o("accessKey", o("userName", backdoorUser, "accessKeyId", backdoorKey, "status", "Active", "createDate", t.Format(awsDate)))})

	// 10:58 the backdoor user signs in to the console, no MFA.
	bd := o("type", "IAMUser", "principalId", backdoorPID, "arn", "arn:aws:iam::"+account+":user/"+backdoorUser, "accountId", account, "userName", backdoorUser)
	s.put(ct{t: at(10, 58, 31), region: "us-east-1", id: bd, source: "signin.amazonaws.com", name: "ConsoleLogin", ip: attackerIP, ua: kaliFirefox,
		eventType: "AwsConsoleSignIn", resp: o("ConsoleLogin", "Success"),
		extra: o("LoginTo", "https://console.aws.amazon.com/console/home?hashArgs=%23&isauthcode=true&state=hashArgsFromTB_us-east-1_c1b2a3d4e5f60718", "MobileVersion", "No", "MFAUsed", "No")})
	cons := iamUser(backdoorUser, backdoorPID, "ASIAUQ4N7XK2SVCB2K7W").with("sessionContext", o("sessionIssuer", o(), "webIdFederationData", o(),
		"attributes", o("creationDate", ts(at(10, 58, 31)), "mfaAuthenticated", "false")))
	t = at(10, 59, 40)
	s.put(ct{t: t, id: cons, source: "s3.amazonaws.com", name: "ListBuckets", ip: attackerIP, ua: s3ConsoleUA, readOnly: true, console: true,
		req: o("Host", "s3.amazonaws.com")})
	t = at(11, 1, 12)
	s.put(ct{t: t, id: cons, source: "s3.amazonaws.com", name: "GetBucketPolicy", ip: attackerIP, ua: s3ConsoleUA, readOnly: true, console: true,
		errCode: "NoSuchBucketPolicy", errMsg: "The bucket policy does not exist", req: o("bucketName", exportsB, "Host", exportsB+".s3."+region+".amazonaws.com", "policy", "")})
	s.put(ct{t: at(11, 3, 5), id: cons, source: "s3.amazonaws.com", name: "DeleteBucketPublicAccessBlock", ip: attackerIP, ua: s3ConsoleUA, console: true,
		req: o("bucketName", exportsB, "Host", exportsB+".s3."+region+".amazonaws.com", "publicAccessBlock", "")})
	policy := o("Version", "2012-10-17", "Statement", list(o("Sid", "PublicReadForSync", "Effect", "Allow", "Principal", "*",
		"Action", "s3:GetObject", "Resource", "arn:aws:s3:::"+exportsB+"/*")))
	s.put(ct{t: at(11, 4, 18), id: cons, source: "s3.amazonaws.com", name: "PutBucketPolicy", ip: attackerIP, ua: s3ConsoleUA, console: true,
		req: o("bucketPolicy", policy, "bucketName", exportsB, "Host", exportsB+".s3."+region+".amazonaws.com", "policy", "")})
	// 11:05 the backdoor's access key, tried from the intruder's second box.
	// (Their ids come from a generator of their own, so that adding them
	// left the rest of the samples as they were.)
	main := s.r
	s.r = rand.New(rand.NewPCG(11, 5))
	bdKey := iamUser(backdoorUser, backdoorPID, backdoorKey)
	s.put(ct{t: at(11, 5, 12), id: bdKey, source: "sts.amazonaws.com", name: "GetCallerIdentity", ip: attackerIP2, ua: boto3UA, readOnly: true})
	s.put(ct{t: at(11, 5, 14), id: bdKey, source: "s3.amazonaws.com", name: "ListBuckets", ip: attackerIP2, ua: boto3UA, readOnly: true})
	s.r = main
	s.put(ct{t: at(11, 13, 2), id: cons, source: "guardduty.amazonaws.com", name: "ListDetectors", ip: attackerIP, ua: kaliFirefox, readOnly: true, console: true})
	s.put(ct{t: at(11, 14, 26), id: cons, source: "guardduty.amazonaws.com", name: "DeleteDetector", ip: attackerIP, ua: kaliFirefox, console: true,
		req: o("detectorId", detectorID)})
	s.put(ct{t: at(11, 14, 51), id: cons, source: "cloudtrail.amazonaws.com", name: "GetTrailStatus", ip: attackerIP, ua: kaliFirefox, readOnly: true, console: true,
		req: o("name", "arn:aws:cloudtrail:"+region+":"+account+":trail/"+trailName)})
	s.put(ct{t: trailStopped, id: cons, source: "cloudtrail.amazonaws.com", name: "StopLogging", ip: attackerIP, ua: kaliFirefox, console: true,
		req: o("name", "arn:aws:cloudtrail:"+region+":"+account+":trail/"+trailName)})
}

// awsResponse: alice restarts the trail at 12:38 and cleans up.
func (s *story) awsResponse() {
	alice := personNamed("alice.nguyen")
	key := "ASIAUQ4N7XK2ALC7P3N1"
	id := s.ssoIdentity(alice, key, at(12, 36, 2))
	put := func(t time.Time, reg, src, name string, req any) {
		s.put(ct{t: t, region: reg, id: id, source: src + ".amazonaws.com", name: name, ip: officeIP, ua: chromeMac, console: true, req: req})
	}
	put(trailRestarted, "", "cloudtrail", "StartLogging", o("name", "arn:aws:cloudtrail:"+region+":"+account+":trail/"+trailName))
	put(at(12, 40, 3), "us-east-1", "iam", "DeleteLoginProfile", o("userName", backdoorUser))
	put(at(12, 40, 41), "us-east-1", "iam", "UpdateAccessKey", o("userName", backdoorUser, "accessKeyId", backdoorKey, "status", "Inactive"))
	put(at(12, 41, 10), "us-east-1", "iam", "DetachUserPolicy", o("userName", backdoorUser, "policyArn", "arn:aws:iam::aws:policy/AdministratorAccess"))
	put(at(12, 42, 33), "us-east-1", "iam", "UpdateAccessKey", o("userName", "terraform-ci", "accessKeyId", tfKey, "status", "Inactive"))
	put(at(12, 43, 5), "", "s3", "PutBucketPublicAccessBlock", o("publicAccessBlock", "", "bucketName", exportsB, "Host", exportsB+".s3."+region+".amazonaws.com",
		"PublicAccessBlockConfiguration", o("xmlns", "http://s3.amazonaws.com/doc/2006-03-01/", "RestrictPublicBuckets", true, "BlockPublicPolicy", true, "BlockPublicAcls", true, "IgnorePublicAcls", true)))
	put(at(12, 43, 40), "", "s3", "DeleteBucketPolicy", o("bucketName", exportsB, "Host", exportsB+".s3."+region+".amazonaws.com", "policy", ""))
	put(at(12, 45, 12), "", "ec2", "RevokeSecurityGroupIngress", o("groupId", sgBastion, "securityGroupRuleIds", o("items", list(o("securityGroupRuleId", "sgr-0e4d3c2b1a0f9e8d7")))))
	put(at(12, 46, 50), "", "ec2", "CreateSnapshot", o("volumeId", "vol-0a9b8c7d6e5f40312", "description", "IR 2026-11-10 bastion-1 root volume"))
	put(at(12, 47, 31), "", "ec2", "ModifyInstanceAttribute", o("instanceId", bastion.id, "groupSet", o("items", list(o("groupId", "sg-0f9e8d7c6b5a43210")))))
	put(at(12, 49, 2), "", "guardduty", "CreateDetector", o("enable", true, "findingPublishingFrequency", "FIFTEEN_MINUTES"))
	put(at(12, 52, 20), "", "secretsmanager", "RotateSecret", o("secretId", secretTF))
	put(at(12, 55, 48), "", "cloudtrail", "LookupEvents", o("lookupAttributes", list(o("attributeKey", "AccessKeyId", "attributeValue", bastionKey))))
}

// VPC Flow Logs, custom format, delivered to S3 with their header.

const vpcHeader = "version account-id vpc-id subnet-id instance-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status flow-direction"

func (s *story) flow(h host, t time.Time, src, dst string, sport, dport, proto, pkts int, bytes int64, dur time.Duration, action, dir string) {
	subnet := subnetPub
	if h.name == sensor.name {
		subnet = subnetPriv
	}
	line := sprintf("5 %s %s %s %s %s %s %s %d %d %d %d %d %d %d %s OK %s", account, vpcID, subnet, h.id, h.eni,
		src, dst, sport, dport, proto, pkts, bytes, t.Unix(), t.Add(dur).Unix(), action, dir)
	s.vpcflow = append(s.vpcflow, rec{t: t, line: line})
}

// internet returns an address of "the internet": visitors, bots and
// services, all in 192.0.2.0/24 apart from the employees' homes.
func (s *story) internet() string {
	for {
		n := 2 + s.intn(250)
		ip := sprintf("192.0.2.%d", n)
		home := false
		for _, p := range people {
			if p.home == ip {
				home = true
			}
		}
		if !home && n < 200 {
			return ip
		}
	}
}

func (s *story) vpcFlows() {
	// Visitors of www and app, and the replies.
	s.every(dayStart, dayEnd, 20*time.Second, func(t time.Time) {
		ip := s.internet()
		sp := s.port()
		in := int64(900 + s.intn(4000))
		out := int64(4000 + s.intn(90000))
		d := time.Duration(5+s.intn(50)) * time.Second
		s.flow(web, t, ip, web.ip, sp, 443, 6, 8+s.intn(20), in, d, "ACCEPT", "ingress")
		s.flow(web, t, web.ip, ip, 443, sp, 6, 10+s.intn(60), out, d, "ACCEPT", "egress")
	})
	// The application and its database; DNS.
	s.every(dayStart, dayEnd, time.Minute, func(t time.Time) {
		s.flow(web, t, web.ip, dbIP, s.port(), 5432, 6, 40+s.intn(200), int64(8000+s.intn(60000)), 60*time.Second, "ACCEPT", "egress")
		s.flow(web, t, web.ip, resolverIP, s.port(), 53, 17, 2, int64(140+s.intn(80)), time.Second, "ACCEPT", "egress")
	})
	// Employees on the VPN use the bastion.
	for _, v := range []struct {
		ip   string
		from time.Time
		to   time.Time
	}{{"10.8.0.14", at(8, 21, 0), at(8, 58, 0)}, {"10.8.0.52", at(9, 2, 0), at(9, 40, 0)}, {"10.8.0.101", at(13, 12, 0), at(13, 55, 0)}} {
		sp := s.port()
		for t := v.from; t.Before(v.to); t = t.Add(time.Minute) {
			s.flow(bastion, t, v.ip, bastion.ip, sp, 22, 6, 20+s.intn(80), int64(3000+s.intn(20000)), 60*time.Second, "ACCEPT", "ingress")
		}
	}
	// The bastion's own traffic: apt, SSM.
	s.every(dayStart, dayEnd, 5*time.Minute, func(t time.Time) {
		s.flow(bastion, t, bastion.ip, "192.0.2.240", s.port(), 443, 6, 12, 4200, 2*time.Second, "ACCEPT", "egress")
	})
	// Background noise: the internet knocks on closed ports.
	ports := []int{23, 25, 80, 123, 135, 139, 445, 1433, 2375, 3306, 3389, 5060, 5432, 5900, 6379, 7547, 8080, 8443, 9200, 11211, 27017}
	s.every(dayStart, dayEnd, 50*time.Second, func(t time.Time) {
		h := bastion
		if s.chance(0.5) {
			h = web
		}
		p := ports[s.intn(len(ports))]
		if h.name == web.name && p == 80 {
			p = 8080
		}
		s.flow(h, t, s.internet(), h.ip, s.port(), p, 6, 1, 40+int64(s.intn(3))*4, time.Second, "REJECT", "ingress")
	})
	// Before 08:52 SSH on the bastion was closed to the internet.
	s.every(dayStart, at(8, 52, 0), 7*time.Minute, func(t time.Time) {
		s.flow(bastion, t, s.internet(), bastion.ip, s.port(), 22, 6, 1, 60, time.Second, "REJECT", "ingress")
	})

	// 09:04 the intruder's port scan of both public addresses.
	t := at(9, 4, 11)
	scan := []int{21, 22, 23, 25, 53, 80, 110, 111, 135, 139, 143, 443, 445, 993, 995, 1025, 1433, 1521, 1723, 2049,
		2375, 3000, 3306, 3389, 5000, 5432, 5601, 5900, 5985, 6379, 6443, 8000, 8008, 8080, 8081, 8443, 8888, 9000, 9090, 9200, 9300, 10250, 11211, 27017}
	for _, h := range []host{web, bastion} {
		for _, p := range scan {
			t = t.Add(time.Duration(200+s.intn(1500)) * time.Millisecond)
			action := "REJECT"
			if (h.name == web.name && (p == 80 || p == 443)) || (h.name == bastion.name && p == 22) {
				action = "ACCEPT"
			}
			s.flow(h, t, attackerIP, h.ip, 40000+s.intn(20000), p, 6, 1, 44, time.Second, action, "ingress")
		}
	}
	// 09:12-09:24 web scan (443 and 80).
	for t := at(9, 12, 3); t.Before(at(9, 24, 30)); t = t.Add(20 * time.Second) {
		s.flow(web, t, attackerIP, web.ip, s.port(), s.pickPort(443, 80), 6, 40+s.intn(60), int64(6000+s.intn(9000)), 20*time.Second, "ACCEPT", "ingress")
	}
	// 10:10-10:21 SSH password guessing, then the session.
	for t := at(10, 10, 2); t.Before(at(10, 21, 0)); t = t.Add(25 * time.Second) {
		s.flow(bastion, t, attackerIP, bastion.ip, s.port(), 22, 6, 14+s.intn(8), int64(2600+s.intn(900)), 6*time.Second, "ACCEPT", "ingress")
	}
	for t := at(10, 21, 4); t.Before(at(11, 52, 0)); t = t.Add(time.Minute) {
		s.flow(bastion, t, attackerIP, bastion.ip, 51622, 22, 6, 10+s.intn(60), int64(1200+s.intn(9000)), 60*time.Second, "ACCEPT", "ingress")
	}
	// 10:24 the download and the implant's beacon, every minute until
	// the bastion is isolated at 12:47, then refused.
	s.flow(bastion, at(10, 24, 37), bastion.ip, c2IP, 48812, 80, 6, 9, 812, time.Second, "ACCEPT", "egress")
	s.flow(bastion, at(10, 24, 52), bastion.ip, c2IP, 48826, 80, 6, 380, 551200, 3*time.Second, "ACCEPT", "egress")
	for t := at(10, 26, 3); t.Before(dayEnd); t = t.Add(time.Minute) {
		action := "ACCEPT"
		if t.After(at(12, 47, 31)) {
			action = "REJECT"
		}
		s.flow(bastion, t, bastion.ip, c2IP, s.port(), 443, 6, 6, 1320, time.Second, action, "egress")
	}
	// 10:31 nmap from the bastion: refused by the VPC's other hosts.
	t = at(10, 31, 8)
	for i := 0; i < 46; i++ {
		t = t.Add(time.Duration(100+s.intn(700)) * time.Millisecond)
		dst := sprintf("10.0.%d.%d", 1+s.intn(2), 2+s.intn(60))
		s.flow(bastion, t, bastion.ip, dst, s.port(), scan[s.intn(len(scan))], 6, 1, 44, time.Second, "REJECT", "egress")
	}
	// 11:40-12:10 the dump leaves, in 10-minute aggregation records.
	for i, b := range []int64{1503238553, 1395864371, 644245094} {
		st := at(11, 40, 0).Add(time.Duration(i) * 10 * time.Minute)
		s.flow(bastion, st, bastion.ip, c2IP, 49410, 443, 6, int(b/1400), b, 10*time.Minute-time.Second, "ACCEPT", "egress")
	}
}

func (s *story) pickPort(ps ...int) int { return ps[s.intn(len(ps))] }

func (s *story) vpcflowFiles() []file {
	sortRecs(s.vpcflow)
	byHour := map[int][]string{}
	for _, r := range s.vpcflow {
		byHour[r.t.Hour()] = append(byHour[r.t.Hour()], r.line)
	}
	var out []file
	for h := 8; h < 14; h++ {
		name := sprintf("aws/AWSLogs/%s/vpcflowlogs/%s/2026/11/10/%s_vpcflowlogs_%s_fl-0a1b2c3d4e5f60718_20261110T%02d05Z_%s.log.gz",
			account, region, account, region, h+1, s.hex(8))
		out = append(out, file{name, gz, []byte(vpcHeader + "\n" + strings.Join(byHour[h], "\n") + "\n")})
	}
	return out
}

// CloudTrail files: one {"Records":[...]} per region and 5 minutes.
func (s *story) cloudtrailFiles() []file {
	sortRecs(s.cloudtrail)
	type key struct {
		region string
		slot   time.Time
	}
	groups := map[key][]rec{}
	var keys []key
	for _, r := range s.cloudtrail {
		k := key{r.region, r.t.Truncate(5 * time.Minute)}
		if _, ok := groups[k]; !ok {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], r)
	}
	sort.Slice(keys, func(i, j int) bool {
		if !keys[i].slot.Equal(keys[j].slot) {
			return keys[i].slot.Before(keys[j].slot)
		}
		return keys[i].region < keys[j].region
	})
	var out []file
	for _, k := range keys {
		recs := make([]any, 0, len(groups[k]))
		for _, r := range groups[k] {
			recs = append(recs, r.j)
		}
		delivered := k.slot.Add(5 * time.Minute).Add(time.Duration(s.intn(4)) * time.Minute)
		name := sprintf("aws/AWSLogs/%s/CloudTrail/%s/2026/11/10/%s_CloudTrail_%s_%sZ_%s.json.gz",
			account, k.region, account, k.region, delivered.Format("20060102T1504"), s.chars(alnum, 16))
		out = append(out, file{name, gz, append(marshal(o("Records", recs)), '\n')})
	}
	return out
}

// GuardDuty findings, exported to S3 as JSON lines.
func (s *story) guardDutyFindings() {
	finding := func(created, updated, first, last time.Time, typ string, sev float64, title, desc string, res obj, action obj, count int) {
		id := s.hex(32)
		f := o("schemaVersion", "2.0", "accountId", account, "region", region, "partition", "aws", "id", id,
			"arn", "arn:aws:guardduty:"+region+":"+account+":detector/"+detectorID+"/finding/"+id,
			"type", typ, "resource", res,
			"service", o("serviceName", "guardduty", "detectorId", detectorID, "action", action, "resourceRole", "TARGET",
				"additionalInfo", o("value", "{}", "type", "default"), "eventFirstSeen", tsMs(first), "eventLastSeen", tsMs(last),
				"archived", false, "count", count),
			"severity", sev, "createdAt", tsMs(created), "updatedAt", tsMs(updated), "title", title, "description", desc)
		s.guardduty = append(s.guardduty, rec{t: updated, j: f})
	}
	instance := o("resourceType", "Instance", "instanceDetails", o("instanceId", bastion.id, "instanceType", "t3.small",
		"instanceState", "running", "launchTime", "2026-09-02T09:14:51.000Z", "availabilityZone", region+"a", "imageId", "ami-0e3a7c1b5d9f24680",
		"iamInstanceProfile", o("arn", "arn:aws:iam::"+account+":instance-profile/"+bastion.role, "id", bastion.profileID),
		"networkInterfaces", list(o("networkInterfaceId", bastion.eni, "privateIpAddress", bastion.ip, "publicIp", bastion.eip,
			"securityGroups", list(o("groupId", sgBastion, "groupName", "bastion-ssh")), "subnetId", subnetPub, "vpcId", vpcID)),
		"tags", list(o("key", "Name", "value", bastion.name))))
	remote := o("ipAddressV4", attackerIP, "organization", o("asn", "64501", "asnOrg", "Example Hosting", "isp", "Example Hosting", "org", "Example Hosting"),
		"country", o("countryName", "Netherlands"), "city", o("cityName", "Amsterdam"), "geoLocation", o("lat", 52.37, "lon", 4.89))
	finding(at(9, 21, 40), at(9, 21, 40), at(9, 4, 52), at(9, 5, 3), "Recon:EC2/PortProbeUnprotectedPort", 2,
		"Unprotected port on EC2 instance "+bastion.id+" is being probed.",
		"EC2 instance has an unprotected port which is being probed by a known malicious host.", instance,
		o("actionType", "PORT_PROBE", "portProbeAction", o("blocked", false, "portProbeDetails", list(o("localPortDetails", o("port", 22, "portName", "SSH"),
			"localIpDetails", o("ipAddressV4", bastion.ip), "remoteIpDetails", remote)))), 3)
	finding(at(11, 5, 31), at(11, 5, 31), at(11, 3, 5), at(11, 3, 5), "Policy:S3/BucketBlockPublicAccessDisabled", 2,
		"Amazon S3 Block Public Access was disabled for S3 bucket "+exportsB+".",
		"Amazon S3 Block Public Access was disabled for S3 bucket "+exportsB+" by "+backdoorUser+" calling DeleteBucketPublicAccessBlock.",
		o("resourceType", "S3Bucket", "s3BucketDetails", list(o("name", exportsB, "arn", "arn:aws:s3:::"+exportsB, "type", "Destination"))),
		o("actionType", "AWS_API_CALL", "awsApiCallAction", o("api", "DeleteBucketPublicAccessBlock", "serviceName", "s3.amazonaws.com",
			"callerType", "Remote IP", "remoteIpDetails", remote)), 1)
	finding(at(11, 10, 12), at(11, 10, 12), at(10, 34, 2), at(10, 47, 40), "UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS", 8,
		"Credentials for instance role "+bastion.role+" used from external IP address.",
		"Credentials created exclusively for an EC2 instance using instance role "+bastion.role+" have been used from external IP address "+attackerIP+".",
		o("resourceType", "AccessKey", "accessKeyDetails", o("accessKeyId", bastionKey, "principalId", roleID(bastion.role)+":"+bastion.id,
			"userName", bastion.role, "userType", "AssumedRole")),
		o("actionType", "AWS_API_CALL", "awsApiCallAction", o("api", "GetSecretValue", "serviceName", "secretsmanager.amazonaws.com",
			"callerType", "Remote IP", "remoteIpDetails", remote, "affectedResources", o())), 29)
}

func (s *story) guarddutyFiles() []file {
	sortRecs(s.guardduty)
	var out []file
	// Each export holds the findings of its window.
	groups := [][]rec{{s.guardduty[0]}, s.guardduty[1:]}
	for _, g := range groups {
		out = append(out, jsonLines(sprintf("aws/AWSLogs/%s/GuardDuty/%s/2026/11/10/%s.jsonl.gz", account, region, s.uuid()), gz, g))
	}
	return out
}

// S3 server access logs of the exports bucket.
func (s *story) s3Access() {
	owner := "9f2c7a1e5b3d8f0a4c6e2b9d7f1a3c5e8b0d2f4a6c8e0b2d4f6a8c0e2b4d6f81"
	line := func(t time.Time, ip, requester, op, key, uri string, status int, errCode string, sent, size int64, ua, sig, auth string) {
		req := s.chars(upperAlnum, 16)
		hostID := s.chars(alnum, 56) + "="
		bytesSent, objSize := "-", "-"
		if sent > 0 {
			bytesSent = sprintf("%d", sent)
		}
		if size > 0 {
			objSize = sprintf("%d", size)
		}
		tls := "TLSv1.3"
		cipher := "TLS_AES_128_GCM_SHA256"
		s.s3access = append(s.s3access, rec{t: t, line: sprintf(`%s %s [%s] %s %s %s %s %s "%s" %d %s %s %s %d %d "-" "%s" - %s %s %s %s %s.s3.%s.amazonaws.com %s - -`,
			owner, exportsB, t.Format("02/Jan/2006:15:04:05 -0700"), ip, requester, req, op, key, uri, status, errCode, bytesSent, objSize,
			20+s.intn(200), 5+s.intn(40), ua, hostID, sig, cipher, auth, exportsB, region, tls)})
	}
	builder := "arn:aws:sts::" + account + ":assumed-role/exports-builder/exports-builder"
	webRole := "arn:aws:sts::" + account + ":assumed-role/web-app/" + web.id
	var objects []string
	for h := 0; h < 14; h++ {
		for c := 0; c < 12; c++ {
			objects = append(objects, sprintf("exports/2026/11/10/%02d/customer-%04d.csv.gz", h, 1000+c*37+h))
		}
	}
	// Hourly export job, and customers downloading their exports through
	// pre-signed links.
	for h := 8; h < 14; h++ {
		t := at(h, 5, 0).Add(time.Duration(s.intn(40)) * time.Second)
		for c := 0; c < 12; c++ {
			key := sprintf("exports/2026/11/10/%02d/customer-%04d.csv.gz", h, 1000+c*37+h)
			t = t.Add(time.Duration(300+s.intn(900)) * time.Millisecond)
			size := int64(200000 + s.intn(3000000))
			line(t, "10.0.3.25", builder, "REST.PUT.OBJECT", key, "PUT /"+key+" HTTP/1.1", 200, "-", 0, size,
				"aws-sdk-js/3.682.0 ua/2.1 os/linux#5.10.227-239.884.amzn2.x86_64 lang/js md/nodejs#20.18.0 api/s3#3.682.0 exec-env/AWS_Lambda_nodejs20.x", "SigV4", "AuthHeader")
		}
	}
	s.every(dayStart.Add(10*time.Minute), dayEnd, 4*time.Minute, func(t time.Time) {
		key := objects[s.intn(12*(t.Hour()-1)+12)]
		size := int64(200000 + s.intn(3000000))
		line(t, s.internet(), webRole, "REST.GET.OBJECT", key, "GET /"+key+"?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential="+webKey+"%2F20261110%2F"+region+"%2Fs3%2Faws4_request&X-Amz-Date="+t.Format("20060102T150405Z")+"&X-Amz-Expires=900&X-Amz-SignedHeaders=host&X-Amz-Signature="+s.hex(64)+" HTTP/1.1",
			200, "-", size, size, s.pick(chromeMac, chromeWin, "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"), "SigV4", "QueryString")
	})
	// Before the bucket is public, someone already tries it anonymously
	// (refused); from 11:08 the intruder's drop server takes everything.
	line(at(10, 1, 17), c2IP, "-", "REST.GET.BUCKET", "-", "GET /?list-type=2&prefix=exports%2F HTTP/1.1", 403, "AccessDenied", 243, 0, "python-requests/2.32.3", "-", "-")
	t := at(11, 8, 2)
	line(t, c2IP, "-", "REST.GET.BUCKET", "-", "GET /?list-type=2&prefix=exports%2F HTTP/1.1", 403, "AccessDenied", 243, 0, "python-requests/2.32.3", "-", "-")
	for _, key := range objects[:12*11+6] {
		t = t.Add(time.Duration(4+s.intn(12)) * time.Second)
		size := int64(200000 + s.intn(3000000))
		line(t, c2IP, "-", "REST.GET.OBJECT", key, "GET /"+key+" HTTP/1.1", 200, "-", size, size, "python-requests/2.32.3", "-", "-")
	}
	// After 12:43 the bucket is private again.
	line(at(12, 58, 44), c2IP, "-", "REST.GET.OBJECT", objects[140], "GET /"+objects[140]+" HTTP/1.1", 403, "AccessDenied", 243, 0, "python-requests/2.32.3", "-", "-")
}

func (s *story) s3accessFiles() []file {
	sortRecs(s.s3access)
	groups := map[time.Time][]rec{}
	var slots []time.Time
	for _, r := range s.s3access {
		k := r.t.Truncate(20 * time.Minute)
		if _, ok := groups[k]; !ok {
			slots = append(slots, k)
		}
		groups[k] = append(groups[k], r)
	}
	var out []file
	for _, k := range slots {
		name := sprintf("aws/s3-access-logs/%s/%s-%s", exportsB, k.Add(20*time.Minute+time.Duration(s.intn(300))*time.Second).Format("2006-01-02-15-04-05"), s.chars("0123456789ABCDEF", 16))
		out = append(out, textLines(name, plain, groups[k]))
	}
	return out
}
