package pgstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/stashpay/stashpay-go/dedup"
)

// queries are the statements of one table.
type queries struct {
	insert, read, takeover, complete, completed, held, release, sweep string
}

// at is SQL for "now plus $n microseconds", or NULL when $n <= 0.
func at(n int) string {
	return fmt.Sprintf("CASE WHEN $%[1]d::bigint > 0 THEN clock_timestamp() + $%[1]d::bigint * interval '1 microsecond' END", n)
}

// atNow is SQL for "the statement's start plus $n microseconds", or NULL
// when $n <= 0.
func atNow(n int) string {
	return fmt.Sprintf("CASE WHEN $%[1]d::bigint > 0 THEN now() + $%[1]d::bigint * interval '1 microsecond' END", n)
}

func buildQueries(table string) queries {
	return queries{
		// insert takes a key that has no row (one row inserted); it leaves a
		// row that exists alone, without locking it (none). $1 key, $2
		// token, $3 done, $4 microseconds to expiry, $5 microseconds until a
		// sweep may delete.
		insert: `INSERT INTO ` + table + ` (key, token, done, expires_at, sweep_at)
VALUES ($1, $2, $3, ` + at(4) + `, ` + at(5) + `) ON CONFLICT (key) DO NOTHING`,
		// read tells, when insert found a row, whether it is done and
		// whether it is live (a live lease, or a completion within its
		// retention).
		read: `SELECT done, (expires_at IS NULL OR expires_at > clock_timestamp()) FROM ` + table + ` WHERE key = $1`,
		// takeover takes a key whose row expired (a lease ran out, or a
		// completion passed the retention); same arguments as insert.
		takeover: `UPDATE ` + table + ` SET token = $2, done = $3, expires_at = ` + at(4) + `, sweep_at = ` + at(5) + `
WHERE key = $1 AND expires_at <= clock_timestamp()`,
		// complete marks the row done if $2 holds it and it is not done
		// yet; $3 is the retention in microseconds (0: for ever). It is one
		// plain UPDATE on the primary key; a row already done is left as it
		// is (completed tells a repeated Complete from a lost lease). The
		// claim already set sweep_at past the retention of a completion
		// within the lease and its grace. When that keeps the row at most
		// one more retention, sweep_at, the one indexed column complete
		// could change, stays as it is and the update is HOT (the usual
		// case: a retention of days, leases of minutes). Otherwise (a later
		// completion, a retention shorter than the lease, or for ever) it
		// becomes the end of the retention. now() is the statement's start,
		// one instant for every use below (Complete runs in a transaction of
		// its own).
		complete: `UPDATE ` + table + ` SET done = true, expires_at = ` + atNow(3) + `,
sweep_at = CASE WHEN sweep_at BETWEEN ` + atNow(3) + ` AND ` + atNow(3) + ` + $3::bigint * interval '1 microsecond' THEN sweep_at ELSE ` + atNow(3) + ` END
WHERE key = $1 AND token = $2 AND NOT done`,
		// completed tells whether $2 completed the row: a Complete repeated
		// after a lost reply is a no-op, not a lost lease.
		completed: `SELECT true FROM ` + table + ` WHERE key = $1 AND token = $2 AND done`,
		// held tells whether $2 holds the row with a live lease: a claim
		// whose reply was lost may have taken the key (a lease that ran out
		// meanwhile is no claim to hand out).
		held:    `SELECT true FROM ` + table + ` WHERE key = $1 AND token = $2 AND NOT done AND expires_at > clock_timestamp()`,
		release: `DELETE FROM ` + table + ` WHERE key = $1 AND token = $2 AND NOT done`,
		sweep: fmt.Sprintf(`DELETE FROM %[1]s WHERE key IN (
SELECT key FROM %[1]s WHERE sweep_at <= clock_timestamp() LIMIT %[2]d FOR UPDATE SKIP LOCKED
) AND sweep_at <= clock_timestamp()`, table, sweepBatch),
	}
}

// claimer runs the claim's statements on a pool, a pgx transaction or a
// database/sql transaction.
type claimer interface {
	// queryRow runs a query that returns at most one row; found is false
	// when it returned none.
	queryRow(ctx context.Context, query string, args []any, dest ...any) (found bool, err error)
	// exec runs query and returns how many rows it changed.
	exec(ctx context.Context, query string, args []any) (int64, error)
}

// pgxQuerier is what a *pgxpool.Pool, a *pgx.Conn and a pgx.Tx share.
type pgxQuerier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
}

type pgxClaimer struct{ q pgxQuerier }

func (c pgxClaimer) queryRow(ctx context.Context, query string, args []any, dest ...any) (bool, error) {
	return found(c.q.QueryRow(ctx, query, args...).Scan(dest...), pgx.ErrNoRows)
}

func (c pgxClaimer) exec(ctx context.Context, query string, args []any) (int64, error) {
	tag, err := c.q.Exec(ctx, query, args...)
	return tag.RowsAffected(), err
}

type sqlClaimer struct{ tx *sql.Tx }

func (c sqlClaimer) queryRow(ctx context.Context, query string, args []any, dest ...any) (bool, error) {
	return found(c.tx.QueryRowContext(ctx, query, args...).Scan(dest...), sql.ErrNoRows)
}

func (c sqlClaimer) exec(ctx context.Context, query string, args []any) (int64, error) {
	res, err := c.tx.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// found tells a scan that found a row from one that found none (err is
// noRows) or failed.
func found(err, noRows error) (bool, error) {
	if errors.Is(err, noRows) {
		return false, nil
	}
	return err == nil, err
}

// maxClaimTries bounds how often claim starts again when the row changed
// between its statements.
const maxClaimTries = 5

// claim takes a free key with one statement, the insert. A key that has a
// row costs a second one, the read, which tells Done from Busy without
// locking the row; an expired row a third, the takeover. A row that vanished
// or changed hands in between (a release, a sweep, another takeover) sends it
// round again.
func claim(ctx context.Context, q claimer, qs queries, key, token string, done bool, expiry, sweep int64) (dedup.Outcome, error) {
	args := []any{key, token, done, expiry, sweep}
	for range maxClaimTries {
		inserted, err := q.exec(ctx, qs.insert, args)
		if err != nil || inserted == 1 {
			return dedup.Claimed, err
		}
		var isDone, live bool
		seen, err := q.queryRow(ctx, qs.read, args[:1], &isDone, &live)
		switch {
		case err != nil:
			return 0, err
		case !seen:
			continue
		case live && isDone:
			return dedup.Done, nil
		case live:
			return dedup.Busy, nil
		}
		n, err := q.exec(ctx, qs.takeover, args)
		if err != nil {
			return 0, err
		}
		if n == 1 {
			return dedup.Claimed, nil
		}
	}
	// The key keeps changing hands: report it busy, so the caller retries.
	return dedup.Busy, nil
}
