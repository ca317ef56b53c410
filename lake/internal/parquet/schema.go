package parquet

import (
	"fmt"
	"hash/fnv"
)

// Type is the type of a leaf column's values.
type Type uint8

// The leaf types and how they are stored: String (BYTE_ARRAY, UTF8),
// JSON (BYTE_ARRAY, JSON), Int64 (INT64, INT(64, signed)), Timestamp
// (INT64, TIMESTAMP(MICROS) not adjusted to UTC, which DuckDB reads as
// TIMESTAMP, as it writes it), Double (DOUBLE), Bool (BOOLEAN).
const (
	String Type = iota
	JSON
	Int64
	Timestamp
	Double
	Bool
)

// Physical types, converted types, repetitions, encodings, codecs and page
// types of parquet.thrift.
const (
	ptBoolean   = 0
	ptInt64     = 2
	ptDouble    = 5
	ptByteArray = 6

	ctUTF8            = 0
	ctList            = 3
	ctTimestampMicros = 10
	ctInt64           = 18
	ctJSON            = 19

	repRequired = 0
	repOptional = 1
	repRepeated = 2

	encPlain           = 0
	encPlainDictionary = 2
	encRLE             = 3

	codecZstd = 6

	pageData       = 0
	pageDictionary = 2
)

// Physical is the Parquet physical type of t's values.
func (t Type) physical() int32 {
	switch t {
	case Int64, Timestamp:
		return ptInt64
	case Double:
		return ptDouble
	case Bool:
		return ptBoolean
	}
	return ptByteArray
}

// Node is a column of a schema: a leaf of Type, a struct of Fields, or a
// list of Elem. Every node is optional (NULL is a value of every column);
// a list is Parquet's three-level list (optional group <name> (LIST) {
// repeated group list { optional <element> } }).
type Node struct {
	Name   string
	Type   Type
	Fields []Node // a struct when not nil
	Elem   *Node  // a list when not nil
}

// Leaf is a leaf column of a schema, in file order.
type Leaf struct {
	Path []string
	Type Type
	// MaxDef and MaxRep are the definition level of a present value and
	// the repetition level of the innermost list above (0: none).
	MaxDef, MaxRep uint8
}

// Schema is a compiled schema: its leaves and the schema part of the
// footer, which are the same for every file written with it.
type Schema struct {
	leaves   []Leaf
	elements []byte // the SchemaElements, the root first, depth first
	count    int    // how many
}

// NewSchema compiles the columns of a file, in order.
func NewSchema(columns []Node) (*Schema, error) {
	s := &Schema{}
	var w thriftWriter
	w.begin()
	w.i32(3, repRequired)
	w.string(4, "schema")
	w.i32(5, int32(len(columns)))
	w.end()
	s.count = 1
	for i := range columns {
		if err := s.add(&w, &columns[i], 0, 0, nil); err != nil {
			return nil, err
		}
	}
	s.elements = w.b
	return s, nil
}

func (s *Schema) add(w *thriftWriter, n *Node, def, rep uint8, path []string) error {
	if n.Name == "" {
		return fmt.Errorf("parquet: a column without a name")
	}
	path = append(path[:len(path):len(path)], n.Name)
	def++
	if def > 100 {
		return fmt.Errorf("parquet: column %v is nested too deep", path)
	}
	s.count++
	w.begin()
	switch {
	case n.Fields != nil:
		w.i32(3, repOptional)
		w.string(4, n.Name)
		w.i32(5, int32(len(n.Fields)))
		w.end()
		for i := range n.Fields {
			if err := s.add(w, &n.Fields[i], def, rep, path); err != nil {
				return err
			}
		}
		return nil
	case n.Elem != nil:
		w.i32(3, repOptional)
		w.string(4, n.Name)
		w.i32(5, 1)
		w.i32(6, ctList)
		w.structField(10)
		w.emptyStruct(3) // LIST
		w.end()
		w.end()
		s.count++
		w.begin()
		w.i32(3, repRepeated)
		w.string(4, "list")
		w.i32(5, 1)
		w.end()
		elem := *n.Elem
		elem.Name = "element"
		return s.add(w, &elem, def+1, rep+1, append(path, "list"))
	}
	w.i32(1, n.Type.physical())
	w.i32(3, repOptional)
	w.string(4, n.Name)
	switch n.Type {
	case String:
		w.i32(6, ctUTF8)
		w.structField(10)
		w.emptyStruct(1) // STRING
		w.end()
	case JSON:
		w.i32(6, ctJSON)
		w.structField(10)
		w.emptyStruct(12) // JSON
		w.end()
	case Int64:
		w.i32(6, ctInt64)
		w.structField(10)
		w.structField(10) // INTEGER
		w.byte(1, 64)
		w.bool(2, true)
		w.end()
		w.end()
	case Timestamp:
		w.i32(6, ctTimestampMicros)
		w.structField(10)
		w.structField(8) // TIMESTAMP
		w.bool(1, false)
		w.structField(2)
		w.emptyStruct(2) // MICROS
		w.end()
		w.end()
		w.end()
	case Double, Bool:
	default:
		return fmt.Errorf("parquet: column %v: unknown type %d", path, n.Type)
	}
	w.end()
	s.leaves = append(s.leaves, Leaf{Path: path, Type: n.Type, MaxDef: def, MaxRep: rep})
	return nil
}

// Leaves are the leaf columns, in file order: the ColumnData of a row
// group come in this order.
func (s *Schema) Leaves() []Leaf { return s.leaves }

// Fingerprint is 8 hex digits (FNV-1a, 32 bits) of the schema as the
// footer holds it: column names, types, nesting. Two files with the same
// fingerprint have the same columns and types.
func (s *Schema) Fingerprint() string {
	h := fnv.New32a()
	h.Write(s.elements)
	return fmt.Sprintf("%08x", h.Sum32())
}
