package cmd

import (
	"encoding/json"
	"os"
	"path/filepath"
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

// --schema adds custom log types to both commands, once a decoder is wired
// in; without one it is a usage error, not a silent no-op.
func TestSchemaFlag(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	p := filepath.Join(dir, "x.yml")
	os.WriteFile(p, []byte("AnalysisType: log_type\n"), 0o644)
	_, errOut, code := parseCLI(t, "", "logtypes", "--schema", p)
	if decodeLogType == nil {
		if code != ExitUsage || !strings.Contains(errOut, "--schema: custom log types are not available") {
			t.Errorf("exit %d: %s", code, errOut)
		}
		return
	}
	// An incomplete spec is a usage error naming the file.
	if code != ExitUsage || !strings.Contains(errOut, p) {
		t.Errorf("exit %d: %s", code, errOut)
	}
}
