package cmd

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode"

	"github.com/spf13/cobra"

	"panther/alerts"
	"panther/alerts/api"
	"panther/packs"
)

func init() { register(NewCmdAlerts) }

// AlertsOptions are what the alerts commands depend on.
type AlertsOptions struct {
	IO     *IOStreams
	Now    func() time.Time
	Client func() (*api.Client, error)
	Format string // table or json
}

// NewCmdAlerts is `panther alerts`: the alert store of a backend.
func NewCmdAlerts(app *App) *cobra.Command {
	c := &cobra.Command{
		Use:   "alerts",
		Short: "Work the alerts of the backend: list, show, ack, assign, resolve, close, reopen, note, resend",
		Long: `Work the alerts of the alert store of "panther serve", through its API
(PANTHER_API_URL and PANTHER_API_TOKEN, as "panther upload"). Changes are
recorded in each alert's history under the token's name; a read token
may list and show only. See docs/alerts.md for the lifecycle:
OPEN → TRIAGED → RESOLVED → CLOSED.`,
		Example: `  panther alerts list --status open --severity high
  panther alerts list --mine --unacked --format json
  panther alerts show 42
  panther alerts ack 42 43
  panther alerts assign 42 --to alice
  panther alerts resolve 42
  panther alerts note 42 "false positive: the scanner is ours"
  panther alerts resend --dead
  panther alerts resend 17`,
	}
	opts := func(c *cobra.Command) *AlertsOptions {
		return &AlertsOptions{IO: app.IO, Now: app.Now, Client: func() (*api.Client, error) {
			pc, err := packClient(app)
			if err != nil {
				return nil, err
			}
			return &api.Client{Client: *pc}, nil
		}}
	}
	c.AddCommand(NewCmdAlertsList(opts, nil), NewCmdAlertsShow(opts, nil), NewCmdAlertsNote(opts, nil), NewCmdAlertsResend(opts, nil))
	for _, ch := range alertChanges {
		c.AddCommand(NewCmdAlertsChange(opts, ch, nil))
	}
	return c
}

func alertsFormatFlag(c *cobra.Command, dst *string) {
	c.Flags().StringVar(dst, "format", "table", "output: table or json")
	remoteFlags(c)
}

func checkAlertsFormat(f string) error {
	if f != "table" && f != "json" {
		return usageErr("--format %q: table or json", f)
	}
	return nil
}

// AlertsListOptions are the options of `alerts list`.
type AlertsListOptions struct {
	*AlertsOptions
	Filter api.FilterSpec
	Sort   string
	Limit  int
	Cursor string
	All    bool
}

// NewCmdAlertsList is `panther alerts list`; runF replaces the run (tests).
func NewCmdAlertsList(opts func(*cobra.Command) *AlertsOptions, runF func(*AlertsListOptions) error) *cobra.Command {
	o := &AlertsListOptions{}
	c := &cobra.Command{
		Use:   "list",
		Short: "List alerts, newest first, with filters",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			o.AlertsOptions = opts(c)
			o.Format, _ = c.Flags().GetString("format")
			if err := checkAlertsFormat(o.Format); err != nil {
				return err
			}
			if runF != nil {
				return runF(o)
			}
			return alertsListRun(c.Context(), o)
		},
	}
	f := c.Flags()
	f.StringSliceVar(&o.Filter.Status, "status", nil, "OPEN, TRIAGED, RESOLVED, CLOSED (comma-separated)")
	f.StringVar(&o.Filter.Severity, "severity", "", "at least this severe: Info, Low, Medium, High, Critical")
	f.StringSliceVar(&o.Filter.Rule, "rule", nil, "detections' rule IDs")
	f.StringVar(&o.Filter.Kind, "kind", "", "detection or event")
	f.StringVar(&o.Filter.Node, "node", "", "events of this node")
	f.StringVar(&o.Filter.Group, "group", "", "the group")
	f.StringVar(&o.Filter.Assignee, "assignee", "", "assigned to this name (- for unassigned)")
	f.BoolVar(&o.Filter.Mine, "mine", false, "assigned to me (the token's name)")
	f.BoolVar(&o.Filter.Unacknowledged, "unacked", false, "not acknowledged")
	f.StringVarP(&o.Filter.Q, "query", "q", "", "words (or their beginnings: an address, a host, a user) in the title, node, rule or key")
	f.StringVar(&o.Filter.From, "since", "", "last seen at or after: RFC 3339, a date, or a duration ago (24h, 7d)")
	f.StringVar(&o.Filter.To, "until", "", "last seen before")
	f.StringVar(&o.Sort, "sort", "-last_seen", "last_seen, first_seen, severity, tally, id, updated_at; - for descending")
	f.IntVar(&o.Limit, "limit", 50, "alerts per page")
	f.StringVar(&o.Cursor, "cursor", "", "the page after this cursor (printed after a full page)")
	f.BoolVar(&o.All, "all", false, "every page")
	alertsFormatFlag(c, new(string))
	return c
}

func alertsListRun(ctx context.Context, o *AlertsListOptions) error {
	cl, err := o.Client()
	if err != nil {
		return err
	}
	var all []*alerts.Alert
	cursor := o.Cursor
	for {
		page, err := cl.List(ctx, o.Filter, o.Sort, o.Limit, cursor)
		if err != nil {
			return alertsErr(err)
		}
		all = append(all, page.Alerts...)
		cursor = page.Next
		if !o.All || cursor == "" {
			break
		}
	}
	if o.Format == "json" {
		return writeJSONOut(o.IO.Out, alerts.ListResult{Alerts: all, Next: cursor})
	}
	tw := tabwriter.NewWriter(o.IO.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSEVERITY\tSTATUS\tACK\tTALLY\tLAST SEEN\tRULE/NODE\tASSIGNEE\tTITLE")
	for _, a := range all {
		ack := "-"
		if a.Acknowledged {
			ack = "yes"
		}
		what := a.RuleID
		if a.Kind == alerts.KindEvent {
			what = a.Node
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d\t%s\t%s\t%s\t%s\n", a.ID, a.Severity, a.Status, ack, a.Tally,
			ago(o.Now(), a.LastSeen), text(what, 40), text(a.Assignee, 20), text(a.Title, 70))
	}
	if err := tw.Flush(); err != nil {
		return opErr(err)
	}
	if cursor != "" {
		fmt.Fprintf(o.IO.ErrOut, "more: --cursor %s (or --all)\n", cursor)
	}
	return nil
}

// text makes a value from a log safe for a terminal: control characters
// (escape sequences) are shown escaped, and long values are cut.
func text(s string, n int) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			b.WriteByte(' ')
		case unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r):
			q := strconv.QuoteToASCII(string(r))
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteRune(r)
		}
	}
	out := b.String()
	if n > 0 && len([]rune(out)) > n {
		out = string([]rune(out)[:n-1]) + "…"
	}
	return out
}

func ago(now, t time.Time) string {
	d := now.Sub(t)
	switch {
	case d < 0:
		return t.UTC().Format("2006-01-02 15:04")
	case d < time.Minute:
		return fmt.Sprintf("%ds ago", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm ago", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh ago", int(d.Hours()))
	}
	return t.UTC().Format("2006-01-02 15:04")
}

func writeJSONOut(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return opErr(enc.Encode(v))
}

// alertsErr maps the API's refusals to exit codes and hints.
func alertsErr(err error) error {
	if err == nil || errors.Is(err, context.Canceled) {
		return err
	}
	var ee *ExitError
	if errors.As(err, &ee) {
		return err
	}
	var ae *packs.APIError
	if errors.As(err, &ae) {
		hint := ae.Hint
		code := ExitOperational
		switch ae.Status {
		case http.StatusUnauthorized:
			hint = "the server does not accept this token: check PANTHER_API_TOKEN against the server's PANTHER_SERVE_TOKENS"
		case http.StatusForbidden:
			hint = "this token may not do that: changes need a write token"
		case http.StatusBadRequest, http.StatusNotFound:
			code = ExitUsage
		case http.StatusConflict, http.StatusPreconditionFailed:
			code = ExitFindings
		}
		msg := fmt.Sprintf("server answered %d %s: %s", ae.Status, ae.Code, ae.Message)
		if hint != "" {
			msg += "\n  " + hint
		}
		return &ExitError{Code: code, Err: errors.New(msg)}
	}
	return opErr(err)
}

// AlertsShowOptions are the options of `alerts show`.
type AlertsShowOptions struct {
	*AlertsOptions
	ID int64
}

// NewCmdAlertsShow is `panther alerts show ID`.
func NewCmdAlertsShow(opts func(*cobra.Command) *AlertsOptions, runF func(*AlertsShowOptions) error) *cobra.Command {
	o := &AlertsShowOptions{}
	c := &cobra.Command{
		Use:   "show ID",
		Short: "Show an alert: fields, context, notes, history, deliveries",
		Args:  cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			o.AlertsOptions = opts(c)
			o.Format, _ = c.Flags().GetString("format")
			if err := checkAlertsFormat(o.Format); err != nil {
				return err
			}
			ids, err := parseIDs(args)
			if err != nil {
				return err
			}
			o.ID = ids[0]
			if runF != nil {
				return runF(o)
			}
			return alertsShowRun(c.Context(), o)
		},
	}
	alertsFormatFlag(c, new(string))
	return c
}

func alertsShowRun(ctx context.Context, o *AlertsShowOptions) error {
	cl, err := o.Client()
	if err != nil {
		return err
	}
	a, err := cl.Get(ctx, o.ID)
	if err != nil {
		return alertsErr(err)
	}
	if o.Format == "json" {
		return writeJSONOut(o.IO.Out, a)
	}
	printAlertDetail(o.IO.Out, a)
	return nil
}

// printAlertDetail writes an alert as `alerts show` does: its fields, then
// its notes, history and deliveries. Everything from a log is text.
func printAlertDetail(w io.Writer, a *alerts.Alert) {
	fmt.Fprintf(w, "#%d [%s] %s\n", a.ID, a.Severity, text(a.Title, 0))
	row := func(k, v string) {
		if v != "" {
			fmt.Fprintf(w, "  %-13s %s\n", k+":", text(v, 0))
		}
	}
	row("status", string(a.Status))
	if a.Acknowledged {
		row("acknowledged", a.AckBy+" at "+a.AckAt.UTC().Format(time.RFC3339))
	}
	row("rule", a.RuleID)
	row("node", a.Node)
	row("tag", a.Tag)
	row("tally", strconv.FormatInt(a.Tally, 10))
	row("first seen", a.FirstSeen.UTC().Format(time.RFC3339))
	row("last seen", a.LastSeen.UTC().Format(time.RFC3339))
	row("assignee", a.Assignee)
	row("group", a.Group)
	row("owner", a.Owner)
	row("log types", strings.Join(a.LogTypes, ", "))
	row("destinations", strings.Join(a.Destinations, ", "))
	for _, k := range slices.Sorted(maps.Keys(a.Fields)) {
		row(k, a.Fields[k])
	}
	if len(a.AlertContext) > 0 {
		row("context", string(a.AlertContext))
	}
	if a.Runbook != "" {
		fmt.Fprintf(w, "runbook:\n  %s\n", strings.ReplaceAll(text(strings.TrimSpace(a.Runbook), 0), "  ", "\n  "))
	}
	printAlertTrail(w, a)
}

// printAlertTrail writes the notes, history and deliveries of an alert.
func printAlertTrail(w io.Writer, a *alerts.Alert) {
	if len(a.Notes) > 0 {
		fmt.Fprintln(w, "notes:")
		for _, n := range a.Notes {
			fmt.Fprintf(w, "  %s %s: %s\n", n.At.UTC().Format(time.RFC3339), text(n.Author, 40), text(n.Text, 0))
		}
	}
	fmt.Fprintln(w, "history:")
	for _, h := range a.History {
		change := h.What
		switch {
		case h.From != "" && h.To != "":
			change += " " + h.From + " → " + h.To
		case h.To != "":
			change += " → " + h.To
		case h.From != "":
			change += " " + h.From + " → (none)"
		}
		if h.Text != "" {
			change += " (" + h.Text + ")"
		}
		fmt.Fprintf(w, "  %s %s/%s: %s\n", h.At.UTC().Format(time.RFC3339), h.By, text(h.Who, 40), text(change, 0))
	}
	if len(a.Deliveries) > 0 {
		fmt.Fprintln(w, "deliveries:")
		for _, d := range a.Deliveries {
			line := fmt.Sprintf("  #%d %s %s (%s, %d attempts)", d.ID, d.Destination, d.Status, d.Reason, d.Attempts)
			if d.LastError != "" {
				line += ": " + text(d.LastError, 120)
			}
			fmt.Fprintln(w, line)
		}
	}
}

func parseIDs(args []string) ([]int64, error) {
	var out []int64
	for _, a := range args {
		id, err := strconv.ParseInt(strings.TrimPrefix(a, "#"), 10, 64)
		if err != nil || id < 1 {
			return nil, usageErr("%q is not an alert id (a positive number)", a)
		}
		out = append(out, id)
	}
	return out, nil
}

// alertChange is one of the commands that change alerts.
type alertChange struct {
	use, short string
	patch      func(o *AlertsChangeOptions) api.PatchRequest
	done       string
}

func strp(s string) *string { return &s }

var alertChanges = []alertChange{
	{"ack", "Acknowledge alerts (--undo takes it back)", func(o *AlertsChangeOptions) api.PatchRequest {
		b := !o.Undo
		return api.PatchRequest{Ack: &b}
	}, "acknowledged"},
	{"assign", "Assign alerts to someone (--to NAME; --to '' unassigns)", func(o *AlertsChangeOptions) api.PatchRequest {
		return api.PatchRequest{Assignee: strp(o.To)}
	}, "assigned"},
	{"triage", "Mark alerts TRIAGED", func(*AlertsChangeOptions) api.PatchRequest { return api.PatchRequest{Status: strp("TRIAGED")} }, "triaged"},
	{"resolve", "Mark alerts RESOLVED (a repeat within the dedup window reopens them)", func(*AlertsChangeOptions) api.PatchRequest {
		return api.PatchRequest{Status: strp("RESOLVED")}
	}, "resolved"},
	{"close", "Close alerts (final: a repeat starts a new alert)", func(*AlertsChangeOptions) api.PatchRequest { return api.PatchRequest{Status: strp("CLOSED")} }, "closed"},
	{"reopen", "Reopen alerts (back to OPEN)", func(*AlertsChangeOptions) api.PatchRequest { return api.PatchRequest{Status: strp("OPEN")} }, "reopened"},
}

// AlertsChangeOptions are the options of ack, assign, triage, resolve,
// close and reopen.
type AlertsChangeOptions struct {
	*AlertsOptions
	IDs  []int64
	Undo bool
	To   string
	// Patch is the change, built from the command and its flags.
	Patch api.PatchRequest
	done  string
}

// NewCmdAlertsChange builds one of the change commands.
func NewCmdAlertsChange(opts func(*cobra.Command) *AlertsOptions, ch alertChange, runF func(*AlertsChangeOptions) error) *cobra.Command {
	o := &AlertsChangeOptions{done: ch.done}
	c := &cobra.Command{
		Use:   ch.use + " ID...",
		Short: ch.short,
		Args:  cobra.MinimumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			o.AlertsOptions = opts(c)
			o.Format, _ = c.Flags().GetString("format")
			if err := checkAlertsFormat(o.Format); err != nil {
				return err
			}
			ids, err := parseIDs(args)
			if err != nil {
				return err
			}
			o.IDs = ids
			if ch.use == "assign" && !c.Flags().Changed("to") {
				return usageErr("assign needs --to NAME (--to '' to unassign)")
			}
			o.Patch = ch.patch(o)
			if runF != nil {
				return runF(o)
			}
			return alertsChangeRun(c.Context(), o)
		},
	}
	switch ch.use {
	case "ack":
		c.Flags().BoolVar(&o.Undo, "undo", false, "take the acknowledgement back")
	case "assign":
		c.Flags().StringVar(&o.To, "to", "", "who (a token's name, usually)")
	}
	alertsFormatFlag(c, new(string))
	return c
}

func alertsChangeRun(ctx context.Context, o *AlertsChangeOptions) error {
	cl, err := o.Client()
	if err != nil {
		return err
	}
	res, err := cl.Bulk(ctx, api.BulkRequest{IDs: o.IDs, PatchRequest: o.Patch})
	if err != nil {
		return alertsErr(err)
	}
	if o.Format == "json" {
		if err := writeJSONOut(o.IO.Out, res); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(o.IO.Out, "%s %d of %d alerts\n", o.done, res.Changed, len(o.IDs))
		for _, id := range o.IDs {
			if why, failed := res.Failed[strconv.FormatInt(id, 10)]; failed {
				fmt.Fprintf(o.IO.ErrOut, "alert %d: %s\n", id, why)
			}
		}
	}
	if len(res.Failed) > 0 {
		return findings()
	}
	return nil
}

// AlertsNoteOptions are the options of `alerts note`.
type AlertsNoteOptions struct {
	*AlertsOptions
	ID   int64
	Text string
}

// NewCmdAlertsNote is `panther alerts note ID TEXT...` (TEXT - reads stdin).
func NewCmdAlertsNote(opts func(*cobra.Command) *AlertsOptions, runF func(*AlertsNoteOptions) error) *cobra.Command {
	o := &AlertsNoteOptions{}
	c := &cobra.Command{
		Use:   "note ID TEXT...",
		Short: "Add a note to an alert (TEXT - reads it from stdin)",
		Args:  cobra.MinimumNArgs(2),
		RunE: func(c *cobra.Command, args []string) error {
			o.AlertsOptions = opts(c)
			o.Format, _ = c.Flags().GetString("format")
			if err := checkAlertsFormat(o.Format); err != nil {
				return err
			}
			ids, err := parseIDs(args[:1])
			if err != nil {
				return err
			}
			o.ID = ids[0]
			o.Text = strings.Join(args[1:], " ")
			if o.Text == "-" {
				b, err := io.ReadAll(io.LimitReader(o.IO.In, alerts.MaxNoteLen+1))
				if err != nil {
					return opErr(err)
				}
				o.Text = string(b)
			}
			if strings.TrimSpace(o.Text) == "" {
				return usageErr("the note is empty")
			}
			if runF != nil {
				return runF(o)
			}
			return alertsNoteRun(c.Context(), o)
		},
	}
	alertsFormatFlag(c, new(string))
	return c
}

func alertsNoteRun(ctx context.Context, o *AlertsNoteOptions) error {
	cl, err := o.Client()
	if err != nil {
		return err
	}
	n, err := cl.AddNote(ctx, o.ID, o.Text)
	if err != nil {
		return alertsErr(err)
	}
	if o.Format == "json" {
		return writeJSONOut(o.IO.Out, n)
	}
	fmt.Fprintf(o.IO.Out, "note %d added to alert %d\n", n.ID, o.ID)
	return nil
}

// AlertsResendOptions are the options of `alerts resend`.
type AlertsResendOptions struct {
	*AlertsOptions
	IDs  []int64
	Dead bool
}

// NewCmdAlertsResend is `panther alerts resend DELIVERY_ID...` and
// `resend --dead` (the dead-letter list).
func NewCmdAlertsResend(opts func(*cobra.Command) *AlertsOptions, runF func(*AlertsResendOptions) error) *cobra.Command {
	o := &AlertsResendOptions{}
	c := &cobra.Command{
		Use:   "resend [DELIVERY_ID...]",
		Short: "Send deliveries that gave up again; --dead lists them",
		RunE: func(c *cobra.Command, args []string) error {
			o.AlertsOptions = opts(c)
			o.Format, _ = c.Flags().GetString("format")
			if err := checkAlertsFormat(o.Format); err != nil {
				return err
			}
			if o.Dead == (len(args) > 0) {
				return usageErr("give delivery ids to resend, or --dead to list the dead letters")
			}
			ids, err := parseIDs(args)
			if err != nil {
				return err
			}
			o.IDs = ids
			if runF != nil {
				return runF(o)
			}
			return alertsResendRun(c.Context(), o)
		},
	}
	c.Flags().BoolVar(&o.Dead, "dead", false, "list the deliveries that gave up")
	alertsFormatFlag(c, new(string))
	return c
}

func alertsResendRun(ctx context.Context, o *AlertsResendOptions) error {
	cl, err := o.Client()
	if err != nil {
		return err
	}
	if o.Dead {
		ds, err := cl.DeadLetters(ctx, 1000)
		if err != nil {
			return alertsErr(err)
		}
		if o.Format == "json" {
			return writeJSONOut(o.IO.Out, ds)
		}
		tw := tabwriter.NewWriter(o.IO.Out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "DELIVERY\tALERT\tDESTINATION\tATTEMPTS\tSTATUS\tERROR")
		for _, d := range ds {
			fmt.Fprintf(tw, "%d\t%d\t%s\t%d\t%d\t%s\n", d.ID, d.AlertID, text(d.Destination, 30), d.Attempts, d.LastStatus, text(d.LastError, 80))
		}
		return opErr(tw.Flush())
	}
	var out []*alerts.Delivery
	for _, id := range o.IDs {
		d, err := cl.Resend(ctx, id)
		if err != nil {
			return alertsErr(err)
		}
		out = append(out, d)
		if o.Format != "json" {
			fmt.Fprintf(o.IO.Out, "delivery %d to %s queued again as %d\n", id, d.Destination, d.ID)
		}
	}
	if o.Format == "json" {
		return writeJSONOut(o.IO.Out, out)
	}
	return nil
}
