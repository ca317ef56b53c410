package parsers

import (
	"fmt"
	"strings"

	"panther/parsers/event"
)

// Type is a parsed column type.
type Type struct {
	Kind   string // string bigint double boolean timestamp json array struct
	Elem   *Type  // array element
	Fields []StructField
}

// StructField is one field of a struct type.
type StructField struct {
	Name string
	Type *Type
}

var scalarTypes = map[string]bool{
	"string": true, "bigint": true, "double": true, "boolean": true, "timestamp": true, "json": true,
}

// ParseType parses a type in Hive syntax (see Column).
func ParseType(s string) (*Type, error) {
	t, rest, err := parseType(strings.TrimSpace(s))
	if err != nil {
		return nil, fmt.Errorf("type %q: %w", s, err)
	}
	if strings.TrimSpace(rest) != "" {
		return nil, fmt.Errorf("type %q: unexpected %q", s, rest)
	}
	return t, nil
}

func parseType(s string) (*Type, string, error) {
	s = strings.TrimLeft(s, " ")
	name := s
	if i := strings.IndexAny(s, "<>,: "); i >= 0 {
		name = s[:i]
	}
	rest := s[len(name):]
	lname := strings.ToLower(name)
	switch {
	case scalarTypes[lname]:
		return &Type{Kind: lname}, rest, nil
	case lname == "array":
		if !strings.HasPrefix(rest, "<") {
			return nil, rest, fmt.Errorf("array needs <element type>")
		}
		elem, rest, err := parseType(rest[1:])
		if err != nil {
			return nil, rest, err
		}
		rest = strings.TrimLeft(rest, " ")
		if !strings.HasPrefix(rest, ">") {
			return nil, rest, fmt.Errorf("array: missing >")
		}
		return &Type{Kind: "array", Elem: elem}, rest[1:], nil
	case lname == "struct":
		if !strings.HasPrefix(rest, "<") {
			return nil, rest, fmt.Errorf("struct needs <name:type,...>")
		}
		rest = rest[1:]
		t := &Type{Kind: "struct"}
		for {
			rest = strings.TrimLeft(rest, " ")
			i := strings.IndexByte(rest, ':')
			if i <= 0 {
				return nil, rest, fmt.Errorf("struct: expected name:type")
			}
			fname := strings.TrimSpace(rest[:i])
			ft, r, err := parseType(rest[i+1:])
			if err != nil {
				return nil, r, err
			}
			t.Fields = append(t.Fields, StructField{Name: fname, Type: ft})
			rest = strings.TrimLeft(r, " ")
			if strings.HasPrefix(rest, ",") {
				rest = rest[1:]
				continue
			}
			if strings.HasPrefix(rest, ">") {
				return t, rest[1:], nil
			}
			return nil, rest, fmt.Errorf("struct: expected , or >")
		}
	}
	return nil, s, fmt.Errorf("unknown type %q (string, bigint, double, boolean, timestamp, json, array<T>, struct<name:T,...>)", name)
}

// Hive renders t in Hive syntax (Athena, Spark); json becomes string there.
func (t *Type) Hive() string {
	switch t.Kind {
	case "json":
		return "string"
	case "array":
		return "array<" + t.Elem.Hive() + ">"
	case "struct":
		parts := make([]string, len(t.Fields))
		for i, f := range t.Fields {
			parts[i] = "`" + f.Name + "`:" + f.Type.Hive()
		}
		return "struct<" + strings.Join(parts, ",") + ">"
	}
	return t.Kind
}

// DuckDB renders t as a DuckDB type.
func (t *Type) DuckDB() string {
	switch t.Kind {
	case "string":
		return "VARCHAR"
	case "bigint":
		return "BIGINT"
	case "double":
		return "DOUBLE"
	case "boolean":
		return "BOOLEAN"
	case "timestamp":
		return "TIMESTAMP"
	case "json":
		return "JSON"
	case "array":
		return t.Elem.DuckDB() + "[]"
	case "struct":
		parts := make([]string, len(t.Fields))
		for i, f := range t.Fields {
			parts[i] = `"` + strings.ReplaceAll(f.Name, `"`, `""`) + `" ` + f.Type.DuckDB()
		}
		return "STRUCT(" + strings.Join(parts, ", ") + ")"
	}
	return "VARCHAR"
}

// StandardColumns are the p_ columns of every table, in order. p_extra holds
// the source fields a schema does not declare, as a JSON object.
func StandardColumns() []Column {
	cols := []Column{
		{Name: event.FieldLogType, Type: "string", Description: "log type"},
		{Name: event.FieldEventTime, Type: "timestamp", Description: "event time, UTC"},
		{Name: event.FieldParseTime, Type: "timestamp", Description: "parse time, UTC"},
		{Name: event.FieldRowID, Type: "string", Description: "row id, deterministic from source and position"},
		{Name: event.FieldSourceFile, Type: "string", Description: "source file"},
		{Name: event.FieldSourceLabel, Type: "string", Description: "source label"},
	}
	for k := event.Kind(0); k < event.NumKinds; k++ {
		cols = append(cols, Column{Name: k.Field(), Type: "array<string>", Description: k.String() + " indicators"})
	}
	return append(cols, Column{Name: "p_extra", Type: "json", Description: "source fields not in the schema"})
}
