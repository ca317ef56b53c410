package auth

import (
	"net/http/httptest"
	"strings"
	"testing"
)

const (
	w1 = "0123456789abcdef0123"
	r1 = "fedcba9876543210fedc"
	i1 = "ingest-secret-0123456789"
)

func TestParseTokens(t *testing.T) {
	t.Parallel()
	tk, err := ParseTokens([]string{" " + w1 + " ", "READ/alice:" + r1, "", "ingest/fw1:" + i1 + "?log_type=Syslog.RFC5424&label=dmz"})
	if err != nil || tk.Len() != 3 {
		t.Fatalf("%v %+v", err, tk)
	}
	want := []Identity{{Role: RoleWrite}, {Role: RoleRead, Name: "alice"}, {Role: RoleIngest, Name: "fw1", LogType: "Syslog.RFC5424", Label: "dmz"}}
	for i, w := range want {
		got := tk.list[i].id
		if got.Role != w.Role || (w.Name != "" && got.Name != w.Name) || got.LogType != w.LogType || got.Label != w.Label {
			t.Errorf("token %d: %+v, want %+v", i, got, w)
		}
		if !strings.HasPrefix(got.ID, "sha256:") || got.Name == "" {
			t.Errorf("token %d: id %q name %q", i, got.ID, got.Name)
		}
	}
	for spec, msg := range map[string]string{
		"write:short":                 "at least 16",
		"Raed:" + r1:                  `unknown role "Raed"`,
		"reader:" + r1:                `unknown role "reader"`,
		"ingest:" + i1 + "?color=red": "unknown pin",
		"read/:" + r1:                 "token name",
		"read/a\u202eb:" + r1:         "token name",
		"read/" + strings.Repeat("n", 65) + ":" + r1: "token name",
	} {
		if _, err := ParseTokens([]string{spec}); err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("%q: %v, want %q", spec, err, msg)
		}
	}
	if _, err := ParseTokens([]string{w1, "write:" + w1}); err == nil || !strings.Contains(err.Error(), "twice") {
		t.Errorf("duplicate: %v", err)
	}
	if _, err := ParseTokens(nil); err == nil || !strings.Contains(err.Error(), "PANTHER_SERVE_TOKENS") {
		t.Errorf("no token: %v", err)
	}
	// A secret holding ':' is written with its role.
	tk, err = ParseTokens([]string{"write:a1b2c3:d4e5f6a7b8c9d0e1"})
	if err != nil || tk.list[0].id.Role != RoleWrite {
		t.Errorf("colon in secret: %v", err)
	}
	if id, aerr := tk.Lookup("a1b2c3:d4e5f6a7b8c9d0e1"); aerr != nil || id.Role != RoleWrite {
		t.Errorf("colon in secret: %v", aerr)
	}
}

func TestRolesAllow(t *testing.T) {
	t.Parallel()
	cases := []struct {
		r    Role
		p    Permission
		want bool
	}{
		{RoleRead, Read, true}, {RoleRead, Change, false}, {RoleRead, Ingest, false},
		{RoleWrite, Read, true}, {RoleWrite, Change, true}, {RoleWrite, Ingest, true},
		{RoleIngest, Read, false}, {RoleIngest, Change, false}, {RoleIngest, Ingest, true},
		{0, Read, false},
	}
	for _, c := range cases {
		if got := c.r.Allows(c.p); got != c.want {
			t.Errorf("%v allows %v: %v", c.r, c.p, got)
		}
	}
}

func TestAuthenticate(t *testing.T) {
	t.Parallel()
	tk, err := ParseTokens([]string{w1, "read:" + r1, "ingest:" + i1})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		header, value string
		role          Role
		code          string
	}{
		{"Authorization", "Bearer " + w1, RoleWrite, ""},
		{"Authorization", "bearer " + r1, RoleRead, ""},
		{"X-API-Key", r1, RoleRead, ""},
		{"X-Api-Token", i1, RoleIngest, ""},
		{"Authorization", "Basic " + w1, 0, "unauthenticated"},
		{"X-API-Key", "", 0, "unauthenticated"},
		{"X-API-Key", w1 + "x", 0, "invalid_token"},
	}
	for _, c := range cases {
		r := httptest.NewRequest("GET", "/api/v1/packs", nil)
		if c.value != "" {
			r.Header.Set(c.header, c.value)
		}
		id, aerr := tk.Authenticate(r)
		if c.code != "" {
			if aerr == nil || aerr.Code != c.code || aerr.Status != 401 {
				t.Errorf("%s %q: %+v, want %s", c.header, c.value, aerr, c.code)
			}
			continue
		}
		if aerr != nil || id.Role != c.role {
			t.Errorf("%s: %+v %v", c.header, id, aerr)
		}
	}
	r := httptest.NewRequest("POST", "/api/v1/packs", nil)
	ingest, _ := tk.Lookup(i1)
	if e := Authorize(ingest, Change, r); e == nil || e.Status != 403 || !strings.Contains(e.Hint, "write:TOKEN") {
		t.Errorf("ingest token changing: %+v", e)
	}
	if e := Authorize(ingest, Ingest, r); e != nil {
		t.Errorf("ingest token ingesting: %+v", e)
	}
}
