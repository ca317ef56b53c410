package cmd

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"panther/parsers"
	"panther/parsers/custom"
	"panther/parsers/logtypes"
)

func init() { register(func(app *App) *cobra.Command { return newCmdLogTypes(app, nil) }) }

// logTypesOptions are the settings of `panther logtypes`.
type logTypesOptions struct {
	IO      *IOStreams
	Names   []string
	Format  string
	Schemas []string
}

func newCmdLogTypes(app *App, runF func(*logTypesOptions) error) *cobra.Command {
	opts := &logTypesOptions{IO: app.IO}
	c := &cobra.Command{
		Use:   "logtypes [NAME...]",
		Short: "List the log types, or show the schema of some",
		Long: `Without a name, list every log type: name, Parquet table, the indicator kinds
it fills, and a description. With names, show each one's columns (its own,
then the standard p_ columns every table has), where its event time is read
and which fields feed which p_any_* indicator list.`,
		Example: `  panther logtypes
  panther logtypes AWS.CloudTrail Zeek.DNS
  panther logtypes --format json | jq -r '.[].name'`,
		ValidArgsFunction: completeLogTypes,
		RunE: func(c *cobra.Command, args []string) error {
			opts.Names = args
			if opts.Format != "table" && opts.Format != "json" {
				return usageErr("--format %q: one of table, json", opts.Format)
			}
			if runF != nil {
				return runF(opts)
			}
			return logTypesRun(opts)
		},
	}
	c.Flags().StringVar(&opts.Format, "format", "table", "output: table or json")
	schemaFlag(c, &opts.Schemas)
	return c
}

func logTypesRun(opts *logTypesOptions) error {
	reg, err := registryWith(opts.Schemas)
	if err != nil {
		return err
	}
	types := reg.All()
	if len(opts.Names) > 0 {
		types = types[:0]
		for _, name := range opts.Names {
			lt, ok := reg.Lookup(name)
			if !ok {
				return unknownLogType(reg, name)
			}
			types = append(types, lt)
		}
	}
	out := newOutput("stdout", opts.IO.Out)
	switch {
	case opts.Format == "json":
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		enc.Encode(describeAll(types))
	case len(opts.Names) == 0:
		listLogTypes(out, types)
	default:
		for i, lt := range types {
			if i > 0 {
				fmt.Fprintln(out)
			}
			showLogType(out, lt)
		}
	}
	return out.Close()
}

// schemaFlag adds --schema, the custom log type files a command adds to the
// built-in types.
func schemaFlag(c *cobra.Command, files *[]string) {
	c.Flags().StringArrayVar(files, "schema", nil, "custom log type file (YAML, AnalysisType: log_type); repeatable")
}

// registryWith is the default registry plus the custom log types of files
// (parsers/custom). Errors are usage errors that name file and line.
func registryWith(files []string) (*parsers.Registry, error) {
	if len(files) == 0 {
		return logtypes.Default(), nil
	}
	reg := logtypes.Default().Clone()
	for _, f := range files {
		lt, err := custom.DecodeFile(f)
		if err != nil {
			return nil, usageErr("--schema: %v", err)
		}
		if err := reg.Add(lt); err != nil {
			return nil, usageErr("--schema %s: %v", f, err)
		}
	}
	return reg, nil
}

func indicatorKinds(lt *parsers.LogType) []string {
	var kinds []string
	for _, ind := range lt.Indicators {
		if !slices.Contains(kinds, ind.Kind) {
			kinds = append(kinds, ind.Kind)
		}
	}
	slices.Sort(kinds)
	return kinds
}

func listLogTypes(w io.Writer, types []*parsers.LogType) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tTABLE\tINDICATORS\tDESCRIPTION")
	for _, lt := range types {
		kinds := strings.Join(indicatorKinds(lt), ",")
		if kinds == "" {
			kinds = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", lt.Name, lt.Table(), kinds, lt.Description)
	}
	tw.Flush()
}

func showLogType(w io.Writer, lt *parsers.LogType) {
	fmt.Fprintf(w, "%s\n", lt.Name)
	if lt.Description != "" {
		fmt.Fprintf(w, "  %s\n", lt.Description)
	}
	fmt.Fprintf(w, "  table:     %s\n", lt.Table())
	if lt.Family != "" {
		fmt.Fprintf(w, "  family:    %s\n", lt.Family)
	}
	if lt.Reference != "" {
		fmt.Fprintf(w, "  reference: %s\n", lt.Reference)
	}
	var times []string
	for _, tf := range lt.TimeFields {
		times = append(times, tf.Path+" ("+tf.Format+")")
	}
	if len(times) == 0 {
		times = []string{"set by the parser, else the parse time"}
	}
	fmt.Fprintf(w, "  time:      %s\n", strings.Join(times, ", then "))

	var tab bytes.Buffer
	tw := tabwriter.NewWriter(&tab, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "\n  COLUMN\tTYPE\tDESCRIPTION")
	for _, col := range append(slices.Clone(lt.Schema), parsers.StandardColumns()...) {
		t, err := parsers.ParseType(col.Type)
		if err != nil { // compiled types parse; keep the text if not
			fmt.Fprintf(tw, "  %s\t%s\t%s\n", col.Name, col.Type, col.Description)
			continue
		}
		columnRows(tw, col.Name, t, col.Description)
	}
	tw.Flush()
	if len(lt.Indicators) > 0 {
		tw = tabwriter.NewWriter(&tab, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "\n  INDICATOR FIELD\tKIND")
		for _, ind := range lt.Indicators {
			fmt.Fprintf(tw, "  %s\t%s\n", ind.Path, ind.Kind)
		}
		tw.Flush()
	}
	writeTrimmed(w, tab.Bytes())
}

// columnRows writes a column, and the fields of a struct (or of an array
// of structs) on rows of their own as name.field and name[].field, so that
// a nested type reads as a list rather than as one long line.
func columnRows(w io.Writer, name string, t *parsers.Type, desc string) {
	elem := t
	prefix := name + "."
	short := t.Kind
	if t.Kind == "array" {
		elem = t.Elem
		prefix = name + "[]."
		short = "array<" + t.Elem.Kind + ">"
	}
	if elem.Kind != "struct" {
		fmt.Fprintf(w, "  %s\t%s\t%s\n", name, typeString(t), desc)
		return
	}
	fmt.Fprintf(w, "  %s\t%s\t%s\n", name, short, desc)
	for _, f := range elem.Fields {
		columnRows(w, prefix+f.Name, f.Type, "")
	}
}

// typeString is t as declared (Hive syntax, json kept as json).
func typeString(t *parsers.Type) string {
	switch t.Kind {
	case "array":
		return "array<" + typeString(t.Elem) + ">"
	case "struct":
		parts := make([]string, len(t.Fields))
		for i, f := range t.Fields {
			parts[i] = f.Name + ":" + typeString(f.Type)
		}
		return "struct<" + strings.Join(parts, ",") + ">"
	}
	return t.Kind
}

// writeTrimmed writes text without the spaces tabwriter leaves at the end
// of lines whose last cells are empty.
func writeTrimmed(w io.Writer, text []byte) {
	var out []byte
	for l := range bytes.Lines(text) {
		out = append(out, bytes.TrimRight(l, " \n")...)
		out = append(out, '\n')
	}
	w.Write(out)
}

// logTypeJSON is the --format json shape of a log type.
type logTypeJSON struct {
	Name        string          `json:"name"`
	Table       string          `json:"table"`
	Family      string          `json:"family,omitempty"`
	Description string          `json:"description,omitempty"`
	Reference   string          `json:"reference,omitempty"`
	TimeFields  []timeFieldJSON `json:"time_fields"`
	Indicators  []indicatorJSON `json:"indicators"`
	Columns     []columnJSON    `json:"columns"`
}

type timeFieldJSON struct {
	Path   string `json:"path"`
	Format string `json:"format"`
}

type indicatorJSON struct {
	Path string `json:"path"`
	Kind string `json:"kind"`
}

type columnJSON struct {
	Name        string `json:"name"`
	Type        string `json:"type"`
	Description string `json:"description,omitempty"`
	Standard    bool   `json:"standard,omitempty"` // a p_ column of every table
}

func describeAll(types []*parsers.LogType) []logTypeJSON {
	out := make([]logTypeJSON, 0, len(types))
	for _, lt := range types {
		d := logTypeJSON{Name: lt.Name, Table: lt.Table(), Family: lt.Family, Description: lt.Description,
			Reference: lt.Reference, TimeFields: []timeFieldJSON{}, Indicators: []indicatorJSON{}}
		for _, tf := range lt.TimeFields {
			d.TimeFields = append(d.TimeFields, timeFieldJSON{Path: tf.Path, Format: tf.Format})
		}
		for _, ind := range lt.Indicators {
			d.Indicators = append(d.Indicators, indicatorJSON{Path: ind.Path, Kind: ind.Kind})
		}
		for _, col := range lt.Schema {
			d.Columns = append(d.Columns, columnJSON{Name: col.Name, Type: col.Type, Description: col.Description})
		}
		for _, col := range parsers.StandardColumns() {
			d.Columns = append(d.Columns, columnJSON{Name: col.Name, Type: col.Type, Description: col.Description, Standard: true})
		}
		out = append(out, d)
	}
	return out
}
