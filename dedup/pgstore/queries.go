package pgstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/stashpay/stashpay-go/dedup"
)

// queries are the statements of one table.
type queries struct {
	claim, state, complete, release, sweep string
}

// at is SQL for "now plus $n microseconds", or NULL when $n <= 0.
func at(n int) string {
	return fmt.Sprintf("CASE WHEN $%[1]d::bigint > 0 THEN clock_timestamp() + $%[1]d::bigint * interval '1 microsecond' END", n)
}

func buildQueries(table string) queries {
	return queries{
		// claim takes the key when it has no row, or when its row expired
		// (a lease ran out, or a completion passed the retention). Rows of
		// live claims and of live completions are left alone, and the
		// statement then returns no row. $1 key, $2 token, $3 done, $4
		// microseconds to expiry, $5 microseconds until a sweep may delete.
		claim: `INSERT INTO ` + table + ` AS d (key, token, done, expires_at, sweep_at)
VALUES ($1, $2, $3, ` + at(4) + `, ` + at(5) + `)
ON CONFLICT (key) DO UPDATE
SET token = EXCLUDED.token, done = EXCLUDED.done, expires_at = EXCLUDED.expires_at, sweep_at = EXCLUDED.sweep_at
WHERE d.expires_at <= clock_timestamp()
RETURNING true`,
		state: `SELECT done, (expires_at IS NULL OR expires_at > clock_timestamp()) FROM ` + table + ` WHERE key = $1`,
		// complete marks the row done if $2 holds it; $3 is the retention
		// in microseconds (0: for ever). Completing a done row again with
		// its token keeps its expiry.
		complete: `UPDATE ` + table + ` AS d SET done = true,
expires_at = CASE WHEN d.done THEN d.expires_at ELSE ` + at(3) + ` END,
sweep_at = CASE WHEN d.done THEN d.sweep_at ELSE ` + at(3) + ` END
WHERE d.key = $1 AND d.token = $2`,
		release: `DELETE FROM ` + table + ` WHERE key = $1 AND token = $2 AND NOT done`,
		sweep: fmt.Sprintf(`DELETE FROM %[1]s WHERE key IN (
SELECT key FROM %[1]s WHERE sweep_at <= clock_timestamp() LIMIT %[2]d FOR UPDATE SKIP LOCKED
) AND sweep_at <= clock_timestamp()`, table, sweepBatch),
	}
}

// rowQuerier runs a query that returns at most one row; found is false when
// it returned none.
type rowQuerier interface {
	queryRow(ctx context.Context, query string, args []any, dest ...any) (found bool, err error)
}

// pgxQuerier is what a *pgxpool.Pool, a *pgx.Conn and a pgx.Tx share.
type pgxQuerier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

type pgxRows struct{ q pgxQuerier }

func (r pgxRows) queryRow(ctx context.Context, query string, args []any, dest ...any) (bool, error) {
	err := r.q.QueryRow(ctx, query, args...).Scan(dest...)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

type sqlRows struct{ tx *sql.Tx }

func (r sqlRows) queryRow(ctx context.Context, query string, args []any, dest ...any) (bool, error) {
	err := r.tx.QueryRowContext(ctx, query, args...).Scan(dest...)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// maxClaimTries bounds how often claim retries when the row changes between
// its two statements.
const maxClaimTries = 5

// claim runs the claim statement and, when it did not take the key, reads the
// row to tell Done from Busy. A row that vanished or expired in between (a
// release, a sweep) sends it round again.
func claim(ctx context.Context, q rowQuerier, qs queries, key, token string, done bool, expiry, sweep int64) (dedup.Outcome, error) {
	for range maxClaimTries {
		var took bool
		found, err := q.queryRow(ctx, qs.claim, []any{key, token, done, expiry, sweep}, &took)
		if err != nil {
			return 0, err
		}
		if found {
			return dedup.Claimed, nil
		}
		var isDone, live bool
		found, err = q.queryRow(ctx, qs.state, []any{key}, &isDone, &live)
		if err != nil {
			return 0, err
		}
		if !found || !live {
			continue
		}
		if isDone {
			return dedup.Done, nil
		}
		return dedup.Busy, nil
	}
	// The key keeps changing hands: report it busy, so the caller retries.
	return dedup.Busy, nil
}
