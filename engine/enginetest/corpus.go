// Package enginetest generates synthetic detection repositories for
// benchmarks: many CloudTrail rules with tests, helpers, mocks and a data
// model, shaped like a real detections repository.
package enginetest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Corpus writes n detections with 4 tests each (2 true, 2 false) under dir,
// with helpers (one per 30 rules) and a CloudTrail data model. Every
// fourth rule mocks a helper-backed global, every third reads the data
// model. It returns the number of tests written.
func Corpus(dir string, n int) (int, error) {
	write := func(rel, body string) error {
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		return os.WriteFile(p, []byte(body), 0o644)
	}
	helpers := (n + 29) / 30
	for h := 0; h < helpers; h++ {
		if err := write(fmt.Sprintf("helpers/h%03d.yml", h), fmt.Sprintf("AnalysisType: global\nGlobalID: helper_%03d\nFilename: h%03d.lua\n", h, h)); err != nil {
			return 0, err
		}
		if err := write(fmt.Sprintf("helpers/h%03d.lua", h), helperLua); err != nil {
			return 0, err
		}
	}
	if err := write("datamodels/ct.yml", dataModelYAML); err != nil {
		return 0, err
	}
	if err := write("datamodels/ct.lua", dataModelLua); err != nil {
		return 0, err
	}
	tests := 0
	for i := 0; i < n; i++ {
		name := eventNames[i%len(eventNames)]
		source := strings.ToLower(name[:3]) + ".amazonaws.com"
		spec, lua := rule(i, name, source, i/30)
		dirName := fmt.Sprintf("rules/group%02d", i/100)
		if err := write(fmt.Sprintf("%s/r%04d.yml", dirName, i), spec); err != nil {
			return 0, err
		}
		if err := write(fmt.Sprintf("%s/r%04d.lua", dirName, i), lua); err != nil {
			return 0, err
		}
		tests += 4
	}
	return tests, nil
}

var eventNames = []string{"CreateUser", "DeleteTrail", "PutBucketPolicy", "AuthorizeSecurityGroupIngress",
	"CreateAccessKey", "AttachUserPolicy", "ConsoleLogin", "ScheduleKeyDeletion", "DisableKey",
	"UpdateAssumeRolePolicy", "PutBucketAcl", "DeleteDetector", "StopLogging", "CreateLoginProfile"}

const helperLua = `local M = {}
function M.actor(event)
  local id = event.userIdentity
  if id == nil then return "unknown" end
  if id.type == "Root" then return "root" end
  return id.userName or id.arn or "unknown"
end
function M.failed(event) return event.errorCode ~= nil end
function M.is_admin_role(arn)
  return arn ~= nil and (arn:find(":role/Admin", 1, true) ~= nil or arn:find("OrganizationAccountAccessRole", 1, true) ~= nil)
end
return M
`

const dataModelYAML = `AnalysisType: datamodel
DataModelID: Bench.CloudTrail
LogTypes: [AWS.CloudTrail]
Filename: ct.lua
Mappings:
  - {Name: source_ip, Path: sourceIPAddress}
  - {Name: event_type, Path: eventName}
  - {Name: actor_user, Method: actor_user}
`

const dataModelLua = `function actor_user(event)
  return event:get("userIdentity", "userName") or event:get("userIdentity", "arn")
end
`

func rule(i int, name, source string, helper int) (string, string) {
	mock := i%4 == 0
	udm := i%3 == 0
	var b strings.Builder
	fmt.Fprintf(&b, `AnalysisType: rule
RuleID: Bench.Rule.%04d
DisplayName: Bench rule %d (%s)
Enabled: true
Filename: r%04d.lua
LogTypes: [AWS.CloudTrail]
Severity: %s
DedupPeriodMinutes: 60
Threshold: 1
Tags: [AWS, Bench]
Reports: {MITRE ATT&CK: ["TA0005:T1562.008"]}
Description: A generated rule for the benchmark.
Runbook: Look at it.
Reference: https://example.com/%d
SummaryAttributes: [eventName, sourceIPAddress]
Tests:
`, i, i, name, i, []string{"Info", "Low", "Medium", "High", "Critical"}[i%5], i)
	for t := 0; t < 4; t++ {
		match := t < 2
		ev := name
		errCode := ""
		if !match {
			if t == 2 {
				ev = "Describe" + name
			} else {
				errCode = "AccessDenied"
			}
		}
		fmt.Fprintf(&b, "  - Name: case %d\n    ExpectedResult: %v\n", t, match)
		if mock && t == 1 {
			b.WriteString("    Mocks:\n      - objectName: is_sensitive_account\n        returnValue: true\n")
		}
		if match {
			fmt.Fprintf(&b, "    Expect:\n      Title: \"%s by user%d in 1234567890%02d\"\n      Dedup: \"user%d\"\n", name, t, i%100, t)
		}
		b.WriteString("    Log:\n")
		fmt.Fprintf(&b, event, t, i%100, t, i%100, t, source, ev, t%3+1, t, i%100, i, t)
		if errCode != "" {
			fmt.Fprintf(&b, "      errorCode: %s\n", errCode)
		}
	}
	var l strings.Builder
	fmt.Fprintf(&l, "local h = require(\"helper_%03d\")\n", helper)
	fmt.Fprintf(&l, "SENSITIVE = {[\"123456789099\"] = true}\n")
	l.WriteString("function is_sensitive_account(id) return SENSITIVE[id] == true end\n")
	fmt.Fprintf(&l, `function rule(event)
  if event.eventSource ~= %q or event.eventName ~= %q then return false end
  if h.failed(event) then return false end
`, source, name)
	if udm {
		l.WriteString("  if event:udm(\"source_ip\") == nil then return false end\n")
	}
	if mock {
		l.WriteString("  if is_sensitive_account(event.recipientAccountId) then return true end\n")
	}
	l.WriteString(`  return not h.is_admin_role(event:get("userIdentity", "sessionContext", "sessionIssuer", "arn"))
end
function title(event)
  return string.format("%s by %s in %s", event.eventName, h.actor(event), event.recipientAccountId or "?")
end
function dedup(event) return h.actor(event) end
function alert_context(event)
  return {actor = h.actor(event), ip = event.sourceIPAddress, region = event.awsRegion, account = event.recipientAccountId}
end
`)
	return b.String(), l.String()
}

const event = `      eventVersion: "1.08"
      userIdentity:
        type: IAMUser
        principalId: AIDAEXAMPLE%d
        arn: arn:aws:iam::1234567890%02d:user/user%d
        accountId: "1234567890%02d"
        accessKeyId: AKIAEXAMPLE
        userName: user%d
        sessionContext:
          attributes: {creationDate: "2024-01-01T00:00:00Z", mfaAuthenticated: "false"}
      eventTime: "2024-01-01T00:00:00Z"
      eventSource: %s
      eventName: %s
      awsRegion: us-east-%d
      sourceIPAddress: 198.51.100.%d
      userAgent: aws-cli/2.15.0 Python/3.11.6
      requestParameters: {userName: target, policyArn: "arn:aws:iam::aws:policy/AdministratorAccess"}
      responseElements: null
      requestID: 11111111-2222-3333-4444-555555555555
      eventID: 66666666-7777-8888-9999-000000000000
      readOnly: false
      eventType: AwsApiCall
      managementEvent: true
      recipientAccountId: "1234567890%02d"
      eventCategory: Management
      tlsDetails: {tlsVersion: TLSv1.3, cipherSuite: TLS_AES_128_GCM_SHA256, clientProvidedHostHeader: iam.amazonaws.com}
      sharedEventID: bench-%d-%d
`
