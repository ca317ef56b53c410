// Package engine is the detections runtime: it loads detection trees into
// a Set and evaluates them on events. Everything that runs detections —
// the replay pipeline (engine/replay), scheduled rules (engine/scheduled),
// the test runner (tester), pack checks (packs) and the backend — goes
// through it.
//
// Loading (load.go, spec.go, validate.go) reads every YAML spec under the
// Sources, strictly: an unknown or misspelled key, a bad value, a missing
// function, a duplicate ID, an unknown log type each become a Diagnostic
// with file, line and a hint, and one broken file never stops the others.
// Lua files are compiled once (engine/luavm) and shared by every
// evaluator: at load, or with LoadOptions.LazyLua (panther replay) when an
// evaluator first needs one, so that a replay compiles the detections of
// the log types its input holds (docs/detection-performance.md, Start-up). The caller passes the log type registry rules may name
// (LoadOptions.Registry) and the decoder of custom log types
// (LoadOptions.DecodeLogType): the engine chooses neither, so a backend or
// a test can load against its own.
//
// Evaluation (eval.go, datamodel.go) runs a detection's rule() (or
// policy()) and, for a match, its auxiliary functions (title, dedup,
// severity, alert_context, ...) in an Evaluator: one Lua VM, not safe for
// concurrent use, one per worker. Each detection lives in an environment of
// its own; a rule error or a timeout is a Match.Err for that event, never a
// crash of the run.
//
// Alerts (alerts.go) group matches in event time: one detection and one
// dedup string join the open alert while within DedupPeriodMinutes of its
// first event, and an alert is raised once it holds Threshold events (the
// docs/replay.md states the semantics; the Aggregator is their
// one implementation, used by replay, scheduled rules and fixture tests).
//
// For tests (testing.go) the engine builds a unit test's event
// (TestEvent) and applies its mocks (ApplyMocks); running tests and
// reporting them is package tester's.
package engine
