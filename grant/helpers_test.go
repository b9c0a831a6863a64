package grant_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	stashpay "github.com/stashpay/stashpay-go"
	"github.com/stashpay/stashpay-go/dedup"
	"github.com/stashpay/stashpay-go/grant"
	"github.com/stashpay/stashpay-go/stashpaytest"
	"github.com/stashpay/stashpay-go/webhook"
)

// recorder is a grant.Func that records every purchase and fails the
// first failures calls.
type recorder struct {
	mu        sync.Mutex
	purchases []*grant.Purchase
	failures  int
	failWith  error // the failures' error; nil: "inventory database down"
	calls     int
}

func (r *recorder) grant(_ context.Context, p *grant.Purchase) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls++
	if r.calls <= r.failures {
		if r.failWith != nil {
			return r.failWith
		}
		return errors.New("inventory database down")
	}
	r.purchases = append(r.purchases, p)
	return nil
}

func (r *recorder) granted() []*grant.Purchase {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]*grant.Purchase(nil), r.purchases...)
}

func (r *recorder) callCount() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.calls
}

// logBuffer is a concurrency-safe log sink.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func (l *logBuffer) logger() *slog.Logger { return slog.New(slog.NewTextHandler(l, nil)) }

// env is a fake Stash, a client of it and a Granter.
type env struct {
	fake    *stashpaytest.Server
	client  *stashpay.Client
	g       *grant.Granter
	rec     *recorder
	store   dedup.Store
	gameURL string
}

func newEnv(t *testing.T, rec *recorder, fakeOpts []stashpaytest.Option, opts ...grant.Option) *env {
	t.Helper()
	fake := stashpaytest.Start(t, append([]stashpaytest.Option{stashpaytest.WithRetrySchedule(time.Millisecond, time.Millisecond)}, fakeOpts...)...)
	client, err := stashpay.NewClient(stashpay.Credentials{ShopID: fake.ShopID(), IngressKey: fake.IngressKey()}, stashpay.WithBaseURL(fake.URL()))
	require.NoError(t, err)
	store := dedup.NewMemoryStore()
	g, err := grant.New(store, rec.grant, append([]grant.Option{grant.WithReconcileInterval(time.Millisecond)}, opts...)...)
	require.NoError(t, err)
	return &env{fake: fake, client: client, g: g, rec: rec, store: store}
}

// checkout creates a checkout of 2 x gems_100 at 1.99 for player.
func (e *env) checkout(t *testing.T, player string) string {
	t.Helper()
	co, err := e.client.CreateCheckout(t.Context(), &stashpay.CheckoutParams{
		Item: &stashpay.CheckoutItem{ID: "gems_100", PricePerItem: "1.99", Quantity: 2}, User: stashpay.CheckoutUser{ID: player},
	})
	require.NoError(t, err)
	return co.ID
}

// serveGame serves the Granter's webhook and purchase handlers, with
// check as the game's confirm check, and points the fake at them.
func (e *env) serveGame(t *testing.T, check stashpay.ConfirmPaymentFunc, opts ...webhook.HandlerOption) {
	t.Helper()
	v, err := webhook.NewVerifier(e.fake.WebhookSecret())
	require.NoError(t, err)
	mux := http.NewServeMux()
	mux.Handle("/webhooks/stash", e.g.WebhookHandler(v, opts...))
	mux.Handle("/", e.g.PurchaseHandler(stashpay.EgressConfig{ShopID: e.fake.ShopID(), EgressKey: e.fake.EgressKey()}, stashpay.PurchaseFuncs{
		Register: func(context.Context, *stashpay.RegisterPaymentRequest) (*stashpay.RegisterPaymentResponse, error) {
			return nil, nil
		},
		Confirm: check,
	}))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	e.fake.SetWebhookURL(srv.URL + "/webhooks/stash")
	e.fake.SetEgressBaseURL(srv.URL)
	e.gameURL = srv.URL
}

// gameURL is the base URL of the game serveGame started.
func gameURL(t *testing.T, e *env) string {
	t.Helper()
	require.NotEmpty(t, e.gameURL, "serveGame first")
	return e.gameURL
}

func key(checkoutID string) string { return fmt.Sprintf("checkout:%s", checkoutID) }
