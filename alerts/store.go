package alerts

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"panther/alerts/rules"
)

// Driver opens SQLite through one database/sql driver.
type Driver struct {
	Name string
	// DSN turns a file path into the driver's data source name, with a
	// busy timeout set on every connection.
	DSN func(path string) string
}

// Options configure a Store.
type Options struct {
	// Path is the SQLite database file (created when missing).
	Path string
	// Driver: nil is DefaultDriver.
	Driver *Driver
	Now    func() time.Time
	Logger *slog.Logger
	// Rules are applied to every raise (SetRules changes them).
	Rules *rules.Set
	// Routing decides the destinations of an alert when neither the
	// detection nor a rule did.
	Routing Routing
	// EventDedupPeriod is the dedup window of console events (default 60
	// minutes, as detections).
	EventDedupPeriod time.Duration
	// Readers bounds the connections that read (default 4).
	Readers int
	// Durability says what an acknowledged write survives (the package
	// doc, Durability): DurableProcess (the default) or DurablePower.
	Durability Durability
	// FoldEvery is how often staged tally increments are folded into
	// their alerts (tallies.go; default DefaultFoldEvery).
	FoldEvery time.Duration
}

// Durability is what an acknowledged write survives.
type Durability int

const (
	// DurableProcess: a write is acknowledged once committed to the
	// WAL, not yet synced to the disk (synchronous=NORMAL): it survives
	// the process dying (kill -9, a panic, out of memory), not an
	// operating system crash or a power cut, which may lose the
	// transactions since the last checkpoint (at most about a second).
	DurableProcess Durability = iota
	// DurablePower: every commit also syncs the WAL to the disk
	// (synchronous=FULL) before the writes it holds are acknowledged:
	// they survive a power cut. Group commit shares one sync among the
	// writes of a batch.
	DurablePower
)

// Routing holds the default destinations per severity.
type Routing struct {
	BySeverity map[Severity][]string
}

// Store is the alert store. It is safe for concurrent use: reads run on a
// pool of connections, writes go through one writer goroutine that
// commits many of them per transaction (group commit).
type Store struct {
	opts   Options
	now    func() time.Time
	log    *slog.Logger
	rdb    *sql.DB // readers
	wdb    *sql.DB // the writer's one connection
	ops    chan *writeOp
	closed chan struct{}
	wg     sync.WaitGroup
	rules  atomic.Pointer[rules.Set]
	feed   *feed
	// wake tells the dispatcher a delivery is due.
	wake     chan struct{}
	hitsMu   sync.Mutex
	hitsSent map[string]int64
	hitsDue  func(time.Time) bool
	closing  sync.Once
	stmts    sync.Map // query → *sql.Stmt on the writer's connection
	// toPrepare: statements to prepare after the commit (writer only)
	toPrepare map[string]bool
	// The writer's own state (tallies.go): the alerts by dedup key as
	// they stand committed, the alerts with staged increments, when the
	// staged rows were last folded, and whether `tallies` may hold rows
	// stagedIDs does not know (after a rollback or at open).
	keys          map[string]*current
	stagedIDs     map[int64]struct{}
	lastFold      time.Time
	mayHaveStaged bool
	// textPlan forces the plan of text searches ("index", "walk"; tests).
	textPlan string
}

// ErrNotFound is an unknown alert, note or delivery.
var ErrNotFound = errors.New("not found")

// ErrClosed is returned by a store that was closed.
var ErrClosed = errors.New("the alert store is closed")

// ConflictError is a change made against an older version of an alert.
type ConflictError struct{ Have, Want int64 }

func (e *ConflictError) Error() string {
	return fmt.Sprintf("the alert changed: it is at version %d, the change was made against %d", e.Have, e.Want)
}

// Open opens (creating and migrating as needed) the store at opts.Path.
func Open(ctx context.Context, opts Options) (*Store, error) {
	if opts.Path == "" {
		return nil, errors.New("alerts: no database path")
	}
	if opts.Driver == nil {
		opts.Driver = DefaultDriver
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.EventDedupPeriod <= 0 {
		opts.EventDedupPeriod = time.Hour
	}
	if opts.Readers <= 0 {
		opts.Readers = 4
	}
	if opts.FoldEvery <= 0 {
		opts.FoldEvery = DefaultFoldEvery
	}
	sync := "PRAGMA synchronous=NORMAL"
	if opts.Durability == DurablePower {
		sync = "PRAGMA synchronous=FULL"
	}
	if err := os.MkdirAll(filepath.Dir(opts.Path), 0o755); err != nil {
		return nil, err
	}
	dsn := opts.Driver.DSN(opts.Path)
	wdb, err := sql.Open(opts.Driver.Name, dsn)
	if err != nil {
		return nil, fmt.Errorf("alerts: open %s: %w", opts.Path, err)
	}
	wdb.SetMaxOpenConns(1)
	wdb.SetMaxIdleConns(1)
	wdb.SetConnMaxLifetime(0)
	wdb.SetConnMaxIdleTime(0)
	// The writer never checkpoints: a goroutine does, off the write path
	// (checkpointer), so a commit never waits for the database file's
	// fsync.
	for _, p := range []string{"PRAGMA journal_mode=WAL", sync, "PRAGMA foreign_keys=ON", "PRAGMA busy_timeout=10000", "PRAGMA wal_autocheckpoint=0"} {
		// (also set per connection by the default driver; here for others)
		if _, err := wdb.ExecContext(ctx, p); err != nil {
			wdb.Close()
			return nil, fmt.Errorf("alerts: %s on %s: %w", p, opts.Path, err)
		}
	}
	if err := migrate(ctx, wdb); err != nil {
		wdb.Close()
		return nil, fmt.Errorf("alerts: %s: %w", opts.Path, err)
	}
	// Statistics for the query planner, gathered when they are missing
	// or stale (cheap otherwise; SQLite's advice for long-lived databases).
	if _, err := wdb.ExecContext(ctx, "PRAGMA optimize=0x10002"); err != nil {
		opts.Logger.Warn("alerts: PRAGMA optimize", "error", err.Error())
	}
	rdb, err := sql.Open(opts.Driver.Name, dsn)
	if err != nil {
		wdb.Close()
		return nil, err
	}
	rdb.SetMaxOpenConns(opts.Readers)
	rdb.SetMaxIdleConns(opts.Readers)
	s := &Store{opts: opts, now: opts.Now, log: opts.Logger, rdb: rdb, wdb: wdb,
		ops: make(chan *writeOp, 1024), closed: make(chan struct{}), feed: newFeed(4096),
		wake: make(chan struct{}, 1), hitsSent: map[string]int64{}, toPrepare: map[string]bool{},
		keys: map[string]*current{}, stagedIDs: map[int64]struct{}{}}
	// Increments staged before a crash are folded now.
	if err := s.foldNow(); err != nil {
		s.Close()
		return nil, fmt.Errorf("alerts: %s: folding staged tallies: %w", opts.Path, err)
	}
	if opts.Rules != nil {
		if err := s.SetRules(ctx, opts.Rules); err != nil {
			s.Close()
			return nil, err
		}
	}
	s.wg.Add(2)
	go s.writer()
	go s.checkpointer()
	return s, nil
}

// checkpointEvery is how often the WAL is copied back into the database.
const checkpointEvery = time.Second

// checkpointer copies the WAL back into the database file every second,
// on a reader connection, without blocking the writer (PASSIVE); when
// readers kept it from finishing and the WAL has grown past 64 MiB, a
// RESTART checkpoint waits for them so the file starts over.
func (s *Store) checkpointer() {
	defer s.wg.Done()
	t := time.NewTicker(checkpointEvery)
	defer t.Stop()
	for {
		select {
		case <-s.closed:
			return
		case <-t.C:
		}
		var busy, logPages, done int
		mode := "PASSIVE"
		if err := s.rdb.QueryRow("PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &logPages, &done); err != nil {
			s.log.Warn("alerts: checkpoint", "error", err.Error())
			continue
		}
		if logPages*4096 > 64<<20 && done < logPages {
			mode = "RESTART"
			if err := s.rdb.QueryRow("PRAGMA wal_checkpoint(RESTART)").Scan(&busy, &logPages, &done); err != nil {
				s.log.Warn("alerts: checkpoint", "mode", mode, "error", err.Error())
			}
		}
	}
}

// migrate applies the steps the database lacks.
func migrate(ctx context.Context, db *sql.DB) error {
	var v int
	if err := db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return err
	}
	if v > len(migrations) {
		return fmt.Errorf("the database is at schema version %d, newer than this panther (%d): use a newer panther", v, len(migrations))
	}
	for i := v; i < len(migrations); i++ {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, migrations[i]); err != nil {
			tx.Rollback()
			return fmt.Errorf("schema migration %d: %w", i+1, err)
		}
		if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", i+1)); err != nil {
			tx.Rollback()
			return err
		}
		if err := tx.Commit(); err != nil {
			return err
		}
	}
	return nil
}

// Close stops the writer (after the writes queued) and closes the
// database.
func (s *Store) Close() error {
	var err error
	s.closing.Do(func() {
		close(s.closed)
		s.wg.Wait()
		if err := s.foldNow(); err != nil {
			s.log.Warn("alerts: folding staged tallies at close (done at the next open)", "error", err.Error())
		}
		s.wdb.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
		s.flushHits(context.Background())
		s.feed.close()
		s.stmts.Range(func(_, v any) bool { v.(*sql.Stmt).Close(); return true })
		err = errors.Join(s.wdb.Close(), s.rdb.Close())
	})
	return err
}

// SetRules replaces the alert rules (hot: the next raise uses them). The
// hit counts kept in the database are added to the new set.
func (s *Store) SetRules(ctx context.Context, set *rules.Set) error {
	if s.rules.Load() != nil {
		s.flushHits(ctx) // the old set's counts since the last flush
	}
	if set != nil {
		hits, err := s.storedHits(ctx)
		if err != nil {
			return err
		}
		set.AddHits(hits)
		s.hitsMu.Lock()
		for _, h := range hits {
			s.hitsSent[h.RuleID] = h.Hits
		}
		s.hitsMu.Unlock()
	}
	s.rules.Store(set)
	return nil
}

// Rules returns the alert rules in use (nil: none).
func (s *Store) Rules() *rules.Set { return s.rules.Load() }

// writeOp is one write: it runs inside the writer's transaction, under a
// savepoint of its own, so that its failure undoes only its changes.
type writeOp struct {
	fn   func(tx *wtx) error
	err  chan error
	post []Event // changes to publish once committed
	wake bool    // a delivery became due
	kind opKind
}

// opKind says what a write does to alert rows, which decides what the
// writer does around it (tallies.go).
type opKind uint8

const (
	// opAlerts may read or change any column of alerts (the default):
	// staged tallies are folded first, so it reads exact values, and the
	// writer forgets its alerts by key after it.
	opAlerts opKind = iota
	// opRaise is a raise: it reads alerts through the writer's cache and
	// the tallies join, and keeps the cache up to date itself.
	opRaise
	// opNoAlerts changes no alert column (deliveries, hit counts).
	opNoAlerts
)

// maxBatch bounds the writes of one transaction.
const maxBatch = 256

// write runs fn in the writer's transaction and waits for the commit.
func (s *Store) write(ctx context.Context, fn func(tx *wtx, op *writeOp) error) error {
	return s.writeKind(ctx, opAlerts, fn)
}

func (s *Store) writeKind(ctx context.Context, kind opKind, fn func(tx *wtx, op *writeOp) error) error {
	op := &writeOp{err: make(chan error, 1), kind: kind}
	op.fn = func(tx *wtx) error { return fn(tx, op) }
	select {
	case s.ops <- op:
	case <-s.closed:
		return ErrClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-op.err:
		return err
	case <-ctx.Done():
		// The write is queued and will commit or fail on its own.
		return ctx.Err()
	}
}

func (s *Store) writer() {
	defer s.wg.Done()
	batch := make([]*writeOp, 0, maxBatch)
	for {
		batch = batch[:0]
		select {
		case op := <-s.ops:
			batch = append(batch, op)
		case <-s.closed:
			// Drain what was queued before Close.
			for {
				select {
				case op := <-s.ops:
					batch = append(batch, op)
					if len(batch) == maxBatch {
						s.commit(batch)
						batch = batch[:0]
					}
					continue
				default:
				}
				break
			}
			if len(batch) > 0 {
				s.commit(batch)
			}
			return
		}
	more:
		for yielded := false; len(batch) < maxBatch; {
			select {
			case op := <-s.ops:
				batch = append(batch, op)
			default:
				if yielded {
					break more
				}
				// Let the callers the last commit answered send their
				// next write, so that it shares this commit: with 8
				// callers, 8,500 → 29,500 repeats a second on a loaded
				// machine (BenchmarkStore1M/tally, README).
				runtime.Gosched()
				yielded = true
			}
		}
		s.commit(batch)
	}
}

func (s *Store) commit(batch []*writeOp) {
	defer s.prepareNoted()
	errs, err := s.runBatch(batch)
	if err != nil {
		// A write failed after changing something: the transaction is
		// gone. Run each write on its own, so that one bad write fails
		// alone.
		if len(batch) == 1 {
			batch[0].post = nil
			batch[0].err <- err
			return
		}
		for _, op := range batch {
			op.post, op.wake = nil, false
			s.commit([]*writeOp{op})
		}
		return
	}
	wake := false
	for i, op := range batch {
		if errs[i] == nil {
			for _, e := range op.post {
				s.feed.publish(e)
			}
			wake = wake || op.wake
		}
		op.err <- errs[i]
	}
	if wake {
		select {
		case s.wake <- struct{}{}:
		default:
		}
	}
}

// runBatch runs the writes of a batch in one transaction and commits it.
// A write that fails before changing anything (a refusal: unknown alert,
// a transition the lifecycle forbids, a stale version) fails alone and
// the others commit; a write that fails after a change makes the whole
// transaction roll back (err), and commit runs the writes one by one.
// This spares a savepoint per write, which costs as much as the write.
func (s *Store) runBatch(batch []*writeOp) ([]error, error) {
	if len(s.keys) > maxKeyCache {
		clear(s.keys)
	}
	sqltx, err := s.wdb.BeginTx(context.Background(), nil)
	if err != nil {
		return nil, err
	}
	tx := &wtx{Tx: sqltx, s: s}
	fail := func(err error) ([]error, error) {
		sqltx.Rollback()
		// The cache and the staged set hold the batch's changes.
		clear(s.keys)
		s.mayHaveStaged = true
		return nil, err
	}
	errs := make([]error, len(batch))
	for i, op := range batch {
		if op.kind == opAlerts {
			if err := tx.fold(); err != nil {
				return fail(err)
			}
		}
		before := tx.writes
		if errs[i] = op.fn(tx); errs[i] != nil && tx.writes != before {
			return fail(errs[i])
		}
		if op.kind == opAlerts {
			clear(s.keys)
		}
	}
	now := time.Now()
	err = tx.stage()
	if err == nil && s.foldDue(now) {
		err = tx.fold()
	}
	if err != nil {
		return fail(err)
	}
	if err := sqltx.Commit(); err != nil {
		return fail(err)
	}
	if tx.folded {
		s.lastFold, s.mayHaveStaged = now, false
	}
	return errs, nil
}

// wtx is the writer's transaction. Its statements are prepared once on
// the writer's one connection and reused (SQLite compiles a statement in
// about as long as it runs a small one).
type wtx struct {
	*sql.Tx
	s *Store
	// writes counts the statements run that may have changed something.
	writes int
	// pending holds the batch's tally increments, staged once per alert
	// at the end of the batch (tallies.go); staged and folded say what
	// the transaction did to `tallies`.
	pending        map[int64]*staged
	staged, folded bool
}

// forget drops the writer's alerts by key (a write changed alerts
// otherwise). The writer does it after every opAlerts write; a call is
// kept where a write reads alerts itself.
func (tx *wtx) forget() { clear(tx.s.keys) }

// prepared returns the statement of q if it was prepared; a miss is noted
// and prepared after the commit, when the connection is free (preparing
// inside the transaction would wait for the one connection it holds).
func (tx *wtx) prepared(q string) *sql.Stmt {
	if st, ok := tx.s.stmts.Load(q); ok {
		return st.(*sql.Stmt)
	}
	tx.s.toPrepare[q] = true
	return nil
}

// prepareNoted prepares the statements noted during a transaction.
func (s *Store) prepareNoted() {
	for q := range s.toPrepare {
		delete(s.toPrepare, q)
		if len(q) > 4096 {
			continue
		}
		if st, err := s.wdb.Prepare(q); err == nil {
			s.stmts.Store(q, st)
		}
	}
}

// Exec runs a prepared statement in the transaction.
func (tx *wtx) Exec(q string, args ...any) (sql.Result, error) {
	tx.writes++
	if st := tx.prepared(q); st != nil {
		return tx.Tx.Stmt(st).Exec(args...)
	}
	return tx.Tx.Exec(q, args...)
}

// QueryRow runs a prepared query in the transaction.
func (tx *wtx) QueryRow(q string, args ...any) *sql.Row {
	if st := tx.prepared(q); st != nil {
		return tx.Tx.Stmt(st).QueryRow(args...)
	}
	return tx.Tx.QueryRow(q, args...)
}

// Query runs a prepared query in the transaction.
func (tx *wtx) Query(q string, args ...any) (*sql.Rows, error) {
	if st := tx.prepared(q); st != nil {
		return tx.Tx.Stmt(st).Query(args...)
	}
	return tx.Tx.Query(q, args...)
}

// Wake is signalled when a delivery becomes due (the dispatcher waits on
// it between polls).
func (s *Store) Wake() <-chan struct{} { return s.wake }

func ms(t time.Time) int64 { return t.UnixMilli() }

func fromMS(v int64) time.Time { return time.UnixMilli(v).UTC() }

func fromNullMS(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := fromMS(v.Int64)
	return &t
}
