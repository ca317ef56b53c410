package packs

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
)

// ManifestName is the manifest's path in a pack archive. It is the first
// entry of the zip.
const ManifestName = "manifest.json"

// FormatVersion is the manifest format this code writes and reads.
const FormatVersion = 1

// Manifest describes a pack archive: what it holds and the sha256 of every
// file. Digest is computed over Files only (see ComputeDigest), so it names
// the content whatever tool version or zip settings wrote the archive.
type Manifest struct {
	Format      int      `json:"format"`
	Pack        string   `json:"pack"`
	DisplayName string   `json:"display_name,omitempty"`
	Description string   `json:"description,omitempty"`
	ToolVersion string   `json:"tool_version"`
	Digest      string   `json:"digest"`
	Detections  []string `json:"detections"`
	Helpers     []string `json:"helpers,omitempty"`
	DataModels  []string `json:"data_models,omitempty"`
	Queries     []string `json:"queries,omitempty"`
	LogTypes    []string `json:"log_types,omitempty"`
	AlertRules  []string `json:"alert_rules,omitempty"`
	Files       []File   `json:"files"`
}

// File is one file of a pack.
type File struct {
	Path   string `json:"path"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// ComputeDigest is the pack digest: "sha256:" and the sha256 of the lines
// "<sha256 hex>  <path>\n" of the files sorted by path — the output of
// `sha256sum` over the unzipped files, so anyone can recompute it:
//
//	unzip -d p pack.zip && cd p && find . -type f ! -name manifest.json | sed 's|^\./||' |
//	    LC_ALL=C sort | xargs sha256sum | sha256sum
func ComputeDigest(files []File) string {
	sorted := slices.Clone(files)
	slices.SortFunc(sorted, func(a, b File) int { return strings.Compare(a.Path, b.Path) })
	h := sha256.New()
	for _, f := range sorted {
		fmt.Fprintf(h, "%s  %s\n", f.SHA256, f.Path)
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}

// ShortDigest is the first 12 hex digits of a digest, for people.
func ShortDigest(d string) string {
	d = strings.TrimPrefix(d, "sha256:")
	if len(d) > 12 {
		return d[:12]
	}
	return d
}

// encode writes the manifest as indented JSON, deterministically.
func (m *Manifest) encode() ([]byte, error) {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// decodeManifest reads a manifest strictly: unknown keys and trailing data
// are errors.
func decodeManifest(r io.Reader) (*Manifest, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var m Manifest
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	var extra json.RawMessage
	if err := dec.Decode(&extra); err != io.EOF {
		return nil, fmt.Errorf("data after the manifest object")
	}
	return &m, nil
}

// sha256Hex hashes data.
func sha256Hex(data []byte) string {
	s := sha256.Sum256(data)
	return hex.EncodeToString(s[:])
}

// Fingerprint hashes the files a detection depends on (DetectionFiles):
// two versions of a pack where a detection's fingerprint differs have a
// changed detection. read gives the bytes of a file of the set.
func Fingerprint(files []string, read func(string) ([]byte, error)) string {
	var b bytes.Buffer
	for _, f := range files {
		data, err := read(f)
		if err != nil {
			fmt.Fprintf(&b, "unreadable  %s\n", f)
			continue
		}
		fmt.Fprintf(&b, "%s  %s\n", sha256Hex(data), f)
	}
	return sha256Hex(b.Bytes())
}
