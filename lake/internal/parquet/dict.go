package parquet

import (
	"encoding/binary"
	"math/bits"
	"unsafe"
)

// Dictionary encoding of string columns. A column chunk whose strings
// repeat (event names, regions, user agents, account ids, p_log_type,
// p_source_file...) is written as a dictionary page holding each distinct
// value once, and data pages holding, per value, its index in the
// dictionary (RLE / bit-packed). Files get smaller, and readers that know
// dictionaries (DuckDB, Spark, Trino) filter on the dictionary instead of
// on every value. A chunk whose values hardly repeat (ids, p_row_id) stays
// PLAIN: build gives up as soon as the first values show it, and the
// dictionary is bounded (maxDictBytes, maxDictEntries) as parquet-java and
// arrow bound theirs.
//
// The encodings are those of format 1.0 writers (PLAIN_DICTIONARY for the
// dictionary page and the data pages), which every reader knows.

const (
	// maxDictBytes bounds a dictionary page (its PLAIN values), as
	// parquet-java's default page size bounds its dictionary pages.
	maxDictBytes = 1 << 20
	// maxDictEntries bounds the distinct values (bit width 16 at most).
	maxDictEntries = 1 << 16
	// probeValues: after this many values, a chunk with more than
	// probeDistinct per cent distinct ones is written PLAIN.
	probeValues   = 1024
	probeDistinct = 50
)

// dictionary is the dictionary of the column chunk being written, reused
// from chunk to chunk (its buffers keep their capacity).
type dictionary struct {
	index   map[string]uint32 // value -> its index; keys view the chunk's values
	entries []uint32          // offset of each entry's PLAIN value in vals
	vals    []byte            // the dictionary page's values, PLAIN
	ids     []uint32          // the index of every present value of the chunk
	width   int               // bit width of the indices
	// probeFailed: build gave up after probeValues values.
	probeFailed bool
}

// build builds the dictionary of c's values and their indices; false
// when the chunk should be PLAIN (its values hardly repeat, or the
// dictionary would be too big). d.probeFailed says the first probeValues
// values hardly repeated: the column is most likely made of ids.
func (d *dictionary) build(l *Leaf, c *ColumnData) bool {
	d.probeFailed = false
	if d.index == nil {
		d.index = make(map[string]uint32, 1024)
	}
	clear(d.index) // keys point into the previous chunk's values
	d.entries, d.vals, d.ids = d.entries[:0], d.vals[:0], d.ids[:0]
	vals := c.Values
	for vo := 0; vo < len(vals); {
		n := int(binary.LittleEndian.Uint32(vals[vo:]))
		v := vals[vo+4 : vo+4+n]
		id, ok := d.index[b2s(v)]
		if !ok {
			if len(d.entries) >= maxDictEntries || len(d.vals)+4+n > maxDictBytes {
				return false
			}
			id = uint32(len(d.entries))
			d.index[b2s(v)] = id
			d.entries = append(d.entries, uint32(len(d.vals)))
			d.vals = append(d.vals, vals[vo:vo+4+n]...)
		}
		d.ids = append(d.ids, id)
		if len(d.ids) == probeValues && len(d.entries)*100 > probeValues*probeDistinct {
			d.probeFailed = true
			return false
		}
		vo += 4 + n
	}
	if len(d.entries) == 0 || len(d.entries)*100 > len(d.ids)*probeDistinct {
		return false // no value, or a small chunk of values that hardly repeat
	}
	// A bit width of 0 (one entry) is valid, but not every reader takes
	// it; one bit costs nothing worth mentioning.
	d.width = max(1, bits.Len32(uint32(len(d.entries)-1)))
	return true
}

// value is entry i's bytes.
func (d *dictionary) value(i int) []byte {
	at := d.entries[i]
	n := binary.LittleEndian.Uint32(d.vals[at:])
	return d.vals[at+4 : at+4+n]
}

// writeDictPage writes the dictionary page of the chunk.
func (e *Encoder) writeDictPage(f *File, m *chunkMeta) error {
	e.body = append(e.body[:0], e.dict.vals...)
	return e.writePage(f, pageDictionary, len(e.dict.entries), encPlainDictionary, m)
}

// appendHybrid32 appends vs (each below 1<<width, width at most 32) in the
// RLE / bit-packed hybrid encoding, as appendHybrid does for levels: runs
// of eight or more equal values as RLE runs (the value in the fewest whole
// bytes that hold width bits, little-endian), the rest bit-packed in
// groups of eight.
func appendHybrid32(dst []byte, vs []uint32, width int) []byte {
	run := func(i int) int {
		j := i + 1
		for j < len(vs) && vs[j] == vs[i] {
			j++
		}
		return j - i
	}
	vbytes := (width + 7) / 8
	for i := 0; i < len(vs); {
		if r := run(i); r >= 8 {
			dst = binary.AppendUvarint(dst, uint64(r)<<1)
			for k := 0; k < vbytes; k++ {
				dst = append(dst, byte(vs[i]>>(8*k)))
			}
			i += r
			continue
		}
		start := i
		for i < len(vs) {
			i = min(i+8, len(vs))
			if i < len(vs) && run(i) >= 8 {
				break
			}
		}
		groups := (i - start + 7) / 8
		dst = binary.AppendUvarint(dst, uint64(groups)<<1|1)
		var acc uint64
		nbits := 0
		for k := 0; k < groups*8; k++ {
			var v uint32
			if start+k < i {
				v = vs[start+k]
			}
			acc |= uint64(v) << nbits
			nbits += width
			for nbits >= 8 {
				dst = append(dst, byte(acc))
				acc >>= 8
				nbits -= 8
			}
		}
		if nbits > 0 {
			dst = append(dst, byte(acc))
		}
	}
	return dst
}

// b2s views b as a string without copying; b must not change while the
// string is used.
func b2s(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }
