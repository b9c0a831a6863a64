package pgstore_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stashpay/stashpay-go/dedup"
	"github.com/stashpay/stashpay-go/dedup/deduptest"
	"github.com/stashpay/stashpay-go/dedup/pgstore"
)

// v1At is version 1's SQL for "now plus $n microseconds", or NULL when $n <= 0.
func v1At(n int) string {
	return fmt.Sprintf("CASE WHEN $%[1]d::bigint > 0 THEN clock_timestamp() + $%[1]d::bigint * interval '1 microsecond' END", n)
}

// TestReadsVersion1Rows writes rows with version 1's claim and complete
// statements, verbatim, and reads them with this version: an upgrade in place
// keeps every done key done and every live lease busy, takes over a lease that
// ran out, and Migrate on the existing table changes nothing.
func TestReadsVersion1Rows(t *testing.T) {
	t.Parallel()
	pool := newPool(t)
	table := newTable(t)
	q := pgx.Identifier{table}.Sanitize()
	v1Claim := `INSERT INTO ` + q + ` AS d (key, token, done, expires_at, sweep_at)
VALUES ($1, $2, $3, ` + v1At(4) + `, ` + v1At(5) + `)
ON CONFLICT (key) DO UPDATE
SET token = EXCLUDED.token, done = EXCLUDED.done, expires_at = EXCLUDED.expires_at, sweep_at = EXCLUDED.sweep_at
WHERE d.expires_at <= clock_timestamp()
RETURNING true`
	v1Complete := `UPDATE ` + q + ` AS d SET done = true,
expires_at = CASE WHEN d.done THEN d.expires_at ELSE ` + v1At(3) + ` END,
sweep_at = CASE WHEN d.done THEN d.sweep_at ELSE ` + v1At(3) + ` END
WHERE d.key = $1 AND d.token = $2`
	s, err := pgstore.New(pool, pgstore.WithTable(table))
	require.NoError(t, err)
	require.NoError(t, s.Migrate(t.Context()), "Migrate again on version 1's table")

	deduptest.ReadsPrevious(t, s, func(t *testing.T, key string, lease time.Duration, done bool) {
		ctx := t.Context()
		token := uuid.NewString()
		var took bool
		require.NoError(t, pool.QueryRow(ctx, v1Claim, key, token, false,
			lease.Microseconds(), (lease+time.Minute).Microseconds()).Scan(&took))
		if done {
			_, err := pool.Exec(ctx, v1Complete, key, token, time.Hour.Microseconds())
			require.NoError(t, err)
		}
	})
}

// TestCompleteLeavesTheIndexAlone: with the default retention, Complete
// changes no indexed column (sweep_at was set past the retention at Claim),
// so PostgreSQL can update the row in place (HOT) instead of writing a new
// index entry per grant; the row is still swept after its retention.
func TestCompleteLeavesTheIndexAlone(t *testing.T) {
	t.Parallel()
	pool := newPool(t)
	table := newTable(t)
	s, err := pgstore.New(pool, pgstore.WithTable(table))
	require.NoError(t, err)
	ctx := t.Context()
	key := uuid.NewString()
	c, err := s.Claim(ctx, key, time.Minute)
	require.NoError(t, err)
	read := `SELECT sweep_at, expires_at FROM ` + pgx.Identifier{table}.Sanitize() + ` WHERE key = $1`
	var sweepHeld, sweepDone, expires time.Time
	require.NoError(t, pool.QueryRow(ctx, read, key).Scan(&sweepHeld, &expires))
	require.NoError(t, s.Complete(ctx, key, c.Token))
	require.NoError(t, pool.QueryRow(ctx, read, key).Scan(&sweepDone, &expires))
	assert.Equal(t, sweepHeld, sweepDone, "sweep_at changed at Complete")
	assert.False(t, sweepDone.Before(expires), "swept at %v, before the retention ends at %v", sweepDone, expires)
	assert.WithinDuration(t, time.Now().Add(dedup.DefaultRetention), expires, time.Minute)
}
