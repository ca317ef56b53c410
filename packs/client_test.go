package packs

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// flaky answers the statuses in order, then 200 with body.
func flaky(t *testing.T, statuses []int, body string, seen *[]string) *httptest.Server {
	t.Helper()
	var n atomic.Int32
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		data, _ := io.ReadAll(r.Body)
		*seen = append(*seen, r.Method+" "+r.URL.RequestURI()+" "+r.Header.Get("Authorization")+" "+string(data))
		i := int(n.Add(1)) - 1
		if i < len(statuses) {
			if statuses[i] == 429 {
				w.Header().Set("Retry-After", "7")
			}
			w.WriteHeader(statuses[i])
			io.WriteString(w, `{"error":{"code":"x","message":"try again"}}`)
			return
		}
		io.WriteString(w, body)
	}))
	t.Cleanup(ts.Close)
	return ts
}

func TestClientRetries(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		statuses []int
		attempts int
		ok       bool
		status   int // of the final error
	}{
		{"5xx then ok", []int{503, 502}, 3, true, 0},
		{"429 honours Retry-After", []int{429}, 2, true, 0},
		{"gives up after MaxAttempts", []int{500, 500, 500, 500, 500}, 4, false, 500},
		{"4xx is final", []int{422}, 1, false, 422},
		{"401 is final", []int{401}, 1, false, 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var seen []string
			ts := flaky(t, tt.statuses, `{"pack":"P","status":"created","version":3}`, &seen)
			var waits []time.Duration
			c := &Client{BaseURL: ts.URL + "/", Token: "tok", Sleep: func(_ context.Context, d time.Duration) error {
				waits = append(waits, d)
				return nil
			}}
			zip := []byte("PK zip bytes")
			res, err := c.Upload(context.Background(), bytes.NewReader(zip), int64(len(zip)), UploadOptions{DryRun: true})
			if len(seen) != tt.attempts {
				t.Fatalf("%d attempts, want %d: %v", len(seen), tt.attempts, seen)
			}
			for _, s := range seen {
				if s != "POST /api/v1/packs?dry_run=true Bearer tok PK zip bytes" {
					t.Errorf("request %q: every attempt sends the whole body", s)
				}
			}
			if tt.ok {
				if err != nil || res.Version != 3 {
					t.Fatalf("%+v %v", res, err)
				}
			} else {
				var ae *APIError
				if !errors.As(err, &ae) || ae.Status != tt.status {
					t.Fatalf("error %v, want status %d", err, tt.status)
				}
			}
			for i, w := range waits {
				base := 250 * time.Millisecond << i
				if tt.statuses[0] == 429 {
					base = 7 * time.Second
					if w != base {
						t.Errorf("wait %v, want the Retry-After of 7s", w)
					}
					continue
				}
				if w < base/2 || w > base {
					t.Errorf("wait %d: %v not in [%v, %v]", i, w, base/2, base)
				}
			}
		})
	}
}

func TestClientNetworkErrors(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	tries := 0
	c := &Client{BaseURL: "http://" + addr, MaxAttempts: 3, Sleep: func(context.Context, time.Duration) error { tries++; return nil }}
	_, err = c.List(context.Background())
	var ne *NetworkError
	if !errors.As(err, &ne) || ne.Attempts != 3 || tries != 2 || !strings.Contains(err.Error(), "no answer after 3 attempt(s)") {
		t.Errorf("%v (slept %d times)", err, tries)
	}
	// Cancellation stops the retries at once.
	ctx, cancel := context.WithCancel(context.Background())
	c = &Client{BaseURL: "http://" + addr, MaxAttempts: 10, BaseDelay: time.Hour}
	go func() { time.Sleep(50 * time.Millisecond); cancel() }()
	start := time.Now()
	if _, err := c.List(ctx); !errors.Is(err, context.Canceled) || time.Since(start) > 10*time.Second {
		t.Errorf("cancelled: %v after %v", err, time.Since(start))
	}
}

func TestClientDeleteRetryFindsItGone(t *testing.T) {
	t.Parallel()
	var seen []string
	ts := flaky(t, []int{503, 404}, "", &seen)
	c := &Client{BaseURL: ts.URL, Sleep: func(context.Context, time.Duration) error { return nil }}
	if err := c.Delete(context.Background(), "P", 2); err != nil || len(seen) != 2 || !strings.HasPrefix(seen[0], "DELETE /api/v1/packs/P/versions/2") {
		t.Errorf("%v %v", err, seen)
	}
	seen = nil
	ts = flaky(t, []int{404}, "", &seen)
	c.BaseURL = ts.URL
	var ae *APIError
	if err := c.Delete(context.Background(), "P", 0); !errors.As(err, &ae) || ae.Status != 404 {
		t.Errorf("a first-attempt 404 is an error: %v", err)
	}
}

func TestDecodeAPIError(t *testing.T) {
	t.Parallel()
	e := decodeAPIError(502, []byte("<html>Bad Gateway</html>"))
	if e.Code != "http_error" || e.Message != "<html>Bad Gateway</html>" || !strings.Contains(e.Error(), "502") {
		t.Errorf("%+v", e)
	}
	e = decodeAPIError(409, []byte(`{"error":{"code":"conflict","message":"m","hint":"h"}}`))
	if e.Error() != "server answered 409 conflict: m (h)" {
		t.Errorf("%q", e.Error())
	}
}
