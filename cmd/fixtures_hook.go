package cmd

import "panther/engine"

// fixtureRunner returns the runner of fixture tests, nil until the replay
// pipeline provides one.
var fixtureRunner = func(*App) engine.FixtureRunner { return nil }
