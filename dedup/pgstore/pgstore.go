// Package pgstore is a [dedup.Store] kept in a PostgreSQL table, so that
// several instances of a game backend grant each purchase exactly once
// between them.
//
// It is a module of its own (github.com/stashpay/stashpay-go/dedup/pgstore)
// so that the core SDK does not depend on a database driver. It uses
// github.com/jackc/pgx/v5 and needs PostgreSQL 9.5 or later.
//
// # Two ways to use it
//
// With a lease, through [dedup.Do], like every store: Claim inserts a row
// with a lease, Complete marks it done, Release deletes it. The grant itself
// lives elsewhere (another database, a game server's API), so a crash between
// the grant and Complete leaves the key claimed until its lease ends, and a
// redelivery then grants again.
//
// Inside the game's own transaction, with [Store.ClaimTx] (pgx) or
// [Store.ClaimSQLTx] (database/sql): the done row is inserted in the same
// transaction that records the grant, so both commit or neither does. No
// lease, no window: this is the strongest option, and the one to use when the
// game's inventory is in the same PostgreSQL database. The two ways do not
// nest on one table: a handler or grant.Granter whose store is the table
// holds the key's lease while the game's function runs, so a ClaimTx of
// the key in that function is Busy (see [Store.ClaimTx]).
//
// # Table
//
// [Store.Migrate] creates the table (default [DefaultTable]) if it does not
// exist; [Store.Schema] returns the same SQL for those who run migrations with
// their own tool. Rows of completed keys are kept for the retention (default
// [dedup.DefaultRetention]) and may stay up to one lease and its grace longer;
// expired rows are deleted a thousand at a time by Claim at most once per
// sweep interval, or by [Store.Sweep] from a job. A row's claim and its
// completion cost one statement each (the completion updates the row in place,
// HOT, touching no index); a redelivery of a key that has a row costs two
// reads and locks nothing.
//
// Tables created by earlier versions need no change: this version reads and
// writes them as they are, side by side with instances of earlier versions
// during a rolling upgrade.
//
// # Pool size
//
// Every Claim, Complete and Release holds one pool connection for one
// statement. Give the pool at least as many connections as grants run at once
// in the instance (pgxpool's default is the larger of 4 and the number of
// CPUs, which makes a busy instance queue for connections: pool_max_conns in
// the URL or [pgxpool.Config].MaxConns), and keep the sum over all instances
// under the server's max_connections.
//
// Leases and retention are measured by the database server's clock, so the
// instances' own clocks do not matter.
package pgstore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/stashpay/stashpay-go/dedup"
)

// DefaultTable is the table the store uses unless [WithTable] says otherwise.
const DefaultTable = "stashpay_dedup"

// DefaultSweepInterval is how often, at most, Claim deletes expired rows.
const DefaultSweepInterval = 10 * time.Minute

// minLateGrace is the least time a lease that ran out is remembered, so that
// its holder can still Complete or Release while nobody took the key over.
const minLateGrace = time.Minute

// sweepBatch is the most rows one sweep statement deletes.
const sweepBatch = 1000

// Errors of New.
var (
	// ErrNilPool is returned by [New] for a nil pool.
	ErrNilPool = errors.New("pgstore: nil pool")
	// ErrInvalidTable is returned by [New] for a table name that is empty,
	// has an empty part, or is longer than PostgreSQL allows.
	ErrInvalidTable = errors.New("pgstore: invalid table name")
)

// Option configures a [Store].
type Option func(*Store)

// WithTable sets the table, optionally schema-qualified ("dedup.keys"). Each
// part is quoted, so it is taken literally, case included. The default is
// [DefaultTable].
func WithTable(name string) Option {
	return func(s *Store) { s.tableName = name }
}

// WithRetention sets how long a completed key is remembered (reported as
// [dedup.Done]); after that a Claim of the key succeeds again and a sweep may
// delete its row. The default is [dedup.DefaultRetention] (72h; Stash retries
// a webhook for about 24h). A retention <= 0 keeps completed keys for ever;
// one of 100 years or more counts as 100 years.
func WithRetention(d time.Duration) Option {
	return func(s *Store) { s.retention = d }
}

// WithSweepInterval sets how often, at most, Claim deletes a batch of expired
// rows. The default is [DefaultSweepInterval]; d < 0 turns the sweep off
// (call [Store.Sweep] yourself then); d == 0 sweeps on every Claim.
func WithSweepInterval(d time.Duration) Option {
	return func(s *Store) { s.sweepEvery = d }
}

// Store is a [dedup.Store] in a PostgreSQL table. It is safe for concurrent
// use by many goroutines and by many processes sharing one database.
//
// A lease that ran out is remembered for one more lease, and at least a
// minute, so that its holder can still Complete or Release while no other
// Claim took the key over. Errors from the database wrap [dedup.ErrStore]; a
// context that is already done fails with ctx.Err() before the database is
// asked.
type Store struct {
	pool       *pgxpool.Pool
	tableName  string
	retention  time.Duration
	sweepEvery time.Duration

	table string // quoted, ready for SQL
	index string // quoted name of the sweep index
	sql   queries

	sweepMu   sync.Mutex
	lastSweep time.Time
}

var _ dedup.Store = (*Store)(nil)

// New returns a store on pool's database. The pool stays the caller's to
// configure and to close. New does not touch the database; call
// [Store.Migrate] (or run [Store.Schema]) once before use.
func New(pool *pgxpool.Pool, opts ...Option) (*Store, error) {
	if pool == nil {
		return nil, ErrNilPool
	}
	s := &Store{
		pool:       pool,
		tableName:  DefaultTable,
		retention:  dedup.DefaultRetention,
		sweepEvery: DefaultSweepInterval,
	}
	for _, opt := range opts {
		if opt != nil {
			opt(s)
		}
	}
	parts := strings.Split(s.tableName, ".")
	for _, p := range parts {
		if p == "" || len(p) > 63 || strings.ContainsRune(p, 0) {
			return nil, fmt.Errorf("%w: %q", ErrInvalidTable, s.tableName)
		}
	}
	if len(parts) > 2 {
		return nil, fmt.Errorf("%w: %q", ErrInvalidTable, s.tableName)
	}
	s.table = pgx.Identifier(parts).Sanitize()
	idx := parts[len(parts)-1] + "_sweep_at_idx"
	if len(idx) > 63 {
		// PostgreSQL's limit; cut at a character, never inside one.
		cut := len(idx) - 63
		for !utf8.RuneStart(idx[cut]) {
			cut++
		}
		idx = idx[cut:]
	}
	s.index = pgx.Identifier{idx}.Sanitize()
	s.sql = buildQueries(s.table)
	s.lastSweep = time.Now()
	return s, nil
}

// Claim tries to take key for lease (microsecond precision; a lease of 100
// years or more counts as 100 years). See [dedup.Store]. It returns
// [dedup.ErrInvalidKey] for an empty key and [dedup.ErrInvalidLease] for a
// lease <= 0.
func (s *Store) Claim(ctx context.Context, key string, lease time.Duration) (dedup.Claim, error) {
	if err := dedup.CheckArgs(ctx, key); err != nil {
		return dedup.Claim{}, err
	}
	if lease <= 0 {
		return dedup.Claim{}, dedup.ErrInvalidLease
	}
	lease = min(lease, maxDuration)
	s.maybeSweep(ctx)
	token := uuid.NewString()
	// A sweep may delete the row once the lease and its grace ran out, and
	// the retention of a completion within them: Complete then leaves
	// sweep_at alone (see queries.complete).
	out, err := claim(ctx, pgxClaimer{s.pool}, s.sql, key, token, false,
		micros(lease), micros(lease+max(lease, minLateGrace))+s.retentionMicros())
	if err != nil && !pgconn.SafeToRetry(err) && ctx.Err() == nil {
		// The statement may have run with its reply lost (a connection
		// dropped after sending it): a row holding this call's token, new
		// to this call, with a live lease, is this call's claim. Otherwise the key would stay
		// held by a token no one has until the lease ended.
		var held bool
		if found, herr := (pgxClaimer{s.pool}).queryRow(ctx, s.sql.held, []any{key, token}, &held); herr == nil && found {
			return dedup.Claim{Outcome: dedup.Claimed, Token: token}, nil
		}
	}
	if err != nil {
		return dedup.Claim{}, storeErr("claim", err)
	}
	if out != dedup.Claimed {
		token = ""
	}
	return dedup.Claim{Outcome: out, Token: token}, nil
}

// Complete marks key done for the retention time; completing again with the
// same token is a no-op. It returns [dedup.ErrLeaseLost] when token does not
// hold key.
func (s *Store) Complete(ctx context.Context, key, token string) error {
	err := s.fenced(ctx, "complete", s.sql.complete, key, token, s.retentionMicros())
	if !errors.Is(err, dedup.ErrLeaseLost) || token == "" {
		return err
	}
	// Nothing changed: the row is done with this token already (a Complete
	// repeated after a lost reply), or the lease is lost.
	var done bool
	if err := s.pool.QueryRow(ctx, s.sql.completed, key, token).Scan(&done); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return dedup.ErrLeaseLost
		}
		return storeErr("complete", err)
	}
	return nil
}

// Release frees key so that the next Claim runs the work again. It returns
// [dedup.ErrLeaseLost] when token does not hold key.
func (s *Store) Release(ctx context.Context, key, token string) error {
	return s.fenced(ctx, "release", s.sql.release, key, token)
}

// fenced runs a statement that changes key's row only if token holds it.
func (s *Store) fenced(ctx context.Context, op, query, key, token string, args ...any) error {
	if err := dedup.CheckArgs(ctx, key); err != nil {
		return err
	}
	if token == "" {
		return dedup.ErrLeaseLost
	}
	tag, err := s.pool.Exec(ctx, query, append([]any{key, token}, args...)...)
	if err != nil {
		return storeErr(op, err)
	}
	if tag.RowsAffected() != 1 {
		return dedup.ErrLeaseLost
	}
	return nil
}

// retentionMicros is the retention in microseconds, 0 for ever.
func (s *Store) retentionMicros() int64 {
	if s.retention <= 0 {
		return 0
	}
	return micros(min(s.retention, maxDuration))
}

// maxDuration caps leases and retentions: one of 100 years or more counts
// as 100 years, so that a lease, its grace and a retention added up stay
// far from overflowing time.Duration (292 years).
const maxDuration = 100 * 365 * 24 * time.Hour

// micros is d in whole microseconds, rounded up.
func micros(d time.Duration) int64 {
	return int64((d + time.Microsecond - 1) / time.Microsecond)
}

// storeErr wraps a database failure in dedup.ErrStore, keeping err for
// errors.Is and errors.As (a *pgconn.PgError, say).
func storeErr(op string, err error) error {
	return fmt.Errorf("%w: pgstore: %s: %w", dedup.ErrStore, op, err)
}

// errNilTx is wrapped in the error of ClaimTx and ClaimSQLTx for a nil
// transaction.
var errNilTx = errors.New("nil transaction")
