package serve

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"

	"panther/engine/live"
	"panther/packs"
	"panther/packs/server"
)

// storePacks is the pack store as the pipeline's PackSource.
type storePacks struct {
	store  *server.Store
	limits packs.Limits
}

func (s storePacks) Active(context.Context) ([]live.PackRef, error) {
	list, err := s.store.List()
	if err != nil {
		return nil, err
	}
	var out []live.PackRef
	for _, p := range list {
		if p.Active == 0 {
			continue
		}
		v, err := s.store.Version(p.ID, p.Active)
		if err != nil {
			return nil, err
		}
		out = append(out, live.PackRef{Pack: p.ID, Version: p.Active, Digest: v.Blob})
	}
	return out, nil
}

// Open reads the version's zip into memory (packs are small: the upload
// limit bounds them) and opens it with the checks of an upload.
func (s storePacks) Open(_ context.Context, ref live.PackRef) (fs.FS, error) {
	f, err := s.store.OpenBlob(ref.Digest)
	if err != nil {
		return nil, fmt.Errorf("pack %s: %w", ref, err)
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil {
		return nil, fmt.Errorf("pack %s: %w", ref, err)
	}
	a, err := packs.OpenArchive(bytes.NewReader(data), int64(len(data)), s.limits)
	if err != nil {
		return nil, fmt.Errorf("pack %s: %w", ref, err)
	}
	return a.FS(), nil
}
