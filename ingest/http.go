package ingest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"

	"panther/auth"
	"panther/packs"
	"panther/parsers"
	"panther/parsers/input"
)

// HTTPOptions configure the raw-log endpoint.
type HTTPOptions struct {
	Journal  *Journal
	Registry *parsers.Registry
	Metrics  *Metrics
	// MaxBody bounds a request body as sent (default 64 MiB: 413 past it).
	MaxBody int64
	// MaxDecompressed bounds a body once decompressed (default 256 MiB:
	// a gzip or zstd bomb is refused with 413 when it passes it).
	MaxDecompressed int64
	// RatePerToken bounds the requests a token may send per second
	// (burst: twice as many); 0 is no limit. Past it: 429 with Retry-After.
	RatePerToken float64
	Now          func() time.Time
}

// HTTP is the raw-log endpoint POST /api/v1/ingest.
type HTTP struct {
	opts  HTTPOptions
	mu    sync.Mutex
	rates map[string]*bucket
}

// NewHTTP returns the endpoint's handler (mount it behind
// auth.Require(auth.Ingest, ...)).
func NewHTTP(opts HTTPOptions) *HTTP {
	if opts.MaxBody <= 0 {
		opts.MaxBody = 64 << 20
	}
	if opts.MaxDecompressed <= 0 {
		opts.MaxDecompressed = 256 << 20
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &HTTP{opts: opts, rates: map[string]*bucket{}}
}

// IngestResult is the answer to an accepted body.
type IngestResult struct {
	Status  string `json:"status"` // "accepted": durable, the pipeline will process it
	Seq     uint64 `json:"seq"`
	Bytes   int64  `json:"bytes"` // decompressed
	LogType string `json:"log_type,omitempty"`
	Label   string `json:"label,omitempty"`
}

// WriteError answers an error in the API's shape.
func WriteError(w http.ResponseWriter, status int, code, msg, hint string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(packs.ErrorBody{Error: packs.APIError{Code: code, Message: msg, Hint: hint}})
}

// AuthFail writes an auth refusal (for auth.Require).
func AuthFail(w http.ResponseWriter, _ *http.Request, e *auth.Error) {
	WriteError(w, e.Status, e.Code, e.Message, e.Hint)
}

func (h *HTTP) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	met := h.opts.Metrics
	refuse := func(status int, reason, code, msg, hint string) {
		met.Refused.WithLabelValues("http", reason).Inc()
		WriteError(w, status, code, msg, hint)
	}
	id, _ := auth.FromContext(r.Context())
	q := r.URL.Query()
	logType, label := q.Get("log_type"), q.Get("label")
	if id.LogType != "" {
		if logType != "" && logType != id.LogType {
			refuse(http.StatusForbidden, "pinned", "forbidden", fmt.Sprintf("token %s may only send log type %s", id.Name, id.LogType), "leave log_type out, or use another token")
			return
		}
		logType = id.LogType
	}
	if id.Label != "" {
		if label != "" && label != id.Label {
			refuse(http.StatusForbidden, "pinned", "forbidden", fmt.Sprintf("token %s may only send label %s", id.Name, id.Label), "leave label out, or use another token")
			return
		}
		label = id.Label
	}
	if logType != "" {
		name, ok := h.opts.Registry.Canonical(logType)
		if !ok {
			hint := "panther logtypes lists them"
			if n := h.opts.Registry.Nearest(logType); n != "" {
				hint = "did you mean " + n + "?"
			}
			refuse(http.StatusBadRequest, "bad_request", "bad_request", fmt.Sprintf("unknown log type %q", logType), hint)
			return
		}
		logType = name
	}
	if len(label) > 256 {
		refuse(http.StatusBadRequest, "bad_request", "bad_request", "label longer than 256 bytes", "")
		return
	}
	if h.opts.RatePerToken > 0 {
		if wait := h.take(id.ID); wait > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
			refuse(http.StatusTooManyRequests, "rate", "rate_limited", fmt.Sprintf("token %s is over its rate of %g requests a second", id.Name, h.opts.RatePerToken), "retry after the Retry-After seconds")
			return
		}
	}
	if r.ContentLength > h.opts.MaxBody {
		refuse(http.StatusRequestEntityTooLarge, "too_large", "too_large", fmt.Sprintf("body of %d bytes is over the %s limit", r.ContentLength, input.FormatSize(h.opts.MaxBody)), "send smaller batches")
		return
	}
	raw, pooled, err := readBody(http.MaxBytesReader(w, r.Body, h.opts.MaxBody), r.ContentLength)
	if pooled {
		// Given back at every refusal below; once appended, by the
		// journal when the pipeline is done with the entry.
		defer func() {
			if pooled {
				putBody(raw)
			}
		}()
	}
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			refuse(http.StatusRequestEntityTooLarge, "too_large", "too_large", fmt.Sprintf("body over the %s limit", input.FormatSize(h.opts.MaxBody)), "send smaller batches")
			return
		}
		refuse(http.StatusBadRequest, "bad_request", "bad_request", "reading the body: "+err.Error(), "")
		return
	}
	if len(raw) == 0 {
		refuse(http.StatusBadRequest, "bad_request", "bad_request", "empty body", "send lines, NDJSON, a JSON array or {\"Records\": [...]}, plain, gzip or zstd")
		return
	}
	met.Bytes.WithLabelValues("http").Add(float64(len(raw)))
	// Decompress now, bounded: a bomb is refused before anything is
	// acknowledged, and the pipeline gets the plain bytes.
	stream, err := input.NewStream("body", bytes.NewReader(raw))
	if err != nil {
		refuse(http.StatusBadRequest, "bad_request", "bad_request", err.Error(), "")
		return
	}
	var plain []byte
	if stream.Compression() != input.Plain {
		plain, err = io.ReadAll(io.LimitReader(stream, h.opts.MaxDecompressed+1))
		if err == nil && int64(len(plain)) > h.opts.MaxDecompressed {
			stream.Close()
			refuse(http.StatusRequestEntityTooLarge, "too_large", "too_large", fmt.Sprintf("body decompresses to more than %s", input.FormatSize(h.opts.MaxDecompressed)), "send smaller batches")
			return
		}
		if err != nil {
			stream.Close()
			refuse(http.StatusBadRequest, "bad_request", "bad_request", fmt.Sprintf("%s body: %v", stream.Compression(), err), "")
			return
		}
	}
	stream.Close()
	met.Received.WithLabelValues("http").Inc()
	e := &Entry{Input: "http", Source: "http/" + id.Name, LogType: logType, Label: label, Received: h.opts.Now().UTC(),
		Kind: Stream, Data: raw, Plain: plain, pooled: pooled}
	seq, err := h.opts.Journal.Append(r.Context(), e, false)
	if err == nil {
		pooled = false // the journal's now
	}
	switch {
	case errors.Is(err, ErrBusy):
		w.Header().Set("Retry-After", strconv.Itoa(int(RetryAfter.Seconds())))
		refuse(http.StatusTooManyRequests, "busy", "busy", "the pipeline is behind", "retry after the Retry-After seconds")
		return
	case errors.Is(err, ErrClosed):
		w.Header().Set("Retry-After", "5")
		refuse(http.StatusServiceUnavailable, "shutdown", "unavailable", "the server is shutting down", "retry on another instance or later")
		return
	case err != nil:
		refuse(http.StatusServiceUnavailable, "wal", "unavailable", "the write-ahead log failed: "+err.Error(), "the server's log has the detail")
		return
	}
	if err := h.opts.Journal.Wait(seq); err != nil {
		refuse(http.StatusServiceUnavailable, "wal", "unavailable", "the write-ahead log failed: "+err.Error(), "retry; the body was not acknowledged")
		return
	}
	n := int64(len(raw))
	if plain != nil {
		n = int64(len(plain))
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusAccepted)
	_ = json.NewEncoder(w).Encode(IngestResult{Status: "accepted", Seq: seq, Bytes: n, LogType: logType, Label: label})
}

// bucket is a token bucket of one API token's requests.
type bucket struct {
	tokens float64
	last   time.Time
}

// take spends one request of token id's bucket, or says how long to wait.
func (h *HTTP) take(id string) time.Duration {
	h.mu.Lock()
	defer h.mu.Unlock()
	now := h.opts.Now()
	rate := h.opts.RatePerToken
	burst := math.Max(1, 2*rate)
	b := h.rates[id]
	if b == nil {
		b = &bucket{tokens: burst, last: now}
		h.rates[id] = b
	}
	b.tokens = math.Min(burst, b.tokens+now.Sub(b.last).Seconds()*rate)
	b.last = now
	if b.tokens >= 1 {
		b.tokens--
		return 0
	}
	return time.Duration((1 - b.tokens) / rate * float64(time.Second))
}
