// Package console is the web console of `panther serve`: the triage list
// of alerts, an alert's detail, search, the dashboard, packs and ingest,
// served at / next to the API.
//
// Shape (Miniflux's, see STYLE.md): the server renders one small HTML page
// per screen with html/template; one plain JavaScript file (no framework,
// no build step, nothing fetched from another host) fills it by calling
// the public API under /api/v1 with the browser's session cookie — the
// console has no data path of its own, so it can do nothing the API
// refuses. Everything shown is set with textContent or attribute setters,
// never parsed as HTML, so a title or field that came from a log cannot
// become markup. A strict Content-Security-Policy (no inline script or
// style, nothing from another origin, no framing) backs that up.
//
// Sign-in is auth.Sessions: a token once, then an HttpOnly SameSite=Strict
// cookie and a CSRF token the page sends with every change.
//
// The assets are embedded (go:embed), served with a content hash in their
// URL (cached for a year) and gzip-compressed when the browser accepts it.
package console

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"html/template"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
)

//go:embed assets
var assets embed.FS

// CSP is the Content-Security-Policy of every console page.
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
	"font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// Screens are the console's pages: path pattern → screen name.
var screens = map[string]string{
	"GET /login":        "login",
	"GET /alerts":       "alerts",
	"GET /alerts/{id}":  "alert",
	"GET /search":       "search",
	"GET /dashboard":    "dashboard",
	"GET /packs":        "packs",
	"GET /packs/{pack}": "pack",
	"GET /ingest":       "ingest",
	"GET /console/keys": "keys",
}

var titles = map[string]string{"login": "Sign in", "alerts": "Alerts", "alert": "Alert", "search": "Search",
	"dashboard": "Dashboard", "packs": "Detections and packs", "pack": "Pack", "ingest": "Ingest", "keys": "Keys"}

type asset struct {
	body, gz []byte
	ctype    string
}

// Console serves the pages and assets.
type Console struct {
	page    *template.Template
	static  map[string]*asset
	version string
}

// New loads the embedded assets.
func New() (*Console, error) {
	c := &Console{static: map[string]*asset{}}
	h := sha256.New()
	err := fs.WalkDir(assets, "assets/static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := assets.ReadFile(p)
		if err != nil {
			return err
		}
		h.Write(b)
		var gz bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
		zw.Write(b)
		zw.Close()
		ct := mime.TypeByExtension(path.Ext(p))
		if ct == "" {
			ct = "application/octet-stream"
		}
		c.static[strings.TrimPrefix(p, "assets/static/")] = &asset{body: b, gz: gz.Bytes(), ctype: ct}
		return nil
	})
	if err != nil {
		return nil, err
	}
	c.version = hex.EncodeToString(h.Sum(nil)[:6])
	c.page, err = template.ParseFS(assets, "assets/page.html")
	if err != nil {
		return nil, err
	}
	return c, nil
}

// Mount adds the console's routes to mux (the API's mux: the pages call
// its endpoints on the same origin).
func (c *Console) Mount(mux *http.ServeMux) {
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/alerts", http.StatusFound)
	})
	for pattern, screen := range screens {
		mux.HandleFunc(pattern, c.screen(screen))
	}
	mux.HandleFunc("GET /static/{file}", c.asset)
}

func secure(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Security-Policy", CSP)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
}

func (c *Console) screen(name string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		secure(w)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		var buf bytes.Buffer
		if err := c.page.Execute(&buf, map[string]string{"Screen": name, "Title": titles[name], "V": c.version}); err != nil {
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		w.Write(buf.Bytes())
	}
}

func (c *Console) asset(w http.ResponseWriter, r *http.Request) {
	a, ok := c.static[r.PathValue("file")]
	if !ok {
		http.NotFound(w, r)
		return
	}
	secure(w)
	w.Header().Set("Content-Type", a.ctype)
	w.Header().Set("Vary", "Accept-Encoding")
	if r.URL.Query().Get("v") == c.version {
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		w.Header().Set("Cache-Control", "no-cache")
	}
	if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
		w.Header().Set("Content-Encoding", "gzip")
		w.Write(a.gz)
		return
	}
	w.Write(a.body)
}
