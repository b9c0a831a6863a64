package pgstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stashpay/stashpay-go/dedup"
	"github.com/stashpay/stashpay-go/dedup/pgstore"
)

// claimTxOnce runs ClaimTx in a transaction of its own and commits when
// commit is true, rolling back otherwise.
func claimTxOnce(t *testing.T, pool *pgxpool.Pool, s *pgstore.Store, key string, commit bool) dedup.Outcome {
	t.Helper()
	ctx := t.Context()
	tx, err := pool.Begin(ctx)
	require.NoError(t, err)
	defer func() { _ = tx.Rollback(ctx) }()
	out, err := s.ClaimTx(ctx, tx, key)
	require.NoError(t, err)
	if commit {
		require.NoError(t, tx.Commit(ctx))
	}
	return out
}

func TestClaimTx(t *testing.T) {
	t.Parallel()
	pool := newPool(t)
	table := newTable(t)
	s, err := pgstore.New(pool, pgstore.WithTable(table))
	require.NoError(t, err)

	tests := []struct {
		name string
		run  func(t *testing.T, key string)
	}{
		{"commit records the key as done", func(t *testing.T, key string) {
			assert.Equal(t, dedup.Claimed, claimTxOnce(t, pool, s, key, true))
			assert.Equal(t, dedup.Done, claimTxOnce(t, pool, s, key, true))
			c, err := s.Claim(t.Context(), key, time.Minute)
			require.NoError(t, err)
			assert.Equal(t, dedup.Done, c.Outcome)
		}},
		{"rollback leaves the key free", func(t *testing.T, key string) {
			assert.Equal(t, dedup.Claimed, claimTxOnce(t, pool, s, key, false))
			assert.Equal(t, dedup.Claimed, claimTxOnce(t, pool, s, key, false))
			c, err := s.Claim(t.Context(), key, time.Minute)
			require.NoError(t, err)
			assert.Equal(t, dedup.Claimed, c.Outcome)
		}},
		{"a live lease makes it busy", func(t *testing.T, key string) {
			c, err := s.Claim(t.Context(), key, time.Minute)
			require.NoError(t, err)
			require.Equal(t, dedup.Claimed, c.Outcome)
			assert.Equal(t, dedup.Busy, claimTxOnce(t, pool, s, key, true))
			require.NoError(t, s.Complete(t.Context(), key, c.Token))
			assert.Equal(t, dedup.Done, claimTxOnce(t, pool, s, key, true))
		}},
		{"an expired lease is taken over", func(t *testing.T, key string) {
			c, err := s.Claim(t.Context(), key, 50*time.Millisecond)
			require.NoError(t, err)
			time.Sleep(100 * time.Millisecond)
			assert.Equal(t, dedup.Claimed, claimTxOnce(t, pool, s, key, true))
			assert.ErrorIs(t, s.Complete(t.Context(), key, c.Token), dedup.ErrLeaseLost)
		}},
		{"a claim waits for the open transaction and sees its commit", func(t *testing.T, key string) {
			waitsFor(t, pool, s, key, true, dedup.Done)
		}},
		{"a claim waits for the open transaction and sees its rollback", func(t *testing.T, key string) {
			waitsFor(t, pool, s, key, false, dedup.Claimed)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.run(t, "tx:"+uuid.NewString())
		})
	}
}

// waitsFor holds key in an open transaction while another connection claims
// it, then commits or rolls back, and checks what the other claim saw.
func waitsFor(t *testing.T, pool *pgxpool.Pool, s *pgstore.Store, key string, commit bool, want dedup.Outcome) {
	ctx := t.Context()
	tx, err := pool.Begin(ctx)
	require.NoError(t, err)
	defer func() { _ = tx.Rollback(ctx) }()
	out, err := s.ClaimTx(ctx, tx, key)
	require.NoError(t, err)
	require.Equal(t, dedup.Claimed, out)

	got := make(chan dedup.Claim, 1)
	go func() {
		c, err := s.Claim(context.Background(), key, time.Minute)
		assert.NoError(t, err)
		got <- c
	}()
	time.Sleep(50 * time.Millisecond) // let the claim reach the row lock
	if commit {
		require.NoError(t, tx.Commit(ctx))
	} else {
		require.NoError(t, tx.Rollback(ctx))
	}
	assert.Equal(t, want, (<-got).Outcome)
}

func TestClaimTxArguments(t *testing.T) {
	t.Parallel()
	pool := newPool(t)
	s, err := pgstore.New(pool, pgstore.WithTable(newTable(t)))
	require.NoError(t, err)
	ctx := t.Context()
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	tx, err := pool.Begin(ctx)
	require.NoError(t, err)
	defer func() { _ = tx.Rollback(ctx) }()

	_, err = s.ClaimTx(ctx, nil, "k")
	assert.ErrorIs(t, err, dedup.ErrStore)
	_, err = s.ClaimSQLTx(ctx, nil, "k")
	assert.ErrorIs(t, err, dedup.ErrStore)
	_, err = s.ClaimTx(ctx, tx, "")
	assert.ErrorIs(t, err, dedup.ErrInvalidKey)
	_, err = s.ClaimTx(cancelled, tx, "k")
	assert.ErrorIs(t, err, context.Canceled)
	// None of that touched tx: it still works.
	out, err := s.ClaimTx(ctx, tx, "k")
	require.NoError(t, err)
	assert.Equal(t, dedup.Claimed, out)
}

func TestClaimSQLTx(t *testing.T) {
	t.Parallel()
	pool := newPool(t)
	s, err := pgstore.New(pool, pgstore.WithTable(newTable(t)))
	require.NoError(t, err)
	db := stdlib.OpenDBFromPool(pool)
	t.Cleanup(func() { _ = db.Close() })

	tests := []struct {
		name      string
		commit    bool
		wantAfter dedup.Outcome
	}{
		{"commit", true, dedup.Done},
		{"rollback", false, dedup.Claimed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			key := "sqltx:" + uuid.NewString()
			tx, err := db.BeginTx(ctx, nil)
			require.NoError(t, err)
			out, err := s.ClaimSQLTx(ctx, tx, key)
			require.NoError(t, err)
			require.Equal(t, dedup.Claimed, out)
			if tt.commit {
				require.NoError(t, tx.Commit())
			} else {
				require.NoError(t, tx.Rollback())
			}
			tx, err = db.BeginTx(ctx, &sql.TxOptions{})
			require.NoError(t, err)
			defer func() { _ = tx.Rollback() }()
			out, err = s.ClaimSQLTx(ctx, tx, key)
			require.NoError(t, err)
			assert.Equal(t, map[bool]dedup.Outcome{true: dedup.Done, false: dedup.Claimed}[tt.commit], out)
			c, err := s.Claim(ctx, key+":lease", time.Minute) // the pool-side API still works alongside
			require.NoError(t, err)
			assert.Equal(t, dedup.Claimed, c.Outcome)
		})
	}
}

// txLoadResult is what txLoad observed.
type txLoadResult struct {
	purchases, grantRows, distinct int
	elapsed                        time.Duration
}

// txLoad delivers purchases keys deliveries times at once over the pools (one
// per instance), each delivery granting in a transaction with ClaimTx, as the
// package's transaction example does. The first attempt of every failEvery-th
// purchase inserts its grant and then rolls back, as a crash would. It
// returns how many grant rows were committed.
func txLoad(tb testing.TB, pools []*pgxpool.Pool, purchases, deliveries, workers, failEvery int) txLoadResult {
	tb.Helper()
	table := newTable(tb)
	grants := pgx.Identifier{strings.Replace(table, "dedup", "grants", 1)}.Sanitize()
	_, err := pools[0].Exec(context.Background(), "CREATE TABLE "+grants+" (order_id text NOT NULL)")
	require.NoError(tb, err)
	tb.Cleanup(func() { _, _ = pools[0].Exec(context.Background(), "DROP TABLE IF EXISTS "+grants) })
	stores := make([]*pgstore.Store, len(pools))
	for i, p := range pools {
		stores[i], err = pgstore.New(p, pgstore.WithTable(table))
		require.NoError(tb, err)
	}
	tries := make([]atomic.Int64, purchases)
	var errs atomic.Int64
	deliver := func(j int) {
		i := j / deliveries
		order := fmt.Sprintf("order-%d", i)
		for attempt := 0; attempt < 100; attempt++ {
			inst := (j + attempt) % len(pools)
			done, err := grantInTx(context.Background(), pools[inst], stores[inst], grants, order,
				tries[i].Add(1) == 1 && failEvery > 0 && i%failEvery == 0)
			if err != nil {
				errs.Add(1)
				return
			}
			if done {
				return
			}
			time.Sleep(time.Millisecond)
		}
	}
	jobs := make(chan int)
	var wg sync.WaitGroup
	start := time.Now()
	for range workers {
		wg.Go(func() {
			for j := range jobs {
				deliver(j)
			}
		})
	}
	for j := range purchases * deliveries {
		jobs <- j
	}
	close(jobs)
	wg.Wait()
	res := txLoadResult{purchases: purchases, elapsed: time.Since(start)}
	require.Zero(tb, errs.Load(), "deliveries that failed with an error")
	require.NoError(tb, pools[0].QueryRow(context.Background(),
		"SELECT count(*), count(DISTINCT order_id) FROM "+grants).Scan(&res.grantRows, &res.distinct))
	return res
}

// grantInTx is one delivery: claim and grant in one transaction. It reports
// whether the delivery is finished (granted now or earlier); crash makes it
// roll back after granting, as if the process died before commit.
func grantInTx(ctx context.Context, pool *pgxpool.Pool, s *pgstore.Store, grants, order string, crash bool) (bool, error) {
	tx, err := pool.Begin(ctx)
	if err != nil {
		return false, err
	}
	defer func() { _ = tx.Rollback(ctx) }()
	out, err := s.ClaimTx(ctx, tx, order)
	if err != nil {
		return false, err
	}
	switch out {
	case dedup.Done:
		return true, nil
	case dedup.Busy:
		return false, nil
	}
	if _, err := tx.Exec(ctx, "INSERT INTO "+grants+" (order_id) VALUES ($1)", order); err != nil {
		return false, err
	}
	if crash {
		return false, nil // deferred rollback: the grant and the key vanish together
	}
	return true, tx.Commit(ctx)
}

func TestTransactionPatternLoad(t *testing.T) {
	t.Parallel()
	res := txLoad(t, []*pgxpool.Pool{newPool(t), newPool(t)}, 1000, 3, 16, 10)
	assert.Equal(t, res.purchases, res.grantRows, "grant rows: none twice, none lost")
	assert.Equal(t, res.purchases, res.distinct, "distinct orders granted")
	t.Logf("postgres transaction pattern: %d grants in %v: %.0f grants/s",
		res.grantRows, res.elapsed, float64(res.grantRows)/res.elapsed.Seconds())
}
