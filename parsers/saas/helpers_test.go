package saas

import (
	"encoding/json"
	"net/netip"
	"reflect"
	"slices"
	"strings"
	"testing"

	"panther/parsers"
	"panther/parsers/event"
	"panther/parsers/parsertest"
)

// checkField compares one field of event i of a golden result; want nil
// means the field must be absent.
func checkField(t *testing.T, res parsertest.Result, i int, field string, want any) {
	t.Helper()
	var ev map[string]any
	if err := json.Unmarshal(res.Events[i], &ev); err != nil {
		t.Fatal(err)
	}
	got := ev[field]
	if l, ok := got.([]any); ok {
		s := make([]string, len(l))
		for j := range l {
			s[j], _ = l[j].(string)
		}
		got = s
	}
	if want == nil {
		if got != nil {
			t.Errorf("event %d: %s = %v, want none", i, field, got)
		}
		return
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("event %d: %s = %#v, want %#v", i, field, got, want)
	}
}

// checkPantherAnalysis parses every event of a file of Panther's public
// detection tests with lt, once its p_ fields are removed: all must parse
// and normalise. Where Panther recorded the p_event_time or IP addresses
// it found, ours must agree, except for the tests named in handEdited
// ("rule_id/test" -> why): events edited by hand after Panther parsed them.
func checkPantherAnalysis(t *testing.T, lt *parsers.LogType, file string, handEdited map[string]string) {
	path := parsertest.SharedData(t, "panther-analysis-tests/"+file)
	reg := parsertest.Registry(t, lt)
	n, detected := 0, 0
	for i, rec := range parsertest.GzLines(t, path) {
		var line struct {
			RuleID string `json:"rule_id"`
			Test   string
			Log    map[string]any
		}
		if err := json.Unmarshal(rec, &line); err != nil {
			t.Fatalf("%s:%d: %v", path, i+1, err)
		}
		var wantTime string
		var wantIPs []any
		for k, v := range line.Log {
			switch k {
			case "p_event_time":
				wantTime, _ = v.(string)
			case "p_any_ip_addresses":
				wantIPs, _ = v.([]any)
			}
			if strings.HasPrefix(k, "p_") {
				delete(line.Log, k)
			}
		}
		raw, _ := json.Marshal(line.Log)
		e := event.New()
		ok, err := lt.NewParser().Parse(raw, e)
		if err == nil && ok {
			if lt.Detect == nil || lt.Detect(e) {
				detected++
			}
			err = reg.Normalise(lt, e, parsers.Source{File: path}, int64(i+1), parsertest.ParseTime)
		}
		if err != nil || !ok {
			t.Errorf("%s:%d: ok=%v err=%v", path, i+1, ok, err)
			e.Release()
			continue
		}
		n++
		if _, skip := handEdited[line.RuleID+"/"+line.Test]; skip {
			e.Release()
			continue
		}
		if want, ok := parsers.ParseRFC3339ish(wantTime); ok && hasTimeField(lt, e) && !e.Time.Equal(want) {
			t.Errorf("%s:%d: p_event_time %v, Panther had %v", path, i+1, e.Time, want)
		}
		for _, ip := range wantIPs {
			s, _ := ip.(string)
			if _, err := netip.ParseAddr(s); err == nil && !slices.Contains(e.Indicators[event.IP], s) {
				t.Errorf("%s:%d: Panther found IP %s, we found %v", path, i+1, s, e.Indicators[event.IP])
			}
		}
		e.Release()
	}
	if n == 0 {
		t.Fatalf("%s: no events", path)
	}
	t.Logf("%s: %d events parsed, %d accepted by Detect", file, n, detected)
}

// hasTimeField says whether e holds one of lt's time fields: hand-edited
// test events sometimes lost theirs but kept Panther's p_event_time.
func hasTimeField(lt *parsers.LogType, e *event.Event) bool {
	for _, tf := range lt.TimeFields {
		if event.MustPath(tf.Path).Get(e.Fields) != nil {
			return true
		}
	}
	return false
}
