package stashpaytest_test

import (
	"encoding/json"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/stashpay/stashpay-go/events"
	"github.com/stashpay/stashpay-go/stashpaytest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRefund(t *testing.T) {
	t.Parallel()
	hooks, hookURL := startRecorder(t, nil)
	s := stashpaytest.Start(t, stashpaytest.WithWebhookURL(hookURL))
	id := createCheckout(t, s, gemsCheckout)
	_, err := s.Refund(t.Context(), id)
	assert.ErrorIs(t, err, stashpaytest.ErrNotPaid)
	p, err := s.Pay(t.Context(), id)
	require.NoError(t, err)
	require.NoError(t, p.Webhook.Wait(t.Context()))
	d, err := s.Refund(t.Context(), id)
	require.NoError(t, err)
	assert.Equal(t, "PURCHASE_REFUNDED", d.Type)

	ev, err := events.Parse(d.Payload)
	require.NoError(t, err)
	ref, ok := ev.(*events.PurchaseRefunded)
	require.True(t, ok, "%T", ev)
	assert.Equal(t, p.OrderID, ref.OrderID)
	assert.Equal(t, id, ref.CheckoutLinkID)
	assert.Equal(t, "player-1", ref.UserID)
	assert.Equal(t, "3.98", ref.Amount.String())
	assert.NotEmpty(t, ref.RefundID)
	assert.Len(t, hooks.requests(), 2)

	code, out := call(t, s, http.MethodGet, paymentPath+id, nil, validV1(s))
	require.Equal(t, 200, code)
	assert.Contains(t, string(out), `"status":"PAYMENT_STATUS_REFUNDED"`)
	_, err = s.Refund(t.Context(), id)
	assert.ErrorIs(t, err, stashpaytest.ErrNotPaid)
}

func TestPurchaseSucceededParses(t *testing.T) {
	t.Parallel()
	for _, f := range []stashpaytest.AmountFormat{stashpaytest.DecimalAmounts, stashpaytest.MinorUnitAmounts} {
		t.Run(strconv.Itoa(int(f)), func(t *testing.T) {
			t.Parallel()
			_, hookURL := startRecorder(t, nil)
			s := stashpaytest.Start(t, stashpaytest.WithWebhookURL(hookURL), stashpaytest.WithAmountFormat(f), stashpaytest.WithTax(1000))
			id := createCheckout(t, s, gemsCheckout)
			p, err := s.Pay(t.Context(), id)
			require.NoError(t, err)
			require.NoError(t, p.Webhook.Wait(t.Context()))
			ev, err := events.Parse(p.Webhook.Payload)
			require.NoError(t, err)
			ps, ok := ev.(*events.PurchaseSucceeded)
			require.True(t, ok, "%T", ev)
			assert.Equal(t, p.OrderID, ps.OrderID)
			assert.Equal(t, id, ps.CheckoutLinkID)
			assert.Equal(t, "player-1", ps.UserID)
			assert.Equal(t, "test", ev.Environment())
			require.Len(t, ps.Items, 1)
			assert.Equal(t, int64(2), ps.Items[0].Quantity)
			want := map[stashpaytest.AmountFormat][3]string{
				stashpaytest.DecimalAmounts:   {"1.99", "0.40", "4.38"},
				stashpaytest.MinorUnitAmounts: {"199", "40", "438"},
			}[f]
			assert.Equal(t, want[0], ps.Items[0].Price.String())
			assert.Equal(t, want[1], ps.Tax.String())
			assert.Equal(t, want[2], ps.Total.String())
			require.Len(t, ps.TaxDetails.Items, 1)
			assert.Equal(t, "10.00", ps.TaxDetails.Items[0].Percentage)
		})
	}
}

func TestSubscriptionEvents(t *testing.T) {
	t.Parallel()
	_, hookURL := startRecorder(t, nil)
	s := stashpaytest.Start(t, stashpaytest.WithWebhookURL(hookURL))
	end := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		typ        events.Type
		wantStatus events.SubscriptionStatus
	}{
		{events.TypeSubscriptionCreated, events.SubscriptionStatusActive},
		{events.TypeSubscriptionPaymentSucceeded, events.SubscriptionStatusActive},
		{events.TypeSubscriptionPaymentFailed, events.SubscriptionStatusPastDue},
		{events.TypeSubscriptionCanceled, events.SubscriptionStatusCanceled},
		{events.TypeSubscriptionExpired, events.SubscriptionStatusExpired},
	}
	for _, tc := range tests {
		d, err := s.SendSubscriptionEvent(t.Context(), tc.typ, stashpaytest.Subscription{
			ID: "sub_9", ExternalAccountID: "player-1", PlanID: "gold", PeriodValue: 1, PeriodUnit: "month",
			CurrentPeriodEnd: end, Payment: &stashpaytest.SubscriptionPayment{AmountCents: 499, Currency: "USD", Succeeded: true},
		})
		require.NoError(t, err)
		ev, err := events.Parse(d.Payload)
		require.NoError(t, err)
		assert.Equal(t, tc.typ, ev.Type())
		assert.Equal(t, events.FormatV2, ev.Format())
		var sub events.Subscription
		switch e := ev.(type) {
		case *events.SubscriptionCreated:
			sub = e.Subscription
		case *events.SubscriptionPaymentSucceeded:
			sub = e.Subscription
		case *events.SubscriptionPaymentFailed:
			sub = e.Subscription
		case *events.SubscriptionCanceled:
			sub = e.Subscription
			assert.True(t, sub.CancelAtPeriodEnd)
		case *events.SubscriptionExpired:
			sub = e.Subscription
		default:
			t.Fatalf("%s decoded as %T", tc.typ, ev)
		}
		assert.Equal(t, "sub_9", sub.EffectiveID())
		assert.Equal(t, "player-1", sub.ExternalAccountID)
		assert.Equal(t, "gold", sub.PlanID)
		assert.Equal(t, tc.wantStatus, sub.Status)
		assert.Equal(t, events.Period{Value: 1, Unit: "month"}, sub.Period)
		assert.True(t, end.Equal(sub.CurrentPeriodEnd))
		require.NotNil(t, sub.Payment)
		assert.Equal(t, "499", sub.Payment.AmountCents.String())
		assert.NotEmpty(t, ev.IdempotencyKey(), "the envelope id makes repeatable events distinct")
	}
}

func TestSendEventTyped(t *testing.T) {
	t.Parallel()
	hooks, hookURL := startRecorder(t, nil)
	s := stashpaytest.Start(t, stashpaytest.WithWebhookURL(hookURL))
	_, err := s.SendEvent(t.Context(), map[string]any{"type": "FREE_ITEM_REDEEMED", "freeItemRedeemed": map[string]string{"userId": "u", "itemId": "i"}})
	require.NoError(t, err)
	_, err = s.SendEvent(t.Context(), json.RawMessage(testEvent))
	require.NoError(t, err)
	_, err = s.SendEvent(t.Context(), func() {})
	assert.Error(t, err)
	reqs := hooks.requests()
	require.Len(t, reqs, 2)
	assert.JSONEq(t, `{"type":"FREE_ITEM_REDEEMED","freeItemRedeemed":{"userId":"u","itemId":"i"}}`, string(reqs[0].Body))
}

func TestProductionEnvironment(t *testing.T) {
	t.Parallel()
	egress, egressURL := startRecorder(t, game(200))
	_, hookURL := startRecorder(t, nil)
	s := stashpaytest.Start(t, stashpaytest.WithEgressBaseURL(egressURL), stashpaytest.WithWebhookURL(hookURL), stashpaytest.WithProductionEnvironment())
	p, err := s.Pay(t.Context(), createCheckout(t, s, gemsCheckout))
	require.NoError(t, err)
	require.NoError(t, p.Webhook.Wait(t.Context()))
	assert.Contains(t, string(p.Webhook.Payload), `"environment":"production"`)
	assert.Contains(t, string(egress.requests()[0].Body), `"environment":"PAYMENT_ENVIRONMENT_PRODUCTION"`)
}
