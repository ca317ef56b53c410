package lake

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Compaction. A lake fed in small steps (the commits of serve every ten
// seconds, many short replays) has many small files an hour, and every
// file costs a search a footer read. Compact merges the files of a
// partition into one (one per schema fingerprint: files of another
// schema stay apart, so search still reads the table without
// union_by_name), as a change like a commit:
//
//  1. DuckDB copies the rows of the partition's files, in order, into a
//     new file in staging (it reads the lake's files and writes ZSTD
//     Parquet; this is the rare, background path, where its speed is not
//     in question), and the row count is checked;
//  2. a manifest names the new file and the files it replaces;
//  3. the new file is renamed into place, then the old ones removed, the
//     generation written, the manifest removed.
//
// A search never sees a row twice or misses one: Snapshot takes a change
// whose new file is in place as done (the old files are left out) and one
// whose new file is not as not begun; a search that listed an old file
// that is then removed lists again (see snapshot.go). A crash anywhere is
// completed or undone by the next writer's Open (or the next Compact),
// and compacting again is a no-op: an idempotent, atomic step.
//
// The merged file keeps the fingerprint of the files it merges (same
// columns, same types), and is named after the compaction's run, so it
// sorts after them.

// CompactOptions choose what Compact and Live.Compact merge.
type CompactOptions struct {
	// Table limits compaction to one table ("": every table).
	Table string
	// OlderThan limits it to partitions whose hour ended at least this
	// long ago (0: every partition): hours that stopped receiving.
	OlderThan time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
	// MemoryLimit bounds DuckDB while it merges ("256MB" by default); it
	// spills to the staging directory beyond.
	MemoryLimit string

	fault func(op, path string) error // tests: crash points
}

// CompactStats say what a compaction did.
type CompactStats struct {
	Partitions              int // partitions merged
	FilesBefore, FilesAfter int
	BytesBefore, BytesAfter int64
	Rows                    int64
}

// Compact merges the files of each partition of the lake at dir that
// holds more than one (see CompactOptions). It takes the lake's lock: a
// lake being written (replay, serve) is compacted by its writer instead
// (Live.Compact).
func Compact(ctx context.Context, dir string, opts CompactOptions) (CompactStats, error) {
	abs, lock, err := lockForMaintenance(dir, opts.fault)
	if err != nil {
		return CompactStats{}, err
	}
	defer lock.release()
	return compact(ctx, abs, newRunID(opts.now()), opts)
}

// Compact merges partitions as Compact does, beside the Live's commits;
// serve runs it in the background (OlderThan an hour or so: hours that
// stopped receiving). One Compact or Prune runs at a time.
func (l *Live) Compact(ctx context.Context, opts CompactOptions) (CompactStats, error) {
	l.maint.Lock()
	defer l.maint.Unlock()
	l.maintSeq++
	return compact(ctx, l.w.dir, fmt.Sprintf("%s-c%d", l.w.run, l.maintSeq), opts)
}

func (o CompactOptions) now() time.Time {
	if o.Now != nil {
		return o.Now()
	}
	return time.Now()
}

// newRunID names a change: its time and 8 random hex digits, so that
// names sort by time.
func newRunID(now time.Time) string {
	var rnd [4]byte
	_, _ = rand.Read(rnd[:])
	return now.UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(rnd[:])
}

// lockForMaintenance takes the lock of the lake at dir (which must exist)
// and completes or drops what an interrupted writer left, as Open does.
func lockForMaintenance(dir string, fault func(op, path string) error) (string, *lockFile, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", nil, fmt.Errorf("lake %s: %w", dir, err)
	}
	if fi, err := os.Stat(abs); err != nil || !fi.IsDir() {
		return "", nil, &LakeError{Dir: dir, Err: fmt.Errorf("no such directory")}
	}
	lock, err := lockLake(abs)
	if err != nil {
		return "", nil, err
	}
	if err := recoverLake(abs, fault); err != nil {
		lock.release()
		return "", nil, err
	}
	return abs, lock, nil
}

// compact runs a compaction of the lake at abs, whose lock the caller
// holds, as the change run.
func compact(ctx context.Context, abs, run string, opts CompactOptions) (CompactStats, error) {
	var st CompactStats
	tables, err := Tables(abs)
	if err != nil {
		return st, err
	}
	if opts.Table != "" && !slices.ContainsFunc(tables, func(t Table) bool { return t.Name == opts.Table }) {
		return st, fmt.Errorf("lake %s has no table %q", abs, opts.Table)
	}
	var cutoff time.Time // partitions that ended before it
	if opts.OlderThan > 0 {
		cutoff = opts.now().Add(-opts.OlderThan)
	}
	stage := filepath.Join(abs, stagingDir, run)
	if err := os.MkdirAll(stage, 0o755); err != nil {
		return st, fmt.Errorf("lake %s: cannot create the staging directory: %w", abs, err)
	}
	keep := false // a change whose manifest is written needs its staged file
	defer func() {
		if !keep {
			os.RemoveAll(stage)
		}
	}()
	var db *sql.DB
	defer func() {
		if db != nil {
			db.Close()
		}
	}()
	seq := 0
	for _, t := range tables {
		if opts.Table != "" && t.Name != opts.Table {
			continue
		}
		parts, err := partitionsEndedBy(t, cutoff)
		if err != nil {
			return st, &LakeError{Dir: abs, Err: err}
		}
		for _, p := range parts {
			for _, g := range fingerprintGroups(p.Files) {
				if err := ctx.Err(); err != nil {
					return st, err
				}
				if db == nil {
					if db, err = openCompactionDB(stage, opts.MemoryLimit); err != nil {
						return st, err
					}
				}
				seq++
				if err := mergeFiles(ctx, db, abs, stage, run, seq, g, opts.fault, &st); err != nil {
					var ae *applyError
					keep = errors.As(err, &ae)
					return st, err
				}
			}
		}
	}
	return st, nil
}

// partitionsEndedBy lists the partitions of t whose hour ended by cutoff
// (all of them for a zero cutoff).
func partitionsEndedBy(t Table, cutoff time.Time) ([]Partition, error) {
	parts, err := t.Partitions(time.Time{}, cutoff)
	if err != nil || cutoff.IsZero() {
		return parts, err
	}
	return slices.DeleteFunc(parts, func(p Partition) bool { return p.Hour.Add(time.Hour).After(cutoff) }), nil
}

// fingerprintGroups groups the files of a partition by the schema
// fingerprint of their names; groups of one file and files without a
// fingerprint (not the lake writer's) are left out.
func fingerprintGroups(files []string) [][]string {
	by := map[string][]string{}
	var order []string
	for _, f := range files {
		fp, ok := FileFingerprint(f)
		if !ok {
			continue
		}
		if _, seen := by[fp]; !seen {
			order = append(order, fp)
		}
		by[fp] = append(by[fp], f)
	}
	var out [][]string
	for _, fp := range order {
		if len(by[fp]) > 1 {
			out = append(out, by[fp])
		}
	}
	return out
}

// openCompactionDB opens the DuckDB that merges files: one thread, its
// memory bounded (spilling to staging beyond), rows kept in order.
func openCompactionDB(stage, memory string) (*sql.DB, error) {
	if memory == "" {
		memory = "256MB"
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return nil, fmt.Errorf("opening DuckDB: %w", err)
	}
	settings := fmt.Sprintf("SET threads=1; SET memory_limit=%s; SET preserve_insertion_order=true; SET temp_directory=%s",
		sqlString(memory), sqlString(filepath.Join(stage, "duckdb.tmp")))
	if _, err := db.Exec(settings); err != nil {
		db.Close()
		return nil, fmt.Errorf("configuring DuckDB for compaction: %w", err)
	}
	return db, nil
}

// mergeFiles merges files (of one partition and fingerprint) into one and
// commits the change (see the top of this file).
func mergeFiles(ctx context.Context, db *sql.DB, abs, stage, run string, seq int, files []string, fault func(op, path string) error, st *CompactStats) error {
	at := func(op, path string) error {
		if fault != nil {
			return fault(op, path)
		}
		return nil
	}
	list := make([]string, len(files))
	var inBytes int64
	for i, f := range files {
		list[i] = sqlString(f)
		if info, err := os.Stat(f); err == nil {
			inBytes += info.Size()
		}
	}
	fp, _ := FileFingerprint(files[0])
	out := filepath.Join(stage, fmt.Sprintf("%06d.parquet", seq))
	if err := at("merge", out); err != nil {
		return fmt.Errorf("lake: merging %s: %w", filepath.Dir(files[0]), err)
	}
	var want int64
	if err := db.QueryRowContext(ctx, "SELECT sum(num_rows)::BIGINT FROM parquet_file_metadata(["+strings.Join(list, ", ")+"])").Scan(&want); err != nil {
		return fmt.Errorf("lake: reading the footers of %s: %w", filepath.Dir(files[0]), err)
	}
	res, err := db.ExecContext(ctx, fmt.Sprintf("COPY (SELECT * FROM read_parquet([%s], hive_partitioning = false, union_by_name = false)) TO %s (FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 1, ROW_GROUP_SIZE 131072)",
		strings.Join(list, ", "), sqlString(out)))
	if err != nil {
		return fmt.Errorf("lake: merging the files of %s: %w", filepath.Dir(files[0]), err)
	}
	if n, err := res.RowsAffected(); err != nil || n != want {
		return fmt.Errorf("lake: merging the files of %s: %d rows copied of %d (%v)", filepath.Dir(files[0]), n, want, err)
	}
	if err := at("sync", out); err != nil {
		return fmt.Errorf("lake: syncing %s: %w", out, err)
	}
	if err := syncFile(out); err != nil {
		return fmt.Errorf("lake: syncing %s: %w", out, err)
	}
	info, err := os.Stat(out)
	if err != nil {
		return err
	}
	rel := func(p string) string {
		r, _ := filepath.Rel(abs, p)
		return filepath.ToSlash(r)
	}
	to := filepath.Join(filepath.Dir(files[0]), fmt.Sprintf("%s-%06d-%s.parquet", run, seq, fp))
	table, _, _ := partitionOf(rel(files[0]))
	m := &manifest{Run: run, Epoch: seq,
		Files: []stagedFile{{From: rel(out), To: rel(to), Table: filepath.Base(table), Rows: want, Bytes: info.Size()}}}
	for _, f := range files {
		m.Remove = append(m.Remove, rel(f))
	}
	if err := writeManifest(abs, m, fault); err != nil {
		return err
	}
	mpath := manifestPath(abs, m)
	if err := applyManifest(abs, mpath, m, fault); err != nil {
		return &applyError{fmt.Errorf("%w (the change is recorded in %s: the next lake.Open completes it)", err, mpath)}
	}
	st.Partitions++
	st.FilesBefore += len(files)
	st.FilesAfter++
	st.BytesBefore += inBytes
	st.BytesAfter += info.Size()
	st.Rows += want
	return nil
}

// applyError is a change that failed after its manifest was written: the
// next Open completes it, from what staging holds.
type applyError struct{ err error }

func (e *applyError) Error() string { return e.err.Error() }
func (e *applyError) Unwrap() error { return e.err }

// manifestPath is where the manifest of a change is kept.
func manifestPath(abs string, m *manifest) string {
	return filepath.Join(abs, stagingDir, fmt.Sprintf("%s-%06d%s", m.Run, m.Epoch, manifestSuffix))
}

// writeManifest writes and syncs the manifest of a change: from then on,
// the change happens.
func writeManifest(abs string, m *manifest, fault func(op, path string) error) error {
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	p := manifestPath(abs, m)
	if fault != nil {
		if err := fault("manifest", p); err != nil {
			return fmt.Errorf("lake: writing manifest %s: %w", p, err)
		}
	}
	if err := writeAtomic(p, data); err != nil {
		return fmt.Errorf("lake: writing manifest %s: %w", p, err)
	}
	return nil
}
