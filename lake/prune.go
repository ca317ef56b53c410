package lake

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// Retention. Prune removes the partitions whose hour ended more than
// OlderThan ago, in one change (a manifest that removes their files, as a
// compaction removes the files it merged): a search sees all of them or
// none of them, never half a partition. The source ledger keeps its
// entries, so replaying an archive of pruned days does not write them
// back.

// PruneOptions choose what Prune removes.
type PruneOptions struct {
	// OlderThan is the retention: partitions whose hour ended at least
	// this long ago are removed. It must be positive.
	OlderThan time.Duration
	// Table limits pruning to one table ("": every table).
	Table string
	// DryRun counts what would be removed, and removes nothing.
	DryRun bool
	// Now is the clock (default time.Now).
	Now func() time.Time

	fault func(op, path string) error // tests: crash points
}

// PruneStats say what a retention run removed (or would have).
type PruneStats struct {
	Partitions, Files int
	Bytes             int64
	// Oldest and Newest are the first and last hours removed.
	Oldest, Newest time.Time
}

// Prune removes the old partitions of the lake at dir (see PruneOptions).
// It takes the lake's lock; a lake being written by serve is pruned by
// its writer (Live.Prune).
func Prune(ctx context.Context, dir string, opts PruneOptions) (PruneStats, error) {
	if opts.OlderThan <= 0 {
		return PruneStats{}, errors.New("lake: prune needs a positive retention (OlderThan)")
	}
	abs, lock, err := lockForMaintenance(dir, opts.fault)
	if err != nil {
		return PruneStats{}, err
	}
	defer lock.release()
	return prune(ctx, abs, newRunID(opts.now()), opts)
}

// Prune removes old partitions as Prune does, beside the Live's commits:
// serve's retention setting.
func (l *Live) Prune(ctx context.Context, opts PruneOptions) (PruneStats, error) {
	if opts.OlderThan <= 0 {
		return PruneStats{}, errors.New("lake: prune needs a positive retention (OlderThan)")
	}
	l.maint.Lock()
	defer l.maint.Unlock()
	l.maintSeq++
	return prune(ctx, l.w.dir, fmt.Sprintf("%s-p%d", l.w.run, l.maintSeq), opts)
}

func (o PruneOptions) now() time.Time {
	if o.Now != nil {
		return o.Now()
	}
	return time.Now()
}

func prune(ctx context.Context, abs, run string, opts PruneOptions) (PruneStats, error) {
	var st PruneStats
	tables, err := Tables(abs)
	if err != nil {
		return st, err
	}
	if opts.Table != "" && !slices.ContainsFunc(tables, func(t Table) bool { return t.Name == opts.Table }) {
		return st, fmt.Errorf("lake %s has no table %q", abs, opts.Table)
	}
	cutoff := opts.now().Add(-opts.OlderThan)
	m := &manifest{Run: run, Epoch: 1}
	var dirs []string
	for _, t := range tables {
		if opts.Table != "" && t.Name != opts.Table {
			continue
		}
		parts, err := partitionsEndedBy(t, cutoff)
		if err != nil {
			return st, &LakeError{Dir: abs, Err: err}
		}
		for _, p := range parts {
			st.Partitions++
			st.Files += len(p.Files)
			st.Bytes += p.Bytes
			if st.Oldest.IsZero() || p.Hour.Before(st.Oldest) {
				st.Oldest = p.Hour
			}
			if p.Hour.After(st.Newest) {
				st.Newest = p.Hour
			}
			for _, f := range p.Files {
				r, _ := filepath.Rel(abs, f)
				m.Remove = append(m.Remove, filepath.ToSlash(r))
			}
			dirs = append(dirs, p.Dir)
		}
	}
	if opts.DryRun || len(m.Remove) == 0 {
		return st, nil
	}
	if err := ctx.Err(); err != nil {
		return st, err
	}
	if err := writeManifest(abs, m, opts.fault); err != nil {
		return st, err
	}
	mpath := manifestPath(abs, m)
	if err := applyManifest(abs, mpath, m, opts.fault); err != nil {
		return st, fmt.Errorf("%w (the change is recorded in %s: the next lake.Open completes it)", err, mpath)
	}
	// The empty folders go too: hour, then day, month and year when
	// nothing else is left in them (os.Remove leaves a folder that is not
	// empty, such as one a late commit just wrote into).
	for _, d := range dirs {
		for p := d; ; p = filepath.Dir(p) {
			rel, err := filepath.Rel(abs, p)
			if err != nil || rel == "." || !isPartitionDir(filepath.Base(p)) {
				break
			}
			if os.Remove(p) != nil {
				break
			}
		}
	}
	return st, nil
}

// isPartitionDir reports whether name is a key=value folder of the layout.
func isPartitionDir(name string) bool {
	for _, k := range []string{"year=", "month=", "day=", "hour="} {
		if len(name) > len(k) && name[:len(k)] == k {
			return true
		}
	}
	return false
}
