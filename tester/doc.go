// Package tester runs the tests of detections and reports them: the code
// behind `panther test`, `panther debug`, the checks of `panther pack build`
// and of the backend on every upload. It sits above the engine (which
// loads and evaluates detections) and the replay pipeline (which fixture
// tests run through), so that no caller has to wire the two together:
// Run always runs both kinds of tests.
//
// The shape is OPA's tester: Run starts the tests and returns Results,
// which stream in a stable order (by detection ID, then as declared, the
// fixtures last) while workers run them in parallel; a Reporter (Pretty,
// JSON, JUnit, GitHub) reads them and returns its first write error.
//
//	res := tester.Run(ctx, set, tester.Options{Filters: flts})
//	if err := (tester.Pretty{W: os.Stdout}).Report(res); err != nil { ... }
//	if !res.OK() { ... } // a failed test, a load error, below --minimum-tests
//
// Unit tests (Tests: in a spec) build the event from the test's Log
// (engine.TestEvent, through parsers/decode), apply its Mocks to a fresh
// Lua environment, evaluate and compare with ExpectedResult and Expect.
// Fixture tests (Fixtures:) replay raw log files through exactly the replay
// pipeline and compare the alerts with an expected file (fixture.go).
//
// Select is the one rule selection of the tool: --rule (a rule named
// explicitly runs even if disabled), --filter Key=V, kinds; `panther test`,
// `panther replay` and scheduled rules all choose with it.
package tester
