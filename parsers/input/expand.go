package input

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Source is one input found by Expand.
type Source struct {
	// Path is the file's path ("-" for standard input): the argument as
	// given, or joined to it for the files of a directory.
	Path string
	// Size is the file's size in bytes as listed (-1 for standard input),
	// for progress reports.
	Size int64
}

// Expand turns command-line arguments into sources, in a deterministic
// order: each argument in turn; a directory's files, found recursively
// (skipping hidden files and directories, names starting with "."), in
// the time order their names or folders give (timeorder.go), lexical
// among equals and first when they give none; a glob pattern
// (filepath.Match syntax, used when the argument is not an existing path)
// by its matches, ordered the same way; "-" for standard input. A file
// reached twice is listed once. What cannot be found or listed is an error
// in errs, and the rest goes on; a file that cannot be read shows when it
// is opened (Open), so that a listing does not open every file twice.
func Expand(args []string) (srcs []Source, errs []error) {
	seen := map[string]bool{}
	add := func(path string, size int64) {
		key := path
		if path != "-" {
			key = filepath.Clean(path)
		}
		if !seen[key] {
			seen[key] = true
			srcs = append(srcs, Source{Path: path, Size: size})
		}
	}
	for _, arg := range args {
		if arg == "-" {
			add("-", -1)
			continue
		}
		var found []Source
		collect := func(path string, size int64) { found = append(found, Source{Path: path, Size: size}) }
		st, err := os.Stat(arg)
		if err == nil {
			expandPath(arg, st, collect, &errs)
			sortByTime(found)
			for _, s := range found {
				add(s.Path, s.Size)
			}
			continue
		}
		if !errors.Is(err, fs.ErrNotExist) || !hasMeta(arg) {
			errs = append(errs, &SourceError{File: arg, Err: pathErr(err)})
			continue
		}
		matches, gerr := filepath.Glob(arg)
		if gerr != nil {
			errs = append(errs, &SourceError{File: arg, Err: fmt.Errorf("bad pattern: %w", gerr)})
			continue
		}
		if len(matches) == 0 {
			errs = append(errs, &SourceError{File: arg, Err: errors.New("no file matches this pattern")})
			continue
		}
		for _, m := range matches { // sorted by Glob
			st, err := os.Stat(m)
			if err != nil {
				errs = append(errs, &SourceError{File: m, Err: pathErr(err)})
				continue
			}
			expandPath(m, st, collect, &errs)
		}
		sortByTime(found)
		for _, s := range found {
			add(s.Path, s.Size)
		}
	}
	return srcs, errs
}

func hasMeta(path string) bool { return strings.ContainsAny(path, `*?[`) }

// expandPath adds a file, or the files under a directory.
func expandPath(path string, st fs.FileInfo, add func(string, int64), errs *[]error) {
	if !st.IsDir() {
		add(path, st.Size())
		return
	}
	// WalkDir visits in lexical order, which makes the order deterministic.
	_ = filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			*errs = append(*errs, &SourceError{File: p, Err: pathErr(err)})
			if d != nil && d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if p != path && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return nil
		}
		info, err := os.Stat(p) // follows a symbolic link
		switch {
		case err != nil:
			*errs = append(*errs, &SourceError{File: p, Err: pathErr(err)})
		case info.Mode().IsRegular():
			add(p, info.Size())
		}
		// Links to directories, sockets and devices are not logs: skipped.
		return nil
	})
}
