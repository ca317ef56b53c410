package scan

import (
	"context"
	"sync"
)

// Alerts from policies: a (policy, resource) pair that starts failing
// raises an alert; one that passes again, or that a Suppressions pattern
// now covers, resolves it. The state is kept per policy and resource; the
// alert a Raise carries is deduplicated by Result.Dedup (the ResourceId
// unless the policy has a dedup()), which is the alert store's to group. An error is
// neither: what the policy would say is unknown, so the alert stays as it
// is. This is the part of `panther serve` that lives here; the alert
// store (package alerts) keeps the state and the alerts, and serve's
// ingest API feeds documents through ScanDocument.

// ChangeKind is what a result does to the alert of its policy and
// resource.
type ChangeKind uint8

// The changes.
const (
	Raise ChangeKind = iota + 1
	Resolve
)

func (k ChangeKind) String() string {
	if k == Raise {
		return "raise"
	}
	return "resolve"
}

// AlertKey identifies a policy on a resource.
type AlertKey struct {
	PolicyID   string
	ResourceID string
}

// Change is an alert to raise or resolve. Result is the failing result
// for a Raise (its title, severity, context, resource), the passing one
// for a Resolve (nil when a suppression resolved it).
type Change struct {
	Kind   ChangeKind
	Key    AlertKey
	Result *Result
}

// StateStore remembers which (policy, resource) pairs have an open alert.
// The alert store implements it over its open alerts; MemoryState serves
// a process that keeps it in memory.
type StateStore interface {
	Failing(ctx context.Context, key AlertKey) (bool, error)
	SetFailing(ctx context.Context, key AlertKey, failing bool) error
}

// Tracker turns results into alert changes against a StateStore.
type Tracker struct {
	State StateStore
}

// Observe returns the changes one resource's results make, and records
// the new state.
func (t *Tracker) Observe(ctx context.Context, ev Evaluated) ([]Change, error) {
	var out []Change
	for i := range ev.Results {
		r := &ev.Results[i]
		if r.Status == Error {
			continue
		}
		key := AlertKey{PolicyID: r.Policy.ID, ResourceID: ev.Resource.ID}
		failing, err := t.State.Failing(ctx, key)
		if err != nil {
			return out, err
		}
		now := r.Status == Fail
		if now == failing {
			continue
		}
		if err := t.State.SetFailing(ctx, key, now); err != nil {
			return out, err
		}
		kind := Resolve
		if now {
			kind = Raise
		}
		out = append(out, Change{Kind: kind, Key: key, Result: r})
	}
	for _, d := range ev.Suppressed {
		key := AlertKey{PolicyID: d.ID, ResourceID: ev.Resource.ID}
		failing, err := t.State.Failing(ctx, key)
		if err != nil {
			return out, err
		}
		if failing {
			if err := t.State.SetFailing(ctx, key, false); err != nil {
				return out, err
			}
			out = append(out, Change{Kind: Resolve, Key: key})
		}
	}
	return out, nil
}

// MemoryState is a StateStore in memory, safe for concurrent use.
type MemoryState struct {
	mu      sync.Mutex
	failing map[AlertKey]bool
}

// NewMemoryState returns an empty state: nothing failing.
func NewMemoryState() *MemoryState { return &MemoryState{failing: map[AlertKey]bool{}} }

// Failing reports whether key has an open alert.
func (m *MemoryState) Failing(_ context.Context, key AlertKey) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.failing[key], nil
}

// SetFailing records key's state.
func (m *MemoryState) SetFailing(_ context.Context, key AlertKey, failing bool) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if failing {
		m.failing[key] = true
	} else {
		delete(m.failing, key)
	}
	return nil
}

// Open lists the open alerts' keys (tests, status pages).
func (m *MemoryState) Open() []AlertKey {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]AlertKey, 0, len(m.failing))
	for k := range m.failing {
		out = append(out, k)
	}
	return out
}

// ScanDocument scans one document held in memory (an HTTP body of serve's
// ingest API: a Config snapshot or change notification, AWS CLI output, a
// Terraform plan, Panther resources) with sc's policies, handing each
// resource's results to sink in order. Problems with the document go to
// opts.OnError as for a Reader; the error returned is sink's or ctx's.
func ScanDocument(ctx context.Context, sc *Scanner, name string, body []byte, opts ReadOptions, sink Sink) (Stats, error) {
	rd := NewReader(opts)
	err := sc.Run(ctx, func(feed Emit) error {
		if err := rd.ReadBytes(name, body, feed); err != nil {
			return err
		}
		return rd.Finish(feed)
	}, sink)
	return rd.Stats(), err
}
