package api

import (
	"encoding/json"
	"testing"
)

// FuzzParseEvent: any JSON object is either a console event or a 400
// naming what is wrong; never a panic, never an event without node and
// summary.
func FuzzParseEvent(f *testing.F) {
	for _, s := range []string{
		`{"node":"db1","summary":"disk full","severity":4,"tag":"disk","mount":"/var"}`,
		`{"node":"n","summary":"s","severity":"major"}`,
		`{"node":"n","summary":"s","severity":9}`,
		`{"node":"n","summary":"s","count":3}`,
		`{"node":"n","summary":["x"]}`,
		`{"node":null,"summary":"s"}`,
		`{"node":"n","summary":"s","severity":1e400}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var raw map[string]json.RawMessage
		if json.Unmarshal(data, &raw) != nil {
			return
		}
		ev, err := parseEvent(raw, "")
		if err == nil && (ev.Node == "" || ev.Summary == "") {
			t.Fatalf("event without node or summary: %+v", ev)
		}
		if err != nil {
			if _, ok := err.(*apiError); !ok {
				t.Fatalf("not a 400: %T %v", err, err)
			}
		}
	})
}
