package deduptest

import (
	"context"
	"time"

	"github.com/stashpay/stashpay-go/dedup"
)

// HangingStore passes calls on to Store, except the operations selected by
// its Hang fields on the keys Keys selects, which block until their context
// ends and then return the context's error without reaching Store, as a
// store whose server stopped answering mid-connection does. It tests that
// code under test bounds its waits on a store (for example, that a confirm
// is still answered when the store hangs right after the grant).
//
// Set the fields before use; a HangingStore is then safe for concurrent use
// as far as Store is.
//
// Typical uses:
//
//	HangingStore{Store: s, HangComplete: true}                      // every Complete hangs
//	HangingStore{Store: s, HangClaim: true, Keys: func(k string) bool {
//		return strings.HasPrefix(k, "marker:")
//	}}                                                              // only some claims hang
type HangingStore struct {
	// Store receives the calls that do not hang. It must not be nil.
	Store dedup.Store
	// HangClaim, HangComplete and HangRelease select the operations that
	// hang.
	HangClaim, HangComplete, HangRelease bool
	// Keys selects the keys whose selected operations hang; nil selects
	// every key.
	Keys func(key string) bool
}

var _ dedup.Store = HangingStore{}

// hangs reports whether an operation selected by op hangs on key.
func (h HangingStore) hangs(op bool, key string) bool {
	return op && (h.Keys == nil || h.Keys(key))
}

// Claim blocks until ctx ends when HangClaim is set and Keys selects key,
// and otherwise calls Store.Claim.
func (h HangingStore) Claim(ctx context.Context, key string, lease time.Duration) (dedup.Claim, error) {
	if h.hangs(h.HangClaim, key) {
		<-ctx.Done()
		return dedup.Claim{}, ctx.Err()
	}
	return h.Store.Claim(ctx, key, lease)
}

// Complete blocks until ctx ends when HangComplete is set and Keys selects
// key, and otherwise calls Store.Complete.
func (h HangingStore) Complete(ctx context.Context, key, token string) error {
	if h.hangs(h.HangComplete, key) {
		<-ctx.Done()
		return ctx.Err()
	}
	return h.Store.Complete(ctx, key, token)
}

// Release blocks until ctx ends when HangRelease is set and Keys selects
// key, and otherwise calls Store.Release.
func (h HangingStore) Release(ctx context.Context, key, token string) error {
	if h.hangs(h.HangRelease, key) {
		<-ctx.Done()
		return ctx.Err()
	}
	return h.Store.Release(ctx, key, token)
}
