package stashpaytest_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	stashpay "github.com/stashpay/stashpay-go"
	"github.com/stashpay/stashpay-go/events"
	"github.com/stashpay/stashpay-go/stashpaytest"
	"github.com/stashpay/stashpay-go/webhook"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

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
