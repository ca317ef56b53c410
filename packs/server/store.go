package server

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"panther/internal/durable"
	"panther/packs"
)

// Store keeps pack versions: their records in a bbolt database
// (<data>/panther.db) and their zips as content-addressed blobs
// (<data>/blobs/sha256/<2 hex>/<sha256>). Uploads are staged in
// <data>/tmp, on the same file system, so that a blob appears by rename
// only once complete and synced.
//
// Crash safety: a blob is written temp → fsync → rename → fsync(dir); the
// version record that names it is committed after that, in one bbolt
// transaction (bbolt commits with fsync, and a transaction is all or
// nothing). A crash before the commit leaves at most an unreferenced
// complete blob and temp files: OpenStore removes both, and the previous
// active version is untouched.
type Store struct {
	db  *bolt.DB
	dir string
	now func() time.Time
	// blobMu orders blob writes with blob removals: an upload holds it
	// shared from writing its blob to committing the version that names
	// it; a delete holds it exclusively while it removes blobs that no
	// version names, so it never removes a blob an upload is about to
	// reference.
	blobMu sync.RWMutex
}

var (
	bucketPacks = []byte("packs")
	bucketAudit = []byte("audit")
	keyMeta     = []byte("meta")
	bucketVers  = []byte("versions")
	bucketDigs  = []byte("digests")
)

// packMeta is a pack's record. It repeats what a download of the active
// version needs (ActiveRef), so that an ETag revalidation reads this small
// record and not the version's, which lists every detection.
type packMeta struct {
	DisplayName string    `json:"display_name,omitempty"`
	Active      int       `json:"active"`
	ActiveRef   activeRef `json:"active_ref"`
	History     []int     `json:"history,omitempty"` // versions active before, oldest first
	Next        int       `json:"next"`              // the last version number given
	Created     time.Time `json:"created"`
	Updated     time.Time `json:"updated"`
}

// AuditEntry is one change, as stored in the audit bucket.
type AuditEntry struct {
	Time    time.Time `json:"time"`
	Action  string    `json:"action"` // upload, activate, rollback, delete
	Pack    string    `json:"pack"`
	Version int       `json:"version,omitempty"`
	Token   string    `json:"token"`
	Remote  string    `json:"remote,omitempty"`
	Detail  string    `json:"detail,omitempty"`
}

// What the store refuses, as plain errors: the API's handlers map them to
// HTTP (404, 409), and any other caller (the console, a command) may test
// them with errors.Is.
var (
	// ErrNotFound: no such pack or version.
	ErrNotFound = errors.New("not found")
	// ErrConflict: the pack is not in the state the request expects (the
	// active version changed, a version in use cannot be deleted).
	ErrConflict = errors.New("conflict")
)

// StoreError is a refusal of the store: Kind (ErrNotFound or ErrConflict,
// which errors.Is matches) with what happened and what to do.
type StoreError struct {
	Kind error
	Msg  string
	Hint string
}

func (e *StoreError) Error() string { return e.Msg }
func (e *StoreError) Unwrap() error { return e.Kind }

func notFound(format string, args ...any) error {
	return &StoreError{Kind: ErrNotFound, Msg: fmt.Sprintf(format, args...), Hint: "`panther pack remote list` shows the packs and `panther pack remote get ID` their versions"}
}

func conflict(hint, format string, args ...any) error {
	return &StoreError{Kind: ErrConflict, Msg: fmt.Sprintf(format, args...), Hint: hint}
}

// OpenStore opens (creating) the store in dir, and removes what a crash
// may have left: staged uploads and blobs no version names.
func OpenStore(dir string, now func() time.Time) (*Store, error) {
	if now == nil {
		now = time.Now
	}
	for _, d := range []string{dir, filepath.Join(dir, "blobs", "sha256"), filepath.Join(dir, "tmp")} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, fmt.Errorf("data dir: %w", err)
		}
	}
	db, err := bolt.Open(filepath.Join(dir, "panther.db"), 0o600, &bolt.Options{Timeout: 500 * time.Millisecond})
	if err != nil {
		if errors.Is(err, bolt.ErrTimeout) {
			return nil, fmt.Errorf("data dir %s: the database is locked by another process (another panther serve on the same --data?)", dir)
		}
		return nil, fmt.Errorf("data dir %s: open database: %w", dir, err)
	}
	s := &Store{db: db, dir: dir, now: now}
	err = db.Update(func(tx *bolt.Tx) error {
		if _, err := tx.CreateBucketIfNotExists(bucketPacks); err != nil {
			return err
		}
		_, err := tx.CreateBucketIfNotExists(bucketAudit)
		return err
	})
	if err == nil {
		err = s.recover()
	}
	if err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

func (s *Store) tmpDir() string { return filepath.Join(s.dir, "tmp") }

func (s *Store) blobPath(sum string) string {
	return filepath.Join(s.dir, "blobs", "sha256", sum[:2], sum)
}

// recover empties tmp and removes blobs no version names (a crash between
// a blob's rename and its version's commit).
func (s *Store) recover() error {
	entries, err := os.ReadDir(s.tmpDir())
	if err != nil {
		return err
	}
	for _, e := range entries {
		if err := os.RemoveAll(filepath.Join(s.tmpDir(), e.Name())); err != nil {
			return err
		}
	}
	return s.removeUnreferencedBlobs(nil)
}

// removeUnreferencedBlobs removes the blobs of candidates (all blobs when
// nil) that no version names. The caller holds blobMu exclusively or is
// alone (OpenStore).
func (s *Store) removeUnreferencedBlobs(candidates []string) error {
	refs := map[string]bool{}
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketPacks).ForEachBucket(func(id []byte) error {
			return tx.Bucket(bucketPacks).Bucket(id).Bucket(bucketVers).ForEach(func(_, v []byte) error {
				var ver packs.Version
				if err := json.Unmarshal(v, &ver); err != nil {
					return err
				}
				refs[ver.Blob] = true
				return nil
			})
		})
	})
	if err != nil {
		return err
	}
	if candidates == nil {
		root := filepath.Join(s.dir, "blobs", "sha256")
		fans, err := os.ReadDir(root)
		if err != nil {
			return err
		}
		for _, f := range fans {
			files, err := os.ReadDir(filepath.Join(root, f.Name()))
			if err != nil {
				continue
			}
			for _, b := range files {
				candidates = append(candidates, b.Name())
			}
		}
	}
	for _, c := range candidates {
		if refs[c] || len(c) < 2 {
			continue
		}
		if err := os.Remove(s.blobPath(c)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	return nil
}

// putBlob moves a complete, synced staged file to its blob path. When the
// blob exists already the staged file is removed instead.
func (s *Store) putBlob(staged, sum string) error {
	dst := s.blobPath(sum)
	if _, err := os.Stat(dst); err == nil {
		return os.Remove(staged)
	}
	dir := filepath.Dir(dst)
	if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return err
		}
		if err := syncDir(filepath.Dir(dir)); err != nil {
			return err
		}
	}
	testHook("before-rename")
	if err := os.Rename(staged, dst); err != nil {
		return err
	}
	return syncDir(dir)
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error { return durable.SyncDir(dir) }

func be64(v int) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, uint64(v))
	return b
}

// packRecord returns the bucket and record of a pack, or a not-found error.
func packRecord(tx *bolt.Tx, pack string) (*bolt.Bucket, *packMeta, error) {
	pb := tx.Bucket(bucketPacks).Bucket([]byte(pack))
	if pb == nil {
		return nil, nil, notFound("no pack %s", pack)
	}
	m, err := getMeta(pb)
	if err != nil {
		return nil, nil, err
	}
	return pb, m, nil
}

func getMeta(pb *bolt.Bucket) (*packMeta, error) {
	var m packMeta
	if err := json.Unmarshal(pb.Get(keyMeta), &m); err != nil {
		return nil, fmt.Errorf("corrupt pack record: %w", err)
	}
	return &m, nil
}

func putJSON(b *bolt.Bucket, key []byte, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.Put(key, data)
}

func getVersion(pb *bolt.Bucket, v int) (*packs.Version, bool, error) {
	data := pb.Bucket(bucketVers).Get(be64(v))
	if data == nil {
		return nil, false, nil
	}
	var ver packs.Version
	if err := json.Unmarshal(data, &ver); err != nil {
		return nil, false, fmt.Errorf("corrupt version record: %w", err)
	}
	return &ver, true, nil
}

func (s *Store) audit(tx *bolt.Tx, e AuditEntry) error {
	b := tx.Bucket(bucketAudit)
	seq, err := b.NextSequence()
	if err != nil {
		return err
	}
	e.Time = s.now().UTC()
	return putJSON(b, be64(int(seq)), e)
}

// activeRef is what serving the active version needs.
type activeRef struct {
	Version int       `json:"version"`
	Blob    string    `json:"blob"`
	Digest  string    `json:"digest"`
	Created time.Time `json:"created"`
}

// setActive makes v active, remembering the version it replaces.
func (m *packMeta) setActive(v *packs.Version) {
	if m.Active == v.Version {
		return
	}
	if m.Active != 0 {
		m.History = append(m.History, m.Active)
		if len(m.History) > 100 {
			m.History = m.History[len(m.History)-100:]
		}
	}
	m.point(v)
}

// point sets the active version without touching the history.
func (m *packMeta) point(v *packs.Version) {
	m.Active = v.Version
	m.ActiveRef = activeRef{Version: v.Version, Blob: v.Blob, Digest: v.Digest, Created: v.Created}
}

// rollbackTarget is the most recent earlier active version still stored.
func (m *packMeta) rollbackTarget(pb *bolt.Bucket) int {
	for i := len(m.History) - 1; i >= 0; i-- {
		v := m.History[i]
		if v != m.Active && pb.Bucket(bucketVers).Get(be64(v)) != nil {
			return v
		}
	}
	return 0
}

// who identifies the caller in the audit log.
type who struct {
	token  string
	remote string
}

// Peek tells what an upload of digest would do, for dry runs: the version
// that has it (0: none), the active version and the version number a new
// upload would get.
func (s *Store) Peek(pack, digest string) (existing, active, next int, err error) {
	err = s.db.View(func(tx *bolt.Tx) error {
		pb := tx.Bucket(bucketPacks).Bucket([]byte(pack))
		if pb == nil {
			next = 1
			return nil
		}
		m, err := getMeta(pb)
		if err != nil {
			return err
		}
		if v := pb.Bucket(bucketDigs).Get([]byte(digest)); v != nil {
			existing = int(binary.BigEndian.Uint64(v))
		}
		active, next = m.Active, m.Next+1
		return nil
	})
	return existing, active, next, err
}

// HasDigest reports whether pack has a version with digest.
func (s *Store) HasDigest(pack, digest string) bool {
	existing, _, _, err := s.Peek(pack, digest)
	return err == nil && existing != 0
}

// ActiveFingerprints returns the detection fingerprints of the active
// version (nil when none).
func (s *Store) ActiveFingerprints(pack string) (map[string]string, error) {
	v, err := s.Active(pack)
	if err != nil {
		if errors.Is(err, ErrNotFound) {
			return nil, nil
		}
		return nil, err
	}
	return v.Detections, nil
}

// storeUpload stores the staged zip of a checked upload as a blob (unless
// a version has its digest already), then commits its version. stored
// says whether the staged file was moved.
func (s *Store) storeUpload(staged *os.File, ver packs.Version, displayName string, activate bool, ifActive int, by who) (res *packs.UploadResult, stored bool, err error) {
	s.blobMu.RLock()
	if !s.HasDigest(ver.Pack, ver.Digest) {
		if err := staged.Sync(); err != nil {
			s.blobMu.RUnlock()
			return nil, false, err
		}
		testHook("staged-synced")
		if err := s.putBlob(staged.Name(), ver.Blob); err != nil {
			s.blobMu.RUnlock()
			return nil, false, err
		}
		stored = true
		testHook("blob-stored")
	}
	res, err = s.Commit(ver, displayName, activate, ifActive, by)
	s.blobMu.RUnlock()
	testHook("committed")
	if stored && (err != nil || res.Status != packs.StatusCreated) {
		// A concurrent upload of the same digest won, or the commit
		// failed: drop the blob unless a version names it.
		s.blobMu.Lock()
		rerr := s.removeUnreferencedBlobs([]string{ver.Blob})
		s.blobMu.Unlock()
		if err == nil {
			err = rerr
		}
	}
	return res, stored, err
}

// Commit records an uploaded version whose blob is stored: a new version,
// or the version that has its digest already. With activate it becomes
// active. ifActive > 0 refuses the change (409) unless that version is
// the active one.
func (s *Store) Commit(ver packs.Version, displayName string, activate bool, ifActive int, by who) (*packs.UploadResult, error) {
	res := &packs.UploadResult{Pack: ver.Pack, Digest: ver.Digest, Tests: ver.Tests}
	err := s.db.Update(func(tx *bolt.Tx) error {
		pb, err := tx.Bucket(bucketPacks).CreateBucketIfNotExists([]byte(ver.Pack))
		if err != nil {
			return err
		}
		m := &packMeta{Created: s.now().UTC()}
		if pb.Get(keyMeta) != nil {
			if m, err = getMeta(pb); err != nil {
				return err
			}
		}
		if _, err := pb.CreateBucketIfNotExists(bucketVers); err != nil {
			return err
		}
		if _, err := pb.CreateBucketIfNotExists(bucketDigs); err != nil {
			return err
		}
		if ifActive > 0 && m.Active != ifActive {
			return conflict("someone changed the pack meanwhile: look at `panther pack remote get "+ver.Pack+"` and retry",
				"the active version of %s is %d, not %d", ver.Pack, m.Active, ifActive)
		}
		action := "upload"
		target := &ver
		if v := pb.Bucket(bucketDigs).Get([]byte(ver.Digest)); v != nil {
			res.Version = int(binary.BigEndian.Uint64(v))
			if m.Active == res.Version || !activate {
				res.Status = packs.StatusUnchanged
				res.Active = m.Active
				return nil // nothing to write
			}
			res.Status = packs.StatusActivated
			action = "activate"
			old, ok, err := getVersion(pb, res.Version)
			if err != nil {
				return err
			}
			if !ok {
				return fmt.Errorf("pack %s: digest index names version %d, which has no record", ver.Pack, res.Version)
			}
			target = old
		} else {
			m.Next++
			ver.Version = m.Next
			ver.Created = s.now().UTC()
			if err := putJSON(pb.Bucket(bucketVers), be64(ver.Version), ver); err != nil {
				return err
			}
			if err := pb.Bucket(bucketDigs).Put([]byte(ver.Digest), be64(ver.Version)); err != nil {
				return err
			}
			res.Version, res.Status = ver.Version, packs.StatusCreated
		}
		if activate {
			m.setActive(target)
		}
		if displayName != "" {
			m.DisplayName = displayName
		}
		m.Updated = s.now().UTC()
		res.Active = m.Active
		if err := putJSON(pb, keyMeta, m); err != nil {
			return err
		}
		detail := res.Status
		if activate {
			detail += ", active"
		}
		return s.audit(tx, AuditEntry{Action: action, Pack: ver.Pack, Version: res.Version, Token: by.token, Remote: by.remote, Detail: detail + " " + ver.Digest})
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// Activate makes version to active. With rollback and to == 0, the
// version active before the current one. Activating the active version
// changes nothing and succeeds (a retried request is harmless).
func (s *Store) Activate(pack string, to int, rollback bool, ifActive int, by who) (*packs.PackInfo, error) {
	err := s.db.Update(func(tx *bolt.Tx) error {
		pb, m, err := packRecord(tx, pack)
		if err != nil {
			return err
		}
		if rollback && to == 0 {
			to = m.rollbackTarget(pb)
			if to == 0 {
				return conflict("activate a version explicitly: `panther pack remote activate "+pack+" VERSION`",
					"pack %s has no earlier active version to roll back to", pack)
			}
		}
		target, ok, err := getVersion(pb, to)
		if err != nil {
			return err
		}
		if !ok {
			return notFound("pack %s has no version %d", pack, to)
		}
		if m.Active == to {
			return nil
		}
		if ifActive > 0 && m.Active != ifActive {
			return conflict("someone changed the pack meanwhile: look at `panther pack remote get "+pack+"` and retry",
				"the active version of %s is %d, not %d", pack, m.Active, ifActive)
		}
		from := m.Active
		action := "activate"
		if rollback && len(m.History) > 0 && m.History[len(m.History)-1] == to {
			// A rollback goes back in history: forget the step undone so
			// that a second rollback goes further back.
			m.History = m.History[:len(m.History)-1]
			m.point(target)
			action = "rollback"
		} else {
			m.setActive(target)
		}
		m.Updated = s.now().UTC()
		if err := putJSON(pb, keyMeta, m); err != nil {
			return err
		}
		return s.audit(tx, AuditEntry{Action: action, Pack: pack, Version: to, Token: by.token, Remote: by.remote, Detail: fmt.Sprintf("from %d", from)})
	})
	if err != nil {
		return nil, err
	}
	return s.Get(pack)
}

// Delete removes a version (version > 0; not the active one) or a whole
// pack, then the blobs no version names anymore.
func (s *Store) Delete(pack string, version, ifActive int, by who) error {
	s.blobMu.Lock()
	defer s.blobMu.Unlock()
	var blobs []string
	err := s.db.Update(func(tx *bolt.Tx) error {
		pb, m, err := packRecord(tx, pack)
		if err != nil {
			return err
		}
		if ifActive > 0 && m.Active != ifActive {
			return conflict("someone changed the pack meanwhile: look at `panther pack remote get "+pack+"` and retry",
				"the active version of %s is %d, not %d", pack, m.Active, ifActive)
		}
		if version == 0 {
			err := pb.Bucket(bucketVers).ForEach(func(_, v []byte) error {
				var ver packs.Version
				if err := json.Unmarshal(v, &ver); err != nil {
					return err
				}
				blobs = append(blobs, ver.Blob)
				return nil
			})
			if err != nil {
				return err
			}
			if err := tx.Bucket(bucketPacks).DeleteBucket([]byte(pack)); err != nil {
				return err
			}
			return s.audit(tx, AuditEntry{Action: "delete", Pack: pack, Token: by.token, Remote: by.remote, Detail: "whole pack"})
		}
		ver, ok, err := getVersion(pb, version)
		if err != nil {
			return err
		}
		if !ok {
			return notFound("pack %s has no version %d", pack, version)
		}
		if m.Active == version {
			return conflict("activate another version first (`panther pack remote rollback "+pack+"`), or delete the whole pack",
				"version %d is the active version of %s", version, pack)
		}
		if err := pb.Bucket(bucketVers).Delete(be64(version)); err != nil {
			return err
		}
		if err := pb.Bucket(bucketDigs).Delete([]byte(ver.Digest)); err != nil {
			return err
		}
		m.History = slices.DeleteFunc(m.History, func(v int) bool { return v == version })
		m.Updated = s.now().UTC()
		if err := putJSON(pb, keyMeta, m); err != nil {
			return err
		}
		blobs = append(blobs, ver.Blob)
		return s.audit(tx, AuditEntry{Action: "delete", Pack: pack, Version: version, Token: by.token, Remote: by.remote})
	})
	if err != nil {
		return err
	}
	return s.removeUnreferencedBlobs(blobs)
}

// List returns a summary of every pack, sorted by ID.
func (s *Store) List() ([]packs.PackSummary, error) {
	out := []packs.PackSummary{}
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketPacks).ForEachBucket(func(id []byte) error {
			sum, _, err := summary(tx.Bucket(bucketPacks).Bucket(id), string(id))
			if err != nil {
				return err
			}
			out = append(out, *sum)
			return nil
		})
	})
	return out, err
}

func summary(pb *bolt.Bucket, id string) (*packs.PackSummary, *packMeta, error) {
	m, err := getMeta(pb)
	if err != nil {
		return nil, nil, err
	}
	sum := &packs.PackSummary{ID: id, DisplayName: m.DisplayName, Active: m.Active, Updated: m.Updated,
		Versions: pb.Bucket(bucketVers).Stats().KeyN}
	if m.Active > 0 {
		if v, ok, err := getVersion(pb, m.Active); err != nil {
			return nil, nil, err
		} else if ok {
			sum.Digest = v.Digest
			sum.Detections = len(v.Detections)
		}
	}
	return sum, m, nil
}

// Get returns a pack and its versions, newest first.
func (s *Store) Get(pack string) (*packs.PackInfo, error) {
	var info *packs.PackInfo
	err := s.db.View(func(tx *bolt.Tx) error {
		pb := tx.Bucket(bucketPacks).Bucket([]byte(pack))
		if pb == nil {
			return notFound("no pack %s", pack)
		}
		sum, m, err := summary(pb, pack)
		if err != nil {
			return err
		}
		info = &packs.PackInfo{PackSummary: *sum, RollbackTo: m.rollbackTarget(pb), List: []packs.Version{}}
		c := pb.Bucket(bucketVers).Cursor()
		for k, v := c.Last(); k != nil; k, v = c.Prev() {
			var ver packs.Version
			if err := json.Unmarshal(v, &ver); err != nil {
				return err
			}
			ver.Active = ver.Version == m.Active
			info.List = append(info.List, ver)
		}
		return nil
	})
	return info, err
}

// Version returns one version.
func (s *Store) Version(pack string, version int) (*packs.Version, error) {
	var out *packs.Version
	err := s.db.View(func(tx *bolt.Tx) error {
		pb, m, err := packRecord(tx, pack)
		if err != nil {
			return err
		}
		v, ok, err := getVersion(pb, version)
		if err != nil {
			return err
		}
		if !ok {
			return notFound("pack %s has no version %d", pack, version)
		}
		v.Active = v.Version == m.Active
		out = v
		return nil
	})
	return out, err
}

// Active returns the active version of a pack.
func (s *Store) Active(pack string) (*packs.Version, error) {
	var out *packs.Version
	err := s.db.View(func(tx *bolt.Tx) error {
		pb, m, err := packRecord(tx, pack)
		if err != nil {
			return err
		}
		if m.Active == 0 {
			return notFound("pack %s has no active version", pack)
		}
		v, ok, err := getVersion(pb, m.Active)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("pack %s: the active version %d has no record", pack, m.Active)
		}
		v.Active = true
		out = v
		return nil
	})
	return out, err
}

// ActiveRef returns what serving the active version of a pack needs,
// reading only the pack's record.
func (s *Store) ActiveRef(pack string) (activeRef, error) {
	var ref activeRef
	err := s.db.View(func(tx *bolt.Tx) error {
		_, m, err := packRecord(tx, pack)
		if err != nil {
			return err
		}
		if m.Active == 0 {
			return notFound("pack %s has no active version", pack)
		}
		ref = m.ActiveRef
		return nil
	})
	return ref, err
}

// Audit returns the last n audit entries of a pack ("" for all), newest
// first.
func (s *Store) Audit(pack string, n int) ([]AuditEntry, error) {
	out := []AuditEntry{}
	err := s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketAudit).Cursor()
		for k, v := c.Last(); k != nil && len(out) < n; k, v = c.Prev() {
			var e AuditEntry
			if err := json.Unmarshal(v, &e); err != nil {
				return err
			}
			if pack == "" || e.Pack == pack {
				out = append(out, e)
			}
		}
		return nil
	})
	return out, err
}

// OpenBlob opens a stored zip.
func (s *Store) OpenBlob(sum string) (*os.File, error) {
	if len(sum) != 64 || strings.Trim(sum, "0123456789abcdef") != "" {
		return nil, fmt.Errorf("bad blob name %q", sum)
	}
	return os.Open(s.blobPath(sum))
}
