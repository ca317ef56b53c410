package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"sync"
	"time"
)

// Sessions are the console's sign-ins. A person signs in once with a
// token (POST /api/v1/session); the server answers with a session cookie
// (HttpOnly, SameSite=Strict, Secure under TLS) and a CSRF token, and
// from then on the browser's requests carry the cookie instead of the
// token, so the token is never kept by the page.
//
// A session has the identity of the token it was opened with (its role
// and its name, the "who" of history). It ends at sign-out, after
// SessionOptions.TTL from sign-in, or after SessionOptions.Idle without a
// request. Sessions live in the server's memory: a restart signs everyone
// out, and a token removed from the configuration takes its sessions with
// it at the restart that removes it.
//
// Every request authenticated by a session that may change something
// (any method but GET, HEAD and OPTIONS) must carry the session's CSRF
// token in the X-CSRF-Token header, compared in constant time: a page of
// another site cannot read it, so it cannot forge the change even if the
// browser sent the cookie (SameSite=Strict already keeps it from doing
// so).
type Sessions struct {
	mu     sync.Mutex
	m      map[[sha256.Size]byte]*session
	opts   SessionOptions
	tokens *Tokens
}

// SessionOptions configure Sessions.
type SessionOptions struct {
	// TTL is the longest a session lasts (default 12h).
	TTL time.Duration
	// Idle ends a session after this long without a request (default 2h).
	Idle time.Duration
	// Max bounds the sessions kept (default 10,000): past it the least
	// recently used one ends.
	Max int
	// Secure sets the cookie's Secure attribute on plain HTTP too (behind
	// a proxy that terminates TLS). Requests that come over TLS always get it.
	Secure bool
	Now    func() time.Time
}

type session struct {
	id            Identity
	csrf          string
	created, seen time.Time
}

// Names of the cookie, the header and the sign-in body.
const (
	SessionCookie = "panther_session"
	CSRFHeader    = "X-CSRF-Token"
	// maxSignIn bounds the body of a sign-in.
	maxSignIn = 4 << 10
)

// NewSessions returns an empty session table and makes tokens accept its
// cookies (Tokens.Authenticate).
func NewSessions(tokens *Tokens, o SessionOptions) *Sessions {
	if o.TTL <= 0 {
		o.TTL = 12 * time.Hour
	}
	if o.Idle <= 0 {
		o.Idle = 2 * time.Hour
	}
	if o.Max <= 0 {
		o.Max = 10000
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	s := &Sessions{m: map[[sha256.Size]byte]*session{}, opts: o, tokens: tokens}
	tokens.sessions = s
	return s
}

func randomString() string {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand does not fail on supported systems
	}
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// Open starts a session for id and returns its cookie value and CSRF token.
func (s *Sessions) Open(id Identity) (cookie, csrf string, expires time.Time) {
	now := s.opts.Now()
	cookie, csrf = randomString(), randomString()
	id.Session = true
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sweep(now)
	if len(s.m) >= s.opts.Max {
		var oldest [sha256.Size]byte
		var at time.Time
		for k, v := range s.m {
			if at.IsZero() || v.seen.Before(at) {
				oldest, at = k, v.seen
			}
		}
		delete(s.m, oldest)
	}
	s.m[sha256.Sum256([]byte(cookie))] = &session{id: id, csrf: csrf, created: now, seen: now}
	return cookie, csrf, now.Add(s.opts.TTL)
}

// sweep drops expired sessions; s.mu is held.
func (s *Sessions) sweep(now time.Time) {
	for k, v := range s.m {
		if s.expired(v, now) {
			delete(s.m, k)
		}
	}
}

func (s *Sessions) expired(v *session, now time.Time) bool {
	return !now.Before(v.created.Add(s.opts.TTL)) || !now.Before(v.seen.Add(s.opts.Idle))
}

// Len is the number of sessions kept (tests).
func (s *Sessions) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.m)
}

// lookup finds the session of a cookie value and marks it used.
func (s *Sessions) lookup(cookie string) (*session, bool) {
	k := sha256.Sum256([]byte(cookie))
	now := s.opts.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.m[k]
	if !ok {
		return nil, false
	}
	if s.expired(v, now) {
		delete(s.m, k)
		return nil, false
	}
	v.seen = now
	cp := *v
	return &cp, true
}

// close ends the session of a cookie value.
func (s *Sessions) close(cookie string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, sha256.Sum256([]byte(cookie)))
}

// safeMethod says whether a method changes nothing (no CSRF token needed).
func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// fromCookie authenticates a request by its session cookie; ok is false
// when the request has no cookie at all.
func (s *Sessions) fromCookie(r *http.Request) (Identity, *Error, bool) {
	c, err := r.Cookie(SessionCookie)
	if err != nil || c.Value == "" {
		return Identity{}, nil, false
	}
	v, found := s.lookup(c.Value)
	if !found {
		return Identity{}, &Error{Status: http.StatusUnauthorized, Code: "session_expired",
			Message: "the session has ended", Hint: "sign in again"}, true
	}
	if !safeMethod(r.Method) {
		got := r.Header.Get(CSRFHeader)
		if got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(v.csrf)) != 1 {
			return Identity{}, &Error{Status: http.StatusForbidden, Code: "csrf",
				Message: "a change made with a session needs its CSRF token",
				Hint:    "send the csrf_token of GET /api/v1/session in the " + CSRFHeader + " header"}, true
		}
	}
	return v.id, nil, true
}

func (s *Sessions) setCookie(w http.ResponseWriter, r *http.Request, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: s.opts.Secure || r.TLS != nil})
}

// SessionInfo is the answer of the session endpoints.
type SessionInfo struct {
	Name    string    `json:"name"`
	Role    string    `json:"role"`
	Session bool      `json:"session"`
	CSRF    string    `json:"csrf_token,omitempty"`
	Expires time.Time `json:"expires,omitzero"`
}

// SignInRequest is the body of POST /api/v1/session.
type SignInRequest struct {
	Token string `json:"token"`
}

// SignIn is POST /api/v1/session: {"token": "..."} opens a session (read
// and write tokens; an ingest token cannot read, so it cannot sign in).
func (s *Sessions) SignIn(w http.ResponseWriter, r *http.Request) {
	var req SignInRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxSignIn))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			writeError(w, &Error{Status: http.StatusRequestEntityTooLarge, Code: "too_large", Message: "the sign-in body is over 4 KiB"})
			return
		}
		if errors.Is(err, io.EOF) {
			err = errors.New("empty body")
		}
		writeError(w, &Error{Status: http.StatusBadRequest, Code: "bad_request", Message: "the body is not {\"token\": \"...\"}: " + err.Error()})
		return
	}
	if req.Token == "" {
		writeError(w, &Error{Status: http.StatusBadRequest, Code: "bad_request", Message: "token: empty", Hint: "send {\"token\": \"<a read or write token>\"}"})
		return
	}
	id, aerr := s.tokens.Lookup(req.Token)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	if !id.Can(Read) {
		writeError(w, &Error{Status: http.StatusForbidden, Code: "forbidden", Message: "an " + id.Role.String() + " token cannot sign in",
			Hint: "sign in with a read or write token"})
		return
	}
	cookie, csrf, exp := s.Open(id)
	s.setCookie(w, r, cookie, int(s.opts.TTL.Seconds()))
	writeJSONBody(w, http.StatusCreated, SessionInfo{Name: id.Name, Role: id.Role.String(), Session: true, CSRF: csrf, Expires: exp})
}

// Current is GET /api/v1/session: who the request is (by session or
// token), and the session's CSRF token.
func (s *Sessions) Current(w http.ResponseWriter, r *http.Request) {
	if sec, _ := Secret(r); sec == "" {
		if c, err := r.Cookie(SessionCookie); err == nil && c.Value != "" {
			v, ok := s.lookup(c.Value)
			if !ok {
				writeError(w, &Error{Status: http.StatusUnauthorized, Code: "session_expired", Message: "the session has ended", Hint: "sign in again"})
				return
			}
			writeJSONBody(w, http.StatusOK, SessionInfo{Name: v.id.Name, Role: v.id.Role.String(), Session: true, CSRF: v.csrf,
				Expires: v.created.Add(s.opts.TTL)})
			return
		}
	}
	id, aerr := s.tokens.Authenticate(r)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	writeJSONBody(w, http.StatusOK, SessionInfo{Name: id.Name, Role: id.Role.String()})
}

// SignOut is DELETE /api/v1/session: ends the session (its CSRF token
// required) and clears the cookie.
func (s *Sessions) SignOut(w http.ResponseWriter, r *http.Request) {
	_, aerr, found := s.fromCookie(r)
	if !found {
		writeError(w, &Error{Status: http.StatusUnauthorized, Code: "unauthenticated", Message: "no session to end"})
		return
	}
	if aerr != nil && aerr.Code != "session_expired" {
		writeError(w, aerr)
		return
	}
	c, _ := r.Cookie(SessionCookie)
	s.close(c.Value)
	s.setCookie(w, r, "", -1)
	w.WriteHeader(http.StatusNoContent)
}

// Mount adds the session endpoints to mux.
func (s *Sessions) Mount(mux *http.ServeMux) {
	mux.HandleFunc("POST /api/v1/session", s.SignIn)
	mux.HandleFunc("GET /api/v1/session", s.Current)
	mux.HandleFunc("DELETE /api/v1/session", s.SignOut)
}

func writeError(w http.ResponseWriter, e *Error) {
	if e.Status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="panther"`)
	}
	type body struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Hint    string `json:"hint,omitempty"`
	}
	writeJSONBody(w, e.Status, map[string]body{"error": {e.Code, e.Message, e.Hint}})
}

func writeJSONBody(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
