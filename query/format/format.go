// Package format writes query results as a terminal table, CSV, a JSON
// array or JSON lines. The machine formats are stable: columns in result
// order, times in RFC 3339 UTC, nested values (lists, structs, JSON
// columns) as JSON, one row per line in JSON lines.
//
// The table is drawn here rather than with a table library: it must fit a
// terminal width by shrinking the widest columns, cut cells with a marker
// and drop the columns that cannot fit, which is a few dozen lines over
// text widths; text/tabwriter aligns but neither truncates nor fits.
package format

import (
	"bytes"
	"encoding/base64"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/duckdb/duckdb-go/v2"

	"panther/query"
)

// Format is an output format.
type Format string

// The formats.
const (
	Table Format = "table"
	CSV   Format = "csv"
	JSON  Format = "json"
	JSONL Format = "jsonl"
)

// Names lists the formats, for help and errors.
var Names = []string{string(Table), string(CSV), string(JSON), string(JSONL)}

// Parse checks a format name.
func Parse(s string) (Format, error) {
	if slices.Contains(Names, s) {
		return Format(s), nil
	}
	return "", fmt.Errorf("unknown format %q (one of %s)", s, strings.Join(Names, ", "))
}

// Options shape the table format.
type Options struct {
	// Width is the terminal width the table must fit; 0 draws every
	// column at full width.
	Width int
}

// Writer is a query.RowWriter that must be closed to finish its output.
type Writer interface {
	query.RowWriter
	Close() error
}

// New returns a writer of format f on w.
func New(f Format, w io.Writer, o Options) Writer {
	switch f {
	case CSV:
		return &csvWriter{w: csv.NewWriter(w)}
	case JSON:
		return &jsonWriter{w: w, array: true}
	case JSONL:
		return &jsonWriter{w: w}
	default:
		return &tableWriter{w: w, width: o.Width}
	}
}

// ---- CSV

type csvWriter struct {
	w    *csv.Writer
	cols []query.Column
	rec  []string
}

func (c *csvWriter) Columns(cols []query.Column) error {
	c.cols = cols
	c.rec = make([]string, len(cols))
	for i, col := range cols {
		c.rec[i] = col.Name
	}
	return c.w.Write(c.rec)
}

func (c *csvWriter) Row(vals []any) error {
	for i, v := range vals {
		c.rec[i] = Text(v, c.cols[i].Type)
	}
	return c.w.Write(c.rec)
}

func (c *csvWriter) Close() error {
	c.w.Flush()
	return c.w.Error()
}

// ---- JSON and JSON lines

type jsonWriter struct {
	w     io.Writer
	array bool
	cols  []query.Column
	names [][]byte
	n     int
	buf   bytes.Buffer
}

func (j *jsonWriter) Columns(cols []query.Column) error {
	j.cols = cols
	j.names = make([][]byte, len(cols))
	for i, c := range cols {
		j.names[i] = marshal(c.Name)
	}
	return nil
}

func (j *jsonWriter) Row(vals []any) error {
	j.buf.Reset()
	if j.array {
		if j.n == 0 {
			j.buf.WriteString("[\n")
		} else {
			j.buf.WriteString(",\n")
		}
	}
	AppendObject(&j.buf, j.names, j.cols, vals)
	if !j.array {
		j.buf.WriteByte('\n')
	}
	j.n++
	_, err := j.w.Write(j.buf.Bytes())
	return err
}

func (j *jsonWriter) Close() error {
	if !j.array {
		return nil
	}
	s := "\n]\n"
	if j.n == 0 {
		s = "[]\n"
	}
	_, err := io.WriteString(j.w, s)
	return err
}

// AppendObject writes one row as a JSON object, keys in column order.
// names are the JSON-encoded column names.
func AppendObject(b *bytes.Buffer, names [][]byte, cols []query.Column, vals []any) {
	b.WriteByte('{')
	for i, v := range vals {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(names[i])
		b.WriteByte(':')
		b.Write(marshal(JSONValue(v, cols[i].Type)))
	}
	b.WriteByte('}')
}

func marshal(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		// Values come from JSONValue, which only makes encodable ones.
		return []byte(strconv.Quote(fmt.Sprint(v)))
	}
	return bytes.TrimRight(b.Bytes(), "\n")
}

// JSONValue converts a driver value to one encoding/json writes well.
// typ is the column's DuckDB type, used for top-level DATE, TIME and UUID.
func JSONValue(v any, typ string) any {
	switch x := v.(type) {
	case nil, bool, string, int8, int16, int32, int64, int, uint8, uint16, uint32, uint64, uint:
		return x
	case float32:
		return JSONValue(float64(x), typ)
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return strconv.FormatFloat(x, 'g', -1, 64)
		}
		return x
	case time.Time:
		return timeText(x, typ, time.RFC3339Nano)
	case []byte:
		if typ == "UUID" && len(x) == 16 {
			return uuidText(x)
		}
		return base64.StdEncoding.EncodeToString(x)
	case *big.Int:
		return json.Number(x.String())
	case duckdb.Decimal:
		return json.Number(x.String())
	case duckdb.UUID:
		return uuidText(x[:])
	case duckdb.Interval:
		return intervalText(x)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = JSONValue(e, "")
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = JSONValue(e, "")
		}
		return out
	case duckdb.OrderedMap:
		keys, values := x.Keys(), x.Values()
		out := make([]any, len(keys))
		for i := range keys {
			out[i] = map[string]any{"key": JSONValue(keys[i], ""), "value": JSONValue(values[i], "")}
		}
		return out
	default:
		return fmt.Sprint(x)
	}
}

// Text renders a value for CSV: empty for NULL, RFC 3339 for times, JSON
// for nested values.
func Text(v any, typ string) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case time.Time:
		return timeText(x, typ, time.RFC3339Nano)
	case bool:
		return strconv.FormatBool(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case int32:
		return strconv.FormatInt(int64(x), 10)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case []any, map[string]any, duckdb.OrderedMap:
		return string(marshal(JSONValue(x, typ)))
	}
	j := JSONValue(v, typ)
	if s, ok := j.(string); ok {
		return s
	}
	return string(marshal(j))
}

func timeText(t time.Time, typ, layout string) string {
	switch typ {
	case "DATE":
		return t.UTC().Format("2006-01-02")
	case "TIME":
		return t.Format("15:04:05.999999")
	}
	return t.UTC().Format(layout)
}

func uuidText(b []byte) string {
	const hexd = "0123456789abcdef"
	out := make([]byte, 0, 36)
	for i, c := range b {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			out = append(out, '-')
		}
		out = append(out, hexd[c>>4], hexd[c&15])
	}
	return string(out)
}

func intervalText(iv duckdb.Interval) string {
	var parts []string
	if iv.Months != 0 {
		parts = append(parts, fmt.Sprintf("%d months", iv.Months))
	}
	if iv.Days != 0 {
		parts = append(parts, fmt.Sprintf("%d days", iv.Days))
	}
	if iv.Micros != 0 || len(parts) == 0 {
		parts = append(parts, (time.Duration(iv.Micros) * time.Microsecond).String())
	}
	return strings.Join(parts, " ")
}
