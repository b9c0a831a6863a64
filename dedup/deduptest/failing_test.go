package deduptest_test

import (
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/stashpay/stashpay-go/dedup"
	"github.com/stashpay/stashpay-go/dedup/deduptest"
)

func TestFailingStore(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	tests := []struct {
		name                              string
		store                             *deduptest.FailingStore
		wantClaim, wantComplete, wantRele error
	}{
		{"nil store fails everything", &deduptest.FailingStore{}, deduptest.ErrUnreachable, deduptest.ErrUnreachable, deduptest.ErrUnreachable},
		{"passes through", &deduptest.FailingStore{Store: dedup.NewMemoryStore()}, nil, nil, dedup.ErrLeaseLost},
		{"fails claim", &deduptest.FailingStore{Store: dedup.NewMemoryStore(), FailClaim: true}, deduptest.ErrUnreachable, dedup.ErrLeaseLost, dedup.ErrLeaseLost},
		{"fails complete", &deduptest.FailingStore{Store: dedup.NewMemoryStore(), FailComplete: true}, nil, deduptest.ErrUnreachable, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := tt.store.Claim(ctx, "k", time.Minute)
			assert.ErrorIs(t, err, tt.wantClaim)
			token := c.Token
			if token == "" {
				token = "none"
			}
			assert.ErrorIs(t, tt.store.Complete(ctx, "k", token), tt.wantComplete)
			assert.ErrorIs(t, tt.store.Release(ctx, "k", token), tt.wantRele)
			claims, completes, releases := tt.store.Calls()
			assert.Equal(t, [3]int64{1, 1, 1}, [3]int64{claims, completes, releases})
		})
	}
	assert.ErrorIs(t, deduptest.ErrUnreachable, dedup.ErrStore)
}

func TestDeadAddr(t *testing.T) {
	t.Parallel()
	addr := deduptest.DeadAddr(t)
	assert.Contains(t, addr, "127.0.0.1:")
	conn, err := net.DialTimeout("tcp", addr, time.Second)
	if err == nil {
		_ = conn.Close()
	}
	assert.Error(t, err, "nothing listens on the address")
}
