package lake

import "panther/lake/internal/parquet"

// layout sets the Parquet levels of a column of type c whose parent's
// definition and repetition levels are def and rep, and numbers the leaf
// columns under it from *leaves on: the shredding in rows.go writes each
// value at its leaf with these levels. Every field is optional; a list is
// Parquet's three-level list, whose elements are one definition level
// deeper than the list. parquet.NewSchema computes the same levels from
// the same rules (TestLayoutMatchesSchema).
func layout(leaves *int, c *ctype, def, rep uint8) {
	c.def = def + 1
	c.lo = *leaves
	switch c.kind {
	case kStruct:
		for i := range c.fields {
			layout(leaves, c.fields[i].t, c.def, rep)
		}
	case kArray:
		c.rep = rep + 1
		layout(leaves, c.elem, c.def+1, c.rep)
	default:
		c.leaf = *leaves
		*leaves++
	}
	c.hi = *leaves
}

// node is the Parquet schema node of a column of type c.
func node(name string, c *ctype) parquet.Node {
	n := parquet.Node{Name: name}
	switch c.kind {
	case kStruct:
		n.Fields = make([]parquet.Node, len(c.fields))
		for i, f := range c.fields {
			n.Fields[i] = node(f.name, f.t)
		}
	case kArray:
		e := node("element", c.elem)
		n.Elem = &e
	case kString:
		n.Type = parquet.String
	case kJSON:
		n.Type = parquet.JSON
	case kBigint:
		n.Type = parquet.Int64
	case kTime:
		n.Type = parquet.Timestamp
	case kDouble:
		n.Type = parquet.Double
	case kBool:
		n.Type = parquet.Bool
	}
	return n
}
