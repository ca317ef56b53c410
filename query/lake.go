package query

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

// TableKind says where a table lives in the lake.
type TableKind string

// The kinds of table, by the lake's top-level folder.
const (
	KindLogs        TableKind = "logs"         // <lake>/logs/<table>/
	KindAlerts      TableKind = "alerts"       // <lake>/alerts/
	KindRuleMatches TableKind = "rule_matches" // <lake>/rule_matches/
	KindCompliance  TableKind = "compliance"   // <lake>/compliance/ (panther scan)
)

// Table is one table of the lake, found by listing directories.
type Table struct {
	Name string // the log type's table ("aws_cloudtrail"), "alerts" or "rule_matches"
	Kind TableKind
	Dir  string // absolute directory holding year=YYYY/...
}

// Partition is one hour directory of a table and its Parquet files.
type Partition struct {
	Hour  time.Time // start of the hour, UTC
	Files []string  // absolute paths, sorted
	Bytes int64
}

// LakeError is a lake that cannot be searched (missing, not a directory).
type LakeError struct {
	Dir string
	Err error
}

func (e *LakeError) Error() string {
	return fmt.Sprintf("lake %s: %v", e.Dir, e.Err)
}

func (e *LakeError) Unwrap() error { return e.Err }

// DiscoverTables lists the tables of the lake at dir: every directory
// under logs/ whose name is a valid table name, then alerts, rule_matches
// and compliance when present. It opens no Parquet file. An empty lake has
// no tables and is not an error; a missing one is a *LakeError.
func DiscoverTables(dir string) ([]Table, error) {
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
	var tables []Table
	ents, err := os.ReadDir(filepath.Join(abs, string(KindLogs)))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, &LakeError{Dir: dir, Err: err}
	}
	for _, e := range ents {
		if e.IsDir() && validTableName(e.Name()) {
			tables = append(tables, Table{Name: e.Name(), Kind: KindLogs, Dir: filepath.Join(abs, string(KindLogs), e.Name())})
		}
	}
	for _, k := range []TableKind{KindAlerts, KindRuleMatches, KindCompliance} {
		d := filepath.Join(abs, string(k))
		if fi, err := os.Stat(d); err == nil && fi.IsDir() {
			tables = append(tables, Table{Name: string(k), Kind: k, Dir: d})
		}
	}
	return tables, nil
}

// validTableName accepts the names parsers.TableName makes: lower-case
// letters, digits and underscores, not starting with a digit.
func validTableName(s string) bool {
	if s == "" || s[0] >= '0' && s[0] <= '9' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// Partitions lists the hour partitions of t that overlap r, oldest first,
// pruning by directory name only: a partition outside r is never listed,
// let alone opened. Files are the *.parquet files of the partition; names
// starting with '.' or '_' are in-flight temporary files and skipped.
func (t Table) Partitions(r TimeRange) ([]Partition, error) {
	var out []Partition
	years, err := partDirs(t.Dir, "year")
	if err != nil {
		return nil, err
	}
	for _, y := range years {
		if !r.From.IsZero() && y.n < r.From.Year() || !r.To.IsZero() && y.n > r.To.Year() {
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
			if !r.overlaps(mstart, mstart.AddDate(0, 1, 0)) {
				continue
			}
			days, err := partDirs(m.path, "day")
			if err != nil {
				return nil, err
			}
			for _, d := range days {
				dstart := time.Date(y.n, time.Month(m.n), d.n, 0, 0, 0, 0, time.UTC)
				if d.n < 1 || dstart.Month() != time.Month(m.n) || !r.overlaps(dstart, dstart.AddDate(0, 0, 1)) {
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
					if !r.overlapsHour(hstart) {
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

func (r TimeRange) overlaps(start, end time.Time) bool {
	return (r.To.IsZero() || start.Before(r.To)) && (r.From.IsZero() || end.After(r.From))
}

type partDir struct {
	n    int
	path string
}

// partDirs lists the key=N subdirectories of dir, sorted by N. Other
// entries are not part of the layout and are ignored.
func partDirs(dir, key string) ([]partDir, error) {
	ents, err := os.ReadDir(dir)
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

func listParquet(dir string) (Partition, error) {
	var p Partition
	ents, err := os.ReadDir(dir)
	if err != nil {
		return p, fmt.Errorf("listing %s: %w", dir, err)
	}
	for _, e := range ents {
		n := e.Name()
		if e.IsDir() || !strings.HasSuffix(n, ".parquet") || strings.HasPrefix(n, ".") || strings.HasPrefix(n, "_") {
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
