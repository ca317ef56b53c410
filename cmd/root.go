// Package cmd holds panther's cobra commands: flags, configuration, output
// and exit codes, and nothing else. Each command binds its flags into an
// options struct and hands it to a library package (engine, parsers, query,
// packs); what to print is decided here, what to do is decided there.
package cmd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime/pprof"
	"time"

	"github.com/spf13/cobra"
)

// Version is the tool version, set at build time with
// -ldflags "-X panther/cmd.Version=v1.2.3".
var Version = "dev"

// App is what every command depends on; tests build their own.
type App struct {
	IO  *IOStreams
	Now func() time.Time
	// Getenv reads the environment; tests replace it.
	Getenv func(string) string
	// WorkDir is where ./.panther.yml is looked for ("" = current dir).
	WorkDir string
	// ConfigDir is the user config dir ("" = os.UserConfigDir()).
	ConfigDir string

	cfg *Config
	// stopProfile ends the --cpuprofile profile, if one was started.
	stopProfile func()
}

// NewRootCmd builds the command tree.
func NewRootCmd(app *App) *cobra.Command {
	root := &cobra.Command{
		Use:   "panther",
		Short: "Detection-as-code for security logs: test, replay, search, pack",
		Long: `panther validates and tests Lua detections, replays raw log archives through
them, writes what it read to a Parquet lake, searches that lake with DuckDB,
and builds rule packs for the backend it also serves.

Exit codes: 0 ok, 1 findings (failed tests, invalid detections, alerts with
--fail-on-alert), 2 usage or configuration error, 3 operational error,
130 interrupted.`,
		Version:       Version,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetIn(app.IO.In)
	root.SetOut(app.IO.Out)
	root.SetErr(app.IO.ErrOut)
	root.PersistentFlags().String("config", "", "config file (default: ./.panther.yml, then the user config dir)")
	// --cpuprofile is for us, measuring: hidden from help.
	root.PersistentFlags().String("cpuprofile", "", "write a Go CPU profile of the command to `FILE`")
	_ = root.PersistentFlags().MarkHidden("cpuprofile")
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return &ExitError{Code: ExitUsage, Err: fmt.Errorf("%w\nRun '%s --help' for usage.", err, c.CommandPath())}
	})
	root.PersistentPreRunE = func(c *cobra.Command, _ []string) error {
		file, _ := c.Flags().GetString("config")
		cfg, err := LoadConfig(app, file)
		if err != nil {
			return &ExitError{Code: ExitUsage, Err: err}
		}
		app.cfg = cfg
		if prof, _ := c.Flags().GetString("cpuprofile"); prof != "" {
			f, err := os.Create(prof)
			if err != nil {
				return &ExitError{Code: ExitUsage, Err: fmt.Errorf("--cpuprofile: %w", err)}
			}
			if err := pprof.StartCPUProfile(f); err != nil {
				f.Close()
				return &ExitError{Code: ExitUsage, Err: fmt.Errorf("--cpuprofile: %w", err)}
			}
			app.stopProfile = func() { pprof.StopCPUProfile(); f.Close() }
		}
		return nil
	}
	for _, add := range commands {
		root.AddCommand(add(app))
	}
	return root
}

// commands is filled by each command's file in init, so that adding a
// command touches only its own file.
var commands []func(*App) *cobra.Command

func register(f func(*App) *cobra.Command) { commands = append(commands, f) }

// Execute runs the command line args and returns the process exit code.
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
	// Cobra's own errors (unknown command, bad flag) are usage errors.
	fmt.Fprintln(app.IO.ErrOut, "panther: "+err.Error())
	return ExitUsage
}
