package pgstore_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/stashpay/stashpay-go/dedup"
	"github.com/stashpay/stashpay-go/dedup/deduptest"
	"github.com/stashpay/stashpay-go/dedup/deduptest/replicas"
	"github.com/stashpay/stashpay-go/dedup/pgstore"
)

// BenchmarkWebhookGrantsMemory is the same-process baseline: two webhook
// handler instances sharing one MemoryStore (only possible inside one
// process).
func BenchmarkWebhookGrantsMemory(b *testing.B) {
	replicas.BenchmarkWebhookGrants(b, 16, func(*testing.B) [2]dedup.Store {
		s := dedup.NewMemoryStore()
		return [2]dedup.Store{s, s}
	})
}

// BenchmarkWebhookGrantsPostgres runs two webhook handler instances, each
// with a pool of its own, against one table (lease, Complete), side by side
// with the memory baseline ("x-memory").
func BenchmarkWebhookGrantsPostgres(b *testing.B) {
	table := newTable(b)
	s1, s2 := newStore(b, table), newStore(b, table)
	replicas.BenchmarkWebhookGrantsAgainstMemory(b, 16, func(*testing.B) [2]dedup.Store { return [2]dedup.Store{s1, s2} })
}

// BenchmarkGrantsPostgresTx runs the transaction pattern, without an HTTP
// handler: two instances, each delivery a transaction that calls ClaimTx and
// inserts the grant.
func BenchmarkGrantsPostgresTx(b *testing.B) {
	pools := []*pgxpool.Pool{newPool(b), newPool(b)}
	var grants int
	var secs float64
	for b.Loop() {
		res := txLoad(b, pools, 1000, 3, 16, 0)
		if res.grantRows != res.purchases || res.distinct != res.purchases {
			b.Fatalf("%d grant rows for %d distinct orders, want %d of each", res.grantRows, res.distinct, res.purchases)
		}
		grants += res.grantRows
		secs += res.elapsed.Seconds()
	}
	b.ReportMetric(float64(grants)/secs, "grants/s")
}

// benchWorkers is how many grants the Do benchmarks keep in flight; their
// pools have as many connections.
const benchWorkers = 16

// statements counts the statements a pool sends, one round trip each.
type statements struct{ n atomic.Int64 }

func (t *statements) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	t.n.Add(1)
	return ctx
}

func (*statements) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// benchSetup returns a pool of benchWorkers connections that counts its
// statements, a store on a fresh table, the raw floor's table (key, token,
// done: the least a fenced grant needs, with only its primary key), and the
// counters: round trips, and the WAL bytes the server wrote.
func benchSetup(b *testing.B) (*pgxpool.Pool, *pgstore.Store, string, []deduptest.FloorCounter) {
	b.Helper()
	cfg, err := pgxpool.ParseConfig(databaseURL(b))
	if err != nil {
		b.Fatal(err)
	}
	cfg.MaxConns = benchWorkers
	tr := &statements{}
	cfg.ConnConfig.Tracer = tr
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(pool.Close)
	s, err := pgstore.New(pool, pgstore.WithTable(newTable(b)))
	if err != nil {
		b.Fatal(err)
	}
	floor := pgx.Identifier{"stashpay_floor_" + strings.ReplaceAll(uuid.NewString(), "-", "")}.Sanitize()
	ctx := context.Background()
	if _, err := pool.Exec(ctx, "CREATE TABLE "+floor+" (key text PRIMARY KEY, token text NOT NULL, done boolean NOT NULL DEFAULT false)"); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _, _ = pool.Exec(context.Background(), "DROP TABLE IF EXISTS "+floor) })
	wal := newPool(b) // untraced
	counters := []deduptest.FloorCounter{
		{Name: "round-trips", Read: func() (int64, error) { return tr.n.Load(), nil }},
		{Name: "wal-bytes", Read: func() (int64, error) {
			var n int64
			err := wal.QueryRow(ctx, "SELECT pg_current_wal_lsn() - '0/0'").Scan(&n)
			return n, err
		}},
	}
	return pool, s, floor, counters
}

// floorGrant is the raw floor of a first grant: claim the key with a bare
// INSERT ... ON CONFLICT DO NOTHING, then mark it done with a bare UPDATE.
func floorGrant(pool *pgxpool.Pool, floor string) func(ctx context.Context, key string) error {
	return func(ctx context.Context, key string) error {
		token := uuid.NewString()
		tag, err := pool.Exec(ctx, "INSERT INTO "+floor+" (key, token) VALUES ($1, $2) ON CONFLICT DO NOTHING", key, token)
		if err != nil || tag.RowsAffected() != 1 {
			return errors.Join(err, errors.New("floor: INSERT did not take a fresh key"))
		}
		_, err = pool.Exec(ctx, "UPDATE "+floor+" SET done = true WHERE key = $1 AND token = $2", key, token)
		return err
	}
}

// doGrant is a delivery through dedup.Do on s that must end in want.
func doGrant(s dedup.Store, want dedup.Result) func(ctx context.Context, key string) error {
	return func(ctx context.Context, key string) error {
		res, err := dedup.Do(ctx, s, key, time.Minute, func(context.Context) error { return nil })
		if err == nil && res != want {
			err = fmt.Errorf("Do = %v, want %v", res, want)
		}
		return err
	}
}

// BenchmarkDoPostgres is a first delivery (fresh key) through dedup.Do on
// PostgreSQL against the raw floor (INSERT ON CONFLICT, then UPDATE) on the
// same pool, 16 at a time. "x-floor" is the store's grants/s over the
// floor's.
func BenchmarkDoPostgres(b *testing.B) {
	pool, s, floor, counters := benchSetup(b)
	deduptest.BenchmarkAgainstFloor(b, deduptest.FloorConfig{
		Store:    deduptest.FloorSide{Grant: doGrant(s, dedup.Ran)},
		Floor:    deduptest.FloorSide{Grant: floorGrant(pool, floor)},
		Counters: counters,
		Workers:  benchWorkers,
	})
}

// BenchmarkDoPostgresDuplicate is a redelivery of a completed key through
// dedup.Do (AlreadyDone) against the raw floor of a redelivery: one INSERT
// ON CONFLICT DO NOTHING that finds the key.
func BenchmarkDoPostgresDuplicate(b *testing.B) {
	pool, s, floor, counters := benchSetup(b)
	deduptest.BenchmarkAgainstFloor(b, deduptest.FloorConfig{
		Store: deduptest.FloorSide{Prepare: doGrant(s, dedup.Ran), Grant: doGrant(s, dedup.AlreadyDone)},
		Floor: deduptest.FloorSide{Prepare: floorGrant(pool, floor), Grant: func(ctx context.Context, key string) error {
			tag, err := pool.Exec(ctx, "INSERT INTO "+floor+" (key, token) VALUES ($1, $2) ON CONFLICT DO NOTHING", key, uuid.NewString())
			if err == nil && tag.RowsAffected() != 0 {
				err = errors.New("floor: INSERT took a done key")
			}
			return err
		}},
		Counters: counters,
		Workers:  benchWorkers,
	})
}
