package grant_test

import (
	"testing"

	"github.com/stashpay/stashpay-go/dedup"
	"github.com/stashpay/stashpay-go/grant/granttest"
)

// TestRoutesOnSharedMemoryStore runs granttest's checks on two instances
// sharing one MemoryStore: every pair of routes racing, and two
// reconcilers over lost webhooks, grant each purchase once.
func TestRoutesOnSharedMemoryStore(t *testing.T) {
	t.Parallel()
	granttest.Run(t, func(*testing.T) [2]dedup.Store {
		s := dedup.NewMemoryStore()
		return [2]dedup.Store{s, s}
	})
}

// TestRoutesOnSeparateStoresDoubleGrant shows that the check can fail: two
// instances with a store each (not shared) grant a purchase on both.
func TestRoutesOnSeparateStoresDoubleGrant(t *testing.T) {
	t.Parallel()
	w := granttest.NewWorld(t, [2]dedup.Store{dedup.NewMemoryStore(), dedup.NewMemoryStore()})
	c := w.Paid(t, "p")
	for i := range 2 {
		if _, err := w.Poll(t.Context(), i, c); err != nil {
			t.Fatal(err)
		}
	}
	if got := w.Book.Count(granttest.Key(c)); got != 2 {
		t.Fatalf("granted %d times on unshared stores, want 2 (the check relies on this)", got)
	}
}
