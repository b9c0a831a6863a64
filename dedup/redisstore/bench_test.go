package redisstore_test

import (
	"testing"

	"github.com/stashpay/stashpay-go/dedup"
	"github.com/stashpay/stashpay-go/dedup/deduptest/replicas"
)

// BenchmarkWebhookGrantsMemory is the same-process baseline: two webhook
// handler instances sharing one MemoryStore (only possible inside one
// process).
func BenchmarkWebhookGrantsMemory(b *testing.B) {
	replicas.BenchmarkWebhookGrants(b, 64, func(*testing.B) [2]dedup.Store {
		s := dedup.NewMemoryStore()
		return [2]dedup.Store{s, s}
	})
}

// BenchmarkWebhookGrantsRedis runs two webhook handler instances, each with
// its own Redis client (and so connection pool), against one Redis.
func BenchmarkWebhookGrantsRedis(b *testing.B) {
	s1, s2 := newStore(b), newStore(b)
	replicas.BenchmarkWebhookGrants(b, 64, func(*testing.B) [2]dedup.Store { return [2]dedup.Store{s1, s2} })
}
