package cmd

import (
	"os"
	"time"

	"github.com/spf13/cobra"

	"panther/detections"
	"panther/engine"
	"panther/engine/luavm"
	"panther/engine/replay"
	"panther/packs"
	"panther/scan"
)

// ShippedSources are the detections and packs embedded in the binary.
func ShippedSources() []engine.Source {
	return []engine.Source{
		{FS: detections.FS, Root: ".", Display: "detections"},
		{FS: packs.FS, Root: ".", Display: "packs"},
	}
}

// detectionSources resolves where detections come from: the arguments,
// else the `detections` setting (PANTHER_DETECTIONS, .panther.yml), else
// the shipped set. A path that does not exist is a usage error.
func (app *App) detectionSources(c *cobra.Command, args []string) ([]engine.Source, error) {
	paths := args
	if len(paths) == 0 {
		paths = app.cfg.Paths(nil, "", "detections")
	}
	if len(paths) == 0 {
		return ShippedSources(), nil
	}
	var out []engine.Source
	for _, p := range paths {
		if _, err := os.Stat(p); err != nil {
			return nil, usageErr("detections path %s: %v", p, unwrapPathErr(err))
		}
		out = append(out, engine.DirSource(p))
	}
	return out, nil
}

// loadOptions are the engine options every command uses.
func (app *App) loadOptions(c *cobra.Command) (engine.LoadOptions, error) {
	budget, err := app.cfg.Duration(c, "lua-timeout", "lua_timeout", 0)
	if err != nil {
		return engine.LoadOptions{}, err
	}
	internal, err := luavm.ParseNetworks(app.cfg.Strings(c, "internal-networks", "internal_networks", nil))
	if err != nil {
		return engine.LoadOptions{}, usageErr("setting internal_networks: %v", err)
	}
	return engine.LoadOptions{Budget: budget, DecodeLogType: decodeLogType, Internal: internal, ResourceTypes: scan.TypeNames()}, nil
}

// luaTimeoutFlag adds the flags of the engine's settings to a command:
// --lua-timeout and --internal-networks.
func luaTimeoutFlag(c *cobra.Command) {
	c.Flags().Duration("lua-timeout", 0, "time budget of each Lua call (default 1s; setting lua_timeout)")
	c.Flags().StringSlice("internal-networks", nil, "the networks that are ours, for net.is_internal and the detections that tell "+
		"internal from internet addresses: CIDRs, \"!CIDR\" to leave one out, \"private\" for the private ranges "+
		"(default private; setting internal_networks)")
}

func unwrapPathErr(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}

// fixtureRunner is the runner of fixture tests every command uses (test,
// pack build, serve): the replay pipeline, under the Lua budget.
func fixtureRunner(budget time.Duration) *replay.FixtureRunner {
	return &replay.FixtureRunner{Budget: budget}
}
