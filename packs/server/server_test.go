package server

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"panther/auth"
	"panther/packs"
)

// TestLifecycle walks a pack through every endpoint with the client.
func TestLifecycle(t *testing.T) {
	t.Parallel()
	ts := startServer(t, nil)
	c := ts.client(writeToken)
	ctx := context.Background()

	v1 := buildZip(t, withPack(packTree(1, false), packA), "P")
	res, err := upload(t, c, v1.Zip, packs.UploadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != packs.StatusCreated || res.Version != 1 || res.Active != 1 || res.Tests != 2 ||
		!slices.Equal(res.Diff.New, []string{"A"}) || res.Digest != v1.Manifest.Digest {
		t.Fatalf("first upload: %+v", res)
	}
	// Idempotent: same digest, nothing changes.
	res, err = upload(t, c, v1.Zip, packs.UploadOptions{})
	if err != nil || res.Status != packs.StatusUnchanged || res.Version != 1 {
		t.Fatalf("same upload again: %+v %v", res, err)
	}
	// Dry run of a version that changes A and adds B: the diff, nothing
	// stored.
	v2 := buildZip(t, packTree(2, false), "P")
	res, err = upload(t, c, v2.Zip, packs.UploadOptions{DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if !res.DryRun || res.Status != packs.StatusCreated || res.Version != 2 ||
		!slices.Equal(res.Diff.New, []string{"B"}) || !slices.Equal(res.Diff.Changed, []string{"A"}) || len(res.Diff.Removed) != 0 {
		t.Fatalf("dry run: %+v", res)
	}
	info, err := c.Get(ctx, "P")
	if err != nil || len(info.List) != 1 || info.Active != 1 {
		t.Fatalf("the dry run stored something: %+v %v", info, err)
	}
	res, err = upload(t, c, v2.Zip, packs.UploadOptions{})
	if err != nil || res.Status != packs.StatusCreated || res.Version != 2 || res.Active != 2 {
		t.Fatalf("second version: %+v %v", res, err)
	}
	// Back to v1's content: that version is activated, not stored again.
	res, err = upload(t, c, v1.Zip, packs.UploadOptions{})
	if err != nil || res.Status != packs.StatusActivated || res.Version != 1 || res.Active != 1 ||
		!slices.Equal(res.Diff.Removed, []string{"B"}) {
		t.Fatalf("re-upload of v1: %+v %v", res, err)
	}
	// Rollback goes back to the version active before (2), then to none.
	info, err = c.Rollback(ctx, "P", 0, 1)
	if err != nil || info.Active != 2 {
		t.Fatalf("rollback: %+v %v", info, err)
	}
	if info.RollbackTo != 1 {
		t.Errorf("rollback_to after a rollback: %d", info.RollbackTo)
	}
	// A stale If-Match is a conflict.
	_, err = c.Rollback(ctx, "P", 0, 1)
	if ae := apiErr(t, err); ae.Status != http.StatusConflict || !strings.Contains(ae.Message, "active version of P is 2, not 1") {
		t.Errorf("stale rollback: %v", err)
	}
	// Activating the active version is a harmless no-op (retries).
	if info, err = c.Activate(ctx, "P", 2, 1); err != nil || info.Active != 2 {
		t.Errorf("activate the active version: %+v %v", info, err)
	}
	// The active version cannot be deleted.
	if err := c.Delete(ctx, "P", 2); apiErr(t, err).Status != http.StatusConflict {
		t.Errorf("delete of the active version: %v", err)
	}
	// Download with ETag revalidation.
	data, etag, notMod, err := c.Download(ctx, "P", 0, "")
	if err != nil || notMod || !bytes.Equal(data, v2.Zip) || etag == "" {
		t.Fatalf("download: %d bytes, etag %q, %v", len(data), etag, err)
	}
	if _, _, notMod, err = c.Download(ctx, "P", 0, etag); err != nil || !notMod {
		t.Errorf("revalidation: not modified %v, %v", notMod, err)
	}
	if data, _, _, err = c.Download(ctx, "P", 1, ""); err != nil || !bytes.Equal(data, v1.Zip) {
		t.Errorf("download of version 1: %v", err)
	}
	// Delete version 1: its blob goes, version 2's stays.
	if err := c.Delete(ctx, "P", 1); err != nil {
		t.Fatal(err)
	}
	if blobs := files(t, filepath.Join(ts.Data, "blobs")); len(blobs) != 1 || !strings.HasSuffix(blobs[0], sha(v2.Zip)) {
		t.Errorf("blobs after deleting v1: %v", blobs)
	}
	if _, _, _, err := c.Download(ctx, "P", 1, ""); apiErr(t, err).Status != http.StatusNotFound {
		t.Errorf("download of a deleted version: %v", err)
	}
	list, err := c.List(ctx)
	if err != nil || len(list) != 1 || list[0].ID != "P" || list[0].Active != 2 || list[0].Versions != 1 || list[0].Detections != 2 || list[0].DisplayName != "Pack P" {
		t.Errorf("list: %+v %v", list, err)
	}
	// Delete the pack: everything goes.
	if err := c.Delete(ctx, "P", 0); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Get(ctx, "P"); apiErr(t, err).Status != http.StatusNotFound || !strings.Contains(apiErr(t, err).Hint, "pack remote list") {
		t.Errorf("get of a deleted pack: %v", err)
	}
	if blobs := files(t, filepath.Join(ts.Data, "blobs")); len(blobs) != 0 {
		t.Errorf("blobs left: %v", blobs)
	}
	// The audit log has every change, newest first, with the token's
	// fingerprint and never the token.
	code, body, _ := request(t, "GET", ts.URL+"/api/v1/audit?pack=P", readToken, nil, nil)
	var audit []AuditEntry
	if code != 200 || json.Unmarshal([]byte(body), &audit) != nil {
		t.Fatalf("audit: %d %s", code, body)
	}
	var actions []string
	for _, a := range audit {
		actions = append(actions, a.Action)
	}
	// (the unchanged upload and the no-op activation changed nothing)
	if want := []string{"delete", "delete", "rollback", "activate", "upload", "upload"}; !slices.Equal(actions, want) {
		t.Errorf("audit actions %v, want %v", actions, want)
	}
	if strings.Contains(body, writeToken) || strings.Contains(ts.Logs.String(), writeToken) || !strings.Contains(body, `"token": "sha256:`) {
		t.Errorf("audit/logs and the token:\n%s", body)
	}
}

func withPack(files map[string]string, spec string) map[string]string {
	files["packs/p.yml"] = spec
	return files
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func TestAuth(t *testing.T) {
	t.Parallel()
	ts := startServer(t, nil)
	v1 := buildZip(t, packTree(1, false), "P")
	tests := []struct {
		name    string
		method  string
		path    string
		headers map[string]string
		status  int
		code    string
	}{
		{"no token", "GET", "/api/v1/packs", nil, 401, "unauthenticated"},
		{"wrong token", "GET", "/api/v1/packs", map[string]string{"Authorization": "Bearer wrong-token-0123456789"}, 401, "invalid_token"},
		{"basic auth", "GET", "/api/v1/packs", map[string]string{"Authorization": "Basic dXNlcjpwYXNz"}, 401, "unauthenticated"},
		{"bearer", "GET", "/api/v1/packs", map[string]string{"Authorization": "Bearer " + readToken}, 200, ""},
		{"bearer lower case", "GET", "/api/v1/packs", map[string]string{"Authorization": "bearer " + readToken}, 200, ""},
		{"x-api-key", "GET", "/api/v1/packs", map[string]string{"X-API-Key": readToken}, 200, ""},
		{"read token uploads", "POST", "/api/v1/packs", map[string]string{"X-API-Key": readToken}, 403, "forbidden"},
		{"read token deletes", "DELETE", "/api/v1/packs/P", map[string]string{"X-API-Key": readToken}, 403, "forbidden"},
		{"unknown pack", "GET", "/api/v1/packs/Nope", map[string]string{"X-API-Key": readToken}, 404, "not_found"},
		{"unknown version", "GET", "/api/v1/packs/Nope/versions/3", map[string]string{"X-API-Key": readToken}, 404, "not_found"},
		{"bad version", "GET", "/api/v1/packs/P/versions/x", map[string]string{"X-API-Key": readToken}, 400, "bad_request"},
		{"unknown endpoint", "GET", "/api/v2/packs", nil, 404, "not_found"},
		{"health needs no token", "GET", "/api/v1/health", nil, 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body io.Reader
			if tt.method == "POST" {
				body = bytes.NewReader(v1.Zip)
			}
			code, resp, h := request(t, tt.method, ts.URL+tt.path, "", body, tt.headers)
			if code != tt.status {
				t.Fatalf("status %d, want %d: %s", code, tt.status, resp)
			}
			if tt.code != "" {
				var eb packs.ErrorBody
				if err := json.Unmarshal([]byte(resp), &eb); err != nil || eb.Error.Code != tt.code || eb.Error.Message == "" || eb.Error.Hint == "" {
					t.Errorf("error body %s, want code %s with a message and a hint", resp, tt.code)
				}
			}
			if code == 401 && h.Get("WWW-Authenticate") == "" {
				t.Error("401 without WWW-Authenticate")
			}
		})
	}
}

// zipOf writes a zip of the given entries, in order.
func zipOf(t *testing.T, entries ...zipEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		fh := &zip.FileHeader{Name: e.name, Method: zip.Deflate}
		fh.SetMode(0o644)
		if e.mode != 0 {
			fh.SetMode(e.mode)
		}
		w, err := zw.CreateHeader(fh)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(e.body))
	}
	zw.Close()
	return buf.Bytes()
}

type zipEntry struct {
	name string
	body string
	mode os.FileMode
}

// rezip copies a built pack's entries and adds extra ones.
// withManifestPack rewrites the pack ID in the manifest of a built zip.
func withManifestPack(t *testing.T, b []byte, id string) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	var entries []zipEntry
	for _, f := range zr.File {
		rc, _ := f.Open()
		data, _ := io.ReadAll(rc)
		rc.Close()
		if f.Name == packs.ManifestName {
			var m map[string]any
			if err := json.Unmarshal(data, &m); err != nil {
				t.Fatal(err)
			}
			m["pack"] = id
			data, _ = json.Marshal(m)
		}
		entries = append(entries, zipEntry{name: f.Name, body: string(data)})
	}
	return zipOf(t, entries...)
}

func rezip(t *testing.T, b []byte, extra ...zipEntry) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	var entries []zipEntry
	for _, f := range zr.File {
		rc, _ := f.Open()
		data, _ := io.ReadAll(rc)
		rc.Close()
		entries = append(entries, zipEntry{name: f.Name, body: string(data)})
	}
	return zipOf(t, append(entries, extra...)...)
}

// TestBadUploads sends every kind of bad upload: each is refused with its
// status and code, and nothing is stored.
func TestBadUploads(t *testing.T) {
	t.Parallel()
	ts := startServer(t, func(o *Options) {
		o.MaxUpload = 256 << 10
		o.Limits = packs.Limits{MaxFiles: 50, MaxUncompressed: 1 << 20}
	})
	c := ts.client(writeToken)
	good := buildZip(t, packTree(1, false), "P")
	if _, err := upload(t, c, good.Zip, packs.UploadOptions{}); err != nil {
		t.Fatal(err)
	}
	failing := buildZip(t, packTree(2, true), "P")
	invalid := packTree(3, false)
	invalid["rules/a.yml"] = strings.Replace(invalid["rules/a.yml"], "[AWS.CloudTrail]", "[AWS.CloudTrial]", 1)
	many := []zipEntry{}
	for i := 0; i < 60; i++ {
		many = append(many, zipEntry{name: fmt.Sprintf("f%d", i)})
	}
	tests := []struct {
		name   string
		body   []byte
		status int
		code   string
		detail string
	}{
		{"not a zip", []byte("this is not a zip at all"), 415, packs.KindNotZip, ""},
		{"empty body", nil, 400, "bad_request", ""},
		{"failing tests", failing.Zip, 422, "tests_failed", `"test":"stop","file":"rules/a.yml","line":7,"failures":["rule() returned true, expected false"]`},
		{"invalid spec", buildZip(t, invalid, "P").Zip, 422, "validation_failed", `unknown log type \"AWS.CloudTrial\"`},
		{"zip slip", rezip(t, good.Zip, zipEntry{name: "../../etc/x.yml", body: "x"}), 422, packs.KindUnsafePath, ""},
		{"absolute path", rezip(t, good.Zip, zipEntry{name: "/etc/x.yml", body: "x"}), 422, packs.KindUnsafePath, ""},
		{"backslash", rezip(t, good.Zip, zipEntry{name: `rules\..\..\x.yml`, body: "x"}), 422, packs.KindUnsafePath, ""},
		{"symlink", rezip(t, good.Zip, zipEntry{name: "rules/link", body: "/etc/passwd", mode: os.ModeSymlink | 0o777}), 422, packs.KindSymlink, ""},
		{"duplicate entry", rezip(t, good.Zip, zipEntry{name: "rules/a.lua", body: "function rule(e) return true end"}), 422, packs.KindDuplicate, ""},
		{"unlisted file", rezip(t, good.Zip, zipEntry{name: "rules/evil.yml", body: "x"}), 422, packs.KindUnlisted, ""},
		{"too many files", zipOf(t, many...), 413, packs.KindTooManyFiles, ""},
		{"zip bomb", zipOf(t, zipEntry{name: "bomb", body: strings.Repeat("0", 2<<20)}), 413, packs.KindTooLarge, ""},
		{"body too large", bytes.Repeat([]byte("x"), 300<<10), 413, "too_large", ""},
		{"unaddressable pack ID", withManifestPack(t, good.Zip, "a/b"), 422, "bad_pack_id", ""},
		{"pack ID ..", withManifestPack(t, good.Zip, ".."), 422, "bad_pack_id", ""},
		{"pack ID .", withManifestPack(t, good.Zip, "."), 422, "bad_pack_id", ""},
		{"pack ID with a bidi override", withManifestPack(t, good.Zip, "invoice\u202egpj.exe"), 422, "bad_pack_id", `\\u202e`},
		{"pack ID with an escape sequence", withManifestPack(t, good.Zip, "p\x1b[31mred"), 422, "bad_pack_id", `\\x1b`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := upload(t, c, tt.body, packs.UploadOptions{})
			ae := apiErr(t, err)
			if ae.Status != tt.status || ae.Code != tt.code {
				t.Fatalf("got %d %s (%s), want %d %s", ae.Status, ae.Code, ae.Message, tt.status, tt.code)
			}
			if tt.detail != "" {
				b, _ := json.Marshal(ae)
				if !bytes.Contains(b, []byte(tt.detail)) {
					t.Errorf("the error lacks %s:\n%s", tt.detail, b)
				}
			}
		})
	}
	assertOnlyVersion1(t, ts, good)
}

func assertOnlyVersion1(t *testing.T, ts *testServer, good *packs.Built) {
	t.Helper()
	info, err := ts.client(readToken).Get(context.Background(), "P")
	if err != nil || info.Active != 1 || len(info.List) != 1 {
		t.Errorf("after bad uploads: %+v %v", info, err)
	}
	if left := files(t, filepath.Join(ts.Data, "tmp")); len(left) != 0 {
		t.Errorf("staged files left: %v", left)
	}
	if blobs := files(t, filepath.Join(ts.Data, "blobs")); len(blobs) != 1 {
		t.Errorf("blobs: %v", blobs)
	}
}

// TestHugeAndCutUploads: a body announced as 2 GB is refused at once, a
// 2 GB chunked body is refused at the limit (and never held in memory), an
// upload cut off midway stores nothing.
func TestHugeAndCutUploads(t *testing.T) {
	t.Parallel()
	ts := startServer(t, func(o *Options) { o.MaxUpload = 1 << 20 })
	c := ts.client(writeToken)
	good := buildZip(t, packTree(1, false), "P")
	if _, err := upload(t, c, good.Zip, packs.UploadOptions{}); err != nil {
		t.Fatal(err)
	}
	addr := strings.TrimPrefix(ts.URL, "http://")

	// 2 GB announced: the answer comes before the body.
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(conn, "POST /api/v1/packs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Length: %d\r\n\r\n", writeToken, int64(2)<<30)
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	head, _ := io.ReadAll(io.LimitReader(conn, 512))
	conn.Close()
	if !strings.HasPrefix(string(head), "HTTP/1.1 413") {
		t.Errorf("2 GB announced: %q", head)
	}

	// 2 GB chunked, from a generator: refused once past the limit.
	pr, pw := io.Pipe()
	go func() {
		chunk := make([]byte, 64<<10)
		for sent := 0; sent < 2<<30; sent += len(chunk) {
			if _, err := pw.Write(chunk); err != nil {
				return
			}
		}
		pw.Close()
	}()
	req, _ := http.NewRequest("POST", ts.URL+"/api/v1/packs", pr)
	req.Header.Set("Authorization", "Bearer "+writeToken)
	start := time.Now()
	resp, err := http.DefaultClient.Do(req)
	pr.CloseWithError(io.ErrClosedPipe)
	if err != nil {
		t.Fatalf("chunked 2 GB: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != 413 || time.Since(start) > 20*time.Second {
		t.Errorf("chunked 2 GB: %d after %v", resp.StatusCode, time.Since(start))
	}

	// Cut off midway: half the body, then the connection closes.
	conn, err = net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	v2 := buildZip(t, packTree(2, false), "P")
	fmt.Fprintf(conn, "POST /api/v1/packs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Length: %d\r\n\r\n", writeToken, len(v2.Zip))
	conn.Write(v2.Zip[:len(v2.Zip)/2])
	waitFor(t, func() bool { return len(files(t, filepath.Join(ts.Data, "tmp"))) == 1 })
	conn.Close()
	waitFor(t, func() bool { return strings.Contains(ts.Logs.String(), `"status":400`) })
	if !strings.Contains(ts.Logs.String(), `"error":"upload_incomplete: the upload was cut off after`) {
		t.Errorf("logs: %s", ts.Logs.String())
	}
	assertOnlyVersion1(t, ts, good)
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("timed out waiting")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestConcurrentUploads: 50 different versions at once are each stored
// exactly once, and the active one is the last committed; the same 50
// again store nothing new.
func TestConcurrentUploads(t *testing.T) {
	t.Parallel()
	ts := startServer(t, nil)
	c := ts.client(writeToken)
	const n = 50
	zips := make([]*packs.Built, n)
	for i := range zips {
		zips[i] = buildZip(t, packTree(100+i, false), "P")
	}
	run := func() []*packs.UploadResult {
		results := make([]*packs.UploadResult, n)
		var wg sync.WaitGroup
		for i := range zips {
			wg.Add(1)
			go func() {
				defer wg.Done()
				res, err := upload(t, c, zips[i].Zip, packs.UploadOptions{})
				if err != nil {
					t.Errorf("upload %d: %v", i, err)
					return
				}
				results[i] = res
			}()
		}
		wg.Wait()
		return results
	}
	results := run()
	versions := map[int]string{}
	for i, r := range results {
		if r == nil {
			t.FailNow()
		}
		if r.Status != packs.StatusCreated {
			t.Errorf("upload %d: %s", i, r.Status)
		}
		if other, dup := versions[r.Version]; dup {
			t.Errorf("version %d given twice (%s, %s)", r.Version, other, r.Digest)
		}
		versions[r.Version] = r.Digest
	}
	info, err := c.Get(context.Background(), "P")
	if err != nil {
		t.Fatal(err)
	}
	checkConsistent(t, ts, info, n)
	if info.Active != n {
		t.Errorf("active %d: the last commit (version %d) should be active", info.Active, n)
	}
	// Again: every digest is known; nothing new is stored.
	for _, r := range run() {
		if r != nil && r.Status == packs.StatusCreated {
			t.Errorf("a known digest was stored again: %+v", r)
		}
	}
	info, _ = c.Get(context.Background(), "P")
	checkConsistent(t, ts, info, n)
}

func checkConsistent(t *testing.T, ts *testServer, info *packs.PackInfo, n int) {
	t.Helper()
	if len(info.List) != n {
		t.Fatalf("%d versions stored, want %d", len(info.List), n)
	}
	digests := map[string]bool{}
	active := 0
	for _, v := range info.List {
		if digests[v.Digest] {
			t.Errorf("digest %s stored twice", v.Digest)
		}
		digests[v.Digest] = true
		if v.Active {
			active++
			if v.Version != info.Active {
				t.Errorf("version %d flagged active, pack says %d", v.Version, info.Active)
			}
		}
	}
	if active != 1 {
		t.Errorf("%d active versions", active)
	}
	if blobs := files(t, filepath.Join(ts.Data, "blobs")); len(blobs) != n {
		t.Errorf("%d blobs for %d versions", len(blobs), n)
	}
	if left := files(t, filepath.Join(ts.Data, "tmp")); len(left) != 0 {
		t.Errorf("staged files left: %v", left)
	}
	data, _, _, err := ts.client(readToken).Download(context.Background(), "P", 0, "")
	if err != nil {
		t.Fatal(err)
	}
	arch, err := packs.OpenArchive(bytes.NewReader(data), int64(len(data)), packs.Limits{})
	if err != nil || arch.Manifest.Digest != info.Digest {
		t.Errorf("the active download does not match the active digest: %v", err)
	}
}

// TestGracefulShutdown: an upload in flight when the server is told to
// stop completes; then the server stops.
func TestGracefulShutdown(t *testing.T) {
	t.Parallel()
	ts := startServer(t, nil)
	v1 := buildZip(t, packTree(1, false), "P")
	pr, pw := io.Pipe()
	req, _ := http.NewRequest("POST", ts.URL+"/api/v1/packs", pr)
	req.ContentLength = int64(len(v1.Zip))
	req.Header.Set("Authorization", "Bearer "+writeToken)
	type result struct {
		code int
		err  error
	}
	done := make(chan result, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			done <- result{0, err}
			return
		}
		resp.Body.Close()
		done <- result{resp.StatusCode, nil}
	}()
	pw.Write(v1.Zip[:100])
	waitFor(t, func() bool { return len(files(t, filepath.Join(ts.Data, "tmp"))) == 1 })
	stopped := make(chan struct{})
	go func() { ts.stop(); close(stopped) }()
	waitFor(t, func() bool { return strings.Contains(ts.Logs.String(), "shutting down") })
	select {
	case <-stopped:
		t.Fatal("the server stopped with an upload in flight")
	case <-time.After(50 * time.Millisecond):
	}
	pw.Write(v1.Zip[100:])
	pw.Close()
	r := <-done
	if r.err != nil || r.code != http.StatusCreated {
		t.Fatalf("in-flight upload: %d %v", r.code, r.err)
	}
	<-stopped
	if _, err := net.DialTimeout("tcp", strings.TrimPrefix(ts.URL, "http://"), time.Second); err == nil {
		t.Error("still listening after shutdown")
	}
}

func TestTLS(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	certFile, keyFile, pool := selfSigned(t, dir)
	tokens, _ := auth.ParseTokens([]string{writeToken})
	srv, err := New(Options{DataDir: filepath.Join(dir, "data"), Tokens: tokens, Load: testLoad})
	if err != nil {
		t.Fatal(err)
	}
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln, certFile, keyFile) }()
	defer func() { cancel(); <-done }()
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	c := &packs.Client{BaseURL: "https://" + ln.Addr().String(), Token: writeToken, HTTP: hc, MaxAttempts: 1}
	if _, err := c.List(context.Background()); err != nil {
		t.Fatalf("over TLS: %v", err)
	}
	plain := &packs.Client{BaseURL: "http://" + ln.Addr().String(), Token: writeToken, MaxAttempts: 1}
	if _, err := plain.List(context.Background()); err == nil {
		t.Error("plain HTTP to a TLS server worked")
	}
	// A bad key pair is an error at start, naming the problem.
	srv2, _ := New(Options{DataDir: filepath.Join(dir, "data2"), Tokens: tokens, Load: testLoad})
	ln2, _ := net.Listen("tcp", "127.0.0.1:0")
	if err := srv2.Serve(context.Background(), ln2, certFile, certFile); err == nil || !strings.Contains(err.Error(), "TLS certificate and key") {
		t.Errorf("bad key: %v", err)
	}
	ln2.Close()
}

func selfSigned(t *testing.T, dir string) (string, string, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, _ := x509.MarshalECPrivateKey(key)
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600)
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

// TestStoreLocked: a second server on the same data dir is refused.
func TestStoreLocked(t *testing.T) {
	t.Parallel()
	ts := startServer(t, nil)
	tokens, _ := auth.ParseTokens([]string{writeToken})
	if _, err := New(Options{DataDir: ts.Data, Tokens: tokens}); err == nil || !strings.Contains(err.Error(), "locked by another process") {
		t.Errorf("second server on the same data: %v", err)
	}
}

// TestLogs: one JSON line per request, with the status and the token's
// fingerprint.
func TestLogs(t *testing.T) {
	t.Parallel()
	ts := startServer(t, nil)
	request(t, "GET", ts.URL+"/api/v1/packs", readToken, nil, nil)
	request(t, "GET", ts.URL+"/api/v1/packs", "nope-nope-nope-nope", nil, nil)
	var lines []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(ts.Logs.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("not a JSON line: %s", l)
		}
		if m["msg"] == "request" {
			lines = append(lines, m)
		}
	}
	if len(lines) != 2 || lines[0]["status"] != float64(200) || lines[1]["status"] != float64(401) ||
		!strings.HasPrefix(lines[0]["token"].(string), "sha256:") || lines[1]["level"] != "WARN" {
		t.Errorf("request logs: %v", lines)
	}
}
