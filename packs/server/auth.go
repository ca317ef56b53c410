package server

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
)

// Role is what a token may do.
type Role int

// Roles: read may list, get and download; write may also upload,
// activate, roll back and delete.
const (
	RoleRead Role = iota + 1
	RoleWrite
)

func (r Role) String() string {
	if r == RoleWrite {
		return "write"
	}
	return "read"
}

// MinTokenLength is the shortest token accepted: a token is a secret, not
// a password people type (`openssl rand -hex 32`).
const MinTokenLength = 16

// Tokens are the accepted API tokens, kept only as sha256 hashes.
type Tokens struct {
	list []token
}

type token struct {
	hash [sha256.Size]byte
	role Role
	id   string // "sha256:" + 8 hex digits of the hash: names the token in logs
}

// ParseTokens reads token specs: "TOKEN" (write), "write:TOKEN" or
// "read:TOKEN". The tokens themselves are hashed at once and not kept.
func ParseTokens(specs []string) (*Tokens, error) {
	t := &Tokens{}
	for i, spec := range specs {
		spec = strings.TrimSpace(spec)
		if spec == "" {
			continue
		}
		role := RoleWrite
		if r, rest, ok := strings.Cut(spec, ":"); ok {
			switch r {
			case "read":
				role, spec = RoleRead, rest
			case "write":
				role, spec = RoleWrite, rest
			}
		}
		if len(spec) < MinTokenLength {
			return nil, fmt.Errorf("token %d is %d characters long; use at least %d (for example `openssl rand -hex 32`)", i+1, len(spec), MinTokenLength)
		}
		h := sha256.Sum256([]byte(spec))
		t.list = append(t.list, token{hash: h, role: role, id: "sha256:" + hex.EncodeToString(h[:4])})
	}
	if len(t.list) == 0 {
		return nil, fmt.Errorf("no API token: set PANTHER_SERVE_TOKENS (comma-separated, each TOKEN, write:TOKEN or read:TOKEN) or serve_tokens in the config file")
	}
	return t, nil
}

// Len is the number of tokens.
func (t *Tokens) Len() int { return len(t.list) }

// authenticate finds the token of a request: Authorization: Bearer or
// X-API-Key. Every known hash is compared, in constant time, whatever
// matches, so the time taken tells nothing about the tokens.
func (t *Tokens) authenticate(r *http.Request) (token, *apiError) {
	secret := ""
	if a := r.Header.Get("Authorization"); a != "" {
		scheme, rest, _ := strings.Cut(a, " ")
		if !strings.EqualFold(scheme, "Bearer") {
			return token{}, &apiError{status: http.StatusUnauthorized, code: "unauthenticated",
				msg: "the Authorization header is not a Bearer token", hint: "send Authorization: Bearer <token> or X-API-Key: <token>"}
		}
		secret = strings.TrimSpace(rest)
	} else {
		secret = strings.TrimSpace(r.Header.Get("X-API-Key"))
	}
	if secret == "" {
		return token{}, &apiError{status: http.StatusUnauthorized, code: "unauthenticated",
			msg: "no API token", hint: "send Authorization: Bearer <token> or X-API-Key: <token> (panther: --api-token or PANTHER_API_TOKEN)"}
	}
	h := sha256.Sum256([]byte(secret))
	var found token
	match := 0
	for _, tk := range t.list {
		if subtle.ConstantTimeCompare(h[:], tk.hash[:]) == 1 {
			found = tk
			match = 1
		}
	}
	if match == 0 {
		return token{}, &apiError{status: http.StatusUnauthorized, code: "invalid_token",
			msg: "the API token is not valid", hint: "check --api-token or PANTHER_API_TOKEN against the server's PANTHER_SERVE_TOKENS"}
	}
	return found, nil
}
