package inventory_test

import (
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stashpay/stashpay-go/examples/internal/inventory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestGrantOnce(t *testing.T) {
	t.Parallel()
	inv := inventory.New()
	var granted atomic.Int32
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			if inv.Grant("checkout:1", "alice", []inventory.Item{{SKU: "gems", Quantity: 100}}) {
				granted.Add(1)
			}
		})
	}
	wg.Wait()
	assert.Equal(t, int32(1), granted.Load())
	assert.Equal(t, int64(100), inv.Count("alice", "gems"))
	assert.True(t, inv.Granted("checkout:1"))
	assert.False(t, inv.Granted("checkout:2"))
	assert.True(t, inv.Grant("checkout:2", "alice", []inventory.Item{{SKU: "gems", Quantity: 5}, {SKU: "axe", Quantity: 1}}))
	assert.Equal(t, []inventory.Item{{SKU: "axe", Quantity: 1}, {SKU: "gems", Quantity: 105}}, inv.Items("alice"))
	assert.Equal(t, 2, inv.Grants())
	assert.Empty(t, inv.Items("bob"))
	snap := inv.Snapshot()
	snap["alice"]["gems"] = 0
	assert.Equal(t, int64(105), inv.Count("alice", "gems"), "snapshot is a copy")
}

func TestReservations(t *testing.T) {
	t.Parallel()
	inv := inventory.New()
	inv.SetStock("sword", 2)
	sword := []inventory.Item{{SKU: "sword", Quantity: 1}}

	require.NoError(t, inv.Reserve("tx:1", sword))
	require.NoError(t, inv.Reserve("tx:1", sword), "idempotent")
	require.NoError(t, inv.Reserve("tx:2", sword))
	assert.ErrorIs(t, inv.Reserve("tx:3", sword), inventory.ErrOutOfStock)
	left, limited := inv.Stock("sword")
	assert.True(t, limited)
	assert.Zero(t, left)

	// Cancelling tx:2 frees its unit for tx:3.
	assert.True(t, inv.Release("tx:2"))
	assert.False(t, inv.Release("tx:2"))
	require.NoError(t, inv.Reserve("tx:3", sword))

	// Granting tx:1 consumes its reservation for good.
	assert.True(t, inv.Grant("tx:1", "alice", sword))
	assert.False(t, inv.Reserved("tx:1"))
	assert.False(t, inv.Release("tx:1"))
	require.NoError(t, inv.Reserve("tx:1", sword), "a granted purchase needs no reservation")
	left, _ = inv.Stock("sword")
	assert.Zero(t, left)

	// Unlimited SKUs always reserve.
	require.NoError(t, inv.Reserve("tx:9", []inventory.Item{{SKU: "gems", Quantity: 1000}}))
	_, limited = inv.Stock("gems")
	assert.False(t, limited)
}
