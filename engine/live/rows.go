package live

import (
	"context"
	"errors"
	"time"

	"panther/engine"
	"panther/parsers"
)

// Rows from outside the journal: serve's resource ingest writes the
// compliance rows of its policy scans into the lake the pipeline owns
// (the lake has one writer). The sink goroutine writes them between two
// entries and commits them with the next commit; Commit waits for it
// (and asks for it at once), so that a caller answers its client only
// once the rows are in the lake for good. They are not in the journal: a
// crash before that commit loses them, and the caller, not answered, is
// the one to send again.

// Row is one row of a lake table other than the log tables.
type Row struct {
	Time time.Time
	JSON []byte
}

// ErrNoLake is what WriteRows answers when the service keeps no lake.
var ErrNoLake = errors.New("the service keeps no lake (--no-lake)")

// errStopped: the pipeline's sink is not running (any more).
var errStopped = errors.New("the pipeline is not running")

// extRequest is rows to write, or (rows nil) a wait for the next commit.
type extRequest struct {
	table  string
	schema []parsers.Column
	rows   []Row
	wait   bool
	done   chan error
}

// WriteRows writes rows of table into the lake; they are visible, and
// durable, after the next commit (Commit).
func (p *Pipeline) WriteRows(ctx context.Context, table string, schema []parsers.Column, rows []Row) error {
	if p.opts.Lake == nil {
		return ErrNoLake
	}
	return p.ext(ctx, &extRequest{table: table, schema: schema, rows: rows, done: make(chan error, 1)})
}

// Commit commits the lake now (what every WriteRows before it wrote) and
// returns once that is done.
func (p *Pipeline) Commit(ctx context.Context) error {
	if p.opts.Lake == nil {
		return ErrNoLake
	}
	return p.ext(ctx, &extRequest{wait: true, done: make(chan error, 1)})
}

func (p *Pipeline) ext(ctx context.Context, r *extRequest) error {
	select {
	case p.extReqs <- r:
	case <-p.sinkDone:
		return errStopped
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-r.done:
		return err
	case <-p.sinkDone:
		// Answered before it stopped, or never.
		select {
		case err := <-r.done:
			return err
		default:
			return errStopped
		}
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Sets are the detection sets of the active pack versions, with the pack
// version of each ("Pack@N"): serve scans resources with their policies.
func (g *Generation) Sets() ([]*engine.Set, []string) {
	var sets []*engine.Set
	var versions []string
	for _, p := range g.packs {
		if p.set != nil {
			sets = append(sets, p.set)
			versions = append(versions, p.ref.String())
		}
	}
	return sets, versions
}
