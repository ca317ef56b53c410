-- athena external tables for the panther lake at s3://bucket/lake
CREATE DATABASE IF NOT EXISTS `panther`;

CREATE EXTERNAL TABLE IF NOT EXISTS `panther`.`aws_cloudtrail` (
  `p_log_type` string,
  `p_event_time` timestamp,
  `p_parse_time` timestamp,
  `p_row_id` string,
  `p_source_file` string,
  `p_source_label` string,
  `p_any_ip_addresses` array<string>,
  `p_any_domain_names` array<string>,
  `p_any_usernames` array<string>,
  `p_any_emails` array<string>,
  `p_any_aws_account_ids` array<string>,
  `p_any_aws_arns` array<string>,
  `p_any_aws_instance_ids` array<string>,
  `p_any_md5_hashes` array<string>,
  `p_any_sha1_hashes` array<string>,
  `p_any_sha256_hashes` array<string>,
  `p_any_trace_ids` array<string>,
  `p_extra` string,
  `eventVersion` string,
  `userIdentity` struct<`type`:string,`principalId`:string,`arn`:string,`accountId`:string,`accessKeyId`:string,`userName`:string,`invokedBy`:string,`credentialId`:string,`identityProvider`:string,`sessionContext`:string,`onBehalfOf`:string>,
  `eventTime` timestamp,
  `eventSource` string,
  `eventName` string,
  `awsRegion` string,
  `sourceIPAddress` string,
  `userAgent` string,
  `errorCode` string,
  `errorMessage` string,
  `requestParameters` string,
  `responseElements` string,
  `additionalEventData` string,
  `requestID` string,
  `eventID` string,
  `readOnly` boolean,
  `resources` array<struct<`ARN`:string,`accountId`:string,`type`:string>>,
  `eventType` string,
  `apiVersion` string,
  `managementEvent` boolean,
  `recipientAccountId` string,
  `serviceEventDetails` string,
  `sharedEventID` string,
  `vpcEndpointId` string,
  `vpcEndpointAccountId` string,
  `eventCategory` string,
  `addendum` string,
  `sessionCredentialFromConsole` string,
  `edgeDeviceDetails` string,
  `tlsDetails` struct<`tlsVersion`:string,`cipherSuite`:string,`clientProvidedHostHeader`:string>,
  `insightDetails` string
)
PARTITIONED BY (`year` int, `month` int, `day` int, `hour` int)
STORED AS PARQUET
LOCATION 's3://bucket/lake/logs/aws_cloudtrail/'
TBLPROPERTIES (
  'parquet.compression' = 'ZSTD',
  'projection.enabled' = 'true',
  'projection.year.type' = 'integer', 'projection.year.range' = '2024,2029',
  'projection.month.type' = 'integer', 'projection.month.range' = '1,12', 'projection.month.digits' = '2',
  'projection.day.type' = 'integer', 'projection.day.range' = '1,31', 'projection.day.digits' = '2',
  'projection.hour.type' = 'integer', 'projection.hour.range' = '0,23', 'projection.hour.digits' = '2',
  'storage.location.template' = 's3://bucket/lake/logs/aws_cloudtrail/year=${year}/month=${month}/day=${day}/hour=${hour}'
);

CREATE EXTERNAL TABLE IF NOT EXISTS `panther`.`zeek_dns` (
  `p_log_type` string,
  `p_event_time` timestamp,
  `p_any_ip_addresses` array<string>,
  `p_any_domain_names` array<string>,
  `query` string,
  `id` string,
  `rcode` string
)
PARTITIONED BY (`year` int, `month` int, `day` int, `hour` int)
STORED AS PARQUET
LOCATION 's3://bucket/lake/logs/zeek_dns/'
TBLPROPERTIES (
  'parquet.compression' = 'ZSTD',
  'projection.enabled' = 'true',
  'projection.year.type' = 'integer', 'projection.year.range' = '2024,2029',
  'projection.month.type' = 'integer', 'projection.month.range' = '1,12', 'projection.month.digits' = '2',
  'projection.day.type' = 'integer', 'projection.day.range' = '1,31', 'projection.day.digits' = '2',
  'projection.hour.type' = 'integer', 'projection.hour.range' = '0,23', 'projection.hour.digits' = '2',
  'storage.location.template' = 's3://bucket/lake/logs/zeek_dns/year=${year}/month=${month}/day=${day}/hour=${hour}'
);

CREATE EXTERNAL TABLE IF NOT EXISTS `panther`.`alerts` (
  `p_event_time` timestamp,
  `rule_id` string,
  `event_count` int
)
PARTITIONED BY (`year` int, `month` int, `day` int, `hour` int)
STORED AS PARQUET
LOCATION 's3://bucket/lake/alerts/'
TBLPROPERTIES (
  'parquet.compression' = 'ZSTD',
  'projection.enabled' = 'true',
  'projection.year.type' = 'integer', 'projection.year.range' = '2024,2029',
  'projection.month.type' = 'integer', 'projection.month.range' = '1,12', 'projection.month.digits' = '2',
  'projection.day.type' = 'integer', 'projection.day.range' = '1,31', 'projection.day.digits' = '2',
  'projection.hour.type' = 'integer', 'projection.hour.range' = '0,23', 'projection.hour.digits' = '2',
  'storage.location.template' = 's3://bucket/lake/alerts/year=${year}/month=${month}/day=${day}/hour=${hour}'
);

CREATE EXTERNAL TABLE IF NOT EXISTS `panther`.`rule_matches` (
  `p_event_time` timestamp,
  `p_rule_id` string
)
PARTITIONED BY (`year` int, `month` int, `day` int, `hour` int)
STORED AS PARQUET
LOCATION 's3://bucket/lake/rule_matches/'
TBLPROPERTIES (
  'parquet.compression' = 'ZSTD',
  'projection.enabled' = 'true',
  'projection.year.type' = 'integer', 'projection.year.range' = '2024,2029',
  'projection.month.type' = 'integer', 'projection.month.range' = '1,12', 'projection.month.digits' = '2',
  'projection.day.type' = 'integer', 'projection.day.range' = '1,31', 'projection.day.digits' = '2',
  'projection.hour.type' = 'integer', 'projection.hour.range' = '0,23', 'projection.hour.digits' = '2',
  'storage.location.template' = 's3://bucket/lake/rule_matches/year=${year}/month=${month}/day=${day}/hour=${hour}'
);
