package engine

import (
	"fmt"
	"io"
	"io/fs"
	"sync/atomic"

	"gopkg.in/yaml.v3"
)

// Limits on YAML. yaml.v3 keeps aliases as references in its node tree,
// but everything that converts the tree (struct decoding, a test's Log as
// JSON, a mock's returnValue) expands them: a 1 KB file of nested aliases
// (a "billion laughs") becomes gigabytes. So before anything converts a
// spec, its expanded size is counted, following aliases and stopping at
// the limit; and a file is refused by its size before it is parsed (the
// node tree takes tens of bytes per byte of dense YAML). One Load (a
// folder, a pack, an upload) has a budget for all its files too.
const (
	// MaxSpecBytes bounds one YAML file (the largest shipped spec is 14 KB).
	MaxSpecBytes = 2 << 20
	// MaxSpecExpanded bounds one spec with its aliases expanded: the bytes
	// of its scalars plus yamlNodeCost per node.
	MaxSpecExpanded = 8 << 20
	// MaxLoadYAML bounds the expanded size of all the specs of one Load.
	MaxLoadYAML = 256 << 20
	// MaxLuaBytes bounds one Lua file.
	MaxLuaBytes = 4 << 20

	yamlNodeCost = 32
)

// ExpandedSize returns the size of n with its aliases expanded (scalar
// bytes plus yamlNodeCost per node), counting no further than limit: past
// it, ok is false and line is the line of the node (often an alias) where
// the count passed the limit.
func ExpandedSize(n *yaml.Node, limit int64) (size int64, line int, ok bool) {
	var walk func(n *yaml.Node, depth int) bool
	walk = func(n *yaml.Node, depth int) bool {
		if n == nil {
			return true
		}
		size += yamlNodeCost + int64(len(n.Value)) + int64(len(n.Tag))
		if size > limit || depth > 10_000 {
			line = n.Line
			return false
		}
		if n.Kind == yaml.AliasNode {
			if !walk(n.Alias, depth+1) {
				line = n.Line // name the alias that expanded past the limit
				return false
			}
			return true
		}
		for _, c := range n.Content {
			if !walk(c, depth+1) {
				return false
			}
		}
		return true
	}
	ok = walk(n, 0)
	return size, line, ok
}

// CheckYAMLSize is ExpandedSize as an error naming file and line.
func CheckYAMLSize(file string, n *yaml.Node, limit int64) error {
	if _, line, ok := ExpandedSize(n, limit); !ok {
		return fmt.Errorf("%s:%d: the YAML expands to more than %d MiB with its aliases expanded (an alias bomb?)", file, line, limit>>20)
	}
	return nil
}

// loadBudget is what is left of MaxLoadYAML in one Load.
type loadBudget struct{ left atomic.Int64 }

func newLoadBudget() *loadBudget {
	b := &loadBudget{}
	b.left.Store(MaxLoadYAML)
	return b
}

// take spends n bytes and reports whether the budget held them.
func (b *loadBudget) take(n int64) bool {
	if b == nil {
		return true
	}
	return b.left.Add(-n) >= 0
}

// tooBigError is a file refused by its size.
type tooBigError struct{ size, max int64 }

func (e *tooBigError) Error() string {
	if e.size > 0 {
		return fmt.Sprintf("the file is %d bytes, more than the limit of %d MiB", e.size, e.max>>20)
	}
	return fmt.Sprintf("the file is more than the limit of %d MiB", e.max>>20)
}

// readLimited reads a file of fsys, refusing it past max bytes before
// reading it all.
func readLimited(fsys fs.FS, p string, max int64) ([]byte, error) {
	f, err := fsys.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.Size() > max {
		return nil, &tooBigError{size: st.Size(), max: max}
	}
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > max {
		return nil, &tooBigError{max: max}
	}
	return data, nil
}
