package pgstore_test

import (
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/stashpay/stashpay-go/dedup"
	"github.com/stashpay/stashpay-go/dedup/deduptest"
)

// benchmarkGrants runs the load once per iteration: two instances
// sharing one store, 1,000 purchases, each delivered 3 times at once through
// dedup.Do. It reports grants per second; deduptest.Load fails the benchmark
// on any double or lost grant.
func benchmarkGrants(b *testing.B, instances func(b *testing.B) []dedup.Store) {
	var grants int
	var secs float64
	for b.Loop() {
		res := deduptest.Load(b, deduptest.LoadConfig{Instances: instances(b), Workers: 16})
		grants += res.Grants
		secs += res.Elapsed.Seconds()
	}
	b.ReportMetric(float64(grants)/secs, "grants/s")
}

// BenchmarkGrantsMemory is the same-process baseline: one MemoryStore shared
// by both instances.
func BenchmarkGrantsMemory(b *testing.B) {
	benchmarkGrants(b, func(*testing.B) []dedup.Store {
		s := dedup.NewMemoryStore()
		return []dedup.Store{s, s}
	})
}

// BenchmarkGrantsPostgres runs two instances, each with a pool of its own,
// against one table, through dedup.Do (lease, Complete).
func BenchmarkGrantsPostgres(b *testing.B) {
	table := newTable(b)
	s1, s2 := newStore(b, table), newStore(b, table)
	benchmarkGrants(b, func(*testing.B) []dedup.Store { return []dedup.Store{s1, s2} })
}

// BenchmarkGrantsPostgresTx runs the transaction pattern: two instances, each
// delivery a transaction that calls ClaimTx and inserts the grant.
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
