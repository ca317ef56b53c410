package cmd

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
)

func init() { register(func(app *App) *cobra.Command { return newCmdConfig(app, nil) }) }

// configOptions are the settings of `panther config`.
type configOptions struct {
	IO     *IOStreams
	Config *Config
	Format string
}

func newCmdConfig(app *App, runF func(*configOptions) error) *cobra.Command {
	opts := &configOptions{IO: app.IO}
	c := &cobra.Command{
		Use:   "config",
		Short: "Print the settings in effect and where each comes from",
		Long: `Print every setting with its value and where it comes from: a flag, the
PANTHER_<KEY> environment variable, a config file (with its line), or the
default. The repository's .panther.yml is found from the current folder
upward, as git finds .git; the user config file is
<user config dir>/panther/config.yml; --config FILE reads that file only.
Relative paths in a config file are relative to its folder.`,
		Example: `  panther config
  PANTHER_LAKE=/data/lake panther config --format json`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			opts.Config = app.cfg
			if opts.Format != "pretty" && opts.Format != "json" {
				return usageErr("--format %q: pretty or json", opts.Format)
			}
			if runF != nil {
				return runF(opts)
			}
			return configRun(opts)
		},
	}
	c.Flags().StringVar(&opts.Format, "format", "pretty", "output: pretty or json")
	return c
}

// configSetting is a setting in `panther config --format json`.
type configSetting struct {
	Key    string `json:"key"`
	Value  any    `json:"value"`
	Source string `json:"source"`
}

func configRun(opts *configOptions) error {
	cfg := opts.Config
	var settings []configSetting
	for _, k := range SettingKeys() {
		v := cfg.Value(k)
		if k == "api_token" || k == "serve_tokens" {
			v = redacted(v)
		}
		settings = append(settings, configSetting{Key: k, Value: v, Source: cfg.Source(k)})
	}
	if opts.Format == "json" {
		files := cfg.Files
		if files == nil {
			files = []string{}
		}
		return printJSON(opts.IO.Out, struct {
			Files    []string        `json:"files"`
			Settings []configSetting `json:"settings"`
		}{files, settings})
	}
	out := newOutput("stdout", opts.IO.Out)
	if len(cfg.Files) == 0 {
		fmt.Fprintln(out, "config files: none (no .panther.yml here or above, no user config file)")
	} else {
		fmt.Fprintf(out, "config files (later ones win): %s\n", strings.Join(cfg.Files, ", "))
	}
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "\nSETTING\tVALUE\tFROM")
	for _, s := range settings {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", s.Key, printable(fmt.Sprint(s.Value)), s.Source)
	}
	tw.Flush()
	return out.Close()
}

// redacted hides a secret's value, saying whether it is set.
func redacted(v any) any {
	switch x := v.(type) {
	case string:
		if x == "" {
			return ""
		}
	case []string:
		if len(x) == 0 {
			return x
		}
	case []any:
		if len(x) == 0 {
			return x
		}
	case nil:
		return nil
	}
	return "(set, not shown)"
}
