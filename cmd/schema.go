package cmd

import (
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"panther/engine"
	"panther/parsers"
	"panther/parsers/logtypes"
	"panther/scan"
	"panther/schema"
)

func init() { register(func(app *App) *cobra.Command { return newCmdSchema(app, nil) }) }

// schemaOptions are the settings of `panther schema`.
type schemaOptions struct {
	IO     *IOStreams
	Kind   string
	Output string
	List   bool
}

func newCmdSchema(app *App, runF func(*schemaOptions) error) *cobra.Command {
	opts := &schemaOptions{IO: app.IO}
	c := &cobra.Command{
		Use:   "schema [KIND]",
		Short: "Print the JSON Schema of the YAML specs, for editors",
		Long: `Print the JSON Schema (draft-07) of every kind of spec — rule, scheduled_rule,
policy, global, datamodel, pack, saved_query, scheduled_query, correlation_rule,
log_type, alert_rule — or of one KIND. It is generated from the definitions
the strict decoder checks keys against, so what it accepts is what panther
validate accepts; its enums list the severities, the log types and the
resource types of this build.

The YAML language server (VS Code's YAML extension, and the editors that
use it) completes keys, enums and descriptions from it. panther init writes
it to .panther/schema.json with a .vscode/settings.json that maps it to the
specs; with other layouts, put this line at the top of a spec:

  # yaml-language-server: $schema=<path to>/schema.json`,
		Example: `  panther schema > .panther/schema.json
  panther schema rule
  panther schema --list`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			if len(args) == 1 {
				opts.Kind = args[0]
			}
			if runF != nil {
				return runF(opts)
			}
			return schemaRun(opts)
		},
	}
	c.Flags().StringVarP(&opts.Output, "output", "o", "", "write the schema to `FILE` instead of stdout")
	c.Flags().BoolVar(&opts.List, "list", false, "list the kinds, one a line")
	return c
}

// specSchemas are the schemas of this build: its log types and resource
// types in the enums.
func specSchemas() []schema.Kind {
	return engine.Schemas(engine.SchemaOptions{LogTypes: logtypes.Default().Names(), ResourceTypes: scan.TypeNames()})
}

// schemaDocument is the JSON Schema of kind ("" for all).
func schemaDocument(kind string) ([]byte, error) {
	kinds := specSchemas()
	if kind == "" {
		return schema.Document("", "panther spec", kinds)
	}
	var names []string
	for _, k := range kinds {
		if k.Name == kind {
			return schema.Document("", "panther "+k.Name, []schema.Kind{k})
		}
		names = append(names, k.Name)
	}
	hint := "one of " + strings.Join(names, ", ")
	if n := parsers.Nearest(kind, names); n != "" {
		hint = "did you mean " + n + "?"
	}
	return nil, usageErr("unknown kind %q (%s)", kind, hint)
}

func schemaRun(opts *schemaOptions) error {
	if opts.List {
		for _, k := range specSchemas() {
			if _, err := fmt.Fprintf(opts.IO.Out, "%-16s %s\n", k.Name, k.Doc); err != nil {
				return opErr(err)
			}
		}
		return nil
	}
	doc, err := schemaDocument(opts.Kind)
	if err != nil {
		return err
	}
	if opts.Output != "" {
		return opErr(os.WriteFile(opts.Output, doc, 0o644))
	}
	_, err = opts.IO.Out.Write(doc)
	return opErr(err)
}
