package pgstore_test

import (
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/stashpay/stashpay-go/dedup"
	"github.com/stashpay/stashpay-go/dedup/deduptest/replicas"
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
// with a pool of its own, against one table (lease, Complete).
func BenchmarkWebhookGrantsPostgres(b *testing.B) {
	table := newTable(b)
	s1, s2 := newStore(b, table), newStore(b, table)
	replicas.BenchmarkWebhookGrants(b, 16, func(*testing.B) [2]dedup.Store { return [2]dedup.Store{s1, s2} })
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
