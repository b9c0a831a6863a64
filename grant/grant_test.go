package grant_test

import (
	"context"
	"testing"

	"github.com/stashpay/stashpay-go/dedup"
	"github.com/stashpay/stashpay-go/grant"
	"github.com/stashpay/stashpay-go/grant/granttest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNew(t *testing.T) {
	t.Parallel()
	fn := func(context.Context, *grant.Purchase) error { return nil }
	tests := []struct {
		name    string
		store   dedup.Store
		fn      grant.Func
		wantErr string
	}{
		{"valid", dedup.NewMemoryStore(), fn, ""},
		{"nil store", nil, fn, "store is nil"},
		{"nil fn", dedup.NewMemoryStore(), nil, "fn is nil"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			g, err := grant.New(tt.store, tt.fn, nil, grant.WithLease(0), grant.WithBusyWait(-1), grant.WithReconcileInterval(0))
			if tt.wantErr == "" {
				require.NoError(t, err)
				assert.NotNil(t, g)
				return
			}
			require.ErrorIs(t, err, grant.ErrInvalidConfig)
			assert.ErrorContains(t, err, tt.wantErr)
			assert.Nil(t, g)
		})
	}
}

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
