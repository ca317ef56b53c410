package cmd

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"panther/packs"
)

func newPackRemoteCmd(app *App) *cobra.Command {
	c := &cobra.Command{
		Use:   "remote",
		Short: "Manage the packs stored on the backend: list, get, activate, rollback, delete, download",
		Long: `Manage the packs stored on the backend (panther serve). Every subcommand
takes --api-url and --api-token (or PANTHER_API_URL and PANTHER_API_TOKEN, or
api_url and api_token in the config file). Changes are made only if the pack's
active version is still the one just read: a concurrent change is a 409
conflict, never a silent overwrite.`,
	}
	c.AddCommand(newRemoteListCmd(app), newRemoteGetCmd(app), newRemoteActivateCmd(app), newRemoteRollbackCmd(app),
		newRemoteDeleteCmd(app), newRemoteDownloadCmd(app))
	return c
}

func formatFlag(c *cobra.Command, p *string) {
	c.Flags().StringVar(p, "format", "pretty", "output: pretty or json")
}

func checkFormat(f string) error {
	if f != "pretty" && f != "json" {
		return usageErr("--format %q: pretty or json", f)
	}
	return nil
}

func (app *App) printJSON(v any) error {
	enc := json.NewEncoder(app.IO.Out)
	enc.SetIndent("", "  ")
	return opErr(enc.Encode(v))
}

func newRemoteListCmd(app *App) *cobra.Command {
	var format string
	c := &cobra.Command{
		Use:   "list",
		Short: "List the packs on the backend",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if err := checkFormat(format); err != nil {
				return err
			}
			client, err := app.packClient(c)
			if err != nil {
				return err
			}
			list, err := client.List(ctxOf(c))
			if err != nil {
				return app.remoteErr(err, app.IO.Out)
			}
			if format == "json" {
				return app.printJSON(list)
			}
			if len(list) == 0 {
				fmt.Fprintln(app.IO.Out, "no packs on the backend")
				return nil
			}
			tw := tabwriter.NewWriter(app.IO.Out, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "PACK\tACTIVE\tVERSIONS\tDETECTIONS\tDIGEST\tUPDATED")
			for _, p := range list {
				fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%s\t%s\n", p.ID, activeName(p.Active), p.Versions, p.Detections,
					packs.ShortDigest(p.Digest), p.Updated.UTC().Format(time.RFC3339))
			}
			return opErr(tw.Flush())
		},
	}
	formatFlag(c, &format)
	remoteFlags(c)
	return c
}

func activeName(v int) string {
	if v == 0 {
		return "-"
	}
	return strconv.Itoa(v)
}

func newRemoteGetCmd(app *App) *cobra.Command {
	var (
		format  string
		version int
	)
	c := &cobra.Command{
		Use:   "get PACK",
		Short: "Show a pack's versions, or one version's detections",
		Args:  cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			if err := checkFormat(format); err != nil {
				return err
			}
			client, err := app.packClient(c)
			if err != nil {
				return err
			}
			info, err := client.Get(ctxOf(c), args[0])
			if err != nil {
				return app.remoteErr(err, app.IO.Out)
			}
			if version > 0 {
				i := slices.IndexFunc(info.List, func(v packs.Version) bool { return v.Version == version })
				if i < 0 {
					return &ExitError{Code: ExitOperational, Err: fmt.Errorf("pack %s has no version %d (versions: %s)", args[0], version, versionList(info))}
				}
				v := info.List[i]
				if format == "json" {
					return app.printJSON(v)
				}
				state := ""
				if v.Active {
					state = " (active)"
				}
				fmt.Fprintf(app.IO.Out, "%s version %d%s\n  digest   %s\n  zip      %d bytes, %d files, sha256 %s\n  created  %s by token %s (tool %s)\n  tests    %d passed on upload\n  detections:\n",
					v.Pack, v.Version, state, v.Digest, v.Size, v.Files, v.Blob, v.Created.UTC().Format(time.RFC3339), v.CreatedBy, v.ToolVersion, v.Tests)
				var ids []string
				for id := range v.Detections {
					ids = append(ids, id)
				}
				slices.Sort(ids)
				for _, id := range ids {
					fmt.Fprintf(app.IO.Out, "    %s\n", id)
				}
				return nil
			}
			if format == "json" {
				return app.printJSON(info)
			}
			name := info.ID
			if info.DisplayName != "" {
				name += " — " + info.DisplayName
			}
			fmt.Fprintf(app.IO.Out, "%s\nactive: %s; rollback goes to: %s\n", name, activeName(info.Active), activeName(info.RollbackTo))
			tw := tabwriter.NewWriter(app.IO.Out, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "VERSION\tACTIVE\tDIGEST\tDETECTIONS\tTESTS\tCREATED\tBY")
			for _, v := range info.List {
				mark := ""
				if v.Active {
					mark = "*"
				}
				fmt.Fprintf(tw, "%d\t%s\t%s\t%d\t%d\t%s\t%s\n", v.Version, mark, packs.ShortDigest(v.Digest), len(v.Detections), v.Tests,
					v.Created.UTC().Format(time.RFC3339), v.CreatedBy)
			}
			return opErr(tw.Flush())
		},
	}
	formatFlag(c, &format)
	c.Flags().IntVar(&version, "version", 0, "show this version's details")
	remoteFlags(c)
	return c
}

func versionList(info *packs.PackInfo) string {
	var b bytes.Buffer
	for i, v := range info.List {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strconv.Itoa(v.Version))
	}
	if b.Len() == 0 {
		return "none"
	}
	return b.String()
}

func newRemoteActivateCmd(app *App) *cobra.Command {
	c := &cobra.Command{
		Use:   "activate PACK VERSION",
		Short: "Make a stored version the active one",
		Args:  cobra.ExactArgs(2),
		RunE: func(c *cobra.Command, args []string) error {
			v, err := strconv.Atoi(args[1])
			if err != nil || v < 1 {
				return usageErr("VERSION %q: a version number (1, 2, ...)", args[1])
			}
			client, err := app.packClient(c)
			if err != nil {
				return err
			}
			info, err := client.Get(ctxOf(c), args[0])
			if err != nil {
				return app.remoteErr(err, app.IO.Out)
			}
			after, err := client.Activate(ctxOf(c), args[0], v, info.Active)
			if err != nil {
				return app.remoteErr(err, app.IO.Out)
			}
			fmt.Fprintf(app.IO.Out, "%s: version %d is active (was %s)\n", args[0], after.Active, activeName(info.Active))
			return nil
		},
	}
	remoteFlags(c)
	return c
}

func newRemoteRollbackCmd(app *App) *cobra.Command {
	var to int
	c := &cobra.Command{
		Use:   "rollback PACK",
		Short: "Activate the version that was active before the current one (or --to N)",
		Args:  cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			client, err := app.packClient(c)
			if err != nil {
				return err
			}
			info, err := client.Get(ctxOf(c), args[0])
			if err != nil {
				return app.remoteErr(err, app.IO.Out)
			}
			target := to
			if target == 0 {
				// Name the target: a retried request then activates the
				// same version instead of rolling back twice.
				target = info.RollbackTo
			}
			after, err := client.Rollback(ctxOf(c), args[0], target, info.Active)
			if err != nil {
				return app.remoteErr(err, app.IO.Out)
			}
			fmt.Fprintf(app.IO.Out, "%s: rolled back from version %s to version %d\n", args[0], activeName(info.Active), after.Active)
			return nil
		},
	}
	c.Flags().IntVar(&to, "to", 0, "the version to activate (default: the one active before the current)")
	remoteFlags(c)
	return c
}

func newRemoteDeleteCmd(app *App) *cobra.Command {
	var (
		version int
		yes     bool
	)
	c := &cobra.Command{
		Use:   "delete PACK",
		Short: "Delete a stored version (--version N), or the whole pack (--yes)",
		Long: `Delete one stored version of a pack (--version N; not the active one: roll
back or activate another first), or the whole pack with every version
(--yes, required because it cannot be undone).`,
		Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			if version == 0 && !yes {
				return usageErr("deleting pack %s removes all its versions: add --yes, or --version N to delete one", args[0])
			}
			client, err := app.packClient(c)
			if err != nil {
				return err
			}
			if err := client.Delete(ctxOf(c), args[0], version); err != nil {
				return app.remoteErr(err, app.IO.Out)
			}
			if version > 0 {
				fmt.Fprintf(app.IO.Out, "%s: deleted version %d\n", args[0], version)
			} else {
				fmt.Fprintf(app.IO.Out, "%s: deleted the pack and all its versions\n", args[0])
			}
			return nil
		},
	}
	c.Flags().IntVar(&version, "version", 0, "delete this version only")
	c.Flags().BoolVar(&yes, "yes", false, "confirm deleting the whole pack")
	remoteFlags(c)
	return c
}

func newRemoteDownloadCmd(app *App) *cobra.Command {
	var (
		version int
		out     string
	)
	c := &cobra.Command{
		Use:   "download PACK",
		Short: "Download the active version (or --version N) and verify it",
		Args:  cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			client, err := app.packClient(c)
			if err != nil {
				return err
			}
			data, _, _, err := client.Download(ctxOf(c), args[0], version, "")
			if err != nil {
				return app.remoteErr(err, app.IO.Out)
			}
			arch, err := packs.OpenArchive(bytes.NewReader(data), int64(len(data)), packs.Limits{})
			if err != nil {
				return &ExitError{Code: ExitOperational, Err: fmt.Errorf("the downloaded zip does not verify: %v", err)}
			}
			if out == "-" {
				_, err := io.Copy(app.IO.Out, bytes.NewReader(data))
				return opErr(err)
			}
			if out == "" {
				out = packFileName(arch.Manifest.Pack)
			}
			if st, err := os.Stat(out); err == nil && st.IsDir() {
				out = filepath.Join(out, packFileName(arch.Manifest.Pack))
			}
			if err := writeFileAtomic(out, data); err != nil {
				return opErr(err)
			}
			fmt.Fprintf(app.IO.ErrOut, "wrote %s: pack %s, digest %s\n", out, arch.Manifest.Pack, arch.Manifest.Digest)
			return nil
		},
	}
	c.Flags().IntVar(&version, "version", 0, "download this version (default: the active one)")
	c.Flags().StringVarP(&out, "output", "o", "", "file or folder to write (default ./<PackID>.zip; - for stdout)")
	remoteFlags(c)
	return c
}
