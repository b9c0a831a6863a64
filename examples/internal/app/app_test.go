package app_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	stashpay "github.com/stashpay/stashpay-go"
	"github.com/stashpay/stashpay-go/examples/internal/app"
	"github.com/stashpay/stashpay-go/examples/internal/inventory"
	"github.com/stashpay/stashpay-go/stashpaytest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestLoadConfig(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		vars    map[string]string
		want    app.Config
		wantErr []string
	}{
		{"defaults", map[string]string{"STASH_SHOP_ID": "s", "STASH_INGRESS_KEY": "k"},
			app.Config{ShopID: "s", IngressKey: "k", Env: stashpay.Test, Addr: "localhost:8080"}, nil},
		{"production, own address and base URL",
			map[string]string{"STASH_SHOP_ID": "s", "STASH_INGRESS_KEY": "k", "STASH_ENV": "production", "ADDR": "127.0.0.1:9", "STASH_BASE_URL": "http://x"},
			app.Config{ShopID: "s", IngressKey: "k", Env: stashpay.Production, Addr: "127.0.0.1:9", BaseURL: "http://x"}, nil},
		{"explicit test", map[string]string{"STASH_SHOP_ID": "s", "STASH_INGRESS_KEY": "k", "STASH_ENV": "test"},
			app.Config{ShopID: "s", IngressKey: "k", Env: stashpay.Test, Addr: "localhost:8080"}, nil},
		{"unknown environment", map[string]string{"STASH_SHOP_ID": "s", "STASH_INGRESS_KEY": "k", "STASH_ENV": "prod"},
			app.Config{}, []string{"STASH_ENV"}},
		{"nothing set", nil, app.Config{}, []string{"STASH_SHOP_ID", "STASH_INGRESS_KEY"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := app.LoadConfig(env(tc.vars))
			if tc.wantErr == nil {
				require.NoError(t, err)
				assert.Equal(t, tc.want, got)
				return
			}
			require.Error(t, err)
			for _, w := range tc.wantErr {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
}

func TestRequired(t *testing.T) {
	t.Parallel()
	v, err := app.Required(env(map[string]string{"A": "secret-value"}), "A")
	require.NoError(t, err)
	assert.Equal(t, "secret-value", v)
	_, err = app.Required(env(nil), "A")
	assert.EqualError(t, err, "A is not set")
}

func TestOtherEnvironment(t *testing.T) {
	t.Parallel()
	tests := []struct {
		eventEnv string
		want     stashpay.Environment
		other    bool
	}{
		{"test", stashpay.Test, false},
		{"test", stashpay.Production, true},
		{"production", stashpay.Production, false},
		{"production", stashpay.Test, true},
		{"prod", stashpay.Production, false},
		{"PROD", stashpay.Test, true},
		{"", stashpay.Test, false},
		{"", stashpay.Production, false},
		{"staging", stashpay.Production, false},
	}
	for _, tc := range tests {
		t.Run(tc.eventEnv+"/"+tc.want.String(), func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.other, app.OtherEnvironment(tc.eventEnv, tc.want))
		})
	}
}

func TestPrice(t *testing.T) {
	t.Parallel()
	for _, sku := range []string{"gems_100", "gems_500", "sword"} {
		p, ok := app.Price(sku)
		require.True(t, ok, sku)
		cents, err := p.MinorUnits(2)
		require.NoError(t, err, sku)
		assert.Positive(t, cents, sku)
	}
	_, ok := app.Price("nope")
	assert.False(t, ok)
}

func TestCheckoutAndInventoryHandlers(t *testing.T) {
	t.Parallel()
	fake := stashpaytest.Start(t)
	log := slog.New(slog.DiscardHandler)
	client, err := app.NewClient(app.Config{ShopID: fake.ShopID(), IngressKey: app.Secret(fake.IngressKey()), BaseURL: fake.URL(), Env: stashpay.Test}, log)
	require.NoError(t, err)
	var seen []string
	h := app.CheckoutHandler(client, log, func(co *stashpay.Checkout, player, sku string) { seen = append(seen, co.ID, player, sku) })

	tests := []struct {
		name     string
		body     string
		wantCode int
	}{
		{"created", `{"playerId":"alice","sku":"sword"}`, http.StatusOK},
		{"unknown sku", `{"playerId":"alice","sku":"nope"}`, http.StatusBadRequest},
		{"no player", `{"sku":"sword"}`, http.StatusBadRequest},
		{"not JSON", `sword`, http.StatusBadRequest},
		{"too large", `{"playerId":"` + string(bytes.Repeat([]byte("a"), 5000)) + `","sku":"sword"}`, http.StatusBadRequest},
	}
	for _, tc := range tests { // sequential: they share seen
		rec := httptest.NewRecorder()
		h(rec, httptest.NewRequest(http.MethodPost, "/checkout", bytes.NewReader([]byte(tc.body))))
		require.Equal(t, tc.wantCode, rec.Code, tc.name)
		if tc.wantCode != http.StatusOK {
			continue
		}
		var out struct{ CheckoutID, URL, TransactionID string }
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &out))
		co, ok := fake.Checkout(out.CheckoutID)
		require.True(t, ok, "the fake holds the checkout")
		assert.Equal(t, co.TransactionID, out.TransactionID)
		assert.NotEmpty(t, out.URL)
		assert.Equal(t, []string{out.CheckoutID, "alice", "sword"}, seen)
	}
	assert.Len(t, fake.Checkouts(), 1, "only the valid request reached Stash")

	fake.FailIngress(10, http.StatusServiceUnavailable, 0)
	noRetry, err := app.NewClient(app.Config{ShopID: fake.ShopID(), IngressKey: app.Secret(fake.IngressKey()), BaseURL: fake.URL()}, log, stashpay.WithMaxRetries(0))
	require.NoError(t, err)
	rec := httptest.NewRecorder()
	app.CheckoutHandler(noRetry, log, nil)(rec, httptest.NewRequest(http.MethodPost, "/checkout", bytes.NewReader([]byte(`{"playerId":"a","sku":"sword"}`))))
	assert.Equal(t, http.StatusBadGateway, rec.Code)
	assert.NotContains(t, rec.Body.String(), fake.IngressKey())

	inv := inventory.New()
	inv.Grant("k", "alice", []inventory.Item{{SKU: "sword", Quantity: 2}})
	rec = httptest.NewRecorder()
	app.InventoryHandler(inv)(rec, httptest.NewRequest(http.MethodGet, "/inventory?player=alice", nil))
	assert.JSONEq(t, `{"player":"alice","items":[{"sku":"sword","quantity":2}]}`, rec.Body.String())
	assert.Equal(t, "application/json", rec.Header().Get("Content-Type"))
}

// A configuration printed, logged or marshalled whole shows no key, and
// Reveal still hands the SDK the value.
func TestConfigNeverShowsTheKey(t *testing.T) {
	t.Parallel()
	const key = "ingress-key-value-1234"
	cfg := app.Config{ShopID: "shop", IngressKey: app.Secret(key)}
	var logs bytes.Buffer
	slog.New(slog.NewTextHandler(&logs, nil)).Info("config", "cfg", cfg, "key", cfg.IngressKey)
	js, err := json.Marshal(cfg)
	require.NoError(t, err)
	outs := []string{logs.String(), string(js)}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
		outs = append(outs, fmt.Sprintf(verb, cfg), fmt.Sprintf(verb, cfg.IngressKey), fmt.Sprintf(verb, &cfg))
	}
	for _, out := range outs {
		assert.NotContains(t, out, key)
		assert.NotContains(t, out, fmt.Sprintf("%x", key))
	}
	assert.Contains(t, fmt.Sprintf("%+v", cfg), "IngressKey:[redacted]")
	assert.Equal(t, key, cfg.IngressKey.Reveal())
	assert.Empty(t, app.Secret("").String(), "an empty secret shows as empty, so a missing key is visible")
}
