package lake

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"panther/internal/durable"
)

// The lake's own folders: hidden from Hive-style readers (names starting
// with '.' or '_'), never below logs/, alerts/ or rule_matches/.
const (
	stagingDir = ".staging"
	sourcesDir = "_sources"
)

// epoch is the unit of commit: the rows written between two commits, and
// the sources completed in that time.
type epoch struct {
	id      int
	bytes   int64 // bytes of rows written
	sources []ledgerEntry
	// dropped are the sources (p_source_file) whose rows must not be
	// committed: they failed, or were never reported done.
	dropped map[string]bool
	files   []stagedFile
	// keys are the keyed rows written (WriteRowOnce), with the source
	// they belong to (dropped with it).
	keys []keyedRow
	// streams are the offset ranges of unbounded sources written
	// (Writer.Advance), by stream.
	streams map[string]*ledgerEntry
	sealed  time.Time       // when the writer sealed it
	waiters []chan struct{} // closed once it is committed (or dropped)
}

// keyedRow is a row written with WriteRowOnce.
type keyedRow struct {
	key, source string
}

// stagedFile is a finished Parquet file waiting in staging for its commit.
// Paths are relative to the lake, with '/' separators.
type stagedFile struct {
	From  string `json:"from"`
	To    string `json:"to"`
	Table string `json:"table"`
	Rows  int64  `json:"rows"`
	Bytes int64  `json:"bytes"`

	table   *table
	hour    int64
	sources map[string]int64 // rows of each source (p_source_file)
}

// manifest is a commit about to happen: written and synced before the
// first rename, removed after the ledger is written. Whoever finds one
// (the next Open) completes it.
type manifest struct {
	Run     string        `json:"run"`
	Epoch   int           `json:"epoch"`
	Files   []stagedFile  `json:"files"`
	Sources []ledgerEntry `json:"sources"`
	// Remove are files (relative to the lake) that the change replaces:
	// a compaction's inputs, removed once its output is in place.
	Remove []string `json:"remove,omitempty"`
}

const manifestSuffix = ".commit.json"

func (w *Writer) newEpoch() *epoch {
	w.epochs++
	return &epoch{id: w.epochs}
}

// drop marks the rows of a source as not to be committed.
func (e *epoch) drop(w *Writer, file string) {
	if e.dropped == nil {
		e.dropped = map[string]bool{}
	}
	e.dropped[file] = true
	w.mu.Lock()
	w.droppedSources = append(w.droppedSources, file)
	w.mu.Unlock()
}

// compact prepares an epoch's files for its commit: the rows of dropped
// sources are taken out (a file holding only such rows is removed, one
// that shares them with other sources is copied without them, by DuckDB:
// a rare path), then every file gets its final name.
func (w *Writer) compact(e *epoch) error {
	for _, k := range e.keys {
		if k.source == "" || !e.dropped[k.source] {
			e.sources = append(e.sources, ledgerEntry{Key: k.key, Rows: 1})
		}
	}
	names := make([]string, 0, len(e.streams))
	for n := range e.streams {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		e.sources = append(e.sources, *e.streams[n])
	}
	kept := e.files[:0]
	for _, f := range e.files {
		drop := droppedRows(e, f)
		if drop == 0 {
			kept = append(kept, f)
			continue
		}
		in := filepath.Join(w.dir, filepath.FromSlash(f.From))
		if drop < f.Rows {
			out := strings.TrimSuffix(in, ".parquet") + ".filtered.parquet"
			var srcs []string
			for src := range f.sources {
				if e.dropped[src] {
					srcs = append(srcs, src)
				}
			}
			slices.Sort(srcs)
			rows, size, err := w.filter(in, out, srcs)
			if err != nil {
				return err
			}
			drop = f.Rows - rows
			rel, _ := filepath.Rel(w.dir, out)
			f.From, f.Rows, f.Bytes = filepath.ToSlash(rel), rows, size
			if rows > 0 {
				kept = append(kept, f)
			} else {
				os.Remove(out)
			}
		}
		w.mu.Lock()
		w.tableStats(f.Table).DroppedRows += drop
		w.mu.Unlock()
		if err := os.Remove(in); err != nil {
			return fmt.Errorf("lake: removing %s: %w", in, err)
		}
	}
	slices.SortFunc(kept, func(a, b stagedFile) int { // deterministic names
		if c := strings.Compare(a.table.name, b.table.name); c != 0 {
			return c
		}
		if c := cmp.Compare(a.hour, b.hour); c != 0 {
			return c
		}
		return strings.Compare(a.From, b.From)
	})
	for i := range kept {
		f := &kept[i]
		w.files++
		h := time.Unix(f.hour*3600, 0).UTC()
		f.To = fmt.Sprintf("%s/year=%04d/month=%02d/day=%02d/hour=%02d/%s-%06d-%s.parquet",
			f.table.rel, h.Year(), h.Month(), h.Day(), h.Hour(), w.run, w.files, f.table.fingerprint)
	}
	e.files = kept
	return nil
}

// droppedRows counts the rows of f that are of dropped sources.
func droppedRows(e *epoch, f stagedFile) int64 {
	var n int64
	for src, rows := range f.sources {
		if e.dropped[src] {
			n += rows
		}
	}
	return n
}

// committer commits the sealed epochs in order, once the file writer has
// written their files. After a failure (or Abort) it commits nothing more.
func (w *Writer) committer() {
	defer w.committed.Done()
	for e := range w.commitQ {
		w.commitEpoch(e)
		for _, c := range e.waiters {
			close(c)
		}
	}
}

// commitEpoch commits e (unless the writer failed) and tells OnCommit.
func (w *Writer) commitEpoch(e *epoch) {
	if w.failure() != nil {
		return
	}
	err := w.compact(e)
	if err == nil && len(e.files) == 0 && len(e.sources) == 0 {
		return
	}
	if err == nil {
		err = w.commit(e)
	}
	if err != nil {
		w.setFailed(err)
	}
	if w.onCommit == nil {
		return
	}
	info := CommitInfo{Epoch: e.id, Files: len(e.files), Duration: time.Since(e.sealed), Err: err}
	for _, f := range e.files {
		info.Rows += f.Rows
	}
	if len(e.streams) > 0 {
		info.Positions = map[string]int64{}
		for n, r := range e.streams {
			info.Positions[n] = r.To
		}
	}
	w.onCommit(info)
}

// commit makes an epoch visible: sync the files, write the manifest, rename
// the files into place, write the ledger, remove the manifest.
func (w *Writer) commit(e *epoch) error {
	slices.SortFunc(e.files, func(a, b stagedFile) int { return strings.Compare(a.To, b.To) })
	for _, f := range e.files {
		p := filepath.Join(w.dir, filepath.FromSlash(f.From))
		if err := w.faultAt("sync", p); err != nil {
			return fmt.Errorf("lake: syncing %s: %w", p, err)
		}
		if err := syncFile(p); err != nil {
			return fmt.Errorf("lake: syncing %s: %w", p, err)
		}
	}
	now := w.opts.Now().UTC().Truncate(time.Second)
	for i := range e.sources {
		e.sources[i].Run = w.run
		e.sources[i].Committed = now
	}
	m := &manifest{Run: w.run, Epoch: e.id, Files: e.files, Sources: e.sources}
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	mpath := filepath.Join(w.dir, stagingDir, fmt.Sprintf("%s-%06d%s", w.run, e.id, manifestSuffix))
	if w.failure() != nil {
		return nil // aborted while converting: drop the epoch
	}
	if err := w.faultAt("manifest", mpath); err != nil {
		return fmt.Errorf("lake: writing commit manifest %s: %w", mpath, err)
	}
	if err := writeAtomic(mpath, data); err != nil {
		return fmt.Errorf("lake: writing commit manifest %s: %w", mpath, err)
	}
	// From here on the commit happens: if this process cannot finish it,
	// the next Open does.
	if err := applyManifest(w.dir, mpath, m, w.opts.fault); err != nil {
		w.mu.Lock()
		w.outcome = append(w.outcome, mpath)
		w.mu.Unlock()
		return fmt.Errorf("%w (the commit is recorded in %s: the next lake.Open completes it)", err, mpath)
	}
	w.mu.Lock()
	for _, f := range e.files {
		st := w.tableStats(f.Table)
		st.CommittedRows += f.Rows
		st.Files++
		st.Bytes += f.Bytes
	}
	w.mu.Unlock()
	w.srcMu.Lock()
	for _, s := range e.sources {
		w.ledger.add(s)
	}
	if len(e.sources) > 0 {
		w.ledgerFiles++
	}
	merge := w.ledgerFiles > mergeLedgerFiles
	w.srcMu.Unlock()
	if merge {
		if err := mergeLedger(w.dir, fmt.Sprintf("%s-%06d", w.run, e.id)); err != nil {
			return err
		}
		w.srcMu.Lock()
		w.ledgerFiles = 1
		w.srcMu.Unlock()
	}
	return nil
}

// applyManifest completes a commit: renames what is still in staging,
// writes the ledger, removes the manifest. Every step can be done again,
// so a commit interrupted anywhere is completed by running it once more.
func applyManifest(dir, mpath string, m *manifest, fault func(op, path string) error) error {
	at := func(op, path string) error {
		if fault != nil {
			return fault(op, path)
		}
		return nil
	}
	dirs := map[string]bool{}
	for _, f := range m.Files {
		from := filepath.Join(dir, filepath.FromSlash(f.From))
		to := filepath.Join(dir, filepath.FromSlash(f.To))
		if err := at("rename", to); err != nil {
			return fmt.Errorf("lake: moving %s into place: %w", to, err)
		}
		if _, err := os.Stat(from); errors.Is(err, fs.ErrNotExist) {
			if _, err := os.Stat(to); err == nil {
				continue // renamed before the interruption
			}
			return fmt.Errorf("lake: commit %s: %s is neither in staging nor in place (remove the manifest to give up this commit, then replay its sources)", mpath, f.To)
		}
		if err := renameInto(dir, from, to); err != nil {
			return err
		}
		dirs[filepath.Dir(to)] = true
	}
	for d := range dirs {
		if err := syncDir(d); err != nil {
			return fmt.Errorf("lake: syncing %s: %w", d, err)
		}
	}
	if len(m.Sources) > 0 {
		var b bytes.Buffer
		for _, s := range m.Sources {
			line, err := json.Marshal(s)
			if err != nil {
				return err
			}
			b.Write(line)
			b.WriteByte('\n')
		}
		lpath := filepath.Join(dir, sourcesDir, fmt.Sprintf("%s-%06d.jsonl", m.Run, m.Epoch))
		if err := at("ledger", lpath); err != nil {
			return fmt.Errorf("lake: writing the source ledger %s: %w", lpath, err)
		}
		if err := mkdirAllSync(dir, filepath.Dir(lpath)); err != nil {
			return fmt.Errorf("lake: writing the source ledger %s: %w", lpath, err)
		}
		if err := writeAtomic(lpath, b.Bytes()); err != nil {
			return fmt.Errorf("lake: writing the source ledger %s: %w", lpath, err)
		}
	}
	for _, r := range m.Remove {
		p := filepath.Join(dir, filepath.FromSlash(r))
		if err := at("remove", p); err != nil {
			return fmt.Errorf("lake: removing %s: %w", p, err)
		}
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("lake: removing %s: %w", p, err)
		}
		dirs[filepath.Dir(p)] = true
	}
	if len(m.Remove) > 0 {
		for d := range dirs {
			if err := syncDir(d); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("lake: syncing %s: %w", d, err)
			}
		}
	}
	// Readers that listed the lake while this change was under way see
	// the generation change and list again (snapshot.go).
	if err := at("generation", mpath); err != nil {
		return fmt.Errorf("lake: %w", err)
	}
	if err := writeGeneration(dir, fmt.Sprintf("%s-%06d", m.Run, m.Epoch)); err != nil {
		return fmt.Errorf("lake: writing %s: %w", filepath.Join(dir, generationFile), err)
	}
	if err := at("done", mpath); err != nil {
		return fmt.Errorf("lake: removing commit manifest %s: %w", mpath, err)
	}
	if err := os.Remove(mpath); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("lake: removing commit manifest %s: %w", mpath, err)
	}
	return syncDir(filepath.Dir(mpath))
}

// renameInto renames from to to, creating to's folders. A retention run
// of the same lake (Live.Prune) may remove an empty partition folder at
// that moment: the folders are then made again.
func renameInto(dir, from, to string) error {
	for try := 0; ; try++ {
		if err := mkdirAllSync(dir, filepath.Dir(to)); err != nil {
			return fmt.Errorf("lake: creating %s: %w", filepath.Dir(to), err)
		}
		err := os.Rename(from, to)
		if err == nil {
			return nil
		}
		if _, serr := os.Stat(filepath.Dir(to)); try < 3 && errors.Is(serr, fs.ErrNotExist) {
			continue
		}
		return fmt.Errorf("lake: moving %s into place: %w", to, err)
	}
}

// recoverLake completes the commits that interrupted runs left (their
// manifests, in order), then deletes everything else in staging. The
// caller holds the lake's lock, so no other writer is using staging.
func recoverLake(dir string, fault func(op, path string) error) error {
	stage := filepath.Join(dir, stagingDir)
	ents, err := os.ReadDir(stage)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("lake %s: reading staging: %w", dir, err)
	}
	var manifests []string
	for _, e := range ents {
		if strings.HasSuffix(e.Name(), manifestSuffix) && !e.IsDir() {
			manifests = append(manifests, filepath.Join(stage, e.Name()))
		}
	}
	slices.Sort(manifests) // run ids start with the time: oldest first
	for _, mpath := range manifests {
		data, err := os.ReadFile(mpath)
		if err != nil {
			return fmt.Errorf("lake %s: reading commit manifest: %w", dir, err)
		}
		var m manifest
		if err := json.Unmarshal(data, &m); err != nil {
			return fmt.Errorf("lake %s: commit manifest %s is damaged (%v): remove it to give up that commit, then replay its sources", dir, mpath, err)
		}
		if err := applyManifest(dir, mpath, &m, fault); err != nil {
			return fmt.Errorf("lake %s: completing an interrupted commit: %w", dir, err)
		}
	}
	ents, err = os.ReadDir(stage)
	if err != nil {
		return fmt.Errorf("lake %s: reading staging: %w", dir, err)
	}
	for _, e := range ents {
		p := filepath.Join(stage, e.Name())
		if err := os.RemoveAll(p); err != nil {
			return fmt.Errorf("lake %s: removing what an interrupted run left in %s: %w", dir, p, err)
		}
	}
	return nil
}

// writeAtomic writes data to path through a synced temporary file and a
// rename, then syncs the directory: readers see all of it or nothing.
func writeAtomic(path string, data []byte) error { return durable.WriteFile(path, data, 0o644) }

func syncFile(path string) error { return durable.SyncFile(path) }

// syncDir makes the entries of a directory (renames, new files) durable.
func syncDir(dir string) error { return durable.SyncDir(dir) }

// mkdirAllSync creates d (below root) and syncs the parent of every
// directory it created, so that a new partition survives a power cut.
func mkdirAllSync(root, d string) error {
	if _, err := os.Stat(d); err == nil {
		return nil
	}
	var created []string
	for p := d; p != root && p != filepath.Dir(p); p = filepath.Dir(p) {
		if _, err := os.Stat(p); err == nil {
			break
		}
		created = append(created, p)
	}
	if err := os.MkdirAll(d, 0o755); err != nil {
		return err
	}
	for _, p := range created {
		if err := syncDir(filepath.Dir(p)); err != nil {
			return err
		}
	}
	return nil
}
