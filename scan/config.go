package scan

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/valyala/fastjson"
)

// AWS Config, in the shapes it is found in:
//
//   - snapshot files delivered to S3 ({"fileVersion", "configSnapshotId",
//     "configurationItems": [...]}) and history files (the same without
//     configSnapshotId): items with awsAccountId, ARN, and configuration
//     and supplementaryConfiguration as objects;
//   - `aws configservice get-resource-config-history` ({"configurationItems"})
//     and `batch-get-resource-config` ({"baseConfigurationItems"}): items
//     with accountId, arn, and configuration as a JSON string;
//   - `aws configservice select-resource-config --expression "SELECT *
//     ..."` ({"Results": ["<item as JSON>", ...], "QueryInfo"});
//   - a change notification ({"configurationItem": {...}}), or bare items.
//
// Each item of a supported type becomes one resource, at its capture time.
// Items of deleted or unrecorded resources, and of other types, are
// counted as skipped.

// ci is one configuration item, normalised over the shapes above.
type ci struct {
	v       *fastjson.Value
	typ     string
	id      string
	name    string
	account string
	region  string
	arn     string
	status  string
	capture time.Time
	created time.Time
	tags    *fastjson.Value
	conf    *fastjson.Value
	supp    *fastjson.Value
	item    string
}

func isConfigItem(v *fastjson.Value) bool {
	return v.Exists("resourceType") && (v.Exists("configuration") || v.Exists("configurationItemCaptureTime"))
}

func (s *source) readConfig(v *fastjson.Value, item string) error {
	switch {
	case v.Exists("configurationItems"):
		return s.readConfigItems(treeItems(arrayOf(v.Get("configurationItems"))), prefix(item)+"configurationItems")
	case v.Exists("baseConfigurationItems"):
		return s.readConfigItems(treeItems(arrayOf(v.Get("baseConfigurationItems"))), prefix(item)+"baseConfigurationItems")
	}
	return s.readConfigItems(treeItems([]*fastjson.Value{v.Get("configurationItem")}), prefix(item)+"configurationItem")
}

func (s *source) readConfigSelect(v *fastjson.Value, item string) error {
	var items []*fastjson.Value
	for i, r := range arrayOf(v.Get("Results")) {
		if r.Type() != fastjson.TypeString {
			items = append(items, r)
			continue
		}
		x, err := s.b.parseEmbedded(stringOf(r))
		if err != nil {
			s.itemFail(sub(item, "Results", i), fmt.Errorf("not JSON: %v", err))
			items = append(items, nil)
			continue
		}
		items = append(items, x)
	}
	return s.readConfigItems(treeItems(items), prefix(item)+"Results")
}

// rawItem is one configuration item: parsed (v), or its bytes in the
// input (raw), parsed when its turn comes.
type rawItem struct {
	v   *fastjson.Value
	raw []byte
}

func treeItems(vs []*fastjson.Value) []rawItem {
	out := make([]rawItem, len(vs))
	for i, v := range vs {
		out[i].v = v
	}
	return out
}

// configItemsKeys are the keys of the Config documents read item by item.
var configItemsKeys = []string{"configurationItems", "baseConfigurationItems"}

// readConfigStream reads a snapshot or history file without building the
// tree of the whole file: the items are found in its bytes and parsed one
// at a time, so that a snapshot of 100,000 resources costs the file's
// bytes and one item's tree, not a tree of millions of values (see
// BenchmarkScan). ok is false when data is not such a file.
func (s *source) readConfigStream(data []byte) (ok bool, err error) {
	for _, key := range configItemsKeys {
		start, end, found := topLevelValue(data, key)
		if !found {
			continue
		}
		arr := data[start:end]
		if len(arr) == 0 || arr[0] != '[' {
			return false, nil
		}
		var items []rawItem
		i := skipWS(arr, 1)
		for i < len(arr) && arr[i] != ']' {
			e := skipValue(arr, i)
			if e < 0 {
				return false, nil
			}
			items = append(items, rawItem{raw: arr[i:e]})
			i = skipWS(arr, e)
			if i < len(arr) && arr[i] == ',' {
				i = skipWS(arr, i+1)
			}
		}
		s.setFormat("aws-config")
		return true, s.readConfigItems(items, key)
	}
	return false, nil
}

// topLevelValue finds the value of key in the top-level object of data.
func topLevelValue(data []byte, key string) (start, end int, ok bool) {
	i := skipWS(data, 0)
	if i >= len(data) || data[i] != '{' {
		return 0, 0, false
	}
	i++
	for {
		i = skipWS(data, i)
		if i >= len(data) || data[i] != '"' {
			return 0, 0, false
		}
		ke := stringEnd(data, i)
		if ke < 0 {
			return 0, 0, false
		}
		k := data[i+1 : ke]
		i = skipWS(data, ke+1)
		if i >= len(data) || data[i] != ':' {
			return 0, 0, false
		}
		vs := skipWS(data, i+1)
		ve := skipValue(data, vs)
		if ve < 0 {
			return 0, 0, false
		}
		if string(k) == key {
			return vs, ve, true
		}
		i = skipWS(data, ve)
		if i >= len(data) || data[i] != ',' {
			return 0, 0, false
		}
		i++
	}
}

// readConfigItems converts the items of one document. Items that only
// complete others in the same document (flow logs, RDS snapshots) are
// indexed first.
func (s *source) readConfigItems(items []rawItem, where string) error {
	s.local = newIndex()
	defer func() { s.local = nil }()
	var p fastjson.Parser
	name := func(i int) string {
		if len(items) > 1 || where != "configurationItem" {
			return where + "[" + strconv.Itoa(i) + "]"
		}
		return where
	}
	// parse gives item i's tree; a raw item's lives until the next parse.
	parse := func(i int) (*fastjson.Value, error) {
		if items[i].raw == nil {
			return items[i].v, nil
		}
		return p.ParseBytes(items[i].raw)
	}
	for i := range items {
		if raw := items[i].raw; raw != nil && !bytes.Contains(raw, []byte(`AWS::EC2::FlowLog`)) && !bytes.Contains(raw, []byte(`AWS::RDS::DBSnapshot`)) {
			continue
		}
		v, err := parse(i)
		if err != nil || v == nil || v.Type() != fastjson.TypeObject {
			continue // reported below
		}
		typ := str(v, "resourceType")
		if typ != "AWS::EC2::FlowLog" && typ != "AWS::RDS::DBSnapshot" {
			continue
		}
		c, err := s.normaliseCI(v, name(i))
		if err != nil || c.deleted() {
			continue
		}
		switch c.typ {
		case "AWS::EC2::FlowLog":
			if vpc := str(c.conf, "resourceId"); vpc != "" {
				s.local.flowLogs[vpc] = append(s.local.flowLogs[vpc], clone(s.b.pascal(c.conf)))
			}
		case "AWS::RDS::DBSnapshot":
			id := str(c.conf, "dBSnapshotIdentifier")
			if inst := str(c.conf, "dBInstanceIdentifier"); inst != "" && id != "" {
				s.local.dbByInstance[inst] = append(s.local.dbByInstance[inst], id)
				if a := c.suppl("DBSnapshotAttributes"); a != nil {
					s.local.dbSnapAttrs[id] = clone(s.b.pascal(a))
				}
			}
		}
		if items[i].raw != nil {
			s.b.reset()
		}
	}
	for i := range items {
		v, err := parse(i)
		if err != nil {
			s.itemFail(name(i), fmt.Errorf("not JSON: %v", err))
			continue
		}
		if v == nil {
			continue
		}
		if err := s.readConfigItem(v, name(i)); err != nil {
			return err
		}
		if items[i].raw != nil {
			s.b.reset() // the resource is emitted: its values are done with
		}
	}
	return nil
}

// readConfigItem converts one item.
func (s *source) readConfigItem(v *fastjson.Value, item string) error {
	c, err := s.normaliseCI(v, item)
	if err != nil {
		s.itemFail(item, err)
		return nil
	}
	if c.deleted() {
		s.r.stats.Skipped++
		return nil
	}
	conv := configConverters[c.typ]
	if conv == nil {
		s.r.stats.Skipped++
		return nil
	}
	if c.conf == nil || c.conf.Type() != fastjson.TypeObject {
		s.itemFail(c.item, fmt.Errorf("%s item without a configuration object", c.typ))
		return nil
	}
	return conv(s, c)
}

func (c *ci) deleted() bool {
	switch c.status {
	case "ResourceDeleted", "ResourceDeletedNotRecorded", "ResourceNotRecorded":
		return true
	}
	return false
}

func (s *source) normaliseCI(v *fastjson.Value, item string) (*ci, error) {
	if v.Type() != fastjson.TypeObject {
		return nil, fmt.Errorf("expected a configuration item object, found %s", v.Type())
	}
	c := &ci{v: v, item: item,
		typ:     str(v, "resourceType"),
		id:      str(v, "resourceId"),
		name:    str(v, "resourceName"),
		account: firstStr(v, "awsAccountId", "accountId"),
		region:  str(v, "awsRegion"),
		arn:     firstStr(v, "ARN", "arn"),
		status:  str(v, "configurationItemStatus"),
		capture: parseTime(v.Get("configurationItemCaptureTime")),
		created: parseTime(v.Get("resourceCreationTime")),
		tags:    s.b.tags(v.Get("tags")),
	}
	if c.typ == "" {
		return nil, errors.New("configuration item without a resourceType")
	}
	c.conf = s.b.embedded(v.Get("configuration"))
	c.supp = s.b.embedded(v.Get("supplementaryConfiguration"))
	if c.region == "" {
		c.region = s.r.opts.Region
	}
	if c.account == "" {
		c.account = s.r.defaultAccount()
	}
	return c, nil
}

// suppl is a supplementaryConfiguration entry, parsed when it is a string
// holding JSON (the API's shape).
func (c *ci) suppl(key string) *fastjson.Value {
	v := get(c.supp, key)
	if v == nil || v.Type() != fastjson.TypeString {
		return v
	}
	p := new(fastjson.Parser)
	x, err := p.Parse(stringOf(v))
	if err != nil {
		return v
	}
	return x
}

// header is the common part of a Config item's resource.
func (s *source) ciHeader(c *ci, typ, id string) *hdr {
	if id == "" {
		id = c.arn
	}
	name := c.name
	if n := str(c.tags, "Name"); n != "" && (name == "" || name == c.id) {
		name = n // EC2 resources are named by their Name tag
	}
	return &hdr{Type: typ, ID: id, Account: c.account, Region: c.region, ARN: c.arn, AWSID: c.id, Name: name,
		Tags: c.tags, Created: c.created, Item: c.item, Time: c.capture}
}

// pascalResource is the common converter: the configuration's fields in
// PascalCase after the header.
func (s *source) pascalResource(c *ci, typ string, fix func(o *fastjson.Value)) error {
	h := s.ciHeader(c, typ, "")
	o := s.start(h)
	copyFields(o, s.b.pascal(c.conf), "Tags")
	if fix != nil {
		fix(o)
	}
	return s.done(h, o)
}

// stateValue turns Config's {"value": "in-use"} into the API's "in-use".
func stateValue(o *fastjson.Value) {
	if st := o.Get("State"); st != nil && st.Type() == fastjson.TypeObject && st.Exists("Value") {
		o.Set("State", st.Get("Value"))
	}
}

var configConverters = map[string]func(s *source, c *ci) error{
	"AWS::S3::Bucket":  (*source).configS3Bucket,
	"AWS::IAM::User":   (*source).configIAMUser,
	"AWS::IAM::Role":   (*source).configIAMRole,
	"AWS::IAM::Group":  (*source).configIAMGroup,
	"AWS::IAM::Policy": (*source).configIAMPolicy,
	"AWS::EC2::Instance": func(s *source, c *ci) error {
		return s.pascalResource(c, "AWS.EC2.Instance", nil)
	},
	"AWS::EC2::SecurityGroup": func(s *source, c *ci) error {
		return s.pascalResource(c, "AWS.EC2.SecurityGroup", func(o *fastjson.Value) {
			for _, k := range []string{"IpPermissions", "IpPermissionsEgress"} {
				for _, p := range arrayOf(o.Get(k)) {
					// Config lists IPv4 ranges twice: "ipRanges" as strings and
					// "ipv4Ranges" as the API's objects. Keep the API's.
					if r := p.Get("Ipv4Ranges"); r != nil {
						p.Set("IpRanges", r)
						p.Del("Ipv4Ranges")
					}
				}
			}
		})
	},
	"AWS::EC2::NetworkAcl": func(s *source, c *ci) error { return s.pascalResource(c, "AWS.EC2.NetworkACL", nil) },
	"AWS::EC2::Volume": func(s *source, c *ci) error {
		return s.pascalResource(c, "AWS.EC2.Volume", func(o *fastjson.Value) {
			stateValue(o)
			o.Set("Snapshots", s.snapshotsOf(c.id))
		})
	},
	"AWS::EC2::VPC": func(s *source, c *ci) error {
		return s.pascalResource(c, "AWS.EC2.VPC", func(o *fastjson.Value) {
			stateValue(o)
			o.Set("FlowLogs", s.flowLogsOf(c.id, nil))
		})
	},
	"AWS::KMS::Key": func(s *source, c *ci) error {
		return s.pascalResource(c, "AWS.KMS.Key", func(o *fastjson.Value) {
			rot := s.b.null()
			if v, ok := boolOf(c.suppl("KeyRotationStatus")); ok {
				rot = s.b.boolean(v)
			} else if v, ok := s.r.idx.rotation[c.id]; ok {
				rot = s.b.boolean(v)
			}
			o.Set("KeyRotationEnabled", rot)
			o.Set("Policy", s.b.document(c.suppl("Policy")))
		})
	},
	"AWS::CloudTrail::Trail": func(s *source, c *ci) error {
		s.r.meta.sawTrails(c.account)
		return s.pascalResource(c, "AWS.CloudTrail", func(o *fastjson.Value) {
			if isNull(o.Get("Status")) {
				o.Set("Status", s.b.null())
			}
		})
	},
	"AWS::RDS::DBInstance": func(s *source, c *ci) error {
		return s.pascalResource(c, "AWS.RDS.Instance", func(o *fastjson.Value) {
			o.Set("SnapshotAttributes", s.dbSnapshotAttributesOf(str(c.conf, "dBInstanceIdentifier")))
		})
	},
	"AWS::RDS::DBSnapshot": func(s *source, c *ci) error {
		return s.pascalResource(c, "AWS.RDS.Snapshot", func(o *fastjson.Value) {
			attrs := s.b.null()
			if a := c.suppl("DBSnapshotAttributes"); a != nil {
				attrs = s.b.pascal(a)
			} else if js, ok := s.r.idx.dbSnapAttrs[str(c.conf, "dBSnapshotIdentifier")]; ok {
				attrs = s.parsed(js)
			}
			o.Set("DBSnapshotAttributes", attrs)
		})
	},
	"AWS::Lambda::Function": func(s *source, c *ci) error {
		return s.pascalResource(c, "AWS.Lambda.Function", func(o *fastjson.Value) {
			if k := o.Get("KmskeyArn"); k != nil {
				o.Set("KMSKeyArn", k)
				o.Del("KmskeyArn")
			}
			stateValue(o)
			if p := c.suppl("Policy"); p != nil && !isNull(p) {
				po := s.b.object()
				po.Set("Policy", s.b.document(p))
				po.Set("RevisionId", get(c.conf, "revisionId"))
				o.Set("Policy", po)
			} else {
				o.Set("Policy", s.lambdaPolicyOf(c.arn))
			}
		})
	},
	"AWS::ElasticLoadBalancingV2::LoadBalancer": func(s *source, c *ci) error {
		return s.pascalResource(c, "AWS.ELBV2.ApplicationLoadBalancer", func(o *fastjson.Value) {
			if st := o.Get("State"); st != nil && st.Type() == fastjson.TypeObject && !st.Exists("Code") && st.Exists("Value") {
				stateValue(o)
			}
		})
	},
	"AWS::ElasticLoadBalancing::LoadBalancer": func(s *source, c *ci) error {
		if c.arn == "" && c.account != "" && c.region != "" {
			c.arn = "arn:aws:elasticloadbalancing:" + c.region + ":" + c.account + ":loadbalancer/" + c.name
		}
		return s.pascalResource(c, "AWS.ELB.LoadBalancer", func(o *fastjson.Value) {
			if d := o.Get("Dnsname"); d != nil {
				o.Set("DNSName", d)
				o.Del("Dnsname")
			}
			for _, ld := range arrayOf(o.Get("ListenerDescriptions")) {
				if l := ld.Get("Listener"); l != nil && l.Exists("SslcertificateId") {
					l.Set("SSLCertificateId", l.Get("SslcertificateId"))
					l.Del("SslcertificateId")
				}
			}
		})
	},
	"AWS::GuardDuty::Detector": func(s *source, c *ci) error {
		const t = "AWS.GuardDuty.Detector"
		h := s.ciHeader(c, t, SingletonID(c.account, c.region, t))
		o := s.start(h)
		status := "DISABLED"
		if v, _ := boolOf(c.conf.Get("Enable")); v {
			status = "ENABLED"
		}
		o.Set("Status", s.b.str(status))
		o.Set("FindingPublishingFrequency", c.conf.Get("FindingPublishingFrequency"))
		o.Set("DataSources", c.conf.Get("DataSources"))
		return s.done(h, o)
	},
	"AWS::Config::ConfigurationRecorder": func(s *source, c *ci) error {
		const t = "AWS.Config.Recorder"
		s.r.meta.sawRecorders(c.account)
		h := s.ciHeader(c, t, SingletonID(c.account, c.region, t))
		h.Name = firstStr(c.conf, "Name", "name")
		o := s.start(h)
		o.Set("RecordingGroup", s.b.pascal(firstVal(c.conf, "RecordingGroup", "recordingGroup")))
		o.Set("RoleARN", firstVal(c.conf, "RoleARN", "roleARN"))
		var own *fastjson.Value
		if rec := firstVal(c.conf, "Recording", "recording"); rec != nil {
			own = s.b.object()
			own.Set("Name", s.b.str(h.Name))
			own.Set("Recording", rec)
		}
		o.Set("Status", s.recorderStatus(h.Name, own))
		return s.done(h, o)
	},
}

// Grantees of S3 ACLs as Config names them, and their URIs.
var s3Groups = map[string]string{
	"AllUsers":           "http://acs.amazonaws.com/groups/global/AllUsers",
	"AuthenticatedUsers": "http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
	"LogDelivery":        "http://acs.amazonaws.com/groups/s3/LogDelivery",
}

// s3Permission maps Config's permission names to the API's.
func s3Permission(p string) string {
	switch strings.ToLower(p) {
	case "read":
		return "READ"
	case "write":
		return "WRITE"
	case "readacp":
		return "READ_ACP"
	case "writeacp":
		return "WRITE_ACP"
	case "fullcontrol":
		return "FULL_CONTROL"
	}
	return strings.ToUpper(p)
}

func (s *source) configS3Bucket(c *ci) error {
	b := s.b
	if c.arn == "" {
		c.arn = "arn:aws:s3:::" + c.name
	}
	h := s.ciHeader(c, "AWS.S3.Bucket", "")
	if h.Created.IsZero() {
		h.Created = parseTime(c.conf.Get("creationDate"))
	}
	o := s.start(h)
	acl := c.suppl("AccessControlList")
	var grants []*fastjson.Value
	for _, g := range arrayOf(get(acl, "grantList")) {
		gr := b.object()
		ge := g.Get("grantee")
		switch {
		case ge != nil && ge.Type() == fastjson.TypeString:
			name := stringOf(ge)
			gr.Set("Type", b.str("Group"))
			gr.Set("URI", b.str(s3Groups[name]))
			gr.Set("ID", b.null())
			gr.Set("DisplayName", b.str(name))
		default:
			gr.Set("Type", b.str("CanonicalUser"))
			gr.Set("URI", b.null())
			gr.Set("ID", b.str(firstStr(ge, "id", "identifier")))
			gr.Set("DisplayName", b.str(str(ge, "displayName")))
		}
		grant := b.object()
		grant.Set("Grantee", gr)
		grant.Set("Permission", b.str(s3Permission(str(g, "permission"))))
		grants = append(grants, grant)
	}
	if grants == nil {
		o.Set("Grants", b.null())
	} else {
		o.Set("Grants", b.list(grants))
	}
	if own := get(acl, "owner"); own != nil {
		ow := b.object()
		ow.Set("ID", b.str(str(own, "id")))
		ow.Set("DisplayName", b.str(str(own, "displayName")))
		o.Set("Owner", ow)
	} else {
		o.Set("Owner", b.null())
	}
	o.Set("Policy", b.document(get(c.suppl("BucketPolicy"), "policyText")))
	o.Set("PublicAccessBlockConfiguration", b.pascal(c.suppl("PublicAccessBlockConfiguration")))
	var rules []*fastjson.Value
	for _, r := range arrayOf(get(c.suppl("ServerSideEncryptionConfiguration"), "rules")) {
		def := b.object()
		d := r.Get("applyServerSideEncryptionByDefault")
		def.Set("SSEAlgorithm", b.str(str(d, "sseAlgorithm")))
		def.Set("KMSMasterKeyID", b.str(str(d, "kmsMasterKeyID")))
		rule := b.object()
		rule.Set("ApplyServerSideEncryptionByDefault", def)
		rule.Set("BucketKeyEnabled", r.Get("bucketKeyEnabled"))
		rules = append(rules, rule)
	}
	if rules == nil {
		o.Set("EncryptionRules", b.null())
	} else {
		o.Set("EncryptionRules", b.list(rules))
	}
	ver := c.suppl("BucketVersioningConfiguration")
	switch st := str(ver, "status"); st {
	case "Enabled", "Suspended":
		o.Set("Versioning", b.str(st))
	default:
		o.Set("Versioning", b.null())
	}
	switch v, ok := boolOf(get(ver, "isMfaDeleteEnabled")); {
	case !ok:
		o.Set("MFADelete", b.null())
	case v:
		o.Set("MFADelete", b.str("Enabled"))
	default:
		o.Set("MFADelete", b.str("Disabled"))
	}
	lg := c.suppl("BucketLoggingConfiguration")
	if dst := str(lg, "destinationBucketName"); dst != "" {
		l := b.object()
		l.Set("TargetBucket", b.str(dst))
		l.Set("TargetPrefix", b.strOrEmpty(str(lg, "logFilePrefix")))
		o.Set("LoggingPolicy", l)
	} else {
		o.Set("LoggingPolicy", b.null())
	}
	o.Set("LifecycleRules", b.pascal(get(c.suppl("BucketLifecycleConfiguration"), "rules")))
	o.Set("ObjectLockConfiguration", b.pascal(c.suppl("ObjectLockConfiguration")))
	return s.done(h, o)
}

// configIAM sets the policy fields common to users, roles and groups.
func (s *source) configIAM(o *fastjson.Value, conf *fastjson.Value, inlineKey string, names bool) {
	b := s.b
	o.Set("InlinePolicies", b.iamInline(conf.Get(inlineKey), "policyName", "policyDocument"))
	n, a := b.iamManaged(conf.Get("attachedManagedPolicies"), "policyName", "policyArn")
	if names {
		o.Set("ManagedPolicyNames", n)
	}
	o.Set("ManagedPolicyARNs", a)
	o.Set("PermissionsBoundary", b.pascal(conf.Get("permissionsBoundary")))
}

func (s *source) configIAMUser(c *ci) error {
	b := s.b
	c.region = GlobalRegion
	h := s.ciHeader(c, "AWS.IAM.User", "")
	h.AWSID = str(c.conf, "userId")
	h.Name = str(c.conf, "userName")
	if h.Created.IsZero() {
		h.Created = parseTime(c.conf.Get("createDate"))
	}
	o := s.start(h)
	o.Set("UserName", c.conf.Get("userName"))
	o.Set("UserId", c.conf.Get("userId"))
	o.Set("Path", c.conf.Get("path"))
	o.Set("CreateDate", c.conf.Get("createDate"))
	o.Set("PasswordLastUsed", b.null())
	var groups []*fastjson.Value
	for _, g := range arrayOf(c.conf.Get("groupList")) {
		gobj := b.object()
		gobj.Set("GroupName", g)
		groups = append(groups, gobj)
	}
	if groups == nil {
		o.Set("Groups", b.null())
	} else {
		o.Set("Groups", b.list(groups))
	}
	s.configIAM(o, c.conf, "userPolicyList", true)
	s.userCredentials(o, c.arn)
	return s.done(h, o)
}

func (s *source) configIAMRole(c *ci) error {
	c.region = GlobalRegion
	h := s.ciHeader(c, "AWS.IAM.Role", "")
	h.AWSID = str(c.conf, "roleId")
	h.Name = str(c.conf, "roleName")
	if h.Created.IsZero() {
		h.Created = parseTime(c.conf.Get("createDate"))
	}
	o := s.start(h)
	o.Set("RoleName", c.conf.Get("roleName"))
	o.Set("RoleId", c.conf.Get("roleId"))
	o.Set("Path", c.conf.Get("path"))
	o.Set("AssumeRolePolicyDocument", s.b.document(c.conf.Get("assumeRolePolicyDocument")))
	o.Set("Description", c.conf.Get("description"))
	o.Set("MaxSessionDuration", c.conf.Get("maxSessionDuration"))
	s.configIAM(o, c.conf, "rolePolicyList", true)
	o.Set("RoleLastUsed", s.b.pascal(c.conf.Get("roleLastUsed")))
	return s.done(h, o)
}

func (s *source) configIAMGroup(c *ci) error {
	c.region = GlobalRegion
	h := s.ciHeader(c, "AWS.IAM.Group", "")
	h.AWSID = str(c.conf, "groupId")
	h.Name = str(c.conf, "groupName")
	o := s.start(h)
	o.Set("GroupName", c.conf.Get("groupName"))
	o.Set("Path", c.conf.Get("path"))
	s.configIAM(o, c.conf, "groupPolicyList", false)
	return s.done(h, o)
}

func (s *source) configIAMPolicy(c *ci) error {
	b := s.b
	c.region = GlobalRegion
	h := s.ciHeader(c, "AWS.IAM.Policy", "")
	h.AWSID = str(c.conf, "policyId")
	h.Name = str(c.conf, "policyName")
	o := s.start(h)
	var doc *fastjson.Value
	def := str(c.conf, "defaultVersionId")
	for _, ver := range arrayOf(c.conf.Get("policyVersionList")) {
		if d, _ := boolOf(ver.Get("isDefaultVersion")); d || str(ver, "versionId") == def {
			doc = ver.Get("document")
			break
		}
	}
	o.Set("PolicyDocument", b.document(doc))
	o.Set("DefaultVersionId", c.conf.Get("defaultVersionId"))
	o.Set("AttachmentCount", c.conf.Get("attachmentCount"))
	o.Set("IsAttachable", c.conf.Get("isAttachable"))
	o.Set("Path", c.conf.Get("path"))
	o.Set("Description", c.conf.Get("description"))
	o.Set("UpdateDate", c.conf.Get("updateDate"))
	// Config records attachments as relationships ("Is attached to IAMUser").
	var users, groups, roles []*fastjson.Value
	for _, rel := range arrayOf(c.v.Get("relationships")) {
		name := str(rel, "resourceName")
		e := b.object()
		switch str(rel, "resourceType") {
		case "AWS::IAM::User":
			e.Set("UserName", b.str(name))
			e.Set("UserId", b.str(str(rel, "resourceId")))
			users = append(users, e)
		case "AWS::IAM::Group":
			e.Set("GroupName", b.str(name))
			e.Set("GroupId", b.str(str(rel, "resourceId")))
			groups = append(groups, e)
		case "AWS::IAM::Role":
			e.Set("RoleName", b.str(name))
			e.Set("RoleId", b.str(str(rel, "resourceId")))
			roles = append(roles, e)
		}
	}
	if c.v.Exists("relationships") {
		eo := b.object()
		eo.Set("PolicyUsers", b.list(users))
		eo.Set("PolicyGroups", b.list(groups))
		eo.Set("PolicyRoles", b.list(roles))
		o.Set("Entities", eo)
	} else {
		o.Set("Entities", b.null())
	}
	return s.done(h, o)
}
