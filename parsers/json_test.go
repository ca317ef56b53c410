package parsers

import (
	"errors"
	"testing"

	"panther/parsers/event"
)

type textOnly struct{}

func (textOnly) Parse(rec []byte, e *event.Event) (bool, error) {
	return false, errors.New("text")
}

// JSONExport reads a JSON object whose keys are all columns (p_ keys
// aside) as the event, refuses other objects, and gives text records to
// the wrapped parser.
func TestJSONExport(t *testing.T) {
	t.Parallel()
	newParser := JSONExport([]Column{{Name: "srcAddr"}, {Name: "action"}}, func() Parser { return textOnly{} })
	for rec, want := range map[string]string{
		`{"srcAddr":"198.51.100.7","action":"ACCEPT"}`:                   "",
		` {"action":"REJECT","p_log_type":"AWS.VPCFlow","p_row_id":"x"}`: "",
		`{"srcAddr":"198.51.100.7","eventName":"x"}`:                     `a JSON record with key "eventName", which is not a column of this log type`,
		`{"srcAddr":`:                  "cannot parse JSON: cannot parse object: cannot parse object value: cannot parse empty string; unparsed tail: \"\"",
		`2 123456789010 eni-1 ...`:     "text",
		`{}`:                           "an empty JSON record",
		`{"p_log_type":"AWS.VPCFlow"}`: "an empty JSON record",
	} {
		e := event.New()
		ok, err := newParser().Parse([]byte(rec), e)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != want || (want == "") != ok {
			t.Errorf("%s: ok=%v err=%q, want %q", rec, ok, got, want)
		}
		if ok && e.Fields.Get("srcaddr") != nil {
			t.Errorf("%s: srcaddr not renamed to srcAddr: %s", rec, e.Fields)
		}
		e.Release()
	}
}
