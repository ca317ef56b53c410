// Package osquery holds the log types of osqueryd's result logs: the rows
// that scheduled queries add or remove (Osquery.Differential), the full
// results of snapshot queries (Osquery.Snapshot), and the batched
// differential format of --logger_event_type=false (Osquery.Batch).
//
// The three are one family: a result log file mixes differential and
// snapshot queries, so one parser reads them all and files each record
// under the type its shape says (an "action" of added/removed or snapshot,
// or a "diffResults" object). Records are JSON objects, one a line, parsed
// by fastjson like every JSON type.
//
// osquery writes every column value as a string unless the query has
// numerics enabled; indicators are declared on the columns that commonly
// hold addresses, users and hashes, and each kind checks the shape of the
// value, so a "host" column holding "tty1" adds nothing.
//
// https://osquery.readthedocs.io/en/stable/deployment/logging/
package osquery

import (
	"github.com/valyala/fastjson"

	"panther/parsers"
	"panther/parsers/event"
)

// The log type names, used by the parser to file each record.
const (
	nameDifferential = "Osquery.Differential"
	nameSnapshot     = "Osquery.Snapshot"
	nameBatch        = "Osquery.Batch"
	family           = "Osquery"
)

const reference = "https://osquery.readthedocs.io/en/stable/deployment/logging/"

// Differential is Osquery.Differential: one row a query added or removed
// since its previous run ("action": "added" | "removed").
var Differential = &parsers.LogType{
	Name:        nameDifferential,
	Description: "osquery differential results: one row a scheduled query added or removed",
	Reference:   reference,
	Family:      family,
	NewParser:   newParser,
	Detect:      detectDifferential,
	TimeFields:  timeFields,
	Indicators:  indicators("columns"),
	Schema:      schema(parsers.Column{Name: "columns", Type: "json", Description: "the row: column name to value"}, actionColumn),
	Sample:      `{"name":"pack_incident-response_open_sockets","hostIdentifier":"web-01.example.com","calendarTime":"Fri Mar  1 12:00:00 2024 UTC","unixTime":1709294400,"epoch":0,"counter":12,"numerics":false,"decorations":{"host_uuid":"4C4C4544-0000-1000-8000-000000000001","hostname":"web-01.example.com"},"columns":{"pid":"4242","path":"/usr/bin/curl","local_address":"10.0.0.5","local_port":"51234","remote_address":"198.51.100.7","remote_port":"443","family":"2","protocol":"6"},"action":"added"}`,
}

// Snapshot is Osquery.Snapshot: every row of one run of a snapshot query
// ("action": "snapshot", "snapshot": [rows]).
var Snapshot = &parsers.LogType{
	Name:        nameSnapshot,
	Description: "osquery snapshot results: every row of one run of a snapshot query",
	Reference:   reference,
	Family:      family,
	NewParser:   newParser,
	Detect:      detectSnapshot,
	TimeFields:  timeFields,
	Indicators:  indicators("snapshot[*]"),
	Schema:      schema(parsers.Column{Name: "snapshot", Type: "json", Description: "the rows: an array of column name to value"}, actionColumn),
	Sample:      `{"snapshot":[{"username":"alice","uid":"1000","shell":"/bin/bash"},{"username":"root","uid":"0","shell":"/bin/bash"}],"action":"snapshot","name":"pack_it-compliance_users","hostIdentifier":"web-01.example.com","calendarTime":"Fri Mar  1 12:00:00 2024 UTC","unixTime":1709294400,"epoch":0,"counter":0,"numerics":false,"decorations":{"hostname":"web-01.example.com"}}`,
}

// Batch is Osquery.Batch: the rows one run of a query added and removed,
// in one record ("diffResults": {"added": [rows], "removed": [rows]}), as
// osqueryd logs them with --logger_event_type=false.
var Batch = &parsers.LogType{
	Name:        nameBatch,
	Description: "osquery batched differential results: the rows one run of a query added and removed",
	Reference:   reference,
	Family:      family,
	NewParser:   newParser,
	Detect:      detectBatch,
	TimeFields:  timeFields,
	Indicators:  indicators("diffResults.added[*]", "diffResults.removed[*]"),
	Schema:      schema(parsers.Column{Name: "diffResults", Type: "struct<added:json,removed:json>", Description: "the rows added and removed"}),
	Sample:      `{"diffResults":{"added":[{"name":"evil-agent","path":"/Library/LaunchAgents/evil.plist","program":"/tmp/.x/agent"}],"removed":[]},"name":"pack_osx-attacks_launchd","hostIdentifier":"mac-7.example.com","calendarTime":"Fri Mar  1 12:00:00 2024 UTC","unixTime":"1709294400","epoch":"0","counter":"3","numerics":false}`,
}

// timeFields: unixTime, else calendarTime as osqueryd writes it (asctime
// with " UTC"), else as a warehouse export rewrites it (RFC 3339-ish).
var timeFields = []parsers.TimeField{
	{Path: "unixTime", Format: "unix"},
	{Path: "calendarTime", Format: "Mon Jan _2 15:04:05 2006 MST"},
	{Path: "calendarTime", Format: "rfc3339"},
}

// indicators declares the host's indicators and those of the columns of
// the rows at each path (a path to one row, or to every row with [*]).
func indicators(rows ...string) []parsers.Indicator {
	out := []parsers.Indicator{
		{Path: "hostIdentifier", Kind: "hostname"},
		{Path: "decorations.hostname", Kind: "hostname"},
	}
	for _, r := range rows {
		out = append(out, rowIndicators(r)...)
	}
	return out
}

func rowIndicators(rows string) []parsers.Indicator {
	var out []parsers.Indicator
	for _, c := range []struct{ column, kind string }{
		{"remote_address", "ip"},
		{"local_address", "ip"},
		{"address", "ip"},
		{"ip_address", "ip"},
		{"host", "hostname"},
		{"hostname", "hostname"},
		{"username", "username"},
		{"user", "username"},
		{"md5", "md5"},
		{"sha1", "sha1"},
		{"sha256", "sha256"},
	} {
		out = append(out, parsers.Indicator{Path: rows + "." + c.column, Kind: c.kind})
	}
	return out
}

var actionColumn = parsers.Column{Name: "action", Type: "string", Description: "added, removed or snapshot"}

// schema is the columns every result log has, then the given ones.
func schema(extra ...parsers.Column) []parsers.Column {
	return append([]parsers.Column{
		{Name: "name", Type: "string", Description: "name of the scheduled query (pack_<pack>_<query>)"},
		{Name: "hostIdentifier", Type: "string", Description: "the host, as --host_identifier says (hostname, uuid, ...)"},
		{Name: "calendarTime", Type: "string", Description: "when the query ran, as text (Tue Sep 17 05:27:52 2019 UTC)"},
		{Name: "unixTime", Type: "bigint", Description: "when the query ran, in epoch seconds"},
		{Name: "epoch", Type: "bigint", Description: "the epoch of the differential results"},
		{Name: "counter", Type: "bigint", Description: "how many times the query ran in this epoch"},
		{Name: "numerics", Type: "boolean", Description: "whether numbers are logged as numbers, not strings"},
		{Name: "decorations", Type: "json", Description: "the decorator queries' values"},
		{Name: "log_type", Type: "string", Description: "result (some logger plugins add it)"},
	}, extra...)
}

// parser reads any osquery result record and files it by its shape; a
// record of no known shape keeps the log type the caller asked for.
type parser struct{}

func newParser() parsers.Parser { return parser{} }

func (parser) Parse(rec []byte, e *event.Event) (bool, error) {
	if err := e.ParseJSON(rec); err != nil {
		return false, err
	}
	switch string(e.Fields.GetStringBytes("action")) {
	case "added", "removed":
		e.LogType = nameDifferential
	case "snapshot":
		e.LogType = nameSnapshot
	default:
		if isObject(e.Fields.Get("diffResults")) {
			e.LogType = nameBatch
		}
	}
	return true, nil
}

func detectDifferential(e *event.Event) bool {
	a := string(e.Fields.GetStringBytes("action"))
	return (a == "added" || a == "removed") && isObject(e.Fields.Get("columns")) && hasQuery(e)
}

func detectSnapshot(e *event.Event) bool {
	s := e.Fields.Get("snapshot")
	return string(e.Fields.GetStringBytes("action")) == "snapshot" && s != nil && s.Type() == fastjson.TypeArray && hasQuery(e)
}

func detectBatch(e *event.Event) bool {
	return isObject(e.Fields.Get("diffResults")) && hasQuery(e)
}

// hasQuery: every result log names its query and its host.
func hasQuery(e *event.Event) bool {
	return e.Fields.GetStringBytes("name") != nil && e.Fields.GetStringBytes("hostIdentifier") != nil
}

func isObject(v *fastjson.Value) bool { return v != nil && v.Type() == fastjson.TypeObject }
