package main

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	stashpay "github.com/stashpay/stashpay-go"
	"github.com/stashpay/stashpay-go/events"
	"github.com/stashpay/stashpay-go/examples/internal/app"
	"github.com/stashpay/stashpay-go/examples/internal/inventory"
	"github.com/stashpay/stashpay-go/stashpaytest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// setup starts a fake Stash and this backend (for the test environment)
// wired to each other.
func setup(t *testing.T, opts ...stashpaytest.Option) (*stashpaytest.Server, *backend, *httptest.Server) {
	t.Helper()
	return setupIn(t, stashpay.Test, opts...)
}

// setupIn is setup with the backend configured for env.
func setupIn(t *testing.T, env stashpay.Environment, opts ...stashpaytest.Option) (*stashpaytest.Server, *backend, *httptest.Server) {
	t.Helper()
	fake := stashpaytest.Start(t, opts...)
	b, err := newBackend(config{
		Config:        app.Config{ShopID: fake.ShopID(), IngressKey: app.Secret(fake.IngressKey()), BaseURL: fake.URL(), Env: env},
		WebhookSecret: app.Secret(fake.WebhookSecret()),
	}, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	srv := httptest.NewServer(b)
	t.Cleanup(srv.Close)
	fake.SetWebhookURL(srv.URL + "/webhooks/stash")
	return fake, b, srv
}

func checkout(t *testing.T, srv *httptest.Server, player, sku string) (int, map[string]string) {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"playerId": player, "sku": sku})
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL+"/checkout", bytes.NewReader(body))
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var out map[string]string
	if resp.StatusCode == http.StatusOK {
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
	}
	return resp.StatusCode, out
}

func inventoryOf(t *testing.T, srv *httptest.Server, player string) []inventory.Item {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL+"/inventory?player="+player, nil)
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var out struct{ Items []inventory.Item }
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
	return out.Items
}

func TestWebhookFlowGrantsOnce(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		opts []stashpaytest.DeliveryOption
	}{
		{"single delivery", nil},
		{"three sequential duplicates", []stashpaytest.DeliveryOption{stashpaytest.Times(3)}},
		{"five concurrent duplicates", []stashpaytest.DeliveryOption{stashpaytest.Times(5), stashpaytest.Concurrently()}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fake, b, srv := setup(t)
			code, co := checkout(t, srv, "alice", "gems_100")
			require.Equal(t, http.StatusOK, code)
			assert.NotEmpty(t, co["url"])
			assert.Empty(t, inventoryOf(t, srv, "alice"), "nothing before payment")

			p, err := fake.Pay(t.Context(), co["checkoutId"], tc.opts...)
			require.NoError(t, err)
			require.NoError(t, p.Webhook.Wait(t.Context()))
			assert.Equal(t, []inventory.Item{{SKU: "gems_100", Quantity: 1}}, inventoryOf(t, srv, "alice"))
			assert.Equal(t, 1, b.inv.Grants())
		})
	}
}

func TestWebhookFlowRejectsForgery(t *testing.T) {
	t.Parallel()
	fake, b, srv := setup(t, stashpaytest.WithRetrySchedule())
	_, co := checkout(t, srv, "mallory", "gems_500")
	p, err := fake.Pay(t.Context(), co["checkoutId"])
	require.NoError(t, err)
	require.NoError(t, p.Webhook.Wait(t.Context()))

	// A replay of the genuine payload signed with a wrong secret, or not
	// signed, is refused with 401 and grants nothing more.
	for _, opt := range []stashpaytest.DeliveryOption{stashpaytest.SignedWith("guessed"), stashpaytest.Unsigned()} {
		d, err := fake.SendEvent(t.Context(), p.Webhook.Payload, opt)
		require.ErrorIs(t, err, stashpaytest.ErrNotDelivered)
		assert.Equal(t, http.StatusUnauthorized, d.Attempts()[0].StatusCode)
	}
	assert.Equal(t, int64(1), b.inv.Count("mallory", "gems_500"))
	assert.Equal(t, 1, b.inv.Grants())
}

func TestWebhookFlowForgeryAlone(t *testing.T) {
	t.Parallel()
	fake, b, _ := setup(t, stashpaytest.WithRetrySchedule())
	forged := []byte(`{"type":"PURCHASE_SUCCEEDED","environment":"test","purchaseSucceeded":{"orderId":"o1","userId":"mallory","items":[{"id":"gems_500","quantity":1000,"price":"0"}]}}`)
	d, err := fake.SendEvent(t.Context(), forged, stashpaytest.SignedWith("guessed"))
	require.ErrorIs(t, err, stashpaytest.ErrNotDelivered)
	assert.Equal(t, http.StatusUnauthorized, d.Attempts()[0].StatusCode)
	assert.Zero(t, b.inv.Grants())
}

func TestWebhookFlowRetriesAfterRotation(t *testing.T) {
	t.Parallel()
	// Stash rotated to a secret the backend does not know yet: every
	// attempt is refused and the purchase is not granted; after the fix the
	// redelivery grants it.
	fake, b, srv := setup(t, stashpaytest.WithRetrySchedule())
	old := fake.RotateWebhookSecret("new-secret")
	_, co := checkout(t, srv, "alice", "sword")
	p, err := fake.Pay(t.Context(), co["checkoutId"])
	require.NoError(t, err)
	require.ErrorIs(t, p.Webhook.Wait(t.Context()), stashpaytest.ErrNotDelivered)
	assert.Zero(t, b.inv.Grants())

	_, err = fake.SendEvent(t.Context(), p.Webhook.Payload, stashpaytest.SignedWith(old))
	require.NoError(t, err)
	assert.Equal(t, int64(1), b.inv.Count("alice", "sword"))
}

func TestWebhookFlowEnvironment(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		backend   stashpay.Environment
		fakeOpts  []stashpaytest.Option
		wantGrant int
	}{
		{"test backend, test event", stashpay.Test, nil, 1},
		{"production backend, production event", stashpay.Production, []stashpaytest.Option{stashpaytest.WithProductionEnvironment()}, 1},
		{"test backend ignores production event", stashpay.Test, []stashpaytest.Option{stashpaytest.WithProductionEnvironment()}, 0},
		{"production backend ignores test event", stashpay.Production, nil, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fake, b, srv := setupIn(t, tc.backend, tc.fakeOpts...)
			_, co := checkout(t, srv, "alice", "gems_100")
			p, err := fake.Pay(t.Context(), co["checkoutId"])
			require.NoError(t, err)
			require.NoError(t, p.Webhook.Wait(t.Context()), "acknowledged either way")
			assert.Equal(t, tc.wantGrant, b.inv.Grants())
		})
	}
}

func TestWebhookFlowOtherEvents(t *testing.T) {
	t.Parallel()
	fake, b, srv := setup(t)
	_, co := checkout(t, srv, "alice", "gems_100")
	// A refund that arrives before its purchase, then the purchase: out of
	// order, both acknowledged.
	fake.HoldDeliveries()
	_, err := fake.Pay(t.Context(), co["checkoutId"])
	require.NoError(t, err)
	_, err = fake.Refund(t.Context(), co["checkoutId"])
	require.NoError(t, err)
	require.NoError(t, fake.ReleaseDeliveries(t.Context(), stashpaytest.Reversed))
	assert.Equal(t, "PURCHASE_REFUNDED", fake.Deliveries()[1].Type)
	assert.Equal(t, 1, b.inv.Grants())

	_, err = fake.SendSubscriptionEvent(t.Context(), events.TypeSubscriptionCreated, stashpaytest.Subscription{ExternalAccountID: "alice"})
	require.NoError(t, err, "subscription events are acknowledged")
	_, err = fake.SendEvent(t.Context(), []byte(`{"type":"SOMETHING_NEW","somethingNew":{}}`))
	require.NoError(t, err, "unknown events are acknowledged")
}

func TestCheckoutErrors(t *testing.T) {
	t.Parallel()
	fake, _, srv := setup(t)
	code, _ := checkout(t, srv, "alice", "no-such-sku")
	assert.Equal(t, http.StatusBadRequest, code)
	code, _ = checkout(t, srv, "", "gems_100")
	assert.Equal(t, http.StatusBadRequest, code)

	fake.FailIngress(10, http.StatusServiceUnavailable, 0)
	b, err := newBackend(config{Config: app.Config{ShopID: fake.ShopID(), IngressKey: app.Secret(fake.IngressKey()), BaseURL: fake.URL()}, WebhookSecret: "x"},
		slog.New(slog.DiscardHandler), stashpay.WithMaxRetries(0))
	require.NoError(t, err)
	rec := httptest.NewRecorder()
	b.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/checkout", bytes.NewReader([]byte(`{"playerId":"a","sku":"sword"}`))))
	assert.Equal(t, http.StatusBadGateway, rec.Code)
	body, _ := io.ReadAll(rec.Body)
	assert.NotContains(t, string(body), fake.IngressKey())
}

func TestLoadConfig(t *testing.T) {
	t.Parallel()
	full := map[string]string{"STASH_SHOP_ID": "s", "STASH_INGRESS_KEY": "i", "STASH_WEBHOOK_SECRET": "w"}
	env := func(m map[string]string, extra ...string) func(string) string {
		return func(k string) string {
			for i := 0; i+1 < len(extra); i += 2 {
				if extra[i] == k {
					return extra[i+1]
				}
			}
			return m[k]
		}
	}
	cfg, err := loadConfig(env(full))
	require.NoError(t, err)
	assert.Equal(t, "localhost:8080", cfg.Addr)
	assert.Equal(t, "test", cfg.Env.String())

	cfg, err = loadConfig(env(full, "STASH_ENV", "production", "ADDR", "127.0.0.1:9999"))
	require.NoError(t, err)
	assert.Equal(t, "production", cfg.Env.String())
	assert.Equal(t, "127.0.0.1:9999", cfg.Addr)

	_, err = loadConfig(env(full, "STASH_ENV", "staging"))
	assert.Error(t, err)
	_, err = loadConfig(env(map[string]string{"STASH_SHOP_ID": "s"}))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "STASH_INGRESS_KEY")
	assert.Contains(t, err.Error(), "STASH_WEBHOOK_SECRET")
}
