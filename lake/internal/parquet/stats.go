package parquet

import (
	"bytes"
	"encoding/binary"
	"math"
)

// maxStat is the longest string whose min and max the footer records; a
// column chunk with a longer value has no min/max (a prefix would be a
// valid lower bound, but readers that take min and max as values, not
// bounds, would be misled).
const maxStat = 128

// stats gathers the statistics of a column chunk: the null count, and the
// min and max of the values as the column's type orders them. JSON values
// have no order worth recording, NaN is left out of a double's min and
// max (the specification's rule: readers cannot compare with it), and a
// zero min is written -0.0 and a zero max +0.0.
type stats struct {
	t        Type
	nulls    int64
	any      bool
	min, max []byte
	i64      [2]int64
	f64      [2]float64
	bad      bool // a string too long for min/max
}

// add counts the PLAIN value v.
func (s *stats) add(v []byte) {
	switch s.t {
	case JSON:
		return
	case String:
		s.addString(v[4:])
	case Int64, Timestamp:
		x := int64(binary.LittleEndian.Uint64(v))
		if !s.any {
			s.i64, s.any = [2]int64{x, x}, true
		}
		s.i64[0], s.i64[1] = min(s.i64[0], x), max(s.i64[1], x)
	case Double:
		x := math.Float64frombits(binary.LittleEndian.Uint64(v))
		if math.IsNaN(x) {
			return
		}
		if !s.any {
			s.f64, s.any = [2]float64{x, x}, true
		}
		s.f64[0], s.f64[1] = min(s.f64[0], x), max(s.f64[1], x)
	case Bool:
		x := int64(v[0] & 1)
		if !s.any {
			s.i64, s.any = [2]int64{x, x}, true
		}
		s.i64[0], s.i64[1] = min(s.i64[0], x), max(s.i64[1], x)
	}
}

// addString counts a string value (its bytes). Strings compare as
// unsigned bytes, which for UTF-8 is the order of code points: the order
// Parquet's UTF8 and STRING types define.
func (s *stats) addString(v []byte) {
	if s.bad {
		return
	}
	if len(v) > maxStat {
		s.bad = true
		return
	}
	if !s.any {
		s.min, s.max, s.any = append(s.min[:0], v...), append(s.max[:0], v...), true
	} else if bytes.Compare(v, s.min) < 0 {
		s.min = append(s.min[:0], v...)
	} else if bytes.Compare(v, s.max) > 0 {
		s.max = append(s.max[:0], v...)
	}
}

func (s *stats) finish(m *chunkMeta) {
	m.nulls = s.nulls
	if !s.any || s.bad {
		return
	}
	switch s.t {
	case String:
		m.min, m.max = bytes.Clone(s.min), bytes.Clone(s.max)
	case Int64, Timestamp:
		m.min = binary.LittleEndian.AppendUint64(nil, uint64(s.i64[0]))
		m.max = binary.LittleEndian.AppendUint64(nil, uint64(s.i64[1]))
	case Double:
		lo, hi := s.f64[0], s.f64[1]
		if lo == 0 {
			lo = math.Copysign(0, -1)
		}
		if hi == 0 {
			hi = 0
		}
		m.min = binary.LittleEndian.AppendUint64(nil, math.Float64bits(lo))
		m.max = binary.LittleEndian.AppendUint64(nil, math.Float64bits(hi))
	case Bool:
		m.min, m.max = []byte{byte(s.i64[0])}, []byte{byte(s.i64[1])}
	}
}
