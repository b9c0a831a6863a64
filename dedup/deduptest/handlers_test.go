package deduptest_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stashpay/stashpay-go/dedup"
	"github.com/stashpay/stashpay-go/dedup/deduptest"
	"github.com/stashpay/stashpay-go/dedup/deduptest/replicas"
	"github.com/stashpay/stashpay-go/events"
	"github.com/stashpay/stashpay-go/webhook"
)

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
			book := &replicas.GrantBook{}
			rec := &recorder{TB: t}
			run := uuid.NewString()
			order := func(p int) string { return fmt.Sprintf("order-%s-%d", run, p) }
			res := deduptest.LoadHandlers(rec, deduptest.HandlerLoadConfig{
				Handlers: []http.Handler{replicas.WebhookHandler(t, tt.stores[0], book), replicas.WebhookHandler(t, tt.stores[1], book)},
				Request: func(ctx context.Context, p int) (*http.Request, error) {
					return replicas.WebhookRequest(ctx, order(p))
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
			return replicas.WebhookRequest(ctx, fmt.Sprint(p))
		},
		Granted:   func(int) int { return 0 },
		Purchases: 5,
	})
	assert.Equal(t, 5, res.Lost)
	require.Len(t, rec.errs, 2)
	assert.Contains(t, rec.errs[0], "answered 401")
}
