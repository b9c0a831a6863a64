package main

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	stashpay "github.com/stashpay/stashpay-go"
	"github.com/stashpay/stashpay-go/examples/internal/app"
	"github.com/stashpay/stashpay-go/stashpaytest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func setup(t *testing.T, opts ...stashpay.Option) (*stashpaytest.Server, *backend, *httptest.Server) {
	t.Helper()
	fake := stashpaytest.Start(t)
	b, err := newBackend(config{
		Config:    app.Config{ShopID: fake.ShopID(), IngressKey: app.Secret(fake.IngressKey()), BaseURL: fake.URL(), Env: stashpay.Test},
		PollEvery: 5 * time.Millisecond,
	}, slog.New(slog.DiscardHandler), opts...)
	require.NoError(t, err)
	srv := httptest.NewServer(b)
	t.Cleanup(srv.Close)
	return fake, b, srv
}

func post(t *testing.T, url string, body any) (int, []byte) {
	t.Helper()
	raw, _ := json.Marshal(body)
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, url, bytes.NewReader(raw))
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var buf bytes.Buffer
	_, _ = buf.ReadFrom(resp.Body)
	return resp.StatusCode, buf.Bytes()
}

func newCheckout(t *testing.T, srv *httptest.Server, player, sku string) string {
	t.Helper()
	code, out := post(t, srv.URL+"/checkout", map[string]string{"playerId": player, "sku": sku})
	require.Equal(t, http.StatusOK, code, string(out))
	var co struct{ CheckoutID string }
	require.NoError(t, json.Unmarshal(out, &co))
	return co.CheckoutID
}

func claim(t *testing.T, srv *httptest.Server, id, query string) (int, claimResult) {
	t.Helper()
	code, out := post(t, srv.URL+"/checkout/"+id+"/claim"+query, nil)
	var res claimResult
	if code == http.StatusOK || code == http.StatusAccepted {
		require.NoError(t, json.Unmarshal(out, &res), string(out))
	}
	return code, res
}

func TestClaimGrantsOnceAfterPayment(t *testing.T) {
	t.Parallel()
	fake, b, srv := setup(t)
	id := newCheckout(t, srv, "bob", "gems_500")

	code, res := claim(t, srv, id, "")
	assert.Equal(t, http.StatusAccepted, code, "not paid yet")
	assert.Equal(t, claimResult{Status: stashpay.PaymentStatusPending}, res)
	assert.Zero(t, b.inv.Grants())

	_, err := fake.Pay(t.Context(), id)
	require.NoError(t, err)
	code, res = claim(t, srv, id, "")
	assert.Equal(t, http.StatusOK, code)
	assert.Equal(t, claimResult{Status: stashpay.PaymentStatusSucceeded, Granted: true, New: true}, res)

	calls := len(fake.IngressCalls())
	code, res = claim(t, srv, id, "")
	assert.Equal(t, http.StatusOK, code)
	assert.Equal(t, claimResult{Status: stashpay.PaymentStatusSucceeded, Granted: true}, res, "a second claim grants nothing")
	assert.Len(t, fake.IngressCalls(), calls, "answered from the game's own record")
	assert.Equal(t, int64(1), b.inv.Count("bob", "gems_500"))
	assert.Equal(t, 0, b.reconcile(t.Context()), "nothing left pending")
}

func TestClaimWaitsForPayment(t *testing.T) {
	t.Parallel()
	fake, b, srv := setup(t)
	id := newCheckout(t, srv, "bob", "sword")
	done := make(chan claimResult, 1)
	go func() {
		_, res := claim(t, srv, id, "?wait=10s")
		done <- res
	}()
	// Pay once the claim has polled at least once.
	require.Eventually(t, func() bool { return len(fake.IngressCalls()) >= 2 }, 5*time.Second, time.Millisecond)
	_, err := fake.Pay(t.Context(), id)
	require.NoError(t, err)
	res := <-done
	assert.True(t, res.Granted)
	assert.True(t, res.New)
	assert.Equal(t, int64(1), b.inv.Count("bob", "sword"))
}

func TestConcurrentClaimsGrantOnce(t *testing.T) {
	t.Parallel()
	fake, b, srv := setup(t)
	id := newCheckout(t, srv, "bob", "gems_100")
	_, err := fake.Pay(t.Context(), id)
	require.NoError(t, err)
	var wg sync.WaitGroup
	var mu sync.Mutex
	newGrants := 0
	for range 8 {
		wg.Go(func() {
			code, res := claim(t, srv, id, "")
			assert.Equal(t, http.StatusOK, code)
			assert.True(t, res.Granted)
			if res.New {
				mu.Lock()
				newGrants++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	assert.Equal(t, 1, newGrants)
	assert.Equal(t, int64(1), b.inv.Count("bob", "gems_100"))
}

func TestClaimDeclinedPayment(t *testing.T) {
	t.Parallel()
	fake, b, srv := setup(t)
	id := newCheckout(t, srv, "bob", "gems_100")
	_, err := fake.Decline(t.Context(), id)
	require.NoError(t, err)
	code, res := claim(t, srv, id, "?wait=1s")
	assert.Equal(t, http.StatusOK, code)
	assert.Equal(t, claimResult{Status: stashpay.PaymentStatusFailed}, res)
	assert.Zero(t, b.inv.Grants())
}

func TestReconcileGrantsUnclaimed(t *testing.T) {
	t.Parallel()
	fake, b, srv := setup(t)
	paid := []string{newCheckout(t, srv, "ann", "sword"), newCheckout(t, srv, "ben", "sword")}
	newCheckout(t, srv, "cal", "sword") // never paid
	for _, id := range paid {
		_, err := fake.Pay(t.Context(), id)
		require.NoError(t, err)
	}
	assert.Equal(t, 2, b.reconcile(t.Context()))
	assert.Equal(t, 0, b.reconcile(t.Context()))
	assert.Equal(t, int64(1), b.inv.Count("ann", "sword"))
	assert.Equal(t, int64(1), b.inv.Count("ben", "sword"))
	assert.Zero(t, b.inv.Count("cal", "sword"))
	code, res := claim(t, srv, paid[0], "")
	assert.Equal(t, http.StatusOK, code)
	assert.False(t, res.New)
}

func TestClaimWhileStashFails(t *testing.T) {
	t.Parallel()
	fake, b, srv := setup(t, stashpay.WithMaxRetries(0))
	id := newCheckout(t, srv, "bob", "gems_100")
	_, err := fake.Pay(t.Context(), id)
	require.NoError(t, err)

	fake.FailIngress(1, http.StatusTooManyRequests, time.Second)
	code, _ := claim(t, srv, id, "")
	assert.Equal(t, http.StatusBadGateway, code)
	assert.Zero(t, b.inv.Grants(), "nothing granted on an error")

	// Nothing is lost: the next claim grants.
	code, res := claim(t, srv, id, "")
	assert.Equal(t, http.StatusOK, code)
	assert.True(t, res.New)
}

func TestClaimUnknownCheckout(t *testing.T) {
	t.Parallel()
	_, _, srv := setup(t)
	code, _ := claim(t, srv, "not-ours", "")
	assert.Equal(t, http.StatusNotFound, code)
	code, _ = post(t, srv.URL+"/checkout", map[string]string{"playerId": "a", "sku": "nope"})
	assert.Equal(t, http.StatusBadRequest, code)
}

func TestLoadConfig(t *testing.T) {
	t.Parallel()
	get := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	cfg, err := loadConfig(get(map[string]string{"STASH_SHOP_ID": "s", "STASH_INGRESS_KEY": "k"}))
	require.NoError(t, err)
	assert.Equal(t, stashpay.Test, cfg.Env)
	assert.Equal(t, "localhost:8080", cfg.Addr)
	_, err = loadConfig(get(map[string]string{"STASH_SHOP_ID": "s", "STASH_INGRESS_KEY": "k", "STASH_ENV": "prod"}))
	assert.Error(t, err)
	_, err = loadConfig(get(nil))
	assert.ErrorContains(t, err, "STASH_SHOP_ID")
}
