package cmd

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"panther/internal/durable"
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
	c.AddCommand(newCmdRemoteList(app, nil), newCmdRemoteGet(app, nil), newCmdRemoteActivate(app, nil),
		newCmdRemoteRollback(app, nil), newCmdRemoteDelete(app, nil), newCmdRemoteDownload(app, nil))
	return c
}

// remoteOptions are the settings of the `pack remote` commands: the
// backend's client, the pack, and what each command takes.
type remoteOptions struct {
	IO     *IOStreams
	Ctx    context.Context
	Client func() (*packs.Client, error)

	Pack    string
	Version int
	To      int    // rollback --to
	Yes     bool   // delete --yes
	Output  string // download -o
	Format  string
}

// newRemoteCmd builds one `pack remote` command: the flags of the backend,
// PACK (when it takes one), and run.
func newRemoteCmd(app *App, c *cobra.Command, runF, run func(*remoteOptions) error, opts *remoteOptions) *cobra.Command {
	c.RunE = func(cmd *cobra.Command, args []string) error {
		opts.Ctx = ctxOf(cmd)
		opts.Client = func() (*packs.Client, error) { return packClient(app) }
		if len(args) > 0 {
			opts.Pack = args[0]
		}
		if len(args) > 1 {
			v, err := strconv.Atoi(args[1])
			if err != nil || v < 1 {
				return usageErr("VERSION %q: a version number (1, 2, ...)", args[1])
			}
			opts.Version = v
		}
		if opts.Format != "" && opts.Format != "pretty" && opts.Format != "json" {
			return usageErr("--format %q: pretty or json", opts.Format)
		}
		if runF != nil {
			return runF(opts)
		}
		return run(opts)
	}
	remoteFlags(c)
	return c
}

func formatFlag(c *cobra.Command, p *string) {
	c.Flags().StringVar(p, "format", "pretty", "output: pretty or json")
}

func newCmdRemoteList(app *App, runF func(*remoteOptions) error) *cobra.Command {
	opts := &remoteOptions{IO: app.IO}
	c := &cobra.Command{Use: "list", Short: "List the packs on the backend", Args: cobra.NoArgs}
	formatFlag(c, &opts.Format)
	return newRemoteCmd(app, c, runF, remoteListRun, opts)
}

func remoteListRun(opts *remoteOptions) error {
	client, err := opts.Client()
	if err != nil {
		return err
	}
	list, err := client.List(opts.Ctx)
	if err != nil {
		return remoteErr(err, opts.IO.Out)
	}
	if opts.Format == "json" {
		return printJSON(opts.IO.Out, list)
	}
	out := newOutput("stdout", opts.IO.Out)
	if len(list) == 0 {
		fmt.Fprintln(out, "no packs on the backend")
		return out.Close()
	}
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "PACK\tACTIVE\tVERSIONS\tDETECTIONS\tDIGEST\tUPDATED")
	for _, p := range list {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%s\t%s\n", p.ID, activeName(p.Active), p.Versions, p.Detections,
			packs.ShortDigest(p.Digest), p.Updated.UTC().Format(time.RFC3339))
	}
	tw.Flush()
	return out.Close()
}

func activeName(v int) string {
	if v == 0 {
		return "-"
	}
	return strconv.Itoa(v)
}

func newCmdRemoteGet(app *App, runF func(*remoteOptions) error) *cobra.Command {
	opts := &remoteOptions{IO: app.IO}
	c := &cobra.Command{Use: "get PACK", Short: "Show a pack's versions, or one version's detections", Args: cobra.ExactArgs(1)}
	formatFlag(c, &opts.Format)
	c.Flags().IntVar(&opts.Version, "version", 0, "show this version's details")
	return newRemoteCmd(app, c, runF, remoteGetRun, opts)
}

func remoteGetRun(opts *remoteOptions) error {
	client, err := opts.Client()
	if err != nil {
		return err
	}
	info, err := client.Get(opts.Ctx, opts.Pack)
	if err != nil {
		return remoteErr(err, opts.IO.Out)
	}
	if opts.Version > 0 {
		return printVersion(opts, info)
	}
	if opts.Format == "json" {
		return printJSON(opts.IO.Out, info)
	}
	out := newOutput("stdout", opts.IO.Out)
	name := info.ID
	if info.DisplayName != "" {
		name += " — " + info.DisplayName
	}
	fmt.Fprintf(out, "%s\nactive: %s; rollback goes to: %s\n", name, activeName(info.Active), activeName(info.RollbackTo))
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "VERSION\tACTIVE\tDIGEST\tDETECTIONS\tTESTS\tCREATED\tBY")
	for _, v := range info.List {
		mark := ""
		if v.Active {
			mark = "*"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%d\t%d\t%s\t%s\n", v.Version, mark, packs.ShortDigest(v.Digest), len(v.Detections), v.Tests,
			v.Created.UTC().Format(time.RFC3339), v.CreatedBy)
	}
	tw.Flush()
	return out.Close()
}

// printVersion shows one version of a pack (get --version N).
func printVersion(opts *remoteOptions, info *packs.PackInfo) error {
	i := slices.IndexFunc(info.List, func(v packs.Version) bool { return v.Version == opts.Version })
	if i < 0 {
		return &ExitError{Code: ExitOperational, Err: fmt.Errorf("pack %s has no version %d (versions: %s)", opts.Pack, opts.Version, versionList(info))}
	}
	v := info.List[i]
	if opts.Format == "json" {
		return printJSON(opts.IO.Out, v)
	}
	out := newOutput("stdout", opts.IO.Out)
	state := ""
	if v.Active {
		state = " (active)"
	}
	fmt.Fprintf(out, "%s version %d%s\n  digest   %s\n  zip      %d bytes, %d files, sha256 %s\n  created  %s by token %s (tool %s)\n  tests    %d passed on upload\n  detections:\n",
		v.Pack, v.Version, state, v.Digest, v.Size, v.Files, v.Blob, v.Created.UTC().Format(time.RFC3339), v.CreatedBy, v.ToolVersion, v.Tests)
	var ids []string
	for id := range v.Detections {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		fmt.Fprintf(out, "    %s\n", id)
	}
	return out.Close()
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

func newCmdRemoteActivate(app *App, runF func(*remoteOptions) error) *cobra.Command {
	opts := &remoteOptions{IO: app.IO}
	c := &cobra.Command{Use: "activate PACK VERSION", Short: "Make a stored version the active one", Args: cobra.ExactArgs(2)}
	return newRemoteCmd(app, c, runF, remoteActivateRun, opts)
}

func remoteActivateRun(opts *remoteOptions) error {
	client, err := opts.Client()
	if err != nil {
		return err
	}
	info, err := client.Get(opts.Ctx, opts.Pack)
	if err != nil {
		return remoteErr(err, opts.IO.Out)
	}
	after, err := client.Activate(opts.Ctx, opts.Pack, opts.Version, info.Active)
	if err != nil {
		return remoteErr(err, opts.IO.Out)
	}
	_, err = fmt.Fprintf(opts.IO.Out, "%s: version %d is active (was %s)\n", opts.Pack, after.Active, activeName(info.Active))
	return opErr(err)
}

func newCmdRemoteRollback(app *App, runF func(*remoteOptions) error) *cobra.Command {
	opts := &remoteOptions{IO: app.IO}
	c := &cobra.Command{Use: "rollback PACK", Short: "Activate the version that was active before the current one (or --to N)", Args: cobra.ExactArgs(1)}
	c.Flags().IntVar(&opts.To, "to", 0, "the version to activate (default: the one active before the current)")
	return newRemoteCmd(app, c, runF, remoteRollbackRun, opts)
}

func remoteRollbackRun(opts *remoteOptions) error {
	client, err := opts.Client()
	if err != nil {
		return err
	}
	info, err := client.Get(opts.Ctx, opts.Pack)
	if err != nil {
		return remoteErr(err, opts.IO.Out)
	}
	target := opts.To
	if target == 0 {
		// Name the target: a retried request then activates the same
		// version instead of rolling back twice.
		target = info.RollbackTo
	}
	after, err := client.Rollback(opts.Ctx, opts.Pack, target, info.Active)
	if err != nil {
		return remoteErr(err, opts.IO.Out)
	}
	_, err = fmt.Fprintf(opts.IO.Out, "%s: rolled back from version %s to version %d\n", opts.Pack, activeName(info.Active), after.Active)
	return opErr(err)
}

func newCmdRemoteDelete(app *App, runF func(*remoteOptions) error) *cobra.Command {
	opts := &remoteOptions{IO: app.IO}
	c := &cobra.Command{
		Use:   "delete PACK",
		Short: "Delete a stored version (--version N), or the whole pack (--yes)",
		Long: `Delete one stored version of a pack (--version N; not the active one: roll
back or activate another first), or the whole pack with every version
(--yes, required because it cannot be undone).`,
		Args: cobra.ExactArgs(1),
	}
	c.Flags().IntVar(&opts.Version, "version", 0, "delete this version only")
	c.Flags().BoolVar(&opts.Yes, "yes", false, "confirm deleting the whole pack")
	return newRemoteCmd(app, c, runF, remoteDeleteRun, opts)
}

func remoteDeleteRun(opts *remoteOptions) error {
	if opts.Version == 0 && !opts.Yes {
		return usageErr("deleting pack %s removes all its versions: add --yes, or --version N to delete one", opts.Pack)
	}
	client, err := opts.Client()
	if err != nil {
		return err
	}
	if err := client.Delete(opts.Ctx, opts.Pack, opts.Version); err != nil {
		return remoteErr(err, opts.IO.Out)
	}
	if opts.Version > 0 {
		_, err = fmt.Fprintf(opts.IO.Out, "%s: deleted version %d\n", opts.Pack, opts.Version)
	} else {
		_, err = fmt.Fprintf(opts.IO.Out, "%s: deleted the pack and all its versions\n", opts.Pack)
	}
	return opErr(err)
}

func newCmdRemoteDownload(app *App, runF func(*remoteOptions) error) *cobra.Command {
	opts := &remoteOptions{IO: app.IO}
	c := &cobra.Command{Use: "download PACK", Short: "Download the active version (or --version N) and verify it", Args: cobra.ExactArgs(1)}
	c.Flags().IntVar(&opts.Version, "version", 0, "download this version (default: the active one)")
	c.Flags().StringVarP(&opts.Output, "output", "o", "", "file or folder to write (default ./<PackID>.zip; - for stdout)")
	return newRemoteCmd(app, c, runF, remoteDownloadRun, opts)
}

func remoteDownloadRun(opts *remoteOptions) error {
	client, err := opts.Client()
	if err != nil {
		return err
	}
	data, _, _, err := client.Download(opts.Ctx, opts.Pack, opts.Version, "")
	if err != nil {
		return remoteErr(err, opts.IO.Out)
	}
	arch, err := packs.OpenArchive(bytes.NewReader(data), int64(len(data)), packs.Limits{})
	if err != nil {
		return &ExitError{Code: ExitOperational, Err: fmt.Errorf("the downloaded zip does not verify: %v", err)}
	}
	out := opts.Output
	if out == "-" {
		_, err := io.Copy(opts.IO.Out, bytes.NewReader(data))
		return opErr(err)
	}
	if out == "" {
		out = packFileName(arch.Manifest.Pack)
	}
	if st, err := os.Stat(out); err == nil && st.IsDir() {
		out = filepath.Join(out, packFileName(arch.Manifest.Pack))
	}
	if err := durable.WriteFile(out, data, 0o644); err != nil {
		return opErr(err)
	}
	fmt.Fprintf(opts.IO.ErrOut, "wrote %s: pack %s, digest %s\n", out, arch.Manifest.Pack, arch.Manifest.Digest)
	return nil
}
