package parquet

import "regexp"

// createdByRE is parquet-java's VersionParser.FORMAT, anchored as its
// Matcher.matches() is: "<application> version <version> (build <hash>)".
// A file whose created_by does not match has its string statistics
// ignored by parquet-java (CorruptStatistics.shouldIgnoreStatistics), and
// so by Spark and Hive.
var createdByRE = regexp.MustCompile(`^(.*?)\s+version\s*(?:([^(]*?)\s*(?:\(\s*build\s*([^)]*?)\s*\))?)?$`)

// ParseCreatedBy parses a created_by as parquet-java does: ok is false
// where parquet-java throws (no match, or no application).
func ParseCreatedBy(s string) (app, version, build string, ok bool) {
	m := createdByRE.FindStringSubmatch(s)
	if m == nil || m[1] == "" {
		return "", "", "", false
	}
	return m[1], m[2], m[3], true
}
