package lake

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"time"

	"panther/lake/internal/parquet"
	"panther/parsers"
	"panther/parsers/event"
)

// table is a compiled table: where its files go, its columns and their
// Parquet layout.
type table struct {
	name string // aws_cloudtrail, alerts
	rel  string // its folder under the lake: logs/aws_cloudtrail, alerts
	// root is the struct of the declared columns (without the p_ columns of
	// log tables, which are written from the event's typed fields).
	root *ctype
	logs bool // a log table: has the standard p_ columns
	// columns is every column in file order, ctypes their types, schema
	// the Parquet schema of its files.
	columns []parsers.Column
	ctypes  []*ctype
	schema  *parquet.Schema
	// fingerprint names the schema in file names (see FileFingerprint).
	fingerprint string
	// std says what fills each column after the declared ones: an event's
	// typed field (log tables), p_extra.
	std []stdColumn
	// srcCol is the index of the column that names a row's source
	// (p_source_file), -1 when the table has none; sourceOf reads it.
	srcCol int
	// rowOverhead is what a row costs in memory besides its values: a
	// definition level a leaf column, at least.
	rowOverhead int64
	rows        atomic.Int64 // rows written in this run
}

// stdColumn is what fills a standard column: stdIndicators+k is the list
// of indicators of kind k.
type stdColumn int

const (
	stdLogType stdColumn = iota
	stdEventTime
	stdParseTime
	stdRowID
	stdSourceFile
	stdSourceLabel
	stdExtra
	stdIndicators
)

// stdColumnOf tells what fills the standard column name.
func stdColumnOf(name string) (stdColumn, bool) {
	switch name {
	case event.FieldLogType:
		return stdLogType, true
	case event.FieldEventTime:
		return stdEventTime, true
	case event.FieldParseTime:
		return stdParseTime, true
	case event.FieldRowID:
		return stdRowID, true
	case event.FieldSourceFile:
		return stdSourceFile, true
	case event.FieldSourceLabel:
		return stdSourceLabel, true
	case "p_extra":
		return stdExtra, true
	}
	if k, ok := event.KindByName(name); ok && k.Field() == name {
		return stdIndicators + stdColumn(k), true
	}
	return 0, false
}

// hiveKeys are the partition keys of the layout. A reader with
// hive_partitioning (DuckDB, Athena, Spark) takes a column of the same name
// (in any case) from the path, not from the file, so such a column would
// read back wrong: it is kept in p_extra instead.
var hiveKeys = map[string]bool{"year": true, "month": true, "day": true, "hour": true}

// tableNameRE is what a table name may be: what parsers.TableName makes of
// a log type name, and what search accepts as a view name.
var tableNameRE = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// compileTable compiles the columns of a table. For log tables the p_
// columns are added after the declared ones; p_extra is always last.
func compileTable(name, rel string, decl []parsers.Column, logs bool, lt *parsers.LogType) (*table, error) {
	if !tableNameRE.MatchString(name) {
		return nil, fmt.Errorf("table name %q: use lower-case letters, digits and _, starting with a letter", name)
	}
	t := &table{name: name, rel: rel, logs: logs, root: &ctype{kind: kStruct, index: map[string]int{}}}
	timeFormats := map[string]parsers.TimeFormat{}
	if lt != nil {
		for _, tf := range lt.TimeFields {
			name := strings.TrimPrefix(strings.TrimPrefix(tf.Path, "$"), ".")
			if _, seen := timeFormats[name]; seen {
				continue
			}
			if f, err := parsers.ParseTimeFormat(tf.Format); err == nil {
				timeFormats[name] = f
			}
		}
	}
	lower := map[string]string{}
	reserved := map[string]bool{"p_extra": true}
	if logs {
		for _, c := range parsers.StandardColumns() {
			reserved[c.Name] = true
		}
	}
	for _, c := range decl {
		if hiveKeys[strings.ToLower(c.Name)] || c.Name == "" {
			continue
		}
		if reserved[c.Name] || (logs && strings.HasPrefix(strings.ToLower(c.Name), "p_")) {
			return nil, fmt.Errorf("table %s: column %q: the name is reserved for a standard column", name, c.Name)
		}
		if prev, dup := lower[strings.ToLower(c.Name)]; dup {
			return nil, fmt.Errorf("table %s: columns %q and %q differ only in case, which DuckDB and Parquet readers cannot tell apart", name, prev, c.Name)
		}
		lower[strings.ToLower(c.Name)] = c.Name
		pt, err := parsers.ParseType(c.Type)
		if err != nil {
			return nil, fmt.Errorf("table %s: column %s: %w", name, c.Name, err)
		}
		ct, err := compileType(pt)
		if err != nil {
			return nil, fmt.Errorf("table %s: column %s: %w", name, c.Name, err)
		}
		if ct.kind == kTime {
			ct.timeFmt = timeFormats[c.Name]
		}
		t.root.index[c.Name] = len(t.root.fields)
		t.root.fields = append(t.root.fields, newField(c.Name, ct))
		t.columns = append(t.columns, parsers.Column{Name: c.Name, Type: c.Type, Description: c.Description})
		t.ctypes = append(t.ctypes, ct)
	}
	t.root.next = make([]atomic.Int32, len(t.root.fields)+1)
	std := []parsers.Column{{Name: "p_extra", Type: "json", Description: "fields not in the schema"}}
	if logs {
		std = parsers.StandardColumns()
	}
	for _, c := range std {
		pt, err := parsers.ParseType(c.Type)
		if err != nil {
			return nil, err
		}
		ct, err := compileType(pt)
		if err != nil {
			return nil, err
		}
		src, ok := stdColumnOf(c.Name)
		if !ok {
			return nil, fmt.Errorf("table %s: the lake does not know what fills the standard column %s", name, c.Name)
		}
		t.columns = append(t.columns, c)
		t.ctypes = append(t.ctypes, ct)
		t.std = append(t.std, src)
	}
	t.srcCol = -1
	t.root.def = 0
	nodes := make([]parquet.Node, len(t.columns))
	leaves := 0
	for i, c := range t.columns {
		if c.Name == event.FieldSourceFile && t.ctypes[i].kind == kString {
			t.srcCol = i
		}
		layout(&leaves, t.ctypes[i], 0, 0)
		nodes[i] = node(c.Name, t.ctypes[i])
	}
	var err error
	if t.schema, err = parquet.NewSchema(nodes); err != nil {
		return nil, fmt.Errorf("table %s: %w", name, err)
	}
	t.rowOverhead = int64(leaves)
	t.fingerprint = t.schema.Fingerprint()
	return t, nil
}

// logTable compiles the table of a log type.
func logTable(lt *parsers.LogType) (*table, error) {
	name := lt.Table()
	t, err := compileTable(name, "logs/"+name, lt.Schema, true, lt)
	if err != nil {
		return nil, fmt.Errorf("log type %s: %w", lt.Name, err)
	}
	return t, nil
}

// eventTime is the time that partitions e: p_event_time, or p_parse_time
// when the event time is unset or outside years 1-9999; false when neither
// is usable.
func eventTime(e *event.Event) (time.Time, bool) {
	if !e.Time.IsZero() && validTime(e.Time) {
		return e.Time.UTC(), true
	}
	if !e.ParseTime.IsZero() && validTime(e.ParseTime) {
		return e.ParseTime.UTC(), true
	}
	return time.Time{}, false
}

// FileFingerprint returns the schema fingerprint a lake file's name ends
// with (<run>-<seq>-<fingerprint>.parquet: 8 hex digits of the schema as
// the footer holds it, column names, types, nesting; files whose names end
// with the same one have the same columns and types, so a reader can tell
// from a listing alone that it may read them without union_by_name, whose
// binding reads every footer first: search does, see query's package doc), and false for a name without one (a file of another writer, or of
// a lake written before fingerprints).
func FileFingerprint(name string) (string, bool) {
	base, ok := strings.CutSuffix(filepath.Base(name), ".parquet")
	i := strings.LastIndexByte(base, '-')
	if !ok || i < 0 || len(base)-i-1 != 8 {
		return "", false
	}
	fp := base[i+1:]
	for _, c := range fp {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return "", false
		}
	}
	return fp, true
}
