package packs

import (
	"context"
	"fmt"
	"io/fs"
	"slices"

	"panther/engine"
	"panther/tester"
)

// CheckOptions configure Check.
type CheckOptions struct {
	Load engine.LoadOptions
	// Tests are the options of the test run; Filters and Run are ignored
	// (every detection of the pack runs).
	Tests tester.Options
	// SkipTests validates only.
	SkipTests bool
	// Display is how the archive's paths are shown (Built.Root).
	Display string
}

// CheckResult is the outcome of Check.
type CheckResult struct {
	Set *engine.Set
	// Tests is nil when the tests were skipped or validation failed.
	Tests *tester.Report
	// Problems are pack-level problems: the pack spec missing from the
	// archive, detections it holds that the pack does not name, a manifest
	// that does not describe the content.
	Problems []string
}

// Failed reports whether the pack must be refused.
func (r *CheckResult) Failed() bool {
	return len(r.Problems) > 0 || r.Set.Diagnostics.Errors() > 0 || r.Tests != nil && r.Tests.Failed > 0
}

// Summary says in one line why the pack failed ("" when it did not).
func (r *CheckResult) Summary() string {
	switch {
	case len(r.Problems) > 0:
		return r.Problems[0]
	case r.Set.Diagnostics.Errors() > 0:
		return fmt.Sprintf("%d validation error(s)", r.Set.Diagnostics.Errors())
	case r.Tests != nil && r.Tests.Failed > 0:
		return fmt.Sprintf("%d of %d test(s) failed", r.Tests.Failed, r.Tests.Failed+r.Tests.Passed)
	}
	return ""
}

// Check loads a pack archive on its own — exactly as `panther validate`
// and `panther test` would load its unzipped folder — validates it, checks
// that it is the pack its manifest says, and runs every test of its
// detections. The CLI runs it on what it built before writing the zip, and
// the server runs it on every upload before storing it: one code path.
func Check(ctx context.Context, fsys fs.FS, m *Manifest, opts CheckOptions) *CheckResult {
	set := engine.Load([]engine.Source{{FS: fsys, Root: ".", Display: opts.Display}}, opts.Load)
	res := &CheckResult{Set: set}
	p, ok := set.Pack(m.Pack)
	switch {
	case !ok:
		res.Problems = append(res.Problems, fmt.Sprintf("the archive has no pack spec with PackID %s", m.Pack))
	case len(set.Packs) != 1:
		res.Problems = append(res.Problems, fmt.Sprintf("the archive holds %d pack specs; a pack archive holds its own only", len(set.Packs)))
	}
	var ids []string
	for _, d := range set.Detections {
		ids = append(ids, d.ID)
	}
	if ok {
		named := map[string]bool{}
		for _, id := range p.IDs {
			named[id] = true
		}
		for _, id := range ids {
			if !named[id] {
				res.Problems = append(res.Problems, fmt.Sprintf("detection %s is in the archive but pack %s does not name it", id, m.Pack))
			}
		}
	}
	want := slices.Clone(m.Detections)
	slices.Sort(want)
	if !slices.Equal(want, ids) {
		res.Problems = append(res.Problems, fmt.Sprintf("the manifest lists detections %v, the archive holds %v", want, ids))
	}
	if res.Failed() || opts.SkipTests {
		return res
	}
	topts := opts.Tests
	topts.Filters, topts.Run = nil, nil
	res.Tests = tester.Run(ctx, set, topts).Collect()
	return res
}

// Fingerprints maps each detection of a loaded pack to its Fingerprint.
func Fingerprints(set *engine.Set) map[string]string {
	out := make(map[string]string, len(set.Detections))
	for _, d := range set.Detections {
		out[d.ID] = Fingerprint(DetectionFiles(set, d), set.ReadFile)
	}
	return out
}

// Diff compares the detections of two versions of a pack by fingerprint.
type Diff struct {
	New       []string `json:"new"`
	Changed   []string `json:"changed"`
	Removed   []string `json:"removed"`
	Unchanged int      `json:"unchanged"`
}

// Empty reports whether nothing changed.
func (d Diff) Empty() bool { return len(d.New)+len(d.Changed)+len(d.Removed) == 0 }

// DiffFingerprints computes the diff from old to new.
func DiffFingerprints(old, new map[string]string) Diff {
	d := Diff{New: []string{}, Changed: []string{}, Removed: []string{}}
	for id, fp := range new {
		switch ofp, ok := old[id]; {
		case !ok:
			d.New = append(d.New, id)
		case ofp != fp:
			d.Changed = append(d.Changed, id)
		default:
			d.Unchanged++
		}
	}
	for id := range old {
		if _, ok := new[id]; !ok {
			d.Removed = append(d.Removed, id)
		}
	}
	slices.Sort(d.New)
	slices.Sort(d.Changed)
	slices.Sort(d.Removed)
	return d
}
