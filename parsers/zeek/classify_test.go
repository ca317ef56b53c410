package zeek_test

import (
	"errors"
	"strings"
	"testing"

	"panther/parsers"
	"panther/parsers/aws"
	"panther/parsers/classifier"
	"panther/parsers/parsertest"
	"panther/parsers/suricata"
	"panther/parsers/zeek"
)

// With no log type named, the classifier finds the Zeek type of TSV lines
// (through the header it hands to every stateful parser) and of JSON lines
// with or without _path, and neither Zeek nor Suricata takes other logs
// that merely share a field name with them.
func TestClassifierFindsTheType(t *testing.T) {
	types := append(zeek.LogTypes(), suricata.LogTypes()...)
	reg := parsertest.Registry(t, append(types, aws.CloudTrail)...)
	c := classifier.New(reg)
	records := []struct{ rec, want string }{
		{"#separator \\x09", ""},
		{"#path\tdns", ""},
		{"#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\ttrans_id\tquery\tAA\tTC\tRD\tRA\tZ\trejected", ""},
		{"#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tcount\tstring\tbool\tbool\tbool\tbool\tcount\tbool", ""},
		{"1711965603.250117\tC1\t192.168.1.10\t41772\t192.168.1.1\t53\tudp\t1\twww.example.com\tF\tF\tT\tT\t0\tF", "Zeek.DNS"},
		{`{"eventVersion":"1.08","eventTime":"2024-04-01T10:00:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","sourceIPAddress":"192.0.2.1"}`, "AWS.CloudTrail"},
		{`{"timestamp":"2024-04-01T10:00:00.123456+0000","flow_id":1,"event_type":"alert","src_ip":"198.51.100.9","dest_ip":"192.168.1.30","alert":{"signature_id":1}}`, "Suricata.Alert"},
		{`{"ts":1711965609.6,"host":"192.168.1.10"}`, "Zeek.KnownHosts"},
		{`{"_path":"ssl","ts":"2024-04-01T10:00:22.615923Z","uid":"C2","id.orig_h":"192.168.1.10","id.orig_p":1,"id.resp_h":"192.0.2.1","id.resp_p":443,"resumed":false,"established":true}`, "Zeek.SSL"},
		{`{"ts":1711965600.1,"uid":"C3","id.orig_h":"192.168.1.10","id.orig_p":1,"id.resp_h":"192.0.2.1","id.resp_p":443,"proto":"tcp","missed_bytes":0,"conn_state":"SF"}`, "Zeek.Conn"},
		{"1711965604.1\tC4\t192.168.1.11\t53211\t192.168.1.1\t53\tudp\t2\texample.org\tF\tF\tT\tT\t0\tF", "Zeek.DNS"},
		// Other logs with a "ts" and a "host", or an "event_type".
		{`{"ts":1711965609.6,"host":"web-1","level":"info","message":"started","pid":42,"app":"api"}`, ""},
		{`{"event_type":"ITEM_UPLOAD","created_at":"2024-04-01T10:00:44-07:00","source":{"item_name":"notes.txt"}}`, ""},
	}
	for i, r := range records {
		e, lt, err := c.Classify([]byte(r.rec))
		switch {
		case r.want == "" && e == nil && lt == nil && err == nil && r.rec[0] == '#':
			// a header
		case r.want == "":
			var nm *classifier.NoMatchError
			if !errors.As(err, &nm) {
				t.Errorf("record %d: want no match, got %v %v", i+1, typeOf(e, lt), err)
			}
		case err != nil:
			t.Errorf("record %d: want %s, got %v", i+1, r.want, err)
		default:
			if err := reg.Normalise(lt, e, parsers.Source{File: "mix"}, int64(i+1), parsertest.ParseTime); err != nil {
				t.Fatal(err)
			}
			if e.LogType != r.want {
				t.Errorf("record %d: %s, want %s", i+1, e.LogType, r.want)
			}
		}
		if e != nil {
			e.Release()
		}
	}
}

func typeOf(e interface{ String() string }, lt *parsers.LogType) string {
	if lt == nil {
		return "<nil>"
	}
	return lt.Name
}

// A record no type takes is reported with the type it came closest to: on
// a source whose records so far were CloudTrail, a conn record without its
// conn id is a broken Zeek.Conn record, not "not a CloudTrail event".
func TestClassifierNamesTheClosestType(t *testing.T) {
	types := append(zeek.LogTypes(), suricata.LogTypes()...)
	reg := parsertest.Registry(t, append(types, aws.CloudTrail)...)
	c := classifier.New(reg)
	ct := `{"eventVersion":"1.08","eventTime":"2024-04-01T10:00:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","sourceIPAddress":"192.0.2.1"}`
	e, lt, err := c.Classify([]byte(ct))
	if err != nil || lt != aws.CloudTrail {
		t.Fatalf("%v %v", lt, err)
	}
	e.Release()
	cases := []struct{ rec, likely, why string }{
		{`{"ts":1711965600.1,"uid":"C3","proto":"tcp","missed_bytes":0,"conn_state":"S0","duration":1.5,"orig_bytes":0,"resp_bytes":0}`,
			"Zeek.Conn", "not a complete conn.log record: it has 4 of the 8 fields"},
		{`{"@stream":"conn","ts":"2024-04-01T10:00:00Z","uid":"C3","proto":"tcp","missed_bytes":0}`,
			"Zeek.Conn", "required fields id.orig_h, id.orig_p, id.resp_h, id.resp_p are missing"},
		// Nothing like Zeek: the last winner's reason.
		{`{"eventVersion":"1.08","eventTime":"2024-04-01T10:00:00Z"}`, "AWS.CloudTrail", "not a AWS.CloudTrail event"},
	}
	for _, tc := range cases {
		_, _, err := c.Classify([]byte(tc.rec))
		var nm *classifier.NoMatchError
		if !errors.As(err, &nm) {
			t.Fatalf("%s: want no match, got %v", tc.rec, err)
		}
		if nm.Likely != tc.likely || !strings.Contains(nm.Why.Error(), tc.why) {
			t.Errorf("%s:\n got  %s: %v\n want %s: %s...", tc.rec, nm.Likely, nm.Why, tc.likely, tc.why)
		}
	}
}

// A record that fits several Zeek logs (a kerberos record holding only the
// connection columns) is of the log its _path or @stream names; only
// without either do its fields decide.
func TestAmbiguousRecordsGoByPath(t *testing.T) {
	reg := parsertest.Registry(t, zeek.LogTypes()...)
	c := classifier.New(reg)
	base := `"ts":1711965608.7,"uid":"CiB1v61O1fMDWoHN2","id.orig_h":"10.0.0.41","id.orig_p":58444,"id.resp_h":"10.0.0.2","id.resp_p":88`
	for _, tc := range []struct{ rec, want string }{
		{`{"_path":"kerberos",` + base + `}`, "Zeek.Kerberos"},
		{`{"@stream":"kerberos",` + base + `}`, "Zeek.Kerberos"},
		{`{"@stream":"dce_rpc",` + base + `}`, "Zeek.DCERPC"},
		{`{` + base + `,"proto":"udp","missed_bytes":0}`, "Zeek.Conn"},
	} {
		e, lt, err := c.Classify([]byte(tc.rec))
		if err != nil {
			t.Fatalf("%s: %v", tc.rec, err)
		}
		if err := reg.Normalise(lt, e, parsers.Source{File: "x"}, 1, parsertest.ParseTime); err != nil {
			t.Fatal(err)
		}
		if e.LogType != tc.want {
			t.Errorf("%s: %s, want %s", tc.rec, e.LogType, tc.want)
		}
		e.Release()
	}
}
