package stashpaytest_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	stashpay "github.com/stashpay/stashpay-go"

	"github.com/stashpay/stashpay-go/events"
	"github.com/stashpay/stashpay-go/internal/signing"
	"github.com/stashpay/stashpay-go/stashpaytest"
	"github.com/stashpay/stashpay-go/webhook"
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

// sdkGame is a game backend built from the SDK's own handlers, to check that
// what the fake sends is what the SDK accepts.
type sdkGame struct {
	mu         sync.Mutex
	registered []*stashpay.RegisterPaymentRequest
	confirmed  []*stashpay.ConfirmPaymentRequest
	cancelled  []*stashpay.CancelPaymentRequest
	events     []events.Event
	refuse     bool
}

func startSDKGame(t *testing.T, fake func() *stashpaytest.Server) (*sdkGame, *httptest.Server) {
	t.Helper()
	g := &sdkGame{}
	mux := http.NewServeMux()
	var once sync.Once
	var h http.Handler
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		once.Do(func() {
			s := fake()
			v, err := webhook.NewVerifier(s.WebhookSecret())
			require.NoError(t, err)
			m := http.NewServeMux()
			m.Handle("/api/v1/purchase/", stashpay.PurchaseHandler(s.EgressConfig(), stashpay.PurchaseFuncs{
				Register: func(_ context.Context, req *stashpay.RegisterPaymentRequest) (*stashpay.RegisterPaymentResponse, error) {
					g.mu.Lock()
					defer g.mu.Unlock()
					g.registered = append(g.registered, req)
					return nil, nil
				},
				Confirm: func(_ context.Context, req *stashpay.ConfirmPaymentRequest) (*stashpay.ConfirmPaymentResponse, error) {
					g.mu.Lock()
					defer g.mu.Unlock()
					if g.refuse {
						return nil, stashpay.RejectPurchase("sold out")
					}
					g.confirmed = append(g.confirmed, req)
					return nil, nil
				},
				Cancel: func(_ context.Context, req *stashpay.CancelPaymentRequest) (*stashpay.CancelPaymentResponse, error) {
					g.mu.Lock()
					defer g.mu.Unlock()
					g.cancelled = append(g.cancelled, req)
					return nil, nil
				},
			}))
			m.Handle("/webhook", webhook.NewHandler(v, func(_ context.Context, e events.Event) error {
				g.mu.Lock()
				defer g.mu.Unlock()
				g.events = append(g.events, e)
				return nil
			}))
			h = m
		})
		h.ServeHTTP(w, r)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return g, srv
}

func TestAgainstSDKHandlers(t *testing.T) {
	t.Parallel()
	var s *stashpaytest.Server
	g, srv := startSDKGame(t, func() *stashpaytest.Server { return s })
	at := time.Now().Truncate(time.Millisecond)
	s = stashpaytest.Start(t, stashpaytest.WithEgressBaseURL(srv.URL), stashpaytest.WithWebhookURL(srv.URL+"/webhook"),
		stashpaytest.WithTax(500), stashpaytest.WithClock(func() time.Time { return at }))
	client, err := s.NewClient()
	require.NoError(t, err)
	co, err := client.CreateCheckout(t.Context(), &stashpay.CheckoutParams{
		Item:       &stashpay.CheckoutItem{ID: "gems", PricePerItem: "9.99", Quantity: 2},
		BonusItems: []stashpay.BonusItem{{ID: "badge", Quantity: 1}},
		User:       stashpay.CheckoutUser{ID: "p1", ValidatedEmail: "p1@example.com"},
	})
	require.NoError(t, err)

	p, err := s.Pay(t.Context(), co.ID, stashpaytest.Times(3), stashpaytest.Concurrently())
	require.NoError(t, err)
	require.NoError(t, p.Webhook.Wait(t.Context()))

	g.mu.Lock()
	defer g.mu.Unlock()
	require.Len(t, g.registered, 1)
	require.Len(t, g.confirmed, 1)
	c := g.confirmed[0]
	assert.Equal(t, "p1", c.PlayerID)
	assert.Equal(t, co.TransactionID, c.TransactionID)
	assert.Equal(t, co.ID, c.CheckoutLinkID)
	assert.Equal(t, s.ShopID(), c.ShopID)
	assert.Equal(t, stashpay.PaymentEnvironmentTest, c.Environment)
	assert.Equal(t, int64(1998), c.Items[0].Cents*c.Items[0].Quantity)
	assert.Equal(t, int64(100), c.Tax)
	assert.Equal(t, int64(2098), c.Total)
	assert.Equal(t, "p1@example.com", c.UserEmail)
	assert.Equal(t, []stashpay.ConfirmBonusItem{{ID: "badge", Quantity: 1}}, c.BonusItems)
	assert.True(t, at.Equal(c.Time), "stamped with the fake's clock")
	assert.Equal(t, g.registered[0].Registrations[0].GUID, c.Items[0].GUID)
	require.Len(t, g.events, 1, "three concurrent copies, one event handled")
	ps, ok := g.events[0].(*events.PurchaseSucceeded)
	require.True(t, ok)
	assert.Equal(t, p.OrderID, ps.OrderID)
	for _, a := range p.Webhook.Attempts() {
		assert.Contains(t, []int{200, 409}, a.StatusCode, "duplicates are acknowledged or told to retry")
	}
}

func TestAgainstSDKHandlersRefusal(t *testing.T) {
	t.Parallel()
	var s *stashpaytest.Server
	g, srv := startSDKGame(t, func() *stashpaytest.Server { return s })
	g.refuse = true
	s = stashpaytest.Start(t, stashpaytest.WithEgressBaseURL(srv.URL), stashpaytest.WithWebhookURL(srv.URL+"/webhook"))
	id := createCheckout(t, s, gemsCheckout)
	p, err := s.Pay(t.Context(), id)
	require.ErrorIs(t, err, stashpaytest.ErrConfirmRefused)
	assert.Equal(t, http.StatusUnprocessableEntity, p.Confirm.StatusCode)
	assert.Nil(t, p.Webhook)

	id = createCheckout(t, s, gemsCheckout)
	_, err = s.Decline(t.Context(), id)
	require.NoError(t, err)
	g.mu.Lock()
	defer g.mu.Unlock()
	require.Len(t, g.cancelled, 1)
	assert.Equal(t, "player-1", g.cancelled[0].PlayerID)
	assert.Empty(t, g.events)
}

func TestWrongEgressKeyRejectedBySDK(t *testing.T) {
	t.Parallel()
	// The game is configured with another key than the fake signs with.
	gameView := stashpaytest.Start(t, stashpaytest.WithEgressKey("game-thinks-this"))
	_, srv := startSDKGame(t, func() *stashpaytest.Server { return gameView })
	s := stashpaytest.Start(t, stashpaytest.WithEgressBaseURL(srv.URL))
	p, err := s.Pay(t.Context(), createCheckout(t, s, gemsCheckout))
	require.ErrorIs(t, err, stashpaytest.ErrRegisterRefused)
	assert.Equal(t, http.StatusUnauthorized, p.Register.StatusCode)
}

// swagger.v1.json, v1RegisterPaymentRequest and v1ConfirmPaymentRequest
// .loyalty: the player's loyalty state, "Present only for shops with an
// active loyalty campaign."
func TestPaySendsLoyaltyOnlyWithAnActiveCampaign(t *testing.T) {
	t.Parallel()
	for _, campaign := range []bool{true, false} {
		t.Run("campaign "+strconv.FormatBool(campaign), func(t *testing.T) {
			t.Parallel()
			var s *stashpaytest.Server
			g, srv := startSDKGame(t, func() *stashpaytest.Server { return s })
			s = stashpaytest.Start(t, stashpaytest.WithEgressBaseURL(srv.URL), stashpaytest.WithWebhookURL(srv.URL+"/webhook"))
			if campaign {
				s.SetLoyalty(&stashpay.LoyaltyCampaign{CampaignID: "season-3"})
				s.SetPlayerLoyalty("player-1", stashpay.PlayerLoyaltyState{CampaignID: "season-3", TotalPoints: 10})
			}
			_, err := s.Pay(t.Context(), createCheckout(t, s, gemsCheckout))
			require.NoError(t, err)
			g.mu.Lock()
			defer g.mu.Unlock()
			require.Len(t, g.registered, 1)
			require.Len(t, g.confirmed, 1)
			if !campaign {
				assert.Nil(t, g.registered[0].Loyalty)
				assert.Nil(t, g.confirmed[0].Loyalty)
				return
			}
			require.NotNil(t, g.registered[0].Loyalty, "register of a shop with an active campaign carries loyalty")
			require.NotNil(t, g.confirmed[0].Loyalty, "confirm of a shop with an active campaign carries loyalty")
			assert.Equal(t, "season-3", g.confirmed[0].Loyalty.CampaignID)
			assert.Equal(t, int64(10), g.confirmed[0].Loyalty.TotalPoints)
		})
	}
}
