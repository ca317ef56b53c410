// Package aws holds the log types of Amazon Web Services: CloudTrail, VPC
// Flow Logs, ALB access logs, S3 server access logs and GuardDuty findings.
package aws

import (
	"panther/parsers"
)

// CloudTrail is AWS.CloudTrail: one event a record, either one JSON object
// a line or the elements of a `{"Records":[...]}` file (the input layer
// splits those).
//
// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html
var CloudTrail = &parsers.LogType{
	Name:        "AWS.CloudTrail",
	Description: "AWS API calls and account activity recorded by CloudTrail",
	Reference:   "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html",
	NewParser:   parsers.JSONParser,
	// Exports through Logstash or Elastic replace eventTime with @timestamp:
	// not required, and read as the second choice.
	Detect: parsers.HasAll("eventName", "eventSource", "eventVersion"),
	TimeFields: []parsers.TimeField{
		{Path: "eventTime", Format: "rfc3339"},
		{Path: `["@timestamp"]`, Format: "rfc3339"},
	},
	Indicators: []parsers.Indicator{
		{Path: "sourceIPAddress", Kind: "hostname"},
		{Path: "userIdentity.arn", Kind: "aws_arn"},
		{Path: "userIdentity.accountId", Kind: "aws_account_id"},
		{Path: "userIdentity.userName", Kind: "username"},
		{Path: "userIdentity.sessionContext.sessionIssuer.arn", Kind: "aws_arn"},
		{Path: "userIdentity.sessionContext.sessionIssuer.accountId", Kind: "aws_account_id"},
		{Path: "userIdentity.sessionContext.sessionIssuer.userName", Kind: "username"},
		{Path: "userIdentity.onBehalfOf.userId", Kind: "username"},
		{Path: "recipientAccountId", Kind: "aws_account_id"},
		{Path: "resources[*].ARN", Kind: "aws_arn"},
		{Path: "resources[*].accountId", Kind: "aws_account_id"},
		{Path: "requestParameters.instancesSet.items[*].instanceId", Kind: "aws_instance_id"},
		{Path: "responseElements.instancesSet.items[*].instanceId", Kind: "aws_instance_id"},
		{Path: "requestParameters.instanceId", Kind: "aws_instance_id"},
		{Path: "requestParameters.roleArn", Kind: "aws_arn"},
		{Path: "requestParameters.policyArn", Kind: "aws_arn"},
		{Path: "requestParameters.userName", Kind: "username"},
		{Path: "responseElements.assumedRoleUser.arn", Kind: "aws_arn"},
		{Path: "tlsDetails.clientProvidedHostHeader", Kind: "domain"},
		{Path: "sharedEventID", Kind: "trace_id"},
	},
	Schema: []parsers.Column{
		{Name: "eventVersion", Type: "string"},
		{Name: "userIdentity", Type: "struct<type:string,principalId:string,arn:string,accountId:string,accessKeyId:string,userName:string,invokedBy:string,credentialId:string,identityProvider:string,sessionContext:json,onBehalfOf:json>"},
		{Name: "eventTime", Type: "timestamp"},
		{Name: "eventSource", Type: "string"},
		{Name: "eventName", Type: "string"},
		{Name: "awsRegion", Type: "string"},
		{Name: "sourceIPAddress", Type: "string"},
		{Name: "userAgent", Type: "string"},
		{Name: "errorCode", Type: "string"},
		{Name: "errorMessage", Type: "string"},
		{Name: "requestParameters", Type: "json"},
		{Name: "responseElements", Type: "json"},
		{Name: "additionalEventData", Type: "json"},
		{Name: "requestID", Type: "string"},
		{Name: "eventID", Type: "string"},
		{Name: "readOnly", Type: "boolean"},
		{Name: "resources", Type: "array<struct<ARN:string,accountId:string,type:string>>"},
		{Name: "eventType", Type: "string"},
		{Name: "apiVersion", Type: "string"},
		{Name: "managementEvent", Type: "boolean"},
		{Name: "recipientAccountId", Type: "string"},
		{Name: "serviceEventDetails", Type: "json"},
		{Name: "sharedEventID", Type: "string"},
		{Name: "vpcEndpointId", Type: "string"},
		{Name: "vpcEndpointAccountId", Type: "string"},
		{Name: "eventCategory", Type: "string"},
		{Name: "addendum", Type: "json"},
		{Name: "sessionCredentialFromConsole", Type: "string"},
		{Name: "edgeDeviceDetails", Type: "json"},
		{Name: "tlsDetails", Type: "struct<tlsVersion:string,cipherSuite:string,clientProvidedHostHeader:string>"},
		{Name: "insightDetails", Type: "json"},
	},
	Sample: `{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","principalId":"AIDAEXAMPLE","arn":"arn:aws:iam::123456789012:user/alice","accountId":"123456789012","userName":"alice"},"eventTime":"2024-03-01T12:00:00Z","eventSource":"cloudtrail.amazonaws.com","eventName":"StopLogging","awsRegion":"us-east-1","sourceIPAddress":"198.51.100.7","userAgent":"aws-cli/2.15.0","requestParameters":{"name":"arn:aws:cloudtrail:us-east-1:123456789012:trail/main"},"responseElements":null,"requestID":"r-1","eventID":"e-1","readOnly":false,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"123456789012","eventCategory":"Management"}`,
}
