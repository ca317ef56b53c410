// Package api is the HTTP API of the alert store under /api/v1 (mounted
// into `panther serve` through packs/server.Options.Mount): alerts to
// list, read and change, their notes, history, deliveries and lake rows,
// a server-sent event stream of changes for the console, the dead-letter
// list, alert rule hit counts, and the endpoints that raise alerts:
// console events (POST /api/v1/events and the ITSM agents' POST
// /api/event/create) and detection alerts (POST /api/v1/alerts/raise, what
// `panther replay --push` sends).
//
// Handlers decode, authorise, call package alerts and encode: the rules
// of the lifecycle live in the store, so the CLI, the API and the console
// share them. Every route goes through auth.Require: read tokens may
// read, write tokens may also change (the token's name is the "who" of
// every history entry), ingest tokens may only raise. Bodies are bounded
// (MaxBody), every value is checked with an error naming the field, and
// errors have the pack API's shape: {"error": {"code", "message", "hint"}}.
// Client is the Go client of this API (the CLI uses it).
package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"panther/alerts"
	"panther/auth"
	"panther/packs"
	"panther/parsers"
)

// Options configure the API.
type Options struct {
	Store  *alerts.Store
	Tokens *auth.Tokens
	// Lake is the lake folder the alerts' rows are read from ("" : none).
	Lake     string
	Registry *parsers.Registry
	Logger   *slog.Logger
	// MaxBody bounds a request body (default 1 MiB; raises of detection
	// alerts get 32 times that).
	MaxBody int64
	// Done ends the event streams (the server's shutdown).
	Done <-chan struct{}
	Now  func() time.Time
}

// API serves the alert store.
type API struct {
	opts  Options
	store *alerts.Store
	log   *slog.Logger
	lake  chan struct{} // bounds lake reads at once
}

// DefaultMaxBody is the default request body limit.
const DefaultMaxBody = 1 << 20

// New returns the API.
func New(o Options) *API {
	if o.MaxBody <= 0 {
		o.MaxBody = DefaultMaxBody
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &API{opts: o, store: o.Store, log: o.Logger, lake: make(chan struct{}, 2)}
}

type handler func(w http.ResponseWriter, r *http.Request, id auth.Identity)

// Mount adds the routes to mux.
func (a *API) Mount(mux *http.ServeMux) {
	route := func(pattern string, need auth.Permission, h handler) {
		mux.Handle(pattern, a.opts.Tokens.Require(need, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			id, _ := auth.FromContext(r.Context())
			h(w, r, id)
		}), a.refuse))
	}
	route("GET /api/v1/alerts", auth.Read, a.list)
	route("GET /api/v1/alerts/stream", auth.Read, a.stream)
	route("GET /api/v1/alerts/stats", auth.Read, a.stats)
	route("GET /api/v1/alerts/{id}", auth.Read, a.get)
	route("PATCH /api/v1/alerts/{id}", auth.Change, a.patch)
	route("GET /api/v1/alerts/{id}/history", auth.Read, a.history)
	route("GET /api/v1/alerts/{id}/notes", auth.Read, a.notes)
	route("POST /api/v1/alerts/{id}/notes", auth.Change, a.addNote)
	route("GET /api/v1/alerts/{id}/deliveries", auth.Read, a.deliveries)
	route("GET /api/v1/alerts/{id}/events", auth.Read, a.events)
	route("POST /api/v1/alerts/bulk", auth.Change, a.bulk)
	route("POST /api/v1/alerts/raise", auth.Ingest, a.raise)
	route("GET /api/v1/deliveries/dead", auth.Read, a.dead)
	route("POST /api/v1/deliveries/{id}/resend", auth.Change, a.resend)
	route("GET /api/v1/alert-rules", auth.Read, a.rules)
	route("POST /api/v1/events", auth.Ingest, a.event)
	route("POST /api/event/create", auth.Ingest, a.eventCompat)
}

// apiError is a refusal with its status.
type apiError struct {
	status int
	code   string
	msg    string
	hint   string
}

func (e *apiError) Error() string { return e.msg }

func badRequest(hint, format string, args ...any) *apiError {
	return &apiError{status: http.StatusBadRequest, code: "bad_request", msg: fmt.Sprintf(format, args...), hint: hint}
}

func (a *API) refuse(w http.ResponseWriter, r *http.Request, e *auth.Error) {
	writeJSON(w, e.Status, packs.ErrorBody{Error: packs.APIError{Code: e.Code, Message: e.Message, Hint: e.Hint}})
}

// fail answers an error with the status it deserves; anything unexpected
// is a 500, logged with its detail and answered without it.
func (a *API) fail(w http.ResponseWriter, r *http.Request, err error) {
	var ae *apiError
	var fe *alerts.FieldError
	var te *alerts.TransitionError
	var ce *alerts.ConflictError
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &ae):
	case errors.As(err, &mbe):
		ae = &apiError{http.StatusRequestEntityTooLarge, "too_large", fmt.Sprintf("the body is over %d bytes", mbe.Limit), "send less at once"}
	case errors.As(err, &te):
		ae = &apiError{http.StatusConflict, "transition", te.Error(), "see the lifecycle in docs/alerts.md"}
	case errors.As(err, &ce):
		ae = &apiError{http.StatusPreconditionFailed, "version", ce.Error(), "get the alert again and redo the change"}
	case errors.As(err, &fe):
		ae = &apiError{http.StatusBadRequest, "bad_request", fe.Error(), ""}
	case errors.Is(err, alerts.ErrNotFound):
		ae = &apiError{http.StatusNotFound, "not_found", "no such " + noun(r), "check the id"}
	case errors.Is(err, alerts.ErrClosed):
		ae = &apiError{http.StatusServiceUnavailable, "closing", "the server is shutting down", "retry in a moment"}
	case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		ae = &apiError{http.StatusServiceUnavailable, "cancelled", "the request was cancelled", "retry"}
	default:
		a.log.Error("internal error", "method", r.Method, "path", r.URL.Path, "error", err.Error())
		ae = &apiError{http.StatusInternalServerError, "internal", "internal error; the server's log has the detail", "retry; if it persists, tell the server's operator"}
	}
	writeJSON(w, ae.status, packs.ErrorBody{Error: packs.APIError{Code: ae.code, Message: ae.msg, Hint: ae.hint}})
}

func noun(r *http.Request) string {
	if strings.Contains(r.URL.Path, "/deliveries/") {
		return "delivery"
	}
	return "alert"
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true) // titles come from logs: keep < and > escaped for anything that embeds this
	_ = enc.Encode(v)
}

// decode reads a JSON body strictly (unknown fields are errors) within limit.
func decode(w http.ResponseWriter, r *http.Request, limit int64, v any) error {
	// The Content-Type is not checked: agents send JSON with whatever
	// their HTTP tool defaults to, and the body must parse as JSON anyway.
	if r.ContentLength > limit {
		return &http.MaxBytesError{Limit: limit}
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, limit))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		var ute *json.UnmarshalTypeError
		if errors.As(err, &ute) {
			return badRequest("", "field %s: expected %s", ute.Field, ute.Type)
		}
		if errors.Is(err, io.EOF) {
			return badRequest("send a JSON object", "empty body")
		}
		return badRequest("send a JSON object", "the body is not valid JSON: %v", err)
	}
	if dec.More() {
		return badRequest("send one JSON object", "more than one JSON value in the body")
	}
	return nil
}

func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id < 1 {
		return 0, badRequest("ids are positive whole numbers", "bad id %q", r.PathValue("id"))
	}
	return id, nil
}

func actor(id auth.Identity) alerts.Actor { return alerts.Actor{Name: id.Name, By: alerts.ByPerson} }
