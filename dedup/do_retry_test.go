package dedup_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stashpay/stashpay-go/dedup"
	"github.com/stashpay/stashpay-go/dedup/deduptest"
)

// blipStore passes calls on to a MemoryStore, except that its first
// failCompletes Completes and first failReleases Releases fail with err
// (after, when applied is set, passing the call on: the store did it, but the
// reply was lost).
type blipStore struct {
	*dedup.MemoryStore
	err                         error
	applied                     bool
	failCompletes, failReleases int64
	completes, releases         atomic.Int64
}

func (s *blipStore) Complete(ctx context.Context, key, token string) error {
	if s.completes.Add(1) <= s.failCompletes {
		if s.applied {
			_ = s.MemoryStore.Complete(ctx, key, token)
		}
		return s.err
	}
	return s.MemoryStore.Complete(ctx, key, token)
}

func (s *blipStore) Release(ctx context.Context, key, token string) error {
	if s.releases.Add(1) <= s.failReleases {
		return s.err
	}
	return s.MemoryStore.Release(ctx, key, token)
}

func TestDoRetriesComplete(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		failCompletes int64
		err           error
		applied       bool
		wantErr       error
		wantCompletes int64
		wantAfter     dedup.Outcome
	}{
		{"first attempt succeeds", 0, deduptest.ErrUnreachable, false, nil, 1, dedup.Done},
		{"a blip is retried", 1, deduptest.ErrUnreachable, false, nil, 2, dedup.Done},
		{"two blips are retried", 2, deduptest.ErrUnreachable, false, nil, 3, dedup.Done},
		{"a lost reply is retried with the same token", 1, deduptest.ErrUnreachable, true, nil, 2, dedup.Done},
		{"three failures give up", 3, deduptest.ErrUnreachable, false, deduptest.ErrUnreachable, 3, dedup.Busy},
		{"a lost lease is not retried", 5, dedup.ErrLeaseLost, false, dedup.ErrLeaseLost, 1, dedup.Busy},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := &blipStore{MemoryStore: dedup.NewMemoryStore(), err: tt.err, applied: tt.applied, failCompletes: tt.failCompletes}
			res, err := dedup.Do(t.Context(), s, "k", time.Minute, func(context.Context) error { return nil })
			assert.Equal(t, dedup.Ran, res)
			if tt.wantErr == nil {
				require.NoError(t, err)
			} else {
				var cerr *dedup.CompleteError
				require.ErrorAs(t, err, &cerr)
				assert.ErrorIs(t, err, tt.wantErr)
			}
			assert.Equal(t, tt.wantCompletes, s.completes.Load(), "Complete attempts")
			assert.Zero(t, s.releases.Load(), "a successful run is never released")
			c, err := s.Claim(t.Context(), "k", time.Minute)
			require.NoError(t, err)
			assert.Equal(t, tt.wantAfter, c.Outcome)
		})
	}
}

func TestDoReleaseRetry(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		err          error
		wantReleases int64
		wantAfter    dedup.Outcome
	}{
		{"a blip is retried once", deduptest.ErrUnreachable, 2, dedup.Claimed},
		{"a lost lease is not retried", dedup.ErrLeaseLost, 1, dedup.Busy},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := &blipStore{MemoryStore: dedup.NewMemoryStore(), err: tt.err, failReleases: 1}
			_, err := dedup.Do(t.Context(), s, "k", time.Minute, func(context.Context) error { return errGrant })
			require.ErrorIs(t, err, errGrant)
			assert.Equal(t, tt.wantReleases, s.releases.Load(), "Release attempts")
			c, err := s.Claim(t.Context(), "k", time.Minute)
			require.NoError(t, err)
			assert.Equal(t, tt.wantAfter, c.Outcome)
		})
	}
}
