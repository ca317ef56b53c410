package aws

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"panther/parsers"
	"panther/parsers/event"
	"panther/parsers/parsertest"
)

func TestVPCFlowGolden(t *testing.T) {
	t.Parallel()
	reg := parsertest.Registry(t, VPCFlow)
	cases := []struct {
		name           string
		events, errors int
		check          func(t *testing.T, evs []map[string]any)
	}{
		{"default", 6, 5, func(t *testing.T, evs []map[string]any) {
			ev := evs[0]
			want := map[string]any{
				"version": 2.0, "account": "123456789012", "interfaceId": "eni-0a1b2c3d4e5f67890",
				"srcAddr": "203.0.113.12", "dstAddr": "10.0.1.5", "srcPort": 49152.0, "dstPort": 22.0,
				"protocol": 6.0, "packets": 10.0, "bytes": 840.0, "start": "2024-03-01T12:00:00Z",
				"end": "2024-03-01T12:01:00Z", "action": "REJECT", "status": "OK",
				"p_event_time": "2024-03-01T12:00:00Z",
			}
			for k, v := range want {
				if ev[k] != v {
					t.Errorf("%s = %#v, want %#v", k, ev[k], v)
				}
			}
			if !equalList(ev["p_any_ip_addresses"], "10.0.1.5", "203.0.113.12") {
				t.Errorf("ips = %v", ev["p_any_ip_addresses"])
			}
			// NODATA: the dashes are left out, not written as "-".
			for _, k := range []string{"srcAddr", "srcPort", "action", "packets"} {
				if _, ok := evs[2][k]; ok {
					t.Errorf("NODATA record has %s = %v", k, evs[2][k])
				}
			}
			if evs[2]["status"] != "NODATA" {
				t.Errorf("status = %v", evs[2]["status"])
			}
			if evs[4]["account"] != "unknown" || evs[4]["p_any_aws_account_ids"] != nil {
				t.Errorf("account unknown: %v %v", evs[4]["account"], evs[4]["p_any_aws_account_ids"])
			}
		}},
		{"custom", 4, 2, func(t *testing.T, evs []map[string]any) {
			ev := evs[0]
			want := map[string]any{
				"version": 5.0, "vpcId": "vpc-0123456789abcdef0", "subNetId": "subnet-0123456789abcdef0",
				"instanceId": "i-0123456789abcdef0", "tcpFlags": 19.0, "trafficType": "IPv4",
				"pktSrcAddr": "10.0.1.5", "region": "eu-west-1", "azId": "euw1-az2",
				"flowDirection": "egress", "trafficPath": 1.0, "futureField": "x-1",
			}
			for k, v := range want {
				if ev[k] != v {
					t.Errorf("%s = %#v, want %#v", k, ev[k], v)
				}
			}
			if !equalList(ev["p_any_aws_instance_ids"], "i-0123456789abcdef0") {
				t.Errorf("instance ids = %v", ev["p_any_aws_instance_ids"])
			}
			if evs[1]["pktSrcAwsService"] != "S3" || !equalList(evs[1]["p_any_ip_addresses"], "10.0.1.77", "10.0.3.4", "52.94.133.131") {
				t.Errorf("second flow: %v", evs[1])
			}
			// The second header changes the layout; with no start, end
			// gives the event time.
			if evs[2]["dstPort"] != 23.0 || evs[2]["p_event_time"] != "2024-03-01T13:33:19Z" {
				t.Errorf("subset header: %v", evs[2])
			}
			if !equalList(evs[3]["p_any_aws_arns"], "arn:aws:ecs:eu-west-1:123456789012:task/prod/0123456789abcdef0123456789abcdef") {
				t.Errorf("ecs arn: %v", evs[3])
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			res := parsertest.Golden(t, reg, VPCFlow, "testdata/vpcflow/"+c.name+".log", "testdata/vpcflow/"+c.name+".golden.jsonl")
			if len(res.Events) != c.events || len(res.Errors) != c.errors {
				t.Fatalf("want %d events and %d errors, got %d and %d: %v", c.events, c.errors, len(res.Events), len(res.Errors), res.Errors)
			}
			c.check(t, decodeAll(t, res.Events))
		})
	}
}

// Bad lines are errors that say what is wrong, and the parser goes on.
func TestVPCFlowBadLines(t *testing.T) {
	t.Parallel()
	good := "2 123456789012 eni-0a1b2c3d4e5f67890 203.0.113.12 10.0.1.5 49152 22 6 10 840 1709294400 1709294460 REJECT OK"
	cases := []struct{ line, want string }{
		{"2 123456789012 eni-1 1.2.3.4 5.6.7.8 1 2 6 1 1 1709294400 1709294460 REJECT", "13 fields and no header line"},
		{"2 123456789012 eni-1 1.2.3.4 5.6.7.8 1 2 6 1 1 1709294400 1709294460 REJECT OK extra", "15 fields"},
		{"x 123456789012 eni-1 1.2.3.4 5.6.7.8 1 2 6 1 1 1709294400 1709294460 REJECT OK", "neither a version number"},
		{"2 12345 eni-1 1.2.3.4 5.6.7.8 1 2 6 1 1 1709294400 1709294460 REJECT OK", `account-id: "12345"`},
		{"2 123456789012 eni-1 host.example 5.6.7.8 1 2 6 1 1 1709294400 1709294460 REJECT OK", `srcaddr: "host.example"`},
		{"2 123456789012 eni-1 1.2.3.4 5.6.7.8 1 2 6 1 1 -5 1709294460 REJECT OK", "start"},
		{"2 123456789012 eni-1 1.2.3.4 5.6.7.8 1 2 6 1 1 999999999999999 1709294460 REJECT OK", "start"},
		{"2 123456789012 eni-1 1.2.3.4 5.6.7.8 1 2 6 1 1 1709294400 1709294460 REJECT DONE", `log-status: "DONE"`},
		{"2 123456789012 eni-1 1.2.3.4 5.6.7.8 99999999999999999999 2 6 1 1 1709294400 1709294460 REJECT OK", "srcport: "},
	}
	reg := parsertest.Registry(t, VPCFlow)
	e := event.New()
	if ok, err := VPCFlow.NewParser().Parse([]byte("   "), e); ok || err == nil {
		t.Errorf("blank line: ok=%v err=%v", ok, err)
	}
	e.Release()
	for _, c := range cases {
		p := VPCFlow.NewParser()
		e := event.New()
		ok, err := p.Parse([]byte(c.line), e)
		e.Release()
		if ok || err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: ok=%v err=%v, want an error containing %q", c.line, ok, err, c.want)
		}
		// The same parser reads the next good line.
		res := parsertest.Parse(t, reg, VPCFlow, []byte(c.line+"\n"+good+"\n"))
		if len(res.Events) != 1 || len(res.Errors) != 1 {
			t.Errorf("%q then a good line: %d events, errors %v", c.line, len(res.Events), res.Errors)
		}
	}
}

// Every key the VPC flow events of Panther's public detections use is a
// column of ours, so those detections read the same names.
func TestVPCFlowPantherNames(t *testing.T) {
	t.Parallel()
	checkPantherNames(t, VPCFlow, "panther-analysis-tests/AWS.VPCFlow.tests.jsonl.gz", nil)
}

func FuzzVPCFlow(f *testing.F) {
	reg := parsertest.Registry(f, VPCFlow)
	seeds := parsertest.SeedLines(f, "testdata/vpcflow/default.log", "testdata/vpcflow/custom.log")
	// A header and a line in one record is what a fuzzer would find first.
	parsertest.Fuzz(f, reg, VPCFlow, seeds...)
}

// A header then records in one parser, as a file is read: fuzz the record
// after a fixed custom header.
func FuzzVPCFlowCustom(f *testing.F) {
	reg := parsertest.Registry(f, VPCFlow)
	lines := parsertest.SeedLines(f, "testdata/vpcflow/custom.log")
	header := lines[0]
	for _, l := range lines[1:] {
		f.Add(l)
	}
	f.Fuzz(func(t *testing.T, rec []byte) {
		p := VPCFlow.NewParser()
		e := event.New()
		defer e.Release()
		if ok, err := p.Parse(header, e); ok || err != nil {
			t.Fatalf("header: ok=%v err=%v", ok, err)
		}
		ok, err := p.Parse(rec, e)
		if err != nil || !ok {
			return
		}
		if err := reg.Normalise(VPCFlow, e, parsers.Source{File: "fuzz"}, 2, parsertest.ParseTime); err != nil {
			t.Fatal(err)
		}
		if out := e.AppendJSON(nil); !json.Valid(out) {
			t.Fatalf("invalid JSON for %q: %s", rec, out)
		}
	})
}

func BenchmarkVPCFlow(b *testing.B) {
	reg := parsertest.Registry(b, VPCFlow)
	def := repeatLines(validLines(b, VPCFlow, "testdata/vpcflow/default.log"), 200)
	lines := parsertest.SeedLines(b, "testdata/vpcflow/custom.log")
	custom := append([][]byte{lines[0]}, repeatLines(lines[1:3], 500)...)
	b.Run("default", func(b *testing.B) { parsertest.Bench(b, reg, VPCFlow, def) })
	b.Run("custom", func(b *testing.B) { parsertest.Bench(b, reg, VPCFlow, custom) })
	b.Run("default-parse-only", func(b *testing.B) { benchParse(b, VPCFlow, def) })
}

// benchParse measures the parser alone, without Normalise, to tell the
// parser's share of parsertest.Bench from the shared normaliser's.
func benchParse(b *testing.B, lt *parsers.LogType, records [][]byte) {
	var size int64
	for _, r := range records {
		size += int64(len(r)) + 1
	}
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		p := lt.NewParser()
		for j, r := range records {
			e := event.New()
			if _, err := p.Parse(r, e); err != nil {
				b.Fatalf("record %d: %v", j, err)
			}
			e.Release()
		}
	}
}

// validLines returns the lines of a fixture that lt's parser (a fresh one
// per line) accepts, for benchmarks that must not hit errors.
func validLines(t testing.TB, lt *parsers.LogType, file string) [][]byte {
	var out [][]byte
	for _, l := range parsertest.SeedLines(t, file) {
		e := event.New()
		if ok, err := lt.NewParser().Parse(l, e); ok && err == nil {
			out = append(out, l)
		}
		e.Release()
	}
	if len(out) == 0 {
		t.Fatalf("%s: no valid line", file)
	}
	return out
}

func repeatLines(lines [][]byte, n int) [][]byte {
	out := make([][]byte, 0, len(lines)*n)
	for range n {
		out = append(out, lines...)
	}
	return out
}

func decodeAll(t *testing.T, evs [][]byte) []map[string]any {
	t.Helper()
	out := make([]map[string]any, len(evs))
	for i, raw := range evs {
		d := json.NewDecoder(bytes.NewReader(raw))
		if err := d.Decode(&out[i]); err != nil {
			t.Fatalf("event %d: %v", i+1, err)
		}
	}
	return out
}

// checkPantherNames checks that every key (at any depth, objects only) of
// the events Panther's public detection tests give for lt is declared in
// lt's schema, top-level keys as columns and nested ones inside a struct
// column or under a json column. known lists keys of the test data that
// Panther itself does not produce (typos in those tests).
func checkPantherNames(t *testing.T, lt *parsers.LogType, rel string, known map[string]bool) {
	t.Helper()
	path := parsertest.SharedData(t, rel)
	cols := map[string]*parsers.Type{}
	for _, c := range lt.Schema {
		typ, err := parsers.ParseType(c.Type)
		if err != nil {
			t.Fatal(err)
		}
		cols[c.Name] = typ
	}
	n := 0
	for i, rec := range parsertest.GzLines(t, path) {
		var line struct {
			Log map[string]any
		}
		if err := json.Unmarshal(rec, &line); err != nil {
			t.Fatal(err)
		}
		if lt, _ := line.Log["p_log_type"].(string); lt != "" && !strings.HasPrefix(lt, "AWS.") {
			continue // the OCSF variant of a test
		}
		n++
		for k, v := range line.Log {
			if strings.HasPrefix(k, "p_") || known[k] {
				continue
			}
			typ, ok := cols[k]
			if !ok {
				t.Errorf("line %d: Panther's key %q is not a column of %s", i+1, k, lt.Name)
				continue
			}
			checkNested(t, i+1, k, typ, v)
		}
	}
	if n == 0 {
		t.Fatal("no event read")
	}
}

func checkNested(t *testing.T, line int, path string, typ *parsers.Type, v any) {
	switch typ.Kind {
	case "json":
		return
	case "struct":
		obj, ok := v.(map[string]any)
		if !ok {
			return
		}
		for k, x := range obj {
			var ft *parsers.Type
			for _, f := range typ.Fields {
				if f.Name == k {
					ft = f.Type
				}
			}
			if ft == nil {
				t.Errorf("line %d: Panther's key %s.%s is not in the schema", line, path, k)
				continue
			}
			checkNested(t, line, path+"."+k, ft, x)
		}
	case "array":
		if l, ok := v.([]any); ok {
			for _, x := range l {
				checkNested(t, line, path+"[]", typ.Elem, x)
			}
		}
	}
}

// Hand-written events (detection tests) give start as the parser writes it
// or as unix seconds; both set the event time.
func TestVPCFlowHandWrittenTime(t *testing.T) {
	t.Parallel()
	reg := parsertest.Registry(t, VPCFlow)
	for _, raw := range []string{
		`{"srcAddr":"1.1.1.1","dstPort":22,"start":"2024-03-01T12:00:00Z"}`,
		`{"srcAddr":"1.1.1.1","dstPort":22,"start":1709294400}`,
		`{"srcAddr":"1.1.1.1","dstPort":22,"end":"1709294400"}`,
	} {
		e := event.New()
		if err := e.ParseJSON([]byte(raw)); err != nil {
			t.Fatal(err)
		}
		if err := reg.Normalise(VPCFlow, e, parsers.Source{File: "test"}, 1, parsertest.ParseTime); err != nil {
			t.Fatal(err)
		}
		if got := e.Time.Format(time.RFC3339); got != "2024-03-01T12:00:00Z" || !equalList(toAny(e.Indicators[event.IP]), "1.1.1.1") {
			t.Errorf("%s: time %s, ips %v", raw, got, e.Indicators[event.IP])
		}
		e.Release()
	}
}

func toAny(l []string) []any {
	out := make([]any, len(l))
	for i, s := range l {
		out[i] = s
	}
	return out
}
