package cmd

import (
	"strings"

	"github.com/spf13/cobra"

	"panther/engine"
	"panther/parsers/logtypes"
)

// Shell completion (cobra's `panther completion bash|zsh|fish|powershell`)
// of what users type most: rule IDs, test names, log types, pack IDs and
// saved query names. Completions load the detections the command would
// (the settings in effect, else the shipped set).

// completeLogTypes completes log type names.
func completeLogTypes(_ *cobra.Command, _ []string, prefix string) ([]string, cobra.ShellCompDirective) {
	return matching(logtypes.Default().Names(), prefix), cobra.ShellCompDirectiveNoFileComp
}

// completeRuleIDs completes the IDs of detections.
func completeRuleIDs(app *App) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return func(c *cobra.Command, _ []string, prefix string) ([]string, cobra.ShellCompDirective) {
		set := completionSet(app, c)
		if set == nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		var ids []string
		for _, d := range set.Detections {
			ids = append(ids, d.ID)
		}
		return matching(ids, prefix), cobra.ShellCompDirectiveNoFileComp
	}
}

// completeRuleThenTest completes RULE_ID, then the names of its tests
// (unit tests and "fixture: name").
func completeRuleThenTest(app *App) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	ids := completeRuleIDs(app)
	return func(c *cobra.Command, args []string, prefix string) ([]string, cobra.ShellCompDirective) {
		switch len(args) {
		case 0:
			return ids(c, args, prefix)
		case 1:
			set := completionSet(app, c)
			if set == nil {
				break
			}
			d, ok := set.Detection(args[0])
			if !ok {
				break
			}
			var names []string
			for _, t := range d.Tests {
				names = append(names, t.Name)
			}
			for _, f := range d.Spec.Fixtures {
				names = append(names, "fixture: "+f.Name)
			}
			return matching(names, prefix), cobra.ShellCompDirectiveNoFileComp
		}
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
}

// completePackIDs completes the PackIDs of the detections.
func completePackIDs(app *App) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return func(c *cobra.Command, _ []string, prefix string) ([]string, cobra.ShellCompDirective) {
		set := completionSet(app, c)
		if set == nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		var ids []string
		for _, p := range set.Packs {
			ids = append(ids, p.ID)
		}
		return matching(ids, prefix), cobra.ShellCompDirectiveDefault // zip files too
	}
}

// completeQueryNames completes the names of saved and scheduled queries.
func completeQueryNames(app *App) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return func(c *cobra.Command, _ []string, prefix string) ([]string, cobra.ShellCompDirective) {
		set := completionSet(app, c)
		if set == nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		var names []string
		for _, q := range set.Queries {
			names = append(names, q.Name)
		}
		return matching(names, prefix), cobra.ShellCompDirectiveNoFileComp
	}
}

// completionSet loads the detections a completion works on; nil when they
// cannot load (a completion never prints an error).
func completionSet(app *App, c *cobra.Command) *engine.Set {
	if app.cfg == nil {
		if err := app.prepare(c); err != nil {
			return nil
		}
	}
	set, err := app.loadDetections(nil)
	if err != nil {
		return nil
	}
	return set
}

// matching keeps the candidates that start with prefix (any case).
func matching(all []string, prefix string) []string {
	var out []string
	for _, s := range all {
		if strings.HasPrefix(strings.ToLower(s), strings.ToLower(prefix)) {
			out = append(out, s)
		}
	}
	return out
}
