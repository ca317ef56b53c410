package rules

import (
	"strconv"
	"strings"
)

// Severities, lowest first: the rank of a severity is its index.
var Severities = []string{"INFO", "LOW", "MEDIUM", "HIGH", "CRITICAL"}

// ParseSeverity reads a severity: a name of Severities in any case, or the
// ITSM console's number or name, mapped as
//
//	0 clear, 1 indeterminate   → INFO
//	2 warning                  → LOW
//	3 minor                    → MEDIUM
//	4 major                    → HIGH
//	5 critical                 → CRITICAL
//
// It returns the canonical name and its rank.
func ParseSeverity(s string) (string, int, bool) {
	s = strings.TrimSpace(s)
	if n, err := strconv.Atoi(s); err == nil {
		r, ok := consoleRank(n)
		if !ok {
			return "", 0, false
		}
		return Severities[r], r, true
	}
	switch strings.ToLower(s) {
	case "info", "informational", "clear", "indeterminate", "ok", "normal":
		return "INFO", 0, true
	case "low", "warning", "warn":
		return "LOW", 1, true
	case "medium", "minor":
		return "MEDIUM", 2, true
	case "high", "major":
		return "HIGH", 3, true
	case "critical":
		return "CRITICAL", 4, true
	}
	return "", 0, false
}

func consoleRank(n int) (int, bool) {
	switch {
	case n == 0 || n == 1:
		return 0, true
	case n >= 2 && n <= 5:
		return n - 1, true
	}
	return 0, false
}

// SeverityRank returns the rank of a canonical name (-1 if unknown).
func SeverityRank(name string) int {
	for i, s := range Severities {
		if s == name {
			return i
		}
	}
	return -1
}
