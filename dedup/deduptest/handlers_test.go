package deduptest_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	stashpay "github.com/stashpay/stashpay-go"
	"github.com/stashpay/stashpay-go/dedup"
	"github.com/stashpay/stashpay-go/dedup/deduptest"
	"github.com/stashpay/stashpay-go/events"
	"github.com/stashpay/stashpay-go/stashpaytest"
	"github.com/stashpay/stashpay-go/webhook"
)

const (
	webhookSecret = "deduptest-webhook-secret"
	shopID        = "deduptest-shop"
	egressKey     = "deduptest-egress-key"
)

// grantBook is the game's record of grants, per order or transaction ID.
type grantBook struct {
	mu sync.Mutex
	m  map[string]int
}

func (g *grantBook) grant(id string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.m == nil {
		g.m = make(map[string]int)
	}
	g.m[id]++
}

func (g *grantBook) count(id string) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.m[id]
}

// webhookInstance is one replica's webhook handler on store, granting into
// book.
func webhookInstance(t testing.TB, store dedup.Store, book *grantBook) http.Handler {
	t.Helper()
	v, err := webhook.NewVerifier(webhookSecret)
	require.NoError(t, err)
	return webhook.NewHandler(v, func(_ context.Context, e events.Event) error {
		if p, ok := e.(*events.PurchaseSucceeded); ok {
			book.grant(p.OrderID)
		}
		return nil
	}, webhook.WithStore(store))
}

// purchaseWebhook returns a signed PURCHASE_SUCCEEDED delivery of orderID.
func purchaseWebhook(ctx context.Context, orderID string) (*http.Request, error) {
	body := fmt.Appendf(nil, `{"type":"PURCHASE_SUCCEEDED","purchaseSucceeded":{"orderId":%q,"userId":"player-1","currency":"USD","total":"9.99","items":[{"id":"gems-100","quantity":"1","price":"9.99"}]}}`, orderID)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "/stash/webhook", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(webhook.SignatureHeader, webhook.Sign(body, webhookSecret))
	return req, nil
}

// confirmInstance is one replica's confirm handler on store, granting into
// book.
func confirmInstance(store dedup.Store, book *grantBook) http.Handler {
	return stashpay.ConfirmPaymentHandler(stashpay.EgressConfig{ShopID: shopID, EgressKey: egressKey, Store: store},
		func(_ context.Context, req *stashpay.ConfirmPaymentRequest) (*stashpay.ConfirmPaymentResponse, error) {
			book.grant(req.TransactionID)
			return nil, nil
		})
}

// confirmCall returns a signed confirm call for transactionID.
func confirmCall(ctx context.Context, transactionID string) (*http.Request, error) {
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

// switchStore is a store whose server can be taken down and brought back:
// while down, every call fails with deduptest.ErrUnreachable.
type switchStore struct {
	dedup.Store
	down atomic.Bool
}

func (s *switchStore) Claim(ctx context.Context, key string, lease time.Duration) (dedup.Claim, error) {
	if s.down.Load() {
		return dedup.Claim{}, deduptest.ErrUnreachable
	}
	return s.Store.Claim(ctx, key, lease)
}

func (s *switchStore) Complete(ctx context.Context, key, token string) error {
	if s.down.Load() {
		return deduptest.ErrUnreachable
	}
	return s.Store.Complete(ctx, key, token)
}

func (s *switchStore) Release(ctx context.Context, key, token string) error {
	if s.down.Load() {
		return deduptest.ErrUnreachable
	}
	return s.Store.Release(ctx, key, token)
}

// TestHandlersWhileStoreUnreachable checks the "store unreachable"
// case through the real handlers: while the store is down the webhook and
// confirm handlers answer 5xx (Stash retries) and grant nothing; once it is
// back the redelivery grants exactly once and later ones are duplicates.
func TestHandlersWhileStoreUnreachable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		handler func(dedup.Store, *grantBook) http.Handler
		request func(ctx context.Context, id string) (*http.Request, error)
	}{
		{"webhook", func(s dedup.Store, b *grantBook) http.Handler { return webhookInstance(t, s, b) }, purchaseWebhook},
		{"confirm", confirmInstance, confirmCall},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			book := &grantBook{}
			store := &switchStore{Store: dedup.NewMemoryStore()}
			h := tt.handler(store, book)
			id := "purchase-" + uuid.NewString()
			deliver := func() int {
				req, err := tt.request(t.Context(), id)
				require.NoError(t, err)
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				return rec.Code
			}

			store.down.Store(true)
			for range 3 {
				code := deliver()
				assert.GreaterOrEqual(t, code, 500, "store down: the answer must make Stash retry")
				assert.Less(t, code, 600)
			}
			assert.Zero(t, book.count(id), "nothing may be granted while the store is down")

			store.down.Store(false)
			assert.Equal(t, http.StatusOK, deliver(), "store back: the redelivery grants")
			assert.Equal(t, http.StatusOK, deliver(), "a later redelivery is a duplicate")
			assert.Equal(t, 1, book.count(id), "granted exactly once: nothing lost, nothing doubled")
		})
	}

	// A store that never answers: every delivery is answered 5xx.
	for _, tt := range tests {
		t.Run(tt.name+" never reachable", func(t *testing.T) {
			t.Parallel()
			book := &grantBook{}
			h := tt.handler(deduptest.Unreachable(), book)
			req, err := tt.request(t.Context(), "purchase-x")
			require.NoError(t, err)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			assert.Equal(t, http.StatusServiceUnavailable, rec.Code)
			assert.Zero(t, book.count("purchase-x"))
		})
	}
}

// TestLoadHandlersWebhook runs the load through two webhook handler
// instances: sharing a store, no purchase is granted twice or lost; with a
// store each (what an in-memory store does across replicas), LoadHandlers
// reports the double grants.
func TestLoadHandlersWebhook(t *testing.T) {
	t.Parallel()
	shared := dedup.NewMemoryStore()
	tests := []struct {
		name       string
		stores     [2]dedup.Store
		wantDouble bool
	}{
		{"one shared store", [2]dedup.Store{shared, shared}, false},
		{"a store per instance", [2]dedup.Store{dedup.NewMemoryStore(), dedup.NewMemoryStore()}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			book := &grantBook{}
			rec := &recorder{TB: t}
			run := uuid.NewString()
			order := func(p int) string { return fmt.Sprintf("order-%s-%d", run, p) }
			res := deduptest.LoadHandlers(rec, deduptest.HandlerLoadConfig{
				Handlers:  []http.Handler{webhookInstance(t, tt.stores[0], book), webhookInstance(t, tt.stores[1], book)},
				Request:   func(ctx context.Context, p int) (*http.Request, error) { return purchaseWebhook(ctx, order(p)) },
				Granted:   func(p int) int { return book.count(order(p)) },
				Purchases: 300,
			})
			assert.Zero(t, res.Lost)
			assert.Equal(t, 900, res.Calls-res.Busy-res.Failed, "every delivery answered 200 once")
			if tt.wantDouble {
				assert.Positive(t, res.Double)
				require.NotEmpty(t, rec.errs)
				assert.Contains(t, rec.errs[len(rec.errs)-1], "granted twice or more")
				return
			}
			assert.Zero(t, res.Double)
			assert.Equal(t, 300, res.Grants)
			assert.Empty(t, rec.errs)
		})
	}
}

func TestLoadHandlersReportsUnexpectedAnswers(t *testing.T) {
	t.Parallel()
	rec := &recorder{TB: t}
	v, err := webhook.NewVerifier("another secret")
	require.NoError(t, err)
	res := deduptest.LoadHandlers(rec, deduptest.HandlerLoadConfig{
		Handlers:  []http.Handler{webhook.NewHandler(v, nil)},
		Request:   func(ctx context.Context, p int) (*http.Request, error) { return purchaseWebhook(ctx, fmt.Sprint(p)) },
		Granted:   func(int) int { return 0 },
		Purchases: 5,
	})
	assert.Equal(t, 5, res.Lost)
	require.Len(t, rec.errs, 2)
	assert.Contains(t, rec.errs[0], "answered 401")
}
