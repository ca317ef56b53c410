package lake

import (
	"testing"

	"panther/parsers"
)

// The levels the shredder writes (layout, on the compiled types) are
// those the Parquet schema declares (parquet.NewSchema), for every column
// of every shipped log type and of the alerts and rule_matches tables.
func TestLayoutMatchesSchema(t *testing.T) {
	reg := testRegistry(t)
	var tables []*table
	for _, lt := range reg.All() {
		tb, err := logTable(lt)
		if err != nil {
			t.Fatal(err)
		}
		tables = append(tables, tb)
	}
	rowTable, err := compileTable("rows", "rows", []parsers.Column{
		{Name: "a", Type: "array<struct<b:array<string>,c:bigint>>"}, {Name: "d", Type: "struct<e:struct<f:double>>"},
	}, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	tables = append(tables, rowTable)
	for _, tb := range tables {
		leaves := tb.schema.Leaves()
		n := 0
		var walk func(c *ctype, rep uint8)
		walk = func(c *ctype, rep uint8) {
			switch c.kind {
			case kStruct:
				for _, f := range c.fields {
					walk(f.t, rep)
				}
			case kArray:
				walk(c.elem, c.rep)
			default:
				if c.leaf != n {
					t.Fatalf("%s: leaf %d numbered %d", tb.name, n, c.leaf)
				}
				if l := leaves[n]; l.MaxDef != c.def || l.MaxRep != rep {
					t.Errorf("%s %v: levels %d/%d in the schema, %d/%d in the layout", tb.name, l.Path, l.MaxDef, l.MaxRep, c.def, rep)
				}
				n++
			}
		}
		for _, c := range tb.ctypes {
			walk(c, 0)
		}
		if n != len(leaves) {
			t.Errorf("%s: %d leaves in the layout, %d in the schema", tb.name, n, len(leaves))
		}
	}
}
