package lake

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/duckdb/duckdb-go/v2"
	"github.com/valyala/fastjson"

	"panther/parsers/aws"
	"panther/parsers/event"
)

// BenchmarkCandidateAppender is the alternative we measured and did not
// choose: each event converted to Go values (maps for structs, slices for
// lists) and appended with DuckDB's Appender to an in-memory table, which
// is then copied to ZSTD Parquet. It is kept to show why (compare its
// cpu-ns/op with BenchmarkWriteCloudTrail/lake minus parse-only). It is
// flattered: values that do not fit become NULL, no p_extra is built.
func BenchmarkCandidateAppender(b *testing.B) {
	recs, size := benchRecords()
	reg := testRegistry(b)
	n := min(b.N, len(recs))
	evs := parseCloudTrail(b, reg, "s3://bucket/trail.json.gz", recs[:n])
	defer release([]source{{events: evs}})
	t, err := logTable(aws.CloudTrail)
	if err != nil {
		b.Fatal(err)
	}
	var defs []string
	for i, c := range t.columns {
		defs = append(defs, fmt.Sprintf("%q %s", c.Name, t.ctypes[i].duck))
	}
	connector, err := duckdb.NewConnector("", nil)
	if err != nil {
		b.Fatal(err)
	}
	db := sql.OpenDB(connector)
	defer db.Close()
	if _, err := db.Exec("SET threads=1; CREATE TABLE t (" + strings.Join(defs, ", ") + ")"); err != nil {
		b.Fatal(err)
	}
	conn, err := connector.Connect(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	app, err := duckdb.NewAppenderFromConn(conn, "", "t")
	if err != nil {
		b.Fatal(err)
	}
	vals := make([]driver.Value, len(t.columns))
	out := filepath.Join(b.TempDir(), "t.parquet")
	b.SetBytes(size / int64(len(recs)))
	b.ReportAllocs()
	runtime.GC()
	cpu0 := processCPU()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		e := evs[i%n]
		o, _ := e.Fields.Object()
		for j, c := range t.columns {
			vals[j] = nil
			switch c.Name {
			case event.FieldLogType:
				vals[j] = e.LogType
			case event.FieldEventTime:
				vals[j] = e.Time
			case event.FieldParseTime:
				vals[j] = e.ParseTime
			case event.FieldRowID:
				vals[j] = e.RowID
			case event.FieldSourceFile:
				vals[j] = e.SourceFile
			case event.FieldSourceLabel:
				vals[j] = e.SourceLabel
			case "p_extra":
			default:
				if k, ok := event.KindByName(c.Name); ok {
					if l := e.Indicators[k]; len(l) > 0 {
						vals[j] = l
					}
					continue
				}
				vals[j] = goValue(t.ctypes[j], o.Get(c.Name))
			}
		}
		if err := app.AppendRow(vals...); err != nil {
			b.Fatal(err)
		}
	}
	if err := app.Close(); err != nil {
		b.Fatal(err)
	}
	if _, err := db.Exec(fmt.Sprintf("COPY t TO %s (FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 1)", sqlString(out))); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	b.ReportMetric(float64((processCPU()-cpu0).Nanoseconds())/float64(b.N), "cpu-ns/op")
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// goValue converts a value of column type c for the Appender.
func goValue(c *ctype, v *fastjson.Value) any {
	if v == nil || v.Type() == fastjson.TypeNull {
		return nil
	}
	switch c.kind {
	case kString:
		if b, err := v.StringBytes(); err == nil {
			return string(b)
		}
	case kBigint:
		if i, err := v.Int64(); err == nil {
			return i
		}
	case kDouble:
		if f, err := v.Float64(); err == nil {
			return f
		}
	case kBool:
		if b, err := v.Bool(); err == nil {
			return b
		}
	case kTime:
		if t, ok := readTime(c.timeFmt, v); ok {
			return t
		}
	case kJSON:
		return string(appendValue(nil, v))
	case kArray:
		a, err := v.Array()
		if err != nil {
			return nil
		}
		out := make([]any, len(a))
		for i, x := range a {
			out[i] = goValue(c.elem, x)
		}
		return out
	case kStruct:
		o, err := v.Object()
		if err != nil {
			return nil
		}
		m := make(map[string]any, len(c.fields))
		for _, f := range c.fields {
			m[f.name] = goValue(f.t, o.Get(f.name))
		}
		return m
	}
	return nil
}

// BenchmarkParquetWriters compares the Parquet writers on the same events
// (benchRecords: 40,000 synthetic CloudTrail records, parsed and
// normalised as the pipeline does, written with WriteEvent, SourceDone
// every 1,000 and Close; run it with -benchtime 40000x, as
// BenchmarkWriteCloudTrail): ours with dictionary pages for strings and
// without, and arrow-go's pqarrow with dictionary encoding on, through the
// same Writer (candidate_pqarrow.go, built with the lake_pqarrow tag,
// which `make bench BENCHTAGS=lake_pqarrow` sets). Subtract parse-only's cpu-ns/op for the
// lake's cost per event. The decision it informs is in the package doc.
//
//	go test -tags lake_pqarrow -run '^$' -bench ParquetWriters -benchtime 40000x -count 3 ./lake/
func BenchmarkParquetWriters(b *testing.B) {
	for _, bc := range []struct {
		name string
		lake bool
		opts Options
	}{
		{"parse-only", false, Options{}},
		{"ours", true, Options{format: formatOurs}},
		{"ours-plain-strings", true, Options{format: formatOurs, PlainStrings: true}},
		{"pqarrow-dict", true, Options{format: formatArrow}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			if bc.opts.format == formatArrow && !candidateBuilt {
				b.Skip("the pqarrow candidate is built with -tags lake_pqarrow (make bench BENCHTAGS=lake_pqarrow)")
			}
			benchWrite(b, bc.lake, bc.opts)
		})
	}
}
