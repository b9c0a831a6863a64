package dedup_test

import (
	"context"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stashpay/stashpay-go/dedup"
	"github.com/stashpay/stashpay-go/dedup/deduptest"
)

// BenchmarkBaselineMutexSet is the floor a store is measured against: a
// mutex-guarded set that records a key (no lease, no token, no retention).
func BenchmarkBaselineMutexSet(b *testing.B) {
	var mu sync.Mutex
	seen := make(map[string]struct{})
	i := 0
	for b.Loop() {
		key := "order-" + strconv.Itoa(i)
		i++
		mu.Lock()
		if _, ok := seen[key]; !ok {
			seen[key] = struct{}{}
		}
		mu.Unlock()
	}
}

// BenchmarkDoMemoryStore is one first delivery through Do: Claim, the work,
// Complete.
func BenchmarkDoMemoryStore(b *testing.B) {
	st := dedup.NewMemoryStore()
	ctx := context.Background()
	work := func(context.Context) error { return nil }
	i := 0
	for b.Loop() {
		if _, err := dedup.Do(ctx, st, "order-"+strconv.Itoa(i), time.Minute, work); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkDoMemoryStoreDuplicate is a redelivery of a completed key: Claim
// answers Done.
func BenchmarkDoMemoryStoreDuplicate(b *testing.B) {
	st := dedup.NewMemoryStore()
	ctx := context.Background()
	work := func(context.Context) error { return nil }
	if _, err := dedup.Do(ctx, st, "order-1", time.Minute, work); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if res, err := dedup.Do(ctx, st, "order-1", time.Minute, work); err != nil || res != dedup.AlreadyDone {
			b.Fatal(res, err)
		}
	}
}

// BenchmarkGrantsMemory is the load on the memory store: two
// instances sharing it, 1,000 purchases each delivered 3 times at once.
func BenchmarkGrantsMemory(b *testing.B) {
	var grants int
	var secs float64
	for b.Loop() {
		st := dedup.NewMemoryStore()
		res := deduptest.Load(b, deduptest.LoadConfig{Instances: []dedup.Store{st, st}})
		grants += res.Grants
		secs += res.Elapsed.Seconds()
	}
	b.ReportMetric(float64(grants)/secs, "grants/s")
}
