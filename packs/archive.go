package packs

import (
	"archive/zip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"strings"

	"panther/engine"
)

// Limits bound what OpenArchive accepts, against zip bombs and archives
// built to hurt whoever unpacks them.
type Limits struct {
	// MaxFiles is the most entries an archive may hold.
	MaxFiles int
	// MaxUncompressed is the most bytes its entries may hold, unzipped,
	// all together.
	MaxUncompressed int64
}

// DefaultLimits are generous for detection content (text: a pack of 500
// detections is about 2 MB unzipped) and small enough for a server.
var DefaultLimits = Limits{MaxFiles: 20_000, MaxUncompressed: 256 << 20}

// ArchiveError says why an archive was refused.
type ArchiveError struct {
	Kind    string // one of the Kind* constants
	Message string
	Hint    string
}

// Kinds of ArchiveError.
const (
	KindNotZip        = "not_zip"
	KindTooManyFiles  = "too_many_files"
	KindTooLarge      = "too_large"
	KindUnsafePath    = "unsafe_path"
	KindSymlink       = "symlink"
	KindDuplicate     = "duplicate_entry"
	KindUnsupported   = "unsupported_entry"
	KindManifest      = "bad_manifest"
	KindCorrupt       = "corrupt"
	KindMismatch      = "manifest_mismatch"
	KindUnlisted      = "unlisted_file"
	KindMissing       = "missing_file"
	KindDigest        = "digest_mismatch"
	KindFormatVersion = "format_version"
	KindBadPackID     = "bad_pack_id"
)

func (e *ArchiveError) Error() string {
	if e.Hint == "" {
		return e.Message
	}
	return e.Message + " (" + e.Hint + ")"
}

func archErr(kind, hint, format string, args ...any) *ArchiveError {
	return &ArchiveError{Kind: kind, Message: fmt.Sprintf(format, args...), Hint: hint}
}

// Archive is an opened, verified pack archive.
type Archive struct {
	Zip      *zip.Reader
	Manifest *Manifest
	// Uncompressed is the total size of the entries.
	Uncompressed int64
}

// FS is the archive as a file system, for engine.Load.
func (a *Archive) FS() fs.FS { return a.Zip }

const rebuildHint = "rebuild it with `panther pack build`"

// OpenArchive reads a pack archive and checks it completely before anyone
// uses it: it is a zip; it has at most lim.MaxFiles entries and
// lim.MaxUncompressed bytes unzipped (the sizes the headers declare, which
// archive/zip enforces while reading); every name is a clean relative path
// that stays inside the pack (no "..", no absolute path, no backslash, no
// drive letter); no entry is a symlink or other special file; no name
// appears twice (also ignoring case, which would collide when unzipped on
// macOS or Windows) and no file is also a folder; the manifest is valid;
// every file it lists is present with its size and sha256, no other file
// is present, and the digest recomputes. The first problem found is
// returned as an *ArchiveError.
func OpenArchive(r io.ReaderAt, size int64, lim Limits) (*Archive, error) {
	if lim.MaxFiles <= 0 {
		lim.MaxFiles = DefaultLimits.MaxFiles
	}
	if lim.MaxUncompressed <= 0 {
		lim.MaxUncompressed = DefaultLimits.MaxUncompressed
	}
	zr, err := zip.NewReader(r, size)
	if err != nil {
		if errors.Is(err, zip.ErrInsecurePath) {
			return nil, archErr(KindUnsafePath, "", "the archive has a path that leaves the pack")
		}
		return nil, archErr(KindNotZip, "upload the .zip that `panther pack build` writes", "not a zip archive: %v", err)
	}
	if len(zr.File) > lim.MaxFiles {
		return nil, archErr(KindTooManyFiles, "split the pack, or raise the server's limit", "the archive has %d entries, more than the limit of %d", len(zr.File), lim.MaxFiles)
	}
	var total int64
	entries := map[string]*zip.File{}
	folded := map[string]string{}
	dirs := map[string]bool{}
	for _, f := range zr.File {
		name := f.Name
		if err := checkEntryName(name); err != nil {
			return nil, err
		}
		mode := f.Mode()
		if mode&fs.ModeSymlink != 0 {
			return nil, archErr(KindSymlink, "packs hold regular files only", "entry %q is a symbolic link", name)
		}
		if strings.HasSuffix(name, "/") || mode.IsDir() {
			dirs[strings.TrimSuffix(name, "/")] = true
			continue
		}
		if !mode.IsRegular() {
			return nil, archErr(KindUnsupported, "packs hold regular files only", "entry %q is not a regular file (%v)", name, mode.Type())
		}
		if f.Method != zip.Store && f.Method != zip.Deflate {
			return nil, archErr(KindUnsupported, rebuildHint, "entry %q uses compression method %d; only store and deflate are accepted", name, f.Method)
		}
		if _, dup := entries[name]; dup {
			return nil, archErr(KindDuplicate, rebuildHint, "entry %q appears twice", name)
		}
		low := strings.ToLower(name)
		if other, dup := folded[low]; dup {
			return nil, archErr(KindDuplicate, "rename one of them", "entries %q and %q differ only by case", other, name)
		}
		folded[low] = name
		entries[name] = f
		if f.UncompressedSize64 > uint64(lim.MaxUncompressed) {
			return nil, archErr(KindTooLarge, "", "entry %q declares %d bytes unzipped, more than the limit of %d for the whole pack", name, f.UncompressedSize64, lim.MaxUncompressed)
		}
		total += int64(f.UncompressedSize64)
		if total > lim.MaxUncompressed {
			return nil, archErr(KindTooLarge, "split the pack, or raise the server's limit", "the archive holds more than %d bytes unzipped", lim.MaxUncompressed)
		}
	}
	for name := range entries {
		for dir := parentDir(name); dir != ""; dir = parentDir(dir) {
			dirs[dir] = true
		}
	}
	for name := range entries {
		if dirs[name] {
			return nil, archErr(KindDuplicate, rebuildHint, "%q is both a file and a folder", name)
		}
	}
	mf, ok := entries[ManifestName]
	if !ok {
		return nil, archErr(KindManifest, rebuildHint, "the archive has no %s", ManifestName)
	}
	rc, err := mf.Open()
	if err != nil {
		return nil, archErr(KindCorrupt, rebuildHint, "%s: %v", ManifestName, err)
	}
	m, err := decodeManifest(rc)
	rc.Close()
	if err != nil {
		return nil, archErr(KindManifest, rebuildHint, "%s: %v", ManifestName, err)
	}
	if m.Format != FormatVersion {
		return nil, archErr(KindFormatVersion, "use a panther release that reads it", "%s: format %d is not supported (this build reads format %d)", ManifestName, m.Format, FormatVersion)
	}
	if m.Pack == "" {
		return nil, archErr(KindManifest, rebuildHint, "%s: no pack ID", ManifestName)
	}
	if err := engine.CheckPackID(m.Pack); err != nil {
		return nil, archErr(KindBadPackID, "a PackID is 1 to 256 printable characters without / or \\, and not . or ..", "%s: pack ID %q cannot be stored: %v", ManifestName, m.Pack, err)
	}
	listed := map[string]bool{}
	for i, lf := range m.Files {
		if err := checkEntryName(lf.Path); err != nil || strings.HasSuffix(lf.Path, "/") {
			return nil, archErr(KindManifest, rebuildHint, "%s: files[%d]: path %q is not a clean relative path", ManifestName, i, lf.Path)
		}
		if listed[lf.Path] {
			return nil, archErr(KindManifest, rebuildHint, "%s: %q is listed twice", ManifestName, lf.Path)
		}
		if i > 0 && m.Files[i-1].Path > lf.Path {
			return nil, archErr(KindManifest, rebuildHint, "%s: files are not sorted by path", ManifestName)
		}
		listed[lf.Path] = true
		f, ok := entries[lf.Path]
		if !ok {
			return nil, archErr(KindMissing, rebuildHint, "%q is in the manifest but not in the archive", lf.Path)
		}
		if uint64(lf.Size) != f.UncompressedSize64 || lf.Size < 0 {
			return nil, archErr(KindMismatch, rebuildHint, "%q: the manifest says %d bytes, the archive holds %d", lf.Path, lf.Size, f.UncompressedSize64)
		}
		sum, err := hashEntry(f)
		if err != nil {
			return nil, archErr(KindCorrupt, rebuildHint, "%q: %v", lf.Path, err)
		}
		if sum != lf.SHA256 {
			return nil, archErr(KindMismatch, rebuildHint, "%q: sha256 %s, the manifest says %s", lf.Path, sum, lf.SHA256)
		}
	}
	var unlisted []string
	for name := range entries {
		if name != ManifestName && !listed[name] {
			unlisted = append(unlisted, name)
		}
	}
	if len(unlisted) > 0 {
		slices.Sort(unlisted)
		return nil, archErr(KindUnlisted, rebuildHint, "%q is in the archive but not in the manifest", unlisted[0])
	}
	if d := ComputeDigest(m.Files); d != m.Digest {
		return nil, archErr(KindDigest, rebuildHint, "the manifest's digest %s does not match its files (%s)", m.Digest, d)
	}
	return &Archive{Zip: zr, Manifest: m, Uncompressed: total}, nil
}

// checkEntryName refuses names that would leave the folder the archive is
// unpacked in, or that mean different files on different systems.
func checkEntryName(name string) error {
	bad := func(why string) error {
		return archErr(KindUnsafePath, "paths in a pack are relative and stay inside it", "entry %q: %s", name, why)
	}
	switch {
	case name == "":
		return bad("empty name")
	case strings.Contains(name, "\\"):
		return bad("backslash in the path")
	case strings.HasPrefix(name, "/"):
		return bad("absolute path")
	case len(name) >= 2 && name[1] == ':':
		return bad("drive letter")
	case strings.ContainsRune(name, 0):
		return bad("NUL in the path")
	}
	clean := strings.TrimSuffix(name, "/")
	if !fs.ValidPath(clean) || clean == "." {
		for _, el := range strings.Split(clean, "/") {
			if el == ".." {
				return bad("the path leaves the pack (..)")
			}
		}
		return bad("not a clean path (empty, . or .. elements)")
	}
	return nil
}

func parentDir(p string) string {
	i := strings.LastIndexByte(p, '/')
	if i < 0 {
		return ""
	}
	return p[:i]
}

// hashEntry reads an entry completely: archive/zip checks its CRC-32 and
// refuses more bytes than the header declares.
func hashEntry(f *zip.File) (string, error) {
	rc, err := f.Open()
	if err != nil {
		return "", err
	}
	defer rc.Close()
	h := sha256.New()
	n, err := io.Copy(h, rc)
	if err != nil {
		return "", err
	}
	if uint64(n) != f.UncompressedSize64 {
		return "", fmt.Errorf("%d bytes read, %d declared", n, f.UncompressedSize64)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
