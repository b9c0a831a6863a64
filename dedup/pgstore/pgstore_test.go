package pgstore_test

import (
	"context"
	"fmt"
	"math"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stashpay/stashpay-go/dedup"
	"github.com/stashpay/stashpay-go/dedup/deduptest"
	"github.com/stashpay/stashpay-go/dedup/deduptest/replicas"
	"github.com/stashpay/stashpay-go/dedup/pgstore"
	"github.com/stashpay/stashpay-go/grant/granttest"
)

func TestConformance(t *testing.T) {
	t.Parallel()
	table := newTable(t)
	// Each store has a pool of its own: the suite's concurrent claims come
	// from separate connections.
	deduptest.Run(t, func(t *testing.T) dedup.Store { return newStore(t, table) },
		deduptest.WithSharedState(), deduptest.WithShortLease(100*time.Millisecond))
}

func TestConformanceSweepingEveryClaimNoRetention(t *testing.T) {
	t.Parallel()
	table := newTable(t)
	deduptest.Run(t, func(t *testing.T) dedup.Store {
		return newStore(t, table, pgstore.WithSweepInterval(0), pgstore.WithRetention(0))
	}, deduptest.WithSharedState())
}

// unreachablePool returns a pool on a loopback port nothing listens on; it
// needs no server.
func unreachablePool(t *testing.T) *pgxpool.Pool {
	t.Helper()
	pool, err := pgxpool.New(context.Background(), "postgres://nobody@"+deduptest.DeadAddr(t)+"/none?sslmode=disable&connect_timeout=2")
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	return pool
}

// TestHandlersWhileUnreachable puts the webhook and confirm handlers on a
// database that does not answer: they answer 503 and grant nothing; the
// redelivery to a replica whose database answers then grants once.
func TestHandlersWhileUnreachable(t *testing.T) {
	t.Parallel()
	down, err := pgstore.New(unreachablePool(t))
	require.NoError(t, err)
	replicas.StoreDown(t, down, func(t *testing.T) dedup.Store { return newStore(t, newTable(t)) })
}

func TestNew(t *testing.T) {
	t.Parallel()
	pool := unreachablePool(t)
	tests := []struct {
		name      string
		table     string
		wantErr   error
		wantQuote string
	}{
		{"default", "", nil, `"stashpay_dedup"`},
		{"plain", "grants_dedup", nil, `"grants_dedup"`},
		{"schema qualified", "billing.dedup", nil, `"billing"."dedup"`},
		{"quotes are escaped", `we"ird`, nil, `"we""ird"`},
		{"empty part", "billing.", pgstore.ErrInvalidTable, ""},
		{"leading dot", ".dedup", pgstore.ErrInvalidTable, ""},
		{"three parts", "a.b.c", pgstore.ErrInvalidTable, ""},
		{"too long", strings.Repeat("x", 64), pgstore.ErrInvalidTable, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var opts []pgstore.Option
			if tt.table != "" {
				opts = append(opts, pgstore.WithTable(tt.table))
			}
			s, err := pgstore.New(pool, opts...)
			if tt.wantErr != nil {
				assert.ErrorIs(t, err, tt.wantErr)
				assert.Nil(t, s)
				return
			}
			require.NoError(t, err)
			assert.Contains(t, s.Schema(), "CREATE TABLE IF NOT EXISTS "+tt.wantQuote+" (")
		})
	}
	s, err := pgstore.New(nil)
	assert.Nil(t, s)
	assert.ErrorIs(t, err, pgstore.ErrNilPool)
}

func TestUnreachable(t *testing.T) {
	t.Parallel()
	s, err := pgstore.New(unreachablePool(t))
	require.NoError(t, err)
	ctx := t.Context()

	_, err = s.Claim(ctx, "k", time.Minute)
	assert.ErrorIs(t, err, dedup.ErrStore)
	assert.ErrorIs(t, s.Complete(ctx, "k", "token"), dedup.ErrStore)
	assert.ErrorIs(t, s.Release(ctx, "k", "token"), dedup.ErrStore)
	assert.ErrorIs(t, s.Migrate(ctx), dedup.ErrStore)
	_, err = s.Sweep(ctx)
	assert.ErrorIs(t, err, dedup.ErrStore)

	ran := false
	res, err := dedup.Do(ctx, s, "k", time.Minute, func(context.Context) error { ran = true; return nil })
	assert.Equal(t, dedup.Skipped, res)
	assert.ErrorIs(t, err, dedup.ErrStore)
	assert.False(t, ran, "nothing may run while the store is down")
}

func TestMissingTable(t *testing.T) {
	t.Parallel()
	s, err := pgstore.New(newPool(t), pgstore.WithTable("stashpay_dedup_never_migrated"))
	require.NoError(t, err)
	_, err = s.Claim(t.Context(), "k", time.Minute)
	assert.ErrorIs(t, err, dedup.ErrStore)
	assert.ErrorContains(t, err, "does not exist")
}

// A table name whose sweep index name is over PostgreSQL's 63 bytes, with
// a multi-byte character where the name is cut: Migrate works and the
// store claims (the cut fell inside the character, an invalid name).
func TestMigrateLongTableName(t *testing.T) {
	t.Parallel()
	pool := newPool(t)
	id := strings.ReplaceAll(uuid.NewString(), "-", "")[:11]
	name := "t" + id + strings.Repeat("é", 25) + "x" // 63 bytes; its index name is cut inside an "é"
	require.Len(t, name, 63)
	s, err := pgstore.New(pool, pgstore.WithTable(name))
	require.NoError(t, err)
	t.Cleanup(func() {
		_, _ = pool.Exec(context.Background(), "DROP TABLE IF EXISTS "+pgx.Identifier{name}.Sanitize())
	})
	require.NoError(t, s.Migrate(t.Context()))
	c, err := s.Claim(t.Context(), "k", time.Minute)
	require.NoError(t, err)
	assert.Equal(t, dedup.Claimed, c.Outcome)
}

// TestClaimWithLostReply: the claim's INSERT ran and committed, but its
// reply was lost. pgx does not resend, so Claim fails; it must then find
// the row its own token holds and be Claimed, not leave the key held by a
// token no one has (every route answering 409 or 503 for a whole lease).
func TestClaimWithLostReply(t *testing.T) {
	t.Parallel()
	table := newTable(t)
	key := "lost-reply:" + uuid.NewString()
	cfg, err := pgxpool.ParseConfig(databaseURL(t))
	require.NoError(t, err)
	target := net.JoinHostPort(cfg.ConnConfig.Host, strconv.Itoa(int(cfg.ConnConfig.Port)))
	addr := deduptest.LoseFirstReply(t, target, []byte(key))
	host, p, err := net.SplitHostPort(addr)
	require.NoError(t, err)
	n, err := strconv.Atoi(p)
	require.NoError(t, err)
	cfg.ConnConfig.Host, cfg.ConnConfig.Port = host, uint16(n)
	pool, err := pgxpool.NewWithConfig(t.Context(), cfg)
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	s, err := pgstore.New(pool, pgstore.WithTable(table))
	require.NoError(t, err)

	c, err := s.Claim(t.Context(), key, time.Minute)
	require.NoError(t, err)
	require.Equal(t, dedup.Claimed, c.Outcome, "the row the lost reply left is this call's own")
	require.NoError(t, s.Complete(t.Context(), key, c.Token))
	again, err := newStore(t, table).Claim(t.Context(), key, time.Minute)
	require.NoError(t, err)
	assert.Equal(t, dedup.Done, again.Outcome)
}

func TestMigrateConcurrently(t *testing.T) {
	t.Parallel()
	pool := newPool(t)
	table := newTable(t) // exists already: Migrate again must be a no-op
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() {
			s, err := pgstore.New(pool, pgstore.WithTable(table))
			if err == nil {
				err = s.Migrate(t.Context())
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for _, err := range errs {
		assert.NoError(t, err)
	}
	assert.Equal(t, 0, countRows(t, pool, table, "true"))
}

func TestSweep(t *testing.T) {
	t.Parallel()
	pool := newPool(t)
	table := newTable(t)
	s, err := pgstore.New(pool, pgstore.WithTable(table), pgstore.WithRetention(time.Millisecond),
		pgstore.WithSweepInterval(-1))
	require.NoError(t, err)
	ctx := t.Context()

	// 2,500 completed keys past their retention: more than one batch.
	_, err = pool.Exec(ctx, `INSERT INTO `+pgx.Identifier{table}.Sanitize()+` (key, token, done, expires_at, sweep_at)
SELECT 'old-' || i, 't', true, now() - interval '1 hour', now() - interval '1 hour' FROM generate_series(1, 2500) AS i`)
	require.NoError(t, err)
	// A live lease, a lease that ran out moments ago (kept for a late
	// Complete), and a key completed just now (within 1ms of retention, so
	// wait it out below).
	_, err = s.Claim(ctx, "live", time.Hour)
	require.NoError(t, err)
	_, err = s.Claim(ctx, "longest", math.MaxInt64) // must not overflow into a short sweep time
	require.NoError(t, err)
	late, err := s.Claim(ctx, "late", time.Millisecond)
	require.NoError(t, err)
	fresh, err := s.Claim(ctx, "fresh", time.Hour)
	require.NoError(t, err)
	require.NoError(t, s.Complete(ctx, "fresh", fresh.Token))
	time.Sleep(20 * time.Millisecond)

	n, err := s.Sweep(ctx)
	require.NoError(t, err)
	assert.Equal(t, int64(2501), n, "the old keys and the fresh one, past its 1ms retention")
	assert.Equal(t, 3, countRows(t, pool, table, "true"), "the live leases and the late one remain")
	c, err := s.Claim(ctx, "longest", time.Hour)
	require.NoError(t, err)
	assert.Equal(t, dedup.Busy, c.Outcome, "the longest lease is still held")
	assert.NoError(t, s.Complete(ctx, "late", late.Token), "a late holder may still complete")
	time.Sleep(20 * time.Millisecond)

	n, err = s.Sweep(ctx)
	require.NoError(t, err)
	assert.Equal(t, int64(1), n, "the late key, once done, is past its retention too")
}

func TestClaimSweepsLazily(t *testing.T) {
	t.Parallel()
	pool := newPool(t)
	tests := []struct {
		name      string
		interval  time.Duration
		wantSwept bool
	}{
		{"every claim", 0, true},
		{"off", -1, false},
		{"not yet due", time.Hour, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			table := newTable(t)
			prefix := tt.name + ":"
			s, err := pgstore.New(pool, pgstore.WithTable(table), pgstore.WithRetention(time.Millisecond),
				pgstore.WithSweepInterval(tt.interval))
			require.NoError(t, err)
			c, err := s.Claim(ctx, prefix+"a", time.Hour)
			require.NoError(t, err)
			require.NoError(t, s.Complete(ctx, prefix+"a", c.Token))
			time.Sleep(20 * time.Millisecond)
			_, err = s.Claim(ctx, prefix+"b", time.Hour)
			require.NoError(t, err)
			want := 1
			if tt.wantSwept {
				want = 0
			}
			assert.Equal(t, want, countRows(t, pool, table, "key = $1", prefix+"a"), "rows of the expired key")
			assert.Equal(t, 1, countRows(t, pool, table, "key = $1", prefix+"b"), "rows of the live key")
		})
	}
}

func TestLoadTwoInstances(t *testing.T) {
	t.Parallel()
	table := newTable(t)
	res := deduptest.Load(t, deduptest.LoadConfig{
		Instances: []dedup.Store{newStore(t, table), newStore(t, table)},
		FailEvery: 10,
		Workers:   16,
	})
	assert.Equal(t, res.Purchases, res.Grants)
	t.Logf("postgres: %d grants from %d calls (%d busy, %d failed) in %v: %.0f grants/s",
		res.Grants, res.Calls, res.Busy, res.Failed, res.Elapsed, res.GrantsPerSecond())
}

// TestGrantRoutes races confirm, webhook and poll for the same purchases on
// two game instances, each with its own pool on one table, and runs two
// reconcilers over lost webhooks: each purchase is granted once.
func TestGrantRoutes(t *testing.T) {
	granttest.Run(t, func(t *testing.T) [2]dedup.Store {
		table := newTable(t)
		return [2]dedup.Store{newStore(t, table), newStore(t, table)}
	})
}

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
