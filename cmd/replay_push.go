package cmd

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"panther/alerts"
	"panther/alerts/api"
	"panther/engine"
	"panther/packs"
)

// pushBatch is how many alerts one request of --push carries.
const pushBatch = 500

// pushAlerts sends a replay's alerts to the alert store of a backend.
// Each carries the engine's deterministic alert id, so the same replay
// pushed twice adds nothing: the store answers "unchanged".
func pushAlerts(ctx context.Context, errOut io.Writer, raw, token string, set *engine.Set, list []*engine.Alert) error {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return usageErr("--push %q: give the backend's http:// or https:// URL", raw)
	}
	token = strings.TrimSpace(token)
	if token == "" {
		return usageErr("--push needs an API token (ingest or write): set PANTHER_API_TOKEN (or api_token in the config)")
	}
	if u.Scheme == "http" && !isLoopback(u.Hostname()) {
		fmt.Fprintf(errOut, "panther: warning: %s is plain HTTP: the API token travels unencrypted\n", raw)
	}
	cl := &api.Client{Client: packs.Client{BaseURL: strings.TrimRight(u.String(), "/"), Token: token,
		HTTP: &http.Client{Timeout: 2 * time.Minute}, UserAgent: "panther/" + Version}}
	counts := map[string]int{}
	for start := 0; start < len(list); start += pushBatch {
		batch := list[start:min(start+pushBatch, len(list))]
		wire := make([]api.DetectionAlert, len(batch))
		for i, a := range batch {
			det, _ := set.Detection(a.RuleID)
			wire[i] = api.Wire(alerts.FromEngine(a, det, "replay"))
		}
		res, err := cl.Raise(ctx, wire)
		if err != nil {
			return alertsErr(fmt.Errorf("--push: %w", err))
		}
		for _, r := range res.Results {
			counts[r.Action]++
		}
	}
	fmt.Fprintf(errOut, "pushed %d alerts to %s: %d created, %d tallied, %d reopened, %d unchanged, %d discarded by alert rules\n",
		len(list), u.Host, counts["created"], counts["tallied"], counts["reopened"], counts["unchanged"], counts["discarded"])
	return nil
}
