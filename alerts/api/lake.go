package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"panther/alerts"
	"panther/auth"
	"panther/parsers"
	"panther/query"
)

// LakeRows are the lake rows of an alert: per table, the rows whose
// p_row_id is one of the alert's, read by DuckDB within the alert's time
// range (package query: read-only, files outside the range never opened).
type LakeRows struct {
	AlertID int64           `json:"id"`
	From    time.Time       `json:"from"`
	To      time.Time       `json:"to"`
	RowIDs  []string        `json:"row_ids"`
	Tables  []LakeTableRows `json:"tables"`
}

// LakeTableRows are the rows of one table.
type LakeTableRows struct {
	Table   string           `json:"table"`
	Columns []string         `json:"columns"`
	Rows    []map[string]any `json:"rows"`
}

// maxLakeRows bounds the rows of one answer.
const maxLakeRows = 1000

func (a *API) events(w http.ResponseWriter, r *http.Request, _ auth.Identity) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	al, err := a.store.Get(r.Context(), id, alerts.GetOptions{})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if a.opts.Lake == "" {
		a.fail(w, r, &apiError{http.StatusNotFound, "no_lake", "this server has no lake", "start panther serve with --lake DIR"})
		return
	}
	if _, err := os.Stat(a.opts.Lake); err != nil {
		a.fail(w, r, &apiError{http.StatusNotFound, "no_lake", "the lake has no data yet", ""})
		return
	}
	out := LakeRows{AlertID: id, From: al.FirstSeen.Add(-time.Second), To: al.LastSeen.Add(time.Second), RowIDs: al.RowIDs, Tables: []LakeTableRows{}}
	if al.Kind != alerts.KindDetection || len(al.RowIDs) == 0 {
		writeJSON(w, http.StatusOK, out)
		return
	}
	select {
	case a.lake <- struct{}{}:
		defer func() { <-a.lake }()
	case <-r.Context().Done():
		a.fail(w, r, r.Context().Err())
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 30*time.Second)
	defer cancel()
	eng, err := query.Open(ctx, query.Options{Lake: a.opts.Lake, Range: query.TimeRange{From: out.From, To: out.To}, Registry: a.opts.Registry, Threads: 1})
	if err != nil {
		var le *query.LakeError
		if errors.As(err, &le) {
			a.fail(w, r, &apiError{http.StatusNotFound, "no_lake", err.Error(), ""})
			return
		}
		a.fail(w, r, err)
		return
	}
	defer eng.Close()
	ids := make([]string, len(al.RowIDs))
	for i, rid := range al.RowIDs {
		ids[i] = "'" + strings.ReplaceAll(rid, "'", "''") + "'"
	}
	names := map[string]bool{}
	for _, n := range eng.TableNames() {
		names[n] = true
	}
	for _, lt := range al.LogTypes {
		table := parsers.TableName(lt)
		if !names[table] {
			continue
		}
		c := &collect{table: table, limit: maxLakeRows}
		sql := "SELECT * FROM " + strconv.Quote(table) + " WHERE p_row_id IN (" + strings.Join(ids, ", ") + ") ORDER BY p_event_time"
		if _, err := eng.Query(ctx, sql, maxLakeRows, c); err != nil {
			a.fail(w, r, err)
			return
		}
		out.Tables = append(out.Tables, LakeTableRows{Table: table, Columns: c.cols, Rows: c.rows})
	}
	writeJSON(w, http.StatusOK, out)
}

type collect struct {
	table string
	limit int
	cols  []string
	rows  []map[string]any
}

func (c *collect) Columns(cols []query.Column) error {
	for _, col := range cols {
		c.cols = append(c.cols, col.Name)
	}
	return nil
}

func (c *collect) Row(vals []any) error {
	m := make(map[string]any, len(vals))
	for i, v := range vals {
		if v == nil {
			continue
		}
		switch x := v.(type) {
		case []byte:
			m[c.cols[i]] = string(x)
		case time.Time:
			m[c.cols[i]] = x.UTC().Format(time.RFC3339Nano)
		case string, bool, int8, int16, int32, int64, uint8, uint16, uint32, uint64, float32, float64, map[string]any, []any:
			m[c.cols[i]] = x
		default:
			if _, err := json.Marshal(x); err != nil {
				m[c.cols[i]] = fmt.Sprint(x)
			} else {
				m[c.cols[i]] = x
			}
		}
	}
	c.rows = append(c.rows, m)
	return nil
}
