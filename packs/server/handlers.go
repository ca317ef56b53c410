package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"panther/auth"
	"panther/engine"
	"panther/packs"
)

// apiError is an error answer.
type apiError struct {
	status int
	code   string
	msg    string
	hint   string
	// details of a 422
	diags  []packs.Diagnostic
	failed []packs.FailedTest
}

func (e *apiError) Error() string { return e.msg }

func badRequest(hint, format string, args ...any) *apiError {
	return &apiError{status: http.StatusBadRequest, code: "bad_request", msg: fmt.Sprintf(format, args...), hint: hint}
}

// Handler is the API.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/health", s.health)
	mux.Handle("GET /api/v1/packs", s.auth(auth.Read, s.list))
	mux.Handle("POST /api/v1/packs", s.auth(auth.Change, s.upload))
	mux.Handle("GET /api/v1/packs/{pack}", s.auth(auth.Read, s.get))
	mux.Handle("DELETE /api/v1/packs/{pack}", s.auth(auth.Change, s.deleteVersion))
	mux.Handle("GET /api/v1/packs/{pack}/download", s.auth(auth.Read, s.download))
	mux.Handle("POST /api/v1/packs/{pack}/rollback", s.auth(auth.Change, s.activate))
	mux.Handle("GET /api/v1/packs/{pack}/versions/{version}", s.auth(auth.Read, s.version))
	mux.Handle("DELETE /api/v1/packs/{pack}/versions/{version}", s.auth(auth.Change, s.deleteVersion))
	mux.Handle("GET /api/v1/packs/{pack}/versions/{version}/download", s.auth(auth.Read, s.download))
	mux.Handle("POST /api/v1/packs/{pack}/versions/{version}/activate", s.auth(auth.Change, s.activate))
	mux.Handle("GET /api/v1/audit", s.auth(auth.Read, s.auditLog))
	if s.opts.Mount != nil {
		s.opts.Mount(mux)
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, &apiError{status: http.StatusNotFound, code: "not_found", msg: "no such endpoint: " + r.Method + " " + r.URL.Path,
			hint: "the API is under /api/v1/packs; see docs/backend.md"})
	})
	return s.logRequests(mux)
}

// NoteIdentity names the token of a request in its log line; handlers
// mounted with Options.Mount call it once they have authenticated.
func NoteIdentity(r *http.Request, id auth.Identity) {
	if info, ok := r.Context().Value(ctxKey{}).(*reqInfo); ok {
		info.token = id.Name
	}
}

// reqInfo travels in the request's context so the log line can name the
// token.
type reqInfo struct{ token, err string }

type ctxKey struct{}

type recorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	n, err := r.ResponseWriter.Write(b)
	r.bytes += int64(n)
	return n, err
}

func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		info := &reqInfo{}
		rec := &recorder{ResponseWriter: w}
		next.ServeHTTP(rec, r.WithContext(context.WithValue(r.Context(), ctxKey{}, info)))
		if rec.status == 0 {
			rec.status = http.StatusOK
		}
		attrs := []slog.Attr{slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Int("status", rec.status),
			slog.Int64("bytes", rec.bytes), slog.Float64("ms", float64(time.Since(start).Microseconds())/1000),
			slog.String("remote", r.RemoteAddr)}
		if info.token != "" {
			attrs = append(attrs, slog.String("token", info.token))
		}
		if info.err != "" {
			attrs = append(attrs, slog.String("error", info.err))
		}
		s.log.LogAttrs(r.Context(), levelOf(rec.status), "request", attrs...)
	})
}

// levelOf logs server errors as errors, refused requests as warnings.
func levelOf(status int) slog.Level {
	switch {
	case status >= 500:
		return slog.LevelError
	case status >= 400:
		return slog.LevelWarn
	}
	return slog.LevelInfo
}

type handlerFunc func(w http.ResponseWriter, r *http.Request, tok auth.Identity)

func (s *Server) auth(need auth.Permission, h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok, aerr := s.opts.Tokens.Authenticate(r)
		if aerr != nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="panther"`)
			s.fail(w, r, fromAuth(aerr))
			return
		}
		NoteIdentity(r, tok)
		if aerr := auth.Authorize(tok, need, r); aerr != nil {
			s.fail(w, r, fromAuth(aerr))
			return
		}
		if p := r.PathValue("pack"); p != "" && !validPackID(p) {
			s.fail(w, r, badRequest("pack IDs are the PackID of the pack spec", "bad pack ID %q", p))
			return
		}
		h(w, r, tok)
	})
}

// validPackID keeps IDs addressable in the API's paths and safe in logs,
// terminals and file names (engine.CheckPackID).
func validPackID(id string) bool { return engine.CheckPackID(id) == nil }

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false) // hints hold <token>: keep them readable
	_ = enc.Encode(v)
}

// apiErrorOf is what the API answers for err; nil for an internal error.
// The store's refusals are 404 (ErrNotFound) and 409 (ErrConflict).
func apiErrorOf(err error) *apiError {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae
	}
	var se *StoreError
	hint := ""
	if errors.As(err, &se) {
		hint = se.Hint
	}
	switch {
	case errors.Is(err, ErrNotFound):
		return &apiError{status: http.StatusNotFound, code: "not_found", msg: err.Error(), hint: hint}
	case errors.Is(err, ErrConflict):
		return &apiError{status: http.StatusConflict, code: "conflict", msg: err.Error(), hint: hint}
	}
	return nil
}

// fail answers an error (apiErrorOf); anything else is a 500, logged with
// its detail and answered without it.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	ae := apiErrorOf(err)
	if ae == nil {
		s.log.Error("internal error", "method", r.Method, "path", r.URL.Path, "error", err.Error())
		ae = &apiError{status: http.StatusInternalServerError, code: "internal", msg: "internal error; the server's log has the detail",
			hint: "retry; if it persists, tell the server's operator"}
	}
	if info, ok := r.Context().Value(ctxKey{}).(*reqInfo); ok {
		info.err = ae.code + ": " + ae.msg
	}
	writeJSON(w, ae.status, packs.ErrorBody{Error: packs.APIError{Code: ae.code, Message: ae.msg, Hint: ae.hint,
		Diagnostics: ae.diags, FailedTests: ae.failed}})
}

func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, packs.Health{Status: "ok", Version: s.opts.Version})
}

func (s *Server) list(w http.ResponseWriter, r *http.Request, _ auth.Identity) {
	out, err := s.store.List()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) get(w http.ResponseWriter, r *http.Request, _ auth.Identity) {
	info, err := s.store.Get(r.PathValue("pack"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	// The pack's ETag is its active version: clients send it back in
	// If-Match to change the pack only if nobody else did meanwhile.
	w.Header().Set("ETag", `"`+strconv.Itoa(info.Active)+`"`)
	writeJSON(w, http.StatusOK, info)
}

func versionParam(r *http.Request) (int, error) {
	p := r.PathValue("version")
	if p == "" {
		return 0, nil
	}
	v, err := strconv.Atoi(p)
	if err != nil || v < 1 {
		return 0, badRequest("versions are numbered from 1", "bad version %q", p)
	}
	return v, nil
}

// ifMatch reads If-Match: the active version the client expects ("3" or
// 3); 0 when absent or "*".
func ifMatch(r *http.Request) (int, error) {
	h := strings.TrimSpace(r.Header.Get("If-Match"))
	if h == "" || h == "*" {
		return 0, nil
	}
	v, err := strconv.Atoi(strings.Trim(strings.TrimPrefix(h, "W/"), `"`))
	if err != nil || v < 1 {
		return 0, badRequest(`If-Match is the pack's ETag: its active version, like "3"`, "bad If-Match %q", h)
	}
	return v, nil
}

func (s *Server) version(w http.ResponseWriter, r *http.Request, _ auth.Identity) {
	v, err := versionParam(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ver, err := s.store.Version(r.PathValue("pack"), v)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, ver)
}

func (s *Server) activate(w http.ResponseWriter, r *http.Request, tok auth.Identity) {
	rollback := strings.HasSuffix(r.URL.Path, "/rollback")
	to, err := versionParam(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	expect, err := ifMatch(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if rollback {
		var req packs.ActivateRequest
		_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(min(s.opts.BodyTimeout, 30*time.Second)))
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<16))
		if err != nil {
			s.fail(w, r, badRequest("", "reading the body: %v", err))
			return
		}
		if len(strings.TrimSpace(string(body))) > 0 {
			dec := json.NewDecoder(strings.NewReader(string(body)))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&req); err != nil || req.To < 0 {
				s.fail(w, r, badRequest(`the body is empty or {"to": VERSION}`, "bad rollback request: %v", err))
				return
			}
		}
		to = req.To
	}
	info, err := s.store.Activate(r.PathValue("pack"), to, rollback, expect, who{token: tok.Name, remote: r.RemoteAddr})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("ETag", `"`+strconv.Itoa(info.Active)+`"`)
	writeJSON(w, http.StatusOK, info)
}

func (s *Server) deleteVersion(w http.ResponseWriter, r *http.Request, tok auth.Identity) {
	v, err := versionParam(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	expect, err := ifMatch(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.store.Delete(r.PathValue("pack"), v, expect, who{token: tok.Name, remote: r.RemoteAddr}); err != nil {
		s.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) auditLog(w http.ResponseWriter, r *http.Request, _ auth.Identity) {
	n := 100
	if q := r.URL.Query().Get("limit"); q != "" {
		v, err := strconv.Atoi(q)
		if err != nil || v < 1 || v > 10000 {
			s.fail(w, r, badRequest("limit is 1 to 10000", "bad limit %q", q))
			return
		}
		n = v
	}
	out, err := s.store.Audit(r.URL.Query().Get("pack"), n)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// etagMatches implements If-None-Match's weak comparison.
func etagMatches(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == "*" || t == etag {
			return true
		}
	}
	return false
}

func (s *Server) download(w http.ResponseWriter, r *http.Request, _ auth.Identity) {
	v, err := versionParam(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	pack := r.PathValue("pack")
	var ver activeRef
	if v == 0 {
		ver, err = s.store.ActiveRef(pack)
	} else {
		var full *packs.Version
		if full, err = s.store.Version(pack, v); err == nil {
			ver = activeRef{Version: full.Version, Blob: full.Blob, Digest: full.Digest, Created: full.Created}
		}
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	etag := `"sha256:` + ver.Blob + `"`
	h := w.Header()
	h.Set("ETag", etag)
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Panther-Version", strconv.Itoa(ver.Version))
	h.Set("X-Panther-Digest", ver.Digest)
	if inm := r.Header.Get("If-None-Match"); inm != "" && etagMatches(inm, etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	f, err := s.store.OpenBlob(ver.Blob)
	if err != nil {
		s.fail(w, r, fmt.Errorf("pack %s version %d: blob: %w", pack, ver.Version, err))
		return
	}
	defer f.Close()
	h.Set("Content-Type", "application/zip")
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s-v%d.zip"`, safeFilename(pack), ver.Version))
	http.ServeContent(w, r, "", ver.Created, f)
}

func safeFilename(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '"' || r == '\\' || r < 0x20 || r > 0x7e {
			return '_'
		}
		return r
	}, s)
}

// upload stores a pack version: stream the body to a staged file (hashing
// it), open and verify the archive, validate and test it, then store the
// blob and commit the version.
func (s *Server) upload(w http.ResponseWriter, r *http.Request, tok auth.Identity) {
	q := r.URL.Query()
	dryRun, err := boolParam(q.Get("dry_run"), false)
	if err != nil {
		s.fail(w, r, badRequest("dry_run=true or false", "bad dry_run: %v", err))
		return
	}
	activate, err := boolParam(q.Get("activate"), true)
	if err != nil {
		s.fail(w, r, badRequest("activate=true or false", "bad activate: %v", err))
		return
	}
	expect, err := ifMatch(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	tooLarge := &apiError{status: http.StatusRequestEntityTooLarge, code: "too_large",
		msg:  fmt.Sprintf("the upload is larger than the server's limit of %d bytes", s.opts.MaxUpload),
		hint: "split the pack, or ask the operator to raise --max-upload"}
	if r.ContentLength > s.opts.MaxUpload {
		w.Header().Set("Connection", "close")
		s.fail(w, r, tooLarge)
		return
	}
	select {
	case s.uploads <- struct{}{}:
		defer func() { <-s.uploads }()
	default:
		w.Header().Set("Retry-After", "1")
		w.Header().Set("Connection", "close")
		s.fail(w, r, &apiError{status: http.StatusServiceUnavailable, code: "busy",
			msg:  fmt.Sprintf("%d uploads are in progress, the server's limit", s.opts.MaxConcurrentUploads),
			hint: "retry in a moment (panther upload does)"})
		return
	}
	// The body must arrive in time: a trickling client gives up its
	// connection and its staged file.
	_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(s.opts.BodyTimeout))
	staged, err := os.CreateTemp(s.store.tmpDir(), "upload-*.zip")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	keep := false
	defer func() {
		staged.Close()
		if !keep {
			os.Remove(staged.Name())
		}
	}()
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(staged, h), http.MaxBytesReader(w, r.Body, s.opts.MaxUpload))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			w.Header().Set("Connection", "close")
			s.fail(w, r, tooLarge)
			return
		}
		s.fail(w, r, &apiError{status: http.StatusBadRequest, code: "upload_incomplete",
			msg: fmt.Sprintf("the upload was cut off after %d bytes: %v", n, err), hint: "retry the upload"})
		return
	}
	testHook("body-received")
	if n == 0 {
		s.fail(w, r, badRequest("send the zip that `panther pack build` writes as the body", "empty body"))
		return
	}
	sum := hex.EncodeToString(h.Sum(nil))
	arch, err := packs.OpenArchive(staged, n, s.opts.Limits)
	if err != nil {
		s.fail(w, r, archiveError(err))
		return
	}
	m := arch.Manifest
	if !validPackID(m.Pack) {
		s.fail(w, r, &apiError{status: http.StatusUnprocessableEntity, code: "bad_pack_id",
			msg: fmt.Sprintf("pack ID %q cannot be stored", m.Pack), hint: "a PackID is 1 to 256 printable characters without / or \\, and not . or .."})
		return
	}
	if !dryRun && activate && expect == 0 {
		// Idempotency: the active version has this content already, and
		// it passed these checks when it was uploaded.
		if v, err := s.store.Active(m.Pack); err == nil && v.Digest == m.Digest {
			writeJSON(w, http.StatusOK, packs.UploadResult{Pack: m.Pack, Status: packs.StatusUnchanged, Version: v.Version,
				Active: v.Version, Digest: m.Digest, Tests: v.Tests,
				Diff: packs.Diff{New: []string{}, Changed: []string{}, Removed: []string{}, Unchanged: len(v.Detections)}})
			return
		}
	}
	select {
	case s.checks <- struct{}{}:
	case <-r.Context().Done():
		s.fail(w, r, badRequest("", "the client went away"))
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.opts.CheckTimeout)
	res := packs.Check(ctx, arch.FS(), m, packs.CheckOptions{Load: s.opts.Load, Tests: s.opts.Tests})
	cancel()
	<-s.checks
	if err := r.Context().Err(); err != nil {
		s.fail(w, r, badRequest("", "the client went away: %v", err))
		return
	}
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		ran := 0
		if res.Tests != nil {
			ran = res.Tests.Passed + res.Tests.Failed
		}
		s.fail(w, r, &apiError{status: http.StatusUnprocessableEntity, code: "checks_timeout",
			msg:  fmt.Sprintf("the checks of pack %q took longer than the server's limit of %s (%d test(s) ran)", m.Pack, s.opts.CheckTimeout, ran),
			hint: "make the tests faster (`panther test` shows each test's time), or ask the operator to raise --check-timeout"})
		return
	}
	if res.Failed() {
		s.fail(w, r, checkError(m.Pack, res))
		return
	}
	fps := packs.Fingerprints(res.Set)
	old, err := s.store.ActiveFingerprints(m.Pack)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	passed := 0
	if res.Tests != nil {
		passed = res.Tests.Passed
	}
	diff := packs.DiffFingerprints(old, fps)
	if dryRun {
		existing, active, next, err := s.store.Peek(m.Pack, m.Digest)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		out := packs.UploadResult{Pack: m.Pack, DryRun: true, Digest: m.Digest, Tests: passed, Diff: diff, Active: active}
		switch {
		case existing != 0 && (existing == active || !activate):
			out.Status, out.Version = packs.StatusUnchanged, existing
		case existing != 0:
			out.Status, out.Version, out.Active = packs.StatusActivated, existing, existing
		default:
			out.Status, out.Version = packs.StatusCreated, next
			if activate {
				out.Active = next
			}
		}
		if expect > 0 && active != expect {
			s.fail(w, r, conflict("", "the active version of %s is %d, not %d", m.Pack, active, expect))
			return
		}
		writeJSON(w, http.StatusOK, out)
		return
	}
	ver := packs.Version{Pack: m.Pack, Digest: m.Digest, Blob: sum, Size: n, Files: len(m.Files),
		ToolVersion: m.ToolVersion, CreatedBy: tok.Name, Tests: passed, Detections: fps}
	out, stored, err := s.store.storeUpload(staged, ver, res.Set.Packs[0].DisplayName, activate, expect, who{token: tok.Name, remote: r.RemoteAddr})
	keep = keep || stored // the staged file became the blob
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out.Diff = diff
	status := http.StatusOK
	if out.Status == packs.StatusCreated {
		status = http.StatusCreated
	}
	writeJSON(w, status, out)
}

func boolParam(v string, def bool) (bool, error) {
	if v == "" {
		return def, nil
	}
	return strconv.ParseBool(v)
}

// archiveError maps a refused archive to its status: 415 not a zip, 413
// too large, 422 anything else wrong with it.
func archiveError(err error) error {
	var ae *packs.ArchiveError
	if !errors.As(err, &ae) {
		return err
	}
	status := http.StatusUnprocessableEntity
	switch ae.Kind {
	case packs.KindNotZip:
		status = http.StatusUnsupportedMediaType
	case packs.KindTooLarge, packs.KindTooManyFiles:
		status = http.StatusRequestEntityTooLarge
	}
	return &apiError{status: status, code: ae.Kind, msg: ae.Message, hint: ae.Hint}
}

// checkError is the 422 of a pack that fails validation or its tests,
// with the diagnostics and failed tests (at most 200 of each).
func checkError(pack string, res *packs.CheckResult) error {
	e := &apiError{status: http.StatusUnprocessableEntity, code: "validation_failed",
		msg:  fmt.Sprintf("pack %s was refused: %s", pack, res.Summary()),
		hint: "run `panther pack build` (or validate and test) locally: it runs the same checks"}
	for _, d := range res.Set.Diagnostics {
		if len(e.diags) == 200 {
			break
		}
		e.diags = append(e.diags, toDiagnostic(d))
	}
	if res.Tests != nil && res.Tests.Failed > 0 && len(res.Problems) == 0 && res.Set.Diagnostics.Errors() == 0 {
		e.code = "tests_failed"
	}
	if res.Tests != nil {
		for _, t := range res.Tests.Results {
			if t.Passed {
				continue
			}
			if len(e.failed) == 200 {
				break
			}
			e.failed = append(e.failed, packs.FailedTest{Detection: t.Detection.ID, Test: t.Test, File: t.File, Line: t.Line, Failures: t.Failures})
		}
	}
	for _, p := range res.Problems {
		e.diags = append(e.diags, packs.Diagnostic{File: packs.ManifestName, Level: "error", Message: p})
	}
	return e
}

func toDiagnostic(d engine.Diagnostic) packs.Diagnostic {
	return packs.Diagnostic{File: d.File, Line: d.Line, Column: d.Column, Level: d.Level.String(), Message: d.Message, Hint: d.Hint}
}

// fromAuth maps a refusal of package auth onto the API's error.
func fromAuth(e *auth.Error) *apiError {
	return &apiError{status: e.Status, code: e.Code, msg: e.Message, hint: e.Hint}
}
