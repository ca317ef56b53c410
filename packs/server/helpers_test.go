package server

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"panther/auth"
	"panther/engine"
	"panther/packs"
	"panther/parsers/logtypes"
)

// testLoad loads with the built-in log types, as the CLI does.
var testLoad = engine.LoadOptions{Registry: logtypes.Default()}

const (
	writeToken = "write-token-0123456789abcdef"
	readToken  = "read-token-0123456789abcdef"
)

// testServer is a server on a real loopback listener.
type testServer struct {
	*Server
	URL  string
	Data string
	Logs *syncBuffer
	stop func()
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func startServer(t testing.TB, configure func(*Options)) *testServer {
	t.Helper()
	tokens, err := auth.ParseTokens([]string{writeToken, "read:" + readToken})
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	opts := Options{DataDir: t.TempDir(), Tokens: tokens, Load: testLoad, Logger: slog.New(slog.NewJSONHandler(logs, nil)), Version: "test"}
	if configure != nil {
		configure(&opts)
	}
	srv, err := New(opts)
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
	ts := &testServer{Server: srv, URL: "http://" + ln.Addr().String(), Data: opts.DataDir, Logs: logs}
	var once sync.Once
	ts.stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("Serve: %v", err)
			}
		})
	}
	t.Cleanup(ts.stop)
	return ts
}

func (ts *testServer) client(token string) *packs.Client {
	return &packs.Client{BaseURL: ts.URL, Token: token, MaxAttempts: 1}
}

const (
	packA  = "AnalysisType: pack\nPackID: P\nDisplayName: Pack P\nPackDefinition:\n  IDs: [A]\n"
	packAB = "AnalysisType: pack\nPackID: P\nDisplayName: Pack P\nPackDefinition:\n  IDs: [A, B]\n"
)

// packTree is a small pack P: rules A (with a helper and tests) and B.
// variant changes a comment, so each variant has its own digest; failing
// makes a test fail.
func packTree(variant int, failing bool) map[string]string {
	expect := "true"
	if failing {
		expect = "false"
	}
	return map[string]string{
		"rules/a.yml": `AnalysisType: rule
RuleID: A
Filename: a.lua
LogTypes: [AWS.CloudTrail]
Severity: Low
Tests:
  - Name: stop
    ExpectedResult: ` + expect + `
    Log: {eventSource: cloudtrail.amazonaws.com, eventName: StopLogging}
  - Name: start
    ExpectedResult: false
    Log: {eventName: StartLogging}
`,
		"rules/a.lua":   fmt.Sprintf("-- variant %d\nlocal h = require(\"h\")\nfunction rule(e) return h.is_stop(e) end\n", variant),
		"rules/b.yml":   "AnalysisType: rule\nRuleID: B\nFilename: b.lua\nLogTypes: [AWS.CloudTrail]\nSeverity: Low\n",
		"rules/b.lua":   "function rule(e) return false end\n",
		"helpers/h.yml": "AnalysisType: global\nGlobalID: h\nFilename: h.lua\n",
		"helpers/h.lua": "local M = {}\nfunction M.is_stop(e) return e.eventName == 'StopLogging' end\nreturn M\n",
		"packs/p.yml":   packAB,
	}
}

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

// buildZip builds pack id of the tree (without checking it: the server
// must).
func buildZip(t testing.TB, files map[string]string, id string) *packs.Built {
	t.Helper()
	set := engine.Load([]engine.Source{engine.DirSource(writeTree(t, files))}, engine.LoadOptions{Registry: logtypes.Default()})
	b, err := packs.Build(set, id, packs.BuildOptions{ToolVersion: "test"})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func upload(t testing.TB, c *packs.Client, zip []byte, o packs.UploadOptions) (*packs.UploadResult, error) {
	t.Helper()
	return c.Upload(context.Background(), bytes.NewReader(zip), int64(len(zip)), o)
}

func apiErr(t testing.TB, err error) *packs.APIError {
	t.Helper()
	var ae *packs.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("want an API error, got %v", err)
	}
	return ae
}

// files lists the regular files under dir, relative.
func files(t testing.TB, dir string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	return out
}

// request sends a raw request and returns the status and body.
func request(t testing.TB, method, url, token string, body io.Reader, h map[string]string) (int, string, http.Header) {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range h {
		req.Header.Set(k, v)
	}
	c := &http.Client{Timeout: 30 * time.Second}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, strings.TrimSpace(string(data)), resp.Header
}
