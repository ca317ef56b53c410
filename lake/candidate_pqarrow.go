//go:build lake_pqarrow

package lake

// The candidate Parquet writer: Apache arrow-go's pqarrow (already in the
// module graph through duckdb-go), with dictionary encoding on, as issue
// 13 asks us to measure against our own encoder. Built only with the
// lake_pqarrow tag (`make bench BENCHTAGS=lake_pqarrow`): the writer then
// uses it by default, so that BenchmarkReplayLakeWriters can run a binary
// of each, and BenchmarkParquetWriters compares both in one test binary.
//
// It keeps everything else of the writer (partitions, the file writer
// goroutine, commits, the Batch that encodes on the reader's goroutine),
// and follows the same value rules: events are appended, as they arrive,
// to arrow builders (the same walk as rows.go, with the same fits, the
// same p_extra); a Batch's rows become an arrow record that the
// partition takes; a row group is the partition's records written as one
// table by pqarrow.FileWriter (zstd at the same level, dictionaries on,
// statistics on). Files are not parked (pqarrow keeps its writer open).

import (
	"fmt"
	"os"
	"sync"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/extensions"
	"github.com/apache/arrow-go/v18/arrow/memory"
	pq "github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/valyala/fastjson"

	"panther/lake/internal/parquet"
	"panther/parsers/event"
)

func init() { defaultFormat = formatArrow }

// jsonType makes pqarrow write json columns with the JSON logical type, as
// ours does.
var jsonType, _ = extensions.NewJSONType(arrow.BinaryTypes.String)

// stringBuilder is the string builder of b, a string or JSON column's.
func stringBuilder(b array.Builder) *array.StringBuilder {
	if e, ok := b.(*array.ExtensionBuilder); ok {
		return e.StorageBuilder().(*array.StringBuilder)
	}
	return b.(*array.StringBuilder)
}

const candidateBuilt = true

var (
	arrowMem     = memory.NewGoAllocator()
	arrowSchemas sync.Map // *table -> *arrow.Schema
	arrowFilesMu sync.Mutex
	arrowFiles   = map[*parquet.File]*arrowFile{} // the file writer's
)

// arrowSchema is the arrow schema of t's files.
func arrowSchema(t *table) *arrow.Schema {
	if s, ok := arrowSchemas.Load(t); ok {
		return s.(*arrow.Schema)
	}
	fields := make([]arrow.Field, len(t.columns))
	for i, c := range t.columns {
		fields[i] = arrow.Field{Name: c.Name, Type: arrowType(t.ctypes[i]), Nullable: true}
	}
	s, _ := arrowSchemas.LoadOrStore(t, arrow.NewSchema(fields, nil))
	return s.(*arrow.Schema)
}

func arrowType(c *ctype) arrow.DataType {
	switch c.kind {
	case kBigint:
		return arrow.PrimitiveTypes.Int64
	case kDouble:
		return arrow.PrimitiveTypes.Float64
	case kBool:
		return arrow.FixedWidthTypes.Boolean
	case kTime:
		return &arrow.TimestampType{Unit: arrow.Microsecond}
	case kArray:
		return arrow.ListOf(arrowType(c.elem))
	case kJSON:
		return jsonType
	case kStruct:
		fs := make([]arrow.Field, len(c.fields))
		for i, f := range c.fields {
			fs[i] = arrow.Field{Name: f.name, Type: arrowType(f.t), Nullable: true}
		}
		return arrow.StructOf(fs...)
	}
	return arrow.BinaryTypes.String
}

// arrowRows are the rows of a partition (or a batch part) in arrow form:
// a builder, and the records taken from batches.
type arrowRows struct {
	t    *table
	rb   *array.RecordBuilder
	recs []arrow.RecordBatch
}

func (w *Writer) newArrowRows(t *table) *arrowRows {
	return &arrowRows{t: t, rb: array.NewRecordBuilder(arrowMem, arrowSchema(t))}
}

// take moves the rows of src (a batch part) to a, as a record.
func (a *arrowRows) take(src *arrowRows) {
	a.recs = append(a.recs, src.rb.NewRecordBatch())
}

// records returns every row of a as records and empties a's builder.
func (a *arrowRows) records() []arrow.RecordBatch {
	if a.rb.Field(0).Len() > 0 {
		a.recs = append(a.recs, a.rb.NewRecordBatch())
	}
	return a.recs
}

func (a *arrowRows) reset() {
	for _, r := range a.recs {
		r.Release()
	}
	a.recs = a.recs[:0]
	if a.rb.Field(0).Len() > 0 {
		a.rb.NewRecordBatch().Release()
	}
}

func (a *arrowRows) free() {
	a.reset()
	a.rb.Release()
}

// arrowEvent appends e as a row of log table t, as appendEvent does.
func (enc *encoder) arrowEvent(r *rowBuf, t *table, e *event.Event) {
	enc.n = 0
	rb := r.arrow.rb
	extra := append(enc.extra[:0], '{')
	var o *fastjson.Object
	if e.Fields != nil {
		o, _ = e.Fields.Object()
	}
	nd := len(t.root.fields)
	if o != nil {
		extra = enc.arrowMembers(rb.Field, t.root, o, extra)
	} else {
		for i := 0; i < nd; i++ {
			rb.Field(i).AppendNull()
		}
	}
	for i, src := range t.std {
		b := rb.Field(nd + i)
		switch src {
		case stdLogType:
			enc.arrowText(b, e.LogType)
		case stdEventTime:
			et, _ := eventTime(e)
			b.(*array.TimestampBuilder).Append(arrow.Timestamp(et.UnixMicro()))
			enc.n += 8
		case stdParseTime:
			if validTime(e.ParseTime) && !e.ParseTime.IsZero() {
				b.(*array.TimestampBuilder).Append(arrow.Timestamp(e.ParseTime.UnixMicro()))
				enc.n += 8
			} else {
				b.AppendNull()
			}
		case stdRowID:
			enc.arrowText(b, e.RowID)
		case stdSourceFile:
			enc.arrowText(b, e.SourceFile)
		case stdSourceLabel:
			enc.arrowText(b, e.SourceLabel)
		case stdExtra:
			enc.arrowExtra(b, extra)
		default:
			l := e.Indicators[src-stdIndicators]
			if len(l) == 0 {
				b.AppendNull()
				continue
			}
			lb := b.(*array.ListBuilder)
			lb.Append(true)
			sb := lb.ValueBuilder().(*array.StringBuilder)
			for _, s := range l {
				enc.arrowString(sb, s)
			}
		}
	}
	enc.extra = extra
	r.rows++
	r.bytes += enc.n + t.rowOverhead
}

// arrowRow appends o as a row of WriteRow table t, as appendRow does.
func (enc *encoder) arrowRow(r *rowBuf, t *table, o *fastjson.Object) {
	enc.n = 0
	rb := r.arrow.rb
	extra := append(enc.extra[:0], '{')
	extra = enc.arrowMembers(rb.Field, t.root, o, extra)
	enc.arrowExtra(rb.Field(len(t.root.fields)), extra)
	enc.extra = extra
	r.rows++
	r.bytes += enc.n + t.rowOverhead
}

// arrowValues appends a typed row (WriteValues) to table t, as
// appendValues does.
func (enc *encoder) arrowValues(r *rowBuf, t *table, row []Value) {
	enc.n = 0
	rb := r.arrow.rb
	for i, v := range row {
		b := rb.Field(i)
		switch v.kind {
		case vNull:
			b.AppendNull()
		case vString:
			enc.arrowString(b.(*array.StringBuilder), v.s)
		case vTime:
			b.(*array.TimestampBuilder).Append(arrow.Timestamp(v.t.UnixMicro()))
			enc.n += 8
		case vInt:
			b.(*array.Int64Builder).Append(v.n)
			enc.n += 8
		case vStrings:
			lb := b.(*array.ListBuilder)
			lb.Append(true)
			for _, s := range v.list {
				enc.arrowString(lb.ValueBuilder().(*array.StringBuilder), s)
			}
		case vJSON:
			js := v.bytes
			if !event.Canonical(js) {
				if x, err := fastjson.ParseBytes(js); err == nil {
					enc.js = appendJSON(enc.js[:0], x)
				} else {
					enc.js = appendString(enc.js[:0], string(js))
				}
				js = enc.js
			}
			stringBuilder(b).Append(string(js))
			enc.n += int64(len(js)) + 4
		}
	}
	rb.Field(len(t.root.fields)).AppendNull() // p_extra
	r.rows++
	r.bytes += enc.n + t.rowOverhead
}

func (enc *encoder) arrowText(b array.Builder, s string) {
	if s == "" {
		b.AppendNull()
		return
	}
	enc.arrowString(b.(*array.StringBuilder), s)
}

func (enc *encoder) arrowString(b *array.StringBuilder, s string) {
	if !utf8.ValidString(s) {
		enc.js = appendValidUTF8(enc.js[:0], s)
		s = b2s(enc.js)
	}
	b.Append(s)
	enc.n += int64(len(s)) + 4
}

func (enc *encoder) arrowExtra(b array.Builder, extra []byte) {
	if len(extra) <= 1 {
		b.AppendNull()
		return
	}
	x := append(extra, '}')
	stringBuilder(b).Append(b2s(x))
	enc.n += int64(len(x)) + 4
}

// arrowMembers is members (rows.go) over builders: field(i) is the
// builder of c's field i.
func (enc *encoder) arrowMembers(field func(int) array.Builder, c *ctype, o *fastjson.Object, extra []byte) []byte {
	var seen, filled uint64
	var seenBig, filledBig []bool
	if len(c.fields) > 64 {
		seenBig, filledBig = make([]bool, len(c.fields)), make([]bool, len(c.fields))
	}
	prev := -1
	o.Visit(func(k []byte, v *fastjson.Value) {
		i := c.fieldAfter(k, prev)
		if i >= 0 {
			prev = i
		}
		if i >= 0 && !markSeen(&seen, seenBig, i) {
			i = -1
		}
		if i < 0 {
			extra = appendMember(extra, b2s(k))
			extra = appendJSON(extra, v)
			return
		}
		if v.Type() == fastjson.TypeNull {
			return
		}
		f := &c.fields[i]
		if f.t.kind == kStruct && v.Type() == fastjson.TypeObject {
			xmark := len(extra)
			extra = appendKey(extra, f.key)
			extra = append(extra, '{')
			inner := len(extra)
			o2, _ := v.Object()
			sb := field(i).(*array.StructBuilder)
			sb.Append(true)
			extra = enc.arrowMembers(sb.FieldBuilder, f.t, o2, extra)
			if len(extra) == inner {
				extra = extra[:xmark]
			} else {
				extra = append(extra, '}')
			}
			markSeen(&filled, filledBig, i)
			return
		}
		if enc.arrowPut(field(i), f.t, v) {
			markSeen(&filled, filledBig, i)
			return
		}
		extra = appendMember(extra, b2s(k))
		extra = appendJSON(extra, v)
	})
	for i := range c.fields {
		if filledBig != nil && !filledBig[i] || filledBig == nil && filled&(1<<uint(i)) == 0 {
			field(i).AppendNull()
		}
	}
	return extra
}

// arrowPut is put (rows.go) over a builder.
func (enc *encoder) arrowPut(b array.Builder, c *ctype, v *fastjson.Value) bool {
	switch c.kind {
	case kString:
		if v.Type() != fastjson.TypeString {
			return false
		}
		s, _ := v.StringBytes()
		enc.arrowString(b.(*array.StringBuilder), b2s(s))
	case kBigint:
		n, ok := bigintOf(v, enc.num)
		if !ok {
			return false
		}
		b.(*array.Int64Builder).Append(n)
		enc.n += 8
	case kDouble:
		f, ok := doubleOf(v, enc.num)
		if !ok {
			return false
		}
		b.(*array.Float64Builder).Append(f)
		enc.n += 8
	case kBool:
		switch v.Type() {
		case fastjson.TypeTrue:
			b.(*array.BooleanBuilder).Append(true)
		case fastjson.TypeFalse:
			b.(*array.BooleanBuilder).Append(false)
		default:
			return false
		}
		enc.n++
	case kTime:
		t, ok := readTime(c.timeFmt, v)
		if !ok {
			return false
		}
		b.(*array.TimestampBuilder).Append(arrow.Timestamp(t.UnixMicro()))
		enc.n += 8
	case kJSON:
		enc.js = appendJSON(enc.js[:0], v)
		stringBuilder(b).Append(b2s(enc.js))
		enc.n += int64(len(enc.js)) + 4
	case kArray, kStruct:
		if !fits(c, v, enc.num) {
			return false
		}
		enc.arrowPutFit(b, c, v)
	}
	return true
}

// arrowPutFit is putFit (rows.go) over a builder.
func (enc *encoder) arrowPutFit(b array.Builder, c *ctype, v *fastjson.Value) {
	if v.Type() == fastjson.TypeNull {
		b.AppendNull()
		return
	}
	switch c.kind {
	case kArray:
		a, _ := v.Array()
		lb := b.(*array.ListBuilder)
		lb.Append(true)
		for _, x := range a {
			enc.arrowPutFit(lb.ValueBuilder(), c.elem, x)
		}
	case kStruct:
		o, _ := v.Object()
		sb := b.(*array.StructBuilder)
		sb.Append(true)
		var filled uint64
		var filledBig []bool
		if len(c.fields) > 64 {
			filledBig = make([]bool, len(c.fields))
		}
		prev := -1
		o.Visit(func(k []byte, x *fastjson.Value) {
			i := c.fieldAfter(k, prev)
			prev = i
			markSeen(&filled, filledBig, i)
			enc.arrowPutFit(sb.FieldBuilder(i), c.fields[i].t, x)
		})
		for i := range c.fields {
			if filledBig != nil && !filledBig[i] || filledBig == nil && filled&(1<<uint(i)) == 0 {
				sb.FieldBuilder(i).AppendNull()
			}
		}
	default:
		enc.arrowPut(b, c, v)
	}
}

// arrowFile is a file pqarrow writes.
type arrowFile struct {
	f  *os.File
	fw *pqarrow.FileWriter
}

// arrowWriteGroup writes the rows of r as a row group of out.
func (w *Writer) arrowWriteGroup(out *parquet.File, t *table, r *rowBuf) error {
	arrowFilesMu.Lock()
	af := arrowFiles[out]
	arrowFilesMu.Unlock()
	if af == nil {
		f, err := os.OpenFile(out.Path(), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err != nil {
			return fmt.Errorf("lake: staging: %w", err)
		}
		props := pq.NewWriterProperties(pq.WithCompression(compress.Codecs.Zstd),
			pq.WithCompressionLevel(w.opts.CompressionLevel), pq.WithDictionaryDefault(!w.opts.PlainStrings),
			pq.WithStats(true), pq.WithMaxRowGroupLength(1<<40), pq.WithDataPageSize(1<<20),
			pq.WithCreatedBy(createdBy(w.opts.Version)), pq.WithAllocator(arrowMem))
		fw, err := pqarrow.NewFileWriter(arrowSchema(t), f, props, pqarrow.NewArrowWriterProperties(pqarrow.WithAllocator(arrowMem)))
		if err != nil {
			f.Close()
			return fmt.Errorf("lake: pqarrow: %w", err)
		}
		af = &arrowFile{f: f, fw: fw}
		arrowFilesMu.Lock()
		arrowFiles[out] = af
		arrowFilesMu.Unlock()
	}
	// The batches' records are concatenated into one: pqarrow pays per
	// record and column (thousands of small records a row group made it
	// ten times slower), and a user of pqarrow would hand it big records.
	recs := r.arrow.records()
	rec := recs[0]
	if len(recs) > 1 {
		schema := arrowSchema(t)
		cols := make([]arrow.Array, schema.NumFields())
		parts := make([]arrow.Array, len(recs))
		var rows int64
		for _, r := range recs {
			rows += r.NumRows()
		}
		for i := range cols {
			for j, r := range recs {
				parts[j] = r.Column(i)
			}
			c, err := array.Concatenate(parts, arrowMem)
			if err != nil {
				return fmt.Errorf("lake: pqarrow: %w", err)
			}
			defer c.Release()
			cols[i] = c
		}
		rec = array.NewRecordBatch(schema, cols, rows)
		defer rec.Release()
	}
	if err := af.fw.Write(rec); err != nil {
		return fmt.Errorf("lake: writing %s: %w", out.Path(), err)
	}
	return nil
}

// arrowFinish closes out and returns its size.
func (w *Writer) arrowFinish(out *parquet.File) (int64, error) {
	arrowFilesMu.Lock()
	af := arrowFiles[out]
	delete(arrowFiles, out)
	arrowFilesMu.Unlock()
	if af == nil {
		return 0, fmt.Errorf("lake: %s has no row group", out.Path())
	}
	err := af.fw.Close() // closes the file too
	if err != nil {
		return 0, fmt.Errorf("lake: writing %s: %w", out.Path(), err)
	}
	st, err := os.Stat(out.Path())
	if err != nil {
		return 0, err
	}
	return st.Size(), nil
}

func (w *Writer) arrowDiscard(out *parquet.File) {
	arrowFilesMu.Lock()
	af := arrowFiles[out]
	delete(arrowFiles, out)
	arrowFilesMu.Unlock()
	if af != nil {
		af.fw.Close()
	}
}
