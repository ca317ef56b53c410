package packs

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Client talks to the backend's API (`panther serve`). Requests that fail
// on the network or with a 5xx (or 429) are retried with exponential
// backoff and jitter, at most MaxAttempts times in all, and never past the
// context; 4xx answers are final. Uploads are safe to retry: the server
// recognises a pack digest it has already stored.
type Client struct {
	BaseURL string // https://panther.example.com (no /api/v1)
	Token   string
	HTTP    *http.Client // nil: a client with a 5 minute timeout
	// MaxAttempts bounds the tries of one request (default 4).
	MaxAttempts int
	// BaseDelay is the first backoff (default 250ms); it doubles up to
	// MaxDelay (default 5s), and each wait is drawn in [d/2, d].
	BaseDelay, MaxDelay time.Duration
	UserAgent           string
	// Sleep waits; tests replace it. nil: a timer that honours ctx.
	Sleep func(ctx context.Context, d time.Duration) error
	// OnRetry, when set, is told about each retry before its wait.
	OnRetry func(attempt int, err error, wait time.Duration)
}

// NetworkError is a request that never got an HTTP answer.
type NetworkError struct {
	URL      string
	Attempts int
	Err      error
}

func (e *NetworkError) Error() string {
	return fmt.Sprintf("%s: no answer after %d attempt(s): %v", e.URL, e.Attempts, e.Err)
}

func (e *NetworkError) Unwrap() error { return e.Err }

// UploadOptions configure Upload.
type UploadOptions struct {
	// DryRun validates and tests on the server and returns the diff;
	// nothing is stored.
	DryRun bool
	// NoActivate stores the version without making it active.
	NoActivate bool
	// IfActive, when non-zero, makes the server refuse (409) when the
	// pack's active version is another one.
	IfActive int
}

// Upload sends a pack archive of size bytes, read from body (again for
// each attempt: a file is streamed, never held in memory).
func (c *Client) Upload(ctx context.Context, body io.ReaderAt, size int64, o UploadOptions) (*UploadResult, error) {
	q := url.Values{}
	if o.DryRun {
		q.Set("dry_run", "true")
	}
	if o.NoActivate {
		q.Set("activate", "false")
	}
	p := "/api/v1/packs"
	if len(q) > 0 {
		p += "?" + q.Encode()
	}
	h := http.Header{"Content-Type": {"application/zip"}}
	if o.IfActive > 0 {
		h.Set("If-Match", etagOfVersion(o.IfActive))
	}
	var res UploadResult
	if _, err := c.do(ctx, http.MethodPost, p, &reqBody{body, size}, h, &res); err != nil {
		return nil, err
	}
	return &res, nil
}

// List returns every pack of the server.
func (c *Client) List(ctx context.Context) ([]PackSummary, error) {
	var out []PackSummary
	_, err := c.do(ctx, http.MethodGet, "/api/v1/packs", nil, nil, &out)
	return out, err
}

// Get returns a pack and its versions.
func (c *Client) Get(ctx context.Context, pack string) (*PackInfo, error) {
	var out PackInfo
	if _, err := c.do(ctx, http.MethodGet, packPath(pack), nil, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Activate makes version the active one. ifActive (when non-zero) is the
// version the caller believes active: the server answers 409 when it is
// not. Activating the version already active succeeds and changes nothing,
// so a retried request is harmless.
func (c *Client) Activate(ctx context.Context, pack string, version, ifActive int) (*PackInfo, error) {
	return c.activate(ctx, packPath(pack)+"/versions/"+strconv.Itoa(version)+"/activate", ActivateRequest{}, ifActive)
}

// Rollback activates version to, or (to == 0) the version active before
// the current one.
func (c *Client) Rollback(ctx context.Context, pack string, to, ifActive int) (*PackInfo, error) {
	return c.activate(ctx, packPath(pack)+"/rollback", ActivateRequest{To: to}, ifActive)
}

func (c *Client) activate(ctx context.Context, p string, req ActivateRequest, ifActive int) (*PackInfo, error) {
	body, _ := json.Marshal(req)
	h := http.Header{"Content-Type": {"application/json"}}
	if ifActive > 0 {
		h.Set("If-Match", etagOfVersion(ifActive))
	}
	var out PackInfo
	if _, err := c.do(ctx, http.MethodPost, p, &reqBody{bytes.NewReader(body), int64(len(body))}, h, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Delete removes one version (version > 0) or the whole pack. A retried
// delete that finds nothing left counts as done.
func (c *Client) Delete(ctx context.Context, pack string, version int) error {
	p := packPath(pack)
	if version > 0 {
		p += "/versions/" + strconv.Itoa(version)
	}
	_, err := c.do(ctx, http.MethodDelete, p, nil, nil, nil)
	return err
}

// Download fetches the active version (version == 0) or a given one. With
// etag set, the server may answer "not modified": data is then nil and
// notModified true.
func (c *Client) Download(ctx context.Context, pack string, version int, etag string) (data []byte, newETag string, notModified bool, err error) {
	p := packPath(pack)
	if version > 0 {
		p += "/versions/" + strconv.Itoa(version)
	}
	p += "/download"
	h := http.Header{}
	if etag != "" {
		h.Set("If-None-Match", etag)
	}
	resp, err := c.do(ctx, http.MethodGet, p, nil, h, nil)
	if err != nil {
		return nil, "", false, err
	}
	if resp.status == http.StatusNotModified {
		return nil, resp.header.Get("ETag"), true, nil
	}
	return resp.body, resp.header.Get("ETag"), false, nil
}

// JSON sends a request with a JSON body (in, unless nil) under the
// client's retries and decodes a 2xx answer into out (unless nil): the
// other parts of the backend's API (alerts) use it.
func (c *Client) JSON(ctx context.Context, method, path string, in, out any) error {
	var body *reqBody
	h := http.Header{}
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = &reqBody{bytes.NewReader(b), int64(len(b))}
		h.Set("Content-Type", "application/json")
	}
	_, err := c.do(ctx, method, path, body, h, out)
	return err
}

func packPath(pack string) string { return "/api/v1/packs/" + url.PathEscape(pack) }

func etagOfVersion(v int) string { return `"` + strconv.Itoa(v) + `"` }

// reqBody is a request body that can be sent again.
type reqBody struct {
	r    io.ReaderAt
	size int64
}

type response struct {
	status int
	header http.Header
	body   []byte
}

// do sends one request with retries and decodes a 2xx JSON answer into
// out (when out is not nil).
func (c *Client) do(ctx context.Context, method, p string, body *reqBody, h http.Header, out any) (*response, error) {
	base := strings.TrimRight(c.BaseURL, "/")
	if base == "" {
		return nil, errors.New("no API URL")
	}
	u := base + p
	hc := c.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 5 * time.Minute}
	}
	attempts := c.MaxAttempts
	if attempts <= 0 {
		attempts = 4
	}
	var lastErr error
	for attempt := 1; ; attempt++ {
		resp, err := c.once(ctx, hc, method, u, body, h)
		retryAfter := time.Duration(0)
		switch {
		case err != nil:
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			lastErr = &NetworkError{URL: u, Attempts: attempt, Err: err}
		case resp.status >= 500 || resp.status == http.StatusTooManyRequests:
			lastErr = decodeAPIError(resp.status, resp.body)
			if s, perr := strconv.Atoi(resp.header.Get("Retry-After")); perr == nil && s > 0 {
				retryAfter = time.Duration(s) * time.Second
			}
		case resp.status == http.StatusNotFound && method == http.MethodDelete && attempt > 1:
			return resp, nil // an earlier attempt deleted it
		case resp.status >= 400:
			return nil, decodeAPIError(resp.status, resp.body)
		default:
			if out != nil && resp.status != http.StatusNoContent && resp.status != http.StatusNotModified {
				if err := json.Unmarshal(resp.body, out); err != nil {
					return nil, fmt.Errorf("%s %s: the answer is not the expected JSON: %v", method, u, err)
				}
			}
			return resp, nil
		}
		if attempt >= attempts {
			return nil, lastErr
		}
		wait := c.backoff(attempt)
		if retryAfter > wait {
			wait = min(retryAfter, 30*time.Second)
		}
		if c.OnRetry != nil {
			c.OnRetry(attempt, lastErr, wait)
		}
		if err := c.sleep(ctx, wait); err != nil {
			return nil, err
		}
	}
}

func (c *Client) once(ctx context.Context, hc *http.Client, method, u string, body *reqBody, h http.Header) (*response, error) {
	var rd io.Reader
	if body != nil {
		rd = io.NewSectionReader(body.r, 0, body.size)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.ContentLength = body.size
		req.GetBody = func() (io.ReadCloser, error) {
			return io.NopCloser(io.NewSectionReader(body.r, 0, body.size)), nil
		}
		if body.size == 0 {
			req.Body = http.NoBody
		}
	}
	for k, v := range h {
		req.Header[k] = v
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	ua := c.UserAgent
	if ua == "" {
		ua = "panther"
	}
	req.Header.Set("User-Agent", ua)
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<30))
	if err != nil {
		return nil, err
	}
	return &response{status: resp.StatusCode, header: resp.Header, body: data}, nil
}

func (c *Client) backoff(attempt int) time.Duration {
	base, maxd := c.BaseDelay, c.MaxDelay
	if base <= 0 {
		base = 250 * time.Millisecond
	}
	if maxd <= 0 {
		maxd = 5 * time.Second
	}
	d := base << (attempt - 1)
	if d > maxd || d <= 0 {
		d = maxd
	}
	return d/2 + rand.N(d/2+1)
}

func (c *Client) sleep(ctx context.Context, d time.Duration) error {
	if c.Sleep != nil {
		return c.Sleep(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
