package replicas_test

import (
	"context"
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
	"github.com/stashpay/stashpay-go/dedup/deduptest/replicas"
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

// deliver sends one delivery of id to h and returns the answer's status.
func deliver(t *testing.T, k replicas.Kind, h http.Handler, id string) int {
	t.Helper()
	req, err := k.Request(t.Context(), id)
	require.NoError(t, err)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Code
}

// TestKindsWhileStoreUnreachable checks the "store unreachable" case through
// the real handlers: while the store is down the webhook and confirm
// handlers answer 5xx (Stash retries) and grant nothing; once it is back the
// redelivery grants exactly once and later ones are duplicates.
func TestKindsWhileStoreUnreachable(t *testing.T) {
	t.Parallel()
	kinds := replicas.Kinds()
	require.Len(t, kinds, 2)
	for _, k := range kinds {
		t.Run(k.Name, func(t *testing.T) {
			t.Parallel()
			book := &replicas.GrantBook{}
			store := &switchStore{Store: dedup.NewMemoryStore()}
			h := k.Handler(t, store, book)
			id := "purchase-" + uuid.NewString()

			store.down.Store(true)
			for range 3 {
				code := deliver(t, k, h, id)
				assert.GreaterOrEqual(t, code, 500, "store down: the answer must make Stash retry")
				assert.Less(t, code, 600)
			}
			assert.Zero(t, book.Count(id), "nothing may be granted while the store is down")

			store.down.Store(false)
			assert.Equal(t, http.StatusOK, deliver(t, k, h, id), "store back: the redelivery grants")
			assert.Equal(t, http.StatusOK, deliver(t, k, h, id), "a later redelivery is a duplicate")
			assert.Equal(t, 1, book.Count(id), "granted exactly once: nothing lost, nothing doubled")
		})
		t.Run(k.Name+" never reachable", func(t *testing.T) {
			t.Parallel()
			book := &replicas.GrantBook{}
			h := k.Handler(t, deduptest.Unreachable(), book)
			assert.Equal(t, http.StatusServiceUnavailable, deliver(t, k, h, "purchase-x"))
			assert.Zero(t, book.Count("purchase-x"))
		})
	}
}

// TestKindsGrantPerID: distinct IDs are distinct grants, and replicas sharing
// a store grant each ID once.
func TestKindsGrantPerID(t *testing.T) {
	t.Parallel()
	for _, k := range replicas.Kinds() {
		t.Run(k.Name, func(t *testing.T) {
			t.Parallel()
			book := &replicas.GrantBook{}
			shared := dedup.NewMemoryStore()
			hs := []http.Handler{k.Handler(t, shared, book), k.Handler(t, shared, book)}
			ids := []string{"a-" + uuid.NewString(), "b-" + uuid.NewString()}
			for _, id := range ids {
				for _, h := range hs {
					assert.Equal(t, http.StatusOK, deliver(t, k, h, id))
				}
			}
			for _, id := range ids {
				assert.Equal(t, 1, book.Count(id), id)
			}
			assert.Zero(t, book.Count("never-sent"))
		})
	}
}

func TestStoreDown(t *testing.T) {
	t.Parallel()
	replicas.StoreDown(t, deduptest.Unreachable(), func(*testing.T) dedup.Store { return dedup.NewMemoryStore() })
}

func BenchmarkWebhookGrantsMemory(b *testing.B) {
	replicas.BenchmarkWebhookGrants(b, 8, func(*testing.B) [2]dedup.Store {
		s := dedup.NewMemoryStore()
		return [2]dedup.Store{s, s}
	})
}
