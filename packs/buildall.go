package packs

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"

	"panther/engine"
)

// Checked is a pack built and checked on its own content.
type Checked struct {
	ID    string
	Built *Built       // nil when the build failed (Err)
	Check *CheckResult // nil when the build failed
	Err   error        // the build failed: a non-literal require, a missing file...
}

// OK reports whether the pack built and passed its checks.
func (c *Checked) OK() bool { return c.Err == nil && !c.Check.Failed() }

// Tests is how many tests passed on the pack's own content.
func (c *Checked) Tests() int {
	if c.Check == nil || c.Check.Tests == nil {
		return 0
	}
	return c.Check.Tests.Passed
}

// ErrNoPacks says that the detections hold no pack spec.
var ErrNoPacks = errors.New("no pack in the detections: a pack is a spec with AnalysisType: pack, PackID and PackDefinition.IDs")

// BuildAll builds the packs ids of set (every pack when ids is empty or
// holds "all") and checks each zip on its own, as the backend will (Check):
// what `panther pack build` does before writing the zips and `panther
// upload` before sending them. It returns a Checked per pack, in order;
// an error only for ids that name no pack (or ErrNoPacks).
func BuildAll(ctx context.Context, set *engine.Set, ids []string, bopts BuildOptions, copts CheckOptions) ([]Checked, error) {
	var all []string
	for _, p := range set.Packs {
		all = append(all, p.ID)
	}
	slices.Sort(all)
	if len(ids) == 0 || slices.Contains(ids, "all") {
		if ids = all; len(ids) == 0 {
			return nil, ErrNoPacks
		}
	}
	for _, id := range ids {
		if _, ok := set.Pack(id); !ok {
			_, err := Closure(set, id) // names the nearest pack
			return nil, err
		}
	}
	var out []Checked
	for _, id := range ids {
		b, err := Build(set, id, bopts)
		if err != nil {
			out = append(out, Checked{ID: id, Err: err})
			continue
		}
		arch, err := OpenArchive(bytes.NewReader(b.Zip), int64(len(b.Zip)), Limits{})
		if err != nil {
			return nil, fmt.Errorf("pack %s: the archive just built does not verify: %w", id, err)
		}
		o := copts
		o.Display = b.Root
		res := Check(ctx, arch.FS(), b.Manifest, o)
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		out = append(out, Checked{ID: id, Built: b, Check: res})
	}
	return out, nil
}
