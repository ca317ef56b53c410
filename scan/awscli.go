package scan

import (
	"bytes"
	"encoding/base64"
	"encoding/csv"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/valyala/fastjson"
)

// The AWS CLI's JSON output (--output json, the default), one handler per
// command, told apart by their top-level keys. The resources keep the
// API's own fields (the CLI prints them as the API names them, which is
// Panther's shape) with the header fields added.
type cliHandler struct {
	key  string // the top-level key that identifies the output
	also string // a second key that must be present too ("" for none)
	read func(s *source, v *fastjson.Value, item string) error
}

var cliHandlers = []cliHandler{
	{"ReportFormat", "Content", (*source).cliCredentialReport},
	{"SummaryMap", "", (*source).cliAccountSummary},
	{"PasswordPolicy", "", (*source).cliPasswordPolicy},
	{"UserDetailList", "", (*source).cliAuthorizationDetails},
	{"RoleDetailList", "", (*source).cliAuthorizationDetails},
	{"Reservations", "", (*source).cliInstances},
	{"SecurityGroups", "", (*source).cliSecurityGroups},
	{"NetworkAcls", "", (*source).cliNetworkACLs},
	{"Volumes", "", (*source).cliVolumes},
	{"Snapshots", "", (*source).cliSnapshots},
	{"CreateVolumePermissions", "", (*source).cliSnapshotAttribute},
	{"Vpcs", "", (*source).cliVPCs},
	{"FlowLogs", "", (*source).cliFlowLogs},
	{"KeyMetadata", "", (*source).cliKMSKey},
	{"KeyRotationEnabled", "", (*source).cliKeyRotation},
	{"trailList", "", (*source).cliTrails},
	{"DBInstances", "", (*source).cliDBInstances},
	{"DBSnapshots", "", (*source).cliDBSnapshots},
	{"DBSnapshotAttributesResult", "", (*source).cliDBSnapshotAttributes},
	{"Functions", "", (*source).cliFunctions},
	{"RevisionId", "Policy", (*source).cliLambdaPolicy},
	{"LoadBalancers", "", (*source).cliLoadBalancers},
	{"LoadBalancerDescriptions", "", (*source).cliClassicLoadBalancers},
	{"DetectorIds", "", (*source).cliDetectors},
	{"ConfigurationRecorders", "", (*source).cliRecorders},
	{"ConfigurationRecordersStatus", "", (*source).cliRecorderStatus},
}

func cliHandlerFor(v *fastjson.Value) *cliHandler {
	for i := range cliHandlers {
		h := &cliHandlers[i]
		if v.Exists(h.key) && (h.also == "" || v.Exists(h.also)) {
			return h
		}
	}
	return nil
}

// arnParts splits arn:partition:service:region:account:resource.
func arnParts(arn string) (service, region, account, resource string, ok bool) {
	p := strings.SplitN(arn, ":", 6)
	if len(p) < 6 || p[0] != "arn" {
		return "", "", "", "", false
	}
	return p[2], p[3], p[4], p[5], true
}

func arnAccount(arn string) string {
	_, _, a, _, _ := arnParts(arn)
	return a
}

func arnRegion(arn string) string {
	_, r, _, _, _ := arnParts(arn)
	return r
}

// azRegion turns an availability zone (us-east-1a) into its region.
func azRegion(az string) string {
	if n := len(az); n > 1 && az[n-1] >= 'a' && az[n-1] <= 'z' && az[n-2] >= '0' && az[n-2] <= '9' {
		return az[:n-1]
	}
	return ""
}

// account picks the first non-empty of the given accounts, else the
// default account.
func (s *source) account(candidates ...string) string {
	for _, c := range candidates {
		if c != "" {
			return c
		}
	}
	return s.r.defaultAccount()
}

func (s *source) region(candidates ...string) string {
	for _, c := range candidates {
		if c != "" {
			return c
		}
	}
	return s.r.opts.Region
}

func (s *source) itemFail(item string, err error) {
	s.r.fail(&ItemError{File: s.name, Item: item, Err: err})
}

func sub(item, key string, i int) string {
	return prefix(item) + key + "[" + strconv.Itoa(i) + "]"
}

// copyFields copies v's fields into o, but for the ones listed.
func copyFields(o, v *fastjson.Value, skip ...string) {
	obj, err := v.Object()
	if err != nil {
		return
	}
	obj.Visit(func(k []byte, x *fastjson.Value) {
		key := string(k)
		for _, s := range skip {
			if s == key {
				return
			}
		}
		o.Set(key, x)
	})
}

// ec2ARN builds an EC2 resource's ARN (the API does not return them).
func ec2ARN(region, account, kind, id string) string {
	if region == "" || account == "" || id == "" {
		return ""
	}
	return "arn:aws:ec2:" + region + ":" + account + ":" + kind + "/" + id
}

// resourceID is the ARN when there is one, else what the caller gives.
func resourceID(arn, fallback string) string {
	if arn != "" {
		return arn
	}
	return fallback
}

// --- IAM ---------------------------------------------------------------

var credColumns = []struct{ csv, field, kind string }{
	{"user", "UserName", "s"}, {"arn", "ARN", "s"}, {"user_creation_time", "UserCreationTime", "t"},
	{"password_enabled", "PasswordEnabled", "b"}, {"password_last_used", "PasswordLastUsed", "t"},
	{"password_last_changed", "PasswordLastChanged", "t"}, {"password_next_rotation", "PasswordNextRotation", "t"},
	{"mfa_active", "MfaActive", "b"},
	{"access_key_1_active", "AccessKey1Active", "b"}, {"access_key_1_last_rotated", "AccessKey1LastRotated", "t"},
	{"access_key_1_last_used_date", "AccessKey1LastUsedDate", "t"}, {"access_key_1_last_used_region", "AccessKey1LastUsedRegion", "s"},
	{"access_key_1_last_used_service", "AccessKey1LastUsedService", "s"},
	{"access_key_2_active", "AccessKey2Active", "b"}, {"access_key_2_last_rotated", "AccessKey2LastRotated", "t"},
	{"access_key_2_last_used_date", "AccessKey2LastUsedDate", "t"}, {"access_key_2_last_used_region", "AccessKey2LastUsedRegion", "s"},
	{"access_key_2_last_used_service", "AccessKey2LastUsedService", "s"},
	{"cert_1_active", "Cert1Active", "b"}, {"cert_1_last_rotated", "Cert1LastRotated", "t"},
	{"cert_2_active", "Cert2Active", "b"}, {"cert_2_last_rotated", "Cert2LastRotated", "t"},
}

// zeroTime is how Panther writes the credential report's N/A dates.
const zeroTime = "0001-01-01T00:00:00Z"

func (s *source) cliCredentialReport(v *fastjson.Value, item string) error {
	content := str(v, "Content")
	raw, err := base64.StdEncoding.DecodeString(content)
	if err != nil {
		raw = []byte(content) // --output text already decoded, or a CSV in JSON
	}
	s.readCredentialCSV(raw, item)
	return nil
}

// readCredentialCSV indexes the rows of a credential report.
func (s *source) readCredentialCSV(raw []byte, item string) {
	rd := csv.NewReader(bytes.NewReader(raw))
	rd.FieldsPerRecord = -1
	rows, err := rd.ReadAll()
	if err != nil {
		s.itemFail(prefix(item)+"credential report", fmt.Errorf("not CSV: %v", err))
		return
	}
	if len(rows) == 0 || len(rows[0]) < 2 || rows[0][0] != "user" || rows[0][1] != "arn" {
		s.itemFail(prefix(item)+"credential report", errors.New("the report does not start with the header user,arn,..."))
		return
	}
	head := rows[0]
	for n, row := range rows[1:] {
		f := map[string]string{}
		for i, h := range head {
			if i < len(row) {
				f[h] = row[i]
			}
		}
		arn := f["arn"]
		it := prefix(item) + "credential report line " + strconv.Itoa(n+2)
		if arn == "" {
			s.itemFail(it, errors.New("row without an arn"))
			continue
		}
		acct := arnAccount(arn)
		s.r.meta.noteAccount(acct)
		row := &credRow{fields: f, source: s.name, item: it, account: acct}
		if f["user"] == "<root_account>" {
			s.r.idx.roots = append(s.r.idx.roots, row)
			continue
		}
		if _, dup := s.r.idx.cred[arn]; !dup {
			s.r.idx.credOrder = append(s.r.idx.credOrder, arn)
		}
		s.r.idx.cred[arn] = row
	}
}

// credentialReport builds a row as Panther's CredentialReport object:
// booleans, RFC 3339 times, and 0001-01-01T00:00:00Z for N/A dates.
func (b *builder) credentialReport(row *credRow) *fastjson.Value {
	o := b.object()
	for _, c := range credColumns {
		val := row.fields[c.csv]
		switch c.kind {
		case "b":
			o.Set(c.field, b.boolean(val == "true"))
		case "t":
			t := b.a.NewString(zeroTime)
			if tt := parseTime(b.a.NewString(val)); !tt.IsZero() {
				t = b.timeValue(tt)
			}
			o.Set(c.field, t)
		default:
			o.Set(c.field, b.strOrEmpty(val))
		}
	}
	return o
}

func (s *source) cliAccountSummary(v *fastjson.Value, item string) error {
	acct := s.r.opts.Account // else resolved when the root user is emitted
	s.r.idx.summaries[acct] = clone(v.Get("SummaryMap"))
	return nil
}

// emitRoots makes AWS.IAM.RootUser resources from the credential reports'
// root rows and the account summaries.
func (idx *index) emitRoots(s *source, final bool) error {
	if pending, ok := idx.summaries[""]; ok && (final || s.r.defaultAccount() != "") {
		delete(idx.summaries, "")
		if acct := s.r.defaultAccount(); acct != "" {
			if _, dup := idx.summaries[acct]; !dup {
				idx.summaries[acct] = pending
			}
		} else {
			s.r.fail(&InputError{File: "get-account-summary output", Err: errors.New("it does not name its account, and the other inputs name none or several: pass --account")})
		}
	}
	done := map[string]bool{}
	emit := func(acct string, row *credRow, src, item string) error {
		done[acct] = true
		b := s.b
		arn := "arn:aws:iam::" + acct + ":root"
		h := &hdr{Type: "AWS.IAM.RootUser", ID: arn, Account: acct, Region: GlobalRegion, ARN: arn, Name: "<root_account>", Item: item}
		s.name = src
		if row != nil {
			h.Created = parseTime(b.a.NewString(row.fields["user_creation_time"]))
		}
		o := s.start(h)
		if row != nil {
			o.Set("CredentialReport", b.credentialReport(row))
		} else {
			o.Set("CredentialReport", b.null())
		}
		o.Set("AccountSummary", s.parsed(idx.summaries[acct]))
		o.Set("VirtualMFA", b.null())
		return s.done(h, o)
	}
	for _, row := range idx.roots {
		if done[row.account] {
			continue
		}
		if err := emit(row.account, row, row.source, row.item); err != nil {
			return err
		}
	}
	for _, acct := range sortedKeys(boolSet(idx.summaries)) {
		if done[acct] || acct == "" {
			continue
		}
		if err := emit(acct, nil, "get-account-summary output", "SummaryMap"); err != nil {
			return err
		}
	}
	idx.roots = nil
	for acct := range idx.summaries {
		if acct != "" {
			delete(idx.summaries, acct)
		}
	}
	return nil
}

func boolSet[V any](m map[string]V) map[string]bool {
	out := make(map[string]bool, len(m))
	for k := range m {
		out[k] = true
	}
	return out
}

func (s *source) cliPasswordPolicy(v *fastjson.Value, item string) error {
	s.r.idx.pending = append(s.r.idx.pending, pendingResource{kind: "password-policy", json: clone(v.Get("PasswordPolicy")),
		source: s.name, item: prefix(item) + "PasswordPolicy", acct: s.r.opts.Account})
	return nil
}

func (s *source) emitPending(p pendingResource) error {
	switch p.kind {
	case "password-policy":
		acct := p.acct
		if acct == "" {
			acct = s.r.defaultAccount()
		}
		if acct == "" {
			s.itemFail(p.item, errors.New("the password policy does not name its account, and the other inputs name none or several: pass --account"))
			return nil
		}
		return s.passwordPolicy(acct, s.parsed(p.json), p.item, true)
	case "detectors":
		acct := p.acct
		if acct == "" {
			acct = s.r.defaultAccount()
		}
		if acct == "" {
			s.itemFail(p.item, errors.New("list-detectors output does not name its account, and the other inputs name none or several: pass --account"))
			return nil
		}
		var ids []string
		for _, x := range arrayOf(s.parsed(p.json)) {
			ids = append(ids, stringOf(x))
		}
		s.r.meta.sawDetectors(acct, p.region, ids)
	}
	return nil
}

// passwordPolicy emits AWS.PasswordPolicy: the API's fields, AnyExist.
func (s *source) passwordPolicy(acct string, pol *fastjson.Value, item string, exists bool) error {
	const t = "AWS.PasswordPolicy"
	h := &hdr{Type: t, ID: SingletonID(acct, "", t), Account: acct, Region: GlobalRegion, Name: t, Item: item}
	o := s.start(h)
	o.Set("AnyExist", s.b.boolean(exists))
	for _, f := range []string{"MinimumPasswordLength", "RequireSymbols", "RequireNumbers", "RequireUppercaseCharacters",
		"RequireLowercaseCharacters", "AllowUsersToChangePassword", "ExpirePasswords", "MaxPasswordAge",
		"PasswordReusePrevention", "HardExpiry"} {
		o.Set(f, get(pol, f))
	}
	return s.done(h, o)
}

// iamPolicies reads [{PolicyName, PolicyDocument}] into Panther's
// InlinePolicies map (name -> document as a JSON string); null for none.
func (b *builder) iamInline(list *fastjson.Value, nameKey, docKey string) *fastjson.Value {
	items := arrayOf(list)
	if len(items) == 0 {
		return b.null()
	}
	o := b.object()
	for _, it := range items {
		name := str(it, nameKey)
		if name == "" {
			continue
		}
		o.Set(name, b.document(get(it, docKey)))
	}
	return o
}

// iamManaged reads [{PolicyName, PolicyArn}] into the names and ARNs
// lists (null for none).
func (b *builder) iamManaged(list *fastjson.Value, nameKey, arnKey string) (names, arns *fastjson.Value) {
	items := arrayOf(list)
	if len(items) == 0 {
		return b.null(), b.null()
	}
	var n, a []string
	for _, it := range items {
		n = append(n, str(it, nameKey))
		a = append(a, str(it, arnKey))
	}
	return b.strings(n), b.strings(a)
}

type policyEntities struct{ users, groups, roles []*fastjson.Value }

func (s *source) cliAuthorizationDetails(v *fastjson.Value, item string) error {
	b := s.b
	// Who each managed policy is attached to, for AWS.IAM.Policy.Entities.
	ents := map[string]*policyEntities{}
	collect := func(list, kind string) {
		for _, it := range arrayOf(v.Get(list)) {
			for _, p := range arrayOf(it.Get("AttachedManagedPolicies")) {
				arn := str(p, "PolicyArn")
				e := ents[arn]
				if e == nil {
					e = &policyEntities{}
					ents[arn] = e
				}
				o := b.object()
				switch kind {
				case "user":
					o.Set("UserName", it.Get("UserName"))
					o.Set("UserId", it.Get("UserId"))
					e.users = append(e.users, o)
				case "group":
					o.Set("GroupName", it.Get("GroupName"))
					o.Set("GroupId", it.Get("GroupId"))
					e.groups = append(e.groups, o)
				case "role":
					o.Set("RoleName", it.Get("RoleName"))
					o.Set("RoleId", it.Get("RoleId"))
					e.roles = append(e.roles, o)
				}
			}
		}
	}
	collect("UserDetailList", "user")
	collect("GroupDetailList", "group")
	collect("RoleDetailList", "role")

	for i, u := range arrayOf(v.Get("UserDetailList")) {
		arn := str(u, "Arn")
		h := &hdr{Type: "AWS.IAM.User", ID: arn, Account: s.account(arnAccount(arn)), Region: GlobalRegion, ARN: arn,
			AWSID: str(u, "UserId"), Name: str(u, "UserName"), Tags: b.tags(u.Get("Tags")), Created: parseTime(u.Get("CreateDate")),
			Item: sub(item, "UserDetailList", i)}
		o := s.start(h)
		o.Set("UserName", u.Get("UserName"))
		o.Set("UserId", u.Get("UserId"))
		o.Set("Path", u.Get("Path"))
		o.Set("CreateDate", u.Get("CreateDate"))
		o.Set("PasswordLastUsed", u.Get("PasswordLastUsed"))
		var groups []*fastjson.Value
		for _, g := range arrayOf(u.Get("GroupList")) {
			gobj := b.object()
			gobj.Set("GroupName", g)
			groups = append(groups, gobj)
		}
		if groups == nil {
			o.Set("Groups", b.null())
		} else {
			o.Set("Groups", b.list(groups))
		}
		o.Set("InlinePolicies", b.iamInline(u.Get("UserPolicyList"), "PolicyName", "PolicyDocument"))
		names, arns := b.iamManaged(u.Get("AttachedManagedPolicies"), "PolicyName", "PolicyArn")
		o.Set("ManagedPolicyNames", names)
		o.Set("ManagedPolicyARNs", arns)
		o.Set("PermissionsBoundary", u.Get("PermissionsBoundary"))
		s.userCredentials(o, arn)
		if err := s.done(h, o); err != nil {
			return err
		}
	}
	for i, g := range arrayOf(v.Get("GroupDetailList")) {
		arn := str(g, "Arn")
		h := &hdr{Type: "AWS.IAM.Group", ID: arn, Account: s.account(arnAccount(arn)), Region: GlobalRegion, ARN: arn,
			AWSID: str(g, "GroupId"), Name: str(g, "GroupName"), Created: parseTime(g.Get("CreateDate")), Item: sub(item, "GroupDetailList", i)}
		o := s.start(h)
		o.Set("GroupName", g.Get("GroupName"))
		o.Set("Path", g.Get("Path"))
		o.Set("InlinePolicies", b.iamInline(g.Get("GroupPolicyList"), "PolicyName", "PolicyDocument"))
		_, arns := b.iamManaged(g.Get("AttachedManagedPolicies"), "PolicyName", "PolicyArn")
		o.Set("ManagedPolicyARNs", arns)
		if err := s.done(h, o); err != nil {
			return err
		}
	}
	for i, r := range arrayOf(v.Get("RoleDetailList")) {
		arn := str(r, "Arn")
		h := &hdr{Type: "AWS.IAM.Role", ID: arn, Account: s.account(arnAccount(arn)), Region: GlobalRegion, ARN: arn,
			AWSID: str(r, "RoleId"), Name: str(r, "RoleName"), Tags: b.tags(r.Get("Tags")), Created: parseTime(r.Get("CreateDate")),
			Item: sub(item, "RoleDetailList", i)}
		o := s.start(h)
		o.Set("RoleName", r.Get("RoleName"))
		o.Set("RoleId", r.Get("RoleId"))
		o.Set("Path", r.Get("Path"))
		o.Set("AssumeRolePolicyDocument", b.document(r.Get("AssumeRolePolicyDocument")))
		o.Set("Description", r.Get("Description"))
		o.Set("MaxSessionDuration", r.Get("MaxSessionDuration"))
		o.Set("PermissionsBoundary", r.Get("PermissionsBoundary"))
		o.Set("InlinePolicies", b.iamInline(r.Get("RolePolicyList"), "PolicyName", "PolicyDocument"))
		names, arns := b.iamManaged(r.Get("AttachedManagedPolicies"), "PolicyName", "PolicyArn")
		o.Set("ManagedPolicyNames", names)
		o.Set("ManagedPolicyARNs", arns)
		if err := s.done(h, o); err != nil {
			return err
		}
	}
	for i, p := range arrayOf(v.Get("Policies")) {
		arn := str(p, "Arn")
		if strings.HasPrefix(arn, "arn:aws:iam::aws:") {
			continue // AWS managed: not the account's to fix
		}
		h := &hdr{Type: "AWS.IAM.Policy", ID: arn, Account: s.account(arnAccount(arn)), Region: GlobalRegion, ARN: arn,
			AWSID: str(p, "PolicyId"), Name: str(p, "PolicyName"), Created: parseTime(p.Get("CreateDate")), Item: sub(item, "Policies", i)}
		o := s.start(h)
		var doc *fastjson.Value
		def := str(p, "DefaultVersionId")
		for _, ver := range arrayOf(p.Get("PolicyVersionList")) {
			if d, _ := boolOf(ver.Get("IsDefaultVersion")); d || str(ver, "VersionId") == def {
				doc = ver.Get("Document")
				break
			}
		}
		o.Set("PolicyDocument", b.document(doc))
		o.Set("DefaultVersionId", p.Get("DefaultVersionId"))
		o.Set("AttachmentCount", p.Get("AttachmentCount"))
		o.Set("IsAttachable", p.Get("IsAttachable"))
		o.Set("Path", p.Get("Path"))
		o.Set("Description", p.Get("Description"))
		o.Set("UpdateDate", p.Get("UpdateDate"))
		e := ents[arn]
		eo := b.object()
		if e == nil {
			e = &policyEntities{}
		}
		eo.Set("PolicyUsers", b.list(e.users))
		eo.Set("PolicyGroups", b.list(e.groups))
		eo.Set("PolicyRoles", b.list(e.roles))
		o.Set("Entities", eo)
		if err := s.done(h, o); err != nil {
			return err
		}
	}
	return nil
}

// userCredentials sets an IAM user's CredentialReport from the credential
// report read, marking the row as used.
func (s *source) userCredentials(o *fastjson.Value, arn string) {
	row := s.r.idx.cred[arn]
	if row == nil {
		o.Set("CredentialReport", s.b.null())
	} else {
		row.joined = true
		o.Set("CredentialReport", s.b.credentialReport(row))
	}
	o.Set("VirtualMFA", s.b.null())
}

// emitUnjoinedUsers makes AWS.IAM.User resources of the credential
// report's users that no other input described: the report alone is
// enough for the credential policies.
func (idx *index) emitUnjoinedUsers(s *source) error {
	for _, arn := range idx.credOrder {
		row := idx.cred[arn]
		if row.joined {
			continue
		}
		row.joined = true
		s.name, s.format = row.source, "aws-cli"
		b := s.b
		h := &hdr{Type: "AWS.IAM.User", ID: arn, Account: row.account, Region: GlobalRegion, ARN: arn, Name: row.fields["user"],
			Created: parseTime(b.a.NewString(row.fields["user_creation_time"])), Item: row.item}
		o := s.start(h)
		o.Set("UserName", b.str(row.fields["user"]))
		for _, f := range []string{"UserId", "Path", "CreateDate", "PasswordLastUsed", "Groups", "InlinePolicies", "ManagedPolicyNames", "ManagedPolicyARNs", "PermissionsBoundary"} {
			o.Set(f, b.null())
		}
		s.userCredentials(o, arn)
		if err := s.done(h, o); err != nil {
			return err
		}
		b.reset()
	}
	idx.credOrder = nil
	return nil
}

// --- EC2 ---------------------------------------------------------------

func (s *source) cliInstances(v *fastjson.Value, item string) error {
	for i, res := range arrayOf(v.Get("Reservations")) {
		owner := str(res, "OwnerId")
		for j, in := range arrayOf(res.Get("Instances")) {
			id := str(in, "InstanceId")
			region := s.region(azRegion(str(in, "Placement", "AvailabilityZone")))
			acct := s.account(owner)
			arn := ec2ARN(region, acct, "instance", id)
			h := &hdr{Type: "AWS.EC2.Instance", ID: resourceID(arn, id), Account: acct, Region: region, ARN: arn, AWSID: id,
				Name: tagValue(in.Get("Tags"), "Name"), Tags: s.b.tags(in.Get("Tags")), Created: parseTime(in.Get("LaunchTime")),
				Item: sub(item, "Reservations", i) + ".Instances[" + strconv.Itoa(j) + "]"}
			o := s.start(h)
			copyFields(o, in, "Tags")
			if err := s.done(h, o); err != nil {
				return err
			}
		}
	}
	return nil
}

func tagValue(tags *fastjson.Value, key string) string {
	for _, t := range arrayOf(tags) {
		if firstStr(t, "Key", "key") == key {
			return firstStr(t, "Value", "value")
		}
	}
	return ""
}

// cliList emits one resource per element of a list output.
func (s *source) cliList(v *fastjson.Value, item, list, typ string, mk func(el *fastjson.Value, it string) (*hdr, []string)) error {
	for i, el := range arrayOf(v.Get(list)) {
		h, skip := mk(el, sub(item, list, i))
		h.Type = typ
		o := s.start(h)
		copyFields(o, el, append(skip, "Tags")...)
		if err := s.extra(typ, o, el); err != nil {
			return err
		}
		if err := s.done(h, o); err != nil {
			return err
		}
	}
	return nil
}

// extra adds what completing inputs know about a CLI resource.
func (s *source) extra(typ string, o, el *fastjson.Value) error {
	switch typ {
	case "AWS.EC2.VPC":
		o.Set("FlowLogs", s.flowLogsOf(str(el, "VpcId"), nil))
	case "AWS.EC2.Volume":
		o.Set("Snapshots", s.snapshotsOf(str(el, "VolumeId")))
	case "AWS.RDS.Instance":
		o.Set("SnapshotAttributes", s.dbSnapshotAttributesOf(str(el, "DBInstanceIdentifier")))
	case "AWS.Lambda.Function":
		o.Set("Policy", s.lambdaPolicyOf(str(el, "FunctionArn")))
	case "AWS.KMS.Key":
		if rot, ok := s.r.idx.rotation[str(el, "KeyId")]; ok {
			o.Set("KeyRotationEnabled", s.b.boolean(rot))
		} else {
			o.Set("KeyRotationEnabled", s.b.null())
		}
		if isNull(o.Get("Policy")) {
			o.Set("Policy", s.b.null())
		}
	}
	return nil
}

func (s *source) cliSecurityGroups(v *fastjson.Value, item string) error {
	return s.cliList(v, item, "SecurityGroups", "AWS.EC2.SecurityGroup", func(el *fastjson.Value, it string) (*hdr, []string) {
		id, acct := str(el, "GroupId"), s.account(str(el, "OwnerId"))
		region := s.region(arnRegion(str(el, "SecurityGroupArn")))
		arn := resourceID(str(el, "SecurityGroupArn"), ec2ARN(region, acct, "security-group", id))
		return &hdr{ID: resourceID(arn, id), Account: acct, Region: region, ARN: arn, AWSID: id, Name: str(el, "GroupName"),
			Tags: s.b.tags(el.Get("Tags")), Item: it}, nil
	})
}

func (s *source) cliNetworkACLs(v *fastjson.Value, item string) error {
	return s.cliList(v, item, "NetworkAcls", "AWS.EC2.NetworkACL", func(el *fastjson.Value, it string) (*hdr, []string) {
		id, acct := str(el, "NetworkAclId"), s.account(str(el, "OwnerId"))
		region := s.region()
		arn := ec2ARN(region, acct, "network-acl", id)
		return &hdr{ID: resourceID(arn, id), Account: acct, Region: region, ARN: arn, AWSID: id, Name: tagValue(el.Get("Tags"), "Name"),
			Tags: s.b.tags(el.Get("Tags")), Item: it}, nil
	})
}

func (s *source) cliVolumes(v *fastjson.Value, item string) error {
	return s.cliList(v, item, "Volumes", "AWS.EC2.Volume", func(el *fastjson.Value, it string) (*hdr, []string) {
		id := str(el, "VolumeId")
		region := s.region(azRegion(str(el, "AvailabilityZone")))
		acct := s.account(arnAccount(str(el, "KmsKeyId")))
		arn := ec2ARN(region, acct, "volume", id)
		return &hdr{ID: resourceID(arn, id), Account: acct, Region: region, ARN: arn, AWSID: id, Name: tagValue(el.Get("Tags"), "Name"),
			Tags: s.b.tags(el.Get("Tags")), Created: parseTime(el.Get("CreateTime")), Item: it}, nil
	})
}

func (s *source) cliVPCs(v *fastjson.Value, item string) error {
	return s.cliList(v, item, "Vpcs", "AWS.EC2.VPC", func(el *fastjson.Value, it string) (*hdr, []string) {
		id, acct := str(el, "VpcId"), s.account(str(el, "OwnerId"))
		region := s.region()
		arn := ec2ARN(region, acct, "vpc", id)
		return &hdr{ID: resourceID(arn, id), Account: acct, Region: region, ARN: arn, AWSID: id, Name: tagValue(el.Get("Tags"), "Name"),
			Tags: s.b.tags(el.Get("Tags")), Item: it}, nil
	})
}

func (s *source) cliFlowLogs(v *fastjson.Value, item string) error {
	for i, fl := range arrayOf(v.Get("FlowLogs")) {
		res := str(fl, "ResourceId")
		if res == "" {
			s.itemFail(sub(item, "FlowLogs", i), errors.New("flow log without a ResourceId"))
			continue
		}
		s.r.idx.flowLogs[res] = append(s.r.idx.flowLogs[res], clone(fl))
	}
	return nil
}

// flowLogsOf is a VPC's FlowLogs: the completing inputs' and those of the
// same file (local), in the API's shape; null when there is none.
func (s *source) flowLogsOf(vpc string, local []*fastjson.Value) *fastjson.Value {
	var out []*fastjson.Value
	out = append(out, local...)
	for _, js := range s.r.idx.flowLogs[vpc] {
		if v := s.parsed(js); v != nil {
			out = append(out, v)
		}
	}
	if s.local != nil {
		for _, js := range s.local.flowLogs[vpc] {
			if v := s.parsed(js); v != nil {
				out = append(out, v)
			}
		}
	}
	if out == nil {
		return s.b.null()
	}
	return s.b.list(out)
}

func (s *source) cliSnapshots(v *fastjson.Value, item string) error {
	for i, sn := range arrayOf(v.Get("Snapshots")) {
		id := str(sn, "SnapshotId")
		if id == "" {
			s.itemFail(sub(item, "Snapshots", i), errors.New("snapshot without a SnapshotId"))
			continue
		}
		idx := s.r.idx
		if _, dup := idx.ebsSnaps[id]; !dup {
			idx.ebsOrder = append(idx.ebsOrder, id)
		}
		vol := str(sn, "VolumeId")
		idx.ebsSnaps[id] = &ebsSnap{json: clone(sn), volume: vol, source: s.name, item: sub(item, "Snapshots", i), region: s.r.opts.Region}
		if vol != "" && vol != "vol-ffffffff" {
			idx.snapsByVol[vol] = append(idx.snapsByVol[vol], id)
		}
	}
	return nil
}

func (s *source) cliSnapshotAttribute(v *fastjson.Value, item string) error {
	id := str(v, "SnapshotId")
	if id == "" {
		s.itemFail(prefix(item)+"CreateVolumePermissions", errors.New("describe-snapshot-attribute output without a SnapshotId"))
		return nil
	}
	s.r.idx.snapPerms[id] = clone(v.Get("CreateVolumePermissions"))
	return nil
}

func (s *source) emitEBSSnapshot(sn *ebsSnap) error {
	v := s.parsed(sn.json)
	if v == nil {
		return nil
	}
	id := str(v, "SnapshotId")
	acct := s.account(str(v, "OwnerId"))
	region := sn.region
	arn := ec2ARN(region, acct, "snapshot", id)
	h := &hdr{Type: "AWS.EC2.Snapshot", ID: resourceID(arn, id), Account: acct, Region: region, ARN: arn, AWSID: id,
		Name: tagValue(v.Get("Tags"), "Name"), Tags: s.b.tags(v.Get("Tags")), Created: parseTime(v.Get("StartTime")), Item: sn.item}
	o := s.start(h)
	copyFields(o, v, "Tags")
	o.Set("CreateVolumePermissions", s.snapPerms(id))
	return s.done(h, o)
}

func (s *source) snapPerms(id string) *fastjson.Value {
	if js, ok := s.r.idx.snapPerms[id]; ok {
		return s.parsed(js)
	}
	return s.b.null()
}

// snapshotsOf is a volume's Snapshots (Panther's shape: the snapshot with
// its CreateVolumePermissions), null when none is known.
func (s *source) snapshotsOf(vol string) *fastjson.Value {
	ids := s.r.idx.snapsByVol[vol]
	if len(ids) == 0 {
		return s.b.null()
	}
	var out []*fastjson.Value
	for _, id := range ids {
		v := s.parsed(s.r.idx.ebsSnaps[id].json)
		if v == nil {
			continue
		}
		o := s.b.object()
		copyFields(o, v)
		o.Set("CreateVolumePermissions", s.snapPerms(id))
		out = append(out, o)
	}
	return s.b.list(out)
}

// --- KMS ---------------------------------------------------------------

func (s *source) cliKMSKey(v *fastjson.Value, item string) error {
	km := v.Get("KeyMetadata")
	arn := str(km, "Arn")
	id := str(km, "KeyId")
	h := &hdr{Type: "AWS.KMS.Key", ID: resourceID(arn, id), Account: s.account(str(km, "AWSAccountId"), arnAccount(arn)),
		Region: s.region(arnRegion(arn)), ARN: arn, AWSID: id, Created: parseTime(km.Get("CreationDate")), Item: prefix(item) + "KeyMetadata"}
	o := s.start(h)
	copyFields(o, km)
	if err := s.extra("AWS.KMS.Key", o, km); err != nil {
		return err
	}
	return s.done(h, o)
}

func (s *source) cliKeyRotation(v *fastjson.Value, item string) error {
	id := str(v, "KeyId")
	if id == "" {
		s.itemFail(prefix(item)+"KeyRotationEnabled", errors.New("get-key-rotation-status output without KeyId (AWS CLI older than 2.15 omits it): it cannot be joined to its key"))
		return nil
	}
	if _, _, _, res, ok := arnParts(id); ok {
		id = strings.TrimPrefix(res, "key/")
	}
	rot, _ := boolOf(v.Get("KeyRotationEnabled"))
	s.r.idx.rotation[id] = rot
	return nil
}

// --- CloudTrail --------------------------------------------------------

func (s *source) cliTrails(v *fastjson.Value, item string) error {
	s.r.meta.sawTrails(s.account())
	for i, t := range arrayOf(v.Get("trailList")) {
		arn := str(t, "TrailARN")
		acct := s.account(arnAccount(arn))
		s.r.meta.sawTrails(acct)
		h := &hdr{Type: "AWS.CloudTrail", ID: resourceID(arn, str(t, "Name")), Account: acct, Region: s.region(arnRegion(arn), str(t, "HomeRegion")),
			ARN: arn, Name: str(t, "Name"), Item: sub(item, "trailList", i)}
		o := s.start(h)
		copyFields(o, t)
		if isNull(o.Get("Status")) {
			o.Set("Status", s.b.null())
		}
		if err := s.done(h, o); err != nil {
			return err
		}
	}
	return nil
}

// --- RDS ---------------------------------------------------------------

func (s *source) cliDBInstances(v *fastjson.Value, item string) error {
	return s.cliList(v, item, "DBInstances", "AWS.RDS.Instance", func(el *fastjson.Value, it string) (*hdr, []string) {
		arn := str(el, "DBInstanceArn")
		return &hdr{ID: resourceID(arn, str(el, "DBInstanceIdentifier")), Account: s.account(arnAccount(arn)), Region: s.region(arnRegion(arn)),
			ARN: arn, AWSID: str(el, "DbiResourceId"), Name: str(el, "DBInstanceIdentifier"), Tags: s.b.tags(el.Get("TagList")),
			Created: parseTime(el.Get("InstanceCreateTime")), Item: it}, []string{"TagList"}
	})
}

func (s *source) cliDBSnapshots(v *fastjson.Value, item string) error {
	for i, sn := range arrayOf(v.Get("DBSnapshots")) {
		id := str(sn, "DBSnapshotIdentifier")
		if id == "" {
			s.itemFail(sub(item, "DBSnapshots", i), errors.New("snapshot without a DBSnapshotIdentifier"))
			continue
		}
		idx := s.r.idx
		if _, dup := idx.dbSnaps[id]; !dup {
			idx.dbOrder = append(idx.dbOrder, id)
		}
		inst := str(sn, "DBInstanceIdentifier")
		idx.dbSnaps[id] = &dbSnap{json: clone(sn), instance: inst, source: s.name, item: sub(item, "DBSnapshots", i)}
		if inst != "" {
			idx.dbByInstance[inst] = append(idx.dbByInstance[inst], id)
		}
	}
	return nil
}

func (s *source) cliDBSnapshotAttributes(v *fastjson.Value, item string) error {
	res := v.Get("DBSnapshotAttributesResult")
	id := str(res, "DBSnapshotIdentifier")
	if id == "" {
		s.itemFail(prefix(item)+"DBSnapshotAttributesResult", errors.New("no DBSnapshotIdentifier"))
		return nil
	}
	s.r.idx.dbSnapAttrs[id] = clone(res.Get("DBSnapshotAttributes"))
	return nil
}

func (s *source) emitDBSnapshot(sn *dbSnap) error {
	v := s.parsed(sn.json)
	if v == nil {
		return nil
	}
	arn := str(v, "DBSnapshotArn")
	id := str(v, "DBSnapshotIdentifier")
	h := &hdr{Type: "AWS.RDS.Snapshot", ID: resourceID(arn, id), Account: s.account(arnAccount(arn)), Region: s.region(arnRegion(arn)),
		ARN: arn, Name: id, Tags: s.b.tags(v.Get("TagList")), Created: parseTime(v.Get("SnapshotCreateTime")), Item: sn.item}
	o := s.start(h)
	copyFields(o, v, "TagList")
	if js, ok := s.r.idx.dbSnapAttrs[id]; ok {
		o.Set("DBSnapshotAttributes", s.parsed(js))
	} else if isNull(o.Get("DBSnapshotAttributes")) {
		o.Set("DBSnapshotAttributes", s.b.null())
	}
	return s.done(h, o)
}

// dbSnapshotAttributesOf is an instance's SnapshotAttributes in Panther's
// shape ([{DBSnapshotIdentifier, DBSnapshotAttributes}]), for the
// snapshots whose attributes are known; null when none is.
func (s *source) dbSnapshotAttributesOf(instance string) *fastjson.Value {
	var out []*fastjson.Value
	add := func(idx *index) {
		if idx == nil {
			return
		}
		for _, id := range idx.dbByInstance[instance] {
			js, ok := idx.dbSnapAttrs[id]
			if !ok {
				continue
			}
			o := s.b.object()
			o.Set("DBSnapshotIdentifier", s.b.str(id))
			o.Set("DBSnapshotAttributes", s.parsed(js))
			out = append(out, o)
		}
	}
	add(s.r.idx)
	add(s.local)
	if out == nil {
		return s.b.null()
	}
	return s.b.list(out)
}

// --- Lambda ------------------------------------------------------------

func (s *source) cliFunctions(v *fastjson.Value, item string) error {
	return s.cliList(v, item, "Functions", "AWS.Lambda.Function", func(el *fastjson.Value, it string) (*hdr, []string) {
		arn := str(el, "FunctionArn")
		return &hdr{ID: resourceID(arn, str(el, "FunctionName")), Account: s.account(arnAccount(arn)), Region: s.region(arnRegion(arn)),
			ARN: arn, Name: str(el, "FunctionName"), Item: it}, nil
	})
}

func (s *source) cliLambdaPolicy(v *fastjson.Value, item string) error {
	doc, err := s.b.parseEmbedded(str(v, "Policy"))
	if err != nil {
		s.itemFail(prefix(item)+"Policy", fmt.Errorf("the policy is not JSON: %v", err))
		return nil
	}
	// get-policy does not say which function: its statements' Resource does.
	fn := ""
	for _, st := range arrayOf(doc.Get("Statement")) {
		for _, r := range append(arrayOf(st.Get("Resource")), st.Get("Resource")) {
			if a := stringOf(r); strings.Contains(a, ":function:") {
				fn = a
				break
			}
		}
		if fn != "" {
			break
		}
	}
	if fn == "" {
		s.itemFail(prefix(item)+"Policy", errors.New("no statement names the function (Resource arn:aws:lambda:...:function:NAME), so it cannot be joined"))
		return nil
	}
	// A qualified ARN (function:NAME:alias) belongs to the function too.
	if i := strings.Index(fn, ":function:"); i >= 0 {
		rest := fn[i+len(":function:"):]
		if j := strings.IndexByte(rest, ':'); j >= 0 {
			fn = fn[:i+len(":function:")+j]
		}
	}
	o := s.b.object()
	o.Set("Policy", v.Get("Policy"))
	o.Set("RevisionId", v.Get("RevisionId"))
	s.r.idx.lambdaPolicy[fn] = clone(o)
	return nil
}

func (s *source) lambdaPolicyOf(arn string) *fastjson.Value {
	if js, ok := s.r.idx.lambdaPolicy[arn]; ok {
		return s.parsed(js)
	}
	return s.b.null()
}

// --- Load balancers ----------------------------------------------------

func (s *source) cliLoadBalancers(v *fastjson.Value, item string) error {
	return s.cliList(v, item, "LoadBalancers", "AWS.ELBV2.ApplicationLoadBalancer", func(el *fastjson.Value, it string) (*hdr, []string) {
		arn := str(el, "LoadBalancerArn")
		return &hdr{ID: resourceID(arn, str(el, "LoadBalancerName")), Account: s.account(arnAccount(arn)), Region: s.region(arnRegion(arn)),
			ARN: arn, Name: str(el, "LoadBalancerName"), Created: parseTime(el.Get("CreatedTime")), Item: it}, nil
	})
}

func (s *source) cliClassicLoadBalancers(v *fastjson.Value, item string) error {
	return s.cliList(v, item, "LoadBalancerDescriptions", "AWS.ELB.LoadBalancer", func(el *fastjson.Value, it string) (*hdr, []string) {
		name := str(el, "LoadBalancerName")
		region := s.region(azRegion(str(el, "AvailabilityZones", "0")))
		acct := s.account()
		arn := ""
		if region != "" && acct != "" {
			arn = "arn:aws:elasticloadbalancing:" + region + ":" + acct + ":loadbalancer/" + name
		}
		return &hdr{ID: resourceID(arn, name), Account: acct, Region: region, ARN: arn, Name: name,
			Created: parseTime(el.Get("CreatedTime")), Item: it}, nil
	})
}

// --- GuardDuty, Config -------------------------------------------------

func (s *source) cliDetectors(v *fastjson.Value, item string) error {
	if s.r.opts.Region == "" {
		s.itemFail(prefix(item)+"DetectorIds", errors.New("list-detectors output does not say its region: pass --region (one input per region)"))
		return nil
	}
	s.r.idx.pending = append(s.r.idx.pending, pendingResource{kind: "detectors", json: clone(v.Get("DetectorIds")),
		source: s.name, item: prefix(item) + "DetectorIds", acct: s.r.opts.Account, region: s.r.opts.Region})
	return nil
}

func (s *source) cliRecorders(v *fastjson.Value, item string) error {
	for i, rec := range arrayOf(v.Get("ConfigurationRecorders")) {
		name := firstStr(rec, "name", "Name")
		role := firstStr(rec, "roleARN", "RoleARN")
		acct := s.account(arnAccount(role))
		region := s.region()
		s.r.meta.sawRecorders(acct)
		if region == "" {
			s.itemFail(sub(item, "ConfigurationRecorders", i), errors.New("describe-configuration-recorders output does not say its region: pass --region (one input per region)"))
			continue
		}
		const t = "AWS.Config.Recorder"
		h := &hdr{Type: t, ID: SingletonID(acct, region, t), Account: acct, Region: region, Name: name, Item: sub(item, "ConfigurationRecorders", i)}
		o := s.start(h)
		o.Set("RecordingGroup", s.b.pascal(firstVal(rec, "recordingGroup", "RecordingGroup")))
		o.Set("RoleARN", s.b.str(role))
		o.Set("Status", s.recorderStatus(name, nil))
		if err := s.done(h, o); err != nil {
			return err
		}
	}
	return nil
}

func firstVal(v *fastjson.Value, keys ...string) *fastjson.Value {
	for _, k := range keys {
		if x := get(v, k); x != nil {
			return x
		}
	}
	return nil
}

func (s *source) cliRecorderStatus(v *fastjson.Value, item string) error {
	for _, st := range arrayOf(v.Get("ConfigurationRecordersStatus")) {
		s.r.idx.recStatus[firstStr(st, "name", "Name")] = clone(s.b.pascal(st))
	}
	return nil
}

// recorderStatus is a recorder's Status ({Recording, LastStatus, ...}):
// the given one, else a completing input's, else null.
func (s *source) recorderStatus(name string, own *fastjson.Value) *fastjson.Value {
	if own != nil {
		return own
	}
	if js, ok := s.r.idx.recStatus[name]; ok {
		return s.parsed(js)
	}
	return s.b.null()
}
