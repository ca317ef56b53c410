package alerts

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"panther/scan"
)

// Policy alerts: `panther serve` scans resource snapshots with the active
// packs' policies (package scan); a policy that starts failing on a
// resource raises an alert, one that passes again (or that a suppression
// now covers) resolves it. The alerts are detection alerts of the policy
// (rule_id is the PolicyID) keyed by policy and resource (the dedup is
// the ResourceId), so the lifecycle, dedup window, rules, destinations
// and API are those of every alert: a repeat of a RESOLVED alert within
// its window reopens it, a CLOSED one is never reopened.
//
// Which pairs are failing is the store's own state — an OPEN or TRIAGED
// alert of the pair — so there is nothing else to keep in step: a person
// who resolves an alert of a resource that still fails sees it reopened
// by the next scan.

// PolicyState is scan.StateStore over the store, for the policies of one
// scan: NewPolicyState reads their open alerts once, and Failing answers
// from that (a scan asks for every policy and resource).
type PolicyState struct {
	s       *Store
	failing map[scan.AlertKey]bool
}

// NewPolicyState reads which pairs of these policies have an OPEN or
// TRIAGED alert.
func (s *Store) NewPolicyState(ctx context.Context, policies []string) (*PolicyState, error) {
	ps := &PolicyState{s: s, failing: map[scan.AlertKey]bool{}}
	for len(policies) > 0 {
		n := min(len(policies), 500)
		chunk := policies[:n]
		policies = policies[n:]
		args := make([]any, 0, n)
		for _, p := range chunk {
			args = append(args, p)
		}
		rows, err := s.rdb.QueryContext(ctx, `SELECT rule_id, dedup_key FROM alerts INDEXED BY alerts_rule
			WHERE rule_id IN (`+strings.TrimSuffix(strings.Repeat("?,", n), ",")+`) AND status IN ('OPEN', 'TRIAGED') AND kind = 'detection'`, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var rule, key string
			if err := rows.Scan(&rule, &key); err != nil {
				rows.Close()
				return nil, err
			}
			ps.failing[scan.AlertKey{PolicyID: rule, ResourceID: strings.TrimPrefix(key, rule+"\x1f")}] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return ps, nil
}

// Failing reports whether the pair has an OPEN or TRIAGED alert.
func (ps *PolicyState) Failing(_ context.Context, key scan.AlertKey) (bool, error) {
	return ps.failing[key], nil
}

// SetFailing records the state the changes about to be applied make.
func (ps *PolicyState) SetFailing(_ context.Context, key scan.AlertKey, failing bool) error {
	ps.failing[key] = failing
	return nil
}

// PolicyOutcome counts what Apply did.
type PolicyOutcome struct {
	Raised   int `json:"raised"`   // new alerts
	Reopened int `json:"reopened"` // RESOLVED alerts failing again within their window
	Resolved int `json:"resolved"`
}

// ApplyPolicyChanges raises and resolves the alerts of a scan's changes:
// the raises in one transaction, each resolution as a change by the
// system. versions names the pack version of each policy ("Pack@N").
func (s *Store) ApplyPolicyChanges(ctx context.Context, changes []scan.Change, versions map[string]string) (PolicyOutcome, error) {
	var out PolicyOutcome
	var raises []DetectionAlert
	for _, c := range changes {
		if c.Kind != scan.Raise || c.Result == nil {
			continue
		}
		raises = append(raises, policyAlert(c, versions[c.Key.PolicyID]))
	}
	if len(raises) > 0 {
		res, err := s.RaiseDetections(ctx, raises)
		if err != nil {
			return out, err
		}
		for _, r := range res {
			switch r.Action {
			case "created":
				out.Raised++
			case "reopened":
				out.Reopened++
			}
		}
	}
	for _, c := range changes {
		if c.Kind != scan.Resolve {
			continue
		}
		why := "the policy passes again on the resource"
		if c.Result == nil {
			why = "a suppression of the policy now covers the resource"
		}
		ok, err := s.resolvePolicy(ctx, c.Key, why)
		if err != nil {
			return out, err
		}
		if ok {
			out.Resolved++
		}
	}
	return out, nil
}

// policyAlert is the alert of a failing result.
func policyAlert(c scan.Change, version string) DetectionAlert {
	r := c.Result
	sev, ok := ParseSeverity(r.Severity)
	if !ok {
		sev = SevMedium
	}
	at := r.Resource.Time
	if at.IsZero() {
		at = time.Now()
	}
	ctxJSON := json.RawMessage(r.AlertContext)
	if len(ctxJSON) == 0 || !json.Valid(ctxJSON) {
		ctxJSON = nil
	}
	d := DetectionAlert{
		RuleID: c.Key.PolicyID, PackVersion: version, Title: r.Title, Dedup: c.Key.ResourceID, Severity: sev,
		EventCount: 1, FirstEvent: at, LastEvent: at, LogTypes: []string{r.Resource.Type}, AlertContext: ctxJSON,
		DedupPeriod: r.Policy.DedupPeriod,
	}
	if sp := r.Policy.Spec; sp != nil {
		d.Description, d.Runbook, d.Reference = sp.Description, sp.Runbook, sp.Reference
	}
	if len(r.Resource.JSON) <= MaxSampleBytes && json.Valid(r.Resource.JSON) {
		d.Samples = []json.RawMessage{json.RawMessage(r.Resource.JSON)}
	}
	return d
}

// resolvePolicy resolves the OPEN or TRIAGED alert of a pair, if any.
func (s *Store) resolvePolicy(ctx context.Context, key scan.AlertKey, why string) (bool, error) {
	var id int64
	err := s.rdb.QueryRowContext(ctx, `SELECT id FROM alerts WHERE dedup_key = ? AND status IN ('OPEN', 'TRIAGED') ORDER BY id DESC LIMIT 1`,
		key.PolicyID+"\x1f"+key.ResourceID).Scan(&id)
	if err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return false, nil
		}
		return false, err
	}
	st := StatusResolved
	if _, err := s.Update(ctx, id, Patch{Status: &st}, Actor{Name: "scan", By: BySystem}); err != nil {
		var te *TransitionError
		if errors.As(err, &te) {
			return false, nil // changed meanwhile (closed by a person)
		}
		return false, fmt.Errorf("resolving alert %d: %w", id, err)
	}
	return true, nil
}

// ScanAlerts is the store as serve's PolicyAlerts (serve.Options.Resources).
type ScanAlerts struct{ Store *Store }

// State implements serve.PolicyAlerts.
func (a ScanAlerts) State(ctx context.Context, policies []string) (scan.StateStore, error) {
	return a.Store.NewPolicyState(ctx, policies)
}

// Apply implements serve.PolicyAlerts.
func (a ScanAlerts) Apply(ctx context.Context, changes []scan.Change, versions map[string]string) (raised, reopened, resolved int, err error) {
	o, err := a.Store.ApplyPolicyChanges(ctx, changes, versions)
	return o.Raised, o.Reopened, o.Resolved, err
}
