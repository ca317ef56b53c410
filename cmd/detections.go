package cmd

import (
	"github.com/spf13/cobra"

	"panther/detections"
	"panther/engine"
	"panther/packs"
	"panther/parsers/custom"
	"panther/parsers/logtypes"
)

// ShippedSources are the detections and packs embedded in the binary.
func ShippedSources() []engine.Source {
	return []engine.Source{
		{FS: detections.FS, Root: ".", Display: "detections"},
		{FS: packs.FS, Root: ".", Display: "packs"},
	}
}

// loadOptions are the engine options every command uses: the built-in log
// types, custom ones from the trees, the Lua budget.
func (app *App) loadOptions() engine.LoadOptions {
	return engine.LoadOptions{Budget: app.settings().LuaTimeout, Registry: logtypes.Default(), DecodeLogType: custom.Decode}
}

// loadDetections loads the detections of paths, else of the detections
// setting, else the shipped ones (engine.LoadPaths). A path that does not
// exist is a usage error.
func (app *App) loadDetections(paths []string) (*engine.Set, error) {
	if len(paths) == 0 {
		paths = app.settings().Detections
	}
	set, err := engine.LoadPaths(paths, ShippedSources(), app.loadOptions())
	if err != nil {
		return nil, usageErr("%v", err)
	}
	return set, nil
}

// luaTimeoutFlag adds --lua-timeout (setting lua_timeout) to a command.
func luaTimeoutFlag(c *cobra.Command) {
	c.Flags().Duration("lua-timeout", 0, "time budget of each Lua call (default 1s; setting lua_timeout)")
	bindSetting(c, "lua-timeout", "lua_timeout")
}

// detectionsFlag adds --detections (setting detections) to a command.
func detectionsFlag(c *cobra.Command) {
	c.Flags().StringArray("detections", nil, "detection trees (default: the detections setting, else the shipped set)")
	bindSetting(c, "detections", "detections")
}
