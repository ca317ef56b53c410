package parsers

import (
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/zeebo/xxh3"

	"panther/parsers/event"
)

// Registry is a set of log types by name.
type Registry struct {
	types  []*LogType
	byName map[string]*LogType
}

// NewRegistry compiles the declarations of types into a registry.
func NewRegistry(types ...*LogType) (*Registry, error) {
	r := &Registry{byName: map[string]*LogType{}}
	for _, lt := range types {
		if err := r.Add(lt); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// Add compiles lt and adds it; a name already present is an error.
func (r *Registry) Add(lt *LogType) error {
	if err := lt.compile(); err != nil {
		return err
	}
	if _, dup := r.byName[lt.Name]; dup {
		return fmt.Errorf("log type %s is declared twice", lt.Name)
	}
	r.byName[lt.Name] = lt
	i, _ := slices.BinarySearchFunc(r.types, lt.Name, func(a *LogType, n string) int { return strings.Compare(a.Name, n) })
	r.types = slices.Insert(r.types, i, lt)
	return nil
}

// Clone returns a copy of r that can be added to without changing r.
func (r *Registry) Clone() *Registry {
	c := &Registry{types: slices.Clone(r.types), byName: make(map[string]*LogType, len(r.byName))}
	for k, v := range r.byName {
		c.byName[k] = v
	}
	return c
}

// Lookup finds a log type by its exact name.
func (r *Registry) Lookup(name string) (*LogType, bool) {
	lt, ok := r.byName[name]
	return lt, ok
}

// Canonical returns the registered spelling of a log type name, matching
// without case when there is no exact match, so Panther's spellings
// (Zeek.Ssl, Suricata.FileInfo) name our types (Zeek.SSL, Suricata.Fileinfo).
func (r *Registry) Canonical(name string) (string, bool) {
	if _, ok := r.byName[name]; ok {
		return name, true
	}
	found := ""
	for _, lt := range r.types {
		if strings.EqualFold(lt.Name, name) {
			if found != "" {
				return "", false // ambiguous
			}
			found = lt.Name
		}
	}
	return found, found != ""
}

// All returns the log types sorted by name.
func (r *Registry) All() []*LogType { return slices.Clone(r.types) }

// Names returns the log type names, sorted.
func (r *Registry) Names() []string {
	out := make([]string, len(r.types))
	for i, lt := range r.types {
		out[i] = lt.Name
	}
	return out
}

// Nearest suggests the known name closest to an unknown one ("" if none is
// close), for "did you mean" hints.
func (r *Registry) Nearest(name string) string {
	return Nearest(name, r.Names())
}

// Source says where records come from, for the p_source_* fields.
type Source struct {
	File  string // p_source_file: the path as given, or "-" for stdin
	Label string // p_source_label: a name chosen by the user
}

// Normalise fills the standard fields of e after lt's parser accepted a
// record: log type, event time (from the declared fields when the parser
// did not set it, else the parse time), parse time, row id, source fields
// and the declared indicators. ordinal is the record's position in its
// source (line number, or element index in a JSON array file): with the
// source file it makes p_row_id, so a replay of the same input gives the
// same row ids.
func (r *Registry) Normalise(lt *LogType, e *event.Event, src Source, ordinal int64, now time.Time) error {
	if e.LogType == "" || e.LogType == lt.Name {
		e.LogType = lt.Name
	} else {
		other, ok := r.byName[e.LogType]
		if !ok || other.FamilyName() != lt.FamilyName() {
			return fmt.Errorf("parser of %s produced an event of log type %q, which is not of its family", lt.Name, e.LogType)
		}
		lt = other
	}
	if e.Fields == nil {
		return fmt.Errorf("parser of %s produced an event without fields", lt.Name)
	}
	if lt.Transform != nil {
		if err := lt.Transform(e); err != nil {
			return err
		}
	}
	now = now.UTC()
	e.ParseTime = now
	if e.Time.IsZero() {
		for i := range lt.times {
			ct := &lt.times[i]
			if v := ct.path.Get(e.Fields); v != nil {
				if t, ok := ct.format(v); ok {
					e.Time = t
					break
				}
			}
		}
	}
	if e.Time.IsZero() {
		e.Time = now
	} else {
		e.Time = e.Time.UTC()
	}
	e.SourceFile = src.File
	e.SourceLabel = src.Label
	if e.Line == 0 && ordinal <= int64(^uint(0)>>1) {
		e.Line = int(ordinal)
	}
	e.RowID = RowID(src.File, ordinal)
	for i := range lt.indicators {
		lt.indicators[i].apply(e, e.Fields)
	}
	e.Finish()
	return nil
}

// RowID is the deterministic p_row_id of the record at ordinal in file: 32
// hex digits of the XXH3-128 of both.
func RowID(file string, ordinal int64) string {
	var buf [256]byte
	b := append(buf[:0], file...)
	b = append(b, 0)
	b = strconv.AppendInt(b, ordinal, 10)
	h := xxh3.Hash128(b).Bytes()
	var out [32]byte
	hex.Encode(out[:], h[:])
	return string(out[:])
}

// Nearest returns the candidate closest to name by edit distance, if it is
// close enough to be a plausible typo, else "".
func Nearest(name string, candidates []string) string {
	best, bestD := "", 1<<30
	lname := strings.ToLower(name)
	for _, c := range candidates {
		d := EditDistance(lname, strings.ToLower(c))
		if d < bestD {
			best, bestD = c, d
		}
	}
	if best == "" || bestD > max(2, len(name)/3) {
		return ""
	}
	return best
}

// EditDistance is the Levenshtein distance of two strings, in bytes.
func EditDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
