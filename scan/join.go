package scan

import (
	"bytes"
	"strings"

	"github.com/valyala/fastjson"
)

// index holds what completing inputs add to resources read later (see
// Reader): each piece is kept as JSON bytes, small next to the inputs that
// describe the resources themselves, and parsed into a resource's arena
// when that resource is built.
type index struct {
	cred      map[string]*credRow // IAM user ARN -> credential report row
	credOrder []string
	roots     []*credRow
	summaries map[string][]byte // account -> get-account-summary SummaryMap

	flowLogs     map[string][][]byte // VPC id -> FlowLogs entries (API shape)
	ebsSnaps     map[string]*ebsSnap // snapshot id
	ebsOrder     []string
	snapsByVol   map[string][]string
	snapPerms    map[string][]byte // snapshot id -> CreateVolumePermissions array
	dbSnaps      map[string]*dbSnap
	dbOrder      []string
	dbByInstance map[string][]string
	dbSnapAttrs  map[string][]byte // snapshot id -> DBSnapshotAttributes array
	recStatus    map[string][]byte // recorder name -> status (API shape)
	rotation     map[string]bool   // KMS key id -> rotation enabled
	lambdaPolicy map[string][]byte // function ARN -> {Policy, RevisionId}

	// pending are resources of completing inputs, emitted once every
	// completing input is read (endCompleting).
	pending []pendingResource
}

type credRow struct {
	fields  map[string]string
	source  string
	item    string
	account string
	joined  bool
}

type ebsSnap struct {
	json   []byte
	volume string
	source string
	item   string
	region string
}

type dbSnap struct {
	json     []byte
	instance string
	source   string
	item     string
}

type pendingResource struct {
	kind   string // "password-policy", "root"
	json   []byte
	source string
	item   string
	acct   string
	region string
}

func newIndex() *index {
	return &index{
		cred: map[string]*credRow{}, summaries: map[string][]byte{},
		flowLogs: map[string][][]byte{}, ebsSnaps: map[string]*ebsSnap{}, snapsByVol: map[string][]string{},
		snapPerms: map[string][]byte{}, dbSnaps: map[string]*dbSnap{}, dbByInstance: map[string][]string{},
		dbSnapAttrs: map[string][]byte{}, recStatus: map[string][]byte{}, rotation: map[string]bool{},
		lambdaPolicy: map[string][]byte{},
	}
}

func clone(v *fastjson.Value) []byte { return v.MarshalTo(nil) }

// completingKeys are the top-level keys of the inputs that only complete
// other resources, or that need the account other inputs name.
var completingKeys = []string{
	"ReportFormat",                 // aws iam get-credential-report
	"SummaryMap",                   // aws iam get-account-summary
	"PasswordPolicy",               // aws iam get-account-password-policy
	"FlowLogs",                     // aws ec2 describe-flow-logs
	"Snapshots",                    // aws ec2 describe-snapshots
	"CreateVolumePermissions",      // aws ec2 describe-snapshot-attribute
	"DBSnapshots",                  // aws rds describe-db-snapshots
	"DBSnapshotAttributesResult",   // aws rds describe-db-snapshot-attributes
	"ConfigurationRecordersStatus", // aws configservice describe-configuration-recorder-status
	"KeyRotationEnabled",           // aws kms get-key-rotation-status
	"RevisionId",                   // aws lambda get-policy ({"Policy": "...", "RevisionId": ...})
	"DetectorIds",                  // aws guardduty list-detectors
}

// isCompletingInput tells, from the start of an input, whether it is one
// of the completing kinds: a JSON object whose first keys (within what was
// read) include one of completingKeys, or a credential report in CSV.
func isCompletingInput(data []byte) bool {
	data = bytes.TrimLeft(data, " \t\r\n\ufeff")
	if bytes.HasPrefix(data, []byte("user,arn,")) {
		return true
	}
	for _, k := range topKeys(data) {
		for _, c := range completingKeys {
			if k == c {
				return true
			}
		}
	}
	return false
}

// topKeys lists the keys of the top-level object that start in data,
// skipping their values without parsing them (a value running past the end
// of data ends the list). For anything but an object it returns nil.
func topKeys(data []byte) []string {
	i := skipWS(data, 0)
	if i >= len(data) || data[i] != '{' {
		return nil
	}
	i++
	var keys []string
	for {
		i = skipWS(data, i)
		if i >= len(data) || data[i] != '"' {
			return keys
		}
		end := stringEnd(data, i)
		if end < 0 {
			return keys
		}
		keys = append(keys, string(data[i+1:end]))
		i = skipWS(data, end+1)
		if i >= len(data) || data[i] != ':' {
			return keys
		}
		i = skipValue(data, skipWS(data, i+1))
		if i < 0 {
			return keys
		}
		i = skipWS(data, i)
		if i >= len(data) || data[i] != ',' {
			return keys
		}
		i++
	}
}

func skipWS(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// stringEnd returns the index of the quote closing the string opening at
// i, or -1.
func stringEnd(b []byte, i int) int {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j
		}
	}
	return -1
}

// skipValue returns the index after the value starting at i, or -1 when
// it runs past the end of b.
func skipValue(b []byte, i int) int {
	if i >= len(b) {
		return -1
	}
	switch b[i] {
	case '"':
		e := stringEnd(b, i)
		if e < 0 {
			return -1
		}
		return e + 1
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				e := stringEnd(b, j)
				if e < 0 {
					return -1
				}
				j = e
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1
				}
			}
		}
		return -1
	}
	j := i
	for j < len(b) && !strings.ContainsRune(",}] \t\r\n", rune(b[j])) {
		j++
	}
	if j == len(b) {
		return -1
	}
	return j
}

// endCompleting emits the resources of completing inputs, now that all of
// them are read: root users (credential report + account summary),
// password policies, EBS and RDS snapshots with their permissions.
//
// Those that need an account no input has named yet wait for the end
// (final), when the other inputs may have named one.
func (r *Reader) endCompleting(emit Emit, final bool) error {
	idx := r.idx
	if len(idx.pending) == 0 && len(idx.roots) == 0 && len(idx.summaries) == 0 && len(idx.ebsOrder) == 0 && len(idx.dbOrder) == 0 {
		return nil
	}
	r.b.reset()
	defer r.b.reset()
	s := &source{r: r, b: &r.b, emit: emit, format: "aws-cli"}
	if err := idx.emitRoots(s, final); err != nil {
		return err
	}
	var later []pendingResource
	for _, p := range idx.pending {
		if !final && p.acct == "" && r.defaultAccount() == "" {
			later = append(later, p) // the inputs read next may name the account
			continue
		}
		s.name = p.source
		if err := s.emitPending(p); err != nil {
			return err
		}
		r.b.reset()
	}
	idx.pending = later
	for _, id := range idx.ebsOrder {
		sn := idx.ebsSnaps[id]
		s.name = sn.source
		if err := s.emitEBSSnapshot(sn); err != nil {
			return err
		}
		r.b.reset()
	}
	idx.ebsOrder = nil
	for _, id := range idx.dbOrder {
		sn := idx.dbSnaps[id]
		s.name = sn.source
		if err := s.emitDBSnapshot(sn); err != nil {
			return err
		}
		r.b.reset()
	}
	idx.dbOrder = nil
	return nil
}

// parsed parses kept JSON into the source's arena (nil when it does not
// parse, which cannot happen for what the index kept).
func (s *source) parsed(js []byte) *fastjson.Value {
	if js == nil {
		return nil
	}
	v, err := s.b.parseEmbedded(string(js))
	if err != nil {
		return nil
	}
	return v
}
