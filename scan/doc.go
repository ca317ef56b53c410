// Package scan runs cloud security policies (AnalysisType: policy) on
// cloud resources: the library of `panther scan`, and of the policy scans
// `panther serve` runs on documents sent to its ingest API. It reads the
// resources (Reader), evaluates the policies on them (Scanner), and writes
// the results (Reporter: pretty, json, junit, SARIF; LakeSink: the lake's
// compliance table; Tracker: alert raises and resolutions).
//
// # Resources
//
// A Resource is one resource in Panther's shape: an object whose first
// fields are ResourceType, ResourceId, AccountId, Region, Arn, Id, Name,
// Tags and TimeCreated, then the type's fields as the AWS API names them
// (types.go lists the types and their fields; `panther resourcetypes`
// prints them). Panther's types and field names are kept, so that policies
// written for Panther port with their logic unchanged; the few types
// Panther lacks (AWS.EC2.Snapshot, AWS.RDS.Snapshot, AWS.ELB.LoadBalancer)
// and fields it lacks are named in its style and marked "ours".
//
// # Readers
//
// The inputs are those the issue names, told apart by their content, not
// their names (read.go dispatches on the top-level keys):
//
//   - AWS Config (config.go): snapshot and history files as delivered to
//     S3, `aws configservice get-resource-config-history`,
//     `batch-get-resource-config`, `select-resource-config` output, change
//     notifications. configuration is in camelCase there; the converters
//     turn it into the API's PascalCase (pascal) and fix what differs
//     (Config's S3 ACLs and supplementary configuration, "state": {"value"}).
//   - AWS CLI output (awscli.go), for what Config does not record (the
//     credential report, the password policy, the account summary, KMS
//     rotation, snapshot permissions, Lambda policies, Config recorders'
//     status) and for accounts without Config: one handler per command.
//   - Terraform plans (terraform.go): the planned values of
//     resource_changes, joined across the resources Terraform splits (a
//     bucket and its aws_s3_bucket_versioning) through the plan's
//     configuration references, located in the .tf files for SARIF.
//   - Resources already in Panther's shape (native.go).
//
// Some inputs only complete others: flow logs complete VPCs, the
// credential report completes IAM users, snapshot attributes complete
// snapshots. ReadSources reads those first (their first keys say what they
// are; join.go), keeps what they add in a small index of JSON bytes, then
// reads the others, so that each resource is emitted once and whole,
// whatever the order of the arguments. Within one Config file, flow logs
// and RDS snapshots complete the file's VPCs and instances the same way.
// Resources that only the sum of the inputs makes (the *.Meta types: is
// there a multi-region trail, a detector in every region in use) are
// emitted at the end (meta.go).
//
// # Memory
//
// One input is in memory at a time, in one buffer sized to it when its
// size is known (plain files, the gzip trailer), so the reader's memory
// follows the largest input, not the total. Config snapshot and history
// files, the large ones, are not parsed whole: their items are found in
// the bytes by a scanner that only tracks strings and brackets, and
// parsed one at a time, each resource built in an arena that is reset
// after it (a fastjson tree of a whole 130 MB snapshot took about five
// times the file). The index of completing inputs holds only what they
// add.
//
// JSON is read with fastjson, as everywhere in panther (see the
// parsers/event package doc for the measurements that chose it): values
// of the input are reused as they are in the resources built, and
// written with event.AppendValue, never re-encoded through Go values.
//
// # Evaluation
//
// Every selected policy whose ResourceTypes include the resource's type
// runs on it, unless one of its Suppressions (resource id patterns with *
// and ?) matches the ResourceId. The result is Pass, Fail or Error; a Lua
// error, a timeout, or policy() returning anything but a boolean is an
// Error, never a Pass. A failure carries the alert fields of the policy's
// optional functions (title, dedup defaulting to the ResourceId,
// severity...). Workers evaluate in parallel, each with its own Lua VM;
// results come out in input order. time.now() in a policy is the
// resource's time (a Config item's capture time), so that a history file
// is judged as of each item's time.
package scan
