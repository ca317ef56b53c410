package packs

import (
	"encoding/json"
	"fmt"
	"time"
)

// The JSON types of the backend's HTTP API (/api/v1), shared by the server
// (packs/server) and the client (Client). docs/backend.md documents the API.

// Version is one stored version of a pack.
type Version struct {
	Pack        string    `json:"pack"`
	Version     int       `json:"version"`
	Digest      string    `json:"digest"` // the pack digest (manifest)
	Blob        string    `json:"blob"`   // sha256 of the zip bytes; the download's ETag
	Size        int64     `json:"size"`   // zip bytes
	Files       int       `json:"files"`
	ToolVersion string    `json:"tool_version,omitempty"`
	Created     time.Time `json:"created"`
	CreatedBy   string    `json:"created_by"` // the token's fingerprint, never the token
	Tests       int       `json:"tests"`      // tests passed at upload
	// Detections maps each detection ID to its fingerprint.
	Detections map[string]string `json:"detections"`
	Active     bool              `json:"active"`
}

// PackSummary is a pack in the list of packs.
type PackSummary struct {
	ID          string    `json:"id"`
	DisplayName string    `json:"display_name,omitempty"`
	Active      int       `json:"active"` // 0 when no version is active
	Digest      string    `json:"digest,omitempty"`
	Versions    int       `json:"versions"`
	Detections  int       `json:"detections"`
	Updated     time.Time `json:"updated"`
}

// PackInfo is one pack with its versions, newest first.
type PackInfo struct {
	PackSummary
	// RollbackTo is the version a rollback activates (0: none).
	RollbackTo int       `json:"rollback_to"`
	List       []Version `json:"version_list"`
}

// Upload statuses: what happened, or with DryRun what would happen.
const (
	StatusCreated   = "created"   // a new version is stored
	StatusActivated = "activated" // a version stored earlier with this digest became active
	StatusUnchanged = "unchanged" // a version with this digest is stored already; nothing changed
)

// UploadResult is the answer to an upload or a dry run.
type UploadResult struct {
	Pack    string `json:"pack"`
	DryRun  bool   `json:"dry_run"`
	Status  string `json:"status"`
	Version int    `json:"version"` // the version stored or matched (dry run: the one it would be)
	Active  int    `json:"active"`  // the active version after the request
	Digest  string `json:"digest"`
	Tests   int    `json:"tests"` // tests that passed on the server
	// Diff compares the detections with the active version before the
	// request.
	Diff Diff `json:"diff"`
}

// ActivateRequest is the body of activate and rollback.
type ActivateRequest struct {
	// To is the version to activate (rollback: 0 means the version active
	// before the current one).
	To int `json:"to,omitempty"`
}

// ErrorBody is every error response: {"error": {...}}.
type ErrorBody struct {
	Error APIError `json:"error"`
}

// APIError is an error answered by the server.
type APIError struct {
	Status  int    `json:"-"`
	Code    string `json:"code"`
	Message string `json:"message"`
	Hint    string `json:"hint,omitempty"`
	// Diagnostics and FailedTests explain a 422 (validation or tests).
	Diagnostics []Diagnostic `json:"diagnostics,omitempty"`
	FailedTests []FailedTest `json:"failed_tests,omitempty"`
}

func (e *APIError) Error() string {
	s := fmt.Sprintf("server answered %d %s: %s", e.Status, e.Code, e.Message)
	if e.Hint != "" {
		s += " (" + e.Hint + ")"
	}
	return s
}

// Diagnostic is a validation problem, as in `panther validate --format json`.
type Diagnostic struct {
	File    string `json:"file"`
	Line    int    `json:"line,omitempty"`
	Column  int    `json:"column,omitempty"`
	Level   string `json:"level"`
	Message string `json:"message"`
	Hint    string `json:"hint,omitempty"`
}

func (d Diagnostic) String() string {
	s := d.File
	if d.Line > 0 {
		s += fmt.Sprintf(":%d", d.Line)
		if d.Column > 0 {
			s += fmt.Sprintf(":%d", d.Column)
		}
	}
	s += ": " + d.Level + ": " + d.Message
	if d.Hint != "" {
		s += " (" + d.Hint + ")"
	}
	return s
}

// FailedTest is a test that failed on the server.
type FailedTest struct {
	Detection string   `json:"detection"`
	Test      string   `json:"test"`
	File      string   `json:"file"`
	Line      int      `json:"line,omitempty"`
	Failures  []string `json:"failures"`
}

// Health is the answer of GET /api/v1/health.
type Health struct {
	Status  string `json:"status"`
	Version string `json:"version"`
}

// decodeAPIError reads an error body; a body that is not ours (a proxy's
// HTML page) becomes a message with the status.
func decodeAPIError(status int, body []byte) *APIError {
	var eb ErrorBody
	if err := json.Unmarshal(body, &eb); err != nil || eb.Error.Code == "" {
		msg := string(body)
		if len(msg) > 200 {
			msg = msg[:200] + "..."
		}
		if msg == "" {
			msg = "no body"
		}
		return &APIError{Status: status, Code: "http_error", Message: msg}
	}
	eb.Error.Status = status
	return &eb.Error
}
