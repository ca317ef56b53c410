package input

import (
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// Logs are archived in files whose names, or folders, say when they were
// written: CloudTrail's and VPC flow logs' ..._20240102T0305Z_....json.gz
// under AWSLogs/<account>/<service>/<region>/2024/01/02/, Zeek's
// 2024-01-02/conn.03:00:00-04:00:00.log.gz, S3 and GCS exports under
// YYYY/MM/DD/HH/. Walked in lexical order, an archive of several accounts
// or regions goes through the whole time range once per account and
// region; sorted by that time it goes through it once. Time order is what
// event-time semantics want (a dedup window or a threshold sees the events
// of all accounts together) and what the lake wants (an hour's rows come
// together and make one file, not one per account and region).

var (
	// 20240102T0305Z, 20240102T030512Z (CloudTrail, VPC flow logs, ALB).
	compactTime = regexp.MustCompile(`(?:^|[^0-9])((?:19|20)[0-9]{2})([01][0-9])([0-3][0-9])T([0-2][0-9])([0-5][0-9])([0-5][0-9])?Z?(?:[^0-9]|$)`)
	// 2024-01-02, 2024-01-02T03:05, 2024-01-02-03, 2024-01-02_0305.
	dashedTime = regexp.MustCompile(`(?:^|[^0-9])((?:19|20)[0-9]{2})-([01][0-9])-([0-3][0-9])(?:[T_ .-]([0-2][0-9])(?:[:-]?([0-5][0-9]))?)?(?:[^0-9]|$)`)
)

// timeKey returns the time a log file's path gives, as YYYYMMDDHHMMSS with
// what the path does not say as zeros, or "" when it gives none. The name
// is read first; then folders YYYY/MM/DD[/HH] or YYYY-MM-DD (a dated
// folder with a name that only has an hour, such as Zeek's, sorts by its
// folder and then, the keys being equal, by name).
func timeKey(path string) string {
	path = filepath.ToSlash(path)
	dir, name := "", path
	if i := strings.LastIndexByte(path, '/'); i >= 0 {
		dir, name = path[:i], path[i+1:]
	}
	if k := matchKey(compactTime, name); k != "" {
		return k
	}
	if k := matchKey(dashedTime, name); k != "" {
		return k
	}
	parts := strings.Split(dir, "/")
	for i := len(parts) - 1; i >= 0; i-- {
		if k := matchKey(dashedTime, parts[i]); k != "" {
			return k
		}
		// YYYY/MM/DD[/HH], read from the year.
		if i+2 < len(parts) && isDigits(parts[i], 4) && isDigits(parts[i+1], 2) && isDigits(parts[i+2], 2) {
			k := parts[i] + parts[i+1] + parts[i+2]
			if i+3 < len(parts) && isDigits(parts[i+3], 2) && parts[i+3] < "24" {
				k += parts[i+3]
			}
			if validDate(k) {
				return pad(k)
			}
		}
	}
	return ""
}

func matchKey(re *regexp.Regexp, s string) string {
	for _, m := range re.FindAllStringSubmatch(s, -1) {
		if len(m[4]) > 0 && m[4] >= "24" {
			m = m[:4] // not an hour: the date alone
		}
		if k := strings.Join(m[1:], ""); validDate(k) {
			return pad(k)
		}
	}
	return ""
}

// validDate checks the month and day of a key YYYYMMDD...
func validDate(k string) bool {
	return len(k) >= 8 && k[4:6] >= "01" && k[4:6] <= "12" && k[6:8] >= "01" && k[6:8] <= "31"
}

func pad(k string) string { return k + "00000000000000"[len(k):] }

func isDigits(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < n; i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// sortByTime orders srcs by the time their paths give (timeKey); files
// whose paths give none come first, and equal keys keep their order
// (lexical), so the order stays deterministic.
func sortByTime(srcs []Source) {
	keys := make(map[string]string, len(srcs))
	for _, s := range srcs {
		keys[s.Path] = timeKey(s.Path)
	}
	slices.SortStableFunc(srcs, func(a, b Source) int { return strings.Compare(keys[a.Path], keys[b.Path]) })
}
