package engine

import (
	"fmt"
	"os"
	"strings"
)

// LoadPaths loads the detection trees at paths (folders or spec files of
// the file system), or, with none, the shipped trees: what every command
// that runs detections starts with. A path that does not exist is an
// error before anything loads. The Set's Origin says which it was.
func LoadPaths(paths []string, shipped []Source, opts LoadOptions) (*Set, error) {
	if len(paths) == 0 {
		set := Load(shipped, opts)
		set.Origin = fmt.Sprintf("shipped library (%s)", plural(len(set.Detections), "detection"))
		return set, nil
	}
	var srcs []Source
	for _, p := range paths {
		if _, err := os.Stat(p); err != nil {
			return nil, fmt.Errorf("detections path %s: %v", p, unwrapPathError(err))
		}
		srcs = append(srcs, DirSource(p))
	}
	set := Load(srcs, opts)
	set.Origin = fmt.Sprintf("%s (%s)", strings.Join(paths, ", "), plural(len(set.Detections), "detection"))
	return set, nil
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}
