package packs

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
	"strings"
	"sync"
	"time"

	"panther/engine"
)

// BuildOptions configure Build.
type BuildOptions struct {
	// ToolVersion is written to the manifest (not part of the digest).
	ToolVersion string
}

// Built is a pack archive in memory.
type Built struct {
	Contents *Contents
	Manifest *Manifest
	Zip      []byte
	// Root is the folder, as the set shows paths, that the archive's paths
	// are relative to: loading the archive with Source{Display: Root}
	// shows the very paths the set showed, so messages name the user's
	// files.
	Root string
}

// zipTime is the modification time of every entry: a fixed time keeps the
// bytes of an archive independent of when and where its files were written.
var zipTime = time.Date(2000, time.January, 1, 0, 0, 0, 0, time.UTC)

// zipLevel is the fixed deflate level of every entry.
const zipLevel = 6

// Build writes the archive of pack packID of set: the closure of the pack
// (see Closure), the files at their paths relative to the deepest folder
// that holds them all, and manifest.json first. The archive is
// deterministic: entries sorted by path, a fixed time and mode, deflate at
// a fixed level — the same content gives the same bytes (with the same Go
// release: compress/flate's output is only stable within one) and always
// the same digest. Build neither validates nor tests; see Check.
func Build(set *engine.Set, packID string, opts BuildOptions) (*Built, error) {
	c, err := Closure(set, packID)
	if err != nil {
		return nil, err
	}
	root, rels, err := relativeLayout(c.Files)
	if err != nil {
		return nil, fmt.Errorf("pack %s: %w", packID, err)
	}
	m := &Manifest{
		Format:      FormatVersion,
		Pack:        c.Pack.ID,
		DisplayName: c.Pack.DisplayName,
		Description: strings.TrimSpace(c.Pack.Description),
		ToolVersion: opts.ToolVersion,
		Detections:  []string{},
	}
	for _, d := range c.Detections {
		m.Detections = append(m.Detections, d.ID)
	}
	for _, g := range c.Globals {
		m.Helpers = append(m.Helpers, g.ID)
	}
	for _, dm := range c.DataModels {
		m.DataModels = append(m.DataModels, dm.ID)
	}
	for _, q := range c.Queries {
		m.Queries = append(m.Queries, q.Name)
	}
	for _, lt := range c.LogTypes {
		m.LogTypes = append(m.LogTypes, lt.LogType.Name)
	}
	for _, ar := range c.AlertRules {
		m.AlertRules = append(m.AlertRules, ar.ID)
	}
	contents := make([][]byte, len(c.Files))
	for i, f := range c.Files {
		data, err := set.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("pack %s: %s: %v", packID, f, err)
		}
		contents[i] = data
		m.Files = append(m.Files, File{Path: rels[i], Size: int64(len(data)), SHA256: sha256Hex(data)})
	}
	// The zip's order is the manifest's: by relative path.
	order := sortedOrder(m.Files)
	files := make([]File, len(order))
	datas := make([][]byte, len(order))
	for i, j := range order {
		files[i], datas[i] = m.Files[j], contents[j]
	}
	m.Files = files
	m.Digest = ComputeDigest(m.Files)
	manifest, err := m.encode()
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	zw.RegisterCompressor(zip.Deflate, newPooledFlate)
	write := func(name string, data []byte) error {
		fh := &zip.FileHeader{Name: name, Method: zip.Deflate, Modified: zipTime}
		fh.SetMode(0o644)
		w, err := zw.CreateHeader(fh)
		if err != nil {
			return err
		}
		_, err = w.Write(data)
		return err
	}
	if err := write(ManifestName, manifest); err != nil {
		return nil, err
	}
	for i, f := range m.Files {
		if err := write(f.Path, datas[i]); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return &Built{Contents: c, Manifest: m, Zip: buf.Bytes(), Root: root}, nil
}

// A flate.Writer allocates about 1 MB: one per entry made allocation 60%
// of a build's cost, so writers are pooled (Reset gives the very output of
// a new writer).
var flatePool sync.Pool

type pooledFlate struct{ *flate.Writer }

func newPooledFlate(w io.Writer) (io.WriteCloser, error) {
	if fw, ok := flatePool.Get().(*flate.Writer); ok {
		fw.Reset(w)
		return pooledFlate{fw}, nil
	}
	fw, err := flate.NewWriter(w, zipLevel)
	return pooledFlate{fw}, err
}

func (p pooledFlate) Close() error {
	err := p.Writer.Close()
	flatePool.Put(p.Writer)
	return err
}

func sortedOrder(files []File) []int {
	idx := make([]int, len(files))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int { return strings.Compare(files[a].Path, files[b].Path) })
	return idx
}

// relativeLayout strips the deepest folder shared by all paths. It fails
// when a path would leave the archive (files of different trees).
func relativeLayout(shown []string) (string, []string, error) {
	if len(shown) == 0 {
		return "", nil, fmt.Errorf("no files")
	}
	common := strings.Split(path.Dir(shown[0]), "/")
	for _, p := range shown[1:] {
		parts := strings.Split(path.Dir(p), "/")
		n := 0
		for n < len(common) && n < len(parts) && common[n] == parts[n] {
			n++
		}
		common = common[:n]
	}
	root := strings.Join(common, "/")
	if root == "." {
		root = ""
	}
	if len(common) == 1 && common[0] == "" {
		root = "/"
	}
	rels := make([]string, len(shown))
	for i, p := range shown {
		r := p
		switch root {
		case "":
		case "/":
			r = strings.TrimPrefix(p, "/")
		default:
			r = strings.TrimPrefix(p, root+"/")
		}
		if !fs.ValidPath(r) || strings.HasPrefix(r, "../") || r == ManifestName || strings.Contains(r, "\\") {
			if r == ManifestName {
				return "", nil, fmt.Errorf("%s: a pack's file may not be named %s at the top of the pack (the archive's manifest has that name): move it into a folder", p, ManifestName)
			}
			return "", nil, fmt.Errorf("%s: the pack's files are not under one folder (%q does not fit in an archive): build from a single detections tree", p, r)
		}
		rels[i] = r
	}
	return root, rels, nil
}
