package lake

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// What a reader sees while the lake changes. A commit makes an epoch's
// files visible by renaming them into place one by one, and a compaction
// replaces a partition's files by one; a plain listing of the folders in
// the middle of either would show part of an epoch, or a partition's
// rows twice or not at all. Snapshot lists the lake so that it never does:
//
//   - Every change (commit or compaction) is described by a manifest in
//     .staging, written and synced before its first rename and removed
//     after its last step; the files it adds (To) and those it removes
//     (Remove) are in it.
//   - After its last step and before removing the manifest, the writer
//     writes a new generation into <lake>/.generation (a name unique to
//     the change, through a rename).
//   - Snapshot reads the generation, lists the folders, reads the
//     manifests in .staging, and reads the generation again. When it
//     changed, a change finished while the folders were listed (its
//     manifest may be gone): it lists again. When it did not, every change
//     whose renames overlapped the listing still has its manifest, and
//     for each manifest: if every file it adds in the range listed was
//     seen, the change is taken as done (its removed files are left out);
//     otherwise as not begun (its added files are left out).
//
// A crash in the middle of a change leaves its manifest: until the next
// writer completes it (lake.Open rolls every manifest forward), readers
// keep seeing the lake as before the change, or as after it once all its
// files are in place, never between.
//
// A file Snapshot listed may still disappear before the reader opens it
// (a compaction removes the files it merged as soon as the merged one is
// in place): a reader that fails on a missing file lists again and
// starts over (search does).

// generationFile holds the name of the last change that completed.
const generationFile = ".generation"

// snapshotTries bounds the listings of one Snapshot: a lake changing that
// often (a commit finishing during each of them) is an error.
const snapshotTries = 20

// Snapshot lists the tables of the lake at dir and their partitions that
// overlap [from, to) (a zero bound is open), with the files a reader may
// read now: those of complete epochs and compactions only (see above).
func Snapshot(dir string, from, to time.Time) ([]TableFiles, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, &LakeError{Dir: dir, Err: err}
	}
	for try := 0; try < snapshotTries; try++ {
		gen1, err := readGeneration(abs)
		if err != nil {
			return nil, &LakeError{Dir: dir, Err: err}
		}
		tables, err := Tables(abs)
		if err != nil {
			return nil, err
		}
		out := make([]TableFiles, len(tables))
		for i, t := range tables {
			out[i].Table = t
			if out[i].Partitions, err = t.Partitions(from, to); err != nil {
				return nil, &LakeError{Dir: dir, Err: err}
			}
		}
		pending, err := pendingChanges(abs)
		if err != nil {
			return nil, &LakeError{Dir: dir, Err: err}
		}
		gen2, err := readGeneration(abs)
		if err != nil {
			return nil, &LakeError{Dir: dir, Err: err}
		}
		if gen1 != gen2 {
			continue
		}
		if len(pending) > 0 {
			hide(abs, out, pending, from, to)
		}
		return out, nil
	}
	return nil, &LakeError{Dir: dir, Err: fmt.Errorf("it changed during each of %d listings; try again", snapshotTries)}
}

// hide leaves out of the listing the files of the pending changes that
// must not be seen: for each, its added files if some in range were not
// listed, else its removed files.
func hide(abs string, tables []TableFiles, pending []*manifest, from, to time.Time) {
	listed := map[string]bool{}
	for _, t := range tables {
		for _, p := range t.Partitions {
			for _, f := range p.Files {
				listed[f] = true
			}
		}
	}
	inRange := func(rel string) bool {
		_, hour, ok := partitionOf(rel)
		return ok && (to.IsZero() || hour.Before(to)) && (from.IsZero() || hour.Add(time.Hour).After(from))
	}
	drop := map[string]bool{}
	for _, m := range pending {
		done := true
		for _, f := range m.Files {
			if inRange(f.To) && !listed[filepath.Join(abs, filepath.FromSlash(f.To))] {
				done = false
				break
			}
		}
		if done {
			for _, r := range m.Remove {
				drop[filepath.Join(abs, filepath.FromSlash(r))] = true
			}
		} else {
			for _, f := range m.Files {
				drop[filepath.Join(abs, filepath.FromSlash(f.To))] = true
			}
		}
	}
	for i := range tables {
		parts := tables[i].Partitions[:0]
		for _, p := range tables[i].Partitions {
			files := p.Files[:0]
			for _, f := range p.Files {
				if drop[f] {
					if info, err := os.Stat(f); err == nil {
						p.Bytes -= info.Size()
					}
					continue
				}
				files = append(files, f)
			}
			p.Files = files
			if len(files) > 0 {
				parts = append(parts, p)
			}
		}
		tables[i].Partitions = parts
	}
}

// pendingChanges reads the manifests in .staging. A manifest that cannot
// be read or parsed is an error: what it hides is unknown.
func pendingChanges(abs string) ([]*manifest, error) {
	ents, err := os.ReadDir(filepath.Join(abs, stagingDir))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading staging: %w", err)
	}
	var out []*manifest
	for _, e := range ents {
		if e.IsDir() || !strings.HasSuffix(e.Name(), manifestSuffix) || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		p := filepath.Join(abs, stagingDir, e.Name())
		data, err := os.ReadFile(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue // done since it was listed: the generation tells
		}
		if err != nil {
			return nil, fmt.Errorf("reading commit manifest: %w", err)
		}
		m := &manifest{}
		if err := json.Unmarshal(data, m); err != nil {
			return nil, fmt.Errorf("commit manifest %s is damaged (%v): open the lake with panther replay or panther lake to deal with it", p, err)
		}
		out = append(out, m)
	}
	return out, nil
}

// readGeneration reads the name of the last completed change ("" for
// none yet).
func readGeneration(abs string) (string, error) {
	b, err := os.ReadFile(filepath.Join(abs, generationFile))
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	return string(b), err
}

// writeGeneration records that the change named gen completed. It is not
// synced: it only tells readers that something changed while they
// listed, and a crash that loses it loses nothing else.
func writeGeneration(abs, gen string) error {
	// A Live's commits and its compactions write it from two goroutines:
	// each through a temporary file of its own.
	f, err := os.CreateTemp(abs, generationFile+".*.tmp")
	if err != nil {
		return err
	}
	_, err = f.WriteString(gen)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), filepath.Join(abs, generationFile))
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}
