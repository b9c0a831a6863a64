package events_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stashpay/stashpay-go/events"
)

// TestParseFreeItemRedeemedTolerant checks that FREE_ITEM_REDEEMED, an event
// a game grants on, decodes the members whose kind Stash does not fix as
// tolerantly as PURCHASE_SUCCEEDED does: a numeric user id (kept as its
// text, as PurchaseSucceeded.UserID is), a numeric item id (as Item.ID is),
// and "free-form" metadata values that are numbers or booleans (kept as
// their JSON text, as item metadata is). Refusing them answers 400 until
// Stash gives up: the free item is never granted.
func TestParseFreeItemRedeemedTolerant(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, payload string
		want          events.FreeItemRedeemed
	}{
		{
			name:    "numeric user id",
			payload: `{"type":"FREE_ITEM_REDEEMED","freeItemRedeemed":{"userId":42,"itemId":"item_free_001"}}`,
			want:    events.FreeItemRedeemed{UserID: "42", ItemID: "item_free_001"},
		},
		{
			name:    "numeric item id",
			payload: `{"type":"FREE_ITEM_REDEEMED","freeItemRedeemed":{"userId":"u","itemId":1001}}`,
			want:    events.FreeItemRedeemed{UserID: "u", ItemID: "1001"},
		},
		{
			name: "metadata number and boolean",
			payload: `{"type":"FREE_ITEM_REDEEMED","freeItemRedeemed":{"userId":"u","itemId":"i",` +
				`"metadata":{"promotionId":123,"firstTime":true}}}`,
			want: events.FreeItemRedeemed{UserID: "u", ItemID: "i",
				Metadata: map[string]string{"promotionId": "123", "firstTime": "true"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ev, err := events.Parse([]byte(tt.payload))
			require.NoError(t, err, "FREE_ITEM_REDEEMED refused")
			e, ok := ev.(*events.FreeItemRedeemed)
			require.True(t, ok, "got %T", ev)
			assert.Equal(t, tt.want.UserID, e.UserID)
			assert.Equal(t, tt.want.ItemID, e.ItemID)
			assert.Equal(t, tt.want.Metadata, e.Metadata)
		})
	}
}
