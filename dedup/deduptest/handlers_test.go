package deduptest_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stashpay/stashpay-go/dedup"
	"github.com/stashpay/stashpay-go/dedup/deduptest"
	"github.com/stashpay/stashpay-go/events"
	"github.com/stashpay/stashpay-go/internal/storecheck"
	"github.com/stashpay/stashpay-go/webhook"
)

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
		handler func(dedup.Store, *storecheck.GrantBook) http.Handler
		request func(ctx context.Context, id string) (*http.Request, error)
	}{
		{"webhook", func(s dedup.Store, b *storecheck.GrantBook) http.Handler { return storecheck.WebhookInstance(t, s, b) }, storecheck.PurchaseWebhook},
		{"confirm", func(s dedup.Store, b *storecheck.GrantBook) http.Handler { return storecheck.ConfirmInstance(t, s, b) }, storecheck.ConfirmCall},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			book := &storecheck.GrantBook{}
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
			assert.Zero(t, book.Count(id), "nothing may be granted while the store is down")

			store.down.Store(false)
			assert.Equal(t, http.StatusOK, deliver(), "store back: the redelivery grants")
			assert.Equal(t, http.StatusOK, deliver(), "a later redelivery is a duplicate")
			assert.Equal(t, 1, book.Count(id), "granted exactly once: nothing lost, nothing doubled")
		})
	}

	// A store that never answers: every delivery is answered 5xx.
	for _, tt := range tests {
		t.Run(tt.name+" never reachable", func(t *testing.T) {
			t.Parallel()
			book := &storecheck.GrantBook{}
			h := tt.handler(deduptest.Unreachable(), book)
			req, err := tt.request(t.Context(), "purchase-x")
			require.NoError(t, err)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			assert.Equal(t, http.StatusServiceUnavailable, rec.Code)
			assert.Zero(t, book.Count("purchase-x"))
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
			book := &storecheck.GrantBook{}
			rec := &recorder{TB: t}
			run := uuid.NewString()
			order := func(p int) string { return fmt.Sprintf("order-%s-%d", run, p) }
			res := deduptest.LoadHandlers(rec, deduptest.HandlerLoadConfig{
				Handlers: []http.Handler{storecheck.WebhookInstance(t, tt.stores[0], book), storecheck.WebhookInstance(t, tt.stores[1], book)},
				Request: func(ctx context.Context, p int) (*http.Request, error) {
					return storecheck.PurchaseWebhook(ctx, order(p))
				},
				Granted:   func(p int) int { return book.Count(order(p)) },
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
		Handlers: []http.Handler{webhook.NewHandler(v, func(context.Context, events.Event) error { return nil })},
		Request: func(ctx context.Context, p int) (*http.Request, error) {
			return storecheck.PurchaseWebhook(ctx, fmt.Sprint(p))
		},
		Granted:   func(int) int { return 0 },
		Purchases: 5,
	})
	assert.Equal(t, 5, res.Lost)
	require.Len(t, rec.errs, 2)
	assert.Contains(t, rec.errs[0], "answered 401")
}
