package stashpaytest_test

import (
	"encoding/json"
	stashpay "github.com/stashpay/stashpay-go"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stashpay/stashpay-go/internal/signing"
	"github.com/stashpay/stashpay-go/stashpaytest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// game answers egress calls: register and cancel succeed; confirm answers
// confirmStatus (200 with results when 200).
func game(confirmStatus int) func(int, *http.Request, []byte) (int, string) {
	return func(_ int, r *http.Request, _ []byte) (int, string) {
		switch r.URL.Path {
		case "/api/v1/purchase/register":
			return 200, `{"statuses":[{"productId":"gems_100","status":"PURCHASE_REGISTRATION_STATUS_SUCCESS_REGISTERED"}]}`
		case "/api/v1/purchase/confirm":
			if confirmStatus != 200 {
				return confirmStatus, `{"error":"no"}`
			}
			return 200, `{"results":[{"productId":"gems_100"}]}`
		case "/api/v1/purchase/cancel":
			return 200, `{"status":"PURCHASE_CANCELLATION_STATUS_SUCCESS_CANCELLED"}`
		default:
			return 200, `{}`
		}
	}
}

func TestPayFullFlow(t *testing.T) {
	t.Parallel()
	at := time.Now().Truncate(time.Millisecond)
	egress, egressURL := startRecorder(t, game(200))
	hooks, hookURL := startRecorder(t, nil)
	s := stashpaytest.Start(t,
		stashpaytest.WithShopID("shop-1"), stashpaytest.WithEgressKey("egress-k"), stashpaytest.WithWebhookSecret("hook-k"),
		stashpaytest.WithEgressBaseURL(egressURL), stashpaytest.WithWebhookURL(hookURL),
		stashpaytest.WithClock(func() time.Time { return at }),
	)
	id := createCheckout(t, s, `{"item":{"id":"gems_100","pricePerItem":"1.99","quantity":2},"user":{"id":"player-1","validatedEmail":"p@x.io","platform":"IOS"},
		"bonusItems":[{"id":"badge","quantity":1}],"transactionId":"tx-42","regionCode":"US"}`)

	p, err := s.Pay(t.Context(), id)
	require.NoError(t, err)
	require.NoError(t, p.Webhook.Wait(t.Context()))
	assert.Equal(t, stashpay.PaymentStatusSucceeded, p.Status)
	assert.Equal(t, "tx-42", p.TransactionID)
	assert.Len(t, p.OrderID, 27)
	require.NotNil(t, p.Register)
	require.NotNil(t, p.Confirm)
	assert.Nil(t, p.Cancel)

	// Egress: register then confirm, each signed v1 with the egress key.
	reqs := egress.requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, "/api/v1/purchase/register", reqs[0].Path)
	assert.Equal(t, "/api/v1/purchase/confirm", reqs[1].Path)
	key, err := signing.NewKey([]byte("egress-k"))
	require.NoError(t, err)
	for _, rq := range reqs {
		assert.Equal(t, "application/json", rq.Header.Get("Content-Type"))
		assert.Empty(t, rq.Header.Get("Stash-Hmac-Signature"), "no legacy header unless asked")
		h, err := key.VerifyV1(rq.Header.Get("X-Stash-Hmac-Signature"), rq.Body, "shop-1", at, signing.DefaultTolerance)
		require.NoError(t, err, rq.Path)
		assert.Equal(t, at.UnixMilli(), h.Millis)
	}
	var reg map[string]any
	require.NoError(t, json.Unmarshal(reqs[0].Body, &reg))
	regs := reg["registrations"].([]any)
	require.Len(t, regs, 1)
	guid := regs[0].(map[string]any)["guid"].(string)
	assert.JSONEq(t, `{"playerId":"player-1","transactionId":"tx-42","checkoutLinkId":"`+id+`","shopId":"shop-1",
		"environment":"PAYMENT_ENVIRONMENT_TEST","currency":"USD","decimalPlaces":2,
		"registrations":[{"guid":"`+guid+`","productId":"gems_100","quantity":2,"cents":199,"metadata":{}}],
		"platform":"PURCHASE_PLATFORM_IOS","source":"PURCHASE_SOURCE_DIRECT","region":"US","ipAddress":"127.0.0.1",
		"browser":"stashpaytest","deviceId":"stashpaytest-device"}`, string(reqs[0].Body))
	assert.JSONEq(t, `{"playerId":"player-1","transactionId":"tx-42","checkoutLinkId":"`+id+`","shopId":"shop-1",
		"environment":"PAYMENT_ENVIRONMENT_TEST","currency":"USD","decimalPlaces":2,"tax":0,"total":398,
		"timeMillis":"`+strconv.FormatInt(at.UnixMilli(), 10)+`",
		"items":[{"guid":"`+guid+`","productId":"gems_100","quantity":2,"cents":199,"metadata":{}}],
		"paymentMethodType":"PAYMENT_METHOD_TYPE_CARD","userEmail":"p@x.io","emailMarketingOptIn":false,
		"bonusItems":[{"id":"badge","quantity":1}],
		"platform":"PURCHASE_PLATFORM_IOS","source":"PURCHASE_SOURCE_DIRECT","region":"US","ipAddress":"127.0.0.1",
		"browser":"stashpaytest","deviceId":"stashpaytest-device"}`, string(reqs[1].Body))

	// Webhook: one PURCHASE_SUCCEEDED, signed with the webhook secret.
	hs := hooks.requests()
	require.Len(t, hs, 1)
	require.NoError(t, verifyWebhook(t, "hook-k", hs[0]))
	assert.Equal(t, "0", hs[0].Header.Get("Stash-Retry-Count"))
	assert.JSONEq(t, `{"type":"PURCHASE_SUCCEEDED","environment":"test","purchaseSucceeded":{
		"timeMillis":`+strconv.FormatInt(at.UnixMilli(), 10)+`,"orderId":"`+p.OrderID+`","checkoutLinkId":"`+id+`",
		"shopId":"shop-1","currency":"USD","userId":"player-1",
		"items":[{"id":"gems_100","quantity":2,"price":"1.99"}],"tax":"0.00","total":"3.98",
		"taxDetails":{"items":[]},"emailMarketingOptIn":false,"regionCode":"US","source":"StashPay","ipAddress":"127.0.0.1"}}`,
		string(hs[0].Body))

	// GetPaymentEvent now reports the payment completed, by checkout or order ID.
	for _, lookup := range []string{id, p.OrderID} {
		code, out := call(t, s, http.MethodGet, paymentPath+lookup, nil, validV1(s))
		require.Equal(t, 200, code, string(out))
		assert.Contains(t, string(out), `"status":"PAYMENT_STATUS_SUCCEEDED"`)
	}
	c, _ := s.Checkout(id)
	assert.Equal(t, p.OrderID, c.OrderID)
	assert.Equal(t, at, c.PaidAt)

	// A checkout is paid once.
	_, err = s.Pay(t.Context(), id)
	assert.ErrorIs(t, err, stashpaytest.ErrNotPending)
	_, err = s.Pay(t.Context(), "no-such-checkout")
	assert.ErrorIs(t, err, stashpaytest.ErrUnknownCheckout)
}

func TestPayGameRefuses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		answer   func(int, *http.Request, []byte) (int, string)
		wantErr  error
		wantCfrm bool // confirm was called
	}{
		{"confirm 409", game(409), stashpaytest.ErrConfirmRefused, true},
		{"confirm 500", game(500), stashpaytest.ErrConfirmRefused, true},
		{"confirm 302", game(302), stashpaytest.ErrConfirmRefused, true},
		{"confirm 200 without results", overrideConfirm(200, `{}`), stashpaytest.ErrConfirmRefused, true},
		{"confirm 204", overrideConfirm(204, ``), stashpaytest.ErrConfirmRefused, true},
		{"register FAILED_INSUFFICIENT_INVENTORY", overrideRegister(200, `{"statuses":[{"productId":"gems_100","status":"PURCHASE_REGISTRATION_STATUS_FAILED_INSUFFICIENT_INVENTORY"}]}`), stashpaytest.ErrRegisterRefused, false},
		{"register status as number 3", overrideRegister(200, `{"statuses":[{"productId":"gems_100","status":3}]}`), stashpaytest.ErrRegisterRefused, false},
		{"register 500", overrideRegister(500, `{}`), stashpaytest.ErrRegisterRefused, false},
		{"register no statuses", overrideRegister(200, `{"statuses":[]}`), stashpaytest.ErrRegisterRefused, false},
		// OpenAPI ConfirmPaymentResult and OfferStatus: "providing this OR
		// product_id is required"; a guid is a UUID.
		{"confirm result naming no item", overrideConfirm(200, `{"results":[{}]}`), stashpaytest.ErrConfirmRefused, true},
		{"confirm result guid not a UUID", overrideConfirm(200, `{"results":[{"guid":"not-a-uuid"}]}`), stashpaytest.ErrConfirmRefused, true},
		{"register status naming no item", overrideRegister(200, `{"statuses":[{"status":"PURCHASE_REGISTRATION_STATUS_SUCCESS_REGISTERED"}]}`), stashpaytest.ErrRegisterRefused, false},
		// Stash's protobuf parser refuses a number for a string member.
		{"confirm productId as a number", overrideConfirm(200, `{"results":[{"productId":100}]}`), stashpaytest.ErrConfirmRefused, true},
		{"register productId as a number", overrideRegister(200, `{"statuses":[{"productId":100,"status":"PURCHASE_REGISTRATION_STATUS_SUCCESS_REGISTERED"}]}`), stashpaytest.ErrRegisterRefused, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			egress, egressURL := startRecorder(t, tc.answer)
			hooks, hookURL := startRecorder(t, nil)
			s := stashpaytest.Start(t, stashpaytest.WithEgressBaseURL(egressURL), stashpaytest.WithWebhookURL(hookURL))
			id := createCheckout(t, s, gemsCheckout)
			p, err := s.Pay(t.Context(), id)
			require.ErrorIs(t, err, tc.wantErr)
			require.NotNil(t, p)
			assert.Equal(t, stashpay.PaymentStatusFailed, p.Status)
			assert.Empty(t, p.OrderID)
			assert.Nil(t, p.Webhook)
			assert.Equal(t, tc.wantCfrm, p.Confirm != nil)
			wantCalls := 1
			if tc.wantCfrm {
				wantCalls = 2
			}
			assert.Len(t, egress.requests(), wantCalls)
			require.NoError(t, s.WaitDeliveries(t.Context()))
			assert.Empty(t, hooks.requests(), "a failed purchase sends no webhook")
			code, out := call(t, s, http.MethodGet, paymentPath+id, nil, validV1(s))
			require.Equal(t, 200, code)
			assert.Contains(t, string(out), `"status":"PAYMENT_STATUS_FAILED"`)
		})
	}
}

func overrideConfirm(code int, body string) func(int, *http.Request, []byte) (int, string) {
	return func(n int, r *http.Request, b []byte) (int, string) {
		if r.URL.Path == "/api/v1/purchase/confirm" {
			return code, body
		}
		return game(200)(n, r, b)
	}
}

func overrideRegister(code int, body string) func(int, *http.Request, []byte) (int, string) {
	return func(n int, r *http.Request, b []byte) (int, string) {
		if r.URL.Path == "/api/v1/purchase/register" {
			return code, body
		}
		return game(200)(n, r, b)
	}
}

func TestPayWithoutEgress(t *testing.T) {
	t.Parallel()
	hooks, hookURL := startRecorder(t, nil)
	s := stashpaytest.Start(t, stashpaytest.WithWebhookURL(hookURL))
	id := createCheckout(t, s, gemsCheckout)
	p, err := s.Pay(t.Context(), id)
	require.NoError(t, err)
	assert.Nil(t, p.Register)
	assert.Nil(t, p.Confirm)
	require.NoError(t, s.WaitDeliveries(t.Context()))
	assert.Len(t, hooks.requests(), 1)
}

func TestPayWithoutWebhook(t *testing.T) {
	t.Parallel()
	s := stashpaytest.Start(t)
	id := createCheckout(t, s, gemsCheckout)
	p, err := s.Pay(t.Context(), id)
	require.NoError(t, err)
	assert.Nil(t, p.Webhook)
	assert.Equal(t, stashpay.PaymentStatusSucceeded, p.Status)
	_, err = s.SendEvent(t.Context(), []byte(`{}`))
	assert.ErrorIs(t, err, stashpaytest.ErrNoWebhookURL)
}

func TestPayConcurrentOnce(t *testing.T) {
	t.Parallel()
	egress, egressURL := startRecorder(t, game(200))
	s := stashpaytest.Start(t, stashpaytest.WithEgressBaseURL(egressURL))
	id := createCheckout(t, s, gemsCheckout)
	var wg sync.WaitGroup
	var mu sync.Mutex
	paid := 0
	for range 8 {
		wg.Go(func() {
			if _, err := s.Pay(t.Context(), id); err == nil {
				mu.Lock()
				paid++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	assert.Equal(t, 1, paid)
	assert.Len(t, egress.requests(), 2)
}

func TestPayLegacyEgressSignature(t *testing.T) {
	t.Parallel()
	egress, egressURL := startRecorder(t, game(200))
	s := stashpaytest.Start(t, stashpaytest.WithEgressBaseURL(egressURL), stashpaytest.WithLegacyEgressSignature())
	_, err := s.Pay(t.Context(), createCheckout(t, s, gemsCheckout))
	require.NoError(t, err)
	key, err := signing.NewKey([]byte(s.EgressKey()))
	require.NoError(t, err)
	for _, rq := range egress.requests() {
		assert.NoError(t, key.VerifyBody(rq.Body, rq.Header.Get("Stash-Hmac-Signature")))
		assert.NotEmpty(t, rq.Header.Get("X-Stash-Hmac-Signature"))
	}
}

func TestDecline(t *testing.T) {
	t.Parallel()
	egress, egressURL := startRecorder(t, game(200))
	hooks, hookURL := startRecorder(t, nil)
	s := stashpaytest.Start(t, stashpaytest.WithEgressBaseURL(egressURL), stashpaytest.WithWebhookURL(hookURL))
	id := createCheckout(t, s, gemsCheckout)
	p, err := s.Decline(t.Context(), id)
	require.NoError(t, err)
	assert.Equal(t, stashpay.PaymentStatusFailed, p.Status)
	require.NotNil(t, p.Cancel)
	reqs := egress.requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, "/api/v1/purchase/register", reqs[0].Path)
	assert.Equal(t, "/api/v1/purchase/cancel", reqs[1].Path)
	var reg, cancel struct {
		TransactionID string `json:"transactionId"`
		Registrations []struct{ GUID string }
		Items         []struct{ GUID string }
	}
	require.NoError(t, json.Unmarshal(reqs[0].Body, &reg))
	require.NoError(t, json.Unmarshal(reqs[1].Body, &cancel))
	assert.Equal(t, reg.TransactionID, cancel.TransactionID)
	assert.Equal(t, reg.Registrations[0].GUID, cancel.Items[0].GUID, "cancel names the registered items")
	assert.Empty(t, hooks.requests())
	_, err = s.Pay(t.Context(), id)
	assert.ErrorIs(t, err, stashpaytest.ErrNotPending)
}

// A confirm answered with a redirect fails the purchase, as Stash counts a
// 3xx as failed ("Expects HTTP error status (3xx, 4xx, 5xx) codes for failed
// purchases"); the fake does not follow it to a game that would grant.
func TestPayDoesNotFollowRedirects(t *testing.T) {
	t.Parallel()
	target, targetURL := startRecorder(t, game(200))
	mux := http.NewServeMux()
	mux.HandleFunc("/api/v1/purchase/register", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte(`{"statuses":[{"productId":"gems_100","status":"PURCHASE_REGISTRATION_STATUS_SUCCESS_REGISTERED"}]}`))
	})
	mux.Handle("/api/v1/purchase/confirm", http.RedirectHandler(targetURL+"/api/v1/purchase/confirm", http.StatusTemporaryRedirect))
	redirect := httptest.NewServer(mux)
	t.Cleanup(redirect.Close)
	s := stashpaytest.Start(t, stashpaytest.WithEgressBaseURL(redirect.URL))
	p, err := s.Pay(t.Context(), createCheckout(t, s, gemsCheckout))
	require.ErrorIs(t, err, stashpaytest.ErrConfirmRefused)
	assert.Equal(t, stashpay.PaymentStatusFailed, p.Status)
	assert.Equal(t, http.StatusTemporaryRedirect, p.Confirm.StatusCode)
	assert.Empty(t, target.requests(), "the redirect was followed")
}
