package stashpay_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stashpay/stashpay-go"
)

func TestGetPaymentEvent(t *testing.T) {
	t.Parallel()
	body := string(readGolden(t, "ingress_payment_event.json"))
	c, f, _ := newFake(t, v1Creds(), []httpmock.Responder{jsonResponder(200, body)})

	ev, err := c.GetPaymentEvent(t.Context(), "4b1f0c2e-9a57-4e0b-9f7e-2f1c7c5d1a10")
	require.NoError(t, err)
	assert.Equal(t, stashpay.PaymentStatusUnspecified, ev.Status)
	assert.Equal(t, "USD", ev.Currency)
	assert.Equal(t, stashpay.Amount("4.30"), ev.Total)
	assert.Equal(t, stashpay.Amount("0.32"), ev.Tax)
	assert.Equal(t, time.Date(2025, 11, 23, 12, 0, 0, 0, time.UTC), ev.Time)
	assert.Equal(t, []stashpay.PaymentEventItem{{
		ID: "gems_100", PricePerItem: "1.99", Quantity: 2, Name: "100 gems", Description: "A pile of gems",
	}}, ev.Items)
	assert.Equal(t, []stashpay.PaymentEventBonusItem{{ID: "bonus_coin", Name: "Coin", Quantity: 5, Description: "Shiny"}}, ev.BonusItems)
	assert.JSONEq(t, body, string(ev.Raw))

	reqs := f.requests()
	require.Len(t, reqs, 1)
	r := reqs[0]
	assert.Equal(t, http.MethodGet, r.Method)
	assert.Equal(t, "/sdk/server/payment/4b1f0c2e-9a57-4e0b-9f7e-2f1c7c5d1a10", r.EscapedPath)
	assert.Empty(t, r.Body)
	assert.Empty(t, r.Header.Get("Content-Type"), "a GET has no body")
	verifyV1(t, r) // signed over the empty body
}

func TestGetPaymentEventEscapesID(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"a/b":       "/sdk/server/payment/a%2Fb",
		"a b?c#d":   "/sdk/server/payment/a%20b%3Fc%23d",
		"../admin":  "/sdk/server/payment/..%2Fadmin",
		"ord_123-x": "/sdk/server/payment/ord_123-x",
	}
	for id, want := range tests {
		t.Run(id, func(t *testing.T) {
			t.Parallel()
			c, f, _ := newFake(t, v1Creds(), []httpmock.Responder{jsonResponder(200, `{}`)})
			_, err := c.GetPaymentEvent(t.Context(), id)
			require.NoError(t, err)
			assert.Equal(t, want, f.requests()[0].EscapedPath)
		})
	}
}

func TestGetPaymentEventInvalidID(t *testing.T) {
	t.Parallel()
	for _, id := range []string{"", ".", "..", "p-\xff-1", "\xfe"} {
		c, f, _ := newFake(t, v1Creds(), []httpmock.Responder{jsonResponder(200, `{}`)})
		ev, err := c.GetPaymentEvent(t.Context(), id)
		require.ErrorIs(t, err, stashpay.ErrInvalidParams, "id %q", id)
		assert.Contains(t, err.Error(), "payment event ID")
		if id != "" {
			assert.NotContains(t, err.Error(), id, "the error never shows the value")
		}
		assert.Nil(t, ev)
		assert.Empty(t, f.requests(), "nothing is sent for %q", id)
		assert.Zero(t, f.mt.GetTotalCallCount(), "the transport is never called for %q", id)
	}
}

func TestGetPaymentEventDecoding(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		body string
		want func(t *testing.T, ev *stashpay.PaymentEvent)
	}{
		{"timeMillis as a number", `{"timeMillis":1763899200123}`, func(t *testing.T, ev *stashpay.PaymentEvent) {
			assert.Equal(t, int64(1763899200123), ev.Time.UnixMilli())
		}},
		{"timeMillis absent", `{"status":"PAYMENT_STATUS_UNSPECIFIED"}`, func(t *testing.T, ev *stashpay.PaymentEvent) {
			assert.True(t, ev.Time.IsZero())
			assert.Nil(t, ev.Items)
		}},
		{"timeMillis as a string", `{"timeMillis":"1763899200123"}`, func(t *testing.T, ev *stashpay.PaymentEvent) {
			assert.Equal(t, int64(1763899200123), ev.Time.UnixMilli())
		}},
		{"status as a number", `{"status":0}`, func(t *testing.T, ev *stashpay.PaymentEvent) {
			assert.Equal(t, stashpay.PaymentStatusUnspecified, ev.Status)
		}},
		{"unknown status number kept as digits", `{"status":7}`, func(t *testing.T, ev *stashpay.PaymentEvent) {
			assert.Equal(t, stashpay.PaymentStatus("7"), ev.Status)
		}},
		{"snake_case names", `{"time_millis":"5","bonus_items":[{"id":"b"}],"items":[{"price_per_item":"1.99"}]}`, func(t *testing.T, ev *stashpay.PaymentEvent) {
			assert.Equal(t, int64(5), ev.Time.UnixMilli())
			assert.Len(t, ev.BonusItems, 1)
			assert.Equal(t, stashpay.Amount("1.99"), ev.Items[0].PricePerItem)
		}},
		{"unknown status kept", `{"status":"PAYMENT_STATUS_SOMETHING_NEW"}`, func(t *testing.T, ev *stashpay.PaymentEvent) {
			assert.Equal(t, stashpay.PaymentStatus("PAYMENT_STATUS_SOMETHING_NEW"), ev.Status)
		}},
		{"unknown fields ignored", `{"status":"X","newThing":{"deep":[1,{"a":null}]},"items":[{"id":"i","extra":true,"quantity":"3"}]}`, func(t *testing.T, ev *stashpay.PaymentEvent) {
			require.Len(t, ev.Items, 1)
			assert.Equal(t, int64(3), ev.Items[0].Quantity, "a quantity as a string is accepted")
			assert.Contains(t, string(ev.Raw), "newThing")
		}},
		{"amounts as numbers keep their text", `{"total":12.50,"tax":0,"items":[{"pricePerItem":0.10}]}`, func(t *testing.T, ev *stashpay.PaymentEvent) {
			assert.Equal(t, stashpay.Amount("12.50"), ev.Total)
			assert.Equal(t, stashpay.Amount("0"), ev.Tax)
			assert.Equal(t, stashpay.Amount("0.10"), ev.Items[0].PricePerItem)
		}},
		{"identifiers when sent", `{"checkoutLinkId":"cl","orderId":"o","transactionId":"tx","userId":42}`, func(t *testing.T, ev *stashpay.PaymentEvent) {
			assert.Equal(t, "p", ev.ID, "the ID looked up by")
			assert.Equal(t, "cl", ev.CheckoutLinkID)
			assert.Equal(t, "o", ev.OrderID)
			assert.Equal(t, "tx", ev.TransactionID)
			assert.Equal(t, "42", ev.UserID, "a numeric user ID kept as its digits")
		}},
		{"nulls", `{"total":null,"timeMillis":null,"items":null,"bonusItems":[{"quantity":null}]}`, func(t *testing.T, ev *stashpay.PaymentEvent) {
			assert.Empty(t, ev.Total)
			assert.Equal(t, []stashpay.PaymentEventBonusItem{{}}, ev.BonusItems)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, _, _ := newFake(t, v1Creds(), []httpmock.Responder{jsonResponder(200, tt.body)})
			ev, err := c.GetPaymentEvent(t.Context(), "p")
			require.NoError(t, err)
			tt.want(t, ev)
		})
	}
}

func TestGetPaymentEventMalformed(t *testing.T) {
	t.Parallel()
	for _, body := range []string{`not json`, `[]`, `{"timeMillis":"12x"}`, `{"timeMillis":1.5}`, `{"total":true}`, `{"items":{}}`,
		`{"timeMillis":""}`, "{\"currency\":\"\xff\"}", `{"items":[{"id":"\ud800"}]}`} {
		c, _, _ := newFake(t, v1Creds(), []httpmock.Responder{jsonResponder(200, body)})
		_, err := c.GetPaymentEvent(t.Context(), "p")
		assert.ErrorIs(t, err, stashpay.ErrMalformedResponse, body)
	}
}

func TestGetPaymentEventNotFound(t *testing.T) {
	t.Parallel()
	c, f, _ := newFake(t, v1Creds(), []httpmock.Responder{
		jsonResponder(404, string(readGolden(t, "ingress_error_not_found.json")), "X-Request-Id", "req-123"),
	})
	_, err := c.GetPaymentEvent(t.Context(), "missing")
	require.ErrorIs(t, err, stashpay.ErrNotFound)
	var apiErr *stashpay.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 404, apiErr.StatusCode)
	assert.Equal(t, 5, apiErr.Code)
	assert.Equal(t, "payment event not found", apiErr.Message)
	assert.Equal(t, "req-123", apiErr.RequestID)
	assert.Equal(t, "GET", apiErr.Method)
	assert.Equal(t, "/sdk/server/payment/missing", apiErr.Path)
	require.Len(t, apiErr.Details, 1)
	assert.Contains(t, string(apiErr.Details[0]), "PAYMENT_NOT_FOUND")
	assert.Len(t, f.requests(), 1, "a 404 is not retried")
}

func TestPaymentStatusPaid(t *testing.T) {
	t.Parallel()
	tests := []struct {
		status      stashpay.PaymentStatus
		known, paid bool
	}{
		{stashpay.PaymentStatusSucceeded, true, true},
		{stashpay.PaymentStatusCaptureSucceeded, true, true},
		{stashpay.PaymentStatusUnspecified, true, false},
		{stashpay.PaymentStatusPending, true, false},
		{stashpay.PaymentStatusFailed, true, false},
		{stashpay.PaymentStatusRefunded, true, false},
		{stashpay.PaymentStatusAuthorizationSucceeded, true, false},
		{stashpay.PaymentStatusAuthorizationFailed, true, false},
		{stashpay.PaymentStatusCaptureFailed, true, false},
		{"PAYMENT_STATUS_SETTLED", false, false},
		{"payment_status_succeeded", false, false},
		{"7", false, false},
		{"", false, false},
	}
	for _, tt := range tests {
		t.Run(string(tt.status), func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.known, tt.status.Known(), "Known")
			assert.Equal(t, tt.paid, tt.status.Paid(), "Paid")
		})
	}
}

func TestGetPaymentEventLogsUnknownStatus(t *testing.T) {
	t.Parallel()
	tests := []struct {
		body   string
		logged bool
	}{
		{`{"status":"PAYMENT_STATUS_SETTLED"}`, true},
		{`{"status":9}`, true},
		{`{}`, true}, // no status at all is not a status the SDK knows
		{`{"status":"PAYMENT_STATUS_SUCCEEDED"}`, false},
		{`{"status":"PAYMENT_STATUS_UNSPECIFIED"}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.body, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			logger := slog.New(slog.NewTextHandler(&buf, nil))
			c, _, _ := newFake(t, v1Creds(), []httpmock.Responder{jsonResponder(200, tt.body)}, stashpay.WithLogger(logger))
			ev, err := c.GetPaymentEvent(t.Context(), "checkout-77")
			require.NoError(t, err)
			if !tt.logged {
				assert.NotContains(t, buf.String(), "unknown")
				return
			}
			assert.False(t, ev.Status.Paid(), "an unknown status is never paid")
			assert.Contains(t, buf.String(), "level=WARN")
			assert.Contains(t, buf.String(), "status="+string(ev.Status))
			assert.Contains(t, buf.String(), "checkout_id=checkout-77")
		})
	}
}

// An unknown status is network text: before it reaches a log line or an
// error it is cut short and loses control characters and the client's keys
// (a proxy that echoes the request's headers into the body).
func TestGetPaymentEventUnknownStatusIsSafeToLog(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, status, want string
	}{
		{"echoed key", testAPIKey, `"[redacted]"`},
		{"control characters", "PAYMENT_STATUS_NEW\nlevel=ERROR", "PAYMENT_STATUS_NEW\nlevel=ERROR"},
		{"long", strings.Repeat("X", 4096), `"` + strings.Repeat("X", 128) + `..."`},
		// Nothing may turn an unknown status into a known one.
		{"padded paid status", "PAYMENT_STATUS_SUCCEEDED ", "PAYMENT_STATUS_SUCCEEDED "},
		{"paid status and a newline", "PAYMENT_STATUS_SUCCEEDED\n", "PAYMENT_STATUS_SUCCEEDED\n"},
		{"paid status and a key", "PAYMENT_STATUS_SUCCEEDED" + testAPIKey, `"PAYMENT_STATUS_SUCCEEDED[redacted]"`},
		{"long paid status", "PAYMENT_STATUS_SUCCEEDED" + strings.Repeat(" ", 200), `"PAYMENT_STATUS_SUCCEEDED` + strings.Repeat(" ", 104) + `..."`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			logger := slog.New(slog.NewTextHandler(&buf, nil))
			body, err := json.Marshal(map[string]string{"status": tt.status})
			require.NoError(t, err)
			c, _, _ := newFake(t, stashpay.Credentials{APIKey: testAPIKey}, []httpmock.Responder{jsonResponder(200, string(body))}, stashpay.WithLogger(logger))
			ev, err := c.GetPaymentEvent(t.Context(), "checkout-78")
			require.NoError(t, err)
			assert.Equal(t, stashpay.PaymentStatus(tt.want), ev.Status)
			assert.False(t, ev.Status.Known())
			assert.False(t, ev.Status.Paid())
			assert.NotContains(t, buf.String(), testAPIKey)
			assert.Less(t, buf.Len(), 512)
		})
	}
}
