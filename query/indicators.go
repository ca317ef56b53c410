package query

import (
	"context"
	"database/sql"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"panther/parsers/event"
)

// Indicator is one value to look for in one p_any_* column.
type Indicator struct {
	Kind  event.Kind
	Value string
}

// ParseIndicator normalises a value the way the normaliser files it, so
// that a search finds what replay wrote: IPs canonical (v4-mapped v6
// unmapped), domains and emails lower-case, hashes lower-case and filed by
// length. kind is a short name: ip, domain, username, email,
// aws_account_id, aws_arn, aws_instance_id, hash (md5, sha1 or sha256 by
// length), md5, sha1, sha256, trace_id.
func ParseIndicator(kind, value string) (Indicator, error) {
	v := strings.TrimSpace(value)
	bad := func(want string) (Indicator, error) {
		return Indicator{}, fmt.Errorf("%s %q: %s", kind, value, want)
	}
	if v == "" {
		return bad("empty value")
	}
	switch kind {
	case "ip":
		a, err := netip.ParseAddr(strings.Trim(v, "[]"))
		if err != nil {
			return bad("not an IP address")
		}
		return Indicator{event.IP, a.Unmap().String()}, nil
	case "domain":
		return Indicator{event.Domain, strings.ToLower(strings.TrimSuffix(v, "."))}, nil
	case "username":
		return Indicator{event.Username, v}, nil
	case "email":
		if !strings.Contains(v, "@") {
			return bad("not an email address")
		}
		return Indicator{event.Email, strings.ToLower(v)}, nil
	case "aws_account_id":
		if len(v) != 12 || strings.Trim(v, "0123456789") != "" {
			return bad("an AWS account id is 12 digits")
		}
		return Indicator{event.AWSAccountID, v}, nil
	case "aws_arn":
		if !strings.HasPrefix(v, "arn:") {
			return bad("an ARN starts with arn:")
		}
		return Indicator{event.AWSARN, v}, nil
	case "aws_instance_id":
		return Indicator{event.AWSInstanceID, v}, nil
	case "trace_id":
		return Indicator{event.TraceID, v}, nil
	case "hash", "md5", "sha1", "sha256":
		h := strings.ToLower(v)
		if strings.Trim(h, "0123456789abcdef") != "" {
			return bad("a hash is hexadecimal")
		}
		k, ok := map[int]event.Kind{32: event.MD5, 40: event.SHA1, 64: event.SHA256}[len(h)]
		if !ok || kind != "hash" && k.String() != kind {
			return bad("md5 has 32 hex digits, sha1 40, sha256 64")
		}
		return Indicator{k, h}, nil
	}
	return Indicator{}, fmt.Errorf("unknown indicator kind %q", kind)
}

// TableMatches is what an indicator search found in one table.
type TableMatches struct {
	Table   string
	Count   int64 // every match in range
	Columns []Column
	Rows    [][]any // newest first, at most the limit
}

// SearchIndicators finds the events of every table (or of tables, when
// given) whose p_any_* columns hold any of inds, within the engine's time
// range. It returns a count for every table searched, in table order, and
// up to limit rows (newest first; limit <= 0: all) of each table that has
// matches. A table without the needed p_any_* columns counts zero.
func (e *Engine) SearchIndicators(ctx context.Context, inds []Indicator, tables []string, limit int) ([]TableMatches, error) {
	if len(inds) == 0 {
		return nil, fmt.Errorf("no indicator to search for")
	}
	names := e.names
	if len(tables) > 0 {
		names = nil
		for _, t := range tables {
			t = strings.ToLower(t)
			if _, ok := e.tables[t]; !ok {
				return nil, &TableError{Table: t, Known: e.names}
			}
			names = append(names, t)
		}
	}
	var out []TableMatches
	preds := map[string]string{}
	var counts []string
	for _, n := range names {
		cols, err := e.columnNames(ctx, n)
		if err != nil {
			return nil, err
		}
		out = append(out, TableMatches{Table: n})
		if p := indicatorPredicate(inds, cols); p != "" {
			preds[n] = p
			counts = append(counts, fmt.Sprintf("SELECT %s AS t, date_trunc('hour', %s) AS h, count(*) AS n FROM %s WHERE %s GROUP BY ALL",
				sqlString(n), quoteIdent(timeColumn(e.tables[n].Kind)), quoteIdent(n), p))
		}
	}
	if len(counts) == 0 {
		return out, nil
	}
	// Pass 1 counts the matches per table and hour, reading the p_any_*
	// columns and the time only.
	hours := map[string]map[time.Time]int64{}
	err := e.retry(ctx, func() error {
		clear(hours)
		rows, err := e.db.QueryContext(ctx, strings.Join(counts, "\nUNION ALL\n"))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var t string
			var h sql.NullTime
			var n int64
			if err := rows.Scan(&t, &h, &n); err != nil {
				return err
			}
			if hours[t] == nil {
				hours[t] = map[time.Time]int64{}
			}
			hours[t][h.Time] += n // NULL time: the zero time
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	for i := range out {
		m := &out[i]
		for _, n := range hours[m.Table] {
			m.Count += n
		}
		if m.Count == 0 {
			continue
		}
		want := m.Count
		if limit > 0 && int64(limit) < want {
			want = int64(limit)
		}
		// Pass 2 reads every column, of the newest hours with matches
		// only. Should the rows fall short (an event filed in another
		// hour than its time's), it reads the whole range.
		for _, narrow := range []bool{true, false} {
			var rw collect
			err := e.retry(ctx, func() error {
				rw = collect{}
				tb := e.tables[m.Table]
				files := tb.files
				if narrow {
					files = matchedFiles(tb, hours[m.Table], limit)
				}
				q := fmt.Sprintf("SELECT * FROM %s WHERE %s ORDER BY %s DESC", e.scanSQL(tb, files), preds[m.Table], quoteIdent(timeColumn(tb.Kind)))
				if limit > 0 {
					q += " LIMIT " + strconv.Itoa(limit)
				}
				rows, err := e.db.QueryContext(ctx, q)
				if err != nil {
					return err
				}
				defer rows.Close()
				_, err = e.write(ctx, rows, 0, &rw)
				return err
			})
			if err != nil {
				return nil, err
			}
			m.Columns, m.Rows = rw.cols, rw.rows
			if int64(len(m.Rows)) >= want {
				break
			}
		}
	}
	return out, nil
}

// matchedFiles lists the files of the newest partitions of tb whose hours
// hold matches, enough of them for limit matches (limit <= 0: all). A match
// without a time (the zero hour) could be in any file: all are listed.
func matchedFiles(tb *table, hours map[time.Time]int64, limit int) []string {
	if _, ok := hours[time.Time{}]; ok {
		return tb.files
	}
	var files []string
	var n int64
	for i := len(tb.parts) - 1; i >= 0; i-- {
		p := tb.parts[i]
		c, ok := hours[p.Hour]
		if !ok {
			continue
		}
		for _, f := range p.Files {
			if slices.Contains(tb.files, f) { // not left out as bad
				files = append(files, f)
			}
		}
		if n += c; limit > 0 && n >= int64(limit) {
			break
		}
	}
	return files
}

// retry runs f, classifying its error; with SkipBadFiles, a bad file is
// left out of its table and f runs again.
func (e *Engine) retry(ctx context.Context, f func() error) error {
	relists := 0
	for {
		clear(e.touched)
		err := e.blame(ctx, classify(ctx, f()))
		if relisted, rerr := e.relist(ctx, err, &relists); rerr != nil {
			return rerr
		} else if relisted {
			continue
		}
		if err == nil || !e.dropBadFile(err) {
			return e.limits(err)
		}
		if err := e.sync(ctx); err != nil {
			return err
		}
	}
}

// indicatorPredicate ORs a list_has_any per p_any_* column that cols has.
func indicatorPredicate(inds []Indicator, cols []string) string {
	byCol := map[string][]string{}
	var order []string
	for _, in := range inds {
		c := in.Kind.Field()
		if !slices.Contains(cols, c) {
			continue
		}
		if _, ok := byCol[c]; !ok {
			order = append(order, c)
		}
		if !slices.Contains(byCol[c], in.Value) {
			byCol[c] = append(byCol[c], in.Value)
		}
	}
	var ors []string
	for _, c := range order {
		vals := make([]string, len(byCol[c]))
		for i, v := range byCol[c] {
			vals[i] = sqlString(v)
		}
		ors = append(ors, fmt.Sprintf("list_has_any(%s, [%s])", quoteIdent(c), strings.Join(vals, ", ")))
	}
	return strings.Join(ors, " OR ")
}

// columnNames lists the columns of a table.
func (e *Engine) columnNames(ctx context.Context, table string) ([]string, error) {
	var cols []string
	err := e.retry(ctx, func() error {
		cols = cols[:0]
		rows, err := e.db.QueryContext(ctx, "SELECT column_name FROM (DESCRIBE "+quoteIdent(table)+")")
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var c string
			if err := rows.Scan(&c); err != nil {
				return err
			}
			cols = append(cols, c)
		}
		return rows.Err()
	})
	return cols, err
}

// collect is a RowWriter that keeps the rows.
type collect struct {
	cols []Column
	rows [][]any
}

func (c *collect) Columns(cols []Column) error { c.cols = cols; return nil }

func (c *collect) Row(vals []any) error {
	c.rows = append(c.rows, slices.Clone(vals))
	return nil
}
