package cmd

import (
	"github.com/spf13/cobra"

	"panther/detections"
	"panther/engine"
	"panther/engine/luavm"
	"panther/packs"
	"panther/parsers/custom"
	"panther/parsers/logtypes"
	"panther/scan"
)

// ShippedSources are the detections and packs embedded in the binary.
func ShippedSources() []engine.Source {
	return []engine.Source{
		{FS: detections.FS, Root: ".", Display: "detections"},
		{FS: packs.FS, Root: ".", Display: "packs"},
	}
}

// loadOptions are the engine options every command uses: the built-in log
// types, custom ones from the trees, the resource types of policies, the
// Lua budget, the internal networks.
func (app *App) loadOptions() (engine.LoadOptions, error) {
	s := app.settings()
	internal, err := luavm.ParseNetworks(s.InternalNetworks)
	if err != nil {
		return engine.LoadOptions{}, usageErr("setting internal_networks: %v", err)
	}
	return engine.LoadOptions{Budget: s.LuaTimeout, Registry: logtypes.Default(), DecodeLogType: custom.Decode,
		Internal: internal, ResourceTypes: scan.TypeNames()}, nil
}

// loadDetections loads the detections of paths, else of the detections
// setting, else the shipped ones (engine.LoadPaths). A path that does not
// exist is a usage error.
func (app *App) loadDetections(paths []string) (*engine.Set, error) {
	return app.loadDetectionsWith(paths, false)
}

// loadDetectionsWith is loadDetections, with the Lua compiled to count
// the lines that run when coverage is set (panther test --coverage).
func (app *App) loadDetectionsWith(paths []string, coverage bool) (*engine.Set, error) {
	return app.loadDetectionsOpts(paths, func(o *engine.LoadOptions) { o.Coverage = coverage })
}

// loadDetectionsLazily is loadDetections for panther replay. The specs'
// unit tests are not read (SkipTests). The shipped library's Lua compiles
// when an event first needs it (engine.LoadOptions.LazyLua), so that the
// start-up costs what the input's log types need: its files are held to
// compile by our own CI (detections' TestShipped*). A user's detections
// (a path, the detections setting) are compiled up front, so that a file
// with an error is reported with file:line before the replay starts even
// when no event would have reached it.
func (app *App) loadDetectionsLazily(paths []string) (*engine.Set, error) {
	shipped := len(paths) == 0 && len(app.settings().Detections) == 0
	return app.loadDetectionsOpts(paths, func(o *engine.LoadOptions) { o.LazyLua, o.SkipTests = shipped, true })
}

func (app *App) loadDetectionsOpts(paths []string, with func(*engine.LoadOptions)) (*engine.Set, error) {
	if len(paths) == 0 {
		paths = app.settings().Detections
	}
	opts, err := app.loadOptions()
	if err != nil {
		return nil, err
	}
	with(&opts)
	set, err := engine.LoadPaths(paths, ShippedSources(), opts)
	if err != nil {
		return nil, usageErr("%v", err)
	}
	return set, nil
}

// luaTimeoutFlag adds the flags of the engine's settings to a command:
// --lua-timeout (setting lua_timeout) and --internal-networks (setting
// internal_networks).
func luaTimeoutFlag(c *cobra.Command) {
	c.Flags().Duration("lua-timeout", 0, "time budget of each Lua call (default 1s; setting lua_timeout)")
	c.Flags().StringSlice("internal-networks", nil, "the networks that are ours, for net.is_internal and the detections that tell "+
		"internal from internet addresses: CIDRs, \"!CIDR\" to leave one out, \"private\" for the private ranges "+
		"(default private; setting internal_networks)")
	bindSetting(c, "lua-timeout", "lua_timeout")
	bindSetting(c, "internal-networks", "internal_networks")
}

// detectionsFlag adds --detections (setting detections) to a command.
func detectionsFlag(c *cobra.Command) {
	c.Flags().StringArray("detections", nil, "detection trees (default: the detections setting, else the shipped set)")
	bindSetting(c, "detections", "detections")
}
