// Package api is the HTTP API of search under /api/v1/search, mounted into
// `panther serve` (the console's Search screen calls it, and so can
// anything with a read token): SQL and indicator searches over the lake,
// with the same read-only engine as `panther search` (package query: one
// statement, writes and side effects refused, files outside the time
// range never opened), the tables and their columns (for completion), and
// the saved queries of the detections.
//
// Read-only exactly as the CLI: every route needs only the read
// permission. Limits: at most MaxRows rows an answer (default 1,000, at
// most 10,000), a timeout per search (default 60 s, at most 5 min; the
// client going away cancels it too), Concurrency searches at once (the
// others wait for a slot, or until their request is cancelled), a SQL text
// of at most 64 KiB. Errors have the shape of the other APIs,
// {"error": {"code", "message", "hint"}}, and a SQL error adds the
// position DuckDB gave ("line", "column", 1-based, in the text sent).
package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"panther/auth"
	"panther/parsers"
	"panther/query"
	"panther/query/format"
)

// SavedQuery is a saved or scheduled query of the detections.
type SavedQuery struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	SQL         string `json:"sql"`
	// Lookback is the query's lookback window ("" : none), a default time
	// range for running it.
	Lookback string `json:"lookback,omitempty"`
}

// Options configure the API.
type Options struct {
	// Lake is the lake folder searched.
	Lake     string
	Registry *parsers.Registry
	Tokens   *auth.Tokens
	// Queries lists the saved queries (nil: none).
	Queries func() []SavedQuery
	// Concurrency bounds the searches running at once (default 2).
	Concurrency int
	// Threads and MemoryLimit are DuckDB's, per search (default 1 thread,
	// "512MB").
	Threads     int
	MemoryLimit string
	Logger      *slog.Logger
	Now         func() time.Time
}

// Limits of a search.
const (
	DefaultRows    = 1000
	MaxRows        = 10000
	DefaultTimeout = 60 * time.Second
	MaxTimeout     = 5 * time.Minute
	MaxSQL         = 64 << 10
)

// API serves search.
type API struct {
	opts  Options
	slots chan struct{}
	log   *slog.Logger
}

// New returns the API.
func New(o Options) *API {
	if o.Concurrency <= 0 {
		o.Concurrency = 2
	}
	if o.Threads <= 0 {
		o.Threads = 1
	}
	if o.MemoryLimit == "" {
		o.MemoryLimit = "512MB"
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &API{opts: o, slots: make(chan struct{}, o.Concurrency), log: o.Logger}
}

// Mount adds the routes to mux.
func (a *API) Mount(mux *http.ServeMux) {
	route := func(pattern string, h http.HandlerFunc) {
		mux.Handle(pattern, a.opts.Tokens.Require(auth.Read, h, refuse))
	}
	route("GET /api/v1/search", a.search)
	route("POST /api/v1/search", a.search)
	route("GET /api/v1/search/tables", a.tables)
	route("GET /api/v1/search/queries", a.queries)
}

// Request is a search: SQL, or an indicator, over a time range.
type Request struct {
	SQL string `json:"sql,omitempty"`
	// Indicator kind (ip, domain, username, email, hash, aws_account_id,
	// aws_arn, aws_instance_id, trace_id) and value.
	Kind  string `json:"kind,omitempty"`
	Value string `json:"value,omitempty"`
	// Query runs a saved query by name.
	Query string `json:"query,omitempty"`
	// Since ("24h", "7d") or From/To (RFC 3339 or dates), as the CLI's flags.
	Since string `json:"since,omitempty"`
	From  string `json:"from,omitempty"`
	To    string `json:"to,omitempty"`
	Limit int    `json:"limit,omitempty"`
	// Timeout ("30s"); default 60 s, at most 5 min.
	Timeout string `json:"timeout,omitempty"`
	// Format: json (default), csv or jsonl.
	Format string `json:"format,omitempty"`
}

// Result is a SQL search's answer in JSON.
type Result struct {
	Columns   []Column `json:"columns"`
	Rows      [][]any  `json:"rows"`
	Truncated bool     `json:"truncated"`
	Range     string   `json:"range"`
	ElapsedMS int64    `json:"elapsed_ms"`
}

// Column is a result column.
type Column struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

// IndicatorResult is an indicator search's answer in JSON.
type IndicatorResult struct {
	Tables    []TableResult `json:"tables"`
	Range     string        `json:"range"`
	ElapsedMS int64         `json:"elapsed_ms"`
}

// TableResult is what an indicator search found in one table.
type TableResult struct {
	Table   string   `json:"table"`
	Count   int64    `json:"count"`
	Columns []Column `json:"columns"`
	Rows    [][]any  `json:"rows"`
}

// apiError is a refusal.
type apiError struct {
	status       int
	code, msg    string
	hint         string
	line, column int
}

func (e *apiError) Error() string { return e.msg }

func bad(hint, f string, args ...any) *apiError {
	return &apiError{status: http.StatusBadRequest, code: "bad_request", msg: fmt.Sprintf(f, args...), hint: hint}
}

type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Hint    string `json:"hint,omitempty"`
	Line    int    `json:"line,omitempty"`
	Column  int    `json:"column,omitempty"`
}

func refuse(w http.ResponseWriter, r *http.Request, e *auth.Error) {
	writeJSON(w, e.Status, errorBody{errorDetail{Code: e.Code, Message: e.Message, Hint: e.Hint}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// request reads a search from the query string (GET) or a JSON body (POST).
func (a *API) request(r *http.Request) (Request, error) {
	var req Request
	if r.Method == http.MethodPost {
		dec := json.NewDecoder(io.LimitReader(r.Body, MaxSQL+4096))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&req); err != nil {
			return req, bad(`{"sql": "SELECT ...", "since": "24h"}`, "the body is not a search: %v", err)
		}
	} else {
		q := r.URL.Query()
		known := map[string]*string{"sql": &req.SQL, "kind": &req.Kind, "value": &req.Value, "query": &req.Query, "since": &req.Since,
			"from": &req.From, "to": &req.To, "timeout": &req.Timeout, "format": &req.Format}
		for k := range q {
			if dst, ok := known[k]; ok {
				*dst = q.Get(k)
			} else if k != "limit" {
				return req, bad("parameters: sql, kind, value, query, since, from, to, limit, timeout, format", "unknown parameter %q", k)
			}
		}
		if s := q.Get("limit"); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil {
				return req, bad("", "limit %q is not a number", s)
			}
			req.Limit = n
		}
	}
	if len(req.SQL) > MaxSQL {
		return req, bad("", "the SQL is over %d bytes", MaxSQL)
	}
	n := 0
	for _, s := range []string{req.SQL, req.Value, req.Query} {
		if strings.TrimSpace(s) != "" {
			n++
		}
	}
	if n != 1 {
		return req, bad("give sql, or kind and value, or query", "a search is one of: SQL, an indicator, a saved query")
	}
	if req.Value != "" && req.Kind == "" {
		return req, bad("ip, domain, username, email, hash, aws_account_id, aws_arn, aws_instance_id, trace_id", "kind: which indicator is %q?", req.Value)
	}
	if req.Limit == 0 {
		req.Limit = DefaultRows
	}
	if req.Limit < 1 || req.Limit > MaxRows {
		return req, bad("", "limit is 1 to %d", MaxRows)
	}
	switch req.Format {
	case "":
		req.Format = "json"
	case "json", "csv", "jsonl":
	default:
		return req, bad("json, csv or jsonl", "format %q", req.Format)
	}
	return req, nil
}

func (a *API) search(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	req, err := a.request(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	timeout := DefaultTimeout
	if req.Timeout != "" {
		if timeout, err = time.ParseDuration(req.Timeout); err != nil || timeout <= 0 || timeout > MaxTimeout {
			a.fail(w, r, bad("a duration up to 5m", "timeout %q", req.Timeout))
			return
		}
	}
	var ind query.Indicator
	if req.Value != "" {
		if ind, err = query.ParseIndicator(req.Kind, req.Value); err != nil {
			a.fail(w, r, bad("", "%v", err))
			return
		}
	}
	if req.Query != "" {
		sq, ok := a.saved(req.Query)
		if !ok {
			a.fail(w, r, &apiError{status: http.StatusNotFound, code: "not_found", msg: fmt.Sprintf("no saved query named %q", req.Query), hint: "GET /api/v1/search/queries lists them"})
			return
		}
		req.SQL = sq.SQL
		if req.Since == "" && req.From == "" && req.To == "" && sq.Lookback != "" {
			req.Since = sq.Lookback
		}
	}
	rng, err := query.RangeFlags{Since: req.Since, From: req.From, To: req.To}.Resolve(a.opts.Now())
	if err != nil {
		a.fail(w, r, bad("since (24h, 7d) or from/to (RFC 3339 or a date)", "%v", err))
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), timeout)
	defer cancel()
	select {
	case a.slots <- struct{}{}:
		defer func() { <-a.slots }()
	case <-ctx.Done():
		a.fail(w, r, ctx.Err())
		return
	}
	eng, err := query.Open(ctx, query.Options{Lake: a.opts.Lake, Range: rng, Registry: a.opts.Registry,
		Threads: a.opts.Threads, MemoryLimit: a.opts.MemoryLimit, SkipBadFiles: true,
		Warn: func(s string) { a.log.Warn("search", "warning", s) }})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	defer eng.Close()
	if req.Value != "" {
		a.indicator(ctx, w, r, eng, req, ind, rng, start)
		return
	}
	if req.Format != "json" {
		// Stream: rows go out as DuckDB yields them. An error after the
		// first byte can only cut the download short (logged).
		fw := &lazyWriter{w: w, format: req.Format}
		st, err := eng.Query(ctx, req.SQL, req.Limit, fw)
		if err != nil && !fw.started {
			a.fail(w, r, withPosition(err))
			return
		}
		if err != nil {
			a.log.Warn("search download cut short", "error", err.Error())
			return
		}
		_ = fw.Close()
		_ = st
		return
	}
	c := &collector{}
	st, err := eng.Query(ctx, req.SQL, req.Limit, c)
	if err != nil {
		a.fail(w, r, withPosition(err))
		return
	}
	if c.rows == nil {
		c.rows = [][]any{}
	}
	writeJSON(w, http.StatusOK, Result{Columns: c.cols, Rows: c.rows, Truncated: st.Truncated, Range: rng.String(),
		ElapsedMS: time.Since(start).Milliseconds()})
}

func (a *API) indicator(ctx context.Context, w http.ResponseWriter, r *http.Request, eng *query.Engine, req Request, ind query.Indicator, rng query.TimeRange, start time.Time) {
	res, err := eng.SearchIndicators(ctx, []query.Indicator{ind}, nil, req.Limit)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if req.Format != "json" {
		setDownload(w, req.Format)
		w.WriteHeader(http.StatusOK)
		f := format.CSV
		if req.Format == "jsonl" {
			f = format.JSONL
		}
		if err := format.WriteIndicatorRows(w, f, res); err != nil {
			a.log.Warn("search download cut short", "error", err.Error())
		}
		return
	}
	out := IndicatorResult{Tables: []TableResult{}, Range: rng.String()}
	for _, m := range res {
		tr := TableResult{Table: m.Table, Count: m.Count, Columns: columns(m.Columns), Rows: [][]any{}}
		for _, row := range m.Rows {
			tr.Rows = append(tr.Rows, jsonRow(row, m.Columns))
		}
		out.Tables = append(out.Tables, tr)
	}
	out.ElapsedMS = time.Since(start).Milliseconds()
	writeJSON(w, http.StatusOK, out)
}

func (a *API) saved(name string) (SavedQuery, bool) {
	if a.opts.Queries == nil {
		return SavedQuery{}, false
	}
	for _, q := range a.opts.Queries() {
		if q.Name == name {
			return q, true
		}
	}
	return SavedQuery{}, false
}

func (a *API) queries(w http.ResponseWriter, r *http.Request) {
	out := []SavedQuery{}
	if a.opts.Queries != nil {
		out = append(out, a.opts.Queries()...)
	}
	writeJSON(w, http.StatusOK, out)
}

// TableColumns is a table of the lake and its columns.
type TableColumns struct {
	Table   string       `json:"table"`
	Files   int          `json:"files"`
	Bytes   int64        `json:"bytes"`
	First   string       `json:"first,omitempty"`
	Last    string       `json:"last,omitempty"`
	Columns []ColumnInfo `json:"columns"`
}

// ColumnInfo is a column of a table.
type ColumnInfo struct {
	Name        string `json:"name"`
	Type        string `json:"type"`
	Description string `json:"description,omitempty"`
}

func (a *API) tables(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), DefaultTimeout)
	defer cancel()
	select {
	case a.slots <- struct{}{}:
		defer func() { <-a.slots }()
	case <-ctx.Done():
		a.fail(w, r, ctx.Err())
		return
	}
	eng, err := query.Open(ctx, query.Options{Lake: a.opts.Lake, Registry: a.opts.Registry, Threads: a.opts.Threads,
		MemoryLimit: a.opts.MemoryLimit, SkipBadFiles: true})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	defer eng.Close()
	out := []TableColumns{}
	for _, ti := range eng.Tables() {
		tc := TableColumns{Table: ti.Name, Files: ti.Files, Bytes: ti.Bytes, First: ti.First, Last: ti.Last, Columns: []ColumnInfo{}}
		cols, err := eng.Describe(ctx, ti.Name)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		for _, c := range cols {
			tc.Columns = append(tc.Columns, ColumnInfo{Name: c.Name, Type: c.Type, Description: c.Description})
		}
		out = append(out, tc)
	}
	writeJSON(w, http.StatusOK, out)
}

// fail answers an error with the status it deserves.
func (a *API) fail(w http.ResponseWriter, r *http.Request, err error) {
	var (
		ae *apiError
		se *query.SQLError
		re *query.RefusedError
		te *query.TableError
		le *query.LakeError
		fe *query.FileError
	)
	switch {
	case errors.As(err, &ae):
	case errors.As(err, &se):
		ae = &apiError{status: http.StatusBadRequest, code: "sql", msg: se.Msg, hint: "fix the statement"}
	case errors.As(err, &re):
		ae = &apiError{status: http.StatusBadRequest, code: "refused", msg: re.Error()}
	case errors.As(err, &te):
		ae = &apiError{status: http.StatusBadRequest, code: "table", msg: te.Error(), hint: "GET /api/v1/search/tables lists the tables"}
	case errors.As(err, &le):
		ae = &apiError{status: http.StatusNotFound, code: "no_lake", msg: le.Error(), hint: "the lake has no data yet"}
	case errors.As(err, &fe):
		ae = &apiError{status: http.StatusInternalServerError, code: "bad_file", msg: fe.Error()}
	case errors.Is(err, context.DeadlineExceeded):
		ae = &apiError{status: http.StatusGatewayTimeout, code: "timeout", msg: "the search ran past its timeout", hint: "narrow the time range or raise the timeout (at most 5m)"}
	case errors.Is(err, context.Canceled):
		ae = &apiError{status: 499, code: "cancelled", msg: "the search was cancelled"}
	default:
		a.log.Error("search", "error", err.Error())
		ae = &apiError{status: http.StatusInternalServerError, code: "internal", msg: "internal error; the server's log has the detail"}
	}
	if r.Context().Err() != nil {
		return // nobody is listening
	}
	writeJSON(w, ae.status, errorBody{errorDetail{Code: ae.code, Message: ae.msg, Hint: ae.hint, Line: ae.line, Column: ae.column}})
}

// duckPosition finds DuckDB's "LINE n:" and the caret under it.
var duckPosition = regexp.MustCompile(`(?m)^LINE (\d+): (.*)\n( *)\^`)

// withPosition adds the position of a SQL error, in the text the user sent.
func withPosition(err error) error {
	var se *query.SQLError
	if !errors.As(err, &se) {
		return err
	}
	ae := &apiError{status: http.StatusBadRequest, code: "sql", msg: se.Msg, hint: "fix the statement"}
	if m := duckPosition.FindStringSubmatchIndex(se.Msg); m != nil {
		line, _ := strconv.Atoi(se.Msg[m[2]:m[3]])
		prefix := len("LINE ") + (m[3] - m[2]) + len(": ")
		col := m[7] - m[6] - prefix + 1
		ae.line, ae.column = line, col
		// DuckDB shortens long lines around the error with "...".
		if strings.HasPrefix(se.Msg[m[4]:m[5]], "...") {
			ae.column = 0
		}
	}
	return ae
}

func columns(cols []query.Column) []Column {
	out := make([]Column, len(cols))
	for i, c := range cols {
		out[i] = Column{Name: c.Name, Type: c.Type}
	}
	return out
}

func jsonRow(vals []any, cols []query.Column) []any {
	row := make([]any, len(vals))
	for i, v := range vals {
		row[i] = format.JSONValue(v, cols[i].Type)
	}
	return row
}

type collector struct {
	qcols []query.Column
	cols  []Column
	rows  [][]any
}

func (c *collector) Columns(cols []query.Column) error {
	c.qcols, c.cols = cols, columns(cols)
	return nil
}

func (c *collector) Row(vals []any) error {
	c.rows = append(c.rows, jsonRow(vals, c.qcols))
	return nil
}

// lazyWriter starts the download at the first column list, so an error
// before it is still answered as an error.
type lazyWriter struct {
	w       http.ResponseWriter
	format  string
	started bool
	fw      format.Writer
}

func setDownload(w http.ResponseWriter, f string) {
	ct := map[string]string{"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson"}[f]
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Disposition", `attachment; filename="search.`+f+`"`)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "no-store")
}

func (l *lazyWriter) Columns(cols []query.Column) error {
	setDownload(l.w, l.format)
	l.w.WriteHeader(http.StatusOK)
	l.started = true
	f := format.CSV
	if l.format == "jsonl" {
		f = format.JSONL
	}
	l.fw = format.New(f, l.w, format.Options{})
	return l.fw.Columns(cols)
}

func (l *lazyWriter) Row(vals []any) error { return l.fw.Row(vals) }

func (l *lazyWriter) Close() error {
	if l.fw == nil {
		return nil
	}
	return l.fw.Close()
}
