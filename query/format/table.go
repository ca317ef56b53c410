package format

import (
	"fmt"
	"io"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"panther/query"
)

// tableWriter buffers the rows (a result is limited) to size the columns.
type tableWriter struct {
	w     io.Writer
	width int
	cols  []query.Column
	rows  [][]string
}

const (
	colGap   = "  "
	minWidth = 6 // a column is not cut below this (or its natural width)
	ellipsis = "…"
)

func (t *tableWriter) Columns(cols []query.Column) error {
	t.cols = cols
	return nil
}

func (t *tableWriter) Row(vals []any) error {
	row := make([]string, len(vals))
	for i, v := range vals {
		row[i] = cellText(v, t.cols[i].Type)
	}
	t.rows = append(t.rows, row)
	return nil
}

// cellText is Text for a person: NULL shown, times without the T and zone
// (they are all UTC), one line.
func cellText(v any, typ string) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case time.Time:
		return timeText(x, typ, "2006-01-02 15:04:05.999999")
	}
	return oneLine(Text(v, typ))
}

// oneLine makes control characters visible so that a cell stays on its row.
func oneLine(s string) string {
	if !strings.ContainsFunc(s, unicode.IsControl) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case unicode.IsControl(r):
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func textWidth(s string) int { return utf8.RuneCountInString(s) }

// cut shortens s to width w, marking the cut.
func cut(s string, w int) string {
	if textWidth(s) <= w {
		return s
	}
	if w <= 1 {
		return ellipsis
	}
	n := 0
	for i := range s {
		if n == w-1 {
			return s[:i] + ellipsis
		}
		n++
	}
	return s
}

func (t *tableWriter) Close() error {
	if t.cols == nil {
		return nil
	}
	n := len(t.cols)
	natural := make([]int, n)
	for i, c := range t.cols {
		natural[i] = textWidth(c.Name)
	}
	for _, r := range t.rows {
		for i, s := range r {
			natural[i] = max(natural[i], textWidth(s))
		}
	}
	rigid := make([]bool, n)
	for i, c := range t.cols {
		rigid[i] = rigidType(c.Type)
	}
	widths, shown := fit(natural, rigid, t.width)
	var b strings.Builder
	line := func(cells []string, right []bool) {
		for i := 0; i < shown; i++ {
			s := cut(cells[i], widths[i])
			pad := strings.Repeat(" ", widths[i]-textWidth(s))
			last := i == shown-1
			switch {
			case right[i]:
				b.WriteString(pad + s)
			case last:
				b.WriteString(s) // no trailing spaces
			default:
				b.WriteString(s + pad)
			}
			if !last {
				b.WriteString(colGap)
			}
		}
		b.WriteByte('\n')
	}
	header := make([]string, n)
	right := make([]bool, n)
	for i, c := range t.cols {
		header[i] = c.Name
		right[i] = numeric(c.Type)
	}
	line(header, right)
	rule := make([]string, n)
	for i := range rule {
		rule[i] = strings.Repeat("─", widths[i])
	}
	line(rule, make([]bool, n))
	for _, r := range t.rows {
		line(r, right)
	}
	if shown < n {
		names := make([]string, 0, n-shown)
		for _, c := range t.cols[shown:] {
			names = append(names, c.Name)
		}
		fmt.Fprintf(&b, "(%d more columns not shown: %s; select fewer columns or use --format json)\n",
			n-shown, cut(strings.Join(names, ", "), max(t.width-60, 20)))
	}
	_, err := io.WriteString(t.w, b.String())
	return err
}

// fit sizes the columns to a total width. Text columns shrink first,
// widest first, down to minWidth; when that is not enough, columns are
// dropped from the right rather than cutting times and numbers (rigid),
// whose cut value would mislead. A lone column is cut to the width. width
// 0 keeps the natural widths.
func fit(natural []int, rigid []bool, width int) (widths []int, shown int) {
	widths = append([]int(nil), natural...)
	if width <= 0 {
		return widths, len(widths)
	}
	for shown = len(widths); shown > 1; shown-- {
		copy(widths, natural)
		excess := len(colGap)*(shown-1) - width
		for _, w := range widths[:shown] {
			excess += w
		}
		for excess > 0 {
			widest := -1
			for i := 0; i < shown; i++ {
				// On a tie the rightmost column gives way.
				if !rigid[i] && widths[i] > minWidth && (widest < 0 || widths[i] >= widths[widest]) {
					widest = i
				}
			}
			if widest < 0 {
				break
			}
			widths[widest]--
			excess--
		}
		if excess <= 0 {
			return widths, shown
		}
	}
	widths[0] = min(natural[0], max(width, 1))
	return widths, 1
}

// rigidType says a column's values are short and must not be cut.
func rigidType(typ string) bool {
	return numeric(typ) || strings.HasPrefix(typ, "TIMESTAMP") || strings.HasPrefix(typ, "TIME") ||
		typ == "DATE" || typ == "BOOLEAN" || typ == "UUID" || typ == "INTERVAL"
}

func numeric(typ string) bool {
	switch typ {
	case "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT",
		"UINTEGER", "UBIGINT", "UHUGEINT", "FLOAT", "DOUBLE":
		return true
	}
	return strings.HasPrefix(typ, "DECIMAL")
}
