package stashpaytest_test

import (
	"net/http"
	"testing"
	"time"

	stashpay "github.com/stashpay/stashpay-go"
	"github.com/stashpay/stashpay-go/stashpaytest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLostWebhooksNeverReachTheGame(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		opts []stashpaytest.DeliveryOption
		want int // attempts per copy
	}{
		{"every retry lost", []stashpaytest.DeliveryOption{stashpaytest.Lost()}, 3},
		{"duplicates lost too", []stashpaytest.DeliveryOption{stashpaytest.Lost(), stashpaytest.Times(2)}, 6},
		{"with an attempt cap", []stashpaytest.DeliveryOption{stashpaytest.Lost(), stashpaytest.MaxAttempts(1)}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec, url := startRecorder(t, func(int, *http.Request, []byte) (int, string) { return 200, "{}" })
			s := stashpaytest.Start(t, stashpaytest.WithWebhookURL(url), stashpaytest.WithRetrySchedule(time.Millisecond, time.Millisecond))
			id := createCheckout(t, s, gemsCheckout)
			p, err := s.Pay(t.Context(), id, tt.opts...)
			require.NoError(t, err)
			require.ErrorIs(t, p.Webhook.Wait(t.Context()), stashpaytest.ErrNotDelivered)
			assert.False(t, p.Webhook.Delivered())
			require.Len(t, p.Webhook.Attempts(), tt.want)
			for _, a := range p.Webhook.Attempts() {
				assert.Zero(t, a.StatusCode)
				assert.Contains(t, a.Err, "lost")
			}
			assert.Empty(t, rec.requests(), "the game saw nothing")
			c, _ := s.Checkout(id)
			assert.Equal(t, stashpay.PaymentStatusSucceeded, c.Status, "the payment itself succeeded")
		})
	}
}

func TestWithPaidStatus(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		status stashpay.PaymentStatus
		want   stashpay.PaymentStatus
	}{
		{"default", "", stashpay.PaymentStatusSucceeded},
		{"a name the SDK does not know", "PAYMENT_STATUS_SETTLED", "PAYMENT_STATUS_SETTLED"},
		{"another known name", stashpay.PaymentStatusCaptureSucceeded, stashpay.PaymentStatusCaptureSucceeded},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := stashpaytest.Start(t, stashpaytest.WithPaidStatus(tt.status))
			client, err := stashpay.NewClient(stashpay.Credentials{ShopID: s.ShopID(), IngressKey: s.IngressKey()}, stashpay.WithBaseURL(s.URL()))
			require.NoError(t, err)
			id := createCheckout(t, s, gemsCheckout)
			ev, err := client.GetPaymentEvent(t.Context(), id)
			require.NoError(t, err)
			assert.Equal(t, stashpay.PaymentStatusPending, ev.Status, "only a paid checkout is reported differently")
			_, err = s.Pay(t.Context(), id)
			require.NoError(t, err)
			ev, err = client.GetPaymentEvent(t.Context(), id)
			require.NoError(t, err)
			assert.Equal(t, tt.want, ev.Status)
			c, _ := s.Checkout(id)
			assert.Equal(t, stashpay.PaymentStatusSucceeded, c.Status)
		})
	}
}
