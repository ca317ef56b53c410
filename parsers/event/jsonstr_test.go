package event

import (
	"encoding/json"
	"fmt"
	"testing"
	"unicode/utf8"

	"github.com/valyala/fastjson"
)

// One canonical encoding: numbers JSON cannot hold as numbers (beyond a
// double, or outside JSON's grammar) become strings of their text, in the
// event's JSON as in the lake's columns.
func TestAppendValueCanonicalNumbers(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		`{"a":1e999}`:           `{"a":"1e999"}`,
		`{"a":-1e999}`:          `{"a":"-1e999"}`,
		`[nan,inf,01,1.5,2e10]`: `["nan","inf","01",1.5,2e10]`,
		`{"a":1e308}`:           `{"a":1e308}`,
		`{"s":"caf\u00e9"}`:     `{"s":"caf\u00e9"}`, // kept as it came: valid JSON already
		"{\"s\":\"\xff\"}":      `{"s":"\ufffd"}`,
	} {
		v, err := fastjson.Parse(in)
		if err != nil {
			t.Fatal(err)
		}
		if got := string(AppendValue(nil, v)); got != want {
			t.Errorf("%s: %s, want %s", in, got, want)
		}
	}
}

// The fast path writes what the member-by-member path writes, as JSON of
// the same value.
func checkAppendValue(t *testing.T, in []byte) {
	v, err := fastjson.ParseBytes(in)
	if err != nil {
		return
	}
	want := appendCanonical(nil, v)
	got := AppendValue(nil, v)
	if !json.Valid(got) || !utf8.Valid(got) {
		t.Fatalf("AppendValue(%q) = %q: not valid JSON", in, got)
	}
	var x, y any
	if err := json.Unmarshal(want, &x); err != nil {
		t.Fatalf("appendCanonical(%q) = %q: %v", in, want, err)
	}
	if err := json.Unmarshal(got, &y); err != nil {
		t.Fatalf("AppendValue(%q) = %q: %v", in, got, err)
	}
	if xs, ys := fmt.Sprint(x), fmt.Sprint(y); xs != ys {
		t.Fatalf("AppendValue(%q) = %s, appendCanonical = %s", in, got, want)
	}
}

var valueSeeds = []string{
	`{"a":[1,"x",null,true,false],"b":{"c":-0.5e-3}}`, `"plain"`, `12.5`, `{"k\"q":"v\\w"}`,
	`{"s":"\u00e9\/\n\t"}`, `"\ud83d\ude00"`, `"\ud800"`, `"\udc00x"`, "\"bad \xff\"", "{\"\xfe\":1}",
	`nan`, `[inf,-Inf,01,1.,+1,1e400,123456789012345678901234567890]`, "\"tab\there\"", "\"ctl\x01\"",
	`{"a":{"b":{"c":[[],{}]}}}`, `"\u0000"`, `"\x41"`, `"\a"`, `1e999`,
}

func TestAppendValue(t *testing.T) {
	t.Parallel()
	for _, s := range valueSeeds {
		checkAppendValue(t, []byte(s))
	}
	// A string unescaped by a reader (rules do) is escaped again by
	// fastjson with Go's syntax: AppendValue must not keep that.
	v := fastjson.MustParse(`{"s":"a\u0007b\"c","t":"\u00e9"}`)
	v.GetStringBytes("s")
	v.GetStringBytes("t")
	got := AppendValue(nil, v)
	if !json.Valid(got) || string(got) != string(appendCanonical(nil, v)) {
		t.Errorf("unescaped strings: %s", got)
	}
}

func FuzzAppendValue(f *testing.F) {
	for _, s := range valueSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(checkAppendValue)
}

var stringSeeds = []string{
	"", "plain ascii that is longer than eight bytes", `"`, `\`, "a\x00b", "\x1f\x7f", "tab\there",
	"é日本語🙂", "bad \xff\xfe utf8", "\xed\xa0\x80 surrogate", "12345678\"12345678", "1234567\xc3\xa9",
	"\u2028\u2029",
}

// AppendString writes a valid JSON string of s (invalid UTF-8 replaced).
func checkAppendString(t *testing.T, s string) {
	got := AppendString([]byte("x"), s)
	var back string
	if err := json.Unmarshal(got[1:], &back); err != nil || !utf8.ValidString(back) {
		t.Fatalf("AppendString(%q) = %s: not a valid JSON string (%v)", s, got, err)
	}
	if utf8.ValidString(s) && back != s {
		t.Fatalf("AppendString(%q) reads back as %q", s, back)
	}
}

func TestAppendString(t *testing.T) {
	t.Parallel()
	for _, s := range stringSeeds {
		checkAppendString(t, s)
	}
}

func FuzzAppendString(f *testing.F) {
	for _, s := range stringSeeds {
		f.Add(s)
	}
	f.Fuzz(checkAppendString)
}
