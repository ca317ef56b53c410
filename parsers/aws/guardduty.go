package aws

import (
	"github.com/valyala/fastjson"

	"panther/parsers"
	"panther/parsers/event"
)

// GuardDuty is AWS.GuardDuty: GuardDuty findings, one JSON object a line, in
// the shape of the GetFindings API and of the findings GuardDuty exports to
// S3.
//
// A finding delivered through EventBridge comes wrapped:
// `{"detail-type":"GuardDuty Finding","source":"aws.guardduty",...,
// "detail":{finding}}`. The parser unwraps it, so the event is the finding
// in both cases and one set of detections, schema and indicators serves
// both: the envelope adds nothing the finding lacks (its account, region and
// time repeat the finding's accountId, region and updatedAt). Other
// EventBridge events are left as they are (and Detect rejects them).
//
// The event time is updatedAt, when GuardDuty last updated the finding (a
// finding is updated, and exported again, as it sees more of the same
// activity), else service.eventLastSeen, else createdAt.
//
// https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_findings-format.html
var GuardDuty = &parsers.LogType{
	Name:        "AWS.GuardDuty",
	Description: "Amazon GuardDuty findings (API, S3 export or EventBridge form)",
	Reference:   "https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_findings-format.html",
	NewParser:   func() parsers.Parser { return guardDutyParser{} },
	Detect:      parsers.HasAll("schemaVersion", "accountId", "arn", "id", "type", "severity", "service"),
	TimeFields: []parsers.TimeField{
		{Path: "updatedAt", Format: "rfc3339"},
		{Path: "service.eventLastSeen", Format: "rfc3339"},
		{Path: "createdAt", Format: "rfc3339"},
	},
	Indicators: []parsers.Indicator{
		{Path: "accountId", Kind: "aws_account_id"},
		{Path: "arn", Kind: "aws_arn"},
		// The affected resource.
		{Path: "resource.accessKeyDetails.userName", Kind: "username"},
		{Path: "resource.instanceDetails.instanceId", Kind: "aws_instance_id"},
		{Path: "resource.instanceDetails.iamInstanceProfile.arn", Kind: "aws_arn"},
		{Path: "resource.instanceDetails.networkInterfaces[*].privateIpAddress", Kind: "ip"},
		{Path: "resource.instanceDetails.networkInterfaces[*].privateIpAddresses[*].privateIpAddress", Kind: "ip"},
		{Path: "resource.instanceDetails.networkInterfaces[*].publicIp", Kind: "ip"},
		{Path: "resource.instanceDetails.networkInterfaces[*].ipv6Addresses", Kind: "ip"},
		{Path: "resource.instanceDetails.networkInterfaces[*].privateDnsName", Kind: "hostname"},
		{Path: "resource.instanceDetails.networkInterfaces[*].publicDnsName", Kind: "hostname"},
		{Path: "resource.s3BucketDetails[*].arn", Kind: "aws_arn"},
		{Path: "resource.eksClusterDetails.arn", Kind: "aws_arn"},
		{Path: "resource.kubernetesDetails.kubernetesUserDetails.username", Kind: "username"},
		{Path: "resource.ecsClusterDetails.arn", Kind: "aws_arn"},
		{Path: "resource.lambdaDetails.functionArn", Kind: "aws_arn"},
		{Path: "resource.rdsDbInstanceDetails.dbInstanceArn", Kind: "aws_arn"},
		{Path: "resource.rdsDbUserDetails.user", Kind: "username"},
		// The actor: every action kind has its remoteIpDetails
		// (awsApiCallAction, networkConnectionAction,
		// kubernetesApiCallAction, rdsLoginAttemptAction, ...).
		{Path: "service.action.*.remoteIpDetails.ipAddressV4", Kind: "ip"},
		{Path: "service.action.*.remoteIpDetails.ipAddressV6", Kind: "ip"},
		{Path: "service.action.*.localIpDetails.ipAddressV4", Kind: "ip"},
		{Path: "service.action.*.localIpDetails.ipAddressV6", Kind: "ip"},
		{Path: "service.action.portProbeAction.portProbeDetails[*].remoteIpDetails.ipAddressV4", Kind: "ip"},
		{Path: "service.action.portProbeAction.portProbeDetails[*].remoteIpDetails.ipAddressV6", Kind: "ip"},
		{Path: "service.action.portProbeAction.portProbeDetails[*].localIpDetails.ipAddressV4", Kind: "ip"},
		{Path: "service.action.kubernetesApiCallAction.sourceIps", Kind: "ip"},
		{Path: "service.action.dnsRequestAction.domain", Kind: "domain"},
		{Path: "service.action.awsApiCallAction.domainDetails.domain", Kind: "domain"},
		{Path: "service.action.awsApiCallAction.remoteAccountDetails.accountId", Kind: "aws_account_id"},
		{Path: "service.action.awsApiCallAction.affectedResources.*", Kind: "aws_arn"},
		{Path: "service.runtimeDetails.process.executableSha256", Kind: "sha256"},
	},
	Schema: []parsers.Column{
		{Name: "schemaVersion", Type: "string"},
		{Name: "accountId", Type: "string", Description: "account where the activity took place"},
		{Name: "region", Type: "string"},
		{Name: "partition", Type: "string"},
		{Name: "id", Type: "string", Description: "finding ID"},
		{Name: "arn", Type: "string", Description: "finding ARN"},
		{Name: "type", Type: "string", Description: "ThreatPurpose:ResourceTypeAffected/ThreatFamilyName.DetectionMechanism!Artifact"},
		{Name: "resource", Type: "json", Description: "the affected resource; its shape depends on resource.resourceType"},
		{Name: "service", Type: "struct<serviceName:string,detectorId:string,action:json,resourceRole:string,additionalInfo:json,evidence:json," +
			"eventFirstSeen:timestamp,eventLastSeen:timestamp,archived:boolean,count:bigint,featureName:string,userFeedback:string," +
			"ebsVolumeScanDetails:json,runtimeDetails:json,detection:json,malwareScanDetails:json>"},
		{Name: "severity", Type: "double", Description: "1.0 to 8.9 (low < 4, medium < 7, high)"},
		{Name: "createdAt", Type: "timestamp"},
		{Name: "updatedAt", Type: "timestamp"},
		{Name: "title", Type: "string"},
		{Name: "description", Type: "string"},
	},
	Sample: `{"schemaVersion":"2.0","accountId":"123456789012","region":"eu-west-1","partition":"aws","id":"2bd7b2d3c3e75d4cae1f2a3b4c5d6e72","arn":"arn:aws:guardduty:eu-west-1:123456789012:detector/12abc34d567e8fa901bc2d34e56789f0/finding/2bd7b2d3c3e75d4cae1f2a3b4c5d6e72","type":"UnauthorizedAccess:IAMUser/TorIPCaller","resource":{"resourceType":"AccessKey","accessKeyDetails":{"accessKeyId":"AKIAEXAMPLEKEY123456","principalId":"AIDAEXAMPLEALICE","userName":"alice","userType":"IAMUser"}},"service":{"serviceName":"guardduty","detectorId":"12abc34d567e8fa901bc2d34e56789f0","action":{"actionType":"AWS_API_CALL","awsApiCallAction":{"api":"ListBuckets","serviceName":"s3.amazonaws.com","callerType":"Remote IP","remoteIpDetails":{"ipAddressV4":"192.0.2.66"}}},"resourceRole":"TARGET","eventFirstSeen":"2024-03-01T10:55:00.000Z","eventLastSeen":"2024-03-01T11:58:00.000Z","archived":false,"count":3},"severity":5,"createdAt":"2024-03-01T11:00:00.000Z","updatedAt":"2024-03-01T12:00:00.000Z","title":"API ListBuckets was invoked from a Tor exit node.","description":"API ListBuckets was invoked by IAMUser alice from Tor exit node 192.0.2.66."}`,
}

type guardDutyParser struct{}

func (guardDutyParser) Parse(rec []byte, e *event.Event) (bool, error) {
	if err := e.ParseJSON(rec); err != nil {
		return false, err
	}
	if d := e.Fields.Get("detail"); d != nil && d.Type() == fastjson.TypeObject &&
		string(e.Fields.GetStringBytes("detail-type")) == "GuardDuty Finding" {
		e.Fields = d
	}
	return true, nil
}
