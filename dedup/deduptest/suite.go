// Package deduptest is the conformance suite for [dedup.Store]
// implementations, and test doubles for code that uses a store.
//
// A store author runs the suite from a test:
//
//	func TestConformance(t *testing.T) {
//		deduptest.Run(t, func(t *testing.T) dedup.Store { return mystore.New(...) })
//	}
//
// Code that uses a store (a webhook handler, say) tests its failure paths
// with [Unreachable] or [FailingStore], its bounded waits on a store that
// stops answering with [HangingStore], and its exactly-once behaviour under
// redelivery with [Load] (through [dedup.Do]) or [LoadHandlers] (through HTTP
// handlers such as the webhook and confirm handlers, several instances
// sharing one store).
//
// Subpackage [github.com/stashpay/stashpay-go/dedup/deduptest/replicas] puts
// a store behind the SDK's real webhook and confirm handlers (the handlers,
// signed requests, a store-down check and a grant benchmark), for store
// modules to test end to end without any internal package of the SDK.
// [DeadAddr] gives a real store's client a server that is down.
//
// The package depends on the standard library, uuid and dedup only, so that
// any package's tests may import it.
package deduptest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/stashpay/stashpay-go/dedup"
)

// LongLease is the lease the suite uses where a lease must not run out during
// a test.
const LongLease = 5 * time.Minute

// Option configures [Run].
type Option func(*config)

type config struct {
	shortLease time.Duration
	shared     bool
	goroutines int
}

// WithShortLease sets the lease the suite lets run out in its expiry tests;
// the suite sleeps twice that long. It must be at least the store's lease
// granularity. The default is 100ms.
func WithShortLease(d time.Duration) Option {
	return func(c *config) {
		if d > 0 {
			c.shortLease = d
		}
	}
}

// WithSharedState tells the suite that all stores newStore returns share one
// backing state, as separate clients of one server do. The suite then spreads
// its concurrent claims over several stores, so that exactly-once is also
// checked across connections and processes' worth of clients.
func WithSharedState() Option {
	return func(c *config) { c.shared = true }
}

// WithGoroutines sets how many goroutines race for one key in the
// concurrency tests. The default is 32.
func WithGoroutines(n int) Option {
	return func(c *config) {
		if n > 1 {
			c.goroutines = n
		}
	}
}

// Run runs the conformance suite against the stores newStore returns. Every
// subtest calls newStore (several times with [WithSharedState]) and uses keys
// of its own, so a store may be shared between subtests and may hold keys of
// earlier runs. newStore should register any cleanup with t.Cleanup.
//
// The suite checks the [dedup.Store] contract: argument validation; the
// Claimed, Busy and Done outcomes; Complete and Release fenced by the token
// ([dedup.ErrLeaseLost]); lease expiry and reclaim; that a holder whose lease
// ran out may still complete while no other claim took the key; concurrent
// claims of one key granting exactly once; a cancelled context failing without
// a change of state; and [dedup.Do] end to end.
func Run(t *testing.T, newStore func(t *testing.T) dedup.Store, opts ...Option) {
	t.Helper()
	c := &config{shortLease: 100 * time.Millisecond, goroutines: 32}
	for _, opt := range opts {
		if opt != nil {
			opt(c)
		}
	}
	s := &suite{cfg: c, newStore: newStore}
	tests := []struct {
		name string
		fn   func(t *testing.T)
	}{
		{"InvalidArguments", s.testInvalidArguments},
		{"Outcomes", s.testOutcomes},
		{"KeysAreIndependent", s.testKeysAreIndependent},
		{"TokenFencing", s.testTokenFencing},
		{"CompleteIsIdempotent", s.testCompleteIsIdempotent},
		{"ExpiredLeaseIsReclaimed", s.testExpiredLeaseIsReclaimed},
		{"ExpiredHolderMayFinish", s.testExpiredHolderMayFinish},
		{"ConcurrentClaims", s.testConcurrentClaims},
		{"ConcurrentReclaimAfterExpiry", s.testConcurrentReclaim},
		{"CancelledContext", s.testCancelledContext},
		{"DoRunsOnceUnderConcurrency", s.testDoOnce},
		{"DoRerunsAfterError", s.testDoRerunsAfterError},
		{"DoReleasesOnPanic", s.testDoReleasesOnPanic},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.fn(t)
		})
	}
}

type suite struct {
	cfg      *config
	newStore func(t *testing.T) dedup.Store
}

// stores returns the stores a concurrent test spreads over: several when they
// share state, otherwise one.
func (s *suite) stores(t *testing.T) []dedup.Store {
	t.Helper()
	n := 1
	if s.cfg.shared {
		n = 3
	}
	out := make([]dedup.Store, n)
	for i := range out {
		out[i] = s.newStore(t)
		if out[i] == nil {
			t.Fatal("deduptest: newStore returned nil")
		}
	}
	return out
}

func (s *suite) store(t *testing.T) dedup.Store {
	t.Helper()
	return s.stores(t)[0]
}

// newKey returns a key no other test or run uses.
func newKey(t *testing.T) string {
	return "deduptest:" + t.Name() + ":" + uuid.NewString()
}

// claim claims key and fails the test on error or an unexpected outcome.
func claim(t *testing.T, st dedup.Store, key string, lease time.Duration, want dedup.Outcome) dedup.Claim {
	t.Helper()
	c, err := st.Claim(context.Background(), key, lease)
	if err != nil {
		t.Fatalf("Claim(%q): unexpected error: %v", key, err)
	}
	if c.Outcome != want {
		t.Fatalf("Claim(%q) = %v, want %v", key, c.Outcome, want)
	}
	if want == dedup.Claimed && c.Token == "" {
		t.Fatalf("Claim(%q) = Claimed with an empty token", key)
	}
	if want != dedup.Claimed && c.Token != "" {
		t.Fatalf("Claim(%q) = %v with a token; a token belongs to Claimed only", key, c.Outcome)
	}
	return c
}

// wantErr fails the test unless errors.Is(err, want) (want nil: err nil).
func wantErr(t *testing.T, what string, err, want error) {
	t.Helper()
	switch {
	case want == nil && err != nil:
		t.Fatalf("%s: unexpected error: %v", what, err)
	case want != nil && !errors.Is(err, want):
		t.Fatalf("%s: error = %v, want %v", what, err, want)
	}
}

// race runs fn in n goroutines released together and waits for them.
func race(n int, fn func(i int)) {
	var start, done sync.WaitGroup
	start.Add(1)
	done.Add(n)
	for i := range n {
		go func() {
			defer done.Done()
			start.Wait()
			fn(i)
		}()
	}
	start.Done()
	done.Wait()
}
