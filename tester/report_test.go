package tester

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// reportSet: Good.Rule passes twice; Bad.Rule fails one of its two tests.
func reportSet(t *testing.T) (set, dir string) {
	dir = tree(t, with(map[string]string{
		"bad/bad.yml": `AnalysisType: rule
RuleID: Bad.Rule
Filename: bad.lua
LogTypes: [Okta.SystemLog]
Severity: Low
Tests:
  - Name: passes
    ExpectedResult: false
    Log: {eventType: x}
  - Name: fails
    ExpectedResult: true
    Log: {eventType: y}
`,
		"bad/bad.lua": `function rule(e) print("saw", e.eventType) return false end`,
	}))
	return "", dir
}

// Results arrive in a stable order whatever the parallelism.
func TestResultsOrderIsStable(t *testing.T) {
	t.Parallel()
	files := map[string]string{}
	for i := range 30 {
		files[fmt.Sprintf("r%02d.yml", i)] = fmt.Sprintf("AnalysisType: rule\nRuleID: R.%02d\nFilename: r.lua\nLogTypes: [AWS.CloudTrail]\nSeverity: Low\nTests:\n"+
			"  - {Name: slow, ExpectedResult: true, Log: {n: %d}}\n  - {Name: fast, ExpectedResult: true, Log: {n: 0}}\n", i, 3000*(30-i))
	}
	files["r.lua"] = "function rule(e) local s = 0 for i = 1, e.n do s = s + i end return true end"
	set := load(t, tree(t, files))
	var want []string
	for _, d := range set.Detections {
		want = append(want, d.ID+"/slow", d.ID+"/fast")
	}
	for _, par := range []int{1, 4} {
		var got []string
		res := Run(context.Background(), set, Options{Parallel: par})
		for r := range res.All() {
			got = append(got, r.Detection.ID+"/"+r.Test)
		}
		if strings.Join(got, " ") != strings.Join(want, " ") || res.Passed() != 60 || !res.OK() {
			t.Errorf("parallel %d: %d passed, order %v", par, res.Passed(), got)
		}
	}
}

func TestPrettyReport(t *testing.T) {
	t.Parallel()
	_, dir := reportSet(t)
	set := load(t, dir)
	var out bytes.Buffer
	res := Run(context.Background(), set, Options{})
	if err := (Pretty{W: &out}).Report(res); err != nil {
		t.Fatal(err)
	}
	want := `FAIL Bad.Rule ` + dir + `/bad/bad.yml
    [PASS] passes
    [FAIL] fails (` + dir + `/bad/bad.yml:10)
        rule() returned false, expected true
        print output:
          | saw	y
PASS Good.Rule (2 tests)

Tests per log type: AWS.CloudTrail 2, Okta.SystemLog 2
3 passed, 1 failed
`
	if out.String() != want {
		t.Errorf("pretty:\n%s\nwant:\n%s", out.String(), want)
	}
	if res.OK() || res.Failed() != 1 {
		t.Errorf("OK %v, failed %d", res.OK(), res.Failed())
	}
}

func TestMachineReports(t *testing.T) {
	t.Parallel()
	_, dir := reportSet(t)
	set := load(t, dir)
	for _, format := range []string{"json", "junit", "github"} {
		var out bytes.Buffer
		rp, err := NewReporter(format, &out, Pretty{})
		if err != nil {
			t.Fatal(err)
		}
		if err := rp.Report(Run(context.Background(), set, Options{})); err != nil {
			t.Fatal(err)
		}
		s := out.String()
		switch format {
		case "json":
			var doc struct {
				Passed, Failed int
				Results        []struct{ Detection, Test string }
			}
			if err := json.Unmarshal(out.Bytes(), &doc); err != nil || doc.Passed != 3 || doc.Failed != 1 || len(doc.Results) != 4 {
				t.Errorf("json: %v %+v", err, doc)
			}
		case "junit":
			var doc struct {
				Tests    int `xml:"tests,attr"`
				Failures int `xml:"failures,attr"`
			}
			if err := xml.Unmarshal(out.Bytes(), &doc); err != nil || doc.Tests != 4 || doc.Failures != 1 {
				t.Errorf("junit: %v %+v\n%s", err, doc, s)
			}
		case "github":
			if !strings.Contains(s, "::error file="+dir+"/bad/bad.yml,line=10,title=Bad.Rule / fails::rule() returned false, expected true") ||
				!strings.HasSuffix(s, "3 passed, 1 failed\n") {
				t.Errorf("github:\n%s", s)
			}
		}
	}
	if _, err := NewReporter("xml", nil, Pretty{}); err == nil {
		t.Error("an unknown format was accepted")
	}
}

// A reporter that cannot write says so: a full disk is an error, not a
// truncated report and success.
type failingWriter struct{ after int }

func (f *failingWriter) Write(p []byte) (int, error) {
	if f.after <= 0 {
		return 0, errors.New("no space left on device")
	}
	f.after--
	return len(p), nil
}

func TestReportWriteErrors(t *testing.T) {
	t.Parallel()
	_, dir := reportSet(t)
	set := load(t, dir)
	for _, format := range Formats {
		rp, _ := NewReporter(format, &failingWriter{after: 0}, Pretty{})
		res := Run(context.Background(), set, Options{})
		if err := rp.Report(res); err == nil || !strings.Contains(err.Error(), "no space left") {
			t.Errorf("%s: %v", format, err)
		}
		if res.Passed()+res.Failed() != 4 {
			t.Errorf("%s: the results were not all read (%d)", format, res.Passed()+res.Failed())
		}
	}
}
