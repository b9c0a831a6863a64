package pgstore

import (
	"context"
	"fmt"
	"time"
)

// Schema returns the SQL that creates the store's table and its sweep index
// if they do not exist, for those who run migrations with their own tool.
// [Store.Migrate] runs the same statements.
//
// Columns: key (the dedup key, primary key); token (the claim's token);
// done; expires_at (the end of the lease while held, the end of the
// retention once done, NULL for ever); sweep_at (when a sweep may delete the
// row, NULL never).
func (s *Store) Schema() string {
	return fmt.Sprintf(`CREATE TABLE IF NOT EXISTS %[1]s (
	key        text        PRIMARY KEY,
	token      text        NOT NULL,
	done       boolean     NOT NULL,
	expires_at timestamptz,
	sweep_at   timestamptz
);
CREATE INDEX IF NOT EXISTS %[2]s ON %[1]s (sweep_at) WHERE sweep_at IS NOT NULL;
`, s.table, s.index)
}

// Migrate creates the store's table and index if they do not exist. It is
// safe to call from every instance at start-up: concurrent calls are
// serialised by an advisory lock. The schema (if qualified) must exist.
func (s *Store) Migrate(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return storeErr("migrate", err)
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext($1))`, "stashpay-dedup-migrate:"+s.table); err != nil {
		return storeErr("migrate", err)
	}
	if _, err := tx.Exec(ctx, s.Schema()); err != nil {
		return storeErr("migrate", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return storeErr("migrate", err)
	}
	return nil
}

// Sweep deletes the rows of leases that ran out (and were remembered a while
// for a late Complete) and of completed keys past the retention, a thousand
// per statement, until none is left. It returns how many rows it deleted.
// Claim already sweeps a batch at most once per sweep interval; Sweep is for
// a periodic job, or for stores built with a negative sweep interval.
func (s *Store) Sweep(ctx context.Context) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	var total int64
	for {
		tag, err := s.pool.Exec(ctx, s.sql.sweep)
		if err != nil {
			return total, storeErr("sweep", err)
		}
		total += tag.RowsAffected()
		if tag.RowsAffected() < sweepBatch {
			return total, nil
		}
	}
}

// maybeSweep deletes one batch of expired rows when the sweep interval has
// passed since this store last did. Its failures are left to the next sweep:
// they do not concern the Claim that triggered it.
func (s *Store) maybeSweep(ctx context.Context) {
	if s.sweepEvery < 0 {
		return
	}
	s.sweepMu.Lock()
	now := time.Now()
	due := now.Sub(s.lastSweep) >= s.sweepEvery
	if due {
		s.lastSweep = now
	}
	s.sweepMu.Unlock()
	if due {
		_, _ = s.pool.Exec(ctx, s.sql.sweep)
	}
}
