package scan

import (
	"bufio"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/valyala/fastjson"
)

// Terraform plans, as `terraform show -json PLANFILE` prints them. Each
// managed resource of resource_changes that still exists after the plan
// (every action but a plain delete) becomes a resource built from its
// planned values (change.after), in Panther's shape, so that the same
// policy judges the live account (AWS Config) and the change that would
// alter it. Resources that Terraform splits (an S3 bucket and its
// aws_s3_bucket_versioning, a security group and its rules, a role and its
// policies) are joined into one, through the references of the plan's
// configuration (bucket = aws_s3_bucket.b.id) or, for values known at plan
// time, by name.
//
// ResourceId is the resource address (module.logs.aws_s3_bucket.this[0]):
// what a pull request names, and stable while the ARN is still unknown.
// Region comes from the provider's configuration (else --region), the
// account from known ARNs (else --account). Values Terraform learns only
// when applying are the string "(known after apply)" where their presence
// matters (a KMS key id), else null; fields that the plan cannot know at
// all are listed in UnknownFields (ours), and the shipped policies pass on
// them. A bucket the plan creates gets what AWS gives
// every new bucket when nothing else is said: Block Public Access on and
// SSE-S3 encryption (AWS's defaults since 2023).
//
// Where the configuration's source is on disk (the plan's directory, or
// --terraform-dir, and local module sources under it), each resource is
// located at its `resource "TYPE" "NAME"` line, for SARIF.

type tfRes struct {
	addr    string // full address with index
	module  string // module address ("" for root), with indices
	typ     string
	name    string
	index   string // "" or the index as written in the address ([0], ["a"])
	after   *fastjson.Value
	unknown *fastjson.Value
	action  string // create, update, replace, no-op, read
	cfg     *fastjson.Value
	item    string
	region  string
	loc     *Location
	used    bool // joined into another resource
}

// base is the address without the index: what references name.
func (t *tfRes) base() string {
	if t.module == "" {
		return t.typ + "." + t.name
	}
	return t.module + "." + t.typ + "." + t.name
}

type tfPlan struct {
	s      *source
	byBase map[string][]*tfRes
	byType map[string][]*tfRes
	all    []*tfRes
	cfgs   map[string]*fastjson.Value // moduleKey|type.name -> configuration resource
	mods   map[string]*fastjson.Value // moduleKey -> module call
	prov   *fastjson.Value
	dirs   map[string]map[string]*Location
}

var indexRe = regexp.MustCompile(`\[[^\]]*\]`)

// moduleKey drops instance indices: configuration is per module call.
func moduleKey(module string) string { return indexRe.ReplaceAllString(module, "") }

func (s *source) readTerraform(v *fastjson.Value) error {
	p := &tfPlan{s: s, byBase: map[string][]*tfRes{}, byType: map[string][]*tfRes{}, cfgs: map[string]*fastjson.Value{},
		mods: map[string]*fastjson.Value{}, prov: get(v, "configuration", "provider_config"), dirs: map[string]map[string]*Location{}}
	p.walkConfig(get(v, "configuration", "root_module"), "")
	for i, rc := range arrayOf(v.Get("resource_changes")) {
		if str(rc, "mode") != "managed" {
			continue
		}
		item := "resource_changes[" + strconv.Itoa(i) + "] (" + str(rc, "address") + ")"
		acts := arrayOf(get(rc, "change", "actions"))
		action := ""
		var names []string
		for _, a := range acts {
			names = append(names, stringOf(a))
		}
		switch strings.Join(names, ",") {
		case "delete":
			continue
		case "create":
			action = "create"
		case "delete,create", "create,delete":
			action = "create" // a replacement is a new resource
		case "update":
			action = "update"
		case "no-op":
			action = "no-op"
		case "read":
			continue
		default:
			action = strings.Join(names, ",")
		}
		after := get(rc, "change", "after")
		if isNull(after) || after.Type() != fastjson.TypeObject {
			continue
		}
		t := &tfRes{addr: str(rc, "address"), module: str(rc, "module_address"), typ: str(rc, "type"), name: str(rc, "name"),
			after: after, unknown: get(rc, "change", "after_unknown"), action: action, item: item}
		if idx := rc.Get("index"); idx != nil {
			t.index = "[" + string(idx.MarshalTo(nil)) + "]"
		}
		t.cfg = p.cfgs[moduleKey(t.module)+"|"+t.typ+"."+t.name]
		t.region = p.region(t)
		t.loc = p.locate(t)
		p.all = append(p.all, t)
		p.byBase[t.base()] = append(p.byBase[t.base()], t)
		p.byType[t.typ] = append(p.byType[t.typ], t)
	}
	for _, t := range p.all {
		conv := tfConverters[t.typ]
		if conv == nil {
			if _, sub := tfSubTypes[t.typ]; !sub {
				s.r.stats.Skipped++
			}
			continue
		}
		if err := conv(p, t); err != nil {
			return err
		}
	}
	return nil
}

// walkConfig indexes the configuration's resources and module calls.
func (p *tfPlan) walkConfig(mod *fastjson.Value, path string) {
	if mod == nil {
		return
	}
	for _, r := range arrayOf(mod.Get("resources")) {
		p.cfgs[path+"|"+str(r, "type")+"."+str(r, "name")] = r
	}
	calls := mod.Get("module_calls")
	for _, name := range keysOf(calls) {
		call := calls.Get(name)
		sub := "module." + name
		if path != "" {
			sub = path + "." + sub
		}
		p.mods[sub] = call
		p.walkConfig(call.Get("module"), sub)
	}
}

// region is the region of the provider configuration a resource uses.
func (p *tfPlan) region(t *tfRes) string {
	if r := arnRegion(str(t.after, "arn")); r != "" {
		return r
	}
	if r := str(t.after, "region"); r != "" {
		return r
	}
	key := str(t.cfg, "provider_config_key")
	for _, k := range []string{key, strings.TrimPrefix(key, moduleKey(t.module)+":"), "aws"} {
		if k == "" {
			continue
		}
		if r := str(p.prov, k, "expressions", "region", "constant_value"); r != "" {
			return r
		}
	}
	if az := str(t.after, "availability_zone"); az != "" {
		if r := azRegion(az); r != "" {
			return r
		}
	}
	return p.s.r.opts.Region
}

// moduleDir is where a module's .tf files are, when on disk.
func (p *tfPlan) moduleDir(module string) (string, bool) {
	if p.s.r.opts.NoLocalFiles {
		return "", false
	}
	if module == "" {
		if d := p.s.r.opts.TerraformDir; d != "" {
			return d, true
		}
		if p.s.name == "-" || p.s.name == "" {
			return ".", true
		}
		return filepath.Dir(p.s.name), true
	}
	key := moduleKey(module)
	call := p.mods[key]
	src := str(call, "source")
	if !strings.HasPrefix(src, "./") && !strings.HasPrefix(src, "../") {
		return "", false // a registry or remote module
	}
	parent := ""
	if i := strings.LastIndex(key, ".module."); i >= 0 {
		parent = key[:i]
	}
	pd, ok := p.moduleDir(parent)
	if !ok {
		return "", false
	}
	return filepath.Join(pd, filepath.FromSlash(src)), true
}

var tfResourceLine = regexp.MustCompile(`^\s*resource\s+"([^"]+)"\s+"([^"]+)"`)

// locate finds the resource block declaring t in its module's .tf files.
func (p *tfPlan) locate(t *tfRes) *Location {
	dir, ok := p.moduleDir(t.module)
	if !ok {
		return nil
	}
	locs, ok := p.dirs[dir]
	if !ok {
		locs = map[string]*Location{}
		files, _ := filepath.Glob(filepath.Join(dir, "*.tf"))
		sort.Strings(files)
		for _, f := range files {
			fh, err := os.Open(f)
			if err != nil {
				continue
			}
			sc := bufio.NewScanner(fh)
			sc.Buffer(make([]byte, 64<<10), 1<<20)
			line := 0
			for sc.Scan() {
				line++
				if m := tfResourceLine.FindStringSubmatch(sc.Text()); m != nil {
					k := m[1] + "." + m[2]
					if _, dup := locs[k]; !dup {
						locs[k] = &Location{File: f, Line: line}
					}
				}
			}
			fh.Close()
		}
		p.dirs[dir] = locs
	}
	return locs[t.typ+"."+t.name]
}

// refs lists the addresses (without index, with the module prefix) that
// the configuration of t's attribute refers to.
func (p *tfPlan) refs(t *tfRes, attr string) []string {
	var out []string
	for _, r := range arrayOf(get(t.cfg, "expressions", attr, "references")) {
		ref := stringOf(r)
		if strings.HasPrefix(ref, "var.") || strings.HasPrefix(ref, "local.") || strings.HasPrefix(ref, "data.") ||
			strings.HasPrefix(ref, "module.") || strings.HasPrefix(ref, "each.") || strings.HasPrefix(ref, "count.") {
			continue
		}
		parts := strings.Split(indexRe.ReplaceAllString(ref, ""), ".")
		if len(parts) < 2 {
			continue
		}
		base := parts[0] + "." + parts[1]
		if t.module != "" {
			base = t.module + "." + base
		}
		out = append(out, base)
	}
	return out
}

// targets finds the resources of the given types that t's attribute
// designates: through configuration references, else by value (match
// compares the attribute's known value with a candidate).
func (p *tfPlan) targets(t *tfRes, attr string, types []string, match func(c *tfRes, val string) bool) []*tfRes {
	var out []*tfRes
	seen := map[*tfRes]bool{}
	add := func(c *tfRes) {
		if !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	for _, base := range p.refs(t, attr) {
		cands := p.byBase[base]
		if len(cands) == 0 {
			continue
		}
		if !typeIn(cands[0].typ, types) {
			continue
		}
		if len(cands) == 1 {
			add(cands[0])
			continue
		}
		for _, c := range cands {
			if c.index == t.index {
				add(c)
			}
		}
	}
	if len(out) > 0 {
		return out
	}
	vals := []string{}
	switch v := t.after.Get(attr); {
	case v == nil:
	case v.Type() == fastjson.TypeArray:
		for _, x := range arrayOf(v) {
			vals = append(vals, stringOf(x))
		}
	default:
		vals = append(vals, stringOf(v))
	}
	for _, val := range vals {
		if val == "" {
			continue
		}
		for _, typ := range types {
			for _, c := range p.byType[typ] {
				if match(c, val) {
					add(c)
				}
			}
		}
	}
	return out
}

func typeIn(t string, types []string) bool {
	for _, x := range types {
		if x == t {
			return true
		}
	}
	return false
}

// subs lists the resources of type typ whose attribute attr designates
// primary.
func (p *tfPlan) subs(primary *tfRes, typ, attr string, match func(c *tfRes, val string) bool) []*tfRes {
	var out []*tfRes
	for _, sr := range p.byType[typ] {
		for _, tg := range p.targets(sr, attr, []string{primary.typ}, match) {
			if tg == primary {
				sr.used = true
				out = append(out, sr)
				break
			}
		}
	}
	return out
}

// byAttr matches a candidate whose attribute (one of keys) has the value.
func byAttr(keys ...string) func(c *tfRes, val string) bool {
	return func(c *tfRes, val string) bool {
		for _, k := range keys {
			if s := str(c.after, k); s != "" && s == val {
				return true
			}
		}
		return false
	}
}

// unknownValue stands for a value Terraform learns only when applying: it
// will be set, to something the plan cannot say.
const unknownValue = "(known after apply)"

// known returns an attribute's planned value, unknownValue when Terraform
// learns it only when applying, or null.
func (p *tfPlan) known(t *tfRes, key string) *fastjson.Value {
	if v := t.after.Get(key); !isNull(v) && stringOf(v) != "" {
		return v
	}
	if u, _ := boolOf(get(t.unknown, key)); u {
		return p.s.b.str(unknownValue)
	}
	return p.s.b.null()
}

// header of a plan resource.
func (p *tfPlan) header(t *tfRes, typ, name, arn string) *hdr {
	acct := arnAccount(arn)
	if acct == "" {
		acct = p.s.r.defaultAccount()
	}
	region := t.region
	if globalTypes[typ] {
		region = GlobalRegion
	}
	return &hdr{Type: typ, ID: t.addr, Account: acct, Region: region, ARN: arn, AWSID: str(t.after, "id"), Name: name,
		Tags: p.s.b.tags(t.after.Get("tags")), Item: t.item, Address: t.addr, Location: t.loc}
}

var globalTypes = map[string]bool{"AWS.IAM.User": true, "AWS.IAM.Role": true, "AWS.IAM.Group": true, "AWS.IAM.Policy": true,
	"AWS.PasswordPolicy": true, "AWS.S3.Bucket": false}

// block returns the first element of a nested block (Terraform writes
// blocks as lists), or nil.
func block(v *fastjson.Value, key string) *fastjson.Value {
	items := arrayOf(get(v, key))
	if len(items) == 0 {
		if x := get(v, key); x != nil && x.Type() == fastjson.TypeObject {
			return x
		}
		return nil
	}
	return items[0]
}

// tfBool is a boolean attribute with its default when unset or unknown.
func (b *builder) tfBool(v *fastjson.Value, key string, def bool) *fastjson.Value {
	if x, ok := boolOf(get(v, key)); ok {
		return b.boolean(x)
	}
	return b.boolean(def)
}

// optBool is a boolean attribute, null when unset or unknown.
func (b *builder) optBool(v *fastjson.Value, key string) *fastjson.Value {
	if x, ok := boolOf(get(v, key)); ok {
		return b.boolean(x)
	}
	return b.null()
}

func (b *builder) optNumber(v *fastjson.Value, key string) *fastjson.Value {
	if f, ok := numberOf(get(v, key)); ok {
		return b.number(f)
	}
	return b.null()
}

func strList(v *fastjson.Value) []string {
	var out []string
	for _, x := range arrayOf(v) {
		if s := stringOf(x); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// tfSubTypes are the types that are joined into others, never alone.
var tfSubTypes = map[string]struct{}{
	"aws_s3_bucket_acl": {}, "aws_s3_bucket_policy": {}, "aws_s3_bucket_public_access_block": {},
	"aws_s3_bucket_server_side_encryption_configuration": {}, "aws_s3_bucket_versioning": {}, "aws_s3_bucket_logging": {},
	"aws_s3_bucket_lifecycle_configuration": {}, "aws_s3_bucket_object_lock_configuration": {},
	"aws_iam_user_policy": {}, "aws_iam_user_policy_attachment": {}, "aws_iam_policy_attachment": {},
	"aws_iam_role_policy": {}, "aws_iam_role_policy_attachment": {}, "aws_iam_group_policy": {}, "aws_iam_group_policy_attachment": {},
	"aws_iam_user_login_profile": {}, "aws_iam_access_key": {}, "aws_iam_user_group_membership": {}, "aws_iam_group_membership": {},
	"aws_security_group_rule": {}, "aws_vpc_security_group_ingress_rule": {}, "aws_vpc_security_group_egress_rule": {},
	"aws_network_acl_rule": {}, "aws_flow_log": {}, "aws_snapshot_create_volume_permission": {},
	"aws_lambda_permission": {}, "aws_lambda_function_url": {}, "aws_config_configuration_recorder_status": {},
}

var tfConverters = map[string]func(p *tfPlan, t *tfRes) error{
	"aws_s3_bucket":                     (*tfPlan).s3Bucket,
	"aws_iam_user":                      (*tfPlan).iamUser,
	"aws_iam_role":                      (*tfPlan).iamRole,
	"aws_iam_group":                     (*tfPlan).iamGroup,
	"aws_iam_policy":                    (*tfPlan).iamPolicy,
	"aws_iam_account_password_policy":   (*tfPlan).passwordPolicy,
	"aws_instance":                      (*tfPlan).instance,
	"aws_security_group":                (*tfPlan).securityGroup,
	"aws_default_security_group":        (*tfPlan).securityGroup,
	"aws_network_acl":                   (*tfPlan).networkACL,
	"aws_default_network_acl":           (*tfPlan).networkACL,
	"aws_ebs_volume":                    (*tfPlan).ebsVolume,
	"aws_ebs_snapshot":                  (*tfPlan).ebsSnapshot,
	"aws_vpc":                           (*tfPlan).vpc,
	"aws_default_vpc":                   (*tfPlan).vpc,
	"aws_kms_key":                       (*tfPlan).kmsKey,
	"aws_cloudtrail":                    (*tfPlan).cloudTrail,
	"aws_db_instance":                   (*tfPlan).dbInstance,
	"aws_db_snapshot":                   (*tfPlan).dbSnapshot,
	"aws_lambda_function":               (*tfPlan).lambdaFunction,
	"aws_lb":                            (*tfPlan).loadBalancer,
	"aws_alb":                           (*tfPlan).loadBalancer,
	"aws_elb":                           (*tfPlan).classicLoadBalancer,
	"aws_guardduty_detector":            (*tfPlan).guardDuty,
	"aws_config_configuration_recorder": (*tfPlan).configRecorder,
}

// --- S3 ----------------------------------------------------------------

var cannedACLs = map[string][][2]string{
	"public-read":        {{"AllUsers", "READ"}},
	"public-read-write":  {{"AllUsers", "READ"}, {"AllUsers", "WRITE"}},
	"authenticated-read": {{"AuthenticatedUsers", "READ"}},
	"log-delivery-write": {{"LogDelivery", "WRITE"}, {"LogDelivery", "READ_ACP"}},
}

func (p *tfPlan) s3Bucket(t *tfRes) error {
	b := p.s.b
	name := str(t.after, "bucket")
	arn := str(t.after, "arn")
	if arn == "" && name != "" {
		arn = "arn:aws:s3:::" + name
	}
	h := p.header(t, "AWS.S3.Bucket", name, arn)
	o := p.s.start(h)
	match := byAttr("bucket", "id")
	sub := func(typ string) *fastjson.Value {
		if l := p.subs(t, typ, "bucket", match); len(l) > 0 {
			return l[len(l)-1].after
		}
		return nil
	}
	isNew := t.action == "create"
	var unknown []string // fields this plan cannot know (UnknownFields)

	// ACL: the grants of aws_s3_bucket_acl, a canned ACL, or the bucket's own.
	var grants []*fastjson.Value
	addGroup := func(group, perm string) {
		gr := b.object()
		gr.Set("Type", b.str("Group"))
		gr.Set("URI", b.str(s3Groups[group]))
		gr.Set("ID", b.null())
		gr.Set("DisplayName", b.null())
		g := b.object()
		g.Set("Grantee", gr)
		g.Set("Permission", b.str(perm))
		grants = append(grants, g)
	}
	addGrants := func(list *fastjson.Value, grantee func(g *fastjson.Value) *fastjson.Value, perms func(g *fastjson.Value) []string) {
		for _, g := range arrayOf(list) {
			ge := grantee(g)
			for _, perm := range perms(g) {
				gr := b.object()
				typ := str(ge, "type")
				if typ == "" {
					typ = "CanonicalUser"
				}
				gr.Set("Type", b.str(typ))
				gr.Set("URI", b.str(str(ge, "uri")))
				gr.Set("ID", b.str(str(ge, "id")))
				gr.Set("DisplayName", b.str(str(ge, "display_name")))
				x := b.object()
				x.Set("Grantee", gr)
				x.Set("Permission", b.str(perm))
				grants = append(grants, x)
			}
		}
	}
	acl := str(t.after, "acl")
	if a := sub("aws_s3_bucket_acl"); a != nil {
		if c := str(a, "acl"); c != "" {
			acl = c
		}
		addGrants(get(block(a, "access_control_policy"), "grant"),
			func(g *fastjson.Value) *fastjson.Value { return block(g, "grantee") },
			func(g *fastjson.Value) []string { return []string{str(g, "permission")} })
	}
	for _, g := range cannedACLs[acl] {
		addGroup(g[0], g[1])
	}
	addGrants(t.after.Get("grant"), func(g *fastjson.Value) *fastjson.Value { return g },
		func(g *fastjson.Value) []string { return strList(g.Get("permissions")) })
	if grants == nil {
		o.Set("Grants", b.null())
	} else {
		o.Set("Grants", b.list(grants))
	}
	o.Set("Owner", b.null())

	pol := t.after.Get("policy")
	if sp := sub("aws_s3_bucket_policy"); sp != nil {
		pol = sp.Get("policy")
	}
	if stringOf(pol) == "" {
		o.Set("Policy", b.null())
	} else {
		o.Set("Policy", b.document(pol))
	}

	if pab := sub("aws_s3_bucket_public_access_block"); pab != nil {
		c := b.object()
		c.Set("BlockPublicAcls", b.tfBool(pab, "block_public_acls", false))
		c.Set("IgnorePublicAcls", b.tfBool(pab, "ignore_public_acls", false))
		c.Set("BlockPublicPolicy", b.tfBool(pab, "block_public_policy", false))
		c.Set("RestrictPublicBuckets", b.tfBool(pab, "restrict_public_buckets", false))
		o.Set("PublicAccessBlockConfiguration", c)
	} else if isNew {
		c := b.object()
		for _, k := range []string{"BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"} {
			c.Set(k, b.boolean(true))
		}
		o.Set("PublicAccessBlockConfiguration", c)
	} else {
		// Not an attribute of the bucket: a bucket the plan does not
		// create has settings the plan cannot see.
		o.Set("PublicAccessBlockConfiguration", b.null())
		unknown = append(unknown, "PublicAccessBlockConfiguration")
	}

	var rules []*fastjson.Value
	encRules := get(block(t.after, "server_side_encryption_configuration"), "rule")
	if e := sub("aws_s3_bucket_server_side_encryption_configuration"); e != nil {
		encRules = e.Get("rule")
	}
	for _, r := range arrayOf(encRules) {
		d := block(r, "apply_server_side_encryption_by_default")
		def := b.object()
		def.Set("SSEAlgorithm", b.str(str(d, "sse_algorithm")))
		def.Set("KMSMasterKeyID", b.str(str(d, "kms_master_key_id")))
		rule := b.object()
		rule.Set("ApplyServerSideEncryptionByDefault", def)
		rule.Set("BucketKeyEnabled", b.optBool(r, "bucket_key_enabled"))
		rules = append(rules, rule)
	}
	if rules == nil && isNew {
		def := b.object()
		def.Set("SSEAlgorithm", b.str("AES256"))
		def.Set("KMSMasterKeyID", b.null())
		rule := b.object()
		rule.Set("ApplyServerSideEncryptionByDefault", def)
		rule.Set("BucketKeyEnabled", b.boolean(false))
		rules = append(rules, rule)
	}
	if rules == nil {
		o.Set("EncryptionRules", b.null())
	} else {
		o.Set("EncryptionRules", b.list(rules))
	}

	versioning, mfa := b.null(), b.null()
	if vb := block(t.after, "versioning"); vb != nil {
		if en, ok := boolOf(vb.Get("enabled")); ok && en {
			versioning = b.str("Enabled")
		}
		if m, ok := boolOf(vb.Get("mfa_delete")); ok {
			mfa = b.str(map[bool]string{true: "Enabled", false: "Disabled"}[m])
		}
	}
	if vr := sub("aws_s3_bucket_versioning"); vr != nil {
		vc := block(vr, "versioning_configuration")
		switch st := str(vc, "status"); st {
		case "Enabled", "Suspended":
			versioning = b.str(st)
		default:
			versioning = b.null()
		}
		if m := str(vc, "mfa_delete"); m != "" {
			mfa = b.str(m)
		}
	}
	o.Set("Versioning", versioning)
	o.Set("MFADelete", mfa)

	logging := b.null()
	mk := func(bucket, prefix string) {
		if bucket == "" {
			return
		}
		l := b.object()
		l.Set("TargetBucket", b.str(bucket))
		l.Set("TargetPrefix", b.strOrEmpty(prefix))
		logging = l
	}
	if lb := block(t.after, "logging"); lb != nil {
		mk(str(lb, "target_bucket"), str(lb, "target_prefix"))
	}
	if lg := sub("aws_s3_bucket_logging"); lg != nil {
		mk(firstNonEmpty(str(lg, "target_bucket"), "(known after apply)"), str(lg, "target_prefix"))
	}
	o.Set("LoggingPolicy", logging)

	lc := t.after.Get("lifecycle_rule")
	if l := sub("aws_s3_bucket_lifecycle_configuration"); l != nil {
		lc = l.Get("rule")
	}
	if len(arrayOf(lc)) == 0 {
		o.Set("LifecycleRules", b.null())
	} else {
		o.Set("LifecycleRules", lc)
	}
	olc := b.null()
	if ol := sub("aws_s3_bucket_object_lock_configuration"); ol != nil {
		c := b.object()
		c.Set("ObjectLockEnabled", b.str(firstNonEmpty(str(ol, "object_lock_enabled"), "Enabled")))
		c.Set("Rule", b.null())
		olc = c
	} else if en, _ := boolOf(t.after.Get("object_lock_enabled")); en {
		c := b.object()
		c.Set("ObjectLockEnabled", b.str("Enabled"))
		c.Set("Rule", b.null())
		olc = c
	}
	o.Set("ObjectLockConfiguration", olc)
	o.Set("UnknownFields", b.strings(unknown))
	return p.s.done(h, o)
}

func firstNonEmpty(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

// --- IAM ---------------------------------------------------------------

// policyAttachments are the managed policies attached to principal t by
// aws_iam_*_policy_attachment and aws_iam_policy_attachment.
func (p *tfPlan) policyAttachments(t *tfRes, attachType, attr, listAttr string) (arns []string) {
	match := byAttr("name", "id")
	for _, a := range p.subs(t, attachType, attr, match) {
		arns = append(arns, p.policyARN(a))
	}
	for _, a := range p.subs(t, "aws_iam_policy_attachment", listAttr, match) {
		arns = append(arns, p.policyARN(a))
	}
	return arns
}

// policyARN is the ARN an attachment names: known, or that of the
// aws_iam_policy it refers to (its address when the ARN is unknown yet).
func (p *tfPlan) policyARN(a *tfRes) string {
	if arn := str(a.after, "policy_arn"); arn != "" {
		return arn
	}
	for _, tg := range p.targets(a, "policy_arn", []string{"aws_iam_policy"}, byAttr("arn")) {
		if arn := str(tg.after, "arn"); arn != "" {
			return arn
		}
		return tg.addr
	}
	return "(known after apply)"
}

func (p *tfPlan) inline(t *tfRes, policyType, attr string) *fastjson.Value {
	b := p.s.b
	o := b.object()
	n := 0
	for _, ip := range arrayOf(t.after.Get("inline_policy")) {
		if name := str(ip, "name"); name != "" {
			o.Set(name, b.document(ip.Get("policy")))
			n++
		}
	}
	for _, sp := range p.subs(t, policyType, attr, byAttr("name", "id")) {
		name := firstNonEmpty(str(sp.after, "name"), sp.name)
		o.Set(name, b.document(sp.after.Get("policy")))
		n++
	}
	if n == 0 {
		return b.null()
	}
	return o
}

func managedNames(arns []string) []string {
	var out []string
	for _, a := range arns {
		if i := strings.LastIndexByte(a, '/'); i >= 0 {
			a = a[i+1:]
		}
		out = append(out, a)
	}
	return out
}

func (p *tfPlan) iamUser(t *tfRes) error {
	b := p.s.b
	name := str(t.after, "name")
	h := p.header(t, "AWS.IAM.User", name, str(t.after, "arn"))
	o := p.s.start(h)
	o.Set("UserName", b.str(name))
	o.Set("UserId", t.after.Get("unique_id"))
	o.Set("Path", t.after.Get("path"))
	o.Set("CreateDate", b.null())
	o.Set("PasswordLastUsed", b.null())
	var groups []*fastjson.Value
	for _, m := range p.subs(t, "aws_iam_user_group_membership", "user", byAttr("name")) {
		for _, g := range strList(m.after.Get("groups")) {
			x := b.object()
			x.Set("GroupName", b.str(g))
			groups = append(groups, x)
		}
	}
	if groups == nil {
		o.Set("Groups", b.null())
	} else {
		o.Set("Groups", b.list(groups))
	}
	o.Set("InlinePolicies", p.inline(t, "aws_iam_user_policy", "user"))
	arns := p.policyAttachments(t, "aws_iam_user_policy_attachment", "user", "users")
	o.Set("ManagedPolicyNames", b.strings(managedNames(arns)))
	o.Set("ManagedPolicyARNs", b.strings(arns))
	o.Set("PermissionsBoundary", p.boundary(t))
	o.Set("LoginProfile", b.boolean(len(p.subs(t, "aws_iam_user_login_profile", "user", byAttr("name"))) > 0))
	var keys []*fastjson.Value
	for _, k := range p.subs(t, "aws_iam_access_key", "user", byAttr("name")) {
		x := b.object()
		x.Set("Status", b.str(firstNonEmpty(str(k.after, "status"), "Active")))
		keys = append(keys, x)
	}
	o.Set("AccessKeys", b.list(keys))
	o.Set("CredentialReport", b.null())
	o.Set("VirtualMFA", b.null())
	return p.s.done(h, o)
}

func (p *tfPlan) boundary(t *tfRes) *fastjson.Value {
	b := p.s.b
	arn := str(t.after, "permissions_boundary")
	if arn == "" {
		return b.null()
	}
	x := b.object()
	x.Set("PermissionsBoundaryArn", b.str(arn))
	x.Set("PermissionsBoundaryType", b.str("Policy"))
	return x
}

func (p *tfPlan) iamRole(t *tfRes) error {
	b := p.s.b
	name := str(t.after, "name")
	h := p.header(t, "AWS.IAM.Role", name, str(t.after, "arn"))
	o := p.s.start(h)
	o.Set("RoleName", b.str(name))
	o.Set("RoleId", t.after.Get("unique_id"))
	o.Set("Path", t.after.Get("path"))
	o.Set("AssumeRolePolicyDocument", b.document(t.after.Get("assume_role_policy")))
	o.Set("Description", t.after.Get("description"))
	o.Set("MaxSessionDuration", t.after.Get("max_session_duration"))
	o.Set("PermissionsBoundary", p.boundary(t))
	o.Set("InlinePolicies", p.inline(t, "aws_iam_role_policy", "role"))
	arns := strList(t.after.Get("managed_policy_arns"))
	arns = append(arns, p.policyAttachments(t, "aws_iam_role_policy_attachment", "role", "roles")...)
	o.Set("ManagedPolicyNames", b.strings(managedNames(arns)))
	o.Set("ManagedPolicyARNs", b.strings(arns))
	return p.s.done(h, o)
}

func (p *tfPlan) iamGroup(t *tfRes) error {
	b := p.s.b
	name := str(t.after, "name")
	h := p.header(t, "AWS.IAM.Group", name, str(t.after, "arn"))
	o := p.s.start(h)
	o.Set("GroupName", b.str(name))
	o.Set("Path", t.after.Get("path"))
	o.Set("InlinePolicies", p.inline(t, "aws_iam_group_policy", "group"))
	o.Set("ManagedPolicyARNs", b.strings(p.policyAttachments(t, "aws_iam_group_policy_attachment", "group", "groups")))
	return p.s.done(h, o)
}

func (p *tfPlan) iamPolicy(t *tfRes) error {
	b := p.s.b
	name := str(t.after, "name")
	arn := str(t.after, "arn")
	h := p.header(t, "AWS.IAM.Policy", name, arn)
	o := p.s.start(h)
	o.Set("PolicyDocument", b.document(t.after.Get("policy")))
	o.Set("DefaultVersionId", b.null())
	o.Set("Path", t.after.Get("path"))
	o.Set("Description", t.after.Get("description"))
	// Who the plan attaches it to.
	var users, groups, roles []*fastjson.Value
	attached := func(a *tfRes) bool {
		for _, tg := range p.targets(a, "policy_arn", []string{"aws_iam_policy"}, byAttr("arn")) {
			if tg == t {
				return true
			}
		}
		return false
	}
	add := func(list *[]*fastjson.Value, key, val string) {
		x := b.object()
		x.Set(key, b.str(val))
		*list = append(*list, x)
	}
	principals := func(a *tfRes, attr, typ, key string, list *[]*fastjson.Value) {
		names := strList(a.after.Get(attr))
		if v := str(a.after, attr); v != "" {
			names = append(names, v)
		}
		if len(names) == 0 {
			for _, tg := range p.targets(a, attr, []string{typ}, byAttr("name")) {
				names = append(names, firstNonEmpty(str(tg.after, "name"), tg.addr))
			}
		}
		for _, n := range names {
			add(list, key, n)
		}
	}
	for _, a := range p.byType["aws_iam_user_policy_attachment"] {
		if attached(a) {
			principals(a, "user", "aws_iam_user", "UserName", &users)
		}
	}
	for _, a := range p.byType["aws_iam_group_policy_attachment"] {
		if attached(a) {
			principals(a, "group", "aws_iam_group", "GroupName", &groups)
		}
	}
	for _, a := range p.byType["aws_iam_role_policy_attachment"] {
		if attached(a) {
			principals(a, "role", "aws_iam_role", "RoleName", &roles)
		}
	}
	for _, a := range p.byType["aws_iam_policy_attachment"] {
		if attached(a) {
			principals(a, "users", "aws_iam_user", "UserName", &users)
			principals(a, "groups", "aws_iam_group", "GroupName", &groups)
			principals(a, "roles", "aws_iam_role", "RoleName", &roles)
		}
	}
	e := b.object()
	e.Set("PolicyUsers", b.list(users))
	e.Set("PolicyGroups", b.list(groups))
	e.Set("PolicyRoles", b.list(roles))
	o.Set("Entities", e)
	o.Set("AttachmentCount", b.number(float64(len(users)+len(groups)+len(roles))))
	return p.s.done(h, o)
}

func (p *tfPlan) passwordPolicy(t *tfRes) error {
	b := p.s.b
	const typ = "AWS.PasswordPolicy"
	acct := p.s.r.defaultAccount()
	h := p.header(t, typ, typ, "")
	h.Account = acct
	o := p.s.start(h)
	a := t.after
	o.Set("AnyExist", b.boolean(true))
	o.Set("MinimumPasswordLength", b.optNumber(a, "minimum_password_length"))
	o.Set("RequireSymbols", b.tfBool(a, "require_symbols", false))
	o.Set("RequireNumbers", b.tfBool(a, "require_numbers", false))
	o.Set("RequireUppercaseCharacters", b.tfBool(a, "require_uppercase_characters", false))
	o.Set("RequireLowercaseCharacters", b.tfBool(a, "require_lowercase_characters", false))
	o.Set("AllowUsersToChangePassword", b.tfBool(a, "allow_users_to_change_password", true))
	maxAge, _ := numberOf(a.Get("max_password_age"))
	o.Set("ExpirePasswords", b.boolean(maxAge > 0))
	if maxAge > 0 {
		o.Set("MaxPasswordAge", b.number(maxAge))
	} else {
		o.Set("MaxPasswordAge", b.null())
	}
	o.Set("PasswordReusePrevention", b.optNumber(a, "password_reuse_prevention"))
	o.Set("HardExpiry", b.tfBool(a, "hard_expiry", false))
	return p.s.done(h, o)
}

// --- EC2 ---------------------------------------------------------------

func (p *tfPlan) instance(t *tfRes) error {
	b := p.s.b
	a := t.after
	h := p.header(t, "AWS.EC2.Instance", tagOf(a, "Name"), str(a, "arn"))
	o := p.s.start(h)
	o.Set("InstanceId", a.Get("id"))
	o.Set("InstanceType", a.Get("instance_type"))
	o.Set("ImageId", a.Get("ami"))
	o.Set("State", b.null())
	o.Set("SubnetId", a.Get("subnet_id"))
	o.Set("PublicIpAddress", a.Get("public_ip"))
	o.Set("AssociatePublicIpAddress", b.optBool(a, "associate_public_ip_address"))
	var sgs []*fastjson.Value
	for _, g := range append(strList(a.Get("vpc_security_group_ids")), strList(a.Get("security_groups"))...) {
		x := b.object()
		x.Set("GroupId", b.str(g))
		sgs = append(sgs, x)
	}
	o.Set("SecurityGroups", b.list(sgs))
	if ip := str(a, "iam_instance_profile"); ip != "" {
		x := b.object()
		x.Set("Arn", b.null())
		x.Set("Name", b.str(ip))
		o.Set("IamInstanceProfile", x)
	} else {
		o.Set("IamInstanceProfile", b.null())
	}
	mo := block(a, "metadata_options")
	m := b.object()
	// Without metadata_options, instances get the AMI's or account's
	// default, which is IMDSv1 allowed unless set otherwise.
	m.Set("HttpTokens", b.str(firstNonEmpty(str(mo, "http_tokens"), "optional")))
	m.Set("HttpEndpoint", b.str(firstNonEmpty(str(mo, "http_endpoint"), "enabled")))
	m.Set("HttpPutResponseHopLimit", b.optNumber(mo, "http_put_response_hop_limit"))
	o.Set("MetadataOptions", m)
	mon := b.object()
	if en, _ := boolOf(a.Get("monitoring")); en {
		mon.Set("State", b.str("enabled"))
	} else {
		mon.Set("State", b.str("disabled"))
	}
	o.Set("Monitoring", mon)
	o.Set("EbsOptimized", b.optBool(a, "ebs_optimized"))
	var devs []*fastjson.Value
	for _, key := range []string{"root_block_device", "ebs_block_device"} {
		for _, d := range arrayOf(a.Get(key)) {
			x := b.object()
			x.Set("DeviceName", b.str(firstNonEmpty(str(d, "device_name"), "root")))
			e := b.object()
			e.Set("Encrypted", b.optBool(d, "encrypted"))
			e.Set("VolumeSize", b.optNumber(d, "volume_size"))
			x.Set("Ebs", e)
			devs = append(devs, x)
		}
	}
	o.Set("BlockDeviceMappings", b.list(devs))
	return p.s.done(h, o)
}

func tagOf(a *fastjson.Value, key string) string { return str(a, "tags", key) }

// protocol normalises a Terraform protocol to the API's IpProtocol.
func protocol(p string) string {
	switch strings.ToLower(p) {
	case "-1", "all":
		return "-1"
	case "6":
		return "tcp"
	case "17":
		return "udp"
	case "1":
		return "icmp"
	case "58":
		return "icmpv6"
	}
	return strings.ToLower(p)
}

// ipPermission builds one rule in the API's shape.
func (b *builder) ipPermission(proto string, from, to *fastjson.Value, v4, v6, groups, prefixes []string) *fastjson.Value {
	x := b.object()
	pr := protocol(proto)
	x.Set("IpProtocol", b.str(pr))
	if pr == "-1" {
		x.Set("FromPort", b.null())
		x.Set("ToPort", b.null())
	} else {
		x.Set("FromPort", from)
		x.Set("ToPort", to)
	}
	var r4, r6, gp, pl []*fastjson.Value
	for _, c := range v4 {
		y := b.object()
		y.Set("CidrIp", b.str(c))
		r4 = append(r4, y)
	}
	for _, c := range v6 {
		y := b.object()
		y.Set("CidrIpv6", b.str(c))
		r6 = append(r6, y)
	}
	for _, g := range groups {
		y := b.object()
		y.Set("GroupId", b.str(g))
		gp = append(gp, y)
	}
	for _, pfx := range prefixes {
		y := b.object()
		y.Set("PrefixListId", b.str(pfx))
		pl = append(pl, y)
	}
	x.Set("IpRanges", b.list(r4))
	x.Set("Ipv6Ranges", b.list(r6))
	x.Set("UserIdGroupPairs", b.list(gp))
	x.Set("PrefixListIds", b.list(pl))
	return x
}

func (p *tfPlan) securityGroup(t *tfRes) error {
	b := p.s.b
	a := t.after
	name := str(a, "name")
	h := p.header(t, "AWS.EC2.SecurityGroup", name, str(a, "arn"))
	o := p.s.start(h)
	o.Set("GroupId", a.Get("id"))
	o.Set("GroupName", b.str(name))
	o.Set("Description", a.Get("description"))
	o.Set("VpcId", a.Get("vpc_id"))
	o.Set("OwnerId", a.Get("owner_id"))
	var in, out []*fastjson.Value
	inline := func(key string, dst *[]*fastjson.Value) {
		for _, r := range arrayOf(a.Get(key)) {
			groups := strList(r.Get("security_groups"))
			if self, _ := boolOf(r.Get("self")); self {
				groups = append(groups, firstNonEmpty(str(a, "id"), t.addr))
			}
			*dst = append(*dst, b.ipPermission(str(r, "protocol"), r.Get("from_port"), r.Get("to_port"),
				strList(r.Get("cidr_blocks")), strList(r.Get("ipv6_cidr_blocks")), groups, strList(r.Get("prefix_list_ids"))))
		}
	}
	inline("ingress", &in)
	inline("egress", &out)
	match := byAttr("id")
	for _, r := range p.subs(t, "aws_security_group_rule", "security_group_id", match) {
		ra := r.after
		var groups []string
		if g := str(ra, "source_security_group_id"); g != "" {
			groups = append(groups, g)
		}
		perm := b.ipPermission(str(ra, "protocol"), ra.Get("from_port"), ra.Get("to_port"),
			strList(ra.Get("cidr_blocks")), strList(ra.Get("ipv6_cidr_blocks")), groups, strList(ra.Get("prefix_list_ids")))
		if str(ra, "type") == "egress" {
			out = append(out, perm)
		} else {
			in = append(in, perm)
		}
	}
	vpcRule := func(r *tfRes) *fastjson.Value {
		ra := r.after
		one := func(k string) []string {
			if v := str(ra, k); v != "" {
				return []string{v}
			}
			return nil
		}
		return b.ipPermission(str(ra, "ip_protocol"), ra.Get("from_port"), ra.Get("to_port"),
			one("cidr_ipv4"), one("cidr_ipv6"), one("referenced_security_group_id"), one("prefix_list_id"))
	}
	for _, r := range p.subs(t, "aws_vpc_security_group_ingress_rule", "security_group_id", match) {
		in = append(in, vpcRule(r))
	}
	for _, r := range p.subs(t, "aws_vpc_security_group_egress_rule", "security_group_id", match) {
		out = append(out, vpcRule(r))
	}
	o.Set("IpPermissions", b.list(in))
	o.Set("IpPermissionsEgress", b.list(out))
	return p.s.done(h, o)
}

// aclProtocol normalises a protocol to the number the NACL API returns.
func aclProtocol(p string) string {
	switch strings.ToLower(p) {
	case "all", "-1":
		return "-1"
	case "tcp":
		return "6"
	case "udp":
		return "17"
	case "icmp":
		return "1"
	}
	return p
}

func (p *tfPlan) networkACL(t *tfRes) error {
	b := p.s.b
	a := t.after
	h := p.header(t, "AWS.EC2.NetworkACL", tagOf(a, "Name"), str(a, "arn"))
	o := p.s.start(h)
	o.Set("NetworkAclId", a.Get("id"))
	o.Set("VpcId", a.Get("vpc_id"))
	o.Set("IsDefault", b.boolean(t.typ == "aws_default_network_acl"))
	entry := func(egress bool, num, action, proto string, cidr, cidr6 string, from, to *fastjson.Value) *fastjson.Value {
		x := b.object()
		n, _ := strconv.ParseFloat(num, 64)
		x.Set("RuleNumber", b.number(n))
		x.Set("RuleAction", b.str(strings.ToLower(action)))
		x.Set("Egress", b.boolean(egress))
		x.Set("Protocol", b.str(aclProtocol(proto)))
		x.Set("CidrBlock", b.str(cidr))
		x.Set("Ipv6CidrBlock", b.str(cidr6))
		pr := b.object()
		pr.Set("From", from)
		pr.Set("To", to)
		x.Set("PortRange", pr)
		return x
	}
	var entries []*fastjson.Value
	for _, k := range []string{"ingress", "egress"} {
		for _, r := range arrayOf(a.Get(k)) {
			entries = append(entries, entry(k == "egress", str(r, "rule_no"), str(r, "action"), str(r, "protocol"),
				str(r, "cidr_block"), str(r, "ipv6_cidr_block"), r.Get("from_port"), r.Get("to_port")))
		}
	}
	for _, r := range p.subs(t, "aws_network_acl_rule", "network_acl_id", byAttr("id")) {
		ra := r.after
		eg, _ := boolOf(ra.Get("egress"))
		entries = append(entries, entry(eg, str(ra, "rule_number"), str(ra, "rule_action"), str(ra, "protocol"),
			str(ra, "cidr_block"), str(ra, "ipv6_cidr_block"), ra.Get("from_port"), ra.Get("to_port")))
	}
	o.Set("Entries", b.list(entries))
	o.Set("Associations", b.null())
	return p.s.done(h, o)
}

func (p *tfPlan) ebsVolume(t *tfRes) error {
	b := p.s.b
	a := t.after
	h := p.header(t, "AWS.EC2.Volume", tagOf(a, "Name"), str(a, "arn"))
	o := p.s.start(h)
	o.Set("VolumeId", a.Get("id"))
	o.Set("Encrypted", b.tfBool(a, "encrypted", false))
	o.Set("KmsKeyId", p.known(t, "kms_key_id"))
	o.Set("Size", a.Get("size"))
	o.Set("State", b.null())
	o.Set("VolumeType", a.Get("type"))
	o.Set("AvailabilityZone", a.Get("availability_zone"))
	o.Set("Attachments", b.null())
	o.Set("SnapshotId", a.Get("snapshot_id"))
	var snaps []*fastjson.Value
	for _, sn := range p.byType["aws_ebs_snapshot"] {
		for _, tg := range p.targets(sn, "volume_id", []string{"aws_ebs_volume"}, byAttr("id")) {
			if tg == t {
				snaps = append(snaps, p.snapshotObject(sn, t))
			}
		}
	}
	if snaps == nil {
		o.Set("Snapshots", b.null())
	} else {
		o.Set("Snapshots", b.list(snaps))
	}
	return p.s.done(h, o)
}

// snapshotObject is an EBS snapshot in the API's shape; vol is its volume
// in the plan, when known, whose encryption it inherits.
func (p *tfPlan) snapshotObject(sn, vol *tfRes) *fastjson.Value {
	b := p.s.b
	a := sn.after
	x := b.object()
	x.Set("SnapshotId", a.Get("id"))
	x.Set("VolumeId", a.Get("volume_id"))
	x.Set("State", b.str("completed"))
	enc := b.optBool(a, "encrypted")
	if isNull(enc) && vol != nil {
		enc = b.tfBool(vol.after, "encrypted", false)
	}
	x.Set("Encrypted", enc)
	x.Set("KmsKeyId", a.Get("kms_key_id"))
	x.Set("OwnerId", a.Get("owner_id"))
	var perms []*fastjson.Value
	for _, pr := range p.subs(sn, "aws_snapshot_create_volume_permission", "snapshot_id", byAttr("id")) {
		y := b.object()
		acct := str(pr.after, "account_id")
		if acct == "all" {
			y.Set("Group", b.str("all"))
		} else {
			y.Set("UserId", b.str(acct))
		}
		perms = append(perms, y)
	}
	x.Set("CreateVolumePermissions", b.list(perms))
	return x
}

func (p *tfPlan) ebsSnapshot(t *tfRes) error {
	a := t.after
	var vol *tfRes
	if vs := p.targets(t, "volume_id", []string{"aws_ebs_volume"}, byAttr("id")); len(vs) > 0 {
		vol = vs[0]
		if t.region == "" {
			t.region = vol.region
		}
	}
	h := p.header(t, "AWS.EC2.Snapshot", tagOf(a, "Name"), str(a, "arn"))
	o := p.s.start(h)
	copyFields(o, p.snapshotObject(t, vol))
	return p.s.done(h, o)
}

func (p *tfPlan) vpc(t *tfRes) error {
	b := p.s.b
	a := t.after
	h := p.header(t, "AWS.EC2.VPC", tagOf(a, "Name"), str(a, "arn"))
	o := p.s.start(h)
	o.Set("VpcId", a.Get("id"))
	o.Set("CidrBlock", a.Get("cidr_block"))
	o.Set("IsDefault", b.boolean(t.typ == "aws_default_vpc"))
	o.Set("State", b.null())
	o.Set("OwnerId", a.Get("owner_id"))
	var fls []*fastjson.Value
	for _, fl := range p.subs(t, "aws_flow_log", "vpc_id", byAttr("id")) {
		x := b.object()
		x.Set("FlowLogId", fl.after.Get("id"))
		x.Set("FlowLogStatus", b.str("ACTIVE"))
		x.Set("TrafficType", fl.after.Get("traffic_type"))
		x.Set("LogDestinationType", b.str(firstNonEmpty(str(fl.after, "log_destination_type"), "cloud-watch-logs")))
		x.Set("LogDestination", fl.after.Get("log_destination"))
		x.Set("ResourceId", a.Get("id"))
		fls = append(fls, x)
	}
	if fls == nil {
		o.Set("FlowLogs", b.null())
	} else {
		o.Set("FlowLogs", b.list(fls))
	}
	return p.s.done(h, o)
}

// --- KMS, CloudTrail ---------------------------------------------------

func (p *tfPlan) kmsKey(t *tfRes) error {
	b := p.s.b
	a := t.after
	h := p.header(t, "AWS.KMS.Key", "", str(a, "arn"))
	h.AWSID = str(a, "key_id")
	o := p.s.start(h)
	o.Set("KeyId", a.Get("key_id"))
	o.Set("KeyManager", b.str("CUSTOMER"))
	o.Set("KeyState", b.str("Enabled"))
	o.Set("KeySpec", b.str(firstNonEmpty(str(a, "customer_master_key_spec"), str(a, "key_spec"), "SYMMETRIC_DEFAULT")))
	o.Set("KeyUsage", b.str(firstNonEmpty(str(a, "key_usage"), "ENCRYPT_DECRYPT")))
	o.Set("Origin", b.str("AWS_KMS"))
	o.Set("Enabled", b.tfBool(a, "is_enabled", true))
	o.Set("KeyRotationEnabled", b.tfBool(a, "enable_key_rotation", false))
	o.Set("Description", a.Get("description"))
	o.Set("Policy", b.document(a.Get("policy")))
	return p.s.done(h, o)
}

func (p *tfPlan) cloudTrail(t *tfRes) error {
	b := p.s.b
	a := t.after
	name := str(a, "name")
	h := p.header(t, "AWS.CloudTrail", name, str(a, "arn"))
	o := p.s.start(h)
	o.Set("TrailARN", a.Get("arn"))
	o.Set("IsMultiRegionTrail", b.tfBool(a, "is_multi_region_trail", false))
	o.Set("IncludeGlobalServiceEvents", b.tfBool(a, "include_global_service_events", true))
	o.Set("LogFileValidationEnabled", b.tfBool(a, "enable_log_file_validation", false))
	o.Set("KmsKeyId", p.known(t, "kms_key_id"))
	o.Set("S3BucketName", a.Get("s3_bucket_name"))
	o.Set("HomeRegion", b.str(t.region))
	o.Set("IsOrganizationTrail", b.tfBool(a, "is_organization_trail", false))
	o.Set("CloudWatchLogsLogGroupArn", b.str(str(a, "cloud_watch_logs_group_arn")))
	st := b.object()
	st.Set("IsLogging", b.tfBool(a, "enable_logging", true))
	o.Set("Status", st)
	return p.s.done(h, o)
}

// --- RDS ---------------------------------------------------------------

func (p *tfPlan) dbInstance(t *tfRes) error {
	b := p.s.b
	a := t.after
	id := str(a, "identifier")
	h := p.header(t, "AWS.RDS.Instance", id, str(a, "arn"))
	o := p.s.start(h)
	o.Set("DBInstanceIdentifier", b.str(id))
	o.Set("Engine", a.Get("engine"))
	o.Set("StorageEncrypted", b.tfBool(a, "storage_encrypted", false))
	o.Set("KmsKeyId", p.known(t, "kms_key_id"))
	o.Set("PubliclyAccessible", b.tfBool(a, "publicly_accessible", false))
	o.Set("AutoMinorVersionUpgrade", b.tfBool(a, "auto_minor_version_upgrade", true))
	o.Set("BackupRetentionPeriod", b.optNumber(a, "backup_retention_period"))
	o.Set("MultiAZ", b.tfBool(a, "multi_az", false))
	o.Set("DeletionProtection", b.tfBool(a, "deletion_protection", false))
	o.Set("IAMDatabaseAuthenticationEnabled", b.tfBool(a, "iam_database_authentication_enabled", false))
	var attrs []*fastjson.Value
	for _, sn := range p.byType["aws_db_snapshot"] {
		for _, tg := range p.targets(sn, "db_instance_identifier", []string{"aws_db_instance"}, byAttr("identifier")) {
			if tg == t {
				x := b.object()
				x.Set("DBSnapshotIdentifier", sn.after.Get("db_snapshot_identifier"))
				x.Set("DBSnapshotAttributes", p.restoreAttribute(sn))
				attrs = append(attrs, x)
			}
		}
	}
	if attrs == nil {
		o.Set("SnapshotAttributes", b.null())
	} else {
		o.Set("SnapshotAttributes", b.list(attrs))
	}
	return p.s.done(h, o)
}

// restoreAttribute is a snapshot's [{AttributeName: restore,
// AttributeValues: shared_accounts}].
func (p *tfPlan) restoreAttribute(sn *tfRes) *fastjson.Value {
	b := p.s.b
	x := b.object()
	x.Set("AttributeName", b.str("restore"))
	vals := strList(sn.after.Get("shared_accounts"))
	if vals == nil {
		vals = []string{}
	}
	x.Set("AttributeValues", b.strings(vals))
	return b.list([]*fastjson.Value{x})
}

func (p *tfPlan) dbSnapshot(t *tfRes) error {
	b := p.s.b
	a := t.after
	id := str(a, "db_snapshot_identifier")
	h := p.header(t, "AWS.RDS.Snapshot", id, str(a, "db_snapshot_arn"))
	o := p.s.start(h)
	o.Set("DBSnapshotIdentifier", b.str(id))
	o.Set("DBInstanceIdentifier", a.Get("db_instance_identifier"))
	enc := b.optBool(a, "encrypted")
	if isNull(enc) {
		for _, tg := range p.targets(t, "db_instance_identifier", []string{"aws_db_instance"}, byAttr("identifier")) {
			enc = b.tfBool(tg.after, "storage_encrypted", false)
		}
	}
	o.Set("Encrypted", enc)
	o.Set("KmsKeyId", a.Get("kms_key_id"))
	o.Set("SnapshotType", b.str("manual"))
	o.Set("Status", b.null())
	o.Set("DBSnapshotAttributes", p.restoreAttribute(t))
	return p.s.done(h, o)
}

// --- Lambda ------------------------------------------------------------

func (p *tfPlan) lambdaFunction(t *tfRes) error {
	b := p.s.b
	a := t.after
	name := str(a, "function_name")
	arn := str(a, "arn")
	h := p.header(t, "AWS.Lambda.Function", name, arn)
	o := p.s.start(h)
	o.Set("FunctionName", b.str(name))
	o.Set("Runtime", a.Get("runtime"))
	o.Set("Role", a.Get("role"))
	o.Set("Handler", a.Get("handler"))
	o.Set("KMSKeyArn", p.known(t, "kms_key_arn"))
	if vc := block(a, "vpc_config"); vc != nil {
		x := b.object()
		x.Set("SubnetIds", vc.Get("subnet_ids"))
		x.Set("SecurityGroupIds", vc.Get("security_group_ids"))
		o.Set("VpcConfig", x)
	} else {
		o.Set("VpcConfig", b.null())
	}
	// The resource policy the plan's aws_lambda_permission make.
	match := byAttr("function_name", "arn")
	var stmts []*fastjson.Value
	resource := firstNonEmpty(arn, "arn:aws:lambda:"+t.region+":"+h.Account+":function:"+name)
	for _, perm := range p.subs(t, "aws_lambda_permission", "function_name", match) {
		pa := perm.after
		st := b.object()
		st.Set("Sid", b.str(firstNonEmpty(str(pa, "statement_id"), perm.name)))
		st.Set("Effect", b.str("Allow"))
		principal := str(pa, "principal")
		switch {
		case principal == "*":
			st.Set("Principal", b.str("*"))
		case strings.HasSuffix(principal, ".amazonaws.com"):
			x := b.object()
			x.Set("Service", b.str(principal))
			st.Set("Principal", x)
		default:
			x := b.object()
			x.Set("AWS", b.str(principal))
			st.Set("Principal", x)
		}
		st.Set("Action", b.str(firstNonEmpty(str(pa, "action"), "lambda:InvokeFunction")))
		st.Set("Resource", b.str(resource))
		cond := b.object()
		nc := 0
		if sa := str(pa, "source_arn"); sa != "" {
			x := b.object()
			x.Set("AWS:SourceArn", b.str(sa))
			cond.Set("ArnLike", x)
			nc++
		}
		eq := b.object()
		ne := 0
		if sa := str(pa, "source_account"); sa != "" {
			eq.Set("AWS:SourceAccount", b.str(sa))
			ne++
		}
		if at := str(pa, "function_url_auth_type"); at != "" {
			eq.Set("lambda:FunctionUrlAuthType", b.str(at))
			ne++
		}
		if org := str(pa, "principal_org_id"); org != "" {
			eq.Set("aws:PrincipalOrgID", b.str(org))
			ne++
		}
		if ne > 0 {
			cond.Set("StringEquals", eq)
			nc++
		}
		if nc > 0 {
			st.Set("Condition", cond)
		}
		stmts = append(stmts, st)
	}
	if stmts == nil {
		o.Set("Policy", b.null())
	} else {
		doc := b.object()
		doc.Set("Version", b.str("2012-10-17"))
		doc.Set("Statement", b.list(stmts))
		pol := b.object()
		pol.Set("Policy", b.document(doc))
		pol.Set("RevisionId", b.null())
		o.Set("Policy", pol)
	}
	urlAuth := b.null()
	for _, u := range p.subs(t, "aws_lambda_function_url", "function_name", match) {
		urlAuth = b.str(str(u.after, "authorization_type"))
	}
	o.Set("FunctionUrlAuthType", urlAuth)
	return p.s.done(h, o)
}

// --- Load balancers ----------------------------------------------------

func (p *tfPlan) loadBalancer(t *tfRes) error {
	b := p.s.b
	a := t.after
	name := str(a, "name")
	h := p.header(t, "AWS.ELBV2.ApplicationLoadBalancer", name, str(a, "arn"))
	o := p.s.start(h)
	o.Set("LoadBalancerName", b.str(name))
	scheme := "internet-facing"
	if in, _ := boolOf(a.Get("internal")); in {
		scheme = "internal"
	}
	o.Set("Scheme", b.str(scheme))
	o.Set("Type", b.str(firstNonEmpty(str(a, "load_balancer_type"), "application")))
	o.Set("DNSName", a.Get("dns_name"))
	o.Set("VpcId", a.Get("vpc_id"))
	o.Set("SecurityGroups", b.strings(strList(a.Get("security_groups"))))
	attrs := b.object()
	boolAttr := func(name, key string, def bool) {
		v := def
		if x, ok := boolOf(a.Get(key)); ok {
			v = x
		}
		attrs.Set(name, b.str(strconv.FormatBool(v)))
	}
	boolAttr("routing.http.drop_invalid_header_fields.enabled", "drop_invalid_header_fields", false)
	boolAttr("deletion_protection.enabled", "enable_deletion_protection", false)
	al := block(a, "access_logs")
	en, _ := boolOf(get(al, "enabled"))
	attrs.Set("access_logs.s3.enabled", b.str(strconv.FormatBool(en && str(al, "bucket") != "")))
	o.Set("Attributes", attrs)
	return p.s.done(h, o)
}

func (p *tfPlan) classicLoadBalancer(t *tfRes) error {
	b := p.s.b
	a := t.after
	name := str(a, "name")
	h := p.header(t, "AWS.ELB.LoadBalancer", name, str(a, "arn"))
	o := p.s.start(h)
	o.Set("LoadBalancerName", b.str(name))
	scheme := "internet-facing"
	if in, _ := boolOf(a.Get("internal")); in {
		scheme = "internal"
	}
	o.Set("Scheme", b.str(scheme))
	o.Set("DNSName", a.Get("dns_name"))
	var lds []*fastjson.Value
	for _, l := range arrayOf(a.Get("listener")) {
		x := b.object()
		x.Set("Protocol", b.str(strings.ToUpper(str(l, "lb_protocol"))))
		x.Set("LoadBalancerPort", l.Get("lb_port"))
		x.Set("InstanceProtocol", b.str(strings.ToUpper(str(l, "instance_protocol"))))
		x.Set("InstancePort", l.Get("instance_port"))
		x.Set("SSLCertificateId", b.str(str(l, "ssl_certificate_id")))
		ld := b.object()
		ld.Set("Listener", x)
		lds = append(lds, ld)
	}
	o.Set("ListenerDescriptions", b.list(lds))
	return p.s.done(h, o)
}

// --- GuardDuty, Config -------------------------------------------------

func (p *tfPlan) guardDuty(t *tfRes) error {
	b := p.s.b
	h := p.header(t, "AWS.GuardDuty.Detector", "", str(t.after, "arn"))
	o := p.s.start(h)
	status := "ENABLED"
	if en, ok := boolOf(t.after.Get("enable")); ok && !en {
		status = "DISABLED"
	}
	o.Set("Status", b.str(status))
	o.Set("FindingPublishingFrequency", t.after.Get("finding_publishing_frequency"))
	return p.s.done(h, o)
}

func (p *tfPlan) configRecorder(t *tfRes) error {
	b := p.s.b
	a := t.after
	name := str(a, "name")
	h := p.header(t, "AWS.Config.Recorder", name, "")
	o := p.s.start(h)
	rg := block(a, "recording_group")
	g := b.object()
	g.Set("AllSupported", b.tfBool(rg, "all_supported", true))
	g.Set("IncludeGlobalResourceTypes", b.tfBool(rg, "include_global_resource_types", false))
	g.Set("ResourceTypes", b.strings(strList(get(rg, "resource_types"))))
	o.Set("RecordingGroup", g)
	o.Set("RoleARN", a.Get("role_arn"))
	// A recorder Terraform creates does not record until its
	// aws_config_configuration_recorder_status says so.
	st := b.object()
	st.Set("Name", b.str(name))
	st.Set("Recording", b.boolean(false))
	for _, s := range p.subs(t, "aws_config_configuration_recorder_status", "name", byAttr("name")) {
		x := b.object()
		x.Set("Name", b.str(name))
		x.Set("Recording", b.tfBool(s.after, "is_enabled", false))
		st = x
	}
	o.Set("Status", st)
	return p.s.done(h, o)
}
