package zeek

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"panther/parsers"
	"panther/parsers/event"
	"panther/parsers/parsertest"
)

// Zeek JSON as other pipelines pass it on: every record of every fixture,
// rewritten the ways shippers write Zeek's records, gives the event of the
// record as Zeek writes it (but for the keys the shipper adds, which are
// kept: see TestShipperKeysKept).
//
//   - stream: @stream, @system and @proc instead of _path;
//   - flat: dotted names with "_" as the scope separator (id_orig_h,
//     certificate_version, times_modified), as Zeek writes them with
//     Log::default_scope_sep = "_", and Corelight's _system_name;
//   - nested: the records of a record as nested objects ({"id": {...}});
//   - ts: ts in the other of epoch seconds and ISO 8601, and epoch seconds
//     in a string;
//   - tagged: the Kafka writer's tag_json, {"conn": {...}};
//   - and these together, with or without a path key.
func TestOtherPipelinesGiveTheSameEvent(t *testing.T) {
	reg := parsertest.Registry(t, LogTypes()...)
	variants := []struct {
		name   string
		noPath bool // the variant has no path key: not for path-only types
		apply  func(path string, m map[string]any) any
	}{
		{"stream", false, func(path string, m map[string]any) any { return withStream(path, m) }},
		{"flat", false, func(path string, m map[string]any) any { return flatten(m) }},
		{"flat without path", true, func(path string, m map[string]any) any { return flatten(unpath(m)) }},
		{"nested", false, func(path string, m map[string]any) any { return nest(m) }},
		{"nested without path", true, func(path string, m map[string]any) any { return nest(unpath(m)) }},
		{"ts", false, func(path string, m map[string]any) any { return flipTS(m, false) }},
		{"ts in a string", false, func(path string, m map[string]any) any { return flipTS(m, true) }},
		{"tagged", false, func(path string, m map[string]any) any { return map[string]any{path: unpath(m)} }},
		{"stream, flat, ts", false, func(path string, m map[string]any) any { return flipTS(flatten(withStream(path, m)), false) }},
		{"stream, nested, ts", false, func(path string, m map[string]any) any { return flipTS(nest(withStream(path, m)), false) }},
	}
	for _, d := range defs {
		t.Run(d.path, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", "logs", d.path+".json"))
			if err != nil {
				t.Fatal(err)
			}
			for i, line := range bytes.Split(bytes.TrimSpace(data), []byte("\n")) {
				want := parseOne(t, reg, Weird, line)
				if want == nil {
					t.Fatalf("record %d: %s", i+1, line)
				}
				for _, v := range variants {
					if v.noPath && d.pathOnly {
						continue
					}
					rec := encode(t, v.apply(d.path, decode(t, line)))
					// A parser named for another type, and a fresh one for
					// each record: the record names its type, and one
					// record tells how a source writes its names.
					got := parseOne(t, reg, Weird, rec)
					if got == nil {
						t.Errorf("record %d, %s: not parsed: %s", i+1, v.name, rec)
						continue
					}
					if df := diff(want, got); df != "" {
						t.Errorf("record %d, %s: %s\n%s", i+1, v.name, rec, df)
					}
				}
			}
		})
	}
}

// The keys pipelines add are kept in the event (a log type's schema has no
// column for them: they land in p_extra).
func TestShipperKeysKept(t *testing.T) {
	reg := parsertest.Registry(t, LogTypes()...)
	rec := `{"@stream":"conn","@system":"sensor-7","@proc":"zeek","_system_name":"sensor-7","_write_ts":"2024-04-01T10:00:01.000000Z",` +
		`"ts":"2024-04-01T10:00:00.123456Z","uid":"C1","id_orig_h":"10.1.2.3","id_orig_p":50000,"id_resp_h":"198.51.100.7","id_resp_p":443,` +
		`"proto":"tcp","missed_bytes":0}`
	res := parsertest.Parse(t, reg, Conn, []byte(rec))
	if len(res.Errors) > 0 || len(res.Events) != 1 {
		t.Fatalf("%v %d", res.Errors, len(res.Events))
	}
	var m map[string]any
	if err := json.Unmarshal(res.Events[0], &m); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]any{"@stream": "conn", "@system": "sensor-7", "@proc": "zeek", "_system_name": "sensor-7",
		"id.orig_h": "10.1.2.3", "id.resp_p": 443.0, "p_log_type": "Zeek.Conn", "p_event_time": "2024-04-01T10:00:00.123456Z"} {
		if m[k] != want {
			t.Errorf("%s = %v, want %v\n%s", k, m[k], want, res.Events[0])
		}
	}
	if ips := fmt.Sprint(m["p_any_ip_addresses"]); ips != "[10.1.2.3 198.51.100.7]" {
		t.Errorf("p_any_ip_addresses = %s", ips)
	}
}

func parseOne(t *testing.T, reg *parsers.Registry, lt *parsers.LogType, rec []byte) map[string]string {
	t.Helper()
	e := event.New()
	defer e.Release()
	ok, err := lt.NewParser().Parse(rec, e)
	if err == nil && ok {
		err = reg.Normalise(lt, e, parsers.Source{File: "x"}, 1, parsertest.ParseTime)
	}
	if err != nil || !ok {
		t.Logf("%s: ok=%v err=%v", rec, ok, err)
		return nil
	}
	m := comparable(e)
	maps.DeleteFunc(m, func(k string, _ string) bool { return isShipperKey(k) })
	return m
}

func decode(t *testing.T, b []byte) map[string]any {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil {
		t.Fatal(err)
	}
	return m
}

func encode(t *testing.T, v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return bytes.TrimSpace(b.Bytes())
}

func unpath(m map[string]any) map[string]any {
	out := maps.Clone(m)
	delete(out, "_path")
	delete(out, "_write_ts")
	return out
}

func withStream(path string, m map[string]any) map[string]any {
	out := unpath(m)
	out["@stream"], out["@system"], out["@proc"] = path, "sensor-1", "zeek"
	return out
}

func flatten(m map[string]any) map[string]any {
	out := map[string]any{"_system_name": "sensor-1"}
	for k, v := range m {
		out[strings.ReplaceAll(k, ".", "_")] = v
	}
	return out
}

func nest(m map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		parts := strings.Split(k, ".")
		o := out
		for _, p := range parts[:len(parts)-1] {
			sub, ok := o[p].(map[string]any)
			if !ok {
				sub = map[string]any{}
				o[p] = sub
			}
			o = sub
		}
		o[parts[len(parts)-1]] = v
	}
	return out
}

// flipTS writes ts the other way: ISO 8601 for epoch seconds, epoch
// seconds (in a string when quoted) for ISO 8601.
func flipTS(m map[string]any, quoted bool) map[string]any {
	out := maps.Clone(m)
	switch ts := m["ts"].(type) {
	case json.Number:
		f, _ := ts.Float64()
		sec := int64(f)
		us := int64((f-float64(sec))*1e6 + 0.5)
		iso := time.UnixMicro(sec*1e6 + us).UTC().Format("2006-01-02T15:04:05.999999Z07:00")
		if quoted {
			out["ts"] = string(ts)
		} else {
			out["ts"] = iso
		}
	case string:
		tt, err := time.Parse(time.RFC3339Nano, ts)
		if err != nil {
			panic(err)
		}
		epoch := fmt.Sprintf("%d.%06d", tt.Unix(), tt.Nanosecond()/1000)
		if quoted {
			out["ts"] = epoch
		} else {
			out["ts"] = json.Number(epoch)
		}
	}
	return out
}

// A record rewritten to Zeek's names has a bounded number of fields: each
// renamed key costs a look at the keys before it.
func TestRewriteBound(t *testing.T) {
	reg := parsertest.Registry(t, LogTypes()...)
	var b strings.Builder
	b.WriteString(`{"@stream":"conn","ts":1711965600,"uid":"C1","id_orig_h":"10.0.0.1","id_orig_p":1,"id_resp_h":"10.0.0.2","id_resp_p":2,"proto":"tcp","missed_bytes":0`)
	for i := range 2000 {
		fmt.Fprintf(&b, `,"x_%d":%d`, i, i)
	}
	b.WriteString("}")
	res := parsertest.Parse(t, reg, Conn, []byte(b.String()))
	if len(res.Errors) != 1 || !strings.Contains(res.Errors[0], "Zeek record with 2009 fields (more than 1024)") {
		t.Errorf("%v", res.Errors)
	}
}
