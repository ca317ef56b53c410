package parquet

import "encoding/binary"

// thriftWriter writes the Thrift compact protocol, which Parquet uses for
// its page headers and footer: just what those need (structs, lists of
// structs, strings and i32s, i32, i64, bool and binary fields).
type thriftWriter struct {
	b    []byte
	last []int16 // the last field id of each open struct
}

// Compact protocol types.
const (
	tTrue   = 1
	tFalse  = 2
	tByte   = 3
	tI32    = 5
	tI64    = 6
	tBinary = 8
	tList   = 9
	tStruct = 12
)

func (w *thriftWriter) field(id int16, typ byte) {
	top := &w.last[len(w.last)-1]
	if d := id - *top; d > 0 && d <= 15 {
		w.b = append(w.b, byte(d)<<4|typ)
	} else {
		w.b = append(w.b, typ)
		w.b = binary.AppendVarint(w.b, int64(id))
	}
	*top = id
}

// begin starts the top-level struct.
func (w *thriftWriter) begin() { w.last = append(w.last[:0], 0) }

// end ends the innermost struct.
func (w *thriftWriter) end() {
	w.b = append(w.b, 0)
	w.last = w.last[:len(w.last)-1]
}

func (w *thriftWriter) i32(id int16, v int32) {
	w.field(id, tI32)
	w.b = binary.AppendVarint(w.b, int64(v))
}

func (w *thriftWriter) byte(id int16, v int8) {
	w.field(id, tByte)
	w.b = append(w.b, byte(v))
}

func (w *thriftWriter) i64(id int16, v int64) {
	w.field(id, tI64)
	w.b = binary.AppendVarint(w.b, v)
}

func (w *thriftWriter) bool(id int16, v bool) {
	if v {
		w.field(id, tTrue)
	} else {
		w.field(id, tFalse)
	}
}

func (w *thriftWriter) binary(id int16, v []byte) {
	w.field(id, tBinary)
	w.b = binary.AppendUvarint(w.b, uint64(len(v)))
	w.b = append(w.b, v...)
}

func (w *thriftWriter) string(id int16, v string) {
	w.field(id, tBinary)
	w.b = binary.AppendUvarint(w.b, uint64(len(v)))
	w.b = append(w.b, v...)
}

// structField starts a struct-valued field; end ends it.
func (w *thriftWriter) structField(id int16) {
	w.field(id, tStruct)
	w.last = append(w.last, 0)
}

// emptyStruct writes a struct-valued field without members (Parquet's
// logical types such as StringType are empty structs).
func (w *thriftWriter) emptyStruct(id int16) {
	w.structField(id)
	w.end()
}

// list starts a list field of n elements of type elem.
func (w *thriftWriter) list(id int16, elem byte, n int) {
	w.field(id, tList)
	if n < 15 {
		w.b = append(w.b, byte(n)<<4|elem)
	} else {
		w.b = append(w.b, 0xf0|elem)
		w.b = binary.AppendUvarint(w.b, uint64(n))
	}
}

// elemStruct starts a struct element of a list; end ends it.
func (w *thriftWriter) elemStruct() { w.last = append(w.last, 0) }

func (w *thriftWriter) elemI32(v int32) { w.b = binary.AppendVarint(w.b, int64(v)) }

func (w *thriftWriter) elemString(v string) {
	w.b = binary.AppendUvarint(w.b, uint64(len(v)))
	w.b = append(w.b, v...)
}
