package auth

import (
	"crypto/tls"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func sessionSetup(t *testing.T) (*Tokens, *Sessions, *clock, http.Handler) {
	t.Helper()
	tk, err := ParseTokens([]string{"write/alice:" + w1, "read/rita:" + r1, "ingest:" + i1})
	if err != nil {
		t.Fatal(err)
	}
	c := &clock{t: time.Date(2026, 11, 10, 8, 0, 0, 0, time.UTC)}
	s := NewSessions(tk, SessionOptions{TTL: 8 * time.Hour, Idle: time.Hour, Max: 3, Now: c.now})
	mux := http.NewServeMux()
	s.Mount(mux)
	mux.Handle("GET /thing", tk.Require(Read, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, _ := FromContext(r.Context())
		w.Write([]byte(id.Name))
	}), func(w http.ResponseWriter, r *http.Request, e *Error) { http.Error(w, e.Code, e.Status) }))
	mux.Handle("POST /thing", tk.Require(Change, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("changed"))
	}), func(w http.ResponseWriter, r *http.Request, e *Error) { http.Error(w, e.Code, e.Status) }))
	return tk, s, c, mux
}

func do(h http.Handler, method, path, body string, cookie *http.Cookie, hdr map[string]string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, path, strings.NewReader(body))
	if cookie != nil {
		r.AddCookie(cookie)
	}
	for k, v := range hdr {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func signIn(t *testing.T, h http.Handler, token string) (*http.Cookie, SessionInfo) {
	t.Helper()
	w := do(h, "POST", "/api/v1/session", `{"token":"`+token+`"}`, nil, nil)
	if w.Code != http.StatusCreated {
		t.Fatalf("sign in: %d %s", w.Code, w.Body)
	}
	var info SessionInfo
	if err := json.Unmarshal(w.Body.Bytes(), &info); err != nil {
		t.Fatal(err)
	}
	cs := w.Result().Cookies()
	if len(cs) != 1 {
		t.Fatalf("cookies %v", cs)
	}
	return cs[0], info
}

func TestSessionSignInCookieAndCSRF(t *testing.T) {
	t.Parallel()
	_, s, _, h := sessionSetup(t)
	c, info := signIn(t, h, w1)
	if !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Secure || c.Path != "/" || c.MaxAge != 8*3600 {
		t.Errorf("cookie attributes: %+v", c)
	}
	if info.Name != "alice" || info.Role != "write" || len(info.CSRF) < 40 || !info.Session {
		t.Errorf("info %+v", info)
	}
	if w := do(h, "GET", "/thing", "", c, nil); w.Code != 200 || w.Body.String() != "alice" {
		t.Errorf("read with the cookie: %d %s", w.Code, w.Body)
	}
	// A change without the CSRF token, or with a wrong one, is refused.
	for _, hdr := range []map[string]string{nil, {CSRFHeader: "nope"}, {CSRFHeader: info.CSRF[:len(info.CSRF)-1]}} {
		if w := do(h, "POST", "/thing", "", c, hdr); w.Code != http.StatusForbidden || !strings.Contains(w.Body.String(), "csrf") {
			t.Errorf("POST with %v: %d %s", hdr, w.Code, w.Body)
		}
	}
	if w := do(h, "POST", "/thing", "", c, map[string]string{CSRFHeader: info.CSRF}); w.Code != 200 {
		t.Errorf("POST with the CSRF token: %d %s", w.Code, w.Body)
	}
	// GET /api/v1/session gives the CSRF token back (a page reload).
	w := do(h, "GET", "/api/v1/session", "", c, nil)
	var again SessionInfo
	_ = json.Unmarshal(w.Body.Bytes(), &again)
	if w.Code != 200 || again.CSRF != info.CSRF || again.Name != "alice" {
		t.Errorf("current: %d %s", w.Code, w.Body)
	}
	// Sign out needs the CSRF token too, then the cookie is dead.
	if w := do(h, "DELETE", "/api/v1/session", "", c, nil); w.Code != http.StatusForbidden {
		t.Errorf("sign out without CSRF: %d", w.Code)
	}
	w = do(h, "DELETE", "/api/v1/session", "", c, map[string]string{CSRFHeader: info.CSRF})
	if w.Code != http.StatusNoContent || len(w.Result().Cookies()) != 1 || w.Result().Cookies()[0].MaxAge >= 0 {
		t.Errorf("sign out: %d %v", w.Code, w.Result().Cookies())
	}
	if w := do(h, "GET", "/thing", "", c, nil); w.Code != http.StatusUnauthorized {
		t.Errorf("after sign out: %d", w.Code)
	}
	if s.Len() != 0 {
		t.Errorf("%d sessions left", s.Len())
	}
}

func TestSessionRolesAndRefusals(t *testing.T) {
	t.Parallel()
	_, _, _, h := sessionSetup(t)
	c, info := signIn(t, h, r1)
	if info.Role != "read" {
		t.Errorf("role %q", info.Role)
	}
	if w := do(h, "POST", "/thing", "", c, map[string]string{CSRFHeader: info.CSRF}); w.Code != http.StatusForbidden || !strings.Contains(w.Body.String(), "forbidden") {
		t.Errorf("read session changing: %d %s", w.Code, w.Body)
	}
	for body, code := range map[string]int{
		`{"token":"` + i1 + `"}`:              http.StatusForbidden,
		`{"token":"not-a-token-at-all-1234"}`: http.StatusUnauthorized,
		`{"token":""}`:                        http.StatusBadRequest,
		`{"tokn":"x"}`:                        http.StatusBadRequest,
		``:                                    http.StatusBadRequest,
		`{"token":"` + strings.Repeat("a", 5000) + `"}`: http.StatusRequestEntityTooLarge,
	} {
		if w := do(h, "POST", "/api/v1/session", body, nil, nil); w.Code != code || len(w.Result().Cookies()) != 0 {
			t.Errorf("sign in %.40q: %d %s, want %d", body, w.Code, w.Body, code)
		}
	}
	// A forged cookie is a 401, not a fall back to anything.
	if w := do(h, "GET", "/thing", "", &http.Cookie{Name: SessionCookie, Value: "forged"}, nil); w.Code != http.StatusUnauthorized {
		t.Errorf("forged cookie: %d", w.Code)
	}
	// A token header wins over a cookie and needs no CSRF token.
	if w := do(h, "POST", "/thing", "", c, map[string]string{"Authorization": "Bearer " + w1}); w.Code != 200 {
		t.Errorf("token with a read cookie: %d", w.Code)
	}
}

func TestSessionExpiry(t *testing.T) {
	t.Parallel()
	_, s, clk, h := sessionSetup(t)
	c, _ := signIn(t, h, w1)
	// Used every 50 minutes, the idle limit (1h) never ends it...
	expired := false
	for i := 0; i < 10; i++ {
		clk.t = clk.t.Add(50 * time.Minute)
		w := do(h, "GET", "/thing", "", c, nil)
		if clk.t.Before(time.Date(2026, 11, 10, 16, 0, 0, 0, time.UTC)) && w.Code != 200 {
			t.Fatalf("at %s: %d", clk.t, w.Code)
		}
		if !clk.t.Before(time.Date(2026, 11, 10, 16, 0, 0, 0, time.UTC)) && w.Code != http.StatusUnauthorized {
			t.Fatalf("past the TTL at %s: %d", clk.t, w.Code)
		}
		expired = w.Code == http.StatusUnauthorized
	}
	if !expired {
		t.Fatal("the TTL never ended the session")
	}
	// ... an hour idle does.
	c2, _ := signIn(t, h, w1)
	clk.t = clk.t.Add(time.Hour)
	if w := do(h, "GET", "/thing", "", c2, nil); w.Code != http.StatusUnauthorized || !strings.Contains(w.Body.String(), "session_expired") {
		t.Errorf("idle: %d %s", w.Code, w.Body)
	}
	// At most Max sessions: the least recently used goes.
	var cs []*http.Cookie
	for i := 0; i < 4; i++ {
		ck, _ := signIn(t, h, r1)
		cs = append(cs, ck)
		clk.t = clk.t.Add(time.Second)
	}
	if s.Len() != 3 {
		t.Errorf("%d sessions, want 3", s.Len())
	}
	if w := do(h, "GET", "/thing", "", cs[0], nil); w.Code != http.StatusUnauthorized {
		t.Errorf("evicted session: %d", w.Code)
	}
	if w := do(h, "GET", "/thing", "", cs[3], nil); w.Code != 200 {
		t.Errorf("newest session: %d", w.Code)
	}
}

func TestSessionCookieSecureUnderTLS(t *testing.T) {
	t.Parallel()
	_, _, _, h := sessionSetup(t)
	r := httptest.NewRequest("POST", "/api/v1/session", strings.NewReader(`{"token":"`+w1+`"}`))
	r.TLS = &tls.ConnectionState{}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if cs := w.Result().Cookies(); w.Code != 201 || len(cs) != 1 || !cs[0].Secure {
		t.Errorf("TLS sign in: %d %v", w.Code, cs)
	}
}
