package grant_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stashpay/stashpay-go/dedup"
	"github.com/stashpay/stashpay-go/grant"
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
