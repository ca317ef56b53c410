package packs

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"panther/detections"
	"panther/engine"
	"panther/packs/packstest"
	"panther/parsers/logtypes"
	"panther/tester"
)

// testLoad loads with the built-in log types, as the CLI does.
var testLoad = engine.LoadOptions{Registry: logtypes.Default()}

func writeTree(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const ctLog = `    Log: {eventSource: cloudtrail.amazonaws.com, eventName: StopLogging, sourceIPAddress: 198.51.100.1}
`

// closureTree is a repository where pack P needs some of everything and
// other content must stay out.
var closureTree = map[string]string{
	"rules/a.yml": `AnalysisType: rule
RuleID: A
Filename: a.lua
LogTypes: [AWS.CloudTrail]
Severity: Low
Tests:
  - Name: stop
    ExpectedResult: true
` + ctLog + `  - Name: other
    ExpectedResult: false
    Log: {eventName: StartLogging}
Fixtures:
  - Input: fixtures/stop.jsonl
    LogType: AWS.CloudTrail
`,
	"rules/fixtures/stop.jsonl": `{"eventVersion":"1.08","eventTime":"2024-01-01T00:00:00Z","eventSource":"cloudtrail.amazonaws.com","eventName":"StopLogging","awsRegion":"us-east-1","sourceIPAddress":"198.51.100.1","userIdentity":{"type":"IAMUser","userName":"alice"},"recipientAccountId":"123456789012"}
`,
	"rules/fixtures/stop.jsonl.expected.yml": `Alerts:
  - RuleID: A
    Title: A
    Dedup: A
    Severity: LOW
    EventCount: 1
    FirstEventTime: "2024-01-01T00:00:00Z"
    LastEventTime: "2024-01-01T00:00:00Z"
`,
	"rules/fixtures/unused.jsonl": "{}\n",
	"rules/a.lua": `-- require("commented_out")
local h = require("h1")
function rule(e) return h.yes(e) and e:udm("source_ip") ~= nil end
`,
	"rules/b.yml": "AnalysisType: rule\nRuleID: B\nFilename: b.lua\nLogTypes: [AWS.CloudTrail]\nSeverity: Low\n",
	"rules/b.lua": `local h = require("h3") function rule(e) return h.x end`,
	"rules/s.yml": `AnalysisType: scheduled_rule
RuleID: S
Filename: s.lua
ScheduledQueries: [Q1]
Severity: Low
Tests:
  - Name: row
    ExpectedResult: true
    Log: {n: 1}
`,
	"rules/s.lua":        `function rule(e) return e.n == 1 end`,
	"helpers/h1.yml":     "AnalysisType: global\nGlobalID: h1\nFilename: h1.lua\n",
	"helpers/h1.lua":     "local h2 = require('h2')\nlocal M = {}\nfunction M.yes(e) return h2.is_stop(e.eventName) end\nreturn M\n",
	"helpers/h2.yml":     "AnalysisType: global\nGlobalID: h2\nFilename: h2.lua\n",
	"helpers/h2.lua":     "local M = {}\nfunction M.is_stop(n) return n == 'StopLogging' end\nreturn M\n",
	"helpers/h3.yml":     "AnalysisType: global\nGlobalID: h3\nFilename: h3.lua\n",
	"helpers/h3.lua":     "return {x = true}\n",
	"datamodels/ct.yml":  "AnalysisType: datamodel\nDataModelID: DM.CT\nLogTypes: [AWS.CloudTrail]\nMappings:\n  - {Name: source_ip, Path: sourceIPAddress}\n",
	"datamodels/gh.yml":  "AnalysisType: datamodel\nDataModelID: DM.GH\nLogTypes: [GitHub.Audit]\nMappings:\n  - {Name: actor, Path: actor}\n",
	"queries/q1.yml":     "AnalysisType: saved_query\nQueryName: Q1\nQuery: SELECT 1\n",
	"queries/q2.yml":     "AnalysisType: saved_query\nQueryName: Q2\nQuery: SELECT 2\n",
	"packs/p.yml":        "AnalysisType: pack\nPackID: P\nDisplayName: The P pack\nPackDefinition:\n  IDs: [A, S]\n",
	"packs/o.yml":        "AnalysisType: pack\nPackID: O\nPackDefinition:\n  IDs: [B]\n",
	"notes/manifest.yml": "not: a spec\n",
}

func loadDir(t testing.TB, dir string) *engine.Set {
	t.Helper()
	set := engine.Load([]engine.Source{engine.DirSource(dir)}, engine.LoadOptions{Registry: logtypes.Default()})
	if n := set.Diagnostics.Errors(); n > 0 {
		t.Fatalf("the test tree has %d errors: %v", n, set.Diagnostics)
	}
	return set
}

func TestClosure(t *testing.T) {
	t.Parallel()
	dir := writeTree(t, closureTree)
	set := loadDir(t, dir)
	c, err := Closure(set, "P")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range c.Files {
		got = append(got, strings.TrimPrefix(f, filepath.ToSlash(dir)+"/"))
	}
	want := []string{"datamodels/ct.yml", "helpers/h1.lua", "helpers/h1.yml", "helpers/h2.lua", "helpers/h2.yml",
		"packs/p.yml", "queries/q1.yml", "rules/a.lua", "rules/a.yml", "rules/fixtures/stop.jsonl", "rules/fixtures/stop.jsonl.expected.yml",
		"rules/s.lua", "rules/s.yml"}
	if !slices.Equal(got, want) {
		t.Errorf("files:\n got %v\nwant %v", got, want)
	}
	b, err := Build(set, "P", BuildOptions{ToolVersion: "test"})
	if err != nil {
		t.Fatal(err)
	}
	m := b.Manifest
	if !slices.Equal(m.Detections, []string{"A", "S"}) || !slices.Equal(m.Helpers, []string{"h1", "h2"}) ||
		!slices.Equal(m.DataModels, []string{"DM.CT"}) || !slices.Equal(m.Queries, []string{"Q1"}) {
		t.Errorf("manifest content: %+v", m)
	}
	if b.Root != filepath.ToSlash(dir) {
		t.Errorf("root %q, want %q", b.Root, dir)
	}

	if _, err := Closure(set, "p"); err == nil || !strings.Contains(err.Error(), "did you mean P?") {
		t.Errorf("unknown pack: %v", err)
	}
}

func TestClosureProblems(t *testing.T) {
	t.Parallel()
	tree := map[string]string{
		"r/a.yml": "AnalysisType: rule\nRuleID: A\nFilename: a.lua\nLogTypes: [AWS.CloudTrail]\nSeverity: Low\n",
		"r/a.lua": "local n = 'h'\nlocal h = require(n)\nfunction rule(e) return require('nope') end\n",
		"p.yml":   "AnalysisType: pack\nPackID: P\nPackDefinition:\n  IDs: [A]\n",
	}
	dir := writeTree(t, tree)
	set := engine.Load([]engine.Source{engine.DirSource(dir)}, engine.LoadOptions{Registry: logtypes.Default()})
	_, err := Build(set, "P", BuildOptions{})
	if err == nil {
		t.Fatal("built a pack whose requires cannot be resolved")
	}
	for _, want := range []string{
		filepath.ToSlash(dir) + "/r/a.lua:2: require with an argument that is not a string literal",
		filepath.ToSlash(dir) + `/r/a.lua:3: detection A requires "nope", but no helper has GlobalID "nope"`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}

// TestBuildIsDeterministic builds the same content from two folders whose
// files were written at different times: same bytes, same digest.
func TestBuildIsDeterministic(t *testing.T) {
	t.Parallel()
	dirA := writeTree(t, closureTree)
	dirB := writeTree(t, closureTree)
	old := time.Date(2015, 3, 4, 5, 6, 7, 0, time.UTC)
	filepath.WalkDir(dirB, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			os.Chtimes(p, old, old)
			os.Chmod(p, 0o600)
		}
		return nil
	})
	a, err := Build(loadDir(t, dirA), "P", BuildOptions{ToolVersion: "v1"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := Build(loadDir(t, dirB), "P", BuildOptions{ToolVersion: "v1"})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Zip, b.Zip) {
		t.Fatalf("two builds of the same content differ (%d vs %d bytes)", len(a.Zip), len(b.Zip))
	}
	if a.Manifest.Digest != b.Manifest.Digest || !strings.HasPrefix(a.Manifest.Digest, "sha256:") {
		t.Fatalf("digests %s %s", a.Manifest.Digest, b.Manifest.Digest)
	}
	// Another tool version: other bytes (the manifest says so), same digest.
	c, err := Build(loadDir(t, dirA), "P", BuildOptions{ToolVersion: "v2"})
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(a.Zip, c.Zip) || a.Manifest.Digest != c.Manifest.Digest {
		t.Errorf("tool version: bytes equal %v, digests %s %s", bytes.Equal(a.Zip, c.Zip), a.Manifest.Digest, c.Manifest.Digest)
	}
	// A changed file changes the digest.
	os.WriteFile(filepath.Join(dirB, "helpers/h2.lua"), []byte(closureTree["helpers/h2.lua"]+"-- changed\n"), 0o644)
	d, err := Build(loadDir(t, dirB), "P", BuildOptions{ToolVersion: "v1"})
	if err != nil {
		t.Fatal(err)
	}
	if d.Manifest.Digest == a.Manifest.Digest {
		t.Error("a changed helper left the digest unchanged")
	}
	// Entries: manifest first, then sorted, fixed time and mode, deflate.
	zr, err := zip.NewReader(bytes.NewReader(a.Zip), int64(len(a.Zip)))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
		if !f.Modified.Equal(zipTime) || f.Mode() != 0o644 || f.Method != zip.Deflate {
			t.Errorf("%s: time %v mode %v method %d", f.Name, f.Modified, f.Mode(), f.Method)
		}
	}
	if names[0] != ManifestName || !slices.IsSorted(names[1:]) {
		t.Errorf("entry order %v", names)
	}
}

// TestBuiltPackStandsAlone proves the closure: the unzipped pack, and the
// zip as an fs.FS, load without errors and pass their tests on their own.
func TestBuiltPackStandsAlone(t *testing.T) {
	t.Parallel()
	set := loadDir(t, writeTree(t, closureTree))
	b, err := Build(set, "P", BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	arch, err := OpenArchive(bytes.NewReader(b.Zip), int64(len(b.Zip)), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	res := Check(context.Background(), arch.FS(), arch.Manifest, CheckOptions{Load: testLoad})
	if res.Failed() || res.Tests == nil || res.Tests.Passed != 4 {
		t.Fatalf("check of the zip: %s %v %+v", res.Summary(), res.Set.Diagnostics, res.Tests)
	}
	out := t.TempDir()
	for _, f := range arch.Zip.File {
		data, _ := readEntry(f)
		p := filepath.Join(out, filepath.FromSlash(f.Name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, data, 0o644)
	}
	unzipped := loadDir(t, out)
	rep := tester.Run(context.Background(), unzipped, tester.Options{}).Collect()
	if rep.Failed != 0 || rep.Passed != 4 || len(unzipped.Detections) != 2 {
		t.Fatalf("unzipped pack: %d passed, %d failed, %d detections", rep.Passed, rep.Failed, len(unzipped.Detections))
	}
	// Without the closure it would not: drop a helper, or a fixture's
	// expected file, and tests fail, so the checks above can fail.
	for _, f := range []string{"helpers/h2.yml", "rules/fixtures/stop.jsonl.expected.yml"} {
		os.Rename(filepath.Join(out, f), filepath.Join(out, f+".away"))
		broken := engine.Load([]engine.Source{engine.DirSource(out)}, engine.LoadOptions{Registry: logtypes.Default()})
		rep = tester.Run(context.Background(), broken, tester.Options{}).Collect()
		if rep.Failed == 0 && broken.Diagnostics.Errors() == 0 {
			t.Errorf("a pack without %s still passes: the test above proves nothing", f)
		}
		os.Rename(filepath.Join(out, f+".away"), filepath.Join(out, f))
	}
}

func readEntry(f *zip.File) ([]byte, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	var b bytes.Buffer
	_, err = b.ReadFrom(rc)
	return b.Bytes(), err
}

// TestShippedPacks builds every shipped pack from the embedded content,
// checks it, and keeps the layout of the two embedded trees.
func TestShippedPacks(t *testing.T) {
	t.Parallel()
	srcs := []engine.Source{{FS: detections.FS, Root: ".", Display: "detections"}, {FS: FS, Root: ".", Display: "packs"}}
	set := engine.Load(srcs, engine.LoadOptions{Registry: logtypes.Default()})
	if len(set.Packs) == 0 {
		t.Fatal("no shipped pack")
	}
	for _, p := range set.Packs {
		b, err := Build(set, p.ID, BuildOptions{})
		if err != nil {
			t.Fatalf("%s: %v", p.ID, err)
		}
		if b.Root != "" || !slices.ContainsFunc(b.Manifest.Files, func(f File) bool { return f.Path == "packs/"+filepath.Base(p.File) }) {
			t.Errorf("%s: root %q, files %v", p.ID, b.Root, b.Manifest.Files)
		}
		arch, err := OpenArchive(bytes.NewReader(b.Zip), int64(len(b.Zip)), Limits{})
		if err != nil {
			t.Fatal(err)
		}
		res := Check(context.Background(), arch.FS(), arch.Manifest, CheckOptions{Load: testLoad, Display: b.Root})
		if res.Failed() {
			t.Errorf("%s: %s %v", p.ID, res.Summary(), res.Set.Diagnostics)
		}
	}
}

// TestDigestRecipe checks the package doc's claim: sha256sum over the
// unzipped files gives the digest.
func TestDigestRecipe(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("sha256sum"); err != nil {
		t.Skip("no sha256sum on this machine")
	}
	set := loadDir(t, writeTree(t, closureTree))
	b, err := Build(set, "P", BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	zr, _ := zip.NewReader(bytes.NewReader(b.Zip), int64(len(b.Zip)))
	for _, f := range zr.File {
		data, _ := readEntry(f)
		p := filepath.Join(out, f.Name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, data, 0o644)
	}
	cmd := exec.Command("sh", "-c", `find . -type f ! -name manifest.json | sed 's|^\./||' | LC_ALL=C sort | xargs sha256sum | sha256sum`)
	cmd.Dir = out
	got, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	if sum := strings.Fields(string(got))[0]; "sha256:"+sum != b.Manifest.Digest {
		t.Errorf("sha256sum recipe gives %s, manifest says %s", sum, b.Manifest.Digest)
	}
}

// BenchmarkPackBuild500 is `panther pack build` of a 500-detection pack
// (2,000 tests) without the CLI: load the repository, compute the closure,
// write the zip, open and verify it, load it on its own, validate and run
// every test.
func BenchmarkPackBuild500(b *testing.B) {
	dir := b.TempDir()
	if _, err := packstest.Corpus(dir, 500); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	var size int
	cpu := packstest.CPUTime()
	for i := 0; i < b.N; i++ {
		set := engine.Load([]engine.Source{engine.DirSource(dir)}, engine.LoadOptions{Registry: logtypes.Default()})
		built, err := Build(set, packstest.CorpusPack, BuildOptions{})
		if err != nil {
			b.Fatal(err)
		}
		arch, err := OpenArchive(bytes.NewReader(built.Zip), int64(len(built.Zip)), Limits{})
		if err != nil {
			b.Fatal(err)
		}
		res := Check(context.Background(), arch.FS(), arch.Manifest, CheckOptions{Load: testLoad, Display: built.Root})
		if res.Failed() || res.Tests.Passed != 2000 {
			b.Fatalf("%s", res.Summary())
		}
		size = len(built.Zip)
	}
	b.ReportMetric(float64((packstest.CPUTime()-cpu).Milliseconds())/float64(b.N), "cpu-ms/op")
	b.ReportMetric(float64(size), "zip-bytes")
}

// TestAlertRulesArePacked: a pack may name alert rules; their specs go in
// the zip, the manifest lists them, and the zip alone loads and tests them.
func TestAlertRulesArePacked(t *testing.T) {
	t.Parallel()
	tree := map[string]string{
		"alert_rules/drop.yml": "AnalysisType: alert_rule\nAlertRuleID: Drop.Ping\nWhen: {equals: {tag: ping}}\nThen: [{discard: true}]\n" +
			"Tests:\n  - Name: ping\n    Input: {tag: ping}\n    Discarded: true\n",
		"alert_rules/other.yml": "AnalysisType: alert_rule\nAlertRuleID: Not.Packed\nThen: [{group: g}]\n",
		"p.yml":                 "AnalysisType: pack\nPackID: P\nPackDefinition:\n  IDs: [Drop.Ping]\n",
	}
	dir := writeTree(t, tree)
	set := engine.Load([]engine.Source{engine.DirSource(dir)}, engine.LoadOptions{})
	if len(set.Diagnostics) > 0 {
		t.Fatal(set.Diagnostics)
	}
	c, err := Closure(set, "P")
	if err != nil {
		t.Fatal(err)
	}
	if len(c.AlertRules) != 1 || c.AlertRules[0].ID != "Drop.Ping" {
		t.Fatalf("%+v", c.AlertRules)
	}
	if got := strings.Join(c.Files, ","); !strings.HasSuffix(got, "alert_rules/drop.yml,"+filepath.ToSlash(dir)+"/p.yml") || strings.Contains(got, "other.yml") {
		t.Fatalf("files %s", got)
	}
	b, err := Build(set, "P", BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(b.Manifest.AlertRules) != "[Drop.Ping]" {
		t.Fatalf("manifest %+v", b.Manifest)
	}
}
