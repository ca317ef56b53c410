package parquet

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"math/bits"
	"os"

	"github.com/klauspost/compress/zstd"
)

// ColumnData holds one leaf column's entries of a row group, as the
// record shredding of the Dremel paper makes them: a definition level for
// every entry (and a repetition level, under a list), and the values of
// the entries whose level is the leaf's MaxDef, in the PLAIN encoding: a
// byte array is its length (4 bytes little-endian) then its bytes; an
// int64 or a double 8 bytes little-endian; a boolean one byte (0 or 1),
// which the writer bit-packs.
type ColumnData struct {
	Values []byte
	Defs   []uint8
	Reps   []uint8 // nil when the leaf is under no list
}

// Options tune an Encoder; the zero value is the default.
type Options struct {
	// CompressionLevel is the ZSTD level of the pages (default 1).
	CompressionLevel int
	// CreatedBy is the footer's created_by. Readers of the parquet-java
	// family parse it ("<application> version <version> (build <build>)")
	// and ignore the string statistics of a file whose created_by they
	// cannot parse; NewEncoder refuses one that does not have that form.
	CreatedBy string
	// PlainStrings turns dictionary encoding of string columns off.
	PlainStrings bool
}

// Encoder writes row groups and footers: it owns the compressor and the
// scratch buffers, so one Encoder serves one goroutine, for any number of
// files one after the other or interleaved.
type Encoder struct {
	opts     Options
	zstd     *zstd.Encoder
	bw       *bufio.Writer
	pageSize int
	body     []byte
	comp     []byte
	tw       thriftWriter
	dict     dictionary
	// plainFor counts, by leaf, the chunks to write PLAIN without trying a
	// dictionary: a column whose values did not repeat (ids) most likely
	// does not in the next row groups either.
	plainFor map[*Leaf]int
}

// pageBytes is the size of a page's values (uncompressed, PLAIN) at which
// a column chunk gets another page.
const pageBytes = 1 << 20

// NewEncoder returns an encoder; an invalid CreatedBy is an error.
func NewEncoder(opts Options) (*Encoder, error) {
	if opts.CompressionLevel <= 0 {
		opts.CompressionLevel = 1
	}
	if _, _, _, ok := ParseCreatedBy(opts.CreatedBy); !ok {
		return nil, fmt.Errorf("parquet: created_by %q is not \"<application> version <version> (build <build>)\"", opts.CreatedBy)
	}
	enc, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.EncoderLevelFromZstd(opts.CompressionLevel)),
		zstd.WithEncoderConcurrency(1), zstd.WithEncoderCRC(false), zstd.WithWindowSize(pageBytes*2))
	if err != nil {
		return nil, fmt.Errorf("parquet: %w", err)
	}
	return &Encoder{opts: opts, zstd: enc, bw: bufio.NewWriterSize(nil, 256<<10), pageSize: pageBytes}, nil
}

// Close releases the compressor.
func (e *Encoder) Close() { e.zstd.Close() }

// File is a Parquet file being written. Its descriptor may be closed
// between row groups (Park) and is opened again to append the next, so
// that many files can be in the making with few descriptors. A File is
// used by one goroutine at a time.
type File struct {
	path   string
	s      *Schema
	f      *os.File
	off    int64
	rows   int64
	groups []groupMeta
}

// NewFile returns a file to be written at path, which must not exist; it
// is created by the first row group (or Finish).
func NewFile(path string, s *Schema) *File { return &File{path: path, s: s} }

// Path is where the file is written.
func (f *File) Path() string { return f.path }

// Rows is the number of rows written so far.
func (f *File) Rows() int64 { return f.rows }

// chunkMeta is what the footer says of a column chunk.
type chunkMeta struct {
	offset                   int64 // of its first data page
	dictOffset               int64 // of its dictionary page; 0: none
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

var magic = []byte("PAR1")

// start readies f for writing: opens it (creates it, or opens it again
// after Park) and points the buffer at it. Every call ends with the buffer
// flushed, so one buffer serves every file.
func (e *Encoder) start(f *File) error {
	if f.f == nil {
		var err error
		if f.off == 0 {
			f.f, err = os.OpenFile(f.path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		} else {
			f.f, err = os.OpenFile(f.path, os.O_WRONLY|os.O_APPEND, 0)
		}
		if err != nil {
			return fmt.Errorf("lake: staging: %w", err)
		}
	}
	e.bw.Reset(f.f)
	if f.off == 0 {
		return e.write(f, magic)
	}
	return nil
}

func (e *Encoder) write(f *File, b []byte) error {
	if _, err := e.bw.Write(b); err != nil {
		return fmt.Errorf("lake: writing %s: %w", f.path, err)
	}
	f.off += int64(len(b))
	return nil
}

func (e *Encoder) flush(f *File) error {
	if err := e.bw.Flush(); err != nil {
		return fmt.Errorf("lake: writing %s: %w", f.path, err)
	}
	return nil
}

// Park closes f's descriptor; the next row group opens it again.
func (f *File) Park() error {
	if f.f == nil {
		return nil
	}
	err := f.f.Close()
	f.f = nil
	if err != nil {
		return fmt.Errorf("lake: writing %s: %w", f.path, err)
	}
	return nil
}

// Discard closes the file without finishing it (the caller removes it).
func (f *File) Discard() {
	if f.f != nil {
		f.f.Close()
		f.f = nil
	}
}

// WriteRowGroup writes rows rows as a row group of f: cols holds a
// ColumnData for each leaf of f's schema, in order.
func (e *Encoder) WriteRowGroup(f *File, rows int, cols []ColumnData) error {
	if len(cols) != len(f.s.leaves) {
		return fmt.Errorf("parquet: %d columns for a schema of %d", len(cols), len(f.s.leaves))
	}
	if err := e.start(f); err != nil {
		return err
	}
	g := groupMeta{rows: int64(rows), offset: f.off, chunks: make([]chunkMeta, len(cols))}
	for i := range cols {
		m, err := e.writeChunk(f, &f.s.leaves[i], &cols[i])
		if err != nil {
			return err
		}
		g.chunks[i] = m
		g.uncompressed += m.uncompressed
		g.compressed += m.compressed
	}
	if err := e.flush(f); err != nil {
		return err
	}
	f.groups = append(f.groups, g)
	f.rows += g.rows
	return nil
}

// writeChunk writes a column chunk: a dictionary page when the leaf holds
// strings that repeat (dict.go), then data pages of about pageSize bytes
// of PLAIN values, cut where a record starts.
func (e *Encoder) writeChunk(f *File, l *Leaf, c *ColumnData) (chunkMeta, error) {
	m := chunkMeta{values: int64(len(c.Defs))}
	st := stats{t: l.Type}
	var d *dictionary
	if l.Type == String && !e.opts.PlainStrings && e.tryDict(l) && e.built(l, e.dict.build(l, c)) {
		d = &e.dict
		m.dictOffset = f.off
		if err := e.writeDictPage(f, &m); err != nil {
			return m, err
		}
		for i := range d.entries {
			st.addString(d.value(i))
		}
	}
	m.offset = f.off
	n := len(c.Defs)
	vo, id := 0, 0
	for i := 0; i < n; {
		start, vstart, idStart := i, vo, id
		for i < n {
			if i > start && vo-vstart >= e.pageSize && (c.Reps == nil || c.Reps[i] == 0) {
				break
			}
			if c.Defs[i] == l.MaxDef {
				size := valueSize(l.Type, c.Values, vo)
				if d == nil {
					st.add(c.Values[vo : vo+size])
				}
				vo += size
				id++
			} else {
				st.nulls++
			}
			i++
		}
		body := e.body[:0]
		if l.MaxRep > 0 {
			body = appendLevels(body, c.Reps[start:i], l.MaxRep)
		}
		body = appendLevels(body, c.Defs[start:i], l.MaxDef)
		enc := int32(encPlain)
		switch {
		case d != nil:
			enc = encPlainDictionary
			body = append(body, byte(d.width))
			body = appendHybrid32(body, d.ids[idStart:id], d.width)
		case l.Type == Bool:
			body = appendBits(body, c.Values[vstart:vo])
		default:
			body = append(body, c.Values[vstart:vo]...)
		}
		e.body = body
		if err := e.writePage(f, pageData, i-start, enc, &m); err != nil {
			return m, err
		}
	}
	st.finish(&m)
	return m, nil
}

// skipDictChunks: after a chunk of a leaf fell back to PLAIN, the next
// ones of that leaf are written PLAIN without trying.
const skipDictChunks = 8

func (e *Encoder) tryDict(l *Leaf) bool {
	if n := e.plainFor[l]; n > 0 {
		e.plainFor[l] = n - 1
		return false
	}
	return true
}

// built records whether the dictionary of a chunk of l was built; when
// its first values did not repeat, the next chunks of l skip the try.
func (e *Encoder) built(l *Leaf, ok bool) bool {
	if !ok && e.dict.probeFailed {
		if e.plainFor == nil {
			e.plainFor = map[*Leaf]int{}
		}
		e.plainFor[l] = skipDictChunks
	}
	return ok
}

// valueSize is the size of the PLAIN value at vals[at:].
func valueSize(t Type, vals []byte, at int) int {
	switch t {
	case String, JSON:
		return 4 + int(binary.LittleEndian.Uint32(vals[at:]))
	case Bool:
		return 1
	}
	return 8
}

// writePage compresses e.body and writes it as a page of the given type
// (a data page of n entries, or a dictionary page of n values) with its
// header.
func (e *Encoder) writePage(f *File, typ int32, n int, enc int32, m *chunkMeta) error {
	e.comp = e.zstd.EncodeAll(e.body, e.comp[:0])
	w := &e.tw
	w.b = w.b[:0]
	w.begin()
	w.i32(1, typ)
	w.i32(2, int32(len(e.body)))
	w.i32(3, int32(len(e.comp)))
	if typ == pageDictionary {
		w.structField(7)
		w.i32(1, int32(n))
		w.i32(2, enc)
		w.end()
	} else {
		w.structField(5)
		w.i32(1, int32(n))
		w.i32(2, enc)
		w.i32(3, encRLE)
		w.i32(4, encRLE)
		w.end()
	}
	w.end()
	if err := e.write(f, w.b); err != nil {
		return err
	}
	if err := e.write(f, e.comp); err != nil {
		return err
	}
	m.uncompressed += int64(len(w.b) + len(e.body))
	m.compressed += int64(len(w.b) + len(e.comp))
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

// Finish writes f's footer and closes it; its size is returned.
func (e *Encoder) Finish(f *File) (int64, error) {
	if err := e.start(f); err != nil {
		return 0, err
	}
	var w thriftWriter
	w.begin()
	w.i32(1, 1) // version
	w.list(2, tStruct, f.s.count)
	w.b = append(w.b, f.s.elements...)
	w.i64(3, f.rows)
	w.list(4, tStruct, len(f.groups))
	for _, g := range f.groups {
		w.elemStruct()
		w.list(1, tStruct, len(g.chunks))
		for i, c := range g.chunks {
			l := &f.s.leaves[i]
			first := c.offset
			if c.dictOffset > 0 {
				first = c.dictOffset
			}
			w.elemStruct()
			w.i64(2, first)
			w.structField(3)
			w.i32(1, l.Type.physical())
			if c.dictOffset > 0 {
				w.list(2, tI32, 2)
				w.elemI32(encPlainDictionary)
				w.elemI32(encRLE)
			} else {
				w.list(2, tI32, 2)
				w.elemI32(encPlain)
				w.elemI32(encRLE)
			}
			w.list(3, tBinary, len(l.Path))
			for _, p := range l.Path {
				w.elemString(p)
			}
			w.i32(4, codecZstd)
			w.i64(5, c.values)
			w.i64(6, c.uncompressed)
			w.i64(7, c.compressed)
			w.i64(9, c.offset)
			if c.dictOffset > 0 {
				w.i64(11, c.dictOffset)
			}
			w.structField(12)
			if c.max != nil && l.Type != String {
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
	w.string(6, e.opts.CreatedBy)
	w.list(7, tStruct, len(f.s.leaves))
	for range f.s.leaves {
		w.elemStruct()
		w.emptyStruct(1) // TYPE_ORDER: min and max compare as the type does
		w.end()
	}
	w.end()
	footer := binary.LittleEndian.AppendUint32(w.b, uint32(len(w.b)))
	footer = append(footer, magic...)
	err := e.write(f, footer)
	if err == nil {
		err = e.flush(f)
	}
	if cerr := f.f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("lake: writing %s: %w", f.path, cerr)
	}
	f.f = nil
	if err != nil {
		return 0, fmt.Errorf("lake: writing %s: %w", f.path, err)
	}
	return f.off, nil
}
