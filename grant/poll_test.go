package grant_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	stashpay "github.com/stashpay/stashpay-go"
	"github.com/stashpay/stashpay-go/dedup"
	"github.com/stashpay/stashpay-go/grant"
	"github.com/stashpay/stashpay-go/stashpaytest"
)

func TestPoll(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		paidStatus  stashpay.PaymentStatus
		pay         bool
		wantGranted bool
		wantErr     error
	}{
		{"not paid yet", "", false, false, nil},
		{"paid", "", true, true, nil},
		{"paid under Stash Unity's capture name", stashpay.PaymentStatusCaptureSucceeded, true, true, nil},
		{"authorised, not captured", stashpay.PaymentStatusAuthorizationSucceeded, true, false, nil},
		{"a status the SDK does not know", "PAYMENT_STATUS_SETTLED", true, false, grant.ErrUnknownStatus},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := &recorder{}
			var logs logBuffer
			e := newEnv(t, rec, []stashpaytest.Option{stashpaytest.WithPaidStatus(tt.paidStatus)}, grant.WithLogger(logs.logger()))
			id := e.checkout(t, "p1")
			if tt.pay {
				_, err := e.fake.Pay(t.Context(), id)
				require.NoError(t, err)
			}
			for range 2 { // the player returns, then the client retries
				ok, err := e.g.Poll(t.Context(), e.client, id, "p1")
				assert.Equal(t, tt.wantGranted, ok)
				if tt.wantErr == nil {
					require.NoError(t, err)
					continue
				}
				require.ErrorIs(t, err, tt.wantErr)
				var use *grant.UnknownStatusError
				require.ErrorAs(t, err, &use)
				assert.Equal(t, tt.paidStatus, use.Status)
				assert.Equal(t, id, use.CheckoutID)
				assert.Contains(t, logs.String(), "level=WARN")
				assert.Contains(t, logs.String(), "status="+string(tt.paidStatus))
				assert.Contains(t, logs.String(), "checkout_id="+id)
			}
			want := 0
			if tt.wantGranted {
				want = 1
			}
			assert.Len(t, rec.granted(), want)
		})
	}
}

// A failed grant function is reported as not granted, also when its error
// wraps a *dedup.CompleteError of a dedup.Do of the game's own.
func TestPollFnFailingThenSucceeding(t *testing.T) {
	t.Parallel()
	for name, failWith := range map[string]error{
		"plain error":              errors.New("inventory database down"),
		"wrapping a CompleteError": fmt.Errorf("inventory database down: %w", &dedup.CompleteError{Err: errors.New("game's redis down")}),
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			rec := &recorder{failures: 1, failWith: failWith}
			e := newEnv(t, rec, nil)
			id := e.checkout(t, "p1")
			_, err := e.fake.Pay(t.Context(), id)
			require.NoError(t, err)
			ok, err := e.g.Poll(t.Context(), e.client, id, "p1")
			assert.False(t, ok)
			require.ErrorContains(t, err, "inventory database down")
			ok, err = e.g.Poll(t.Context(), e.client, id, "p1")
			require.NoError(t, err)
			assert.True(t, ok)
			assert.Len(t, rec.granted(), 1)
		})
	}
}

func TestPollRefusesAnotherPlayersPayment(t *testing.T) {
	t.Parallel()
	stash := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"status":"PAYMENT_STATUS_SUCCEEDED","userId":"alice","currency":"USD","items":[{"id":"gems","quantity":1}]}`))
	}))
	t.Cleanup(stash.Close)
	client, err := stashpay.NewClient(stashpay.Credentials{ShopID: "shop", IngressKey: "key"}, stashpay.WithBaseURL(stash.URL))
	require.NoError(t, err)
	rec := &recorder{}
	e := newEnv(t, rec, nil)
	ok, err := e.g.Poll(t.Context(), client, "co-1", "mallory")
	assert.False(t, ok)
	require.ErrorIs(t, err, grant.ErrPlayerMismatch)
	ok, err = e.g.Poll(t.Context(), client, "co-1", "alice")
	require.NoError(t, err)
	assert.True(t, ok)
	assert.Len(t, rec.granted(), 1)
}

func TestPollInvalidArguments(t *testing.T) {
	t.Parallel()
	e := newEnv(t, &recorder{}, nil)
	tests := []struct {
		name   string
		client *stashpay.Client
		player string
	}{
		{"nil client", nil, "p1"},
		{"empty player", e.client, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := e.g.Poll(t.Context(), tt.client, "co", tt.player)
			require.ErrorIs(t, err, grant.ErrInvalidConfig)
		})
	}
}

// When Stash's answer names the checkout link, the poll keys the purchase
// on it, as the webhook and confirm routes do: polling another ID that
// Stash resolves to the same payment does not grant it again.
func TestPollKeysOnTheCheckoutStashNames(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"status":"PAYMENT_STATUS_SUCCEEDED","checkoutLinkId":"real-link","orderId":"ord-1","userId":"p1",` +
			`"currency":"USD","items":[{"id":"gems_100","quantity":1,"pricePerItem":"1.99"}]}`))
	}))
	t.Cleanup(srv.Close)
	client, err := stashpay.NewClient(stashpay.Credentials{ShopID: "shop", IngressKey: "k_0123456789abcdef"}, stashpay.WithBaseURL(srv.URL))
	require.NoError(t, err)
	rec := &recorder{}
	g, err := grant.New(dedup.NewMemoryStore(), rec.grant)
	require.NoError(t, err)
	for _, id := range []string{"ord-1", "REAL-LINK", "real-link"} {
		ok, err := g.Poll(t.Context(), client, id, "p1")
		require.NoError(t, err, id)
		assert.True(t, ok, id)
	}
	granted := rec.granted()
	require.Len(t, granted, 1, "one payment, granted once")
	assert.Equal(t, key("real-link"), granted[0].Key)
	assert.Equal(t, "real-link", granted[0].CheckoutLinkID)
}
