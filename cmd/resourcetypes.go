package cmd

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"panther/parsers"
	"panther/scan"
)

func init() {
	register(func(app *App) *cobra.Command { return NewCmdResourceTypes(app, nil) })
}

// ResourceTypesOptions are what `panther resourcetypes` runs with.
type ResourceTypesOptions struct {
	IO     *IOStreams
	Names  []string
	Format string
}

// NewCmdResourceTypes builds `panther resourcetypes`, the counterpart of
// `panther logtypes` for policies; runF replaces resourceTypesRun in tests.
func NewCmdResourceTypes(app *App, runF func(*ResourceTypesOptions) error) *cobra.Command {
	opts := &ResourceTypesOptions{IO: app.IO}
	c := &cobra.Command{
		Use:   "resourcetypes [TYPE...]",
		Short: "List the resource types panther scan reads, or show the fields of some",
		Long: `Without a name, list every resource type policies can name in ResourceTypes:
name, whether Panther has it, and where panther scan finds it (AWS Config
resource type, AWS CLI commands, Terraform resource types). With names,
show each one's fields: the header every resource starts with (ResourceType,
ResourceId, AccountId, Region, Arn, Id, Name, Tags, TimeCreated), then the
type's own, as the AWS API names them (Panther's shape).`,
		Example: `  panther resourcetypes
  panther resourcetypes AWS.S3.Bucket AWS.IAM.User
  panther resourcetypes --format json | jq -r '.[].name'`,
		RunE: func(c *cobra.Command, args []string) error {
			opts.Names = args
			if opts.Format != "table" && opts.Format != "json" {
				return usageErr("--format %q: one of table, json", opts.Format)
			}
			if runF != nil {
				return runF(opts)
			}
			return resourceTypesRun(opts)
		},
	}
	c.Flags().StringVar(&opts.Format, "format", "table", "output: table or json")
	return c
}

func resourceTypesRun(opts *ResourceTypesOptions) error {
	types := scan.Types
	if len(opts.Names) > 0 {
		types = nil
		for _, n := range opts.Names {
			t, ok := scan.LookupType(n)
			if !ok {
				hint := "panther resourcetypes lists them"
				if near := parsers.Nearest(n, scan.TypeNames()); near != "" {
					hint = "did you mean " + near + "?"
				}
				return usageErr("%q is not a resource type; %s", n, hint)
			}
			types = append(types, *t)
		}
	}
	w := opts.IO.Out
	switch {
	case opts.Format == "json":
		type field struct {
			Name        string `json:"name"`
			Type        string `json:"type"`
			Description string `json:"description,omitempty"`
		}
		type out struct {
			Name        string   `json:"name"`
			Description string   `json:"description"`
			Panther     bool     `json:"panther"`
			Config      string   `json:"aws_config,omitempty"`
			CLI         []string `json:"aws_cli,omitempty"`
			Terraform   []string `json:"terraform,omitempty"`
			Fields      []field  `json:"fields"`
		}
		var all []out
		for _, t := range types {
			o := out{Name: t.Name, Description: t.Description, Panther: t.Panther, Config: t.Config, CLI: t.CLI, Terraform: t.Terraform}
			for _, f := range append(append([]scan.Field{}, scan.HeaderFields...), t.Fields...) {
				o.Fields = append(o.Fields, field{f.Name, f.Type, f.Description})
			}
			all = append(all, o)
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		if err := enc.Encode(all); err != nil {
			return opErr(err)
		}
	case len(opts.Names) == 0:
		listResourceTypes(w, types)
	default:
		for i, t := range types {
			if i > 0 {
				fmt.Fprintln(w)
			}
			showResourceType(w, t)
		}
	}
	return nil
}

func listResourceTypes(w io.Writer, types []scan.Type) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tPANTHER\tINPUTS\tDESCRIPTION")
	for _, t := range types {
		var in []string
		if t.Config != "" {
			in = append(in, "config")
		}
		if len(t.CLI) > 0 {
			in = append(in, "cli")
		}
		if len(t.Terraform) > 0 {
			in = append(in, "terraform")
		}
		if len(in) == 0 {
			in = append(in, "derived")
		}
		p := "yes"
		if !t.Panther {
			p = "ours"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", t.Name, p, strings.Join(in, ","), t.Description)
	}
	tw.Flush()
}

func showResourceType(w io.Writer, t scan.Type) {
	fmt.Fprintf(w, "%s\n  %s\n", t.Name, t.Description)
	if !t.Panther {
		fmt.Fprintf(w, "  (a type of panther's own: Panther has none by this name)\n")
	}
	if t.Config != "" {
		fmt.Fprintf(w, "  AWS Config:  %s\n", t.Config)
	}
	if len(t.CLI) > 0 {
		fmt.Fprintf(w, "  AWS CLI:     %s\n", strings.Join(t.CLI, "; "))
	}
	if len(t.Terraform) > 0 {
		fmt.Fprintf(w, "  Terraform:   %s\n", strings.Join(t.Terraform, ", "))
	}
	if t.Config == "" && len(t.CLI) == 0 && len(t.Terraform) == 0 {
		fmt.Fprintf(w, "  built by the scan from the other resources of the account\n")
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "\n  FIELD\tTYPE\tDESCRIPTION")
	for _, f := range scan.HeaderFields {
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", f.Name, f.Type, f.Description)
	}
	for _, f := range t.Fields {
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", f.Name, f.Type, f.Description)
	}
	tw.Flush()
}
