package grant_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	stashpay "github.com/stashpay/stashpay-go"
	"github.com/stashpay/stashpay-go/dedup"
	"github.com/stashpay/stashpay-go/grant"
	"github.com/stashpay/stashpay-go/stashpaytest"
)

// TestPurchaseIsTheSameOnEveryRoute grants one purchase on each route in
// turn, on a fresh store each time, and compares what fn was given.
func TestPurchaseIsTheSameOnEveryRoute(t *testing.T) {
	t.Parallel()
	tests := []struct {
		route grant.Route
		check func(t *testing.T, p *grant.Purchase, c stashpaytest.Checkout)
	}{
		{grant.RouteConfirm, func(t *testing.T, p *grant.Purchase, c stashpaytest.Checkout) {
			require.NotNil(t, p.Confirm)
			assert.Nil(t, p.Webhook)
			assert.Nil(t, p.Payment)
			assert.Equal(t, c.TransactionID, p.TransactionID)
			assert.Equal(t, stashpay.Amount("3.98"), p.Total)
			assert.Equal(t, stashpay.Amount("0.00"), p.Tax)
		}},
		{grant.RouteWebhook, func(t *testing.T, p *grant.Purchase, c stashpaytest.Checkout) {
			require.NotNil(t, p.Webhook)
			assert.Equal(t, c.OrderID, p.OrderID)
			assert.Equal(t, stashpay.Amount("3.98"), p.Total)
		}},
		{grant.RoutePoll, func(t *testing.T, p *grant.Purchase, _ stashpaytest.Checkout) {
			require.NotNil(t, p.Payment)
			assert.Equal(t, stashpay.PaymentStatusSucceeded, p.Payment.Status)
			assert.Equal(t, stashpay.Amount("3.98"), p.Total)
		}},
	}
	for _, tt := range tests {
		t.Run(string(tt.route), func(t *testing.T) {
			t.Parallel()
			rec := &recorder{}
			e := newEnv(t, rec, nil)
			id := e.checkout(t, "player-7")
			switch tt.route {
			case grant.RouteConfirm:
				e.serveGame(t, nil)
				e.fake.SetWebhookURL("")
				_, err := e.fake.Pay(t.Context(), id)
				require.NoError(t, err)
			case grant.RouteWebhook:
				e.serveGame(t, nil)
				e.fake.SetEgressBaseURL("")
				p, err := e.fake.Pay(t.Context(), id)
				require.NoError(t, err)
				require.NoError(t, p.Webhook.Wait(t.Context()))
			case grant.RoutePoll:
				_, err := e.fake.Pay(t.Context(), id)
				require.NoError(t, err)
				ok, err := e.g.Poll(t.Context(), e.client, id, "player-7")
				require.NoError(t, err)
				require.True(t, ok)
			}
			got := rec.granted()
			require.Len(t, got, 1)
			p := got[0]
			c, _ := e.fake.Checkout(id)
			assert.Equal(t, key(id), p.Key, "one key on every route")
			assert.Equal(t, tt.route, p.Route)
			assert.Equal(t, "player-7", p.PlayerID)
			assert.Equal(t, id, p.CheckoutLinkID)
			assert.Equal(t, "USD", p.Currency)
			require.Len(t, p.Items, 1)
			assert.Equal(t, "gems_100", p.Items[0].ID)
			assert.Equal(t, int64(2), p.Items[0].Quantity)
			assert.Equal(t, stashpay.Amount("1.99"), p.Items[0].Price)
			tt.check(t, p, c)
			claim, err := e.store.Claim(t.Context(), key(id), time.Minute)
			require.NoError(t, err)
			assert.Equal(t, dedup.Done, claim.Outcome, "the key is recorded in the store")
		})
	}
}
