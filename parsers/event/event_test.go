package event

import (
	"encoding/json"
	"testing"

	"github.com/valyala/fastjson"
)

func TestAppendJSONAlwaysValid(t *testing.T) {
	for _, in := range []string{`{"a":00}`, `{"a":1.}`, `{"a":+1}`, `{"a":NaN}`, `{"a":"caf\xe9"}`, `{"a":-0.5e+3,"b":[1,2.5]}`, `{"\u00e9":"\ud83d\ude00"}`} {
		e := New()
		if err := e.ParseJSON([]byte(in)); err != nil {
			e.Release()
			continue
		}
		e.LogType = "T"
		out := e.AppendJSON(nil)
		if !json.Valid(out) {
			t.Errorf("%s -> invalid %s", in, out)
		}
		e.Release()
	}
	for _, ok := range []string{"0", "-0", "1.5", "1e5", "-2.5E-3", "123"} {
		if !ValidNumber([]byte(ok)) {
			t.Errorf("%s rejected", ok)
		}
	}
	for _, bad := range []string{"00", "1.", "+1", "NaN", ".5", "1e", "-", ""} {
		if ValidNumber([]byte(bad)) {
			t.Errorf("%s accepted", bad)
		}
	}
}

func TestPaths(t *testing.T) {
	e := New()
	defer e.Release()
	if err := e.ParseJSON([]byte(`{"a":{"b":[{"c":1},{"c":2}]},"id.orig_h":"10.0.0.1","k.x":{"y":true}}`)); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{
		"a.b[1].c": "2", "$.a.b[0].c": "1", `["id.orig_h"]`: "10.0.0.1", `["k.x"].y`: "true", "a.b[5].c": "", "nope": "",
	} {
		p, err := ParsePath(path)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if got := Text(p.Get(e.Fields)); got != want {
			t.Errorf("%s = %q, want %q", path, got, want)
		}
	}
	var all []string
	MustPath("a.b[*].c").Each(e.Fields, func(v *fastjson.Value) bool { all = append(all, Text(v)); return true })
	if len(all) != 2 || all[1] != "2" {
		t.Errorf("wildcard: %v", all)
	}
	for _, bad := range []string{"", "a..b", "a.", "a[x]", "a[1"} {
		if _, err := ParsePath(bad); err == nil {
			t.Errorf("%q parses", bad)
		}
	}
}

// Strings built in the arena read back as written, and invalid UTF-8 or
// control bytes come out as U+FFFD, never as Go escapes.
func TestNewStringRoundTrip(t *testing.T) {
	for in, want := range map[string]string{
		"plain":           "plain",
		`quote " back \ `: `quote " back \ `,
		"tab\tnl\n":       "tab\tnl\n",
		"bad \xff \"q\"":  "bad \ufffd \"q\"",
		"bell \a \"":      "bell \ufffd \"",
		"emoji 😀 \"":      "emoji 😀 \"",
		"del \x7f \\":     "del \ufffd \\",
	} {
		e := New()
		o := e.Arena().NewObject()
		o.Set("k", NewString(e.Arena(), in))
		e.Fields = o
		var back map[string]string
		if err := json.Unmarshal(e.AppendJSON(nil), &back); err != nil {
			t.Fatalf("%q: %v", in, err)
		}
		if back["k"] != want {
			t.Errorf("%q -> %q, want %q", in, back["k"], want)
		}
		e.Release()
	}
}
