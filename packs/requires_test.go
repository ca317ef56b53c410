package packs

import (
	"fmt"
	"strings"
	"testing"
)

func TestScanRequires(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		src  string
		want string // "name@line ..." of the requires
		errs string // "line ..." of the errors
	}{
		{"call", `local h = require("aws")`, "aws@1", ""},
		{"single quotes and no parens", "local a = require 'a'\nlocal b = require \"b\"\nlocal c = require [[c]]", "a@1 b@2 c@3", ""},
		{"spaces and newlines", "local a = require (\n  \"a\"\n)", "a@1", ""},
		{"builtins are not helpers", `local j = require("json") local r = require("re") local x = require("x")`, "x@1", ""},
		{"comments", "-- require(\"no\")\n--[[ require(\"no\")\n]] local y = require(\"y\")\n--[==[ ]] require(\"no\") ]==]", "y@3", ""},
		{"strings", `local s = "require('no')" local l = [[require("no")]] local z = require("z")`, "z@1", ""},
		{"method and field", `local a = m.require("no") local b = m:require("no") function M.require(x) end`, "", ""},
		{"escapes", `local a = require("a\"b")`, `a"b@1`, ""},
		{"variable argument", "local n = 'x'\nlocal a = require(n)", "", "2"},
		{"concatenation", `local a = require("a" .. x)`, "", "1"},
		{"alias", "local r = require\nlocal a = r('a')", "", "1"},
		{"several", "require('a')\nrequire('b')\nrequire(x)\nrequire('a')", "a@1 b@2 a@4", "3"},
		{"syntax error stops quietly", "local a = require('a') ~ require('b')", "a@1", ""},
		{"empty", "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			reqs, errs := ScanRequires("f.lua", []byte(tt.src))
			var got []string
			for _, r := range reqs {
				got = append(got, fmt.Sprintf("%s@%d", r.Name, r.Line))
			}
			if g := strings.Join(got, " "); g != tt.want {
				t.Errorf("requires: got %q, want %q", g, tt.want)
			}
			var lines []string
			for _, e := range errs {
				lines = append(lines, fmt.Sprint(e.Line))
				if !strings.HasPrefix(e.Error(), fmt.Sprintf("f.lua:%d: require", e.Line)) || !strings.Contains(e.Error(), `require("GlobalID")`) {
					t.Errorf("error does not name file:line and the fix: %v", e)
				}
			}
			if g := strings.Join(lines, " "); g != tt.errs {
				t.Errorf("errors at lines %q, want %q", g, tt.errs)
			}
		})
	}
}

// FuzzScanRequires: the server scans uploaded Lua, so no input may panic,
// and every name found must be a string the source holds.
func FuzzScanRequires(f *testing.F) {
	for _, s := range []string{`local h = require("aws")`, "require 'a'\n--[[x]] require([[b]])",
		"local a = require(n)", `require("a\"b\65")`, "--[==[", "[[", `"\`, "require"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		reqs, errs := ScanRequires("f.lua", src)
		lines := strings.Count(string(src), "\n") + strings.Count(string(src), "\r") + 1
		for _, r := range reqs {
			if r.Line < 1 || r.Line > lines {
				t.Fatalf("require %q at line %d of %d", r.Name, r.Line, lines)
			}
		}
		for _, e := range errs {
			if e.Line < 1 || e.Line > lines {
				t.Fatalf("error at line %d of %d", e.Line, lines)
			}
		}
	})
}
