// Package rulesource finds the alert rules `panther serve` applies: those
// of the active pack versions in the pack store (uploaded like
// detections) and those of the folders given with --alert-rules. It
// watches the active versions and swaps the store's rules when one is
// activated or rolled back.
package rulesource

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"panther/alerts"
	"panther/alerts/rules"
	"panther/engine"
	"panther/packs"
	"panther/packs/server"
)

// Loader loads alert rules.
type Loader struct {
	Packs   *server.Store // nil: no packs
	Dirs    []string
	Options engine.LoadOptions
	// Limits open the pack zips (default packs.DefaultLimits).
	Limits packs.Limits
	Logger *slog.Logger
}

// Load returns the rules and a fingerprint of where they came from (the
// active pack versions): the same fingerprint means the same rules. Folder
// problems are errors; a pack whose rules do not load is skipped with a
// warning (it passed the same checks at upload).
func (l *Loader) Load() (*rules.Set, string, error) {
	var list []*rules.Rule
	var fp []string
	if len(l.Dirs) > 0 {
		var srcs []engine.Source
		for _, d := range l.Dirs {
			srcs = append(srcs, engine.DirSource(d))
		}
		set := engine.Load(srcs, l.Options)
		if n := set.Diagnostics.Errors(); n > 0 {
			var msgs []string
			for _, d := range set.Diagnostics {
				if d.Level == engine.LevelError {
					msgs = append(msgs, d.String())
				}
			}
			return nil, "", fmt.Errorf("alert rules: %d errors:\n%s", n, strings.Join(msgs, "\n"))
		}
		for _, r := range set.AlertRules {
			list = append(list, r.Rule)
		}
	}
	if l.Packs != nil {
		sums, err := l.Packs.List()
		if err != nil {
			return nil, "", err
		}
		for _, p := range sums {
			if p.Active == 0 {
				continue
			}
			v, err := l.Packs.Active(p.ID)
			if err != nil {
				return nil, "", err
			}
			fp = append(fp, fmt.Sprintf("%s@%d", p.ID, v.Version))
			rs, err := l.packRules(v)
			if err != nil {
				l.log().Warn("alert rules of a pack not loaded", "pack", p.ID, "version", v.Version, "error", err.Error())
				continue
			}
			list = append(list, rs...)
		}
	}
	set, probs := rules.NewSet(list)
	if len(probs) > 0 {
		return nil, "", fmt.Errorf("alert rules: %v", probs)
	}
	slices.Sort(fp)
	return set, strings.Join(fp, ","), nil
}

func (l *Loader) log() *slog.Logger {
	if l.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return l.Logger
}

func (l *Loader) packRules(v *packs.Version) ([]*rules.Rule, error) {
	f, err := l.Packs.OpenBlob(v.Blob)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	lim := l.Limits
	if lim.MaxFiles == 0 {
		lim = packs.DefaultLimits
	}
	a, err := packs.OpenArchive(f, st.Size(), lim)
	if err != nil {
		return nil, err
	}
	if len(a.Manifest.AlertRules) == 0 {
		return nil, nil
	}
	set := engine.Load([]engine.Source{{FS: a.FS(), Root: ".", Display: v.Pack}}, l.Options)
	var out []*rules.Rule
	for _, r := range set.AlertRules {
		out = append(out, r.Rule)
	}
	return out, nil
}

// Watch loads the rules into the store now and again whenever the active
// pack versions change (checked every interval), until ctx is done.
func (l *Loader) Watch(ctx context.Context, store *alerts.Store, every time.Duration) error {
	set, fp, err := l.Load()
	if err != nil {
		return err
	}
	if err := store.SetRules(ctx, set); err != nil {
		return err
	}
	l.log().Info("alert rules loaded", "rules", len(set.Rules), "packs", fp)
	go func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			if l.Packs == nil {
				continue
			}
			sums, err := l.fingerprint()
			if err != nil || sums == fp {
				continue
			}
			set, nfp, err := l.Load()
			if err != nil {
				l.log().Warn("alert rules not reloaded", "error", err.Error())
				continue
			}
			if err := store.SetRules(ctx, set); err == nil {
				fp = nfp
				l.log().Info("alert rules reloaded", "rules", len(set.Rules), "packs", fp)
			}
		}
	}()
	return nil
}

func (l *Loader) fingerprint() (string, error) {
	sums, err := l.Packs.List()
	if err != nil {
		return "", err
	}
	var fp []string
	for _, p := range sums {
		if p.Active != 0 {
			fp = append(fp, fmt.Sprintf("%s@%d", p.ID, p.Active))
		}
	}
	slices.Sort(fp)
	return strings.Join(fp, ","), nil
}
