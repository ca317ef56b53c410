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

// Table is one table present in a lake.
type Table struct {
	Name string // "aws_cloudtrail", "alerts", "rule_matches"
	// Logs is true for a log type's table (under logs/); others are the
	// lake's top-level folders.
	Logs bool
	Dir  string // the table's folder, holding year=YYYY/...
	// Partitions are the hours that hold files, oldest first.
	Partitions []Partition
}

// Partition is one hour of a table.
type Partition struct {
	Hour  time.Time // start of the hour, UTC
	Dir   string
	Files []string // the Parquet files, sorted
	Bytes int64
}

// Glob matches every Parquet file of the table, for read_parquet.
func (t Table) Glob() string {
	return filepath.Join(t.Dir, "year=*", "month=*", "day=*", "hour=*", "*.parquet")
}

// FilesBetween lists the files of the partitions that overlap [from, to);
// a zero bound is open.
func (t Table) FilesBetween(from, to time.Time) []string {
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

// List returns the tables of the lake at dir with their partitions,
// sorted by name (log tables first). It reads directories only, never a
// Parquet file, and skips what Hive-style readers skip: names starting
// with '.' or '_' (the writer's staging and ledger) and folders that are
// not partitions. A missing lake is an error; an empty one is not.
func List(dir string) ([]Table, error) {
	if _, err := os.Stat(dir); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("lake %s does not exist", dir)
		}
		return nil, fmt.Errorf("lake %s: %w", dir, err)
	}
	var out []Table
	logs, err := subdirs(filepath.Join(dir, "logs"))
	if err != nil {
		return nil, err
	}
	for _, name := range logs {
		t, err := listTable(filepath.Join(dir, "logs", name), name, true)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	top, err := subdirs(dir)
	if err != nil {
		return nil, err
	}
	for _, name := range top {
		if name == "logs" {
			continue
		}
		t, err := listTable(filepath.Join(dir, name), name, false)
		if err != nil {
			return nil, err
		}
		if len(t.Partitions) > 0 {
			out = append(out, t)
		}
	}
	return out, nil
}

// subdirs lists the visible subdirectories of dir, sorted; a missing dir
// has none.
func subdirs(dir string) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("lake: listing %s: %w", dir, err)
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

func listTable(dir, name string, logs bool) (Table, error) {
	t := Table{Name: name, Logs: logs, Dir: dir}
	err := walkParts(dir, []string{"year", "month", "day", "hour"}, nil, func(vals []int, d string) error {
		hour := time.Date(vals[0], time.Month(vals[1]), vals[2], vals[3], 0, 0, 0, time.UTC)
		if hour.Year() != vals[0] || int(hour.Month()) != vals[1] || hour.Day() != vals[2] || hour.Hour() != vals[3] {
			return nil // not a real hour (month=13): not ours
		}
		ents, err := os.ReadDir(d)
		if err != nil {
			return fmt.Errorf("lake: listing %s: %w", d, err)
		}
		p := Partition{Hour: hour, Dir: d}
		for _, e := range ents {
			if e.IsDir() || hidden(e.Name()) || !strings.HasSuffix(e.Name(), ".parquet") {
				continue
			}
			if info, err := e.Info(); err == nil {
				p.Bytes += info.Size()
			}
			p.Files = append(p.Files, filepath.Join(d, e.Name()))
		}
		if len(p.Files) > 0 {
			slices.Sort(p.Files)
			t.Partitions = append(t.Partitions, p)
		}
		return nil
	})
	slices.SortFunc(t.Partitions, func(a, b Partition) int { return a.Hour.Compare(b.Hour) })
	return t, err
}

// walkParts visits the key=N folders below dir, one level per key.
func walkParts(dir string, keys []string, vals []int, visit func([]int, string) error) error {
	if len(keys) == 0 {
		return visit(vals, dir)
	}
	names, err := subdirs(dir)
	if err != nil {
		return err
	}
	for _, n := range names {
		v, ok := strings.CutPrefix(n, keys[0]+"=")
		if !ok {
			continue
		}
		i, err := strconv.Atoi(v)
		if err != nil {
			continue
		}
		if err := walkParts(filepath.Join(dir, n), keys[1:], append(vals, i), visit); err != nil {
			return err
		}
	}
	return nil
}
