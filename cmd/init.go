package cmd

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
)

//go:embed initrepo
var initRepo embed.FS

// initFiles maps the template files to their place in a new repository.
func initTarget(p string) string {
	p = strings.TrimPrefix(p, "initrepo/")
	switch {
	case p == "panther.yml":
		return ".panther.yml"
	case strings.HasPrefix(p, "github/"):
		return filepath.Join(".github", "workflows", strings.TrimPrefix(p, "github/"))
	case strings.HasPrefix(p, "vscode/"):
		return filepath.Join(".vscode", strings.TrimPrefix(p, "vscode/"))
	}
	return p
}

func init() { register(func(app *App) *cobra.Command { return newCmdInit(app, nil) }) }

// initOptions are the settings of `panther init`.
type initOptions struct {
	IO    *IOStreams
	Dir   string
	Force bool
}

func newCmdInit(app *App, runF func(*initOptions) error) *cobra.Command {
	opts := &initOptions{IO: app.IO}
	c := &cobra.Command{
		Use:   "init DIR",
		Short: "Create a new detections repository",
		Long: `Create DIR with an example rule and its tests, a helper module, a
.panther.yml, a GitHub Actions workflow that runs panther validate, panther
fmt --check and panther test, and the JSON Schema of the specs
(.panther/schema.json, from panther schema) with a .vscode/settings.json
that gives it to the YAML language server: keys, enums and descriptions
complete in the editor. DIR must not exist or be empty (or give --force; existing files
are then left alone).`,
		Example: "  panther init my-detections && cd my-detections && panther test",
		Args:    cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Dir = args[0]
			if runF != nil {
				return runF(opts)
			}
			return initRun(opts)
		},
	}
	c.Flags().BoolVar(&opts.Force, "force", false, "add the missing files to a folder that is not empty")
	return c
}

func initRun(opts *initOptions) error {
	entries, err := os.ReadDir(opts.Dir)
	switch {
	case err == nil && len(entries) > 0 && !opts.Force:
		return usageErr("%s is not empty; choose a new folder, or --force to add the missing files", opts.Dir)
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return opErr(err)
	}
	var created []string
	err = fs.WalkDir(initRepo, "initrepo", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		target := filepath.Join(opts.Dir, initTarget(p))
		if _, err := os.Stat(target); err == nil {
			return nil
		}
		data, err := initRepo.ReadFile(p)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(target, data, 0o644); err != nil {
			return err
		}
		created = append(created, target)
		return nil
	})
	if err != nil {
		return opErr(err)
	}
	// The schema of this build, for the editor (.vscode/settings.json
	// and the specs' modelines point at it).
	if f, err := initSchema(opts.Dir); err != nil {
		return opErr(err)
	} else if f != "" {
		created = append(created, f)
	}
	for _, f := range created {
		fmt.Fprintf(opts.IO.Out, "created %s\n", f)
	}
	_, err = fmt.Fprintf(opts.IO.Out, "\nNext: cd %s && panther test\n", opts.Dir)
	return opErr(err)
}

// initSchema writes DIR/.panther/schema.json unless it is there; it returns
// the file written, if any.
func initSchema(dir string) (string, error) {
	target := filepath.Join(dir, ".panther", "schema.json")
	if _, err := os.Stat(target); err == nil {
		return "", nil
	}
	doc, err := schemaDocument("")
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
		return "", err
	}
	return target, os.WriteFile(target, doc, 0o644)
}
