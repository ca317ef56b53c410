package cmd

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"panther/auth"
	"panther/engine"
	"panther/packs"
	"panther/packs/server"
	"panther/parsers/logtypes"
)

const (
	packWriteToken = "cli-write-token-0123456789"
	packReadToken  = "cli-read-token-0123456789"
)

// runEnv runs the CLI in-process with these PANTHER_ variables set in the
// environment (viper reads it), so the test and its parents must not be
// parallel.
func runEnv(t *testing.T, dir string, env map[string]string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	for k, v := range env {
		t.Setenv(k, v)
	}
	var out, errOut bytes.Buffer
	app := &App{
		IO:        TestIO(strings.NewReader(""), &out, &errOut),
		Now:       time.Now,
		Getenv:    func(k string) string { return "" },
		WorkDir:   dir,
		ConfigDir: filepath.Join(dir, ".no-user-config"),
	}
	code = Execute(context.Background(), app, args)
	return out.String(), errOut.String(), code
}

// packRepo is a detections repository with pack P (rules A and B, a
// helper). variant changes A's Lua; failing breaks one of A's tests.
func packRepo(t *testing.T, variant string, failing bool) string {
	t.Helper()
	expect := "true"
	if failing {
		expect = "false"
	}
	return writeTree(t, map[string]string{
		"rules/a.yml": `AnalysisType: rule
RuleID: A
DisplayName: Trail stopped
Filename: a.lua
LogTypes: [AWS.CloudTrail]
Severity: High
Tests:
  - Name: stop
    ExpectedResult: ` + expect + `
    Log: {eventSource: cloudtrail.amazonaws.com, eventName: StopLogging}
  - Name: start
    ExpectedResult: false
    Log: {eventName: StartLogging}
`,
		"rules/a.lua":   "-- " + variant + "\nlocal h = require('h')\nfunction rule(e) return h.stop(e) end\n",
		"rules/b.yml":   "AnalysisType: rule\nRuleID: B\nFilename: b.lua\nLogTypes: [AWS.CloudTrail]\nSeverity: Low\nTests:\n  - Name: never\n    ExpectedResult: false\n    Log: {a: 1}\n",
		"rules/b.lua":   "function rule(e) return false end\n",
		"rules/c.yml":   "AnalysisType: rule\nRuleID: C\nFilename: c.lua\nLogTypes: [AWS.CloudTrail]\nSeverity: Low\n",
		"rules/c.lua":   "function rule(e) return false end\n",
		"helpers/h.yml": "AnalysisType: global\nGlobalID: h\nFilename: h.lua\n",
		"helpers/h.lua": "local M = {}\nfunction M.stop(e) return e.eventName == 'StopLogging' end\nreturn M\n",
		"packs/p.yml":   "AnalysisType: pack\nPackID: P\nDisplayName: The P pack\nPackDefinition:\n  IDs: [A, B]\n",
	})
}

func TestPackBuildVerifyList(t *testing.T) {
	t.Parallel()
	repo := packRepo(t, "v1", false)
	out := filepath.Join(t.TempDir(), "dist")

	stdout, _, code := runEnv(t, repo, nil, "pack", "list", repo)
	if code != 0 || !regexp.MustCompile(`(?m)^P\s+2\s+The P pack\s+\S+/packs/p.yml$`).MatchString(stdout) {
		t.Errorf("pack list: exit %d\n%s", code, stdout)
	}
	stdout, stderr, code := runEnv(t, repo, nil, "pack", "build", repo, "-o", out)
	zipPath := filepath.Join(out, "P.zip")
	want := "built " + zipPath + ": 2 detections, 1 helper, 0 data models, 0 queries, 7 files; 3 tests passed; digest sha256:"
	if code != 0 || !strings.HasPrefix(stdout, want) {
		t.Fatalf("pack build: exit %d\n%s\n%s\nwant prefix %s", code, stdout, stderr, want)
	}
	first, _ := os.ReadFile(zipPath)
	// Built again from a copy elsewhere: the same bytes.
	out2 := filepath.Join(t.TempDir(), "dist")
	if _, _, code := runEnv(t, repo, nil, "pack", "build", packRepo(t, "v1", false), "-o", out2, "--pack", "P"); code != 0 {
		t.Fatal("second build failed")
	}
	second, _ := os.ReadFile(filepath.Join(out2, "P.zip"))
	if len(first) == 0 || !bytes.Equal(first, second) {
		t.Error("two builds of the same content differ")
	}

	stdout, _, code = runEnv(t, repo, nil, "pack", "verify", "--test", zipPath)
	if code != 0 || !strings.Contains(stdout, zipPath+": ok: pack P, 2 detections, 7 files, digest sha256:") || !strings.HasSuffix(stdout, ", 3 tests passed\n") {
		t.Errorf("verify: exit %d\n%s", code, stdout)
	}
	// A tampered zip: a Lua file changed after the build.
	tampered := filepath.Join(t.TempDir(), "P.zip")
	// same size, other content: only the sha256 can tell
	os.WriteFile(tampered, rewriteEntry(t, first, "rules/a.lua", func(s string) string { return strings.Replace(s, "h.stop(e)", "true     ", 1) }), 0o644)
	stdout, _, code = runEnv(t, repo, nil, "pack", "verify", tampered)
	if code != ExitFindings || !strings.Contains(stdout, `FAIL: "rules/a.lua": sha256`) {
		t.Errorf("tampered: exit %d\n%s", code, stdout)
	}
	// JSON output.
	stdout, _, code = runEnv(t, repo, nil, "pack", "build", repo, "-o", out, "--format", "json")
	var items []map[string]any
	if code != 0 || json.Unmarshal([]byte(stdout), &items) != nil || len(items) != 1 || items[0]["tests_passed"] != float64(3) {
		t.Errorf("json: exit %d\n%s", code, stdout)
	}
	// An unknown pack is a usage error with a suggestion.
	if _, stderr, code := runEnv(t, repo, nil, "pack", "build", repo, "--pack", "p", "-o", out); code != ExitUsage || !strings.Contains(stderr, "did you mean P?") {
		t.Errorf("unknown pack: exit %d %s", code, stderr)
	}
	// The shipped packs build with no arguments.
	if stdout, stderr, code := runEnv(t, t.TempDir(), nil, "pack", "build", "-o", filepath.Join(t.TempDir(), "d")); code != 0 || !strings.Contains(stdout, "PantherCore.zip") {
		t.Errorf("shipped: exit %d\n%s\n%s", code, stdout, stderr)
	}
}

func TestPackBuildRefusesFailingPack(t *testing.T) {
	t.Parallel()
	repo := packRepo(t, "v1", true)
	out := t.TempDir()
	stdout, _, code := runEnv(t, repo, nil, "pack", "build", repo, "-o", out)
	if code != ExitFindings || !strings.Contains(stdout, "pack P: 1 of 3 test(s) failed") || !strings.Contains(stdout, "[FAIL] stop") {
		t.Errorf("exit %d\n%s", code, stdout)
	}
	if _, err := os.Stat(filepath.Join(out, "P.zip")); err == nil {
		t.Error("a failing pack was written")
	}
	// --skip-tests builds it (validation still runs).
	if _, _, code := runEnv(t, repo, nil, "pack", "build", repo, "-o", out, "--skip-tests"); code != 0 {
		t.Errorf("--skip-tests: exit %d", code)
	}
}

// rewriteEntry returns the zip with one entry's content changed.
func rewriteEntry(t *testing.T, data []byte, name string, change func(string) string) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		w, _ := zw.Create(f.Name)
		rc, _ := f.Open()
		body, _ := io.ReadAll(rc)
		rc.Close()
		if f.Name == name {
			body = []byte(change(string(body)))
		}
		w.Write(body)
	}
	zw.Close()
	return buf.Bytes()
}

// backend starts a real server on a loopback port.
func backend(t *testing.T, configure func(*server.Options)) string {
	t.Helper()
	tokens, err := auth.ParseTokens([]string{packWriteToken, "read:" + packReadToken})
	if err != nil {
		t.Fatal(err)
	}
	opts := server.Options{DataDir: t.TempDir(), Tokens: tokens, Logger: slog.New(slog.DiscardHandler),
		Load: engine.LoadOptions{Registry: logtypes.Default()}}
	if configure != nil {
		configure(&opts)
	}
	srv, err := server.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln, "", "") }()
	t.Cleanup(func() { cancel(); <-done })
	return "http://" + ln.Addr().String()
}

// TestUploadAndRemote drives upload, dry run, rollback and delete through
// the CLI against a real server.
func TestUploadAndRemote(t *testing.T) {
	url := backend(t, nil)
	env := map[string]string{"PANTHER_API_URL": url, "PANTHER_API_TOKEN": packWriteToken}
	repo := packRepo(t, "v1", false)

	stdout, stderr, code := runEnv(t, repo, env, "upload", "--detections", repo, "--dry-run")
	if code != 0 || !strings.Contains(stdout, "P (dry run): would be stored as version 1 (digest ") ||
		!strings.Contains(stdout, "and become active; 3 tests passed on the server\n  2 new, 0 changed, 0 removed, 0 unchanged detections\n  new: A, B\n") {
		t.Fatalf("dry run: exit %d\n%s\n%s", code, stdout, stderr)
	}
	stdout, _, code = runEnv(t, repo, env, "pack", "remote", "list")
	if code != 0 || stdout != "no packs on the backend\n" {
		t.Errorf("the dry run stored something: %s", stdout)
	}
	stdout, stderr, code = runEnv(t, repo, env, "upload", "--detections", repo, "--pack", "P")
	if code != 0 || !strings.HasPrefix(stdout, "P: stored version 1 (active), digest ") {
		t.Fatalf("upload: exit %d\n%s\n%s", code, stdout, stderr)
	}
	stdout, _, code = runEnv(t, repo, env, "upload", "--detections", repo)
	if code != 0 || !strings.HasPrefix(stdout, "P: unchanged: version 1 has this content") {
		t.Errorf("idempotent upload: exit %d\n%s", code, stdout)
	}
	// Version 2 from a built zip file; its dry run says, per changed
	// detection, what changed.
	repo2 := packRepo(t, "v2", false)
	os.WriteFile(filepath.Join(repo2, "rules/a.yml"), []byte(strings.Replace(readFile(t, filepath.Join(repo2, "rules/a.yml")),
		"Severity: High", "Severity: Critical", 1)+"  - Name: added\n    ExpectedResult: false\n    Log: {eventName: Other}\n"), 0o644)
	dist := t.TempDir()
	if _, _, code := runEnv(t, repo2, nil, "pack", "build", repo2, "-o", dist); code != 0 {
		t.Fatal("build v2")
	}
	stdout, _, code = runEnv(t, repo2, env, "upload", filepath.Join(dist, "P.zip"), "--dry-run")
	if code != 0 || !strings.Contains(stdout, "\n  A: spec Severity; Lua +1 -1 lines; tests added: \"added\"\n") {
		t.Errorf("dry run of v2: exit %d\n%s", code, stdout)
	}
	stdout, _, _ = runEnv(t, repo2, env, "upload", filepath.Join(dist, "P.zip"), "--dry-run", "--format", "json")
	var dry []struct {
		Changes []struct {
			ID       string
			SpecKeys []string `json:"spec_keys"`
			LuaAdded int      `json:"lua_lines_added"`
		}
	}
	if err := json.Unmarshal([]byte(stdout), &dry); err != nil || len(dry) != 1 || len(dry[0].Changes) != 1 || dry[0].Changes[0].SpecKeys[0] != "Severity" {
		t.Errorf("dry run json: %v\n%s", err, stdout)
	}
	stdout, _, code = runEnv(t, repo2, env, "upload", filepath.Join(dist, "P.zip"))
	if code != 0 || !strings.Contains(stdout, "P: stored version 2 (active)") || !strings.Contains(stdout, "  changed: A\n") {
		t.Errorf("upload of v2: exit %d\n%s", code, stdout)
	}
	// A stale --expect-active is a conflict, with what to do.
	_, stderr, code = runEnv(t, repo, env, "upload", "--detections", repo, "--expect-active", "1", "--skip-tests")
	if code != ExitOperational || !strings.Contains(stderr, "409 conflict: the active version of P is 2, not 1") || !strings.Contains(stderr, "--expect-active") {
		t.Errorf("stale --expect-active: exit %d\n%s", code, stderr)
	}
	stdout, _, code = runEnv(t, repo, env, "pack", "remote", "list")
	if code != 0 || !regexp.MustCompile(`(?m)^P\s+2\s+2\s+2\s+[0-9a-f]{12}\s+\d{4}-`).MatchString(stdout) {
		t.Errorf("remote list: exit %d\n%s", code, stdout)
	}
	stdout, _, code = runEnv(t, repo, env, "pack", "remote", "get", "P")
	if code != 0 || !strings.Contains(stdout, "P — The P pack\nactive: 2; rollback goes to: 1\n") || !regexp.MustCompile(`(?m)^2\s+\*\s+[0-9a-f]{12}\s+2\s+4\s`).MatchString(stdout) {
		t.Errorf("remote get: exit %d\n%s", code, stdout)
	}
	stdout, _, code = runEnv(t, repo, env, "pack", "remote", "rollback", "P")
	if code != 0 || stdout != "P: rolled back from version 2 to version 1\n" {
		t.Errorf("rollback: exit %d\n%s", code, stdout)
	}
	_, stderr, code = runEnv(t, repo, env, "pack", "remote", "delete", "P", "--version", "1")
	if code != ExitOperational || !strings.Contains(stderr, "409 conflict: version 1 is the active version of P") || !strings.Contains(stderr, "rollback") {
		t.Errorf("delete of the active version: exit %d\n%s", code, stderr)
	}
	if stdout, _, code = runEnv(t, repo, env, "pack", "remote", "delete", "P", "--version", "2"); code != 0 || stdout != "P: deleted version 2\n" {
		t.Errorf("delete v2: exit %d %s", code, stdout)
	}
	dl := t.TempDir()
	_, stderr, code = runEnv(t, repo, env, "pack", "remote", "download", "P", "-o", dl)
	if code != 0 || !strings.HasPrefix(stderr, "wrote "+filepath.Join(dl, "P.zip")+": pack P, digest sha256:") {
		t.Errorf("download: exit %d %s", code, stderr)
	}
	if _, _, code := runEnv(t, repo, env, "pack", "verify", filepath.Join(dl, "P.zip")); code != 0 {
		t.Error("the downloaded zip does not verify")
	}
	if _, stderr, code := runEnv(t, repo, env, "pack", "remote", "delete", "P"); code != ExitUsage || !strings.Contains(stderr, "add --yes") {
		t.Errorf("delete without --yes: exit %d %s", code, stderr)
	}
	if _, _, code := runEnv(t, repo, env, "pack", "remote", "delete", "P", "--yes"); code != 0 {
		t.Errorf("delete --yes: exit %d", code)
	}
	if _, stderr, code := runEnv(t, repo, env, "pack", "remote", "get", "P"); code != ExitOperational || !strings.Contains(stderr, "404 not_found: no pack P") {
		t.Errorf("get of a deleted pack: exit %d %s", code, stderr)
	}
}

func readFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// upload --format json stays JSON when the upload fails: the error, with
// the server's failed tests, or what failed here.
func TestUploadJSONOnFailure(t *testing.T) {
	url := backend(t, nil)
	env := map[string]string{"PANTHER_API_URL": url, "PANTHER_API_TOKEN": packWriteToken}
	failing := packRepo(t, "v1", true)
	good := packRepo(t, "v1", false)
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"upload", "--detections", failing, "--skip-tests", "--format", "json"}, ExitFindings, "stop"},
		{[]string{"upload", "--detections", failing, "--format", "json"}, ExitFindings, "rule() returned true, expected false"},
		{[]string{"upload", "--detections", good, "--format", "json", "--api-url", "http://127.0.0.1:1", "--retries", "1"}, ExitOperational, "cannot reach the backend"},
	} {
		stdout, _, code := runEnv(t, failing, env, tc.args...)
		var doc uploadFailure
		if err := json.Unmarshal([]byte(stdout), &doc); err != nil || code != tc.code || doc.Error.Message == "" {
			t.Errorf("%v: exit %d, %v:\n%s", tc.args, code, err, stdout)
			continue
		}
		if !strings.Contains(stdout, tc.want) {
			t.Errorf("%v: the JSON lacks %q:\n%s", tc.args, tc.want, stdout)
		}
	}
}

// TestUploadErrors: each failure names what to do, with its exit code.
func TestUploadErrors(t *testing.T) {
	url := backend(t, nil)
	repo := packRepo(t, "v1", false)
	failing := packRepo(t, "v1", true)
	dead, _ := net.Listen("tcp", "127.0.0.1:0")
	deadURL := "http://" + dead.Addr().String()
	dead.Close()
	notZip := filepath.Join(t.TempDir(), "x.zip")
	os.WriteFile(notZip, []byte("not a zip"), 0o644)
	big := backend(t, func(o *server.Options) { o.MaxUpload = 100 })
	tests := []struct {
		name   string
		env    map[string]string
		args   []string
		code   int
		stderr string
		stdout string
	}{
		{"no url", map[string]string{"PANTHER_API_TOKEN": packWriteToken}, []string{"upload"}, ExitUsage, "no backend URL: give --api-url or set PANTHER_API_URL", ""},
		{"bad url", nil, []string{"upload", "--api-url", "ftp://x", "--api-token", "t"}, ExitUsage, "give an http:// or https:// URL", ""},
		{"no token", map[string]string{"PANTHER_API_URL": url}, []string{"upload"}, ExitUsage, "no API token: set PANTHER_API_TOKEN", ""},
		{"wrong token", map[string]string{"PANTHER_API_URL": url, "PANTHER_API_TOKEN": "wrong-token-0123456789"}, []string{"upload", "--detections", repo},
			ExitOperational, "401 invalid_token", ""},
		{"read-only token", map[string]string{"PANTHER_API_URL": url, "PANTHER_API_TOKEN": packReadToken}, []string{"upload", "--detections", repo},
			ExitOperational, "this token is read-only: use a token with the write role", ""},
		{"flag beats env", map[string]string{"PANTHER_API_URL": url, "PANTHER_API_TOKEN": "wrong-token-0123456789"},
			[]string{"pack", "remote", "list", "--api-token", packReadToken}, 0, "", "no packs on the backend"},
		{"failing tests on the server", map[string]string{"PANTHER_API_URL": url, "PANTHER_API_TOKEN": packWriteToken},
			[]string{"upload", "--detections", failing, "--skip-tests"}, ExitFindings, "the server refused the pack (422 tests_failed)", "[FAIL] A: stop ("},
		{"failing tests here", map[string]string{"PANTHER_API_URL": url, "PANTHER_API_TOKEN": packWriteToken},
			[]string{"upload", "--detections", failing}, ExitFindings, "", "[FAIL] stop"},
		{"not a zip", map[string]string{"PANTHER_API_URL": url, "PANTHER_API_TOKEN": packWriteToken}, []string{"upload", notZip}, ExitFindings, "not a zip archive", ""},
		{"too large", map[string]string{"PANTHER_API_URL": big, "PANTHER_API_TOKEN": packWriteToken}, []string{"upload", "--detections", repo},
			ExitOperational, "413 too_large", ""},
		{"unreachable", map[string]string{"PANTHER_API_URL": deadURL, "PANTHER_API_TOKEN": packWriteToken}, []string{"upload", "--detections", repo, "--retries", "2"},
			ExitOperational, "cannot reach the backend", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, code := runEnv(t, repo, tt.env, tt.args...)
			if code != tt.code || !strings.Contains(stderr, tt.stderr) || !strings.Contains(stdout, tt.stdout) {
				t.Errorf("exit %d (want %d)\nstdout:\n%s\nstderr:\n%s\nwant stderr %q, stdout %q", code, tt.code, stdout, stderr, tt.stderr, tt.stdout)
			}
		})
	}
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestServeCommand runs `panther serve` itself until interrupted.
func TestServeCommand(t *testing.T) {
	dir := t.TempDir()
	if _, stderr, code := runEnv(t, dir, nil, "serve", "--data", dir); code != ExitUsage || !strings.Contains(stderr, "PANTHER_SERVE_TOKENS") {
		t.Errorf("no tokens: exit %d %s", code, stderr)
	}
	env := map[string]string{"PANTHER_SERVE_TOKENS": "write:" + packWriteToken + ",read:" + packReadToken}
	if _, stderr, code := runEnv(t, dir, env, "serve"); code != ExitUsage || !strings.Contains(stderr, "--data") {
		t.Errorf("no data: exit %d %s", code, stderr)
	}
	if _, stderr, code := runEnv(t, dir, env, "serve", "--data", dir, "--listen", "256.0.0.1:1"); code != ExitOperational || !strings.Contains(stderr, "cannot listen on 256.0.0.1:1") {
		t.Errorf("bad listen: exit %d %s", code, stderr)
	}

	logs := &lockedBuffer{}
	var out bytes.Buffer
	for k, v := range env {
		t.Setenv(k, v)
	}
	app := &App{IO: TestIO(strings.NewReader(""), &out, logs), Now: time.Now,
		Getenv: func(k string) string { return "" }, WorkDir: dir, ConfigDir: filepath.Join(dir, "none")}
	ctx, cancel := context.WithCancel(context.Background())
	codec := make(chan int, 1)
	go func() {
		codec <- Execute(ctx, app, []string{"serve", "--data", filepath.Join(dir, "data"), "--listen", "127.0.0.1:0"})
	}()
	var url string
	deadline := time.Now().Add(20 * time.Second)
	for url == "" {
		for _, l := range strings.Split(logs.String(), "\n") {
			var m struct{ Msg, URL string }
			if json.Unmarshal([]byte(l), &m) == nil && m.Msg == "listening" {
				url = m.URL
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve did not start:\n%s", logs.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	resp, err := http.Get(url + "/api/v1/health")
	if err != nil {
		t.Fatal(err)
	}
	var h packs.Health
	json.NewDecoder(resp.Body).Decode(&h)
	resp.Body.Close()
	if h.Status != "ok" {
		t.Errorf("health: %+v", h)
	}
	// The console is served beside the API, and a token signs in to it.
	if resp, err := http.Get(url + "/alerts"); err != nil || resp.StatusCode != 200 || resp.Header.Get("Content-Security-Policy") == "" {
		t.Errorf("console: %v %v", err, resp)
	}
	if resp, err := http.Post(url+"/api/v1/session", "application/json", strings.NewReader(`{"token":"`+packWriteToken+`"}`)); err != nil || resp.StatusCode != 201 {
		t.Errorf("sign in: %v %v", err, resp)
	}
	// Search offers the shipped saved queries.
	sreq, _ := http.NewRequest("GET", url+"/api/v1/search/queries", nil)
	sreq.Header.Set("Authorization", "Bearer "+packWriteToken)
	if resp, err := http.DefaultClient.Do(sreq); err != nil || resp.StatusCode != 200 {
		t.Errorf("saved queries: %v %v", err, resp)
	} else {
		var qs []struct{ Name, SQL string }
		json.NewDecoder(resp.Body).Decode(&qs)
		resp.Body.Close()
		if len(qs) == 0 || qs[0].Name == "" || qs[0].SQL == "" {
			t.Errorf("saved queries: %+v", qs)
		}
	}
	repo := packRepo(t, "v1", false)
	cenv := map[string]string{"PANTHER_API_URL": url, "PANTHER_API_TOKEN": packWriteToken}
	if stdout, stderr, code := runEnv(t, repo, cenv, "upload", "--detections", repo); code != 0 {
		t.Errorf("upload to serve: exit %d\n%s\n%s", code, stdout, stderr)
	}
	cancel()
	if code := <-codec; code != 0 {
		t.Errorf("serve exit %d:\n%s", code, logs.String())
	}
	if !strings.Contains(logs.String(), `"msg":"stopped"`) || strings.Contains(logs.String(), packWriteToken) {
		t.Errorf("logs:\n%s", logs.String())
	}
}
