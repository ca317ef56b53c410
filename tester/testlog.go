package tester

import (
	"fmt"
	"slices"
	"strings"

	"github.com/valyala/fastjson"

	"panther/engine"
	"panther/parsers"
)

// testKeys are keys of a test that no log names so (Name and Log may be
// fields of an event): found inside a Log, they were indented one level
// too deep, and the test silently checks less than it says.
var testKeys = []string{"ExpectedResult", "Mocks", "Expect"}

// CheckTestLogs checks the Log of every unit test of the rules of set
// against its log type's schema, so that a test cannot pass on an event
// the log type never produces:
//
//   - a top-level key the schema does not have (and not a p_ field) is a
//     warning naming the nearest field (eventname → eventName), an error
//     with strict; in a Log whose keys are all lower case (exports such as
//     Panther's data lake fold them, and the parsers accept that), a key
//     that differs from a field only in case is the field;
//   - a key of the test itself (ExpectedResult, Mocks, Expect...) inside
//     the Log is an error: it was indented under Log.
//
// The problems come back as diagnostics at the test's file and line.
func CheckTestLogs(set *engine.Set, strict bool) engine.Diagnostics {
	var out engine.Diagnostics
	for _, d := range set.Detections {
		if d.Kind != engine.TypeRule {
			continue
		}
		for i := range d.Tests {
			out = append(out, checkTestLog(set, d, &d.Tests[i], strict)...)
		}
	}
	return out
}

func checkTestLog(set *engine.Set, d *engine.Detection, t *engine.TestSpec, strict bool) engine.Diagnostics {
	v, err := fastjson.ParseBytes(t.Log)
	if err != nil {
		return nil // the test itself reports it
	}
	o, err := v.Object()
	if err != nil {
		return nil
	}
	var lt *parsers.LogType
	name := ""
	if x := o.Get("p_log_type"); x != nil {
		name = string(x.GetStringBytes())
	} else if len(d.LogTypes) > 0 {
		name = d.LogTypes[0]
	}
	if set.Registry != nil {
		lt, _ = set.Registry.Lookup(name)
	}
	var fields []string
	folded := map[string]bool{}
	if lt != nil {
		for _, c := range lt.Schema {
			fields = append(fields, c.Name)
			folded[strings.ToLower(c.Name)] = true
		}
	}
	// A Log of folded keys (all lower case) names fields without regard
	// to case; elsewhere eventname is a typo of eventName.
	lower := true
	o.Visit(func(k []byte, _ *fastjson.Value) {
		lower = lower && strings.ToLower(string(k)) == string(k)
	})
	known := func(key string) bool {
		if lower {
			return folded[strings.ToLower(key)]
		}
		return slices.Contains(fields, key)
	}
	var out engine.Diagnostics
	diag := func(level engine.Level, hint, format string, args ...any) {
		out = append(out, engine.Diagnostic{File: d.File, Line: t.Line, Level: level, ID: d.ID, Hint: hint,
			Message: fmt.Sprintf("test %q: ", t.Name) + fmt.Sprintf(format, args...)})
	}
	o.Visit(func(k []byte, _ *fastjson.Value) {
		key := string(k)
		switch {
		case slices.Contains(testKeys, key) && !known(key):
			diag(engine.LevelError, "move it out of Log, to the level of Name", "%s is indented under Log", key)
		case lt == nil || strings.HasPrefix(key, "p_") || known(key):
		default:
			level, hint := engine.LevelWarning, "run `panther logtypes "+lt.Name+"` for its fields; --strict makes this an error"
			if strict {
				level = engine.LevelError
			}
			if n := parsers.Nearest(key, fields); n != "" {
				hint = "did you mean " + n + "?"
			}
			diag(level, hint, "Log key %s is not a field of %s", key, lt.Name)
		}
	})
	return out
}
