package lake

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// The ledger (_sources/*.jsonl) records, with the commit that makes their
// rows visible, what a later writer must not write again. A line is one
// of three kinds:
//
//   - a source, by the SHA-256 of its bytes (Digest): a file a replay
//     read to the end;
//   - a range of offsets [From, To) of an unbounded source (Stream: a
//     write-ahead log, a Kafka partition...), whose events were written;
//   - a keyed row (Key, "<table>/<key>"): a row written with
//     WriteRowOnce, such as an alert by its id.
//
// Each commit adds a file; MergeLedger (and Open, past mergeLedgerFiles
// files) merges them into one, so that a lake committed to every ten
// seconds for months does not keep a million of them.

// ledgerEntry is a line of a _sources/*.jsonl file.
type ledgerEntry struct {
	Digest string `json:"digest,omitempty"`
	Key    string `json:"key,omitempty"`
	Stream string `json:"stream,omitempty"`
	From   int64  `json:"from,omitempty"`
	To     int64  `json:"to,omitempty"`

	File      string    `json:"file,omitempty"`
	Label     string    `json:"label,omitempty"`
	Bytes     int64     `json:"bytes,omitempty"`
	Rows      int64     `json:"rows"`
	Run       string    `json:"run,omitempty"`
	Committed time.Time `json:"committed,omitzero"`
}

// ledger is what the ledger holds, in memory.
type ledger struct {
	digests map[string]bool
	keys    map[string]bool  // "<table>/<key>"
	streams map[string]int64 // stream -> end of its last committed range
}

func newLedger() *ledger {
	return &ledger{digests: map[string]bool{}, keys: map[string]bool{}, streams: map[string]int64{}}
}

func (l *ledger) add(e ledgerEntry) {
	switch {
	case e.Digest != "":
		l.digests[e.Digest] = true
	case e.Key != "":
		l.keys[e.Key] = true
	case e.Stream != "":
		l.streams[e.Stream] = max(l.streams[e.Stream], e.To)
	}
}

// mergeLedgerFiles: Open merges the ledger files when there are more.
const mergeLedgerFiles = 256

// readLedger reads the ledger of the lake at dir, and says how many files
// it is in.
func readLedger(dir string) (*ledger, int, error) {
	l := newLedger()
	files, err := filepath.Glob(filepath.Join(dir, sourcesDir, "*.jsonl"))
	if err != nil {
		return nil, 0, err
	}
	for _, f := range files {
		if err := readLedgerFile(f, l.add); err != nil {
			return nil, 0, err
		}
	}
	return l, len(files), nil
}

func readLedgerFile(f string, add func(ledgerEntry)) error {
	data, err := os.ReadFile(f)
	if errors.Is(err, fs.ErrNotExist) {
		return nil // merged away meanwhile
	}
	if err != nil {
		return fmt.Errorf("lake: reading the source ledger: %w", err)
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		var e ledgerEntry
		err := json.Unmarshal(sc.Bytes(), &e)
		if err == nil && e.kinds() != 1 {
			err = errors.New("want one of digest, key and stream")
		}
		if err != nil {
			return fmt.Errorf("lake: source ledger %s:%d is damaged (%v); fix or remove that line", f, n, err)
		}
		add(e)
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("lake: reading %s: %w", f, err)
	}
	return nil
}

func (e ledgerEntry) kinds() int {
	n := 0
	for _, s := range []string{e.Digest, e.Key, e.Stream} {
		if s != "" {
			n++
		}
	}
	return n
}

// mergeLedger merges the ledger files of the lake at dir into one, named
// after run: sources and keyed rows line by line, the ranges of each
// stream as one from the first offset to the last. The merged file is
// written (synced, renamed) before the others are removed, so a crash
// leaves lines twice at worst, which reads the same. The caller holds the
// lake's lock.
func mergeLedger(dir, run string) error {
	files, err := filepath.Glob(filepath.Join(dir, sourcesDir, "*.jsonl"))
	if err != nil || len(files) < 2 {
		return err
	}
	var lines []ledgerEntry
	streams := map[string]*ledgerEntry{}
	seen := map[string]bool{}
	for _, f := range files {
		err := readLedgerFile(f, func(e ledgerEntry) {
			if e.Stream != "" {
				if s := streams[e.Stream]; s != nil {
					s.From, s.To = min(s.From, e.From), max(s.To, e.To)
					s.Rows += e.Rows
					if e.Committed.After(s.Committed) {
						s.Committed, s.Run = e.Committed, e.Run
					}
					return
				}
				c := e
				streams[e.Stream] = &c
				return
			}
			id := e.Digest + "\x00" + e.Key
			if !seen[id] {
				seen[id] = true
				lines = append(lines, e)
			}
		})
		if err != nil {
			return err
		}
	}
	names := make([]string, 0, len(streams))
	for n := range streams {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		lines = append(lines, *streams[n])
	}
	var b bytes.Buffer
	for _, e := range lines {
		line, err := json.Marshal(e)
		if err != nil {
			return err
		}
		b.Write(line)
		b.WriteByte('\n')
	}
	out := filepath.Join(dir, sourcesDir, run+"-merged.jsonl")
	if err := writeAtomic(out, b.Bytes()); err != nil {
		return fmt.Errorf("lake: merging the source ledger into %s: %w", out, err)
	}
	for _, f := range files {
		if f == out || strings.HasSuffix(f, string(filepath.Separator)+filepath.Base(out)) {
			continue
		}
		if err := os.Remove(f); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("lake: merging the source ledger: %w", err)
		}
	}
	return syncDir(filepath.Join(dir, sourcesDir))
}
