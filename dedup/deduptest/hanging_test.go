package deduptest_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stashpay/stashpay-go/dedup"
	"github.com/stashpay/stashpay-go/dedup/deduptest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestHangingStore: the selected operations on the selected keys block until
// their context ends and return its error; everything else reaches Store.
func TestHangingStore(t *testing.T) {
	t.Parallel()
	onlyHung := func(k string) bool { return strings.HasPrefix(k, "hung") }
	tests := []struct {
		name  string
		store deduptest.HangingStore
		key   string
		// which of Claim, Complete, Release hang
		want [3]bool
	}{
		{"nothing selected", deduptest.HangingStore{}, "k", [3]bool{}},
		{"claim", deduptest.HangingStore{HangClaim: true}, "k", [3]bool{true, false, false}},
		{"complete", deduptest.HangingStore{HangComplete: true}, "k", [3]bool{false, true, false}},
		{"release", deduptest.HangingStore{HangRelease: true}, "k", [3]bool{false, false, true}},
		{"all on a selected key", deduptest.HangingStore{HangClaim: true, HangComplete: true, HangRelease: true, Keys: onlyHung}, "hung-1", [3]bool{true, true, true}},
		{"all on another key", deduptest.HangingStore{HangClaim: true, HangComplete: true, HangRelease: true, Keys: onlyHung}, "free-1", [3]bool{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.store.Store = dedup.NewMemoryStore()
			// Each call gets its own short context: a hung call ends it.
			short := func() context.Context {
				ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
				t.Cleanup(cancel)
				return ctx
			}
			c, err := tt.store.Claim(short(), tt.key, time.Minute)
			if tt.want[0] {
				require.ErrorIs(t, err, context.DeadlineExceeded, "a hung Claim returns once its context ends")
				assert.Equal(t, dedup.Claim{}, c)
				// Claim for real, so that Complete and Release have a token.
				c, err = tt.store.Store.Claim(t.Context(), tt.key, time.Minute)
			}
			require.NoError(t, err)
			token := c.Token
			if err := tt.store.Complete(short(), tt.key, token); tt.want[1] {
				assert.ErrorIs(t, err, context.DeadlineExceeded)
			} else {
				assert.NoError(t, err, "Complete reaches the store")
			}
			err = tt.store.Release(short(), tt.key, token)
			switch {
			case tt.want[2]:
				assert.ErrorIs(t, err, context.DeadlineExceeded)
			case tt.want[1]:
				assert.NoError(t, err, "the key was not completed, so Release frees it")
			default:
				assert.ErrorIs(t, err, dedup.ErrLeaseLost, "Release reaches the store, which completed the key")
			}
		})
	}
}
