package live

import (
	"context"
	"fmt"
	"io/fs"
	"slices"
	"strconv"
	"strings"
	"time"

	"panther/engine"
	"panther/parsers"
)

// PackRef is one active pack version.
type PackRef struct {
	Pack    string `json:"pack"`
	Version int    `json:"version"`
	Digest  string `json:"digest"`
}

func (r PackRef) String() string { return r.Pack + "@" + strconv.Itoa(r.Version) }

// PackSource gives the active pack versions and their content: the pack
// store of `panther serve` (packs/server), or a folder in tests.
type PackSource interface {
	// Active lists the active versions, in any order.
	Active(ctx context.Context) ([]PackRef, error)
	// Open returns the content of a version (the unzipped pack).
	Open(ctx context.Context, ref PackRef) (fs.FS, error)
}

// loadedPack is one active pack version, loaded and compiled.
type loadedPack struct {
	ref  PackRef
	set  *engine.Set
	err  string // why it could not be loaded (then set is nil)
	dets int
}

// Generation is the detections running at one moment: the union of the
// active pack versions. It is immutable; a change of the active versions
// makes a new one.
type Generation struct {
	// N counts generations from 1.
	N       int
	Loaded  time.Time
	packs   []*loadedPack
	byType  map[string][]liveRule
	version map[string]string // rule ID -> "Pack@N" that runs it
	reg     *parsers.Registry
	// Shadowed lists detections that two active packs hold: the first
	// pack (by ID) runs it.
	Shadowed []string
	// corrs are the enabled correlation rules, per pack set; feedOnly the
	// rules that run only because a correlation names them.
	corrs    map[*engine.Set][]*engine.Detection
	feedOnly map[*engine.Detection]bool
	// fields are the alert functions a signal's match runs, for the
	// signals that need fewer than all (Fields).
	fields map[*engine.Detection]engine.AlertFields
}

// Fields says which alert functions a match of d runs in this generation
// (engine.EvalOptions.Fields): all for a rule that raises alerts; for a
// signal (CreateAlert: false, or run only because a correlation names
// it) what the sink reads of its matches — the lake's rule_matches rows
// (title, dedup, severity), a correlation of this generation that names
// it (title, dedup, alert_context), its FirstSeen (alert_context) — as
// replay decides (engine.SignalFields). The answer belongs to the
// generation: the sink feeds a job's matches to that generation's
// correlations only, so a swap that adds a correlation naming a signal
// runs its functions from the first entry the new generation evaluates.
func (g *Generation) Fields(d *engine.Detection) engine.AlertFields {
	if f, ok := g.fields[d]; ok {
		return f
	}
	return engine.AllFields
}

// liveRule is a rule of a generation with the set it runs in.
type liveRule struct {
	det *engine.Detection
	set *engine.Set
}

// PackStatus is an active version as the status endpoint shows it.
type PackStatus struct {
	PackRef
	Detections int    `json:"detections"`
	Error      string `json:"error,omitempty"`
}

// Packs describes what the generation runs.
func (g *Generation) Packs() []PackStatus {
	out := make([]PackStatus, 0, len(g.packs))
	for _, p := range g.packs {
		out = append(out, PackStatus{PackRef: p.ref, Detections: p.dets, Error: p.err})
	}
	return out
}

// Rules is the number of rules running.
func (g *Generation) Rules() int { return len(g.version) }

// VersionOf names the pack version that runs a rule ("" if none does).
func (g *Generation) VersionOf(ruleID string) string { return g.version[ruleID] }

// Registry holds the built-in log types and the custom ones of the packs.
func (g *Generation) Registry() *parsers.Registry { return g.reg }

func sameRefs(a []*loadedPack, b []PackRef) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].ref != b[i] {
			return false
		}
	}
	return true
}

// loader builds generations, reusing the packs it loaded before.
type loader struct {
	src   PackSource
	base  *parsers.Registry
	opts  engine.LoadOptions
	cache map[PackRef]*loadedPack
	n     int
	// matchRows: the matches go to the lake's rule_matches.
	matchRows bool
	// allFields runs every alert function of every match (benchmarks).
	allFields bool
}

// next returns a new generation when the active versions differ from
// cur's (nil when they do not).
func (l *loader) next(ctx context.Context, cur *Generation) (*Generation, error) {
	refs, err := l.src.Active(ctx)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(refs, func(a, b PackRef) int { return strings.Compare(a.Pack, b.Pack) })
	if cur != nil && sameRefs(cur.packs, refs) {
		return nil, nil
	}
	l.n++
	g := &Generation{N: l.n, Loaded: time.Now(), byType: map[string][]liveRule{}, version: map[string]string{},
		corrs: map[*engine.Set][]*engine.Detection{}, feedOnly: map[*engine.Detection]bool{}}
	seen := map[PackRef]bool{}
	var customs []*parsers.LogType
	for _, ref := range refs {
		seen[ref] = true
		p := l.cache[ref]
		if p == nil {
			p = l.load(ctx, ref)
			l.cache[ref] = p
		}
		g.packs = append(g.packs, p)
		if p.set == nil {
			continue
		}
		for _, c := range p.set.LogTypes {
			customs = append(customs, c.LogType)
		}
		for _, d := range p.set.Detections {
			if d.Kind == engine.TypeCorrelationRule && d.Enabled && d.Correlation != nil {
				g.corrs[p.set] = append(g.corrs[p.set], d)
				g.version[d.ID] = ref.String()
			}
			if d.Kind != engine.TypeRule || !d.Enabled {
				continue
			}
			if by, dup := g.version[d.ID]; dup {
				g.Shadowed = append(g.Shadowed, fmt.Sprintf("%s (in %s and %s: %s runs)", d.ID, by, ref, by))
				continue
			}
			g.version[d.ID] = ref.String()
			for _, lt := range d.LogTypes {
				g.byType[lt] = append(g.byType[lt], liveRule{det: d, set: p.set})
			}
		}
	}
	// The rules a correlation names run for it, alerting or not.
	for set, cs := range g.corrs {
		for _, c := range cs {
			for _, id := range c.Correlation.RuleIDs() {
				d, ok := set.Detection(id)
				if !ok || d.Kind != engine.TypeRule || d.Enabled {
					continue
				}
				g.feedOnly[d] = true
				for _, lt := range d.LogTypes {
					g.byType[lt] = append(g.byType[lt], liveRule{det: d, set: set})
				}
			}
		}
	}
	g.fields = l.signalFields(g)
	for ref := range l.cache {
		if !seen[ref] {
			delete(l.cache, ref)
		}
	}
	g.reg = l.base
	if len(customs) > 0 {
		reg := l.base.Clone()
		for _, lt := range customs {
			if _, ok := reg.Lookup(lt.Name); !ok {
				_ = reg.Add(lt)
			}
		}
		g.reg = reg
	}
	return g, nil
}

// signalFields decides Generation.Fields for the rules g runs. The
// correlations are those of every active pack: the sink offers a match to
// each of them that names its rule ID.
func (l *loader) signalFields(g *Generation) map[*engine.Detection]engine.AlertFields {
	out := map[*engine.Detection]engine.AlertFields{}
	if l.allFields {
		return out
	}
	named := map[string]bool{}
	for _, cs := range g.corrs {
		for _, c := range cs {
			for _, id := range c.Correlation.RuleIDs() {
				named[id] = true
			}
		}
	}
	for _, rules := range g.byType {
		for _, r := range rules {
			f := engine.SignalFields(r.det, engine.SignalReaders{FeedOnly: g.feedOnly[r.det], MatchRows: l.matchRows,
				Correlated: named[r.det.ID]})
			if f != engine.AllFields {
				out[r.det] = f
			}
		}
	}
	return out
}

// load compiles one pack version. A version the store accepted was
// validated and tested there; one that fails now (a newer binary that
// refuses it) is reported in the status and runs nothing.
func (l *loader) load(ctx context.Context, ref PackRef) *loadedPack {
	p := &loadedPack{ref: ref}
	fsys, err := l.src.Open(ctx, ref)
	if err != nil {
		p.err = err.Error()
		return p
	}
	opts := l.opts
	opts.Registry = l.base
	set := engine.Load([]engine.Source{{FS: fsys, Root: ".", Display: ref.String()}}, opts)
	if n := set.Diagnostics.Errors(); n > 0 {
		for _, d := range set.Diagnostics {
			if d.Level == engine.LevelError {
				p.err = fmt.Sprintf("%d validation error(s), the first: %s", n, d.String())
				break
			}
		}
		return p
	}
	p.set = set
	for _, d := range set.Detections {
		if d.Kind == engine.TypeRule && d.Enabled {
			p.dets++
		}
	}
	return p
}
