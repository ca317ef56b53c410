// Package parsers turns raw log records into normalised events.
//
// A log type (LogType) declares what the rest of the toolkit needs to know of
// one kind of log: how to parse it (a Parser), where its event time is, which
// fields feed which p_any_* indicator list, and the schema of its Parquet
// table. Declarations are data, compiled once by NewRegistry, so adding a log
// type is adding a value, and the normaliser (Normaliser) is one loop for all.
//
// The parsers of each vendor family live in sub-packages (parsers/aws,
// parsers/zeek, ...); parsers/logtypes gathers them into the default
// registry. The event representation and the reasons for it are in
// parsers/event.
package parsers

import (
	"fmt"
	"strings"
	"sync"

	"panther/parsers/event"
)

// Parser turns the records of one source into events. A Parser serves one
// source (file or stream) on one goroutine, so it may keep state between
// records, such as the `#fields` header of a Zeek TSV file.
type Parser interface {
	// Parse parses one record into e, a fresh event. It returns false with a
	// nil error for a record that holds no event (a header, a comment). On
	// success the parser has set e.Fields and, when it knows them better than
	// the declarations, e.LogType (to a type of its own Family), e.Time and
	// indicators. Errors say what is wrong with the record, not where it is:
	// the caller adds file and line.
	Parse(rec []byte, e *event.Event) (bool, error)
}

// YearSetter is implemented by parsers of timestamps without a year (RFC
// 3164 syslog's "Mar  5 14:02:01"). By default they guess the year from the
// parse time, which puts an archive older than a year in the wrong one;
// SetYear says the year of the source's first such timestamp instead (a
// source that crosses New Year moves on to the next).
type YearSetter interface {
	SetYear(year int)
}

// LogType declares one log type.
type LogType struct {
	// Name follows Panther's names: "AWS.CloudTrail", "Zeek.DNS".
	Name        string
	Description string
	Reference   string // URL of the vendor's format documentation
	// Family groups log types that one parser tells apart (Zeek.* by #path or
	// fields, Suricata.* by event_type). A parser may set e.LogType to any
	// type of its family. Empty means the type is its own family.
	Family string
	// NewParser returns a parser for one source.
	NewParser func() Parser
	// Detect, when set, must also accept a parsed event for the classifier
	// to choose this type. It is what tells JSON types apart (HasAll of the
	// fields every event of the type has). It is not applied when the user
	// names the log type, so partial and hand-made events still parse.
	Detect func(e *event.Event) bool
	// Priority orders the classifier's candidates: higher first. Use it for
	// a type whose Detect is a special case of another's.
	Priority int
	// TimeFields are tried in order for p_event_time when the parser did not
	// set e.Time. With none found, p_event_time is the parse time.
	TimeFields []TimeField
	// Indicators declare which fields feed which p_any_* list.
	Indicators []Indicator
	// Schema is the Parquet table of the type, without the p_ columns (they
	// are added to every table). Fields not in the schema are kept in the
	// p_extra JSON column, so nothing is lost.
	Schema []Column
	// Transform, when set, reshapes an event its parser produced (and,
	// when classifying, Detect accepted) before Normalise reads its time and
	// indicators: declared log types fold key case, move fields to their
	// canonical names and convert typed values there (parsers/custom). It
	// runs after Detect so that JSON types keep sharing one parse in the
	// classifier; Detect therefore sees the record as written. An error
	// rejects the record.
	Transform func(e *event.Event) error
	// Sample is one raw record of the type, used in docs and tests.
	Sample string

	times      []compiledTime
	indicators []compiledIndicator
	compiled   bool
	compileErr error
}

// TimeField says where an event's time is and how it is written.
type TimeField struct {
	Path   string // event.ParsePath syntax
	Format string // see ParseTimeFormat
}

// Indicator says that the values at Path (wildcards allowed) feed an
// indicator list. Kind is one of the names of IndicatorKinds.
type Indicator struct {
	Path string
	Kind string
}

// Column is one column of a log type's table. Type is written in the Hive
// type syntax that Athena, Trino and Spark share: string, bigint, double,
// boolean, timestamp, json, array<T>, struct<name:T,...>. json holds any
// free-form value (CloudTrail's requestParameters) as JSON text.
type Column struct {
	Name        string
	Type        string
	Description string
}

// TableName is the Parquet table of a log type: its name lower-cased with
// dots as underscores ("aws_cloudtrail").
func TableName(logType string) string {
	return strings.ToLower(strings.ReplaceAll(logType, ".", "_"))
}

// Table is the Parquet table name of lt.
func (lt *LogType) Table() string { return TableName(lt.Name) }

// FamilyName is lt.Family, or lt.Name when it has none.
func (lt *LogType) FamilyName() string {
	if lt.Family != "" {
		return lt.Family
	}
	return lt.Name
}

// compileMu serialises compile: a LogType is shared by every registry that
// holds it (the tests build registries in parallel, serve one per pack
// generation), so it is compiled once, and a registry that finds it
// compiled reads what the first compile wrote after taking the lock.
var compileMu sync.Mutex

// compile checks the declarations of lt and prepares them for Normalise,
// once.
func (lt *LogType) compile() error {
	compileMu.Lock()
	defer compileMu.Unlock()
	if !lt.compiled {
		lt.compiled = true
		lt.compileErr = lt.compileDeclarations()
	}
	return lt.compileErr
}

func (lt *LogType) compileDeclarations() error {
	if lt.Name == "" {
		return fmt.Errorf("log type without a name")
	}
	if lt.NewParser == nil {
		return fmt.Errorf("log type %s: no parser", lt.Name)
	}
	lt.times = lt.times[:0]
	for _, tf := range lt.TimeFields {
		p, err := event.ParsePath(tf.Path)
		if err != nil {
			return fmt.Errorf("log type %s: time field: %w", lt.Name, err)
		}
		f, err := ParseTimeFormat(tf.Format)
		if err != nil {
			return fmt.Errorf("log type %s: time field %s: %w", lt.Name, tf.Path, err)
		}
		lt.times = append(lt.times, compiledTime{path: p, format: f})
	}
	lt.indicators = lt.indicators[:0]
	for _, ind := range lt.Indicators {
		p, err := event.ParsePath(ind.Path)
		if err != nil {
			return fmt.Errorf("log type %s: indicator: %w", lt.Name, err)
		}
		x, ok := extractors[ind.Kind]
		if !ok {
			return fmt.Errorf("log type %s: indicator %s: unknown kind %q (one of %s)",
				lt.Name, ind.Path, ind.Kind, strings.Join(IndicatorKinds(), ", "))
		}
		lt.indicators = append(lt.indicators, compiledIndicator{path: p, extract: x})
	}
	seen := map[string]bool{}
	for _, c := range lt.Schema {
		if c.Name == "" || strings.HasPrefix(c.Name, "p_") {
			return fmt.Errorf("log type %s: column %q: names must be non-empty and not start with p_", lt.Name, c.Name)
		}
		if seen[c.Name] {
			return fmt.Errorf("log type %s: column %q declared twice", lt.Name, c.Name)
		}
		seen[c.Name] = true
		if _, err := ParseType(c.Type); err != nil {
			return fmt.Errorf("log type %s: column %s: %w", lt.Name, c.Name, err)
		}
	}
	return nil
}
