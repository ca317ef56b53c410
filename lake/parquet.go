package lake

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"math/bits"
	"os"

	"github.com/klauspost/compress/zstd"
)

// This file writes Parquet (https://parquet.apache.org/docs/file-format/):
// the subset the lake needs, every column optional, PLAIN values, RLE
// levels, ZSTD pages of version 1, statistics in the footer. See the
// package doc for why the lake writes it itself.

// Parquet's physical types, converted types, repetitions, encodings and
// codecs (parquet.thrift).
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

	encPlain = 0
	encRLE   = 3

	codecZstd = 6
)

// leaf is a leaf column of a table's Parquet schema.
type leaf struct {
	path           []string
	t              *ctype
	maxDef, maxRep uint8
	physical       int32
}

// layout appends the leaf columns of a column of type c, at path, whose
// parent's definition and repetition levels are def and rep, and sets the
// levels of c and of the types under it. Every field is optional; an
// array is Parquet's three-level list (optional group <name> (LIST) {
// repeated group list { optional <element> } }).
func layout(leaves []leaf, c *ctype, def, rep uint8, path []string) []leaf {
	c.def = def + 1
	c.lo = len(leaves)
	switch c.kind {
	case kStruct:
		for i := range c.fields {
			leaves = layout(leaves, c.fields[i].t, c.def, rep, append(path[:len(path):len(path)], c.fields[i].name))
		}
	case kArray:
		c.rep = rep + 1
		leaves = layout(leaves, c.elem, c.def+1, c.rep, append(path[:len(path):len(path)], "list", "element"))
	default:
		c.leaf = len(leaves)
		leaves = append(leaves, leaf{path: path, t: c, maxDef: c.def, maxRep: rep, physical: physical(c.kind)})
	}
	c.hi = len(leaves)
	return leaves
}

func physical(k kind) int32 {
	switch k {
	case kBigint, kTime:
		return ptInt64
	case kDouble:
		return ptDouble
	case kBool:
		return ptBoolean
	}
	return ptByteArray
}

// schemaElements serializes the schema of t's files (the SchemaElements of
// the footer, the root first, depth first), with the logical types that
// DuckDB and the other readers map to the lake's types: strings are UTF8,
// json is JSON, bigint is INT(64, signed), timestamp is TIMESTAMP(MICROS)
// not adjusted to UTC (which DuckDB reads as TIMESTAMP, as it writes it;
// the values are UTC).
func schemaElements(t *table) []byte {
	var w thriftWriter
	w.begin()
	w.i32(3, repRequired)
	w.string(4, "schema")
	w.i32(5, int32(len(t.columns)))
	w.end()
	for i, c := range t.columns {
		schemaElement(&w, c.Name, t.ctypes[i])
	}
	return w.b
}

func schemaElement(w *thriftWriter, name string, c *ctype) {
	w.begin()
	switch c.kind {
	case kStruct:
		w.i32(3, repOptional)
		w.string(4, name)
		w.i32(5, int32(len(c.fields)))
		w.end()
		for _, f := range c.fields {
			schemaElement(w, f.name, f.t)
		}
		return
	case kArray:
		w.i32(3, repOptional)
		w.string(4, name)
		w.i32(5, 1)
		w.i32(6, ctList)
		w.structField(10)
		w.emptyStruct(3) // LIST
		w.end()
		w.end()
		w.begin()
		w.i32(3, repRepeated)
		w.string(4, "list")
		w.i32(5, 1)
		w.end()
		schemaElement(w, "element", c.elem)
		return
	}
	w.i32(1, physical(c.kind))
	w.i32(3, repOptional)
	w.string(4, name)
	switch c.kind {
	case kString:
		w.i32(6, ctUTF8)
		w.structField(10)
		w.emptyStruct(1) // STRING
		w.end()
	case kJSON:
		w.i32(6, ctJSON)
		w.structField(10)
		w.emptyStruct(12) // JSON
		w.end()
	case kBigint:
		w.i32(6, ctInt64)
		w.structField(10)
		w.structField(10) // INTEGER
		w.byte(1, 64)
		w.bool(2, true)
		w.end()
		w.end()
	case kTime:
		w.i32(6, ctTimestampMicros)
		w.structField(10)
		w.structField(8) // TIMESTAMP
		w.bool(1, false)
		w.structField(2)
		w.emptyStruct(2) // MICROS
		w.end()
		w.end()
		w.end()
	}
	w.end()
}

// numSchemaElements counts the schema elements of t (for the footer's
// list header).
func numSchemaElements(t *table) int {
	n := 1
	var count func(c *ctype)
	count = func(c *ctype) {
		n++
		switch c.kind {
		case kStruct:
			for _, f := range c.fields {
				count(f.t)
			}
		case kArray:
			n++ // the repeated group
			count(c.elem)
		}
	}
	for _, c := range t.ctypes {
		count(c)
	}
	return n
}

// chunkMeta is what the footer says of a column chunk.
type chunkMeta struct {
	offset                   int64 // of its first page
	values                   int64 // levels
	uncompressed, compressed int64 // pages and their headers
	nulls                    int64
	min, max                 []byte // nil: no min/max
}

// groupMeta is what the footer says of a row group.
type groupMeta struct {
	rows, offset             int64
	uncompressed, compressed int64
	chunks                   []chunkMeta
}

// pageWriter turns row buffers into pages: it owns the ZSTD encoder and
// the scratch buffers, one a goroutine.
type pageWriter struct {
	zstd     *zstd.Encoder
	bw       *bufio.Writer
	pageSize int
	body     []byte
	comp     []byte
	tw       thriftWriter
}

// pageBytes is the size of a page's values (uncompressed) at which a
// column chunk gets another page.
const pageBytes = 1 << 20

// maxStat is the longest string whose min and max the footer records; a
// column chunk with a longer min or max has no min/max.
const maxStat = 128

func newPageWriter(level int) *pageWriter {
	enc, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.EncoderLevelFromZstd(level)),
		zstd.WithEncoderConcurrency(1), zstd.WithEncoderCRC(false), zstd.WithWindowSize(pageBytes*2))
	if err != nil {
		panic(err) // only for invalid options
	}
	return &pageWriter{zstd: enc, bw: bufio.NewWriterSize(nil, 256<<10), pageSize: pageBytes}
}

// outFile is a Parquet file being written: the file writer's alone. Its
// descriptor may be closed between row groups (parked) and opened again
// to append, so that many partitions can have a file without as many
// descriptors.
type outFile struct {
	path   string
	t      *table
	f      *os.File
	off    int64
	rows   int64
	groups []groupMeta
}

var parquetMagic = []byte("PAR1")

// start readies o for a job: opens it (creates it, it must not exist, or
// opens it again after park) and points the page writer's buffer at it.
// Every job ends with the buffer flushed, so one buffer serves every file.
func (pw *pageWriter) start(o *outFile) error {
	if o.f == nil {
		var err error
		if o.off == 0 {
			o.f, err = os.OpenFile(o.path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		} else {
			o.f, err = os.OpenFile(o.path, os.O_WRONLY|os.O_APPEND, 0)
		}
		if err != nil {
			return fmt.Errorf("lake: staging: %w", err)
		}
	}
	pw.bw.Reset(o.f)
	if o.off == 0 {
		return pw.write(o, parquetMagic)
	}
	return nil
}

func (pw *pageWriter) write(o *outFile, b []byte) error {
	if _, err := pw.bw.Write(b); err != nil {
		return fmt.Errorf("lake: writing %s: %w", o.path, err)
	}
	o.off += int64(len(b))
	return nil
}

// flush ends a job: what is buffered goes to the file.
func (pw *pageWriter) flush(o *outFile) error {
	if err := pw.bw.Flush(); err != nil {
		return fmt.Errorf("lake: writing %s: %w", o.path, err)
	}
	return nil
}

// park closes o's descriptor (its rows are written: every job flushes).
func (o *outFile) park() error {
	if o.f == nil {
		return nil
	}
	err := o.f.Close()
	o.f = nil
	if err != nil {
		return fmt.Errorf("lake: writing %s: %w", o.path, err)
	}
	return nil
}

// discard closes the file without finishing it (the caller removes it).
func (o *outFile) discard() {
	if o.f != nil {
		o.f.Close()
		o.f = nil
	}
}

// writeGroup writes the rows of r as a row group.
func (pw *pageWriter) writeGroup(o *outFile, r *rowBuf) error {
	if err := pw.start(o); err != nil {
		return err
	}
	g := groupMeta{rows: int64(r.rows), offset: o.off, chunks: make([]chunkMeta, len(r.cols))}
	for i := range r.cols {
		m, err := pw.writeChunk(o, &o.t.leaves[i], &r.cols[i])
		if err != nil {
			return err
		}
		g.chunks[i] = m
		g.uncompressed += m.uncompressed
		g.compressed += m.compressed
	}
	if err := pw.flush(o); err != nil {
		return err
	}
	o.groups = append(o.groups, g)
	o.rows += g.rows
	return nil
}

// writeChunk writes a column chunk: pages of about pageSize bytes of
// values, cut where a record starts.
func (pw *pageWriter) writeChunk(o *outFile, l *leaf, c *column) (chunkMeta, error) {
	m := chunkMeta{offset: o.off, values: int64(len(c.defs))}
	st := newStats(l)
	n := len(c.defs)
	vo := 0
	for i := 0; i < n; {
		start, vstart, nvals := i, vo, 0
		for i < n {
			if i > start && vo-vstart >= pw.pageSize && (c.reps == nil || c.reps[i] == 0) {
				break
			}
			if c.defs[i] == l.maxDef {
				size := valueSize(l.physical, c.vals, vo)
				st.add(c.vals[vo : vo+size])
				vo += size
				nvals++
			} else {
				st.nulls++
			}
			i++
		}
		if err := pw.writePage(o, l, c, start, i, vstart, vo, nvals, &m); err != nil {
			return m, err
		}
	}
	st.finish(&m)
	return m, nil
}

// valueSize is the size of the PLAIN value at vals[at:].
func valueSize(physical int32, vals []byte, at int) int {
	switch physical {
	case ptByteArray:
		return 4 + int(binary.LittleEndian.Uint32(vals[at:]))
	case ptBoolean:
		return 1
	}
	return 8
}

// writePage writes the entries [start, end) of c, whose values are
// c.vals[vstart:vend], as a data page.
func (pw *pageWriter) writePage(o *outFile, l *leaf, c *column, start, end, vstart, vend, nvals int, m *chunkMeta) error {
	body := pw.body[:0]
	if l.maxRep > 0 {
		body = appendLevels(body, c.reps[start:end], l.maxRep)
	}
	body = appendLevels(body, c.defs[start:end], l.maxDef)
	if l.physical == ptBoolean {
		body = appendBits(body, c.vals[vstart:vend])
	} else {
		body = append(body, c.vals[vstart:vend]...)
	}
	pw.body = body
	pw.comp = pw.zstd.EncodeAll(body, pw.comp[:0])
	w := &pw.tw
	w.b = w.b[:0]
	w.begin()
	w.i32(1, 0) // DATA_PAGE
	w.i32(2, int32(len(body)))
	w.i32(3, int32(len(pw.comp)))
	w.structField(5)
	w.i32(1, int32(end-start))
	w.i32(2, encPlain)
	w.i32(3, encRLE)
	w.i32(4, encRLE)
	w.end()
	w.end()
	if err := pw.write(o, w.b); err != nil {
		return err
	}
	if err := pw.write(o, pw.comp); err != nil {
		return err
	}
	m.uncompressed += int64(len(w.b) + len(body))
	m.compressed += int64(len(w.b) + len(pw.comp))
	return nil
}

// appendLevels appends levels as a data page v1 has them: their length
// (4 bytes little-endian), then the RLE / bit-packed hybrid encoding with
// the bit width of max.
func appendLevels(dst []byte, levels []uint8, max uint8) []byte {
	at := len(dst)
	dst = append(dst, 0, 0, 0, 0)
	dst = appendHybrid(dst, levels, bits.Len8(max))
	binary.LittleEndian.PutUint32(dst[at:], uint32(len(dst)-at-4))
	return dst
}

// appendHybrid appends vs in the RLE / bit-packed hybrid encoding: runs of
// eight or more equal values as RLE runs, the rest bit-packed in groups of
// eight (the last group padded with zeros, which the reader ignores: it
// knows the count).
func appendHybrid(dst []byte, vs []uint8, width int) []byte {
	run := func(i int) int {
		j := i + 1
		for j < len(vs) && vs[j] == vs[i] {
			j++
		}
		return j - i
	}
	for i := 0; i < len(vs); {
		if r := run(i); r >= 8 {
			dst = binary.AppendUvarint(dst, uint64(r)<<1)
			dst = append(dst, vs[i]) // widths up to 8 bits: one byte
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
		dst = appendPacked(dst, vs[start:i], width, groups*8)
	}
	return dst
}

// appendPacked bit-packs vs, LSB first, width bits each, padded with
// zeros to n values.
func appendPacked(dst []byte, vs []uint8, width, n int) []byte {
	var acc uint64
	nbits := 0
	for k := 0; k < n; k++ {
		var v uint8
		if k < len(vs) {
			v = vs[k]
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
	return dst
}

// appendBits appends booleans (one byte each) PLAIN-encoded: bit-packed,
// LSB first.
func appendBits(dst []byte, vs []byte) []byte {
	for i := 0; i < len(vs); i += 8 {
		var b byte
		for j := 0; j < 8 && i+j < len(vs); j++ {
			b |= (vs[i+j] & 1) << j
		}
		dst = append(dst, b)
	}
	return dst
}

// stats gathers the statistics of a column chunk.
type stats struct {
	l        *leaf
	nulls    int64
	any      bool
	min, max []byte
	i64      [2]int64
	f64      [2]float64
	bad      bool // a string too long for min/max
}

func newStats(l *leaf) stats { return stats{l: l} }

// add counts the PLAIN value v.
func (s *stats) add(v []byte) {
	switch s.l.t.kind {
	case kJSON:
		return // no order worth recording
	case kString:
		if s.bad {
			return
		}
		v = v[4:]
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
	case kBigint, kTime:
		x := int64(binary.LittleEndian.Uint64(v))
		if !s.any {
			s.i64, s.any = [2]int64{x, x}, true
		}
		s.i64[0], s.i64[1] = min(s.i64[0], x), max(s.i64[1], x)
	case kDouble:
		x := math.Float64frombits(binary.LittleEndian.Uint64(v))
		if !s.any {
			s.f64, s.any = [2]float64{x, x}, true
		}
		s.f64[0], s.f64[1] = min(s.f64[0], x), max(s.f64[1], x)
	case kBool:
		x := int64(v[0])
		if !s.any {
			s.i64, s.any = [2]int64{x, x}, true
		}
		s.i64[0], s.i64[1] = min(s.i64[0], x), max(s.i64[1], x)
	}
}

func (s *stats) finish(m *chunkMeta) {
	m.nulls = s.nulls
	if !s.any || s.bad {
		return
	}
	switch s.l.t.kind {
	case kString:
		m.min, m.max = bytes.Clone(s.min), bytes.Clone(s.max)
	case kBigint, kTime:
		m.min = binary.LittleEndian.AppendUint64(nil, uint64(s.i64[0]))
		m.max = binary.LittleEndian.AppendUint64(nil, uint64(s.i64[1]))
	case kDouble:
		lo, hi := s.f64[0], s.f64[1]
		if lo == 0 {
			lo = math.Copysign(0, -1) // the spec: a zero min is written -0.0
		}
		if hi == 0 {
			hi = 0 // and a zero max +0.0
		}
		m.min = binary.LittleEndian.AppendUint64(nil, math.Float64bits(lo))
		m.max = binary.LittleEndian.AppendUint64(nil, math.Float64bits(hi))
	case kBool:
		m.min, m.max = []byte{byte(s.i64[0])}, []byte{byte(s.i64[1])}
	}
}

// finish writes o's footer and closes it; its size is returned.
func (pw *pageWriter) finish(o *outFile) (int64, error) {
	if err := pw.start(o); err != nil {
		return 0, err
	}
	var w thriftWriter
	w.begin()
	w.i32(1, 1) // version
	w.list(2, tStruct, numSchemaElements(o.t))
	w.b = append(w.b, o.t.schema...)
	w.i64(3, o.rows)
	w.list(4, tStruct, len(o.groups))
	for _, g := range o.groups {
		w.elemStruct()
		w.list(1, tStruct, len(g.chunks))
		for i, c := range g.chunks {
			l := &o.t.leaves[i]
			w.elemStruct()
			w.i64(2, c.offset)
			w.structField(3)
			w.i32(1, l.physical)
			w.list(2, tI32, 2)
			w.elemI32(encPlain)
			w.elemI32(encRLE)
			w.list(3, tBinary, len(l.path))
			for _, p := range l.path {
				w.elemString(p)
			}
			w.i32(4, codecZstd)
			w.i64(5, c.values)
			w.i64(6, c.uncompressed)
			w.i64(7, c.compressed)
			w.i64(9, c.offset)
			w.structField(12)
			if c.max != nil && l.t.kind != kString {
				w.binary(1, c.max) // the deprecated fields, for old readers
				w.binary(2, c.min)
			}
			w.i64(3, c.nulls)
			if c.max != nil {
				w.binary(5, c.max)
				w.binary(6, c.min)
			}
			w.end()
			w.end()
			w.end()
		}
		w.i64(2, g.uncompressed)
		w.i64(3, g.rows)
		w.i64(5, g.offset)
		w.i64(6, g.compressed)
		w.end()
	}
	w.string(6, "panther lake")
	w.list(7, tStruct, len(o.t.leaves))
	for range o.t.leaves {
		w.elemStruct()
		w.emptyStruct(1) // TYPE_ORDER: min and max compare as the type does
		w.end()
	}
	w.end()
	footer := binary.LittleEndian.AppendUint32(w.b, uint32(len(w.b)))
	footer = append(footer, parquetMagic...)
	err := pw.write(o, footer)
	if err == nil {
		err = pw.flush(o)
	}
	if cerr := o.f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("lake: writing %s: %w", o.path, cerr)
	}
	o.f = nil
	if err != nil {
		return 0, fmt.Errorf("lake: writing %s: %w", o.path, err)
	}
	return o.off, nil
}
