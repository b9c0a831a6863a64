package redisstore_test

import (
	"testing"

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
		res := deduptest.Load(b, deduptest.LoadConfig{Instances: instances(b)})
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

// BenchmarkGrantsRedis runs two instances, each with its own client, against
// one Redis.
func BenchmarkGrantsRedis(b *testing.B) {
	s1, s2 := newStore(b), newStore(b)
	benchmarkGrants(b, func(*testing.B) []dedup.Store { return []dedup.Store{s1, s2} })
}
