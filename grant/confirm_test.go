package grant_test

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	stashpay "github.com/stashpay/stashpay-go"
	"github.com/stashpay/stashpay-go/grant/granttest"
	"github.com/stashpay/stashpay-go/stashpaytest"
)

func TestPurchaseHandlerConfirmCheck(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		check     stashpay.ConfirmPaymentFunc
		wantCode  int
		wantGrant int
	}{
		{"no check", nil, http.StatusOK, 1},
		{"check passes", func(context.Context, *stashpay.ConfirmPaymentRequest) (*stashpay.ConfirmPaymentResponse, error) {
			return nil, nil
		}, http.StatusOK, 1},
		{"check refuses: sold out", func(context.Context, *stashpay.ConfirmPaymentRequest) (*stashpay.ConfirmPaymentResponse, error) {
			return nil, stashpay.RejectPurchase("sold out")
		}, http.StatusUnprocessableEntity, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := &recorder{}
			e := newEnv(t, rec, nil)
			e.serveGame(t, tt.check)
			e.fake.SetWebhookURL("")
			p, err := e.fake.Pay(t.Context(), e.checkout(t, "p1"))
			if tt.wantCode != http.StatusOK {
				require.ErrorIs(t, err, stashpaytest.ErrConfirmRefused)
			} else {
				require.NoError(t, err)
			}
			assert.Equal(t, tt.wantCode, p.Confirm.StatusCode)
			assert.Len(t, rec.granted(), tt.wantGrant)
		})
	}
}

// TestPurchaseHandlerFnFailingThenSucceeding: a failed grant answers 500
// (Stash fails that confirm) and leaves the purchase to the next call.
func TestPurchaseHandlerFnFailingThenSucceeding(t *testing.T) {
	t.Parallel()
	rec := &recorder{failures: 1}
	e := newEnv(t, rec, nil)
	var checks atomic.Int32
	e.serveGame(t, func(context.Context, *stashpay.ConfirmPaymentRequest) (*stashpay.ConfirmPaymentResponse, error) {
		checks.Add(1)
		return nil, nil
	})
	e.fake.SetWebhookURL("")
	e.fake.SetEgressBaseURL("")
	id := e.checkout(t, "p1")
	_, err := e.fake.Pay(t.Context(), id)
	require.NoError(t, err)
	c, _ := e.fake.Checkout(id)
	url := gameURL(t, e)
	for _, want := range []int{http.StatusInternalServerError, http.StatusOK, http.StatusOK} {
		req, err := granttest.ConfirmRequest(t.Context(), e.fake, url, c)
		require.NoError(t, err)
		code, err := granttest.Do(req)
		require.NoError(t, err)
		assert.Equal(t, want, code)
	}
	assert.Equal(t, 2, rec.callCount(), "fn ran again after failing, then not for the duplicate")
	assert.Len(t, rec.granted(), 1)
	assert.Equal(t, int32(2), checks.Load(), "the check runs before each grant attempt")
}
