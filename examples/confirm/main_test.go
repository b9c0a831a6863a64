package main

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	stashpay "github.com/stashpay/stashpay-go"
	"github.com/stashpay/stashpay-go/examples/internal/app"
	"github.com/stashpay/stashpay-go/stashpaytest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// setup starts a fake Stash and the backend, each knowing the other's URL.
func setup(t *testing.T, opts ...stashpaytest.Option) (*stashpaytest.Server, *backend, *httptest.Server) {
	t.Helper()
	fake := stashpaytest.Start(t, opts...)
	b, err := newBackend(config{
		Config:    app.Config{ShopID: fake.ShopID(), IngressKey: app.Secret(fake.IngressKey()), BaseURL: fake.URL(), Env: stashpay.Test},
		EgressKey: app.Secret(fake.EgressKey()), WebhookSecret: app.Secret(fake.WebhookSecret()),
	}, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	srv := httptest.NewServer(b)
	t.Cleanup(srv.Close)
	fake.SetEgressBaseURL(srv.URL)
	fake.SetWebhookURL(srv.URL + "/webhooks/stash")
	return fake, b, srv
}

func newCheckout(t *testing.T, srv *httptest.Server, player, sku string) string {
	t.Helper()
	raw, _ := json.Marshal(map[string]string{"playerId": player, "sku": sku})
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL+"/checkout", bytes.NewReader(raw))
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var co struct{ CheckoutID string }
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&co))
	return co.CheckoutID
}

// replay sends body to the backend's egress path again, signed by the fake's
// egress key, and returns the status and answer.
func replay(t *testing.T, fake *stashpaytest.Server, srv *httptest.Server, path string, body []byte) (int, string) {
	t.Helper()
	req, err := stashpaytest.NewEgressRequest(t.Context(), fake.ShopID(), fake.EgressKey(), srv.URL+path, body)
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(out)
}

func TestConfirmFlowGrantsOnce(t *testing.T) {
	t.Parallel()
	fake, b, srv := setup(t)
	id := newCheckout(t, srv, "carol", "sword")
	p, err := fake.Pay(t.Context(), id, stashpaytest.Times(2))
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, p.Register.StatusCode)
	assert.Equal(t, http.StatusOK, p.Confirm.StatusCode)
	assert.Equal(t, int64(1), b.inv.Count("carol", "sword"), "granted on confirm")
	left, _ := b.inv.Stock("sword")
	assert.Equal(t, int64(swordStock-1), left)

	// The PURCHASE_SUCCEEDED webhook (twice) finds the purchase granted.
	require.NoError(t, p.Webhook.Wait(t.Context()))
	assert.Equal(t, 1, b.inv.Grants())
	assert.Equal(t, int64(1), b.inv.Count("carol", "sword"))

	// Stash retrying confirm gets success again, without a second grant.
	code, out := replay(t, fake, srv, stashpay.ConfirmPaymentPath, p.Confirm.Request)
	assert.Equal(t, http.StatusOK, code, out)
	assert.Contains(t, out, `"results"`)
	assert.Equal(t, int64(1), b.inv.Count("carol", "sword"))

	// A cancel after the grant is answered FAILED_ALREADY_COMPLETED.
	cancel := bytes.Replace(p.Register.Request, []byte(`"registrations"`), []byte(`"items"`), 1)
	code, out = replay(t, fake, srv, stashpay.CancelPaymentPath, cancel)
	assert.Equal(t, http.StatusOK, code)
	assert.Contains(t, out, "PURCHASE_CANCELLATION_STATUS_FAILED_ALREADY_COMPLETED")
}

func TestConfirmFlowSoldOut(t *testing.T) {
	t.Parallel()
	fake, b, srv := setup(t)
	for i := range swordStock {
		_, err := fake.Pay(t.Context(), newCheckout(t, srv, "p"+string(rune('a'+i)), "sword"))
		require.NoError(t, err)
	}
	p, err := fake.Pay(t.Context(), newCheckout(t, srv, "late", "sword"))
	require.ErrorIs(t, err, stashpaytest.ErrRegisterRefused)
	assert.Contains(t, string(p.Register.Response), "PURCHASE_REGISTRATION_STATUS_FAILED_INSUFFICIENT_INVENTORY")
	assert.Nil(t, p.Confirm, "no confirm after a refused register")
	assert.Equal(t, stashpay.PaymentStatusFailed, p.Status)
	assert.Zero(t, b.inv.Count("late", "sword"))
	assert.Equal(t, swordStock, b.inv.Grants())
}

func TestConfirmFlowDeclineReleasesStock(t *testing.T) {
	t.Parallel()
	fake, b, srv := setup(t)
	id := newCheckout(t, srv, "dave", "sword")
	p, err := fake.Decline(t.Context(), id)
	require.NoError(t, err)
	assert.Contains(t, string(p.Cancel.Response), "PURCHASE_CANCELLATION_STATUS_SUCCESS_CANCELLED")
	left, _ := b.inv.Stock("sword")
	assert.Equal(t, int64(swordStock), left, "the reservation was released")
	assert.Zero(t, b.inv.Grants())

	// Cancelling again: nothing reserved any more.
	code, out := replay(t, fake, srv, stashpay.CancelPaymentPath,
		bytes.Replace(p.Register.Request, []byte(`"registrations"`), []byte(`"items"`), 1))
	assert.Equal(t, http.StatusOK, code)
	assert.Contains(t, out, "FAILED_TRANSACTION_NOT_FOUND")
}

func TestConfirmFlowRefusesBadOffers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, sku, price string
		want             string
	}{
		{"unknown product", "shield", "1.00", "FAILED_INVALID_OFFER"},
		{"wrong price", "sword", "0.99", "FAILED_INVALID_PRICE"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fake, b, _ := setup(t)
			// A checkout made behind the backend's back, as a tampered client
			// or a stale price would.
			client, err := fake.NewClient()
			require.NoError(t, err)
			co, err := client.CreateCheckout(t.Context(), &stashpay.CheckoutParams{
				Item: &stashpay.CheckoutItem{ID: tc.sku, PricePerItem: stashpay.Amount(tc.price), Quantity: 1},
				User: stashpay.CheckoutUser{ID: "eve"},
			})
			require.NoError(t, err)
			p, err := fake.Pay(t.Context(), co.ID)
			require.ErrorIs(t, err, stashpaytest.ErrRegisterRefused)
			assert.Contains(t, string(p.Register.Response), tc.want)
			assert.Zero(t, b.inv.Grants())
		})
	}
}

func TestConfirmFlowRejectsWrongKeyAndEnvironment(t *testing.T) {
	t.Parallel()
	t.Run("wrong egress key", func(t *testing.T) {
		t.Parallel()
		fake, b, srv := setup(t)
		other := stashpaytest.Start(t, stashpaytest.WithEgressKey("not-the-key"), stashpaytest.WithShopID(fake.ShopID()))
		code, _ := replay(t, other, srv, stashpay.ConfirmPaymentPath, []byte(`{"playerId":"eve","transactionId":"t","currency":"USD",
			"decimalPlaces":2,"tax":0,"total":199,"timeMillis":"1700000000000","items":[{"guid":"g","productId":"gems_100","quantity":1,"cents":199}]}`))
		assert.Equal(t, http.StatusUnauthorized, code)
		assert.Zero(t, b.inv.Grants())
	})
	t.Run("production call to a test backend", func(t *testing.T) {
		t.Parallel()
		fake, b, srv := setup(t, stashpaytest.WithProductionEnvironment())
		_, err := fake.Pay(t.Context(), newCheckout(t, srv, "eve", "gems_100"))
		require.ErrorIs(t, err, stashpaytest.ErrRegisterRefused)
		assert.Zero(t, b.inv.Grants())
	})
}

func TestConfirmFlowWebhookOnly(t *testing.T) {
	t.Parallel()
	// Without egress configured in Studio, the webhook alone grants.
	fake, b, srv := setup(t)
	fake.SetEgressBaseURL("")
	p, err := fake.Pay(t.Context(), newCheckout(t, srv, "fay", "gems_500"))
	require.NoError(t, err)
	require.NoError(t, p.Webhook.Wait(t.Context()))
	assert.Equal(t, int64(1), b.inv.Count("fay", "gems_500"))
}

func TestLoadConfig(t *testing.T) {
	t.Parallel()
	get := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	full := map[string]string{"STASH_SHOP_ID": "s", "STASH_INGRESS_KEY": "i", "STASH_EGRESS_KEY": "e"}
	cfg, err := loadConfig(get(full))
	require.NoError(t, err)
	assert.Empty(t, cfg.WebhookSecret)
	assert.Equal(t, "localhost:8080", cfg.Addr)
	_, err = loadConfig(get(map[string]string{"STASH_SHOP_ID": "s", "STASH_INGRESS_KEY": "i"}))
	assert.ErrorContains(t, err, "STASH_EGRESS_KEY")
}

// A Webshop cart purchase has no checkout link ID on either route, so no
// key joins its confirm call and its PURCHASE_SUCCEEDED: the confirm call
// grants it, and the webhook does not grant it again.
func TestCartPurchaseGrantedOnce(t *testing.T) {
	t.Parallel()
	fake, b, srv := setup(t)
	now := strconv.FormatInt(time.Now().UnixMilli(), 10)
	confirm := []byte(`{"playerId":"erin","transactionId":"tx-cart-1","shopId":"` + fake.ShopID() + `",` +
		`"environment":"PAYMENT_ENVIRONMENT_TEST","currency":"USD","decimalPlaces":2,"tax":0,"total":499,` +
		`"timeMillis":"` + now + `","source":"PURCHASE_SOURCE_CART",` +
		`"items":[{"guid":"6f1c1a52-0d1e-4c55-9a5e-2f4c8b7e6d31","productId":"sword","quantity":1,"cents":499}]}`)
	code, out := replay(t, fake, srv, stashpay.ConfirmPaymentPath, confirm)
	require.Equal(t, http.StatusOK, code, out)
	hook := []byte(`{"type":"PURCHASE_SUCCEEDED","environment":"test","purchaseSucceeded":{"timeMillis":` + now +
		`,"orderId":"8ZVBabLrnCMm9zPdu9QpfCWzNaA","currency":"USD","userId":"erin",` +
		`"items":[{"id":"sword","quantity":1,"price":"4.99"}],"tax":"0.00","total":"4.99","source":"Cart"}}`)
	d, err := fake.SendEvent(t.Context(), hook, stashpaytest.MaxAttempts(1))
	require.NoError(t, err)
	require.NoError(t, d.Wait(t.Context()), "the webhook is acknowledged")
	assert.Equal(t, int64(1), b.inv.Count("erin", "sword"), "granted once across the two routes")
}
