package explain

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"panther/engine"
	"panther/parsers/logtypes"
)

// A tree of three CloudTrail rules: one that matches (guard, title,
// alert_context, print), one whose guard fails, one whose rule() errors.
var tree = map[string]string{
	"stop.yml": `AnalysisType: rule
RuleID: T.Stop
Enabled: true
Filename: stop.lua
LogTypes: [AWS.CloudTrail]
Severity: High
`,
	"stop.lua": `function rule(event)
  if event.eventSource ~= "cloudtrail.amazonaws.com" then return false end
  print("saw " .. event.eventName)
  return event.eventName == "StopLogging"
end
function title(event) return "stopped by " .. event:get("userIdentity", "userName") end
function alert_context(event) return {ip = event.sourceIPAddress} end
`,
	"login.yml": `AnalysisType: rule
RuleID: T.Login
Enabled: true
Filename: login.lua
LogTypes: [AWS.CloudTrail]
Severity: Low
`,
	"login.lua": `function rule(event)
  return event.eventName == "ConsoleLogin" and event.eventSource == "signin.amazonaws.com"
end
`,
	"broken.yml": `AnalysisType: rule
RuleID: T.Broken
Enabled: true
Filename: broken.lua
LogTypes: [AWS.CloudTrail]
Severity: Low
`,
	"broken.lua": `function rule(event)
  return event.requestParameters.missing.deeper > 1
end
`,
	"other.yml": `AnalysisType: rule
RuleID: T.Okta
Enabled: true
Filename: other.lua
LogTypes: [Okta.SystemLog]
Severity: Low
`,
	"other.lua": `function rule(event) return true end
`,
}

const stopLine = `{"eventVersion":"1.08","eventTime":"2024-03-01T12:00:00Z","eventSource":"cloudtrail.amazonaws.com","eventName":"StopLogging","awsRegion":"us-east-1","sourceIPAddress":"198.51.100.7","userIdentity":{"type":"IAMUser","userName":"alice"},"requestParameters":{"name":"main"},"recipientAccountId":"123456789012"}`

func load(t *testing.T) *engine.Set { return loadF(t) }

func loadF(t testing.TB) *engine.Set {
	t.Helper()
	dir := t.TempDir()
	for name, body := range tree {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	set := engine.Load([]engine.Source{engine.DirSource(dir)}, engine.LoadOptions{Registry: logtypes.Default()})
	if set.Diagnostics.Errors() > 0 {
		t.Fatal(set.Diagnostics)
	}
	return set
}

func TestExplain(t *testing.T) {
	t.Parallel()
	set := load(t)
	now := time.Date(2024, 3, 1, 13, 0, 0, 0, time.UTC)
	rep, err := Explain(set, set.Registry, []byte(stopLine+"\n"), Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Err != nil || rep.LogType != "AWS.CloudTrail" {
		t.Fatalf("type %q err %v", rep.LogType, rep.Err)
	}
	last := rep.Attempts[len(rep.Attempts)-1]
	if last.Outcome != "chosen" || last.LogType != "AWS.CloudTrail" {
		t.Errorf("last attempt %+v", last)
	}
	for _, a := range rep.Attempts[:len(rep.Attempts)-1] {
		if a.Err == nil {
			t.Errorf("attempt %s passed over with no reason", a.Family)
		}
	}
	var ev map[string]any
	if err := json.Unmarshal(rep.Event, &ev); err != nil {
		t.Fatal(err)
	}
	if ev["p_log_type"] != "AWS.CloudTrail" || ev["eventName"] != "StopLogging" {
		t.Errorf("event %s", rep.Event)
	}
	ids := []string{}
	byID := map[string]Rule{}
	for _, r := range rep.Rules {
		ids = append(ids, r.ID)
		byID[r.ID] = r
	}
	if got := strings.Join(ids, ","); got != "T.Broken,T.Login,T.Stop" {
		t.Fatalf("rules %s (only the CloudTrail ones, by ID)", got)
	}
	stop := byID["T.Stop"]
	if !stop.Match.Matched || stop.Match.Title != "stopped by alice" || stop.Prints != "saw StopLogging\n" ||
		string(stop.Match.AlertContext) != `{"ip":"198.51.100.7"}` || stop.Match.Outputs["rule"] != "true" {
		t.Errorf("T.Stop: %+v prints %q", stop.Match, stop.Prints)
	}
	if stop.Guard == nil || !stop.Guard.Pass {
		t.Errorf("T.Stop guard %+v", stop.Guard)
	}
	login := byID["T.Login"]
	if login.Match.Matched || login.Guard == nil || login.Guard.Pass || login.Match.Outputs["rule"] != "false" {
		t.Errorf("T.Login: guard %+v match %+v", login.Guard, login.Match)
	} else if c := login.Guard.Conds[0]; c.Field != "eventName" || c.Value != "StopLogging" || c.Holds {
		t.Errorf("T.Login guard cond %+v", c)
	}
	broken := byID["T.Broken"]
	if broken.Match.Err == nil || broken.Guard != nil && !broken.Guard.Pass {
		t.Errorf("T.Broken: %+v", broken)
	}
	c := rep.Counts()
	if c != (Counts{Rules: 3, Matched: 1, Errors: 1, GuardFailed: 1}) {
		t.Errorf("counts %+v", c)
	}

	var text bytes.Buffer
	if err := rep.WriteText(&text, false); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"families tried, by priority then name; AWS.CloudTrail took it as AWS.CloudTrail\n  their parser refused the line (",
		"log type: AWS.CloudTrail",
		"rules of AWS.CloudTrail: 3, 1 matched, 1 with errors, 1 guards failed",
		"T.Stop  MATCH",
		`alert: severity HIGH, title "stopped by alice"`,
		"| saw StopLogging",
		`guard: fails, so a replay skips rule(): eventName = "ConsoleLogin" (fails: "StopLogging")`,
		"T.Broken  RULE ERROR",
	} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text lacks %q:\n%s", want, text.String())
		}
	}
	js, err := json.Marshal(rep)
	if err != nil || !json.Valid(js) || !bytes.Contains(js, []byte(`"log_type":"AWS.CloudTrail"`)) {
		t.Errorf("json %s (%v)", js, err)
	}
}

func TestExplainNoType(t *testing.T) {
	t.Parallel()
	set := load(t)
	rep, err := Explain(set, set.Registry, []byte("\x1b[31mnot a log line of any kind"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Err == nil || rep.LogType != "" || len(rep.Rules) != 0 || len(rep.Attempts) < 2 {
		t.Fatalf("%+v", rep)
	}
	var text bytes.Buffer
	rep.WriteText(&text, true)
	if bytes.Contains(text.Bytes(), []byte("\x1b")) || !strings.Contains(text.String(), "no event:") {
		t.Errorf("text:\n%s", text.String())
	}
}

func TestExplainNamedType(t *testing.T) {
	t.Parallel()
	set := load(t)
	rep, err := Explain(set, set.Registry, []byte(stopLine), Options{LogType: "AWS.CloudTrail"})
	if err != nil || rep.LogType != "AWS.CloudTrail" || len(rep.Attempts) != 0 || len(rep.Rules) != 3 {
		t.Fatalf("%+v %v", rep, err)
	}
	rep, err = Explain(set, set.Registry, []byte("plain text"), Options{LogType: "AWS.CloudTrail"})
	if err != nil || rep.Err == nil || !strings.HasPrefix(rep.Err.Error(), "AWS.CloudTrail: ") {
		t.Errorf("refused line: %+v %v", rep, err)
	}
	if _, err := Explain(set, set.Registry, []byte(stopLine), Options{LogType: "AWS.CloudTrial"}); err == nil ||
		!strings.Contains(err.Error(), "did you mean AWS.CloudTrail") {
		t.Errorf("typo'd type: %v", err)
	}
	if _, err := Explain(set, set.Registry, bytes.Repeat([]byte("x"), MaxLine+1), Options{}); err == nil {
		t.Error("a line over MaxLine explained")
	}
}

// Whatever the line, explain neither fails nor lets a control character
// of the log reach the terminal, and its JSON is valid.
func FuzzExplain(f *testing.F) {
	set := loadF(f)
	for _, s := range []string{stopLine, "", "\x1b[2J\x1b[H", `{"eventSource":"\u001b[31m","eventName":"StopLogging","userIdentity":{"userName":"\u001b]0;x\u0007"}}`,
		"<13>Jan  1 00:00:00 host sshd[1]: \x1b[31mFailed password", "#fields\tts\tuid", `{"a":` + strings.Repeat("[", 100)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		rep, err := Explain(set, set.Registry, []byte(line), Options{Now: time.Unix(1700000000, 0)})
		if err != nil {
			return // over MaxLine
		}
		var text bytes.Buffer
		if err := rep.WriteText(&text, true); err != nil {
			t.Fatal(err)
		}
		if i := bytes.IndexFunc(text.Bytes(), func(r rune) bool { return r < ' ' && r != '\n' || r == 0x7f }); i >= 0 {
			t.Fatalf("a control character in the text at %d:\n%q", i, text.String())
		}
		js, err := json.Marshal(rep)
		if err != nil || !json.Valid(js) {
			t.Fatalf("json: %v", err)
		}
	})
}
