package pgstore

import (
	"context"
	"database/sql"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/stashpay/stashpay-go/dedup"
)

// ClaimTx claims key inside the caller's transaction tx, for the game to
// record the grant in the same transaction. This is the strongest way to
// grant exactly once: the dedup key and the grant commit together or not at
// all, so no crash, timeout or redelivery can grant twice or lose a grant.
//
// The outcome is:
//
//   - [dedup.Claimed]: the key is recorded as done in tx. Make the grant in tx
//     and commit; roll back (or just fail) to leave the key free.
//   - [dedup.Done]: the key was completed earlier; do not grant, but answer
//     success (the purchase is already delivered).
//   - [dedup.Busy]: a lease of [Store.Claim] holds the key right now; answer
//     so that the sender retries later.
//
// Do not call ClaimTx on a key that a caller of your function has claimed
// in the same table: a webhook or confirm handler, or a grant.Granter,
// whose store is this Store (the same table) holds the key's lease while
// your function runs, so ClaimTx answers Busy on every delivery and the
// purchase is never granted. Give them another table ([WithTable]), or
// turn their store off (webhook.WithoutDedup).
//
// While tx is open, other claims of key wait for it to end, and then see its
// outcome. Use the default READ COMMITTED isolation: under REPEATABLE READ or
// SERIALIZABLE, a concurrent claim of the same key makes ClaimTx fail with a
// serialization error (wrapped in [dedup.ErrStore]) and the whole transaction
// must be retried. After any error PostgreSQL has aborted tx; roll it back.
//
// The done row is kept for the store's retention, like one from Complete.
func (s *Store) ClaimTx(ctx context.Context, tx pgx.Tx, key string) (dedup.Outcome, error) {
	if tx == nil {
		return 0, storeErr("claim in transaction", errNilTx)
	}
	return s.claimDone(ctx, pgxClaimer{tx}, key)
}

// ClaimSQLTx is [Store.ClaimTx] for a database/sql transaction on the same
// database, opened through any PostgreSQL driver (github.com/jackc/pgx/v5/stdlib,
// github.com/lib/pq, ...).
func (s *Store) ClaimSQLTx(ctx context.Context, tx *sql.Tx, key string) (dedup.Outcome, error) {
	if tx == nil {
		return 0, storeErr("claim in transaction", errNilTx)
	}
	return s.claimDone(ctx, sqlClaimer{tx}, key)
}

func (s *Store) claimDone(ctx context.Context, q claimer, key string) (dedup.Outcome, error) {
	if err := dedup.CheckArgs(ctx, key); err != nil {
		return 0, err
	}
	keep := s.retentionMicros()
	out, err := claim(ctx, q, s.sql, key, uuid.NewString(), true, keep, keep)
	if err != nil {
		return 0, storeErr("claim in transaction", err)
	}
	return out, nil
}
