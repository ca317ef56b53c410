package engine

import (
	"errors"
	"strings"
	"unicode"
	"unicode/utf8"
)

// CheckPackID says why id cannot name a pack, or nil. A pack ID is a path
// segment of the API, a file name in the store and a word in logs and
// terminals, so it is 1 to 256 bytes of printable UTF-8: no control or
// format characters (bidi overrides, zero-width marks, which would make a
// printed ID say something else), no / or \, and not "." or "..".
// Everything that accepts a pack ID (spec loading, build, the server)
// refuses what this refuses.
func CheckPackID(id string) error {
	switch {
	case id == "":
		return errors.New("empty pack ID")
	case len(id) > 256:
		return errors.New("a pack ID is at most 256 bytes")
	case id == "." || id == "..":
		return errors.New(`"." and ".." are not pack IDs`)
	case !utf8.ValidString(id):
		return errors.New("a pack ID is UTF-8 text")
	case strings.ContainsAny(id, `/\`):
		return errors.New(`a pack ID has no / or \`)
	}
	for _, r := range id {
		if !unicode.IsPrint(r) {
			return errors.New("a pack ID has no control, format (bidi) or invisible characters")
		}
	}
	return nil
}
