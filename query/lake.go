package query

import (
	"panther/lake"
)

// TableKind says where a table lives in the lake.
type TableKind string

// The kinds of table, by the lake's top-level folder (any other top-level
// table's kind is its name).
const (
	KindLogs        TableKind = "logs"         // <lake>/logs/<table>/
	KindAlerts      TableKind = "alerts"       // <lake>/alerts/
	KindRuleMatches TableKind = "rule_matches" // <lake>/rule_matches/
	KindCompliance  TableKind = "compliance"   // <lake>/compliance/ (panther scan)
)

// Table is one table of the lake, as lake's lister finds it.
type Table struct {
	Name string // the log type's table ("aws_cloudtrail"), "alerts", "rule_matches"
	Kind TableKind
	Dir  string // absolute directory holding year=YYYY/...
}

// Partition is one hour directory of a table and its Parquet files.
type Partition = lake.Partition

// LakeError is a lake that cannot be searched (missing, not a directory).
type LakeError = lake.LakeError

// tableOf is the Table of a table lake's lister found: a top-level
// folder's kind is its name.
func tableOf(t lake.Table) Table {
	k := KindLogs
	if !t.Logs {
		k = TableKind(t.Name)
	}
	return Table{Name: t.Name, Kind: k, Dir: t.Dir}
}
