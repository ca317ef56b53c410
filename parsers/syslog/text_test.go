package syslog

import (
	"encoding/json"
	"testing"

	"panther/parsers/event"
)

// Whatever the bytes, a string value marshals to the JSON of the original
// text with invalid UTF-8 (and controls fastjson cannot carry) as U+FFFD.
func TestNewString(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"plain", "plain"},
		{"bad \xff alone", "bad \ufffd alone"},
		{"bad \xff with \"quote\"", "bad \ufffd with \"quote\""},
		{`back\slash \x16\x03`, `back\slash \x16\x03`},
		{"ctl \x01 and \x1b and \x7f", "ctl \ufffd and \ufffd and \ufffd"},
		{"tab\tnl\n\"", "tab\tnl\n\""},
		{"é ü \u200b \"", "é ü \u200b \""},
		{"\U000E0001 tag \"", "\ufffd tag \""},
		{"😀 \"", "😀 \""},
	} {
		e := event.New()
		out := event.AppendValue(nil, event.NewString(e.Arena(), tc.in))
		var got string
		if err := json.Unmarshal(out, &got); err != nil || got != tc.want {
			t.Errorf("%q: got %s (%v), want %q", tc.in, out, err, tc.want)
		}
		e.Release()
	}
}
