package saas

import (
	"bytes"

	"panther/parsers"
	"panther/parsers/event"
)

// auditLogType is the @type of an AuditLog protoPayload.
const auditLogType = "type.googleapis.com/google.cloud.audit.AuditLog"

// GCP is GCP.AuditLog: Cloud Audit Logs LogEntry objects (Admin Activity,
// Data Access, System Event and Policy Denied logs), one JSON object a
// record, as a Logging sink to Cloud Storage or Pub/Sub writes them.
//
// https://cloud.google.com/logging/docs/reference/audit/auditlog/rest/Shared.Types/AuditLog
var GCP = &parsers.LogType{
	Name:        "GCP.AuditLog",
	Description: "Google Cloud Audit Logs: admin activity, data access, system events and policy denials",
	Reference:   "https://cloud.google.com/logging/docs/reference/audit/auditlog/rest/Shared.Types/AuditLog",
	NewParser:   newGCPParser,
	Detect:      detectGCP,
	TimeFields: []parsers.TimeField{
		{Path: "timestamp", Format: "rfc3339"},
		{Path: "receiveTimestamp", Format: "rfc3339"},
	},
	Indicators: []parsers.Indicator{
		// callerIp is "private" or "gce-internal-ip" for internal callers:
		// the ip kind keeps addresses only.
		{Path: "protoPayload.requestMetadata.callerIp", Kind: "ip"},
		{Path: "protoPayload.requestMetadata.callerIP", Kind: "ip"}, // Panther's exports
		{Path: "protoPayload.requestMetadata.destinationAttributes.ip", Kind: "ip"},
		{Path: "protoPayload.authenticationInfo.principalEmail", Kind: "email"},
		{Path: "protoPayload.authenticationInfo.serviceAccountDelegationInfo[*].firstPartyPrincipal.principalEmail", Kind: "email"},
		{Path: "protoPayload.authenticationInfo.serviceAccountDelegationInfo[*].principalEmail", Kind: "email"},
		{Path: "trace", Kind: "trace_id"},
	},
	Schema: gcpSchema,

	Sample: `{"protoPayload":{"@type":"type.googleapis.com/google.cloud.audit.AuditLog","status":{},"authenticationInfo":{"principalEmail":"alice@example.com"},"requestMetadata":{"callerIp":"198.51.100.7","callerSuppliedUserAgent":"google-cloud-sdk gcloud/460.0.0"},"serviceName":"iam.googleapis.com","methodName":"google.iam.admin.v1.CreateServiceAccountKey","authorizationInfo":[{"resource":"projects/-/serviceAccounts/1234567890","permission":"iam.serviceAccountKeys.create","granted":true}],"resourceName":"projects/-/serviceAccounts/1234567890"},"insertId":"abc123def","resource":{"type":"service_account","labels":{"project_id":"example-project","email_id":"deployer@example-project.iam.gserviceaccount.com","unique_id":"1234567890"}},"timestamp":"2024-03-01T12:00:00.123456Z","severity":"NOTICE","logName":"projects/example-project/logs/cloudaudit.googleapis.com%2Factivity","receiveTimestamp":"2024-03-01T12:00:01.234567Z"}`,
}

var gcpSchema = []parsers.Column{
	{Name: "logName", Type: "string", Description: "projects/P/logs/cloudaudit.googleapis.com%2Factivity, ..."},
	{Name: "resource", Type: "struct<type:string,labels:json>", Description: "the monitored resource that produced the entry"},
	{Name: "timestamp", Type: "timestamp", Description: "when the event happened"},
	{Name: "receiveTimestamp", Type: "timestamp", Description: "when Cloud Logging received the entry"},
	{Name: "severity", Type: "string", Description: "DEFAULT, INFO, NOTICE, WARNING, ERROR, ..."},
	{Name: "insertId", Type: "string", Description: "unique id of the entry"},
	{Name: "labels", Type: "json", Description: "user-defined labels"},
	{Name: "operation", Type: "struct<id:string,producer:string,first:boolean,last:boolean>", Description: "the long-running operation the entry belongs to"},
	{Name: "trace", Type: "string", Description: "trace the entry belongs to"},
	{Name: "spanId", Type: "string", Description: "span the entry belongs to"},
	{Name: "protoPayload", Type: "struct<@type:string,serviceName:string,methodName:string,resourceName:string,resourceLocation:json,resourceOriginalState:json,numResponseItems:bigint,status:struct<code:bigint,message:string,details:json>,authenticationInfo:struct<principalEmail:string,principalSubject:string,authoritySelector:string,serviceAccountKeyName:string,serviceAccountDelegationInfo:json,thirdPartyPrincipal:json>,authorizationInfo:json,policyViolationInfo:json,requestMetadata:struct<callerIp:string,callerSuppliedUserAgent:string,callerNetwork:string,requestAttributes:json,destinationAttributes:json>,request:json,response:json,metadata:json,serviceData:json>", Description: "the AuditLog record"},
}

var gcpKeys = newKeyCase(gcpSchema)

// newGCPParser restores folded keys (see keyCase).
func newGCPParser() parsers.Parser { return jsonParser{keys: gcpKeys} }

// detectGCP accepts LogEntry objects whose payload is an AuditLog: by the
// payload's @type, or by the log name when an export dropped the @type.
func detectGCP(e *event.Event) bool {
	f := e.Fields
	pp := f.Get("protoPayload")
	if pp == nil || f.Get("logName") == nil {
		return false
	}
	if string(pp.GetStringBytes("@type")) == auditLogType {
		return true
	}
	return bytes.Contains(f.GetStringBytes("logName"), []byte("cloudaudit.googleapis.com"))
}
