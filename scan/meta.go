package scan

import (
	"slices"
	"sort"

	"github.com/valyala/fastjson"
)

// metaState gathers, per account, what the *.Meta resources need: the
// regions that hold resources, the trails, detectors and recorders. A Meta
// resource is emitted only for an account whose inputs carried that kind
// of data at all (a describe-trails output, even empty, or a trail's
// Config item): "no trail" must mean no trail, not "not collected".
type metaState struct {
	accounts map[string]*accountMeta
}

type accountMeta struct {
	regions map[string]bool

	trailsSeen  bool
	trails      []string
	multiRegion []string

	detectorsSeen bool
	detectors     map[string]bool // ResourceIds of enabled detectors

	recordersSeen bool
	recorders     []string
	global        int
	recording     map[string]bool // regions
}

func newMetaState() *metaState { return &metaState{accounts: map[string]*accountMeta{}} }

func (m *metaState) account(id string) *accountMeta {
	a := m.accounts[id]
	if a == nil {
		a = &accountMeta{regions: map[string]bool{}, detectors: map[string]bool{}, recording: map[string]bool{}}
		m.accounts[id] = a
	}
	return a
}

// onlyAccount is the one account seen, or "" when none or several.
func (m *metaState) onlyAccount() string {
	if len(m.accounts) != 1 {
		return ""
	}
	for id := range m.accounts {
		return id
	}
	return ""
}

// noteAccount records an account named by an input that makes no resource
// of it yet (a credential report's root ARN), for onlyAccount.
func (m *metaState) noteAccount(id string) {
	if id != "" {
		m.account(id)
	}
}

// observe records what a resource tells the Meta types.
func (m *metaState) observe(r *Resource, o *fastjson.Value) {
	if r.Account == "" {
		return
	}
	a := m.account(r.Account)
	if r.Region != "" && r.Region != GlobalRegion {
		a.regions[r.Region] = true
	}
	switch r.Type {
	case "AWS.CloudTrail":
		a.trailsSeen = true
		a.trails = append(a.trails, r.ID)
		if v, _ := boolOf(o.Get("IsMultiRegionTrail")); v {
			a.multiRegion = append(a.multiRegion, r.ID)
		}
	case "AWS.GuardDuty.Detector":
		a.detectorsSeen = true
		if str(o, "Status") == "ENABLED" {
			a.detectors[SingletonID(r.Account, r.Region, "AWS.GuardDuty.Detector")] = true
		}
	case "AWS.Config.Recorder":
		a.recordersSeen = true
		a.recorders = append(a.recorders, r.ID)
		if v, _ := boolOf(get(o, "RecordingGroup", "IncludeGlobalResourceTypes")); v {
			a.global++
		}
		if v, _ := boolOf(get(o, "Status", "Recording")); v {
			a.recording[r.Region] = true
		}
	}
}

func (m *metaState) sawTrails(account string) {
	if account != "" {
		m.account(account).trailsSeen = true
	}
}

// sawDetectors records a list of detector ids of a region (list-detectors).
func (m *metaState) sawDetectors(account, region string, ids []string) {
	if account == "" {
		return
	}
	a := m.account(account)
	a.detectorsSeen = true
	if region != "" && len(ids) > 0 {
		a.detectors[SingletonID(account, region, "AWS.GuardDuty.Detector")] = true
	}
}

func (m *metaState) sawRecorders(account string) {
	if account != "" {
		m.account(account).recordersSeen = true
	}
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func emptyIfNil(l []string) []string {
	if l == nil {
		return []string{}
	}
	return l
}

// emit makes the Meta resources, accounts in order.
func (m *metaState) emit(s *source) error {
	ids := make([]string, 0, len(m.accounts))
	for id := range m.accounts {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	b := s.b
	for _, acct := range ids {
		a := m.accounts[acct]
		regions := b.strings(emptyIfNil(sortedKeys(a.regions)))
		if a.trailsSeen {
			const t = "AWS.CloudTrail.Meta"
			h := &hdr{Type: t, ID: SingletonID(acct, "", t), Account: acct, Region: GlobalRegion, Name: t, Item: "account " + acct}
			o := s.start(h)
			trails := slices.Clone(a.trails)
			slices.Sort(trails)
			multi := slices.Clone(a.multiRegion)
			slices.Sort(multi)
			o.Set("Trails", b.strings(emptyIfNil(trails)))
			o.Set("MultiRegionTrails", b.strings(emptyIfNil(multi)))
			o.Set("Regions", regions)
			if err := s.done(h, o); err != nil {
				return err
			}
		}
		if a.detectorsSeen {
			const t = "AWS.GuardDuty.Detector.Meta"
			h := &hdr{Type: t, ID: SingletonID(acct, "", t), Account: acct, Region: GlobalRegion, Name: t, Item: "account " + acct}
			o := s.start(h)
			o.Set("Detectors", b.strings(emptyIfNil(sortedKeys(a.detectors))))
			o.Set("Regions", regions)
			if err := s.done(h, o); err != nil {
				return err
			}
		}
		if a.recordersSeen {
			const t = "AWS.Config.Recorder.Meta"
			h := &hdr{Type: t, ID: SingletonID(acct, "", t), Account: acct, Region: GlobalRegion, Name: t, Item: "account " + acct}
			o := s.start(h)
			recs := slices.Clone(a.recorders)
			slices.Sort(recs)
			o.Set("Recorders", b.strings(emptyIfNil(recs)))
			o.Set("GlobalRecorderCount", b.number(float64(a.global)))
			o.Set("RecordingRegions", b.strings(emptyIfNil(sortedKeys(a.recording))))
			o.Set("Regions", regions)
			if err := s.done(h, o); err != nil {
				return err
			}
		}
	}
	return nil
}
