package console_test

import (
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"panther/console"
)

func pages(t *testing.T) *httptest.Server {
	t.Helper()
	c, err := console.New()
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	c.Mount(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func fetch(t *testing.T, url string, gz bool) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	tr := &http.Transport{DisableCompression: true}
	if gz {
		req.Header.Set("Accept-Encoding", "gzip")
	}
	resp, err := (&http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

var assetRef = regexp.MustCompile(`(?:src|href)="(/static/[^"]+)"`)

// Every screen is a page with a strict CSP and no inline script or
// style; its first load (page and assets, compressed) is within 300 KB.
func TestPagesCSPAndWeight(t *testing.T) {
	t.Parallel()
	srv := pages(t)
	resp, _ := fetch(t, srv.URL+"/", false)
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "/alerts" {
		t.Errorf("/: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	for _, path := range []string{"/login", "/alerts", "/alerts/12", "/search", "/dashboard", "/packs", "/packs/Core", "/ingest"} {
		resp, body := fetch(t, srv.URL+path, false)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d", path, resp.StatusCode)
		}
		csp := resp.Header.Get("Content-Security-Policy")
		for _, want := range []string{"default-src 'none'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'", "base-uri 'none'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s: CSP %q lacks %q", path, csp, want)
			}
		}
		if strings.Contains(csp, "unsafe") || resp.Header.Get("X-Frame-Options") != "DENY" || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: headers %v", path, resp.Header)
		}
		html := string(body)
		if regexp.MustCompile(`<script(?:\s[^>]*)?>\s*[^<\s]`).MatchString(html) || strings.Contains(html, "<style") || strings.Contains(html, " style=") ||
			regexp.MustCompile(`\son[a-z]+=`).MatchString(html) {
			t.Errorf("%s: inline script or style:\n%s", path, html)
		}
		total := len(body)
		for _, m := range assetRef.FindAllStringSubmatch(html, -1) {
			resp, b := fetch(t, srv.URL+m[1], true)
			if resp.StatusCode != 200 || resp.Header.Get("Content-Encoding") != "gzip" || !strings.Contains(resp.Header.Get("Cache-Control"), "immutable") {
				t.Errorf("%s: %d %v", m[1], resp.StatusCode, resp.Header)
			}
			zr, err := gzip.NewReader(strings.NewReader(string(b)))
			if err != nil {
				t.Fatalf("%s: %v", m[1], err)
			}
			if _, err := io.ReadAll(zr); err != nil {
				t.Fatalf("%s: %v", m[1], err)
			}
			total += len(b)
		}
		if total > 300<<10 {
			t.Errorf("%s: first load %d bytes compressed, over 300 KB", path, total)
		}
	}
	if resp, _ := fetch(t, srv.URL+"/static/nope.js", false); resp.StatusCode != 404 {
		t.Errorf("unknown asset: %d", resp.StatusCode)
	}
}
