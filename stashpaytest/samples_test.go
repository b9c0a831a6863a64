package stashpaytest_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stashpay/stashpay-go/events"
	"github.com/stashpay/stashpay-go/stashpaytest"
)

func TestSampleEvent(t *testing.T) {
	t.Parallel()
	types := stashpaytest.SampleEventTypes()
	require.NotEmpty(t, types)
	assert.IsNonDecreasing(t, types)
	for _, typ := range types {
		t.Run(string(typ), func(t *testing.T) {
			t.Parallel()
			b, err := stashpaytest.SampleEvent(typ, stashpaytest.SampleParams{UserID: "player-9", ItemID: "sku-9", Now: time.Unix(1700000000, 0)})
			require.NoError(t, err)
			e, err := events.Parse(b)
			require.NoError(t, err)
			assert.Equal(t, typ, e.Type())
			_, unknown := e.(*events.Unknown)
			assert.False(t, unknown, "the sample decodes into its typed event")
			assert.Contains(t, string(b), "player-9")
		})
	}
}

func TestSampleEventDefaultsAndUnknown(t *testing.T) {
	t.Parallel()
	b, err := stashpaytest.SampleEvent(events.TypePurchaseSucceeded, stashpaytest.SampleParams{})
	require.NoError(t, err)
	assert.Contains(t, string(b), `"player-1"`)
	assert.Contains(t, string(b), `"gems_100"`)
	_, err = stashpaytest.SampleEvent("subscription.frozen", stashpaytest.SampleParams{})
	assert.ErrorIs(t, err, stashpaytest.ErrNoSample)
}
