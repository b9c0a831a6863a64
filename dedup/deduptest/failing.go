package deduptest

import (
	"context"
	"fmt"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stashpay/stashpay-go/dedup"
)

// ErrUnreachable is the error of [Unreachable] and of the operations a
// [FailingStore] fails. It wraps [dedup.ErrStore], as a real store's
// connection failures do.
var ErrUnreachable = fmt.Errorf("%w: deduptest: store unreachable", dedup.ErrStore)

// Unreachable returns a store whose every call fails with [ErrUnreachable],
// standing in for a store server that is down. Code under test must then do
// no work and report a failure (a webhook handler answers 5xx so that Stash
// retries). It is safe for concurrent use.
func Unreachable() dedup.Store {
	return &FailingStore{FailClaim: true, FailComplete: true, FailRelease: true}
}

// FailingStore passes calls on to Store, except the operations selected by
// its Fail fields, which fail with [ErrUnreachable] without reaching Store.
// With a nil Store every call fails. It counts the calls it received, so a
// test can check, for example, that a failed Complete left no Release behind.
//
// Set the fields before use; a FailingStore is then safe for concurrent use.
//
// Typical uses:
//
//	&FailingStore{FailClaim: true}                       // down before the work: nothing runs
//	&FailingStore{Store: s, FailComplete: true}          // the work ran but was not recorded
//	&FailingStore{Store: s, FailRelease: true}           // a failed run cannot free the key
type FailingStore struct {
	// Store receives the calls that are not failed. If nil, every call fails.
	Store dedup.Store
	// FailClaim, FailComplete and FailRelease select the operations that fail.
	FailClaim, FailComplete, FailRelease bool

	claims, completes, releases atomic.Int64
}

var _ dedup.Store = (*FailingStore)(nil)

// Claim fails when FailClaim is set or Store is nil, and otherwise calls
// Store.Claim.
func (f *FailingStore) Claim(ctx context.Context, key string, lease time.Duration) (dedup.Claim, error) {
	f.claims.Add(1)
	if f.FailClaim || f.Store == nil {
		return dedup.Claim{}, ErrUnreachable
	}
	return f.Store.Claim(ctx, key, lease)
}

// Complete fails when FailComplete is set or Store is nil, and otherwise
// calls Store.Complete.
func (f *FailingStore) Complete(ctx context.Context, key, token string) error {
	f.completes.Add(1)
	if f.FailComplete || f.Store == nil {
		return ErrUnreachable
	}
	return f.Store.Complete(ctx, key, token)
}

// Release fails when FailRelease is set or Store is nil, and otherwise calls
// Store.Release.
func (f *FailingStore) Release(ctx context.Context, key, token string) error {
	f.releases.Add(1)
	if f.FailRelease || f.Store == nil {
		return ErrUnreachable
	}
	return f.Store.Release(ctx, key, token)
}

// Calls reports how many Claim, Complete and Release calls the store
// received, failed or not.
func (f *FailingStore) Calls() (claims, completes, releases int64) {
	return f.claims.Load(), f.completes.Load(), f.releases.Load()
}

// DeadAddr returns a loopback address ("127.0.0.1:port") nothing listens on,
// to point a real store's client at a server that is down: its calls then
// fail at once with a refused connection.
func DeadAddr(tb testing.TB) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("deduptest: listen on loopback: %v", err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		tb.Fatalf("deduptest: close the listener: %v", err)
	}
	return addr
}
