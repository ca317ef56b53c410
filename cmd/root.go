// Package cmd holds panther's cobra commands: flags, configuration, output
// and exit codes, and nothing else. Each command has the GitHub CLI's
// shape: an xOptions struct with what it needs, newCmdX(app, runF) that
// binds the flags and settings into it (tests give a runF to check the
// parsing apart from the behaviour), and a plain xRun(opts) that calls a
// library package (engine, tester, parsers/decode, query, packs) and
// decides what to print. What to do is decided there.
package cmd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/spf13/cobra"
)

// Version and Commit name the build, set with
// -ldflags "-X panther/cmd.Version=v1.2.3 -X panther/cmd.Commit=abc123".
var (
	Version = "dev"
	Commit  = ""
)

// App is what every command depends on (the GitHub CLI's Factory); tests
// build their own.
type App struct {
	IO  *IOStreams
	Now func() time.Time
	// Getenv reads the environment for what is not a setting (COLUMNS);
	// settings go through viper (PANTHER_*).
	Getenv func(string) string
	// WorkDir is where .panther.yml is looked for, then in its parents
	// ("" = the current folder).
	WorkDir string
	// ConfigDir is the user config dir ("" = os.UserConfigDir()).
	ConfigDir string

	cfg *Config
	// stopProfile ends the --cpuprofile profile, if one was started.
	stopProfile func()
}

// settings are the settings in effect for the command that runs.
func (app *App) settings() *Settings { return &app.cfg.Settings }

func (app *App) now() time.Time {
	if app.Now == nil {
		return time.Now()
	}
	return app.Now()
}

const rootLong = `panther validates and tests Lua detections, replays raw log archives through
them, writes what it read to a Parquet lake, searches that lake with DuckDB,
and builds rule packs for the backend it also serves.

Settings: flag > PANTHER_<KEY> environment > the repository's .panther.yml
(found from the current folder upward) > the user config file; 'panther
config' shows them and where each comes from.

Exit codes: 0 ok, 1 findings (failed tests, invalid detections, alerts with
--fail-on-alert), 2 usage or configuration error, 3 operational error,
130 interrupted.`

// NewRootCmd builds the command tree.
func NewRootCmd(app *App) *cobra.Command {
	root := &cobra.Command{
		Use:           "panther",
		Short:         "Detection-as-code for security logs: test, replay, search, pack",
		Long:          rootLong,
		Version:       Version,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetIn(app.IO.In)
	root.SetOut(app.IO.Out)
	root.SetErr(app.IO.ErrOut)
	// Our own --version, without cobra's -v: -v is --verbose wherever a
	// command has it.
	root.Flags().Bool("version", false, "print the version (panther version --format json for more)")
	root.PersistentFlags().String("config", "", "config file, the only one read (default: .panther.yml upward, then the user config dir)")
	// --cpuprofile is for us, measuring: hidden from help.
	root.PersistentFlags().String("cpuprofile", "", "write a Go CPU profile of the command to `FILE`")
	_ = root.PersistentFlags().MarkHidden("cpuprofile")
	root.PersistentPreRunE = func(c *cobra.Command, _ []string) error { return app.prepare(c) }
	for _, add := range commands {
		root.AddCommand(add(app))
	}
	usageErrors(root)
	return root
}

// prepare runs before every command: the settings, then the profile.
func (app *App) prepare(c *cobra.Command) error {
	file, _ := c.Flags().GetString("config")
	cfg, err := LoadConfig(app, file)
	if err != nil {
		return &ExitError{Code: ExitUsage, Err: err}
	}
	if err := cfg.Bind(c); err != nil {
		return &ExitError{Code: ExitUsage, Err: err}
	}
	app.cfg = cfg
	if prof, _ := c.Flags().GetString("cpuprofile"); prof != "" {
		f, err := os.Create(prof)
		if err != nil {
			return usageErr("--cpuprofile: %v", err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			f.Close()
			return usageErr("--cpuprofile: %v", err)
		}
		app.stopProfile = func() { pprof.StopCPUProfile(); f.Close() }
	}
	return nil
}

// commands is filled by each command's file in init, so that adding a
// command touches only its own file.
var commands []func(*App) *cobra.Command

func register(f func(*App) *cobra.Command) { commands = append(commands, f) }

// usageErrors makes every flag and argument error of the tree a usage error
// (exit 2), and an unknown subcommand one that names the close ones.
func usageErrors(root *cobra.Command) {
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return &ExitError{Code: ExitUsage, Err: fmt.Errorf("%w\nRun '%s --help' for usage.", err, c.CommandPath())}
	})
	usageArgs(root)
}

func usageArgs(c *cobra.Command) {
	if !c.Runnable() && c.HasSubCommands() {
		// So that an unknown subcommand reaches the Args check below
		// instead of printing the help with exit 0.
		c.RunE = func(cmd *cobra.Command, _ []string) error { return cmd.Help() }
	}
	check := c.Args
	c.Args = func(cmd *cobra.Command, args []string) error {
		if check == nil {
			if cmd.HasSubCommands() && len(args) > 0 {
				msg := fmt.Sprintf("unknown command %q for %q", args[0], cmd.CommandPath())
				if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
					msg += " (did you mean " + strings.Join(s, " or ") + "?)"
				}
				return usageErr("%s\nRun '%s --help' for usage.", msg, cmd.CommandPath())
			}
			return nil
		}
		if err := check(cmd, args); err != nil {
			return usageErr("%v\nRun '%s --help' for usage.", err, cmd.CommandPath())
		}
		return nil
	}
	for _, sub := range c.Commands() {
		usageArgs(sub)
	}
}

// Execute runs the command line args and returns the process exit code.
// Only main calls os.Exit.
func Execute(ctx context.Context, app *App, args []string) int {
	root := NewRootCmd(app)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if app.stopProfile != nil {
		app.stopProfile()
		app.stopProfile = nil
	}
	if err == nil {
		return ExitOK
	}
	if ctx.Err() != nil && errors.Is(err, context.Canceled) || errors.Is(ctx.Err(), context.Canceled) {
		fmt.Fprintln(app.IO.ErrOut, "panther: interrupted")
		return ExitInterrupted
	}
	var ee *ExitError
	if errors.As(err, &ee) {
		if ee.Err != nil {
			fmt.Fprintln(app.IO.ErrOut, "panther: "+ee.Err.Error())
		}
		return ee.Code
	}
	// Usage errors are typed where they arise (flags, arguments, settings);
	// anything else that gets here untyped failed while running.
	fmt.Fprintln(app.IO.ErrOut, "panther: "+err.Error())
	return ExitOperational
}
