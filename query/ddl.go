package query

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"panther/parsers"
)

// DDL engines.
var DDLEngines = []string{"athena", "trino", "spark"}

// DDLOptions say where a distributed engine finds the lake.
type DDLOptions struct {
	Engine string // athena, trino or spark
	// Location is the lake's URI as the engine sees it
	// ("s3://bucket/lake"); "" is the local lake directory (file:...).
	Location string
	// Database is the schema the tables go in ("" = "panther").
	Database string
}

// DDL returns the statements that declare the lake's tables as external,
// partitioned Parquet tables of athena, trino or spark, one after the
// other, each ended by ";". Columns come from the log type's declared
// schema when the table is a known log type (no file is read), else from
// the files (DuckDB's union of their schemas).
func (e *Engine) DDL(ctx context.Context, o DDLOptions) (string, error) {
	if !slices.Contains(DDLEngines, o.Engine) {
		return "", fmt.Errorf("unknown engine %q (one of %s)", o.Engine, strings.Join(DDLEngines, ", "))
	}
	if o.Database == "" {
		o.Database = "panther"
	}
	base := strings.TrimSuffix(o.Location, "/")
	if base == "" {
		base = "file://" + filepath.ToSlash(e.lake)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "-- %s external tables for the panther lake at %s\n", o.Engine, base)
	switch o.Engine {
	case "athena", "spark":
		fmt.Fprintf(&b, "CREATE DATABASE IF NOT EXISTS %s;\n", hiveIdent(o.Database))
	case "trino":
		fmt.Fprintf(&b, "CREATE SCHEMA IF NOT EXISTS hive.%s;\n", trinoIdent(o.Database))
	}
	for _, n := range e.names {
		v := e.tables[n]
		cols, err := e.ddlColumns(ctx, v)
		if err != nil {
			return "", err
		}
		rel := string(v.Kind)
		if v.Kind == KindLogs {
			rel += "/" + v.Name
		}
		loc := base + "/" + rel + "/"
		b.WriteByte('\n')
		switch o.Engine {
		case "athena":
			athenaTable(&b, o.Database, v, cols, loc)
		case "trino":
			trinoTable(&b, o.Database, v, cols, loc)
		case "spark":
			sparkTable(&b, o.Database, v, cols, loc)
		}
	}
	return b.String(), nil
}

type ddlColumn struct {
	name string
	typ  *parsers.Type
}

var partitionCols = []string{"year", "month", "day", "hour"}

func (e *Engine) ddlColumns(ctx context.Context, v *table) ([]ddlColumn, error) {
	var out []ddlColumn
	if v.Kind == KindLogs && e.logType(v.Name) != nil {
		for _, c := range e.knownColumns(v.Table) {
			t, err := parsers.ParseType(c.Type)
			if err != nil {
				return nil, fmt.Errorf("table %s column %s: %w", v.Name, c.Name, err)
			}
			out = append(out, ddlColumn{c.Name, t})
		}
		return out, nil
	}
	infos, err := e.Describe(ctx, v.Name)
	if err != nil {
		return nil, err
	}
	for _, c := range infos {
		if slices.Contains(partitionCols, c.Name) {
			continue
		}
		out = append(out, ddlColumn{c.Name, duckType(c.Type)})
	}
	return out, nil
}

// duckType maps a DuckDB type name to the portable types, plus the Hive
// integer widths (int, smallint, tinyint) a file may hold; what has no
// portable equivalent (maps, unions, blobs, dates) becomes string.
func duckType(s string) *parsers.Type {
	t, rest := parseDuckType(strings.TrimSpace(s))
	if strings.TrimSpace(rest) != "" {
		return &parsers.Type{Kind: "string"}
	}
	return t
}

func parseDuckType(s string) (*parsers.Type, string) {
	switch {
	case strings.HasPrefix(s, "STRUCT("):
		t := &parsers.Type{Kind: "struct"}
		rest := s[len("STRUCT("):]
		for {
			rest = strings.TrimLeft(rest, " ")
			var name string
			if strings.HasPrefix(rest, `"`) {
				end := 1
				for end < len(rest) && !(rest[end] == '"' && (end+1 >= len(rest) || rest[end+1] != '"')) {
					if rest[end] == '"' {
						end++
					}
					end++
				}
				name = strings.ReplaceAll(rest[1:min(end, len(rest))], `""`, `"`)
				rest = rest[min(end+1, len(rest)):]
			} else {
				i := strings.IndexByte(rest, ' ')
				if i < 0 {
					return &parsers.Type{Kind: "string"}, ""
				}
				name, rest = rest[:i], rest[i:]
			}
			ft, r := parseDuckType(strings.TrimLeft(rest, " "))
			t.Fields = append(t.Fields, parsers.StructField{Name: name, Type: ft})
			rest = strings.TrimLeft(r, " ")
			if strings.HasPrefix(rest, ",") {
				rest = rest[1:]
				continue
			}
			rest = strings.TrimPrefix(rest, ")")
			return wrapLists(t, rest)
		}
	case strings.HasPrefix(s, "MAP("), strings.HasPrefix(s, "UNION("), strings.HasPrefix(s, "DECIMAL("):
		depth, i := 0, 0
		for i < len(s) {
			if s[i] == '(' {
				depth++
			} else if s[i] == ')' {
				depth--
				if depth == 0 {
					i++
					break
				}
			}
			i++
		}
		kind := "string"
		if strings.HasPrefix(s, "DECIMAL(") {
			kind = "double"
		}
		return wrapLists(&parsers.Type{Kind: kind}, s[i:])
	}
	end := len(s)
	for i := 0; i < len(s); i++ {
		if s[i] == ',' || s[i] == ')' || s[i] == '[' {
			end = i
			break
		}
	}
	name := strings.TrimSpace(s[:end])
	kind := "string"
	switch name {
	case "BIGINT", "UINTEGER", "UBIGINT", "HUGEINT":
		kind = "bigint"
	case "INTEGER", "USMALLINT":
		kind = "int" // Parquet INT32: Spark will not read it as bigint
	case "SMALLINT", "UTINYINT":
		kind = "smallint"
	case "TINYINT":
		kind = "tinyint"
	case "DOUBLE", "FLOAT":
		kind = "double"
	case "BOOLEAN":
		kind = "boolean"
	case "TIMESTAMP", "TIMESTAMP WITH TIME ZONE", "TIMESTAMP_MS", "TIMESTAMP_NS", "TIMESTAMP_S":
		kind = "timestamp"
	case "JSON":
		kind = "json"
	}
	return wrapLists(&parsers.Type{Kind: kind}, s[end:])
}

func wrapLists(t *parsers.Type, rest string) (*parsers.Type, string) {
	for strings.HasPrefix(rest, "[]") {
		t = &parsers.Type{Kind: "array", Elem: t}
		rest = rest[2:]
	}
	return t, rest
}

func hiveIdent(s string) string { return "`" + strings.ReplaceAll(s, "`", "``") + "`" }

func trinoIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

func sqlLit(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// yearRange is the range of year partitions, for Athena's projection.
func (v *table) yearRange() (int, int) {
	if len(v.parts) == 0 {
		return 2020, 2030
	}
	return v.parts[0].Hour.Year(), v.parts[len(v.parts)-1].Hour.Year() + 5
}

func athenaTable(b *strings.Builder, db string, v *table, cols []ddlColumn, loc string) {
	fmt.Fprintf(b, "CREATE EXTERNAL TABLE IF NOT EXISTS %s.%s (\n", hiveIdent(db), hiveIdent(v.Name))
	for i, c := range cols {
		sep := ","
		if i == len(cols)-1 {
			sep = ""
		}
		fmt.Fprintf(b, "  %s %s%s\n", hiveIdent(c.name), c.typ.Hive(), sep)
	}
	lo, hi := v.yearRange()
	fmt.Fprintf(b, `)
PARTITIONED BY (%s int, %s int, %s int, %s int)
STORED AS PARQUET
LOCATION %s
TBLPROPERTIES (
  'parquet.compression' = 'ZSTD',
  'projection.enabled' = 'true',
  'projection.year.type' = 'integer', 'projection.year.range' = '%d,%d',
  'projection.month.type' = 'integer', 'projection.month.range' = '1,12', 'projection.month.digits' = '2',
  'projection.day.type' = 'integer', 'projection.day.range' = '1,31', 'projection.day.digits' = '2',
  'projection.hour.type' = 'integer', 'projection.hour.range' = '0,23', 'projection.hour.digits' = '2',
  'storage.location.template' = %s
);
`, hiveIdent("year"), hiveIdent("month"), hiveIdent("day"), hiveIdent("hour"), sqlLit(loc), lo, hi,
		sqlLit(loc+"year=${year}/month=${month}/day=${day}/hour=${hour}"))
}

func sparkTable(b *strings.Builder, db string, v *table, cols []ddlColumn, loc string) {
	name := hiveIdent(db) + "." + hiveIdent(v.Name)
	fmt.Fprintf(b, "CREATE TABLE IF NOT EXISTS %s (\n", name)
	for _, c := range cols {
		fmt.Fprintf(b, "  %s %s,\n", hiveIdent(c.name), c.typ.Hive())
	}
	fmt.Fprintf(b, "  `year` INT,\n  `month` INT,\n  `day` INT,\n  `hour` INT\n)\nUSING PARQUET\nPARTITIONED BY (`year`, `month`, `day`, `hour`)\nLOCATION %s;\n", sqlLit(loc))
	fmt.Fprintf(b, "MSCK REPAIR TABLE %s;\n", name)
}

func trinoTable(b *strings.Builder, db string, v *table, cols []ddlColumn, loc string) {
	fmt.Fprintf(b, "CREATE TABLE IF NOT EXISTS hive.%s.%s (\n", trinoIdent(db), trinoIdent(v.Name))
	for _, c := range cols {
		fmt.Fprintf(b, "  %s %s,\n", trinoIdent(c.name), trinoType(c.typ))
	}
	fmt.Fprintf(b, "  \"year\" integer,\n  \"month\" integer,\n  \"day\" integer,\n  \"hour\" integer\n)\nWITH (\n  format = 'PARQUET',\n  external_location = %s,\n  partitioned_by = ARRAY['year', 'month', 'day', 'hour']\n);\n", sqlLit(loc))
	fmt.Fprintf(b, "CALL hive.system.sync_partition_metadata(%s, %s, 'ADD');\n", sqlLit(db), sqlLit(v.Name))
}

// trinoType renders t in Trino's syntax; json is varchar (Trino's json
// type does not read a Parquet string).
func trinoType(t *parsers.Type) string {
	switch t.Kind {
	case "string", "json":
		return "varchar"
	case "timestamp":
		return "timestamp(6)"
	case "int":
		return "integer"
	case "array":
		return "array(" + trinoType(t.Elem) + ")"
	case "struct":
		parts := make([]string, len(t.Fields))
		for i, f := range t.Fields {
			parts[i] = trinoIdent(f.Name) + " " + trinoType(f.Type)
		}
		return "row(" + strings.Join(parts, ", ") + ")"
	}
	return t.Kind
}
