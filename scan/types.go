package scan

import (
	"slices"
	"strings"
)

// Type is a resource type: its name (Panther's where Panther has one), what
// it is, where the readers find it, and the fields every reader fills.
type Type struct {
	Name        string
	Description string
	// Panther is false for the types Panther does not have (EBS and RDS
	// snapshots, classic load balancers): ours, named in the same style.
	Panther bool
	// Sources lists the inputs that give this type: an AWS Config resource
	// type, AWS CLI commands, Terraform resource types.
	Config    string
	CLI       []string
	Terraform []string
	Fields    []Field
}

// Field is one field of a resource type's shape.
type Field struct {
	Name        string
	Type        string // string, bool, number, object, list<...>, map<string,string>, json-string
	Description string
}

// HeaderFields come first in every resource, as in Panther.
var HeaderFields = []Field{
	{"ResourceType", "string", "the resource type, e.g. AWS.S3.Bucket"},
	{"ResourceId", "string", "unique id: the ARN, or <account>:<region>:<type> for per-region singletons, <account>::<type> for per-account ones"},
	{"AccountId", "string", "the 12-digit AWS account id (null when the input does not carry it and no --account was given)"},
	{"Region", "string", "the region, or \"global\" for global resources (IAM)"},
	{"Arn", "string", "the ARN, when the resource has one"},
	{"Id", "string", "the AWS identifier (vol-..., sg-..., a key id)"},
	{"Name", "string", "the resource's name"},
	{"Tags", "map<string,string>", "tags as a map (null when none or unknown)"},
	{"TimeCreated", "string", "creation time, RFC 3339 (null when unknown)"},
}

// Types are the resource types the readers produce, by name.
var Types = []Type{
	{Name: "AWS.S3.Bucket", Panther: true, Description: "an S3 bucket with its ACL, policy, encryption, versioning, logging and Block Public Access settings",
		Config: "AWS::S3::Bucket", Terraform: []string{"aws_s3_bucket", "aws_s3_bucket_acl", "aws_s3_bucket_policy", "aws_s3_bucket_public_access_block", "aws_s3_bucket_server_side_encryption_configuration", "aws_s3_bucket_versioning", "aws_s3_bucket_logging", "aws_s3_bucket_lifecycle_configuration", "aws_s3_bucket_object_lock_configuration"},
		Fields: []Field{
			{"Grants", "list<object>", "ACL grants: [{Grantee: {Type, URI, ID, DisplayName}, Permission: READ|WRITE|READ_ACP|WRITE_ACP|FULL_CONTROL}]"},
			{"Owner", "object", "{ID, DisplayName}"},
			{"Policy", "json-string", "the bucket policy document (null when none)"},
			{"PublicAccessBlockConfiguration", "object", "{BlockPublicAcls, IgnorePublicAcls, BlockPublicPolicy, RestrictPublicBuckets} (null when none)"},
			{"EncryptionRules", "list<object>", "[{ApplyServerSideEncryptionByDefault: {SSEAlgorithm, KMSMasterKeyID}, BucketKeyEnabled}] (null when none)"},
			{"Versioning", "string", "Enabled, Suspended or null (never enabled)"},
			{"MFADelete", "string", "Enabled, Disabled or null"},
			{"LoggingPolicy", "object", "{TargetBucket, TargetPrefix} (null when access logging is off)"},
			{"LifecycleRules", "list<object>", "lifecycle rules (null when none)"},
			{"ObjectLockConfiguration", "object", "{ObjectLockEnabled, Rule} (null when none)"},
			{"UnknownFields", "list<string>", "fields the input cannot know (Terraform plans: the Block Public Access of a bucket the plan does not create nor configure); ours"},
		}},
	{Name: "AWS.IAM.User", Panther: true, Description: "an IAM user with its policies, groups and credential report row",
		Config: "AWS::IAM::User", CLI: []string{"aws iam get-account-authorization-details", "aws iam get-credential-report"}, Terraform: []string{"aws_iam_user", "aws_iam_user_policy", "aws_iam_user_policy_attachment", "aws_iam_policy_attachment", "aws_iam_user_login_profile", "aws_iam_access_key"},
		Fields: []Field{
			{"UserName", "string", ""},
			{"UserId", "string", ""},
			{"Path", "string", ""},
			{"CreateDate", "string", ""},
			{"PasswordLastUsed", "string", "null when never or unknown"},
			{"Groups", "list<object>", "[{GroupName, Arn, ...}]"},
			{"InlinePolicies", "map<string,json-string>", "policy name -> document (null when none)"},
			{"ManagedPolicyNames", "list<string>", "names of attached managed policies (null when none)"},
			{"ManagedPolicyARNs", "list<string>", "ARNs of attached managed policies (null when none; ours)"},
			{"PermissionsBoundary", "object", "{PermissionsBoundaryArn, PermissionsBoundaryType}"},
			{"CredentialReport", "object", "the user's credential report row: {PasswordEnabled, PasswordLastUsed, PasswordLastChanged, MfaActive, AccessKey1Active, AccessKey1LastRotated, AccessKey1LastUsedDate, AccessKey2..., Cert1Active, ...}; null when no report was given"},
			{"VirtualMFA", "object", "null (not collected)"},
		}},
	{Name: "AWS.IAM.RootUser", Panther: true, Description: "the account's root user, from the credential report and the account summary",
		CLI: []string{"aws iam get-credential-report", "aws iam get-account-summary"},
		Fields: []Field{
			{"CredentialReport", "object", "the <root_account> row of the credential report (null when not given)"},
			{"AccountSummary", "object", "SummaryMap of get-account-summary: {AccountMFAEnabled, AccountAccessKeysPresent, ...} (null when not given; ours)"},
			{"VirtualMFA", "object", "null (not collected)"},
		}},
	{Name: "AWS.IAM.Role", Panther: true, Description: "an IAM role with its trust policy and permissions",
		Config: "AWS::IAM::Role", CLI: []string{"aws iam get-account-authorization-details"}, Terraform: []string{"aws_iam_role", "aws_iam_role_policy", "aws_iam_role_policy_attachment"},
		Fields: []Field{
			{"RoleName", "string", ""},
			{"RoleId", "string", ""},
			{"Path", "string", ""},
			{"AssumeRolePolicyDocument", "json-string", "the trust policy"},
			{"Description", "string", ""},
			{"MaxSessionDuration", "number", ""},
			{"PermissionsBoundary", "object", ""},
			{"InlinePolicies", "map<string,json-string>", "policy name -> document (null when none)"},
			{"ManagedPolicyNames", "list<string>", "(null when none)"},
			{"ManagedPolicyARNs", "list<string>", "(null when none; ours)"},
		}},
	{Name: "AWS.IAM.Group", Panther: true, Description: "an IAM group with its policies",
		Config: "AWS::IAM::Group", CLI: []string{"aws iam get-account-authorization-details"}, Terraform: []string{"aws_iam_group", "aws_iam_group_policy", "aws_iam_group_policy_attachment"},
		Fields: []Field{
			{"GroupName", "string", ""},
			{"Path", "string", ""},
			{"InlinePolicies", "map<string,json-string>", "(null when none)"},
			{"ManagedPolicyARNs", "list<string>", "(null when none)"},
		}},
	{Name: "AWS.IAM.Policy", Panther: true, Description: "a customer managed IAM policy (its default version's document)",
		Config: "AWS::IAM::Policy", CLI: []string{"aws iam get-account-authorization-details"}, Terraform: []string{"aws_iam_policy"},
		Fields: []Field{
			{"PolicyDocument", "json-string", "the default version's document"},
			{"DefaultVersionId", "string", ""},
			{"AttachmentCount", "number", ""},
			{"IsAttachable", "bool", ""},
			{"Path", "string", ""},
			{"Description", "string", ""},
			{"Entities", "object", "{PolicyUsers, PolicyGroups, PolicyRoles}: who it is attached to, when known (null otherwise)"},
		}},
	{Name: "AWS.PasswordPolicy", Panther: true, Description: "the account's IAM password policy",
		CLI: []string{"aws iam get-account-password-policy"}, Terraform: []string{"aws_iam_account_password_policy"},
		Fields: []Field{
			{"AnyExist", "bool", "false when the account has no password policy (then every other field is null)"},
			{"MinimumPasswordLength", "number", ""},
			{"RequireSymbols", "bool", ""},
			{"RequireNumbers", "bool", ""},
			{"RequireUppercaseCharacters", "bool", ""},
			{"RequireLowercaseCharacters", "bool", ""},
			{"AllowUsersToChangePassword", "bool", ""},
			{"ExpirePasswords", "bool", ""},
			{"MaxPasswordAge", "number", ""},
			{"PasswordReusePrevention", "number", ""},
			{"HardExpiry", "bool", ""},
		}},
	{Name: "AWS.EC2.Instance", Panther: true, Description: "an EC2 instance",
		Config: "AWS::EC2::Instance", CLI: []string{"aws ec2 describe-instances"}, Terraform: []string{"aws_instance"},
		Fields: []Field{
			{"InstanceId", "string", ""},
			{"InstanceType", "string", ""},
			{"ImageId", "string", ""},
			{"State", "object", "{Code, Name}"},
			{"VpcId", "string", ""},
			{"SubnetId", "string", ""},
			{"PublicIpAddress", "string", ""},
			{"SecurityGroups", "list<object>", "[{GroupId, GroupName}]"},
			{"IamInstanceProfile", "object", "{Arn, Id}"},
			{"MetadataOptions", "object", "{HttpTokens: required|optional, HttpEndpoint, ...}"},
			{"BlockDeviceMappings", "list<object>", ""},
			{"Monitoring", "object", "{State}"},
		}},
	{Name: "AWS.EC2.SecurityGroup", Panther: true, Description: "a VPC security group with its rules",
		Config: "AWS::EC2::SecurityGroup", CLI: []string{"aws ec2 describe-security-groups"}, Terraform: []string{"aws_security_group", "aws_security_group_rule", "aws_vpc_security_group_ingress_rule", "aws_vpc_security_group_egress_rule"},
		Fields: []Field{
			{"GroupId", "string", ""},
			{"GroupName", "string", ""},
			{"Description", "string", ""},
			{"VpcId", "string", ""},
			{"OwnerId", "string", ""},
			{"IpPermissions", "list<object>", "ingress: [{IpProtocol, FromPort, ToPort, IpRanges: [{CidrIp}], Ipv6Ranges: [{CidrIpv6}], UserIdGroupPairs, PrefixListIds}]; ports are null for all traffic"},
			{"IpPermissionsEgress", "list<object>", "egress, same shape"},
		}},
	{Name: "AWS.EC2.NetworkACL", Panther: true, Description: "a VPC network ACL with its entries",
		Config: "AWS::EC2::NetworkAcl", CLI: []string{"aws ec2 describe-network-acls"}, Terraform: []string{"aws_network_acl", "aws_default_network_acl", "aws_network_acl_rule"},
		Fields: []Field{
			{"NetworkAclId", "string", ""},
			{"VpcId", "string", ""},
			{"IsDefault", "bool", ""},
			{"Entries", "list<object>", "[{RuleNumber, RuleAction: allow|deny, Egress, Protocol, CidrBlock, Ipv6CidrBlock, PortRange: {From, To}}]"},
			{"Associations", "list<object>", ""},
		}},
	{Name: "AWS.EC2.Volume", Panther: true, Description: "an EBS volume, with its snapshots when describe-snapshots output is given",
		Config: "AWS::EC2::Volume", CLI: []string{"aws ec2 describe-volumes", "aws ec2 describe-snapshots (joined as Snapshots)"}, Terraform: []string{"aws_ebs_volume"},
		Fields: []Field{
			{"VolumeId", "string", ""},
			{"Encrypted", "bool", ""},
			{"KmsKeyId", "string", ""},
			{"Size", "number", ""},
			{"State", "string", ""},
			{"VolumeType", "string", ""},
			{"AvailabilityZone", "string", ""},
			{"Attachments", "list<object>", ""},
			{"SnapshotId", "string", "the snapshot it was created from"},
			{"Snapshots", "list<object>", "snapshots of this volume: [{SnapshotId, State, Encrypted, ..., CreateVolumePermissions}] (null when unknown)"},
		}},
	{Name: "AWS.EC2.Snapshot", Description: "an EBS snapshot with who may create volumes from it (ours: Panther nests snapshots in AWS.EC2.Volume, which misses snapshots of deleted volumes)",
		CLI: []string{"aws ec2 describe-snapshots --owner-ids self", "aws ec2 describe-snapshot-attribute --attribute createVolumePermission"}, Terraform: []string{"aws_ebs_snapshot", "aws_snapshot_create_volume_permission"},
		Fields: []Field{
			{"SnapshotId", "string", ""},
			{"VolumeId", "string", ""},
			{"State", "string", ""},
			{"Encrypted", "bool", ""},
			{"KmsKeyId", "string", ""},
			{"OwnerId", "string", ""},
			{"StartTime", "string", ""},
			{"CreateVolumePermissions", "list<object>", "[{Group: all} | {UserId}] (null when unknown; [] when private)"},
		}},
	{Name: "AWS.EC2.VPC", Panther: true, Description: "a VPC with its flow logs",
		Config: "AWS::EC2::VPC (+ AWS::EC2::FlowLog)", CLI: []string{"aws ec2 describe-vpcs", "aws ec2 describe-flow-logs (joined as FlowLogs)"}, Terraform: []string{"aws_vpc", "aws_default_vpc", "aws_flow_log"},
		Fields: []Field{
			{"VpcId", "string", ""},
			{"CidrBlock", "string", ""},
			{"IsDefault", "bool", ""},
			{"State", "string", ""},
			{"OwnerId", "string", ""},
			{"FlowLogs", "list<object>", "[{FlowLogId, FlowLogStatus, TrafficType: ACCEPT|REJECT|ALL, LogDestinationType, LogDestination}] (null when the inputs hold none for this VPC)"},
		}},
	{Name: "AWS.KMS.Key", Panther: true, Description: "a KMS key with its rotation status",
		Config: "AWS::KMS::Key", CLI: []string{"aws kms describe-key", "aws kms get-key-rotation-status"}, Terraform: []string{"aws_kms_key"},
		Fields: []Field{
			{"KeyId", "string", ""},
			{"KeyManager", "string", "CUSTOMER or AWS"},
			{"KeyState", "string", ""},
			{"KeySpec", "string", "SYMMETRIC_DEFAULT, RSA_2048, ..."},
			{"KeyUsage", "string", ""},
			{"Origin", "string", "AWS_KMS, EXTERNAL, AWS_CLOUDHSM, ..."},
			{"Enabled", "bool", ""},
			{"KeyRotationEnabled", "bool", "null when unknown"},
			{"Description", "string", ""},
			{"Policy", "json-string", "null when unknown"},
		}},
	{Name: "AWS.CloudTrail", Panther: true, Description: "a CloudTrail trail",
		Config: "AWS::CloudTrail::Trail", CLI: []string{"aws cloudtrail describe-trails"}, Terraform: []string{"aws_cloudtrail"},
		Fields: []Field{
			{"TrailARN", "string", ""},
			{"IsMultiRegionTrail", "bool", ""},
			{"IncludeGlobalServiceEvents", "bool", ""},
			{"LogFileValidationEnabled", "bool", ""},
			{"KmsKeyId", "string", "null when not encrypted with KMS"},
			{"S3BucketName", "string", ""},
			{"HomeRegion", "string", ""},
			{"IsOrganizationTrail", "bool", ""},
			{"CloudWatchLogsLogGroupArn", "string", ""},
			{"Status", "object", "{IsLogging, ...} when known (null otherwise)"},
		}},
	{Name: "AWS.CloudTrail.Meta", Panther: true, Description: "per account: the trails seen (built by the scan from the trails of the inputs)",
		Fields: []Field{
			{"Trails", "list<string>", "ResourceIds of the account's trails"},
			{"MultiRegionTrails", "list<string>", "those that are multi-region (ours)"},
			{"Regions", "list<string>", "regions where the inputs hold resources of the account (ours)"},
		}},
	{Name: "AWS.RDS.Instance", Panther: true, Description: "an RDS database instance, with the attributes of its snapshots when given",
		Config: "AWS::RDS::DBInstance", CLI: []string{"aws rds describe-db-instances"}, Terraform: []string{"aws_db_instance"},
		Fields: []Field{
			{"DBInstanceIdentifier", "string", ""},
			{"Engine", "string", ""},
			{"StorageEncrypted", "bool", ""},
			{"KmsKeyId", "string", ""},
			{"PubliclyAccessible", "bool", ""},
			{"AutoMinorVersionUpgrade", "bool", ""},
			{"BackupRetentionPeriod", "number", ""},
			{"MultiAZ", "bool", ""},
			{"DeletionProtection", "bool", ""},
			{"SnapshotAttributes", "list<object>", "[{DBSnapshotIdentifier, DBSnapshotAttributes: [{AttributeName: restore, AttributeValues}]}] of its snapshots (null when unknown)"},
		}},
	{Name: "AWS.RDS.Snapshot", Description: "an RDS database snapshot with who may restore it (ours)",
		Config: "AWS::RDS::DBSnapshot", CLI: []string{"aws rds describe-db-snapshots", "aws rds describe-db-snapshot-attributes"}, Terraform: []string{"aws_db_snapshot"},
		Fields: []Field{
			{"DBSnapshotIdentifier", "string", ""},
			{"DBInstanceIdentifier", "string", ""},
			{"Encrypted", "bool", ""},
			{"KmsKeyId", "string", ""},
			{"SnapshotType", "string", "manual, automated, ..."},
			{"Status", "string", ""},
			{"DBSnapshotAttributes", "list<object>", "[{AttributeName: restore, AttributeValues: [all | account ids]}] (null when unknown)"},
		}},
	{Name: "AWS.Lambda.Function", Panther: true, Description: "a Lambda function with its resource policy",
		Config: "AWS::Lambda::Function", CLI: []string{"aws lambda list-functions", "aws lambda get-policy (joined as Policy)"}, Terraform: []string{"aws_lambda_function", "aws_lambda_permission", "aws_lambda_function_url"},
		Fields: []Field{
			{"FunctionName", "string", ""},
			{"Runtime", "string", ""},
			{"Role", "string", ""},
			{"Handler", "string", ""},
			{"KMSKeyArn", "string", ""},
			{"VpcConfig", "object", ""},
			{"Policy", "object", "{Policy: json-string, RevisionId} (null when it has none or it is unknown)"},
			{"FunctionUrlAuthType", "string", "NONE or AWS_IAM when it has a function URL (ours; Terraform only)"},
		}},
	{Name: "AWS.ELBV2.ApplicationLoadBalancer", Panther: true, Description: "an Application (or Network) Load Balancer",
		Config: "AWS::ElasticLoadBalancingV2::LoadBalancer", CLI: []string{"aws elbv2 describe-load-balancers"}, Terraform: []string{"aws_lb", "aws_alb"},
		Fields: []Field{
			{"LoadBalancerName", "string", ""},
			{"Scheme", "string", "internet-facing or internal"},
			{"Type", "string", "application, network, gateway"},
			{"DNSName", "string", ""},
			{"VpcId", "string", ""},
			{"SecurityGroups", "list<string>", ""},
			{"Attributes", "map<string,string>", "load balancer attributes when known (Terraform: drop_invalid_header_fields, ...; ours)"},
		}},
	{Name: "AWS.ELB.LoadBalancer", Description: "a Classic Load Balancer (ours)",
		Config: "AWS::ElasticLoadBalancing::LoadBalancer", CLI: []string{"aws elb describe-load-balancers"}, Terraform: []string{"aws_elb"},
		Fields: []Field{
			{"LoadBalancerName", "string", ""},
			{"Scheme", "string", ""},
			{"DNSName", "string", ""},
			{"ListenerDescriptions", "list<object>", "[{Listener: {Protocol, LoadBalancerPort, InstanceProtocol, InstancePort, SSLCertificateId}}]"},
		}},
	{Name: "AWS.GuardDuty.Detector", Panther: true, Description: "a GuardDuty detector",
		Config: "AWS::GuardDuty::Detector", Terraform: []string{"aws_guardduty_detector"},
		Fields: []Field{
			{"Status", "string", "ENABLED or DISABLED"},
			{"FindingPublishingFrequency", "string", ""},
		}},
	{Name: "AWS.GuardDuty.Detector.Meta", Panther: true, Description: "per account: the GuardDuty detectors seen, built by the scan when the inputs hold any GuardDuty data for the account",
		CLI: []string{"aws guardduty list-detectors (with --region)"},
		Fields: []Field{
			{"Detectors", "list<string>", "ResourceIds <account>:<region>:AWS.GuardDuty.Detector of the enabled detectors"},
			{"Regions", "list<string>", "regions where the inputs hold resources of the account (ours)"},
		}},
	{Name: "AWS.Config.Recorder", Panther: true, Description: "an AWS Config configuration recorder with its status",
		Config: "AWS::Config::ConfigurationRecorder", CLI: []string{"aws configservice describe-configuration-recorders", "aws configservice describe-configuration-recorder-status"}, Terraform: []string{"aws_config_configuration_recorder", "aws_config_configuration_recorder_status"},
		Fields: []Field{
			{"RecordingGroup", "object", "{AllSupported, IncludeGlobalResourceTypes, ResourceTypes}"},
			{"RoleARN", "string", ""},
			{"Status", "object", "{Recording, LastStatus, ...} (null when unknown)"},
		}},
	{Name: "AWS.Config.Recorder.Meta", Panther: true, Description: "per account: the Config recorders seen, built by the scan when the inputs hold any recorder for the account",
		Fields: []Field{
			{"Recorders", "list<string>", "ResourceIds of the recorders"},
			{"GlobalRecorderCount", "number", "recorders that record global resource types"},
			{"RecordingRegions", "list<string>", "regions with a recorder that is recording (ours)"},
			{"Regions", "list<string>", "regions where the inputs hold resources of the account (ours)"},
		}},
}

var typeByName = func() map[string]*Type {
	m := map[string]*Type{}
	for i := range Types {
		m[strings.ToLower(Types[i].Name)] = &Types[i]
	}
	return m
}()

// LookupType finds a resource type by name, in any case.
func LookupType(name string) (*Type, bool) {
	t, ok := typeByName[strings.ToLower(name)]
	return t, ok
}

// TypeNames lists the resource types' names, sorted.
func TypeNames() []string {
	out := make([]string, len(Types))
	for i := range Types {
		out[i] = Types[i].Name
	}
	slices.Sort(out)
	return out
}
