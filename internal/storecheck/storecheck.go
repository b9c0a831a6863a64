// Package storecheck runs a dedup store behind the SDK's real handlers (the
// webhook handler and the confirm handler), as several replicas of a game
// backend do. The Redis and PostgreSQL stores are separate modules that cannot
// share test files; they share this package instead. It is test support only:
// nothing in the SDK imports it.
package storecheck

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	stashpay "github.com/stashpay/stashpay-go"
	"github.com/stashpay/stashpay-go/dedup"
	"github.com/stashpay/stashpay-go/dedup/deduptest"
	"github.com/stashpay/stashpay-go/events"
	"github.com/stashpay/stashpay-go/stashpaytest"
	"github.com/stashpay/stashpay-go/webhook"
)

const (
	// WebhookSecret signs the webhooks PurchaseWebhook builds.
	WebhookSecret = "stores-webhook-secret"
	shopID        = "stores-shop"
	egressKey     = "stores-egress-key"
)

// GrantBook is the game's record of grants, per order or transaction ID.
// Its zero value is ready to use and safe for concurrent use.
type GrantBook struct {
	mu sync.Mutex
	m  map[string]int
}

// Grant records one grant of id.
func (g *GrantBook) Grant(id string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.m == nil {
		g.m = make(map[string]int)
	}
	g.m[id]++
}

// Count returns how many times id was granted.
func (g *GrantBook) Count(id string) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.m[id]
}

// handlerKind is one of the SDK's handlers that run under a dedup store.
type handlerKind struct {
	name    string
	handler func(t testing.TB, s dedup.Store, b *GrantBook) http.Handler
	request func(ctx context.Context, id string) (*http.Request, error)
}

var handlerKinds = []handlerKind{
	{"webhook", WebhookInstance, PurchaseWebhook},
	{"confirm", ConfirmInstance, ConfirmCall},
}

// WebhookInstance is one replica's webhook handler on store, granting into
// book.
func WebhookInstance(t testing.TB, store dedup.Store, book *GrantBook) http.Handler {
	t.Helper()
	v, err := webhook.NewVerifier(WebhookSecret)
	require.NoError(t, err)
	return webhook.NewHandler(v, func(_ context.Context, e events.Event) error {
		if p, ok := e.(*events.PurchaseSucceeded); ok {
			book.Grant(p.OrderID)
		}
		return nil
	}, webhook.WithStore(store))
}

// PurchaseWebhook returns a signed PURCHASE_SUCCEEDED delivery of orderID.
func PurchaseWebhook(ctx context.Context, orderID string) (*http.Request, error) {
	body := fmt.Appendf(nil, `{"type":"PURCHASE_SUCCEEDED","purchaseSucceeded":{"orderId":%q,"userId":"player-1","currency":"USD","total":"9.99","items":[{"id":"gems-100","quantity":"1","price":"9.99"}]}}`, orderID)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "/stash/webhook", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(webhook.SignatureHeader, webhook.Sign(body, WebhookSecret))
	return req, nil
}

// ConfirmInstance is one replica's confirm handler on store, granting into
// book.
func ConfirmInstance(_ testing.TB, store dedup.Store, book *GrantBook) http.Handler {
	return stashpay.ConfirmPaymentHandler(stashpay.EgressConfig{ShopID: shopID, EgressKey: egressKey, Store: store},
		func(_ context.Context, req *stashpay.ConfirmPaymentRequest) (*stashpay.ConfirmPaymentResponse, error) {
			book.Grant(req.TransactionID)
			return nil, nil
		})
}

// ConfirmCall returns a signed confirm call for transactionID.
func ConfirmCall(ctx context.Context, transactionID string) (*http.Request, error) {
	return stashpaytest.NewEgressRequest(ctx, shopID, egressKey, "/api/v1/purchase/confirm", &stashpay.ConfirmPaymentRequest{
		PlayerID:      "player-1",
		TransactionID: transactionID,
		Currency:      "USD",
		DecimalPlaces: 2,
		Total:         999,
		Time:          time.Now(),
		Items:         []stashpay.PurchaseItem{{GUID: uuid.NewString(), ProductID: "gems-100", Quantity: 1, Cents: 999}},
	})
}

// serve delivers one request to h and returns the answer's status.
func serve(t testing.TB, h http.Handler, req *http.Request, err error) int {
	t.Helper()
	require.NoError(t, err)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Code
}

// DeadAddr returns a loopback address nothing listens on.
func DeadAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return addr
}

// Unreachable delivers one purchase three times to each kind of handler
// on the unreachable store down: every answer must be 503 (Stash retries) and
// nothing granted. With a reachable store up sharing the state the real
// replicas use (nil to skip that part), the redelivery to a replica on up
// then grants once and a later one is a duplicate: nothing lost, nothing
// doubled.
func Unreachable(t *testing.T, down dedup.Store, up func(t *testing.T) dedup.Store) {
	for _, k := range handlerKinds {
		t.Run(k.name, func(t *testing.T) {
			t.Parallel()
			book := &GrantBook{}
			id := "purchase-" + uuid.NewString()
			h := k.handler(t, down, book)
			for range 3 {
				req, err := k.request(t.Context(), id)
				require.Equal(t, http.StatusServiceUnavailable, serve(t, h, req, err), "store down: Stash must retry")
			}
			require.Zero(t, book.Count(id), "nothing may be granted while the store is down")
			if up == nil {
				return
			}
			h = k.handler(t, up(t), book)
			for range 2 {
				req, err := k.request(t.Context(), id)
				require.Equal(t, http.StatusOK, serve(t, h, req, err))
			}
			require.Equal(t, 1, book.Count(id), "the redelivery grants exactly once")
		})
	}
}

// BenchmarkWebhookGrants runs the load once per iteration through two
// webhook handler instances sharing one store (instances returns the two
// stores, one per instance): 1,000 purchases, each delivered 3 times at once.
// It reports grants per second; LoadHandlers fails the benchmark on any
// double or lost grant.
func BenchmarkWebhookGrants(b *testing.B, workers int, instances func(b *testing.B) [2]dedup.Store) {
	var grants int
	var secs float64
	for b.Loop() {
		book := &GrantBook{}
		stores := instances(b)
		run := uuid.NewString()
		order := func(p int) string { return fmt.Sprintf("order-%s-%d", run, p) }
		res := deduptest.LoadHandlers(b, deduptest.HandlerLoadConfig{
			Handlers: []http.Handler{WebhookInstance(b, stores[0], book), WebhookInstance(b, stores[1], book)},
			Request:  func(ctx context.Context, p int) (*http.Request, error) { return PurchaseWebhook(ctx, order(p)) },
			Granted:  func(p int) int { return book.Count(order(p)) },
			Workers:  workers,
		})
		if res.Double != 0 || res.Lost != 0 || res.Grants != res.Purchases {
			b.Fatalf("%d double and %d lost grants, %d grants for %d purchases", res.Double, res.Lost, res.Grants, res.Purchases)
		}
		grants += res.Grants
		secs += res.Elapsed.Seconds()
	}
	b.ReportMetric(float64(grants)/secs, "grants/s")
}
