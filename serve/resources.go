package serve

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"panther/auth"
	"panther/engine"
	"panther/engine/live"
	"panther/ingest"
	"panther/parsers"
	"panther/parsers/input"
	"panther/scan"
)

// Resource snapshots: POST /api/v1/ingest/resources (an ingest token)
// takes one document that `panther scan` reads — an AWS Config snapshot,
// history file or change notification, AWS CLI output, a Terraform plan
// (`terraform show -json`), resources in Panther's shape; gzip or zstd
// as the scan reads them — and scans it with the enabled policies of the
// active pack versions. Every check becomes a row of the lake's
// compliance table (as `panther scan --lake`); a policy that starts
// failing on a resource raises an alert, one that passes again resolves
// it (PolicyAlerts: the alert store). A document of which no resource
// could be read is refused (400, with the first problem), and so is a
// token pinned to a log type (403: it sends only that); items that could
// not be read are listed in the answer's problems. The answer comes once
// the rows are committed to the lake and the alerts stored: a 200 means
// nothing of it is lost. Query parameters: name (the source recorded in
// the lake; default "ingest"), account and region (for AWS CLI output,
// which does not say them).

// PolicyAlerts keeps the alerts of policy scans (the alert store).
type PolicyAlerts interface {
	// State returns which pairs of these policies are failing, for
	// scan.Tracker.
	State(ctx context.Context, policies []string) (scan.StateStore, error)
	// Apply raises and resolves the alerts of the changes; versions
	// names the pack version of each policy.
	Apply(ctx context.Context, changes []scan.Change, versions map[string]string) (raised, reopened, resolved int, err error)
}

// ResourceOptions configure the resource ingest.
type ResourceOptions struct {
	// MaxBody bounds a request body as sent (default 32 MiB: 413 past
	// it), MaxDecompressed the document once decompressed (default 128
	// MiB).
	MaxBody, MaxDecompressed int64
	// Alerts keeps the alerts (nil: none are raised; the checks still go
	// to the lake).
	Alerts PolicyAlerts
}

// ResourcesResult is the answer of POST /api/v1/ingest/resources.
type ResourcesResult struct {
	Resources  int      `json:"resources"`
	Policies   int      `json:"policies"`
	Checks     int      `json:"checks"`
	Pass       int      `json:"pass"`
	Fail       int      `json:"fail"`
	Error      int      `json:"error"`
	Suppressed int      `json:"suppressed"`
	LakeRows   int64    `json:"lake_rows"`
	Raised     int      `json:"alerts_raised"`
	Reopened   int      `json:"alerts_reopened"`
	Resolved   int      `json:"alerts_resolved"`
	Problems   []string `json:"problems,omitempty"`
	Packs      []string `json:"packs"`
}

// maxProblems bounds the problems an answer lists.
const maxProblems = 20

// resourceScans caches the scanners of a generation.
type resourceScans struct {
	mu       sync.Mutex
	gen      int
	scanners []*scan.Scanner
	versions []string
	byPolicy map[string]string
}

func (rs *resourceScans) get(g *live.Generation) ([]*scan.Scanner, []string, map[string]string) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if g.N != rs.gen || rs.byPolicy == nil {
		rs.gen, rs.scanners, rs.versions, rs.byPolicy = g.N, nil, nil, map[string]string{}
		sets, versions := g.Sets()
		for i, set := range sets {
			var pols []*engine.Detection
			for _, d := range set.Detections {
				if d.Kind == engine.TypePolicy && d.Enabled {
					if _, dup := rs.byPolicy[d.ID]; dup {
						continue // two packs hold it: the first runs it
					}
					rs.byPolicy[d.ID] = versions[i]
					pols = append(pols, d)
				}
			}
			if len(pols) == 0 {
				continue
			}
			rs.scanners = append(rs.scanners, scan.NewScanner(set, scan.Options{Policies: pols}))
			rs.versions = append(rs.versions, versions[i])
		}
	}
	return rs.scanners, rs.versions, rs.byPolicy
}

// pipelineLake is scan.LakeWriter over the pipeline's lake: rows are
// copied and sent in chunks to the pipeline, which owns the lake.
type pipelineLake struct {
	ctx  context.Context
	p    *live.Pipeline
	rows []live.Row
}

func (l *pipelineLake) HasSource(string) bool { return false }

func (l *pipelineLake) SourceDone(string, string, int64) error { return nil }

func (l *pipelineLake) WriteRow(_ string, _ []parsers.Column, t time.Time, row []byte) error {
	l.rows = append(l.rows, live.Row{Time: t, JSON: append([]byte(nil), row...)})
	if len(l.rows) >= 1000 {
		return l.flush()
	}
	return nil
}

func (l *pipelineLake) flush() error {
	if len(l.rows) == 0 {
		return nil
	}
	err := l.p.WriteRows(l.ctx, scan.ComplianceTable, scan.ComplianceSchema, l.rows)
	l.rows = l.rows[:0]
	return err
}

func (s *Service) ingestResources(w http.ResponseWriter, r *http.Request) {
	if id, ok := auth.FromContext(r.Context()); ok && id.LogType != "" {
		ingest.WriteError(w, http.StatusForbidden, "pinned", fmt.Sprintf("this token is pinned to log type %s: it sends no resources", id.LogType),
			"use an ingest token that is not pinned to a log type")
		return
	}
	o := s.opts.Resources
	if o.MaxBody <= 0 {
		o.MaxBody = 32 << 20
	}
	if o.MaxDecompressed <= 0 {
		o.MaxDecompressed = 128 << 20
	}
	if r.ContentLength > o.MaxBody {
		ingest.WriteError(w, http.StatusRequestEntityTooLarge, "too_large",
			fmt.Sprintf("body of %d bytes is over the %s limit", r.ContentLength, input.FormatSize(o.MaxBody)), "send one snapshot file a request")
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, o.MaxBody))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			ingest.WriteError(w, http.StatusRequestEntityTooLarge, "too_large", fmt.Sprintf("body over the %s limit", input.FormatSize(o.MaxBody)), "send one snapshot file a request")
			return
		}
		ingest.WriteError(w, http.StatusBadRequest, "bad_request", "reading the body: "+err.Error(), "")
		return
	}
	q := r.URL.Query()
	name := q.Get("name")
	if name == "" {
		name = "ingest"
	}
	if len(name) > 256 || strings.ContainsAny(name, "\x00\n\r") {
		ingest.WriteError(w, http.StatusBadRequest, "bad_request", "name: at most 256 bytes, one line", "")
		return
	}
	scanners, versions, byPolicy := s.scans.get(s.pipeline.Generation())
	if len(scanners) == 0 {
		ingest.WriteError(w, http.StatusConflict, "no_policies", "no active pack holds an enabled policy (AnalysisType: policy)",
			"upload and activate a pack with policies (panther upload)")
		return
	}
	ctx := r.Context()
	res := ResourcesResult{Packs: versions, Problems: []string{}}
	var tracker *scan.Tracker
	if o.Alerts != nil {
		ids := make([]string, 0, len(byPolicy))
		for id := range byPolicy {
			ids = append(ids, id)
		}
		st, err := o.Alerts.State(ctx, ids)
		if err != nil {
			s.log.Error("resource ingest: policy alert state", "error", err.Error())
			ingest.WriteError(w, http.StatusServiceUnavailable, "unavailable", "the alert store could not be read", "try again")
			return
		}
		tracker = &scan.Tracker{State: st}
	}
	var lk *pipelineLake
	var sink *scan.LakeSink
	if !s.opts.NoLake {
		lk = &pipelineLake{ctx: ctx, p: s.pipeline}
		sink = scan.NewLakeSink(lk, time.Now())
	}
	var changes []scan.Change
	var firstErr error
	for _, sc := range scanners {
		res.Policies += len(sc.Policies())
		rd := scan.ReadOptions{MaxFileBytes: o.MaxDecompressed, Account: q.Get("account"), Region: q.Get("region"), NoLocalFiles: true,
			OnError: func(err error) {
				if firstErr == nil {
					firstErr = err
				}
				if len(res.Problems) < maxProblems {
					res.Problems = append(res.Problems, err.Error())
				}
			}}
		st, err := scan.ScanDocument(ctx, sc, name, body, rd, func(ev scan.Evaluated) error {
			for _, r := range ev.Results {
				res.Checks++
				switch r.Status {
				case scan.Pass:
					res.Pass++
				case scan.Fail:
					res.Fail++
				default:
					res.Error++
				}
			}
			res.Suppressed += len(ev.Suppressed)
			if sink != nil {
				if err := sink.Add(ev); err != nil {
					return fmt.Errorf("lake: %w", err)
				}
			}
			if tracker != nil {
				ch, err := tracker.Observe(ctx, ev)
				if err != nil {
					return err
				}
				changes = append(changes, ch...)
			}
			return nil
		})
		if err != nil {
			s.resourceFail(w, err)
			return
		}
		if st.Resources > res.Resources {
			res.Resources = st.Resources
		}
	}
	if firstErr != nil && res.Resources == 0 {
		ingest.WriteError(w, http.StatusBadRequest, "bad_document", firstErr.Error(),
			"send one document panther scan reads: an AWS Config snapshot, AWS CLI output, a Terraform plan (terraform show -json)")
		return
	}
	if lk != nil {
		if err := lk.flush(); err != nil {
			s.resourceFail(w, err)
			return
		}
		if err := s.pipeline.Commit(ctx); err != nil {
			s.resourceFail(w, err)
			return
		}
		res.LakeRows = sink.Rows
	}
	if o.Alerts != nil && len(changes) > 0 {
		var err error
		if res.Raised, res.Reopened, res.Resolved, err = o.Alerts.Apply(ctx, changes, byPolicy); err != nil {
			s.resourceFail(w, err)
			return
		}
	}
	writeJSON(w, http.StatusOK, res)
}

func (s *Service) resourceFail(w http.ResponseWriter, err error) {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return // the client went away
	}
	s.log.Error("resource ingest", "error", err.Error())
	ingest.WriteError(w, http.StatusServiceUnavailable, "unavailable", "the scan could not be stored: "+err.Error(), "try again")
}
