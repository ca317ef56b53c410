package scan

import (
	"strings"
	"time"
)

// Resource is one cloud resource in Panther's shape, ready for policies:
// JSON is the object policy(resource) sees, and the other fields are what
// results, outputs and the lake need without parsing it again.
type Resource struct {
	Type    string // "AWS.S3.Bucket"
	ID      string // ResourceId: the ARN, or "<account>:<region>:<type>" for singletons
	Account string // AccountId ("" when the input does not say)
	Region  string // Region ("global" for IAM and other global types)
	ARN     string
	Name    string
	// Source is the input it came from (a file, "-", or a name given by a
	// caller such as serve's ingest API), Format how it was read there.
	Source string
	Format string
	// Item locates the resource inside its source: "configurationItems[12]",
	// "resource_changes[3]", "line 7".
	Item string
	// Address is the Terraform resource address (module.x.aws_s3_bucket.b),
	// and Location the .tf file and line that declares it when found.
	Address  string
	Location *Location
	// Time is when the resource was in this state: the Config capture time,
	// else the scan time.
	Time time.Time
	// JSON is the resource object.
	JSON []byte
	// Digest identifies the input's content ("" when not computed, see
	// ReadOptions.Digests, and for derived resources).
	Digest string
}

// Location is a place in a source file (1-based line, 0 when unknown).
type Location struct {
	File string
	Line int
}

// Key is what identifies a resource across scans: its type and id.
func (r *Resource) Key() string { return r.Type + "\x00" + r.ID }

// Where is how error messages and reports name the resource's origin.
func (r *Resource) Where() string {
	var b strings.Builder
	b.WriteString(r.Source)
	if r.Item != "" {
		b.WriteString(": ")
		b.WriteString(r.Item)
	}
	return b.String()
}

// GlobalRegion is the Region of global resources (IAM), as in Panther.
const GlobalRegion = "global"

// SingletonID is the ResourceId of a resource that exists once per account
// and region (a Config recorder, a password policy), as Panther builds it:
// "<account>:<region>:<type>"; region is empty for account-wide ones.
func SingletonID(account, region, typ string) string {
	return account + ":" + region + ":" + typ
}
