package lake

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The one lister of the lake's layout, for the writer's maintenance
// (compaction, retention) and for search: it reads directories only,
// never a Parquet file, and skips what Hive-style readers skip.
//
//   - Tables are the folders under logs/ whose names are table names
//     (parsers.TableName's form: lower-case letters, digits, '_'), and the
//     top-level folders other than logs/ with such names that hold at
//     least one year=N folder, or nothing at all (a table that retention
//     emptied): alerts/, rule_matches/, other WriteRow tables; not the
//     lake package's own source folders when `make run` writes its lake
//     into ./lake.
//   - A partition is the folder year=Y/month=M/day=D/hour=H of a real
//     hour (months 1-12, days of that month, hours 0-23; numbers padded
//     or not), with at least one file.
//   - Files are the *.parquet files of a partition folder; names starting
//     with '.' or '_' are hidden (a writer's temporary files).
//
// What a reader may see of the files while a writer commits is Snapshot's
// business (snapshot.go).

// Table is one table present in a lake.
type Table struct {
	Name string // "aws_cloudtrail", "alerts", "rule_matches"
	// Logs is true for a log type's table (under logs/); others are the
	// lake's top-level folders.
	Logs bool
	Dir  string // the table's folder, holding year=YYYY/..., absolute
}

// Partition is one hour of a table.
type Partition struct {
	Hour  time.Time // start of the hour, UTC
	Dir   string
	Files []string // the Parquet files, absolute, sorted
	Bytes int64
}

// Glob matches every Parquet file of the table, for read_parquet.
func (t Table) Glob() string {
	return filepath.Join(t.Dir, "year=*", "month=*", "day=*", "hour=*", "*.parquet")
}

// LakeError is a lake that cannot be listed (missing, not a directory).
type LakeError struct {
	Dir string
	Err error
}

func (e *LakeError) Error() string { return fmt.Sprintf("lake %s: %v", e.Dir, e.Err) }

func (e *LakeError) Unwrap() error { return e.Err }

// Tables lists the tables of the lake at dir, log tables first, each
// group sorted by name. It opens no file. An empty lake has no tables and
// is not an error; a missing one is a *LakeError.
func Tables(dir string) ([]Table, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, &LakeError{Dir: dir, Err: err}
	}
	fi, err := os.Stat(abs)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, &LakeError{Dir: dir, Err: errors.New("no such directory (pass the directory that `panther replay` wrote its lake to)")}
	}
	if err != nil {
		return nil, &LakeError{Dir: dir, Err: err}
	}
	if !fi.IsDir() {
		return nil, &LakeError{Dir: dir, Err: errors.New("not a directory")}
	}
	var out []Table
	logs, err := subdirs(filepath.Join(abs, "logs"))
	if err != nil {
		return nil, &LakeError{Dir: dir, Err: err}
	}
	for _, name := range logs {
		if tableNameRE.MatchString(name) {
			out = append(out, Table{Name: name, Logs: true, Dir: filepath.Join(abs, "logs", name)})
		}
	}
	top, err := subdirs(abs)
	if err != nil {
		return nil, &LakeError{Dir: dir, Err: err}
	}
	for _, name := range top {
		if name == "logs" || !tableNameRE.MatchString(name) {
			continue
		}
		d := filepath.Join(abs, name)
		ents, err := os.ReadDir(d)
		if err != nil {
			return nil, &LakeError{Dir: dir, Err: err}
		}
		if len(ents) == 0 || slices.ContainsFunc(ents, func(e os.DirEntry) bool { return e.IsDir() && strings.HasPrefix(e.Name(), "year=") }) {
			out = append(out, Table{Name: name, Dir: d})
		}
	}
	return out, nil
}

// Partitions lists the hour partitions of t that overlap [from, to) (a
// zero bound is open), oldest first, pruning by folder name: a partition
// outside the range is never listed, let alone opened.
func (t Table) Partitions(from, to time.Time) ([]Partition, error) {
	overlaps := func(start, end time.Time) bool {
		return (to.IsZero() || start.Before(to)) && (from.IsZero() || end.After(from))
	}
	var out []Partition
	years, err := partDirs(t.Dir, "year")
	if err != nil {
		return nil, err
	}
	for _, y := range years {
		if y.n < 1 || y.n > 9999 || !overlaps(time.Date(y.n, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(y.n+1, 1, 1, 0, 0, 0, 0, time.UTC)) {
			continue
		}
		months, err := partDirs(y.path, "month")
		if err != nil {
			return nil, err
		}
		for _, m := range months {
			if m.n < 1 || m.n > 12 {
				continue
			}
			mstart := time.Date(y.n, time.Month(m.n), 1, 0, 0, 0, 0, time.UTC)
			if !overlaps(mstart, mstart.AddDate(0, 1, 0)) {
				continue
			}
			days, err := partDirs(m.path, "day")
			if err != nil {
				return nil, err
			}
			for _, d := range days {
				dstart := time.Date(y.n, time.Month(m.n), d.n, 0, 0, 0, 0, time.UTC)
				if d.n < 1 || dstart.Month() != time.Month(m.n) || !overlaps(dstart, dstart.AddDate(0, 0, 1)) {
					continue
				}
				hours, err := partDirs(d.path, "hour")
				if err != nil {
					return nil, err
				}
				for _, h := range hours {
					if h.n < 0 || h.n > 23 {
						continue
					}
					hstart := dstart.Add(time.Duration(h.n) * time.Hour)
					if !overlaps(hstart, hstart.Add(time.Hour)) {
						continue
					}
					p, err := listParquet(h.path)
					if err != nil {
						return nil, err
					}
					if len(p.Files) > 0 {
						p.Hour = hstart
						out = append(out, p)
					}
				}
			}
		}
	}
	return out, nil
}

// List returns the tables of the lake at dir with all their partitions.
func List(dir string) ([]TableFiles, error) {
	tables, err := Tables(dir)
	if err != nil {
		return nil, err
	}
	out := make([]TableFiles, len(tables))
	for i, t := range tables {
		out[i].Table = t
		if out[i].Partitions, err = t.Partitions(time.Time{}, time.Time{}); err != nil {
			return nil, &LakeError{Dir: dir, Err: err}
		}
	}
	return out, nil
}

// TableFiles is a table and its partitions (in a range).
type TableFiles struct {
	Table
	Partitions []Partition
}

// FilesBetween lists the files of the partitions that overlap [from, to);
// a zero bound is open.
func (t TableFiles) FilesBetween(from, to time.Time) []string {
	var out []string
	for _, p := range t.Partitions {
		end := p.Hour.Add(time.Hour)
		if (!from.IsZero() && !end.After(from)) || (!to.IsZero() && !p.Hour.Before(to)) {
			continue
		}
		out = append(out, p.Files...)
	}
	return out
}

// Files lists the files of every partition.
func (t TableFiles) Files() []string {
	var out []string
	for _, p := range t.Partitions {
		out = append(out, p.Files...)
	}
	return out
}

// subdirs lists the visible subdirectories of dir, sorted; a missing dir
// has none.
func subdirs(dir string) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("listing %s: %w", dir, err)
	}
	var out []string
	for _, e := range ents {
		if e.IsDir() && !hidden(e.Name()) {
			out = append(out, e.Name())
		}
	}
	return out, nil
}

func hidden(name string) bool { return strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") }

type partDir struct {
	n    int
	path string
}

// partDirs lists the key=N subdirectories of dir, sorted by N. Other
// entries are not part of the layout and are ignored; a folder that
// vanished (pruned while listed) has none.
func partDirs(dir, key string) ([]partDir, error) {
	ents, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("listing %s: %w", dir, err)
	}
	var out []partDir
	for _, e := range ents {
		v, ok := strings.CutPrefix(e.Name(), key+"=")
		if !ok || !e.IsDir() {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			continue
		}
		out = append(out, partDir{n: n, path: filepath.Join(dir, e.Name())})
	}
	slices.SortFunc(out, func(a, b partDir) int { return a.n - b.n })
	return out, nil
}

// listParquet lists the visible Parquet files of a partition folder.
func listParquet(dir string) (Partition, error) {
	p := Partition{Dir: dir}
	ents, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return p, nil
	}
	if err != nil {
		return p, fmt.Errorf("listing %s: %w", dir, err)
	}
	for _, e := range ents {
		n := e.Name()
		if e.IsDir() || !strings.HasSuffix(n, ".parquet") || hidden(n) {
			continue
		}
		if info, err := e.Info(); err == nil {
			p.Bytes += info.Size()
		}
		p.Files = append(p.Files, filepath.Join(dir, n))
	}
	slices.Sort(p.Files)
	return p, nil
}

// partitionOf parses a file's path relative to the lake (slashes) into
// its table folder and hour: "logs/aws_cloudtrail/year=2024/month=03/
// day=01/hour=05/x.parquet" is ("logs/aws_cloudtrail", 2024-03-01T05).
func partitionOf(rel string) (table string, hour time.Time, ok bool) {
	parts := strings.Split(rel, "/")
	if len(parts) < 6 {
		return "", time.Time{}, false
	}
	n := len(parts)
	vals := make([]int, 4)
	for i, key := range []string{"year", "month", "day", "hour"} {
		v, found := strings.CutPrefix(parts[n-5+i], key+"=")
		if !found {
			return "", time.Time{}, false
		}
		x, err := strconv.Atoi(v)
		if err != nil {
			return "", time.Time{}, false
		}
		vals[i] = x
	}
	hour = time.Date(vals[0], time.Month(vals[1]), vals[2], vals[3], 0, 0, 0, time.UTC)
	return strings.Join(parts[:n-5], "/"), hour, true
}
