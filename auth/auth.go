// Package auth holds who may call `panther serve`: the API tokens of the
// operator's configuration, their roles, and the identity of a request
// that every part of the backend (pack store, ingest, alert store,
// console) reads to authorise and to record who changed what.
//
// A token is a secret given to a machine or a person. Tokens are kept
// only as sha256 hashes; every configured hash is compared in constant
// time with crypto/subtle, whatever matches, so the time taken tells
// nothing about the tokens.
//
// Token specs (PANTHER_SERVE_TOKENS, comma-separated, or the serve_tokens
// list of the config file):
//
//	TOKEN                          a write token (the historic default)
//	ROLE:TOKEN                     ROLE is read, write or ingest (any case)
//	ROLE/NAME:TOKEN                NAME is who the token is in history and logs
//	ingest/fw1:TOKEN?log_type=Syslog.RFC5424&label=dmz
//	                               pinned: events it sends get that log type and label
//
// With a ':' in a spec, what precedes it must be a role: a typo such as
// "Raed:..." or "read1:..." fails at start instead of granting write (a
// secret holding ':' is written write:SECRET).
//
// Roles: read may list and get; write may also change (upload, activate,
// ack, assign, resolve...) and send events; ingest may only send events.
package auth

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"unicode"
)

// Role is what a token may do.
type Role int

// Roles.
const (
	RoleRead Role = iota + 1
	RoleWrite
	RoleIngest
)

func (r Role) String() string {
	switch r {
	case RoleRead:
		return "read"
	case RoleWrite:
		return "write"
	case RoleIngest:
		return "ingest"
	}
	return "none"
}

// ParseRole reads a role name, in any case.
func ParseRole(s string) (Role, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "read":
		return RoleRead, true
	case "write":
		return RoleWrite, true
	case "ingest":
		return RoleIngest, true
	}
	return 0, false
}

// Permission is what an endpoint needs.
type Permission int

// Permissions.
const (
	// Read: list, get, download, search.
	Read Permission = iota + 1
	// Change: anything that changes stored state (packs, alerts, rules).
	Change
	// Ingest: send events or logs.
	Ingest
)

func (p Permission) String() string {
	switch p {
	case Read:
		return "read"
	case Change:
		return "change"
	case Ingest:
		return "send events"
	}
	return "?"
}

// Allows says whether a role has a permission.
func (r Role) Allows(p Permission) bool {
	switch r {
	case RoleWrite:
		return true
	case RoleRead:
		return p == Read
	case RoleIngest:
		return p == Ingest
	}
	return false
}

// MinTokenLength is the shortest token accepted: a token is a secret, not
// a password people type (`openssl rand -hex 32`).
const MinTokenLength = 16

// MaxNameLength bounds a token's name.
const MaxNameLength = 64

// Identity is who made a request.
type Identity struct {
	// ID names the token without revealing it: "sha256:" and 8 hex
	// digits of its hash.
	ID string
	// Name is the configured name, else ID.
	Name string
	Role Role
	// LogType and Label pin what an ingest token sends (empty: free).
	LogType string
	Label   string
	// Session is set when the identity came from a console session
	// rather than a token header.
	Session bool
}

// Can says whether the identity has a permission.
func (id Identity) Can(p Permission) bool { return id.Role.Allows(p) }

// Tokens are the accepted API tokens, kept only as sha256 hashes.
type Tokens struct {
	list []token
	// sessions, when set (NewSessions), let a request without a token
	// header authenticate with a console session cookie.
	sessions *Sessions
}

type token struct {
	hash [sha256.Size]byte
	id   Identity
}

// ParseTokens reads token specs (see the package doc). The secrets are
// hashed at once and not kept.
func ParseTokens(specs []string) (*Tokens, error) {
	t := &Tokens{}
	seen := map[[sha256.Size]byte]bool{}
	for i, spec := range specs {
		spec = strings.TrimSpace(spec)
		if spec == "" {
			continue
		}
		id, secret, err := parseSpec(spec)
		if err != nil {
			return nil, fmt.Errorf("token %d: %v", i+1, err)
		}
		if len(secret) < MinTokenLength {
			return nil, fmt.Errorf("token %d is %d characters long; use at least %d (for example `openssl rand -hex 32`)", i+1, len(secret), MinTokenLength)
		}
		h := sha256.Sum256([]byte(secret))
		if seen[h] {
			return nil, fmt.Errorf("token %d is configured twice", i+1)
		}
		seen[h] = true
		id.ID = "sha256:" + hex.EncodeToString(h[:4])
		if id.Name == "" {
			id.Name = id.ID
		}
		t.list = append(t.list, token{hash: h, id: id})
	}
	if len(t.list) == 0 {
		return nil, fmt.Errorf("no API token: set PANTHER_SERVE_TOKENS (comma-separated, each TOKEN, write:TOKEN, read:TOKEN or ingest:TOKEN) or serve_tokens in the config file")
	}
	return t, nil
}

func parseSpec(spec string) (Identity, string, error) {
	id := Identity{Role: RoleWrite}
	head, rest, ok := strings.Cut(spec, ":")
	if !ok {
		return id, spec, nil
	}
	roleName, name, named := strings.Cut(head, "/")
	role, known := ParseRole(roleName)
	if !known {
		// With a ':' the head must be a role: "read1:..." or "Raed:..."
		// would otherwise become a write token whose secret is the whole
		// spec. A secret that holds ':' is written write:SECRET.
		return id, "", fmt.Errorf("unknown role %q before ':': use read, write or ingest (ROLE:TOKEN; write a token holding ':' as write:TOKEN)", roleName)
	}
	id.Role = role
	if named {
		if name == "" || len(name) > MaxNameLength || !printable(name) {
			return id, "", fmt.Errorf("token name %q: 1 to %d printable characters", name, MaxNameLength)
		}
		id.Name = name
	}
	secret, query, pinned := strings.Cut(rest, "?")
	if pinned {
		v, err := url.ParseQuery(query)
		if err != nil {
			return id, "", fmt.Errorf("pinning %q: %v", query, err)
		}
		for k, vals := range v {
			switch k {
			case "log_type":
				id.LogType = vals[0]
			case "label":
				id.Label = vals[0]
			default:
				return id, "", fmt.Errorf("unknown pin %q: use log_type or label", k)
			}
		}
	}
	return id, secret, nil
}

func printable(s string) bool {
	for _, r := range s {
		if !unicode.IsPrint(r) || unicode.Is(unicode.Bidi_Control, r) {
			return false
		}
	}
	return true
}

// Len is the number of tokens.
func (t *Tokens) Len() int { return len(t.list) }

// Error is a refused request: the HTTP status, a stable code, and what to
// do about it.
type Error struct {
	Status  int
	Code    string
	Message string
	Hint    string
}

func (e *Error) Error() string { return e.Message }

// Secret returns the token a request carries: Authorization: Bearer, or
// X-API-Key, or X-Api-Token (the ITSM console agents' header).
func Secret(r *http.Request) (string, *Error) {
	if a := r.Header.Get("Authorization"); a != "" {
		scheme, rest, _ := strings.Cut(a, " ")
		if !strings.EqualFold(scheme, "Bearer") {
			return "", &Error{Status: http.StatusUnauthorized, Code: "unauthenticated",
				Message: "the Authorization header is not a Bearer token", Hint: "send Authorization: Bearer <token> or X-API-Key: <token>"}
		}
		return strings.TrimSpace(rest), nil
	}
	if s := strings.TrimSpace(r.Header.Get("X-API-Key")); s != "" {
		return s, nil
	}
	return strings.TrimSpace(r.Header.Get("X-Api-Token")), nil
}

// Authenticate finds the identity of a request's token or, without a
// token header, of its console session (see Sessions: a change made with a
// session must carry the session's CSRF token).
func (t *Tokens) Authenticate(r *http.Request) (Identity, *Error) {
	secret, err := Secret(r)
	if err != nil {
		return Identity{}, err
	}
	if secret == "" && t.sessions != nil {
		if id, aerr, found := t.sessions.fromCookie(r); found {
			return id, aerr
		}
	}
	if secret == "" {
		return Identity{}, &Error{Status: http.StatusUnauthorized, Code: "unauthenticated",
			Message: "no API token", Hint: "send Authorization: Bearer <token> or X-API-Key: <token> (panther: --api-token or PANTHER_API_TOKEN)"}
	}
	return t.Lookup(secret)
}

// Lookup finds the identity of a secret.
func (t *Tokens) Lookup(secret string) (Identity, *Error) {
	h := sha256.Sum256([]byte(secret))
	var found Identity
	match := 0
	for _, tk := range t.list {
		if subtle.ConstantTimeCompare(h[:], tk.hash[:]) == 1 {
			found = tk.id
			match = 1
		}
	}
	if match == 0 {
		return Identity{}, &Error{Status: http.StatusUnauthorized, Code: "invalid_token",
			Message: "the API token is not valid", Hint: "check --api-token or PANTHER_API_TOKEN against the server's PANTHER_SERVE_TOKENS"}
	}
	return found, nil
}

// Authorize refuses an identity without a permission.
func Authorize(id Identity, need Permission, r *http.Request) *Error {
	if id.Can(need) {
		return nil
	}
	return &Error{Status: http.StatusForbidden, Code: "forbidden",
		Message: fmt.Sprintf("a %s token may not %s (%s %s)", id.Role, need, r.Method, r.URL.Path),
		Hint:    fmt.Sprintf("use a token whose role allows it (%s)", rolesFor(need))}
}

func rolesFor(p Permission) string {
	var out []string
	for _, r := range []Role{RoleRead, RoleWrite, RoleIngest} {
		if r.Allows(p) {
			out = append(out, r.String()+":TOKEN")
		}
	}
	return strings.Join(out, " or ")
}

type ctxKey struct{}

// WithIdentity returns a context carrying id.
func WithIdentity(ctx context.Context, id Identity) context.Context {
	return context.WithValue(ctx, ctxKey{}, id)
}

// FromContext returns the identity a context carries.
func FromContext(ctx context.Context) (Identity, bool) {
	id, ok := ctx.Value(ctxKey{}).(Identity)
	return id, ok
}

// Require wraps h: the request must carry a token (see Authenticate)
// whose role allows need; h finds the identity with FromContext. Refusals
// go to fail, which writes the caller's error shape; a 401 also gets a
// WWW-Authenticate header.
func (t *Tokens) Require(need Permission, h http.Handler, fail func(http.ResponseWriter, *http.Request, *Error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, aerr := t.Authenticate(r)
		if aerr == nil {
			aerr = Authorize(id, need, r)
		}
		if aerr != nil {
			if aerr.Status == http.StatusUnauthorized {
				w.Header().Set("WWW-Authenticate", `Bearer realm="panther"`)
			}
			fail(w, r, aerr)
			return
		}
		h.ServeHTTP(w, r.WithContext(WithIdentity(r.Context(), id)))
	})
}
