package format

import (
	"bytes"
	"encoding/csv"
	"io"
	"strconv"
	"strings"

	"panther/query"
)

// Indicator search results hold rows of tables with different columns:
//   - json: one document, {"tables":[{"table":..,"matches":N,"rows":[{..}]}]},
//     a count for every table searched;
//   - jsonl: one line per row, the row's columns after "p_table";
//   - csv: fixed columns p_table, p_event_time, p_log_type, p_row_id and
//     event (the whole row as JSON);
//   - table: see Summary.

// WriteIndicatorJSON writes the json document.
func WriteIndicatorJSON(w io.Writer, res []query.TableMatches) error {
	var b bytes.Buffer
	b.WriteString(`{"tables":[`)
	for i, m := range res {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"table":`)
		b.Write(marshal(m.Table))
		b.WriteString(`,"matches":`)
		b.WriteString(strconv.FormatInt(m.Count, 10))
		b.WriteString(`,"rows":[`)
		names := columnNames(m.Columns)
		for j, r := range m.Rows {
			if j > 0 {
				b.WriteByte(',')
			}
			AppendObject(&b, names, m.Columns, r)
		}
		b.WriteString("]}")
	}
	b.WriteString("]}\n")
	_, err := w.Write(b.Bytes())
	return err
}

// WriteIndicatorRows writes the rows as jsonl or csv.
func WriteIndicatorRows(w io.Writer, f Format, res []query.TableMatches) error {
	if f == CSV {
		cw := csv.NewWriter(w)
		if err := cw.Write([]string{"p_table", "p_event_time", "p_log_type", "p_row_id", "event"}); err != nil {
			return err
		}
		for _, m := range res {
			names := columnNames(m.Columns)
			idx := indexOf(m.Columns)
			for _, r := range m.Rows {
				var b bytes.Buffer
				AppendObject(&b, names, m.Columns, r)
				rec := []string{m.Table, field(r, m.Columns, idx, "p_event_time"), field(r, m.Columns, idx, "p_log_type"), field(r, m.Columns, idx, "p_row_id"), b.String()}
				if err := cw.Write(rec); err != nil {
					return err
				}
			}
		}
		cw.Flush()
		return cw.Error()
	}
	var b bytes.Buffer
	for _, m := range res {
		cols := append([]query.Column{{Name: "p_table", Type: "VARCHAR"}}, m.Columns...)
		names := columnNames(cols)
		vals := make([]any, len(cols))
		for _, r := range m.Rows {
			b.Reset()
			vals[0] = m.Table
			copy(vals[1:], r)
			AppendObject(&b, names, cols, vals)
			b.WriteByte('\n')
			if _, err := w.Write(b.Bytes()); err != nil {
				return err
			}
		}
	}
	return nil
}

// Summary is the table of one table's matches for a terminal: the event
// time, the log type and the event's own fields as one JSON line (NULLs,
// p_ and partition columns left out).
func Summary(m query.TableMatches) ([]query.Column, [][]any) {
	cols := []query.Column{{Name: "p_event_time", Type: "TIMESTAMP"}, {Name: "p_log_type", Type: "VARCHAR"}, {Name: "event", Type: "VARCHAR"}}
	idx := indexOf(m.Columns)
	var rows [][]any
	for _, r := range m.Rows {
		var b bytes.Buffer
		b.WriteByte('{')
		n := 0
		for i, c := range m.Columns {
			if r[i] == nil || strings.HasPrefix(c.Name, "p_") || isPartition(c.Name) {
				continue
			}
			if n > 0 {
				b.WriteByte(',')
			}
			n++
			b.Write(marshal(c.Name))
			b.WriteByte(':')
			b.Write(marshal(dropNulls(JSONValue(r[i], c.Type))))
		}
		b.WriteByte('}')
		rows = append(rows, []any{value(r, idx, "p_event_time"), value(r, idx, "p_log_type"), b.String()})
	}
	return cols, rows
}

// dropNulls leaves out the NULL fields of structs, which a person need not read.
func dropNulls(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			if e != nil {
				out[k] = dropNulls(e)
			}
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = dropNulls(e)
		}
		return out
	}
	return v
}

func isPartition(name string) bool {
	return name == "year" || name == "month" || name == "day" || name == "hour"
}

func columnNames(cols []query.Column) [][]byte {
	out := make([][]byte, len(cols))
	for i, c := range cols {
		out[i] = marshal(c.Name)
	}
	return out
}

func indexOf(cols []query.Column) map[string]int {
	m := make(map[string]int, len(cols))
	for i, c := range cols {
		m[c.Name] = i
	}
	return m
}

func value(r []any, idx map[string]int, name string) any {
	if i, ok := idx[name]; ok {
		return r[i]
	}
	return nil
}

func field(r []any, cols []query.Column, idx map[string]int, name string) string {
	if i, ok := idx[name]; ok {
		return Text(r[i], cols[i].Type)
	}
	return ""
}
