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

// TestParseAnalyticsNumericIDs: the analytics events read an identifier
// sent as a JSON number as its text, as the purchase and free-item events
// do, instead of refusing the delivery (400, redelivered for a day).
func TestParseAnalyticsNumericIDs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, payload string
		check         func(t *testing.T, e events.Event)
	}{
		{"CREATE_PAYMENT_INTENT", `{"type":"CREATE_PAYMENT_INTENT","openPayment":{"cartId":11,"userId":42,"items":[{"id":7,"quantity":1}]}}`,
			func(t *testing.T, e events.Event) {
				ev := e.(*events.CreatePaymentIntent)
				assert.Equal(t, [2]string{"11", "42"}, [2]string{ev.CartID, ev.UserID})
				require.Len(t, ev.Items, 1)
				assert.Equal(t, "7", ev.Items[0].ID)
			}},
		{"MUTATE_CART", `{"type":"MUTATE_CART","mutateCart":{"cartId":11,"userId":42,"regionCode":"US"}}`,
			func(t *testing.T, e events.Event) {
				ev := e.(*events.MutateCart)
				assert.Equal(t, [3]string{"11", "42", "US"}, [3]string{ev.CartID, ev.UserID, ev.RegionCode})
			}},
		{"VIEW_ITEM", `{"type":"VIEW_ITEM","viewItem":{"userId":42,"itemId":1001}}`,
			func(t *testing.T, e events.Event) {
				ev := e.(*events.ViewItem)
				assert.Equal(t, [2]string{"42", "1001"}, [2]string{ev.UserID, ev.ItemID})
			}},
		{"VIEW_CHECKOUT_PAGE", `{"type":"VIEW_CHECKOUT_PAGE","viewCheckoutPage":{"userId":42}}`,
			func(t *testing.T, e events.Event) { assert.Equal(t, "42", e.(*events.ViewCheckoutPage).UserID) }},
		{"VIEW_PRODUCT_DETAIL_PAGE", `{"type":"VIEW_PRODUCT_DETAIL_PAGE","viewProductDetailsPage":{"userId":42,"itemId":-3}}`,
			func(t *testing.T, e events.Event) {
				ev := e.(*events.ViewProductDetailPage)
				assert.Equal(t, [2]string{"42", "-3"}, [2]string{ev.UserID, ev.ItemID})
			}},
		{"CART_BUTTON_CLICK", `{"type":"CART_BUTTON_CLICK","sendCartButtonClick":{"userId":42}}`,
			func(t *testing.T, e events.Event) { assert.Equal(t, "42", e.(*events.CartButtonClick).UserID) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e, err := events.Parse([]byte(tt.payload))
			require.NoError(t, err)
			tt.check(t, e)
		})
	}
}
