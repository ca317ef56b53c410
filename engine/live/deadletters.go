package live

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"sync"
	"unicode/utf8"
)

// DeadLetters keeps the records that could not be parsed: the last
// MaxKept in memory for the API, and every one in a JSON Lines file
// (dead-letters.jsonl in the data folder, in the format of `panther parse
// --dead-letter`), which is rotated once it passes MaxFileBytes (the
// previous one is kept as dead-letters.1.jsonl).
type DeadLetters struct {
	path    string
	maxFile int64
	maxKept int

	mu    sync.Mutex
	ring  []DeadLetter
	next  int
	total int64
	f     *os.File
	w     *bufio.Writer
	size  int64
}

// DeadLetter is a bad record as the API lists it.
type DeadLetter struct {
	BadRecord
	Record       string `json:"record,omitempty"`
	RecordBase64 string `json:"record_base64,omitempty"`
}

// OpenDeadLetters opens the store in dir ("" keeps them in memory only).
func OpenDeadLetters(dir string, maxKept int, maxFileBytes int64) (*DeadLetters, error) {
	if maxKept <= 0 {
		maxKept = 1000
	}
	if maxFileBytes <= 0 {
		maxFileBytes = 256 << 20
	}
	d := &DeadLetters{maxFile: maxFileBytes, maxKept: maxKept}
	if dir != "" {
		d.path = filepath.Join(dir, "dead-letters.jsonl")
		if err := d.open(); err != nil {
			return nil, err
		}
	}
	return d, nil
}

func (d *DeadLetters) open() error {
	f, err := os.OpenFile(d.path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return err
	}
	d.f, d.w, d.size = f, bufio.NewWriter(f), st.Size()
	return nil
}

// maxKeptRecord bounds the bytes of a record kept in memory and on disk.
const maxKeptRecord = 64 << 10

// Add keeps a bad record.
func (d *DeadLetters) Add(b BadRecord) {
	dl := DeadLetter{BadRecord: b}
	data := b.Data
	if len(data) > maxKeptRecord {
		dl.Size = int64(len(data))
		data = nil
	}
	if data != nil {
		if utf8.Valid(data) {
			dl.Record = string(data)
		} else {
			dl.RecordBase64 = base64.StdEncoding.EncodeToString(data)
		}
	}
	dl.Data = nil
	d.mu.Lock()
	defer d.mu.Unlock()
	d.total++
	if len(d.ring) < d.maxKept {
		d.ring = append(d.ring, dl)
	} else {
		d.ring[d.next] = dl
		d.next = (d.next + 1) % d.maxKept
	}
	if d.w != nil {
		line, _ := json.Marshal(dl)
		line = append(line, '\n')
		if d.size+int64(len(line)) > d.maxFile {
			d.rotate()
		}
		if d.w != nil {
			n, _ := d.w.Write(line)
			d.size += int64(n)
		}
	}
}

func (d *DeadLetters) rotate() {
	d.w.Flush()
	d.f.Close()
	d.f, d.w = nil, nil
	_ = os.Rename(d.path, filepath.Join(filepath.Dir(d.path), "dead-letters.1.jsonl"))
	_ = d.open()
}

// List returns the kept records, newest first, at most limit.
func (d *DeadLetters) List(limit int) (list []DeadLetter, total int64) {
	d.mu.Lock()
	defer d.mu.Unlock()
	n := len(d.ring)
	for i := 0; i < n && (limit <= 0 || len(list) < limit); i++ {
		idx := (d.next - 1 - i + 2*n) % n
		if len(d.ring) < d.maxKept {
			idx = n - 1 - i
		}
		list = append(list, d.ring[idx])
	}
	return list, d.total
}

// Flush writes the file's buffer.
func (d *DeadLetters) Flush() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.w == nil {
		return nil
	}
	return d.w.Flush()
}

// Close flushes and closes the file.
func (d *DeadLetters) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.w == nil {
		return nil
	}
	err := d.w.Flush()
	if cerr := d.f.Close(); err == nil {
		err = cerr
	}
	d.f, d.w = nil, nil
	return err
}
