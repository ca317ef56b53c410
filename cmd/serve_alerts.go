package cmd

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"panther/alerts"
	"panther/alerts/api"
	"panther/alerts/destinations"
	"panther/alerts/rulesource"
	"panther/auth"
	"panther/console"
	"panther/engine"
	"panther/engine/live"
	"panther/packs/server"
	queryapi "panther/query/api"
	"panther/serve"
)

// alertsFlags adds the alert store's flags to serve.
func alertsFlags(c *cobra.Command) {
	f := c.Flags()
	f.StringArray("alert-rules", nil, "a folder of alert rules (AnalysisType: alert_rule) applied besides those of the active packs (repeatable; setting serve_alert_rules)")
	f.String("destinations", "", "the destinations file: webhook, slack, teams, pagerduty, email, defaults per severity, retries (setting serve_destinations)")
}

// alertsPart is the alert store of serve: its API is mounted into the
// pack server's mux; Start runs what works in the background.
type alertsPart struct {
	store *alerts.Store
	api   *api.API
	// The console and what it needs besides the alert API: sign-in
	// sessions and search over HTTP.
	sessions *auth.Sessions
	search   *queryapi.API
	console  *console.Console
	start    func(ctx context.Context, packs *server.Store) error
}

// openAlerts opens the alert store of serve in its data folder, with its
// destinations and alert rules.
func openAlerts(ctx context.Context, opts *serveOptions, tokens *auth.Tokens, log *slog.Logger) (*alertsPart, error) {
	s, lopts, data := &opts.Settings, opts.Load, opts.Settings.ServeData
	cfg := &destinations.Config{Retry: destinations.DefaultRetry}
	if file := s.ServeDestinations; file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return nil, usageErr("--destinations: %v", err)
		}
		if cfg, err = destinations.Load(file, b, opts.Getenv); err != nil {
			return nil, usageErr("%v", err)
		}
	}
	st, err := alerts.Open(ctx, alerts.Options{Path: filepath.Join(data, "alerts.db"), Now: opts.Now, Logger: log, Routing: cfg.Routing()})
	if err != nil {
		return nil, opErr(err)
	}
	lakeDir := s.ServeLake
	if s.ServeNoLake {
		lakeDir = ""
	} else if lakeDir == "" {
		lakeDir = filepath.Join(data, "lake") // serve's default lake
	}
	a := api.New(api.Options{Store: st, Tokens: tokens, Lake: lakeDir, Registry: lopts.Registry,
		Logger: log, Done: ctx.Done(), Now: opts.Now})
	dirs := s.ServeAlertRules
	con, err := console.New()
	if err != nil {
		st.Close()
		return nil, opErr(err)
	}
	part := &alertsPart{store: st, api: a, console: con,
		sessions: auth.NewSessions(tokens, auth.SessionOptions{}),
		search: queryapi.New(queryapi.Options{Lake: lakeDir, Registry: lopts.Registry, Tokens: tokens, Logger: log, Now: opts.Now,
			Queries: sync.OnceValue(func() []queryapi.SavedQuery { return shippedQueries(lopts) })})}
	part.start = func(ctx context.Context, packs *server.Store) error {
		loader := &rulesource.Loader{Packs: packs, Dirs: dirs, Options: lopts, Logger: log}
		if err := loader.Watch(ctx, st, time.Second); err != nil {
			return usageErr("%v", err)
		}
		disp, err := destinations.New(st, cfg, log)
		if err != nil {
			return usageErr("%v", err)
		}
		go st.Run(ctx)
		go func() {
			if err := disp.Run(ctx); err != nil {
				log.Error("destinations stopped", "error", err.Error())
			}
		}()
		log.Info("alert store", "path", filepath.Join(data, "alerts.db"), "destinations", len(cfg.Destinations))
		return nil
	}
	return part, nil
}

// wire plugs the alert store into the service: the pipeline's alerts,
// the API's routes, and the start once the pack store is open.
func (p *alertsPart) wire(o *serve.Options, ctx context.Context) {
	o.Alerts = liveSink{p.store}
	o.Resources.Alerts = alerts.ScanAlerts{Store: p.store}
	o.Mount = func(mux *http.ServeMux) {
		p.api.Mount(mux)
		p.sessions.Mount(mux)
		p.search.Mount(mux)
		p.console.Mount(mux)
	}
	o.OnPacks = func(ps *server.Store) error { return p.start(ctx, ps) }
}

// liveSink hands the live pipeline's alerts to the store.
type liveSink struct{ st *alerts.Store }

func (s liveSink) RaiseDetection(ctx context.Context, a live.DetectionAlert) error {
	d := alerts.FromEngine(&a.Alert, nil, a.PackVersion)
	d.DedupPeriod = a.DedupPeriod
	_, err := s.st.RaiseDetection(ctx, d)
	return err
}

func (p *alertsPart) close() error {
	if err := p.store.Close(); err != nil {
		return fmt.Errorf("alert store: %w", err)
	}
	return nil
}

// shippedQueries are the saved and scheduled queries of the shipped
// detections: those the console's Search offers.
func shippedQueries(lopts engine.LoadOptions) []queryapi.SavedQuery {
	set := engine.Load(ShippedSources(), lopts)
	out := make([]queryapi.SavedQuery, 0, len(set.Queries))
	for _, q := range set.Queries {
		sq := queryapi.SavedQuery{Name: q.Name, SQL: q.SQL}
		if q.Spec != nil {
			sq.Description = q.Spec.Description
			if q.Spec.LookbackWindowSecs != nil && *q.Spec.LookbackWindowSecs > 0 && (q.Spec.Lookback == nil || *q.Spec.Lookback) {
				sq.Lookback = fmt.Sprintf("%ds", *q.Spec.LookbackWindowSecs)
			}
		}
		out = append(out, sq)
	}
	return out
}
