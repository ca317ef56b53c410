package lake

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"strings"
	"sync/atomic"
	"time"

	"github.com/valyala/fastjson"

	"panther/parsers"
	"panther/parsers/event"
)

// table is a compiled table: where its files go, its columns, and how the
// converter reads its staged rows.
type table struct {
	name string // aws_cloudtrail, alerts
	rel  string // its folder under the lake: logs/aws_cloudtrail, alerts
	// root is the struct of the declared columns (without the p_ columns of
	// log tables, which are written from the event's typed fields).
	root *ctype
	logs bool // a log table: has the standard p_ columns
	// columns is every column in file order, for the converter.
	columns []parsers.Column
	ctypes  []*ctype
	// schema identifies the column list (names and DuckDB types).
	schema string
	// duckColumns is the columns={...} argument of read_json, selectList
	// what the converter selects from it, and timeColumn the staged column
	// that partitions: p_event_time for log tables; rowTimeColumn, which
	// is not kept in the files, for the others.
	duckColumns string
	selectList  string
	timeColumn  string
	rows        atomic.Int64 // rows written in this run
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
	reserved := map[string]bool{"p_extra": true, rowTimeColumn: true}
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
		t.columns = append(t.columns, c)
		t.ctypes = append(t.ctypes, ct)
	}
	h := sha256.New()
	for i, c := range t.columns {
		fmt.Fprintf(h, "%s\x00%s\x00", c.Name, t.ctypes[i].duck)
	}
	t.schema = hex.EncodeToString(h.Sum(nil))[:16]
	var b strings.Builder
	b.WriteByte('{')
	for i, c := range t.columns {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(sqlString(c.Name))
		b.WriteString(": ")
		b.WriteString(sqlString(t.ctypes[i].duck))
	}
	t.selectList, t.timeColumn = "*", event.FieldEventTime
	if !logs {
		fmt.Fprintf(&b, ", %s: 'TIMESTAMP'", sqlString(rowTimeColumn))
		t.selectList, t.timeColumn = fmt.Sprintf("* EXCLUDE (%q)", rowTimeColumn), rowTimeColumn
	}
	b.WriteByte('}')
	t.duckColumns = b.String()
	return t, nil
}

// rowTimeColumn holds the partition time of a staged WriteRow row.
const rowTimeColumn = "__lake_time"

// logTable compiles the table of a log type.
func logTable(lt *parsers.LogType) (*table, error) {
	name := lt.Table()
	t, err := compileTable(name, "logs/"+name, lt.Schema, true, lt)
	if err != nil {
		return nil, fmt.Errorf("log type %s: %w", lt.Name, err)
	}
	return t, nil
}

// encodeEvent appends e as one staged row: the declared columns that fit,
// the p_ columns, and p_extra with the rest.
func (enc *encoder) encodeEvent(dst []byte, t *table, e *event.Event) []byte {
	dst = append(dst, '{')
	extra := append(enc.extra[:0], '{')
	if e.Fields != nil {
		if o, err := e.Fields.Object(); err == nil {
			dst, extra = enc.members(dst, extra, t.root, o)
		}
	}
	str := func(name, v string) {
		if v != "" {
			dst = appendMember(dst, name)
			dst = appendString(dst, v)
		}
	}
	str(event.FieldLogType, e.LogType)
	dst = appendMember(dst, event.FieldEventTime)
	et, _ := eventTime(e)
	dst = appendTime(dst, et)
	if validTime(e.ParseTime) && !e.ParseTime.IsZero() {
		dst = appendMember(dst, event.FieldParseTime)
		dst = appendTime(dst, e.ParseTime)
	}
	str(event.FieldRowID, e.RowID)
	str(event.FieldSourceFile, e.SourceFile)
	str(event.FieldSourceLabel, e.SourceLabel)
	for k := event.Kind(0); k < event.NumKinds; k++ {
		l := e.Indicators[k]
		if len(l) == 0 {
			continue
		}
		dst = appendMember(dst, k.Field())
		dst = append(dst, '[')
		for i, s := range l {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendString(dst, s)
		}
		dst = append(dst, ']')
	}
	if len(extra) > 1 {
		dst = appendMember(dst, "p_extra")
		dst = append(dst, extra...)
		dst = append(dst, '}')
	}
	enc.extra = extra
	return append(dst, '}', '\n')
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

// encodeRow appends a row given as a JSON object (WriteRow) as one staged
// row, with its partition time ts.
func (enc *encoder) encodeRow(dst []byte, t *table, o *fastjson.Object, ts time.Time) []byte {
	dst = append(dst, '{')
	extra := append(enc.extra[:0], '{')
	dst, extra = enc.members(dst, extra, t.root, o)
	dst = appendMember(dst, rowTimeColumn)
	dst = appendTime(dst, ts)
	if len(extra) > 1 {
		dst = appendMember(dst, "p_extra")
		dst = append(dst, extra...)
		dst = append(dst, '}')
	}
	enc.extra = extra
	return append(dst, '}', '\n')
}

// sqlString quotes s as a SQL string literal.
func sqlString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
