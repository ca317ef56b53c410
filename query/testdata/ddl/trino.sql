-- trino external tables for the panther lake at s3://bucket/lake
CREATE SCHEMA IF NOT EXISTS hive."panther";

CREATE TABLE IF NOT EXISTS hive."panther"."aws_cloudtrail" (
  "p_log_type" varchar,
  "p_event_time" timestamp(6),
  "p_parse_time" timestamp(6),
  "p_row_id" varchar,
  "p_source_file" varchar,
  "p_source_label" varchar,
  "p_any_ip_addresses" array(varchar),
  "p_any_domain_names" array(varchar),
  "p_any_usernames" array(varchar),
  "p_any_emails" array(varchar),
  "p_any_aws_account_ids" array(varchar),
  "p_any_aws_arns" array(varchar),
  "p_any_aws_instance_ids" array(varchar),
  "p_any_md5_hashes" array(varchar),
  "p_any_sha1_hashes" array(varchar),
  "p_any_sha256_hashes" array(varchar),
  "p_any_trace_ids" array(varchar),
  "p_extra" varchar,
  "eventVersion" varchar,
  "userIdentity" row("type" varchar, "principalId" varchar, "arn" varchar, "accountId" varchar, "accessKeyId" varchar, "userName" varchar, "invokedBy" varchar, "credentialId" varchar, "identityProvider" varchar, "sessionContext" varchar, "onBehalfOf" varchar),
  "eventTime" timestamp(6),
  "eventSource" varchar,
  "eventName" varchar,
  "awsRegion" varchar,
  "sourceIPAddress" varchar,
  "userAgent" varchar,
  "errorCode" varchar,
  "errorMessage" varchar,
  "requestParameters" varchar,
  "responseElements" varchar,
  "additionalEventData" varchar,
  "requestID" varchar,
  "eventID" varchar,
  "readOnly" boolean,
  "resources" array(row("ARN" varchar, "accountId" varchar, "type" varchar)),
  "eventType" varchar,
  "apiVersion" varchar,
  "managementEvent" boolean,
  "recipientAccountId" varchar,
  "serviceEventDetails" varchar,
  "sharedEventID" varchar,
  "vpcEndpointId" varchar,
  "vpcEndpointAccountId" varchar,
  "eventCategory" varchar,
  "addendum" varchar,
  "sessionCredentialFromConsole" varchar,
  "edgeDeviceDetails" varchar,
  "tlsDetails" row("tlsVersion" varchar, "cipherSuite" varchar, "clientProvidedHostHeader" varchar),
  "insightDetails" varchar,
  "year" integer,
  "month" integer,
  "day" integer,
  "hour" integer
)
WITH (
  format = 'PARQUET',
  external_location = 's3://bucket/lake/logs/aws_cloudtrail/',
  partitioned_by = ARRAY['year', 'month', 'day', 'hour']
);
CALL hive.system.sync_partition_metadata('panther', 'aws_cloudtrail', 'ADD');

CREATE TABLE IF NOT EXISTS hive."panther"."zeek_dns" (
  "p_log_type" varchar,
  "p_event_time" timestamp(6),
  "p_any_ip_addresses" array(varchar),
  "p_any_domain_names" array(varchar),
  "query" varchar,
  "id" varchar,
  "rcode" varchar,
  "year" integer,
  "month" integer,
  "day" integer,
  "hour" integer
)
WITH (
  format = 'PARQUET',
  external_location = 's3://bucket/lake/logs/zeek_dns/',
  partitioned_by = ARRAY['year', 'month', 'day', 'hour']
);
CALL hive.system.sync_partition_metadata('panther', 'zeek_dns', 'ADD');

CREATE TABLE IF NOT EXISTS hive."panther"."alerts" (
  "p_event_time" timestamp(6),
  "rule_id" varchar,
  "event_count" integer,
  "year" integer,
  "month" integer,
  "day" integer,
  "hour" integer
)
WITH (
  format = 'PARQUET',
  external_location = 's3://bucket/lake/alerts/',
  partitioned_by = ARRAY['year', 'month', 'day', 'hour']
);
CALL hive.system.sync_partition_metadata('panther', 'alerts', 'ADD');

CREATE TABLE IF NOT EXISTS hive."panther"."rule_matches" (
  "p_event_time" timestamp(6),
  "p_rule_id" varchar,
  "year" integer,
  "month" integer,
  "day" integer,
  "hour" integer
)
WITH (
  format = 'PARQUET',
  external_location = 's3://bucket/lake/rule_matches/',
  partitioned_by = ARRAY['year', 'month', 'day', 'hour']
);
CALL hive.system.sync_partition_metadata('panther', 'rule_matches', 'ADD');
