package cmd

import (
	"encoding/json"
	"strings"
	"testing"

	"panther/parsers/logtypes"
)

func TestLogTypesList(t *testing.T) {
	t.Parallel()
	out, errOut, code := parseCLI(t, "", "logtypes")
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if !strings.HasPrefix(lines[0], "NAME ") || !strings.Contains(lines[0], " TABLE ") || !strings.HasSuffix(lines[0], " DESCRIPTION") {
		t.Errorf("header %q", lines[0])
	}
	names := logtypes.Default().Names()
	if len(lines) != len(names)+1 {
		t.Fatalf("%d rows for %d types", len(lines)-1, len(names))
	}
	for i, n := range names {
		fields := strings.Fields(lines[i+1])
		lt, _ := logtypes.Default().Lookup(n)
		if fields[0] != n || fields[1] != lt.Table() {
			t.Errorf("row %q, want %s %s", lines[i+1], n, lt.Table())
		}
	}
	if !strings.Contains(out, "AWS.CloudTrail      aws_cloudtrail      aws_account_id,aws_arn,aws_instance_id,domain,hostname,trace_id,username") &&
		!strings.Contains(out, "AWS.CloudTrail ") {
		t.Errorf("no CloudTrail row:\n%s", out)
	}
}

func TestLogTypesShow(t *testing.T) {
	t.Parallel()
	out, errOut, code := parseCLI(t, "", "logtypes", "AWS.CloudTrail")
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{
		"AWS.CloudTrail\n  AWS API calls",
		"  table:     aws_cloudtrail\n",
		"  time:      eventTime (rfc3339), then [\"@timestamp\"] (rfc3339)\n",
		"\n  COLUMN ",
		"\n  userIdentity.accountId ",
		"\n  resources[].ARN ",
		"\n  requestParameters ", // json type shown as json
		"\n  p_row_id ",
		"\n  p_any_ip_addresses ",
		"\n  INDICATOR FIELD ",
		"\n  sourceIPAddress ",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	for _, l := range strings.Split(out, "\n") {
		if strings.HasSuffix(l, " ") {
			t.Errorf("trailing spaces: %q", l)
		}
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "requestParameters" && f[1] != "json" {
			t.Errorf("requestParameters shown as %s", f[1])
		}
	}
	// Several names: one block each, in the order given.
	out, _, code = parseCLI(t, "", "logtypes", "AWS.VPCFlow", "AWS.CloudTrail")
	if code != 0 || strings.Index(out, "AWS.VPCFlow\n") != 0 || !strings.Contains(out, "\n\nAWS.CloudTrail\n") {
		t.Errorf("exit %d:\n%s", code, out)
	}
}

func TestLogTypesJSON(t *testing.T) {
	t.Parallel()
	out, _, code := parseCLI(t, "", "logtypes", "--format", "json")
	var all []logTypeJSON
	if code != 0 || json.Unmarshal([]byte(out), &all) != nil {
		t.Fatalf("exit %d, not JSON:\n%s", code, out)
	}
	if len(all) != len(logtypes.Default().Names()) {
		t.Errorf("%d types", len(all))
	}
	out, _, _ = parseCLI(t, "", "logtypes", "--format", "json", "AWS.CloudTrail")
	var one []map[string]any
	if err := json.Unmarshal([]byte(out), &one); err != nil || len(one) != 1 {
		t.Fatalf("%v: %s", err, out)
	}
	ct := one[0]
	if ct["name"] != "AWS.CloudTrail" || ct["table"] != "aws_cloudtrail" {
		t.Errorf("%v", ct)
	}
	tf := ct["time_fields"].([]any)[0].(map[string]any)
	if tf["path"] != "eventTime" || tf["format"] != "rfc3339" {
		t.Errorf("time field %v", tf)
	}
	var std, own int
	for _, c := range ct["columns"].([]any) {
		col := c.(map[string]any)
		if col["standard"] == true {
			std++
			if !strings.HasPrefix(col["name"].(string), "p_") {
				t.Errorf("standard column %v", col)
			}
		} else {
			own++
		}
	}
	if std == 0 || own == 0 {
		t.Errorf("%d standard and %d own columns", std, own)
	}
}

func TestLogTypesErrors(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"logtypes", "AWS.Cloudtrial"}, "panther: unknown log type \"AWS.Cloudtrial\" (did you mean AWS.CloudTrail?); 'panther logtypes' lists them\n"},
		{[]string{"logtypes", "--format", "yaml"}, "panther: --format \"yaml\": one of table, json\n"},
	} {
		out, errOut, code := parseCLI(t, "", tt.args...)
		if code != ExitUsage || errOut != tt.want || out != "" {
			t.Errorf("%v: exit %d, stderr %q, want %q", tt.args, code, errOut, tt.want)
		}
	}
}

// --schema adds custom log types to both commands.
func TestSchemaFlag(t *testing.T) {
	t.Parallel()
	const door = "testdata/parse/door.yml"
	out, errOut, code := parseCLI(t, "", "logtypes", "--schema", door, "Custom.Door")
	if code != 0 || !strings.HasPrefix(out, "Custom.Door\n  Badge reader events\n  table:     custom_door\n") {
		t.Errorf("logtypes: exit %d %s\n%s", code, errOut, out)
	}
	// Classified among the built-in types, and with --log-type.
	in := "2024-04-02T07:59:12Z door=lobby-1 badge=B-0042 user=alice result=granted\n" + goodLine + "\n" +
		"2024-04-02T08:03:40Z door=lab-2 badge=B-0007 user=bob result=denied\n"
	out, errOut, code = parseCLI(t, in, "parse", "--schema", door, "--quiet", "--summary")
	wantErr := "1 inputs, 3 records: 3 events, 0 headers, 0 rejected\n  AWS.CloudTrail          1\n  Custom.Door             2\n"
	if code != 0 || errOut != wantErr {
		t.Errorf("parse: exit %d, stderr %q, want %q", code, errOut, wantErr)
	}
	if !strings.Contains(out, `"door":"lab-2","badge":"B-0007","user":"bob","result":"denied","p_log_type":"Custom.Door","p_event_time":"2024-04-02T08:03:40Z"`) {
		t.Errorf("parse output:\n%s", out)
	}
	if _, _, code := parseCLI(t, in, "parse", "--schema", door, "--log-type", "Custom.Door"); code != ExitFindings {
		t.Errorf("--log-type Custom.Door on a CloudTrail line: exit %d, want 1", code)
	}
	for _, tt := range []struct{ args, want string }{
		{"--schema testdata/parse/broken.yml", "panther: --schema: testdata/parse/broken.yml:4: log type: unknown key \"Regx\" (did you mean Regex?)\n"},
		{"--schema testdata/parse/none.yml", "panther: --schema: custom log type: open testdata/parse/none.yml: no such file or directory\n"},
		{"--schema " + door + " --schema " + door, "panther: --schema " + door + ": log type Custom.Door is declared twice\n"},
	} {
		for _, cmd := range []string{"parse", "logtypes"} {
			_, errOut, code := parseCLI(t, "", append([]string{cmd}, strings.Fields(tt.args)...)...)
			if code != ExitUsage || errOut != tt.want {
				t.Errorf("%s %s: exit %d, stderr %q, want %q", cmd, tt.args, code, errOut, tt.want)
			}
		}
	}
}
