package stashpaytest_test

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"testing"
	"time"

	stashpay "github.com/stashpay/stashpay-go"
	"github.com/stashpay/stashpay-go/stashpaytest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// formatVerbs are the fmt verbs a user might print a value with.
var formatVerbs = []string{"%v", "%+v", "%#v", "%s", "%d", "%x", "%q", "%T %v"}

// assertHidesSecrets prints v with every verb, String, GoString and slog, and
// checks that none of it contains any secret.
func assertHidesSecrets(t *testing.T, v any, secrets ...string) {
	t.Helper()
	var outs []string
	for _, verb := range formatVerbs {
		outs = append(outs, fmt.Sprintf(verb, v))
	}
	if s, ok := v.(fmt.Stringer); ok {
		outs = append(outs, s.String())
	}
	if s, ok := v.(fmt.GoStringer); ok {
		outs = append(outs, s.GoString())
	}
	for _, h := range []func(*bytes.Buffer) slog.Handler{
		func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) },
		func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) },
	} {
		var buf bytes.Buffer
		slog.New(h(&buf)).Info("value", "v", v)
		outs = append(outs, buf.String())
	}
	for i, out := range outs {
		for _, secret := range secrets {
			assert.NotContains(t, out, secret, "output %d: %s", i, out)
		}
	}
}

func TestServerFormatHidesKeys(t *testing.T) {
	t.Parallel()
	s := stashpaytest.Start(t,
		stashpaytest.WithIngressKey("very-secret-ingress"),
		stashpaytest.WithAPIKey("very-secret-api"),
		stashpaytest.WithEgressKey("very-secret-egress"),
		stashpaytest.WithWebhookSecret("very-secret-webhook"),
	)
	assertHidesSecrets(t, s, "very-secret")
	for _, verb := range []string{"%v", "%s", "%d", "%+v", "%#v"} {
		assert.Contains(t, fmt.Sprintf(verb, s), s.URL(), verb)
	}
}

func TestFailIngress(t *testing.T) {
	t.Parallel()
	tests := []struct {
		status     int
		retryAfter time.Duration
		wantCode   int
		wantHeader string
	}{
		{http.StatusTooManyRequests, 1500 * time.Millisecond, 8, "2"},
		{http.StatusTooManyRequests, 0, 8, ""},
		{http.StatusServiceUnavailable, time.Second, 14, "1"},
		{http.StatusInternalServerError, 0, 13, ""},
		{http.StatusBadGateway, 0, 13, ""},
	}
	for _, tc := range tests {
		t.Run(http.StatusText(tc.status), func(t *testing.T) {
			t.Parallel()
			s := stashpaytest.Start(t)
			s.FailIngress(2, tc.status, tc.retryAfter)
			for range 2 {
				req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, s.URL()+checkoutPath, nil)
				require.NoError(t, err)
				resp, err := http.DefaultClient.Do(req)
				require.NoError(t, err)
				resp.Body.Close()
				assert.Equal(t, tc.status, resp.StatusCode)
				assert.Equal(t, tc.wantHeader, resp.Header.Get("Retry-After"))
			}
			// The third call is served normally.
			createCheckout(t, s, gemsCheckout)
			calls := s.IngressCalls()
			require.Len(t, calls, 3)
			assert.Equal(t, tc.wantCode, calls[0].Code)
			assert.Equal(t, 200, calls[2].StatusCode)
		})
	}
}

func TestFailIngressClientRetries(t *testing.T) {
	t.Parallel()
	s := stashpaytest.Start(t)
	client, err := s.NewClient(stashpay.WithMaxRetries(1))
	require.NoError(t, err)
	params := &stashpay.CheckoutParams{
		Item: &stashpay.CheckoutItem{ID: "gems", PricePerItem: "0.99", Quantity: 1},
		User: stashpay.CheckoutUser{ID: "p1"},
	}

	s.FailIngress(1, http.StatusServiceUnavailable, 0)
	co, err := client.CreateCheckout(t.Context(), params)
	require.NoError(t, err)
	calls := s.IngressCalls()
	require.Len(t, calls, 2, "a failure, then success")
	for _, c := range calls {
		assert.Equal(t, "v1", c.Auth)
	}
	assert.Len(t, s.Checkouts(), 1)
	got, _ := s.Checkout(co.ID)
	assert.Equal(t, co.TransactionID, got.TransactionID)

	s.FailIngress(2, http.StatusServiceUnavailable, 0)
	_, err = client.GetPaymentEvent(t.Context(), co.ID)
	var apiErr *stashpay.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusServiceUnavailable, apiErr.StatusCode)
	assert.ErrorIs(t, err, stashpay.ErrUnavailable)
	assert.Len(t, s.IngressCalls(), 4)
}

func TestIngressDelay(t *testing.T) {
	t.Parallel()
	s := stashpaytest.Start(t)
	slow, err := s.NewClient(stashpay.WithMaxRetries(0), stashpay.WithHTTPClient(&http.Client{Timeout: 50 * time.Millisecond}))
	require.NoError(t, err)
	params := &stashpay.CheckoutParams{
		Item: &stashpay.CheckoutItem{ID: "gems", PricePerItem: "0.99", Quantity: 1},
		User: stashpay.CheckoutUser{ID: "p1"},
	}
	s.SetIngressDelay(time.Minute)
	_, err = slow.CreateCheckout(t.Context(), params)
	require.Error(t, err, "the client gives up before the fake answers")
	var apiErr *stashpay.APIError
	assert.False(t, errors.As(err, &apiErr), "a timeout, not an answer")

	s.SetIngressDelay(0)
	_, err = slow.CreateCheckout(t.Context(), params)
	require.NoError(t, err)
}

func TestClientAgainstFake(t *testing.T) {
	t.Parallel()
	_, hookURL := startRecorder(t, nil)
	s := stashpaytest.Start(t, stashpaytest.WithWebhookURL(hookURL))
	client, err := s.NewClient()
	require.NoError(t, err)
	co, err := client.CreateCheckout(t.Context(), &stashpay.CheckoutParams{
		Item:       &stashpay.CheckoutItem{ID: "gems", PricePerItem: "4.99", Quantity: 3, Name: "Gems"},
		BonusItems: []stashpay.BonusItem{{ID: "badge", Quantity: 1}},
		User:       stashpay.CheckoutUser{ID: "p1", Platform: stashpay.UserPlatformIOS},
	})
	require.NoError(t, err)
	assert.Equal(t, "US", co.RegionCode)

	ev, err := client.GetPaymentEvent(t.Context(), co.ID)
	require.NoError(t, err)
	assert.Equal(t, stashpay.PaymentStatusPending, ev.Status)

	p, err := s.Pay(t.Context(), co.ID)
	require.NoError(t, err)
	require.NoError(t, p.Webhook.Wait(t.Context()))
	ev, err = client.GetPaymentEvent(t.Context(), co.ID)
	require.NoError(t, err)
	assert.Equal(t, stashpay.PaymentStatusSucceeded, ev.Status)
	assert.Equal(t, "14.97", ev.Total.String())
	require.Len(t, ev.Items, 1)
	assert.Equal(t, int64(3), ev.Items[0].Quantity)
	require.Len(t, ev.BonusItems, 1)

	_, err = client.GetPaymentEvent(t.Context(), "unknown")
	assert.ErrorIs(t, err, stashpay.ErrNotFound)
}

func TestLegacyAPIKeyClient(t *testing.T) {
	t.Parallel()
	s := stashpaytest.Start(t, stashpaytest.WithAPIKey("legacy-key"))
	client, err := stashpay.NewClient(stashpay.Credentials{APIKey: "legacy-key"}, stashpay.WithBaseURL(s.URL()))
	require.NoError(t, err)
	co, err := client.CreateCheckout(t.Context(), &stashpay.CheckoutParams{
		Item: &stashpay.CheckoutItem{ID: "gems", PricePerItem: "1", Quantity: 1},
		User: stashpay.CheckoutUser{ID: "p1"},
	})
	require.NoError(t, err)
	_, err = client.GetPaymentEvent(t.Context(), co.ID)
	require.NoError(t, err)
	for _, c := range s.IngressCalls() {
		assert.Equal(t, "api-key", c.Auth)
	}

	wrong, err := stashpay.NewClient(stashpay.Credentials{APIKey: "other"}, stashpay.WithBaseURL(s.URL()), stashpay.WithMaxRetries(0))
	require.NoError(t, err)
	_, err = wrong.GetPaymentEvent(t.Context(), co.ID)
	assert.ErrorIs(t, err, stashpay.ErrUnauthenticated)
}
