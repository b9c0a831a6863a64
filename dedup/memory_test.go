package dedup_test

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stashpay/stashpay-go/dedup"
	"github.com/stashpay/stashpay-go/dedup/deduptest"
)

func TestMemoryStoreConformance(t *testing.T) {
	t.Parallel()
	t.Run("one store per test", func(t *testing.T) {
		t.Parallel()
		deduptest.Run(t, func(*testing.T) dedup.Store { return dedup.NewMemoryStore() },
			deduptest.WithShortLease(20*time.Millisecond))
	})
	t.Run("one store shared by every test", func(t *testing.T) {
		t.Parallel()
		shared := dedup.NewMemoryStore(dedup.WithSweepInterval(0))
		deduptest.Run(t, func(*testing.T) dedup.Store { return shared },
			deduptest.WithShortLease(20*time.Millisecond), deduptest.WithSharedState())
	})
}

func TestMemoryStoreLoad(t *testing.T) {
	t.Parallel()
	st := dedup.NewMemoryStore()
	res := deduptest.Load(t, deduptest.LoadConfig{Instances: []dedup.Store{st, st}, FailEvery: 7})
	assert.Equal(t, 1000, res.Grants)
	assert.Positive(t, res.Failed, "FailEvery should have failed some first runs")
}

// fakeClock is a clock moved by hand.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func TestMemoryStoreLeaseBoundary(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	st := dedup.NewMemoryStore(dedup.WithClock(clock.Now))
	ctx := t.Context()

	first, err := st.Claim(ctx, "k", time.Minute)
	require.NoError(t, err)
	require.Equal(t, dedup.Claimed, first.Outcome)

	clock.Advance(time.Minute - time.Nanosecond)
	c, err := st.Claim(ctx, "k", time.Minute)
	require.NoError(t, err)
	assert.Equal(t, dedup.Busy, c.Outcome, "one nanosecond before the lease ends")

	clock.Advance(time.Nanosecond)
	second, err := st.Claim(ctx, "k", time.Minute)
	require.NoError(t, err)
	assert.Equal(t, dedup.Claimed, second.Outcome, "the moment the lease ends")
	assert.ErrorIs(t, st.Complete(ctx, "k", first.Token), dedup.ErrLeaseLost)
	assert.NoError(t, st.Complete(ctx, "k", second.Token))
}

func TestMemoryStoreRetention(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		opts      []dedup.MemoryOption
		after     time.Duration
		wantAfter dedup.Outcome
	}{
		{"default keeps 72h", nil, dedup.DefaultRetention - time.Second, dedup.Done},
		{"default forgets after 72h", nil, dedup.DefaultRetention, dedup.Claimed},
		{"custom keeps", []dedup.MemoryOption{dedup.WithRetention(time.Hour)}, time.Hour - time.Second, dedup.Done},
		{"custom forgets", []dedup.MemoryOption{dedup.WithRetention(time.Hour)}, time.Hour, dedup.Claimed},
		{"zero keeps for ever", []dedup.MemoryOption{dedup.WithRetention(0)}, 10 * 365 * 24 * time.Hour, dedup.Done},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clock := newFakeClock()
			st := dedup.NewMemoryStore(append(tt.opts, dedup.WithClock(clock.Now))...)
			ctx := t.Context()
			c, err := st.Claim(ctx, "k", time.Minute)
			require.NoError(t, err)
			require.NoError(t, st.Complete(ctx, "k", c.Token))
			clock.Advance(tt.after)
			got, err := st.Claim(ctx, "k", time.Minute)
			require.NoError(t, err)
			assert.Equal(t, tt.wantAfter, got.Outcome)
		})
	}
}

func TestMemoryStoreSweepBoundsMemory(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	st := dedup.NewMemoryStore(dedup.WithClock(clock.Now), dedup.WithRetention(time.Hour),
		dedup.WithSweepInterval(10*time.Minute))
	ctx := t.Context()

	const n = 100
	for i := range n {
		key := strconv.Itoa(i)
		c, err := st.Claim(ctx, key, time.Minute)
		require.NoError(t, err)
		switch i % 3 {
		case 0:
			require.NoError(t, st.Complete(ctx, key, c.Token))
		case 1:
			require.NoError(t, st.Release(ctx, key, c.Token)) // forgotten at once
		case 2:
			// The holder dies: the lease runs out.
		}
	}
	held := n - (n+1)/3 // completed + dead leases
	require.Equal(t, held, st.Len())

	// Past the dead leases and a sweep interval, but within the retention:
	// only the dead leases go.
	clock.Advance(11 * time.Minute)
	_, err := st.Claim(ctx, "trigger-1", time.Minute)
	require.NoError(t, err)
	assert.Equal(t, (n+2)/3+1, st.Len(), "completed keys and the new claim remain")

	// Past the retention: the completed keys go too.
	clock.Advance(time.Hour)
	_, err = st.Claim(ctx, "trigger-2", time.Minute)
	require.NoError(t, err)
	assert.Equal(t, 1, st.Len(), "only the newest claim remains")
}

func TestMemoryStoreLateCompleteWithinGrace(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		late    time.Duration
		wantErr error
		want    dedup.Outcome
	}{
		{"just after the lease", time.Minute + time.Second, nil, dedup.Done},
		{"after the record was swept", time.Minute + 25*time.Minute, dedup.ErrLeaseLost, dedup.Claimed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clock := newFakeClock()
			st := dedup.NewMemoryStore(dedup.WithClock(clock.Now), dedup.WithSweepInterval(10*time.Minute))
			ctx := t.Context()
			c, err := st.Claim(ctx, "k", time.Minute)
			require.NoError(t, err)
			clock.Advance(tt.late)
			_, err = st.Claim(ctx, "other", time.Minute) // gives the sweep a chance to run
			require.NoError(t, err)
			assert.ErrorIs(t, st.Complete(ctx, "k", c.Token), tt.wantErr)
			got, err := st.Claim(ctx, "k", time.Minute)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got.Outcome)
		})
	}
}

func ExampleNewMemoryStore() {
	store := dedup.NewMemoryStore(dedup.WithRetention(24 * time.Hour))
	grant := func(ctx context.Context) error {
		// Give the player the items of order "order-42" here.
		return nil
	}
	ctx := context.Background()
	for range 3 { // the same purchase delivered three times
		res, err := dedup.Do(ctx, store, "order-42", time.Minute, grant)
		fmt.Println(res, err)
	}
	// Output:
	// ran <nil>
	// already-done <nil>
	// already-done <nil>
}
